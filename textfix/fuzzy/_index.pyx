# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of the matcher's automaton scan (:meth:`textfix.fuzzy.Matcher.hits`).

:class:`VariantIndex` holds the matcher's variant patterns as a trie over code points
and finds every occurrence of every pattern in a text — the same ``(pattern, start,
end)`` hits, in the same order (by end, then the longer first), as the Aho-Corasick
automaton (``ahocorasick-rs``) the pure-Python matcher scans with.  It is built for the
shape of this one job: patterns of two to eight characters, ~1.4M of them, hits on one
character in twenty.

* The root's children are a direct table over the Basic Multilingual Plane (5,942 first
  characters for the default lexicon; 512 KB, it stays in the processor's cache).
* A bitmap of the patterns' first two characters (1 MB, hashed) turns away two positions
  in three before the trie is read at all: a text position starts a hit only where its
  character pair begins some pattern.
* Every other edge is one entry of an open-addressing table keyed by the parent node and
  the character (16 bytes: key, child, the pattern that ends there), ~2.1M of them in
  64 MB — a third of the automaton's memory, and a text position costs ~0.4 random reads
  of it instead of the automaton's two or more.

A walk starts at every position the gate lets through and follows the trie as far as the
text goes along it (the positions are gated 64 at a time — the memory asked for their
bits of the gate first, then for each walk's second edge before the walks: the reads
overlap);
the hits of one start are made in order of length, and an insertion into the few hits
before it (a hit is at most fifteen characters long) puts them in the automaton's order.
``tests/test_fuzzy.py`` checks that both give the same hits on generated text (characters
beyond the Basic Multilingual Plane included) and on the seed pages.
"""

from libc.stdint cimport uint64_t, int64_t, int32_t, uint8_t
from libc.stdlib cimport malloc, calloc, realloc, free


cdef extern from "Python.h":
    object PyBytes_FromStringAndSize(const char* v, Py_ssize_t n)
    char* PyBytes_AS_STRING(object o)
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index) nogil


cdef struct Entry:
    uint64_t key  # parent node << 21 | character; EMPTY: a free slot
    int32_t child  # the node the edge leads to; -1: it has no children
    int32_t pat  # the pattern that ends at the child, -1: none


cdef struct Hit:
    Py_ssize_t end
    Py_ssize_t start
    int32_t pat


cdef extern from *:
    """
    #define TF_INDEX_EMPTY 0xFFFFFFFFFFFFFFFFULL
    """
    uint64_t EMPTY "TF_INDEX_EMPTY"


cdef extern from *:
    void __builtin_prefetch(const void* p) noexcept nogil


cdef enum:
    CHUNK = 64  # positions the scan gates before it walks from them
    GATE_BITS = 24  # the gate's bitmap: 2**24 bits (2 MB)


cdef inline uint64_t mix(uint64_t key) noexcept nogil:
    return key * <uint64_t>0x9E3779B97F4A7C15


cdef inline uint64_t pair_key(Py_UCS4 a, Py_UCS4 b) noexcept nogil:
    """The gate's key of a pattern of two characters."""
    return (<uint64_t>1 << 63) | (<uint64_t>a << 21) | <uint64_t>b


cdef inline uint64_t gate_bit(uint64_t key) noexcept nogil:
    """The gate's bit for a key."""
    return mix(key) >> (64 - GATE_BITS)


cdef inline uint64_t triple_key(Py_UCS4 a, Py_UCS4 b, Py_UCS4 c) noexcept nogil:
    """The gate's key of the first three characters of a longer pattern."""
    return (<uint64_t>a << 42) | (<uint64_t>b << 21) | <uint64_t>c


