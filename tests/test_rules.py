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
