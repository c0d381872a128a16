"""Edits: the only way textfix changes text.

An :class:`Edit` replaces ``text[start:end]`` with ``new``.  Every function here is pure
and linear in the length of the text plus the number of edits.

Offsets are Python ``str`` indices (Unicode code points), half-open ``[start, end)``.
A list of edits is *valid* for a text when it is sorted, non-overlapping
(``prev.end <= next.start``), in bounds and each ``old`` equals the text it replaces.
Several insertions (``start == end``) may share one position; their list order is
their order in the output.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Iterable, Sequence


class Safety(enum.IntEnum):
    """How sure a rule is about an edit, ordered like ruff's applicability levels."""

    SUGGEST = 0  #: logged as a suggestion, never applied
    GUESS = 1  #: heuristic with evidence; applied by default
    SAFE = 2  #: mechanical, the meaning is kept

    def __str__(self) -> str:  # "guess", not "Safety.GUESS", in logs and JSON
        return self.name.lower()


#: ``str(safety)`` of each level by its value, for the edit records written by the
#: thousand (indexed, not hashed: an enum's hash is a Python-level call)
_SAFETY_NAMES = tuple(str(Safety(v)) for v in range(len(Safety)))


def is_applied(safety: Safety, confidence: float, threshold: float) -> bool:
    """Whether the pipeline applies an edit of ``safety`` and ``confidence`` at
    ``threshold``; otherwise it is a suggestion."""
    return not (safety == Safety.SUGGEST or (safety == Safety.GUESS and confidence < threshold))


class EditError(ValueError):
    """A list of edits does not fit the text it is applied to."""


@dataclass(frozen=True, slots=True, init=False)
class Edit:
    """Replace ``[start, end)`` of a text with ``new``.

    ``old`` is the text replaced (filled in by the pipeline when a rule leaves it out);
    ``rules`` the rule or rules that made the edit; ``moved_from`` marks an insertion
    whose characters were moved from that offset of the source, so their provenance
    is kept.
    """

    start: int
    end: int
    new: str
    old: str | None = None
    rules: tuple[str, ...] = ()
    safety: Safety | None = None  #: ``None``: the proposing rule's level
    confidence: float = 1.0
    note: str = ""
    moved_from: int | None = None

    def __init__(self, start: int, end: int, new: str, old: str | None = None,
                 rules: tuple[str, ...] = (), safety: Safety | None = None,
                 confidence: float = 1.0, note: str = "", moved_from: int | None = None):
        # The generated __init__ of a frozen dataclass sets each field through
        # object.__setattr__; the slots' own setters do the same in half the time,
        # and the pipeline makes an Edit for every change of every rule.
        s = _SLOT_SETTERS
        s[0](self, start)
        s[1](self, end)
        s[2](self, new)
        s[3](self, old)
        s[4](self, rules)
        s[5](self, safety)
        s[6](self, confidence)
        s[7](self, note)
        s[8](self, moved_from)

    @property
    def rule(self) -> str:
        """The rules that made this edit, joined with ``+``."""
        return "+".join(self.rules)

    def to_dict(self) -> dict:
        c = self.confidence
        safety = self.safety
        d = {
            "start": self.start,
            "end": self.end,
            "old": self.old,
            "new": self.new,
            "rules": list(self.rules),
            # not ``self.safety or SAFE``: SUGGEST is 0, and a suggestion must say so
            "safety": _SAFETY_NAMES[Safety.SAFE if safety is None else safety],
            # (most are 1.0, which rounds to itself: round() is the costliest step here)
            "confidence": c if c == 1.0 else round(c, 4),
        }
        if self.note:
            d["note"] = self.note
        if self.moved_from is not None:
            d["moved_from"] = self.moved_from
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Edit":
        return cls(
            start=d["start"],
            end=d["end"],
            new=d["new"],
            old=d.get("old"),
            rules=tuple(d.get("rules", ())),
            safety=Safety[d.get("safety", "safe").upper()],
            confidence=d.get("confidence", 1.0),
            note=d.get("note", ""),
            moved_from=d.get("moved_from"),
        )


_SLOT_SETTERS = [Edit.__dict__[f.name].__set__ for f in fields(Edit)]


