import io
import json
import os
import shutil
import signal
import subprocess
import time

import jsonschema
import pytest

import textfix
from textfix.batch import (MANIFEST_NAME, SUMMARY_NAME, Task, clean_file, clean_files, clean_stream,
                           iter_chunks, run_batch)
from textfix.edit import apply, restore
from textfix.io import InputError

from conftest import FAST, SEEDS, run_textfix, textfix_cmd

SCHEMA = json.load(open(os.path.join(os.path.dirname(textfix.__file__), "data", "paragraph.schema.json")))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def make_archive(root, copies=1):
    """seeds mirrored into root/a/… and root/b/c/…, plus a non-matching file."""
    paths = []
    for k in range(copies):
        for i, s in enumerate(SEEDS):
            d = root / ("a" if i == 0 else os.path.join("b", "c"))
            d.mkdir(parents=True, exist_ok=True)
            p = d / f"page{k:03d}_{i}.txt"
            shutil.copy(s, p)
            paths.append(p)
    (root / "notes.md").write_text("# not a page\n")
    return paths


# ---------------------------------------------------------------- streaming


@pytest.mark.parametrize("chunk_chars", [300, 2000, 10**6])
def test_stream_gives_exactly_the_whole_file_result(seed_texts, chunk_chars):
    src = "".join(seed_texts * 4)
    p = textfix.Pipeline()
    whole = p.clean(src)
    chunks = list(clean_stream(p, io.BytesIO(src.encode()), chunk_chars=chunk_chars, block_size=999))
    if chunk_chars < 1000:
        assert len(chunks) > 10
    text = "".join(c.text for c in chunks)
    edits = [e for c in chunks for e in c.edits()]
    assert text == whole.text
    assert apply(src, edits) == text and restore(text, edits) == src
    recs = [r for c in chunks for r in c.to_records()]
    assert recs == whole.to_records()
    for r in recs:
        VALIDATOR.validate(r)


def test_stream_from_text_file_object(seed_texts):
    src = "".join(seed_texts * 2)
    chunks = list(clean_stream(textfix.Pipeline(), io.StringIO(src), chunk_chars=500))
    assert "".join(c.text for c in chunks) == textfix.clean(src).text


def test_stream_with_only_some_rules(seed_texts):
    src = "".join(seed_texts * 2)
    p = textfix.Pipeline(select=["punct"])
    chunks = list(clean_stream(p, io.StringIO(src), chunk_chars=500))
    assert "".join(c.text for c in chunks) == p.clean(src).text


def test_chunks_are_cut_only_after_a_sentence_and_a_blank_line(seed_texts):
    src = "".join(seed_texts * 3)
    pieces = list(iter_chunks([src[i:i + 100] for i in range(0, len(src), 100)], 500))
    assert "".join(pieces) == src and len(pieces) > 5
    for a, b in zip(pieces, pieces[1:]):
        assert a.endswith("\n") and a.rstrip()[-1] in "。！？!?；;…”’」』）)】"
        assert b.lstrip(" \t\u3000\r").startswith("\n")


def test_chunks_stay_bounded_without_any_good_cut():
    src = "无标点的长文本" * 5000  # no line break at all
    pieces = list(iter_chunks([src[i:i + 1000] for i in range(0, len(src), 1000)], 1000, 4000))
    assert "".join(pieces) == src and max(len(p) for p in pieces) <= 4000 + 1000


# ---------------------------------------------------------------- API


def test_clean_iter_and_map_are_lazy_and_equal(seed_texts):
    it = textfix.clean_iter(iter(seed_texts), disable=["punct.straight-quotes"])
    assert not isinstance(it, list)
    got = [r.text for r in it]
    assert got == [textfix.clean(t, disable=["punct.straight-quotes"]).text for t in seed_texts]
    with pytest.raises(textfix.ConfigError):
        textfix.clean_iter([], no_such_option=1)


