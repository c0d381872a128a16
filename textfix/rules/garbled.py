"""Stage ``garbled``: text that OCR garbled beyond repair.

Such spans are found, never changed: a span whose characters follow each other
far less often than in clean news text (character bigram statistics of the
People's Daily, ``textfix/data/char_bigrams.tsv``) and which a lexicon cannot
cover with words is flagged ``unreadable`` for a person to check against the scan.

Segmenting (:func:`segment`, :func:`suspicious_joins`), the running join counts
(:func:`_bounds`) and the whole scan of a block (:func:`unreadable_spans`: its runs,
bounds and windows) have compiled twins in ``textfix.rules._scan``, used where the
extension is built unless ``TEXTFIX_PURE_PYTHON`` is set.  The pure-Python definitions
(``_segment_py``, ``_suspicious_joins_py``, ``_bounds_py``, ``_unreadable_spans_py``) are
the reference: the twins give the same cuts, counts and spans (``tests/test_garbled.py``,
``tests/test_core.py``).

This module also holds the two data loaders the ``stray``, ``repeat`` and
``garbled`` stages share: :func:`lexicon` and :func:`bigrams`, each loaded once
per process and kept in ``doc.resources``.
"""

from __future__ import annotations

import math
import operator
from itertools import accumulate
from functools import lru_cache
from pathlib import Path

import regex

from .. import _compiled
from ..chars import SURNAMES
from ..edit import Flag, Safety
from ._data import lexicon as _shared_lexicon
from ..rule import rule

DATA = Path(__file__).resolve().parent.parent / "data"
BIGRAMS_TSV = DATA / "char_bigrams.tsv"



# -- data -----------------------------------------------------------------------------


def lexicon(doc=None):
    """The word list the garbled-text rules consult (``word in lex``, ``lex.get(word)``).

    The shared :class:`textfix.fuzzy.Lexicon` (loaded once per process): jieba's
    dictionary, textfix's newspaper terms and the user dictionaries of ``config.dicts``.
    """
    return _shared_lexicon(tuple(doc.config.dicts) if doc is not None else ())


def words(doc=None):
    """What ``word in lexicon(doc)`` asks, for the rules that ask it a few thousand
    times a page: the compiled :class:`~textfix.rules._scan.WordSet` of the lexicon's
    words (built once, for the last lexicon), which answers most of the questions, the
    words it does not hold, without a look-up in the lexicon's large dict; where the
    extension is not built or is switched off, that dict itself.  The answers are the
    same."""
    lex = lexicon(doc)
    if _scan is None or not _compiled.enabled():
        return lex.freq
    return _made_for(_WORDSETS, lex, lambda: _scan.WordSet(lex.freq))


_WORDSETS: dict[int, tuple] = {}


def _made_for(cache: dict, lex, make):
    """``make()`` for the lexicon ``lex``, kept in ``cache`` for the last lexicon asked
    about (with the lexicon itself, so that an id reused after it went matches none)."""
    hit = cache.get(id(lex))
    if hit is None or hit[0] is not lex:
        cache.clear()
        hit = cache[id(lex)] = (lex, make())
    return hit[1]


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


# -- scoring --------------------------------------------------------------------------

try:
    from . import _scan
except ImportError:  # not built: the pure-Python definitions do the work
    _scan = None

MAX_WORD = 8  #: longest lexicon word tried by the segmenter
RARE_ALONE = 3000  #: a character the lexicon counts fewer times than this as a word is rarely used alone
COMMON = 10  #: a rare one-character word counts only if the character is this common in news text
EXPECTED = 0.05  #: an unseen bigram counts only if chance alone would give it this many times
MIN_HAN = 20  #: a flagged region spans at least this many Han characters
#: a run (clause) of fewer Han characters is not scored (it still counts towards
#: MIN_HAN): between marks, two to four characters are mostly names, list items and
#: abbreviations (``章福村``, ``合水村``), which no lexicon covers and no corpus shows
MIN_RUN = 5
THRESHOLD = 0.5  #: suspicious joins per Han character from which a window is unreadable
_RUN = regex.compile(r"\p{Han}+(?:[ \t\u3000]+\p{Han}+)*")  # wrap spaces do not cut a run
_SPACES = regex.compile(r"[ \t\u3000]+")


def _stems(lex) -> frozenset[str]:
    """The strings of two or more characters that a longer lexicon word (of at most
    :data:`MAX_WORD` characters) starts with: where the segmenter's look-up of longer
    words can stop.  Built once per lexicon."""
    return _made_for(_STEMS, lex, lambda: frozenset(
        w[:k] for w in lex.freq for k in range(2, min(len(w), MAX_WORD + 1))))


