# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled twins of the layout analysis' hottest loops: the same results as their
pure-Python definitions, which stay the reference (``tests/test_layout.py`` compares
them).

* :func:`body_wraps` — :func:`textfix.layout_blocks._body_wraps_py`, the column wraps
  of a body block and the cuts between its wrapped lines;
* :func:`line_widths` — :func:`textfix.layout_blocks._line_widths_py`, the widths of
  those lines;
* :func:`split_blocks` — :func:`textfix.layout_blocks._split_blocks_py`, the blocks of
  a text;
* :func:`find_all_wraps` — :func:`textfix.layout_blocks.find_wraps` for every block of
  a text (a body's and a headline's wraps here, the others' by ``find_wraps``); of a
  body block it only looks whether there is a wrap (:func:`has_wrap`), and
  :class:`textfix.layout_blocks.Block` finds its wraps when they are asked for;
* :func:`body_line_widths` — the widths of a body block's lines without its wraps;
  :func:`wrap_edits` — the edits of ``layout.wrap-space`` straight from the scan;
* :func:`classify` — :func:`textfix.layout_blocks._classify_py`, the kind of every
  block (the patterns are tried by the same regular expressions, where the same
  characters are there).
* :func:`doc_blocks` — :meth:`textfix.rule.Doc._blocks_py`, the blocks a rule sees
  and the kinds of the labels they came from.
* :func:`text_evidence`, :func:`decide`, :func:`find_joins`, :func:`settle_open` —
  :func:`textfix.layout_blocks._text_evidence`, ``_decide_py``, ``_find_joins_py`` and
  ``_settle_open_py``: the evidence that a block continues the paragraph of an
  unfinished one, the joins and unfinished paragraphs of a text, and the headline-like
  blocks that are a paragraph's first line (``tests/test_layout_joins.py`` compares
  them);
* :func:`block_labels` — the labels of ``layout.block-kind``, made without the
  dataclass ``__init__``;
* :func:`trailing_runs`, :func:`blank_runs` — :func:`textfix.rules.layout._trailing_runs_py`
  and ``_blank_runs_py``, the spaces that end a line and the runs of blank lines
  (``tests/test_layout_scans.py`` compares them).
"""

from libc.stdint cimport uint8_t


cdef extern from "Python.h":
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index)
    bint Py_UNICODE_ISDIGIT(Py_UCS4 ch)


#: the class bits of every code point asked about so far (textfix.layout_blocks:
#: _char_class), with KNOWN set; 0 means not asked yet
cdef uint8_t classes[0x110000]
cdef enum:
    OK = 1
    HAN = 2
    ALNUM = 4
    KNOWN = 8


cdef inline bint is_space(Py_UCS4 c) noexcept nogil:
    return c == 0x20 or c == 0x09 or c == 0x3000


# -- the blocks' fields, read and set in their slots -----------------------------------------------
#
# textfix.layout_blocks.Block is a dataclass with slots: the loops below read and set its
# fields where its member descriptors say they are (found once, from the class itself,
# and checked: plain object slots, in the field order below, no __dict__), rather than
# through the attribute protocol, which looks each name up in the class first (~11% of
# the analysis).  A block of another class is read and set by name.

include "_slots.pxi"

cdef enum:
    B_START, B_END, B_RAW, B_VIS, B_BASE, B_KIND, B_LEAD, B_KEEP, B_FIRST_FULL, B_LAST_FULL, \
        B_WRAPS, B_CUTS, B_SEGS, B_COMPILED, B_LAZY, B_FIELDS

cdef tuple B_NAMES = ("start", "end", "raw", "vis", "base", "kind", "lead", "keep_until",
                      "first_full", "last_full", "_wraps", "_cuts", "_segs", "_compiled", "_lazy")
cdef Py_ssize_t[15] b_off
cdef object b_class = None  # the class b_off holds the slots of
cdef list b_defaults = None  # its fields' defaults (None for the first four)


cdef bint learn_block(cls) except -1:
    """Whether the fields of ``cls`` are :data:`B_NAMES` in plain slots with plain
    defaults after the first four (their offsets then in ``b_off``)."""
    global b_class, b_defaults
    from dataclasses import fields, MISSING
    if not slot_offsets(cls, B_NAMES, b_off):
        return False
    defaults = []
    for k, f in enumerate(fields(cls)):
        if k >= B_BASE and (f.default is MISSING or f.default_factory is not MISSING):
            return False
        defaults.append(None if k < B_BASE else f.default)
    b_class = cls
    b_defaults = defaults
    return True


cdef inline object bget(object b, int k):
    cdef PyObject* v
    if type(b) is b_class:
        v = tf_get(b, b_off[k])
        if v != NULL:
            return <object>v
    return getattr(b, <str>B_NAMES[k])


cdef inline int bset(object b, int k, object v) except -1:
    if type(b) is b_class:
        tf_replace(b, b_off[k], v)
        return 0
    setattr(b, <str>B_NAMES[k], v)
    return 0


cdef object make_block(object cls, Py_ssize_t start, Py_ssize_t end, str raw, str vis):
    """``cls(start, end, raw, vis)``, made without running the dataclass ``__init__``
    where its slots are known."""
    cdef int k
    if not (type(cls) is type and (cls is b_class or (b_class is None and learn_block(cls) and cls is b_class))):
        return cls(start, end, raw, vis)
    b = tf_alloc(cls)
    tf_replace(b, b_off[B_START], start)
    tf_replace(b, b_off[B_END], end)
    tf_replace(b, b_off[B_RAW], raw)
    tf_replace(b, b_off[B_VIS], vis)
    for k in range(B_BASE, B_FIELDS):
        tf_replace(b, b_off[k], b_defaults[k])
    return b


cdef inline int class_of(Py_UCS4 c, object char_class) except -1:
    cdef int k = classes[c]
    if k == 0:
        k = <int>char_class(chr(c))
        if k < 0 or k >= KNOWN:
            raise ValueError("a character class has bits 0-2 only")
        classes[c] = <uint8_t>(k | KNOWN)
        return k
    return k & ~KNOWN


cdef int has_han(str raw, int kind, void* data, Py_ssize_t n, object char_class) except -1:
    """Is there a Han character in ``raw``?"""
    cdef Py_ssize_t i
    for i in range(n):
        if class_of(PyUnicode_READ(kind, data, i), char_class) & HAN:
            return 1
    return 0


def body_wraps(str raw, Py_ssize_t start, Py_ssize_t keep, object char_class):
    """As :func:`textfix.layout_blocks._body_wraps_py`; ``char_class`` is
    :func:`textfix.layout_blocks._char_class` (asked once per code point)."""
    return c_body_wraps(raw, start, keep, char_class)


def find_all_wraps(str text, list blocks, object find_wraps, object char_class):
    """As ``find_wraps(text, b, True)`` for every block ``b`` of ``blocks``
    (:func:`textfix.layout_blocks.find_wraps`, which this calls for any block but a
    body, caption, subheading or headline that is not a dateline lead)."""
    for b in blocks:
        set_wraps(text, b, bget(b, B_KIND), find_wraps, char_class)


cdef int set_wraps(str text, b, str kind, object find_wraps, object char_class) except -1:
    """``find_wraps(text, b, True)`` for block ``b`` of kind ``kind``: a body's,
    caption's, subheading's and headline's wraps here (not a dateline lead's), the
    others' by ``find_wraps``."""
    cdef bint full
    if (kind == "body" or kind == "caption" or kind == "subheading") and not bget(b, B_LEAD):
        # whether there is a wrap, for the join evidence: the wraps themselves are
        # found when asked for (only the text the wrap rule sees needs them all)
        bset(b, B_KEEP, bget(b, B_START))
        bset(b, B_LAZY, True)
        bset(b, B_WRAPS, None)
        bset(b, B_CUTS, None)
        bset(b, B_SEGS, None)
        bset(b, B_COMPILED, True)
        full = body_scan(bget(b, B_RAW), 0, 0, char_class, ANY, None, None, None) == 1
        bset(b, B_FIRST_FULL, full)
        bset(b, B_LAST_FULL, full)
    elif (kind == "headline" or kind == "subheadline") and not bget(b, B_LEAD):
        bset(b, B_KEEP, bget(b, B_START))
        bset(b, B_LAZY, False)
        bset(b, B_CUTS, None)
        bset(b, B_SEGS, None)
        bset(b, B_COMPILED, True)
        bset(b, B_WRAPS, headline_wraps(bget(b, B_RAW), bget(b, B_START), char_class))
    else:
        find_wraps(text, b, True)
    return 0


