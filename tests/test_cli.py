"""The installed `textfix` command, run in a subprocess as users run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import fast_args, textfix_cmd

ROOT = Path(__file__).parent.parent
SEED = ROOT / "seeds" / "002_2729f900fda1658c.txt"


def run(*args, input: bytes | None = None, cwd=None, full: bool = False):
    argv = list(args) if full else fast_args(args)
    return subprocess.run(textfix_cmd() + argv, input=input, capture_output=True, cwd=cwd, timeout=120)


def test_filter_stdin_to_stdout():
    p = run(input="近年来,我市\n".encode())
    assert p.returncode == 0
    assert p.stdout.decode() == "近年来，我市\n"
    assert p.stderr == b""


def test_seed_page_is_cleaned_and_nothing_is_lost():
    p = run(str(SEED), "--format", "json", full=True)
    assert p.returncode == 0, p.stderr.decode()
    import textfix

    r = textfix.Result.from_json(p.stdout.decode())
    assert r.restore() == SEED.read_text(encoding="utf-8")
    text = run(str(SEED), full=True).stdout.decode()
    assert text == r.text
    assert "“党建引领‘破难题、促发展’”" in text
    assert "深入学习贯彻习近平法治思想" in text  # 深人 corrected


def test_explain_lists_edits_with_offsets():
    p = run("--explain", input="值班主任:余虔虹\n".encode())
    assert p.returncode == 0
    assert p.stdout.decode() == "<stdin>:1:5 [4-5] punct.halfwidth-in-cjk ':' → '：' [safe 1.00]\n"


def test_jsonl_has_one_record_per_paragraph():
    p = run("--format", "jsonl", input="标题\n\n\n正文,第一段\n".encode())
    records = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert [r["text"] for r in records] == ["标题", "正文，第一段"]
    assert records[0]["schema"] == "textfix.paragraph/1"
    assert records[1]["source"] == [[5, 11]]
    assert [e["rules"] for r in records for e in r["edits"]] == [["layout.blank-lines"], ["punct.halfwidth-in-cjk"]]


def test_diff_and_check(tmp_path):
    f = tmp_path / "page.txt"
    f.write_text("近年来,我市\n", encoding="utf-8")
    d = run("--diff", str(f))
    assert "-近年来,我市" in d.stdout.decode() and "+近年来，我市" in d.stdout.decode()
    c = run("--check", str(f))
    assert c.returncode == 1 and "would change" in c.stderr.decode()
    clean = tmp_path / "clean.txt"
    clean.write_bytes(run(str(f)).stdout)
    assert run("--check", str(clean)).returncode == 0


def test_rules_lists_and_shows_docs():
    p = run("rules")
    assert p.returncode == 0 and "punct.straight-quotes" in p.stdout.decode()
    one = run("rules", "punct.straight-quotes")
    assert "## Why" in one.stdout.decode() and "## Example" in one.stdout.decode()
    bad = run("rules", "punct.straight-quote")
    assert bad.returncode == 2 and "did you mean 'punct.straight-quotes'" in bad.stderr.decode()


@pytest.mark.parametrize("args, stdin, message", [
    (["/nonexistent/page.txt"], None, "no such file"),
    (["."], None, "is a directory"),
    ([], b"\x00\x01binary\x00", "binary"),
    ([], b"abc\xff\xfe\xfd", "not valid UTF-8"),
    (["--disable", "nope"], b"x", "unknown rule 'nope'"),
    (["--convert", "x2y"], b"x", "unknown conversion"),
    (["--threshold", "7"], b"x", "threshold"),
    (["--frobnicate"], b"x", "unrecognized arguments"),
])
def test_bad_input_is_one_clear_sentence(args, stdin, message):
    p = run(*args, input=stdin or b"", cwd=ROOT)
    err = p.stderr.decode()
    assert p.returncode == 2
    assert message in err
    assert "Traceback" not in err
    assert p.stdout == b""


def test_empty_input_says_so():
    p = run(input=b"")
    assert p.returncode == 0 and p.stdout == b"" and "empty" in p.stderr.decode()


def test_gb18030_and_utf16_are_detected():
    text = "茂名晚报讯,近年来\n"
    for data in (text.encode("gb18030"), text.encode("utf-16")):
        p = run(input=data)
        assert p.returncode == 0, p.stderr.decode()
        assert p.stdout.decode() == "茂名晚报讯，近年来\n"


def test_utf8_bom_is_removed_as_an_edit():
    p = run("--explain", input="\ufeff本报讯\n".encode())
    assert "unicode.invisible-char '\\ufeff' → ''" in p.stdout.decode()


def test_errors_replace_keeps_going_and_flags():
    p = run("--errors", "replace", "--explain", input=b"\xe8\x8c\x82\xff\n")
    assert p.returncode == 0
    assert "flag replacement-char" in p.stdout.decode()


def test_config_file_and_convert(tmp_path):
    cfg = tmp_path / "textfix.toml"
    cfg.write_text('convert = "t2s"\n', encoding="utf-8")
    p = run("--config", str(cfg), input="繁體中文\n".encode())
    assert p.stdout.decode() == "繁体中文\n"
    bad = tmp_path / "bad.toml"
    bad.write_text("convert = [\n", encoding="utf-8")
    q = run("--config", str(bad), input=b"x")
    assert q.returncode == 2 and "not valid TOML" in q.stderr.decode()


def test_version():
    p = run("--version")
    assert p.returncode == 0 and p.stdout.decode().startswith("textfix ")


def test_python_dash_m():
    p = subprocess.run([sys.executable, "-m", "textfix", *fast_args([])], input="甲,乙\n".encode(), capture_output=True)
    assert p.stdout.decode() == "甲，乙\n"


def test_lexicon_learn_writes_a_user_dictionary(tmp_path):
    archive = tmp_path / "archive"
    (archive / "b").mkdir(parents=True)
    seed = SEED.read_text(encoding="utf-8")
    for i in range(4):  # an archive of four copies of the page, in a tree
        (archive / ("b" if i % 2 else "") / f"p{i}.txt").write_text(seed, encoding="utf-8")
    out = tmp_path / "terms.tsv"
    p = run("lexicon", "learn", str(archive), "-o", str(out))
    assert p.returncode == 0, p.stderr.decode()
    terms = dict(line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()
                 if line and not line.startswith("#"))
    assert terms.get("廖述毅") == str(4 * seed.count("廖述毅"))  # a name jieba does not know
    # the file reads back as a user dictionary
    from textfix.fuzzy import read_dict

    assert read_dict(out)["廖述毅"] == 4 * seed.count("廖述毅")
    missing = run("lexicon", "learn", str(tmp_path / "nope"), "-o", str(out))
    assert missing.returncode == 2 and "no such file" in missing.stderr.decode()