_STEMS: dict[int, tuple] = {}


def _segmenter(lex):
    """The compiled :class:`~textfix.rules._scan.Segmenter` of ``lex`` (built once, for
    the last lexicon), or None where the pure-Python definitions compute: the extension
    not built, ``TEXTFIX_PURE_PYTHON`` set, or a frequency ``math.log`` refuses (the
    pure definition raises when it meets that word, as before)."""
    if _scan is None or not _compiled.enabled():
        return None

    def make():
        try:
            return _scan.Segmenter(lex.freq, math.log(lex.total), MAX_WORD, SURNAMES)
        except (ValueError, TypeError, OverflowError):
            return None

    return _made_for(_SEGMENTER, lex, make)


_SEGMENTER: dict[int, tuple] = {}


def segment(run: str, lex) -> list[str]:
    """The most probable cut of a Han run into lexicon words (unknown characters alone):
    :func:`_segment_py`, by its compiled twin where it is built."""
    seg = _segmenter(lex)
    return _segment_py(run, lex) if seg is None else seg.segment(run)


def _segment_py(run: str, lex) -> list[str]:
    """The most probable cut of a Han run into lexicon words (unknown characters alone).

    Words are looked up from each position onwards only while the characters read so
    far start a lexicon word (:func:`_stems`); on a tie the shorter last word wins."""
    freq = lex.freq
    stems = _stems(lex)
    log = math.log
    log_total = math.log(lex.total)
    n = len(run)
    best = [0.0] + [-1e18] * n
    back = [1] * (n + 1)
    for s in range(n):
        b = best[s]
        # a later start wins a tie (>=): on a tie the shorter last word wins
        v = b + log(freq.get(run[s]) or 0.5) - log_total
        if v >= best[s + 1]:
            best[s + 1] = v
            back[s + 1] = 1
        e = s + 2
        last = min(n, s + MAX_WORD)
        while e <= last:
            w = run[s:e]
            f = freq.get(w)
            if f is not None:
                v = b + log(f or 0.5) - log_total
                if v >= best[e]:
                    best[e] = v
                    back[e] = e - s
            if w not in stems:
                break
            e += 1
    words = []
    i = n
    while i > 0:
        words.append(run[i - back[i] : i])
        i -= back[i]
    return words[::-1]


def suspicious_joins(run: str, lex, bi: Bigrams) -> int:
    """:func:`_suspicious_joins_py`, by its compiled twin where it is built."""
    seg = _segmenter(lex)
    if seg is None:
        return _suspicious_joins_py(run, lex, bi)
    return seg.joins(run, _join_counts(lex, bi))


def _suspicious_joins_py(run: str, lex, bi: Bigrams) -> int:
    """How many places in a Han run look garbled: characters the lexicon can only take
    as rare one-character words (names excepted), and joins between words that clean
    news text never shows (an unseen character bigram)."""
    words = _segment_py(run, lex)
    rare = _rare_alone(lex, bi)
    n = 0
    pos = 0
    skip = 0
    last = len(words) - 1
    for k, w in enumerate(words):
        if skip:
            skip -= 1
        elif len(w) == 1 and w in SURNAMES and k < last and len(words[k + 1]) == 1:
            skip = 2 if k + 1 < last and len(words[k + 2]) == 1 else 1
        else:
            if len(w) == 1 and w in rare:
                n += 1
            if pos > 0 and _unseen(run[pos - 1 : pos + 1], bi):
                n += 1
        pos += len(w)
    return n


def _unseen(pair: str, bi: Bigrams) -> bool:
    """Is ``pair`` a join that clean news text never shows, though chance alone would
    give it :data:`EXPECTED` times?  (Remembered for the process.)"""
    hit = _UNSEEN.get(pair) if _UNSEEN_OF[0] is bi else None
    if hit is None:
        a, b = pair
        hit = (bi.bi.get(a, {}).get(b, 0) == 0
               and bi.uni.get(a, 0) * bi.uni.get(b, 0) >= EXPECTED * bi.total)
        if _UNSEEN_OF[0] is bi:
            _UNSEEN[pair] = hit
    return hit


def _rare_alone(lex, bi: Bigrams) -> frozenset[str]:
    """The characters :func:`suspicious_joins` counts when they stand alone."""
    return _rare_entry(lex, bi)[2]


