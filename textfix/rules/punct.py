"""Stage ``punct``: punctuation that does not belong in Chinese text.

Half-width ``,:;()!?`` and straight quotes inside Chinese text become their Chinese
forms; ellipses and dashes take their standard Chinese shapes.  Numbers (``1,000``,
``10:30``, ``111.52%``), URLs, e-mail addresses and Latin text are left alone.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left

import regex

from .. import _compiled
from ..chars import HALF_TO_FULL, CharTable, SENTENCE_END, SPACE as _SPACE, Protected, has_han as _has_han, is_cjk as _cjk, is_han as _han, protected_spans
from ..edit import Safety
from ..rule import change, rule

try:
    from . import _scan
except ImportError:  # not built: the pure-Python definitions do the work
    _scan = None

_HALF = regex.compile(r"[,:;!?()]")
_PAREN_OR_NEWLINE = regex.compile(r"[()\n]")


#: A space or a punctuation mark: what :func:`_prev` and :func:`_next` look through.
_is_skipped = CharTable(lambda c: c in _SPACE or unicodedata.category(c)[0] == "P")


def _prev(text: str, i: int) -> str:
    """The context before ``i``: the nearest character on the same line that is neither
    a space nor punctuation.  Punctuation is looked through so that converting one
    mark never changes the context of another: the rules are a fixed point."""
    i -= 1
    while i >= 0 and text[i] != "\n" and _is_skipped(text[i]):
        i -= 1
    return text[i] if i >= 0 and text[i] != "\n" else ""


def _next(text: str, i: int) -> str:
    """The context after ``i`` (see :func:`_prev`)."""
    i += 1
    n = len(text)
    while i < n and text[i] != "\n" and _is_skipped(text[i]):
        i += 1
    return text[i] if i < n and text[i] != "\n" else ""


def _prev_mark(text: str, i: int) -> str:
    """The nearest character before ``i`` on the same line that is not a space."""
    i -= 1
    while i >= 0 and text[i] in _SPACE:
        i -= 1
    return text[i] if i >= 0 and text[i] != "\n" else ""


def _next_mark(text: str, i: int) -> str:
    """The nearest character after ``i`` on the same line that is not a space."""
    i += 1
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return text[i] if i < len(text) and text[i] != "\n" else ""


def _at_line_end(text: str, i: int) -> bool:
    """Is nothing but spaces between ``i`` and the end of its line?"""
    i += 1
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i >= len(text) or text[i] == "\n"


@rule("punct.halfwidth-in-cjk", safety=Safety.SAFE)
def halfwidth_in_cjk(doc):
    """Half-width ``,:;()!?`` inside Chinese text.

    ## Why
    OCR engines trained on mixed text read Chinese ``，：；（）！？`` as their ASCII
    look-alikes.  A mark is Chinese when a Chinese character or mark is next to it;
    a pair of brackets is Chinese when it holds or touches Chinese text.  Marks
    between digits (``1,000``, ``10:30``) and in URLs or e-mail addresses stay; the
    spaces a column wrap left after a converted mark go with it.

    ## Example
        before: 值班主任:余虔虹 截至2025年8月底,全市(茂健)
        after:  值班主任：余虔虹 截至2025年8月底，全市（茂健）
    """
    scan = _halfwidth_scan()
    if scan is None:
        return _halfwidth_py(doc.text)
    return scan.edits(doc.text, protected_spans(doc.text))


def _halfwidth_py(text: str) -> list:
    """The edits of :func:`halfwidth_in_cjk` for ``text``, in order: the reference
    definition (its compiled twin, ``textfix.rules._scan.HalfwidthScan``, makes the
    same in one pass over the text)."""
    out = []
    protected = Protected(text)
    # pair brackets line by line
    pairs: dict[int, int] = {}
    stack: list[int] = []
    if "(" in text or ")" in text:
        for m in _PAREN_OR_NEWLINE.finditer(text):
            c, i = m.group(), m.start()
            if c == "\n":
                stack.clear()
            elif c == "(":
                stack.append(i)
            elif stack:
                o = stack.pop()
                pairs[o] = i
                pairs[i] = o
    n = len(text)
    for m in _HALF.finditer(text):
        i = m.start()
        c = m.group()
        if c in "()":
            if i in protected:
                continue
            j = pairs.get(i)
            if j is not None:
                o, e = min(i, j), max(i, j)
                chinese = _has_han(text[o + 1 : e]) or _cjk(_prev(text, o)) or _cjk(_next(text, e))
            else:
                chinese = _cjk(_prev(text, i)) or _cjk(_next(text, i))
            if not chinese:
                continue
        elif i == 0 or not _han(text[i - 1]):
            # (After a Han character, the common case, a mark is Chinese for sure: the
            # character is its context, it is no digit, and no URL or e-mail address
            # can hold it, since they are ASCII and none starts with a mark.)
            if i in protected:
                continue
            raw_p = text[i - 1] if i > 0 else ""
            raw_n = text[i + 1] if i + 1 < n else ""
            if raw_p.isascii() and raw_n.isascii() and raw_p.isdigit() and raw_n.isdigit():
                continue
            if not (_cjk(_prev(text, i)) or _cjk(_next(text, i))):
                continue
        end = i + 1
        if c != "(" and end < n and text[end] in _SPACE:
            # the spaces a wrap left after the mark, before more Chinese text
            k = end
            while k < n and text[k] in _SPACE:
                k += 1
            if k < n and _cjk(text[k]):
                end = k
        out.append(change(i, end, HALF_TO_FULL[c]))
    return out


def _compiled_scan(name: str, make):
    """The compiled scan ``make()`` makes, made once and kept under ``name``; None where
    the pure-Python definitions compute (the extension not built, ``TEXTFIX_PURE_PYTHON``
    set)."""
    if _scan is None or not _compiled.enabled():
        return None
    made = _SCANS.get(name)
    if made is None:
        made = _SCANS[name] = make()
    return made


_SCANS: dict = {}


def _halfwidth_scan():
    """The compiled :class:`~textfix.rules._scan.HalfwidthScan`, the twin of
    :func:`_halfwidth_py` (or None)."""
    return _compiled_scan("halfwidth", lambda: _scan.HalfwidthScan(_cjk, _han, _is_skipped, HALF_TO_FULL, change))


def _quote_scan():
    """The compiled :class:`~textfix.rules._scan.QuoteScan`, the twin of
    :func:`_quote_edits` with the positions given (or None)."""
    return _compiled_scan("quotes", lambda: _scan.QuoteScan(_cjk, _han, _is_skipped, change))


_QUOTE_BLOCK = re.compile(  # no Unicode property: ``re`` reads it alike, ~3x as fast
    r"[^\n]+(?:\n(?![ \t\u3000]*\n)[^\n]+)*")


def _open_cost(text: str, i: int) -> int:
    """How wrong it looks for the quote at ``i`` to open."""
    n = _next_mark(text, i)
    p = _prev_mark(text, i)
    return (3 if n == "" else 2 if n in "，。、；！？,.;!?" else 0) + (1 if p and p in SENTENCE_END else 0)


def _close_cost(text: str, i: int) -> int:
    """How wrong it looks for the quote at ``i`` to close."""
    p = _prev_mark(text, i)
    return 3 if p in ("：", ":") else 2 if p == "" else 0


def _pair_quotes(text: str, positions: list[int]) -> list[tuple[int, str, int | None]]:
    """Decide the direction of the straight quotes of one paragraph.

    Quotes pair in order.  With an odd count one has no partner: the one whose removal
    leaves the pairing that fits the context best (openers before text, closers after
    sentence ends and at the paragraph end; ties go to the last quote).  A lone quote
    closes after a sentence end (``。"``) or at the end of the paragraph and opens
    elsewhere.  Linear in the number of quotes.  Returns ``(pos, role, partner)``.
    """
    lone = None
    m = len(positions)
    if m % 2:
        opens = [_open_cost(text, i) for i in positions]
        closes = [_close_cost(text, i) for i in positions]
        # before the lone quote: even index opens; after it: odd index opens
        pre = [0] * (m + 1)
        for k in range(m):
            pre[k + 1] = pre[k] + (opens[k] if k % 2 == 0 else closes[k])
        suf = [0] * (m + 1)
        for k in range(m - 1, -1, -1):
            suf[k] = suf[k + 1] + (opens[k] if k % 2 == 1 else closes[k])
        best = None
        for k in range(0, m, 2):  # only an even index leaves an even pairing on both sides
            cost = pre[k] + suf[k + 1] + min(opens[k], closes[k])
            if best is None or cost <= best:
                best, lone = cost, k
    out: list[tuple[int, str, int | None]] = []
    rest = [p for k, p in enumerate(positions) if k != lone]
    for k in range(0, len(rest) - 1, 2):
        out.append((rest[k], "open", rest[k + 1]))
        out.append((rest[k + 1], "close", rest[k]))
    if lone is not None:
        i = positions[lone]
        p = _prev_mark(text, i)
        closes_here = bool(p and p in SENTENCE_END) or _at_line_end(text, i)
        out.append((i, "close" if closes_here else "open", None))
    out.sort()
    return out


def _quote_edits(text: str, start: int, end: int, q: str, forms: tuple[str, str],
                 positions: list[int] | None = None) -> list:
    """The edits of the quotes ``q`` of the paragraph ``text[start:end]`` (``positions``:
    their offsets, in order, where known)."""
    out = []
    if positions is None:
        i = text.find(q, start, end)
        if i < 0:
            return out
        positions = []
        while i >= 0:
            positions.append(i)
            i = text.find(q, i + 1, end)
    elif not positions:
        return out
    if q == "'":
        # an apostrophe between Latin letters or digits (don't, 90's) is not a quote
        positions = [
            i for i in positions
            if not (i > 0 and i + 1 < len(text) and text[i - 1].isascii() and text[i - 1].isalnum()
                    and text[i + 1].isascii() and text[i + 1].isalnum())
        ]
    decided = _pair_quotes(text, positions)
    paired: dict[int, bool] = {}  # the opening quote of a pair -> is the pair Chinese?
    for i, role, partner in decided:
        if partner is not None:
            o, e = (i, partner) if i < partner else (partner, i)
            chinese = paired.get(o)
            if chinese is None:  # (decided once for both quotes of the pair)
                chinese = paired[o] = (_has_han(text[o + 1 : e]) or _cjk(_prev(text, o))
                                       or _cjk(_next(text, e)))
        else:
            chinese = _cjk(_prev(text, i)) or _cjk(_next(text, i))
        if chinese:
            out.append(change(i, i + 1, forms[0] if role == "open" else forms[1]))
    return out


def _offsets(text: str, q: str) -> list[int]:
    """Where the character ``q`` is in ``text``, in order."""
    out = []
    i = text.find(q)
    while i >= 0:
        out.append(i)
        i = text.find(q, i + 1)
    return out


@rule("punct.straight-quotes", safety=Safety.SAFE)
def straight_quotes(doc):
    """Straight quotes ``"`` and ``'`` inside Chinese text.

    ## Why
    Chinese text quotes with ``“”`` and, nested inside, ``‘’``; OCR gives straight
    quotes whose direction is lost.  Direction comes from pairing within a
    paragraph; a quote with no partner closes when it follows a sentence end
    (``。"``) or ends the paragraph, and opens otherwise.  Apostrophes between Latin
    letters and quotes in Latin text stay.

    ## Example
        before: 主题教育"党建引领'破难题、促发展'"攻坚行动
        after:  主题教育“党建引领‘破难题、促发展’”攻坚行动
    """
    text = doc.text
    if '"' not in text and "'" not in text:
        return []
    protected = Protected(text)
    edits = []
    # Only the paragraphs that hold a quote are decided (most hold none): the quotes'
    # offsets, in order, say which.
    double, single = _offsets(text, '"'), _offsets(text, "'")
    quotes = sorted(double + single)
    kinds = (('"', ("“", "”"), double), ("'", ("‘", "’"), single))
    scan = _quote_scan()
    k, last = 0, len(quotes)
    for m in _QUOTE_BLOCK.finditer(text):
        start, end = m.span()
        while k < last and quotes[k] < start:
            k += 1
        if k == last:
            break
        if quotes[k] >= end:
            continue
        for q, forms, offsets in kinds:
            # the paragraph's quotes q, in order
            positions = offsets[bisect_left(offsets, start) : bisect_left(offsets, end)]
            if scan is not None:
                found = scan.edits(text, q, forms[0], forms[1], positions) if positions else []
            else:
                found = _quote_edits(text, start, end, q, forms, positions)
            edits.extend([e for e in found if e.start not in protected] if protected else found)
    edits.sort(key=lambda e: e.start)
    return edits


#: (Its matches are found by ``textfix.rules._scan.ellipsis_spans`` where it is built.)
_ELLIPSIS = regex.compile(r"\.{3,}|。{3,}|(?<!…)…(?!…)|⋯+")


@rule("punct.ellipsis", safety=Safety.SAFE)
def ellipsis(doc):
    """Ellipses in Chinese text not written ``……``.

    ## Why
    The Chinese ellipsis is two ``…`` (U+2026).  OCR gives ``...``, ``。。。``, a
    single ``…`` or the math ``⋯``.  Only ellipses next to Chinese text change.

    ## Example
        before: 扎根基层服务群众...李金以生动案例
        after:  扎根基层服务群众……李金以生动案例
    """
    text = doc.text
    if _scan is not None and _compiled.enabled():
        found = _scan.ellipsis_spans(text)
    # every match holds one of these (most pages hold none): four substring searches
    # cost far less than the pattern's scan
    elif "..." not in text and "。。。" not in text and "…" not in text and "⋯" not in text:
        return []
    else:
        found = [m.span() for m in _ELLIPSIS.finditer(text)]
    if not found:
        return []
    protected = Protected(text)
    out = []
    for s, e in found:
        if text[s:e] == "……" or s in protected:
            continue
        if _cjk(_prev(text, s)) or _cjk(_next(text, e - 1)):
            out.append(change(s, e, "……"))
    return out


#: (Its matches are found by ``textfix.rules._scan.dash_spans`` where it is built.)
_DASH = regex.compile(r"-{2,}|－{2,}|(?<!—)—(?!—)|―{1,2}|─{2,}|—{3,}")


@rule("punct.dash", safety=Safety.SAFE)
def dash(doc):
    """Dashes between Chinese text not written ``——``.

    ## Why
    The Chinese dash is two em dashes (U+2014).  OCR gives ``--``, ``－－``, a single
    ``—``, a horizontal bar or box-drawing lines, or a ``——`` that a wrap space cut
    in two (``— —``, where the wrap rule kept the space: a headline).  Only dashes
    with Chinese text on both sides change; ``2020-2021`` and ``a--b`` stay.

    ## Example
        before: 人民信访为人民--普法化雨润人心
        after:  人民信访为人民——普法化雨润人心
    """
    text = doc.text
    if _scan is not None and _compiled.enabled():
        found = _scan.dash_spans(text)  # the matches of _DASH, found in one pass
    else:
        found = [m.span() for m in _DASH.finditer(text)]
    out = []
    k = 0
    while k < len(found):
        s, e = found[k]
        k += 1
        if (e - s == 1 and text[s] == "—" and k < len(found) and found[k][1] - found[k][0] == 1
                and text[found[k][0]] == "—" and not text[e : found[k][0]].strip(" \t\u3000")):
            e = found[k][1]  # — —: one dash that a wrap space cut in two
            k += 1
        p, n = _prev(text, s), _next(text, e - 1)
        if _cjk(p) and _cjk(n):
            out.append(change(s, e, "——"))
    return out
