"""The compiled scans of the character-level rules give what their pure-Python
definitions give.

``textfix.rules._scan`` holds compiled twins of the busiest rule scans (the
half-width marks of ``punct``, …); the pure definitions beside each rule are the
reference.  Each twin is compared with its definition on generated text dense with
the characters the rule looks at, on the benchmark pages, and through the whole
pipeline.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import textfix
from textfix.chars import protected_spans
from textfix.rules import punct, width
from twins import Refuse


def _scan():
    if punct._scan is None:
        pytest.fail("textfix.rules._scan was not built")
    return punct._scan


def _pages(n: int = 24) -> list[str]:
    from benchmarks.noise import heldout, pages

    noisy, clean = pages(heldout()[: 40 * n])  # ~40 paragraphs a page
    return noisy[:n] + clean[: n // 4]


_SEEN: dict[str, list[str]] = {}


def _seen_by(name: str) -> list[str]:
    """The texts rule ``name`` is given when the pipeline cleans :func:`_pages` (the
    raw pages, then each as the stages before the rule left it)."""
    if not _SEEN:
        pipe = textfix.Pipeline()

        class Seen:
            def __init__(self, rule):
                self.rule, self.name, self.safety = rule, rule.name, rule.safety
                self.until_fixed = rule.until_fixed

            def __call__(self, doc):
                _SEEN.setdefault(self.name, []).append(doc.text)
                return self.rule(doc)

        pipe.rules = [Seen(r) for r in pipe.rules]
        for t in _pages():
            pipe.clean(t)
    return _pages() + _SEEN[name]


#: Pieces of text the punctuation rules decide on: marks, brackets, digits, Latin,
#: Han, Chinese marks, spaces, line breaks, URLs and e-mail addresses.
MARK_TEXT = st.lists(st.sampled_from([
    ",", ":", ";", "!", "?", "(", ")", "((", "))", "1", "9", "a", "Z", "中", "文", "𠀀", "，", "。", "“",
    "”", "…", " ", "  ", "\t", "\u3000", "\n", "\n\n", ".", "-", "%", "a@b.cn", "http://x.cn/a,b",
    "www.a.com", "'", '"', "é", "🙂", "\u0301", "\ue000",
]), max_size=60).map("".join)


@pytest.mark.twin
@settings(max_examples=1500, deadline=None)
@given(st.one_of(MARK_TEXT, st.text(alphabet=",:;!?()1a中，。 \n\u3000'\"", max_size=80)))
@example("截至2025年8月底,全市(茂健)")
@example("值班主任:余虔虹 (a) 1,000 10:30 中 ,  文")
@example("(中\n) (a)中 ((中)) )( a,中")
def test_halfwidth_scan_twin_agrees(text):
    got = punct._halfwidth_scan().edits(text, protected_spans(text))
    assert repr(got) == repr(punct._halfwidth_py(text))


@pytest.mark.twin
def test_halfwidth_scan_twin_agrees_on_real_pages():
    scan = punct._halfwidth_scan()
    assert scan is not None
    edits = 0
    for text in _seen_by("punct.halfwidth-in-cjk"):
        want = punct._halfwidth_py(text)
        assert repr(scan.edits(text, protected_spans(text))) == repr(want)
        edits += len(want)
    assert edits > 1000


#: Paragraphs of quotes among the marks and letters that decide their direction:
#: sentence ends, colons, commas, Latin letters and digits (apostrophes), spaces.
QUOTE_TEXT = st.lists(st.sampled_from([
    '"', "'", '"', "'", "中", "文", "𠀀", "a", "Z", "9", "。", "！", "？", "…", "；", "：", ":", "，", ",",
    ".", "、", "“", " ", "\u3000", "\t", "\n", "\n\n", "é", "🙂", "-", "\x00",
]), max_size=50).map("".join)


def _quotes_both_ways(text):
    scan = punct._quote_scan()
    assert scan is not None
    for m in punct._QUOTE_BLOCK.finditer(text):
        start, end = m.span()
        for q, forms in (('"', ("“", "”")), ("'", ("‘", "’"))):
            positions = [i for i in range(start, end) if text[i] == q]
            want = punct._quote_edits(text, start, end, q, forms, positions)
            got = scan.edits(text, q, forms[0], forms[1], positions) if positions else []
            assert repr(got) == repr(want), (text[start:end], q)


@pytest.mark.twin
@settings(max_examples=1500, deadline=None)
@given(st.one_of(QUOTE_TEXT, st.text(alphabet="\"'中a1。：， \n", max_size=60)))
@example('主题教育"党建引领\'破难题、促发展\'"攻坚行动')
@example('他说:"好。" "又" don\'t 90\'s "中"文"')
@example('"\n"中" "。"  "')
@example('中" \x00"中"')  # a NUL is a character, not the end of the line
def test_quote_scan_twin_agrees(text):
    _quotes_both_ways(text)


@pytest.mark.twin
def test_quote_scan_twin_agrees_on_real_pages():
    quotes = 0
    for text in _seen_by("punct.straight-quotes"):
        _quotes_both_ways(text)
        quotes += text.count('"') + text.count("'")
    assert quotes > 500


#: Full-width letters, digits, points and percent signs among their neighbours.
WIDTH_TEXT = st.lists(st.sampled_from([
    "０", "９", "５", "Ａ", "Ｚ", "ａ", "ｚ", "．", "．．", "％", "％％", "＠", "／", "：", "１", "a", ".", "%",
    "中", "，", " ", "\n", "é", "🙂", "\uff0f", "\uff20", "\uff3b", "\uff40", "\uff5b",
]), max_size=40).map("".join)


@pytest.mark.twin
@settings(max_examples=1500, deadline=None)
@given(st.one_of(WIDTH_TEXT, st.text(alphabet="０９Ａｚ．％中a \n", max_size=60)))
@example("ＧＤＰ增长５．２％，ＡＢＣ１２３")
@example("５．．２ １．２．３％％ ａ．ｂ ．５ ５．")
def test_fullwidth_scan_twin_agrees(text):
    assert repr(_scan().fullwidth_edits(text, width.change)) == repr(width._fullwidth_py(text))


@pytest.mark.twin
def test_fullwidth_scan_twin_agrees_on_real_pages():
    edits = 0
    for text in _seen_by("width.fullwidth-alnum"):
        want = width._fullwidth_py(text)
        assert repr(_scan().fullwidth_edits(text, width.change)) == repr(want)
        edits += len(want)
    assert edits > 500


@pytest.mark.twin
def test_rules_with_and_without_their_scans_give_the_same_results(monkeypatch):
    texts = _pages(12)
    pipe = textfix.Pipeline()
    with_scans = [pipe.clean(t) for t in texts]
    from textfix.rules import garbled, repeat, stray, unicode

    for mod in (punct, width, repeat, garbled, stray, unicode):
        monkeypatch.setattr(mod, "_scan", None)
    for t, comp in zip(texts, with_scans):
        pure = pipe.clean(t)
        for field in ("text", "edits", "suggestions", "flags", "paragraphs"):
            assert repr(getattr(comp, field)) == repr(getattr(pure, field)), field


def test_pure_python_by_environment(monkeypatch):
    text = "截至２０２５年8月底,全市(茂健)"
    want = punct._halfwidth_py(text), width._fullwidth_py(text)
    monkeypatch.setenv("TEXTFIX_PURE_PYTHON", "1")
    for mod in (punct, width):
        monkeypatch.setattr(mod, "_scan", Refuse())
    got = list(punct.halfwidth_in_cjk.func(_doc(text))), list(width.fullwidth_alnum.func(_doc(text)))
    assert repr(got) == repr(want)


def _doc(text: str):
    from textfix.pipeline import Config
    from textfix.provenance import SourceMap
    from textfix.rule import Doc

    return Doc(text, Config(), {}, SourceMap(text), [])


def test_block_spans_are_the_blocks():
    texts = _seen_by("stray.noise-line") + ["", "\n", "a", "a\n", "a\n\n", "\n\n a \n \n\tb\n", "甲\n\u3000\n乙\n\n\n"]
    for text in texts:
        doc = _doc(text)
        assert doc._blocks is None
        spans = doc.block_spans()
        assert spans == [(b.start, b.end) for b in doc.blocks()]
        assert doc.block_spans() == spans  # from the blocks, now known


# -- garbled: the join counts' compact tables ---------------------------------------

#: Characters for small bigram models: in the Basic Multilingual Plane and beyond it.
_MODEL_CHARS = "甲乙丙丁戊己的是𠀀𪚥"


@st.composite
def _small_models(draw):
    """A small :class:`~textfix.rules.garbled.Bigrams`: counts of 0 among the others,
    characters that follow without a count of their own, and totals for which every
    product of counts reaches the floor (0) or almost none does."""
    from textfix.rules.garbled import Bigrams

    chars = st.sampled_from(_MODEL_CHARS)
    uni = draw(st.dictionaries(chars, st.sampled_from([0, 1, 3, 50, 400, 5000]), min_size=1, max_size=8))
    follow = st.dictionaries(chars, st.sampled_from([0, 1, 7]), max_size=6)
    bi = {a: f for a, f in draw(st.dictionaries(st.sampled_from(sorted(uni)), follow, max_size=6)).items() if f}
    return Bigrams(uni, bi, draw(st.sampled_from([0, 1, 100, 10_000, 10**7])))


@pytest.mark.twin
@settings(max_examples=1000, deadline=None)
@given(_small_models(), st.sets(st.sampled_from(_MODEL_CHARS)), st.text(alphabet=_MODEL_CHARS + "a", max_size=40))
def test_join_counts_compact_tables_agree_with_the_pure_definition(bi, rare, text):
    """JoinCounts answers pairs of counted BMP characters from its compact tables and
    the others from its maps: the counts are :func:`_bounds_py`'s either way."""
    from textfix.rules import garbled

    joins = _scan().JoinCounts(frozenset(rare), bi.bi, bi.uni, bi.total, garbled.EXPECTED)
    assert joins.bounds(text) == garbled._bounds_py(text, frozenset(rare), bi)


