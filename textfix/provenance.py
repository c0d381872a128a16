"""Provenance: where every character of the current text came from.

A :class:`SourceMap` is an ordered list of pieces that together spell the current text
and, read for their source ranges, tile the source exactly:

* **kept**: a run copied unchanged from ``source[s0:s1]``;
* **moved**: a run copied unchanged from ``source[origin:origin+n]`` but placed at the
  source position ``s0 == s1`` (a caption taken out of a paragraph);
* **changed**: ``source[s0:s1]`` replaced by ``text``, with the rules that did it.

:meth:`SourceMap.step` composes one rule's edits (in current-text offsets) into the map
in time linear in the number of pieces and edits; :meth:`SourceMap.edits` gives the
composed edits in source offsets; :meth:`SourceMap.source_spans` maps any span of the
current text back to the source.

The pieces are composed and queried by a compiled twin, ``textfix._provenance.Map``,
where it was built and ``TEXTFIX_PURE_PYTHON`` is not set (see :mod:`textfix._compiled`);
the methods below are its definition and compute the same in pure Python.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import Sequence

from . import _compiled
from .edit import Edit, Safety

try:
    from . import _provenance
except ImportError:  # not built: the pure-Python methods do the work
    _provenance = None

KEPT, MOVED, CHANGED = 0, 1, 2


class _Piece:
    __slots__ = ("s0", "s1", "n", "kind", "text", "origin", "edits")

    def __init__(self, s0, s1, n, kind, text=None, origin=None, edits=()):
        self.s0 = s0  # source start
        self.s1 = s1  # source end
        self.n = n  # length in the current text
        self.kind = kind
        self.text = text  # current text of a changed piece
        self.origin = origin  # source offset of a moved piece's first character
        self.edits = edits  # the step edits that made a changed or moved piece


def compiled_available() -> bool:
    """Whether the compiled source map (:mod:`textfix._provenance`) was built."""
    return _provenance is not None


class SourceMap:
    """The map from a current text back to its source (see the module doc).

    ``compiled``: use the compiled twin (``None``: where it is built and enabled)."""

    def __init__(self, source: str, compiled: bool | None = None):
        if compiled is None:
            compiled = _provenance is not None and _compiled.enabled()
        elif compiled and _provenance is None:
            raise RuntimeError("textfix._provenance was not built")
        self._core = _provenance.Map(source) if compiled else None
        self.source = source
        # the pure pieces (the compiled map holds its own)
        self._pieces: list[_Piece] = [_Piece(0, len(source), len(source), KEPT)] if source and not compiled else []
        self._starts: list[int] | None = None
        self._src_starts: list[int] | None = None
        self._moved: list[int] | None = None  # moved pieces before each index

    def __getstate__(self) -> dict:
        # A compiled map is pickled as the pure pieces it holds, so that a pickle
        # loads where the twin is not built (or switched off) as well.
        state = self.__dict__.copy()
        if self._core is not None:
            state["_pieces"] = [_Piece(*t) for t in self._core.pieces_as_tuples()]
            state["_core"] = None
            state["_starts"] = state["_src_starts"] = state["_moved"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self._core is None and _provenance is not None and _compiled.enabled():
            self._core = _provenance.Map(self.source)
            self._core.set_pieces([(p.s0, p.s1, p.n, p.kind, p.text, p.origin, p.edits)
                                   for p in self._pieces])
            self._pieces = []
            self._starts = self._src_starts = self._moved = None

    # -- lookups --------------------------------------------------------------------
    def _out_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = list(accumulate([p.n for p in self._pieces], initial=0))[:-1]
        return self._starts

    def source_spans(self, start: int, end: int) -> list[tuple[int, int]]:
        """The source ranges the current text ``[start, end)`` came from, in text order.

        A changed piece maps as a whole; a moved piece maps to where its characters
        were taken from; touching ranges are merged.  An empty span maps to the source
        position it sits at.
        """
        if self._core is not None:
            return self._core.source_spans(start, end)
        starts = self._out_starts()
        pieces = self._pieces
        if not pieces:
            return [(0, 0)]
        if start >= end:
            return [(self._point(start), self._point(start))]
        i = max(bisect_right(starts, start) - 1, 0)
        j = bisect_left(starts, end) - 1
        if j > i:
            # Kept and changed pieces tile the source in order, so where no moved piece
            # lies between, the span is one range from where the first piece that
            # counts starts to where the last ends (what the loop below would merge).
            if self._moved is None:
                self._moved = list(accumulate([p.kind == MOVED for p in pieces], initial=0))
            if self._moved[j + 1] == self._moved[i]:
                p = pieces[i]
                if not (min(end, starts[i] + p.n) > max(start, starts[i])
                        or (p.n == 0 and start <= starts[i])):
                    i += 1  # the first piece ends where the span starts
                    p = pieces[i]
                a = p.s0 + max(start - starts[i], 0) if p.kind == KEPT else p.s0
                q = pieces[j]
                b = q.s0 + min(end, starts[j] + q.n) - starts[j] if q.kind == KEPT else q.s1
                return [(a, b)]
        return self._spans_by_piece(start, end, i)

    def _spans_by_piece(self, start: int, end: int, i: int | None = None) -> list[tuple[int, int]]:
        """:meth:`source_spans` of a non-empty span, piece by piece from piece ``i``
        (the last starting at or before ``start``)."""
        if self._core is not None:
            return self._core.spans_by_piece(start, end)
        starts = self._out_starts()
        pieces = self._pieces
        if i is None:
            i = max(bisect_right(starts, start) - 1, 0)
        spans: list[tuple[int, int]] = []
        while i < len(pieces) and starts[i] < end:
            p = pieces[i]
            lo, hi = max(start, starts[i]), min(end, starts[i] + p.n)
            if hi > lo or (p.n == 0 and start <= starts[i] < end):
                if p.kind == KEPT:
                    s = (p.s0 + lo - starts[i], p.s0 + hi - starts[i])
                elif p.kind == MOVED:
                    s = (p.origin + lo - starts[i], p.origin + hi - starts[i])
                else:
                    s = (p.s0, p.s1)
                if spans and spans[-1][1] == s[0]:
                    spans[-1] = (spans[-1][0], s[1])
                elif not spans or spans[-1] != s:
                    spans.append(s)
            i += 1
        return spans or [(self._point(start), self._point(start))]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The smallest source range covering everything ``[start, end)`` came from."""
        if self._core is not None:
            return self._core.source_span(start, end)
        spans = self.source_spans(start, end)
        return min(s for s, _ in spans), max(e for _, e in spans)

    def _point(self, pos: int) -> int:
        """The source position a boundary of the current text sits at."""
        if self._core is not None:
            return self._core.point(pos)
        starts = self._out_starts()
        i = bisect_right(starts, pos) - 1
        if i < 0:
            return 0
        p = self._pieces[i]
        off = pos - starts[i]
        if off >= p.n:
            return p.s1
        return p.s0 + off if p.kind == KEPT else p.s0

    def output_span(self, s0: int, s1: int) -> tuple[int, int]:
        """The current-text range that source ``[s0, s1)`` became (inverse of :meth:`source_span`)."""
        if self._core is not None:
            return self._core.output_span(s0, s1)
        pieces = self._pieces
        if not pieces:
            return 0, 0
        if self._src_starts is None:
            self._src_starts = [p.s0 for p in pieces]
        src, starts = self._src_starts, self._out_starts()
        i = max(bisect_right(src, s0) - 1, 0)
        p = pieces[i]
        if s0 < p.s1:
            a = starts[i] + (s0 - p.s0 if p.kind == KEPT else 0)
        else:
            a = starts[i] + p.n
        if s1 <= s0:
            return a, a
        j = max(bisect_left(src, s1) - 1, 0)
        q = pieces[j]
        if s1 <= q.s1 and q.kind == KEPT:
            b = starts[j] + s1 - q.s0
        else:
            b = starts[j] + q.n
        return a, max(a, b)

    # -- composition ----------------------------------------------------------------
    def step(self, text: str, edits: Sequence[Edit]) -> None:
        """Compose one step's edits (valid for the current ``text``) into the map."""
        if not edits:
            return
        if self._core is not None:
            return self._core.step(text, edits)
        pieces = self._pieces
        starts = self._out_starts()

        def widen(a: int, b: int) -> tuple[int, int]:
            # a changed piece cannot be split: a span reaching inside it takes all of it
            i = bisect_left(starts, a) - 1
            if i >= 0 and pieces[i].kind == CHANGED and starts[i] + pieces[i].n > a:
                a = starts[i]
            j = bisect_left(starts, b) - 1
            if j >= 0 and pieces[j].kind == CHANGED and starts[j] + pieces[j].n > b:
                b = starts[j] + pieces[j].n
            return a, b

        clusters: list[list] = []  # [A, B, edits, is_move]
        for e in edits:
            a, b = widen(e.start, e.end)
            is_move = e.moved_from is not None and a == b == e.start
            if clusters and not is_move and not clusters[-1][3] and a < clusters[-1][1]:
                c = clusters[-1]
                c[1] = max(c[1], b)
                c[2].append(e)
            else:
                clusters.append([a, b, [e], is_move])

        new: list[_Piece] = []
        cursor = _Cursor(pieces, starts)
        source = self.source
        for a, b, group, is_move in clusters:
            p = cursor.cur
            if not is_move and p is not None and a >= cursor.pos + p.n:
                cursor.take(a, new, copying=True)
                p = cursor.cur
            if not is_move and p is not None and p.kind == KEPT and b < cursor.pos + p.n:
                # The common case, a change inside one kept piece (the cursor is never
                # past ``a``): what take() and _point() would do, without them.
                off = cursor.pos
                s0, s1 = p.s0 + a - off, p.s0 + b - off
                if a > off:
                    _push(new, _Piece(p.s0, s0, a - off, KEPT))
                if len(group) == 1 and group[0].start == a and group[0].end == b:
                    new_text = group[0].new
                else:
                    new_text = _spliced(text, a, b, group)
                if new_text == source[s0:s1]:
                    _push(new, _Piece(s0, s1, s1 - s0, KEPT))
                else:
                    new.append(_Piece(s0, s1, len(new_text), CHANGED, new_text, None, tuple(group)))
                if b > off:
                    cursor.cur = _Piece(s1, p.s1, p.n - (b - off), KEPT)
                    cursor.pos = b
                continue
            cursor.take(a, new, copying=True)
            if is_move:
                e = group[0]
                point = self._point(a)
                for p in self._slice(e.moved_from, e.moved_from + len(e.new), starts):
                    if p.kind == CHANGED:
                        new.append(_Piece(point, point, p.n, CHANGED, p.text, None, p.edits + (e,)))
                    else:
                        new.append(_Piece(point, point, p.n, MOVED, None, p.origin, p.edits + (e,)))
                continue
            consumed: list[_Piece] = []
            s0 = self._point(a)
            cursor.take(b, consumed, copying=False)
            s1 = consumed[-1].s1 if consumed else s0
            prior: tuple = ()
            for p in consumed:
                if p.kind != KEPT:
                    prior += p.edits
            new_text = _spliced(text, a, b, group)
            if new_text == source[s0:s1]:
                _push(new, _Piece(s0, s1, s1 - s0, KEPT))
            else:
                new.append(_Piece(s0, s1, len(new_text), CHANGED, new_text, None, prior + tuple(group)))
        cursor.take(1 << 62, new, copying=True)
        self._pieces = new
        self._starts = None
        self._src_starts = None
        self._moved = None

    def _slice(self, start: int, end: int, starts: list[int]) -> list[_Piece]:
        """Copies of the pieces covering current ``[start, end)``, cut to it."""
        out = []
        i = max(bisect_right(starts, start) - 1, 0)
        while i < len(self._pieces) and starts[i] < end:
            p = self._pieces[i]
            lo, hi = max(start, starts[i]) - starts[i], min(end, starts[i] + p.n) - starts[i]
            if hi > lo:
                if p.kind == KEPT:
                    out.append(_Piece(p.s0 + lo, p.s0 + lo, hi - lo, MOVED, None, p.s0 + lo))
                elif p.kind == MOVED:
                    out.append(_Piece(p.s0, p.s0, hi - lo, MOVED, None, p.origin + lo, p.edits))
                else:
                    out.append(_Piece(p.s0, p.s0, hi - lo, CHANGED, p.text[lo:hi], None, p.edits))
            i += 1
        return out

    # -- results --------------------------------------------------------------------
    def edits(self) -> list[Edit]:
        """The composed edits, in source offsets, in output order."""
        if self._core is not None:
            return self._core.edits()
        out: list[Edit] = []
        for p in self._pieces:
            if p.kind == KEPT:
                continue
            if p.kind == MOVED:
                e0 = p.edits[0]
                new = self.source[p.origin : p.origin + p.n]
                if out and out[-1].moved_from is not None and out[-1].start == p.s0 and (
                    out[-1].moved_from + len(out[-1].new) == p.origin
                ):
                    prev = out.pop()
                    out.append(_with(prev, new=prev.new + new))
                    continue
                out.append(
                    Edit(p.s0, p.s0, new, old="", rules=e0.rules, safety=e0.safety,
                         confidence=e0.confidence, note=e0.note, moved_from=p.origin)
                )
            else:
                out.append(_compose_edit(p.s0, p.s1, self.source[p.s0 : p.s1], p.text, p.edits))
        return out