def test_real_records_validate_against_the_schema(seed_texts):
    for t in seed_texts + ["", "x\ufffd"]:
        for rec in textfix.clean(t).to_records():
            VALIDATOR.validate(rec)
    bad = dict(textfix.clean("x").to_records()[0], schema="textfix.paragraph/2")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)


# ---------------------------------------------------------------- library batch


def test_batch_mirrors_tree_writes_both_formats_and_summary(tmp_path):
    make_archive(tmp_path / "in")
    out = tmp_path / "out"
    summary = run_batch([str(tmp_path / "in")], str(out), fmt="both", jobs=2, quiet=True)
    assert summary["files"] == {"total": 2, "cleaned": 2, "skipped": 0, "failed": 0}
    for i, s in enumerate(SEEDS):
        rel = "a" if i == 0 else "b/c"
        expected = textfix.clean(open(s, encoding="utf-8").read())
        assert (out / rel / f"page000_{i}.txt").read_text(encoding="utf-8") == expected.text
        recs = [json.loads(l) for l in (out / rel / f"page000_{i}.jsonl").read_text().splitlines()]
        assert recs == expected.to_records()
    assert not (out / "notes.md").exists()
    on_disk = json.loads((out / SUMMARY_NAME).read_text())
    assert on_disk == summary
    assert summary["edits"] == sum(summary["edits_by_rule"].values()) > 0
    assert summary["characters"] == sum(len(open(s, encoding="utf-8").read()) for s in SEEDS)
    assert summary["chars_per_second"] > 0 and summary["failures"] == []
    assert not [p for p in out.rglob("*.tmp")]


def test_large_files_are_streamed_with_the_same_output(tmp_path, seed_texts):
    src = tmp_path / "in"
    src.mkdir()
    (src / "big.txt").write_text("".join(seed_texts * 5), encoding="utf-8")
    out = tmp_path / "out"
    s = run_batch([str(src)], str(out), fmt="both", jobs=1, quiet=True, stream_threshold=1000, chunk_chars=2000)
    whole = textfix.clean("".join(seed_texts * 5))
    assert (out / "big.txt").read_text(encoding="utf-8") == whole.text
    assert [json.loads(l) for l in (out / "big.jsonl").read_text().splitlines()] == whole.to_records()
    assert s["edits"] == len(whole.edits)


def test_clean_files_cleans_small_files_together_and_gives_each_what_clean_file_gives(tmp_path, seed_texts):
    # small files are cleaned a few together (Pipeline.map); a big one is streamed
    # between them; one that cannot be read or decoded fails alone, in its place
    src = tmp_path / "in"
    src.mkdir()
    names = []
    for k in range(11):
        (src / f"p{k:02d}.txt").write_text(seed_texts[k % 2][: 400 + 97 * k], encoding="utf-8")
        names.append(f"p{k:02d}.txt")
    (src / "big.txt").write_text("".join(seed_texts * 2), encoding="utf-8")
    (src / "bin.txt").write_bytes(b"\x00\x01\x02garbage")
    names[4:4] = ["big.txt", "bin.txt", "gone.txt"]
    pipeline = textfix.Pipeline()
    tasks = [Task(str(src / n), n, {"text": str(tmp_path / "a" / n), "jsonl": str(tmp_path / "a" / (n + ".jsonl"))})
             for n in names]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    got = list(clean_files(pipeline, tasks, stream_threshold=20000, chunk_chars=3000))
    assert [t.rel for t, _, _ in got] == names
    for task, stats, error in got:
        if task.rel in ("bin.txt", "gone.txt"):
            assert stats is None and isinstance(error, InputError)
            assert not os.path.exists(task.outputs["text"])
            continue
        assert error is None
        alone = {k: v.replace(str(tmp_path / "a"), str(tmp_path / "b")) for k, v in task.outputs.items()}
        assert clean_file(pipeline, task.src, alone, stream_threshold=20000, chunk_chars=3000) == stats
        for k in ("text", "jsonl"):
            assert open(task.outputs[k], "rb").read() == open(alone[k], "rb").read()
        assert stats["streamed"] == (task.rel == "big.txt")