cdef inline bint is_quote_open(Py_UCS4 c) noexcept nogil:
    # “‘《〈「『（(【
    return c == 0x201C or c == 0x2018 or c == 0x300A or c == 0x3008 or c == 0x300C \
        or c == 0x300E or c == 0xFF08 or c == 0x28 or c == 0x3010


cdef inline bint is_quote_close(Py_UCS4 c) noexcept nogil:
    # ”’》〉」』）)】
    return c == 0x201D or c == 0x2019 or c == 0x300B or c == 0x3009 or c == 0x300D \
        or c == 0x300F or c == 0xFF09 or c == 0x29 or c == 0x3011


cdef inline Py_ssize_t next_gap(int kind, void* data, Py_ssize_t n, Py_ssize_t i,
                                Py_ssize_t* start, bint* newline) noexcept:
    """The next gap from ``i`` on: one match of
    ``[ \\t\\u3000]*\\n[ \\t\\u3000]*|[ \\t\\u3000]+``.  Returns where it ends (-1: there is
    none) and sets ``start[0]`` to where it starts, ``newline[0]`` to whether it holds
    the line break."""
    cdef Py_UCS4 c
    while i < n:
        c = PyUnicode_READ(kind, data, i)
        if is_space(c) or c == 0x0A:
            break
        i += 1
    if i >= n:
        return -1
    start[0] = i
    while i < n and is_space(PyUnicode_READ(kind, data, i)):
        i += 1
    newline[0] = i < n and PyUnicode_READ(kind, data, i) == 0x0A
    if newline[0]:
        i += 1
        while i < n and is_space(PyUnicode_READ(kind, data, i)):
            i += 1
    return i


cdef list headline_wraps(str raw, Py_ssize_t start, object char_class):
    """The wraps of a headline ``raw`` (not a dateline lead) standing at ``start``, as
    :func:`textfix.layout_blocks.find_wraps` finds them: its joinable gaps if one of
    them is certainly a wrap (inside quotes or brackets of its line, or between a
    digit and a Han character), else none."""
    cdef int kind = PyUnicode_KIND(raw)
    cdef void* data = PyUnicode_DATA(raw)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(raw), i = 0, a, e, qi = 0, depth = 0
    cdef Py_UCS4 c, left, right
    cdef int kl, kr, chinese = -1
    cdef bint certain = False, dq = False, sq = False, newline
    cdef list gaps = []
    while True:
        e = next_gap(kind, data, n, i, &a, &newline)
        if e < 0:
            break
        i = e
        if a == 0 or e == n:
            continue
        left = PyUnicode_READ(kind, data, a - 1)
        right = PyUnicode_READ(kind, data, e)
        kl = class_of(left, char_class)
        kr = class_of(right, char_class)
        if not (kl & kr & OK):
            continue
        if not (kl | kr) & HAN:
            if chinese < 0:
                chinese = has_han(raw, kind, data, n, char_class)
            if not chinese or kl & kr & ALNUM:
                continue
        gaps.append((start + a, start + e, ""))
        if certain:
            continue
        # the quote depth of raw[a] (as textfix.layout_blocks._inside_pairs)
        while qi <= a:
            c = PyUnicode_READ(kind, data, qi)
            if c == 0x0A:
                depth = 0
                dq = sq = False
            elif is_quote_open(c):
                depth += 1
            elif is_quote_close(c):
                if depth > 0:
                    depth -= 1
            elif c == 0x22 or c == 0x27:
                if c == 0x22:
                    dq = not dq
                    depth += 1 if dq else -1
                else:
                    sq = not sq
                    depth += 1 if sq else -1
                if depth < 0:
                    depth = 0
            qi += 1
        if depth > 0 or (Py_UNICODE_ISDIGIT(left) and kr & HAN) or (Py_UNICODE_ISDIGIT(right) and kl & HAN):
            certain = True
    return gaps if certain else []


cdef tuple c_body_wraps(str raw, Py_ssize_t start, Py_ssize_t keep, object char_class):
    cdef list wraps = [], cuts = []
    body_scan(raw, start, keep, char_class, FILL, wraps, cuts, None)
    return wraps, cuts


cdef enum:
    ANY = 0  # body_scan: is there a wrap at all?
    FILL = 1  # the wraps and the cuts
    EDITS = 2  # an edit for each wrap
    CUTS = 3  # the cuts alone