class _Cursor:
    """Walks a piece list, splitting kept and moved pieces at the limits asked for.

    Whatever it puts in a sink goes through :func:`_push`, so kept pieces that touch
    in the source are merged as they meet: the map stays as short as it can be
    without a pass over all of it.  Runs of whole pieces are copied as one slice.
    """

    def __init__(self, pieces: list[_Piece], starts: list[int]):
        self.pieces = pieces
        self.ends = starts[1:] + [starts[-1] + pieces[-1].n] if pieces else []
        self.i = 0
        self.pos = 0
        self.cur = pieces[0] if pieces else None

    def take(self, limit: int, sink: list, copying: bool) -> None:
        """Move what lies before ``limit`` into ``sink``.

        Copying (text before an edit) also takes empty pieces sitting at ``limit``;
        consuming (text under an edit) leaves them for what follows.
        """
        pieces = self.pieces
        while self.cur is not None:
            p = self.cur
            end = self.pos + p.n
            if end < limit or (end == limit and (p.n > 0 or copying)):
                _push(sink, p)
                if copying and p is pieces[self.i]:
                    # every whole piece that ends by ``limit``, in one slice
                    j = bisect_right(self.ends, limit, self.i + 1)
                    sink.extend(pieces[self.i + 1 : j])
                    self.i = j
                    self.pos = self.ends[j - 1]
                else:
                    self.pos = end
                    self.i += 1
                self.cur = pieces[self.i] if self.i < len(pieces) else None
            elif self.pos < limit:
                left, right = _split(p, limit - self.pos)
                _push(sink, left)
                self.cur = right
                self.pos = limit
                return
            else:
                return


