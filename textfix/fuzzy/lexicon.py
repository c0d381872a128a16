"""Word lists with frequencies: the general lexicon, domain terms, user
dictionaries and protect lists.

File format (user dictionaries, ``textfix/data/news_terms.tsv``, the output of
:func:`textfix.fuzzy.terms.write_terms`)::

    # comment lines and blank lines are ignored
    word                    # frequency defaults to ``default_freq``
    word<TAB or spaces>123  # a whole, non-negative frequency
    word 123 tag            # a third column (a part-of-speech tag, as in
                            # jieba's dict.txt) is allowed and ignored

Anything else (a fourth column, a frequency that is not a whole number) raises
:class:`LexiconError` naming the file and the line.
"""

from __future__ import annotations

import hashlib
import math
import functools
import os
from pathlib import Path
from typing import Iterable, Mapping

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
NEWS_TERMS = DATA_DIR / "news_terms.tsv"
DEFAULT_USER_FREQ = 1000


class LexiconError(ValueError):
    """A dictionary file has a line textfix cannot read."""


def jieba_dict_path() -> Path:
    """The general lexicon: ``jieba/dict.txt`` of the installed jieba package
    (MIT licence, ~349k words with corpus frequencies)."""
    try:
        import jieba  # noqa: F401  (only its data file is used)
    except ImportError as e:  # pragma: no cover - jieba is a dependency
        raise LexiconError("the default lexicon needs the 'jieba' package (pip install jieba)") from e
    return Path(jieba.__file__).resolve().parent / "dict.txt"


def read_dict(path: str | os.PathLike, default_freq: int = DEFAULT_USER_FREQ) -> dict[str, int]:
    """Read one dictionary file into ``{word: frequency}``.

    Later lines for the same word add to its frequency.
    """
    path = Path(path)
    name = path.name
    out: dict[str, int] = {}
    try:
        fh = open(path, encoding="utf-8")
    except OSError as e:
        raise LexiconError(f"{name}: cannot read: {e.strerror or e}") from e
    with fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if "#" in line:
                line = line.split("#", 1)[0].strip()
            parts = line.split()
            word = parts[0]
            if len(parts) == 1:
                freq = default_freq
            elif len(parts) <= 3:
                f = parts[1]
                if not f.isascii() or not f.isdigit():
                    raise LexiconError(f"{name}, line {lineno}: frequency {f!r} is not a whole number")
                freq = int(f)
            else:
                raise LexiconError(
                    f"{name}, line {lineno}: expected 'word [frequency [tag]]', got {len(parts)} fields"
                )
            out[word] = out.get(word, 0) + freq
    return out


def read_protect(path: str | os.PathLike) -> set[str]:
    """A protect list: one word per line (further columns are ignored)."""
    return set(read_dict(path, default_freq=1))


class Lexicon:
    """Words with frequencies, plus words that must never be changed.

    ``freq`` maps a word to its count; :meth:`logp` is its unigram log
    probability (with a floor for unknown words).
    """

    __slots__ = ("freq", "protect", "total", "max_len", "_logtotal", "sources")

    def __init__(self, freq: Mapping[str, int], protect: Iterable[str] = (), sources: Iterable[str] = ()):
        self.freq: dict[str, int] = dict(freq)
        self.protect: frozenset[str] = frozenset(protect)
        self.sources: tuple[str, ...] = tuple(sources)
        self._refresh()

    def _refresh(self) -> None:
        self.total = sum(self.freq.values()) or 1
        self._logtotal = math.log(self.total)
        self.max_len = max((len(w) for w in self.freq), default=1)

    # -- construction -------------------------------------------------
    @classmethod
    def default(
        cls,
        user_dicts: Iterable[str | os.PathLike] = (),
        protect: Iterable[str] = (),
        protect_files: Iterable[str | os.PathLike] = (),
        general: bool = True,
        domain: bool = True,
    ) -> "Lexicon":
        """jieba's general lexicon + textfix's newspaper terms + user dictionaries."""
        freq: dict[str, int] = {}
        sources = []
        files = []
        if general:
            files.append(jieba_dict_path())
        if domain:
            files.append(NEWS_TERMS)
        files.extend(Path(p) for p in user_dicts)
        for p in files:
            for w, f in read_dict(p).items():
                freq[w] = freq.get(w, 0) + f
            sources.append(str(p))
        prot = set(protect)
        for p in protect_files:
            prot |= read_protect(p)
        return cls(freq, prot, sources)

    def add(self, words: Mapping[str, int] | Iterable[str], freq: int = DEFAULT_USER_FREQ) -> "Lexicon":
        """A new lexicon with ``words`` added (their frequencies summed in)."""
        new = dict(self.freq)
        items = words.items() if isinstance(words, Mapping) else ((w, freq) for w in words)
        for w, f in items:
            new[w] = new.get(w, 0) + int(f)
        return Lexicon(new, self.protect, self.sources)

    # -- queries --------------------------------------------------------
    def __contains__(self, word: str) -> bool:
        return word in self.freq

    def __len__(self) -> int:
        return len(self.freq)

    def get(self, word: str) -> int:
        return self.freq.get(word, 0)

    def logp(self, word: str, floor: float = 0.5) -> float:
        return math.log(self.freq.get(word) or floor) - self._logtotal

    def fingerprint(self) -> str:
        """A hash of the content, for keying caches."""
        h = hashlib.blake2b(digest_size=16)
        for w in sorted(self.freq):
            h.update(f"{w}\t{self.freq[w]}\n".encode())
        h.update(b"\0protect\0")
        for w in sorted(self.protect):
            h.update(w.encode() + b"\n")
        return h.hexdigest()


def load_default(user_dicts: tuple[str, ...] = (), protect_files: tuple[str, ...] = ()) -> "Lexicon":
    """:meth:`Lexicon.default`, loaded once per process for each set of user files
    (the rules of every Pipeline share it)."""
    return _load_default(tuple(user_dicts), tuple(protect_files))


@functools.lru_cache(maxsize=4)
def _load_default(user_dicts: tuple[str, ...], protect_files: tuple[str, ...]) -> "Lexicon":
    # one cache key however the caller passes the files (positionally, by name, none)
    return Lexicon.default(user_dicts=user_dicts, protect_files=protect_files)
