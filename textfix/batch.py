"""Archive mode: clean whole trees of files in parallel, resumably, and huge files in
bounded memory.

* :func:`run_batch` cleans files, directories and globs into an output directory that
  mirrors the input tree, with a process pool (each worker builds its
  :class:`~textfix.pipeline.Pipeline` once), atomic writes, a manifest that makes a rerun
  skip what is already done, and a summary JSON file.
* :func:`clean_stream` cleans one file of any size paragraph block by paragraph block:
  the text is read incrementally and cut only at a blank line after sentence-final
  punctuation, so no paragraph (nor a paragraph split by a page break, which does not
  end a sentence) is ever cut; offsets are shifted to whole-file coordinates.

Only the public :class:`Pipeline` / :class:`Result` API is used, so any rule added to
the pipeline works here unchanged.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import glob
import hashlib
import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import IO, Any, Iterable, Iterator, Sequence

import regex

from .edit import Edit, Safety
from .io import InputError, StreamDecoder, decode_bytes
from .pipeline import Config, Pipeline
from .result import Result, encode_record, gc_paused

#: Name of the summary file written in the output directory.
SUMMARY_NAME = "textfix-summary.json"
#: Name of the manifest (one JSON line per finished input) in the output directory.
MANIFEST_NAME = ".textfix-manifest.jsonl"
#: Version of the summary layout.
SUMMARY_SCHEMA = "textfix.batch-summary/1"

#: Files larger than this many bytes are cleaned with :func:`clean_stream`.
STREAM_THRESHOLD = 8 << 20
#: A streamed chunk is at least this many characters (about 1.5 MB of UTF-8 Chinese) …
CHUNK_CHARS = 512 * 1024
#: … and is cut anywhere sensible once it reaches this many.
CHUNK_LIMIT = 4 * CHUNK_CHARS

FORMATS = ("text", "jsonl", "both")

_WS = "[ \\t\\u3000\\r]"
# A cut: the end of a line whose last visible character ends a sentence, followed by a
# blank line.  The cut goes right after that line's newline.
_SENTENCE_CUT = regex.compile(rf"[。！？!?；;…”’」』）)】]{_WS}*\n(?={_WS}*\n)")
_BLANK_CUT = regex.compile(rf"\n(?={_WS}*\n)")
_ENDS_BLANK = regex.compile(rf"\n{_WS}*\n{_WS}*\Z")
_STARTS_BLANK = regex.compile(rf"\A{_WS}*\n")


# --------------------------------------------------------------------------- streaming


def iter_chunks(pieces: Iterable[str], chunk_chars: int = CHUNK_CHARS,
                limit: int | None = None) -> Iterator[str]:
    """Group text pieces into chunks of at least ``chunk_chars`` characters, cut only
    after a line that ends a sentence and is followed by a blank line.

    When no such place turns up before ``limit`` characters (default 4 × chunk_chars),
    the chunk is cut at any blank line, else at a line end, else hard at the limit, so
    memory stays bounded whatever the input.
    """
    limit = limit or 4 * chunk_chars
    buf = ""
    for piece in pieces:
        buf += piece
        while len(buf) > chunk_chars:
            cut = _find_cut(buf, chunk_chars, limit)
            if cut is None:
                break
            yield buf[:cut]
            buf = buf[cut:]
    if buf:
        yield buf


def _find_cut(buf: str, chunk_chars: int, limit: int) -> int | None:
    for m in _SENTENCE_CUT.finditer(buf, chunk_chars, min(len(buf), limit)):
        if m.end() >= len(buf):
            break
        if not _joined_across(buf, m.end()):
            return m.end()
    if len(buf) < limit:
        return None  # read more: a good place may come
    for pattern in (_BLANK_CUT,):
        m = pattern.search(buf, chunk_chars, limit)
        if m:
            return m.end()
    nl = buf.rfind("\n", chunk_chars, limit)
    if nl != -1:
        return nl + 1
    return limit - 1 if buf[limit - 1] == "\r" else limit


def _joined_across(buf: str, cut: int, window: int = 4000) -> bool:
    """Would the layout stage rejoin a paragraph across ``cut`` (a paragraph interrupted
    by a caption that ends a sentence, say)?  Asked of the blocks around the cut."""
    from .layout_blocks import analyse

    lo = max(0, cut - window)
    lay = analyse(buf[lo : cut + window])
    c = cut - lo
    return any(lay.blocks[j.a].start < c <= lay.blocks[j.b].start for j in lay.joins)


@dataclass
class Chunk:
    """One cleaned piece of a stream.

    ``result`` is the piece's own :class:`Result` (offsets relative to the piece);
    ``prefix`` is what goes before its text where it joins the previous piece (a
    newline when cleaning each piece alone dropped the blank line between them);
    ``source_start``/``output_start``/``index_start`` place it in the whole file;
    ``replaced`` lists the undecodable byte runs inside it (whole-file offsets).
    """

    result: Result
    prefix: str = ""
    source_start: int = 0
    output_start: int = 0
    index_start: int = 0
    replaced: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The clean text of this piece, as it goes into the whole output."""
        return self.prefix + self.result.text

    @property
    def source_end(self) -> int:
        return self.source_start + len(self.result.source)

    def local_edits(self) -> list[Edit]:
        """The edits that turn this piece's source into :attr:`text` (piece offsets)."""
        return _join_edits(self.result.edits, self.prefix)[0]

    def edits(self) -> list[Edit]:
        """The edits of this piece in whole-file source offsets."""
        return [_shift_edit(e, self.source_start) for e in self.local_edits()]

    def to_records(self) -> list[dict]:
        """JSONL records (schema ``textfix.paragraph/1``) in whole-file coordinates."""
        return records(self.result, prefix=self.prefix, source_start=self.source_start,
                       output_start=self.output_start, index_start=self.index_start,
                       replaced=self.replaced)


