"""The edit core: apply, restore, invert, opcodes, validation, composition."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from textfix.edit import Edit, EditError, Safety, apply, invert, opcodes, restore, validate
from textfix.provenance import SourceMap


def E(a, b, new, text, rule="r"):
    return Edit(a, b, new, old=text[a:b], rules=(rule,))


def test_apply_and_restore():
    src = "深人学习,贯彻"
    edits = [E(1, 2, "入", src), E(4, 5, "，", src)]
    out = apply(src, edits)
    assert out == "深入学习，贯彻"
    assert restore(out, edits) == src


def test_invert_turns_output_back_into_source():
    src = "abcdef"
    edits = [E(0, 1, "XY", src), E(3, 5, "", src)]
    out = apply(src, edits)
    assert apply(out, invert(edits)) == src


def test_opcodes_match_difflib_semantics():
    src = "茂南区 委书记"
    edits = [E(3, 4, "", src)]
    ops = opcodes(src, edits)
    out = apply(src, edits)
    assert ops == [("equal", 0, 3, 0, 3), ("delete", 3, 4, 3, 3), ("equal", 4, 7, 3, 6)]
    rebuilt = "".join(out[j1:j2] if tag != "delete" else "" for tag, i1, i2, j1, j2 in ops)
    assert rebuilt == out
    # difflib agrees on which characters are equal
    sm = difflib.SequenceMatcher(None, src, out, autojunk=False)
    assert sum(b - a for t, a, b, _, _ in sm.get_opcodes() if t == "equal") == 6


@pytest.mark.parametrize("edits, message", [
    ([Edit(2, 1, "x")], "outside"),
    ([Edit(0, 9, "x")], "outside"),
    ([Edit(0, 2, "x"), Edit(1, 3, "y")], "overlaps"),
    ([Edit(0, 1, "x", old="b")], "expects"),
])
def test_validate_names_the_problem(edits, message):
    with pytest.raises(EditError, match=message):
        validate("abc", edits)


def test_restore_needs_old_text():
    with pytest.raises(EditError):
        restore("x", [Edit(0, 1, "x")])


def test_composition_of_overlapping_steps_merges_rules():
    src = "a,b"
    m = SourceMap(src)
    step1 = [E(1, 2, "，", src, "punct")]
    t1 = apply(src, step1)
    m.step(src, step1)
    step2 = [E(0, 2, "A；", t1, "other")]
    t2 = apply(t1, step2)
    m.step(t1, step2)
    (e,) = m.edits()
    assert (e.start, e.end, e.old, e.new) == (0, 2, "a,", "A；")
    assert e.rules == ("punct", "other")
    assert apply(src, m.edits()) == t2


def test_an_edit_undone_later_leaves_no_edit():
    src = "abc"
    m = SourceMap(src)
    s1 = [E(1, 2, "X", src)]
    t1 = apply(src, s1)
    m.step(src, s1)
    s2 = [E(1, 2, "b", t1)]
    m.step(t1, s2)
    assert m.edits() == []


def test_moved_text_keeps_its_provenance():
    src = "正文前半。图片说明。正文后半。"
    m = SourceMap(src)
    caption = (5, 10)
    moves = [E(5, 10, "", src, "move"),
             Edit(len(src), len(src), src[5:10], old="", rules=("move",), moved_from=5)]
    out = apply(src, moves)
    m.step(src, moves)
    assert out == "正文前半。正文后半。图片说明。"
    at = out.index("图片说明")
    assert m.source_spans(at, at + 5) == [caption]
    assert restore(out, m.edits()) == src


# -- composition equals applying the steps one by one (random steps) ---------------

@st.composite
def steps(draw):
    src = draw(st.text(alphabet="abcde ,", max_size=15))
    texts, all_steps = [src], []
    for _ in range(draw(st.integers(1, 4))):
        cur = texts[-1]
        edits, pos = [], 0
        for _ in range(draw(st.integers(0, 3))):
            if pos > len(cur):
                break
            a = draw(st.integers(pos, len(cur)))
            b = draw(st.integers(a, min(len(cur), a + 3)))
            if a == b and cur and draw(st.booleans()):
                m = draw(st.integers(0, len(cur) - 1))
                n = draw(st.integers(1, len(cur) - m))
                edits.append(Edit(a, a, cur[m:m + n], old="", rules=("mv",), moved_from=m))
            else:
                edits.append(E(a, b, draw(st.text(alphabet="xyz,", max_size=2)), cur))
            pos = b
        all_steps.append(edits)
        texts.append(apply(cur, edits))
    return src, all_steps, texts


@given(steps())
def test_composed_edits_equal_stepwise_application(case):
    src, all_steps, texts = case
    m = SourceMap(src)
    for cur, edits in zip(texts, all_steps):
        validate(cur, edits)
        m.step(cur, edits)
    composed = m.edits()
    validate(src, composed)
    assert apply(src, composed) == texts[-1]
    assert restore(texts[-1], composed) == src
    for i in range(len(texts[-1])):
        for s, e in m.source_spans(i, i + 1):
            assert 0 <= s <= e <= len(src)


@given(steps())
def test_source_spans_shortcut_equals_the_piece_by_piece_walk(case):
    # source_spans maps a span with no moved piece in it as one range; the walk over
    # its pieces must give the same for every span of the text
    src, all_steps, texts = case
    m = SourceMap(src)
    for cur, edits in zip(texts, all_steps):
        m.step(cur, edits)
    n = len(texts[-1])
    for a in range(n):
        for b in range(a + 1, n + 1):
            assert m.source_spans(a, b) == m._spans_by_piece(a, b), (a, b)


def test_a_suggestion_keeps_its_safety_through_its_record():
    """``Safety.SUGGEST`` is 0, falsy: its record must still say ``suggest`` (it once
    said ``safe``), and every level must come back from its record."""
    for level in (None, *Safety):
        e = Edit(3, 4, "入", old="人", rules=("confusable.glyph-misread",), safety=level, confidence=0.7)
        d = e.to_dict()
        assert d["safety"] == ("safe" if level is None else level.name.lower())
        assert Edit.from_dict(d).safety == (Safety.SAFE if level is None else level)


def test_suggestions_in_json_say_suggest():
    import textfix
    from textfix.result import Result

    r = textfix.clean("把他们纳人公务员管理，要深人学习。\n", threshold=1.0)
    assert r.suggestions
    assert {s["safety"] for rec in r.to_records() for s in rec["suggestions"]} == {"suggest"}
    back = Result.from_json(r.to_json())
    assert [s.safety for s in back.suggestions] == [Safety.SUGGEST] * len(r.suggestions)


def test_is_applied_is_the_pipelines_choice_between_an_edit_and_a_suggestion():
    from textfix.edit import Safety, is_applied

    assert is_applied(Safety.SAFE, 0.1, 0.9)
    assert is_applied(Safety.GUESS, 0.9, 0.9) and not is_applied(Safety.GUESS, 0.89, 0.9)
    assert not is_applied(Safety.SUGGEST, 1.0, 0.9)  # SUGGEST is 0: never read as "no safety"
