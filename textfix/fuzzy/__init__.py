"""textfix.fuzzy: find and judge OCR glyph misreadings against a lexicon."""
from .confusions import CONFUSIONS_TSV, Confusions
from .lexicon import Lexicon, LexiconError, read_dict
from .matcher import Candidate, Matcher, VariantParams, reference_find

__all__ = ["CONFUSIONS_TSV", "Candidate", "Confusions", "Lexicon", "LexiconError", "Matcher", "read_dict", "reference_find", "VariantParams"]