cdef int body_scan(str raw, Py_ssize_t start, Py_ssize_t keep, object char_class, int mode,
                   list wraps, list cuts, object change) except -1:
    """The wraps of a body block ``raw`` standing at ``start`` (as
    textfix.layout_blocks._body_wraps_py): ``mode`` ANY returns 1 at the first (0:
    there is none); FILL adds each to ``wraps`` (in text offsets, with its replacement)
    and ``cuts`` (in ``raw`` offsets); EDITS adds ``change(start, end, replacement)``
    of each to ``wraps``; CUTS adds each to ``cuts`` alone."""
    cdef int kind = PyUnicode_KIND(raw)
    cdef void* data = PyUnicode_DATA(raw)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(raw), i = 0, a, e
    cdef int kl, kr, chinese = -1  # -1: not known yet
    cdef bint newline
    cdef str new
    while True:
        e = next_gap(kind, data, n, i, &a, &newline)
        if e < 0:
            break
        i = e
        if a == 0 or e == n or a < keep:
            continue
        kl = class_of(PyUnicode_READ(kind, data, a - 1), char_class)
        kr = class_of(PyUnicode_READ(kind, data, e), char_class)
        if kl & kr & OK and not (kl | kr) & HAN and chinese < 0:
            chinese = has_han(raw, kind, data, n, char_class)
        if kl & kr & OK and ((kl | kr) & HAN or (chinese and not (kl & kr & ALNUM))):
            new = ""
        elif newline:
            new = " "
        else:
            continue
        if mode == ANY:
            return 1
        if mode == EDITS:
            wraps.append(change(start + a, start + e, new))
        elif mode == CUTS:
            cuts.append((a, e))
        else:
            wraps.append((start + a, start + e, new))
            cuts.append((a, e))
    return 0


def has_wrap(str raw, object char_class):
    """Has body block ``raw`` (not a dateline lead) a wrap: ``bool(body_wraps(raw, 0, 0,
    char_class)[0])``?"""
    return body_scan(raw, 0, 0, char_class, ANY, None, None, None) == 1


def body_line_widths(str raw, str marks, object char_class):
    """``line_widths(raw, body_wraps(raw, 0, 0, char_class)[1], False, marks)``: the
    widths of the wrapped lines of a body block (not a dateline lead), without its
    wraps."""
    cdef list cuts = []
    body_scan(raw, 0, 0, char_class, CUTS, None, cuts, None)
    return line_widths(raw, cuts, False, marks)


def wrap_edits(list blocks, object change, object char_class):
    """``[change(s, e, r) for b in blocks for s, e, r in b.wraps]``, where the wraps of a
    block not scanned yet (``b._lazy``) are not kept on it."""
    cdef list out = []
    for b in blocks:
        if bget(b, B_LAZY):
            body_scan(bget(b, B_RAW), bget(b, B_START), 0, char_class, EDITS, out, None, change)
        else:
            for s, e, r in b.wraps:
                out.append(change(s, e, r))
    return out


def line_widths(str raw, list cuts, bint lead, str marks):
    """As :func:`textfix.layout_blocks._line_widths_py` (``cuts`` in order, as
    :func:`body_wraps` gives them); ``marks`` is the marks that hang at a line end
    (``CJK_PUNCT + ASCII_PUNCT``)."""
    cdef int kind = PyUnicode_KIND(raw)
    cdef void* data = PyUnicode_DATA(raw)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(raw), pos = 0, a, e, k, cut = 0, ncuts = len(cuts)
    cdef Py_ssize_t s, t, i, blanks, alnum
    cdef Py_UCS4 c
    cdef double w
    cdef list segs = []
    for k in range(ncuts + 1):
        s = pos
        if k < ncuts:
            a, e = cuts[k]
            t = a
            pos = e
        else:
            t = n
        if lead and k == 0:
            continue  # the dateline's own spaces shorten its first line
        if t < s:
            t = s  # as raw[s:t]
        blanks = 0
        alnum = 0
        for i in range(s, t):
            c = PyUnicode_READ(kind, data, i)
            if c < 128:
                if c == 0x20 or c == 0x09 or c == 0x0A:
                    blanks += 1
                elif (0x30 <= c <= 0x39) or (0x41 <= c <= 0x5A) or (0x61 <= c <= 0x7A):
                    alnum += 1
            elif c == 0x3000:
                blanks += 1
        w = <double>(t - s - blanks) - 0.5 * alnum
        if not segs and t - s > 1 and raw[t - 1] in marks:
            w -= 1  # a mark hanging at the end of the first line takes no cell
        segs.append(w)
    return segs


cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)

from libc.stdlib cimport malloc, free
from libc.string cimport memset


cdef inline bint is_left_strip(Py_UCS4 c) noexcept nogil:
    return c == 0x20 or c == 0x09 or c == 0x3000 or c == 0x0A


cdef Py_ssize_t next_break(int kind, void* data, Py_ssize_t n, const unsigned char* w,
                           Py_ssize_t nw, Py_ssize_t j, Py_ssize_t* nxt) noexcept:
    """Where the next match of ``\\n[ \\t\\u3000]*\\n\\s*`` at or after ``j`` starts
    (``nxt[0]``: where it ends), or ``n`` (and ``nxt[0] = n``) if there is none;
    ``w[c]`` is 1 where that ``\\s`` matches code point ``c`` (none beyond ``nw``)."""
    cdef Py_ssize_t k
    cdef Py_UCS4 c
    while j < n:
        if PyUnicode_READ(kind, data, j) == 0x0A:
            k = j + 1
            while k < n and is_space(PyUnicode_READ(kind, data, k)):
                k += 1
            if k < n and PyUnicode_READ(kind, data, k) == 0x0A:
                k += 1
                while k < n:
                    c = PyUnicode_READ(kind, data, k)
                    if c >= nw or not w[c]:
                        break
                    k += 1
                nxt[0] = k
                return j
        j += 1
    nxt[0] = n
    return n


