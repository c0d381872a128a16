"""Rule behaviour kept as data: ``tests/cases/<stage>/<rule>.txt``.

Format::

    # comments at the top
    === title of a case
    input lines (verbatim; \\n \\r \\t \\uXXXX \\xXX escapes allowed)
    ---
    expected lines
    === must not change: a case without a --- section
    input lines

Trailing empty lines of a section are dropped; input and expected both get one final
``\\n``.  Files in ``tests/cases/negative/`` hold text the *whole* pipeline must leave
unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textfix.rule import _unescape

CASES = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class Case:
    file: Path
    line: int
    title: str
    input: str
    expected: str

    @property
    def rule(self) -> str:
        return self.file.stem

    @property
    def id(self) -> str:
        return f"{self.file.parent.name}/{self.file.stem}:{self.line}"


def _text(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return _unescape("\n".join(lines)) + "\n"


def parse(path: Path) -> list[Case]:
    cases: list[Case] = []
    title, start, inp, exp, section = None, 0, [], [], None
    lines = path.read_text(encoding="utf-8").split("\n")

    def flush():
        if title is not None:
            i = _text(inp)
            cases.append(Case(path, start, title, i, _text(exp) if section == "exp" else i))

    for n, line in enumerate(lines, 1):
        if line.startswith("=== "):
            flush()
            title, start, inp, exp, section = line[4:].strip(), n, [], [], "in"
        elif title is None:
            if line.strip() and not line.startswith("#"):
                raise ValueError(f"{path}:{n}: text before the first '=== ' case line")
        elif line == "---" and section == "in":
            section = "exp"
        elif section == "in":
            inp.append(line)
        else:
            exp.append(line)
    flush()
    return cases


def all_cases(negative: bool = False) -> list[Case]:
    out = []
    for path in sorted(CASES.rglob("*.txt")):
        if (path.parent.name == "negative") == negative:
            out.extend(parse(path))
    return out
