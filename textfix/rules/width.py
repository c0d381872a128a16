"""Stage ``width``: character width.

Full-width Latin letters and digits (``ＡＢＣ１２３``) become their ASCII forms, so that
numbers, codes and Latin words are searchable; Chinese punctuation keeps its width.
"""

from __future__ import annotations

import re

from .. import _compiled
from ..edit import Safety
from ..rule import change, rule

try:
    from . import _scan
except ImportError:  # not built: the pure-Python definition does the work
    _scan = None

#: (Plain code point ranges: ``re`` reads the pattern as ``regex`` does and scans a
#: page several times as fast.)
_FULLWIDTH = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+(?:[．][０-９]+)*[％]?")
_TO_HALF = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}


@rule("width.fullwidth-alnum", safety=Safety.SAFE)
def fullwidth_alnum(doc):
    """Full-width Latin letters and digits.

    ## Why
    Full-width ``Ａ``–``Ｚ``, ``ａ``–``ｚ`` and ``０``–``９`` (with a decimal point between
    digits and a trailing percent sign) look like ASCII but are different characters:
    ``２０２３`` does not match a search for ``2023``.  Their meaning is unchanged by
    the half-width form.

    ## Example
        before: ＧＤＰ增长５．２％，ＡＢＣ１２３
        after:  GDP增长5.2%，ABC123
    """
    if _scan is not None and _compiled.enabled():
        return _scan.fullwidth_edits(doc.text, change)
    return _fullwidth_py(doc.text)


def _fullwidth_py(text: str) -> list:
    """The edits of :func:`fullwidth_alnum` for ``text``, in order: each match of
    :data:`_FULLWIDTH` and its ASCII form.  The reference definition; its compiled
    twin ``textfix.rules._scan.fullwidth_edits`` finds the same runs in one pass."""
    return [change(m.start(), m.end(), m.group().translate(_TO_HALF))
            for m in _FULLWIDTH.finditer(text)]
