# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twins of the stage scans: the same results as their pure-Python
definitions, which stay the reference (``tests/test_core.py`` compares them).

* :func:`doubled_starts` — :func:`textfix.rules.repeat._starts_py`, where a doubled
  unit can start; :func:`doubled_matches` — :func:`textfix.rules.repeat._matches_py`,
  the doubled units found there;
* :class:`JoinCounts` — :func:`textfix.rules.garbled._bounds_py`, the running
  counts of rare lone characters and unseen character pairs;
* :class:`Segmenter` — :func:`textfix.rules.garbled._segment_py` and
  :func:`~textfix.rules.garbled._suspicious_joins_py`, the lexicon's most probable
  cut of a Han run and the places in it that look garbled;
* :class:`Unreadable` — :func:`textfix.rules.garbled._unreadable_spans_py`, the
  unreadable regions of a block (its Han runs, their bounds, the windows over them);
* :class:`HalfwidthScan` — :func:`textfix.rules.punct._halfwidth_py`, the half-width
  marks of Chinese text and their full-width edits;
* :func:`fullwidth_edits` — :func:`textfix.rules.width._fullwidth_py`, the runs of
  full-width letters and digits and their ASCII forms;
* :func:`class_runs` and :func:`class_find` — the matches of a character class's
  pattern (:class:`textfix.chars.CharClass`), for the ``stray`` and ``unicode`` rules;
  :func:`line_heads`, the lines ``stray.misread-bullet``'s pattern can match;
* :func:`dash_spans` and :func:`ellipsis_spans` — the matches of ``punct``'s dash and
  ellipsis patterns;
* :func:`block_spans` — :meth:`textfix.rule.Doc._spans`, the blocks of a text, for
  ``stray.noise-line``;
* :func:`lone_letters` — the matches of ``stray.latin-in-han``'s pattern of a lone
  Latin letter;
* :func:`repeated_lines` — :func:`textfix.rules.repeat._repeated_lines_py`, the lines
  that repeat the line before them;
