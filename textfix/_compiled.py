"""Whether textfix uses its compiled twins.

Five small C extensions are built with the package where a C compiler is available:
``textfix.fuzzy._core`` (the scorer's arithmetic), ``textfix.fuzzy._index`` (the
matcher's scan for the lexicon's look-alike variants), ``textfix.rules._scan`` (the scans
of the repeat and garbled stages and the garbled stage's segmenter),
``textfix._provenance`` (the source map's composition and queries) and ``textfix._layout``
(the layout analysis' scan for column wraps).  Each computes exactly what a pure-Python
function (or, for the index, the ``ahocorasick-rs`` automaton) computes — the reference,
kept beside it and compared with it by the tests — only faster.  They are used by
default; the environment variable ``TEXTFIX_PURE_PYTHON=1`` switches them off (as does a
build without a compiler).
"""

from __future__ import annotations

import os
import threading


# What enabled() answers while this thread cleans a text (see pinned); None outside.
_local = threading.local()
_local.pinned = None


def enabled() -> bool:
    """False when ``TEXTFIX_PURE_PYTHON`` is set (to anything but an empty string)."""
    v = getattr(_local, "pinned", None)
    if v is not None:
        return v
    return not os.environ.get("TEXTFIX_PURE_PYTHON")


class pinned:
    """While in this context, :func:`enabled` gives (in this thread) the answer it gave
    on entry, without reading the environment again.  :meth:`textfix.Pipeline.clean`
    cleans a text in it: its rules ask ~30 times a page, and reading the environment
    took ~1.5% of the time on noised archive pages.  Nested contexts keep the
    outermost answer."""

    __slots__ = ("_saved",)

    def __enter__(self) -> "pinned":
        self._saved = v = getattr(_local, "pinned", None)
        if v is None:
            _local.pinned = not os.environ.get("TEXTFIX_PURE_PYTHON")
        return self

    def __exit__(self, *exc) -> None:
        _local.pinned = self._saved
