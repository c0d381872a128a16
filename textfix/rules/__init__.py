"""The rules, grouped by stage, and the one ordered tuple that *is* the pipeline.

Adding a rule touches three places: its function in the stage module, one line in
:data:`PIPELINE`, and its case file in ``tests/cases/<stage>/<rule>.txt``.
"""

from __future__ import annotations

from . import convert, layout, punct, unicode, width

#: Every rule, in the order the pipeline runs them.
PIPELINE = (
    unicode.line_ending,
    unicode.invisible_char,
    unicode.not_nfc,
    unicode.replacement_char,
    width.fullwidth_alnum,
    convert.opencc_convert,
    layout.trailing_space,
    layout.blank_lines,
    punct.halfwidth_in_cjk,
    punct.straight_quotes,
    punct.ellipsis,
    punct.dash,
)

#: Rules by name.
RULES = {r.name: r for r in PIPELINE}
