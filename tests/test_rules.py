"""Every rule: documented, its example holds, its cases hold."""

from __future__ import annotations

import pytest

import textfix
from textfix.rules import PIPELINE, RULES

from casefile import CASES, all_cases

RULE_CASES = all_cases()
NEGATIVE = all_cases(negative=True)


@pytest.mark.parametrize("r", PIPELINE, ids=lambda r: r.name)
def test_rule_is_documented(r):
    assert r.name.count(".") == 1 and r.name == r.name.lower(), "name is <stage>.<problem>"
    assert r.summary, "a one-line summary"
    assert "## Why" in r.doc and "## Example" in r.doc
    assert r.example() is not None, "an example with before:/after: lines"


@pytest.mark.parametrize("r", PIPELINE, ids=lambda r: r.name)
def test_rule_example_holds(r):
    before, after = r.example()
    assert textfix.clean(before, select=[r.name]).text == after


@pytest.mark.parametrize("r", PIPELINE, ids=lambda r: r.name)
def test_rule_has_case_file(r):
    assert (CASES / r.stage / f"{r.name}.txt").exists()


@pytest.mark.parametrize("r", PIPELINE, ids=lambda r: r.name)
def test_rule_has_a_must_not_change_case(r):
    cases = [c for c in RULE_CASES if c.rule == r.name]
    assert any(c.input == c.expected for c in cases), "conservative: a case it must leave alone"


def test_case_files_name_real_rules():
    for case in RULE_CASES:
        assert case.rule in RULES, f"{case.file} names no rule"


@pytest.mark.parametrize("case", RULE_CASES, ids=lambda c: c.id)
def test_rule_case(case):
    result = textfix.clean(case.input, select=[case.rule])
    assert result.text == case.expected, case.title
    assert result.restore() == case.input
    again = textfix.clean(result.text, select=[case.rule])
    assert again.edits == [], "the rule is a fixed point"


@pytest.mark.parametrize("case", NEGATIVE, ids=lambda c: c.id)
def test_clean_text_is_untouched(case):
    result = textfix.clean(case.input)
    assert result.edits == [], list(result.explain())
    assert result.text == case.input


def test_a_noise_line_is_judged_as_the_stray_rules_will_leave_it():
    # a real line with one stray inside is kept for the stray rule to mend (the stray
    # once made it look like noise); a nonsense line one stray too long goes in the
    # same clean, not in a second one; a stray rule switched off is not assumed
    body = "\n\n本报讯 日前，茂南区举行活动。\n"
    for line, kept in (("图i片：", "图片："), ("二、立丶案", "二、立案"), ("闯三L峡", "闯三峡")):
        r = textfix.clean(line + body)
        assert r.text.startswith(kept + "\n\n"), r.text
    junk = "::A\xa0¦\u3400"
    r = textfix.clean(junk + body)
    assert r.text == body.lstrip("\n") and r.restore() == junk + body
    assert [e.rule for e in r.edits if e.old and junk in e.old] == ["stray.noise-line"]
    off = textfix.clean(junk + body, disable=["stray.column-rule"])
    assert off.text.startswith(junk + "\n\n")
    # nonsense in two short lines is the one line the layout stage makes of it
    r = textfix.clean("A,\n\U00020000" + body)
    assert r.text == body.lstrip("\n") and textfix.clean(r.text).edits == []