def split_blocks(str text, object block, bytes white):
    """As :func:`textfix.layout_blocks._split_blocks_py`; ``block`` is the
    :class:`textfix.layout_blocks.Block` class (its blocks made by :func:`make_block`),
    ``white[c]`` is 1 where the break pattern's ``\\s`` matches code point ``c`` (none
    does beyond ``len(white)``)."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), nw = len(white)
    cdef const unsigned char* w = white
    cdef Py_ssize_t pos = 0, j = 0, b, nxt, s, e, i, m, nvis
    cdef Py_UCS4 c
    cdef bint found
    cdef list blocks = []
    cdef Py_UCS4* buf
    while True:
        b = next_break(kind, data, n, w, nw, j, &nxt)
        found = b < n
        # the block text[pos:b], stripped
        s = pos
        while s < b and is_left_strip(PyUnicode_READ(kind, data, s)):
            s += 1
        e = b
        while e > s:
            c = PyUnicode_READ(kind, data, e - 1)
            if is_left_strip(c) or c == 0x0D:
                e -= 1
            else:
                break
        nvis = 0
        for i in range(s, e):
            if not is_left_strip(PyUnicode_READ(kind, data, i)):
                nvis += 1
        if nvis:
            raw = text[s:e]
            if nvis == e - s:
                vis = raw
            else:
                buf = <Py_UCS4*>malloc(nvis * sizeof(Py_UCS4))
                if buf == NULL:
                    raise MemoryError()
                m = 0
                for i in range(s, e):
                    c = PyUnicode_READ(kind, data, i)
                    if not is_left_strip(c):
                        buf[m] = c
                        m += 1
                try:
                    vis = PyUnicode_FromKindAndData(4, buf, nvis)
                finally:
                    free(buf)
            blocks.append(make_block(block, s, e, raw, vis))
        if not found:
            return blocks
        pos = j = nxt


# -- kinds: textfix.layout_blocks._classify_py ------------------------------------------------

cdef unsigned char key_start[0x10000]  # 1: a furniture key starts with the character
cdef object key_start_of = None  # the str key_start was filled from


cdef int set_key_starts(str starts) except -1:
    """Fill :data:`key_start` from ``starts`` (the first characters of the furniture
    keys, all in the Basic Multilingual Plane), unless it was filled from it already."""
    global key_start_of
    if starts is key_start_of:
        return 0
    memset(key_start, 0, sizeof(key_start))
    for ch in starts:
        if ord(ch) > 0xFFFF:
            raise ValueError("a furniture key starting beyond the Basic Multilingual Plane")
        key_start[ord(ch)] = 1
    key_start_of = starts
    return 0


cdef inline bint is_furniture_start(Py_UCS4 c) noexcept nogil:
    return c <= 0xFFFF and key_start[c]


cdef bint has_furniture_start(str s):
    cdef int kind = PyUnicode_KIND(s)
    cdef void* data = PyUnicode_DATA(s)
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(s)
    for i in range(n):
        if is_furniture_start(PyUnicode_READ(kind, data, i)):
            return True
    return False


cdef bint could_be_dateline(str v):
    # "讯" in v[:9] or v.startswith(("新华社", "据新华社", "本报"))
    cdef int kind = PyUnicode_KIND(v)
    cdef void* data = PyUnicode_DATA(v)
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(v)
    for i in range(min(n, 9)):
        if PyUnicode_READ(kind, data, i) == 0x8BAF:
            return True
    return v.startswith(("新华社", "据新华社", "本报"))


cdef inline bint finished(str v, str ends) except -1:
    # vis[-1:] in ends ("" is in any str), or signed_end(v)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(v)
    cdef Py_UCS4 c
    if n == 0:
        return True
    c = PyUnicode_READ(PyUnicode_KIND(v), PyUnicode_DATA(v), n - 1)
    return has_char(ends, c) or signed_end(v, n, c)


cdef bint signed_end(str v, Py_ssize_t n, Py_UCS4 c) except -1:
    """textfix.layout_blocks.signed_end: asked of its pattern only where the last 20
    characters hold a sentence end (which the pattern needs) and the last is a bracket
    or a CJK Unified Ideograph."""
    cdef Py_ssize_t i
    if not (c == 0x29 or c == 0xFF09 or 0x4E00 <= c <= 0x9FFF):
        return False
    for i in range(n - 1, n - 21 if n > 20 else -1, -1):
        if has_char(sign_off_after, char_at(v, i)):
            return signed_end_py(v)
    return False


cdef bint balanced(str v):
    """As textfix.layout_blocks._balanced: the quotes and brackets of ``v`` paired, the
    straight and Chinese forms alike."""
    cdef int kind = PyUnicode_KIND(v)
    cdef void* data = PyUnicode_DATA(v)
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(v), paren = 0, book = 0, dq = 0, sq = 0
    cdef Py_UCS4 c
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c == 0x28 or c == 0xFF08:  # ( （
            paren += 1
        elif c == 0x29 or c == 0xFF09:  # ) ）
            paren -= 1
        elif c == 0x300A:  # 《
            book += 1
        elif c == 0x300B:  # 》
            book -= 1
        elif c == 0x22 or c == 0x201C or c == 0x201D:  # " “ ”
            dq += 1
        elif c == 0x27 or c == 0x2018 or c == 0x2019:  # ' ‘ ’
            sq += 1
    return paren == 0 and book == 0 and dq % 2 == 0 and sq % 2 == 0


cdef Py_ssize_t count_commas(str v):
    cdef int kind = PyUnicode_KIND(v)
    cdef void* data = PyUnicode_DATA(v)
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(v), k = 0
    cdef Py_UCS4 c
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c == 0xFF0C or c == 0x2C:
            k += 1
    return k


cdef bint subheading_like(b, str v):
    """As textfix.layout_blocks._subheading_like: three to five comma-separated phrases
    of three or more characters, paired quotes and brackets."""
    cdef int kind = PyUnicode_KIND(v)
    cdef void* data = PyUnicode_DATA(v)
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(v), phrases = 1, plen = 0
    cdef Py_UCS4 c
    if not (bget(b, B_BASE) == "open" and 6 <= n <= 30 and "\n" not in <str>bget(b, B_RAW) and balanced(v)):
        return False
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c == 0xFF0C or c == 0x2C:
            if plen < 3:
                return False
            phrases += 1
            plen = 0
        else:
            plen += 1
    return plen >= 3 and 3 <= phrases <= 5


cdef str base_kind(b, str v, str raw, tuple pats, str ends, Py_ssize_t titled_name_max):
    """As textfix.layout_blocks._base_kind (which sets ``b.lead`` of a dateline lead)."""
    cdef Py_ssize_t nv = PyUnicode_GET_LENGTH(v)
    cdef Py_ssize_t keys
    cdef bint dateline
    if nv <= 120 and "。" not in v and has_furniture_start(raw):
        keys = len(pats[0].findall(raw))  # two keys, or one and an address
        if keys >= 2 or (keys == 1 and pats[1].search(raw)):
            return "furniture"
    if (nv == 0 or v[0] == u"\uff08" or v[0] == u"(") and pats[2].match(v):
        return "source-tag"
    dateline = could_be_dateline(v) and pats[3].match(v) is not None
    if nv <= 30 and "\n" not in raw and ("摄" in raw or "图" in raw) and pats[4].match(raw) and not dateline:
        return "credit"
    if nv <= 40 and ("记者" in raw or "通讯员" in raw or "实习生" in raw or "文/" in raw or "文：" in raw
                     or "文:" in raw) and pats[5].match(raw):
        return "byline"
    if nv <= titled_name_max and pats[8].match(v):
        return "byline"
    if dateline:
        bset(b, B_LEAD, True)
        return "body"
    if finished(v, ends):
        return "body"
    if nv <= 4 and not pats[7].search(v):
        return "furniture"
    return "open"


def classify(list blocks, dict bases, tuple pats, str ends, str key_starts, Py_ssize_t titled_name_max):
    """As :func:`textfix.layout_blocks._classify_py`; ``pats`` is its patterns
    (``_FURNITURE_KEY, _EMAIL_URL, _SOURCE_TAG, _DATELINE, _CREDIT, _BYLINE,
    _CAPTION_START, _PUNCTUATION, _TITLED_NAME``), ``ends`` the marks that finish a block,
    ``key_starts`` the first characters of the furniture keys, ``titled_name_max`` the
    longest titled name (``_TITLED_NAME_MAX``)."""
    cdef Py_ssize_t n = len(blocks), i, j, k, r, g
    cdef str v, kind
    cdef list group
    cdef object b, prev, hit, cap = pats[6]
    set_key_starts(key_starts)
    for b in blocks:
        raw = bget(b, B_RAW)
        hit = bases.get(raw)
        if hit is None:
            base = base_kind(b, bget(b, B_VIS), raw, pats, ends, titled_name_max)
            bases[raw] = (base, bget(b, B_LEAD))
        else:
            base = (<tuple>hit)[0]
            bset(b, B_LEAD, (<tuple>hit)[1])
        bset(b, B_BASE, base)
        bset(b, B_KIND, base)
    # captions: a short block right before a credit, or one that says it is a caption
    for i in range(n):
        b = blocks[i]
        v = bget(b, B_VIS)
        base = bget(b, B_BASE)
        if (base == "body" or base == "open") and not bget(b, B_LEAD) and len(v) <= 60 and (
            (i + 1 < n and bget(blocks[i + 1], B_BASE) == "credit") or ("图" in v[:2] and cap.match(v))
        ):
            bset(b, B_KIND, "caption")
    # headline groups: the open blocks right before a byline or a dateline lead
    for k in range(n):
        b = blocks[k]
        lead = bget(b, B_LEAD)
        if bget(b, B_KIND) == "byline" or lead:
            j = k - 1
            if lead and j >= 0 and bget(blocks[j], B_KIND) == "byline":
                continue  # the byline anchors the group
            group = []
            while j >= 0 and len(group) < 3 and bget(blocks[j], B_KIND) == "open":
                prev = blocks[j]
                v = bget(prev, B_VIS)
                if not (bget(prev, B_BASE) == "open" and len(v) <= 40 and count_commas(v) <= 1):
                    break
                group.append(j)
                j -= 1
            for r in range(len(group)):
                g = group[len(group) - 1 - r]
                bset(blocks[g], B_KIND, "headline" if r == 0 else "subheadline")
    # the other open blocks
    prev = None
    for i in range(n):
        b = blocks[i]
        if bget(b, B_KIND) == "open":
            v = bget(b, B_VIS)
            pk = bget(prev, B_KIND) if prev is not None else None
            if pk == "body" and not finished(bget(prev, B_VIS), ends):
                bset(b, B_KIND, "body")  # goes on from an unfinished paragraph
            elif subheading_like(b, v):
                bset(b, B_KIND, "subheading")
            elif len(v) > 30 or "，" in v or "," in v or not balanced(v):
                bset(b, B_KIND, "body")  # a headline between paragraphs has no comma
            elif (pk == "headline" or pk == "subheadline") and blocks[i - 1] is prev:
                bset(b, B_KIND, "subheadline")
            else:
                bset(b, B_KIND, "headline")
        kind = bget(b, B_KIND)
        if not (kind == "caption" or kind == "credit"):
            prev = b


# -- the blocks a rule sees: textfix.rule.Doc._blocks_py --------------------------------------

from bisect import bisect_right

cdef extern from "Python.h":
    int PyObject_GenericSetAttr(object o, object name, object value) except -1


def doc_blocks(str text, bytes white, object source_span, list labels, object block):
    """As :meth:`textfix.rule.Doc._blocks_py`: the blocks of ``text`` (the text between
    matches of ``\\n[ \\t\\u3000]*\\n\\s*``, ``white[c]`` 1 where that ``\\s`` matches
    code point ``c``, none beyond ``len(white)``), each a ``block`` (the frozen
    :class:`textfix.rule.Block`, its fields set as its ``__init__`` sets them) with the
    kind of the label (sorted, disjoint ``labels``) holding the source position
    ``source_span`` gives its first character."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), nw = len(white)
    cdef const unsigned char* w = white
    cdef Py_ssize_t pos = 0, j = 0, b, nxt, end
    cdef bint found
    cdef list blocks = []
    while True:
        b = next_break(kind, data, n, w, nw, j, &nxt)
        found = b < n
        if found:
            end = b
        else:
            # the rest of the text, without the newline it ends in
            end = n - 1 if n > 0 and PyUnicode_READ(kind, data, n - 1) == 0x0A else n
        if end > pos:
            blocks.append(new_block(block, pos, end, kind_at(source_span(pos, pos + 1)[0], labels)))
        if not found:
            return blocks
        pos = j = nxt


