"""textfix.fuzzy: matcher, reference agreement, scorer decisions, dictionaries, term learning."""

from __future__ import annotations

from array import array

import pickle

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from textfix.fuzzy import Candidate, Confusions, Lexicon, LexiconError, Matcher, read_dict, reference_find
from textfix.fuzzy.score import BigramModel, Scorer, correct, train_trigrams
from textfix.fuzzy.terms import learn_terms, write_terms

SMALL_WORDS = {"深入": 4933, "学习": 13482, "入学": 732, "纳入": 1491, "公务员": 3000, "已经": 51289,
               "自己": 90933, "日本": 25307, "土地": 11240, "士兵": 3000, "未来": 6069, "末尾": 72,
               "人口": 23243, "入口": 704, "大学": 20000, "深": 5000, "人": 90000, "入": 8000, "学": 9000}
SMALL_CONF = [("人", "入", 0.92), ("入", "人", 0.92), ("己", "已", 0.93), ("已", "己", 0.93), ("巳", "已", 0.96),
              ("土", "士", 0.94), ("士", "土", 0.94), ("未", "末", 0.96), ("末", "未", 0.96), ("曰", "日", 0.65),
              ("大", "人", 0.83), ("人", "大", 0.83)]


@pytest.fixture(scope="module")
def small():
    lex = Lexicon(SMALL_WORDS)
    conf = Confusions(SMALL_CONF)
    return lex, conf, Matcher(lex, conf)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    lex = Lexicon.default()
    conf = Confusions.load()
    return lex, Matcher(lex, conf, cache_dir=tmp_path_factory.mktemp("cache")), Scorer(lex)


def test_small_matcher_finds_deep_learning(small):
    _lex, _conf, m = small
    cands = m.find("要深人学习")
    hit = [c for c in cands if c.word == "深入"]
    assert hit and hit[0].start == 1 and hit[0].end == 3 and hit[0].observed == "深人"
    assert hit[0].subs == ((1, "人", "入"),) and hit[0].positions() == (2,)
    assert hit[0].word_freq == 4933 and hit[0].observed_freq == 0


def test_variant_that_is_a_more_frequent_word_is_pruned(small):
    # 人口 is far more frequent than 入口: 人口 is never a candidate for 入口.
    _lex, _conf, m = small
    assert not [c for c in m.find("人口") if c.word == "入口"]
    assert [c for c in m.find("入口") if c.word == "人口"]


def test_matcher_pickles(small):
    _lex, _conf, m = small
    m2 = pickle.loads(pickle.dumps(m))
    assert m2.find("深人学习") == m.find("深人学习")


TEXT_ALPHABET = "深人入学习纳公务员已己巳经自日曰本土士兵地未末来尾口大，1a"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=TEXT_ALPHABET, max_size=30))
def test_fast_and_reference_agree(small, text):
    lex, conf, m = small
    fast = sorted(m.find(text), key=lambda c: (c.start, c.end, c.word, c.subs))
    assert fast == reference_find(text, lex, conf)


#: Words whose variants meet text at odd bytes of its UTF-16 code units (the pattern
#: Ŏ人 is the bytes 01 4E 4E BA, inside 丁乎뫿 = 4E 01 4E 4E BA FF) or hold a character
#: outside the Basic Multilingual Plane (two code units).
UNIT_WORDS = {**SMALL_WORDS, "\u014e入": 50, "\U00020000入": 40, "入\U00020000学": 30}
UNIT_ALPHABET = "深人入学习已己\u4e01\u4e4e\ubaff\u014e\U00020000\U00020001，a"
_UNIT_MATCHERS: list = []