def _shift_edit(e: Edit, by: int) -> Edit:
    if not by:
        return e
    moved = e.moved_from + by if e.moved_from is not None else None
    return replace(e, start=e.start + by, end=e.end + by, moved_from=moved)


def _join_edits(edits: Sequence[Edit], prefix: str) -> tuple[list[Edit], int]:
    """The edits with ``prefix`` inserted at offset 0, and how many of the original
    edits at the head were replaced (0 or 1)."""
    edits = list(edits)
    if not prefix:
        return edits, 0
    if edits and edits[0].start == 0 and edits[0].moved_from is None:
        e = edits[0]
        merged = replace(e, new=prefix + e.new)
        if merged.new == merged.old:
            return edits[1:], 1
        return [merged] + edits[1:], 1
    join = Edit(0, 0, prefix, old="", rules=("layout.blank-lines",), safety=Safety.SAFE,
                note="paragraph break between two streamed pieces")
    return [join] + edits, 0


def records(result: Result, *, prefix: str = "", source_start: int = 0, output_start: int = 0,
            index_start: int = 0, replaced: Sequence[dict] = ()) -> list[dict]:
    """``result.to_records()`` placed at the given offsets of a larger file, with the
    undecodable byte runs (``replaced``) attached to the paragraphs holding them."""
    with gc_paused():
        return _records(result, prefix, source_start, output_start, index_start, replaced)


def _records(result: Result, prefix: str, source_start: int, output_start: int, index_start: int,
             replaced: Sequence[dict]) -> list[dict]:
    recs = result.to_records()
    if prefix:
        joined, consumed = _join_edits(result.edits, prefix)
        head = recs[0]["edits"]
        new_head = [e.to_dict() for e in joined[: len(joined) - len(result.edits) + consumed]]
        recs[0]["edits"] = new_head + head[consumed:]
    shift_out = output_start + len(prefix)
    for rec in recs:
        rec["index"] += index_start
        rec["start"] += shift_out
        rec["end"] += shift_out
        rec["source"] = [[a + source_start, b + source_start] for a, b in rec["source"]]
        for key in ("edits", "suggestions", "flags"):
            for d in rec[key]:
                d["start"] += source_start
                d["end"] += source_start
                if d.get("moved_from") is not None:
                    d["moved_from"] += source_start
    if replaced:
        for r in replaced:
            target = recs[0]
            for rec in recs:
                lo = min(a for a, _ in rec["source"]) if rec["source"] else 0
                if lo <= r["offset"]:
                    target = rec
            target.setdefault("replaced", []).append(dict(r))
    return recs