cdef Py_ssize_t[3] r_off  # the slots of textfix.rule.Block's start, end and kind
cdef object r_class = None  # the class r_off holds them of
cdef bint r_known = False


cdef object new_block(object block, Py_ssize_t start, Py_ssize_t end, str kind):
    global r_class, r_known
    if block is not r_class:
        r_known = type(block) is type and slot_offsets(block, ("start", "end", "kind"), r_off)
        r_class = block
    if r_known:
        obj = tf_alloc(block)
        tf_replace(obj, r_off[0], start)
        tf_replace(obj, r_off[1], end)
        tf_replace(obj, r_off[2], kind)
        return obj
    obj = block.__new__(block)
    PyObject_GenericSetAttr(obj, "start", start)
    PyObject_GenericSetAttr(obj, "end", end)
    PyObject_GenericSetAttr(obj, "kind", kind)
    return obj


cdef str kind_at(object s, list labels):
    """As :func:`textfix.rule.kind_at_source` (``s`` a source offset, the labels'
    ends offsets too: below ``1 << 62``, so that the bisection on
    ``(s, 1 << 62, "")`` is one on the starts)."""
    cdef Py_ssize_t lo = 0, hi = len(labels), mid, x
    cdef tuple lab
    if type(s) is not int:
        return kind_at_py(s, labels)
    x = s
    while lo < hi:
        mid = (lo + hi) >> 1
        if <Py_ssize_t>(<tuple>labels[mid])[0] <= x:
            lo = mid + 1
        else:
            hi = mid
    if lo:
        lab = <tuple>labels[lo - 1]
        if lab[0] <= s < lab[1]:
            return lab[2]
    return "body"


