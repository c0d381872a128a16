"""Decide which matcher candidates are real OCR misreadings.

A candidate is accepted only on strong evidence:

* segmentation: the best segmentation of a window of text around the span
  under the lexicon's unigram word model (as jieba segments) must become much
  more probable with the substitution than without it.  This is what tells
  深人学习 (深/人/学习 -> 深入/学习) from 已经 (nothing better to become) and
  what lets the neighbouring words vote: 出入口 stays because 出入/口 is
  already a good reading;
* character bigrams learned from clean text (optional) must not object:
  their log-likelihood change is added with weight ``bigram_weight``;
* character trigrams seen in clean text (optional, ``trigrams``): each
  trigram around the change that becomes a seen one adds
  ``trigram_weight``, each seen one that is lost takes it away
  (会见美国 is seen, 合见美国 is not; 采油三厂 stays because 油三厂 is seen);
* a one-character word counts only as often as running text uses that
  character alone (``alone``, counted from a tagged corpus): 纳 is in the
  dictionary but never stands alone in the news, so 纳/人/公务员 reads badly
  and 纳入/公务员 wins;
* a personal name is a reading too (``name_logp``): a surname (``surnames``)
  and one or two Han characters may form one token, so a rare character in a
  name (李宙泫) is not "corrected" into a word it happens to be close to; a
  list item or bracketed credit of two or three characters that starts with
  a surname (``、冼鼎昌、``, ``（白宇）``) is never changed;
* nothing protected is touched (protected words of the lexicon, and any
  word passed as ``protect``), only Han characters ever change, and numbers
  never do (no numeral becomes another, and next to a digit or numeral no
  character becomes or stops being a numeral; a unit like 日 in 12日 may be
  mended); nor does a character next to a Latin letter (the ``个`` of ``n个``).

Besides the matcher's candidates (spans one look-alike away from a lexicon
word of two or more characters), with ``confusions`` and a bigram model the
scorer proposes single characters itself: a character that stands next to a
character bigram unseen in clean text and whose look-alike mends it (左 for
在 in 期间左城区) is tried like any other candidate.

:meth:`Scorer.judge` returns :class:`Decision` objects with a confidence in
[0, 1] and a note like ``人→入 (深入)``.

The arithmetic (segmentation gain and bound, bigram and trigram changes, the
single-character proposals) has two implementations that give the same numbers
to the last bit: the pure-Python methods of :class:`Scorer` and a compiled twin,
:class:`textfix.fuzzy._core.Core`, built with the package where a C compiler is
available and used by default (``Scorer(compiled=False)`` or the environment
variable ``TEXTFIX_PURE_PYTHON=1`` selects the pure-Python one).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from functools import partial
from itertools import compress
from operator import not_
from collections import Counter
from typing import TYPE_CHECKING, Iterable, Mapping, NamedTuple

import regex

from .. import _compiled, _hugepages
from ..chars import SURNAMES
from .lexicon import Lexicon
from .matcher import Candidate

if TYPE_CHECKING:
    from .confusions import Confusions

try:
    from ._core import Core as _Core
except ImportError:  # not built (no C compiler): the pure-Python twin does the work
    _Core = None


def compiled_available() -> bool:
    """Whether the compiled scorer core (:mod:`textfix.fuzzy._core`) was built."""
    return _Core is not None


def _use_compiled(requested: bool | None) -> bool:
    if requested is None:
        return _Core is not None and _compiled.enabled()
    if requested and _Core is None:
        raise RuntimeError("the compiled scorer core (textfix.fuzzy._core) is not built; "
                           "reinstall textfix where a C compiler is available")
    return requested


NUMERALS = frozenset("〇零一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟")


def is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FFFF or 0xF900 <= o <= 0xFAFF


class BigramModel:
    """Character bigram model with interpolated (Witten-Bell-like) smoothing."""

    __slots__ = ("uni", "bi", "n", "v", "_cont", "_inv", "_w")

    def __init__(self, uni: dict, bi: dict):
        self.uni = uni
        self.bi = bi
        self.n = sum(uni.values()) or 1
        self.v = len(uni) + 1
        cont: Counter = Counter()
        for a, _b in bi:
            cont[a] += 1  # number of distinct followers of a
        self._cont = dict(cont)
        self._inv = 1.0 / (self.n + 0.5 * self.v)
        # per first character: (lambda / count, 1 - lambda), so logp is one
        # lookup, one multiply-add and a log
        w = {}
        for a, ca in uni.items():
            if ca:
                t = self._cont.get(a, 0) or 1  # a seen only at line ends still backs off
                lam = ca / (ca + t)
                w[a] = (lam / ca, 1 - lam)
        self._w = w

    @classmethod
    def train(cls, texts: Iterable[str]) -> "BigramModel":
        uni: Counter = Counter()
        bi: Counter = Counter()
        for t in texts:
            uni.update(t)
            bi.update(zip(t, t[1:]))
        return cls(dict(uni), dict(bi))

    def logp(self, a: str, b: str) -> float:
        """log P(b | a)."""
        pb = (self.uni.get(b, 0) + 0.5) * self._inv
        w = self._w.get(a)
        if w is None:
            return math.log(pb)
        return math.log(w[0] * self.bi.get((a, b), 0) + w[1] * pb)


def count_trigrams(texts: Iterable[str]) -> Counter:
    """Counts of the trigrams of Han characters adjacent in ``texts``."""
    tri: Counter = Counter()
    for t in texts:
        start = -1
        for i, ch in enumerate(t + "\n"):
            if is_han(ch):
                if start < 0:
                    start = i
            elif start >= 0:
                if i - start >= 3:
                    tri.update(t[k:k + 3] for k in range(start, i - 2))
                start = -1
    return tri


def train_trigrams(texts: Iterable[str], min_count: int = 2) -> frozenset:
    """The set of Han trigrams seen at least ``min_count`` times in ``texts``
    (as in the shipped ``char_trigrams.tsv``)."""
    return frozenset(k for k, v in count_trigrams(texts).items() if v >= min_count)


def load_trigrams(path=None) -> frozenset:
    """The trigram set of ``char_trigrams.tsv`` (``textfix/data``)."""
    from pathlib import Path

    if path is None:
        path = Path(__file__).resolve().parent.parent / "data" / "char_trigrams.tsv"
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            ab, items = line.rstrip("\n").split("\t")
            out.extend(ab + item[0] for item in items.split(" "))
    return frozenset(out)


def _shared(cache: dict, objs: tuple, values: tuple, build):
    """``build()``, remembered in ``cache`` for the objects ``objs`` (by identity)
    and the hashable ``values``; the last four are kept."""
    key = tuple(map(id, objs)) + values
    hit = cache.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], objs)):
        return hit[1]
    out = build()
    if len(cache) >= 4:
        cache.pop(next(iter(cache)))
    cache[key] = (objs, out)
    return out


_WP_CACHE: dict[tuple, tuple] = {}


def alone_logp(alone, ch: str) -> float:
    """Log of how often ``ch`` stands alone as a word (``alone``: the counts of
    :func:`textfix.fuzzy.tagged.count_alone`), smoothed: an unseen character gets
    log 0.5."""
    a, n = alone.get(ch, (0, 0))
    return math.log((a + 0.5) / (n + 1))


def _word_prefix_table(lexicon: Lexicon, max_len: int, alone=None, alone_weight: float = 0.0) -> dict:
    """``{word: log probability}`` for words of at most ``max_len``
    characters, plus ``{prefix: None}`` for every proper prefix of such a word
    that is not itself a word (so a scan over a text stops at the first
    string no word starts with).  With ``alone``, a one-character Han word also
    gets ``alone_weight`` times :func:`alone_logp`: a character that running
    text only uses inside words is an unlikely word alone.  One table per
    lexicon and setting, shared."""
    return _shared(_WP_CACHE, (lexicon.freq, alone), (max_len, alone_weight),
                   lambda: _build_word_prefix_table(lexicon, max_len, alone, alone_weight))


def _build_word_prefix_table(lexicon: Lexicon, max_len: int, alone, alone_weight: float) -> dict:
    lt = math.log(lexicon.total)
    log = math.log
    wp: dict = {}
    for w, f in lexicon.freq.items():
        if len(w) <= max_len and f > 0:
            wp[w] = log(f) - lt
    if alone is not None and alone_weight:
        for w, v in wp.items():
            if len(w) == 1 and is_han(w):
                wp[w] = v + alone_weight * alone_logp(alone, w)
    for w in list(wp):
        for k in range(1, len(w)):
            wp.setdefault(w[:k], None)
    return wp


_WC_CACHE: dict[tuple, tuple] = {}


def _word_chars(lexicon: Lexicon) -> frozenset:
    """Every character that occurs in a lexicon word (one set per lexicon)."""
    return _shared(_WC_CACHE, (lexicon.freq,), (), lambda: frozenset(c for w in lexicon.freq for c in w))


#: Two or three Han characters (as :func:`is_han` has them) standing alone between list
#: marks or brackets (or a line edge): where they start with a surname, a name in a list
#: or a credit.  ``Core.name_items`` is its compiled twin.
_NAME_ITEM = regex.compile(
    r"(?:^|[、，,（(）)；;：:])[ \t\u3000]*([\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002ffff\uf900-\ufaff]{2,3})"
    r"(?=[ \t\u3000]*(?:[、，,（(）)；;]|$))", regex.M
)


class Decision(NamedTuple):
    start: int  #: text offset of the (first) changed character
    end: int  #: just past the last changed character
    new: str  #: replacement for ``text[start:end]``
    confidence: float  #: in [0, 1]
    score: float  #: log-likelihood gain (nats) the confidence is made of
    note: str  #: e.g. ``人→入 (深入)``
    candidate: Candidate


#: A Decision of a tuple of its fields (for the compiled core).
_make_decision = partial(tuple.__new__, Decision)

_CORE_CACHE: dict[tuple, tuple] = {}


def _core_for(sc: "Scorer"):
    """The compiled core over ``sc``'s models (one per set of models, shared)."""
    conf = sc.confusions.by_observed if sc.confusions is not None else None
    return _shared(_CORE_CACHE, (sc._wp, sc.bigrams, sc.trigrams, conf, sc._wordchars),
                   (sc.surnames, sc._unk, sc.max_len, sc.name_logp),
                   lambda: _Core(sc._wp, sc._unk, sc.max_len, sc.name_logp, sc.surnames, sc._wordchars,
                                 sc.bigrams, sc.trigrams, conf, NUMERALS, _hugepages.enabled()))