# -- character classes: stray, unicode, and punct's dashes and ellipses -------------

def _classes():
    """``(name, pattern, class)``: each compiled class scan and the pattern that defines it."""
    import re

    from textfix.chars import CharClass
    from textfix.rules import stray, unicode

    bullet = re.search(r"\(\[(.*?)\]\)", stray._BULLET.pattern).group(1)
    return [("invisible", unicode._INVISIBLE, unicode._INVISIBLE_CLASS),
            ("line end", unicode._LINE_END, unicode._LINE_END_CLASS),
            ("column rule", stray._RULE, stray._RULE_CLASS),
            ("private use", stray._PUA, stray._PUA_CLASS),
            ("symbol", stray._SYMBOL_RUN, stray._SYMBOL_CLASS),
            ("symbol", stray._SYMBOL, stray._SYMBOL_CLASS),
            ("bullet", re.compile(f"[{bullet}]"), stray._BULLET_CLASS)]


def test_char_classes_hold_what_their_patterns_match():
    every = "".join(map(chr, range(0x110000)))
    for name, pattern, cls in _classes():
        want = {c for m in pattern.finditer(every) for c in range(*m.span())}
        bits = cls.bits
        got = {c for c in range(0x110000) if bits[c >> 3] >> (c & 7) & 1}
        assert got == want, name
        assert want, name


