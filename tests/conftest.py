import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = sorted(os.path.join(ROOT, "seeds", f) for f in os.listdir(os.path.join(ROOT, "seeds")) if f.endswith(".txt"))


def textfix_cmd() -> list[str]:
    """The installed `textfix` command (next to the running interpreter)."""
    exe = os.path.join(os.path.dirname(sys.executable), "textfix")
    return [exe] if os.path.exists(exe) else [shutil.which("textfix") or "textfix"]


def run_textfix(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(textfix_cmd() + [str(a) for a in args], capture_output=True, text=True, **kw)


@pytest.fixture
def seed_texts() -> list[str]:
    return [open(p, encoding="utf-8").read() for p in SEEDS]