def _spliced(text: str, a: int, b: int, group: list[Edit]) -> str:
    """``text[a:b]`` with the edits of ``group`` (inside it, sorted) made."""
    out, off = [], a
    for e in group:
        out.append(text[off : e.start])
        out.append(e.new)
        off = e.end
    out.append(text[off:b])
    return "".join(out)


def _push(sink: list, p: _Piece) -> None:
    """Append ``p``, merging it into a kept piece it continues; empty kept pieces are dropped."""
    if p.kind == KEPT:
        if p.n == 0:
            return
        if sink:
            q = sink[-1]
            if q.kind == KEPT and q.s1 == p.s0:
                sink[-1] = _Piece(q.s0, p.s1, q.n + p.n, KEPT)
                return
    sink.append(p)


def _with(e: Edit, **kw) -> Edit:
    from dataclasses import replace

    return replace(e, **kw)


def _split(p: _Piece, k: int) -> tuple[_Piece, _Piece]:
    if p.kind == KEPT:
        return _Piece(p.s0, p.s0 + k, k, KEPT), _Piece(p.s0 + k, p.s1, p.n - k, KEPT)
    if p.kind == MOVED:
        return (
            _Piece(p.s0, p.s0, k, MOVED, None, p.origin, p.edits),
            _Piece(p.s0, p.s0, p.n - k, MOVED, None, p.origin + k, p.edits),
        )
    raise AssertionError("a changed piece is never split")


def _compose_edit(s0: int, s1: int, old: str, new: str, steps: tuple[Edit, ...]) -> Edit:
    if len(steps) == 1:  # the common case: one rule's edit, moved into source offsets
        e = steps[0]
        return Edit(s0, s1, new, old, e.rules, Safety.SAFE if e.safety is None else e.safety,
                    e.confidence, e.note)
    rules: list[str] = []
    notes: list[str] = []
    safety = Safety.SAFE
    confidence = 1.0
    for e in steps:
        for r in e.rules:
            if r not in rules:
                rules.append(r)
        if e.note and e.note not in notes:
            notes.append(e.note)
        safety = min(safety, Safety.SAFE if e.safety is None else e.safety)
        confidence = min(confidence, e.confidence)
    return Edit(s0, s1, new, old=old, rules=tuple(rules), safety=safety,
                confidence=confidence, note="; ".join(notes))