def _unit_matchers():
    """Matchers over UNIT_WORDS, the compiled index's and the automaton's (or only the
    automaton's where the index is not built), and an automaton over their patterns as
    str (UTF-8): the oracle."""
    import ahocorasick_rs

    from textfix.fuzzy.matcher import _LINE, _VariantIndex

    if not _UNIT_MATCHERS:
        lex, conf = Lexicon(UNIT_WORDS), Confusions(SMALL_CONF)
        scans = [Matcher(lex, conf, compiled=False)]
        if _VariantIndex is not None:
            scans.append(Matcher(lex, conf, compiled=True))
        m = scans[0]
        utf8 = ahocorasick_rs.AhoCorasick([x.group() for x in _LINE.finditer(m._table.patterns)],
                                          implementation=ahocorasick_rs.Implementation.ContiguousNFA)
        _UNIT_MATCHERS.extend((scans, utf8))
    return _UNIT_MATCHERS


@pytest.mark.twin
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=UNIT_ALPHABET, max_size=30))
@example("丁乎뫿")
@example("\u014e人丁乎뫿\U00020000人学\U00020000入\U00020000学")
def test_hits_in_code_units_are_the_hits_in_characters(text):
    """The automaton reads UTF-16 code units: its hits, in str offsets, are the hits
    an automaton over the same patterns finds in the str, in the same order (which
    decides between equally frequent words), none across two characters; the compiled
    index, over code points, finds the same."""
    scans, utf8 = _unit_matchers()
    want = utf8.find_matches_as_indexes(text, overlapping=True) if text else []
    for m in scans:
        assert m.hits(text) == want
        assert m.count_hits(text) == len(want)
        fast = sorted(m.find(text), key=lambda c: (c.start, c.end, c.word, c.subs))
        assert fast == reference_find(text, Lexicon(UNIT_WORDS), Confusions(SMALL_CONF))


def test_a_variant_across_two_characters_is_no_hit():
    scans, _utf8 = _unit_matchers()
    assert "丁乎뫿".encode("utf-16-be").find("\u014e人".encode("utf-16-be")) == 1
    for m in scans:
        assert m.hits("丁乎뫿") == [] and m.find("丁乎뫿") == []
        found = [(c.start, c.end, c.word) for c in m.find("要\U00020000人学")]
        assert (1, 3, "\U00020000入") in found and (2, 4, "入学") in found


_GEN_CHARS = "深人入学习已己巳日曰土士\u4e01\U00020000"


@pytest.mark.twin
@settings(max_examples=150, deadline=None)
@given(words=st.dictionaries(st.text(alphabet=_GEN_CHARS, min_size=1, max_size=9),
                             st.integers(1, 1000), min_size=1, max_size=40),
       text=st.text(alphabet=_GEN_CHARS + "，a", max_size=40),
       min_len=st.sampled_from([1, 2, 3]))
def test_compiled_index_finds_the_automatons_hits(words, text, min_len):
    """On generated lexicons (patterns of one to nine characters, prefixes of each
    other, beyond the Basic Multilingual Plane) the compiled index gives the
    automaton's hits, in its order, and both give the str automaton's."""
    import ahocorasick_rs

    from textfix.fuzzy.matcher import _LINE, _VariantIndex

    if _VariantIndex is None:
        pytest.skip("the compiled variant index is not built")
    lex = Lexicon(words)
    conf = Confusions(SMALL_CONF + [("日", "\U00020000", 0.7), ("\U00020000", "日", 0.7), ("丁", "士", 0.6)])
    ac = Matcher(lex, conf, compiled=False, min_len=min_len)
    ix = Matcher(lex, conf, compiled=True, min_len=min_len)
    assert (ix._index is not None) == (len(ix) > 0) and ac._index is None
    pats = [x.group() for x in _LINE.finditer(ac._table.patterns)]
    want = (ahocorasick_rs.AhoCorasick(pats).find_matches_as_indexes(text, overlapping=True)
            if pats and text else [])
    assert ac.hits(text) == want
    assert ix.hits(text) == want
    assert ix.count_hits(text) == len(want)
    packed = array("q", [x for hit in want for x in hit]).tobytes()
    assert ix.hits_packed(text) == ac.hits_packed(text) == packed
    assert ix.find(text) == ac.find(text)


