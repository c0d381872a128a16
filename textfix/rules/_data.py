"""Data the rules share, loaded once per process: the lexicon."""

from __future__ import annotations


def lexicon(dicts: tuple[str, ...] = (), protect: tuple[str, ...] = ()):
    """The shared :class:`textfix.fuzzy.Lexicon` (jieba's dictionary, textfix's newspaper
    terms, the user dictionaries and protect lists); a bad file is a ConfigError."""
    from ..fuzzy import LexiconError
    from ..fuzzy.lexicon import load_default
    from ..pipeline import ConfigError

    try:
        return load_default(tuple(dicts), tuple(protect))
    except LexiconError as e:
        raise ConfigError(str(e)) from None
    except OSError as e:
        raise ConfigError(f"cannot read dictionary {e.filename}: {e.strerror}") from None
