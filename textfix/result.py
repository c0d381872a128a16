"""Result: the clean text, the edits that made it, and the way back to the source."""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass
from typing import Iterator

from orjson import dumps as _orjson_dumps

from . import edit as _edit
from .edit import Edit, Flag

#: Version of the JSON/JSONL record layout written by :meth:`Result.to_records`.
SCHEMA = "textfix.paragraph/1"

#: The standard encoder, for what orjson refuses (a lone surrogate): one made once (a
#: record holds no cycles to check for) instead of one per record.
_encode_std = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def encode_record(record: dict) -> str:
    """A record as one line of JSONL, non-ASCII characters as they are, no spaces between
    tokens: by ``orjson`` (~4.6x the standard encoder on the records of noised archive
    pages, where encoding was a fifth of writing text and JSONL), or ``json`` where
    orjson refuses a string (a lone surrogate, which no decoded file holds)."""
    try:
        return _orjson_dumps(record).decode()
    except TypeError:  # orjson.JSONEncodeError
        return _encode_std(record)


class gc_paused:
    """Pause the cyclic garbage collector inside the block, as it was after.  Cleaning
    and the records of a result make many containers and no cycles (a test checks it
    on the seed pages): with the collector on, its passes over every object alive
    (~300k once the lexicon is loaded) were a third of the time ``to_records`` took."""

    __slots__ = ("was",)

    def __enter__(self):
        self.was = gc.isenabled()
        if self.was:
            gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()
        return False


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of the clean text.

    ``start``/``end`` are offsets in :attr:`Result.text`; ``source`` lists the source
    ranges its characters came from (more than one when a paragraph was rejoined or a
    caption moved out of it); ``flags`` are the flags inside it, in source offsets.
    """

    index: int
    text: str
    kind: str
    start: int
    end: int
    source: tuple[tuple[int, int], ...]
    flags: tuple[Flag, ...] = ()

    @property
    def source_start(self) -> int:
        return min(s for s, _ in self.source)

    @property
    def source_end(self) -> int:
        return max(e for _, e in self.source)


class Result:
    """What :func:`textfix.clean` returns.

    * ``source``: the input, exactly;
    * ``text``: the clean text (paragraphs separated by one blank line);
    * ``edits``: the applied edits in source offsets, sorted: ``apply(source, edits) == text``;
    * ``suggestions``: edits that were proposed but not applied (safety ``suggest`` or
      confidence below the threshold), in source offsets;
    * ``flags``: spans marked but not changed (``incomplete``, ``unreadable`` …), in source offsets;
    * ``paragraphs``: the paragraphs of ``text`` with their kinds and source ranges.

    A result the pipeline made holds its provenance map, and reads ``edits`` and
    ``paragraphs`` off it the first time they are asked for (most of a batch's results
    are asked only for their text: composing ~110k edits a megabyte of noisy OCR and
    their paragraphs is ~5% of a clean); they are the same lists either way, and
    equality, ``repr`` and pickling see them as fields.
    """

    __slots__ = ("source", "text", "suggestions", "flags", "_map", "_edits", "_paragraphs", "_labels")

    def __init__(self, source: str, text: str, edits: list[Edit] | None = None,
                 suggestions: list[Edit] | None = None, flags: list[Flag] | None = None,
                 paragraphs: list[Paragraph] | None = None, _map: object = None):
        self.source = source
        self.text = text
        self.suggestions = [] if suggestions is None else suggestions
        self.flags = [] if flags is None else flags
        self._map = _map
        # None: not read off the map yet (edits: the map's, or none without one;
        # paragraphs: the map's for _labels, or none without labels)
        self._edits = edits if edits is not None or _map is not None else []
        self._paragraphs = paragraphs
        self._labels = None

    @classmethod
    def _from_map(cls, source: str, text: str, smap, suggestions: list, flags: list,
                  labels: list) -> "Result":
        """The result of a pipeline run: ``edits`` and ``paragraphs`` read off ``smap``
        (and the block ``labels``) when first asked for."""
        r = cls(source, text, None, suggestions, flags, None, smap)
        r._labels = labels
        return r

    @property
    def edits(self) -> list[Edit]:
        if self._edits is None:
            with gc_paused():  # (as when the pipeline composed them inside clean())
                self._edits = self._map.edits()
        return self._edits

    @edits.setter
    def edits(self, value: list[Edit]) -> None:
        self._edits = value

    @property
    def paragraphs(self) -> list[Paragraph]:
        if self._paragraphs is None:
            if self._labels is not None and self._map is not None:
                from .pipeline import _paragraphs

                with gc_paused():
                    self._paragraphs = _paragraphs(self, self._map, self._labels)
            else:
                self._paragraphs = []
            self._labels = None
        return self._paragraphs

    @paragraphs.setter
    def paragraphs(self, value: list[Paragraph]) -> None:
        self._paragraphs = value
        self._labels = None

    def _fields(self) -> tuple:
        return (self.source, self.text, self.edits, self.suggestions, self.flags, self.paragraphs)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it was

    def __repr__(self) -> str:
        names = ("source", "text", "edits", "suggestions", "flags", "paragraphs")
        return "Result(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields())) + ")"

    def __reduce__(self):
        # pickled with its edits and paragraphs read off the map: a pickle does not
        # depend on the map's labels
        return (self.__class__, self._fields() + (self._map,))

    @property
    def changed(self) -> bool:
        return self.text != self.source

    def restore(self) -> str:
        """Rebuild the exact source from the clean text and the edits alone."""
        return _edit.restore(self.text, self.edits)

    def source_spans(self, start: int, end: int) -> list[tuple[int, int]]:
        """The source ranges ``text[start:end]`` came from."""
        if self._map is None:
            raise ValueError("this result has no provenance map (it was read from JSON)")
        return self._map.source_spans(start, end)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The smallest source range covering everything ``text[start:end]`` came from."""
        spans = self.source_spans(start, end)
        return min(s for s, _ in spans), max(e for _, e in spans)

    def output_span(self, start: int, end: int) -> tuple[int, int]:
        """The range of ``text`` that ``source[start:end]`` became."""
        if self._map is None:
            raise ValueError("this result has no provenance map (it was read from JSON)")
        return self._map.output_span(start, end)

    def opcodes(self) -> list[tuple[str, int, int, int, int]]:
        """``difflib``-style opcodes from ``source`` to ``text``."""
        return _edit.opcodes(self.source, self.edits)

    def explain(self, name: str = "") -> Iterator[str]:
        """One line per edit, suggestion and flag: where, which rule, before → after."""
        lines = _LineIndex(self.source)
        prefix = f"{name}:" if name else ""
        items = [(e.start, 0, e) for e in self.edits] + [(e.start, 1, e) for e in self.suggestions]
        items += [(f.start, 2, f) for f in self.flags]
        for _, what, item in sorted(items, key=lambda t: (t[0], t[1])):
            ln, col = lines.at(item.start)
            where = f"{prefix}{ln}:{col} [{item.start}-{item.end}]"
            if what == 2:
                score = f" score={item.score:.2f}" if item.score is not None else ""
                note = f"  {item.note}" if item.note else ""
                yield f"{where} {item.rule} flag {item.name}{score}{note}"
                continue
            tag = "" if what == 0 else "suggest "
            moved = f" (moved from {item.moved_from})" if item.moved_from is not None else ""
            note = f"  {item.note}" if item.note else ""
            yield (
                f"{where} {tag}{item.rule} {_show(item.old or '')} → {_show(item.new)}"
                f" [{item.safety} {item.confidence:.2f}]{moved}{note}"
            )

    def to_records(self) -> list[dict]:
        """One JSON-ready record per paragraph (schema :data:`SCHEMA`); together they hold
        every edit, suggestion and flag, so the source can be rebuilt from them."""
        with gc_paused():
            return self._records()

    def _records(self) -> list[dict]:
        paras = self.paragraphs or [Paragraph(0, "", "empty", 0, 0, ((0, len(self.source)),))]
        out_starts = [p.start for p in paras]
        buckets: list[dict[str, list]] = [{"edits": [], "suggestions": [], "flags": []} for _ in paras]
        from bisect import bisect_right

        def slot(out_pos: int) -> int:
            return max(bisect_right(out_starts, out_pos) - 1, 0)

        # the edits are sorted and disjoint, so their output offsets never fall: the
        # paragraph of each is found walking forward from the last one's
        delta = 0
        k, last = 0, len(out_starts) - 1
        into = buckets[0]["edits"]
        for e in self.edits:
            pos = e.start + delta
            if k < last and out_starts[k + 1] <= pos:
                while k < last and out_starts[k + 1] <= pos:
                    k += 1
                into = buckets[k]["edits"]
            into.append(e.to_dict())
            delta += len(e.new) - (e.end - e.start)
        for e in self.suggestions:
            buckets[slot(self._out(e.start))]["suggestions"].append(e.to_dict())
        for f in self.flags:
            buckets[slot(self._out(f.start))]["flags"].append(f.to_dict())
        records = []
        for p, b in zip(paras, buckets):
            records.append({
                "schema": SCHEMA,
                "index": p.index,
                "kind": p.kind,
                "text": p.text,
                "start": p.start,
                "end": p.end,
                "source": [list(s) for s in p.source],
                **b,
            })
        return records

    def _out(self, src: int) -> int:
        return self._map.output_span(src, src)[0] if self._map is not None else 0

    def to_json(self) -> str:
        """The whole result as one JSON document (source included)."""
        return json.dumps({
            "schema": "textfix.result/1",
            "source": self.source,
            "text": self.text,
            "edits": [e.to_dict() for e in self.edits],
            "suggestions": [e.to_dict() for e in self.suggestions],
            "flags": [f.to_dict() for f in self.flags],
            "paragraphs": [
                {"index": p.index, "kind": p.kind, "start": p.start, "end": p.end,
                 "source": [list(s) for s in p.source]}
                for p in self.paragraphs
            ],
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, data: str) -> "Result":
        d = json.loads(data)
        text = d["text"]
        flags = [Flag(f["start"], f["end"], f["name"], f.get("rule", ""), f.get("score"), f.get("note", ""))
                 for f in d.get("flags", [])]
        paras = [Paragraph(p["index"], text[p["start"]:p["end"]], p["kind"], p["start"], p["end"],
                           tuple(tuple(s) for s in p["source"])) for p in d.get("paragraphs", [])]
        return cls(
            source=d["source"], text=text,
            edits=[Edit.from_dict(e) for e in d["edits"]],
            suggestions=[Edit.from_dict(e) for e in d.get("suggestions", [])],
            flags=flags, paragraphs=paras,
        )


def _show(s: str) -> str:
    """A short, visible rendering of an edit's text for logs."""
    if len(s) > 40:
        s = s[:18] + "…" + s[-18:]
    return repr(s)


class _LineIndex:
    """Offset → (line, column), both 1-based."""

    def __init__(self, text: str):
        self.starts = [0]
        pos = text.find("\n")
        while pos != -1:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def at(self, offset: int) -> tuple[int, int]:
        from bisect import bisect_right

        i = bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1
