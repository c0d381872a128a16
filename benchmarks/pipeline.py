"""Full-pipeline throughput and memory: the real seed pages and the noised archive.

    python -m benchmarks.pipeline [--repeat 40] [--archive-mb 10,50]

Cleans the two seed pages replicated to ~0.4 MB and ~1.5 MB (OCR text, dense with
edits) and the cleaned output of the same (clean text: the pass-through case), and, in
the same run and on the same text, a baseline: one compiled `regex` substitution pass of
half-width commas.  Reports chars/s, ratios to the baseline, edits per 10k characters,
the time ratio between the two sizes (linearity: ~1.0 per unit of input) and peak
traced memory.  Writes benchmarks/results/pipeline.json.  Figures are ratios on a noisy
shared machine; compare them, not absolute times.

Archive (``archive`` in the results): the held-out half of the People's Daily
1998-01 corpus put through the noise model of ``benchmarks/noise.py``, cleaned page
by page by the full pipeline (every stage): chars/s on the noised pages and on the
clean pages, seconds spent in each rule and in the bookkeeping outside the rules
(composing edits into the source map, the edit log, paragraphs; the timing wrappers
add a little to each), edits per 10k characters; then, without the wrappers and
alternating, the same pages cleaned one ``clean()`` call each and through
``Pipeline.map`` (a few pages together, each rule over all of them before the next),
in wall-clock and process time (``untimed``); then the noised
pages replicated to each ``--archive-mb`` size and streamed through
``textfix.batch.clean_file`` (text + JSONL) in a fresh process whose peak RSS is
reported: the memory target is <= 1 GB at 50 MB, flat as the input grows.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import textfix  # noqa: E402


def best_of(fn, n=3):
    best = float("inf")
    out = None
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


class _Timed:
    """A rule that adds the seconds spent in it to ``acc``."""

    def __init__(self, rule, acc):
        self.rule, self.acc, self.name, self.safety = rule, acc, rule.name, rule.safety
        self.until_fixed = getattr(rule, "until_fixed", False)

    def __call__(self, doc):
        t = time.perf_counter()
        out = list(self.rule(doc))
        self.acc[self.name] = self.acc.get(self.name, 0.0) + time.perf_counter() - t
        return out


class _TimedCalls:
    """While active, the seconds spent in the pipeline's bookkeeping outside the rules:
    composing each rule's edits into the source map, writing the edit log in source
    offsets and cutting the result into paragraphs."""

    def __init__(self, acc):
        from textfix import pipeline, provenance

        self.acc = acc
        self.targets = [(provenance.SourceMap, "step", "compose edits into the source map"),
                        (provenance.SourceMap, "edits", "edit log in source offsets"),
                        (pipeline, "_paragraphs", "paragraphs")]

    def __enter__(self):
        self.saved = []
        for owner, name, label in self.targets:
            f = getattr(owner, name)
            self.saved.append((owner, name, f))
            setattr(owner, name, self._wrap(f, label))
        return self

    def _wrap(self, f, label):
        acc = self.acc

        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                acc[label] = acc.get(label, 0.0) + time.perf_counter() - t

        return timed

    def __exit__(self, *exc):
        for owner, name, f in self.saved:
            setattr(owner, name, f)


def archive(sizes_mb: list[int]) -> dict:
    import tempfile

    from benchmarks.archive import memory
    from benchmarks.noise import heldout, pages

    noisy, clean = pages(heldout())
    pipeline = textfix.Pipeline().warm()
    plain = textfix.Pipeline()  # the same loaded data, no timing wrappers
    acc: dict[str, float] = {}
    pipeline.rules = [_Timed(r, acc) for r in pipeline.rules]
    res: dict = {"pages": len(noisy)}
    other: dict[str, float] = {}
    for label, texts in (("noised", noisy), ("clean", clean)):
        acc.clear()
        other.clear()
        n = edits = 0
        with _TimedCalls(other):
            t = time.perf_counter()
            for page in texts:
                r = pipeline.clean(page)
                n += len(page)
                edits += len(r.edits)
            secs = time.perf_counter() - t
        in_rules = sum(acc.values())
        res[label] = {"chars": n, "chars_per_s": round(n / secs), "seconds": round(secs, 2),
                      "edits_per_10k_chars": round(edits / n * 1e4, 1),
                      "seconds_in_rules": round(in_rules, 2),
                      "seconds_by_rule": {k: round(v, 3) for k, v in sorted(acc.items(), key=lambda kv: -kv[1])},
                      "seconds_outside_rules": {**{k: round(v, 3) for k, v in other.items()},
                                                "rest": round(secs - in_rules - sum(other.values()), 3)}}
        print(f"archive {label}: {n:,} chars, {n / secs:,.0f} chars/s", file=sys.stderr, flush=True)
        res[label]["untimed"] = page_by_page_and_map(plain, texts)
        u = res[label]["untimed"]
        print(f"archive {label}, no timing wrappers: page by page {u['clean_chars_per_s']:,} chars/s, "
              f"map() {u['map_chars_per_s']:,} chars/s (x{u['map_over_clean_process_time']} in process time), "
              f"map() reading every edit log {u['map_with_edit_log_chars_per_s']:,} chars/s",
              file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="textfix-bench-") as tmp:
        res["memory"] = memory(tmp, noisy, sizes_mb)
    return res


def page_by_page_and_map(pipeline, texts: list[str], rounds: int = 3) -> dict:
    """The same pages cleaned one ``clean()`` call each and through ``map()`` (a few
    pages together, each rule over all of them before the next), alternating, best of
    ``rounds``: chars/s in wall-clock and in process time, and their ratio; and
    ``map()`` with every result's edits and paragraphs read (``map_with_edit_log``)."""
    n = sum(map(len, texts))
    wall = {"clean": [], "map": [], "map_log": []}
    cpu = {"clean": [], "map": [], "map_log": []}

    def by_page():
        for page in texts:
            pipeline.clean(page)

    def by_map():
        for _ in pipeline.map(texts):
            pass

    def by_map_with_log():
        # a result reads its edits and paragraphs off its map when asked: what asking
        # for every page's edit log costs
        for r in pipeline.map(texts):
            r.edits, r.paragraphs

    for _ in range(rounds):
        for name, fn in (("clean", by_page), ("map", by_map), ("map_log", by_map_with_log)):
            t, c = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    return {"clean_chars_per_s": round(n / min(wall["clean"])), "map_chars_per_s": round(n / min(wall["map"])),
            "clean_chars_per_cpu_s": round(n / min(cpu["clean"])), "map_chars_per_cpu_s": round(n / min(cpu["map"])),
            "map_with_edit_log_chars_per_s": round(n / min(wall["map_log"])),
            "map_with_edit_log_chars_per_cpu_s": round(n / min(cpu["map_log"])),
            "map_over_clean_process_time": round(min(cpu["clean"]) / min(cpu["map"]), 3),
            "map_batch_texts": pipeline.BATCH_TEXTS}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--archive-mb", default="10,50", help="sizes (MB) of the streamed memory test")
    ap.add_argument("--no-archive", action="store_true", help="seed pages only")
    args = ap.parse_args()
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("0*_*.txt"))
             if ".expected" not in p.name]
    page = "\n\n".join(seeds) + "\n\n"
    pipeline = textfix.Pipeline()
    comma = regex.compile(r"(?<=\p{Han}),")
    figures = {}
    for label, k in (("small", args.repeat), ("large", args.repeat * 4)):
        ocr = page * k
        t_base, _ = best_of(lambda: comma.sub("，", ocr))
        t_ocr, r = best_of(lambda: pipeline.clean(ocr))
        clean = r.text
        t_clean, r2 = best_of(lambda: pipeline.clean(clean))
        assert r.restore() == ocr and r2.edits == []
        figures[label] = {
            "chars": len(ocr),
            "ocr_chars_per_s": round(len(ocr) / t_ocr),
            "clean_chars_per_s": round(len(clean) / t_clean),
            "baseline_regex_pass_chars_per_s": round(len(ocr) / t_base),
            "ocr_time_vs_baseline": round(t_ocr / t_base, 1),
            "clean_time_vs_baseline": round(t_clean / t_base, 1),
            "edits_per_10k_chars": round(len(r.edits) / len(ocr) * 1e4, 1),
            "seconds_ocr": round(t_ocr, 3),
        }
    small, large = figures["small"], figures["large"]
    figures["linearity_time_per_char_large_over_small"] = round(
        (large["seconds_ocr"] / large["chars"]) / (small["seconds_ocr"] / small["chars"]), 2)
    tracemalloc.start()
    pipeline.clean(page * args.repeat)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    figures["peak_traced_mb_small"] = round(peak / 2**20, 1)
    figures["peak_bytes_per_input_char"] = round(peak / len(page * args.repeat), 1)
    if not args.no_archive:
        figures["archive"] = archive([int(x) for x in args.archive_mb.split(",")])
    out = ROOT / "benchmarks" / "results" / "pipeline.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