* :class:`WordSet` — ``word in`` the lexicon's dict, for the repeat and stray rules.
"""

from libc.math cimport isnan, NAN
from libc.stdint cimport uint64_t, uint32_t, int64_t, int32_t, uint16_t, uint8_t
from libc.stdlib cimport malloc, calloc, realloc, free, qsort
from libc.string cimport memcmp


include "../_hashmap.pxi"


cdef inline bint is_gap(Py_UCS4 c) noexcept nogil:
    return c == 0x20 or c == 0x09 or c == 0x3000 or c == 0x0A


# The last offset of each character of the Basic Multilingual Plane in the packed text
# of the current call, in the low 32 bits, valid where the high 32 bits hold the call's
# stamp (one word: one memory access per character): scratch for doubled_starts,
# which runs with the GIL held throughout.
cdef uint64_t _last_bmp[0x10000]
cdef uint32_t _stamp = 0


def doubled_starts(str text, Py_ssize_t max_unit):
    """As :func:`textfix.rules.repeat._starts_py` (with ``MAX_UNIT`` = ``max_unit``):
    the offsets where a doubled unit may start, in order.

    A pair's last occurrence is found through the characters' own: each character
    links to the last occurrence of the same character (a direct table for the
    Basic Multilingual Plane), and the chain is walked back while it is within
    ``max_unit``, to the first place where the next character is the pair's too.
    (It is the pure definition's last occurrence of the pair whenever that is close
    enough to count.)"""
    global _stamp
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), m = 0, i, p, q
    cdef Py_UCS4 c
    cdef list hits = []
    if n < 2:
        return hits
    cdef Py_UCS4* packed = <Py_UCS4*>malloc(n * sizeof(Py_UCS4))
    cdef Py_ssize_t* pos = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    cdef Py_ssize_t* nxt = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    cdef Py_ssize_t* same = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    cdef uint64_t last_c
    cdef Map last
    last.keys = NULL
    last.vals = NULL
    try:
        if packed == NULL or pos == NULL or nxt == NULL or same == NULL:
            raise MemoryError()
        _stamp += 1
        if _stamp == 0:  # wrapped round: no stamp may look current
            for i in range(0x10000):
                _last_bmp[i] = 0
            _stamp = 1
        map_init(&last, 16)  # the characters beyond the BMP
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if not is_gap(c):
                packed[m] = c
                pos[m] = i
                nxt[m] = -1
                # the last occurrence of the same character
                if c < 0x10000:
                    last_c = _last_bmp[c]
                    same[m] = <int32_t><uint32_t>last_c if <uint32_t>(last_c >> 32) == _stamp else -1
                    _last_bmp[c] = (<uint64_t>_stamp << 32) | <uint64_t>m
                else:
                    same[m] = map_get(&last, c, -1)
                    map_put(&last, c, m)
                m += 1
        # each pair's next occurrence, where it is close enough
        for i in range(m - 1):
            p = same[i]
            while p >= 0 and i - p <= max_unit:
                if packed[p + 1] == packed[i + 1]:
                    nxt[p] = i
                    break
                p = same[p]
        for p in range(m):
            q = nxt[p]
            while q >= 0:
                if 2 * q - p <= m and memcmp(packed + p, packed + q, (q - p) * sizeof(Py_UCS4)) == 0:
                    hits.append(pos[p])
                    break
                q = nxt[q]
                if q < 0 or q - p > max_unit:
                    break
    finally:
        free(packed)
        free(pos)
        free(nxt)
        free(same)
        map_free(&last)
    return hits


cdef enum:
    PREFETCH = 12  # how many pairs ahead a scan asks for the slot of a pair


cdef class JoinCounts:
    """The tables :func:`textfix.rules.garbled._bounds_py` reads: the rare lone
    characters and which character pairs are unseen joins.

    Every character pair of a page is asked about, and the bigram map is larger than
    the processor's second-level cache: the look-ups wait on memory.  So the pairs of
    the model's most frequent characters of the Basic Multilingual Plane (nearly all
    of a page's pairs) are answered from compact tables instead: the bitmap of seen
    pairs by frequency rank (:c:type:`SeenPairs`, ``_hashmap.pxi``, as the scorer's
    core asks it) and the unigram counts by rank.  The unigram test comes first (it
    needs no look-up in the bitmap).  Other pairs are asked of the maps, as before;
    both give the same answer, ``bi[a][b] == 0 and uni[a] * uni[b] >= floor``."""

    cdef Map rare, bi, uni
    cdef double floor  # EXPECTED * total
    cdef SeenPairs seen  # the ranked pairs with a bigram count
    cdef int64_t* count  # rank -> unigram count
    cdef uint8_t* rare_bmp  # bit c & 7 of byte c >> 3: BMP code point c is rare

    def __cinit__(self):
        self.rare.keys = self.rare.vals = NULL
        self.bi.keys = self.bi.vals = NULL
        self.uni.keys = self.uni.vals = NULL
        seen_clear(&self.seen)
        self.count = NULL
        self.rare_bmp = NULL

    def __init__(self, rare, dict bi, dict uni, int64_t total, double expected):
        """``rare`` a set of characters; ``bi``, ``uni`` and ``total`` as
        :class:`textfix.rules.garbled.Bigrams` holds them; ``expected`` its
        ``EXPECTED``."""
        cdef Py_UCS4 c0, c1
        cdef uint32_t i
        map_init(&self.rare, len(rare))
        self.rare_bmp = <uint8_t*>calloc(0x10000 // 8, 1)
        if self.rare_bmp == NULL:
            raise MemoryError()
        for c in rare:
            if len(c) == 1:
                c0 = first_char(c)
                map_put(&self.rare, c0, 1)
                if c0 < 0x10000:
                    self.rare_bmp[<uint32_t>c0 >> 3] |= 1 << (<uint32_t>c0 & 7)
        map_init(&self.uni, len(uni))
        for c, k in uni.items():
            if len(c) == 1:
                map_put(&self.uni, first_char(c), k)
        map_init(&self.bi, sum(len(v) for v in bi.values()))
        for a, follow in bi.items():
            if len(a) != 1:
                continue
            for b, k in follow.items():
                if len(b) == 1:
                    map_put(&self.bi, pair(first_char(a), first_char(b)), k)
        self.floor = expected * total
        # the compact tables: the most frequent characters' ranks, counts and seen pairs
        seen_rank(&self.seen, uni)
        self.count = <int64_t*>malloc((self.seen.nrank + 1) * sizeof(int64_t))
        if self.count == NULL:
            raise MemoryError()
        for c0 in range(0x10000):
            i = self.seen.rank[c0]
            if i != NO_RANK:
                self.count[i] = map_get(&self.uni, c0, 0)
        for a, follow in bi.items():
            if len(a) != 1:
                continue
            c0 = first_char(a)
            for b, k in follow.items():
                if len(b) != 1:
                    continue
                c1 = first_char(b)
                if map_get(&self.bi, pair(c0, c1), 0) != 0:  # as the map holds it
                    seen_add(&self.seen, c0, c1)

    def __dealloc__(self):
        map_free(&self.rare)
        map_free(&self.bi)
        map_free(&self.uni)
        seen_free(&self.seen)
        free(self.count)
        free(self.rare_bmp)

    cdef inline bint _rare(self, Py_UCS4 c) noexcept nogil:
        cdef uint32_t u = <uint32_t>c
        if u < 0x10000:
            return (self.rare_bmp[u >> 3] >> (u & 7)) & 1
        return map_get(&self.rare, c, 0) != 0

    cdef inline int _pair_key(self, Py_UCS4 a, Py_UCS4 b, uint32_t* key) noexcept nogil:
        """How the pair ``a b`` is decided: 0 it is no unseen join (a unigram count too
        small), 1 it is one unless bit ``key`` of the seen pairs is set, 2 the maps
        decide (a character beyond the compact tables)."""
        if not seen_key(&self.seen, a, b, key):
            return 2
        if not (<double>(self.count[self.seen.rank[a]] * self.count[self.seen.rank[b]]) >= self.floor):
            return 0
        return 1

    cdef bint _unseen_maps(self, Py_UCS4 a, Py_UCS4 b) noexcept nogil:
        if map_get(&self.bi, pair(a, b), 0) != 0:
            return False
        return <double>(map_get(&self.uni, a, 0) * map_get(&self.uni, b, 0)) >= self.floor

    cdef inline bint _unseen(self, Py_UCS4 a, Py_UCS4 b) noexcept nogil:
        """Is ``a b`` a join that clean news text never shows, though chance alone would
        give it ``expected`` times?"""
        cdef uint32_t key
        cdef int how = self._pair_key(a, b, &key)
        if how == 1:
            return not seen_has(&self.seen, key)
        if how == 0:
            return False
        return self._unseen_maps(a, b)

    cdef inline void _prefetch(self, Py_UCS4 a, Py_UCS4 b) noexcept nogil:
        """Ask the memory for the byte where :meth:`_unseen` will look ``a b`` up (a
        scan asks some pairs ahead: the look-ups then wait far less)."""
        cdef uint32_t key
        if self._pair_key(a, b, &key) == 1:
            __builtin_prefetch(&self.seen.bits[key >> 3])

    def bounds(self, str packed):
        """As ``_bounds_py(packed, rare, bigrams)``: ``(chars, pairs)``."""
        cdef int kind = PyUnicode_KIND(packed)
        cdef void* data = PyUnicode_DATA(packed)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(packed), i
        cdef Py_ssize_t cr = 0, cp = 0
        cdef Py_UCS4 a, b
        cdef list chars = [0], pairs = [0]
        for i in range(n):
            a = PyUnicode_READ(kind, data, i)
            cr += self._rare(a)
            chars.append(cr)
            if i + 1 < n:
                b = PyUnicode_READ(kind, data, i + 1)
                cp += self._unseen(a, b)
                pairs.append(cp)
        return chars, pairs


# -- the segmenter ----------------------------------------------------------------

cdef extern from *:
    """
    #define TF_SEG_NEG (-1e18)
    """
    double SEG_NEG "TF_SEG_NEG"

cdef enum:
    SEG_MAX = 8  # the deepest trie the build handles (MAX_WORD up to it)


cdef struct Entry:
    # a lexicon word cut to its first max_word characters, for sorting
    Py_UCS4 cp[SEG_MAX]
    int32_t len  # characters kept
    int32_t word  # the whole word was kept: its value belongs to the node
    double lf  # log(frequency or 0.5)


cdef int entry_cmp(const void* x, const void* y) noexcept nogil:
    cdef const Entry* a = <const Entry*>x
    cdef const Entry* b = <const Entry*>y
    cdef int32_t i, n = a.len if a.len < b.len else b.len
    for i in range(n):
        if a.cp[i] != b.cp[i]:
            return -1 if a.cp[i] < b.cp[i] else 1
    if a.len != b.len:
        return -1 if a.len < b.len else 1
    return b.word - a.word  # the kept word first (its twin cut from a longer word after)


cdef class Segmenter:
    """The lexicon as a trie of its words' first ``max_word`` characters, for
    :func:`textfix.rules.garbled._segment_py` (:meth:`segment`) and
    :func:`~textfix.rules.garbled._suspicious_joins_py` (:meth:`joins`).

    Nodes are numbered level by level, the children of each node contiguous and sorted
    by code point (``first[node]`` to ``first[node + 1]``; the root's children in the
    Basic Multilingual Plane also in a direct table): a look-up of longer words goes on
    exactly while the characters read so far start a lexicon word, as the pure
    definition's stems decide.  Each word's node holds ``log(frequency or 0.5)``,
    computed by Python's ``math.log`` when the trie is built, so that the sums over a
    cut are made of the same numbers in the same order."""

    cdef Py_UCS4* ch  # the character leading to each node
    cdef double* value  # log(frequency or 0.5) of the word ending at a node; NaN: a prefix only
    cdef int32_t* first  # node -> its first child; nodes + 1 entries
    cdef int32_t* root  # the root's children for the Basic Multilingual Plane, -1: none
    cdef readonly Py_ssize_t nodes
    cdef readonly int max_word
    cdef double log_total, log_half
    cdef Map surnames
    # scratch, grown as needed
    cdef double* best
    cdef int32_t* back
    cdef int32_t* lens
    cdef Py_ssize_t cap

    def __cinit__(self):
        self.ch = NULL
        self.value = NULL
        self.first = NULL
        self.root = NULL
        self.best = NULL
        self.back = NULL
        self.lens = NULL
        self.cap = 0
        self.surnames.keys = NULL
        self.surnames.vals = NULL

    def __init__(self, dict freq, double log_total, int max_word, surnames=()):
        """``freq`` and ``log_total`` (``math.log(total)``) of a
        :class:`textfix.fuzzy.Lexicon`, ``max_word`` the segmenter's ``MAX_WORD``
        (at most 8), ``surnames`` one-character surnames (``SURNAMES``).  Raises as
        ``math.log`` does for a frequency it refuses."""
        import math

        pylog = math.log
        if not 1 <= max_word <= SEG_MAX:
            raise ValueError(f"max_word must be 1 to {SEG_MAX}")
        self.max_word = max_word
        self.log_total = log_total
        self.log_half = pylog(0.5)
        map_init(&self.surnames, len(surnames))
        for s in surnames:
            if len(s) == 1:
                map_put(&self.surnames, first_char(s), 1)
        cdef Py_ssize_t n = 0, i, k, m, d, lcp
        cdef Py_ssize_t cnt[SEG_MAX + 1]
        cdef Py_ssize_t off[SEG_MAX + 1]
        cdef Py_ssize_t cur[SEG_MAX + 1]
        cdef Entry* ents = <Entry*>malloc((len(freq) + 1) * sizeof(Entry))
        cdef Entry* e
        cdef Entry* prev
        cdef int32_t* parent = NULL
        if ents == NULL:
            raise MemoryError()
        try:
            for w, f in freq.items():
                if not isinstance(w, str):
                    raise TypeError(f"a lexicon word must be a str, not {type(w).__name__}")
                m = len(w)
                if m == 0:
                    continue
                e = &ents[n]
                e.len = m if m < max_word else max_word
                e.word = m <= max_word
                e.lf = pylog(f or 0.5) if m <= max_word else NAN
                if isnan(e.lf) and m <= max_word:  # Python would never choose the word
                    raise ValueError(f"frequency {f!r} of {w!r} is not a number")
                for i in range(e.len):
                    e.cp[i] = char_at(w, i)
                n += 1
            qsort(ents, n, sizeof(Entry), entry_cmp)
            # nodes per level: a word adds those of its prefixes the word before lacks
            for d in range(SEG_MAX + 1):
                cnt[d] = 0
            cnt[0] = 1
            for k in range(n):
                lcp = self._lcp(ents, k)
                for d in range(lcp + 1, ents[k].len + 1):
                    cnt[d] += 1
            off[0] = 0
            for d in range(1, SEG_MAX + 1):
                off[d] = off[d - 1] + cnt[d - 1]
            self.nodes = off[SEG_MAX] + cnt[SEG_MAX]
            if self.nodes >= 0x7FFFFFFF:
                raise MemoryError("lexicon too large for the segmenter")
            self.ch = <Py_UCS4*>malloc(self.nodes * sizeof(Py_UCS4))
            self.value = <double*>malloc(self.nodes * sizeof(double))
            self.first = <int32_t*>malloc((self.nodes + 1) * sizeof(int32_t))
            parent = <int32_t*>malloc(self.nodes * sizeof(int32_t))
            self.root = <int32_t*>malloc(0x10000 * sizeof(int32_t))
            if self.ch == NULL or self.value == NULL or self.first == NULL or parent == NULL or self.root == NULL:
                raise MemoryError()
            # level by level in sorted order: each level's nodes grouped by parent
            for d in range(SEG_MAX + 1):
                cnt[d] = 0
            self.ch[0] = 0
            self.value[0] = NAN
            parent[0] = -1
            cur[0] = 0
            cnt[0] = 1
            for k in range(n):
                e = &ents[k]
                lcp = self._lcp(ents, k)
                for d in range(lcp + 1, e.len + 1):
                    i = off[d] + cnt[d]
                    cnt[d] += 1
                    self.ch[i] = e.cp[d - 1]
                    self.value[i] = NAN
                    parent[i] = <int32_t>cur[d - 1]
                    cur[d] = i
                if e.word:
                    self.value[cur[e.len]] = e.lf
            # children of node p: from first[p] to first[p + 1] (parents in node order)
            for i in range(self.nodes + 1):
                self.first[i] = 0
            for i in range(1, self.nodes):
                self.first[parent[i] + 1] += 1
            self.first[0] = 1
            for i in range(1, self.nodes + 1):
                self.first[i] += self.first[i - 1]
            for i in range(0x10000):
                self.root[i] = -1
            for i in range(self.first[0], self.first[1]):
                if self.ch[i] < 0x10000:
                    self.root[self.ch[i]] = <int32_t>i
        finally:
            free(ents)
            free(parent)

    cdef Py_ssize_t _lcp(self, Entry* ents, Py_ssize_t k) noexcept nogil:
        """How many leading characters ``ents[k]`` shares with the word before it."""
        if k == 0:
            return 0
        cdef Entry* a = &ents[k - 1]
        cdef Entry* b = &ents[k]
        cdef Py_ssize_t i = 0, n = a.len if a.len < b.len else b.len
        while i < n and a.cp[i] == b.cp[i]:
            i += 1
        return i

    def __dealloc__(self):
        free(self.ch)
        free(self.value)
        free(self.first)
        free(self.root)
        free(self.best)
        free(self.back)
        free(self.lens)
        map_free(&self.surnames)

    def memory(self):
        """Bytes of C memory the trie holds (scratch buffers excluded)."""
        return (self.nodes * (sizeof(Py_UCS4) + sizeof(double) + sizeof(int32_t)) + sizeof(int32_t)
                + 0x10000 * sizeof(int32_t) + (self.surnames.mask + 1) * 16)

    cdef inline int32_t _child(self, int32_t node, Py_UCS4 c) noexcept nogil:
        if node == 0 and c < 0x10000:
            return self.root[c]
        cdef int32_t lo = self.first[node], hi = self.first[node + 1], mid
        while lo < hi:
            mid = (lo + hi) >> 1
            if self.ch[mid] < c:
                lo = mid + 1
            else:
                hi = mid
        if lo < self.first[node + 1] and self.ch[lo] == c:
            return lo
        return -1

    cdef int _reserve(self, Py_ssize_t n) except -1:
        if n + 1 <= self.cap:
            return 0
        cdef Py_ssize_t cap = max(2 * self.cap, n + 64)
        cdef double* best = <double*>realloc(self.best, cap * sizeof(double))
        if best == NULL:
            raise MemoryError()
        self.best = best
        cdef int32_t* back = <int32_t*>realloc(self.back, cap * sizeof(int32_t))
        if back == NULL:
            raise MemoryError()
        self.back = back
        cdef int32_t* lens = <int32_t*>realloc(self.lens, cap * sizeof(int32_t))
        if lens == NULL:
            raise MemoryError()
        self.lens = lens
        self.cap = cap
        return 0

    cdef Py_ssize_t _cut(self, str run) except -1:  # run is not None
        """The Viterbi cut of ``run`` as ``_segment_py`` makes it: the lengths of its
        words in order in ``lens``.  Returns how many words."""
        cdef int kind = PyUnicode_KIND(run)
        cdef void* data = PyUnicode_DATA(run)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(run), s, e, last
        self._reserve(n)
        cdef double* best = self.best
        cdef int32_t* back = self.back
        cdef double b, v, lf, log_total = self.log_total
        cdef int32_t node
        best[0] = 0.0
        back[0] = 1
        for s in range(1, n + 1):
            best[s] = SEG_NEG
            back[s] = 1
        for s in range(n):
            b = best[s]
            # a later start wins a tie (>=): on a tie the shorter last word wins
            node = self._child(0, PyUnicode_READ(kind, data, s))
            lf = self.value[node] if node >= 0 else NAN
            if isnan(lf):
                lf = self.log_half
            v = b + lf - log_total
            if v >= best[s + 1]:
                best[s + 1] = v
                back[s + 1] = 1
            e = s + 2
            last = s + self.max_word
            if last > n:
                last = n
            while e <= last and node >= 0:
                node = self._child(node, PyUnicode_READ(kind, data, e - 1))
                if node < 0:
                    break
                lf = self.value[node]
                if not isnan(lf):
                    v = b + lf - log_total
                    if v >= best[e]:
                        best[e] = v
                        back[e] = <int32_t>(e - s)
                e += 1
        # the word lengths, last first, then in order
        cdef int32_t* lens = self.lens
        cdef Py_ssize_t i = n, k = 0, j
        cdef int32_t t
        while i > 0:
            lens[k] = back[i]
            i -= back[i]
            k += 1
        for j in range(k // 2):
            t = lens[j]
            lens[j] = lens[k - 1 - j]
            lens[k - 1 - j] = t
        return k

    def segment(self, str run not None):
        """As ``_segment_py(run, lex)``: the most probable cut of ``run`` into words."""
        cdef Py_ssize_t k = self._cut(run), j, p = 0
        cdef list words = []
        for j in range(k):
            words.append(run[p : p + self.lens[j]])
            p += self.lens[j]
        return words

    def joins(self, str run not None, JoinCounts counts not None):
        """As ``_suspicious_joins_py(run, lex, bi)``, with ``counts`` the
        :class:`JoinCounts` of the lexicon's rare characters and ``bi``."""
        cdef int kind = PyUnicode_KIND(run)
        cdef void* data = PyUnicode_DATA(run)
        cdef Py_ssize_t m = self._cut(run), k, pos = 0, skip = 0, bad = 0
        cdef int32_t* lens = self.lens  # the word lengths in order
        cdef Py_UCS4 c
        for k in range(m):
            if skip:
                skip -= 1
            elif (lens[k] == 1 and k < m - 1 and lens[k + 1] == 1
                    and map_get(&self.surnames, PyUnicode_READ(kind, data, pos), 0) != 0):
                skip = 2 if k + 1 < m - 1 and lens[k + 2] == 1 else 1
            else:
                c = PyUnicode_READ(kind, data, pos)
                if lens[k] == 1 and counts._rare(c):
                    bad += 1
                if pos > 0 and counts._unseen(PyUnicode_READ(kind, data, pos - 1), c):
                    bad += 1
            pos += lens[k]
        return bad