#: The characters of every class, their neighbours, and characters of every width.
CLASS_TEXT = st.lists(st.sampled_from([
    "\x00", "\x08", "\x09", "\x0b", "\x0c", "\x0e", "\r", "\r\n", "\x7f", "\x85", "\xad", "\u200b", "\u200e",
    "\u2028", "\u2029", "\u2065", "\ufeff", "\ufffa", "\ufffc", "|", "｜", "丨", "︳", "\ue000", "\uf8ff",
    "\U000f0000", "\U0010fffd", "\U0010fffe", "~", "^", "丶", "¤", "口", "日", "■", "中", "a", " ", "\u3000",
    "\n", "é", "🙂", "-", "--", "－", "—", "——", "―", "─", "...", ".", "。", "…", "⋯",
]), max_size=50).map("".join)


@pytest.mark.twin
@settings(max_examples=1500, deadline=None)
@given(CLASS_TEXT, st.integers(0, 60))
@example("\r\n\u2028a|｜b\ue000\U0010fffd~^", 0)
def test_class_scans_agree_with_the_patterns(text, start):
    from textfix.chars import class_find, class_runs

    scan = _scan()
    for name, pattern, cls in _classes():
        if "+" in pattern.pattern:
            assert class_runs(text, pattern, cls, scan) == class_runs(text, pattern, cls), name
        else:
            assert class_find(text, pattern, cls, scan, start) == class_find(text, pattern, cls, None, start), name


