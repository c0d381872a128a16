"""Speed of the repeat scan and of garbled.unreadable on the seed pages.

    python benchmarks/garbled_speed.py        # writes benchmarks/results/garbled_speed.json

Text: the seed pages (``seeds/0*_*.txt``, not the expected outputs) cleaned by the
stages that run before ``repeat`` and ``garbled``, concatenated and replicated to about
185k characters.  Each function is timed alone on that text (best of 3 runs):
``repeat.doubles()`` (the scan both doubled-word and doubled-clause rules share), the
two rules themselves, ``garbled.unreadable``, and ``garbled.segment``: every Han run of
the text (spaces removed, at least ``MIN_RUN`` characters) segmented and its suspicious
joins counted, as the rule does for the runs that may be garbled.  Figures are characters
per second, with the compiled scans (``textfix.rules._scan``) and, in the same run, with
their pure-Python definitions (``TEXTFIX_PURE_PYTHON``); ``ratio`` is compiled over pure.
``segmenter``: the time to build the compiled segmenter and the pure definition's stems
for the shipped lexicon (best of 3), the segmenter's trie nodes and C memory, and the
growth of the resident set when each is built the first time.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textfix.pipeline import Pipeline  # noqa: E402
from textfix.rules import RULES  # noqa: E402
from textfix.rules.repeat import doubles  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "garbled_speed.json"
TARGET = 185_000


def seed_text() -> str:
    pages = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("0*_*.txt"))
             if ".expected" not in p.name]
    one = "\n\n".join(pages)
    return "\n\n".join([one] * max(1, round(TARGET / len(one))))


def best(f, runs: int = 3) -> float:
    t = []
    for _ in range(runs):
        a = time.perf_counter()
        f()
        t.append(time.perf_counter() - a)
    return min(t)


def run_rule(name: str, text: str) -> float:
    """Seconds the rule ``name`` takes on ``text`` (its proposals consumed, not applied)."""
    from textfix.rule import Doc

    pipe = Pipeline(select=[name])
    pipe.clean("预热")  # load the data
    r = RULES[name]

    def once():
        doc = _doc(pipe, text, Doc)
        for _ in r(doc):
            pass

    return best(once)


def _doc(pipe, text, Doc):
    from textfix.provenance import SourceMap

    return Doc(text, pipe.config, pipe.resources, SourceMap(text), [], {})


def segmenter_cost() -> dict:
    """Build time and size of the compiled segmenter and of the pure stems."""
    import math

    import psutil

    from textfix.rules import _scan, garbled

    lex = garbled.lexicon()
    garbled._SEGMENTER.clear()
    garbled._STEMS.clear()
    proc = psutil.Process()
    rss = proc.memory_info().rss
    seg = _scan.Segmenter(lex.freq, math.log(lex.total), garbled.MAX_WORD, garbled.SURNAMES)
    seg_rss = proc.memory_info().rss - rss
    rss = proc.memory_info().rss
    garbled._stems(lex)
    stems_rss = proc.memory_info().rss - rss

    def stems():
        garbled._STEMS.clear()
        garbled._stems(lex)

    return {
        "words": len(lex.freq),
        "compiled_build_s": round(best(lambda: _scan.Segmenter(lex.freq, math.log(lex.total), garbled.MAX_WORD,
                                                                garbled.SURNAMES)), 3),
        "compiled_nodes": seg.nodes,
        "compiled_memory_mib": round(seg.memory() / 2**20, 1),
        "compiled_rss_mib": round(seg_rss / 2**20, 1),
        "pure_stems_build_s": round(best(stems), 3),
        "pure_stems_rss_mib": round(stems_rss / 2**20, 1),
    }


def segment_all(text: str):
    """Every Han run of ``text`` segmented and scored, as a function to time."""
    from textfix.rules import garbled

    lex, bi = garbled.lexicon(), garbled.bigrams()
    runs = [r for m in garbled._RUN.finditer(text) for r in (garbled._SPACES.sub("", m.group()),)
            if len(r) >= garbled.MIN_RUN]
    garbled._load(lex, bi)
    return lambda: [garbled.suspicious_joins(r, lex, bi) for r in runs]


def main() -> int:
    cost = segmenter_cost()  # first: the resident set grows only by what it builds
    raw = seed_text()
    # the text these rules see: after the stages that run before them
    text = Pipeline(select=["unicode", "width", "layout", "stray"]).clean(raw).text
    n = len(text)
    res = {"chars": n}
    for mode in ("compiled", "pure_python"):
        if mode == "pure_python":
            os.environ["TEXTFIX_PURE_PYTHON"] = "1"
        r = res[mode] = {}
        doubles(text)
        r["repeat.doubles"] = round(n / best(lambda: doubles(text)))
        for name in ("repeat.doubled-word", "repeat.doubled-clause", "garbled.unreadable"):
            r[name] = round(n / run_rule(name, text))
        r["garbled.segment"] = round(n / best(segment_all(text)))
    os.environ.pop("TEXTFIX_PURE_PYTHON", None)
    res["ratio"] = {k: round(v / res["pure_python"][k], 2) for k, v in res["compiled"].items()}
    res["segmenter"] = cost
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
