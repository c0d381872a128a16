"""Stage ``garbled``: text that OCR garbled beyond repair.

Such spans are found, never changed: a span whose characters follow each other
far less often than in clean news text (character bigram statistics of the
People's Daily, ``textfix/data/char_bigrams.tsv``) and which a lexicon cannot
cover with words is flagged ``unreadable`` for a person to check against the scan.

This module also holds the two data loaders the ``stray``, ``repeat`` and
``garbled`` stages share: :func:`lexicon` and :func:`bigrams`, each loaded once
per process and kept in ``doc.resources``.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import regex

from ..edit import Flag, Safety
from ..rule import rule

DATA = Path(__file__).resolve().parent.parent / "data"
BIGRAMS_TSV = DATA / "char_bigrams.tsv"

_HAN = regex.compile(r"\p{Han}")


# -- data -----------------------------------------------------------------------------


def lexicon(doc=None):
    """The word list the garbled-text rules consult (``word in lex``, ``lex.get(word)``).

    The shared :class:`textfix.fuzzy.Lexicon`: jieba's dictionary, textfix's
    newspaper terms and the user dictionaries of ``config.dicts``.
    """
    key = tuple(doc.config.dicts) if doc is not None else ()
    if doc is not None:
        lex = doc.resources.get(("garbled.lexicon", key))
        if lex is None:
            lex = doc.resources[("garbled.lexicon", key)] = _load_lexicon(key)
        return lex
    return _load_lexicon(key)


@lru_cache(maxsize=4)
def _load_lexicon(dicts: tuple[str, ...]):
    from ..fuzzy import Lexicon

    return Lexicon.default(user_dicts=dicts)


class Bigrams:
    """Han character unigram and bigram counts with an interpolated bigram model."""

    def __init__(self, uni: dict[str, int], bi: dict[str, dict[str, int]], total: int):
        self.uni = uni
        self.bi = bi
        self.total = total
        self._log_total = math.log(total + len(uni))
        self.beta = 20.0  #: weight of the unigram prior in ``P(b | a)``

    def logp_uni(self, c: str) -> float:
        return math.log(self.uni.get(c, 0) + 0.5) - self._log_total

    def pmi(self, a: str, b: str) -> float:
        """``log P(b | a) / P(b)``: how much more often ``b`` follows ``a`` than chance."""
        pb = math.exp(self.logp_uni(b))
        ca = self.uni.get(a, 0)
        cab = self.bi.get(a, {}).get(b, 0)
        return math.log((cab + self.beta * pb) / (ca + self.beta)) - math.log(pb)

    @classmethod
    def load(cls, path: Path = BIGRAMS_TSV) -> "Bigrams":
        uni: dict[str, int] = {}
        bi: dict[str, dict[str, int]] = {}
        total = 0
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#total"):
                    total = int(line.split("\t")[1])
                    continue
                if line.startswith("#") or not line.strip():
                    continue
                a, n, items = line.rstrip("\n").split("\t")
                uni[a] = int(n)
                if items:
                    bi[a] = {it[0]: int(it[1:]) for it in items.split(" ")}
        return cls(uni, bi, total or sum(uni.values()))


@lru_cache(maxsize=1)
def _load_bigrams() -> Bigrams:
    return Bigrams.load()


def bigrams(doc=None) -> Bigrams:
    """The character bigram model, loaded once."""
    if doc is None:
        return _load_bigrams()
    b = doc.resources.get("garbled.bigrams")
    if b is None:
        b = doc.resources["garbled.bigrams"] = _load_bigrams()
    return b


@rule("garbled.unreadable", safety=Safety.SAFE)
def unreadable(doc):
    """Spans garbled beyond repair (flagged ``unreadable``, never changed).

    ## Why
    placeholder

    ## Example
        before: 给询下民指导
        after:  给询下民指导
    """
    return ()
