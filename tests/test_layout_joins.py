"""The compiled twins of the layout joins (``textfix._layout``: ``text_evidence``,
``decide``, ``find_joins``, ``settle_open``) against their pure-Python definitions in
:mod:`textfix.layout_blocks`, on generated blocks and on real pages."""

from __future__ import annotations

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import layout_gen  # noqa: E402
from twins import Refuse  # noqa: E402

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import example, given, settings, strategies as st  # noqa: E402


def _twin():
    from textfix import layout_blocks as lb

    if lb._layout is None:
        pytest.fail("textfix._layout was not built")
    return lb._twin()


def _pages(seed_texts, noised=12):
    from benchmarks.noise import heldout, pages

    noisy, clean = pages(heldout()[:40 * noised])
    return list(seed_texts) + noisy + clean[:3] + [
        layout_gen.layout(layout_gen.HANDWRITTEN, seed=s, height=10, article_len=3)[0] for s in range(3)]


#: the ends and starts the text evidence reads: marks a sentence goes on after, that no
#: paragraph starts with, clause marks, openers, words across a gap, other characters
_EVIDENCE_PIECES = st.sampled_from([
    "，", ",", "、", "；", "：", "（", "《", "—", "。", "！", "？", "…", "）", "》", "」", "”", '"', "'",
    "同时", "此外", "据了解", "他说", "会上", "廖述毅强调", "市委一行", "前期工", "作", "社会", "主义", "群众", "工作",
    "标准", "同", "时", "社", "会", "a", "1", "🙂", " ", "区", "委",
    "(二)", "（三）", "二、", "3.", "12.5", "附记", "连日来", "片酬行情天天涨", "一集几千很寻常",
])
_EVIDENCE_TEXT = st.lists(_EVIDENCE_PIECES, min_size=1, max_size=6).map("".join)


@pytest.mark.twin
@settings(max_examples=2000, deadline=None)
@given(_EVIDENCE_TEXT, _EVIDENCE_TEXT)
@example("前期工", "作，提高")
@example("生活圈。同", "时，对排污")
@example("开展", "标准，开展")
@example("工作", "同时，")
@example("工作", "廖述毅强调，")
@example("工作", "社会a，")
@example("(一)故意伤害案;", "(二)重婚案;")
@example("片酬行情天天涨,", "一集几千很寻常。")
@example("坚持外引内培、抓大育小、", "业发展赋能充电。")
@example("开展", "附记：从此")
@example("开展", "连日来，石家庄")
def test_text_evidence_twin_agrees(av, bv):
    from textfix import layout_blocks as lb

    assert _twin().text_evidence(av, bv) == lb._text_evidence(av, bv)


@pytest.mark.twin
def test_text_evidence_twin_refuses_empty_text_as_its_definition():
    from textfix import layout_blocks as lb

    for av, bv in (("", "作"), ("工", "")):
        with pytest.raises(IndexError):
            lb._text_evidence(av, bv)
        with pytest.raises(IndexError):
            _twin().text_evidence(av, bv)


@pytest.mark.twin
def test_text_evidence_twin_agrees_on_real_pages(seed_texts):
    from textfix import layout_blocks as lb

    seen = {}
    for text in _pages(seed_texts):
        blocks = lb.analyse(text).blocks
        for a in blocks:
            for b in blocks[:8]:
                # the text of b, and the text of b from its first comma (a start no
                # paragraph has)
                for bv in (b.vis, b.vis[b.vis.find("，"):]):
                    got = _twin().text_evidence(a.vis, bv)
                    assert got == lb._text_evidence(a.vis, bv), (a.vis, bv)
                    seen[got] = seen.get(got, 0) + 1
    # every kind of evidence came up, most of them many times
    assert set(seen) == {"open-mark", "no-start-mark", "", "word", "short-clause", None}
    assert min(seen.values()) > 20


# -- decide and find_joins on generated blocks ------------------------------------------------------

_KINDS = ("body", "body", "body", "caption", "credit", "headline", "subheadline", "byline", "subheading")
#: a line width: whole and half cells around a column of 12 to 14
_WIDTH = st.sampled_from([0.5, 3.0, 10.0, 11.0, 11.5, 12.0, 12.5, 12.75, 13.0, 13.5, 14.0, 15.5])


@st.composite
def _blocks(draw):
    from textfix.layout_blocks import Block

    blocks = []
    for _ in range(draw(st.integers(1, 9))):
        vis = draw(_EVIDENCE_TEXT)
        b = Block(0, len(vis), vis, vis)
        b.kind = draw(st.sampled_from(_KINDS))
        b.lead = b.kind == "body" and draw(st.booleans())
        b.first_full, b.last_full = draw(st.booleans()), draw(st.booleans())
        b._segs = draw(st.lists(_WIDTH, max_size=7))
        blocks.append(b)
    return blocks


