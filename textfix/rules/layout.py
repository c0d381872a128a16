"""Stage ``layout``: the shape of the page in the text.

Output text is paragraphs separated by exactly one blank line, ending in one newline,
with no trailing spaces on any line.
"""

from __future__ import annotations

import regex

from ..edit import Edit, Safety
from ..rule import rule

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
    for m in _TRAILING.finditer(doc.text):
        yield Edit(m.start(), m.end(), "")


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
    for m in _BLANKS.finditer(text, lead_end, body_end):
        if m.group() != "\n\n":
            yield Edit(m.start(), m.end(), "\n\n")
    if text[body_end:] != "\n":
        yield Edit(body_end, len(text), "\n")
