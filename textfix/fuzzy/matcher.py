"""Find spans of text that are one (or two) glyph confusions away from a
lexicon word.

The fast :class:`Matcher` precomputes every *confusion variant* of every
lexicon entry (the entry with one character replaced by a look-alike that OCR
produces for it), and scans text for all of them at once.  Only the hits, which
are rare, are turned into :class:`Candidate` objects.

Two scans give the same hits in the same order (by the end of each hit, then the
longer first):

* the compiled :class:`textfix.fuzzy._index.VariantIndex`, used where it is built:
  the variants as a trie over code points, behind a bitmap of their first two and
  three characters that turns away most text positions before the trie is read
  (~70 MB, built in ~0.3 s; 2.2 times as fast as the automaton on the benchmark
  pages' blocks);
* the reference, one Aho-Corasick automaton (``ahocorasick-rs``) over the variants as
  UTF-16 (big-endian) code units, two bytes a character of the Basic Multilingual
  Plane (a hit at an odd byte offset straddles two characters and is dropped).  It
  is the scan of a pure-Python install (or ``TEXTFIX_PURE_PYTHON=1``).

:func:`reference_find` computes the same set by brute force and exists to check
the fast ones.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import pickle
import re
from array import array
from pathlib import Path
from typing import NamedTuple

import ahocorasick_rs

from .. import _compiled, _hugepages
from .confusions import Confusions
from .lexicon import Lexicon

try:
    from ._index import VariantIndex as _VariantIndex
except ImportError:  # not built (no C compiler): the automaton scans
    _VariantIndex = None

CACHE_VERSION = 2
_LINE = re.compile(r"[^\n]+")
#: The code units the automaton reads patterns and text in.
_UNITS = "utf-16-be"


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


class VariantTable(NamedTuple):
    """Every confusion variant of a lexicon, stored compactly.

    ``patterns`` holds the strings to look for, one per line; the ``k``-th is
    pattern ``k``.  Its targets (the lexicon words it
    may stand for) are entries ``first[k] <= j < first[k + 1]`` of the parallel
    arrays: ``words[word_id[j]]`` is the word, ``code[j]`` packs the substituted
    offsets (``(code & 15) - 1`` and ``(code >> 4) - 1``, -1 for none) and
    ``sim[j]`` is the product of the glyph similarities.  Frequencies are read
    from the lexicon when a target is hit.  A few flat arrays instead of a
    million small Python objects keep the table ~25 MB and quick to load.
    """

    patterns: str
    words: list
    first: array
    word_id: array
    code: array
    sim: array


class VariantParams(NamedTuple):
    """Which variants of the lexicon a matcher knows: the keyword arguments of
    :func:`build_variants`, :class:`Matcher` and :func:`reference_find`."""

    max_subs: int = 1  #: look-alike substitutions per variant (1 or 2)
    min_len: int = 2  #: shortest lexicon word with variants
    max_len: int = 8  #: longest (at most 15)
    min_len_two_subs: int = 4  #: shortest word with two-substitution variants
    #: a variant is kept only if its word is more frequent than the variant is
    #: as a word of its own, times this
    prune_ratio: float = 1.0


def build_variants(lexicon: Lexicon, confusions: Confusions, **params) -> VariantTable:
    """All confusion variants of the lexicon, as a :class:`VariantTable`
    (``params``: see :class:`VariantParams`).

    A variant is kept only if the word it may stand for is more frequent than
    the variant is as a word of its own (times ``prune_ratio``): a candidate
    that would replace a frequent word by a rarer one is never accepted."""
    max_subs, min_len, max_len, min_len_two_subs, prune_ratio = VariantParams(**params)
    if max_len > 15:
        raise ValueError("max_len must be at most 15")
    freq = lexicon.freq
    by_int = confusions.by_intended
    index: dict[str, int] = {}
    patterns: list[str] = []
    targets: list[list] = []
    words: list[str] = []
    for word, wf in freq.items():
        n = len(word)
        if n < min_len or n > max_len:
            continue
        slots = [i for i, ch in enumerate(word) if ch in by_int]
        if not slots:
            continue
        wid = -1
        ks = [1] if (max_subs < 2 or n < min_len_two_subs) else range(1, max_subs + 1)
        for k in ks:
            for pos in itertools.combinations(slots, k) if k > 1 else ((i,) for i in slots):
                options = [by_int[word[i]].items() for i in pos]
                for choice in itertools.product(*options) if k > 1 else ((o,) for o in options[0]):
                    chars = list(word)
                    sim = 1.0
                    for i, (obs, s) in zip(pos, choice):
                        chars[i] = obs
                        sim *= s
                    variant = "".join(chars)
                    if not wf > prune_ratio * freq.get(variant, 0):
                        continue
                    if wid < 0:
                        wid = len(words)
                        words.append(word)
                    code = (pos[0] + 1) | ((pos[1] + 1) << 4 if k > 1 else 0)
                    k_ = index.get(variant)
                    if k_ is None:
                        index[variant] = len(patterns)
                        patterns.append(variant)
                        targets.append([(wid, code, sim)])
                    else:
                        targets[k_].append((wid, code, sim))
    first = array("I", [0])
    word_id, codes, sims = array("I"), array("B"), array("d")
    for ts in targets:
        for wid, code, sim in ts:
            word_id.append(wid)
            codes.append(code)
            sims.append(sim)
        first.append(len(word_id))
    return VariantTable("\n".join(patterns), words, first, word_id, codes, sims)


def _dump_table(table: VariantTable, path: Path) -> None:
    """Write ``table`` atomically: two joined strings and four raw arrays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    state = _pack(table)
    with open(tmp, "wb") as fh:
        pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _pack(table: VariantTable) -> dict:
    return {
        "patterns": table.patterns,
        "words": "\n".join(table.words),
        **{name: getattr(table, name) for name in ("first", "word_id", "code", "sim")},
    }


