"""What the full pipeline makes of the noised archive pages, against their clean truth.

    python -m benchmarks.archive_quality

The pages are those of ``benchmarks/noise.py`` (the held-out half of the People's Daily
1998-01 corpus, 40 paragraphs a page, noised with its seed), cleaned by the default
pipeline through ``Pipeline.map``.  Reports, over all pages:

* the edit distance (Levenshtein, characters) of the noised pages and of their cleaned
  output to the clean pages: what the pipeline left to repair;
* the paragraph breaks the output lacks where the clean page has one (wrong joins) and
  those it has where the clean page has none (missed joins), counted on the alignment
  of the output with the clean page;
* the pages at a fixed point: cleaning the output again makes no edit (noised pages and
  their clean originals), and the rules of the edits a second clean still makes;
* the edits made on the clean originals, per 10k characters (most are the width of
  the corpus's full-width digits; none should change a word), and the flags raised on
  them (nothing is missing from them: an ``incomplete`` flag there is a false one).

Writes ``benchmarks/results/archive_quality.json``.
"""

from __future__ import annotations

import collections
import json
import pathlib
import sys

from rapidfuzz.distance import Levenshtein

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import textfix  # noqa: E402
from benchmarks.noise import heldout, pages  # noqa: E402


def breaks(out: str, truth: str) -> tuple[int, int]:
    """``(lacking, extra)``: the paragraph breaks of ``truth`` that ``out`` lacks and
    those ``out`` has that ``truth`` lacks, on their alignment."""
    lacking = extra = 0
    for op in Levenshtein.opcodes(out, truth):
        if op.tag in ("insert", "replace"):
            lacking += truth[op.dest_start : op.dest_end].count("\n\n")
        if op.tag in ("delete", "replace"):
            extra += out[op.src_start : op.src_end].count("\n\n")
    return lacking, extra


def fixed_point(pipeline, outputs: list[str]) -> dict:
    """How many of ``outputs`` a second clean leaves alone, and the rules of what it changes."""
    rules: collections.Counter = collections.Counter()
    moved = 0
    for r in pipeline.map(outputs):
        if r.edits:
            moved += 1
            rules.update("+".join(e.rules) for e in r.edits)
    return {"pages": len(outputs), "at_fixed_point": len(outputs) - moved, "second_clean_edits_by_rule": dict(rules)}


def main() -> dict:
    noisy, clean = pages(heldout())
    p = textfix.Pipeline().warm()
    out = [r.text for r in p.map(noisy)]
    clean_results = list(p.map(clean))
    clean_out = [r.text for r in clean_results]
    lacking = extra = 0
    for o, c in zip(out, clean):
        a, b = breaks(o, c)
        lacking += a
        extra += b
    clean_chars = sum(map(len, clean))
    figures = {
        "pages": len(noisy),
        "chars_noised": sum(map(len, noisy)),
        "distance_to_truth": {
            "noised": sum(Levenshtein.distance(n, c) for n, c in zip(noisy, clean)),
            "cleaned": sum(Levenshtein.distance(o, c) for o, c in zip(out, clean)),
        },
        "paragraph_breaks": {
            "truth": sum(c.count("\n\n") for c in clean),
            "joined_away": lacking,
            "left_where_truth_joins": extra,
        },
        "fixed_point": {"noised": fixed_point(p, out), "clean": fixed_point(p, clean_out)},
        "clean_originals_edits_per_10k_chars": round(
            sum(len(r.edits) for r in clean_results) / clean_chars * 1e4, 1),
        "clean_originals_flags": dict(sorted(collections.Counter(
            f.name for r in clean_results for f in r.flags).items())),
    }
    path = ROOT / "benchmarks" / "results" / "archive_quality.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return figures


if __name__ == "__main__":
    main()
