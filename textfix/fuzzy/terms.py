"""Learn an archive's own terms (names, places, recurring phrases).

A name like 廖述毅 or a place like 茂南区 recurs across an archive but is in
no general lexicon.  :func:`learn_terms` finds such terms as frequent Han
n-grams (2-4 characters) that hold together (high pointwise mutual
information between their parts) and stand free of their neighbours (high
left and right boundary entropy), and that the lexicon does not already
have nor splits into two known words of two or more characters.  Passing the result as a user dictionary lets the matcher correct a
rare OCR variant of a frequent archive term, and keeps the scorer from
"correcting" the term itself.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _entropy(counter: Counter) -> float:
    n = sum(counter.values())
    if not n:
        return 0.0
    return -sum(c / n * math.log(c / n) for c in counter.values())


def count_ngrams(texts: Iterable[str], max_len: int = 4) -> Counter:
    """The counts :func:`select_terms` needs, for ``texts``: every n-gram of 1 to
    ``max_len + 1`` characters inside a run of Han characters, and, keyed ``^g`` and
    ``g$``, how often an n-gram ``g`` of 2 to ``max_len`` characters starts or ends a
    run.  Counts of parts of an archive add up (``Counter.update``) to the counts of
    the whole, which is what lets :mod:`textfix.dask` learn with a map-reduce."""
    counts: Counter = Counter()
    for t in texts:
        for m in HAN_RUN.finditer(t):
            r = m.group()
            n = len(r)
            for L in range(1, max_len + 2):
                for i in range(n - L + 1):
                    counts[r[i:i + L]] += 1
            for L in range(2, min(max_len, n) + 1):
                counts["^" + r[:L]] += 1
                counts[r[n - L:] + "$"] += 1
    return counts


def learn_terms(texts: Iterable[str], known: "set[str] | dict | None" = None, **criteria) -> list[tuple[str, int]]:
    """Frequent cohesive n-grams of ``texts`` not in ``known``, most frequent
    first, as ``[(term, count), ...]``: :func:`select_terms` (which takes the
    ``criteria``) of :func:`count_ngrams`."""
    return select_terms(count_ngrams(texts, criteria.get("max_len", 4)), known, **criteria)


def select_terms(
    counts: Counter,
    known: "set[str] | dict | None" = None,
    min_count: int = 5,
    min_len: int = 2,
    max_len: int = 4,
    min_pmi: float = 3.0,
    min_entropy: float = 1.0,
) -> list[tuple[str, int]]:
    """The terms among ``counts`` (made by :func:`count_ngrams` with the same
    ``max_len``): seen ``min_count`` times, not in ``known``, cohesive (the weakest
    split has PMI >= ``min_pmi``), free (left and right neighbour entropy >=
    ``min_entropy``), not a phrase of two known words, and not only ever part of a
    longer term."""
    known = known or {}
    total = sum(c for g, c in counts.items() if len(g) == 1) or 1

    def pmi(g: str) -> float:
        cg = counts[g]
        best = math.inf
        for k in range(1, len(g)):
            a, b = g[:k], g[k:]
            best = min(best, math.log(cg * total / (counts[a] * counts[b])))
        return best

    def compositional(g: str) -> bool:
        # 经济发展 = 经济 + 发展: a phrase of known words, not a new term.
        return any(g[:k] in known and g[k:] in known for k in range(2, len(g) - 1))

    cands = [g for g, c in counts.items()
             if min_len <= len(g) <= max_len and c >= min_count and g[0] != "^" and g[-1] != "$"
             and g not in known]
    cands = [g for g in cands if pmi(g) >= min_pmi and not compositional(g)]
    cset = set(cands)
    left: dict[str, Counter] = defaultdict(Counter)
    right: dict[str, Counter] = defaultdict(Counter)
    for k, c in counts.items():
        if k[0] == "^":
            if k[1:] in cset:
                left[k[1:]]["^"] += c
        elif k[-1] == "$":
            if k[:-1] in cset:
                right[k[:-1]]["$"] += c
        elif len(k) > min_len:
            if k[1:] in cset:
                left[k[1:]][k[0]] += c
            if k[:-1] in cset:
                right[k[:-1]][k[-1]] += c

    def free(g: str) -> bool:
        # A run boundary counts as many different neighbours, not as one.
        lc, rc = left[g], right[g]
        for c in (lc, rc):
            edge = c.pop("^", 0) + c.pop("$", 0)
            for k in range(edge):
                c[f"\0{k}"] = 1
        return _entropy(lc) >= min_entropy and _entropy(rc) >= min_entropy

    kept = [g for g in cands if free(g)]
    # Drop a term that is only ever part of a longer kept term.
    kept_set = set(kept)
    out = []
    for g in kept:
        c = counts[g]
        covered = any(
            sup in kept_set and counts[sup] >= 0.9 * c
            for sup in (g + ch for ch in right[g] if len(ch) == 1)
        ) or any(sup in kept_set and counts[sup] >= 0.9 * c for sup in (ch + g for ch in left[g] if len(ch) == 1))
        if not covered:
            out.append((g, c))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out


def write_terms(terms: Iterable[tuple[str, int]], path: str | os.PathLike, source: str = "") -> None:
    """Write terms as a textfix user dictionary (``word<TAB>count``)."""
    terms = list(terms)
    with open(Path(path), "w", encoding="utf-8", newline="\n") as f:
        f.write("# textfix user dictionary: terms learned from an archive by textfix.fuzzy.learn_terms\n")
        f.write("# Format: word<TAB>count (occurrences in the archive); '#' starts a comment.\n")
        if source:
            f.write(f"# Source: {source}\n")
        f.write(f"# {len(terms)} terms.\n")
        for t, c in terms:
            f.write(f"{t}\t{c}\n")
