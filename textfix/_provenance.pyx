# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twin of :class:`textfix.provenance.SourceMap`.

:class:`Map` holds the same pieces and computes what the pure-Python class computes,
step by step and query by query: :meth:`Map.step`, :meth:`Map.edits`,
:meth:`Map.source_spans`, :meth:`Map.source_span`, :meth:`Map.output_span` (and the
piece walk and boundary look-up behind them).  The pure class stays the reference;
``tests/test_provenance_twin.py`` compares the two on random steps and on the pages.
A :class:`~textfix.provenance.SourceMap` uses a :class:`Map` where it was built and
``TEXTFIX_PURE_PYTHON`` is not set.
"""

cimport cython
from cpython.object cimport PyObject
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.tuple cimport PyTuple_GET_SIZE
from cpython.float cimport PyFloat_AS_DOUBLE
from libc.stdlib cimport malloc, free, realloc
from libc.string cimport memcpy


cdef extern from "Python.h":
    int PyList_Append(object lst, PyObject* item) except -1

from .edit import Edit, Safety

cdef object _Edit = Edit
cdef object _SAFE = Safety.SAFE
cdef object _SafetyType = Safety


# -- Edits made without the Python __init__ -----------------------------------------
#
# Edit.__init__ sets its nine slots through their setters; new_edit stores the same
# values in the same slots of a freshly allocated Edit, where the slots' member
# descriptors say they are (checked when the module is loaded: the slots are plain
# object slots of an Edit with no __dict__).

include "_slots.pxi"

cdef Py_ssize_t[9] _OFF
cdef enum:
    START, END, NEW, OLD, RULES, SAFETY, CONFIDENCE, NOTE, MOVED_FROM


# (a C flag: the helpers below ask it once per field they read)
cdef bint _SLOTS = slot_offsets(Edit, ("start", "end", "new", "old", "rules", "safety", "confidence",
                                        "note", "moved_from"), _OFF)
#: Whether :func:`new_edit` can be used (the slots are where they are looked for).
SLOTS_KNOWN = _SLOTS


cdef inline object mk_edit(object start, object end, object new, object old, object rules,
                           object safety, object confidence, object note, object moved_from):
    if not _SLOTS:
        return _Edit(start, end, new, old, rules, safety, confidence, note, moved_from)
    e = tf_alloc(_Edit)
    tf_set(e, _OFF[0], start)
    tf_set(e, _OFF[1], end)
    tf_set(e, _OFF[2], new)
    tf_set(e, _OFF[3], old)
    tf_set(e, _OFF[4], rules)
    tf_set(e, _OFF[5], safety)
    tf_set(e, _OFF[6], confidence)
    tf_set(e, _OFF[7], note)
    tf_set(e, _OFF[8], moved_from)
    untrack_edit(e)
    return e


# -- Edits the cyclic garbage collector need not follow -------------------------------
#
# An Edit whose fields are numbers, strings, None, a Safety and a tuple of strings can
# be part of no reference cycle, so the collector has nothing to find in it; untracked
# (as CPython untracks such tuples and dicts itself), it is no longer traversed by each
# collection that runs while it lives.  A page's result holds ~1,000 Edits and the
# tuples of them in its source map, and the first collection after each cleaned page
# walked them all.  An untracked object is still freed by its reference count, and a
# tracked object it refers to is still seen as referred to.

cdef extern from "Python.h":
    void PyObject_GC_UnTrack(object o)
    int PyObject_GC_IsTracked(object o)


cdef inline bint _atom(object v) noexcept:
    t = type(v)
    return v is None or t is int or t is str or t is float or t is bool


cdef bint untrack_edit(object e) noexcept:
    """Untrack the Edit ``e`` where its fields can hold no cycle; whether it is untracked."""
    cdef PyObject* v
    cdef int k
    if not _SLOTS or type(e) is not _Edit:
        return False
    if not PyObject_GC_IsTracked(e):
        return True
    for k in range(9):
        v = tf_get(e, _OFF[k])
        if v == NULL:
            return False
        if k == RULES:
            if type(<object>v) is not tuple:
                return False
            for r in <tuple>v:
                if type(r) is not str:
                    return False
        elif k == SAFETY:
            if not (<object>v is None or type(<object>v) is _SafetyType):
                return False
        elif not _atom(<object>v):
            return False
    PyObject_GC_UnTrack(e)
    return True


cdef tuple untracked(tuple edits):
    """``edits``, untracked where every one of its Edits is (see :func:`untrack_edit`)."""
    for e in edits:
        if PyObject_GC_IsTracked(e):
            return edits
    if PyObject_GC_IsTracked(edits):
        PyObject_GC_UnTrack(edits)
    return edits


cdef inline object field(object e, int k, str name):
    """Field ``k`` of an Edit (read from its slot when ``e`` is an Edit and the slot
    is set)."""
    cdef PyObject* v
    if _SLOTS and type(e) is _Edit:
        v = tf_get(e, _OFF[k])
        if v != NULL:
            return <object>v
    return getattr(e, name)


def new_edit(start, end, new, old, rules, safety, confidence, note, moved_from):
    """``Edit(start, end, new, old, rules, safety, confidence, note, moved_from)``,
    made without running the Python ``__init__``."""
    return mk_edit(start, end, new, old, rules, safety, confidence, note, moved_from)


def change(start, end, new):
    """``Edit(start, end, new)``, the plain proposal (every other field its default),
    made without running the Python ``__init__``: see :func:`textfix.rule.change`."""
    return mk_edit(start, end, new, None, (), None, 1.0, "", None)

cdef enum:
    KEPT = 0
    MOVED = 1
    CHANGED = 2

cdef Py_ssize_t FAR = (<Py_ssize_t>1) << 62


# -- pieces -------------------------------------------------------------------------
#
# A piece of the map is a C struct, the pieces an array the map owns: a step copies the
# pieces it does not touch with memcpy, and makes none of them again.  A piece's text
# (a changed piece's current text) and edits (the tuple of the step edits that made a
# changed or moved piece) are borrowed from the map's ``objs``, where every str and
# tuple a piece has ever pointed to is kept until the map goes: so a piece is copied
# without touching a reference count, and a step that fails half way leaves the map
# as it was.  A kept piece has neither (NULL), nor a moved piece a text.  What the
# list keeps beyond the pieces alive now is the texts and tuples of pieces later steps
# replaced: a few hundred small objects a page.

cdef struct Piece:
    Py_ssize_t s0, s1, n, origin
    int kind
    PyObject* text
    PyObject* edits


cdef struct Pieces:
    Piece* a
    Py_ssize_t n, cap


cdef int grow(Pieces* b, Py_ssize_t need) except -1:
    cdef Py_ssize_t cap
    cdef Piece* a
    if need <= b.cap:
        return 0
    cap = 2 * b.cap if b.cap else 16
    if cap < need:
        cap = need
    a = <Piece*>realloc(b.a, cap * sizeof(Piece))
    if a == NULL:
        raise MemoryError()
    b.a = a
    b.cap = cap
    return 0


cdef inline int add(Pieces* b, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t n, int kind,
                    PyObject* text, PyObject* edits, Py_ssize_t origin) except -1:
    """Append a piece (no merging)."""
    cdef Piece* p
    if b.n == b.cap:
        grow(b, b.n + 1)
    p = &b.a[b.n]
    p.s0 = s0
    p.s1 = s1
    p.n = n
    p.kind = kind
    p.text = text
    p.edits = edits
    p.origin = origin
    b.n += 1
    return 0


cdef inline int push_kept(Pieces* sink, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t n) except -1:
    """:func:`textfix.provenance._push` of a kept piece: none if empty, else merged with
    the kept piece it continues."""
    cdef Piece* q
    if n == 0:
        return 0
    if sink.n:
        q = &sink.a[sink.n - 1]
        if q.kind == KEPT and q.s1 == s0:
            q.s1 = s1
            q.n += n
            q.text = q.edits = NULL
            return 0
    return add(sink, s0, s1, n, KEPT, NULL, NULL, 0)


cdef inline int push(Pieces* sink, Piece* p) except -1:
    """:func:`textfix.provenance._push`."""
    if p.kind == KEPT:
        if p.n == 0:
            return 0
        if sink.n and sink.a[sink.n - 1].kind == KEPT and sink.a[sink.n - 1].s1 == p.s0:
            return push_kept(sink, p.s0, p.s1, p.n)
    if sink.n == sink.cap:
        grow(sink, sink.n + 1)
    sink.a[sink.n] = p[0]
    sink.n += 1
    return 0


cdef inline object text_of(Piece* p):
    return <object>p.text if p.text != NULL else None


cdef inline tuple edits_of(Piece* p):
    return <tuple>p.edits if p.edits != NULL else ()


cdef inline Py_ssize_t bisect_right(Py_ssize_t* a, Py_ssize_t x, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    cdef Py_ssize_t mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if x < a[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


cdef inline Py_ssize_t bisect_left(Py_ssize_t* a, Py_ssize_t x, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    cdef Py_ssize_t mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline object spliced(str text, Py_ssize_t a, Py_ssize_t b, list edits, Py_ssize_t g0, Py_ssize_t g1):
    """:func:`textfix.provenance._spliced` of ``edits[g0:g1]``."""
    cdef list out = []
    cdef Py_ssize_t off = a, k, st
    for k in range(g0, g1):
        e = <object>PyList_GET_ITEM(edits, k)
        st = field(e, START, "start")
        out.append(text[off:st])
        out.append(field(e, NEW, "new"))
        off = field(e, END, "end")
    out.append(text[off:b])
    return "".join(out)


cdef object compose_edit(Py_ssize_t s0, Py_ssize_t s1, str old, object new, tuple steps):
    """:func:`textfix.provenance._compose_edit`."""
    cdef list rules, notes
    if PyTuple_GET_SIZE(steps) == 1:
        e = steps[0]
        sf = field(e, SAFETY, "safety")
        return mk_edit(s0, s1, new, old, field(e, RULES, "rules"), _SAFE if sf is None else sf,
                       field(e, CONFIDENCE, "confidence"), field(e, NOTE, "note"), None)
    rules = []
    notes = []
    safety = _SAFE
    confidence = 1.0
    for e in steps:
        for r in e.rules:
            if r not in rules:
                rules.append(r)
        note = e.note
        if note and note not in notes:
            notes.append(note)
        sf = e.safety
        if sf is None:
            sf = _SAFE
        if sf < safety:
            safety = sf
        c = e.confidence
        if c < confidence:
            confidence = c
    return mk_edit(s0, s1, new, old, tuple(rules), safety, confidence, "; ".join(notes), None)


cdef struct Cursor:
    # :class:`textfix.provenance._Cursor` over the pieces ``old`` and their ends
    Piece* old
    Py_ssize_t* ends  # ends[i]: where piece i ends
    Py_ssize_t np, i, pos
    Piece cur  # the piece at i, or what is left of it
    bint has  # whether there is one (i < np)
    bint whole  # whether cur is old[i] as it is


cdef inline void load(Cursor* c) noexcept:
    c.has = c.i < c.np
    if c.has:
        c.cur = c.old[c.i]
        c.whole = True


cdef int take(Cursor* c, Py_ssize_t limit, Pieces* sink, bint copying) except -1:
    cdef Py_ssize_t end, j, d
    cdef Piece* p = &c.cur
    while c.has:
        end = c.pos + p.n
        if end < limit or (end == limit and (p.n > 0 or copying)):
            push(sink, p)
            if copying and c.whole:
                j = bisect_right(c.ends, limit, c.i + 1, c.np)
                if j > c.i + 1:  # the pieces before the limit, as they are
                    grow(sink, sink.n + j - c.i - 1)
                    memcpy(sink.a + sink.n, c.old + c.i + 1, (j - c.i - 1) * sizeof(Piece))
                    sink.n += j - c.i - 1
                c.i = j
                c.pos = c.ends[j - 1]
            else:
                c.pos = end
                c.i += 1
            load(c)
        elif c.pos < limit:
            d = limit - c.pos
            if p.kind == KEPT:
                push_kept(sink, p.s0, p.s0 + d, d)
                p.s0 += d
                p.n -= d
                p.text = p.edits = NULL
            elif p.kind == MOVED:
                add(sink, p.s0, p.s0, d, MOVED, NULL, p.edits, p.origin)
                p.s1 = p.s0
                p.n -= d
                p.origin += d
                p.text = NULL
            else:
                raise AssertionError("a changed piece is never split")
            c.whole = False
            c.pos = limit
            return 0
        else:
            return 0
    return 0


cdef class Map:
    """The pieces of :class:`textfix.provenance.SourceMap`, composed and queried the
    same way."""
    cdef readonly str source
    cdef Pieces pcs
    cdef list objs  # the strs and tuples the pieces point to (see above)
    cdef Py_ssize_t* starts  # output start of each piece, then the text's length
    cdef Py_ssize_t* src  # source start of each piece
    cdef Py_ssize_t* moved  # moved pieces before each index (len + 1)
    cdef Py_ssize_t cap
    cdef bint have_starts, have_src, have_moved

    def __cinit__(self, str source):
        self.source = source
        n = len(source)
        self.pcs.a = NULL
        self.pcs.n = self.pcs.cap = 0
        self.objs = []
        if n:
            add(&self.pcs, 0, n, n, KEPT, NULL, NULL, 0)
        self.starts = NULL
        self.src = NULL
        self.moved = NULL
        self.cap = 0

    def __dealloc__(self):
        free(self.pcs.a)
        free(self.starts)
        free(self.src)
        free(self.moved)

    cdef inline PyObject* _keep(self, object o) except? NULL:
        """``o``, kept alive by the map, as the pointer a piece holds."""
        if o is None:
            return NULL
        PyList_Append(self.objs, <PyObject*>o)
        return <PyObject*>o

    def pieces_as_tuples(self):
        """``(s0, s1, n, kind, text, origin, edits)`` of every piece (origin None
        unless moved), for comparing with the pure map."""
        cdef Py_ssize_t k
        cdef Piece* p
        out = []
        for k in range(self.pcs.n):
            p = &self.pcs.a[k]
            out.append((p.s0, p.s1, p.n, p.kind, text_of(p), p.origin if p.kind == MOVED else None,
                        edits_of(p)))
        return out

    def set_pieces(self, pieces):
        """Replace the pieces with ``(s0, s1, n, kind, text, origin, edits)`` tuples
        (as :meth:`pieces_as_tuples` gives them)."""
        cdef Pieces new
        new.a = NULL
        new.n = new.cap = 0
        objs = self.objs
        self.objs = []
        try:
            for s0, s1, n, kind, text, origin, edits in pieces:
                t = tuple(edits)
                add(&new, s0, s1, n, kind, self._keep(text), self._keep(t) if t else NULL,
                    0 if origin is None else origin)
        except BaseException:
            free(new.a)
            self.objs = objs
            raise
        free(self.pcs.a)
        self.pcs = new
        self._invalidate()

    # -- lookups ------------------------------------------------------------------
    cdef int _reserve(self) except -1:
        cdef Py_ssize_t need = self.pcs.n + 1
        if need <= self.cap:
            return 0
        cdef Py_ssize_t cap = need * 2
        free(self.starts)
        free(self.src)
        free(self.moved)
        self.starts = <Py_ssize_t*>malloc(cap * sizeof(Py_ssize_t))
        self.src = <Py_ssize_t*>malloc(cap * sizeof(Py_ssize_t))
        self.moved = <Py_ssize_t*>malloc(cap * sizeof(Py_ssize_t))
        if self.starts == NULL or self.src == NULL or self.moved == NULL:
            free(self.starts)
            free(self.src)
            free(self.moved)
            self.starts = self.src = self.moved = NULL
            self.cap = 0
            raise MemoryError()
        self.cap = cap
        self.have_starts = self.have_src = self.have_moved = False
        return 0

    cdef inline int _out_starts(self) except -1:
        cdef Py_ssize_t i, np, pos = 0
        cdef Piece* a
        if self.have_starts:
            return 0
        self._reserve()
        np = self.pcs.n
        a = self.pcs.a
        for i in range(np):
            self.starts[i] = pos
            pos += a[i].n
        self.starts[np] = pos
        self.have_starts = True
        return 0

    cdef inline void _invalidate(self) noexcept:
        self.have_starts = self.have_src = self.have_moved = False

    cpdef list source_spans(self, Py_ssize_t start, Py_ssize_t end):
        """As :meth:`textfix.provenance.SourceMap.source_spans`."""
        cdef Piece* pieces = self.pcs.a
        cdef Py_ssize_t np = self.pcs.n, i, j, k, a, b, pt
        cdef Py_ssize_t* starts
        cdef Py_ssize_t* moved
        cdef Piece* p
        cdef Piece* q
        if np == 0:
            return [(0, 0)]
        if start >= end:
            pt = self._point(start)
            return [(pt, pt)]
        self._out_starts()
        starts = self.starts
        i = bisect_right(starts, start, 0, np) - 1
        if i < 0:
            i = 0
        j = bisect_left(starts, end, 0, np) - 1
        if j > i:
            moved = self.moved
            if not self.have_moved:
                moved[0] = 0
                for k in range(np):
                    moved[k + 1] = moved[k] + (pieces[k].kind == MOVED)
                self.have_moved = True
            if moved[j + 1] == moved[i]:
                p = &pieces[i]
                if not (min(end, starts[i] + p.n) > max(start, starts[i])
                        or (p.n == 0 and start <= starts[i])):
                    i += 1
                    p = &pieces[i]
                a = p.s0 + max(start - starts[i], 0) if p.kind == KEPT else p.s0
                q = &pieces[j]
                b = q.s0 + min(end, starts[j] + q.n) - starts[j] if q.kind == KEPT else q.s1
                return [(a, b)]
        return self._walk(start, end, i)

    def spans_by_piece(self, Py_ssize_t start, Py_ssize_t end):
        """As :meth:`textfix.provenance.SourceMap._spans_by_piece`."""
        cdef Py_ssize_t i
        self._out_starts()
        i = bisect_right(self.starts, start, 0, self.pcs.n) - 1
        return self._walk(start, end, i if i > 0 else 0)

    cdef list _walk(self, Py_ssize_t start, Py_ssize_t end, Py_ssize_t i):
        cdef Piece* pieces = self.pcs.a
        cdef Py_ssize_t np = self.pcs.n, lo, hi, st, x0, x1, l0 = 0, l1 = 0, pt
        cdef Py_ssize_t* starts
        cdef list spans = []
        cdef Piece* p
        cdef bint have = False
        self._out_starts()
        starts = self.starts
        while i < np and starts[i] < end:
            p = &pieces[i]
            st = starts[i]
            lo = max(start, st)
            hi = min(end, st + p.n)
            if hi > lo or (p.n == 0 and start <= st < end):
                if p.kind == KEPT:
                    x0 = p.s0 + lo - st
                    x1 = p.s0 + hi - st
                elif p.kind == MOVED:
                    x0 = p.origin + lo - st
                    x1 = p.origin + hi - st
                else:
                    x0 = p.s0
                    x1 = p.s1
                if have and l1 == x0:
                    l1 = x1
                    spans[PyList_GET_SIZE(spans) - 1] = (l0, l1)
                elif not have or l0 != x0 or l1 != x1:
                    spans.append((x0, x1))
                    l0 = x0
                    l1 = x1
                    have = True
            i += 1
        if not have:
            pt = self._point(start)
            return [(pt, pt)]
        return spans

    cpdef tuple source_span(self, Py_ssize_t start, Py_ssize_t end):
        """As :meth:`textfix.provenance.SourceMap.source_span`."""
        cdef list spans = self.source_spans(start, end)
        cdef Py_ssize_t k, m = PyList_GET_SIZE(spans), lo, hi, a, b
        cdef tuple t
        if m == 1:
            return <tuple>PyList_GET_ITEM(spans, 0)
        t = <tuple>PyList_GET_ITEM(spans, 0)
        lo = t[0]
        hi = t[1]
        for k in range(1, m):
            t = <tuple>PyList_GET_ITEM(spans, k)
            a = t[0]
            b = t[1]
            if a < lo:
                lo = a
            if b > hi:
                hi = b
        return lo, hi

    cdef Py_ssize_t _point(self, Py_ssize_t pos) except? -1:
        cdef Py_ssize_t i, off, np = self.pcs.n
        cdef Piece* p
        self._out_starts()
        i = bisect_right(self.starts, pos, 0, np) - 1
        if i < 0:
            return 0
        p = &self.pcs.a[i]
        off = pos - self.starts[i]
        if off >= p.n:
            return p.s1
        return p.s0 + off if p.kind == KEPT else p.s0

    def point(self, Py_ssize_t pos):
        """As :meth:`textfix.provenance.SourceMap._point`."""
        return self._point(pos)

    def output_span(self, Py_ssize_t s0, Py_ssize_t s1):
        """As :meth:`textfix.provenance.SourceMap.output_span`."""
        cdef Piece* pieces = self.pcs.a
        cdef Py_ssize_t np = self.pcs.n, i, j, a, b, k
        cdef Py_ssize_t* src
        cdef Py_ssize_t* starts
        cdef Piece* p
        cdef Piece* q
        if np == 0:
            return 0, 0
        self._out_starts()
        src = self.src
        if not self.have_src:
            for k in range(np):
                src[k] = pieces[k].s0
            self.have_src = True
        starts = self.starts
        i = bisect_right(src, s0, 0, np) - 1
        if i < 0:
            i = 0
        p = &pieces[i]
        if s0 < p.s1:
            a = starts[i] + (s0 - p.s0 if p.kind == KEPT else 0)
        else:
            a = starts[i] + p.n
        if s1 <= s0:
            return a, a
        j = bisect_left(src, s1, 0, np) - 1
        if j < 0:
            j = 0
        q = &pieces[j]
        if s1 <= q.s1 and q.kind == KEPT:
            b = starts[j] + s1 - q.s0
        else:
            b = starts[j] + q.n
        return a, max(a, b)

    # -- composition --------------------------------------------------------------
    cdef void _widen(self, Py_ssize_t* a, Py_ssize_t* b) noexcept:
        cdef Py_ssize_t np = self.pcs.n, i
        cdef Py_ssize_t* starts = self.starts
        cdef Piece* p
        i = bisect_left(starts, a[0], 0, np) - 1
        if i >= 0:
            p = &self.pcs.a[i]
            if p.kind == CHANGED and starts[i] + p.n > a[0]:
                a[0] = starts[i]
        i = bisect_left(starts, b[0], 0, np) - 1
        if i >= 0:
            p = &self.pcs.a[i]
            if p.kind == CHANGED and starts[i] + p.n > b[0]:
                b[0] = starts[i] + p.n

    def step(self, str text, edits):
        """As :meth:`textfix.provenance.SourceMap.step`."""
        cdef list es = edits if type(edits) is list else list(edits)
        cdef Py_ssize_t m = PyList_GET_SIZE(es)
        if m == 0:
            return
        self._out_starts()
        cdef Py_ssize_t np = self.pcs.n
        cdef Py_ssize_t* buf = <Py_ssize_t*>malloc(4 * m * sizeof(Py_ssize_t))
        if buf == NULL:
            raise MemoryError()
        cdef Py_ssize_t* ca = buf  # cluster start
        cdef Py_ssize_t* cb = buf + m  # cluster end
        cdef Py_ssize_t* cg = buf + 2 * m  # its first edit
        cdef Py_ssize_t* cmv = buf + 3 * m  # a move?
        cdef Py_ssize_t nc = 0, k, j, a, b, g0, g1, off, s0, s1, est, een, mf, point
        cdef PyObject* t
        cdef bint is_move
        cdef Cursor cur
        cdef Piece q
        cdef Piece* p
        cdef Pieces new, consumed, moved
        cdef str source = self.source
        cdef tuple prior
        new.a = consumed.a = moved.a = NULL
        new.n = new.cap = consumed.n = consumed.cap = moved.n = moved.cap = 0
        try:
            for k in range(m):
                e = <object>PyList_GET_ITEM(es, k)
                est = field(e, START, "start")
                een = field(e, END, "end")
                a = est
                b = een
                self._widen(&a, &b)
                is_move = field(e, MOVED_FROM, "moved_from") is not None and a == b == est
                if nc and not is_move and not cmv[nc - 1] and a < cb[nc - 1]:
                    if b > cb[nc - 1]:
                        cb[nc - 1] = b
                else:
                    ca[nc] = a
                    cb[nc] = b
                    cg[nc] = k
                    cmv[nc] = is_move
                    nc += 1

            grow(&new, np + 2 * nc + 1)
            cur.old = self.pcs.a
            cur.ends = self.starts + 1
            cur.np = np
            cur.i = cur.pos = 0
            load(&cur)
            for k in range(nc):
                a = ca[k]
                b = cb[k]
                g0 = cg[k]
                g1 = cg[k + 1] if k + 1 < nc else m
                is_move = cmv[k]
                if not is_move and cur.has and a >= cur.pos + cur.cur.n:
                    take(&cur, a, &new, True)
                if not is_move and cur.has and cur.cur.kind == KEPT and b < cur.pos + cur.cur.n:
                    q = cur.cur
                    off = cur.pos
                    s0 = q.s0 + a - off
                    s1 = q.s0 + b - off
                    if a > off:
                        push_kept(&new, q.s0, s0, a - off)
                    e = <object>PyList_GET_ITEM(es, g0)
                    if g1 - g0 == 1 and field(e, START, "start") == a and field(e, END, "end") == b:
                        new_text = field(e, NEW, "new")
                    else:
                        new_text = spliced(text, a, b, es, g0, g1)
                    # (compared in place, and one edit's tuple made directly: no slice)
                    if len(new_text) == s1 - s0 and source.startswith(new_text, s0):
                        push_kept(&new, s0, s1, s1 - s0)
                    else:
                        add(&new, s0, s1, len(new_text), CHANGED, self._keep(new_text),
                            self._keep(untracked((e,) if g1 - g0 == 1 else tuple(es[g0:g1]))), 0)
                    if b > off:
                        cur.cur.s0 = s1
                        cur.cur.n = q.n - (b - off)
                        cur.cur.text = cur.cur.edits = NULL
                        cur.whole = False
                        cur.pos = b
                    continue
                take(&cur, a, &new, True)
                if is_move:
                    e = <object>PyList_GET_ITEM(es, g0)
                    point = self._point(a)
                    mf = e.moved_from
                    moved.n = 0
                    self._slice(mf, mf + len(e.new), &moved)
                    for j in range(moved.n):
                        p = &moved.a[j]
                        t = self._keep(untracked(edits_of(p) + (e,)))
                        if p.kind == CHANGED:
                            add(&new, point, point, p.n, CHANGED, p.text, t, 0)
                        else:
                            add(&new, point, point, p.n, MOVED, NULL, t, p.origin)
                    continue
                consumed.n = 0
                s0 = self._point(a)
                take(&cur, b, &consumed, False)
                s1 = consumed.a[consumed.n - 1].s1 if consumed.n else s0
                prior = ()
                for j in range(consumed.n):
                    if consumed.a[j].kind != KEPT:
                        prior += edits_of(&consumed.a[j])
                new_text = spliced(text, a, b, es, g0, g1)
                if len(new_text) == s1 - s0 and source.startswith(new_text, s0):
                    push_kept(&new, s0, s1, s1 - s0)
                else:
                    add(&new, s0, s1, len(new_text), CHANGED, self._keep(new_text),
                        self._keep(untracked(prior + tuple(es[g0:g1]))), 0)
            take(&cur, FAR, &new, True)
            free(self.pcs.a)
            self.pcs = new
            new.a = NULL
        finally:
            free(buf)
            free(new.a)
            free(consumed.a)
            free(moved.a)
        self._invalidate()

    cdef int _slice(self, Py_ssize_t start, Py_ssize_t end, Pieces* out) except -1:
        cdef Piece* pieces = self.pcs.a
        cdef Py_ssize_t np = self.pcs.n, i, lo, hi
        cdef Py_ssize_t* starts = self.starts
        cdef Piece* p
        i = bisect_right(starts, start, 0, np) - 1
        if i < 0:
            i = 0
        while i < np and starts[i] < end:
            p = &pieces[i]
            lo = max(start, starts[i]) - starts[i]
            hi = min(end, starts[i] + p.n) - starts[i]
            if hi > lo:
                if p.kind == KEPT:
                    add(out, p.s0 + lo, p.s0 + lo, hi - lo, MOVED, NULL, NULL, p.s0 + lo)
                elif p.kind == MOVED:
                    add(out, p.s0, p.s0, hi - lo, MOVED, NULL, p.edits, p.origin + lo)
                else:
                    add(out, p.s0, p.s0, hi - lo, CHANGED, self._keep(text_of(p)[lo:hi]), p.edits, 0)
            i += 1
        return 0

    # -- results ------------------------------------------------------------------
    def edits(self):
        """As :meth:`textfix.provenance.SourceMap.edits`."""
        cdef list out = []
        cdef Py_ssize_t k, i
        cdef str source = self.source
        cdef Piece* p
        for i in range(self.pcs.n):
            p = &self.pcs.a[i]
            if p.kind == KEPT:
                continue
            if p.kind == MOVED:
                e0 = edits_of(p)[0]
                new = source[p.origin:p.origin + p.n]
                k = PyList_GET_SIZE(out)
                if k:
                    prev = out[k - 1]
                    pm = prev.moved_from
                    if pm is not None and prev.start == p.s0 and pm + len(prev.new) == p.origin:
                        out[k - 1] = mk_edit(prev.start, prev.end, prev.new + new, prev.old, prev.rules,
                                             prev.safety, prev.confidence, prev.note, pm)
                        continue
                out.append(mk_edit(p.s0, p.s0, new, "", e0.rules, e0.safety, e0.confidence,
                                   e0.note, p.origin))
            else:
                out.append(compose_edit(p.s0, p.s1, source[p.s0:p.s1], text_of(p), edits_of(p)))
        return out


# -- validating and applying a step -------------------------------------------------

cdef extern from "Python.h":
    Py_ssize_t PyUnicode_Tailmatch(object s, object sub, Py_ssize_t start, Py_ssize_t end, int direction) except -1
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    Py_UCS4 PyUnicode_MAX_CHAR_VALUE(object o)
    Py_ssize_t PyUnicode_CopyCharacters(object to, Py_ssize_t to_start, object frm,
                                        Py_ssize_t from_start, Py_ssize_t how_many) except -1


def apply_valid(str text, list edits):
    """As :func:`textfix.edit.apply_valid`: ``apply(text, edits)`` when ``edits`` is a
    valid list for ``text`` in its order, else None.  One pass checks the edits and
    notes where each goes; the output is then made at its final size and the kept
    stretches and the new texts copied into it (no slice per edit)."""
    cdef Py_ssize_t n = len(text), prev = 0, st, en, mf, k, m = len(edits), i = 0, total = n, pos
    cdef Py_UCS4 maxc = PyUnicode_MAX_CHAR_VALUE(text), c
    cdef Py_ssize_t* at = <Py_ssize_t*>malloc((2 * m + 1) * sizeof(Py_ssize_t))
    cdef PyObject** news = <PyObject**>malloc((m + 1) * sizeof(PyObject*))
    if at == NULL or news == NULL:
        free(at)
        free(news)
        raise MemoryError()
    try:
        for e in edits:
            a = field(e, START, "start")
            b = field(e, END, "end")
            new = field(e, NEW, "new")
            if type(a) is not int or type(b) is not int or type(new) is not str:
                return _apply_valid_py(text, edits)
            try:
                st = a
                en = b
            except OverflowError:
                return _apply_valid_py(text, edits)
            if not (0 <= st <= en <= n) or st < prev:
                return None
            old = field(e, OLD, "old")
            if old is not None:
                if type(old) is not str:
                    return _apply_valid_py(text, edits)
                if len(<str>old) != en - st or (en > st and not PyUnicode_Tailmatch(text, old, st, en, -1)):
                    return None
            mv = field(e, MOVED_FROM, "moved_from")
            if mv is not None:
                if type(mv) is not int:
                    return _apply_valid_py(text, edits)
                try:
                    mf = mv
                except OverflowError:
                    return _apply_valid_py(text, edits)
                k = len(<str>new)
                if st != en or not (0 <= mf and mf + k <= n):
                    return None
                if k and not PyUnicode_Tailmatch(text, new, mf, mf + k, -1):
                    return None
            # the Edit (held by the list) keeps its new text alive: a borrowed pointer
            at[2 * i] = st
            at[2 * i + 1] = en
            news[i] = <PyObject*>new
            i += 1
            total += len(<str>new) - (en - st)
            c = PyUnicode_MAX_CHAR_VALUE(new)
            if c > maxc:
                maxc = c
            prev = en
        if i != m:  # the list changed while it was read
            return _apply_valid_py(text, edits)
        out = PyUnicode_New(total, maxc)
        pos = prev = 0
        for i in range(m):
            st = at[2 * i]
            if st > prev:
                PyUnicode_CopyCharacters(out, pos, text, prev, st - prev)
                pos += st - prev
            k = len(<str>news[i])
            if k:
                PyUnicode_CopyCharacters(out, pos, <object>news[i], 0, k)
                pos += k
            prev = at[2 * i + 1]
        if n > prev:
            PyUnicode_CopyCharacters(out, pos, text, prev, n - prev)
        if not _narrowest(out, maxc):
            # the characters that needed the wider kind were all replaced: the str must
            # be made again in the narrowest kind that holds it
            return _rebuild(out)
        return out
    finally:
        free(at)
        free(news)


cdef bint _narrowest(str s, Py_UCS4 maxc) noexcept:
    """Whether ``s`` (made for characters up to ``maxc``) holds a character that needs
    its kind, as every str must: found at once in Chinese text."""
    cdef Py_UCS4 need
    cdef Py_ssize_t i, n = len(s)
    cdef int kind = PyUnicode_KIND(s)
    cdef void* data = PyUnicode_DATA(s)
    if maxc < 0x80:
        return True
    need = 0x10000 if maxc > 0xFFFF else (0x100 if maxc > 0xFF else 0x80)
    for i in range(n):
        if PyUnicode_READ(kind, data, i) >= need:
            return True
    return False


cdef str _rebuild(str s):
    """``s`` again, in the narrowest kind that holds its characters."""
    cdef Py_ssize_t i, n = len(s)
    cdef int kind = PyUnicode_KIND(s)
    cdef void* data = PyUnicode_DATA(s)
    cdef Py_UCS4 top = 0, c
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c > top:
            top = c
    out = PyUnicode_New(n, top)
    if n:
        PyUnicode_CopyCharacters(out, 0, s, 0, n)
    return out


from .edit import apply_valid as _apply_valid_py



# -- a rule's proposals -------------------------------------------------------------

from .edit import Flag, Label
from dataclasses import replace as _replace

cdef object _SUGGEST = Safety.SUGGEST
cdef object _GUESS = Safety.GUESS


def _arg_refs(proposals, str cur, name, rule_safety, threshold, smap,
              list suggestions, list flags, list new_labels):
    """The references to a list passed as :func:`take_proposals` is called, and to an
    item while its loop reads it, where no one else holds them (a list made for the
    call, an item only the list holds)."""
    cdef Py_ssize_t arg = tf_refcnt(proposals)
    for p in proposals:
        return arg, tf_refcnt(p)
    return arg, -1


cdef Py_ssize_t _LIST_REFS, _ITEM_REFS
_LIST_REFS, _ITEM_REFS = _arg_refs([object()], "", None, None, None, None, [], [], [])


def take_proposals(proposals, str cur, name, rule_safety, threshold, smap,
                   list suggestions, list flags, list new_labels):
    """As :func:`textfix.pipeline._take`.

    An Edit of exact type that only the rule's own fresh list holds (a list no one else
    holds, as the compiled rule helpers return them) is filled in place (its ``old``, its
    rule, its safety) rather than copied: no one else can see it, and its copy would be
    equal to it."""
    cdef list edits = []
    cdef tuple rule_names = (name,)
    cdef Py_ssize_t n = len(cur)
    cdef bint own = (_SLOTS and type(proposals) is list
                     and tf_refcnt(proposals) == _LIST_REFS)
    cdef Py_ssize_t s, e
    cdef bint bad, suggest
    for p in proposals:
        tp = type(p)
        if tp is _Edit:
            start = field(p, START, "start")
            end = field(p, END, "end")
            p_old = field(p, OLD, "old")
            new = field(p, NEW, "new")
            moved = field(p, MOVED_FROM, "moved_from")
            p_safety = field(p, SAFETY, "safety")
            p_rules = field(p, RULES, "rules")
            conf = field(p, CONFIDENCE, "confidence")
            note = field(p, NOTE, "note")
        elif isinstance(p, _Edit):
            start, end, p_old, new, moved = p.start, p.end, p.old, p.new, p.moved_from
            p_safety, p_rules, conf, note = p.safety, p.rules, p.confidence, p.note
        elif isinstance(p, Flag):
            s0, s1 = smap.source_span(p.start, p.end)
            flags.append(_replace(p, start=s0, end=s1, rule=p.rule or name))
            continue
        elif isinstance(p, Label):
            s0, s1 = smap.source_span(p.start, p.end)
            new_labels.append((s0, s1, p.kind))
            continue
        else:
            from .pipeline import RuleError
            raise RuleError(f"rule {name} yielded {p!r}, not an Edit, Flag or Label")
        # Offsets that are exact ints, texts that are strs, a Safety and a float, as the
        # rules make them, are compared as C numbers and strings; anything else as
        # Python compares it.  The answers are the same.
        if type(start) is int and type(end) is int:
            try:
                s = start
                e = end
                bad = s < 0 or e > n or s > e
            except OverflowError:
                bad = True
        else:
            bad = start < 0 or end > n or start > end
            s = e = -1
        if bad:
            from .pipeline import RuleError
            raise RuleError(f"rule {name} proposed an edit {start}-{end} outside the text")
        old = p_old
        if old is None:
            old = cur[s:e] if s >= 0 else cur[start:end]
        if moved is None:
            if type(new) is str and type(old) is str:
                if <str>new == <str>old:
                    continue
            elif new == old:
                continue
        safety = rule_safety if p_safety is None else p_safety
        if safety is _SAFE:
            suggest = False
        elif safety is _GUESS:
            if type(conf) is float and type(threshold) is float:
                suggest = PyFloat_AS_DOUBLE(conf) < PyFloat_AS_DOUBLE(threshold)
            else:
                suggest = conf < threshold
        else:
            suggest = safety == _SUGGEST or (safety == _GUESS and conf < threshold)
        if suggest:
            s0, s1 = smap.source_span(start, end)
            suggestions.append(mk_edit(s0, s1, new, old, p_rules or rule_names, _SUGGEST, conf, note, moved))
        elif old is p_old and p_rules and safety is p_safety and tp is _Edit:
            untrack_edit(p)
            edits.append(p)
        elif own and tp is _Edit and tf_refcnt(p) == _ITEM_REFS:
            if old is not p_old:
                tf_replace(p, _OFF[OLD], old)
            if not p_rules:
                tf_replace(p, _OFF[RULES], rule_names)
            if safety is not p_safety:
                tf_replace(p, _OFF[SAFETY], safety)
            untrack_edit(p)
            edits.append(p)
        else:
            edits.append(mk_edit(start, end, new, old, p_rules or rule_names, safety, conf, note, moved))
    return edits


# -- the result's paragraphs --------------------------------------------------------

cdef extern from "Python.h":
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index)

cdef Py_ssize_t[7] _POFF
cdef object _Paragraph = None  # the class _POFF holds the slots of
cdef bint _PSLOTS = False


cdef bint _paragraph_slots(cls) except -1:
    """:func:`slot_offsets` of a Paragraph class (index, text, kind, start, end, source,
    flags), kept for the class last asked about."""
    global _Paragraph, _PSLOTS
    if cls is not _Paragraph:
        _PSLOTS = slot_offsets(cls, ("index", "text", "kind", "start", "end", "source", "flags"), _POFF)
        _Paragraph = cls
    return _PSLOTS


cdef object mk_paragraph(object cls, Py_ssize_t index, str text, object kind, Py_ssize_t start,
                         Py_ssize_t end, tuple source, tuple flags):
    if not _paragraph_slots(cls):
        return cls(index, text, kind, start, end, source, flags)
    p = tf_alloc(cls)
    tf_set(p, _POFF[0], index)
    tf_set(p, _POFF[1], text)
    tf_set(p, _POFF[2], kind)
    tf_set(p, _POFF[3], start)
    tf_set(p, _POFF[4], end)
    tf_set(p, _POFF[5], source)
    tf_set(p, _POFF[6], flags)
    return p


cdef object label_kind(list labels, Py_ssize_t s):
    """:func:`textfix.rule.kind_at_source`: the kind of the label whose source range
    holds ``s`` (labels ``(start, end, kind)``, sorted and disjoint), else ``body``."""
    cdef Py_ssize_t lo = 0, hi = PyList_GET_SIZE(labels), mid
    cdef tuple lab
    # the last label starting at or before s (bisect_right on (s, 1 << 62, ""))
    while lo < hi:
        mid = (lo + hi) >> 1
        lab = <tuple>PyList_GET_ITEM(labels, mid)
        if <Py_ssize_t>lab[0] <= s:
            lo = mid + 1
        else:
            hi = mid
    if lo:
        lab = <tuple>PyList_GET_ITEM(labels, lo - 1)
        if <Py_ssize_t>lab[0] <= s < <Py_ssize_t>lab[1]:
            return lab[2]
    return "body"


def paragraphs(str text, list flags, Map m, list labels, const unsigned char[:] white, cls):
    """As :func:`textfix.pipeline._paragraphs` of a text, its flags (in source offsets),
    the compiled map it came out of and its labels: the paragraphs (``cls`` objects),
    the text between breaks (a newline, spaces or tabs, a newline, then whatever
    ``white`` marks as space: the ``\\s`` of the ``regex`` module, by code point up to
    U+3000), without the newlines the text ends in."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i, j, pos = 0, end, a, b, k, np, lo, hi
    cdef Py_ssize_t nw = white.shape[0]
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_UCS4 c
    cdef list starts = [], ends = [], per, out = []
    cdef tuple span
    i = 0
    while i < n:
        if PyUnicode_READ(kind, data, i) != 10:
            i += 1
            continue
        j = i + 1
        while j < n:
            c = PyUnicode_READ(kind, data, j)
            if c == 32 or c == 9 or c == 0x3000:
                j += 1
            else:
                break
        if j >= n or PyUnicode_READ(kind, data, j) != 10:
            i += 1
            continue
        j += 1
        while j < n:
            c = PyUnicode_READ(kind, data, j)
            if c < nw and white[c]:
                j += 1
            else:
                break
        if i > pos:
            starts.append(pos)
            ends.append(i)
        pos = j
        i = j
    end = n
    while end > pos and PyUnicode_READ(kind, data, end - 1) == 10:
        end -= 1
    if end > pos:
        starts.append(pos)
        ends.append(end)
    np = PyList_GET_SIZE(starts)
    per = [None] * np
    for f in flags:
        span = m.output_span(f.start, f.end)
        a = span[0]
        b = span[1]
        # bisect_left(ends, a) if a == b else bisect_right(ends, a); bisect_right(starts, b)
        lo = 0
        hi = np
        while lo < hi:
            k = (lo + hi) >> 1
            if (<Py_ssize_t>ends[k] < a) if a == b else (<Py_ssize_t>ends[k] <= a):
                lo = k + 1
            else:
                hi = k
        for k in range(lo, np):
            if <Py_ssize_t>starts[k] > b:
                break
            if per[k] is None:
                per[k] = [f]
            else:
                (<list>per[k]).append(f)
    for k in range(np):
        a = starts[k]
        b = ends[k]
        out.append(mk_paragraph(cls, k, text[a:b], label_kind(labels, <Py_ssize_t>m.source_span(a, a + 1)[0]),
                                a, b, tuple(m.source_spans(a, b)),
                                tuple(<list>per[k]) if per[k] is not None else ()))
    return out