def test_refuses_outdir_equal_to_input_and_input_inside_outdir(tmp_path):
    make_archive(tmp_path / "in")
    with pytest.raises(InputError, match="is the input directory"):
        run_batch([str(tmp_path / "in")], str(tmp_path / "in"), quiet=True)
    with pytest.raises(InputError, match="inside the output directory"):
        run_batch([str(tmp_path / "in" / "a")], str(tmp_path / "in"), quiet=True)
    with pytest.raises(InputError, match="no such file"):
        run_batch([str(tmp_path / "nope")], str(tmp_path / "o"), quiet=True)


def test_outdir_inside_input_dir_is_not_walked(tmp_path):
    make_archive(tmp_path / "in")
    out = tmp_path / "in" / "clean"
    s1 = run_batch([str(tmp_path / "in")], str(out), quiet=True, jobs=1)
    s2 = run_batch([str(tmp_path / "in")], str(out), quiet=True, jobs=1)
    assert s1["files"]["total"] == s2["files"]["total"] == 2
    assert s2["files"]["skipped"] == 2


def test_globs_and_several_inputs(tmp_path):
    make_archive(tmp_path / "in", copies=2)
    out = tmp_path / "out"
    s = run_batch([str(tmp_path / "in" / "**" / "page001_*.txt")], str(out), quiet=True, jobs=1)
    assert s["files"]["total"] == 2
    assert (out / "a" / "page001_0.txt").exists() and (out / "b" / "c" / "page001_1.txt").exists()
    s = run_batch([str(tmp_path / "in" / "a"), str(tmp_path / "in" / "b")], str(tmp_path / "o2"), quiet=True,
                  jobs=1, pattern="page000_*")
    assert (tmp_path / "o2" / "a" / "page000_0.txt").exists() and (tmp_path / "o2" / "b" / "c" / "page000_1.txt").exists()


