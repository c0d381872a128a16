"""Stage ``convert``: script conversion through OpenCC (opt-in).

``convert="t2s"`` (``--convert t2s``) converts Traditional to Simplified Chinese with
OpenCC's phrase-aware dictionaries; any OpenCC configuration name works
(``tw2s``, ``hk2s``, ``s2t`` …).  The converter's changes are recorded as edits like
any other rule's, by diffing each block's input and output.
"""

from __future__ import annotations

from typing import Any

from ..edit import Safety
from ..rule import rule
from .unicode import diff_edits

#: The conversion configurations shipped with OpenCC.
OPENCC_CONFIGS = (
    "s2t", "t2s", "s2tw", "tw2s", "s2hk", "hk2s", "s2twp", "tw2sp",
    "t2tw", "tw2t", "t2hk", "hk2t", "t2jp", "jp2t",
)


def opencc_converter(name: str, resources: dict[str, Any]):
    """The OpenCC converter for ``name``, made once per pipeline."""
    key = f"opencc:{name}"
    if key not in resources:
        from ..pipeline import ConfigError

        base = name[:-5] if name.endswith(".json") else name
        if base not in OPENCC_CONFIGS:
            raise ConfigError(
                f"unknown conversion {name!r}; OpenCC offers: {', '.join(OPENCC_CONFIGS)}"
            )
        import opencc

        resources[key] = opencc.OpenCC(base)
    return resources[key]


@rule("convert.opencc", safety=Safety.SAFE, default=False)
def opencc_convert(doc):
    """Traditional (or other) Chinese script, converted with OpenCC when asked.

    ## Why
    Archives mix Traditional and Simplified pages; search and NLP want one script.
    Runs only with ``convert=`` / ``--convert``; ``t2s`` is assumed when the rule is
    enabled by name alone.

    ## Example
        before: 繁體中文的報紙
        after:  繁体中文的报纸
    """
    name = doc.config.convert or "t2s"
    conv = opencc_converter(name, doc.resources)
    text = doc.text
    start = 0
    for line in text.split("\n"):
        if line:
            out = conv.convert(line)
            if out != line:
                yield from diff_edits(line, out, start, note=f"OpenCC {name}")
        start += len(line) + 1
