# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of the scorer's arithmetic (:mod:`textfix.fuzzy.score`).

:class:`Core` holds the scorer's models in flat C tables — the lexicon's word and
prefix table as a trie, the character bigram and trigram counts, the surnames and
look-alikes in open-addressing hash maps keyed by packed code points (21 bits each) —
and computes exactly what the pure-Python methods of :class:`~textfix.fuzzy.score.Scorer`
compute, in the same order of floating-point operations, so that the two agree to the
last bit: ``segment_gain``, ``segment_bound``, ``bigram_delta``, ``trigram_delta``,
``context_gain``, ``score``, ``allowed``, ``single_candidates`` and ``name_items``; and
the scoring loop of ``Scorer.judge``, over candidates (``judged``) or straight over the
matcher's automaton hits and variant table (``judged_hits``, for ``Scorer.judge_found``).
The scorer uses it when it is built (see ``Scorer.core``); ``tests/test_core.py``
checks that both give the same numbers.

The trie is what the segmentation reads at random, a step per character of every walk
down it: each edge shares its slot of an open-addressing table (~16 MB, on 2 MB pages
where the platform has them) with the log probability of the word it ends, and the
node it leads to is numbered by that slot, so a step is one read of memory.  The root's
children are direct tables over the Basic Multilingual Plane, and a bitmap of the
words' first two characters ends most walks before the table is read.  The bound of a
candidate walks from up to eight starts a level at a time, asking the memory for the
next edges of all of them before reading any.
"""

from libc.math cimport log, exp, isnan, fmax, NAN
from libc.stdint cimport uint64_t, int64_t, int32_t, uint32_t, uint16_t, uint8_t
from libc.stdlib cimport malloc, calloc, realloc, free
from libc.string cimport memcpy


include "../_hashmap.pxi"


cdef extern from "Python.h":
    bint Py_UNICODE_ISDIGIT(Py_UCS4 ch)
    char* PyBytes_AS_STRING(object o)


cdef extern from *:
    """
    #define TF_NEG (-1e18)
    """
    double NEG "TF_NEG"


cdef inline uint64_t edge(int64_t node, Py_UCS4 c) noexcept nogil:
    """The key of the trie edge from ``node`` by ``c``."""
    return (<uint64_t>node << 21) | <uint64_t>c


cdef enum:
    OBS = 1
    CONT = 2
    UNI = 4


cdef enum:
    MAX_LEN = 8  # the longest word the trie is asked for (Scorer.max_len is at most this)
    GATE2_BITS = 1 << 22  # the bitmap of the words' first two characters


cdef inline uint32_t pair_bit(Py_UCS4 a, Py_UCS4 b) noexcept nogil:
    """Where the pair ``a b`` sits in the bitmap of first two characters."""
    return <uint32_t>((pair(a, b) * <uint64_t>0x9E3779B97F4A7C15) >> 42)


cdef inline uint64_t triple(Py_UCS4 a, Py_UCS4 b, Py_UCS4 c) noexcept nogil:
    return (<uint64_t>a << 42) | (<uint64_t>b << 21) | <uint64_t>c


cdef double QUICK_SLACK = 1e-9  # _quick_bound's margin for the order of its sums
cdef int64_t QUICK_NONE = 0x7FF0000000000001  # a NaN's bits: no gain stored (none is NaN)


cdef inline double quick_get(const Map* m, uint64_t key) noexcept nogil:
    """The double stored under ``key`` (its bits in the int64 value), or NEG."""
    cdef int64_t bits = map_get(m, key, QUICK_NONE)
    cdef double v
    if bits == QUICK_NONE:
        return NEG
    memcpy(&v, &bits, sizeof(double))
    return v


cdef int quick_raise(Map* m, uint64_t key, double g) except -1:
    """Store ``g`` under ``key`` where it is above what is stored."""
    cdef int64_t bits
    if g > quick_get(m, key):
        memcpy(&bits, &g, sizeof(double))
        map_put(m, key, bits)
    return 0


cdef inline bint is_han(Py_UCS4 c) noexcept nogil:
    return (0x4E00 <= c <= 0x9FFF or 0x3400 <= c <= 0x4DBF or 0x20000 <= c <= 0x2FFFF
            or 0xF900 <= c <= 0xFAFF)


cdef inline bint is_latin(Py_UCS4 c) noexcept nogil:
    return (0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A or 0xFF21 <= c <= 0xFF3A or 0xFF41 <= c <= 0xFF5A)


cdef inline bint is_item_space(Py_UCS4 c) noexcept nogil:
    return c == 0x20 or c == 0x09 or c == 0x3000


cdef inline bint is_item_mark(Py_UCS4 c) noexcept nogil:
    # 、，,（(）)；;
    return (c == 0x3001 or c == 0xFF0C or c == 0x2C or c == 0xFF08 or c == 0x28 or c == 0xFF09
            or c == 0x29 or c == 0xFF1B or c == 0x3B)


cdef struct TrieEdge:
    uint64_t key  # parent node << 21 | character; EMPTY: a free slot
    double value  # log probability of the word ending at the child; NaN: a prefix only


cdef struct Subs:
    # substitutions sorted by position
    Py_ssize_t k
    Py_ssize_t* pos
    Py_UCS4* ch
    Py_ssize_t spos[16]
    Py_UCS4 sch[16]


cdef int subs_parse(Subs* out, subs) except -1:
    """``{position: char}`` (or ``((position, char), ...)``) as sorted C arrays
    (free with subs_free)."""
    cdef Py_ssize_t k = len(subs), i, j, p
    cdef Py_UCS4 c
    if k == 0:
        raise ValueError("no substitution")
    out.k = k
    if k <= 16:
        out.pos = out.spos
        out.ch = out.sch
    else:
        out.pos = <Py_ssize_t*>malloc(k * sizeof(Py_ssize_t))
        out.ch = <Py_UCS4*>malloc(k * sizeof(Py_UCS4))
        if out.pos == NULL or out.ch == NULL:
            raise MemoryError()
    i = 0
    for key, val in (subs.items() if type(subs) is dict else subs):
        p = key
        c = first_char(val)
        j = i
        while j > 0 and out.pos[j - 1] > p:  # insertion sort: k is one or two
            out.pos[j] = out.pos[j - 1]
            out.ch[j] = out.ch[j - 1]
            j -= 1
        out.pos[j] = p
        out.ch[j] = c
        i += 1
    return 0


cdef void subs_free(Subs* s) noexcept:
    if s.pos != s.spos:
        free(s.pos)
        free(s.ch)


cdef struct Group:
    Py_ssize_t pos  # the substituted position
    Py_UCS4 ch  # its new character
    Py_ssize_t start, end  # the span of the candidate kept
    Py_ssize_t target  # its entry of the variant table (of Core.alt for a single)
    int64_t wfreq  # its word's frequency
    double sim
    bint single


cdef Group* new_group(Group** grp, Py_ssize_t* ng, Py_ssize_t* cap) except NULL:
    """A new last group of the array ``grp[0]`` (``ng[0]`` used of ``cap[0]``), grown
    twice as large when full."""
    cdef Group* g
    if ng[0] == cap[0]:
        g = <Group*>realloc(grp[0], 2 * cap[0] * sizeof(Group))
        if g == NULL:
            raise MemoryError()
        grp[0] = g
        cap[0] *= 2
    g = &grp[0][ng[0]]
    ng[0] += 1
    return g


cdef class Variants:
    """A matcher's variant table (:class:`~textfix.fuzzy.matcher.VariantTable`, one
    substitution per variant) as C arrays, with each word's frequency, for
    :meth:`Core.judged_hits`."""

    cdef object _keep  # the arrays the pointers below read
    cdef const unsigned int* first
    cdef const unsigned int* word_id
    cdef const unsigned char* code
    cdef const double* sim
    cdef const int64_t* wfreq
    cdef Py_UCS4* newch  # the lexicon character each entry substitutes
    cdef list words
    cdef dict freq
    cdef object make  # Candidate from a tuple

    def __init__(self, table, dict freq, make):
        """``table`` a VariantTable, ``freq`` the lexicon's ``{word: frequency}``,
        ``make`` makes a Candidate of a tuple of its fields."""
        from array import array

        if table.code and max(table.code) >> 4:
            raise ValueError("a variant with two substitutions")
        if not (table.first.typecode == table.word_id.typecode == "I" and table.code.typecode == "B"
                and table.sim.typecode == "d"):
            raise TypeError("unexpected array types")
        cdef Py_ssize_t j, m = len(table.word_id)
        wfreq = array("q", [freq[w] for w in table.words])
        self._keep = (table.first, table.word_id, table.code, table.sim, wfreq)
        self.first = <const unsigned int*>address(table.first)
        self.word_id = <const unsigned int*>address(table.word_id)
        self.code = <const unsigned char*>address(table.code)
        self.sim = <const double*>address(table.sim)
        self.wfreq = <const int64_t*>address(wfreq)
        self.words = table.words
        self.freq = freq
        self.make = make
        self.newch = <Py_UCS4*>malloc((m + 1) * sizeof(Py_UCS4))
        if self.newch == NULL:
            raise MemoryError()
        for j in range(m):
            self.newch[j] = char_at(self.words[self.word_id[j]], (self.code[j] & 15) - 1)

    def __cinit__(self):
        self.newch = NULL

    def __dealloc__(self):
        free(self.newch)


cdef const void* address(arr) except NULL:
    """The buffer of an ``array.array`` (kept alive by its owner)."""
    cdef Py_ssize_t a = arr.buffer_info()[0]
    if arr.buffer_info()[1] == 0:
        return <const void*>&_EMPTY
    return <const void*>a


cdef int64_t _EMPTY = 0


def _neg_gain(t):
    """The sort key of :meth:`Scorer._greedy`: best gain first."""
    return -t[0]


def _start(d):
    return d[0]


cdef class Core:
    """The scorer's models as C tables, and its arithmetic over them."""

    cdef TrieEdge* trie  # the word trie's edges; the node an edge leads to is its slot + 1
    cdef uint64_t trie_mask
    cdef bint huge_pages
    cdef int trie_shift
    cdef int32_t* root  # the root's children for the Basic Multilingual Plane, -1: none
    cdef double* root_value  # and their values (NaN: a prefix only, or none)
    cdef double* cost1  # BMP code point -> its single-character score (segment_bound's cost)
    # the best gain of a word through a substituted character, by the pair and the
    # triple of characters around it (see _quick_bound)
    cdef Map quick2, quick3
    cdef uint8_t* gate2  # bit pair_bit(a, b): a word (or prefix) starts with a b, or a collision
    cdef Map surnames, wordchars, numerals
    cdef readonly int max_len
    cdef double unk, name_logp
    cdef bint has_names
    # character bigrams
    cdef bint has_bigrams
    cdef Map uni, bi, wi  # wi: char -> index into w0/w1
    cdef SeenPairs seen  # which pairs are in bi, for its most frequent characters
    cdef double* w0
    cdef double* w1
    cdef double inv
    cdef Map cont  # chars some seen bigram starts with
    # character trigrams
    cdef bint has_trigrams
    cdef Map tri
    # look-alikes: char -> (offset << 32 | count) into alt / sim
    cdef bint has_confusions
    cdef Map obs
    cdef Py_UCS4* alt
    cdef double* sim
    cdef list alt_str
    # for each character of the Basic Multilingual Plane, whether it is a key of obs
    # (OBS), cont (CONT), uni (UNI): the scan for single characters asks of every
    # character, and a byte table stays in cache where the maps do not
    cdef unsigned char* bmp
    # scratch buffers, grown as needed
    cdef Py_UCS4* buf
    cdef double* fwd
    cdef double* bwd
    cdef double* best
    cdef double* cost
    cdef Py_ssize_t* ends  # the words starting at each position: max_len + 2 slots each
    cdef double* lps
    cdef Py_ssize_t* cnt
    cdef int64_t* walk  # the node each walk from a position has reached (-1: ended)
    cdef Py_ssize_t cap
    # the clause whose tables fwd/bwd hold
    cdef object tab_text
    cdef Py_ssize_t tab_cs, tab_ce

    def __cinit__(self):
        self.trie = NULL
        seen_clear(&self.seen)
        self.root = NULL
        self.root_value = NULL
        self.cost1 = NULL
        self.gate2 = NULL
        self.w0 = self.w1 = NULL
        self.alt = NULL
        self.sim = NULL
        self.bmp = NULL
        self.buf = NULL
        self.fwd = self.bwd = self.best = self.cost = self.lps = NULL
        self.ends = self.cnt = NULL
        self.walk = NULL
        self.tab_text = None
        self.cap = 0

    def __init__(self, dict wp, double unk, int max_len, name_logp, surnames, wordchars,
                 bigrams=None, trigrams=None, confusions=None, numerals="", bint huge_pages=False):
        """``wp``, ``unk``, ``max_len``, ``name_logp``, ``surnames`` and
        ``wordchars`` as the scorer holds them; ``bigrams`` a
        :class:`~textfix.fuzzy.score.BigramModel`; ``trigrams`` a set of
        three-character strings; ``confusions`` ``{observed char: {look-alike:
        similarity}}`` (the order of each inner dict is kept); ``numerals`` the
        characters that write numbers (no numeral turns into another, nothing next
        to one or to a digit becomes or stops being one); ``huge_pages``: back the
        trie's table (~16 MB, read at random) and the maps of 2 MB or more (bigrams,
        trigrams, the quick bound's tables) with 2 MB pages where the platform can."""
        global map_huge
        map_huge = huge_pages  # the large maps on 2 MB pages too, like the trie
        try:
            self._build(wp, unk, max_len, name_logp, surnames, wordchars, bigrams, trigrams,
                        confusions, numerals, huge_pages)
        finally:
            map_huge = False

    cdef int _build(self, dict wp, double unk, int max_len, name_logp, surnames, wordchars,
                    bigrams, trigrams, confusions, numerals, bint huge_pages) except -1:
        cdef Py_ssize_t i, n
        cdef uint32_t key
        cdef uint64_t cap
        cdef Py_UCS4 c
        if not 1 <= max_len <= MAX_LEN:
            raise ValueError(f"max_len must be 1 to {MAX_LEN}, not {max_len}")
        self.max_len = max_len
        self.huge_pages = huge_pages
        self.unk = unk
        self.has_names = name_logp is not None
        self.name_logp = name_logp if name_logp is not None else 0.0
        # the word trie, in a table at most half full (it cannot grow in place: the
        # nodes are numbered by the slots of their edges)
        cap = 16
        while cap < <uint64_t>(2 * len(wp) + 2):
            cap <<= 1
        while not self._build_trie(wp, cap):
            cap <<= 1
        # Most walks down the trie end at its second level, where the edge map is read
        # at random (~16 MB): a 512 KB bitmap of the words' first two characters ends
        # most of them before.  And the single-character score of each BMP character.
        self.gate2 = <uint8_t*>calloc(GATE2_BITS // 8, 1)
        self.cost1 = <double*>malloc(0x10000 * sizeof(double))
        if self.gate2 == NULL or self.cost1 == NULL:
            raise MemoryError()
        for w in wp:
            if len(w) >= 2:
                key = pair_bit(char_at(w, 0), char_at(w, 1))
                self.gate2[key >> 3] |= <uint8_t>(1 << (key & 7))
        for i in range(0x10000):
            self.cost1[i] = self._cost(i)
        self._quick_tables(wp)
        map_init(&self.surnames, len(surnames))
        for s in surnames:
            if len(s) == 1:
                map_put(&self.surnames, first_char(s), 1)
        map_init(&self.numerals, len(numerals))
        for s in numerals:
            map_put(&self.numerals, first_char(s), 1)
        map_init(&self.wordchars, len(wordchars))
        for s in wordchars:
            if len(s) == 1:
                map_put(&self.wordchars, first_char(s), 1)
        # bigrams
        self.has_bigrams = bigrams is not None
        map_init(&self.uni, len(bigrams.uni) if bigrams is not None else 0)
        map_init(&self.bi, len(bigrams.bi) if bigrams is not None else 0)
        map_init(&self.wi, len(bigrams._w) if bigrams is not None else 0)
        map_init(&self.cont, len(bigrams._cont) if bigrams is not None else 0)
        if bigrams is not None:
            for s, k in bigrams.uni.items():
                if len(s) == 1:
                    map_put(&self.uni, first_char(s), k)
            for (a, b), k in bigrams.bi.items():
                if len(a) == 1 and len(b) == 1:
                    map_put(&self.bi, pair(first_char(a), first_char(b)), k)
            n = len(bigrams._w)
            self.w0 = <double*>malloc((n + 1) * sizeof(double))
            self.w1 = <double*>malloc((n + 1) * sizeof(double))
            if self.w0 == NULL or self.w1 == NULL:
                raise MemoryError()
            i = 0
            for s, (x, y) in bigrams._w.items():
                if len(s) == 1:
                    self.w0[i] = x
                    self.w1[i] = y
                    map_put(&self.wi, first_char(s), i)
                    i += 1
            for s in bigrams._cont:
                if len(s) == 1:
                    map_put(&self.cont, first_char(s), 1)
            self.inv = bigrams._inv
            seen_rank(&self.seen, bigrams.uni)
            for (x, y) in bigrams.bi:
                if len(x) == 1 and len(y) == 1:
                    seen_add(&self.seen, first_char(x), first_char(y))
        # trigrams
        self.has_trigrams = trigrams is not None
        map_init(&self.tri, len(trigrams) if trigrams is not None else 0)
        if trigrams is not None:
            for t in trigrams:
                if len(t) == 3:
                    map_put(&self.tri, triple(char_at(t, 0), char_at(t, 1), char_at(t, 2)), 1)
        # look-alikes
        self.has_confusions = confusions is not None
        self.alt_str = []
        n = sum(len(v) for v in confusions.values()) if confusions is not None else 0
        map_init(&self.obs, len(confusions) if confusions is not None else 0)
        self.alt = <Py_UCS4*>malloc((n + 1) * sizeof(Py_UCS4))
        self.sim = <double*>malloc((n + 1) * sizeof(double))
        if self.alt == NULL or self.sim == NULL:
            raise MemoryError()
        if confusions is not None:
            i = 0
            for s, alts in confusions.items():
                if len(s) != 1:
                    continue
                map_put(&self.obs, first_char(s), (<int64_t>i << 32) | len(alts))
                for x, v in alts.items():
                    self.alt[i] = first_char(x)
                    self.sim[i] = v
                    self.alt_str.append(x)
                    i += 1
        self.bmp = <unsigned char*>malloc(0x10000)
        if self.bmp == NULL:
            raise MemoryError()
        for c in range(0x10000):
            self.bmp[c] = ((OBS if map_get(&self.obs, c, -1) >= 0 else 0)
                           | (CONT if map_get(&self.cont, c, 0) else 0)
                           | (UNI if map_get(&self.uni, c, -1) >= 0 else 0))

    def __dealloc__(self):
        free(self.trie)
        map_free(&self.surnames)
        map_free(&self.wordchars)
        map_free(&self.numerals)
        map_free(&self.uni)
        map_free(&self.bi)
        map_free(&self.wi)
        map_free(&self.cont)
        map_free(&self.tri)
        map_free(&self.obs)
        free(self.root)
        free(self.root_value)
        seen_free(&self.seen)
        free(self.cost1)
        map_free(&self.quick2)
        map_free(&self.quick3)
        free(self.gate2)
        free(self.bmp)
        free(self.w0)
        free(self.w1)
        free(self.alt)
        free(self.sim)
        free(self.buf)
        free(self.fwd)
        free(self.bwd)
        free(self.best)
        free(self.cost)
        free(self.cnt)
        free(self.ends)
        free(self.lps)
        free(self.walk)

    cdef int _reserve(self, Py_ssize_t n) except -1:
        if n + 2 <= self.cap:
            return 0
        cdef Py_ssize_t cap = max(2 * self.cap, n + 64)
        self.buf = <Py_UCS4*>realloc(self.buf, cap * sizeof(Py_UCS4))
        self.fwd = <double*>realloc(self.fwd, cap * sizeof(double))
        self.bwd = <double*>realloc(self.bwd, cap * sizeof(double))
        self.best = <double*>realloc(self.best, cap * sizeof(double))
        self.cost = <double*>realloc(self.cost, cap * sizeof(double))
        self.cnt = <Py_ssize_t*>realloc(self.cnt, cap * sizeof(Py_ssize_t))
        self.ends = <Py_ssize_t*>realloc(self.ends, cap * (self.max_len + 2) * sizeof(Py_ssize_t))
        self.lps = <double*>realloc(self.lps, cap * (self.max_len + 2) * sizeof(double))
        self.walk = <int64_t*>realloc(self.walk, cap * sizeof(int64_t))
        if (self.buf == NULL or self.fwd == NULL or self.bwd == NULL or self.best == NULL or self.cost == NULL
                or self.cnt == NULL or self.ends == NULL or self.lps == NULL or self.walk == NULL):
            raise MemoryError()
        self.cap = cap
        return 0

    cdef inline bint _numeral(self, Py_UCS4 c) noexcept nogil:
        return map_get(&self.numerals, c, 0) != 0

    cdef bint _build_trie(self, dict wp, uint64_t cap) except -1:
        """The trie of ``wp``'s words (and prefixes) in a table of ``cap`` edges (a
        power of two), and the root's direct tables; False (nothing kept) where more
        than three quarters of the table would fill."""
        cdef Py_ssize_t i, n, edges = 0
        cdef int64_t node
        cdef uint64_t j, key
        cdef Py_UCS4 c
        cdef int bits = 0
        free(self.trie)
        self.trie = <TrieEdge*>tf_alloc_huge(cap * sizeof(TrieEdge), self.huge_pages)
        if self.trie == NULL:
            raise MemoryError()
        for j in range(cap):
            self.trie[j].key = EMPTY
            self.trie[j].value = NAN
        while (<uint64_t>1 << bits) < cap:
            bits += 1
        self.trie_mask = cap - 1
        self.trie_shift = 64 - bits
        for w, v in wp.items():
            n = len(w)
            node = 0
            for i in range(n):
                c = char_at(w, i)
                key = edge(node, c)
                j = self._slot_of(key)
                if self.trie[j].key == EMPTY:
                    edges += 1
                    if 4 * edges > 3 * <Py_ssize_t>cap:
                        free(self.trie)
                        self.trie = NULL
                        return False
                    self.trie[j].key = key
                node = <int64_t>j + 1
            if v is not None and node:
                self.trie[node - 1].value = v
        if self.root == NULL:
            self.root = <int32_t*>malloc(0x10000 * sizeof(int32_t))
            self.root_value = <double*>malloc(0x10000 * sizeof(double))
            if self.root == NULL or self.root_value == NULL:
                raise MemoryError()
        for c in range(0x10000):
            j = self._slot_of(edge(0, c))
            self.root[c] = <int32_t>(j + 1) if self.trie[j].key != EMPTY else -1
            self.root_value[c] = self.trie[j].value if self.trie[j].key != EMPTY else NAN
        return True

    cdef inline uint64_t _trie_home(self, uint64_t key) noexcept nogil:
        """The slot where the search for the edge ``key`` starts."""
        return (key * <uint64_t>0x9E3779B97F4A7C15) >> self.trie_shift

    cdef inline uint64_t _slot_of(self, uint64_t key) noexcept nogil:
        """The slot of the edge ``key``, or the free slot where it would go."""
        cdef uint64_t j = self._trie_home(key)
        while self.trie[j].key != key and self.trie[j].key != EMPTY:
            j = (j + 1) & self.trie_mask
        return j

    cdef inline void _prefetch(self, int64_t node, Py_UCS4 c) noexcept nogil:
        """Ask the memory for the slot where :meth:`_step` will look for the edge."""
        __builtin_prefetch(&self.trie[self._trie_home(edge(node, c))])

    cdef inline int64_t _step(self, int64_t node, Py_UCS4 c, double* value) noexcept nogil:
        """The child of ``node`` by ``c`` (-1: none), and into ``value`` the log
        probability of the word ending there (NaN: a prefix only).  The edge and the
        value share a slot: one read of memory."""
        cdef uint64_t j
        if node == 0 and c < 0x10000:
            value[0] = self.root_value[c]
            return self.root[c]
        j = self._slot_of(edge(node, c))
        if self.trie[j].key == EMPTY:
            return -1
        value[0] = self.trie[j].value
        return <int64_t>j + 1

    cdef inline bint _starts2(self, Py_UCS4 a, Py_UCS4 b) noexcept nogil:
        """False: no word (nor prefix) starts with ``a b``, so the walk from ``a`` ends
        at ``b``; True: it may."""
        cdef uint32_t k = pair_bit(a, b)
        return (self.gate2[k >> 3] >> (k & 7)) & 1

    cdef inline double _cost(self, Py_UCS4 c) noexcept nogil:
        """The single-character score of ``c``: its word's log probability, or ``unk``
        where that is lower or there is no such word."""
        cdef double v
        cdef int64_t node = self._step(0, c, &v)
        if node >= 0 and not isnan(v) and v > self.unk:
            return v
        return self.unk

    # -- segmentation --------------------------------------------------------
    cdef void _tables(self, const Py_UCS4* s, Py_ssize_t n) noexcept nogil:
        """fwd[i]: best segmentation of s[:i]; bwd[i]: of s[i:].  The words (and
        names) starting at each i are looked up once, for both passes:
        ``ends[i * W + k]`` and ``lps[i * W + k]`` for k < ``cnt[i]``."""
        cdef double* fwd = self.fwd
        cdef double* bwd = self.bwd
        cdef Py_ssize_t* ends = self.ends
        cdef double* lps = self.lps
        cdef Py_ssize_t* cnt = self.cnt
        cdef double unk = self.unk, nl = self.name_logp, base, v, b
        cdef Py_ssize_t i, j, k, top, o
        cdef int64_t node
        cdef int L = self.max_len
        cdef Py_ssize_t W = L + 2
        # the walks from every position, a level at a time: the next edges of all of
        # them are asked of the memory before any is read
        cdef int64_t* walk = self.walk
        cdef Py_ssize_t d, live
        for i in range(n):
            cnt[i] = 0
            walk[i] = 0
        for d in range(1, L + 1):
            if d > 1:
                for i in range(n - d + 1):
                    if walk[i] > 0:
                        self._prefetch(walk[i], s[i + d - 1])
            live = 0
            for i in range(n - d + 1):
                if walk[i] < 0:
                    continue
                if d == 2 and not self._starts2(s[i], s[i + 1]):
                    walk[i] = -1
                    continue
                node = self._step(walk[i], s[i + d - 1], &v)
                walk[i] = node
                if node < 0:
                    continue
                live += 1
                if not isnan(v):
                    o = i * W + cnt[i]
                    ends[o] = i + d
                    lps[o] = v
                    cnt[i] += 1
            if not live:
                break
        if self.has_names:
            for i in range(n):
                if map_get(&self.surnames, s[i], 0):
                    o = i * W
                    k = cnt[i]
                    for j in range(i + 2, i + 4):
                        if j <= n and is_han(s[j - 1]):
                            ends[o + k] = j
                            lps[o + k] = nl
                            k += 1
                        else:
                            break
                    cnt[i] = k
        fwd[0] = 0.0
        for i in range(1, n + 1):
            fwd[i] = NEG
        for i in range(n):
            base = fwd[i]
            v = base + unk
            if v > fwd[i + 1]:
                fwd[i + 1] = v
            o = i * W
            for k in range(cnt[i]):
                v = base + lps[o + k]
                if v > fwd[ends[o + k]]:
                    fwd[ends[o + k]] = v
        bwd[n] = 0.0
        for i in range(n - 1, -1, -1):
            b = bwd[i + 1] + unk
            o = i * W
            for k in range(cnt[i]):
                v = bwd[ends[o + k]] + lps[o + k]
                if v > b:
                    b = v
            bwd[i] = b

    cdef inline bint _cut(self, Py_UCS4 c) noexcept nogil:
        return not map_get(&self.wordchars, c, 0) and not is_han(c)

    def segment_gain(self, str text, dict subs):
        """As :meth:`Scorer.segment_gain`."""
        cdef Subs sb
        subs_parse(&sb, subs)
        try:
            return self._segment_gain(text, &sb)
        finally:
            subs_free(&sb)

    cdef double _segment_gain(self, str text, Subs* sb) except? -1.5e300:
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t N = PyUnicode_GET_LENGTH(text)
        cdef Py_ssize_t lo = sb.pos[0], hi = sb.pos[sb.k - 1] + 1
        cdef Py_ssize_t cs, ce, i, j, n, a, z, m, top
        cdef int L = self.max_len
        cdef double unk = self.unk, nl = self.name_logp, base, v, w, new
        cdef int64_t node
        # the clause between the characters no word runs across
        cs = lo - 1
        while cs >= 0 and not self._cut(PyUnicode_READ(kind, data, cs)):
            cs -= 1
        cs += 1
        ce = lo
        while ce < N and not self._cut(PyUnicode_READ(kind, data, ce)):
            ce += 1
        if ce < hi:
            cs, ce = 0, N
        n = ce - cs
        self._reserve(n)
        cdef Py_UCS4* s = self.buf
        for i in range(n):
            s[i] = PyUnicode_READ(kind, data, cs + i)
        lo -= cs
        hi -= cs
        # the clause's tables are kept for the next candidate in it
        if not (text is self.tab_text and cs == self.tab_cs and ce == self.tab_ce):
            self.tab_text = None
            self._tables(s, n)
            self.tab_text = text
            self.tab_cs = cs
            self.tab_ce = ce
        for i in range(sb.k):
            s[sb.pos[i] - cs] = sb.ch[i]
        a = lo - L + 1 if lo - L + 1 > 0 else 0
        z = hi + L - 1 if hi + L - 1 < n else n
        m = z - a
        cdef double* best = self.best
        cdef double* fwd = self.fwd
        cdef double* bwd = self.bwd
        for i in range(lo - a + 1):
            best[i] = fwd[a + i]
        for i in range(lo - a + 1, m + 1):
            best[i] = NEG
        for i in range(m):
            base = best[i]
            if base <= -1e17:
                continue
            if i + a >= lo:
                v = base + unk
                if v > best[i + 1]:
                    best[i + 1] = v
            top = i + L if i + L < m else m
            node = 0
            for j in range(i + 1, top + 1):
                if j == i + 2 and not self._starts2(s[a + i], s[a + i + 1]):
                    break
                node = self._step(node, s[a + j - 1], &w)
                if node < 0:
                    break
                if not isnan(w) and j + a > lo:
                    v = base + w
                    if v > best[j]:
                        best[j] = v
            if self.has_names and map_get(&self.surnames, s[a + i], 0):
                for j in range(i + 2, i + 4):
                    if j <= m and is_han(s[a + j - 1]):
                        if j + a > lo and base + nl > best[j]:
                            best[j] = base + nl
                    else:
                        break
        new = NEG
        for j in range(hi, z + 1):
            v = best[j - a] + bwd[j]
            if j == hi or v > new:
                new = v
        return new - fwd[n]

    cdef int _quick_tables(self, dict wp) except -1:
        """The tables of :meth:`_quick_bound`: for each pair (``quick2``, two-character
        words) and each triple (``quick3``, words of three to ``max_len`` characters) of
        adjacent characters in a word, the highest ``logp(word) - sum of the costs of
        its other characters`` over the words and the positions in them that hold it."""
        cdef Py_ssize_t n, t, k
        cdef double v, tot
        cdef double costs[MAX_LEN]
        cdef double gains[MAX_LEN]
        cdef Py_UCS4 w_[MAX_LEN]
        # made at their final size (no table grows, so no old one is left in the heap):
        # at most a pair per two-character word and a triple per place in a longer one
        cdef Py_ssize_t n2 = 0, n3 = 0
        for w, lp in wp.items():
            n = len(w)
            if lp is not None and 2 <= n <= self.max_len:
                if n == 2:
                    n2 += 1
                else:
                    n3 += n - 2
        map_init(&self.quick2, n2)
        map_init(&self.quick3, n3)
        for w, lp in wp.items():
            n = len(w)
            if lp is None or n < 2 or n > self.max_len:
                continue
            v = lp
            if isnan(v):
                continue
            tot = 0.0
            for k in range(n):
                w_[k] = char_at(w, k)
                costs[k] = self._char_cost(w_[k])
                tot += costs[k]
            for t in range(n):
                gains[t] = v - (tot - costs[t])
            # (the highest over the positions of the pair or triple: the character
            # substituted may be any of them)
            if n == 2:
                quick_raise(&self.quick2, pair(w_[0], w_[1]), fmax(gains[0], gains[1]))
            else:
                for k in range(n - 2):
                    quick_raise(&self.quick3, triple(w_[k], w_[k + 1], w_[k + 2]),
                                fmax(gains[k], fmax(gains[k + 1], gains[k + 2])))
        return 0

    cdef double _quick_bound(self, int kind, void* data, Py_ssize_t n, Py_ssize_t p,
                             Py_UCS4 ch) noexcept:
        """An upper bound of :meth:`_segment_bound` from a few table look-ups, without
        walking the trie: a word through ``p`` is ``ch`` alone, a two-character word
        with ``ch``'s left or right neighbour, or a longer word holding one of the
        three triples of characters around ``p``; a name is scored as the bound
        scores it.  Each table holds the best a word can gain over all the positions
        of its pair or triple, so the bound is never below the walks' (a test checks
        it); the bound may be looser.  A small slack covers the different order in
        which the terms are added."""
        cdef Py_UCS4 s[5]
        cdef Py_ssize_t k, i, j
        cdef Py_UCS4 old = PyUnicode_READ(kind, data, p)
        cdef double best = self.unk, v, c2
        cdef int64_t node
        cdef bint have[5]
        for k in range(5):
            have[k] = 0 <= p - 2 + k < n
            s[k] = PyUnicode_READ(kind, data, p - 2 + k) if have[k] else 0
        s[2] = ch
        if have[1]:
            map_prefetch(&self.quick2, pair(s[1], s[2]))
        if have[3]:
            map_prefetch(&self.quick2, pair(s[2], s[3]))
        for k in range(3):
            if have[k] and have[k + 2]:
                map_prefetch(&self.quick3, triple(s[k], s[k + 1], s[k + 2]))
        node = self._step(0, ch, &v)
        if node >= 0 and not isnan(v) and v > best:
            best = v
        if have[1]:
            best = fmax(best, quick_get(&self.quick2, pair(s[1], s[2])))
        if have[3]:
            best = fmax(best, quick_get(&self.quick2, pair(s[2], s[3])))
        for k in range(3):
            if have[k] and have[k + 2]:
                best = fmax(best, quick_get(&self.quick3, triple(s[k], s[k + 1], s[k + 2])))
        best -= self._char_cost(old)
        if self.has_names:
            # as _segment_bound: a surname at i in p-2..p and a name to j > p
            for i in range(3):
                if not have[i] or not map_get(&self.surnames, s[i], 0):
                    continue
                for j in range(i + 2, i + 4):  # the name is s[i:j]
                    if j > 5 or not have[j - 1] or not is_han(s[j - 1]):
                        break
                    if j > 2:
                        c2 = 0.0
                        for k in range(i, j):
                            c2 += self._char_cost(old if k == 2 else s[k])
                        if self.name_logp - c2 > best:
                            best = self.name_logp - c2
        return best + QUICK_SLACK

    cdef inline double _char_cost(self, Py_UCS4 c) noexcept:
        return self.cost1[c] if c < 0x10000 else self._cost(c)

    def quick_bound(self, str text, Py_ssize_t p, str ch):
        """:meth:`_quick_bound`: never below :meth:`segment_bound` (a test checks it)."""
        if not 0 <= p < len(text):
            raise IndexError(p)
        return self._quick_bound(PyUnicode_KIND(text), PyUnicode_DATA(text), len(text), p, first_char(ch))

    def segment_bound(self, str text, Py_ssize_t p, str ch):
        """As :meth:`Scorer.segment_bound`."""
        return self._segment_bound(text, p, first_char(ch))

    cdef double _segment_bound(self, str text, Py_ssize_t p, Py_UCS4 ch) except? -1.5e300:
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
        cdef int L = self.max_len
        cdef Py_ssize_t a = p - L + 1 if p >= L - 1 else 0
        cdef Py_ssize_t z = p + L if p + L < n else n
        cdef Py_ssize_t m = z - a, i, j, k, pa = p - a
        cdef double unk = self.unk, nl = self.name_logp, c, c2, v, best
        cdef int64_t node
        self._reserve(m)
        cdef Py_UCS4* s = self.buf
        cdef double* cost = self.cost
        for k in range(m):
            s[k] = PyUnicode_READ(kind, data, a + k)
            cost[k] = self.cost1[s[k]] if s[k] < 0x10000 else self._cost(s[k])
        s[pa] = ch
        best = unk - cost[pa]
        # The walks down the trie from each start i <= pa, a level at a time: the next
        # edges of all of them are asked of the memory before any is read (each walk's
        # steps depend on one another, the walks do not).  Each walk adds its costs in
        # its own order, as one at a time would; the best is a maximum, whatever the order.
        cdef int64_t wnode[MAX_LEN]
        cdef double wc[MAX_LEN]
        cdef Py_ssize_t wi[MAX_LEN]
        cdef Py_ssize_t nw = 0, q, live, d, top
        for i in range(pa + 1):
            c = 0.0
            for k in range(i, pa):
                c += cost[k]
            wi[nw] = i
            wc[nw] = c
            wnode[nw] = 0
            nw += 1
        for d in range(1, L + 1):
            if d > 1:
                for q in range(nw):
                    if wnode[q] > 0 and wi[q] + d <= m:
                        self._prefetch(wnode[q], s[wi[q] + d - 1])
            live = 0
            for q in range(nw):
                i = wi[q]
                j = i + d
                top = i + L if i + L < m else m
                if wnode[q] < 0 or j > top:
                    wnode[q] = -1
                    continue
                if j > pa:
                    wc[q] += cost[j - 1]
                if j == i + 2 and not self._starts2(s[i], s[i + 1]):
                    wnode[q] = -1
                    continue
                node = self._step(wnode[q], s[j - 1], &v)
                wnode[q] = node
                if node < 0:
                    continue
                live += 1
                if not isnan(v) and j > pa and v - wc[q] > best:
                    best = v - wc[q]
            if not live:
                break
        for i in range(pa + 1):
            if self.has_names and map_get(&self.surnames, s[i], 0):
                for j in range(i + 2, i + 4):
                    if j <= m and is_han(s[j - 1]):
                        if j > pa:
                            c2 = 0.0
                            for k in range(i, j):
                                c2 += cost[k]
                            if nl - c2 > best:
                                best = nl - c2
                    else:
                        break
        return best

    # -- character n-grams ---------------------------------------------------
    cdef inline double _logp(self, Py_UCS4 a, Py_UCS4 b) noexcept nogil:
        cdef double pb = (<double>map_get(&self.uni, b, 0) + 0.5) * self.inv
        cdef int64_t w = map_get(&self.wi, a, -1)
        if w < 0:
            return log(pb)
        return log(self.w0[w] * <double>map_get(&self.bi, pair(a, b), 0) + self.w1[w] * pb)

    cdef double _bigram_delta(self, int kind, void* data, Py_ssize_t n, Py_ssize_t pos,
                              Py_UCS4 new, Py_UCS4 new_left, bint has_left) noexcept:
        cdef Py_UCS4 old = PyUnicode_READ(kind, data, pos), left = 0, right = 0
        cdef double d = 0.0
        # the four bigram look-ups are independent: ask the memory for their slots first
        if pos > 0:
            left = new_left if has_left else PyUnicode_READ(kind, data, pos - 1)
            map_prefetch(&self.bi, pair(left, new))
            map_prefetch(&self.bi, pair(left, old))
        if pos + 1 < n:
            right = PyUnicode_READ(kind, data, pos + 1)
            map_prefetch(&self.bi, pair(new, right))
            map_prefetch(&self.bi, pair(old, right))
        if pos > 0:
            d += self._logp(left, new) - self._logp(left, old)
        if pos + 1 < n:
            d += self._logp(new, right) - self._logp(old, right)
        return d

    def bigram_delta(self, str text, Py_ssize_t pos, str new_ch, new_left=None):
        """As :meth:`Scorer._bigram_delta`."""
        if not self.has_bigrams:
            return 0.0
        return self._bigram_delta(PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text),
                                  pos, first_char(new_ch),
                                  first_char(new_left) if new_left is not None else 0, new_left is not None)

    def trigram_delta(self, str text, dict subs):
        """As :meth:`Scorer.trigram_delta`."""
        cdef Subs sb
        subs_parse(&sb, subs)
        try:
            return self._trigram_delta(text, &sb)
        finally:
            subs_free(&sb)

    cdef long _trigram_delta(self, str text, Subs* sb) except? -999999:
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t N = PyUnicode_GET_LENGTH(text)
        cdef Py_ssize_t lo = sb.pos[0], hi = sb.pos[sb.k - 1] + 1
        cdef Py_ssize_t a = lo - 2 if lo >= 2 else 0
        cdef Py_ssize_t z = hi + 2 if hi + 2 < N else N
        cdef Py_ssize_t i
        cdef Py_UCS4 sold[16]
        cdef Py_UCS4 snew[16]
        cdef Py_UCS4* old = sold
        cdef Py_UCS4* new = snew
        cdef long d = 0
        if z - a > 16:
            old = <Py_UCS4*>malloc(2 * (z - a) * sizeof(Py_UCS4))
            if old == NULL:
                raise MemoryError()
            new = old + (z - a)
        for i in range(z - a):
            old[i] = new[i] = PyUnicode_READ(kind, data, a + i)
        for i in range(sb.k):
            new[sb.pos[i] - a] = sb.ch[i]
        # the look-ups are independent: ask the memory for all their slots first
        for i in range(z - a - 2):
            map_prefetch(&self.tri, triple(new[i], new[i + 1], new[i + 2]))
            map_prefetch(&self.tri, triple(old[i], old[i + 1], old[i + 2]))
        for i in range(z - a - 2):
            d += (map_get(&self.tri, triple(new[i], new[i + 1], new[i + 2]), 0) != 0) \
                - (map_get(&self.tri, triple(old[i], old[i + 1], old[i + 2]), 0) != 0)
        if old != sold:
            free(old)
        return d

    def context_gain(self, str text, dict subs, double bigram_weight, double trigram_weight):
        """As :meth:`Scorer._context_gain`."""
        cdef Subs sb
        subs_parse(&sb, subs)
        try:
            return self._context_gain(text, &sb, bigram_weight, trigram_weight)
        finally:
            subs_free(&sb)

    cdef double _context_gain(self, str text, Subs* sb, double bigram_weight,
                              double trigram_weight) except? -1.5e300:
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i
        cdef double g = 0.0, bd
        cdef bint has_left
        if self.has_bigrams:
            bd = 0.0
            for i in range(sb.k):
                # the new left neighbour, where it is substituted too
                has_left = i > 0 and sb.pos[i - 1] == sb.pos[i] - 1
                bd += self._bigram_delta(kind, data, n, sb.pos[i], sb.ch[i],
                                         sb.ch[i - 1] if has_left else 0, has_left)
            g = bigram_weight * bd
        if self.has_trigrams and trigram_weight:
            g += trigram_weight * self._trigram_delta(text, sb)
        return g

    def score(self, str text, subs, double bigram_weight, double trigram_weight,
              double margin, double channel, floor):
        """As :meth:`Scorer.score`; ``subs`` may also be a tuple of ``(position,
        char)`` pairs."""
        cdef Subs sb
        cdef double g
        subs_parse(&sb, subs)
        try:
            if self._score(text, &sb, bigram_weight, trigram_weight, margin, channel,
                           floor is not None, 0.0 if floor is None else <double>floor, &g):
                return g
            return None
        finally:
            subs_free(&sb)

    cdef bint _score(self, str text, Subs* sb, double bigram_weight, double trigram_weight,
                     double margin, double channel, bint has_floor, double floor,
                     double* out) except -1:
        """:meth:`score` into ``out``; False where the floor cuts it short."""
        cdef double g = self._context_gain(text, sb, bigram_weight, trigram_weight)
        if margin:
            g -= margin
        if channel:
            g += channel
        if has_floor and sb.k == 1:
            # the table look-ups turn away most before the trie walks are made
            if g + self._quick_bound(PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text),
                                     sb.pos[0], sb.ch[0]) < floor:
                return False
            if g + self._segment_bound(text, sb.pos[0], sb.ch[0]) < floor:
                return False
        out[0] = g + self._segment_gain(text, sb)
        return True

    def judged(self, str text, candidates, singles, bint names, double bigram_weight,
               double trigram_weight, double single_margin, double channel_weight, floor):
        """The scoring loop of :meth:`Scorer.judge` (without a protect list):
        ``[(gain, key, candidate), ...]`` for every distinct substitution of
        ``candidates`` (the one with the most frequent word kept) and then of
        ``singles`` (scored less ``single_margin``), skipping those on a name
        item (with ``names``), those :meth:`allowed` forbids and, with
        ``floor``, those that cannot reach it."""
        cdef dict groups = {}
        cdef set single_keys = set()
        cdef object c, prev
        cdef tuple subs, key, sub
        cdef Py_ssize_t start, i, a, b, n = PyUnicode_GET_LENGTH(text)
        cdef bytearray named = None
        cdef unsigned char* mask = NULL
        cdef list judged = []
        cdef Subs sb
        cdef double g, margin, channel, sim
        cdef bint has_floor = floor is not None
        cdef double fl = 0.0 if floor is None else <double>floor
        for c in candidates:
            subs = <tuple>c[4]
            start = c[0]
            if len(subs) == 1:
                sub = <tuple>subs[0]
                key = ((start + <Py_ssize_t>sub[0], sub[2]),)
            else:
                key = tuple([(start + <Py_ssize_t>(<tuple>sub)[0], (<tuple>sub)[2]) for sub in subs])
            prev = groups.get(key)
            if prev is None or c[5] > prev[5]:
                groups[key] = c
        for c in singles:
            key = ((c[0], c[3]),)
            if key not in groups:
                groups[key] = c
                single_keys.add(key)
        if names:
            named = self._name_mask(text, n)
            if named is not None:
                mask = named
        for key, c in groups.items():
            if mask != NULL and mask[<Py_ssize_t>(<tuple>key[0])[0]]:
                continue
            if not self._allowed(text, key):
                continue
            margin = single_margin if single_keys and key in single_keys else 0.0
            sim = c[7]
            channel = channel_weight * log(sim) if channel_weight and sim > 0 else 0.0
            subs_parse(&sb, key)
            try:
                if self._score(text, &sb, bigram_weight, trigram_weight, margin, channel,
                               has_floor, fl, &g):
                    judged.append((g, key, c))
            finally:
                subs_free(&sb)
        return judged

    def name_items(self, str text):
        """As :meth:`Scorer._name_items`: the spans of the runs of two or three Han
        characters that start with a surname and stand between list marks or brackets
        (``、，,（(）)；;：:`` before, ``、，,（(）)；;`` after, spaces allowed) or a line
        edge."""
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, a, k
        cdef Py_UCS4 c
        cdef list out = []
        while i < n:
            if not is_han(PyUnicode_READ(kind, data, i)):
                i += 1
                continue
            a = i
            while i < n and is_han(PyUnicode_READ(kind, data, i)):
                i += 1
            if not (2 <= i - a <= 3 and map_get(&self.surnames, PyUnicode_READ(kind, data, a), 0)):
                continue
            k = a - 1
            while k >= 0 and is_item_space(PyUnicode_READ(kind, data, k)):
                k -= 1
            if k >= 0:
                c = PyUnicode_READ(kind, data, k)
                if not (c == 0x0A or is_item_mark(c) or c == 0xFF1A or c == 0x3A):  # ：:
                    continue
            k = i
            while k < n and is_item_space(PyUnicode_READ(kind, data, k)):
                k += 1
            if k < n:
                c = PyUnicode_READ(kind, data, k)
                if not (c == 0x0A or is_item_mark(c)):
                    continue
            out.append((a, i))
        return out

    def allowed(self, str text, tuple key):
        """As :meth:`Scorer.allowed`."""
        return self._allowed(text, key)

    cdef bint _allowed(self, str text, tuple key) except -1:
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
        for item in key:
            if not self._allowed1(kind, data, n, item[0], first_char(item[1])):
                return False
        return True

    cdef bytearray _name_mask(self, str text, Py_ssize_t n):
        """A byte per character of ``text``, 1 inside the names :meth:`name_items`
        finds (which are never changed); None where there is none."""
        cdef bytearray named
        cdef unsigned char* mask
        cdef Py_ssize_t a, b, i
        spans = self.name_items(text)
        if not spans:
            return None
        named = bytearray(n)
        mask = named
        for a, b in spans:
            for i in range(a, b):
                mask[i] = 1
        return named

    cdef list _single_proposals(self, int kind, void* data, Py_ssize_t n, double min_bigram):
        """The single look-alikes :meth:`Scorer._single_candidates` proposes for a text
        (``kind``/``data``/``n`` its code points): ``(position, index into the
        look-alike table)`` pairs, in text order."""
        cdef list out = []
        cdef Py_ssize_t p, k, off, cnt
        cdef Py_UCS4 ch, x, left = 0, right = 0
        cdef bint mend_left, mend_right
        cdef int64_t e
        if not (self.has_bigrams and self.has_confusions):
            return out
        for p in range(n):
            ch = PyUnicode_READ(kind, data, p)
            if ch < 0x10000 and not self.bmp[ch] & OBS:
                continue
            e = map_get(&self.obs, ch, -1)
            if e < 0:
                continue
            mend_left = mend_right = False
            if p > 0:
                left = PyUnicode_READ(kind, data, p - 1)
                mend_left = self._cont(left) and self._unseen(left, ch)
            if p + 1 < n:
                right = PyUnicode_READ(kind, data, p + 1)
                mend_right = self._uni(right) and self._unseen(ch, right)
            if not (mend_left or mend_right):
                continue
            off = e >> 32
            cnt = e & 0xFFFFFFFF
            for k in range(off, off + cnt):
                x = self.alt[k]
                if not ((mend_left and not self._unseen(left, x))
                        or (mend_right and not self._unseen(x, right))):
                    continue
                if self._bigram_delta(kind, data, n, p, x, 0, False) >= min_bigram:
                    out.append((p, k))
        return out

    def single_candidates(self, str text, double min_bigram):
        """As :meth:`Scorer._single_candidates`, as ``(position, look-alike,
        similarity)`` triples."""
        cdef Py_ssize_t p, k
        return [(p, self.alt_str[k], self.sim[k])
                for p, k in self._single_proposals(PyUnicode_KIND(text), PyUnicode_DATA(text),
                                                   PyUnicode_GET_LENGTH(text), min_bigram)]

    cdef inline bint _unseen(self, Py_UCS4 a, Py_UCS4 b) noexcept:
        """Whether clean text never shows the pair ``a b``: ``map_get(&self.bi, pair(a, b), -1) < 0``,
        answered from the bitmap where it ranks both characters."""
        cdef uint32_t k
        if seen_key(&self.seen, a, b, &k):
            return not seen_has(&self.seen, k)
        return map_get(&self.bi, pair(a, b), -1) < 0

    # -- judging the matcher's hits --------------------------------------------
    cdef inline bint _cont(self, Py_UCS4 c) noexcept:
        """``map_get(&self.cont, c, 0) != 0``"""
        return (self.bmp[c] & CONT) != 0 if c < 0x10000 else map_get(&self.cont, c, 0) != 0

    cdef inline bint _uni(self, Py_UCS4 c) noexcept:
        """``map_get(&self.uni, c, -1) >= 0``"""
        return (self.bmp[c] & UNI) != 0 if c < 0x10000 else map_get(&self.uni, c, -1) >= 0

    cdef bint _allowed1(self, int kind, void* data, Py_ssize_t n, Py_ssize_t p, Py_UCS4 new) noexcept:
        """:meth:`allowed` of the one substitution ``((p, new),)``."""
        cdef Py_UCS4 old = PyUnicode_READ(kind, data, p), c
        cdef Py_ssize_t q
        cdef bint num
        if not (is_han(old) and is_han(new)):
            return False
        num = self._numeral(old) or self._numeral(new)
        if self._numeral(old) and self._numeral(new):
            return False
        for q in range(p - 1, p + 2, 2):
            if 0 <= q < n:
                c = PyUnicode_READ(kind, data, q)
                if num and (Py_UNICODE_ISDIGIT(c) or self._numeral(c)):
                    return False
                if is_latin(c):
                    return False
        return True

    def single_proposals(self, str text not None, double min_bigram):
        """The single look-alikes :meth:`judged_hits` proposes for ``text`` itself, as it
        takes them (``proposals``): ``(position, index into the look-alike table)``."""
        return self._single_proposals(PyUnicode_KIND(text), PyUnicode_DATA(text),
                                      PyUnicode_GET_LENGTH(text), min_bigram)

    def judged_hits(self, str text, bytes hits not None, Variants v not None, bint singles, bint names,
                    double bigram_weight, double trigram_weight, double single_margin,
                    double channel_weight, floor, double min_bigram, dict sfreq, list proposals=None):
        """:meth:`judged` of the candidates the matcher makes of its automaton's
        ``hits`` (``(pattern, start, end)``, in the automaton's order, packed as
        ``Matcher.hits_packed`` gives them; ``v`` the
        matcher's one-substitution :class:`Variants`) and, with ``singles``, of
        :meth:`single_candidates` (``min_bigram``, their frequencies from ``sfreq``,
        the scorer's lexicon; ``proposals``: those :meth:`single_proposals` gave for
        ``text``, where asked for before): the same ``(gain, key,
        candidate)`` list, with Candidate tuples made only for those kept — and, with a
        ``floor``, without the substitutions whose gain ends below it (``greedy`` stops
        at the first of them: the decisions are the same)."""
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
        cdef Py_ssize_t nh = len(hits) // (3 * sizeof(int64_t))
        cdef Py_ssize_t h, k, s, e, j, p, g, ng = 0, cap
        cdef const int64_t* hp = <const int64_t*>PyBytes_AS_STRING(hits)
        cdef Py_UCS4 ch
        cdef int64_t gi, wf
        cdef uint64_t key
        cdef Map groups
        cdef Group* grp = NULL
        cdef Group* G
        cdef list judged = []
        cdef bytearray named = None
        cdef unsigned char* mask = NULL
        cdef bint has_floor = floor is not None, any_single = False
        cdef double fl = 0.0 if floor is None else <double>floor, gain, margin, channel, sim
        cdef Subs sb
        cdef Py_ssize_t a, b
        cdef Py_UCS4 x
        cdef object word, observed, wch
        map_init(&groups, nh + 16)
        cap = nh + 16
        grp = <Group*>malloc(cap * sizeof(Group))
        cdef Py_ssize_t* hk = <Py_ssize_t*>malloc((3 * nh + 1) * sizeof(Py_ssize_t))
        if grp == NULL or hk == NULL:
            free(grp)
            free(hk)
            map_free(&groups)
            raise MemoryError()
        try:
            # the hits as C numbers; the variant table is read at random, a
            # pattern's entries and then their words' frequencies: ask the memory for
            # each level of all hits first
            for h in range(3 * nh):
                hk[h] = hp[h]
            for h in range(nh):
                __builtin_prefetch(&v.first[hk[3 * h]])
            for h in range(nh):
                j = v.first[hk[3 * h]]
                __builtin_prefetch(&v.word_id[j])
                __builtin_prefetch(&v.code[j])
                __builtin_prefetch(&v.newch[j])
            for h in range(nh):
                __builtin_prefetch(&v.wfreq[v.word_id[v.first[hk[3 * h]]]])
            # the matcher's candidates, grouped by substitution (the most frequent word kept)
            for h in range(nh):
                k = hk[3 * h]
                s = hk[3 * h + 1]
                e = hk[3 * h + 2]
                for j in range(v.first[k], v.first[k + 1]):
                    p = (v.code[j] & 15) - 1
                    ch = v.newch[j]
                    key = (<uint64_t>(s + p) << 21) | <uint64_t>ch
                    wf = v.wfreq[v.word_id[j]]
                    gi = map_get(&groups, key, -1)
                    if gi < 0:
                        map_put(&groups, key, ng)
                        G = new_group(&grp, &ng, &cap)
                        G.pos = s + p
                        G.ch = ch
                        G.start = s
                        G.end = e
                        G.target = j
                        G.wfreq = wf
                        G.single = False
                        G.sim = v.sim[j]
                    elif wf > grp[gi].wfreq:
                        G = &grp[gi]
                        G.start = s
                        G.end = e
                        G.target = j
                        G.wfreq = wf
                        G.sim = v.sim[j]
            # the single characters the scorer proposes itself
            if singles:
                if proposals is None:
                    proposals = self._single_proposals(kind, data, n, min_bigram)
                for p, j in proposals:
                    x = self.alt[j]
                    key = (<uint64_t>p << 21) | <uint64_t>x
                    if map_get(&groups, key, -1) >= 0:
                        continue
                    map_put(&groups, key, ng)
                    G = new_group(&grp, &ng, &cap)
                    G.pos = p
                    G.ch = x
                    G.start = p
                    G.end = p + 1
                    G.target = j
                    G.wfreq = 0
                    G.single = True
                    G.sim = self.sim[j]
                    any_single = True
            if names:
                named = self._name_mask(text, n)
                if named is not None:
                    mask = named
            sb.k = 1
            sb.pos = sb.spos
            sb.ch = sb.sch
            for g in range(ng):
                G = &grp[g]
                if mask != NULL and mask[G.pos]:
                    continue
                if not self._allowed1(kind, data, n, G.pos, G.ch):
                    continue
                margin = single_margin if any_single and G.single else 0.0
                sim = G.sim
                channel = channel_weight * log(sim) if channel_weight and sim > 0 else 0.0
                sb.spos[0] = G.pos
                sb.sch[0] = G.ch
                if not self._score(text, &sb, bigram_weight, trigram_weight, margin, channel,
                                   has_floor, fl, &gain):
                    continue
                if has_floor and gain < fl:
                    continue  # below the floor: never chosen, and it blocks no other
                if G.single:
                    observed = text[G.pos : G.pos + 1]
                    wch = self.alt_str[G.target]
                    c = v.make((G.pos, G.pos + 1, observed, wch, ((0, observed, wch),),
                                sfreq.get(wch, 0), sfreq.get(observed, 0), sim))
                else:
                    word = v.words[v.word_id[G.target]]
                    observed = text[G.start : G.end]
                    p = G.pos - G.start
                    wch = word[p]
                    # (the word's frequency is the one its entry was grouped by: no
                    # look-up in the lexicon's dict, a cache miss or two a candidate)
                    c = v.make((G.start, G.end, observed, word, ((p, observed[p], wch),),
                                G.wfreq, v.freq.get(observed, 0), sim))
                judged.append((gain, ((G.pos, wch),), c))
        finally:
            free(grp)
            free(hk)
            map_free(&groups)
        return judged

    def greedy(self, str text, list judged, double threshold, double scale, bint keep_rejected, make):
        """:meth:`Scorer._greedy`: the decisions of the scored ``(gain, key, candidate)``
        list (sorted in place, best gain first; ``make`` makes a Decision of its
        fields).  A substitution on or next to a character taken already loses; below
        ``threshold`` the rest are rejected (unless ``keep_rejected``); each decision's
        confidence is the logistic of ``(gain - threshold) / scale``, clipped to ±50."""
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), p, lo, hi, i
        cdef bytearray taken_arr
        cdef unsigned char* taken
        cdef list out = [], new, notes
        cdef tuple t, key, item
        cdef double g, x, m
        cdef bint clash
        if not judged:
            return out
        judged.sort(key=_neg_gain)
        taken_arr = bytearray(n + 2)  # taken[p + 1]: position p is changed
        taken = taken_arr
        for t in judged:
            g = t[0]
            key = <tuple>t[1]
            if g < threshold and not keep_rejected:
                break
            clash = False
            for item in key:
                p = item[0]
                if taken[p] or taken[p + 1] or taken[p + 2]:
                    clash = True
                    break
            if clash:
                continue
            for item in key:
                taken[<Py_ssize_t>item[0] + 1] = 1
            lo = (<tuple>key[0])[0]
            hi = (<tuple>key[len(key) - 1])[0] + 1
            c = t[2]
            if len(key) == 1:
                ch = (<tuple>key[0])[1]
                note = text[lo] + "\u2192" + ch + " (" + c[3] + ")"
                rep = ch
            else:
                new = list(text[lo:hi])
                notes = []
                for item in key:
                    p = item[0]
                    new[p - lo] = item[1]
                    notes.append(text[p] + "\u2192" + item[1])
                note = ", ".join(notes) + " (" + c[3] + ")"
                rep = "".join(new)
            # Scorer.confidence: max(-50.0, min(50.0, x)), then the logistic
            x = (g - threshold) / scale
            m = 50.0
            if x < m:
                m = x
            x = -50.0
            if m > x:
                x = m
            out.append(make((lo, hi, rep, 1.0 / (1.0 + exp(-x)), g, note, c)))
        out.sort(key=_start)
        return out
