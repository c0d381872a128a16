# Shared by textfix/fuzzy/_core.pyx and textfix/rules/_scan.pyx (textual include):
# reading str objects without copying them, and an open-addressing hash map from
# uint64 keys (code points packed 21 bits each) to int64 values.

from libc.stdint cimport uint64_t, int64_t
from libc.stdlib cimport malloc, free


cdef extern from "Python.h":
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index)


# -- an open-addressing hash map uint64 -> int64 --------------------------------

cdef extern from *:
    """
    #define TF_EMPTY 0xFFFFFFFFFFFFFFFFULL
    """
    uint64_t EMPTY "TF_EMPTY"

cdef struct Map:
    uint64_t* keys
    int64_t* vals
    uint64_t mask
    int shift
    Py_ssize_t n


cdef inline uint64_t _slot(const Map* m, uint64_t key) nogil:
    return (key * <uint64_t>0x9E3779B97F4A7C15) >> m.shift


cdef int map_init(Map* m, Py_ssize_t expected) except -1:
    cdef uint64_t cap = 16
    cdef int bits = 4
    while cap < <uint64_t>(2 * expected + 2):
        cap <<= 1
        bits += 1
    m.keys = <uint64_t*>malloc(cap * sizeof(uint64_t))
    m.vals = <int64_t*>malloc(cap * sizeof(int64_t))
    if m.keys == NULL or m.vals == NULL:
        raise MemoryError()
    cdef uint64_t i
    for i in range(cap):
        m.keys[i] = EMPTY
    m.mask = cap - 1
    m.shift = 64 - bits
    m.n = 0
    return 0


cdef void map_free(Map* m) noexcept:
    free(m.keys)
    free(m.vals)
    m.keys = NULL
    m.vals = NULL


cdef inline int64_t map_get(const Map* m, uint64_t key, int64_t default) noexcept nogil:
    cdef uint64_t i = _slot(m, key)
    cdef uint64_t k
    while True:
        k = m.keys[i]
        if k == key:
            return m.vals[i]
        if k == EMPTY:
            return default
        i = (i + 1) & m.mask


cdef extern from *:
    void __builtin_prefetch(const void* p) noexcept nogil


cdef inline void map_prefetch(const Map* m, uint64_t key) noexcept nogil:
    """Ask the memory for the slot where map_get will first look for ``key`` (and its
    value): a caller with several independent look-ups asks for all of them first."""
    cdef uint64_t i = _slot(m, key)
    __builtin_prefetch(&m.keys[i])
    __builtin_prefetch(&m.vals[i])


cdef int map_grow(Map* m) except -1:
    cdef Map old = m[0]
    map_init(m, 2 * (old.mask + 1))
    cdef uint64_t i
    for i in range(old.mask + 1):
        if old.keys[i] != EMPTY:
            map_put(m, old.keys[i], old.vals[i])
    map_free(&old)
    return 0


cdef int map_put(Map* m, uint64_t key, int64_t val) except -1:
    """Insert or overwrite; returns 0."""
    if 2 * (m.n + 1) > <Py_ssize_t>(m.mask + 1):
        map_grow(m)
    cdef uint64_t i = _slot(m, key)
    cdef uint64_t k
    while True:
        k = m.keys[i]
        if k == key:
            m.vals[i] = val
            return 0
        if k == EMPTY:
            m.keys[i] = key
            m.vals[i] = val
            m.n += 1
            return 0
        i = (i + 1) & m.mask


cdef inline uint64_t pair(Py_UCS4 a, Py_UCS4 b) noexcept nogil:
    return (<uint64_t>a << 21) | <uint64_t>b


cdef inline Py_UCS4 char_at(s, Py_ssize_t i):
    return PyUnicode_READ(PyUnicode_KIND(s), PyUnicode_DATA(s), i)


cdef inline Py_UCS4 first_char(s):
    return char_at(s, 0)