def _rare_entry(lex, bi: Bigrams) -> list:
    """``[lex, bi, rare characters, their compiled JoinCounts or None]``, kept for the
    last lexicon and bigram model."""
    key = (id(lex), id(bi))
    hit = _RARE.get(key)
    if hit is None or hit[0] is not lex or hit[1] is not bi:
        rare = frozenset(c for c, n in bi.uni.items() if n >= COMMON and lex.get(c) < RARE_ALONE)
        _RARE.clear()
        hit = _RARE[key] = [lex, bi, rare, None, None]
    return hit


_RARE: dict[tuple[int, int], list] = {}
#: character pair -> is it a join nobody writes (:func:`_unseen`); at most 200k kept (~20 MB)
_UNSEEN: dict[str, bool] = {}
_UNSEEN_OF: list = [None]  #: the Bigrams that _UNSEEN was computed from


def _bounds(packed: str, lex, bi: Bigrams) -> tuple[list[int], list[int]]:
    """:func:`_bounds_py` with the rare characters of ``lex`` and ``bi``, by its
    compiled twin where it is built."""
    if _scan is None or not _compiled.enabled():
        return _bounds_py(packed, _rare_alone(lex, bi), bi)
    return _join_counts(lex, bi).bounds(packed)


def _join_counts(lex, bi: Bigrams):
    """The compiled JoinCounts of ``lex`` and ``bi`` (built once, kept in their
    :func:`_rare_entry`)."""
    entry = _rare_entry(lex, bi)
    if entry[3] is None:
        entry[3] = _scan.JoinCounts(entry[2], bi.bi, bi.uni, bi.total, EXPECTED)
    return entry[3]


def _unreadable(lex, bi: Bigrams):
    """The compiled :class:`~textfix.rules._scan.Unreadable` of ``lex`` and ``bi`` (built
    once, kept in their :func:`_rare_entry`), or None where the pure-Python definition
    computes (as for :func:`_segmenter`)."""
    seg = _segmenter(lex)
    if seg is None:
        return None
    entry = _rare_entry(lex, bi)
    if entry[4] is None or entry[4][0] is not seg:
        entry[4] = (seg, _scan.Unreadable(_join_counts(lex, bi), seg, _han_bits(), MIN_RUN, MIN_HAN, THRESHOLD))
    return entry[4][1]