def clean_stream(pipeline: Pipeline, file_obj: IO, *, name: str = "<stream>",
                 encoding: str | None = None, errors: str = "strict",
                 chunk_chars: int = CHUNK_CHARS, limit: int | None = None,
                 block_size: int = 1 << 20) -> Iterator[Chunk]:
    """Clean a file of any size in bounded memory, yielding one :class:`Chunk` per piece.

    ``file_obj`` is a binary file (decoded incrementally with the detection of
    :func:`textfix.io.decode`, or ``encoding``) or a text file.  Joining the chunks'
    ``text`` gives the clean text of the whole file; their ``edits()`` and
    ``to_records()`` are in whole-file offsets.
    """
    probe = file_obj.read(0)
    decoder = None
    if isinstance(probe, str):
        pieces: Iterable[str] = iter(lambda: file_obj.read(block_size), "")
    else:
        decoder = StreamDecoder(file_obj, name, encoding, errors, block_size)
        pieces = decoder
    src = out = idx = 0
    tail = ""
    pending: list[dict] = []
    for text in iter_chunks(pieces, chunk_chars, limit):
        result = pipeline.clean(text)
        prefix = _joint(tail, result.text) if src else ""
        replaced: list[dict] = []
        if decoder is not None:
            pending.extend(decoder.replaced)
            decoder.replaced.clear()
            end = src + len(text)
            replaced = [r for r in pending if r["offset"] < end]
            pending = [r for r in pending if r["offset"] >= end]
        chunk = Chunk(result, prefix, src, out, idx, replaced)
        yield chunk
        piece = chunk.text
        src += len(text)
        out += len(piece)
        idx += len(result.paragraphs) or 1  # no paragraph: one "empty" record
        tail = (tail + piece)[-8:]


def _joint(tail: str, head: str) -> str:
    """What must go between the output so far (ending in ``tail``) and the next piece
    (starting with ``head``) so that they stay separate paragraphs."""
    if not tail or not head or _ENDS_BLANK.search(tail) or _STARTS_BLANK.match(head):
        return ""
    if tail.endswith("\n"):
        return "\n"
    return "\n\n"


# --------------------------------------------------------------------------- one file


def _add_stats(stats: dict, chunk: Chunk) -> None:
    r = chunk.result
    stats["chars"] += len(r.source)
    stats["output_chars"] += len(chunk.text)
    for e in chunk.local_edits():
        for name in e.rules:
            stats["edits_by_rule"][name] = stats["edits_by_rule"].get(name, 0) + 1
        stats["edits"] += 1
    stats["suggestions"] += len(r.suggestions)
    for f in r.flags:
        stats["flags_by_name"][f.name] = stats["flags_by_name"].get(f.name, 0) + 1
    stats["replaced"] += len(chunk.replaced)


def clean_file(pipeline: Pipeline, src: str, outputs: dict[str, str], *,
               encoding: str | None = None, errors: str = "strict",
               stream_threshold: int = STREAM_THRESHOLD, chunk_chars: int = CHUNK_CHARS) -> dict:
    """Clean one file into ``outputs`` (``{"text": path, "jsonl": path}``, either or
    both), writing each atomically; return its statistics."""
    size = _file_size(src)
    if size > stream_threshold:
        return _clean_streamed(pipeline, src, outputs, size, encoding, errors, chunk_chars)
    dec = _read_small(src, encoding, errors)
    return _write_outputs(outputs, [Chunk(pipeline.clean(dec.text), replaced=dec.replaced)], size)