def _line_heads_py(text: str, cls) -> list[int]:
    """The line starts whose first character other than a space is in ``cls``."""
    out, pos = [], 0
    for line in text.split("\n"):
        head = line.lstrip(" \t\u3000")
        if head and head[0] in cls:
            out.append(pos)
        pos += len(line) + 1
    return out


@pytest.mark.twin
@settings(max_examples=1500, deadline=None)
@given(st.one_of(CLASS_TEXT, st.lists(st.sampled_from(
    ["口", "日", "□", " ", "\u3000", "\t", "\n", "通讯员", "本报", "记者", "中", "■"]), max_size=30).map("".join)))
@example("口通讯员 张丽雯\n  日 本报记者\n\n□\n口")
def test_bullet_lines_agree_with_the_pattern(text):
    from textfix.rules import stray

    assert _scan().line_heads(text, stray._BULLET_CLASS.bits) == _line_heads_py(text, stray._BULLET_CLASS)
    assert [m.span(1) + m.span() for m in stray._bullets(text)] == [
        m.span(1) + m.span() for m in stray._BULLET.finditer(text)]


@pytest.mark.twin
@settings(max_examples=1500, deadline=None)
@given(CLASS_TEXT)
@example("a--b——c—d———e―――f──g－－h-i")
@example("a...b。。c。。。d…e……f⋯⋯g....")
def test_dash_and_ellipsis_scans_agree_with_the_patterns(text):
    assert _scan().dash_spans(text) == [m.span() for m in punct._DASH.finditer(text)]
    assert _scan().ellipsis_spans(text) == [m.span() for m in punct._ELLIPSIS.finditer(text)]


@pytest.mark.twin
def test_class_scans_agree_on_real_pages():
    from textfix.chars import class_find, class_runs
    from textfix.rules import stray

    scan = _scan()
    found = {}
    for text in _seen_by("stray.column-rule") + _seen_by("punct.dash"):
        for name, pattern, cls in _classes():
            if "+" in pattern.pattern:
                got = class_runs(text, pattern, cls, scan)
                assert got == class_runs(text, pattern, cls), name
            else:
                got = class_find(text, pattern, cls, scan)
                assert got == class_find(text, pattern, cls), name
                got = [got] if got >= 0 else []
            found[name] = found.get(name, 0) + len(got)
        assert [m.span() for m in stray._bullets(text)] == [m.span() for m in stray._BULLET.finditer(text)]
        dashes = scan.dash_spans(text)
        assert dashes == [m.span() for m in punct._DASH.finditer(text)]
        assert scan.ellipsis_spans(text) == [m.span() for m in punct._ELLIPSIS.finditer(text)]
        found["dash"] = found.get("dash", 0) + len(dashes)
    assert found["column rule"] > 20 and found["private use"] > 20 and found["symbol"] > 20 and found["dash"] > 20


# -- repeat: the doubled units' matches ---------------------------------------------

#: Pieces that repeat, with spaces and line breaks (up to five) between them.
DOUBLE_TEXT = st.lists(st.sampled_from([
    "研究", "研", "究", "哈", "你好", "好", "的了是", "，", "。", " ", "  ", "\t", "\u3000", "\n", "\n\n", "\n \n",
    "a1", "🙂", "他说的了是", "本报讯", "记录", "x",
]), max_size=40).map("".join)


