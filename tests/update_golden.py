"""Rewrite the seed pages' expected output from the current pipeline and show the diff.

    python tests/update_golden.py          # show what would change
    python tests/update_golden.py --write  # write it (after reading every changed line)

The expected files are reviewed by hand: run this after changing a rule, read the diff,
and commit it only when every change is right.
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import textfix  # noqa: E402


def expected_records(result: textfix.Result) -> str:
    return "".join(
        json.dumps({"kind": p.kind, "incomplete": any(f.name == "incomplete" for f in p.flags),
                    "text": p.text}, ensure_ascii=False) + "\n"
        for p in result.paragraphs
    )


def main() -> int:
    write = "--write" in sys.argv
    changed = 0
    for src_path in sorted((ROOT / "seeds").glob("*_*.txt")):
        if ".expected" in src_path.name:
            continue
        r = textfix.clean(src_path.read_text(encoding="utf-8"))
        for suffix, new in ((".expected.txt", r.text), (".expected.jsonl", expected_records(r))):
            path = src_path.with_name(src_path.stem + suffix)
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old != new:
                changed += 1
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(keepends=True), new.splitlines(keepends=True), str(path), str(path)))
                if write:
                    path.write_text(new, encoding="utf-8")
    print(f"{changed} file(s) {'written' if write else 'would change'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