def clean_files(pipeline: Pipeline, tasks: Iterable["Task"], *, encoding: str | None = None,
                errors: str = "strict", stream_threshold: int = STREAM_THRESHOLD,
                chunk_chars: int = CHUNK_CHARS) -> Iterator[tuple["Task", dict | None, Exception | None]]:
    """:func:`clean_file` of each task, in order: ``(task, stats, None)``, or ``(task,
    None, error)`` for a file that fails (the others go on).

    Files up to ``stream_threshold`` are read a few at a time (as many as
    :meth:`Pipeline.map` cleans together) and cleaned together, each rule over all of
    them before the next; bigger files are streamed one by one."""
    pending: list[tuple[Task, Any, int]] = []
    chars = 0

    def flush() -> Iterator[tuple[Task, dict | None, Exception | None]]:
        results = pipeline.map([dec.text for _, dec, _ in pending], return_exceptions=True)
        for (task, dec, size), result in zip(pending, results):
            if isinstance(result, Exception):
                yield task, None, result
                continue
            try:
                stats = _write_outputs(task.outputs, [Chunk(result, replaced=dec.replaced)], size)
            except Exception as e:  # noqa: BLE001 - reported by the caller, the rest go on
                yield task, None, e
            else:
                yield task, stats, None
        pending.clear()

    for task in tasks:
        try:
            size = _file_size(task.src)
            if size > stream_threshold:
                yield from flush()
                chars = 0
                yield task, _clean_streamed(pipeline, task.src, task.outputs, size, encoding, errors,
                                            chunk_chars), None
                continue
            dec = _read_small(task.src, encoding, errors)
        except Exception as e:  # noqa: BLE001 - reported by the caller, the rest go on
            yield task, None, e
            continue
        pending.append((task, dec, size))
        chars += len(dec.text)
        if len(pending) >= pipeline.BATCH_TEXTS or chars >= pipeline.BATCH_CHARS:
            yield from flush()
            chars = 0
    yield from flush()


def _file_size(src: str) -> int:
    try:
        return os.path.getsize(src)
    except OSError as e:
        raise InputError(f"{src}: cannot be read ({e.strerror})") from None