@pytest.mark.twin
@settings(max_examples=2000, deadline=None)
@given(DOUBLE_TEXT)
@example("本报讯本报讯本报讯 本报讯")
@example("研究 \n\n\n研究，研究\n\n\n\n研究 a a a")
@example("记录 记录 记录 记录\n\u3000记录")
def test_doubled_matches_twin_agrees(text):
    from textfix.rules import repeat

    assert _scan().doubled_matches(text, repeat.MAX_UNIT) == repeat._matches_py(text)


@pytest.mark.twin
def test_doubled_matches_twin_agrees_on_real_pages():
    from textfix.rules import repeat

    found = 0
    for text in _seen_by("repeat.doubled-clause") + _seen_by("repeat.doubled-word"):
        want = repeat._matches_py(text)
        assert _scan().doubled_matches(text, repeat.MAX_UNIT) == want
        found += len(want)
    assert found > 100


# -- stray.noise-line: the blocks -----------------------------------------------------

BLOCK_TEXT = st.lists(st.sampled_from([
    "\n", "\n\n", "\n \n", "\n\u3000\t\n", " ", "\t", "\u3000", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0",
    "\u2000", "\u2028", "\u3000", "\r", "甲", "乙", "a", "定算X", "🙂",
]), max_size=40).map("".join)


@pytest.mark.twin
@settings(max_examples=2000, deadline=None)
@given(BLOCK_TEXT)
@example("\n\n a \n \n\tb\n")
@example("甲\n\u3000\n\x85\xa0乙\n\n\n")
def test_block_spans_twin_agrees(text):
    from textfix.rule import _break_white

    assert _scan().block_spans(text, _break_white()) == _doc(text)._spans()


@pytest.mark.twin
def test_block_spans_twin_agrees_on_real_pages():
    from textfix.rule import _break_white
    from textfix.rules import stray

    blocks = 0
    for text in _seen_by("stray.noise-line"):
        want = _doc(text)._spans()
        assert _scan().block_spans(text, _break_white()) == want
        assert stray._block_spans(_doc(text)) == want
        blocks += len(want)
    assert blocks > 500


# -- stray.latin-in-han: lone letters ---------------------------------------------------

LETTER_TEXT = st.lists(st.sampled_from([
    "a", "i", "Z", "A股", "GDP", "5G", "PM2.5", "1", "0", "中", "城南", " ", "\n", "_", "@", "[", "`", "{",
    "é", "ａ", "🙂", "\u0301",
]), max_size=40).map("".join)


@pytest.mark.twin
@settings(max_examples=2000, deadline=None)
@given(LETTER_TEXT)
@example("推进城南i街道建设A与B, a1 b_c Z")
def test_lone_letters_twin_agrees(text):
    from textfix.rules import stray

    assert _scan().lone_letters(text) == [m.start() for m in stray._LETTER.finditer(text)]


@pytest.mark.twin
def test_lone_letters_twin_agrees_on_real_pages():
    from textfix.rules import stray

    found = 0
    for text in _seen_by("stray.latin-in-han"):
        want = [m.start() for m in stray._LETTER.finditer(text)]
        assert _scan().lone_letters(text) == want
        assert stray._letter_contexts(text, want) == stray._letter_contexts(text)
        found += len(want)
    assert found > 50


# -- repeat.doubled-line: repeated lines ------------------------------------------------

LINE_TEXT = st.lists(st.sampled_from([
    "茂南区推进老旧小区微改造", "茂南区", "正文", "* * *", " ", "\u3000", "\t", "\n", "\n\n", "\n \n", "a", "🙂",
]), max_size=30).map("".join)


@pytest.mark.twin
@settings(max_examples=2000, deadline=None)
@given(LINE_TEXT)
@example("茂南区推进老旧小区微改造\n\n茂南区推进老旧小区微改造\n\n正文")
@example(" 正文\n正文 \n\u3000正文\n\n  \n正文\n正文a\n")
def test_repeated_lines_twin_agrees(text):
    from textfix.rules import repeat

    assert _scan().repeated_lines(text) == repeat._repeated_lines_py(text)


