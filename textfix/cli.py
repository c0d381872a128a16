"""The ``textfix`` command: a thin shell over the library.

Exit codes: 0 success; 1 ``--check`` found text that would change; 2 usage or input
error (bad option, missing file, undecodable or binary input); 3 internal error.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import Callable, Sequence

from . import __version__
from .io import InputError, decode, read_path
from .pipeline import Config, ConfigError, Pipeline
from .result import encode_record

EXIT_OK, EXIT_CHANGED, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one sentence, exit 2, no traceback
        self.print_usage(sys.stderr)
        raise SystemExit(_fail(f"{message} (see `textfix --help`)"))


def _fail(message: str) -> int:
    print(f"textfix: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def add_pipeline_options(p: argparse.ArgumentParser) -> None:
    """The options that configure the cleaning (shared by every subcommand that cleans)."""
    g = p.add_argument_group("cleaning options")
    g.add_argument("--config", metavar="FILE", help="read options from a TOML file")
    g.add_argument("--select", action="append", metavar="RULES", help="run only these rules or stages (comma-separated)")
    g.add_argument("--disable", action="append", metavar="RULES", help="switch these rules or stages off")
    g.add_argument("--enable", action="append", metavar="RULES", help="switch these opt-in rules on")
    g.add_argument("--convert", metavar="NAME", help="OpenCC script conversion, e.g. t2s, tw2s, hk2s")
    g.add_argument("--threshold", type=float, metavar="P", help="confidence a guessed edit needs to be applied (0-1, default 0.9)")
    g.add_argument("--dict", action="append", dest="dicts", metavar="FILE", help="user dictionary: one word per line, optional frequency")
    g.add_argument("--protect", action="append", metavar="FILE", help="words that are never changed, one per line")
    g.add_argument("--encoding", metavar="ENC", help="input encoding (default: detect UTF-8/UTF-16/GB18030)")
    g.add_argument("--errors", choices=("strict", "replace"), default="strict",
                   help="undecodable bytes: stop with an error (strict) or replace them with U+FFFD, flagged")


def config_from_args(args: argparse.Namespace) -> Config:
    config = Config.from_toml(args.config) if args.config else Config()
    options = {}
    for key in ("select", "disable", "enable", "dicts", "protect"):
        values = getattr(args, key, None)
        if values:
            options[key] = [v for chunk in values for v in chunk.split(",") if v.strip()]
    if args.convert is not None:
        options["convert"] = args.convert
    if args.threshold is not None:
        options["threshold"] = args.threshold
    return Config.make(config, **options)


def _filter_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="textfix",
        description="Clean the raw OCR text of scanned Chinese newspaper pages. Reads FILEs "
        "(or standard input) and writes the clean text to standard output, paragraphs "
        "separated by one blank line.",
        epilog="Subcommands: `textfix rules [NAME]` lists the rules or shows one. "
        + " ".join(f"`textfix {n} …` {h}." for n, (_, h) in SUBCOMMANDS.items() if n != "rules")
        + " Exit codes: 0 ok, 1 --check found changes, 2 usage or input error, 3 internal error.",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="input files (default: standard input; '-' is standard input)")
    out = p.add_argument_group("output")
    mode = out.add_mutually_exclusive_group()
    mode.add_argument("--format", choices=("text", "jsonl", "json"), default="text",
                      help="text (default); jsonl: one JSON object per paragraph with kind, flags, "
                      "source spans and edits; json: one document per input with source and all edits")
    mode.add_argument("--explain", action="store_true", help="list every edit, suggestion and flag: position, rule, before → after")
    mode.add_argument("--diff", action="store_true", help="show a unified diff of source and clean text")
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 if any input would change")
    p.add_argument("--version", action="version", version=f"textfix {__version__}")
    add_pipeline_options(p)
    return p


def _read_inputs(files: Sequence[str], args) -> list[tuple[str, str]]:
    inputs = []
    for f in files or ["-"]:
        if f == "-":
            data = sys.stdin.buffer.read()
            inputs.append(("<stdin>", decode(data, "<stdin>", args.encoding, args.errors)))
        else:
            inputs.append((f, read_path(f, args.encoding, args.errors)))
    return inputs


def run_filter(argv: Sequence[str]) -> int:
    args = _filter_parser().parse_args(argv)
    pipeline = Pipeline(config_from_args(args))
    out = sys.stdout
    status = EXIT_OK
    inputs = []
    for name, text in _read_inputs(args.files, args):
        if not text:
            print(f"textfix: {name} is empty; nothing to clean", file=sys.stderr)
            continue
        inputs.append((name, text))
    # several files are cleaned a few together (Pipeline.map), each rule over all of them
    for (name, _), result in zip(inputs, pipeline.map(text for _, text in inputs)):
        if args.check:
            if result.edits:
                print(f"textfix: {name} would change ({len(result.edits)} edits)", file=sys.stderr)
                status = EXIT_CHANGED
        elif args.explain:
            for line in result.explain(name):
                out.write(line + "\n")
        elif args.diff:
            out.writelines(difflib.unified_diff(
                result.source.splitlines(keepends=True), result.text.splitlines(keepends=True),
                fromfile=f"{name} (source)", tofile=f"{name} (clean)"))
        elif args.format == "jsonl":
            for rec in result.to_records():
                if len(args.files) > 1:
                    rec = {"file": name, **rec}
                out.write(encode_record(rec) + "\n")
        elif args.format == "json":
            out.write(result.to_json() + "\n")
        else:
            out.write(result.text)
    return status


def run_rules(argv: Sequence[str]) -> int:
    from .rules import PIPELINE, RULES

    p = _Parser(prog="textfix rules", description="List the rules in pipeline order, or show one rule's documentation.")
    p.add_argument("name", nargs="?", help="a rule name, e.g. punct.straight-quotes")
    args = p.parse_args(argv)
    if args.name:
        r = RULES.get(args.name)
        if r is None:
            close = difflib.get_close_matches(args.name, RULES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; `textfix rules` lists them"
            return _fail(f"unknown rule {args.name!r}{hint}")
        print(f"{r.name}  (stage {r.stage}, safety {r.safety}, {'on' if r.default else 'off'} by default)\n")
        print(r.doc)
        return EXIT_OK
    width = max(len(r.name) for r in PIPELINE)
    for r in PIPELINE:
        flag = "" if r.default else "  [opt-in]"
        print(f"{r.name:<{width}}  {str(r.safety):<7}  {r.summary}{flag}")
    return EXIT_OK


def run_clean(argv: Sequence[str]) -> int:
    import os

    from .batch import FORMATS, SUMMARY_NAME, run_batch

    p = _Parser(prog="textfix clean",
                description="Clean whole archives: files, directories (recursive) and globs into "
                "OUTDIR, which mirrors the input tree. Runs in parallel, shows progress on a "
                "terminal, writes each output atomically, skips inputs whose outputs are up to "
                f"date, and writes a summary to OUTDIR/{SUMMARY_NAME}.",
                epilog="Exit codes: 0 ok, 2 usage error or some files failed (listed in the summary), 3 internal error.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories or globs (quote globs)")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output directory (created if missing)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default), jsonl (records with provenance) or both")
    p.add_argument("--glob", default="*.txt", metavar="PATTERN", help="file names to take from directories (default *.txt)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="parallel workers (default: all cores)")
    p.add_argument("--force", action="store_true", help="clean every input again, even when its output is up to date")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary line")
    add_pipeline_options(p)
    args = p.parse_args(argv)
    if args.jobs < 1:
        return _fail("--jobs takes a number of workers of at least 1")
    summary = run_batch(args.inputs, args.output, config=config_from_args(args), jobs=args.jobs,
                        fmt=args.format, pattern=args.glob, force=args.force, quiet=args.quiet,
                        encoding=args.encoding, errors=args.errors)
    files = summary["files"]
    if not args.quiet:
        print(f"textfix: {files['cleaned']} cleaned, {files['skipped']} up to date, {files['failed']} failed; "
              f"{summary['edits']} edits in {summary['characters']} characters; "
              f"summary in {os.path.join(args.output, SUMMARY_NAME)}", file=sys.stderr)
    return EXIT_ERROR if files["failed"] else EXIT_OK


def run_report(argv: Sequence[str]) -> int:
    from .report import write_report

    p = _Parser(prog="textfix report",
                description="Write a self-contained HTML page to review what textfix changes in INPUT: "
                "source and clean text side by side, every edit highlighted by rule, suggestions "
                "and flagged paragraphs marked, a filter by rule.")
    p.add_argument("input", metavar="INPUT", help="the text file to clean and review ('-' is standard input)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the HTML file to write")
    add_pipeline_options(p)
    args = p.parse_args(argv)
    (name, text), = _read_inputs([args.input], args)
    result = Pipeline(config_from_args(args)).clean(text)
    write_report(result, args.output, title=name)
    return EXIT_OK


def run_lexicon(argv: Sequence[str]) -> int:
    import glob
    import os

    from .fuzzy.terms import learn_terms, write_terms
    from .rules._data import lexicon

    p = _Parser(prog="textfix lexicon",
                description="`textfix lexicon learn DIR... -o terms.tsv`: mine the frequent terms of an "
                "archive (names, places, recurring phrases) that the lexicon lacks, as a user "
                "dictionary for --dict, so that a rare OCR variant of a frequent archive term is corrected.")
    p.add_argument("action", choices=("learn",))
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files and directories (searched recursively)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the terms file to write")
    p.add_argument("--glob", default="*.txt", help="file pattern inside directories (default: *.txt)")
    p.add_argument("--min-count", type=int, default=5, help="occurrences a term needs (default 5)")
    p.add_argument("--encoding", metavar="ENC", help="input encoding (default: detect)")
    p.add_argument("--errors", choices=("strict", "replace"), default="strict")
    args = p.parse_args(argv)
    files: list[str] = []
    for inp in args.inputs:
        if os.path.isdir(inp):
            files += sorted(glob.glob(os.path.join(inp, "**", args.glob), recursive=True))
        elif os.path.exists(inp):
            files.append(inp)
        else:
            raise InputError(f"{inp}: no such file or directory")
    if not files:
        raise InputError(f"no {args.glob} files found in {' '.join(args.inputs)}")
    texts = (read_path(f, args.encoding, args.errors) for f in files)
    terms = learn_terms(texts, known=lexicon().freq, min_count=args.min_count)
    write_terms(terms, args.output, source=f"{len(files)} files under {' '.join(args.inputs)}")
    print(f"textfix: {len(terms)} terms from {len(files)} files written to {args.output}", file=sys.stderr)
    return EXIT_OK


#: Subcommands: name → (function taking argv, one-line help).
SUBCOMMANDS: dict[str, tuple[Callable[[Sequence[str]], int], str]] = {
    "rules": (run_rules, "lists the rules or shows one"),
    "clean": (run_clean, "cleans files, directories and globs into an output directory, in parallel and resumably"),
    "report": (run_report, "writes an HTML page to review the edits made to a file"),
    "lexicon": (run_lexicon, "`lexicon learn DIR... -o terms.tsv` mines an archive's frequent terms for --dict"),
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return SUBCOMMANDS[argv[0]][0](argv[1:])
        return run_filter(argv)
    except (InputError, ConfigError) as e:
        return _fail(str(e))
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else EXIT_ERROR
    except KeyboardInterrupt:
        print("textfix: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = None  # the reader went away: not an error
        finally:
            return EXIT_OK
    except MemoryError:
        return _fail("the input is too large to clean in memory; split it, or use `textfix clean` which streams")
    except Exception as e:  # noqa: BLE001 - last resort: a sentence, not a traceback
        print(f"textfix: internal error: {type(e).__name__}: {e} "
              "(this is a bug in textfix; please report it with the input that caused it)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
