"""Stage ``layout``: the shape of the page in the text.

Output text is paragraphs separated by exactly one blank line, ending in one newline,
with no trailing spaces on any line.
"""

from __future__ import annotations

import regex

from .. import layout_blocks as _lb
from ..edit import Edit, Safety
from ..rule import change, rule

_TRAILING = regex.compile(r"[ \t\u3000]+(?=\n|\Z)")


@rule("layout.trailing-space", safety=Safety.SAFE)
def trailing_space(doc):
    """Spaces and tabs at the end of a line.

    ## Why
    Column layouts leave padding at line ends; it is invisible and meaningless, and it
    makes identical lines differ.

    ## Example
        before: 茂名晚报讯  \\n近年来
        after:  茂名晚报讯\\n近年来
    """
    for s, e in _trailing_runs(doc.text):
        yield Edit(s, e, "")


def _trailing_runs(text: str) -> list[tuple[int, int]]:
    """:func:`_trailing_runs_py`, by the compiled twin where it is built and enabled."""
    if _lb._use_twin():
        return _lb._layout.trailing_runs(text)
    return _trailing_runs_py(text)


def _trailing_runs_py(text: str) -> list[tuple[int, int]]:
    """The spans of the spaces, tabs and ideographic spaces at the end of a line."""
    # the pattern is tried only where it could match (most pages have no trailing space)
    if not _could_have_trailing_space(text):
        return []
    return [m.span() for m in _TRAILING.finditer(text)]


def _could_have_trailing_space(text: str) -> bool:
    """Is there a space, tab or ideographic space before a newline or at the end, the
    characters :data:`_TRAILING` needs to match?  (Faster than the pattern: its search
    tries every space of the page.)"""
    return " \n" in text or "\t\n" in text or "\u3000\n" in text or text.endswith((" ", "\t", "\u3000"))


_BLANKS = regex.compile(r"\n(?:[ \t\u3000]*\n)+")
_LEADING = regex.compile(r"\A(?:[ \t\u3000]*\n)+")


@rule("layout.blank-lines", safety=Safety.SAFE)
def blank_lines(doc):
    """Runs of blank lines, and blank lines at the start or end of the text.

    ## Why
    Page and column breaks leave several blank lines where one paragraph break is
    meant.  Paragraphs are separated by exactly one blank line, and the text ends
    with a single newline.

    ## Example
        before: 标题\\n\\n\\n\\n正文
        after:  标题\\n\\n正文\\n
    """
    text = doc.text
    if not text.strip():
        if text:
            yield Edit(0, len(text), "")
        return
    m = _LEADING.match(text)
    lead_end = m.end() if m else 0
    if lead_end:
        yield Edit(0, lead_end, "")
    # the end: exactly one newline after the last non-space character
    body_end = len(text.rstrip("\n \t\u3000"))
    for s, e in _blank_runs(text, lead_end, body_end):
        yield Edit(s, e, "\n\n")
    if text[body_end:] != "\n":
        yield Edit(body_end, len(text), "\n")


def _blank_runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """:func:`_blank_runs_py`, by the compiled twin where it is built and enabled."""
    if _lb._use_twin():
        return _lb._layout.blank_runs(text, start, end)
    return _blank_runs_py(text, start, end)