cdef str kind_at_py(object s, list labels):
    cdef Py_ssize_t i = bisect_right(labels, (s, 1 << 62, "")) - 1
    cdef tuple lab
    if i >= 0:
        lab = <tuple>labels[i]
        if lab[0] <= s < lab[1]:
            return lab[2]
    return "body"


# -- joins: textfix.layout_blocks._decide_py, _find_joins_py, _settle_open_py -------------------

from libc.stdlib cimport qsort, realloc

cdef extern from "Python.h":
    Py_ssize_t PyUnicode_FindChar(object s, Py_UCS4 ch, Py_ssize_t start, Py_ssize_t end, int direction) except -2

#: set once by :func:`configure`: the marks and patterns the joins read (from
#: textfix.layout_blocks, so that there is one definition of each)
cdef str continues = None, no_start = None, clause_marks = None, ends_marks = None, hanging_marks = None
cdef object opening = None, openers = None, words_of = None, min_freq = None, join_class = None
cdef str short_clause_ends = "", enumeration_starts = "", verse_commas = ""
cdef object enumeration = None
cdef Py_ssize_t verse_line = 0
cdef double last_line_share = 0.75
cdef object char_class_of = None, find_wraps_py = None
cdef object UNKNOWN = object()
cdef Py_ssize_t CACHE_MAX = 1 << 12


def configure(str continues_, str no_start_, str clause_marks_, object opening_, object openers_,
              object words_, object min_freq_, str ends_, str hanging_, object char_class_,
              object join_, object find_wraps_, str short_clause_ends_, object enumeration_,
              str enumeration_starts_, Py_ssize_t verse_line_, str verse_commas_, double last_line_share_):
    """Give the joins' twins what they read from :mod:`textfix.layout_blocks`: the marks
    after which a sentence goes on (``CONTINUES``), that no paragraph starts with
    (``NO_START``), that end a clause (of ``_CLAUSE_END``), the ``_OPENING`` pattern,
    the ``OPENERS``, the lexicon (``_words``, a function returning ``{word: freq}``)
    and ``_MIN_FREQ``, the marks that finish a block (``_ENDS``) and that hang at a line
    end (``_HANGING``), ``_char_class``, the ``Join`` class and ``find_wraps``, the marks
    after a short first clause that count (``_SHORT_CLAUSE_ENDS``), the list numbers
    (``_ENUMERATION`` and its first characters), ``VERSE_LINE`` and the commas that end
    a line of verse (``_VERSE_COMMAS``), and ``LAST_LINE_SHARE``."""
    global continues, no_start, clause_marks, opening, openers, words_of, min_freq, ends_marks
    global hanging_marks, char_class_of, join_class, find_wraps_py
    global short_clause_ends, enumeration, enumeration_starts, verse_line, verse_commas, last_line_share
    continues, no_start, clause_marks, opening, openers = continues_, no_start_, clause_marks_, opening_, openers_
    words_of, min_freq, ends_marks, hanging_marks = words_, min_freq_, ends_, hanging_
    char_class_of, join_class, find_wraps_py = char_class_, join_, find_wraps_
    short_clause_ends, enumeration, enumeration_starts, verse_line, verse_commas, last_line_share = (
        short_clause_ends_, enumeration_, enumeration_starts_, verse_line_, verse_commas_, last_line_share_)


#: textfix.layout_blocks.signed_end and the marks its pattern needs before a sign-off
#: (``_SIGN_OFF_AFTER``), given by configure_ends
cdef object signed_end_py = None
cdef str sign_off_after = ""


def configure_ends(object signed_end_, str after_):
    """Give the twins ``textfix.layout_blocks.signed_end`` and ``_SIGN_OFF_AFTER``, which
    a block's ``finished`` asks (classify reads them before the joins are configured)."""
    global signed_end_py, sign_off_after
    signed_end_py, sign_off_after = signed_end_, after_


cdef inline bint has_char(str s, Py_UCS4 c) except -1:
    return PyUnicode_FindChar(s, c, 0, PyUnicode_GET_LENGTH(s), 1) >= 0


cdef inline Py_UCS4 char_at(str s, Py_ssize_t i) noexcept:
    return PyUnicode_READ(PyUnicode_KIND(s), PyUnicode_DATA(s), i)


cdef inline bint han(Py_UCS4 c) except -1:
    return class_of(c, char_class_of) & HAN != 0


cdef Py_ssize_t first_clause(str v) except -2:
    """The length of ``v``'s first clause, as textfix.layout_blocks._first_clause: up
    to the first clause mark among its first five characters (-1: there is none)."""
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(v)
    for i in range(min(n, 5)):
        if has_char(clause_marks, char_at(v, i)):
            return i
    return -1