# -- the unreadable regions ---------------------------------------------------------

cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)


cdef inline bint is_wrap_space(Py_UCS4 c) noexcept nogil:
    return c == 0x20 or c == 0x09 or c == 0x3000


cdef struct Run:
    Py_ssize_t start, end  # offsets of the run in the text (from its first to past its last Han character)
    Py_ssize_t packed  # offset of its Han characters in the packed buffer
    Py_ssize_t han  # how many Han characters
    Py_ssize_t bound  # the bound of its suspicious joins (0 for a short run)
    Py_ssize_t score  # the bound, or the joins once segmented
    bint exact


cdef class Unreadable:
    """:func:`textfix.rules.garbled._unreadable_spans_py` over a :class:`JoinCounts`
    and a :class:`Segmenter`: the Han runs found by a table of the characters that
    ``regex`` takes as ``\\p{Han}``, their bounds, the windows and the runs segmented
    while a window could still reach the threshold, in the same order."""

    cdef JoinCounts counts
    cdef Segmenter seg
    cdef bytes han_bits
    cdef const unsigned char* han
    cdef Py_ssize_t min_run, min_han
    cdef double threshold
    # scratch, grown as needed
    cdef Run* runs
    cdef Py_UCS4* packed
    cdef Py_ssize_t cap_runs, cap_packed

    def __cinit__(self):
        self.runs = NULL
        self.packed = NULL
        self.cap_runs = self.cap_packed = 0

    def __init__(self, JoinCounts counts not None, Segmenter seg not None, bytes han_bits not None,
                 Py_ssize_t min_run, Py_ssize_t min_han, double threshold):
        """``han_bits``: bit ``c & 7`` of byte ``c >> 3`` is set where code point ``c``
        is a Han character (0x110000 bits); ``min_run``, ``min_han`` and ``threshold``
        the stage's ``MIN_RUN``, ``MIN_HAN`` and ``THRESHOLD``."""
        if len(han_bits) != 0x110000 // 8:
            raise ValueError("han_bits must hold 0x110000 bits")
        if min_han < 1:
            raise ValueError("min_han must be at least 1")
        self.counts = counts
        self.seg = seg
        self.han_bits = han_bits
        self.han = han_bits
        self.min_run = min_run
        self.min_han = min_han
        self.threshold = threshold

    def __dealloc__(self):
        free(self.runs)
        free(self.packed)

    cdef inline bint _is_han(self, Py_UCS4 c) noexcept nogil:
        cdef uint32_t u = <uint32_t>c
        return (self.han[u >> 3] >> (u & 7)) & 1

    cdef int _grow(self, Py_ssize_t runs, Py_ssize_t packed) except -1:
        cdef Py_ssize_t cap
        if runs > self.cap_runs:
            cap = max(2 * self.cap_runs, runs + 64)
            r = <Run*>realloc(self.runs, cap * sizeof(Run))
            if r == NULL:
                raise MemoryError()
            self.runs = <Run*>r
            self.cap_runs = cap
        if packed > self.cap_packed:
            cap = max(2 * self.cap_packed, packed + 256)
            p = <Py_UCS4*>realloc(self.packed, cap * sizeof(Py_UCS4))
            if p == NULL:
                raise MemoryError()
            self.packed = <Py_UCS4*>p
            self.cap_packed = cap
        return 0

    def spans(self, str text not None, Py_ssize_t start=0, end=None):
        """As ``_unreadable_spans_py(text, lex, bi, start, end)``: ``[(start, end,
        score), ...]``."""
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
        cdef Py_ssize_t stop = n if end is None else <Py_ssize_t>end
        cdef Py_ssize_t i, j, k, q, last, m = 0, nr = 0, han, bad, best, total
        cdef Py_UCS4 c
        cdef Run* r
        cdef double score
        if start < 0:
            start = 0
        if stop > n:
            stop = n
        if start >= stop:
            return []
        self._grow(16, stop - start)
        # the runs: Han characters, wrap spaces between two of them kept in the run
        i = start
        while i < stop:
            c = PyUnicode_READ(kind, data, i)
            if not self._is_han(c):
                i += 1
                continue
            if nr == self.cap_runs:
                self._grow(nr + 1, 0)
            r = &self.runs[nr]
            r.start = i
            r.packed = m
            while True:
                self.packed[m] = c
                m += 1
                last = i
                i += 1
                if i < stop:
                    c = PyUnicode_READ(kind, data, i)
                    if self._is_han(c):
                        continue
                    if is_wrap_space(c):
                        j = i + 1
                        while j < stop and is_wrap_space(PyUnicode_READ(kind, data, j)):
                            j += 1
                        if j < stop and self._is_han(PyUnicode_READ(kind, data, j)):
                            i = j
                            c = PyUnicode_READ(kind, data, i)
                            continue
                break
            r.end = last + 1
            r.han = m - r.packed
            nr += 1
        if nr == 0:
            return []
        # the bounds that need no segmenting
        cdef JoinCounts counts = self.counts
        for k in range(nr):
            r = &self.runs[k]
            bad = 0
            if r.han >= self.min_run:
                for q in range(r.packed, r.packed + r.han):
                    if q + PREFETCH + 1 < m:
                        counts._prefetch(self.packed[q + PREFETCH], self.packed[q + PREFETCH + 1])
                    bad += counts._rare(self.packed[q])
                    if q + 1 < r.packed + r.han:
                        bad += counts._unseen(self.packed[q], self.packed[q + 1])
            r.bound = r.score = bad
            r.exact = r.han < self.min_run
        # the shortest window from each run with min_han Han characters (its bad count
        # from the bounds, as they were before any run was segmented)
        cdef list regions = []
        cdef list prev
        k = 0
        han = bad = 0
        for i in range(nr):
            while k < nr and han < self.min_han:
                han += self.runs[k].han
                bad += self.runs[k].bound
                k += 1
            if han >= self.min_han and not (<double>bad / <double>han < self.threshold):
                while True:
                    total = 0
                    best = -1
                    for j in range(i, k):
                        total += self.runs[j].score
                        if not self.runs[j].exact and (best < 0 or self.runs[j].score > self.runs[best].score):
                            best = j
                    score = <double>total / <double>han
                    if best < 0 or score < self.threshold:
                        break
                    r = &self.runs[best]
                    r.score = self.seg.joins(
                        PyUnicode_FromKindAndData(4, self.packed + r.packed, r.han), self.counts)
                    r.exact = True
                if score >= self.threshold:
                    a = self.runs[i].start
                    b = self.runs[k - 1].end
                    if regions:
                        prev = <list>regions[len(regions) - 1]
                        if a <= prev[1]:
                            if b > prev[1]:
                                prev[1] = b
                            if score > prev[2]:
                                prev[2] = score
                        else:
                            regions.append([a, b, score])
                    else:
                        regions.append([a, b, score])
            han -= self.runs[i].han
            bad -= self.runs[i].bound
        return [tuple(x) for x in regions]


