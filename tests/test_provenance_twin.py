"""The compiled source map (``textfix._provenance.Map``) and the pure-Python
:class:`~textfix.provenance.SourceMap` hold the same pieces and answer every query
the same.

The pure methods are the reference.  Compared after every step of random step
sequences (replacements, deletions, empty edits, insertions at piece boundaries,
moved text, edits over changed and moved pieces), and on every step and query the
pipeline makes on the seed pages and on noised benchmark pages.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import textfix
from textfix import pipeline as pipeline_mod
from textfix.edit import Edit, EditError, Flag, Label, Safety, apply, apply_valid, validate
from textfix.pipeline import RuleError, _take
from textfix.provenance import SourceMap, _provenance, compiled_available
from textfix.rule import rule

from conftest import SEEDS
from twins import Refuse


def test_twin_is_built():
    assert compiled_available(), (
        "textfix._provenance was not built: install textfix where a C compiler and the "
        "Python headers are available (pip install -e '.[test]' builds it in place)"
    )


def _pair(src):
    if not compiled_available():
        pytest.fail("the compiled source map is not built")
    return SourceMap(src, compiled=False), SourceMap(src, compiled=True)


def _pieces(m: SourceMap) -> list[tuple]:
    if m._core is not None:
        return m._core.pieces_as_tuples()
    return [(p.s0, p.s1, p.n, p.kind, p.text, p.origin if p.kind == 1 else None, p.edits)
            for p in m._pieces]


def _same_queries(pure: SourceMap, comp: SourceMap, text: str) -> None:
    """Every query of both maps over every span of ``text`` (and a little outside)."""
    n = len(text)
    src = len(pure.source)
    assert comp.edits() == pure.edits()
    assert [repr(e) for e in comp.edits()] == [repr(e) for e in pure.edits()]
    for a in range(-1, n + 2):
        assert comp._point(a) == pure._point(a), a
        for b in range(a, n + 2):
            assert comp.source_spans(a, b) == pure.source_spans(a, b), (a, b)
            assert comp.source_span(a, b) == pure.source_span(a, b), (a, b)
            if b > a and a >= 0:
                assert comp._spans_by_piece(a, b) == pure._spans_by_piece(a, b), (a, b)
    for s0 in range(-1, src + 2):
        for s1 in range(s0 - 1, src + 2):
            assert comp.output_span(s0, s1) == pure.output_span(s0, s1), (s0, s1)


RULES = ("r1", "r2", "r3")
NOTES = ("", "", "a", "b")
SAFETY = (None, None, Safety.SAFE, Safety.GUESS, Safety.SUGGEST)


@st.composite
def step_sequences(draw, alphabet="abcdef ,\n"):
    """A source (of ``alphabet``) and up to six steps of sorted, valid edits, each step
    on the text the previous steps made: replacements, deletions, empty edits,
    insertions (often at an earlier edit's boundary) and moves of any run of the
    current text."""
    src = draw(st.text(alphabet=alphabet, max_size=24))
    texts, steps = [src], []
    bounds: set[int] = set()
    for _ in range(draw(st.integers(1, 6))):
        cur = texts[-1]
        edits, pos = [], 0
        for _ in range(draw(st.integers(0, 5))):
            if pos > len(cur):
                break
            near = sorted(x for x in bounds if pos <= x <= len(cur))
            if near and draw(st.booleans()):
                a = draw(st.sampled_from(near))
            else:
                a = draw(st.integers(pos, len(cur)))
            b = draw(st.integers(a, min(len(cur), a + draw(st.sampled_from([0, 1, 2, 4, 8])))))
            meta = dict(rules=(draw(st.sampled_from(RULES)),), safety=draw(st.sampled_from(SAFETY)),
                        confidence=draw(st.sampled_from([1.0, 0.5, 0.95])),
                        note=draw(st.sampled_from(NOTES)))
            if a == b and cur and draw(st.booleans()):
                m = draw(st.integers(0, len(cur) - 1))
                k = draw(st.integers(1, len(cur) - m))
                edits.append(Edit(a, a, cur[m:m + k], old="", moved_from=m, **meta))
            else:
                new = draw(st.sampled_from(["", "", cur[a:b], "x", "yz", ",", cur[a:b][::-1] + "q"]))
                edits.append(Edit(a, b, new, old=cur[a:b], **meta))
            pos = b
        validate(cur, edits)
        steps.append(edits)
        out = apply(cur, edits)
        # where this step's edits end up in its output: later steps insert there
        bounds, delta = set(), 0
        for e in edits:
            bounds.update((e.start + delta, e.start + delta + len(e.new)))
            delta += len(e.new) - (e.end - e.start)
        texts.append(out)
    return src, steps, texts


@settings(max_examples=300, deadline=None)
@given(step_sequences())
def test_twins_agree_after_every_step(case):
    src, steps, texts = case
    pure, comp = _pair(src)
    for cur, edits in zip(texts, steps):
        pure.step(cur, edits)
        comp.step(cur, edits)
        assert _pieces(comp) == _pieces(pure)
    _same_queries(pure, comp, texts[-1])
    assert apply(src, comp.edits()) == texts[-1]


@settings(max_examples=100, deadline=None)
@given(step_sequences(), st.data())
def test_twins_agree_on_queries_between_steps(case, data):
    # the maps cache their lookup tables; a query before a step must not leave a
    # stale one behind
    src, steps, texts = case
    pure, comp = _pair(src)
    for cur, edits in zip(texts, steps):
        n = len(cur)
        for _ in range(3):
            a = data.draw(st.integers(0, n))
            b = data.draw(st.integers(a, n))
            assert comp.source_spans(a, b) == pure.source_spans(a, b)
            assert comp.output_span(a, b) == pure.output_span(a, b)
        pure.step(cur, edits)
        comp.step(cur, edits)
    _same_queries(pure, comp, texts[-1])


def test_empty_source():
    pure, comp = _pair("")
    _same_queries(pure, comp, "")
    edits = [Edit(0, 0, "ab", old="", rules=("r",))]
    pure.step("", edits)
    comp.step("", edits)
    assert _pieces(comp) == _pieces(pure)
    _same_queries(pure, comp, "ab")


class _Both:
    """Stands in for SourceMap in the pipeline: runs the pure map and the compiled one
    side by side and checks that every step leaves the same pieces and every query
    gets the same answer."""

    calls = 0

    def __init__(self, source):
        self.pure, self.comp = _pair(source)
        self.source = source
        self._core = self.comp._core  # the pipeline makes and applies edits compiled

    def step(self, text, edits):
        self.pure.step(text, edits)
        self.comp.step(text, edits)
        assert _pieces(self.comp) == _pieces(self.pure)
        _Both.calls += 1

    def _same(self, name, *args):
        a, b = getattr(self.pure, name)(*args), getattr(self.comp, name)(*args)
        assert a == b, (name, args)
        return b

    def source_spans(self, a, b):
        return self._same("source_spans", a, b)

    def source_span(self, a, b):
        return self._same("source_span", a, b)

    def output_span(self, a, b):
        return self._same("output_span", a, b)

    def edits(self):
        a, b = self.pure.edits(), self.comp.edits()
        assert [repr(e) for e in a] == [repr(e) for e in b]
        return b


def _pages():
    from benchmarks.noise import heldout, pages

    noisy, clean = pages(heldout()[:320])
    return [open(p, encoding="utf-8").read() for p in SEEDS] + noisy[:8] + clean[:2]


def test_twins_agree_on_the_pages(monkeypatch):
    if not compiled_available():
        pytest.fail("the compiled source map is not built")
    texts = _pages()
    assert len(texts) >= 10
    pipe = textfix.Pipeline()
    expected = [pipe.clean(t) for t in texts]
    _Both.calls = 0
    monkeypatch.setattr(pipeline_mod, "SourceMap", _Both)
    for t, want in zip(texts, expected):
        got = pipe.clean(t)
        assert got.text == want.text
        assert repr(got.edits) == repr(want.edits)
        assert repr(got.paragraphs) == repr(want.paragraphs)
        m = got._map
        n = len(got.text)
        for a in range(0, n, 97):
            m.source_spans(a, min(n, a + 300))
            m.source_span(a, a)
        for s in range(0, len(t), 89):
            m.output_span(s, s + 40)
    assert _Both.calls > 100


@pytest.mark.twin
def test_pipeline_with_the_pure_map_gives_the_same_results(monkeypatch):
    # the pure map also makes the pipeline fill in and apply edits in pure Python
    if not compiled_available():
        pytest.fail("the compiled source map is not built")
    texts = _pages()[:8]
    pipe = textfix.Pipeline()
    got = [pipe.clean(t) for t in texts]
    assert all(r._map._core is not None for r in got)
    monkeypatch.setattr(pipeline_mod, "SourceMap", lambda s: SourceMap(s, compiled=False))
    for t, comp in zip(texts, got):
        pure = pipe.clean(t)
        assert pure._map._core is None
        for field in ("text", "edits", "suggestions", "flags", "paragraphs"):
            assert repr(getattr(comp, field)) == repr(getattr(pure, field)), field
        assert [type(e) for e in comp.edits] == [Edit] * len(comp.edits)


FIELDS = st.tuples(
    st.integers(-3, 2 ** 70), st.integers(0, 9), st.text(max_size=3),
    st.one_of(st.none(), st.text(max_size=3)),
    st.sampled_from([(), ("r",), ("a", "b")]), st.sampled_from(SAFETY),
    st.sampled_from([1.0, 0.5, -0.0, float("inf"), 1]), st.sampled_from(NOTES + ("注",)),
    st.one_of(st.none(), st.integers(0, 9)),
)


@settings(max_examples=200, deadline=None)
@given(FIELDS)
def test_compiled_edit_maker_makes_the_same_edit(values):
    _pair("x")
    assert _provenance.SLOTS_KNOWN
    make = _provenance.new_edit
    made, want = make(*values), Edit(*values)
    assert type(made) is Edit
    assert made == want and repr(made) == repr(want) and hash(made) == hash(want)
    assert [getattr(made, f) for f in Edit.__slots__] == list(values)


@st.composite
def proposals(draw):
    """A text and a list of edits for it, valid or with one fault: an edit out of
    bounds, overlapping the one before by a character, expecting other text, moving
    text not found where it says, or two edits out of order."""
    # the output may need wider characters than the text (the compiled apply sizes it)
    text = draw(st.text(alphabet=draw(st.sampled_from(["ab,\n", "ab中\n", "a\U0001f642,"])),
                        min_size=1, max_size=12))
    n = len(text)
    fault = draw(st.sampled_from(["none", "none", "bounds", "overlap", "old", "move", "order"]))
    edits = []
    pos = 0
    for _ in range(draw(st.integers(1, 4))):
        if pos > n:
            break
        a = draw(st.integers(pos, n))
        b = draw(st.integers(a, min(n, a + 3)))
        old = draw(st.sampled_from([None, text[a:b]]))
        if a == b and draw(st.booleans()):
            m = draw(st.integers(0, n - 1))
            k = draw(st.integers(1, n - m))
            edits.append(Edit(a, a, text[m:m + k], old=old and "", moved_from=m))
        else:
            edits.append(Edit(a, b, draw(st.sampled_from(["", "x", "ab", "é", "，", "中文", "\U00020000"])), old=old))
        pos = b
    k = draw(st.integers(0, len(edits) - 1))
    e = edits[k]
    if fault == "bounds":
        edits[k] = Edit(e.start, n + 1, e.new) if draw(st.booleans()) else Edit(-1, e.end, e.new)
    elif fault == "overlap" and k and edits[k - 1].end > 0:
        edits[k] = Edit(edits[k - 1].end - 1, max(e.end, edits[k - 1].end - 1), e.new)
    elif fault == "old":
        edits[k] = Edit(e.start, e.end, e.new, old=text[e.start:e.end] + "z")
    elif fault == "move":
        m = draw(st.integers(0, n))
        edits[k] = Edit(e.start, e.start, draw(st.sampled_from(["q", text[m:m + 2] or "a"])),
                        old="", moved_from=m)
    elif fault == "order" and len(edits) > 1:
        edits[k - 1], edits[k] = edits[k], edits[k - 1]
    return text, edits


@settings(max_examples=300, deadline=None)
@given(proposals())
def test_compiled_apply_valid_agrees_with_validate_and_apply(case):
    text, edits = case
    _pair("x")
    compiled_apply = _provenance.apply_valid
    want = apply_valid(text, edits)
    assert compiled_apply(text, edits) == want
    try:
        validate(text, edits)
    except EditError:
        assert want is None
    else:
        assert want == apply(text, edits)


def test_apply_valid_odd_offsets():
    _pair("x")
    compiled_apply = _provenance.apply_valid
    for edits in ([Edit(True, 2, "x")], [Edit(0, 2 ** 70, "x")], [Edit(1, 1, "b", moved_from=2 ** 70)],
                  [Edit(0, 1, "x", old=b"a")], [Edit(1, 1, "ab", moved_from=0)]):
        assert compiled_apply("abc", edits) == apply_valid("abc", edits), edits
    # the output is made as wide as the widest character it may hold, and narrowed
    # where the wide ones were all replaced (a str is always of its narrowest kind)
    for text, edits, want in (("中🙂", [Edit(1, 2, "x")], "中x"), ("🙂", [Edit(0, 1, "x")], "x"),
                              ("é中", [Edit(1, 2, "")], "é"), ("a", [Edit(1, 1, "🙂")], "a🙂"),
                              ("中文", [Edit(0, 2, "")], "")):
        got = compiled_apply(text, edits)
        assert got == want and got == apply_valid(text, edits) and hash(got) == hash(want)


class _SubEdit(Edit):
    __slots__ = ()


@st.composite
def rule_output(draw):
    """A text, a map with a step composed into it, and what a rule might yield for the
    text: edits left for the pipeline to fill in or already complete, no-op edits,
    moves, edits of every safety and of confidences about the threshold, an Edit
    subclass, flags and labels, and now and then something out of bounds or not an
    Edit, Flag or Label."""
    text = draw(st.text(alphabet="ab,\n", min_size=1, max_size=10))
    n = len(text)
    out = []
    for _ in range(draw(st.integers(0, 6))):
        a = draw(st.integers(0, n))
        b = draw(st.integers(a, n))
        kind = draw(st.integers(0, 9))
        if kind <= 5:
            old = draw(st.sampled_from([None, text[a:b]]))
            new = draw(st.sampled_from(["", "x", text[a:b]]))
            moved = draw(st.sampled_from([None, 0])) if a == b else None
            cls = _SubEdit if kind == 5 else Edit
            out.append(cls(a, b, new, old=old, rules=draw(st.sampled_from([(), ("own",)])),
                           safety=draw(st.sampled_from(SAFETY)),
                           confidence=draw(st.sampled_from([1.0, 0.9, 0.89, 0.5])),
                           note=draw(st.sampled_from(NOTES)), moved_from=moved))
        elif kind == 6:
            out.append(Flag(a, b, "incomplete", rule=draw(st.sampled_from(["", "x"]))))
        elif kind == 7:
            out.append(Label(a, b, "caption"))
        elif kind == 8 and draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from([
                Edit(a, n + 1, "x"), Edit(b, a - 1, "x"),
                # offsets beyond a C integer, and offsets that are ints but not exactly int
                Edit(2**70, 2**70, "x"), Edit(-2**70, 0, "x"), Edit(False, True, "x")])))
        elif kind == 9 and draw(st.integers(0, 3)) == 0:
            out.append(("not", "an edit"))
    return text, out, draw(st.sampled_from(SAFETY)), draw(st.sampled_from([0.9, 0.0, 1]))


@settings(max_examples=300, deadline=None)
@given(rule_output())
def test_compiled_take_agrees_with_the_pipeline_loop(case):
    text, proposals, rule_safety, threshold = case
    pure_map, comp_map = _pair("q" + text)
    for m in (pure_map, comp_map):
        m.step("q" + text, [Edit(0, 1, "", old="q", rules=("r",))])
    results = []
    for take, m in ((_take, pure_map), (_provenance.take_proposals, comp_map)):
        lists = ([], [], [])
        try:
            edits = take(iter(proposals), text, "rule", rule_safety, threshold, m, *lists)
        except RuleError as e:
            results.append(("error", str(e), repr(lists)))
            continue
        same = [any(e is p for p in proposals) for e in edits]
        results.append((repr(edits), same, repr(lists), [type(e) for e in edits]))
    assert results[1] == results[0]


@pytest.mark.twin
@settings(max_examples=50, deadline=None)
@given(step_sequences())
def test_maps_pickle_between_the_twins(case):
    # a Result (and its map) is pickled to and from workers: a compiled map loads as
    # a compiled one, or as a pure one where the twin is switched off, and back
    import os
    import pickle

    src, steps, texts = case
    pure, comp = _pair(src)
    for cur, edits in zip(texts, steps):
        pure.step(cur, edits)
        comp.step(cur, edits)
    again = pickle.loads(pickle.dumps(comp))
    assert again._core is not None
    os.environ["TEXTFIX_PURE_PYTHON"] = "1"
    try:
        as_pure = pickle.loads(pickle.dumps(comp))
    finally:
        del os.environ["TEXTFIX_PURE_PYTHON"]
    assert as_pure._core is None
    back = pickle.loads(pickle.dumps(as_pure))
    assert back._core is not None
    for m in (again, as_pure, back):
        assert _pieces(m) == _pieces(pure)
        _same_queries(pure, m, texts[-1])


def test_environment_read_once_per_text(monkeypatch):
    # Pipeline.clean reads TEXTFIX_PURE_PYTHON once (pinned): a change while a text is
    # cleaned does not switch the twins halfway, the next text sees it, and the pin
    # is per thread and undone on the way out, nested or not
    import threading

    from textfix import _compiled

    monkeypatch.delenv("TEXTFIX_PURE_PYTHON", raising=False)
    with _compiled.pinned():
        monkeypatch.setenv("TEXTFIX_PURE_PYTHON", "1")
        assert _compiled.enabled()
        with _compiled.pinned():
            assert _compiled.enabled()
        assert _compiled.enabled()
        seen = []
        t = threading.Thread(target=lambda: seen.append(_compiled.enabled()))
        t.start()
        t.join()
        assert seen == [False]
    assert not _compiled.enabled()
    monkeypatch.delenv("TEXTFIX_PURE_PYTHON")
    assert _compiled.enabled()

    seen = []

    @rule("test.env-probe")
    def probe(doc):
        seen.append(_compiled.enabled())
        monkeypatch.setenv("TEXTFIX_PURE_PYTHON", "1")
        return ()

    p = textfix.Pipeline()
    p.rules = [probe, probe]
    p.clean("文字")
    assert seen == [True, True]
    p.clean("文字")
    assert seen == [True, True, False, False]


def test_pure_python_map_by_environment(monkeypatch):
    # TEXTFIX_PURE_PYTHON=1: the pipeline cleans without touching the compiled map
    from textfix import provenance


    text = open(SEEDS[0], encoding="utf-8").read()
    want = textfix.Pipeline().clean(text)
    # (read now: a result reads its edits and paragraphs off its map when first asked)
    want = {f: repr(getattr(want, f)) for f in ("text", "edits", "suggestions", "flags", "paragraphs")}
    monkeypatch.setenv("TEXTFIX_PURE_PYTHON", "1")
    monkeypatch.setattr(provenance, "_provenance", Refuse())
    monkeypatch.setattr(pipeline_mod, "_provenance", Refuse())
    got = textfix.Pipeline().clean(text)
    assert got._map._core is None
    for field in ("text", "edits", "suggestions", "flags", "paragraphs"):
        assert repr(getattr(got, field)) == want[field], field


@pytest.mark.twin
@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 10**6), st.text(max_size=5))
def test_change_makes_the_edit_that_edit_makes(start, end, new):
    import pickle
    from dataclasses import fields

    from textfix import _provenance
    from textfix.rule import _change_py

    made, ref = _provenance.change(start, end, new), _change_py(start, end, new)
    assert type(made) is Edit
    assert [getattr(made, f.name) for f in fields(Edit)] == [getattr(ref, f.name) for f in fields(Edit)]
    assert made == ref and hash(made) == hash(ref) and repr(made) == repr(ref)
    assert pickle.loads(pickle.dumps(made)) == ref


def test_rules_make_their_changes_with_the_compiled_constructor_unless_pure():
    import subprocess
    import sys

    code = "from textfix.rule import change; print(change.__module__)"
    for env, want in (({}, "textfix._provenance"), ({"TEXTFIX_PURE_PYTHON": "1"}, "textfix.rule")):
        e = {k: v for k, v in os.environ.items() if k != "TEXTFIX_PURE_PYTHON"} | env
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e)
        assert out.stdout.strip() == want, out.stderr


PARA_ALPHABET = "ab，\n \t\u3000\x1c\x1f\x85\u2028\r"


@st.composite
def paragraph_cases(draw):
    """A source of paragraph-break material (newlines, spaces, U+3000, the controls
    ``re`` and ``regex`` read differently), steps of edits and moves of it
    (:func:`step_sequences`), flags anywhere in the source (empty ones too) and sorted,
    disjoint labels."""
    src, steps, texts = draw(step_sequences(PARA_ALPHABET))
    n = len(src)
    flags = []
    for _ in range(draw(st.integers(0, 4))):
        a = draw(st.integers(0, n))
        flags.append(Flag(a, draw(st.integers(a, n)), draw(st.sampled_from(["incomplete", "unreadable"]))))
    flags.sort(key=lambda f: (f.start, f.end, f.name))
    cuts = sorted(set(draw(st.lists(st.integers(0, n), max_size=6))))
    labels = [(a, b, draw(st.sampled_from(["headline", "byline", "caption"])))
              for a, b in zip(cuts[::2], cuts[1::2]) if b > a]
    return src, steps, texts, flags, labels


@pytest.mark.twin
@settings(max_examples=400, deadline=None)
@given(paragraph_cases())
@example(("a\n\n\x85b\n \u3000\n\x1cc\n\t\n\u2028\n", [], ["a\n\n\x85b\n \u3000\n\x1cc\n\t\n\u2028\n"], [], []))
def test_compiled_paragraphs_are_the_pure_ones(case):
    """The compiled paragraph scan (``_provenance.paragraphs``) gives the pure
    ``_paragraphs_py`` paragraphs, field for field, on texts full of break material, with
    flags and labels anywhere."""
    from textfix.result import Result

    src, steps, texts, flags, labels = case
    pure, comp = _pair(src)
    for cur, edits in zip(texts, steps):
        pure.step(cur, edits)
        comp.step(cur, edits)
    text = texts[-1]
    want = pipeline_mod._paragraphs_py(Result(src, text, [], flags=flags), pure, labels)
    got = pipeline_mod._paragraphs(Result(src, text, [], flags=flags), comp, labels)
    assert repr(got) == repr(want)
    assert got == want


@pytest.mark.twin
def test_compiled_paragraphs_on_the_pages(monkeypatch):
    """Field for field on the seed pages and noised archive pages, with the flags and
    labels the pipeline hands over."""
    compiled = pipeline_mod._paragraphs
    seen = []

    def both(result, smap, labels):
        got = compiled(result, smap, labels)
        assert smap._core is not None
        want = pipeline_mod._paragraphs_py(result, smap, labels)
        assert repr(got) == repr(want)
        seen.append((len(got), len(labels), sum(len(p.flags) for p in got)))
        return got

    monkeypatch.setattr(pipeline_mod, "_paragraphs", both)
    pipe = textfix.Pipeline()
    for t in _pages():
        pipe.clean(t).paragraphs  # (made when first asked for)
    assert sum(n for n, _, _ in seen) > 100
    assert sum(k for _, k, _ in seen) > 20 and sum(f for _, _, f in seen) > 5


def test_result_edits_are_not_followed_by_the_cycle_collector(monkeypatch):
    # An Edit of numbers, strings, a Safety and a tuple of rule names can be in no
    # cycle: the compiled map untracks those it makes and those it keeps, and the
    # tuples of them in its pieces, so a collection after a page has little to walk.
    import gc

    if not compiled_available():
        pytest.fail("the compiled source map is not built")
    monkeypatch.delenv("TEXTFIX_PURE_PYTHON", raising=False)
    text = SEEDS[0]
    r = textfix.Pipeline().clean(text)
    assert r.edits and r.restore() == text
    assert not any(gc.is_tracked(e) for e in r.edits)
    pieces = [t[6] for t in r._map._core.pieces_as_tuples() if t[6]]
    assert pieces and not any(gc.is_tracked(t) for t in pieces)
    assert not any(gc.is_tracked(e) for t in pieces for e in t)


def test_an_edit_that_could_hold_a_cycle_stays_tracked():
    import gc

    if not compiled_available():
        pytest.fail("the compiled source map is not built")
    plain = _provenance.new_edit(0, 1, "a", "b", ("r",), Safety.SAFE, 1.0, "", None)
    odd_rules = _provenance.new_edit(0, 1, "a", "b", ["r"], Safety.SAFE, 1.0, "", None)
    odd_note = _provenance.new_edit(0, 1, "a", "b", ("r",), Safety.SAFE, 1.0, ["x"], None)
    odd_item = _provenance.new_edit(0, 1, "a", "b", (("r",),), Safety.SAFE, 1.0, "", None)
    assert not gc.is_tracked(plain)
    assert gc.is_tracked(odd_rules) and gc.is_tracked(odd_note) and gc.is_tracked(odd_item)
    # a cycle through a tracked one is still found and freed
    odd_note.note.append(odd_note)
    del odd_note
    gc.collect()
    assert gc.collect() == 0


def test_fresh_proposals_are_filled_in_place_and_shared_ones_are_copied(monkeypatch):
    # A rule's fresh list of Edits that no one else holds is completed in place (its old
    # text, rule and safety); an Edit the rule keeps a reference to is never changed.
    if not compiled_available():
        pytest.fail("the compiled source map is not built")
    monkeypatch.delenv("TEXTFIX_PURE_PYTHON", raising=False)
    made = []
    kept = []

    @rule("test.fresh", safety=Safety.SAFE)
    def fresh(doc):
        e = _provenance.change(0, 1, "X")
        made.append(id(e))
        return [e]

    @rule("test.kept", safety=Safety.GUESS)
    def keeps(doc):
        e = _provenance.change(2, 3, "Y")
        kept.append(e)
        return [e]

    p = textfix.Pipeline()
    p.rules = (fresh, keeps)
    r = p.clean("abcd")
    assert r.text == "XbYd" and r.restore() == "abcd"
    stepped = [e for t in r._map._core.pieces_as_tuples() for e in t[6]]
    assert [e.rules for e in stepped] == [("test.fresh",), ("test.kept",)]
    assert id(stepped[0]) == made[0]  # the rule's own object, completed
    assert (stepped[0].old, stepped[0].safety) == ("a", Safety.SAFE)
    assert stepped[1] is not kept[0]  # a copy: the rule's object is as it made it
    assert (kept[0].old, kept[0].rules, kept[0].safety) == (None, (), None)
    assert (stepped[1].old, stepped[1].safety) == ("c", Safety.GUESS)