@pytest.mark.twin
def test_compiled_index_finds_the_automatons_hits_on_the_seed_pages(full):
    """With the default lexicon (1.4M variants), on every block of the seed pages and
    on text that is nothing but the variants' characters: the same hits as the
    automaton, in the same order."""
    import random
    from pathlib import Path

    from textfix.fuzzy.matcher import _VariantIndex

    if _VariantIndex is None:
        pytest.skip("the compiled variant index is not built")
    _lex, full_matcher, _sc = full
    m, ac = full_matcher.with_scan(compiled=True), full_matcher.with_scan(compiled=False)
    assert m._index is not None and ac._index is None and ac._ac is not None
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    blocks = [b for f in sorted(seeds.glob("*.txt")) if "expected" not in f.name
              for b in f.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    rng = random.Random(7)
    pats = m._table.patterns.split("\n")
    # runs of variants glued together: hits of every length, overlapping
    blocks += ["".join(rng.choice(pats) for _ in range(40)) for _ in range(200)]
    total = 0
    for b in blocks:
        got = m.hits(b)
        assert got == ac.hits(b)
        assert m.hits_packed(b) == array("q", [x for hit in got for x in hit]).tobytes()
        total += len(got)
    assert total > 10_000


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=TEXT_ALPHABET, max_size=20))
def test_fast_and_reference_agree_two_subs(text):
    lex = Lexicon({**SMALL_WORDS, "深入学习": 800, "自己土地": 50})
    conf = Confusions(SMALL_CONF)
    m = Matcher(lex, conf, max_subs=2)
    fast = sorted(m.find(text), key=lambda c: (c.start, c.end, c.word, c.subs))
    assert fast == reference_find(text, lex, conf, max_subs=2)


@pytest.mark.parametrize("text, fixed, note", [
    ("我们要深人学习贯彻会议精神", "我们要深入学习贯彻会议精神", "人→入 (深入)"),
    ("把他们纳人公务员管理", "把他们纳入公务员管理", "人→入 (纳入)"),
    ("这个问题己经解决了", "这个问题已经解决了", "己→已 (已经)"),
])
def test_full_lexicon_corrects_misreadings(full, text, fixed, note):
    _lex, m, sc = full
    ds = sc.judge(text, m.find(text))
    assert correct(text, ds) == fixed
    assert ds[0].note == note and 0.5 <= ds[0].confidence <= 1.0


@pytest.mark.parametrize("text", [
    "他已经来了", "我自己去", "日本士兵", "保护耕地和土地资源", "面向未来", "文章末尾",
    "人口增长很快", "出入口处", "茂名晚报讯", "廖述毅强调", "2025年8月底,全市已开工改造813个小区",
    "一百一十六点六万", "GDP增长7.5%",
])
def test_full_lexicon_leaves_correct_text(full, text):
    _lex, m, sc = full
    assert sc.judge(text, m.find(text)) == []


def test_protected_word_is_never_changed(full):
    lex, m, _ = full
    sc = Scorer(lex, protect={"深人"})
    assert sc.judge("深人学习", m.find("深人学习")) == []


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=TEXT_ALPHABET, min_size=1, max_size=25), st.data())
def test_segment_gain_is_the_change_of_the_whole_segmentation(text, data):
    # The fast gain (prefix/suffix tables, local re-scoring) equals segmenting
    # the whole text again with and without the substitution.
    sc = Scorer(Lexicon({**SMALL_WORDS, "深入学习": 800, "自己土地": 50}), name_logp=None)
    p = data.draw(st.integers(0, len(text) - 1))
    subs = {p: data.draw(st.sampled_from("入人已士末日大"))}
    if p + 1 < len(text) and data.draw(st.booleans()):
        subs[p + 1] = "学"
    new = list(text)
    for q, ch in subs.items():
        new[q] = ch
    want = sc.segment_logp("".join(new)) - sc.segment_logp(text)
    assert sc.segment_gain(text, subs) == pytest.approx(want, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=TEXT_ALPHABET + "，。王李", min_size=1, max_size=25), st.data())