cdef bint is_word(str s) except -1:
    """As textfix.layout_blocks.is_word."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(s)
    if n < 2 or n > 4:
        return False
    return words_of().get(s, 0) >= min_freq


cdef bint spans_gap(str left, str right) except -1:
    """As textfix.layout_blocks.word_spans_gap: a word of two to four Han characters
    runs across ``left|right``."""
    cdef Py_ssize_t nl = PyUnicode_GET_LENGTH(left), nr = PyUnicode_GET_LENGTH(right)
    cdef Py_ssize_t i, j, k, lt = 0, lh = 0
    cdef Py_UCS4 tail[3]
    cdef Py_UCS4 head[3]
    cdef Py_UCS4 buf[4]
    cdef Py_UCS4 c
    if nl == 0 or nr == 0 or not han(char_at(left, nl - 1)) or not han(char_at(right, 0)):
        return False
    for k in range(max(0, nl - 3), nl):
        c = char_at(left, k)
        if han(c):
            tail[lt] = c
            lt += 1
    for k in range(min(nr, 3)):
        c = char_at(right, k)
        if han(c):
            head[lh] = c
            lh += 1
    for i in range(1, lt + 1):
        for j in range(1, min(lh, 4 - i) + 1):
            for k in range(i):
                buf[k] = tail[lt - i + k]
            for k in range(j):
                buf[i + k] = head[k]
            if is_word(PyUnicode_FromKindAndData(4, buf, i + j)):
                return True
    return False


def text_evidence(str av, str bv):
    """As :func:`textfix.layout_blocks._text_evidence`."""
    return c_text_evidence(av, bv)


cdef object c_text_evidence(str av, str bv):
    cdef Py_ssize_t na = PyUnicode_GET_LENGTH(av), nb = PyUnicode_GET_LENGTH(bv), k, clause
    if na == 0:
        raise IndexError("string index out of range")
    if nb == 0:
        raise IndexError("string index out of range")
    cdef bint own = starts_own(av, bv, na, nb)
    if has_char(continues, char_at(av, na - 1)) and not own:
        return "open-mark"
    if has_char(no_start, char_at(bv, 0)):
        return "no-start-mark"
    if own:
        return ""
    clause = first_clause(bv)
    if opening.match(bv) is not None:
        return ""  # b opens a paragraph of its own
    for k in range(1, clause + 1):
        if bv[:k] in openers:
            return ""
    if spans_gap(av, bv):
        return "word"
    if 1 <= clause <= 3 and has_char(short_clause_ends, char_at(bv, clause)) and bv[:clause] not in openers:
        for k in range(clause):
            if not han(char_at(bv, k)):
                return None
        return "short-clause"
    return None


cdef bint starts_own(str av, str bv, Py_ssize_t na, Py_ssize_t nb) except -1:
    """As textfix.layout_blocks._starts_own (``na``, ``nb``: the lengths, ``nb > 0``)."""
    if (na <= verse_line and nb <= verse_line and has_char(verse_commas, char_at(av, na - 1))
            and has_char(clause_marks, char_at(bv, nb - 1))):
        return True
    return has_char(enumeration_starts, char_at(bv, 0)) and enumeration.match(bv) is not None


cdef inline bint finished_block(str v) except -1:
    # Block.finished: vis[-1:] in _ENDS or signed_end(vis)
    return finished(v, ends_marks)


cdef list segs_of(b):
    """``b.segs``: the widths of a block's wrapped lines, measured at the first ask."""
    s = bget(b, B_SEGS)
    if s is None:
        return b.segs
    return <list>s


cdef int cmp_double(const void* x, const void* y) noexcept nogil:
    cdef double a = (<double*>x)[0], b = (<double*>y)[0]
    return (a > b) - (a < b)


cdef class Widths:
    """A growing array of line widths (of :func:`line_width`)."""
    cdef double* w
    cdef Py_ssize_t n, cap

    def __dealloc__(self):
        free(self.w)

    cdef int add_inner(self, list segs) except -1:
        # segs[1:-1]
        cdef Py_ssize_t k, m = len(segs)
        cdef double* grown
        if m <= 2:
            return 0
        if self.n + m > self.cap:
            self.cap = 2 * (self.n + m)
            grown = <double*>realloc(self.w, self.cap * sizeof(double))
            if grown == NULL:
                raise MemoryError()
            self.w = grown
        for k in range(1, m - 1):
            self.w[self.n] = <double>segs[k]
            self.n += 1
        return 0

    cdef double median(self) noexcept:
        """statistics.median of the widths (at least one; sorted in place)."""
        cdef Py_ssize_t h = self.n // 2
        qsort(self.w, self.n, sizeof(double), cmp_double)
        return self.w[h] if self.n % 2 else (self.w[h - 1] + self.w[h]) / 2



cdef bint line_width(list blocks, Py_ssize_t i, Py_ssize_t j, double* out) except -1:
    """As textfix.layout_blocks._line_width: the regular width of the wrapped lines
    around blocks ``i`` and ``j`` in ``out[0]`` (False: there is none)."""
    cdef Widths inner = Widths()
    cdef Py_ssize_t k, n = len(blocks)
    inner.add_inner(segs_of(blocks[i]))
    inner.add_inner(segs_of(blocks[j]))
    if inner.n < 3:
        for k in range(max(0, i - 2), min(n, j + 3)):
            if k != i and k != j:
                b = blocks[k]
                if bget(b, B_KIND) == "body":
                    inner.add_inner(segs_of(b))
    if inner.n < 3:
        return False
    out[0] = inner.median()
    return True


def decide(list blocks, Py_ssize_t i, Py_ssize_t j, dict cache, bint indents=True):
    """As :func:`textfix.layout_blocks._decide_py`; ``cache`` is its
    ``_TEXT_EVIDENCE``."""
    return c_decide(blocks, i, j, cache, indents)


cdef str c_decide(list blocks, Py_ssize_t i, Py_ssize_t j, dict cache, bint indents):
    cdef object a = blocks[i], b = blocks[j], ev
    cdef str av = bget(a, B_VIS), bv = bget(b, B_VIS)
    cdef double w, full
    cdef list bs, as_
    key = (av, bv)
    ev = cache.get(key, UNKNOWN)
    if ev is UNKNOWN:
        ev = c_text_evidence(av, bv)
        if len(cache) >= CACHE_MAX:
            cache.clear()
        cache[key] = ev
    if ev is not None:
        return <str>ev
    if line_width(blocks, i, j, &w):
        full = w - 1.25
        bs = segs_of(b)
        if indents and bs and (bget(b, B_FIRST_FULL) or not finished_block(bv)) and <double>bs[0] >= full:
            # (a's widths measured only where b's first line is full, as the definition asks)
            as_ = segs_of(a)
            if not as_ or <double>as_[len(as_) - 1] >= last_line_share * w:
                return "full-first-line"
        if bget(a, B_LAST_FULL):
            as_ = segs_of(a)
            if as_ and <double>as_[len(as_) - 1] >= full and len(bs) == 1 and finished_block(bv):
                return "full-last-line"
    return ""