def test_resume_skips_up_to_date_and_redoes_changed_inputs(tmp_path):
    paths = make_archive(tmp_path / "in", copies=2)
    out = tmp_path / "out"
    assert run_batch([str(tmp_path / "in")], str(out), quiet=True, jobs=1)["files"]["cleaned"] == 4
    s = run_batch([str(tmp_path / "in")], str(out), quiet=True, jobs=1)
    assert s["files"] == {"total": 4, "cleaned": 0, "skipped": 4, "failed": 0}
    assert s["edits"] > 0  # totals still cover the skipped files
    st = os.stat(paths[0])
    os.utime(paths[0], ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    os.remove(out / "b" / "c" / "page001_1.txt")
    s = run_batch([str(tmp_path / "in")], str(out), quiet=True, jobs=1)
    assert s["files"]["cleaned"] == 2 and s["files"]["skipped"] == 2
    s = run_batch([str(tmp_path / "in")], str(out), quiet=True, jobs=1, config=textfix.Config(disable=("punct",)))
    assert s["files"]["cleaned"] == 4  # other options: other outputs
    s = run_batch([str(tmp_path / "in")], str(out), quiet=True, jobs=1, config=textfix.Config(disable=("punct",)),
                  force=True)
    assert s["files"]["cleaned"] == 4


# ---------------------------------------------------------------- CLI


def test_cli_clean_parallel_equals_serial_and_reports_failures(tmp_path):
    make_archive(tmp_path / "in", copies=3)
    (tmp_path / "in" / "a" / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    p1 = run_textfix("clean", tmp_path / "in", "-o", tmp_path / "o1", "-j", "1", "--format", "jsonl")
    p2 = run_textfix("clean", tmp_path / "in", "-o", tmp_path / "o2", "-j", "2", "--format", "jsonl")
    assert p1.returncode == p2.returncode == 2
    assert "binary" in p2.stderr and "6 cleaned" in p2.stderr and "1 failed" in p2.stderr
    assert "\r" not in p2.stderr  # no progress bar when stderr is not a terminal
    files1 = sorted(p.relative_to(tmp_path / "o1") for p in (tmp_path / "o1").rglob("page*.jsonl"))
    files2 = sorted(p.relative_to(tmp_path / "o2") for p in (tmp_path / "o2").rglob("page*.jsonl"))
    assert files1 == files2 and len(files1) == 6
    for f in files1:
        assert (tmp_path / "o1" / f).read_bytes() == (tmp_path / "o2" / f).read_bytes()
    summary = json.loads((tmp_path / "o2" / SUMMARY_NAME).read_text())
    assert summary["files"]["failed"] == 1 and "binary file" in summary["failures"][0]["message"]
    assert summary["workers"] == 2


def test_cli_clean_usage_errors(tmp_path):
    make_archive(tmp_path / "in")
    p = run_textfix("clean", tmp_path / "in", "-o", tmp_path / "in")
    assert p.returncode == 2 and "input directory" in p.stderr and "Traceback" not in p.stderr
    p = run_textfix("clean", tmp_path / "in")
    assert p.returncode == 2 and "-o" in p.stderr
    p = run_textfix("clean", tmp_path / "in", "-o", tmp_path / "o", "--select", "no.such-rule")
    assert p.returncode == 2 and "unknown rule" in p.stderr
    assert "clean" in run_textfix("--help").stdout


def test_cli_interrupted_batch_resumes_without_redoing_finished_files(tmp_path):
    make_archive(tmp_path / "in", copies=60)  # 120 files
    total = 120
    out = tmp_path / "out"
    proc = subprocess.Popen(textfix_cmd() + ["clean", str(tmp_path / "in"), "-o", str(out), "-j", "1",
                                             "--format", "both", "-q", *FAST],
                            stderr=subprocess.PIPE, start_new_session=True)
    manifest = out / MANIFEST_NAME
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if manifest.exists() and manifest.read_text().count("\n") >= 10:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = sum(1 for line in manifest.read_text().splitlines() if line.endswith("}"))
    assert 10 <= finished < total, "the batch should have been killed part-way"
    p = run_textfix("clean", tmp_path / "in", "-o", out, "-j", "2", "--format", "both", "-q")
    assert p.returncode == 0, p.stderr
    s = json.loads((out / SUMMARY_NAME).read_text())
    assert s["files"]["skipped"] == finished
    assert s["files"]["cleaned"] == total - finished
    assert not list(out.rglob("*.tmp"))
    expected = {i: textfix.clean(open(src, encoding="utf-8").read(), disable=["confusable"]).text for i, src in enumerate(SEEDS)}
    for p in out.rglob("page*.txt"):
        assert p.read_text(encoding="utf-8") == expected[int(p.stem[-1])]


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_workers_started_either_way_give_the_serial_output(tmp_path, monkeypatch, method):
    # fork: the parent loads the data and its workers share it; forkserver: each
    # worker loads its own.  Same files either way.
    from textfix.batch import _start_method

    monkeypatch.setenv("TEXTFIX_START_METHOD", method)
    assert _start_method() == method
    make_archive(tmp_path / "in", copies=2)
    pipe = textfix.Pipeline(disable=["confusable"])
    run_batch([str(tmp_path / "in")], str(tmp_path / "o1"), pipeline=pipe, jobs=1, quiet=True)
    s2 = run_batch([str(tmp_path / "in")], str(tmp_path / "o2"), pipeline=pipe, jobs=2, quiet=True)
    assert s2["files"]["cleaned"] == 4 and s2["workers"] == 2
    for f in sorted((tmp_path / "o1").rglob("page*.txt")):
        assert f.read_bytes() == (tmp_path / "o2" / f.relative_to(tmp_path / "o1")).read_bytes()
