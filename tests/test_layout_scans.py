"""The scans of ``layout.trailing-space`` and ``layout.blank-lines``: the test before
the trailing-space pattern, and the compiled twin of the blank-line runs
(``textfix._layout.blank_runs``) against their definitions."""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import example, given, settings, strategies as st  # noqa: E402

#: the characters both scans look at, and others
_TEXT = st.lists(st.sampled_from(["\n", "\n\n", " ", "\t", "\u3000", "\r", "\xa0", "\x0b", "a", "区", "🙂",
                                  " \n", "\n \n", "\n\n\n"]), max_size=25).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_TEXT, st.text(max_size=20)))
@example("")
@example(" ")
@example("a\u3000")
@example("a \r\n")
def test_trailing_space_is_looked_for_wherever_there_is_one(text):
    from textfix.rules.layout import _TRAILING, _could_have_trailing_space

    assert _could_have_trailing_space(text) == (_TRAILING.search(text) is not None)


@pytest.mark.twin
@settings(max_examples=2000, deadline=None)
@given(_TEXT, st.integers(0, 60), st.integers(0, 60))
@example("a\n\nb", 0, 4)
@example("a\n \nb", 0, 4)
@example("a\n\n\nb", 0, 3)  # the end cuts a run short
@example("a\n\n\nb", 2, 5)
def test_blank_runs_twin_agrees(text, start, end):
    from textfix import layout_blocks as lb
    from textfix.rules.layout import _blank_runs_py

    if lb._layout is None:
        pytest.fail("textfix._layout was not built")
    end = min(end, len(text))
    start = min(start, end)
    assert lb._layout.blank_runs(text, start, end) == _blank_runs_py(text, start, end)


@pytest.mark.twin
def test_blank_runs_twin_refuses_a_span_outside_the_text():
    from textfix import layout_blocks as lb

    for start, end in ((-1, 2), (2, 1), (0, 4)):
        with pytest.raises(ValueError):
            lb._layout.blank_runs("a\n\n", start, end)


@pytest.mark.twin
def test_blank_runs_twin_agrees_on_real_pages(seed_texts):
    from benchmarks.noise import heldout, pages
    from textfix import layout_blocks as lb
    from textfix.rules.layout import _blank_runs_py

    noisy, clean = pages(heldout()[:400])
    runs = 0
    for text in list(seed_texts) + noisy + clean:
        # as the page came, and with its spaces around the line breaks doubled
        for t in (text, text.replace("\n", "\n \n").replace(" \n \n \n", "\n\n\n")):
            got = lb._layout.blank_runs(t, 0, len(t))
            assert got == _blank_runs_py(t, 0, len(t))
            runs += len(got)
    assert runs > 100


@pytest.mark.twin
@settings(max_examples=1500, deadline=None)
@given(st.one_of(_TEXT, st.text(max_size=20)))
@example("a \u3000\t\nb  ")
@example("  ")
def test_trailing_runs_twin_agrees(text):
    from textfix import layout_blocks as lb
    from textfix.rules.layout import _trailing_runs_py

    if lb._layout is None:
        pytest.fail("textfix._layout was not built")
    assert lb._layout.trailing_runs(text) == _trailing_runs_py(text)


@pytest.mark.twin
def test_trailing_runs_twin_agrees_on_real_pages(seed_texts):
    from benchmarks.noise import heldout, pages
    from textfix import layout_blocks as lb
    from textfix.rules.layout import _trailing_runs_py

    noisy, clean = pages(heldout()[:400])
    runs = 0
    for text in list(seed_texts) + noisy + clean:
        # as the page came, and with a space or two before each line break
        for t in (text, text.replace("\n", " \n"), text.replace("\n", "\u3000 \n") + "\t"):
            got = lb._layout.trailing_runs(t)
            assert got == _trailing_runs_py(t)
            runs += len(got)
    assert runs > 1000
