"""The memoised character classes and the protected-span prefilter of textfix.chars
answer exactly what the patterns they stand for answer."""

from hypothesis import given, strategies as st

from strategies import any_text, ocr_text
from textfix.chars import CJK_CONTEXT, HAN_CHAR, PROTECTED, CharTable, is_cjk, is_han, protected_spans

one_char = st.characters(blacklist_categories=("Cs",))


@given(st.lists(one_char, max_size=50))
def test_tables_agree_with_their_patterns(chars):
    for c in chars + ["", "中", "，", "a", "中a", "a中"]:
        # asked twice: the first answer fills the table, the second reads it
        for _ in range(2):
            assert is_cjk(c) == (CJK_CONTEXT.match(c) is not None), repr(c)
            assert is_han(c) == (HAN_CHAR.match(c) is not None), repr(c)


def test_table_asks_its_predicate_once_per_code_point():
    asked = []
    t = CharTable(lambda c: asked.append(c) or c == "x")
    assert [t(c) for c in "xyxyx"] == [True, False, True, False, True]
    assert asked == ["x", "y"]
    assert t("") is False and t("xy") is True and t("yx") is False


URLISH = st.text(alphabet=st.sampled_from("ab.@:/w1-_中 "), max_size=60)


@given(st.one_of(any_text, ocr_text, URLISH,
                 st.builds(lambda a, b: a + "www." + b, URLISH, URLISH),
                 st.builds(lambda a, b: a + "http://" + b, URLISH, URLISH)))
def test_protected_spans_agree_with_the_pattern(text):
    assert protected_spans(text) == [m.span() for m in PROTECTED.finditer(text)]


def _scanners():
    from textfix.rules import punct, stray, unicode

    return [unicode._INVISIBLE, stray._SYMBOL, stray._BULLET, punct._QUOTE_BLOCK]


@given(st.one_of(any_text, ocr_text, st.text(alphabet=st.sampled_from("口回 \t\n本报记者通讯员\"'^|\u200b\x07中"), max_size=80)))
def test_scanners_compiled_with_re_match_as_regex_would(text):
    import regex

    for p in _scanners():
        assert [m.span() for m in p.finditer(text)] == \
            [m.span() for m in regex.compile(p.pattern, p.flags & (regex.M | regex.S)).finditer(text)], p.pattern
