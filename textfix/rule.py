"""Rules: named checks that only *propose* edits, flags and labels.

A rule is a function ``f(doc) -> iterable`` of :class:`~textfix.edit.Edit`,
:class:`~textfix.edit.Flag` and :class:`~textfix.edit.Label`, in offsets of
``doc.text``.  The pipeline fills in ``old`` and the rule's name, validates, applies
and records everything.  Write one with the :func:`rule` decorator::

    @rule("punct.halfwidth-in-cjk", safety=Safety.SAFE)
    def halfwidth_in_cjk(doc):
        \"\"\"Half-width punctuation inside Chinese text.

        ## Why
        ...
        ## Example
            before: 近年来,我市
            after:  近年来，我市
        \"\"\"
        ...

The name is ``<stage>.<problem>``: named after what is wrong, not after the cure.
The docstring's first line is the summary ``textfix rules`` lists; ``## Why`` and
``## Example`` are printed by ``textfix rules NAME`` and the example is tested.
"""

from __future__ import annotations

import inspect
import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Iterable

from . import _compiled
from .chars import break_space_table
from .edit import Edit, Flag, Label, Safety

try:
    from . import _layout
except ImportError:  # not built: the pure-Python definitions do the work
    _layout = None

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Config
    from .provenance import SourceMap

Proposal = Edit | Flag | Label

#: How many times a rule :attr:`~Rule.until_fixed` runs on one text at most.
MAX_ROUNDS = 4

_BLOCK_BREAK = re.compile(r"\n[ \t\u3000]*\n\s*")


