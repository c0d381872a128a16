# Shared by textfix/fuzzy/_core.pyx and textfix/rules/_scan.pyx (textual include):
# reading str objects without copying them, an open-addressing hash map from
# uint64 keys (code points packed 21 bits each) to int64 values, and the bitmap of the
# character pairs a bigram model has seen.

from libc.stdint cimport uint64_t, int64_t, uint32_t, uint16_t, uint8_t
from libc.stdlib cimport malloc, calloc, free


cdef extern from "Python.h":
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index)


# -- memory on 2 MB pages ------------------------------------------------------

cdef extern from *:
    """
    #include <stdlib.h>
    #if defined(__linux__)
    #include <sys/mman.h>
    #endif
    /* size bytes aligned to 2 MB and, where the platform has them, asked to be backed
       by 2 MB pages (read at random, the table then needs 512 times fewer address
       translations); NULL where out of memory.  free() releases it. */
    static void* tf_alloc_huge(size_t size, int huge) {
        void* p = NULL;
        size_t unit = (size_t)1 << 21;
    #if defined(_WIN32)
        return malloc(size);
    #endif
        if (!huge || size < unit)
            return malloc(size);
        size = (size + unit - 1) & ~(unit - 1);
        if (posix_memalign(&p, unit, size) != 0)
            return NULL;
    #if defined(__linux__) && defined(MADV_HUGEPAGE)
        madvise(p, size, MADV_HUGEPAGE);
    #endif
        return p;
    }
    """
    void* tf_alloc_huge(size_t size, int huge) nogil


# Whether map_init asks for 2 MB pages for a map of 2 MB or more: set by the scorer's
# core while it makes its maps (under textfix._hugepages.enabled()), False otherwise.
# Their look-ups land at random in tens of megabytes; on 4 KB pages many also miss the
# address-translation cache.
cdef bint map_huge = False


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
    m.keys = <uint64_t*>tf_alloc_huge(cap * sizeof(uint64_t), map_huge)
    m.vals = <int64_t*>tf_alloc_huge(cap * sizeof(int64_t), map_huge)
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


# -- which character pairs a bigram model has seen -------------------------------------
#
# The pairs of the (at most RANKED) most frequent characters of the Basic Multilingual
# Plane, as a bitmap by rank: bit rank(a) * nrank + rank(b).  Every pair of a page is
# asked about; the bitmap needs no probing and keeps the frequent pairs close together,
# where a hash map spreads them over memory.  A pair it cannot key (a character without
# a rank) is for the caller's maps.

cdef enum:
    RANKED = 4096  # characters with a rank (a bitmap of 2 MB at most)
    NO_RANK = 0xFFFF

cdef struct SeenPairs:
    uint16_t* rank  # BMP code point -> its rank by count, NO_RANK: none; NULL: no table
    uint8_t* bits
    uint32_t nrank


cdef void seen_clear(SeenPairs* sp) noexcept:
    sp.rank = NULL
    sp.bits = NULL
    sp.nrank = 0


cdef int seen_rank(SeenPairs* sp, dict counts) except -1:
    """Rank the one-character BMP keys of ``counts`` (character -> count) by count, then
    code point, the first RANKED of them; the bitmap starts empty.  Returns 0."""
    cdef uint32_t i
    chars = sorted((c for c in counts if len(c) == 1 and ord(c) < 0x10000),
                   key=lambda c: (-counts[c], c))[:RANKED]
    sp.nrank = len(chars)
    sp.rank = <uint16_t*>malloc(0x10000 * sizeof(uint16_t))
    sp.bits = <uint8_t*>calloc((<size_t>sp.nrank * sp.nrank + 7) // 8 + 1, 1)
    if sp.rank == NULL or sp.bits == NULL:
        raise MemoryError()
    for i in range(0x10000):
        sp.rank[i] = NO_RANK
    for i, c in enumerate(chars):
        sp.rank[first_char(c)] = <uint16_t>i
    return 0


cdef inline bint seen_key(const SeenPairs* sp, Py_UCS4 a, Py_UCS4 b, uint32_t* key) noexcept nogil:
    """The bit of the pair ``a b`` into ``key``; False where it has none."""
    cdef uint32_t ra, rb
    if a >= 0x10000 or b >= 0x10000 or sp.rank == NULL:
        return False
    ra = sp.rank[a]
    rb = sp.rank[b]
    if ra == NO_RANK or rb == NO_RANK:
        return False
    key[0] = ra * sp.nrank + rb
    return True


cdef inline void seen_add(SeenPairs* sp, Py_UCS4 a, Py_UCS4 b) noexcept:
    """Mark the pair seen (nothing where it has no bit)."""
    cdef uint32_t k
    if seen_key(sp, a, b, &k):
        sp.bits[k >> 3] |= <uint8_t>(1 << (k & 7))


cdef inline bint seen_has(const SeenPairs* sp, uint32_t key) noexcept nogil:
    return (sp.bits[key >> 3] >> (key & 7)) & 1


cdef void seen_free(SeenPairs* sp) noexcept:
    free(sp.rank)
    free(sp.bits)
    seen_clear(sp)