def test_segment_gain_is_exact_across_clauses_and_the_cheap_bound_holds(text, data):
    # Gains are scored clause by clause (punctuation is in no word), names
    # included; the cheap bound used to drop hopeless candidates never falls
    # below the gain.
    sc = Scorer(Lexicon({**SMALL_WORDS, "深入学习": 800, "自己土地": 50}))
    p = data.draw(st.integers(0, len(text) - 1))
    ch = data.draw(st.sampled_from("入人已士末日大"))
    new = text[:p] + ch + text[p + 1:]
    want = sc.segment_logp(new) - sc.segment_logp(text) if "王" not in text + new and "李" not in text + new else None
    got = sc.segment_gain(text, {p: ch})
    if want is not None:
        assert got == pytest.approx(want, abs=1e-6)
    assert sc.segment_bound(text, p, ch) >= got - 1e-9


def test_single_character_word_is_proposed_from_bigram_context(full):
    # 在 is a word on its own: no lexicon word of two characters spans 左 here,
    # so the matcher has nothing; the character bigrams of clean text do.
    lex, m, _ = full
    bm = BigramModel.train(["会议期间在城区设立服务点", "他们在城区工作", "我们在北京开会", "期间在上海举行"] * 5)
    conf = Confusions([("左", "在", 0.7), ("在", "左", 0.7)])
    text = "会议期间左城区设立了三个服务点"
    (d,) = Scorer(lex, bm, confusions=conf).judge(text, m.find(text))
    assert d.note == "左→在 (在)" and correct(text, [d]) == "会议期间在城区设立了三个服务点"
    # without the confusion table the scorer proposes nothing of its own
    assert Scorer(lex, bm).judge(text, []) == []


def test_given_name_is_a_reading_not_a_misreading(full):
    # 赵宇泫 reads as surname + given name: turning 泫 into 法 gains nothing.
    lex, _m, _ = full
    text = "选手赵宇泫在比赛中表现出色"
    p = text.index("泫")
    c = Candidate(p, p + 1, "泫", "法", ((0, "泫", "法"),), lex.get("法"), lex.get("泫"), 0.7)
    assert Scorer(lex).judge(text, [c]) == []
    assert Scorer(lex, name_logp=None).gain(text, {p: "法"}) > Scorer(lex).gain(text, {p: "法"})


def test_numerals_never_change_but_a_unit_next_to_a_digit_may(full):
    lex, m, _ = full
    sc = Scorer(lex)
    assert sc._in_number("5千人", 1, "干") and sc._in_number("取得二定成效", 2, "一")
    assert not sc._in_number("12月5彐上午", 4, "日")


def test_confusion_data_covers_known_pairs():
    conf = Confusions.load()
    assert len(conf.chars()) >= 1000
    for group in ["入人", "己已巳", "未末", "土士", "日曰", "而面", "干于", "吏更", "贪贫", "肉内", "域城", "衰衷",
                  "旦且", "党觉"]:
        for a in group:
            for b in group:
                if a != b:
                    assert 0 < conf.similarity(a, b) <= 1, (a, b)