@dataclass(frozen=True)
class Rule:
    """A named check; see the module doc."""

    name: str
    func: Callable[["Doc"], Iterable[Proposal]] = field(repr=False, compare=False)
    safety: Safety = Safety.SAFE
    default: bool = True  #: run unless disabled; ``False``: only when enabled by name
    doc: str = field(default="", repr=False, compare=False)
    #: Run again on the text its edits made, until it makes none (at most
    #: :data:`MAX_ROUNDS` times): for a rule whose edits can give it new evidence (a
    #: paragraph joined across a break makes the block before it end in a paragraph
    #: that goes on), so that cleaning its output again finds nothing more to do.
    until_fixed: bool = False
    #: Optional: the proposals for several texts at once, ``many(docs)`` -> one iterable
    #: of proposals per doc, each what ``func`` gives for that doc alone.
    #: :meth:`textfix.Pipeline.map` uses it for a batch (a rule that judges a batch in
    #: passes keeps its tables in the caches); a text it fails on is retried alone.
    many: Callable[[list["Doc"]], list[Iterable[Proposal]]] | None = field(
        default=None, repr=False, compare=False)

    def with_many(self, many: Callable[[list["Doc"]], list[Iterable[Proposal]]]) -> "Rule":
        """This rule, with :attr:`many` set."""
        return replace(self, many=many)

    @property
    def stage(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""

    def example(self) -> tuple[str, str] | None:
        """The ``before:`` / ``after:`` pair from the rule's ``## Example`` section."""
        m = re.search(r"^\s*before:[ ]?(.*)\n\s*after:[ ]*(.*)$", self.doc, re.M)
        if not m:
            return None
        return _unescape(m.group(1)), _unescape(m.group(2))

    def __call__(self, doc: "Doc") -> Iterable[Proposal]:
        return self.func(doc)


_ESCAPE = re.compile(r"\\(n|r|t|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2})")


def _unescape(s: str) -> str:
    """``\\n``, ``\\r``, ``\\t``, ``\\uXXXX`` and ``\\xXX`` in an example line."""
    def one(m: re.Match) -> str:
        c = m.group(1)
        return {"n": "\n", "r": "\r", "t": "\t"}.get(c) or chr(int(c[1:], 16))

    return _ESCAPE.sub(one, s)



def _change_py(start: int, end: int, new: str) -> Edit:
    return Edit(start, end, new)


def _pick_change() -> Callable[[int, int, str], Edit]:
    if not _compiled.enabled():
        return _change_py
    try:
        from ._provenance import change
    except ImportError:
        return _change_py
    return change


#: ``change(start, end, new)`` is ``Edit(start, end, new)``: the proposal the busiest rules
#: make tens of thousands of times a page set (a mark's width, a wrap's space).  Where the
#: compiled source map is built (and ``TEXTFIX_PURE_PYTHON`` was not set when textfix was
#: imported) it makes the same Edit without running the Python ``__init__``, ~5x faster.
change = _pick_change()

def rule(name: str, safety: Safety = Safety.SAFE, default: bool = True, until_fixed: bool = False):
    """Make a :class:`Rule` of a function; its docstring is the rule's doc."""

    def wrap(func: Callable[["Doc"], Iterable[Proposal]]) -> Rule:
        return Rule(
            name=name, func=func, safety=safety, default=default,
            doc=inspect.cleandoc(func.__doc__ or ""), until_fixed=until_fixed,
        )

    return wrap


@dataclass(frozen=True, slots=True)
class Block:
    """A block of the current text (the text between blank lines) and its kind."""

    start: int
    end: int
    kind: str

    def text(self, doc: "Doc") -> str:
        return doc.text[self.start : self.end]


class Doc:
    """What a rule sees: the current text, the options and the shared resources."""

    def __init__(self, text: str, config: "Config", resources: dict[str, Any],
                 source_map: "SourceMap", labels: list[tuple[int, int, str]],
                 state: dict[str, Any] | None = None, blocks: "list[Block] | None" = None):
        self.text = text
        self.config = config
        #: data loaded once per Pipeline and shared by every text it cleans (lexicons …)
        self.resources = resources
        #: scratch space for one ``clean()`` call, shared by its rules (an analysis
        #: that several rules use, keyed by what it was computed from)
        self.state = {} if state is None else state
        self._map = source_map
        self._labels = labels
        #: the blocks, where already known for this text and these labels
        self._blocks: list[Block] | None = blocks

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Where ``[start, end)`` of the current text came from in the source."""
        return self._map.source_span(start, end)

    def kind_at(self, pos: int) -> str:
        """The kind of block the character at ``pos`` belongs to (``body`` if unknown)."""
        s = self._map.source_span(pos, pos + 1)[0] if pos < len(self.text) else self._map.source_span(pos, pos)[0]
        return kind_at_source(self._labels, s)

    def blocks(self) -> list[Block]:
        """The blocks of the current text with their kinds, in order: :meth:`_blocks_py`,
        by the compiled twin where it is built and enabled."""
        if self._blocks is None:
            if _layout is not None and _compiled.enabled():
                # the compiled map's own source_span, where there is one
                core = getattr(self._map, "_core", None)
                span = self._map.source_span if core is None else core.source_span
                self._blocks = _layout.doc_blocks(self.text, _break_white(), span, self._labels, Block)
            else:
                self._blocks = self._blocks_py()
        return self._blocks

    def _blocks_py(self) -> list[Block]:
        """The blocks of the current text (:meth:`block_spans`) with the kinds of the
        labels their first characters came from."""
        return [Block(a, b, self.kind_at(a)) for a, b in self._spans()]

    def block_spans(self) -> list[tuple[int, int]]:
        """``(start, end)`` of each of :meth:`blocks`, without their kinds (a block's
        kind, looked up through the source map, is most of what :meth:`blocks` costs):
        the text between blank lines, without the newline the text ends in."""
        if self._blocks is not None:
            return [(b.start, b.end) for b in self._blocks]
        return self._spans()

    def _spans(self) -> list[tuple[int, int]]:
        spans = []
        pos = 0
        text = self.text
        for m in _BLOCK_BREAK.finditer(text):
            if m.start() > pos:
                spans.append((pos, m.start()))
            pos = m.end()
        if pos < len(text):
            end = len(text) - (1 if text.endswith("\n") else 0)
            if end > pos:
                spans.append((pos, end))
        return spans


@lru_cache(maxsize=1)
def _break_white() -> bytes:
    """For each code point up to U+3000: 1 if the ``\\s`` of :data:`_BLOCK_BREAK` matches
    it (none beyond, which a test checks), for the compiled :meth:`Doc.blocks`."""
    return break_space_table(_BLOCK_BREAK)


def kind_at_source(labels: list[tuple[int, int, str]], s: int) -> str:
    """The kind of the label whose source range holds ``s`` (labels sorted, disjoint)."""
    i = bisect_right(labels, (s, 1 << 62, "")) - 1
    if i >= 0 and labels[i][0] <= s < labels[i][1]:
        return labels[i][2]
    return "body"
