"""Find spans of text that are one (or two) glyph confusions away from a
lexicon word.

The fast :class:`Matcher` precomputes every *confusion variant* of every
lexicon entry (the entry with one character replaced by a look-alike that OCR
produces for it), and scans text for all of them at once with one compiled
Aho-Corasick automaton (``ahocorasick-rs``).  Only the hits, which are rare,
are turned into :class:`Candidate` objects.  :func:`reference_find` computes
the same set by brute force and exists to check the fast one.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import pickle
from pathlib import Path
from typing import NamedTuple

import ahocorasick_rs

from .confusions import Confusions
from .lexicon import Lexicon

CACHE_VERSION = 1


class Candidate(NamedTuple):
    """A span of ``text`` that may be an OCR misreading of ``word``."""

    start: int  #: str offset of the span in the text
    end: int  #: str offset just past the span
    observed: str  #: ``text[start:end]``
    word: str  #: the lexicon entry it may stand for
    subs: tuple  #: ((offset within span, observed char, lexicon char), ...)
    word_freq: int  #: lexicon frequency of ``word``
    observed_freq: int  #: lexicon frequency of ``observed`` (0: not a word)
    similarity: float  #: product of the glyph similarities of the substitutions

    def positions(self) -> tuple[int, ...]:
        """Text offsets of the substituted characters."""
        return tuple(self.start + o for o, _, _ in self.subs)


def _eligible(word: str, min_len: int, max_len: int) -> bool:
    return min_len <= len(word) <= max_len


def _keep(lexicon_freq: dict, word: str, variant: str, prune_ratio: float) -> bool:
    """A variant is worth looking for only if the word it may stand for is
    more frequent than the variant is as a word of its own (a candidate that
    would replace a frequent word by a rarer one is never accepted)."""
    return lexicon_freq[word] > prune_ratio * lexicon_freq.get(variant, 0)


def build_variants(
    lexicon: Lexicon,
    confusions: Confusions,
    max_subs: int = 1,
    min_len: int = 2,
    max_len: int = 8,
    min_len_two_subs: int = 4,
    prune_ratio: float = 1.0,
) -> tuple[list[str], list[tuple]]:
    """All confusion variants of the lexicon: ``patterns[k]`` is a string to
    look for; ``targets[k]`` the tuple of ``(word, subs, word_freq,
    observed_freq, similarity)`` it may stand for."""
    freq = lexicon.freq
    by_int = confusions.by_intended
    index: dict[str, int] = {}
    patterns: list[str] = []
    targets: list[list] = []
    for word, wf in freq.items():
        n = len(word)
        if n < min_len or n > max_len:
            continue
        slots = [i for i, ch in enumerate(word) if ch in by_int]
        if not slots:
            continue
        ks = [1] if (max_subs < 2 or n < min_len_two_subs) else range(1, max_subs + 1)
        for k in ks:
            for pos in itertools.combinations(slots, k) if k > 1 else ((i,) for i in slots):
                options = [by_int[word[i]].items() for i in pos]
                for choice in itertools.product(*options) if k > 1 else ((o,) for o in options[0]):
                    chars = list(word)
                    sim = 1.0
                    subs = []
                    for i, (obs, s) in zip(pos, choice):
                        chars[i] = obs
                        sim *= s
                        subs.append((i, obs, word[i]))
                    variant = "".join(chars)
                    of = freq.get(variant, 0)
                    if not wf > prune_ratio * of:
                        continue
                    k_ = index.get(variant)
                    if k_ is None:
                        index[variant] = len(patterns)
                        patterns.append(variant)
                        targets.append([(word, tuple(subs), wf, of, sim)])
                    else:
                        targets[k_].append((word, tuple(subs), wf, of, sim))
    return patterns, [tuple(t) for t in targets]


def _cache_key(lexicon: Lexicon, confusions: Confusions, params: tuple) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"v{CACHE_VERSION}{params!r}".encode())
    h.update(lexicon.fingerprint().encode())
    for p in sorted(confusions.pairs()):
        h.update(repr(p).encode())
    return h.hexdigest()


def default_cache_dir() -> Path:
    base = os.environ.get("TEXTFIX_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "textfix"
    )
    return Path(base)


class Matcher:
    """Finds lexicon words misread by OCR as look-alike characters.

    >>> m = Matcher(Lexicon({"深入": 5000, "学习": 9000}), Confusions([("人", "入", 0.9)]))
    >>> [(c.start, c.observed, c.word) for c in m.find("要深人学习")]
    [(1, '深人', '深入')]

    ``cache_dir`` (``None``: no cache) stores the computed variants keyed by a
    hash of lexicon, confusions and parameters, so a second process starts
    faster.  A Matcher pickles as its variant table and rebuilds the
    automaton when unpickled.
    """

    def __init__(
        self,
        lexicon: Lexicon,
        confusions: Confusions,
        max_subs: int = 1,
        min_len: int = 2,
        max_len: int = 8,
        min_len_two_subs: int = 4,
        prune_ratio: float = 1.0,
        cache_dir: str | os.PathLike | None = None,
    ):
        if max_subs not in (1, 2):
            raise ValueError("max_subs must be 1 or 2")
        self.lexicon = lexicon
        self.confusions = confusions
        self.params = (max_subs, min_len, max_len, min_len_two_subs, prune_ratio)
        patterns = targets = None
        cache_file = None
        if cache_dir is not None:
            key = _cache_key(lexicon, confusions, self.params)
            cache_file = Path(cache_dir) / f"fuzzy-variants-{key}.pickle"
            try:
                with open(cache_file, "rb") as fh:
                    patterns, targets = pickle.load(fh)
            except (OSError, pickle.UnpicklingError, EOFError, ValueError):
                patterns = targets = None
        if patterns is None:
            patterns, targets = build_variants(lexicon, confusions, *self.params)
            if cache_file is not None:
                try:
                    cache_file.parent.mkdir(parents=True, exist_ok=True)
                    tmp = cache_file.with_suffix(f".tmp{os.getpid()}")
                    with open(tmp, "wb") as fh:
                        pickle.dump((patterns, targets), fh, protocol=pickle.HIGHEST_PROTOCOL)
                    os.replace(tmp, cache_file)
                except OSError:
                    pass
        self._setup(patterns, targets)

    def _setup(self, patterns: list[str], targets: list[tuple]) -> None:
        self.patterns = patterns
        self.targets = targets
        self._ac = (
            ahocorasick_rs.AhoCorasick(patterns, implementation=ahocorasick_rs.Implementation.ContiguousNFA)
            if patterns
            else None
        )
        # Candidate fields after (start, end), ready to be prefixed.
        self._tails = [tuple((p,) + t for t in ts) for p, ts in zip(patterns, targets)]

    def __len__(self) -> int:
        return len(self.patterns)

    def __getstate__(self):
        return {
            "lexicon": self.lexicon,
            "confusions": self.confusions,
            "params": self.params,
            "patterns": self.patterns,
            "targets": self.targets,
        }

    def __setstate__(self, st):
        self.lexicon = st["lexicon"]
        self.confusions = st["confusions"]
        self.params = st["params"]
        self._setup(st["patterns"], st["targets"])

    def find(self, text: str) -> list[Candidate]:
        """All candidates in ``text``, ordered by start (then end, word)."""
        if self._ac is None or not text:
            return []
        tails = self._tails
        new = tuple.__new__
        out = []
        append = out.append
        # The results hold no reference cycles; letting the cyclic collector
        # run while thousands of tuples are made here would make it walk the
        # whole variant table again and again.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for k, s, e in self._ac.find_matches_as_indexes(text, overlapping=True):
                for tail in tails[k]:
                    append(new(Candidate, (s, e) + tail))
        finally:
            if was_enabled:
                gc.enable()
        return out

    def count_hits(self, text: str) -> int:
        """Number of automaton hits (no Candidate objects made)."""
        if self._ac is None:
            return 0
        return len(self._ac.find_matches_as_indexes(text, overlapping=True))


def reference_find(
    text: str,
    lexicon: Lexicon,
    confusions: Confusions,
    max_subs: int = 1,
    min_len: int = 2,
    max_len: int = 8,
    min_len_two_subs: int = 4,
    prune_ratio: float = 1.0,
) -> list[Candidate]:
    """Brute force: for every span of every length, try every substitution of
    up to ``max_subs`` characters by what they may stand for and keep the
    results that are lexicon words.  Slow, obviously correct."""
    freq = lexicon.freq
    by_obs = confusions.by_observed
    out = []
    for start in range(len(text)):
        for n in range(min_len, max_len + 1):
            end = start + n
            if end > len(text):
                break
            span = text[start:end]
            kmax = max_subs if n >= min_len_two_subs else 1
            for k in range(1, kmax + 1):
                for pos in itertools.combinations(range(n), k):
                    opts = [list(by_obs.get(span[i], {}).items()) for i in pos]
                    for choice in itertools.product(*opts):
                        chars = list(span)
                        sim = 1.0
                        for i, (c, s) in zip(pos, choice):
                            chars[i] = c
                            sim *= s
                        word = "".join(chars)
                        if word in freq and freq[word] > prune_ratio * freq.get(span, 0):
                            subs = tuple((i, span[i], word[i]) for i in pos)
                            out.append(Candidate(start, end, span, word, subs, freq[word], freq.get(span, 0), sim))
    out.sort(key=lambda c: (c.start, c.end, c.word, c.subs))
    return out