def test_malformed_dictionary_line(tmp_path):
    p = tmp_path / "terms.tsv"
    p.write_text("# terms\n茂南区\t30\n高质量发展\n" + "x\t1\n" * 8 + "老旧小区\tabc\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"^terms\.tsv, line 12: frequency 'abc' is not a whole number$"):
        read_dict(p)
    p.write_text("茂南区 3 ns extra\n", encoding="utf-8")
    with pytest.raises(ValueError, match="terms.tsv, line 1"):
        read_dict(p)


def test_user_dictionary_and_protect_file(tmp_path):
    d = tmp_path / "user.txt"
    d.write_text("# mine\n廖述毅 50\n茂南区\n", encoding="utf-8")
    pr = tmp_path / "protect.txt"
    pr.write_text("曰本\n", encoding="utf-8")
    lex = Lexicon.default(user_dicts=[d], protect_files=[pr], general=False)
    assert lex.get("廖述毅") == 50 and lex.get("茂南区") >= 1000 and "曰本" in lex.protect


def test_learned_terms_include_planted_name_and_fix_its_variant(tmp_path):
    filler = ["今天天气很好我们去公园散步", "会议讨论了经济发展问题", "学生们认真学习科学知识",
              "农民在田里种植水稻", "工人在工厂生产机器", "城市交通越来越方便"]
    texts = []
    for i in range(60):
        texts.append(f"{filler[i % 6]}廖述毅{filler[(i + 1) % 6]}，{filler[(i + 2) % 6]}")
    lex = Lexicon({"今天": 500, "天气": 500, "会议": 500, "经济": 500, "发展": 500, "学习": 500, "学生": 500,
                   "科学": 500, "知识": 500, "城市": 500, "交通": 500})
    terms = learn_terms(texts, known=lex.freq, min_count=20)
    assert ("廖述毅", 60) in terms
    out = tmp_path / "terms.tsv"
    write_terms(terms, out)
    assert read_dict(out)["廖述毅"] == 60
    # A rare misreading of the learned name is corrected once the name is a user word.
    full = Lexicon.default(user_dicts=[out])
    conf = Confusions([("述", "迷", 0.8), ("迷", "述", 0.8)])
    m = Matcher(full, conf)
    text = "书记廖迷毅强调"
    ds = Scorer(full).judge(text, m.find(text))
    assert correct(text, ds) == "书记廖述毅强调"


def test_default_lexicon_is_loaded_once_however_it_is_asked_for():
    from textfix.fuzzy.lexicon import load_default

    assert load_default() is load_default((), ()) is load_default(user_dicts=[], protect_files=())


def test_shipped_trigrams_load_and_come_from_the_learning_half():
    from textfix.data.build_trigrams import OUT
    from textfix.fuzzy.score import load_trigrams

    header = [l for l in OUT.read_text(encoding="utf-8").splitlines()[:12] if l.startswith("#")]
    assert any("lines 1-9742 only" in l for l in header)
    assert any("python -m textfix.data.build_trigrams" in l for l in header)
    tri = load_trigrams()
    assert 50_000 < len(tri) < 150_000
    assert all(len(t) == 3 for t in tri)
    assert "人民日" in tri and "会见了" in tri
    assert "深人学" not in tri


def test_trigram_file_round_trip_prunes_rare_trigrams(tmp_path):
    from textfix.data.build_trigrams import write
    from textfix.fuzzy.score import count_trigrams, load_trigrams, train_trigrams

    texts = ["会见美国客人，会见美国客人。", "深入学习"]
    counts = count_trigrams(texts)
    assert counts["会见美"] == 2 and counts["深入学"] == 1 and "人，会" not in counts
    out = tmp_path / "tri.tsv"
    write(counts, out)
    assert load_trigrams(out) == train_trigrams(texts) == frozenset({"会见美", "见美国", "美国客", "国客人"})


def test_trigrams_seen_in_clean_text_add_evidence(full):
    lex, m, _ = full
    tri = train_trigrams(["江泽民会见美国客人"] * 2)
    sc = Scorer(lex, trigrams=tri, trigram_weight=1.5)
    text = "江泽民合见美国客人"
    assert sc.trigram_delta(text, {3: "会"}) == 3  # 泽民会, 民会见, 会见美 become seen
    assert sc.trigram_delta("江泽民会见美国客人", {3: "合"}) == -3
    plain = Scorer(lex)
    assert sc.gain(text, {3: "会"}) == pytest.approx(plain.gain(text, {3: "会"}) + 4.5)


TAGGED = [
    "19980101-01-001-001/m  要/v  把/p  法治/n  教育/vn  纳入/v  考核/vn  ，/w  人/n  在/p  北京/ns",
    "[中国/ns  政府/n]nt  接纳/v  了/u  冼/nr  鼎昌/nr  和/c  白/nr  宇/nr  ，/w  人/n  来/v  了/y",
]


def test_tagged_counts_say_which_characters_stand_alone_and_which_begin_names():
    from textfix.fuzzy.tagged import count_alone, count_surnames, parse

    toks = [parse(line) for line in TAGGED]
    assert toks[0][0] == ("要", "v") and toks[1][:2] == [("中国", "ns"), ("政府", "n")]
    alone = count_alone(toks)
    assert alone["纳"] == (0, 2) and alone["人"] == (2, 2) and alone["府"] == (0, 1)
    assert "，" not in alone and "1" not in alone
    assert count_surnames(toks) == {"冼": 1, "白": 1}


def test_shipped_tagged_counts_load_and_come_from_the_learning_half():
    from textfix.fuzzy.tagged import ALONE_TSV, SURNAMES_TSV, load_alone, load_surnames

    alone = load_alone()
    assert alone["纳"][0] == 0 and alone["纳"][1] > 100  # only ever inside words
    assert alone["人"][0] > 1000 and alone["的"][0] > 0.9 * alone["的"][1]
    sur = load_surnames()
    assert {"李", "王", "聂", "关"} <= sur and "的" not in sur
    for path in (ALONE_TSV, SURNAMES_TSV):
        head = path.read_text(encoding="utf-8")[:600]
        assert "lines 1-9742 only" in head and "build_tagged" in head


def test_a_character_that_never_stands_alone_is_a_poor_word_alone(full):
    # 纳 is in the dictionary, but the news only writes it inside words (纳入, 采纳):
    # weighing one-character words by that makes 纳人 -> 纳入 a much stronger case,
    # and leaves words that do stand alone (人 in 个人) as they were.
    lex, _m, _ = full
    alone = {"纳": (0, 200), "人": (1300, 6000)}
    text = "把法治教育纳人公务员年度考核"
    p = text.index("纳人") + 1
    plain, weighed = Scorer(lex), Scorer(lex, alone=alone)
    assert weighed.segment_gain(text, {p: "入"}) > plain.segment_gain(text, {p: "入"}) + 2
    assert weighed.segment_logp("个人") == plain.segment_logp("个人")


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=TEXT_ALPHABET + "，。王李", min_size=1, max_size=25), st.data())
def test_segment_gain_stays_exact_with_words_weighed_by_standing_alone(text, data):
    alone = {ch: (i % 3, 4) for i, ch in enumerate(TEXT_ALPHABET)}
    sc = Scorer(Lexicon({**SMALL_WORDS, "深入学习": 800, "自己土地": 50}), alone=alone, name_logp=None)
    p = data.draw(st.integers(0, len(text) - 1))
    ch = data.draw(st.sampled_from("入人已士末日大"))
    new = text[:p] + ch + text[p + 1:]
    assert sc.segment_gain(text, {p: ch}) == pytest.approx(sc.segment_logp(new) - sc.segment_logp(text), abs=1e-6)
    assert sc.segment_bound(text, p, ch) >= sc.segment_gain(text, {p: ch}) - 1e-9


def test_names_in_lists_and_credits_are_never_changed(full):
    # 于庆成 could be 王庆成 and 白宇 could be 白手, but two or three characters
    # between list marks or in brackets, starting with a surname, are a name.
    lex, m, _ = full
    for text, p, ch in (("出席的有于洋、于庆成、于志等人。", 7, "王"), ("李心草。（白宇）", 6, "手")):
        c = Candidate(p, p + 1, text[p], ch, ((0, text[p], ch),), 1000, 1, 0.9)
        assert Scorer(lex, threshold=-1e9).judge(text, [c]) == []
        (d,) = Scorer(lex, threshold=-1e9, name_items=False).judge(text, [c])
        assert d.new == ch


def test_a_character_next_to_a_latin_letter_never_changes(full):
    # X个 is kept by the stray-letter rule as a count; turning 个 into 企 would
    # leave X stray for the next clean to remove (not a fixed point).
    lex, m, _ = full
    text = "0一X个业"
    c = Candidate(3, 4, "个", "企", ((0, "个", "企"),), 1000, 1, 0.9)
    assert Scorer(lex, threshold=-1e9).judge(text, [c]) == []
    assert Scorer(lex, threshold=-1e9).judge("0一个业", [c._replace(start=2, end=3)]) != []
