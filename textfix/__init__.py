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

__all__ = [
    "clean", "Pipeline", "Config", "ConfigError", "Result", "Paragraph", "Edit", "Flag",
    "Label", "Safety", "EditError", "RuleError", "Rule", "Doc", "rule", "SCHEMA", "rules",
    "__version__",
]


def rules():
    """Every rule, in pipeline order."""
    from .rules import PIPELINE

    return PIPELINE