# -- half-width marks in Chinese text ---------------------------------------------

cdef extern from "Python.h":
    char* PyByteArray_AS_STRING(object o)
    Py_ssize_t PyByteArray_GET_SIZE(object o)


cdef class _Table:
    """A :class:`textfix.chars.CharTable` read in C: its memo (0 not asked yet, 1 no,
    2 yes), and the table itself asked for a code point it has not decided yet."""

    cdef object table
    cdef object memo  # the bytearray, kept alive
    cdef const unsigned char* bits

    def __init__(self, table):
        memo = table._table
        if PyByteArray_GET_SIZE(memo) != 0x110000:
            raise ValueError("a CharTable's memo holds 0x110000 entries")
        self.table = table
        self.memo = memo
        self.bits = <const unsigned char*>PyByteArray_AS_STRING(memo)

    cdef inline int has(self, Py_UCS4 c) except -1:
        cdef unsigned char k = self.bits[c]
        if k == 0:
            self.table(chr(c))  # decides and fills the memo
            k = self.bits[c]
        return k == 2


cdef inline bint is_space(Py_UCS4 c) noexcept nogil:
    return c == 0x20 or c == 0x09 or c == 0x3000


cdef int cjk_beside(_Table cjk, _Table skipped, int kind, void* data, Py_ssize_t n, Py_ssize_t i,
                    int step) except -1:
    """``is_cjk(_prev(text, i))`` (``step`` -1) or ``is_cjk(_next(text, i))`` (1) of the
    punctuation stage: the nearest character on the line that is neither a space nor a
    mark (``_is_skipped``), Chinese or not."""
    cdef Py_UCS4 c
    i += step
    while 0 <= i < n:
        c = PyUnicode_READ(kind, data, i)
        if c == 0x0A:
            return False
        if not skipped.has(c):
            return cjk.has(c)
        i += step
    return False


