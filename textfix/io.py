"""Reading input: bytes to text with encoding detection and errors a person can act on."""

from __future__ import annotations

import codecs
import os
import threading
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator

from .chars import HAN_CHAR as _HAN


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



@dataclass
class Decoded:
    """Decoded text, the codec that read it and the bytes that could not be read.

    ``replaced`` lists one ``{"offset", "byte_offset", "bytes"}`` dict per run of
    undecodable bytes turned into U+FFFD (``errors="replace"``): ``offset`` is the
    character offset of the U+FFFD in ``text``, ``byte_offset`` where the bytes were in
    the input and ``bytes`` their hex, so nothing is lost silently.
    """

    text: str
    encoding: str
    replaced: list[dict] = field(default_factory=list)


def decode(data: bytes, name: str = "<stdin>", encoding: str | None = None,
           errors: str = "strict") -> str:
    """Decode ``data`` read from ``name``.

    Without ``encoding``: a UTF-16/32 byte-order mark decides; otherwise UTF-8; if that
    fails, GB18030 (which covers GBK and GB2312) when the result is mostly Chinese.
    Binary data (NUL bytes without a UTF-16/32 mark) is refused.  ``errors="replace"``
    turns undecodable bytes into U+FFFD, which textfix then flags.
    """
    return decode_bytes(data, name, encoding, errors).text


def decode_bytes(data: bytes, name: str = "<stdin>", encoding: str | None = None,
                 errors: str = "strict") -> Decoded:
    """Like :func:`decode`, and say which codec was used and which bytes were replaced."""
    _check_errors(errors)
    if encoding:
        codec = _lookup(encoding)
        return _decode_as(data, codec, errors, name)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_as(data, codec, errors, name)
    if b"\x00" in data[:65536]:
        raise InputError(_binary_message(name))
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and _mostly_chinese(text):
            return Decoded(text, "gb18030")
        if errors == "replace":
            as_utf8 = _decode_as(data, "utf-8", errors, name)
            as_gb = _decode_as(data, "gb18030", errors, name)
            if len(as_gb.replaced) < len(as_utf8.replaced) and _mostly_chinese(as_gb.text):
                return as_gb
            return as_utf8
        raise InputError(_decode_message(name, utf8_error, "utf-8 (nor GB18030)")) from None


def _check_errors(errors: str) -> None:
    if errors not in ("strict", "replace"):
        raise InputError(f"unknown --errors value {errors!r}; use strict or replace")


def _lookup(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None


def _binary_message(name: str) -> str:
    return (
        f"{name} looks like a binary file (it contains NUL bytes), not text; "
        "textfix reads UTF-8, UTF-16 with a byte-order mark or GB18030 text"
    )


# Undecodable bytes are first decoded to a lone surrogate, which no strict decoder
# produces, so that the character offset of each replacement can be found afterwards
# and paired with the byte offset the error handler saw; then it becomes U+FFFD.
_MARK = "\udcff"
_seen = threading.local()


def _mark_handler(e: UnicodeDecodeError):
    _seen.errors.append((e.start, bytes(e.object[e.start:e.end])))
    return _MARK, e.end


codecs.register_error("textfix.mark", _mark_handler)


def _decode_marked(decode, data: bytes, byte_base: int, char_base: int) -> tuple[str, list[dict]]:
    """Run ``decode(data, "textfix.mark")``; return the text with U+FFFD in place of
    undecodable bytes and the replacements, offsets shifted by the bases."""
    _seen.errors = []
    try:
        text = decode(data, "textfix.mark")
        errors = _seen.errors
    finally:
        _seen.errors = []
    if not errors:
        return text, []
    replaced = []
    pos = text.find(_MARK)
    for start, bad in errors:
        replaced.append({"offset": char_base + pos, "byte_offset": byte_base + start, "bytes": bad.hex()})
        pos = text.find(_MARK, pos + 1)
    return text.replace(_MARK, "\ufffd"), replaced


def _decode_as(data: bytes, codec: str, errors: str, name: str) -> Decoded:
    if errors == "replace":
        text, replaced = _decode_marked(lambda d, err: d.decode(codec, err), data, 0, 0)
        return Decoded(text, codec, replaced)
    try:
        return Decoded(data.decode(codec), codec)
    except UnicodeDecodeError as e:
        raise InputError(_decode_message(name, e, codec)) from None


class StreamDecoder:
    """Decode a binary file incrementally, in blocks, with the same detection as
    :func:`decode`: a byte-order mark, else UTF-8, else GB18030 when the first block is
    mostly Chinese (or ``encoding`` when given).

    Iterate to get the text piece by piece; afterwards ``replaced`` holds the
    replacements (as in :class:`Decoded`, offsets in the whole stream), ``encoding``
    the codec, ``bytes_read`` and ``chars`` the amounts read so far.
    """

    def __init__(self, raw: BinaryIO, name: str = "<stream>", encoding: str | None = None,
                 errors: str = "strict", block_size: int = 1 << 20):
        _check_errors(errors)
        self.raw = raw
        self.name = name
        self.errors = errors
        self.block_size = block_size
        self.replaced: list[dict] = []
        self.bytes_read = 0
        self.chars = 0
        self.encoding = _lookup(encoding) if encoding else None

    def _detect(self, first: bytes) -> str:
        for bom, codec in _BOMS:
            if first.startswith(bom):
                return codec
        if b"\x00" in first[:65536]:
            raise InputError(_binary_message(self.name))
        try:
            codecs.getincrementaldecoder("utf-8")().decode(first, False)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        try:
            text = codecs.getincrementaldecoder("gb18030")().decode(first, False)
            if _mostly_chinese(text):
                return "gb18030"
        except UnicodeDecodeError:
            pass
        return "utf-8"

    def __iter__(self) -> Iterator[str]:
        # the first read is large enough to recognise the encoding
        block = self.raw.read(max(self.block_size, 1 << 16))
        if self.encoding is None:
            self.encoding = self._detect(block)
        decoder = codecs.getincrementaldecoder(self.encoding)(
            "textfix.mark" if self.errors == "replace" else "strict")
        final = False
        while True:
            if not block:
                final = True
            pending = len(decoder.getstate()[0])
            base = self.bytes_read - pending
            self.bytes_read += len(block)
            try:
                if self.errors == "replace":
                    text, replaced = _decode_marked(
                        lambda d, _err: decoder.decode(d, final), block, base, self.chars)
                    self.replaced.extend(replaced)
                else:
                    text = decoder.decode(block, final)
            except UnicodeDecodeError as e:
                raise InputError(_decode_message(self.name, e, self.encoding, base)) from None
            if text:
                self.chars += len(text)
                yield text
            if final:
                return
            block = self.raw.read(self.block_size)


def _mostly_chinese(text: str) -> bool:
    non_ascii = sum(1 for c in text if ord(c) > 127)
    return non_ascii > 0 and len(_HAN.findall(text)) >= 0.6 * non_ascii


def _decode_message(name: str, e: UnicodeDecodeError, codec: str, base: int = 0) -> str:
    bad = e.object[e.start : e.start + 1]
    return (
        f"{name} is not valid {codec.upper().replace('(NOR', '(nor')}: byte 0x{bad.hex()} at offset {base + e.start} cannot be "
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
