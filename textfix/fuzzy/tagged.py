"""What a segmented, part-of-speech-tagged corpus says about single characters.

Two statistics of the tagged text (``迈向/v 充满/v 希望/n 的/u``, the People's Daily
1998 format) help the glyph scorer read single characters:

* **how often a character stands alone** as a word of its own, out of all its
  occurrences (:func:`count_alone`).  A dictionary lists ``纳`` as a word, but in
  running text it is almost always part of one (纳入, 采纳, 纳税): in the learning half
  it occurs 201 times and never alone, while ``人`` stands alone 1,331 times out of
  6,168.  So ``纳人公务员`` read as 纳/人/公务员 is unlikely, and 纳入/公务员 wins;
* **which characters begin personal names** (:func:`count_surnames`): the corpus
  tags a name as a one-character surname followed by a given name (``冼/nr 鼎昌/nr``),
  so the surnames of a real newspaper, rare ones included, can be counted.

The shipped counts (``textfix/data/char_alone.tsv`` and ``surnames.tsv``) are built
from the learning half of the corpus by ``python -m textfix.data.build_tagged``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from ..chars import is_han

_DATA = Path(__file__).resolve().parent.parent / "data"
ALONE_TSV = _DATA / "char_alone.tsv"
SURNAMES_TSV = _DATA / "surnames.tsv"

#: A character counted as a surname at least this often is one.
SURNAME_MIN_COUNT = 3

_ID = re.compile(r"^\d{8}-\d{2}-\d{3}-\d{3}$")


def parse(line: str) -> list[tuple[str, str]]:
    """``[(word, tag)]`` of one tagged line; the line id (``19980101-01-001-001/m``)
    and the brackets of compound names (``[中国/ns 政府/n]nt``) are dropped."""
    out = []
    for tok in line.split():
        word, sep, tag = tok.rpartition("/")
        if not sep or not word:
            continue
        if _ID.match(word):
            continue
        word = word.lstrip("[")
        tag = tag.split("]")[0]
        if word:
            out.append((word, tag))
    return out


def count_alone(tagged: Iterable[list[tuple[str, str]]]) -> dict[str, tuple[int, int]]:
    """``{character: (times it is a word alone, times it occurs)}`` for the Han
    characters of ``tagged`` (lines of ``(word, tag)``)."""
    alone: Counter = Counter()
    total: Counter = Counter()
    for toks in tagged:
        for word, _tag in toks:
            total.update(ch for ch in word if is_han(ch))
            if len(word) == 1 and is_han(word):
                alone[word] += 1
    return {ch: (alone[ch], n) for ch, n in total.items()}


def count_surnames(tagged: Iterable[list[tuple[str, str]]]) -> Counter:
    """How often each Han character is tagged as a one-character surname: a
    one-character ``nr`` token followed by a one- or two-character ``nr`` token."""
    out: Counter = Counter()
    for toks in tagged:
        for (w, tag), (w2, tag2) in zip(toks, toks[1:]):
            if (len(w) == 1 and is_han(w) and tag.startswith("nr") and tag2.startswith("nr")
                    and 1 <= len(w2) <= 2):
                out[w] += 1
    return out


def _rows(path: Path) -> Iterable[list[str]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            yield line.rstrip("\n").split("\t")


def load_alone(path: str | Path | None = None) -> dict[str, tuple[int, int]]:
    """The counts of ``char_alone.tsv``: ``{character: (alone, occurrences)}``."""
    return {ch: (int(a), int(n)) for ch, a, n in _rows(Path(path or ALONE_TSV))}


def load_surnames(path: str | Path | None = None, min_count: int = SURNAME_MIN_COUNT) -> frozenset:
    """The characters ``surnames.tsv`` counts as surnames at least ``min_count`` times."""
    return frozenset(ch for ch, n in _rows(Path(path or SURNAMES_TSV)) if int(n) >= min_count)
