"""The correction rule in the pipeline: applied edits, suggestions, protection, user data."""

from __future__ import annotations

import pytest

import textfix


def test_strong_evidence_is_applied_with_confidence_and_note():
    r = textfix.clean("要深人学习贯彻习近平法治思想。\n", select=["confusable"])
    (e,) = r.edits
    assert r.text == "要深入学习贯彻习近平法治思想。\n"
    assert e.rules == ("confusable.glyph-misread",) and e.note == "人→入 (深入)"
    assert str(e.safety) == "guess" and 0.9 <= e.confidence <= 1


def test_a_character_that_never_stands_alone_is_mended():
    # 纳 is a dictionary word, but the news never uses it alone: 纳/人/公务员 reads
    # badly, 纳入/公务员 well (seed page 002).
    r = textfix.clean("该局把法治宣传教育纳人公务员年度考核重要内容。\n", select=["confusable"])
    assert r.text == "该局把法治宣传教育纳入公务员年度考核重要内容。\n"
    assert [e.note for e in r.edits] == ["人→入 (纳入)"]


def test_weaker_evidence_is_a_suggestion_not_an_edit():
    src = "推进法治建设情况等纳人领导干部工作实绩的重要内容。\n"
    r = textfix.clean(src, select=["confusable"])
    assert r.text == src and r.edits == []
    (s,) = r.suggestions
    assert s.note == "人→入 (纳入)" and s.confidence < 0.9 and str(s.safety) == "suggest"
    assert src[s.start : s.end] == "人"
    # a lower threshold applies it
    assert "纳入" in textfix.clean(src, select=["confusable"], threshold=0.7).text


def test_protect_list_is_never_changed(tmp_path):
    protect = tmp_path / "protect.txt"
    protect.write_text("深人\n", encoding="utf-8")
    src = "要深人学习贯彻习近平法治思想。\n"
    assert textfix.clean(src, select=["confusable"], protect=[str(protect)]).text == src


def test_malformed_user_dictionary_is_a_clear_error(tmp_path):
    d = tmp_path / "terms.tsv"
    d.write_text("廖述毅\t12\n茂南区\tabc\n", encoding="utf-8")
    with pytest.raises(textfix.ConfigError, match=r"terms.tsv, line 2"):
        textfix.clean("测试。\n", dicts=[str(d)])