@pytest.mark.twin
def test_repeated_lines_twin_agrees_on_real_pages():
    from textfix.rules import repeat

    for text in _seen_by("repeat.doubled-line"):
        assert _scan().repeated_lines(text) == repeat._repeated_lines_py(text)
    text = "\n\n".join(_seen_by("repeat.doubled-line")[:6])
    text += "\n" + [line for line in text.split("\n") if line.strip()][-1] + "\n"  # its last line again
    assert _scan().repeated_lines(text) == repeat._repeated_lines_py(text) != []


# -- repeat.doubled-word, stray.latin-in-han, stray.noise-line: words of the lexicon ----

class _OddHash(str):
    def __hash__(self):
        return 7


@pytest.mark.twin
@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from("茂南区城南街道推进改造A股X光记录工作一个" + "a1 \n🙂"), max_size=6))
@example("")
@example("茂南区")
def test_word_set_answers_as_the_lexicon(word):
    from textfix.rules import garbled

    d = garbled.lexicon().freq
    assert (word in garbled.words()) == (word in d)


@pytest.mark.twin
def test_word_set_on_the_lexicon_and_the_pages():
    from textfix.rules import garbled

    d = garbled.lexicon().freq
    ws = _scan().WordSet(d)
    assert len(ws) == len(d) and all(w in ws for w in d)
    asked = {t[i : i + k] for t in _seen_by("repeat.doubled-word")[:8] for i in range(len(t)) for k in (1, 2, 3, 4)}
    misses = [w for w in asked if w not in d]
    assert len(misses) > 10_000 and not any(w in ws for w in misses)
    # the filter answers nearly all of them itself (16+ bits a word, three probes)
    assert sum(ws.may_hold(w) for w in misses) <= len(misses) // 100
    # anything else is the dict's answer, errors included
    for other in (None, 3, ("茂南区",), _OddHash("茂南区"), _OddHash("nope")):
        assert (other in ws) == (other in d)
    with pytest.raises(TypeError):
        [] in ws


@pytest.mark.twin
def test_word_set_with_keys_that_are_not_plain_strings():
    odd = _OddHash("茂南")
    d = {odd: 1, "区": 2, 5: 3}
    ws = _scan().WordSet(d)
    assert ws.may_hold("anything")  # the dict answers everything
    for w in ("茂南", odd, "区", 5, "5", "茂", ""):
        assert (w in ws) == (w in d)
    assert "茂南" in _scan().WordSet({"茂南": 1}) and "茂北" not in _scan().WordSet({"茂南": 1})


def _chosen_by_pairs(text: str) -> list[tuple[int, int]]:
    """The repeat stage's choice of doubles as first written: longest first, each
    tried against every span taken before it."""
    from textfix.rules import repeat

    found = {}
    for start, unit, sep, copies in repeat._matches(text):
        if unit[-1] in repeat._SPACE or not repeat._primitive(unit.strip(repeat._SPACE)):
            continue
        if sep and unit[0] in repeat._SPACE:
            continue
        d = repeat.Double(start, unit, sep, copies)
        found.setdefault((d.start, d.end), d)
    taken = []
    order = sorted(found.items(), key=lambda kv: (kv[0][0] - kv[0][1], not repeat.aligned(text, kv[1]), kv[0][0]))
    for (s, e), _ in order:
        if not any(s < b and a < e for a, b in taken):
            taken.append((s, e))
    return sorted(taken)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["记录", "记录记录", "新时代", "，", "一个", "研究", "中", "\n", " "]),
                max_size=60))
def test_the_doubles_chosen_are_those_each_tried_against_every_span_taken(parts):
    # (the spans taken are looked up, not passed over one by one: a long text has
    # thousands of doubles)
    from textfix.rules.repeat import doubles

    text = "".join(parts)
    assert sorted((d.start, d.end) for d in doubles(text)) == _chosen_by_pairs(text)