cdef class HalfwidthScan:
    """:func:`textfix.rules.punct._halfwidth_py` in one pass over the text, with the
    character classes of :mod:`textfix.chars` (``is_cjk``, ``is_han``) and the stage's
    ``_is_skipped``, read from their memo tables."""

    cdef _Table cjk, han, skipped
    cdef object change
    cdef dict full

    def __init__(self, cjk, han, skipped, dict full, change):
        """``cjk``, ``han``, ``skipped``: CharTables; ``full`` the half-width mark ->
        full-width form (``HALF_TO_FULL``); ``change(start, end, new)`` makes an Edit."""
        self.cjk = _Table(cjk)
        self.han = _Table(han)
        self.skipped = _Table(skipped)
        self.full = full
        self.change = change

    cdef inline int _cjk_beside(self, int kind, void* data, Py_ssize_t n, Py_ssize_t i, int step) except -1:
        return cjk_beside(self.cjk, self.skipped, kind, data, n, i, step)

    def edits(self, str text not None, list protected not None):
        """The edits of ``_halfwidth_py(text)``; ``protected`` is
        ``textfix.chars.protected_spans(text)``."""
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i, j, k, o, e, end, lo, hi, mid
        cdef Py_ssize_t np = len(protected), top
        cdef Py_UCS4 c, p, q
        cdef bint chinese, parens = False
        cdef list out = []
        cdef Py_ssize_t* pair = NULL
        cdef Py_ssize_t* stack = NULL
        cdef Py_ssize_t* ps = NULL
        cdef Py_ssize_t* pe = NULL
        change = self.change
        full = self.full
        try:
            if np:
                ps = <Py_ssize_t*>malloc(np * sizeof(Py_ssize_t))
                pe = <Py_ssize_t*>malloc(np * sizeof(Py_ssize_t))
                if ps == NULL or pe == NULL:
                    raise MemoryError()
                for k in range(np):
                    ps[k], pe[k] = protected[k]
            for i in range(n):
                c = PyUnicode_READ(kind, data, i)
                if c == 0x28 or c == 0x29:
                    parens = True
                    break
            if parens:
                # pair brackets line by line
                pair = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
                stack = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
                if pair == NULL or stack == NULL:
                    raise MemoryError()
                top = 0
                for i in range(n):
                    pair[i] = -1
                    c = PyUnicode_READ(kind, data, i)
                    if c == 0x0A:
                        top = 0
                    elif c == 0x28:
                        stack[top] = i
                        top += 1
                    elif c == 0x29 and top:
                        top -= 1
                        o = stack[top]
                        pair[o] = i
                        pair[i] = o
            for i in range(n):
                c = PyUnicode_READ(kind, data, i)
                if not (c == 0x2C or c == 0x3A or c == 0x3B or c == 0x21 or c == 0x3F
                        or c == 0x28 or c == 0x29):
                    continue
                if c == 0x28 or c == 0x29 or i == 0 or not self.han.has(PyUnicode_READ(kind, data, i - 1)):
                    # (After a Han character a mark other than a bracket is Chinese for sure.)
                    if np:
                        lo = 0
                        hi = np
                        while lo < hi:  # the last span starting at or before i
                            mid = (lo + hi) >> 1
                            if ps[mid] <= i:
                                lo = mid + 1
                            else:
                                hi = mid
                        if lo > 0 and i < pe[lo - 1]:
                            continue
                    if c == 0x28 or c == 0x29:
                        j = pair[i]
                        if j >= 0:
                            o = i if i < j else j
                            e = j if i < j else i
                            chinese = False
                            for k in range(o + 1, e):
                                if self.han.has(PyUnicode_READ(kind, data, k)):
                                    chinese = True
                                    break
                            chinese = chinese or self._cjk_beside(kind, data, n, o, -1) or self._cjk_beside(kind, data, n, e, 1)
                        else:
                            chinese = self._cjk_beside(kind, data, n, i, -1) or self._cjk_beside(kind, data, n, i, 1)
                        if not chinese:
                            continue
                    else:
                        if i > 0 and i + 1 < n:
                            p = PyUnicode_READ(kind, data, i - 1)
                            q = PyUnicode_READ(kind, data, i + 1)
                            if 0x30 <= p <= 0x39 and 0x30 <= q <= 0x39:
                                continue
                        if not (self._cjk_beside(kind, data, n, i, -1) or self._cjk_beside(kind, data, n, i, 1)):
                            continue
                end = i + 1
                if c != 0x28 and end < n and is_space(PyUnicode_READ(kind, data, end)):
                    # the spaces a wrap left after the mark, before more Chinese text
                    k = end
                    while k < n and is_space(PyUnicode_READ(kind, data, k)):
                        k += 1
                    if k < n and self.cjk.has(PyUnicode_READ(kind, data, k)):
                        end = k
                out.append(change(i, end, full[chr(c)]))
        finally:
            free(pair)
            free(stack)
            free(ps)
            free(pe)
        return out


# -- straight quotes in Chinese text ----------------------------------------------

cdef inline bint is_sentence_end(Py_UCS4 c) noexcept nogil:
    # textfix.chars.SENTENCE_END: 。！？…；
    return c == 0x3002 or c == 0xFF01 or c == 0xFF1F or c == 0x2026 or c == 0xFF1B


cdef inline bint opens_badly_before(Py_UCS4 c) noexcept nogil:
    # a mark right after an opening quote: ，。、；！？,.;!?
    return (c == 0xFF0C or c == 0x3002 or c == 0x3001 or c == 0xFF1B or c == 0xFF01 or c == 0xFF1F
            or c == 0x2C or c == 0x2E or c == 0x3B or c == 0x21 or c == 0x3F)


cdef enum:
    NO_MARK = 0x110000  # QuoteScan._mark: no character (beyond any code point, NUL included)


