"""textfix: clean the raw OCR text of scanned Chinese newspaper pages, losslessly.

    >>> import textfix
    >>> r = textfix.clean("茂名晚报讯 近年来,我市\\n")
    >>> r.text
    '茂名晚报讯 近年来，我市\\n'
    >>> r.restore() == "茂名晚报讯 近年来,我市\\n"
    True
"""

from .edit import Edit, EditError, Flag, Label, Safety
from .pipeline import Config, ConfigError, Pipeline, RuleError, clean
from .result import SCHEMA, Paragraph, Result
from .rule import Doc, Rule, rule

__version__ = "0.1.0"


def clean_iter(texts, **options):
    """Clean each text of an iterable lazily with one pipeline (options checked and data
    loaded once): a generator of :class:`Result`, for tools that pre-process text.

        >>> [r.text for r in clean_iter(["近年来,我市", "第一行\\r\\n"])]
        ['近年来，我市\\n', '第一行\\n']
    """
    return Pipeline(**options).map(texts)

__all__ = [
    "clean", "Pipeline", "Config", "ConfigError", "Result", "Paragraph", "Edit", "Flag",
    "Label", "Safety", "EditError", "RuleError", "Rule", "Doc", "rule", "SCHEMA", "rules",
    "clean_iter",
    "__version__",
]


def rules():
    """Every rule, in pipeline order."""
    from .rules import PIPELINE

    return PIPELINE
