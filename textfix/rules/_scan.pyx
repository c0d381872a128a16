# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twins of two stage scans: the same results as their pure-Python
definitions, which stay the reference (``tests/test_core.py`` compares them).

* :func:`doubled_starts` — :func:`textfix.rules.repeat._starts_py`, where a doubled
  unit can start;
* :class:`JoinCounts` — :func:`textfix.rules.garbled._bounds_py`, the running
  counts of rare lone characters and unseen character pairs.
"""

from libc.stdint cimport uint64_t, int64_t
from libc.stdlib cimport malloc, free
from libc.string cimport memcmp


include "../_hashmap.pxi"


cdef inline bint is_gap(Py_UCS4 c) noexcept nogil:
    return c == 0x20 or c == 0x09 or c == 0x3000 or c == 0x0A


def doubled_starts(str text, Py_ssize_t max_unit):
    """As :func:`textfix.rules.repeat._starts_py` (with ``MAX_UNIT`` = ``max_unit``):
    the offsets where a doubled unit may start, in order."""
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
    cdef Map last
    last.keys = NULL
    last.vals = NULL
    try:
        if packed == NULL or pos == NULL or nxt == NULL:
            raise MemoryError()
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if not is_gap(c):
                packed[m] = c
                pos[m] = i
                nxt[m] = -1
                m += 1
        map_init(&last, m)
        # each pair's next occurrence, where it is close enough
        for i in range(m - 1):
            p = map_get(&last, pair(packed[i], packed[i + 1]), -1)
            if p >= 0 and i - p <= max_unit:
                nxt[p] = i
            map_put(&last, pair(packed[i], packed[i + 1]), i)
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
        map_free(&last)
    return hits


cdef class JoinCounts:
    """The tables :func:`textfix.rules.garbled._bounds_py` reads: the rare lone
    characters and which character pairs are unseen joins."""

    cdef Map rare, bi, uni
    cdef double floor  # EXPECTED * total

    def __init__(self, rare, dict bi, dict uni, int64_t total, double expected):
        """``rare`` a set of characters; ``bi``, ``uni`` and ``total`` as
        :class:`textfix.rules.garbled.Bigrams` holds them; ``expected`` its
        ``EXPECTED``."""
        map_init(&self.rare, len(rare))
        for c in rare:
            if len(c) == 1:
                map_put(&self.rare, first_char(c), 1)
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

    def __dealloc__(self):
        map_free(&self.rare)
        map_free(&self.bi)
        map_free(&self.uni)

    cdef inline bint _unseen(self, Py_UCS4 a, Py_UCS4 b) noexcept nogil:
        if map_get(&self.bi, pair(a, b), 0) != 0:
            return False
        return <double>(map_get(&self.uni, a, 0) * map_get(&self.uni, b, 0)) >= self.floor

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
            cr += map_get(&self.rare, a, 0) != 0
            chars.append(cr)
            if i + 1 < n:
                b = PyUnicode_READ(kind, data, i + 1)
                cp += self._unseen(a, b)
                pairs.append(cp)
        return chars, pairs
