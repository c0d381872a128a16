"""The README documents every rule and the two commands CI runs."""

from pathlib import Path

from textfix.rules import PIPELINE

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_rule_is_in_the_readme():
    missing = [r.name for r in PIPELINE if f"`{r.name}`" not in README]
    assert missing == []


def test_ci_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in (
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/textfix seeds/002_2729f900fda1658c.txt",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest",
    ):
        assert command in README
        assert command in ci