@pytest.mark.twin
@settings(max_examples=1500, deadline=None)
@given(_blocks(), st.booleans())
def test_decide_and_find_joins_twins_agree(blocks, indents):
    from textfix import layout_blocks as lb

    twin = _twin()
    for i in range(len(blocks)):
        for j in range(i + 1, len(blocks)):
            lb._TEXT_EVIDENCE.clear()  # each side finds the text evidence itself
            want = lb._decide_py(blocks, i, j, indents)
            lb._TEXT_EVIDENCE.clear()
            assert twin.decide(blocks, i, j, lb._TEXT_EVIDENCE, indents) == want
    lb._TEXT_EVIDENCE.clear()
    want = lb._find_joins_py(blocks, indents)
    lb._TEXT_EVIDENCE.clear()
    got = twin.find_joins(blocks, lb._TEXT_EVIDENCE, indents)
    assert got == want
    assert twin.page_indents(blocks) == lb._page_indents_py(blocks)


@pytest.mark.twin
@settings(max_examples=800, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.lists(_WIDTH, min_size=3, max_size=9)), max_size=12))
def test_page_indents_twin_agrees(paras):
    # body blocks of three lines or more after a finished block: all of them are measured
    from textfix import layout_blocks as lb

    blocks = [lb.Block(0, 3, "结束。", "结束。")]
    for finished, segs in paras:
        vis = "正文。" if finished else "正文"
        b = lb.Block(0, len(vis), vis, vis)
        b.kind, b._segs = "body", segs
        blocks.append(b)
    assert _twin().page_indents(blocks) == lb._page_indents_py(blocks)


@pytest.mark.twin
@pytest.mark.parametrize("between", range(7))
def test_find_joins_twin_looks_past_four_captions_and_credits_as_its_definition(between):
    from textfix import layout_blocks as lb

    blocks = [lb.Block(0, 3, v, v) for v in ["前期工"] + ["张三 摄"] * between + ["作，提高。"]]
    for k, b in enumerate(blocks[1:-1]):
        b.kind = "caption" if k % 2 else "credit"
    want = lb._find_joins_py(blocks)
    assert _twin().find_joins(blocks, lb._TEXT_EVIDENCE) == want
    assert bool(want[0]) == (between <= 4)


@pytest.mark.twin
def test_decide_twin_takes_the_width_evidence_as_its_definition():
    # a block with no text evidence either way: the full lines around it decide
    from textfix import layout_blocks as lb

    twin = _twin()
    a, b, c = (lb.Block(0, 4, v, v) for v in ("社会主义", "群众工作。", "社会主义"))
    for k, segs in ((a, [13.0] * 5), (b, [13.0, 5.0]), (c, [13.0, 13.0, 13.0])):
        k._segs = segs
    b.first_full = True
    for blocks, want in (([a, b], "full-first-line"), ([a, c], "full-first-line")):
        assert lb._decide_py(blocks, 0, 1) == want == twin.decide(blocks, 0, 1, lb._TEXT_EVIDENCE)
    b._segs = [11.5, 5.0]  # short of the width less a quarter cell and an indent
    assert lb._decide_py([a, b], 0, 1) == "" == twin.decide([a, b], 0, 1, lb._TEXT_EVIDENCE)
    a.last_full, b._segs = True, [3.0]
    assert lb._decide_py([a, b], 0, 1) == "full-last-line" == twin.decide([a, b], 0, 1, lb._TEXT_EVIDENCE)
    a._segs = [13.0, 13.0, 13.0, 13.0]  # too few lines for a width
    assert lb._decide_py([a, b], 0, 1) == "" == twin.decide([a, b], 0, 1, lb._TEXT_EVIDENCE)
    # on a page that does not indent, a full first line is no evidence
    a._segs, a.last_full = [13.0] * 5, False
    assert lb._decide_py([a, c], 0, 1, False) == "" == twin.decide([a, c], 0, 1, lb._TEXT_EVIDENCE, False)


def _body(vis, segs, kind="body"):
    from textfix import layout_blocks as lb

    b = lb.Block(0, len(vis), vis, vis)
    b.kind, b._segs = kind, segs
    return b


def test_page_indents_counts_the_first_lines_of_paragraphs_that_surely_start():
    from textfix import layout_blocks as lb

    done = _body("上一段结束。", [13.0, 13.0, 6.0])
    indented = [13.0 - 2, 13.0, 13.0, 13.0, 7.0]  # the first line two cells in
    flush = [13.0, 13.0, 13.0, 13.0, 7.0]
    page = lambda firsts: [done] + [_body("一段正文。", f) for f in firsts]  # noqa: E731
    assert lb.page_indents(page([indented] * 4))
    assert not lb.page_indents(page([flush] * 4))
    assert not lb.page_indents(page([flush] * 3 + [indented]))
    assert lb.page_indents(page([flush] * 2 + [indented] * 2))  # half: it indents
    assert lb.page_indents(page([flush] * 3))  # too few to tell: as if it did
    # only after a finished block, only body blocks of three lines or more count
    unfinished = [_body("没有结束", [13.0] * 4)] + [_body("一段正文。", flush)] * 4
    assert lb.page_indents(unfinished)
    assert lb.page_indents(page([[13.0, 7.0]] * 6))
    headlines = [done] + [_body("标题。", flush, "headline")] * 6
    assert lb.page_indents(headlines)


