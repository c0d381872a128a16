"""Backing the matcher's index with 2 MB pages (Linux).

The glyph matcher's index (~70 MB; the automaton a pure-Python install scans with,
~220 MB) is read at random, a lookup or more for many characters of every page.  With
the usual 4 KB pages almost every lookup also misses the processor's address-translation
cache; backed by 2 MB pages the same memory needs 512 times fewer translations.  The
whole pipeline ran ~9% faster on noised archive pages that way when the automaton
scanned; with the smaller index the gain is 0-6% (alternating runs on a busy machine).

:func:`new_regions` notes the process's anonymous memory before and after the index is
built, and :func:`back_with_huge_pages` asks the kernel (``madvise`` with
``MADV_HUGEPAGE``, then ``MADV_COLLAPSE``, Linux 6.1 and later) to move what appeared
onto 2 MB pages — in a background thread, since collapsing takes kernel time that no
page has to wait for.  Nothing changes but speed: the contents of the memory
are the same, and where the kernel, the platform or the setting does not allow it
(``TEXTFIX_HUGE_PAGES=0``), nothing is done.

The scorer's word trie (``textfix.fuzzy._core``, ~16 MB, also read at random) and its
hash maps of 2 MB or more (the quick bound's tables, 20 MB; the bigrams and trigrams)
ask for 2 MB pages themselves when they are allocated, under the same setting
(:func:`enabled`).
"""

from __future__ import annotations

import os
import sys
import threading

_HUGE = 1 << 21
_MADV_HUGEPAGE = 14
_MADV_COLLAPSE = 25


def enabled() -> bool:
    """True on Linux unless ``TEXTFIX_HUGE_PAGES`` is set to ``0`` (or empty)."""
    return sys.platform.startswith("linux") and os.environ.get("TEXTFIX_HUGE_PAGES", "1") not in ("0", "")


def anonymous_regions() -> set[tuple[int, int]]:
    """``(start, end)`` of the process's writable anonymous mappings (the heap included),
    from ``/proc/self/maps``; empty where it cannot be read."""
    out = set()
    try:
        with open("/proc/self/maps", encoding="ascii") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) > 5 and parts[5] != "[heap]":
                    continue  # a file, a stack or another special mapping
                if not parts[1].startswith("rw"):
                    continue
                a, b = parts[0].split("-")
                out.add((int(a, 16), int(b, 16)))
    except (OSError, ValueError, IndexError):
        return set()
    return out


def new_regions(before: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """The anonymous regions there are now and were not in ``before`` (a region that
    grew counts as new), largest first."""
    return sorted(anonymous_regions() - before, key=lambda r: r[0] - r[1])


def _madvise():
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    f = libc.madvise
    f.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    f.restype = ctypes.c_int
    return f


def collapse(regions: list[tuple[int, int]]) -> int:
    """Move the 2 MB-aligned part of each region onto 2 MB pages, now; the bytes the
    kernel accepted (0 where it cannot: an old kernel, transparent huge pages off, not
    Linux)."""
    if not regions or not enabled():
        return 0
    try:
        madvise = _madvise()
    except (OSError, AttributeError):
        return 0
    done = 0
    for a, b in regions:
        lo = (a + _HUGE - 1) & ~(_HUGE - 1)
        hi = b & ~(_HUGE - 1)
        if hi <= lo:
            continue
        if madvise(lo, hi - lo, _MADV_HUGEPAGE) != 0:
            continue
        if madvise(lo, hi - lo, _MADV_COLLAPSE) == 0:
            done += hi - lo
    return done


def back_with_huge_pages(regions: list[tuple[int, int]]) -> threading.Thread | None:
    """:func:`collapse` the regions in a background (daemon) thread, which is returned
    (None when there is nothing to do).  ``ctypes`` releases the interpreter lock for
    the system calls, so cleaning goes on meanwhile."""
    if not regions or not enabled():
        return None
    t = threading.Thread(target=collapse, args=(list(regions),), name="textfix-huge-pages", daemon=True)
    t.start()
    _pending.append(t)
    return t


_pending: list[threading.Thread] = []


def wait() -> None:
    """Wait for the collapses started so far (:meth:`textfix.Pipeline.warm` does,
    so that workers forked after it share 2 MB pages)."""
    while _pending:
        _pending.pop().join()
