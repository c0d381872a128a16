"""The public API: clean, Pipeline, Result, options and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import textfix
from textfix.edit import apply
from textfix.rule import MAX_ROUNDS

SEEDS = sorted((Path(__file__).parent.parent / "seeds").glob("*_*.txt"))
SEEDS = [p for p in SEEDS if ".expected" not in p.name]


def test_bytes_give_a_clear_error():
    with pytest.raises(TypeError, match="decode"):
        textfix.clean(b"\xe8\x8c\x82")


def test_unknown_option_is_a_clear_error():
    with pytest.raises(textfix.ConfigError, match="unknown option 'colour'"):
        textfix.clean("x", colour=True)


def test_unknown_rule_is_a_clear_error():
    with pytest.raises(textfix.ConfigError, match="unknown rule 'punct.nope'"):
        textfix.Pipeline(disable=["punct.nope"])


def test_bad_conversion_is_a_clear_error():
    with pytest.raises(textfix.ConfigError, match="unknown conversion"):
        textfix.Pipeline(convert="x2y")


def test_disable_a_rule_and_a_stage():
    text = '他说"好",然后...\n'
    assert textfix.clean(text, disable=["punct.straight-quotes"]).text == '他说"好"，然后……\n'
    assert textfix.clean(text, disable=["punct"]).text == text


def test_convert_t2s_is_recorded_as_edits():
    r = textfix.clean("繁體中文的報紙\n", convert="t2s")
    assert r.text == "繁体中文的报纸\n"
    assert {e.rule for e in r.edits} == {"convert.opencc"}
    assert r.restore() == "繁體中文的報紙\n"


def test_config_from_toml(tmp_path):
    f = tmp_path / "textfix.toml"
    f.write_text('disable = ["punct.dash"]\nconvert = "t2s"\nthreshold = 0.95\n', encoding="utf-8")
    c = textfix.Config.from_toml(str(f))
    assert c.disable == ("punct.dash",) and c.convert == "t2s" and c.threshold == 0.95
    (tmp_path / "bad.toml").write_text("colour = 1\n")
    with pytest.raises(textfix.ConfigError, match="bad.toml.*unknown option 'colour'"):
        textfix.Config.from_toml(str(tmp_path / "bad.toml"))


def test_pyproject_table(tmp_path):
    f = tmp_path / "pyproject.toml"
    f.write_text('[tool.textfix]\nselect = ["punct"]\n', encoding="utf-8")
    assert textfix.Config.from_toml(str(f)).select == ("punct",)


def test_threshold_is_checked():
    with pytest.raises(textfix.ConfigError, match="threshold"):
        textfix.Pipeline(threshold=2)


def test_replacement_character_is_kept_and_flagged():
    r = textfix.clean("茂名\ufffd报讯\n")
    assert r.text == "茂名\ufffd报讯\n"
    (f,) = r.flags
    assert (f.name, f.start, f.end) == ("replacement-char", 2, 3)
    assert r.paragraphs[0].flags == (f,)


def test_paragraphs_and_source_spans():
    src = "\n\n标题\n\n\n\n正文,第一段\n"
    r = textfix.clean(src)
    assert r.text == "标题\n\n正文，第一段\n"
    assert [p.text for p in r.paragraphs] == ["标题", "正文，第一段"]
    p = r.paragraphs[1]
    assert src[p.source_start : p.source_end] == "正文,第一段"
    comma = r.text.index("，")
    assert r.source_span(comma, comma + 1) == (src.index(","), src.index(",") + 1)
    assert r.output_span(src.index("正"), src.index("正") + 2) == (r.text.index("正"), r.text.index("正") + 2)


def test_result_json_round_trip():
    r = textfix.clean('主题"党建",完成\n')
    back = textfix.Result.from_json(r.to_json())
    assert back.text == r.text and back.edits == r.edits
    assert back.restore() == r.source


def test_a_result_reads_its_edits_and_paragraphs_off_its_map_once():
    # a pipeline's result composes its edits and paragraphs when first asked: the same
    # lists as the map gives, read once, and seen as fields by ==, repr and pickle
    import pickle

    src = SEEDS[0].read_text(encoding="utf-8")
    r = textfix.Pipeline().clean(src)
    assert r._edits is None and r._paragraphs is None
    edits = r.edits
    assert edits == r._map.edits() and r.edits is edits
    assert apply(src, edits) == r.text and r.restore() == src
    paras = r.paragraphs
    assert r.paragraphs is paras and [p.text for p in paras] == [t.strip("\n") for t in r.text.split("\n\n") if t.strip()]
    other = textfix.Pipeline().clean(src)
    assert other == r and repr(other) == repr(r)
    back = pickle.loads(pickle.dumps(textfix.Pipeline().clean(src)))
    _same(back, r)
    assert back.source_spans(0, 5) == r.source_spans(0, 5)
    made = textfix.Result(src, r.text, edits, r.suggestions, r.flags, paras)
    assert made == r and made.edits is edits
    assert textfix.Result(src, src).edits == [] and textfix.Result(src, src).paragraphs == []
    assert r != textfix.Result(src, r.text, [], r.suggestions, r.flags, paras)


def test_explain_lists_every_edit_with_offsets():
    r = textfix.clean("近年来,我市。\n")
    (line,) = list(r.explain("x.txt"))
    assert line.startswith("x.txt:1:4 [3-4] punct.halfwidth-in-cjk ',' → '，'")


def test_map_is_lazy_and_ordered():
    p = textfix.Pipeline()
    out = p.map(iter(["甲,乙\n", "丙\n"]))
    assert [r.text for r in out] == ["甲，乙\n", "丙\n"]


def _same(a, b):
    assert (a.source, a.text, a.edits, a.suggestions, a.flags, a.paragraphs) == (
        b.source, b.text, b.edits, b.suggestions, b.flags, b.paragraphs)


def test_map_and_clean_many_give_what_clean_gives():
    # map cleans a few texts together, each rule over all of them before the next:
    # every result is still the one clean() gives, in order (the seed pages, an empty
    # text, short ones, more texts than two batches hold)
    p = textfix.Pipeline()
    pages = [s.read_text(encoding="utf-8") for s in SEEDS]
    texts = pages + ["", "近年来,我市\n", "前期工\n\n作，提高。\n"] * 5 + pages
    assert len(texts) > 2 * p.BATCH_TEXTS
    alone = [p.clean(t) for t in texts]
    for got in (list(p.map(texts)), p.clean_many(texts), list(textfix.clean_iter(iter(texts)))):
        assert len(got) == len(texts)
        for a, b in zip(alone, got):
            _same(a, b)


def test_map_runs_each_rule_over_a_batch_before_the_next():
    calls = []

    @textfix.rule("test.first", safety=textfix.Safety.SAFE)
    def first(doc):
        calls.append(("first", doc.text))
        return []

    @textfix.rule("test.second", safety=textfix.Safety.SAFE)
    def second(doc):
        calls.append(("second", doc.text))
        return []

    p = textfix.Pipeline()
    p.rules = (first, second)
    texts = [f"{i}\n" for i in range(p.BATCH_TEXTS + 2)]
    assert [r.text for r in p.map(texts)] == texts
    b = p.BATCH_TEXTS
    assert calls == ([("first", t) for t in texts[:b]] + [("second", t) for t in texts[:b]]
                     + [("first", t) for t in texts[b:]] + [("second", t) for t in texts[b:]])
    # a batch also ends once it holds BATCH_CHARS characters
    calls.clear()
    big = ["x" * p.BATCH_CHARS, "y\n"]
    list(p.map(big))
    assert [c[0] for c in calls] == ["first", "second", "first", "second"]


def test_a_rule_with_many_gets_a_batch_in_one_call_and_falls_back_alone():
    calls = []

    def one(doc):
        if "坏" in doc.text:
            raise ValueError("bad text")
        return [textfix.Edit(0, 0, "+")]

    def many(docs):
        calls.append(len(docs))
        if any("坏" in d.text for d in docs):
            raise ValueError("bad batch")
        return [one(d) for d in docs]

    r = textfix.rule("test.batched", safety=textfix.Safety.SAFE)(one).with_many(many)
    p = textfix.Pipeline()
    p.rules = (r,)
    texts = [f"{i}\n" for i in range(p.BATCH_TEXTS + 3)]
    assert [x.text for x in p.map(texts)] == ["+" + t for t in texts]
    assert calls == [p.BATCH_TEXTS, 3]
    assert [x.text for x in p.map(texts[:1])] == ["+0\n"]  # one text: the rule itself
    assert calls == [p.BATCH_TEXTS, 3]
    # the batch fails: each text is tried alone, and only the bad one fails
    out = list(p.map(["好\n", "坏\n", "好\n"], return_exceptions=True))
    assert out[0].text == out[2].text == "+好\n" and isinstance(out[1], ValueError)
    # the glyph rule judges a batch as it judges each page
    from textfix.rules import confusable

    assert confusable.glyph_misread.many is not None
    pages = [s.read_text(encoding="utf-8") for s in SEEDS] + ["要深人学习贯彻习近平法治思想。\n"]
    alone = [textfix.clean(t) for t in pages]
    for a, b in zip(alone, textfix.Pipeline().clean_many(pages)):
        _same(a, b)
    assert alone[-1].text == "要深入学习贯彻习近平法治思想。\n"


def test_a_rule_until_fixed_runs_again_on_its_own_output():
    # removes the first "xy" it sees: each round leaves the next one to find
    @textfix.rule("test.peel", safety=textfix.Safety.SAFE, until_fixed=True)
    def peel(doc):
        k = doc.text.find("xy")
        return [] if k < 0 else [textfix.Edit(k, k + 2, "")]

    p = textfix.Pipeline()
    p.rules = (peel,)
    r = p.clean("axxyyb\n")  # xy, then the x and y it stood between
    assert r.text == "ab\n" and r.restore() == "axxyyb\n"
    assert [e.rules for e in r.edits] == [("test.peel",)]  # composed into one edit of the source
    # at most MAX_ROUNDS rounds, whatever the rule finds
    deep = "x" * 10 + "y" * 10 + "\n"
    assert p.clean(deep).text == "x" * (10 - MAX_ROUNDS) + "y" * (10 - MAX_ROUNDS) + "\n"
    # the same in a batch, and not without the flag
    assert [x.text for x in p.map(["axxyyb\n", "xy\n", "b\n"])] == ["ab\n", "\n", "b\n"]
    p.rules = (textfix.rule("test.once", safety=textfix.Safety.SAFE)(peel.func),)
    assert p.clean("axxyyb\n").text == "axyb\n"


def test_archive_pages_are_at_a_fixed_point():
    """Cleaning the cleaned held-out archive pages (noised and clean) changes nothing,
    but for one known kind of edit: a look-alike next to another, corrected only once
    its neighbour is (``亟待左实践牛``: 牛→中 first, 左→在 on the next clean)."""
    from benchmarks.noise import heldout, pages

    noisy, clean = pages(heldout())
    p = textfix.Pipeline()
    first = [r.text for r in p.map(noisy + clean)]
    left = [(i, e.rules, e.note) for i, r in enumerate(p.map(first)) for e in r.edits]
    assert all(rules == ("confusable.glyph-misread",) for _, rules, _ in left), left
    assert len({i for i, _, _ in left}) <= 1, left


def test_map_raises_a_bad_text_after_the_results_before_it():
    p = textfix.Pipeline()
    out = p.map(["甲,乙\n", b"\xe7\x94\xb2", "丙\n"])
    assert next(out).text == "甲，乙\n"
    with pytest.raises(TypeError, match="decode"):
        next(out)
    with pytest.raises(TypeError, match="not int"):
        p.clean_many(["丙\n", 3])
    # with return_exceptions the error takes the text's place and the rest go on
    out = list(p.map(["甲,乙\n", b"x", "丙\n"], return_exceptions=True))
    assert out[0].text == "甲，乙\n" and isinstance(out[1], TypeError) and out[2].text == "丙\n"


def test_a_failing_rule_fails_its_text_only_in_a_batch():
    from textfix.pipeline import RuleError

    @textfix.rule("test.picky", safety=textfix.Safety.SAFE)
    def picky(doc):
        if "坏" in doc.text:
            return [textfix.Edit(0, len(doc.text) + 5, "")]
        return [textfix.Edit(0, 0, "+")]

    p = textfix.Pipeline()
    p.rules = (picky,)
    out = p.map(["好\n", "坏\n", "好\n"])
    assert next(out).text == "+好\n"
    with pytest.raises(RuleError, match="test.picky"):
        next(out)
    assert [r.text for r in p._clean_batch(["好\n", "坏\n", "好\n"]) if not isinstance(r, Exception)] == [
        "+好\n", "+好\n"]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_seed_pages_are_cleaned_losslessly(seed):
    src = seed.read_text(encoding="utf-8")
    r = textfix.clean(src)
    assert r.restore() == src
    assert textfix.clean(r.text).edits == []
    # ASCII punctuation left in Chinese text: none (numbers and the e-mail keep theirs)
    import regex

    left = regex.findall(r'(?<=\p{Han})[,:;"]|[,:;"](?=\p{Han})', r.text)
    assert left == []
    for token in ("maonanxinwen@126.com", "111.52%", "4.15", "12345"):
        if token in src:
            assert token in r.text


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_paragraph_flags_are_those_overlapping_the_paragraph(seed):
    # The flags of each paragraph, by the definition: the flag's output span overlaps
    # or touches the paragraph (an empty span: it sits inside or at an edge).
    r = textfix.clean(seed.read_text(encoding="utf-8"))
    assert r.flags, "the seed pages carry flags"
    spans = [(r.output_span(f.start, f.end), f) for f in r.flags]
    for p in r.paragraphs:
        want = tuple(f for (fa, fb), f in spans
                     if fa < p.end and fb >= p.start or (fa == fb and p.start <= fa <= p.end))
        assert p.flags == want
    assert sum(len(p.flags) for p in r.paragraphs) >= len(r.flags)


def test_blocks_passed_from_rule_to_rule_are_the_current_ones():
    """Doc.blocks() is handed on while neither the text nor the labels change; every
    rule must still see exactly the blocks a fresh Doc would compute."""
    from textfix.rule import Doc, Label, rule

    p = textfix.Pipeline()
    seen = []

    def probe(name, proposals=()):
        @rule(name)
        def check(doc):
            fresh = Doc(doc.text, doc.config, doc.resources, doc._map, doc._labels, {})
            seen.append((name, doc.blocks() == fresh.blocks(), [b.kind for b in doc.blocks()]))
            yield from proposals
        return check

    text = "标题\n\n正文第一段。\n\n正文第二段。\n"
    p.rules = [probe("a"), probe("b", [Label(0, 2, "headline")]), probe("c"), probe("d")]
    p.clean(text)
    assert [ok for _, ok, _ in seen] == [True] * 4
    assert seen[0][2] == seen[1][2] == ["body", "body", "body"]  # b's label comes after it
    assert seen[2][2] == seen[3][2] == ["headline", "body", "body"]


def test_clean_restores_the_garbage_collector_as_it_was():
    import gc

    assert gc.isenabled()
    textfix.clean("要深人学习,提高工作水平。\n")
    assert gc.isenabled()
    with pytest.raises(TypeError):
        textfix.clean(b"x")
    assert gc.isenabled()
    gc.disable()
    try:
        textfix.clean("要深人学习,提高工作水平。\n")
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_cleaning_makes_no_reference_cycles(seed):
    # Why clean() may pause the cyclic collector: nothing it makes needs it.
    import gc

    text = seed.read_text(encoding="utf-8")
    pipeline = textfix.Pipeline().warm()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        result = pipeline.clean(text)
        assert result.restore() == text
        del result
        gc.collect()
        cyclic = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert cyclic == []


def test_a_record_is_one_line_of_json_that_reads_back_as_itself():
    import json

    from textfix.result import encode_record

    r = textfix.clean(SEEDS[0].read_text(encoding="utf-8"))
    for rec in r.to_records():
        line = encode_record(rec)
        assert "\n" not in line and json.loads(line) == rec
        # what the standard encoder writes, without spaces, non-ASCII as it is
        assert line == json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
    # a lone surrogate (no decoded file holds one) goes through the standard encoder
    odd = {"text": "a\ud800b", "n": [1, 0.93, None]}
    assert json.loads(encode_record(odd)) == odd