def test_a_page_without_indents_joins_no_paragraph_on_its_full_first_line(monkeypatch):
    # an open headline-like block, a whole indented line, before a paragraph whose first
    # line is full width: on a page that indents its paragraphs, that line goes on from
    # the block before (joined);
    # on one that sets every first line full (the noised archive pages), it says nothing
    from textfix import layout_blocks as lb

    pool = "社会主义核心价值观念深入人心群众工作扎实推进各项任务圆满完成基层治理能力不断提升" * 3

    def para(k, first):  # lines of ten cells, the first one ``first`` cells
        body = pool[k : k + 38]
        return " ".join([body[:first]] + [body[i : i + 10] for i in range(first, len(body), 10)]) + "。"

    # an indented first line is 8 cells of 10; a block whose one line is shorter than
    # three quarters of a line (科技兴农见成效, 7 cells) stops there: a headline, never
    # the top of a paragraph a column cut
    for first, head, joined in ((8, "科技兴农成效显著", ["full-first-line"]), (10, "科技兴农成效显著", []),
                                (8, "科技兴农见成效", [])):
        text = ("本报讯 前文已经结束。\n\n" + "\n\n".join(para(k, first) for k in range(5))
                + f"\n\n{head}\n\n" + para(7, 10) + "\n")
        _twin()  # (built: the second pass runs the compiled twins)
        for pure in ("1", ""):  # the definitions, then the compiled twins
            monkeypatch.setenv("TEXTFIX_PURE_PYTHON", pure)
            lay = lb.analyse(text)
            assert lay.indents is (first == 8)
            assert [j.evidence for j in lay.joins] == joined


# -- the analyses of real pages ------------------------------------------------------------------------

def _fields(blocks):
    return [(b.start, b.kind, b.lead, b.keep_until, b.wraps, b.cuts, b.segs, b.first_full, b.last_full)
            for b in blocks]


def _settle_twins_agree(text):
    from textfix import layout_blocks as lb

    twin = _twin()
    got, want = lb.split_blocks(text, True), lb.split_blocks(text, True)
    for blocks in (got, want):
        lb.classify(blocks, {}, True)
        twin.find_all_wraps(text, blocks, lb.find_wraps, lb._char_class)
    twin.settle_open(text, got, lb._TEXT_EVIDENCE)
    lb._settle_open_py(text, want, True)
    assert _fields(got) == _fields(want)
    return sum(b.kind == "body" and b.base == "open" for b in got)


_PIECES = st.sampled_from(["标题", "社会主义", "群众工作", "前期工", "作，提高项目。", "同时，", "本报讯 正文。", "■通讯员 张三",
                           "张三 摄", "图为现场", "（张三）", "——编者", "“", "”", "，", "。", " ", "\n", "\n\n", "\n\n", "\n\n"])


@pytest.mark.twin
@settings(max_examples=800, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
@example("社会主义群众\n\n工作，提高项目。")
@example("社会主义群众，提高项目。（张三）\n\n标题\n\n工作，提高项目。——编者\n\n群众工作")
@example("标题\n\n社会主义群众\n\n作，提高项目。\n\n■通讯员 张三\n\n本报讯 正文。")
def test_settle_open_twin_agrees(text):
    _settle_twins_agree(text)


@pytest.mark.twin
def test_settle_open_and_joins_twins_agree_on_real_pages(seed_texts, monkeypatch):
    from textfix import layout_blocks as lb

    settled = joins = incomplete = indents = 0
    pages = _pages(seed_texts)
    for text in pages:
        settled += _settle_twins_agree(text)
        # the whole analysis and its joins, with the compiled twins and without
        lb._TEXT_EVIDENCE.clear()
        got = lb.analyse(text)
        got_joins = (got.joins, got.incomplete)
        lb._TEXT_EVIDENCE.clear()
        with monkeypatch.context() as m:
            m.setenv("TEXTFIX_PURE_PYTHON", "1")
            m.setattr(lb, "_layout", Refuse())
            want = lb.analyse(text)
            want_joins = (want.joins, want.incomplete)
        assert _fields(got.blocks) == _fields(want.blocks)
        assert got_joins == want_joins
        assert got.indents == want.indents
        indents += got.indents
        joins += len(got_joins[0])
        incomplete += len(got_joins[1])
    assert settled > 50 and joins > 40 and incomplete > 20
    assert 0 < indents < len(pages)  # the seed pages indent, the noised ones do not