cdef class QuoteScan:
    """:func:`textfix.rules.punct._quote_edits` (its pairing, :func:`_pair_quotes`, and
    the Chinese context of each quote) for one paragraph, with the character classes of
    :mod:`textfix.chars` (``is_cjk``, ``is_han``) and the stage's ``_is_skipped``, read
    from their memo tables."""

    cdef _Table cjk, han, skipped
    cdef object change

    def __init__(self, cjk, han, skipped, change):
        """``cjk``, ``han``, ``skipped``: CharTables; ``change(start, end, new)`` makes
        an Edit."""
        self.cjk = _Table(cjk)
        self.han = _Table(han)
        self.skipped = _Table(skipped)
        self.change = change

    cdef inline int _cjk_beside(self, int kind, void* data, Py_ssize_t n, Py_ssize_t i, int step) except -1:
        return cjk_beside(self.cjk, self.skipped, kind, data, n, i, step)

    cdef inline Py_UCS4 _mark(self, int kind, void* data, Py_ssize_t n, Py_ssize_t i, int step) noexcept:
        """``_prev_mark`` (``step`` -1) or ``_next_mark`` (1) of ``i``: the nearest
        character on the line that is not a space, NO_MARK for none (the empty string)."""
        cdef Py_UCS4 c
        i += step
        while 0 <= i < n:
            c = PyUnicode_READ(kind, data, i)
            if not is_space(c):
                return NO_MARK if c == 0x0A else c
            i += step
        return NO_MARK

    cdef inline int _open_cost(self, int kind, void* data, Py_ssize_t n, Py_ssize_t i) noexcept:
        cdef Py_UCS4 nx = self._mark(kind, data, n, i, 1), pv = self._mark(kind, data, n, i, -1)
        return (3 if nx == NO_MARK else 2 if opens_badly_before(nx) else 0) + (1 if is_sentence_end(pv) else 0)

    cdef inline int _close_cost(self, int kind, void* data, Py_ssize_t n, Py_ssize_t i) noexcept:
        cdef Py_UCS4 pv = self._mark(kind, data, n, i, -1)
        return 3 if (pv == 0xFF1A or pv == 0x3A) else 2 if pv == NO_MARK else 0

    def edits(self, str text not None, str q not None, str open_form not None,
              str close_form not None, list positions not None):
        """``_quote_edits(text, start, end, q, (open_form, close_form), positions)``:
        ``positions`` are the offsets of the paragraph's quotes ``q``, in order."""
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), m, k, i, j, o, e, lone = -1, best = -1, cost
        cdef Py_ssize_t* pos = NULL
        cdef Py_ssize_t* partner = NULL
        cdef Py_ssize_t* pre = NULL
        cdef Py_ssize_t* suf = NULL
        cdef int* cache = NULL  # per pair, by its opening quote's index: -1 not decided
        cdef unsigned char* opens = NULL
        cdef int* oc = NULL
        cdef int* cc = NULL
        cdef Py_UCS4 pv
        cdef bint chinese, apostrophe = q == "'"
        cdef list out = []
        m = len(positions)
        if m == 0:
            return out
        change = self.change
        try:
            pos = <Py_ssize_t*>malloc(m * sizeof(Py_ssize_t))
            partner = <Py_ssize_t*>malloc(m * sizeof(Py_ssize_t))
            opens = <unsigned char*>malloc(m)
            if pos == NULL or partner == NULL or opens == NULL:
                raise MemoryError()
            k = 0
            for j in range(m):
                i = positions[j]
                # an apostrophe between Latin letters or digits (don't, 90's) is not a quote
                if (apostrophe and i > 0 and i + 1 < n and is_ascii_alnum(PyUnicode_READ(kind, data, i - 1))
                        and is_ascii_alnum(PyUnicode_READ(kind, data, i + 1))):
                    continue
                pos[k] = i
                k += 1
            m = k
            if m == 0:
                return out
            if m % 2:
                oc = <int*>malloc(m * sizeof(int))
                cc = <int*>malloc(m * sizeof(int))
                pre = <Py_ssize_t*>malloc((m + 1) * sizeof(Py_ssize_t))
                suf = <Py_ssize_t*>malloc((m + 1) * sizeof(Py_ssize_t))
                if oc == NULL or cc == NULL or pre == NULL or suf == NULL:
                    raise MemoryError()
                for k in range(m):
                    oc[k] = self._open_cost(kind, data, n, pos[k])
                    cc[k] = self._close_cost(kind, data, n, pos[k])
                # before the lone quote: even index opens; after it: odd index opens
                pre[0] = 0
                for k in range(m):
                    pre[k + 1] = pre[k] + (oc[k] if k % 2 == 0 else cc[k])
                suf[m] = 0
                for k in range(m - 1, -1, -1):
                    suf[k] = suf[k + 1] + (oc[k] if k % 2 == 1 else cc[k])
                for k in range(0, m, 2):  # ties go to the last
                    cost = pre[k] + suf[k + 1] + (oc[k] if oc[k] < cc[k] else cc[k])
                    if lone < 0 or cost <= best:
                        best = cost
                        lone = k
            # pair the others in order
            j = -1
            for k in range(m):
                if k == lone:
                    continue
                if j < 0:
                    j = k
                else:
                    partner[j] = k
                    partner[k] = j
                    opens[j] = True
                    opens[k] = False
                    j = -1
            if lone >= 0:
                i = pos[lone]
                pv = self._mark(kind, data, n, i, -1)
                partner[lone] = -1
                # not after a sentence end, nor with nothing after it on its line
                opens[lone] = not (is_sentence_end(pv) or self._mark(kind, data, n, i, 1) == NO_MARK)
            cache = <int*>malloc(m * sizeof(int))
            if cache == NULL:
                raise MemoryError()
            for k in range(m):
                cache[k] = -1
            for k in range(m):
                i = pos[k]
                j = partner[k]
                if j >= 0:
                    o = k if k < j else j  # the pair, by its opening quote
                    if cache[o] < 0:
                        e = pos[j if k < j else k]
                        chinese = False
                        for i in range(pos[o] + 1, e):
                            if self.han.has(PyUnicode_READ(kind, data, i)):
                                chinese = True
                                break
                        if not chinese:
                            chinese = (self._cjk_beside(kind, data, n, pos[o], -1)
                                       or self._cjk_beside(kind, data, n, e, 1))
                        cache[o] = chinese
                    chinese = cache[o]
                    i = pos[k]
                else:
                    chinese = self._cjk_beside(kind, data, n, i, -1) or self._cjk_beside(kind, data, n, i, 1)
                if chinese:
                    out.append(change(i, i + 1, open_form if opens[k] else close_form))
            return out
        finally:
            free(pos)
            free(partner)
            free(opens)
            free(oc)
            free(cc)
            free(pre)
            free(suf)
            free(cache)


# -- full-width letters and digits ------------------------------------------------

cdef inline bint is_fullwidth_alnum(Py_UCS4 c) noexcept nogil:
    return 0xFF10 <= c <= 0xFF19 or 0xFF21 <= c <= 0xFF3A or 0xFF41 <= c <= 0xFF5A


cdef inline bint is_fullwidth_digit(Py_UCS4 c) noexcept nogil:
    return 0xFF10 <= c <= 0xFF19


