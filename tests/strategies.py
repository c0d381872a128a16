"""Hypothesis strategies for OCR-like Chinese text."""

from __future__ import annotations

from hypothesis import strategies as st

HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
CJK_PUNCT = "，。、；：？！“”‘’（）《》……——·"
ASCII_NOISE = ",.:;()!?\"'-%@/ abcXYZ0123456789"
CONTROL = "\x00\x07\x1b\x7f\x85\x9b\u200b\ufeff\ufffd\r\u2028\t"

#: Mostly Han text with the punctuation, ASCII, spaces, newlines and controls OCR gives.
ocr_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(HAN), st.sampled_from(HAN), st.sampled_from(HAN),
        st.sampled_from(CJK_PUNCT), st.sampled_from(ASCII_NOISE),
        st.sampled_from("\n\n \u3000"), st.sampled_from(CONTROL),
    ),
    max_size=300,
)

#: Any Unicode at all, surrogates excluded (they cannot be written to UTF-8).
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)

#: One very long line.
long_line = st.builds(lambda s, k: (s * k)[:20000], ocr_text.filter(bool), st.integers(20, 200))

_sentence = st.builds(
    lambda words, end: "".join(words) + end,
    st.lists(st.text(alphabet=HAN, min_size=1, max_size=6), min_size=1, max_size=8).map(
        lambda ws: [w + ("，" if i % 3 == 2 else "") for i, w in enumerate(ws)]),
    st.sampled_from("。！？"),
)

#: Clean text: paragraphs of Chinese sentences, one blank line apart, one final newline.
clean_text = st.lists(
    st.lists(_sentence, min_size=1, max_size=5).map("".join), min_size=1, max_size=6
).map(lambda ps: "\n\n".join(ps) + "\n")