def validate(text: str, edits: Sequence[Edit]) -> None:
    """Raise :class:`EditError` unless ``edits`` is a valid list for ``text``."""
    prev_end = 0
    n = len(text)
    for e in edits:
        if not (0 <= e.start <= e.end <= n):
            raise EditError(f"edit {e.start}-{e.end} is outside the text (length {n})")
        if e.start < prev_end:
            raise EditError(
                f"edit {e.start}-{e.end} overlaps or precedes the edit ending at {prev_end}"
            )
        if e.old is not None and text[e.start : e.end] != e.old:
            raise EditError(
                f"edit {e.start}-{e.end} expects {e.old!r} but the text has "
                f"{text[e.start:e.end]!r}"
            )
        if e.moved_from is not None:
            m = e.moved_from
            if e.start != e.end or not (0 <= m and m + len(e.new) <= n):
                raise EditError(f"move to {e.start} from {m} is not an insertion inside the text")
            if text[m : m + len(e.new)] != e.new:
                raise EditError(f"move from {m} does not carry the text found there")
        prev_end = e.end


def apply(text: str, edits: Iterable[Edit]) -> str:
    """Apply a valid list of edits to ``text``."""
    out: list[str] = []
    pos = 0
    for e in edits:
        out.append(text[pos : e.start])
        out.append(e.new)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def apply_valid(text: str, edits: Sequence[Edit]) -> str | None:
    """``apply(text, edits)`` when ``edits`` is a valid list for ``text`` (in the order
    given), else None."""
    try:
        validate(text, edits)
    except EditError:
        return None
    return apply(text, edits)


def restore(text: str, edits: Iterable[Edit]) -> str:
    """Rebuild the source from an output ``text`` and the edits (in source offsets) that made it.

    Needs only ``start``, ``end``, ``old`` and ``new`` of each edit.
    """
    out: list[str] = []
    src = 0  # position in the source
    pos = 0  # position in the output
    for e in edits:
        keep = e.start - src
        out.append(text[pos : pos + keep])
        if e.old is None:
            raise EditError(f"edit {e.start}-{e.end} does not record the text it replaced")
        out.append(e.old)
        pos += keep + len(e.new)
        src = e.end
    out.append(text[pos:])
    return "".join(out)


def invert(edits: Iterable[Edit]) -> list[Edit]:
    """The edits, in output offsets, that turn the output back into the source."""
    inv: list[Edit] = []
    delta = 0
    for e in edits:
        start = e.start + delta
        inv.append(
            Edit(
                start,
                start + len(e.new),
                e.old or "",
                old=e.new,
                rules=e.rules,
                safety=e.safety,
                confidence=e.confidence,
                note=e.note,
            )
        )
        delta += len(e.new) - (e.end - e.start)
    return inv


def opcodes(source: str, edits: Iterable[Edit]) -> list[tuple[str, int, int, int, int]]:
    """``difflib.SequenceMatcher.get_opcodes()``-style opcodes from source to output.

    Tags are ``equal``, ``replace``, ``delete`` and ``insert``; ``i1:i2`` index the
    source, ``j1:j2`` the output.
    """
    ops: list[tuple[str, int, int, int, int]] = []
    src = out = 0
    for e in edits:
        if e.start > src:
            n = e.start - src
            ops.append(("equal", src, e.start, out, out + n))
            out += n
        n_new = len(e.new)
        if e.start == e.end and n_new:
            tag = "insert"
        elif n_new == 0:
            tag = "delete" if e.end > e.start else ""
        else:
            tag = "replace"
        if tag:
            ops.append((tag, e.start, e.end, out, out + n_new))
        out += n_new
        src = e.end
    if src < len(source):
        ops.append(("equal", src, len(source), out, out + len(source) - src))
    return ops


@dataclass(frozen=True, slots=True)
class Flag:
    """A span that a rule marks without changing it (``incomplete``, ``unreadable`` …).

    Offsets are in the coordinates of the text the flag is attached to: the current
    text when a rule proposes it, the source in a :class:`~textfix.result.Result`.
    """

    start: int
    end: int
    name: str
    rule: str = ""
    score: float | None = None
    note: str = ""

    def to_dict(self) -> dict:
        d = {"name": self.name, "start": self.start, "end": self.end, "rule": self.rule}
        if self.score is not None:
            d["score"] = round(self.score, 4)
        if self.note:
            d["note"] = self.note
        return d


@dataclass(frozen=True, slots=True)
class Label:
    """Says what kind of block ``[start, end)`` is (``headline``, ``byline``, ``caption`` …)."""

    start: int
    end: int
    kind: str
    rule: str = field(default="")
