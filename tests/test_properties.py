"""The invariants, as hypothesis properties over the whole default pipeline."""

from __future__ import annotations

import pickle

from hypothesis import example, given
from hypothesis import strategies as st

import textfix
from textfix.edit import apply, validate

from strategies import any_text, clean_text, long_line, ocr_text

PIPELINE = textfix.Pipeline()
texts = st.one_of(ocr_text, any_text)


def _check_lossless(x: str) -> textfix.Result:
    r = PIPELINE.clean(x)
    validate(x, r.edits)
    assert apply(x, r.edits) == r.text
    assert r.restore() == x
    return r


@given(texts)
def test_restore_is_exact(x):
    _check_lossless(x)


@given(long_line)
def test_restore_is_exact_on_long_lines(x):
    _check_lossless(x)


@given(texts)
@example("|\U000f0000")  # a column rule left alone once a private-use character went
@example('"\\\u3400')  # a symbol after a quote that later becomes a Chinese one
@example("0一X个业")  # a letter kept before a classifier (X个) that the glyph rule used to change
@example("::A\xa0¦\u3400")  # a noise line one stray too long until the column rule took it out
@example("A,\r\U00020000")  # a noise line in two lines until the layout stage joined them
def test_cleaning_twice_changes_nothing(x):
    r = PIPELINE.clean(x)
    again = PIPELINE.clean(r.text)
    assert again.edits == [], list(again.explain())
    assert again.text == r.text


@given(clean_text)
def test_clean_text_is_untouched(x):
    r = PIPELINE.clean(x)
    assert r.edits == [], list(r.explain())


@given(texts)
def test_every_output_character_maps_into_the_source(x):
    r = PIPELINE.clean(x)
    for i in range(len(r.text)):
        for s, e in r.source_spans(i, i + 1):
            assert 0 <= s <= e <= len(x)
    for p in r.paragraphs:
        assert r.text[p.start : p.end] == p.text
        assert 0 <= p.source_start <= p.source_end <= len(x)


@given(texts)
def test_unchanged_characters_map_to_themselves(x):
    r = PIPELINE.clean(x)
    for tag, i1, i2, j1, j2 in r.opcodes():
        if tag == "equal":
            assert r.text[j1:j2] == x[i1:i2]
            assert r.source_spans(j1, j2) == [(i1, i2)]


@given(texts)
def test_records_hold_every_edit(x):
    r = PIPELINE.clean(x)
    records = r.to_records()
    edits = [textfix.Edit.from_dict(e) for rec in records for e in rec["edits"]]
    assert textfix.edit.restore(r.text, edits) == x


def test_pipeline_pickles():
    p = textfix.Pipeline(disable=["punct.dash"], convert="t2s")
    q = pickle.loads(pickle.dumps(p))
    assert q.config == p.config
    assert q.clean("繁體,中文").text == p.clean("繁體,中文").text == "繁体，中文\n"