cdef class VariantIndex:
    """Every pattern of a matcher's variant table (``patterns``: the patterns joined by
    newlines, the ``k``-th line is pattern ``k``), ready to be found in text."""

    cdef Entry* table
    cdef uint64_t mask
    cdef int shift
    cdef Py_ssize_t edges
    cdef Entry* root  # the root's edges by BMP character (key unused)
    cdef uint8_t* gate  # bit hash(a, b) set: some pattern starts with a, b
    cdef Py_ssize_t nodes
    cdef readonly Py_ssize_t patterns  #: number of patterns
    cdef readonly int longest  #: length of the longest pattern
    cdef Hit* buf
    cdef Py_ssize_t cap

    def __cinit__(self):
        self.table = NULL
        self.root = NULL
        self.gate = NULL
        self.buf = NULL

    def __dealloc__(self):
        free(self.table)
        free(self.root)
        free(self.gate)
        free(self.buf)

    def __init__(self, str patterns):
        cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(patterns)
        cdef int kind = PyUnicode_KIND(patterns)
        cdef void* data = PyUnicode_DATA(patterns)
        cdef Py_UCS4 c, first = 0, second = 0
        cdef int64_t node = 0  # the root
        cdef Entry* e
        cdef int depth = 0
        cdef int32_t k = 0
        self._alloc_table(1 << 16)
        self.root = <Entry*>malloc(0x10000 * sizeof(Entry))
        self.gate = <uint8_t*>calloc((1 << GATE_BITS) // 8, 1)
        if self.root == NULL or self.gate == NULL:
            raise MemoryError()
        for i in range(0x10000):
            self.root[i].key = EMPTY
            self.root[i].child = -1
            self.root[i].pat = -1
        self.nodes = 1
        self.longest = 0
        for i in range(n + 1):
            c = PyUnicode_READ(kind, data, i) if i < n else 10
            if c == 10:  # a pattern ends
                if depth:
                    if e.pat < 0:
                        e.pat = k
                    if depth > self.longest:
                        self.longest = depth
                    if depth == 2:
                        self._gate_set(pair_key(first, second))
                    k += 1
                node = 0
                depth = 0
                continue
            if depth == 0:
                first = c
            elif depth == 1:
                second = c
            elif depth == 2:
                self._gate_set(triple_key(first, second, c))
            e = self._edge(node, c)
            node = e.child
            depth += 1
        self.patterns = k
        self._mark_leaves()

    cdef int _alloc_table(self, uint64_t cap) except -1:
        cdef uint64_t i
        cdef int bits = 0
        while (<uint64_t>1 << bits) < cap:
            bits += 1
        self.table = <Entry*>malloc(cap * sizeof(Entry))
        if self.table == NULL:
            raise MemoryError()
        for i in range(cap):
            self.table[i].key = EMPTY
        self.mask = cap - 1
        self.shift = 64 - bits
        self.edges = 0
        return 0

    cdef int _grow(self) except -1:
        cdef Entry* old = self.table
        cdef uint64_t i, j, n = self.mask + 1
        cdef Py_ssize_t edges = self.edges
        self._alloc_table(2 * n)
        for i in range(n):
            if old[i].key != EMPTY:
                j = self._home(old[i].key)
                while self.table[j].key != EMPTY:
                    j = (j + 1) & self.mask
                self.table[j] = old[i]
        self.edges = edges
        free(old)
        return 0

    cdef Entry* _edge(self, int64_t node, Py_UCS4 c) except NULL:
        """The edge from ``node`` by ``c``, made (to a new node) if there is none."""
        cdef Entry* e
        cdef uint64_t key
        if node == 0 and c < 0x10000:
            e = &self.root[c]
            if e.key == EMPTY:
                e.key = c
                e.child = self._new_node()
            return e
        key = (<uint64_t>node << 21) | <uint64_t>c
        e = self._probe(key)
        if e.key == key:
            return e
        # a load of at most 0.6: ~2.1M edges fit 2**22 slots (64 MB)
        if 5 * (self.edges + 1) > 3 * <Py_ssize_t>(self.mask + 1):
            self._grow()
            return self._edge(node, c)
        e.key = key
        e.child = self._new_node()
        e.pat = -1
        self.edges += 1
        return e

    cdef int32_t _new_node(self) except -1:
        if self.nodes >= 0x7FFFFFFF:
            raise OverflowError("too many variant patterns")
        self.nodes += 1
        return <int32_t>(self.nodes - 1)

    cdef int _mark_leaves(self) except -1:
        """Set ``child`` to -1 on the edges to nodes without children, so a walk ends
        there without a lookup that cannot succeed."""
        cdef uint8_t* inner = <uint8_t*>calloc(self.nodes // 8 + 1, 1)
        cdef uint64_t i
        cdef int64_t p
        if inner == NULL:
            raise MemoryError()
        for i in range(self.mask + 1):
            if self.table[i].key != EMPTY:
                p = <int64_t>(self.table[i].key >> 21)
                inner[p >> 3] |= 1 << (p & 7)
        for i in range(self.mask + 1):
            if self.table[i].key != EMPTY and not (inner[self.table[i].child >> 3] >> (self.table[i].child & 7)) & 1:
                self.table[i].child = -1
        for i in range(0x10000):
            if self.root[i].key != EMPTY and not (inner[self.root[i].child >> 3] >> (self.root[i].child & 7)) & 1:
                self.root[i].child = -1
        free(inner)
        return 0

    cdef inline void _gate_set(self, uint64_t key) noexcept:
        cdef uint64_t h = gate_bit(key)
        self.gate[h >> 3] |= 1 << (h & 7)

    cdef inline bint _gate_at(self, uint64_t h) noexcept nogil:
        """Whether bit ``h`` of the gate (``gate_bit`` of a key) is set."""
        return (self.gate[h >> 3] >> (h & 7)) & 1

    cdef inline const Entry* _find(self, int64_t node, Py_UCS4 c) noexcept nogil:
        """The edge from ``node`` by ``c``, or NULL."""
        cdef const Entry* e
        cdef uint64_t key
        if node == 0 and c < 0x10000:
            e = &self.root[c]
            return e if e.key != EMPTY else NULL
        key = (<uint64_t>node << 21) | <uint64_t>c
        e = self._probe(key)
        return e if e.key == key else NULL

    cdef inline uint64_t _home(self, uint64_t key) noexcept nogil:
        """The slot where the table's search for ``key`` starts."""
        return mix(key) >> self.shift

    cdef inline Entry* _probe(self, uint64_t key) noexcept nogil:
        """The table's entry of ``key``, or the free slot where it would go."""
        cdef uint64_t j = self._home(key)
        cdef Entry* e
        while True:
            e = &self.table[j]
            if e.key == key or e.key == EMPTY:
                return e
            j = (j + 1) & self.mask

    cdef int _push(self, Py_ssize_t* m, Py_ssize_t start, Py_ssize_t end, int32_t pat) except -1:
        """Add a hit, in the automaton's order: by end, then the longer (earlier start)
        first.  Hits come by start, so only the few ending later move."""
        cdef Py_ssize_t q = m[0]
        if q == self.cap:
            self._reserve(2 * self.cap + 256)
        while q > 0 and self.buf[q - 1].end > end:
            self.buf[q] = self.buf[q - 1]
            q -= 1
        self.buf[q].end = end
        self.buf[q].start = start
        self.buf[q].pat = pat
        m[0] += 1
        return 0

    cdef int _reserve(self, Py_ssize_t cap) except -1:
        cdef Hit* h = <Hit*>realloc(self.buf, cap * sizeof(Hit))
        if h == NULL:
            raise MemoryError()
        self.buf = h
        self.cap = cap
        return 0

    cdef Py_ssize_t _scan(self, str text) except -1:
        """Find the hits of ``text``; returns how many (in ``self.buf``).

        A chunk of positions at a time: first the root table and the gate pick the
        starts worth a walk, and the memory is asked for each one's second edge; then
        the walks, in order.  A walk's steps wait on one another, the chunk's walks do
        not: their first reads of the table overlap."""
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t i, j, lim, m = 0, i0, i1, nc, q
        cdef Py_UCS4 a, b
        cdef const Entry* e
        cdef Py_ssize_t at[CHUNK]
        cdef const Entry* first[CHUNK]
        cdef bint walk[CHUNK]
        cdef uint64_t hpair[CHUNK]
        cdef uint64_t htriple[CHUNK]
        cdef bint go
        i0 = 0
        while i0 < n:
            i1 = i0 + CHUNK if i0 + CHUNK < n else n
            nc = 0
            # the gate's bits of the chunk's pairs and triples, asked for first (and kept)
            for i in range(i0, i1):
                if i + 1 < n:
                    a = PyUnicode_READ(kind, data, i)
                    b = PyUnicode_READ(kind, data, i + 1)
                    hpair[i - i0] = gate_bit(pair_key(a, b))
                    __builtin_prefetch(&self.gate[hpair[i - i0] >> 3])
                    if i + 2 < n:
                        htriple[i - i0] = gate_bit(triple_key(a, b, PyUnicode_READ(kind, data, i + 2)))
                        __builtin_prefetch(&self.gate[htriple[i - i0] >> 3])
            for i in range(i0, i1):
                a = PyUnicode_READ(kind, data, i)
                e = self._find(0, a)
                if e == NULL:
                    continue
                go = False
                if e.child >= 0 and i + 1 < n:
                    if self._gate_at(hpair[i - i0]) or (i + 2 < n and self._gate_at(htriple[i - i0])):
                        go = True
                        b = PyUnicode_READ(kind, data, i + 1)
                        __builtin_prefetch(&self.table[self._home((<uint64_t>e.child << 21) | <uint64_t>b)])
                if go or e.pat >= 0:
                    at[nc] = i
                    first[nc] = e
                    walk[nc] = go
                    nc += 1
            for q in range(nc):
                i = at[q]
                e = first[q]
                if e.pat >= 0:
                    self._push(&m, i, i + 1, e.pat)
                if not walk[q]:
                    continue
                lim = i + self.longest if i + self.longest < n else n
                j = i + 1
                while j < lim:
                    e = self._find(e.child, PyUnicode_READ(kind, data, j))
                    if e == NULL:
                        break
                    j += 1
                    if e.pat >= 0:
                        self._push(&m, i, j, e.pat)
                    if e.child < 0:
                        break
            i0 = i1
        return m

    def hits(self, str text):
        """Every occurrence of every pattern in ``text``: ``(pattern, start, end)`` in
        str offsets, ordered by end, then the longer first (as the automaton's
        overlapping search reports them)."""
        cdef Py_ssize_t m = self._scan(text), q
        cdef list out = [None] * m
        for q in range(m):
            out[q] = (self.buf[q].pat, self.buf[q].start, self.buf[q].end)
        return out

    def hits_packed(self, str text):
        """:meth:`hits` as one bytes object: the ``(pattern, start, end)`` of each hit as
        three native 64-bit integers, in the same order (no tuple per hit)."""
        cdef Py_ssize_t m = self._scan(text), q
        out = PyBytes_FromStringAndSize(NULL, 3 * m * sizeof(int64_t))
        cdef int64_t* w = <int64_t*>PyBytes_AS_STRING(out)
        for q in range(m):
            w[3 * q] = self.buf[q].pat
            w[3 * q + 1] = self.buf[q].start
            w[3 * q + 2] = self.buf[q].end
        return out

    def count(self, str text):
        """Number of hits in ``text``."""
        return self._scan(text)

    def memory(self):
        """Bytes the index holds (table, root table, pair bitmap)."""
        return ((self.mask + 1) * sizeof(Entry) + 0x10000 * sizeof(Entry)
                + (1 << GATE_BITS) // 8)