def fullwidth_edits(str text not None, change):
    """The edits of :func:`textfix.rules.width._fullwidth_py`: each match of its
    pattern (full-width letters and digits, decimal parts, a trailing percent sign),
    found in one pass, and its ASCII form."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    cdef list out = []
    cdef unsigned char* buf
    if kind == 1:  # no character beyond U+00FF: none of the pattern's
        return out
    buf = <unsigned char*>malloc(n)
    if buf == NULL:
        raise MemoryError()
    try:
        _fullwidth_runs(text, kind, data, n, buf, change, out)
    finally:
        free(buf)
    return out


cdef int _fullwidth_runs(str text, int kind, void* data, Py_ssize_t n, unsigned char* buf,
                         change, list out) except -1:
    cdef Py_ssize_t i = 0, s, j
    cdef Py_UCS4 c
    while i < n:
        c = PyUnicode_READ(kind, data, i)
        if not is_fullwidth_alnum(c):
            i += 1
            continue
        s = i
        i += 1
        while i < n and is_fullwidth_alnum(PyUnicode_READ(kind, data, i)):
            i += 1
        # (?:．[０-９]+)*: a point only with a digit after it
        while i + 1 < n and PyUnicode_READ(kind, data, i) == 0xFF0E and is_fullwidth_digit(PyUnicode_READ(kind, data, i + 1)):
            i += 2
            while i < n and is_fullwidth_digit(PyUnicode_READ(kind, data, i)):
                i += 1
        if i < n and PyUnicode_READ(kind, data, i) == 0xFF05:
            i += 1
        for j in range(s, i):  # U+FF01..U+FF5E -> U+0021..U+007E
            buf[j - s] = <unsigned char>(<uint32_t>PyUnicode_READ(kind, data, j) - 0xFEE0)
        out.append(change(s, i, PyUnicode_FromKindAndData(1, buf, i - s)))
    return 0


# -- runs of a character class ----------------------------------------------------

cdef extern from "Python.h":
    char* PyBytes_AS_STRING(object o)
    Py_ssize_t PyBytes_GET_SIZE(object o)


cdef const unsigned char* class_table(bytes bits) except NULL:
    """The bit table of a :class:`textfix.chars.CharClass` (bit ``c & 7`` of byte
    ``c >> 3`` for code point ``c``), checked for its size."""
    if PyBytes_GET_SIZE(bits) != 0x110000 // 8:
        raise ValueError("a class table holds 0x110000 bits")
    return <const unsigned char*>PyBytes_AS_STRING(bits)


cdef inline bint in_class(const unsigned char* bits, Py_UCS4 c) noexcept nogil:
    cdef uint32_t u = <uint32_t>c
    return (bits[u >> 3] >> (u & 7)) & 1


ctypedef fused code_unit:
    uint8_t
    uint16_t
    uint32_t


cdef inline Py_ssize_t find_in(const code_unit* d, Py_ssize_t i, Py_ssize_t n, const unsigned char* table) noexcept nogil:
    """The first ``j >= i`` below ``n`` with ``d[j]`` in the class, or -1."""
    cdef uint32_t u
    while i < n:
        u = d[i]
        if (table[u >> 3] >> (u & 7)) & 1:
            return i
        i += 1
    return -1


def class_find(str text not None, bytes bits not None, Py_ssize_t start=0):
    """The offset of the first character of ``text`` at or after ``start`` that is in
    the class of ``bits``, or -1: as ``pattern.search(text, start)`` for the class's
    one-character pattern (:func:`textfix.chars.class_find`)."""
    cdef const unsigned char* table = class_table(bits)
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    if start < 0:
        start = 0
    if kind == 1:
        return find_in(<const uint8_t*>data, start, n, table)
    if kind == 2:
        return find_in(<const uint16_t*>data, start, n, table)
    return find_in(<const uint32_t*>data, start, n, table)


cdef inline Py_ssize_t end_in(const code_unit* d, Py_ssize_t i, Py_ssize_t n, const unsigned char* table) noexcept nogil:
    """The first ``j >= i`` below ``n`` with ``d[j]`` not in the class, or ``n``."""
    cdef uint32_t u
    while i < n:
        u = d[i]
        if not (table[u >> 3] >> (u & 7)) & 1:
            return i
        i += 1
    return n


cdef int runs_in(const code_unit* d, Py_ssize_t n, const unsigned char* table, list out) except -1:
    cdef Py_ssize_t i = 0, e
    while True:
        i = find_in(d, i, n, table)
        if i < 0:
            return 0
        e = end_in(d, i + 1, n, table)
        out.append((i, e))
        i = e


def class_runs(str text not None, bytes bits not None):
    """``(start, end)`` of each longest run of characters of ``text`` in the class of
    ``bits``, in order: the spans of ``pattern.finditer(text)`` for the class's
    pattern ``[…]+`` (:func:`textfix.chars.class_runs`)."""
    cdef const unsigned char* table = class_table(bits)
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    cdef list out = []
    if kind == 1:
        runs_in(<const uint8_t*>data, n, table, out)
    elif kind == 2:
        runs_in(<const uint16_t*>data, n, table, out)
    else:
        runs_in(<const uint32_t*>data, n, table, out)
    return out


def line_heads(str text not None, bytes bits not None):
    """The offsets where a line starts (at 0 and after each ``\\n``) whose first
    character other than a space, tab or ideographic space is in the class of
    ``bits``, in order: the only places a pattern ``(?m)^[ \\t\\u3000]*[…]`` can match."""
    cdef const unsigned char* table = class_table(bits)
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, line
    cdef Py_UCS4 c
    cdef list out = []
    while i < n:
        line = i
        c = PyUnicode_READ(kind, data, i)
        while is_wrap_space(c) and i + 1 < n:
            i += 1
            c = PyUnicode_READ(kind, data, i)
        if not is_wrap_space(c) and in_class(table, c):
            out.append(line)
        # on to the next line
        while i < n and PyUnicode_READ(kind, data, i) != 0x0A:
            i += 1
        i += 1
    return out


cdef inline Py_ssize_t same_run(int kind, void* data, Py_ssize_t n, Py_ssize_t i, Py_UCS4 c) noexcept:
    """The end of the run of ``c`` that starts at ``i``."""
    i += 1
    while i < n and PyUnicode_READ(kind, data, i) == c:
        i += 1
    return i


def dash_spans(str text not None):
    """The spans of the matches of :data:`textfix.rules.punct._DASH`,
    ``-{2,}|－{2,}|(?<!—)—(?!—)|―{1,2}|─{2,}|—{3,}``, in order.  Each alternative is
    one character repeated, and only ``—`` is looked around for: in each run of one
    of these characters ``-``, ``－`` and ``─`` match from two on, ``—`` alone or from
    three on, and ``―`` in pieces of at most two."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, e, k
    cdef Py_UCS4 c
    cdef list out = []
    while i < n:
        c = PyUnicode_READ(kind, data, i)
        if not (c == 0x2D or c == 0xFF0D or c == 0x2014 or c == 0x2015 or c == 0x2500):
            i += 1
            continue
        e = same_run(kind, data, n, i, c)
        k = e - i
        if c == 0x2015:  # ―{1,2}
            while i < e:
                out.append((i, min(i + 2, e)))
                i += 2
        elif (k >= 2 and c != 0x2014) or (c == 0x2014 and k != 2):
            out.append((i, e))
        i = e
    return out


def ellipsis_spans(str text not None):
    """The spans of the matches of :data:`textfix.rules.punct._ELLIPSIS`,
    ``\\.{3,}|。{3,}|(?<!…)…(?!…)|⋯+``, in order: runs of ``.`` and ``。`` from three
    on, a ``…`` alone, runs of ``⋯``."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, e, k
    cdef Py_UCS4 c
    cdef list out = []
    while i < n:
        c = PyUnicode_READ(kind, data, i)
        if not (c == 0x2E or c == 0x3002 or c == 0x2026 or c == 0x22EF):
            i += 1
            continue
        e = same_run(kind, data, n, i, c)
        k = e - i
        if (k >= 3 and (c == 0x2E or c == 0x3002)) or (c == 0x2026 and k == 1) or c == 0x22EF:
            out.append((i, e))
        i = e
    return out


# -- doubled units ------------------------------------------------------------------

cdef inline bint is_space_or_break(Py_UCS4 c) noexcept:
    return c == 0x20 or c == 0x09 or c == 0x3000 or c == 0x0A


def doubled_matches(str text not None, Py_ssize_t max_unit):
    """``(start, unit, sep, copies)`` for each offset of :func:`doubled_starts` where
    :data:`textfix.rules.repeat._DOUBLE` matches (``max_unit`` its ``MAX_UNIT``), in
    order: as :func:`textfix.rules.repeat._matches_py`.

    The pattern's unit starts with a character that is neither a space nor a line
    break, so its second copy does too: the separator must take all the spaces and
    line breaks after the unit, which it can if they hold at most three line breaks.
    So the match is the shortest unit (two to ``max_unit`` characters, no line break
    after its first) that the text repeats after those spaces."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), start, L, e, g, k, breaks, step, copies, at
    cdef Py_UCS4 c
    cdef bint same
    cdef list out = []
    for start in doubled_starts(text, max_unit):
        if is_space_or_break(PyUnicode_READ(kind, data, start)):
            continue
        L = 2
        while L <= max_unit and start + L <= n:
            e = start + L
            if PyUnicode_READ(kind, data, e - 1) == 0x0A:
                break  # the unit holds no line break after its first character
            g = e
            breaks = 0
            while g < n:
                c = PyUnicode_READ(kind, data, g)
                if not is_space_or_break(c):
                    break
                breaks += c == 0x0A
                g += 1
            if breaks <= 3 and g + L <= n:
                same = True
                for k in range(L):
                    if PyUnicode_READ(kind, data, start + k) != PyUnicode_READ(kind, data, g + k):
                        same = False
                        break
                if same:
                    # more copies: sep + unit again after the last one
                    step = g - start
                    copies = 2
                    while True:
                        at = start + copies * step - (g - e)
                        if at + step > n:
                            break
                        same = True
                        for k in range(step):
                            if PyUnicode_READ(kind, data, at + k) != PyUnicode_READ(kind, data, e + k):
                                same = False
                                break
                        if not same:
                            break
                        copies += 1
                    out.append((start, text[start:e], text[e:g], copies))
                    break
            L += 1
    return out


