"""The rules, grouped by stage, and the one ordered tuple that *is* the pipeline.

Adding a rule touches three places: its function in the stage module, one line in
:data:`PIPELINE`, and its case file in ``tests/cases/<stage>/<rule>.txt``.
"""

from __future__ import annotations

from . import confusable, convert, garbled, layout, punct, repeat, stray, unicode, width

#: Every rule, in the order the pipeline runs them.
PIPELINE = (
    unicode.line_ending,
    unicode.invisible_char,
    unicode.not_nfc,
    unicode.replacement_char,
    width.fullwidth_alnum,
    convert.opencc_convert,
    stray.private_use,  # first: a line is judged without the invisible junk it carries
    stray.noise_line,  # before layout: a paragraph is joined across the nonsense it held
    layout.trailing_space,
    layout.block_kind,
    layout.broken_paragraph,
    layout.incomplete_paragraph,  # on the analysis the join rule made of the joined text
    layout.wrap_space,
    stray.column_rule,
    stray.misread_bullet,
    stray.latin_in_han,
    stray.symbol_in_han,
    repeat.doubled_line,
    repeat.doubled_clause,
    repeat.doubled_word,
    garbled.unreadable,
    confusable.glyph_misread,
    punct.halfwidth_in_cjk,
    punct.straight_quotes,
    punct.ellipsis,
    punct.dash,
    layout.blank_lines,  # last: whatever the rules removed, one blank line between paragraphs
)

#: Rules by name.
RULES = {r.name: r for r in PIPELINE}