def _unpack(state: dict) -> VariantTable:
    split = lambda s: s.split("\n") if s else []  # noqa: E731
    table = VariantTable(state["patterns"], split(state["words"]),
                         *(state[name] for name in ("first", "word_id", "code", "sim")))
    n = table.patterns.count("\n") + 1 if table.patterns else 0
    if len(table.first) != n + 1 or not (
            len(table.word_id) == len(table.code) == len(table.sim) == table.first[-1]):
        raise ValueError("inconsistent variant table")
    return table


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

    Keyword ``params`` choose the variants (:class:`VariantParams`).
    ``cache_dir`` (``None``: no cache) stores the computed variants keyed by a
    hash of lexicon, confusions and parameters, so a second process starts
    faster.  Only the scan's index (the compiled ``VariantIndex``, ~70 MB for the
    default lexicon, or the automaton, ~220 MB) and flat arrays stay in memory;
    it is built from the cached table when a Matcher is made or unpickled.
    Memory not touched after start-up (the index lives outside Python's heap)
    stays shared between worker processes forked from a parent that built it.

    ``compiled``: scan with the compiled index (True), the automaton (False), or
    the index where it is built unless ``TEXTFIX_PURE_PYTHON`` is set (None).
    Both find the same hits in the same order.
    """

    #: Candidate tuples kept for the most recently hit patterns (bounds memory
    #: on a whole archive while repeated hits cost one dict lookup).
    TAIL_CACHE = 50_000

    def __init__(
        self,
        lexicon: Lexicon,
        confusions: Confusions,
        cache_dir: str | os.PathLike | None = None,
        compiled: bool | None = None,
        **params,
    ):
        if compiled and _VariantIndex is None:
            raise RuntimeError("the compiled variant index (textfix.fuzzy._index) is not built; "
                               "reinstall textfix where a C compiler is available")
        self._compiled = compiled
        self.params = VariantParams(**params)
        if self.params.max_subs not in (1, 2):
            raise ValueError("max_subs must be 1 or 2")
        self.lexicon = lexicon
        self.confusions = confusions
        table = None
        cache_file = None
        if cache_dir is not None:
            key = _cache_key(lexicon, confusions, tuple(self.params))
            cache_file = Path(cache_dir) / f"fuzzy-variants-{key}.pickle"
            try:
                with open(cache_file, "rb") as fh:
                    table = _unpack(pickle.load(fh))
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, KeyError, TypeError):
                table = None
        if table is None:
            table = build_variants(lexicon, confusions, **self.params._asdict())
            if cache_file is not None:
                try:
                    _dump_table(table, cache_file)
                except OSError:
                    pass
        self._setup(table)

    def _setup(self, table: VariantTable) -> None:
        self._table = table  # also what a pickled Matcher carries
        before = _hugepages.anonymous_regions() if _hugepages.enabled() else None
        self._n = len(table.first) - 1
        compiled = self._compiled
        if compiled is None:
            compiled = _VariantIndex is not None and _compiled.enabled()
        self._index = _VariantIndex(table.patterns) if self._n and compiled else None
        # Patterns are fed one at a time from the joined string: no list of a
        # million strings is made (peak memory of a start-up 476 -> 326 MB).
        self._ac = (
            ahocorasick_rs.BytesAhoCorasick((m.group().encode(_UNITS) for m in _LINE.finditer(table.patterns)),
                                            implementation=ahocorasick_rs.Implementation.ContiguousNFA)
            if self._n and self._index is None
            else None
        )
        self._tails: dict[int, tuple] = {}
        # the index is what the scan reads at random: back it with 2 MB pages
        if before is not None:
            _hugepages.back_with_huge_pages(_hugepages.new_regions(before))

    def __len__(self) -> int:
        return self._n

    def with_scan(self, compiled: bool | None) -> "Matcher":
        """This matcher (the same lexicon, confusions and variants, nothing recomputed)
        scanning with the compiled index (True), the automaton (False) or the default
        (None): to compare the two scans."""
        other = Matcher.__new__(Matcher)
        other.lexicon, other.confusions, other.params = self.lexicon, self.confusions, self.params
        other._compiled = compiled
        other._setup(self._table)
        return other

    def __getstate__(self):
        return {
            "lexicon": self.lexicon,
            "confusions": self.confusions,
            "params": tuple(self.params),
            "compiled": self._compiled,
            "table": _pack(self._table),
        }

    def __setstate__(self, st):
        self.lexicon = st["lexicon"]
        self.confusions = st["confusions"]
        self.params = VariantParams(*st["params"])
        self._compiled = st.get("compiled")
        self._setup(_unpack(st["table"]))

    def _tail(self, k: int, observed: str) -> tuple:
        """Candidate fields after (start, end) for every target of pattern ``k``."""
        freq = self.lexicon.freq
        of = freq.get(observed, 0)
        t = self._table
        words, word_id, codes, sims = t.words, t.word_id, t.code, t.sim
        out = []
        for j in range(t.first[k], t.first[k + 1]):
            word = words[word_id[j]]
            code = codes[j]
            p = (code & 15) - 1
            q = (code >> 4) - 1
            subs = ((p, observed[p], word[p]),) if q < 0 else ((p, observed[p], word[p]), (q, observed[q], word[q]))
            out.append((observed, word, subs, freq[word], of, sims[j]))
        return tuple(out)

    def find(self, text: str) -> list[Candidate]:
        """All candidates in ``text``, ordered by start (then end, word)."""
        if not self._n or not text:
            return []
        tails = self._tails
        if len(tails) > self.TAIL_CACHE:
            tails.clear()
        make = self._tail
        new = tuple.__new__
        out = []
        append = out.append
        # The results hold no reference cycles; letting the cyclic collector
        # run while thousands of tuples are made here would make it walk the
        # caches again and again.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for k, s, e in self._scan(text):
                tail = tails.get(k)
                if tail is None:
                    tail = tails[k] = make(k, text[s:e])
                for t in tail:
                    append(new(Candidate, (s, e) + t))
        finally:
            if was_enabled:
                gc.enable()
        return out

    def hits(self, text: str) -> list[tuple[int, int, int]]:
        """The automaton's hits in ``text``: ``(pattern, start, end)``, in the order
        :meth:`find` makes its candidates of them (the targets of pattern ``k`` are
        entries ``first[k]`` to ``first[k + 1]`` of the variant table)."""
        if not self._n or not text:
            return []
        return self._scan(text)

    def hits_packed(self, text: str) -> bytes:
        """:meth:`hits` packed as native 64-bit integers, three a hit (``pattern, start,
        end``; ``array('q', ...).tobytes()``): what the compiled scorer reads, without a
        tuple per hit."""
        if not self._n or not text:
            return b""
        if self._index is not None:
            return self._index.hits_packed(text)
        return array("q", [x for hit in self._scan_automaton(text) for x in hit]).tobytes()

    def count_hits(self, text: str) -> int:
        """Number of automaton hits (no Candidate objects made)."""
        if not self._n or not text:
            return 0
        if self._index is not None:
            return self._index.count(text)
        return len(self._scan(text))

    def _scan(self, text: str) -> list[tuple[int, int, int]]:
        """The hits in ``text`` (not empty) as ``(pattern, start, end)`` in str offsets:
        the compiled index's, or :meth:`_scan_automaton`'s."""
        if self._index is not None:
            return self._index.hits(text)
        return self._scan_automaton(text)

    def _scan_automaton(self, text: str) -> list[tuple[int, int, int]]:
        """The automaton's overlapping hits in ``text`` (not empty): it reads UTF-16
        code units, so that byte offsets are halved, those of a hit across two
        characters (at an odd byte) dropped, and past a character outside the Basic
        Multilingual Plane (two code units) mapped back to the character."""
        data = text.encode(_UNITS)
        raw = self._ac.find_matches_as_indexes(data, overlapping=True)
        if len(data) == 2 * len(text):
            return [(k, s >> 1, e >> 1) for k, s, e in raw if not s & 1]
        at = []  # code unit -> str offset; -1: the second unit of a character
        for i, ch in enumerate(text):
            at.append(i)
            if ord(ch) > 0xFFFF:
                at.append(-1)
        at.append(len(text))
        return [(k, at[s >> 1], at[e >> 1]) for k, s, e in raw
                if not s & 1 and at[s >> 1] >= 0 and at[e >> 1] >= 0]


def reference_find(
    text: str,
    lexicon: Lexicon,
    confusions: Confusions,
    **params,
) -> list[Candidate]:
    """Brute force: for every span of every length, try every substitution of
    up to ``max_subs`` characters by what they may stand for and keep the
    results that are lexicon words (``params``: see :class:`VariantParams`).
    Slow, obviously correct."""
    max_subs, min_len, max_len, min_len_two_subs, prune_ratio = VariantParams(**params)
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
