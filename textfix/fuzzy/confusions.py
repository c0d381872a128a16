"""Confusion sets: which character an OCR engine reads for which."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .lexicon import LexiconError

CONFUSIONS_TSV = Path(__file__).resolve().parent.parent / "data" / "confusions.tsv"


class Confusions:
    """Directed pairs ``observed -> intended`` with a similarity in [0, 1].

    ``by_observed[c]`` maps a character seen in OCR output to the characters
    it may stand for; ``by_intended[c]`` maps a true character to the
    misreadings it may turn into.
    """

    __slots__ = ("by_observed", "by_intended")

    def __init__(self, pairs: Iterable[tuple[str, str, float]] = ()):
        self.by_observed: dict[str, dict[str, float]] = {}
        self.by_intended: dict[str, dict[str, float]] = {}
        for obs, intended, sim in pairs:
            if len(obs) != 1 or len(intended) != 1 or obs == intended:
                raise ValueError(f"not a pair of two different characters: {obs!r}, {intended!r}")
            self.by_observed.setdefault(obs, {})[intended] = float(sim)
            self.by_intended.setdefault(intended, {})[obs] = float(sim)

    @classmethod
    def load(cls, path: str | os.PathLike = CONFUSIONS_TSV) -> "Confusions":
        path = Path(path)
        pairs = []
        with open(path, encoding="utf-8") as fh:
            for lineno, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.split("\t")
                if len(parts) < 3 or len(parts[0]) != 1 or len(parts[1]) != 1:
                    raise LexiconError(f"{path.name}, line {lineno}: expected 'observed<TAB>intended<TAB>similarity'")
                try:
                    sim = float(parts[2])
                except ValueError:
                    raise LexiconError(f"{path.name}, line {lineno}: similarity {parts[2]!r} is not a number") from None
                pairs.append((parts[0], parts[1], sim))
        return cls(pairs)

    def pairs(self) -> list[tuple[str, str, float]]:
        return [(o, i, s) for o, d in self.by_observed.items() for i, s in d.items()]

    def similarity(self, observed: str, intended: str) -> float:
        return self.by_observed.get(observed, {}).get(intended, 0.0)

    def chars(self) -> set[str]:
        return set(self.by_observed) | set(self.by_intended)

    def __len__(self) -> int:
        return sum(len(d) for d in self.by_observed.values())

    def __getstate__(self):
        return self.pairs()

    def __setstate__(self, state):
        self.__init__(state)