@lru_cache(maxsize=1)
def _han_bits() -> bytes:
    """Bit ``c & 7`` of byte ``c >> 3`` set where ``regex`` takes code point ``c`` as
    ``\\p{Han}`` (what :data:`_RUN` matches), for the compiled twin."""
    bits = bytearray(0x110000 // 8)
    for m in _HAN_RUN.finditer("".join(map(chr, range(0x110000)))):
        for c in range(m.start(), m.end()):
            bits[c >> 3] |= 1 << (c & 7)
    return bytes(bits)


def _load(lex, bi: Bigrams) -> None:
    """Build now what scoring with ``lex`` and ``bi`` needs, rather than on the first run
    long and garbled enough to be segmented (so that :meth:`Pipeline.warm` builds it
    and workers forked after it share it): the compiled segmenter and join counts
    (about 0.1 s), or the pure definitions' stems (0.2–0.4 s) and rare characters."""
    _rare_entry(lex, bi)
    if _segmenter(lex) is None:
        _stems(lex)
    else:
        _unreadable(lex, bi)


def _bounds_py(packed: str, rare: frozenset[str], bi: Bigrams) -> tuple[list[int], list[int]]:
    """Running counts over ``packed`` (Han runs without their spaces) of what
    :func:`suspicious_joins` can count without segmenting: ``chars[i]``, the characters
    before ``i`` that count when alone, and ``pairs[i]``, the pairs starting before
    ``i`` that count when two words meet there.  A run ``packed[s:e]`` scores at most
    ``chars[e] - chars[s] + pairs[e - 1] - pairs[s]``."""
    if _UNSEEN_OF[0] is not bi or len(_UNSEEN) > 200_000:
        _UNSEEN.clear()
        _UNSEEN_OF[0] = bi
    unseen = _UNSEEN
    pairs = list(map(operator.add, packed, packed[1:]))
    for p in set(pairs).difference(unseen) if None in map(unseen.get, pairs) else ():
        _unseen(p, bi)
    return ([0, *accumulate(map(rare.__contains__, packed))],
            [0, *accumulate(map(unseen.__getitem__, pairs))])


_HAN_RUN = regex.compile(r"\p{Han}+")


def _windows(runs):
    """``(i, k, han, bad)`` for the shortest window ``runs[i:k]`` from each ``i`` with at
    least :data:`MIN_HAN` Han characters (runs are ``(…, bad, han)``)."""
    k = 0
    han = bad = 0
    for i in range(len(runs)):
        # two pointers: window runs[i..k) is the shortest from i with >= MIN_HAN Han
        while k < len(runs) and han < MIN_HAN:
            han += runs[k][-1]
            bad += runs[k][-2]
            k += 1
        if han >= MIN_HAN:
            yield i, k, han, bad
        han -= runs[i][-1]
        bad -= runs[i][-2]


def unreadable_spans(text: str, lex, bi: Bigrams, start: int = 0, end: int | None = None):
    """``(start, end, score)`` of the unreadable regions of ``text[start:end]``:
    :func:`_unreadable_spans_py`, by its compiled twin where it is built."""
    twin = _unreadable(lex, bi)
    if twin is None:
        return _unreadable_spans_py(text, lex, bi, start, end)
    return twin.spans(text, start, end)


def _unreadable_spans_py(text: str, lex, bi: Bigrams, start: int = 0, end: int | None = None):
    """``(start, end, score)`` of the unreadable regions of ``text[start:end]``.

    Han runs (clauses) of at least :data:`MIN_RUN` characters are scored by
    :func:`suspicious_joins` (shorter ones score 0); every shortest window
    of consecutive runs with at least :data:`MIN_HAN` Han characters whose density of
    suspicious joins reaches :data:`THRESHOLD` is unreadable, and overlapping
    windows merge.  Linear in the length of the text (each window grows from its
    first run until it is long enough).  Runs are first scored by a bound that needs
    no segmenting (:func:`_bounds`); a run is segmented only while a window
    that holds it could still reach the threshold.
    """
    end = len(text) if end is None else end
    found = list(_RUN.finditer(text, start, end))
    if not found:
        return []
    # the runs without their spaces, one per line: the line breaks count for nothing
    packed = _SPACES.sub("", "\n".join([m.group() for m in found]))
    chars, pairs = _bounds(packed, lex, bi)
    runs = []
    s = 0
    for n in map(len, packed.split("\n")):
        e = s + n
        runs.append([s, chars[e] - chars[s] + pairs[e - 1] - pairs[s] if n >= MIN_RUN else 0, n])
        s = e + 1
    # only a window whose bound reaches the threshold can be unreadable; it is decided
    # once its score, with the bound for the runs not yet segmented, falls below the
    # threshold or all its runs are segmented (the run with the highest bound first)
    exact = [r[2] < MIN_RUN for r in runs]
    regions: list[list] = []
    for i, k, han, bad in list(_windows(runs)):
        if bad / han < THRESHOLD:
            continue
        while True:
            score = sum(r[1] for r in runs[i:k]) / han
            rest = [j for j in range(i, k) if not exact[j]]
            if not rest or score < THRESHOLD:
                break
            j = max(rest, key=lambda j: runs[j][1])
            s = runs[j][0]
            runs[j][1] = suspicious_joins(packed[s : s + runs[j][2]], lex, bi)
            exact[j] = True
        if score >= THRESHOLD:
            a, b = found[i].start(), found[k - 1].end()
            if regions and a <= regions[-1][1]:
                regions[-1][1] = max(regions[-1][1], b)
                regions[-1][2] = max(regions[-1][2], score)
            else:
                regions.append([a, b, score])
    return [tuple(r) for r in regions]


@rule("garbled.unreadable", safety=Safety.SAFE)
def unreadable(doc):
    """Spans garbled beyond repair, flagged ``unreadable`` and never changed.

    ## Why
    Sometimes OCR keeps real characters in a nonsense order (``给询下民指导，确保市民
    能准确掌握基也询定``): no rule can repair that, but a reader must be told.  Within
    each paragraph, a stretch of at least twenty Han characters where characters
    can only stand as rare one-character words and words meet in character pairs
    that clean news text never shows (bigrams of the People's Daily, Jan 1998) is
    flagged for review against the scan, with its score (suspicious joins per
    character).  Clauses of two to four characters (names and list items like
    ``章福村``) are not scored.  The text is not changed.

    ## Example
        before: 用清晰易懂的表述给询下民指导,确保市民能准确掌握基也询定。
        after:  用清晰易懂的表述给询下民指导,确保市民能准确掌握基也询定。
    """
    text = doc.text
    lex = lexicon(doc)
    bi = bigrams(doc)
    _load(lex, bi)  # on the first document (Pipeline.warm), not the first garbled run
    twin = _unreadable(lex, bi)
    spans = twin.spans if twin is not None else (
        lambda text, start, end: _unreadable_spans_py(text, lex, bi, start, end))
    for blk in doc.blocks():
        for a, b, score in spans(text, blk.start, blk.end):
            yield Flag(a, b, "unreadable", score=score,
                       note=f"可疑连接 {score:.2f}/字：{text[a:b][:12]}…")
