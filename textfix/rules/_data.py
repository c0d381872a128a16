"""Data the rules share, loaded once per process: the lexicon."""

from __future__ import annotations


#: ``(key, lexicon)`` of the last call: the rules ask for it several times a page, and
#: the way through the loader's cache took ~3 us each time.
_last: tuple | None = None


def lexicon(dicts: tuple[str, ...] = (), protect: tuple[str, ...] = ()):
    """The shared :class:`textfix.fuzzy.Lexicon` (jieba's dictionary, textfix's newspaper
    terms, the user dictionaries and protect lists); a bad file is a ConfigError."""
    global _last
    key = (tuple(dicts), tuple(protect))
    last = _last
    if last is not None and last[0] == key:
        return last[1]
    lex = _load(*key)
    _last = (key, lex)
    return lex


def _load(dicts: tuple[str, ...], protect: tuple[str, ...]):
    from ..fuzzy import LexiconError
    from ..fuzzy.lexicon import load_default
    from ..pipeline import ConfigError

    try:
        return load_default(dicts, protect)
    except LexiconError as e:
        raise ConfigError(str(e)) from None
    except OSError as e:
        raise ConfigError(f"cannot read dictionary {e.filename}: {e.strerror}") from None