def _blank_runs_py(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of the runs of blank lines (:data:`_BLANKS`) in ``text[start:end]``
    (``0 <= start <= end <= len(text)``) that are not one blank line already."""
    return [m.span() for m in _BLANKS.finditer(text, start, end) if m.group() != "\n\n"]


# -- blocks, wraps and joins (the analysis lives in textfix.layout_blocks) ---------------

from ..edit import Flag, Label  # noqa: E402


@rule("layout.block-kind", safety=Safety.SAFE)
def block_kind(doc):
    """What each block of the page is: headline, byline, body, caption, furniture ….

    ## Why
    A page is headlines, bylines, body paragraphs, subheadings, photo captions and
    credits, source tags and page furniture; later rules and users of the output
    need to know which is which.  Evidence is in the text: patterns (``■通讯员 郑伟业``,
    ``本报驻罗马尼亚记者梁晓华``, a title and a name: ``中国剧协副主席胡可``,
    ``通讯员 刘伟娇 摄``, ``（茂健）``, ``值班主任：…``, ``本报讯``), whether a block ends a
    sentence, its length, and its position (a headline stands right before a byline
    or a dateline lead; a caption right before a credit).  The rule only labels; it
    never changes text.

    ## Example
        before: 标题\\n\\n■通讯员 张三\\n\\n本报讯 正文。
        after:  标题\\n\\n■通讯员 张三\\n\\n本报讯 正文。
    """
    # one list, not a generator: the pipeline takes ~45 labels a page from it (made
    # without the dataclass __init__ by the compiled twin where it is built)
    blocks = _lb.analyse(doc.text, doc.state).blocks
    if _lb._use_twin():
        return _lb._layout.block_labels(blocks, Label)
    return [Label(b.start, b.end, b.kind) for b in blocks]


@rule("layout.broken-paragraph", safety=Safety.GUESS, until_fixed=True)
def broken_paragraph(doc):
    """A paragraph split by a column or page break, or interrupted by a photo caption.

    ## Why
    The page was cut into columns before OCR, so a paragraph that runs from one column
    into the next comes out as two blocks (``前期工`` / ``作，提高…``), sometimes with a
    photo caption and credit between them.  An unfinished body block (no sentence end)
    is joined to the next body block when the text says they belong together: the
    first ends in a mark a sentence goes on after (``、``, ``，``; not a colon or a
    dash, after which a list, a quote or a label's text often starts a paragraph of
    its own: ``应采取以下措施：``, ``编者按：``), the second starts
    with one a paragraph never starts with, a word runs across the gap (``工|作``,
    ``同|时``), the second starts with a short clause that goes on with the sentence
    (``标准，``; not a usual opener such as ``同时，`` or ``连日来，``, nor a label before
    a colon, ``附记：``), or the wrapped lines are full width where a new paragraph's
    first line would be indented (on a page that indents its paragraphs: on one that
    sets every first line full, a full line says nothing; and only after a block whose
    last line is at least three quarters of a line: a shorter one ends there, as a
    headline does).  A finished paragraph is never joined, nor body text to a
    headline, byline or dateline lead (``本报讯``, ``本报北京1月18日讯``,
    ``据新华社北京1月19日电``).  A numbered list item (``(二)``, ``二、``) and the next of
    two short lines of verse (``片酬行情天天涨,`` / ``一集几千很寻常。``) start lines
    of their own.  A caption and credit between the two
    halves are moved after the rejoined paragraph; the move keeps their provenance.
    A join can give the block before it the evidence it lacked (the paragraph it now
    runs into goes on), so the rule runs again on its own output until it finds no
    join (at most four rounds): cleaning the output again joins nothing more.  A
    paragraph that ends in a sentence and a sign-off (``。（苏克尔）``, ``。——编者``) is
    finished.

    ## Example
        before: 提前完成立项等前期工\\n\\n作，提高项目成熟度。
        after:  提前完成立项等前期工作，提高项目成熟度。
    """
    lay = _lb.analyse(doc.text, doc.state)
    if not lay.joins:
        return
    text = doc.text
    blocks = lay.blocks
    by_a = {j.a: j for j in lay.joins}
    seen = set()
    edits = []
    for join in lay.joins:
        if join.a in seen:
            continue
        # follow the chain a -> b -> c …
        chain = []
        k = join.a
        while k in by_a:
            seen.add(k)
            chain.append(by_a[k])
            k = by_a[k].b
        moves = []
        for jn in chain:
            a, b = blocks[jn.a], blocks[jn.b]
            sep = " " if (a.vis[-1].isascii() and a.vis[-1].isalpha() and b.vis[0].isascii()
                          and b.vis[0].isalpha()) else ""
            edits.append(Edit(a.end, b.start, sep, note=f"join ({jn.evidence})"))
            if jn.skipped:
                c0, c1 = blocks[jn.skipped[0]], blocks[jn.skipped[-1]]
                moves.append((c0.start, text[c0.start:c1.end]))
        if moves:
            end = blocks[chain[-1].b].end
            for origin, moved in moves:
                edits.append(Edit(end, end, "\n\n", note="caption moved after its paragraph"))
                edits.append(Edit(end, end, moved, moved_from=origin,
                                  note="caption moved after its paragraph"))
    yield from edits


@rule("layout.wrap-space", safety=Safety.SAFE)
def wrap_space(doc):
    """Spaces and line breaks a column wrap left inside a line of text.

    ## Why
    OCR of a narrow column gives a space (or a newline) at every line end, so body
    text reads ``茂南区 委书记``, ``系统梳理了 1949年``.  Inside body text, captions and
    subheadings every space or single newline between Chinese characters,
    punctuation and digits is a wrap and goes (a single newline between Latin words
    becomes a space).  Meaningful spaces stay: after a dateline (``本报讯 12月1日``,
    ``茂名晚报讯 记者陈琴 9月1日``), between names in bylines and credits, in page
    furniture, between Latin words, inside numbers, e-mail addresses and URLs.  In a
    headline a space usually separates phrases (``打好“组合拳” 持续做优做强``) and
    stays, unless one of its spaces is certainly a wrap (inside quotes or
    brackets, next to a number: ``2023 年“宪法宣传 周”``) — then the headline was wrapped
    and all of its wrap spaces go.

    ## Example
        before: 本报讯 12月1日,茂南区 委书记廖述毅带领有关人员到 城南街道
        after:  本报讯 12月1日,茂南区委书记廖述毅带领有关人员到城南街道
    """
    # change(): Edit(s, e, r) by the compiled constructor where it is built (46k wraps in
    # the 244 noised benchmark pages), in one list rather than yielded one by one
    blocks = _lb.analyse(doc.text, doc.state).blocks
    if _lb._use_twin():
        # the same edits, from the wraps of the blocks the analysis left to find
        return _lb._layout.wrap_edits(blocks, change, _lb._char_class)
    return [change(s, e, r) for b in blocks for s, e, r in b.wraps]


@rule("layout.incomplete-paragraph", safety=Safety.SAFE)
def incomplete_paragraph(doc):
    """A body paragraph whose text runs off the page.

    ## Why
    When a column was cut and its continuation is not on the page, a paragraph stops
    mid-sentence (``…满足老百姓美好生活`` followed by a headline).  The missing text
    cannot be known, so the paragraph is flagged ``incomplete`` and never padded or
    guessed at.  A paragraph that ends in a colon announces what follows (a list, a
    quote: ``按以下办法办理：``), a numbered item or section head (``三、农村镇的集市数量和结构``)
    is a line of a list, one that ends in a closing bracket or quote is a header or a
    sign-off (``九三学社（35人）``, ``（附图片1张）``), and one that is half digits or more is a
    line of a table (``南京-2.4-3.8-0.2``): none of them stops mid-sentence, and none
    is flagged.

    ## Example
        before: 创建更加美好居住环境，满足老百姓美好生活\\n\\n■通讯员 张丽雯\\n\\n本报讯 日前，活动举行。
        after:  创建更加美好居住环境，满足老百姓美好生活\\n\\n■通讯员 张丽雯\\n\\n本报讯 日前，活动举行。
    """
    lay = _lb.analyse(doc.text, doc.state)
    for i in sorted(lay.incomplete):
        b = lay.blocks[i]
        if _stops_mid_sentence(b.vis):
            yield Flag(b.start, b.end, "incomplete", note="the paragraph stops mid-sentence")


#: what a paragraph that stops short of its sentence's end does not end in: a colon (it
#: announces what follows), a closing bracket or quote (a header or sign-off)
_NOT_MID_SENTENCE = frozenset("：:）)》〉」』”’】")


def _stops_mid_sentence(vis: str) -> bool:
    """Does unfinished block text ``vis`` stop mid-sentence, rather than announce a list
    or be a numbered line, a header, a sign-off or a line of a table?  (On the 244
    clean archive pages, where nothing is missing, 240 of the 411 paragraphs flagged
    before were these.)"""
    if vis[-1:] in _NOT_MID_SENTENCE:
        return False
    if _lb.numbered(vis):
        return False
    return 2 * sum(c.isdigit() for c in vis) < len(vis)
