"""Stage ``confusable``: characters OCR misread as a look-alike (``深人学习`` for 深入).

The matcher (:mod:`textfix.fuzzy`) finds every span within one look-alike substitution
of a lexicon word; the scorer keeps a substitution only when it makes the surrounding
text read much better — a better segmentation under the lexicon's word frequencies and
likelier character bigrams and more character trigrams seen in clean text (counted from
the first half of the People's Daily 1998-01 corpus, ``textfix/data/char_bigrams.tsv``
and ``char_trigrams.tsv``, the latter ~10 MB once loaded), with one-character words
weighed by how often the news uses the character alone (``char_alone.tsv``) — and
nothing protected, numeric or Latin is touched; names (a surname from ``surnames.tsv``
and one or two characters) are a reading of their own.  Bylines, credits and page furniture (names) are never changed.

Data is loaded once per process and shared by every Pipeline with the same user
dictionaries: computing ~1.4M look-alike variants of the ~350k-word lexicon and the
matcher's index over them takes ~7-9 s and peaks near 670 MB the first time (~2.7 s and
~340 MB from the cache; ~330 MB resident after); switch the stage off
(``--disable confusable``) for a fast pass that needs no lexicon.
"""

from __future__ import annotations

import functools

from ..edit import Edit, Safety
from ..rule import rule

#: Log-likelihood gain (nats) at which a correction is applied at the default
#: confidence threshold 0.9: the decision threshold tuned on the learning half of the
#: benchmark corpus (benchmarks/fuzzy.py).  Weaker corrections (confidence 0.5–0.9)
#: are logged as suggestions.
APPLY_GAIN = 11.25
SCALE = 2.0
#: With this threshold a gain of APPLY_GAIN gives confidence 0.9.
SCORER_THRESHOLD = APPLY_GAIN - SCALE * 2.1972  # logit(0.9) = 2.1972
BIGRAM_WEIGHT = 1.0
#: Per character trigram around the change that becomes (or stops being) one seen in
#: clean text; tuned with the other two (see ``WEIGHTS`` in benchmarks/fuzzy.py).
TRIGRAM_WEIGHT = 0.5

#: Weight of how often a character stands alone as a word in clean news
#: (``char_alone.tsv``) in the score of a one-character word.
ALONE_WEIGHT = 0.5

#: Blocks whose text is names and labels, never corrected.
NAME_KINDS = frozenset({"byline", "credit", "furniture"})


@functools.lru_cache(maxsize=2)
def models(dicts: tuple[str, ...] = (), protect: tuple[str, ...] = ()):
    """``(matcher, scorer)`` for a set of user dictionaries and protect lists."""
    from ..fuzzy import Confusions, Matcher
    from ..fuzzy.matcher import default_cache_dir
    from ..chars import SURNAMES
    from ..fuzzy.score import BigramModel, Scorer, load_trigrams
    from ..fuzzy.tagged import load_alone, load_surnames
    from ._data import lexicon as shared_lexicon
    from .garbled import bigrams

    lexicon = shared_lexicon(dicts, protect)
    try:
        cache = default_cache_dir()
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        cache = None
    matcher = Matcher(lexicon, Confusions.load(), max_subs=1, cache_dir=cache)
    b = bigrams()
    model = BigramModel(
        dict(b.uni), {(a, c): n for a, follow in b.bi.items() for c, n in follow.items()}
    )
    scorer = Scorer(lexicon, model, bigram_weight=BIGRAM_WEIGHT,
                    threshold=SCORER_THRESHOLD, scale=SCALE, confusions=matcher.confusions,
                    trigrams=load_trigrams(), trigram_weight=TRIGRAM_WEIGHT,
                    alone=load_alone(), alone_weight=ALONE_WEIGHT, surnames=SURNAMES | load_surnames())
    return matcher, scorer


@rule("confusable.glyph-misread", safety=Safety.GUESS)
def glyph_misread(doc):
    """A character OCR misread as a look-alike (``深人学习`` for ``深入学习``).

    ## Why
    OCR confuses characters that look alike: 入/人, 己/已/巳, 未/末, 土/士, 日/曰 …
    A correction needs evidence: the span is one look-alike substitution away from a
    lexicon word, the observed text is not itself a plausible reading, and the
    correction makes the surrounding text far likelier (word segmentation,
    character bigrams, character trigrams seen in clean text).  A one-character word
    counts only as often as the news uses that character alone: ``纳`` never stands
    alone, so ``纳人公务员`` reads as a misread ``纳入``.  Each edit carries its
    confidence and a note such as ``人→入 (深入)``; weaker ones are logged as
    suggestions, not applied.  Names in bylines, names in lists and bracketed credits
    (two or three characters starting with a surname), numbers, Latin text and
    protected words are never changed.

    ## Example
        before: 要深人学习贯彻习近平法治思想。
        after:  要深入学习贯彻习近平法治思想。
    """
    return _glyph_misread_many([doc])[0]


def _glyph_misread_many(docs) -> list[list[Edit]]:
    """The rule's edits for each of ``docs`` (texts of one pipeline), the blocks of all
    of them judged together in the scorer's three passes (``Scorer.judge_found_many``):
    the same edits as each alone."""
    config = docs[0].config
    matcher, scorer = models(tuple(config.dicts), tuple(config.protect))
    spans, owners = [], []
    for k, doc in enumerate(docs):
        text = doc.text
        for block in doc.blocks():
            if block.kind not in NAME_KINDS:
                spans.append(text[block.start : block.end])
                owners.append((k, block.start))
    out: list[list[Edit]] = [[] for _ in docs]
    for (k, start), decisions in zip(owners, scorer.judge_found_many(spans, matcher)):
        for d in decisions:
            out[k].append(Edit(start + d.start, start + d.end, d.new,
                               confidence=round(d.confidence, 4), note=d.note))
    return out


glyph_misread = glyph_misread.with_many(_glyph_misread_many)