def page_indents(list blocks):
    """As :func:`textfix.layout_blocks._page_indents_py`, each block's inner widths in
    one :class:`Widths` and its median."""
    cdef Py_ssize_t k, n = len(blocks), indented = 0, flush = 0
    cdef Widths inner = Widths()
    cdef list segs
    for k in range(1, n):
        # settled once the blocks left (each counting once at most) cannot change it
        if indented >= flush + (n - k) or (flush > indented + (n - k) and indented + flush >= 4):
            break
        b = blocks[k]
        if bget(b, B_KIND) != "body" or bget(b, B_LEAD) or not finished_block(bget(blocks[k - 1], B_VIS)):
            continue
        segs = segs_of(b)
        if len(segs) < 3:
            continue
        inner.n = 0
        inner.add_inner(segs)
        if <double>segs[0] <= inner.median() - 1.25:
            indented += 1
        else:
            flush += 1
    return indented >= flush or indented + flush < 4


cdef Py_ssize_t next_body(list blocks, Py_ssize_t i, list skipped) except -1:
    """As textfix.layout_blocks._next_body: the block after ``i`` past at most four
    captions and credits (added to ``skipped``, unless it is None)."""
    cdef Py_ssize_t j = i + 1, n = len(blocks), k = 0
    while j < n and k < 4:
        kind = bget(blocks[j], B_KIND)
        if not (kind == "caption" or kind == "credit"):
            break
        if skipped is not None:
            skipped.append(j)
        k += 1
        j += 1
    return j


def find_joins(list blocks, dict cache, bint indents=True):
    """As :func:`textfix.layout_blocks._find_joins_py`; ``cache`` is
    ``_TEXT_EVIDENCE``."""
    cdef list joins = [], skipped
    cdef set incomplete = set()
    cdef Py_ssize_t i, j, n = len(blocks)
    cdef str ev
    for i in range(n):
        a = blocks[i]
        if bget(a, B_KIND) != "body" or finished_block(bget(a, B_VIS)):
            continue
        skipped = []
        j = next_body(blocks, i, skipped)
        ev = ""
        if j < n:
            b = blocks[j]
            if bget(b, B_KIND) == "body" and not bget(b, B_LEAD):
                ev = c_decide(blocks, i, j, cache, indents)
        if ev:
            joins.append(join_class(i, j, skipped, ev))
        else:
            incomplete.add(i)
    return joins, incomplete


cdef inline bint is_headline(str kind):
    return kind == "headline" or kind == "subheadline"


cdef bint anchored(list blocks, Py_ssize_t i) except -1:
    """As textfix.layout_blocks._anchored: block ``i`` is in a headline group before a
    byline or a dateline lead."""
    cdef Py_ssize_t j = i + 1, n = len(blocks)
    while j < n and j - i <= 3 and is_headline(bget(blocks[j], B_KIND)):
        j += 1
    if j < n:
        b = blocks[j]
        return bget(b, B_KIND) == "byline" or bool(bget(b, B_LEAD))
    return False


def settle_open(str text, list blocks, dict cache, bint indents=True):
    """As :func:`textfix.layout_blocks._settle_open_py` with the compiled wraps;
    ``cache`` is ``_TEXT_EVIDENCE``."""
    cdef Py_ssize_t i, j, n = len(blocks)
    for i in range(n):
        b = blocks[i]
        if not is_headline(bget(b, B_KIND)) or bget(b, B_BASE) != "open" or anchored(blocks, i):
            continue
        j = next_body(blocks, i, None)
        if j < n:
            nb = blocks[j]
            if bget(nb, B_KIND) == "body" and not bget(nb, B_LEAD):
                bset(b, B_KIND, "body")
                set_wraps(text, b, "body", find_wraps_py, char_class_of)
                if not c_decide(blocks, i, j, cache, indents):
                    kind = "headline" if not (i and is_headline(bget(blocks[i - 1], B_KIND))) else "subheadline"
                    bset(b, B_KIND, kind)
                    set_wraps(text, b, kind, find_wraps_py, char_class_of)


# -- blank lines: textfix.rules.layout._blank_runs_py ------------------------------------------

def blank_runs(str text, Py_ssize_t start, Py_ssize_t end):
    """As :func:`textfix.rules.layout._blank_runs_py`: the spans of the matches of
    ``\\n(?:[ \\t\\u3000]*\\n)+`` in ``text[start:end]`` (``0 <= start <= end <=
    len(text)``), left to right as ``finditer`` finds them, but for those that are
    exactly ``\\n\\n``."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i, j, k, lines
    cdef bint spaced
    cdef list out = []
    if not 0 <= start <= end <= n:
        raise ValueError("blank_runs needs 0 <= start <= end <= len(text)")
    i = start
    while i < end:
        if PyUnicode_READ(kind, data, i) == 0x0A:
            # the blank lines after this newline: spaces, then a newline, each
            j = i + 1
            lines = 0
            spaced = False
            while True:
                k = j
                while k < end and is_space(PyUnicode_READ(kind, data, k)):
                    k += 1
                if k < end and PyUnicode_READ(kind, data, k) == 0x0A:
                    spaced = spaced or k > j
                    j = k + 1
                    lines += 1
                else:
                    break
            if lines:
                if lines > 1 or spaced:
                    out.append((i, j))
                i = j
                continue
        i += 1
    return out


# -- trailing spaces: textfix.rules.layout._trailing_runs_py -------------------------------------

def trailing_runs(str text):
    """As :func:`textfix.rules.layout._trailing_runs_py`: the spans of the matches of
    ``[ \\t\\u3000]+(?=\\n|\\Z)`` (runs of spaces, tabs and ideographic spaces that end
    a line or the text)."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, s
    cdef list out = []
    while i < n:
        if is_space(PyUnicode_READ(kind, data, i)):
            s = i
            i += 1
            while i < n and is_space(PyUnicode_READ(kind, data, i)):
                i += 1
            if i == n or PyUnicode_READ(kind, data, i) == 0x0A:
                out.append((s, i))
        else:
            i += 1
    return out


# -- the labels of layout.block-kind --------------------------------------------------------------

def block_labels(list blocks, object label):
    """``[label(b.start, b.end, b.kind) for b in blocks]`` for the frozen
    :class:`textfix.edit.Label` (its fields set as its ``__init__`` sets them, ``rule``
    its default ``""``), without running its ``__init__``."""
    cdef list out = []
    new = label.__new__
    for b in blocks:
        obj = new(label)
        PyObject_GenericSetAttr(obj, "start", b.start)
        PyObject_GenericSetAttr(obj, "end", b.end)
        PyObject_GenericSetAttr(obj, "kind", b.kind)
        PyObject_GenericSetAttr(obj, "rule", "")
        out.append(obj)
    return out