# -- blocks ---------------------------------------------------------------------------

def block_spans(str text not None, bytes white not None):
    """As :meth:`textfix.rule.Doc._spans`: ``(start, end)`` of the blocks of ``text``,
    the text between matches of ``\\n[ \\t\\u3000]*\\n\\s*`` (``white[c]`` 1 where that
    ``\\s`` matches code point ``c``, none beyond ``len(white)``), without the newline
    the text ends in."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), nw = len(white), i = 0, j, pos = 0, end
    cdef const unsigned char* w = white
    cdef Py_UCS4 c
    cdef list out = []
    while i < n:
        if PyUnicode_READ(kind, data, i) != 0x0A:
            i += 1
            continue
        j = i + 1
        while j < n and is_wrap_space(PyUnicode_READ(kind, data, j)):
            j += 1
        if j < n and PyUnicode_READ(kind, data, j) == 0x0A:
            # a break: from i through the white space after the second line break
            if i > pos:
                out.append((pos, i))
            j += 1
            while j < n:
                c = PyUnicode_READ(kind, data, j)
                if <Py_ssize_t>c >= nw or not w[c]:
                    break
                j += 1
            pos = i = j
        else:
            i += 1
    if pos < n:
        end = n - 1 if PyUnicode_READ(kind, data, n - 1) == 0x0A else n
        if end > pos:
            out.append((pos, end))
    return out


# -- lone Latin letters -----------------------------------------------------------------

cdef inline bint is_ascii_alnum(Py_UCS4 c) noexcept:
    return (0x30 <= c <= 0x39) or (0x41 <= c <= 0x5A) or (0x61 <= c <= 0x7A)


def lone_letters(str text not None):
    """The offsets of the matches of :data:`textfix.rules.stray._LETTER`,
    ``(?<![A-Za-z0-9])[A-Za-z](?![A-Za-z0-9])``: ASCII letters with no ASCII letter or
    digit on either side, in order."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i
    cdef Py_UCS4 c
    cdef bint before = False  # is the character before i an ASCII letter or digit?
    cdef bint here
    cdef list out = []
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        here = is_ascii_alnum(c)
        if here and not before and c >= 0x41 and (i + 1 >= n or not is_ascii_alnum(PyUnicode_READ(kind, data, i + 1))):
            out.append(i)
        before = here
    return out


# -- repeated lines -------------------------------------------------------------------

def repeated_lines(str text not None):
    """As :func:`textfix.rules.repeat._repeated_lines_py`: ``(cut, start, end)`` for each
    line ``text[start:end]`` that, without its spaces and tabs at either end, is the
    line before it that is not blank (``cut`` is where that one ends), in order."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, s, e, a, b, k
    cdef Py_ssize_t pa = -1, pb = -1, pend = -1  # the previous non-blank line: stripped [pa, pb), its end
    cdef bint same
    cdef list out = []
    while i < n:
        s = i
        while i < n and PyUnicode_READ(kind, data, i) != 0x0A:
            i += 1
        e = i
        i += 1
        a = s
        while a < e and is_wrap_space(PyUnicode_READ(kind, data, a)):
            a += 1
        b = e
        while b > a and is_wrap_space(PyUnicode_READ(kind, data, b - 1)):
            b -= 1
        if a == b:
            continue  # blank
        if pend >= 0 and b - a == pb - pa:
            same = True
            for k in range(b - a):
                if PyUnicode_READ(kind, data, a + k) != PyUnicode_READ(kind, data, pa + k):
                    same = False
                    break
            if same:
                out.append((pend, s, e))
        pa, pb, pend = a, b, e
    return out


# -- the lexicon's words, asked ``in`` -----------------------------------------------

cdef extern from "Python.h":
    Py_ssize_t PyObject_Hash(object o) except -1


cdef enum:
    WORD_PROBES = 3  # bits set per word
    BITS_PER_WORD = 16  # at least, rounded up to a power of two


cdef class WordSet:
    """``word in WordSet(words)`` answers as ``word in words`` (a ``{word: frequency}``
    dict) answers, for any ``word``; a str the words' Bloom filter (three bits of its
    hash in a bit table of 16 to 32 bits a word, ~1 MB for jieba's dictionary) rules out
    is answered without the dict's own look-up, which in a dict of 349k words misses the
    processor's caches (~340 ns a miss on the benchmark machine).  Nearly every word the
    repeat and stray rules ask about is no word: 10,941 questions on the 244 noised
    benchmark pages, 1,149 of them words.  A filter cannot say no to a word it holds,
    and whatever it lets through the dict answers, so the answers are the dict's."""
    cdef dict words
    cdef uint64_t* bits
    cdef uint64_t mask  # bits in the table - 1
    cdef bint plain  # every key an exact str (else the dict answers everything)

    def __cinit__(self):
        self.bits = NULL

    def __init__(self, dict words not None):
        cdef uint64_t nbits = 1024, h
        cdef Py_ssize_t n = len(words)
        while nbits < <uint64_t>n * BITS_PER_WORD:
            nbits <<= 1
        self.bits = <uint64_t*>calloc(nbits // 64, sizeof(uint64_t))
        if self.bits == NULL:
            raise MemoryError()
        self.mask = nbits - 1
        self.words = words
        self.plain = True
        for w in words:
            if type(w) is not str:
                self.plain = False
                break
            self._add(<uint64_t>PyObject_Hash(w))

    def __dealloc__(self):
        free(self.bits)

    cdef inline void _add(self, uint64_t h) noexcept:
        cdef uint64_t step = (h >> 33) | 1, b
        cdef int k
        for k in range(WORD_PROBES):
            b = h & self.mask
            self.bits[b >> 6] |= (<uint64_t>1) << (b & 63)
            h += step

    cdef inline bint _may_hold(self, uint64_t h) noexcept:
        cdef uint64_t step = (h >> 33) | 1, b
        cdef int k
        for k in range(WORD_PROBES):
            b = h & self.mask
            if not (self.bits[b >> 6] >> (b & 63)) & 1:
                return False
            h += step
        return True

    def __contains__(self, word):
        if self.plain and type(word) is str and not self._may_hold(<uint64_t>PyObject_Hash(word)):
            return False
        return word in self.words

    def __len__(self):
        return len(self.words)

    def may_hold(self, str word not None):
        """Whether the filter lets ``word`` through to the dict (always for a word it
        holds, and for every word where a key is not an exact str)."""
        return not self.plain or self._may_hold(<uint64_t>PyObject_Hash(word))