_VARIANTS_CACHE: dict[tuple, tuple] = {}


def _variants_for(matcher):
    """The compiled view (``_core.Variants``) of ``matcher``'s variant table, or None
    where it has none the core takes (variants of two substitutions, a frequency
    beyond 64 bits): one per table, shared."""
    table = getattr(matcher, "_table", None)
    if table is None:
        return None

    def build():
        from ._core import Variants

        if table.code and max(table.code) >> 4:
            return None
        try:
            return Variants(table, matcher.lexicon.freq, partial(tuple.__new__, Candidate))
        except (TypeError, ValueError, OverflowError, KeyError):
            return None

    return _shared(_VARIANTS_CACHE, (table, matcher.lexicon.freq), (), build)


class Scorer:
    """Judges candidates in context.

    ``threshold`` is the log-likelihood gain (nats) at which confidence is
    0.5; candidates below ``threshold`` are rejected.  ``scale`` sets how fast
    confidence rises above it.

    ``alone`` (counts of :func:`textfix.fuzzy.tagged.count_alone`) weighs a
    one-character word by how often running text uses that character alone,
    times ``alone_weight``.  ``surnames`` start personal names (see
    ``name_logp``); with ``name_items``, a list item or bracketed credit of two
    or three Han characters that starts with one (``、冼鼎昌、``, ``（白宇）``) is a
    name and never changed.

    ``compiled``: compute with the compiled core (True), in pure Python (False),
    or with the core where it is built unless ``TEXTFIX_PURE_PYTHON`` is set
    (None).  Both give the same numbers.
    """

    def __init__(
        self,
        lexicon: Lexicon,
        bigrams: BigramModel | None = None,
        protect: Iterable[str] = (),
        window: int = 6,
        threshold: float = 4.0,
        scale: float = 2.0,
        bigram_weight: float = 0.5,
        unknown_char_penalty: float = 4.0,
        confusions: "Confusions | None" = None,
        single_min_bigram: float = 4.0,
        single_margin: float = 0.0,
        channel_weight: float = 4.0,
        name_logp: float | None = -24.0,
        trigrams: frozenset | None = None,
        trigram_weight: float = 1.0,
        alone: "Mapping[str, tuple[int, int]] | None" = None,
        alone_weight: float = 0.5,
        surnames: Iterable[str] = SURNAMES,
        name_items: bool = True,
        compiled: bool | None = None,
    ):
        self.lexicon = lexicon
        self.bigrams = bigrams
        self.protect = frozenset(protect) | lexicon.protect
        self._prot_max = max((len(w) for w in self.protect), default=0)
        self.window = window
        self.threshold = threshold
        self.scale = scale
        self.bigram_weight = bigram_weight
        self.max_len = min(lexicon.max_len, 8)
        self._unk = lexicon.logp("\0") - unknown_char_penalty
        self._logtotal = math.log(lexicon.total)
        self.alone = alone
        self.alone_weight = alone_weight if alone is not None else 0.0
        self._wp = _word_prefix_table(lexicon, self.max_len, alone, self.alone_weight)
        self.surnames = frozenset(surnames)
        self.name_items = name_items
        self._tab: dict[str, tuple] = {}
        self._cuts_text: str | None = None
        self._cuts_list: list[int] = []
        self._wordchars = _word_chars(lexicon)
        self.confusions = confusions
        self.single_min_bigram = single_min_bigram
        self.single_margin = single_margin
        self.channel_weight = channel_weight
        self.name_logp = name_logp
        self.trigrams = trigrams
        self.trigram_weight = trigram_weight
        #: The compiled twin of the arithmetic below, or None (pure Python).
        self.core = _core_for(self) if _use_compiled(compiled) else None
        self._last_variants: tuple | None = None  # (matcher table, its lexicon's freq, _core.Variants or None)

    # -- models -------------------------------------------------------------
    def segment_logp(self, s: str) -> float:
        """Log probability of the best segmentation of ``s`` into lexicon
        words (unknown single characters allowed at a penalty; no names)."""
        wp = self._wp
        unk = self._unk
        n = len(s)
        best = [0.0] + [-1e18] * n
        L = self.max_len
        for j in range(1, n + 1):
            b = -1e18
            for i in range(max(0, j - L), j):
                lp = wp.get(s[i:j])
                if lp is not None:
                    v = best[i] + lp
                elif j - i == 1:
                    v = best[i] + unk
                else:
                    continue
                if v > b:
                    b = v
            best[j] = b
        return best[n]

    def _tables(self, text: str) -> tuple[list[float], list[float]]:
        """Forward and backward best-segmentation tables of ``text``:
        ``fwd[i]`` scores the best segmentation of ``text[:i]``, ``bwd[i]``
        that of ``text[i:]``.  Kept for the last few texts (clauses) judged."""
        hit = self._tab.get(text)
        if hit is not None:
            return hit
        wp = self._wp
        unk = self._unk
        n = len(text)
        L = self.max_len
        NEG = -1e18
        fwd = [0.0] + [NEG] * n
        bwd = [NEG] * n + [0.0]
        # Words starting at i: wp[text[i:j]] is the log probability of a word,
        # None for a prefix of longer words only; a missing key ends the scan.
        starts: list[list] = []
        nl = self.name_logp
        sur = self.surnames
        for i in range(n):
            ws = []
            for j in range(i + 1, (i + L if i + L < n else n) + 1):
                v = wp.get(text[i:j], 1.0)
                if v == 1.0:
                    break
                if v is not None:
                    ws.append((j, v))
            if nl is not None and text[i] in sur:
                for j in (i + 2, i + 3):
                    if j <= n and is_han(text[j - 1]):
                        ws.append((j, nl))
                    else:
                        break
            starts.append(ws)
        for i in range(n):
            base = fwd[i]
            v = base + unk
            if v > fwd[i + 1]:
                fwd[i + 1] = v
            for j, lp in starts[i]:
                v = base + lp
                if v > fwd[j]:
                    fwd[j] = v
        for i in range(n - 1, -1, -1):
            b = bwd[i + 1] + unk
            for j, lp in starts[i]:
                v = bwd[j] + lp
                if v > b:
                    b = v
            bwd[i] = b
        if len(self._tab) >= 64:
            self._tab.clear()
        self._tab[text] = (fwd, bwd)
        return fwd, bwd

    def _cuts(self, text: str) -> list[int]:
        """Offsets of the characters of ``text`` no word runs across."""
        if self._cuts_text is text:
            return self._cuts_list
        wc = self._wordchars
        self._cuts_list = [i for i, ch in enumerate(text) if ch not in wc and not is_han(ch)]
        self._cuts_text = text
        return self._cuts_list

    def segment_gain(self, text: str, subs: dict[int, str]) -> float:
        """Change of the best segmentation's log probability of the whole of
        ``text`` when ``{position: new char}`` is applied.

        Only words near the change are re-scored: a segmentation of the new
        text is a segmentation of the unchanged prefix (``fwd``), words over
        the changed stretch, and one of the unchanged suffix (``bwd``)."""
        if self.core is not None:
            return self.core.segment_gain(text, subs)
        lo = min(subs)
        hi = max(subs) + 1
        # No word (nor name) runs across a character that is neither Han nor
        # in any lexicon word (punctuation, mostly): the segmentations on
        # either side of it are independent, so only the clause between two
        # such characters needs scoring.
        cuts = self._cuts(text)
        k = bisect_left(cuts, lo)
        cs = cuts[k - 1] + 1 if k else 0
        ce = cuts[k] if k < len(cuts) else len(text)
        if ce < hi:  # a changed character is itself such a character
            cs, ce = 0, len(text)
        if cs or ce < len(text):
            text = text[cs:ce]
            subs = {p - cs: ch for p, ch in subs.items()}
            lo -= cs
            hi -= cs
        fwd, bwd = self._tables(text)
        n = len(text)
        L = self.max_len
        a = max(0, lo - L + 1)
        z = min(n, hi + L - 1)
        chars = list(text[a:z])
        for p, c in subs.items():
            chars[p - a] = c
        s = "".join(chars)
        wp = self._wp
        unk = self._unk
        nl = self.name_logp
        sur = self.surnames
        NEG = -1e18
        # best[j - a]: best score of new[:j]; for j <= lo it is fwd[j].
        best = fwd[a:lo + 1] + [NEG] * (z - lo)
        m = z - a
        for i in range(0, m):
            base = best[i]
            if base <= -1e17:
                continue
            if i + a >= lo:
                v = base + unk
                if v > best[i + 1]:
                    best[i + 1] = v
            for j in range(i + 1, (i + L if i + L < m else m) + 1):
                v = wp.get(s[i:j], 1.0)
                if v == 1.0:
                    break
                if v is not None and j + a > lo:
                    v = base + v
                    if v > best[j]:
                        best[j] = v
            if nl is not None and s[i] in sur:
                for j in (i + 2, i + 3):
                    if j <= m and is_han(s[j - 1]):
                        if j + a > lo and base + nl > best[j]:
                            best[j] = base + nl
                    else:
                        break
        # Every segmentation has a boundary at some j in [hi, hi + L - 1].
        new = max(best[j - a] + bwd[j] for j in range(hi, z + 1))
        return new - fwd[n]

    def _bigram_delta(self, text: str, pos: int, new_ch: str, new_left: str | None = None) -> float:
        bm = self.bigrams
        if bm is None:
            return 0.0
        old = text[pos]
        d = 0.0
        if pos > 0:
            left = new_left if new_left is not None else text[pos - 1]
            d += bm.logp(left, new_ch) - bm.logp(left, old)
        if pos + 1 < len(text):
            right = text[pos + 1]
            d += bm.logp(new_ch, right) - bm.logp(old, right)
        return d

    @staticmethod
    def _in_number(text: str, p: int, new: str) -> bool:
        """Numbers are never changed: no numeral turns into another numeral,
        and nothing next to a digit or inside a run of numerals changes."""
        old = text[p]
        if old in NUMERALS and new in NUMERALS:
            return True
        for q in (p - 1, p + 1):
            if 0 <= q < len(text):
                n = text[q]
                if (n.isdigit() or n in NUMERALS) and (old in NUMERALS or new in NUMERALS):
                    return True
        return False

    @staticmethod
    def _next_to_latin(text: str, p: int) -> bool:
        """Latin text is never changed, nor a character that forms a token with a
        Latin letter next to it (``n个``, ``X光``, ``A股``): the stray-letter rule
        keeps a lone letter only for such a neighbour."""
        for q in (p - 1, p + 1):
            if 0 <= q < len(text):
                c = text[q]
                if "A" <= c <= "Z" or "a" <= c <= "z" or "Ａ" <= c <= "Ｚ" or "ａ" <= c <= "ｚ":
                    return True
        return False

    def _protected(self, text: str, positions: Iterable[int]) -> bool:
        if not self.protect:
            return False
        L = self._prot_max
        for p in positions:
            for a in range(max(0, p - L + 1), p + 1):
                for b in range(p + 1, min(len(text), a + L) + 1):
                    if text[a:b] in self.protect:
                        return True
        return False

    # -- judging -----------------------------------------------------------
    def gain(self, text: str, subs: dict[int, str]) -> float:
        """Log-likelihood gain of applying ``{position: new char}`` to text."""
        return self.segment_gain(text, subs) + self._context_gain(text, subs)

    def _context_gain(self, text: str, subs: dict[int, str]) -> float:
        """The part of :meth:`gain` besides the segmentation: character
        bigrams and trigrams."""
        if self.core is not None:
            return self.core.context_gain(text, subs, self.bigram_weight, self.trigram_weight)
        g = 0.0
        if self.bigrams is not None:
            bd = 0.0
            for p in sorted(subs):
                left = subs.get(p - 1)
                bd += self._bigram_delta(text, p, subs[p], left)
            g = self.bigram_weight * bd
        if self.trigrams is not None and self.trigram_weight:
            g += self.trigram_weight * self.trigram_delta(text, subs)
        return g

    def trigram_delta(self, text: str, subs: dict[int, str]) -> int:
        """How many more of the character trigrams ``{position: new char}``
        touches are seen in clean text (``trigrams``) after the change than
        before."""
        tri = self.trigrams
        lo = min(subs)
        hi = max(subs) + 1
        a = lo - 2 if lo >= 2 else 0
        z = min(len(text), hi + 2)
        old = text[a:z]
        new = list(old)
        for p, ch in subs.items():
            new[p - a] = ch
        new = "".join(new)
        d = 0
        for i in range(len(old) - 2):
            d += (new[i:i + 3] in tri) - (old[i:i + 3] in tri)
        return d

    def segment_bound(self, text: str, p: int, ch: str) -> float:
        """An upper bound of ``segment_gain(text, {p: ch})``, cheap to
        compute: used to drop hopeless candidates before the segmentation.

        Every segmentation of the new text has one token over ``p``, say
        ``new[i:j]``; the rest of it is at best the old text's best
        segmentation of ``[:i]`` and ``[j:]``, while the old text can at
        least be segmented as those two parts and ``old[i:j]`` in single
        characters.  So the gain is at most the best ``logp(new[i:j])`` minus
        the single-character score of ``old[i:j]``."""
        if self.core is not None:
            return self.core.segment_bound(text, p, ch)
        wp = self._wp
        unk = self._unk
        L = self.max_len
        n = len(text)
        a = p - L + 1 if p >= L - 1 else 0
        z = p + L if p + L < n else n
        # single-character score of the old text over [a, z)
        cost = []
        for k in range(a, z):
            v = wp.get(text[k])
            cost.append(v if v is not None and v > unk else unk)
        s = text[a:p] + ch + text[p + 1:z]
        best = unk - cost[p - a]
        nl = self.name_logp
        sur = self.surnames
        for i in range(0, p - a + 1):
            c = 0.0
            for k in range(i, p - a):
                c += cost[k]
            m = z - a
            for j in range(i + 1, (i + L if i + L < m else m) + 1):
                if j > p - a:
                    c += cost[j - 1]
                v = wp.get(s[i:j], 1.0)
                if v == 1.0:
                    break
                if v is not None and j > p - a and v - c > best:
                    best = v - c
            if nl is not None and s[i] in sur:
                c = 0.0
                for j in (i + 2, i + 3):
                    if j <= m and is_han(s[j - 1]):
                        if j > p - a:
                            c2 = sum(cost[i:j])
                            if nl - c2 > best:
                                best = nl - c2
                    else:
                        break
        return best

    def _single_candidates(self, text: str) -> list[Candidate]:
        """Candidates the matcher cannot propose: a character misread for a
        look-alike that is a word on its own (左 for 在, 力 for 为).  Only
        characters standing next to a bigram unseen in clean text are tried,
        and only substitutions the character bigrams clearly prefer are
        kept (``single_min_bigram`` nats); the segmentation then judges them
        like any other candidate."""
        freq = self.lexicon.freq
        if self.core is not None:
            return [Candidate(p, p + 1, text[p], x, ((0, text[p], x),), freq.get(x, 0), freq.get(text[p], 0), sim)
                    for p, x, sim in self.core.single_candidates(text, self.single_min_bigram)]
        bm = self.bigrams
        bi = bm.bi
        by_obs = self.confusions.by_observed
        out = []
        n = len(text)
        unseen = list(compress(range(n - 1), map(not_, map(bi.__contains__, zip(text, text[1:])))))
        if not unseen:
            return out
        positions = sorted({i for i in unseen if text[i] in by_obs}
                           | {i + 1 for i in unseen if text[i + 1] in by_obs})
        firsts = bm._cont  # characters some seen bigram starts with
        seconds = bm.uni  # every character of a seen bigram was counted
        for p in positions:
            ch = text[p]
            left = text[p - 1] if p else ""
            right = text[p + 1] if p + 1 < n else ""
            # a side can be mended only where its bigram is unseen and the
            # neighbour is in seen bigrams at all (not punctuation, a digit...)
            mend_left = left in firsts and (left, ch) not in bi
            mend_right = right in seconds and (ch, right) not in bi
            if not (mend_left or mend_right):
                continue
            for x, sim in by_obs[ch].items():
                # the substitution must at least mend an unseen bigram
                if not ((mend_left and (left, x) in bi) or (mend_right and (x, right) in bi)):
                    continue
                if self._bigram_delta(text, p, x) >= self.single_min_bigram:
                    out.append(Candidate(p, p + 1, ch, x, ((0, ch, x),), freq.get(x, 0), freq.get(ch, 0), sim))
        return out

    def allowed(self, text: str, key: tuple) -> bool:
        """Whether the substitutions ``((position, new char), ...)`` may be made
        at all: Han characters only, and no number nor character next to a Latin
        letter is touched."""
        if self.core is not None:
            return self.core.allowed(text, key)
        if not all(is_han(text[p]) and is_han(ch) for p, ch in key):
            return False
        return not any(self._in_number(text, p, ch) or self._next_to_latin(text, p) for p, ch in key)

    def score(self, text: str, subs, margin: float = 0.0, channel: float = 0.0,
              floor: float | None = None) -> float | None:
        """The gain of ``{position: new char}`` (or ``((position, new char), ...)``)
        as :meth:`judge` weighs it: the context gain, less ``margin``, plus
        ``channel`` (the log glyph similarity, weighted), plus the segmentation
        gain.  With ``floor``, a single substitution whose gain cannot reach it
        (by :meth:`segment_bound`) gives None without the segmentation being
        scored."""
        if self.core is not None:
            return self.core.score(text, subs, self.bigram_weight, self.trigram_weight, margin, channel, floor)
        subs = dict(subs)
        g = self._context_gain(text, subs)
        if margin:
            g -= margin
        if channel:
            g += channel
        if floor is not None and len(subs) == 1:
            ((p, ch),) = subs.items()
            if g + self.segment_bound(text, p, ch) < floor:
                return None
        return g + self.segment_gain(text, subs)

    def _name_items(self, text: str) -> list[tuple[int, int]]:
        """Spans of the list items and bracketed credits of two or three Han
        characters that start with a surname: names (``李兵、李青、李硕``)."""
        if self.core is not None:
            return self.core.name_items(text)
        sur = self.surnames
        return [m.span(1) for m in _NAME_ITEM.finditer(text) if m.group(1)[0] in sur]

    def confidence(self, gain: float) -> float:
        x = (gain - self.threshold) / self.scale
        x = max(-50.0, min(50.0, x))
        return 1.0 / (1.0 + math.exp(-x))

    def judge(self, text: str, candidates: Iterable[Candidate], keep_rejected: bool = False) -> list[Decision]:
        """Accepted corrections (non-overlapping, best first resolved), sorted
        by position.  With ``keep_rejected`` every distinct substitution is
        returned, accepted or not (for diagnostics)."""
        floor = None if keep_rejected else self.threshold
        if self.core is not None and not self.protect:
            # the same loop, compiled (the protect list needs _protected)
            singles = self._single_candidates(text) if self._singles() else ()
            judged = self.core.judged(
                text, candidates, singles, bool(self.name_items), self.bigram_weight,
                self.trigram_weight, self.single_margin, self.channel_weight, floor)
            return self._decide(text, judged, keep_rejected)
        groups: dict[tuple, Candidate] = {}
        for c in candidates:
            subs = c.subs
            if len(subs) == 1:
                key = ((c.start + subs[0][0], subs[0][2]),)
            else:
                key = tuple((c.start + o, lc) for o, _oc, lc in subs)
            prev = groups.get(key)
            if prev is None or c.word_freq > prev.word_freq:
                groups[key] = c
        singles = set()
        if self._singles():
            for c in self._single_candidates(text):
                key = ((c.start, c.word),)
                if key not in groups:
                    groups[key] = c
                    singles.add(key)
        named = {p for a, b in self._name_items(text) for p in range(a, b)} if self.name_items else ()
        protect = self.protect
        cw = self.channel_weight
        # cheap early rejection (score's floor): not even the best the
        # segmentation could add reaches the threshold
        sm = self.single_margin
        log = math.log
        judged = []
        for key, c in groups.items():
            if named and key[0][0] in named:
                continue
            if not self.allowed(text, key):
                continue
            if protect and (c.observed in protect or self._protected(text, (p for p, _ in key))):
                continue
            margin = sm if singles and key in singles else 0.0
            channel = cw * log(c.similarity) if cw and c.similarity > 0 else 0.0
            g = self.score(text, key, margin, channel, floor)
            if g is not None:
                judged.append((g, key, c))
        return self._decide(text, judged, keep_rejected)

    def judge_found(self, text: str, matcher, keep_rejected: bool = False) -> list[Decision]:
        """``judge(text, matcher.find(text), keep_rejected)``: the same decisions.  With
        the compiled core (and no protect list), the matcher's automaton hits are
        grouped and scored there directly, and Candidate tuples are made only for the
        substitutions kept."""
        variants = self._core_variants(matcher)
        if variants is None:
            return self.judge(text, matcher.find(text), keep_rejected)
        return self._judge_hits(text, matcher.hits_packed(text), variants, keep_rejected)

    def judge_found_many(self, texts: list[str], matcher, keep_rejected: bool = False) -> list[list[Decision]]:
        """``[judge_found(t, matcher, keep_rejected) for t in texts]``.  With the compiled
        core, in three passes over the texts (the single look-alikes of all, then the
        matcher's hits of all, then the scoring), so that each pass's tables stay in
        the processor's caches from one text to the next."""
        variants = self._core_variants(matcher)
        if variants is None:
            return [self.judge(t, matcher.find(t), keep_rejected) for t in texts]
        proposals = ([self.core.single_proposals(t, self.single_min_bigram) for t in texts]
                     if self._singles() else [None] * len(texts))
        hits = [matcher.hits_packed(t) for t in texts]
        return [self._judge_hits(t, h, variants, keep_rejected, sp)
                for t, h, sp in zip(texts, hits, proposals)]

    def _singles(self) -> bool:
        """Whether the scorer proposes single look-alikes itself."""
        return self.confusions is not None and self.bigrams is not None

    def _judge_hits(self, text: str, hits: bytes, variants, keep_rejected: bool,
                    proposals: list | None = None) -> list[Decision]:
        """The decisions of the compiled core on the matcher's packed ``hits`` in
        ``text`` (and its single ``proposals``, where made already)."""
        judged = self.core.judged_hits(
            text, hits, variants, self._singles(), bool(self.name_items),
            self.bigram_weight, self.trigram_weight, self.single_margin, self.channel_weight,
            None if keep_rejected else self.threshold, self.single_min_bigram, self.lexicon.freq,
            proposals)
        return self._decide(text, judged, keep_rejected)

    def _core_variants(self, matcher):
        """The compiled core's view of the matcher's variant table (kept for the matcher
        last asked about); None where the core cannot judge the hits itself (no core, a
        protect list, no compiled table)."""
        if self.core is None or self.protect:
            return None
        last = self._last_variants
        table = getattr(matcher, "_table", None)
        if last is not None and last[0] is table and last[1] is matcher.lexicon.freq:
            return last[2]
        variants = _variants_for(matcher)
        self._last_variants = (table, matcher.lexicon.freq, variants)
        return variants

    def _decide(self, text: str, judged: list, keep_rejected: bool) -> list[Decision]:
        """:meth:`_greedy`, by the compiled core where there is one."""
        if self.core is not None:
            return self.core.greedy(text, judged, self.threshold, self.scale, keep_rejected, _make_decision)
        return self._greedy(text, judged, keep_rejected)

    def _greedy(self, text: str, judged: list, keep_rejected: bool) -> list[Decision]:
        """The decisions of :meth:`judge` from its scored ``(gain, key, candidate)``."""
        if not judged:
            return []
        judged.sort(key=lambda t: -t[0])
        # Greedy, best gain first; a substitution next to or on one already
        # taken loses (whatever the threshold, since the winner scores higher).
        taken: set[int] = set()
        out = []
        for g, key, c in judged:
            if g < self.threshold and not keep_rejected:
                break
            if any(p in taken or p - 1 in taken or p + 1 in taken for p, _ in key):
                continue
            taken.update(p for p, _ in key)
            lo = key[0][0]
            hi = key[-1][0] + 1
            new = list(text[lo:hi])
            for p, ch in key:
                new[p - lo] = ch
            note = ", ".join(f"{text[p]}→{ch}" for p, ch in key) + f" ({c.word})"
            out.append(Decision(lo, hi, "".join(new), self.confidence(g), g, note, c))
        out.sort(key=lambda d: d.start)
        return out


def correct(text: str, decisions: Iterable[Decision], min_confidence: float = 0.5) -> str:
    """Apply accepted decisions to ``text``."""
    parts = []
    last = 0
    for d in sorted(decisions, key=lambda d: d.start):
        if d.confidence < min_confidence or d.start < last:
            continue
        parts.append(text[last:d.start])
        parts.append(d.new)
        last = d.end
    parts.append(text[last:])
    return "".join(parts)
