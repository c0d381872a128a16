"""The pipeline: runs the rules in order and is the one place where edits are applied.

For each rule it builds a :class:`~textfix.rule.Doc` of the current text, collects the
rule's proposals, fills in ``old`` and the rule's name, sorts and validates the edits,
applies those that are safe enough, composes them into the source map, and records
suggestions, flags and block labels in source offsets.
"""

from __future__ import annotations

import dataclasses
import functools
from bisect import bisect_left, bisect_right
import regex
from dataclasses import dataclass, replace
from typing import Any, Iterable, Iterator

from . import _compiled, _hugepages
from .edit import Edit, EditError, Flag, Label, Safety, apply, apply_valid, is_applied, validate
from .provenance import SourceMap, _provenance
from .result import Paragraph, Result, gc_paused as _gc_paused
from .rule import MAX_ROUNDS, Doc, Rule, kind_at_source


class ConfigError(ValueError):
    """An option, rule name or configuration file is wrong; the message says how."""


class RuleError(RuntimeError):
    """A rule proposed edits that do not fit the text: a bug in that rule."""


@dataclass(frozen=True)
class Config:
    """Options of a pipeline.  Every field can be given as a keyword argument to
    :func:`textfix.clean` / :class:`Pipeline`, as a CLI flag, or in a TOML file.

    ``select``/``disable``/``enable`` take rule names (``punct.straight-quotes``) or
    stage names (``punct``).
    """

    select: tuple[str, ...] = ()  #: run only these rules (empty: all default rules)
    disable: tuple[str, ...] = ()  #: never run these
    enable: tuple[str, ...] = ()  #: also run these opt-in rules
    convert: str | None = None  #: OpenCC conversion, e.g. ``t2s``, ``tw2s``, ``hk2s``
    threshold: float = 0.9  #: confidence a ``guess`` edit needs to be applied
    dicts: tuple[str, ...] = ()  #: user dictionaries (one word per line, optional frequency)
    protect: tuple[str, ...] = ()  #: files of words that are never changed

    @classmethod
    def make(cls, base: "Config | None" = None, **options: Any) -> "Config":
        """A config from ``base`` with ``options`` overriding it; unknown options are an error."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ConfigError(
                f"unknown option {unknown[0]!r}; the options are: {', '.join(sorted(known))}"
            )
        base = base or cls()
        values = {}
        for k, v in options.items():
            values[k] = _coerce(k, v)
        return replace(base, **values)

    @classmethod
    def from_toml(cls, path: str, base: "Config | None" = None) -> "Config":
        """Read options from a TOML file: top-level keys, or a ``[tool.textfix]`` /
        ``[textfix]`` table (so ``pyproject.toml`` works)."""
        import tomllib

        try:
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except OSError as e:
            raise ConfigError(f"cannot read config file {path}: {e.strerror}") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"config file {path} is not valid TOML: {e}") from None
        table = data.get("tool", {}).get("textfix", data.get("textfix", data))
        try:
            return cls.make(base, **{k.replace("-", "_"): v for k, v in table.items()})
        except ConfigError as e:
            raise ConfigError(f"in config file {path}: {e}") from None


def _coerce(key: str, value: Any) -> Any:
    if key in ("select", "disable", "enable", "dicts", "protect"):
        if isinstance(value, str):
            value = [v for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple, set, frozenset)):
            raise ConfigError(f"option {key!r} takes a list of names, not {value!r}")
        return tuple(str(v).strip() for v in value)
    if key == "threshold":
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"option 'threshold' takes a number from 0 to 1, not {value!r}") from None
        if not 0.0 <= value <= 1.0:
            raise ConfigError(f"option 'threshold' takes a number from 0 to 1, not {value}")
        return value
    if key == "convert":
        if value in (None, "", False, "none"):
            return None
        return str(value)
    return value


def resolve_rules(config: Config, registry: Iterable[Rule] | None = None) -> tuple[Rule, ...]:
    """The rules a config runs, in pipeline order; unknown names are an error."""
    if registry is None:
        from .rules import PIPELINE as registry  # noqa: N811
    registry = tuple(registry)
    names = {r.name for r in registry}
    stages = {r.stage for r in registry}

    def matches(r: Rule, sel: tuple[str, ...]) -> bool:
        return r.name in sel or r.stage in sel

    for key in ("select", "disable", "enable"):
        for n in getattr(config, key):
            if n not in names and n not in stages:
                raise ConfigError(
                    f"unknown rule {n!r} in option {key!r}; `textfix rules` lists the rules"
                )
    out = []
    for r in registry:
        if config.select:
            on = matches(r, config.select)
        else:
            on = r.default or matches(r, config.enable)
            if r.name == "convert.opencc" and config.convert:
                on = True
        if matches(r, config.disable):
            on = False
        if on:
            out.append(r)
    return tuple(out)


_PARA_BREAK = regex.compile(r"\n[ \t\u3000]*\n\s*")


class Pipeline:
    """A reusable cleaner: options checked and data loaded once, then :meth:`clean` many
    texts.  Picklable (loaded data is not pickled; a copy reloads it on first use)."""

    def __init__(self, config: Config | None = None, **options: Any):
        self.config = Config.make(config, **options)
        self.rules = resolve_rules(self.config)
        self.resources: dict[str, Any] = {}
        if self.config.convert:
            from .rules.convert import opencc_converter

            opencc_converter(self.config.convert, self.resources)  # fail early on a bad name

    def __getstate__(self) -> dict:
        return {"config": self.config}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["config"])

    def __repr__(self) -> str:
        return f"Pipeline({self.config!r})"

    #: Text that makes every rule load its data (a misread, a doubled word, punctuation).
    _WARM_TEXT = "要深人学习学习,提高工作水平,做好前期工\n\n作。\n"

    def warm(self) -> "Pipeline":
        """Load every rule's data now instead of on the first :meth:`clean` (the
        dictionary matcher takes a few seconds).  A batch warms its pipeline before
        forking workers, which then share the loaded data instead of each loading
        their own.  Returns the pipeline."""
        self.clean(self._WARM_TEXT)
        _hugepages.wait()
        return self

    #: Texts :meth:`map` and :meth:`clean_many` clean together, stage by stage: at most
    #: this many, and no more once they hold :data:`BATCH_CHARS` characters.
    BATCH_TEXTS = 8
    BATCH_CHARS = 1 << 16

    def map(self, texts: Iterable[str], *, return_exceptions: bool = False) -> Iterator[Result]:
        """Clean each text of an iterable, lazily and in order: the same results as
        :meth:`clean` of each.

        Texts are taken a few at a time (:data:`BATCH_TEXTS`, fewer once they hold
        :data:`BATCH_CHARS` characters) and cleaned together, each rule over all of them
        before the next rule, so that a rule's data stays in the processor's caches from
        one page to the next (×1.07–1.14 the throughput of :meth:`clean` page by page
        on noised archive pages, in process time); a rule with :attr:`Rule.many` gets the
        batch in one call.  A text that cannot be cleaned raises
        its error when its turn comes, after the results before it; with
        ``return_exceptions`` its error (an ``Exception``) is yielded in its place and
        the texts after it go on."""
        it = iter(texts)
        while True:
            batch: list = []
            chars = 0
            for t in it:
                batch.append(t)
                chars += len(t) if isinstance(t, str) else 0
                if len(batch) >= self.BATCH_TEXTS or chars >= self.BATCH_CHARS:
                    break
            if not batch:
                return
            for r in self._clean_batch(batch):
                if isinstance(r, BaseException) and not return_exceptions:
                    raise r
                yield r

    def clean_many(self, texts: Iterable[str]) -> list[Result]:
        """``list(self.map(texts))``: :meth:`clean` of each text, a few texts cleaned
        together at a time.  The first text that cannot be cleaned raises its error."""
        return list(self.map(texts))

    def clean(self, text: str) -> Result:
        """Clean ``text`` and return a :class:`~textfix.result.Result`.

        Python's cyclic garbage collector is paused while a text is cleaned (and
        restored as it was, whatever happens): cleaning makes no reference cycles
        (``tests/test_api.py`` checks it on the seed pages), so there is nothing
        for it to find, and its passes over the page's many young edit objects cost
        ~7% of the time on noised archive pages.  Whether the compiled twins are used
        (``TEXTFIX_PURE_PYTHON``) is read once per text (:class:`textfix._compiled.pinned`)."""
        with _compiled.pinned(), _gc_paused():
            job = _Job(text)
            for r in self.rules:
                self._run(r, job)
            return self._finish(job)

    def _clean_batch(self, texts: list) -> list:
        """:meth:`clean` of each text, each rule over all texts before the next rule;
        a text's item is its Result, or the exception cleaning it raised (the others
        go on).  The outputs are those of :meth:`clean`: a text's steps are the same and
        in the same order, and no rule keeps anything from one text for another."""
        with _compiled.pinned(), _gc_paused():
            jobs: list = []
            for t in texts:
                try:
                    jobs.append(_Job(t))
                except Exception as e:
                    jobs.append(e)
            for r in self.rules:
                live = [i for i, job in enumerate(jobs) if isinstance(job, _Job)]
                many = getattr(r, "many", None)
                if many is not None and len(live) > 1:
                    live = self._run_many(r, many, jobs, live)
                for i in live:
                    try:
                        self._run(r, jobs[i])
                    except Exception as e:
                        jobs[i] = e
            out = []
            for job in jobs:
                if isinstance(job, _Job):
                    try:
                        job = self._finish(job)
                    except Exception as e:
                        job = e
                out.append(job)
            return out

    def _run_many(self, r: Rule, many, jobs: list, live: list[int]) -> list[int]:
        """Rule ``r``'s step of the texts ``live`` (indices into ``jobs``) from one call
        of its ``many``; the indices of those left to step one by one (all of them
        where ``many`` fails: each is then tried alone, and one that fails fails
        alone)."""
        docs = [self._doc(jobs[i]) for i in live]
        try:
            proposals = [list(p) for p in many(docs)]
        except Exception:
            return live
        if len(proposals) != len(docs):
            return live
        for i, doc, props in zip(live, docs, proposals):
            try:
                self._run(r, jobs[i], doc, props)
            except Exception as e:
                jobs[i] = e
        return []

    def _doc(self, job: "_Job") -> Doc:
        return Doc(job.text, self.config, self.resources, job.smap, job.labels, job.state, job.blocks)

    def _run(self, r: Rule, job: "_Job", doc: Doc | None = None, proposals: list | None = None,
             rounds: int = 1) -> None:
        """One rule's step of a text: its proposals (``r(doc)``, or ``proposals`` made
        for ``doc`` already) taken, its edits applied and composed into the source map,
        its suggestions, flags and labels recorded; then, for a rule
        :attr:`~textfix.rule.Rule.until_fixed` that changed the text, the next round
        (``rounds``: this one's number)."""
        if doc is None:
            doc = self._doc(job)
        cur = job.text
        smap = job.smap
        labels = job.labels
        new_labels: list[tuple[int, int, str]] = []
        # (the rule's own list goes straight to take, held by no one else: its fresh
        # Edits can be completed in place)
        edits = job.take(r(doc) if proposals is None else proposals, cur, r.name, r.safety,
                         self.config.threshold, smap, job.suggestions, job.flags, new_labels)
        # Doc.blocks() of the text as it is, passed on from rule to rule while neither
        # the text nor the labels change (finding every block's kind through the source
        # map is the cost of blocks())
        job.blocks = doc._blocks
        if new_labels:
            labels[:] = _merge_labels(labels, new_labels)
            job.blocks = None
        if not edits:
            return
        job.blocks = None
        # Validated and applied in one pass; a list that is valid as proposed is
        # sorted already (each edit starts where or after the one before ends).
        out = job.apply_valid(cur, edits)
        if out is None:
            edits.sort(key=lambda e: (e.start, e.end))
            try:
                validate(cur, edits)
            except EditError as e:
                raise RuleError(f"rule {r.name} proposed edits that do not fit the text: {e}") from None
            out = apply(cur, edits)
        smap.step(cur, edits)
        job.text = out
        if rounds < MAX_ROUNDS and getattr(r, "until_fixed", False):
            self._run(r, job, rounds=rounds + 1)

    def _finish(self, job: "_Job") -> Result:
        job.flags.sort(key=lambda f: (f.start, f.end, f.name))
        job.suggestions.sort(key=lambda e: (e.start, e.end))
        smap = job.smap
        return Result._from_map(job.source, job.text, smap, job.suggestions, job.flags, job.labels)


class _Job:
    """One text being cleaned: the text as it is after the rules run so far, its source
    map, and what the rules have recorded of it."""

    __slots__ = ("source", "text", "smap", "labels", "flags", "suggestions", "state", "blocks",
                 "take", "apply_valid")

    def __init__(self, text: str):
        if isinstance(text, (bytes, bytearray, memoryview)):
            raise TypeError(
                "textfix cleans str, not bytes: decode the input first, "
                "e.g. data.decode('utf-8') (or use the `textfix` command, which detects encodings)"
            )
        if not isinstance(text, str):
            raise TypeError(f"textfix cleans str, not {type(text).__name__}")
        self.source = self.text = text
        self.smap = SourceMap(text)
        self.labels: list[tuple[int, int, str]] = []
        self.flags: list[Flag] = []
        self.suggestions: list[Edit] = []
        self.state: dict[str, Any] = {}
        self.blocks = None
        self.take, self.apply_valid = _step_functions(self.smap)


def _take(proposals: Iterable, cur: str, name: str, safety: Safety | None, threshold: float,
          smap: SourceMap, suggestions: list, flags: list, new_labels: list) -> list[Edit]:
    """What rule ``name`` proposes for the text ``cur``: the edits to apply, filled in
    (the text each replaces, the rule, its safety), in the order proposed; the
    suggestions, flags and labels go to their lists in source offsets."""
    edits: list[Edit] = []
    rule_names = (name,)
    n = len(cur)
    rule_safety = safety
    for p in proposals:
        if isinstance(p, Edit):
            start, end = p.start, p.end
            if start < 0 or end > n or start > end:
                raise RuleError(f"rule {name} proposed an edit {start}-{end} outside the text")
            old, new, moved = p.old, p.new, p.moved_from
            if old is None:
                old = cur[start:end]
            if new == old and moved is None:
                continue
            safety = rule_safety if p.safety is None else p.safety
            if not is_applied(safety, p.confidence, threshold):
                s0, s1 = smap.source_span(start, end)
                suggestions.append(Edit(s0, s1, new, old, p.rules or rule_names, Safety.SUGGEST,
                                        p.confidence, p.note, moved))
            elif old is p.old and p.rules and safety is p.safety and type(p) is Edit:
                edits.append(p)  # already complete: the copy would be equal to it
            else:
                edits.append(Edit(start, end, new, old, p.rules or rule_names, safety,
                                  p.confidence, p.note, moved))
        elif isinstance(p, Flag):
            s0, s1 = smap.source_span(p.start, p.end)
            flags.append(replace(p, start=s0, end=s1, rule=p.rule or name))
        elif isinstance(p, Label):
            s0, s1 = smap.source_span(p.start, p.end)
            new_labels.append((s0, s1, p.kind))
        else:
            raise RuleError(f"rule {name} yielded {p!r}, not an Edit, Flag or Label")
    return edits


def _step_functions(smap: SourceMap) -> tuple:
    """``(take, apply_valid)``: :func:`_take` and :func:`textfix.edit.apply_valid`, or
    their compiled twins where ``smap`` uses the compiled map."""
    if smap._core is None:
        return _take, apply_valid
    return _provenance.take_proposals, _provenance.apply_valid


def _merge_labels(old: list[tuple[int, int, str]], new: list[tuple[int, int, str]]) -> list:
    """Labels sorted and disjoint; a new label replaces the old ones it overlaps.

    One sweep over both sorted lists: linear in their lengths."""
    new = sorted(new)
    out: list[tuple[int, int, str]] = []
    j = 0
    for lab in old:
        while j < len(new) and new[j][1] <= lab[0]:
            j += 1
        # new labels are sorted by start and (being block spans) disjoint, so the only
        # ones that can overlap `lab` start at j
        k = j
        hit = False
        while k < len(new) and new[k][0] < lab[1]:
            if new[k][1] > lab[0] or new[k][0] == lab[0]:
                hit = True
                break
            k += 1
        if not hit:
            out.append(lab)
    return sorted(out + new)


def _paragraphs(result: Result, smap: SourceMap, labels) -> list[Paragraph]:
    """The paragraphs of ``result.text`` (the text between blank lines, without the
    newlines it ends in) with their source ranges, kinds and flags: :func:`_paragraphs_py`,
    by the compiled twin where ``smap`` uses the compiled map."""
    if smap._core is not None:
        return _provenance.paragraphs(result.text, result.flags, smap._core, labels, _para_white(),
                                      Paragraph)
    return _paragraphs_py(result, smap, labels)


@functools.lru_cache(maxsize=1)
def _para_white() -> bytes:
    """The trailing ``\\s*`` of :data:`_PARA_BREAK`, by code point, for the compiled
    paragraph scan."""
    from .chars import break_space_table

    return break_space_table(_PARA_BREAK)


def _paragraphs_py(result: Result, smap: SourceMap, labels) -> list[Paragraph]:
    text = result.text
    spans = []
    pos = 0
    for m in _PARA_BREAK.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    end = len(text)
    while end > pos and text[end - 1] in "\n":
        end -= 1
    if end > pos:
        spans.append((pos, end))
    # Each flag goes to the paragraphs its output span overlaps or touches (an empty
    # span: the paragraphs it sits in or at the edge of); found by bisection, so the
    # cost is linear in paragraphs and flags, not their product.
    starts = [a for a, _ in spans]
    ends = [b for _, b in spans]
    per_para: list[list] = [[] for _ in spans]
    for f in result.flags:
        fa, fb = smap.output_span(f.start, f.end)
        lo = bisect_left(ends, fa) if fa == fb else bisect_right(ends, fa)
        for i in range(lo, bisect_right(starts, fb)):
            per_para[i].append(f)
    paras = []
    for i, (a, b) in enumerate(spans):
        src = tuple(smap.source_spans(a, b))
        kind = kind_at_source(labels, smap.source_span(a, a + 1)[0])
        paras.append(Paragraph(i, text[a:b], kind, a, b, src, tuple(per_para[i])))
    return paras


@functools.lru_cache(maxsize=8)
def _pipeline_for(config: Config) -> Pipeline:
    return Pipeline(config)


def clean(text: str, **options: Any) -> Result:
    """Clean one text with the given options (see :class:`Config`).

    Pipelines are cached by their options, so data is loaded once however often this
    is called; :class:`Pipeline` gives the same explicitly."""
    return _pipeline_for(Config.make(**options)).clean(text)
