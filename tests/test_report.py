import os
import re
import shutil
import subprocess

import pytest

import textfix
from textfix.report import EDIT_CLASS, render, report_data

from conftest import SEEDS, run_textfix

HERE = os.path.dirname(os.path.abspath(__file__))
EVIL = '<script>alert("x")</script>&amp;\n\n\n\n标题"你好",世界\ufffd。</script><img src=x onerror=alert(1)>\r\n'


def test_page_is_self_contained_and_escaped():
    page = render(textfix.clean(EVIL), title="<b>t</b>")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;b&gt;t&lt;/b&gt;" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no external assets
    assert page.count("<script") == 2  # the data and the code


def test_report_data_counts_and_output_offsets(seed_texts):
    r = textfix.clean(seed_texts[1])
    d = report_data(r)
    assert sum(x["edits"] for x in d["rules"]) >= len(r.edits)
    for e, ed in zip(r.edits, d["edits"]):
        assert r.text[ed["os"]:ed["oe"]] == e.new


def test_cli_report(tmp_path):
    out = tmp_path / "r.html"
    p = run_textfix("report", SEEDS[0], "-o", out)
    assert p.returncode == 0, p.stderr
    assert "<!DOCTYPE html>" in out.read_text(encoding="utf-8")
    p = run_textfix("report", tmp_path / "missing.txt", "-o", out)
    assert p.returncode == 2 and "no such file" in p.stderr


def _tags(html):
    from html.parser import HTMLParser

    found = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append(tag)

    P().feed(html)
    return found


def _chromium():
    if not shutil.which("chromium"):
        try:
            subprocess.run(["sh", os.path.join(HERE, "setup_browser.sh")], timeout=600, check=False)
        except (OSError, subprocess.TimeoutExpired):
            pass
    exe = shutil.which("chromium")
    if not exe:
        pytest.skip("chromium is not installed and could not be installed (tests/setup_browser.sh needs root and apt)")
    return exe


def _run_chromium(exe, tmp_path, *args):
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           f"--user-data-dir={tmp_path / 'profile'}", *args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.skip("chromium did not finish within 60 s")


def test_page_in_a_real_browser(tmp_path):
    exe = _chromium()
    text = open(SEEDS[1], encoding="utf-8").read() + EVIL
    result = textfix.clean(text, disable=["confusable"])  # as the command runs it here
    assert result.flags  # the U+FFFD paragraph is flagged
    page = tmp_path / "report.html"
    p = run_textfix("report", "-", "-o", page, input=text)
    assert p.returncode == 0, p.stderr
    dom = _run_chromium(exe, tmp_path, "--dump-dom", page.as_uri())
    if dom.returncode != 0 or "<body" not in dom.stdout:
        pytest.skip(f"chromium could not run here: {dom.stderr.strip()[:200]}")
    html = dom.stdout
    edits = re.findall(rf'<span class="{EDIT_CLASS}[ "][^>]*data-edit="(\d+)"', html)
    assert len(edits) == len(result.edits) == len(set(edits))
    assert f'data-edits="{len(result.edits)}"' in html
    assert html.count('class="tf-para flagged"') == sum(1 for p in result.paragraphs if p.flags)
    assert "replacement-char" in html
    tags = _tags(html)
    assert "img" not in tags and tags.count("script") == 2  # the OCR text became text, not markup
    assert html.count('type="checkbox"') == len(report_data(result)["rules"])
    shot = tmp_path / "report.png"  # kept under the pytest tmp dir for a look
    s = _run_chromium(exe, tmp_path, "--window-size=1400,900", f"--screenshot={shot}", page.as_uri())
    assert s.returncode == 0 and shot.exists() and shot.stat().st_size > 10_000
