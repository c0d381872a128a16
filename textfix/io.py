"""Reading input: bytes to text with encoding detection and errors a person can act on."""

from __future__ import annotations

import codecs
import os

import regex


class InputError(Exception):
    """The input cannot be read as text; the message is one sentence saying why and what to do."""


#: Byte-order marks and the codec that reads them (the UTF-8 BOM is kept as U+FEFF so
#: that its removal is an edit like any other).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_HAN = regex.compile(r"\p{Han}")


def decode(data: bytes, name: str = "<stdin>", encoding: str | None = None,
           errors: str = "strict") -> str:
    """Decode ``data`` read from ``name``.

    Without ``encoding``: a UTF-16/32 byte-order mark decides; otherwise UTF-8; if that
    fails, GB18030 (which covers GBK and GB2312) when the result is mostly Chinese.
    Binary data (NUL bytes without a UTF-16/32 mark) is refused.  ``errors="replace"``
    turns undecodable bytes into U+FFFD, which textfix then flags.
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}") from None
        try:
            return data.decode(encoding, errors)
        except UnicodeDecodeError as e:
            raise InputError(_decode_message(name, e, encoding)) from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec, errors)
            except UnicodeDecodeError as e:
                raise InputError(_decode_message(name, e, codec)) from None
    if b"\x00" in data[:65536]:
        raise InputError(
            f"{name} looks like a binary file (it contains NUL bytes), not text; "
            "textfix reads UTF-8, UTF-16 with a byte-order mark or GB18030 text"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and _mostly_chinese(text):
            return text
        if errors == "replace":
            return data.decode("utf-8", "replace")
        raise InputError(_decode_message(name, utf8_error, "utf-8 (nor GB18030)")) from None


def _mostly_chinese(text: str) -> bool:
    non_ascii = sum(1 for c in text if ord(c) > 127)
    return non_ascii > 0 and len(_HAN.findall(text)) >= 0.6 * non_ascii


def _decode_message(name: str, e: UnicodeDecodeError, codec: str) -> str:
    bad = e.object[e.start : e.start + 1]
    return (
        f"{name} is not valid {codec.upper().replace('(NOR', '(nor')}: byte 0x{bad.hex()} at offset {e.start} cannot be "
        f"decoded; name the encoding with --encoding (e.g. --encoding gb18030) or use "
        f"--errors replace to keep going with U+FFFD in its place"
    )


def read_path(path: str, encoding: str | None = None, errors: str = "strict") -> str:
    """Read and decode a file, turning every OS problem into an :class:`InputError`."""
    if os.path.isdir(path):
        raise InputError(f"{path} is a directory; give the files in it, or use `textfix clean {path} -o OUTDIR`")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from None
    return decode(data, path, encoding, errors)
