"""Stage ``unicode``: Unicode hygiene, the first thing every text goes through.

Line endings become ``\\n``; invisible and control characters go (each removal is an
edit, so nothing is lost); the text is brought to NFC; U+FFFD replacement characters
are kept and flagged, since what they stood for is gone.
"""

from __future__ import annotations

import re
import unicodedata

import regex

from .. import _compiled
from ..chars import CharClass, class_find, class_runs
from ..edit import Edit, Flag, Safety
from ..rule import rule

try:
    from . import _scan
except ImportError:  # not built: the patterns do the work
    _scan = None


def _compiled_scan():
    """``textfix.rules._scan`` where it is built and used, else None (the patterns)."""
    return _scan if _scan is not None and _compiled.enabled() else None


_LINE_ENDINGS = regex.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
#: The characters a line ending starts with (most pages hold none: the scan for them
#: costs far less than the pattern's).
_LINE_END = regex.compile(r"[\r\u2028\u2029\x85\x0b\x0c]")
_LINE_END_CLASS = CharClass("\r\u2028\u2029\x85\x0b\x0c")


@rule("unicode.line-ending", safety=Safety.SAFE)
def line_ending(doc):
    """Line endings other than ``\\n``.

    ## Why
    Windows (``\\r\\n``), old Mac (``\\r``) and Unicode line and paragraph separators,
    vertical tab and form feed all end a line; the rules downstream speak only ``\\n``.

    ## Example
        before: 第一行\\r\\n第二行
        after:  第一行\\n第二行
    """
    text = doc.text
    first = class_find(text, _LINE_END, _LINE_END_CLASS, _compiled_scan())
    if first < 0:
        return
    for m in _LINE_ENDINGS.finditer(text, first):
        yield Edit(m.start(), m.end(), "\n")


#: C0 and C1 controls except tab and newline, DEL, zero-width and bidi marks, the
#: byte-order mark, soft hyphen, and other default-ignorable format characters.
#: (The standard ``re`` scans this class three times as fast as ``regex``; no Unicode
#: property is involved, so both read it alike.)
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]+"
)
#: The code points of :data:`_INVISIBLE`, for the compiled scan.
_INVISIBLE_CLASS = CharClass("\x7f\u00ad\u180e\ufeff", (
    (0x00, 0x08), (0x0E, 0x1F), (0x80, 0x84), (0x86, 0x9F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFFF9, 0xFFFB)))


@rule("unicode.invisible-char", safety=Safety.SAFE)
def invisible_char(doc):
    """Control, zero-width and other invisible characters.

    ## Why
    OCR engines and the tools around them leave NULs, escape codes, zero-width spaces,
    byte-order marks and bidi controls in the text.  They break search and
    segmentation and carry no meaning; each removal is recorded.

    ## Example
        before: 茂名\\u200b晚报\\x07讯
        after:  茂名晚报讯
    """
    text = doc.text
    for s, e in class_runs(text, _INVISIBLE, _INVISIBLE_CLASS, _compiled_scan()):
        yield Edit(s, e, "", note=" ".join(f"U+{ord(c):04X}" for c in text[s:e][:8]))


_NON_ASCII_RUN = regex.compile(r"[^\x00-\x7f]+(?:[\x00-\x7f][^\x00-\x7f]+)*")


@rule("unicode.not-nfc", safety=Safety.SAFE)
def not_nfc(doc):
    """Text not in Unicode normalization form C.

    ## Why
    The same character can be encoded in several ways (a letter plus a combining
    accent, or a CJK compatibility ideograph such as U+F900).  NFC gives one
    encoding, so that search, dictionaries and deduplication see equal text as equal.

    ## Example
        before: cafe\\u0301 \\uf900
        after:  caf\\u00e9 \\u8c48
    """
    text = doc.text
    if unicodedata.is_normalized("NFC", text):
        return
    start = 0
    for line in text.split("\n"):
        if not unicodedata.is_normalized("NFC", line):
            yield from diff_edits(line, unicodedata.normalize("NFC", line), start)
        start += len(line) + 1


def diff_edits(old: str, new: str, offset: int = 0, note: str = ""):
    """Edits that turn ``old`` into ``new`` (placed at ``offset``): any ``str -> str``
    converter becomes a rule by diffing its input and output."""
    if old == new:
        return
    from rapidfuzz.distance import Levenshtein

    for op in Levenshtein.opcodes(old, new):
        if op.tag == "equal":
            continue
        yield Edit(offset + op.src_start, offset + op.src_end, new[op.dest_start : op.dest_end], note=note)


@rule("unicode.replacement-char", safety=Safety.SAFE)
def replacement_char(doc):
    """U+FFFD replacement characters: text that was lost before textfix saw it.

    ## Why
    A U+FFFD stands where a decoder met bytes it could not read.  What was there
    cannot be recovered, so the character is kept and the span flagged
    (``replacement-char``) for review; nothing is invented.

    ## Example
        before: 茂名\\ufffd报讯
        after:  茂名\\ufffd报讯
    """
    text = doc.text
    pos = text.find("\ufffd")
    while pos != -1:
        end = pos + 1
        while end < len(text) and text[end] == "\ufffd":
            end += 1
        yield Flag(pos, end, "replacement-char", note=f"{end - pos} character(s) lost in decoding")
        pos = text.find("\ufffd", end)
