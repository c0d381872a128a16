import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

# Property tests run 500 examples each (the CI profile, the same examples on every run
# so that a green main stays green); `HYPOTHESIS_PROFILE=dev` runs fewer while working
# on a rule, `stress` 5,000 new random ones before a change lands.
settings.register_profile("ci", max_examples=500, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("stress", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: The seed pages (their reviewed expected outputs, *.expected.*, are not inputs).
SEEDS = sorted(
    os.path.join(ROOT, "seeds", f) for f in os.listdir(os.path.join(ROOT, "seeds"))
    if f.endswith(".txt") and ".expected" not in f
)


def textfix_cmd() -> list[str]:
    """The installed `textfix` command (next to the running interpreter)."""
    exe = os.path.join(os.path.dirname(sys.executable), "textfix")
    if os.path.exists(exe):
        return [exe]
    found = shutil.which("textfix")
    if not found:
        pytest.fail("the `textfix` command is not installed next to this Python; run `pip install .`")
    return [found]


#: Each `textfix` process that runs the glyph-correction stage builds its matcher (several
#: seconds), so command tests about something else switch that stage off.
FAST = ["--disable", "confusable"]


def fast_args(args) -> list[str]:
    """``args`` plus ``--disable confusable`` where the command cleans text."""
    args = [str(a) for a in args]
    if args and (args[0] in ("rules", "lexicon") or "--help" in args or "--version" in args):
        return args
    return args + FAST


def run_textfix(*args, full: bool = False, **kw) -> subprocess.CompletedProcess:
    """Run the installed command; ``full=True`` keeps every stage on."""
    argv = [str(a) for a in args] if full else fast_args(args)
    return subprocess.run(textfix_cmd() + argv, capture_output=True, text=True, **kw)


@pytest.fixture
def seed_texts() -> list[str]:
    return [open(p, encoding="utf-8").read() for p in SEEDS]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "twin: compares a compiled twin with its pure-Python definition, so it "
        "runs with the twins on even when TEXTFIX_PURE_PYTHON switches them off")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """A ``twin`` test runs with the compiled twins on: it needs both sides to compare
    (the test itself switches to pure Python where it wants it)."""
    saved = os.environ.pop("TEXTFIX_PURE_PYTHON", None) if item.get_closest_marker("twin") else None
    try:
        yield
    finally:
        if saved is not None:
            os.environ["TEXTFIX_PURE_PYTHON"] = saved