def _read_small(src: str, encoding: str | None, errors: str):
    """The decoded text of a file read whole (:func:`textfix.io.decode_bytes`)."""
    try:
        with open(src, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputError(f"{src}: cannot be read ({e.strerror})") from None
    return decode_bytes(data, src, encoding, errors)


def _clean_streamed(pipeline: Pipeline, src: str, outputs: dict[str, str], size: int,
                    encoding: str | None, errors: str, chunk_chars: int) -> dict:
    try:
        f = open(src, "rb")
    except OSError as e:
        raise InputError(f"{src}: cannot be read ({e.strerror})") from None
    with f:
        chunks = clean_stream(pipeline, f, name=src, encoding=encoding, errors=errors,
                              chunk_chars=chunk_chars)
        return _write_outputs(outputs, chunks, size, streamed=True)


def _write_outputs(outputs: dict[str, str], chunks: Iterable[Chunk], size: int,
                   streamed: bool = False) -> dict:
    """Write the cleaned chunks of one file into ``outputs``, atomically; its statistics."""
    stats: dict[str, Any] = {"chars": 0, "output_chars": 0, "edits": 0, "edits_by_rule": {},
                             "suggestions": 0, "flags_by_name": {}, "replaced": 0,
                             "bytes": size, "streamed": streamed}
    with _AtomicFiles(outputs) as files:
        text_out, jsonl_out = files.get("text"), files.get("jsonl")
        for chunk in chunks:
            if text_out is not None:
                text_out.write(chunk.text)
            if jsonl_out is not None:
                for rec in chunk.to_records():
                    jsonl_out.write(encode_record(rec))
                    jsonl_out.write("\n")
            _add_stats(stats, chunk)
    return stats


class _AtomicFiles:
    """Open temporary files next to each target; on success move them into place with
    ``os.replace`` (never a half-written output); on failure remove them."""

    def __init__(self, targets: dict[str, str]):
        self.targets = targets
        self.files: dict[str, IO[str]] = {}
        self.temps: dict[str, str] = {}

    def __enter__(self) -> dict[str, IO[str]]:
        try:
            for kind, path in self.targets.items():
                d = os.path.dirname(path) or "."
                os.makedirs(d, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=d, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
                self.temps[kind] = tmp
                self.files[kind] = os.fdopen(fd, "w", encoding="utf-8", newline="")
        except BaseException:
            self._discard()
            raise
        return self.files

    def _discard(self) -> None:
        for f in self.files.values():
            f.close()
        for tmp in self.temps.values():
            try:
                os.unlink(tmp)
            except OSError:
                pass

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._discard()
            return
        try:
            for f in self.files.values():
                f.close()
            for kind, tmp in self.temps.items():
                os.replace(tmp, self.targets[kind])
        except BaseException:
            self._discard()
            raise


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Task:
    """One input file and where its outputs go."""

    src: str  #: path of the input
    rel: str  #: its path relative to the output directory (mirrors the input tree)
    outputs: dict[str, str]  #: kind (``text``/``jsonl``) → absolute output path


def discover(inputs: Sequence[str], outdir: str, pattern: str = "*.txt") -> list[tuple[str, str]]:
    """The input files as ``(path, relative output path)`` pairs.

    Files keep their name; a directory is walked recursively for ``pattern`` and
    mirrored (under its own name when several inputs are given); a glob is mirrored
    relative to its fixed leading directories.  ``outdir`` is never walked.
    """
    out_real = os.path.realpath(outdir)
    found: list[tuple[str, str]] = []
    several = len(inputs) > 1
    for inp in inputs:
        if os.path.isdir(inp):
            root = os.path.realpath(inp)
            if root == out_real:
                raise InputError(f"the output directory {outdir} is the input directory {inp}; "
                                 "choose another output directory")
            if _within(root, out_real):
                raise InputError(f"the input directory {inp} is inside the output directory {outdir}; "
                                 "choose an output directory outside the inputs")
            prefix = os.path.basename(root.rstrip(os.sep)) if several else ""
            for dirpath, dirnames, filenames in os.walk(inp):
                dirnames[:] = sorted(d for d in dirnames
                                     if os.path.realpath(os.path.join(dirpath, d)) != out_real)
                for fn in sorted(filenames):
                    if fnmatch.fnmatch(fn, pattern) and not fn.startswith("."):
                        path = os.path.join(dirpath, fn)
                        found.append((path, os.path.join(prefix, os.path.relpath(path, inp))))
        elif os.path.isfile(inp):
            found.append((inp, os.path.basename(inp)))
        elif glob.has_magic(inp):
            parts = inp.split(os.sep)
            fixed = []
            for part in parts:
                if glob.has_magic(part):
                    break
                fixed.append(part)
            base = os.sep.join(fixed) or "."
            matches = [m for m in sorted(glob.glob(inp, recursive=True))
                       if os.path.isfile(m) and not _within(os.path.realpath(m), out_real)]
            if not matches:
                raise InputError(f"no file matches {inp}")
            found.extend((m, os.path.relpath(m, base)) for m in matches)
        else:
            raise InputError(f"{inp}: no such file or directory")
    return found


def _within(path: str, directory: str) -> bool:
    try:
        return os.path.commonpath([path, directory]) == directory
    except ValueError:
        return False


def plan(found: Sequence[tuple[str, str]], outdir: str, fmt: str) -> list[Task]:
    """Output paths for each input; refuses collisions, writing over an input, and
    anything that would land outside ``outdir``."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    out_real = os.path.realpath(outdir)
    inputs_real = {os.path.realpath(src) for src, _ in found}
    seen: dict[str, str] = {}
    tasks = []
    for src, rel in found:
        outputs = {}
        if fmt in ("text", "both"):
            outputs["text"] = os.path.join(out_real, rel)
        if fmt in ("jsonl", "both"):
            outputs["jsonl"] = os.path.join(out_real, os.path.splitext(rel)[0] + ".jsonl")
        for path in outputs.values():
            real = os.path.realpath(path)
            if not _within(real, out_real) or real == out_real:
                raise InputError(f"{src} would be written outside the output directory {outdir}")
            if real in inputs_real:
                raise InputError(f"cleaning {src} would overwrite the input {real}; "
                                 "choose an output directory outside the inputs")
            if real in seen:
                raise InputError(f"{src} and {seen[real]} would both be written to {real}; "
                                 "clean them into separate output directories")
            seen[real] = src
        tasks.append(Task(src, rel, outputs))
    return tasks


# --------------------------------------------------------------------------- manifest


def options_key(pipeline: Pipeline, fmt: str, encoding: str | None, errors: str) -> str:
    """A digest of everything that decides an output: version, rules, options, format,
    decoding, and the dictionaries' modification times."""
    from . import __version__

    cfg = dataclasses.asdict(pipeline.config)
    files = {}
    for path in list(pipeline.config.dicts) + list(pipeline.config.protect):
        try:
            files[path] = os.stat(path).st_mtime_ns
        except OSError:
            files[path] = None
    blob = json.dumps({
        "version": __version__, "rules": [r.name for r in pipeline.rules], "config": cfg,
        "files": files, "format": fmt, "encoding": encoding, "errors": errors,
    }, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def read_manifest(outdir: str) -> dict[str, dict]:
    """Manifest entries by input path (the last entry for an input wins; a line cut
    short by an interruption is ignored)."""
    entries: dict[str, dict] = {}
    try:
        with open(os.path.join(outdir, MANIFEST_NAME), encoding="utf-8") as f:
            for line in f:
                try:
                    e = json.loads(line)
                    entries[e["rel"]] = e
                except (ValueError, KeyError, TypeError):
                    continue
    except OSError:
        pass
    return entries


def up_to_date(task: Task, entry: dict | None, key: str) -> bool:
    """Whether ``task``'s outputs exist, are newer than its input and were made with
    the same options and version, as recorded in the manifest."""
    if not entry or entry.get("key") != key:
        return False
    try:
        st = os.stat(task.src)
    except OSError:
        return False
    if entry.get("size") != st.st_size or entry.get("mtime_ns") != st.st_mtime_ns:
        return False
    if sorted(entry.get("outputs", [])) != sorted(task.outputs.values()):
        return False
    for path in task.outputs.values():
        try:
            if os.stat(path).st_mtime_ns < st.st_mtime_ns:
                return False
        except OSError:
            return False
    return True


# --------------------------------------------------------------------------- progress


class Progress:
    """A one-line progress bar on a terminal: files, characters, throughput and ETA."""

    def __init__(self, total_files: int, total_bytes: int, stream: IO[str] | None = None,
                 enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total_files, self.total_bytes = total_files, max(total_bytes, 1)
        self.files = self.bytes = self.chars = 0
        self.start = time.monotonic()
        self._last = 0.0

    def update(self, nbytes: int, chars: int) -> None:
        self.files += 1
        self.bytes += nbytes
        self.chars += chars
        self.draw()

    def draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1 and self.files < self.total_files:
            return
        self._last = now
        elapsed = max(now - self.start, 1e-6)
        frac = min(self.bytes / self.total_bytes, 1.0)
        bar = "#" * int(frac * 24)
        rate = self.chars / elapsed
        eta = elapsed * (1 - frac) / frac if frac > 0 else 0
        line = (f"\r[{bar:<24}] {self.files}/{self.total_files} files  {_human(self.chars)} chars  "
                f"{_human(rate)} chars/s  ETA {_clock(eta)} ")
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.draw(force=True)
            self.stream.write("\n")
            self.stream.flush()


def _human(n: float) -> str:
    for unit in ("", "k", "M", "G"):
        if abs(n) < 1000:
            return f"{n:.0f}{unit}" if unit == "" else f"{n:.1f}{unit}"
        n /= 1000
    return f"{n:.1f}T"


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


# --------------------------------------------------------------------------- the batch

_WORKER: dict[str, Any] = {}


def _init_worker(pipeline: Pipeline) -> None:
    _WORKER["pipeline"] = pipeline  # unpickled once per worker: data loads once


def _run_tasks(tasks: list[Task], options: dict) -> list[tuple[dict | None, BaseException | None]]:
    """Clean a group of files in a worker (one round trip for many small pages)."""
    out: list[tuple[dict | None, BaseException | None]] = []
    for task, stats, e in clean_files(_WORKER["pipeline"], tasks, **options):
        if e is not None and not isinstance(e, InputError):
            e = RuntimeError(_message(e, task.src))
        out.append((stats, e))
    return out


def _groups(todo: list[Task], sizes: dict[str, int], workers: int) -> list[list[Task]]:
    """Files grouped so that each round trip carries about 1 MB or 32 files, and big
    files travel alone; groups stay small enough to balance the workers."""
    total = sum(sizes.values())
    budget = max(64 << 10, min(1 << 20, total // (workers * 8) or 1))
    groups: list[list[Task]] = []
    cur: list[Task] = []
    cur_size = 0
    for t in todo:
        if cur and (cur_size + sizes[t.rel] > budget or len(cur) >= 32):
            groups.append(cur)
            cur, cur_size = [], 0
        cur.append(t)
        cur_size += sizes[t.rel]
    if cur:
        groups.append(cur)
    return groups


def run_batch(inputs: Sequence[str], outdir: str, *, pipeline: Pipeline | None = None,
              config: Config | None = None, jobs: int | None = None, fmt: str = "text",
              pattern: str = "*.txt", force: bool = False, quiet: bool = False,
              encoding: str | None = None, errors: str = "strict",
              stream_threshold: int = STREAM_THRESHOLD, chunk_chars: int = CHUNK_CHARS,
              progress: IO[str] | None = None) -> dict:
    """Clean ``inputs`` into ``outdir``; return the summary (also written to
    ``outdir/textfix-summary.json``).  Files that fail are listed under ``failures``
    and the others go on.  Raises :class:`~textfix.io.InputError` for unusable
    arguments (nothing is written then)."""
    started = time.monotonic()
    pipeline = pipeline or Pipeline(config)
    jobs = max(1, jobs or os.cpu_count() or 1)
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise InputError(f"the output {outdir} exists and is not a directory")
    tasks = plan(discover(inputs, outdir, pattern), outdir, fmt)
    os.makedirs(outdir, exist_ok=True)
    _remove_stale_temps(tasks)
    key = options_key(pipeline, fmt, encoding, errors)
    manifest = read_manifest(outdir)
    todo, done_stats = [], {}
    for t in tasks:
        if not force and up_to_date(t, manifest.get(t.rel), key):
            done_stats[t.rel] = manifest[t.rel].get("stats", {})
        else:
            todo.append(t)
    sizes = {t.rel: _size(t.src) for t in todo}
    todo.sort(key=lambda t: -sizes[t.rel])  # largest first: the pool ends evenly
    bar = Progress(len(todo), sum(sizes.values()), progress, enabled=False if quiet else None)
    options = {"encoding": encoding, "errors": errors, "stream_threshold": stream_threshold,
               "chunk_chars": chunk_chars}
    new_stats: dict[str, dict] = {}
    failures: list[dict] = []
    mf = open(os.path.join(outdir, MANIFEST_NAME), "a", encoding="utf-8")

    def finished(t: Task, stats: dict | None, error: BaseException | None) -> None:
        if error is not None:
            failures.append({"input": t.src, "message": _message(error, t.src)})
            if not quiet:
                msg = f"textfix: error: {_message(error, t.src)}"
                print(("\n" if bar.enabled else "") + msg, file=bar.stream)
            bar.update(sizes[t.rel], 0)
            return
        new_stats[t.rel] = stats
        st = os.stat(t.src)
        mf.write(json.dumps({"rel": t.rel, "src": t.src, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                             "key": key, "outputs": sorted(t.outputs.values()), "stats": stats},
                            ensure_ascii=False) + "\n")
        mf.flush()
        bar.update(sizes[t.rel], stats["chars"])

    # The rules' data loads once, here, unless each worker must load its own.
    method = _start_method() if jobs > 1 and len(todo) > 1 else None
    load_started = time.monotonic()
    if todo and method in (None, "fork"):
        pipeline.warm()
    load_seconds = time.monotonic() - load_started
    try:
        if method is None:
            for t, stats, e in clean_files(pipeline, todo, **options):
                finished(t, stats, e)
        else:
            _run_pool(pipeline, _groups(todo, sizes, jobs), options, min(jobs, len(todo)), finished, method)
    finally:
        mf.close()
        bar.close()
    seconds = time.monotonic() - started
    summary = _summary(tasks, done_stats, new_stats, failures, seconds, jobs, pipeline, fmt)
    summary["load_seconds"] = round(load_seconds, 3)
    _write_json(os.path.join(outdir, SUMMARY_NAME), summary)
    return summary


def _remove_stale_temps(tasks: Sequence[Task]) -> None:
    """Remove the temporary files an interrupted run left next to its outputs."""
    by_dir: dict[str, set[str]] = {}
    for t in tasks:
        for path in t.outputs.values():
            by_dir.setdefault(os.path.dirname(path), set()).add(os.path.basename(path))
    for d, names in by_dir.items():
        try:
            entries = os.listdir(d)
        except OSError:
            continue
        for fn in entries:
            if fn.startswith(".") and fn.endswith(".tmp"):
                base = fn[1:].rsplit(".", 2)[0]
                if base in names:
                    try:
                        os.unlink(os.path.join(d, fn))
                    except OSError:
                        pass


def _start_method() -> str:
    """``fork`` where it is safe (POSIX, and this process runs no other thread), so
    workers share the parent's loaded data; else ``forkserver`` (or ``spawn`` on
    Windows), where each worker loads its own.  ``TEXTFIX_START_METHOD`` overrides."""
    import multiprocessing
    import threading

    forced = os.environ.get("TEXTFIX_START_METHOD")
    methods = multiprocessing.get_all_start_methods()
    if forced in methods:
        return forced
    if "fork" in methods and sys.platform != "darwin" and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _run_pool(pipeline: Pipeline, groups: list[list[Task]], options: dict, workers: int, finished,
              method: str) -> None:
    """Clean the groups in ``workers`` processes.  With ``fork`` the workers share the
    data the parent loaded (the matcher's index is never written to, so its pages
    stay shared) and start at once; otherwise each loads its own."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    ctx = multiprocessing.get_context(method)
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(pipeline,)) as pool:
        try:
            futures = {pool.submit(_run_tasks, g, options): g for g in groups}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    group = futures[fut]
                    try:
                        outcomes = fut.result()
                    except Exception as e:  # noqa: BLE001 - a worker died: its files failed
                        outcomes = [(None, e)] * len(group)
                    for t, (stats, error) in zip(group, outcomes):
                        finished(t, stats, error)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _message(e: BaseException, src: str = "") -> str:
    if isinstance(e, InputError) or (isinstance(e, RuntimeError) and "internal error" in str(e)):
        return str(e)
    return f"{src}: internal error: {type(e).__name__}: {e}" if src else f"internal error: {type(e).__name__}: {e}"


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _summary(tasks, done_stats, new_stats, failures, seconds, jobs, pipeline, fmt) -> dict:
    from . import __version__

    edits_by_rule: Counter = Counter()
    flags_by_name: Counter = Counter()
    totals = Counter()
    for stats in list(done_stats.values()) + list(new_stats.values()):
        edits_by_rule.update(stats.get("edits_by_rule", {}))
        flags_by_name.update(stats.get("flags_by_name", {}))
        for k in ("chars", "output_chars", "edits", "suggestions", "replaced", "bytes"):
            totals[k] += stats.get(k, 0)
    run_chars = sum(s["chars"] for s in new_stats.values())
    return {
        "schema": SUMMARY_SCHEMA,
        "textfix": __version__,
        "format": fmt,
        "workers": jobs,
        "options": json.loads(json.dumps(dataclasses.asdict(pipeline.config))),
        "files": {"total": len(tasks), "cleaned": len(new_stats), "skipped": len(done_stats),
                  "failed": len(failures)},
        "characters": totals["chars"],
        "output_characters": totals["output_chars"],
        "bytes": totals["bytes"],
        "edits": totals["edits"],
        "edits_by_rule": dict(sorted(edits_by_rule.items())),
        "suggestions": totals["suggestions"],
        "flags_by_name": dict(sorted(flags_by_name.items())),
        "replaced_byte_runs": totals["replaced"],
        "failures": failures,
        "seconds": round(seconds, 3),
        "chars_per_second": round(run_chars / seconds) if seconds > 0 else 0,
    }


def _write_json(path: str, data: dict) -> None:
    with _AtomicFiles({"json": path}) as files:
        json.dump(data, files["json"], ensure_ascii=False, indent=2)
        files["json"].write("\n")
