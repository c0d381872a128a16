"""Stage ``repeat``: text that OCR printed twice.

A scanner that reads an overlapping strip twice, or a recogniser that emits a line
again after a column or page break, doubles words (``咨询记录记录中``), datelines
(``本报讯本报讯``), clauses and whole lines.  One copy is removed, the edit says
what was doubled.  Chinese has real reduplication, which stays: ``谢谢``,
``看看`` and ``干干净净`` (one-character units are never touched), verb and
adjective ABAB (``研究研究``, ``雪白雪白``, ``细长细长的``, ``请师傅鉴定鉴定``),
``一个一个``, ``是不是``, ``那么那么``, numbers and Latin text; the same item twice
in a list (``名誉副会长、副会长、``) and one heading over two columns
(``代表代表``) are only suggested.

Candidates are found by a bounded back-reference pattern (``(unit)(space?)\\1``,
unit at most :data:`MAX_UNIT` characters), tried only where a doubled unit can
start: where the two characters there come again within :data:`MAX_UNIT`
characters (one pass with a dictionary), so the cost is linear in the length of the
text and small for text without repeats.
"""

from __future__ import annotations

import operator
from bisect import bisect_left
from dataclasses import dataclass

import regex

from .. import _compiled
from ..chars import HALF_TO_FULL, HAN_CHAR as _HAN, SPACE as _SPACE
from ..edit import Edit, Safety
from ..rule import rule
from .garbled import words

try:
    from . import _scan
except ImportError:  # not built: the pure-Python definitions do the work
    _scan = None

MAX_UNIT = 40  #: longest unit (characters) that is looked for doubled within a paragraph

_SEP = r"[ \t\u3000]*(?:\n[ \t\u3000]*){0,3}"
#: a unit (starting with anything but a space: a clause may start with a figure, a
#: Latin name or a quote), then an optional line or column break, then the same unit
#: again.  The lookahead finds candidates at every position.
_DOUBLE = regex.compile(rf"(?=([^ \t\u3000\n][^\n]{{1,{MAX_UNIT - 1}}}?)({_SEP})\1)")
#: what may separate the copies of a unit (besides nothing): spaces and line breaks
_GAP = regex.compile(r"[ \t\u3000\n]+")
_PUNCT = regex.compile(r"[，。、；：？！,.;:?!…—“”‘’\"'（）()《》]")
#: marks after which a clause starts (a closing bracket or quote is followed by the
#: rest of its clause: ``户数(户)总量``)
_OPENS = set("，。、；：？！,.;:?!…—“‘\"'（(《")
#: marks that end a clause, after a unit's last copy
_CLOSES = set("，。、；：？！,.;:?!…—”’\"'）)》")

#: Two-character verbs and adjectives that Chinese reduplicates as ABAB
#: (``研究研究`` "look into it a bit", ``雪白雪白`` "snow-white").
REDUPLICATING = frozenset(
    """
    研究 讨论 学习 休息 商量 考虑 打扫 整理 收拾 锻炼 活动 交流 检查 了解 介绍 练习 准备
    调查 认识 思考 体验 感受 享受 放松 比较 分析 总结 说明 解释 表扬 批评 教育 帮助 安慰
    鼓励 庆祝 热闹 暖和 凉快 高兴 开心 轻松 痛快 舒服 打听 溜达 琢磨 合计 清理 梳理 宣传
    走动 指点 见识 尝试 体会 反省 检讨 沟通 协调 请教 修理 打扮 折腾 关心 关照 照顾 提醒
    比划 比画 参观 观察 思量 掂量 估计 打量 活络 运动 散步 聊天 休整 整顿 清洁 消毒 晾晒
    商议 学学 议论 评价 评评 打听 招呼 应付 敷衍 磨练 磨炼 锤炼 说道 念叨 唠叨 嘀咕 端详
    雪白 通红 冰凉 笔直 碧绿 漆黑 火红 金黄 乌黑 蜡黄 煞白 滚烫 冰冷 喷香 透亮 精光 血红
    瓦蓝 粉红 嫩绿 翠绿 崭新 干净 明白 清楚 认真 仔细 老实 踏实
    加油 快点 再见 谢谢 你好 欢迎 快来 来了 走了 好的 对对 是的 没事 不要 别怕 救命 小心
    """.split()
)

#: A numeral and a classifier make a unit that Chinese repeats (``一个一个``,
#: ``一步一步``, ``一个阶段一个阶段地``, ``一文钱一文钱地``); a number (``九十年``,
#: ``五千``), a determiner (``一些``, ``一切``) or a word (``一条龙``) does not.
_NUMERAL = set("一两三几")
_CLASSIFIER = set(
    "个只件条张本位名步次遍回趟下句段篇首页支把根棵朵颗粒滴片块层间座栋所家户口群批串双对"
    "套辆艘架台部封项笔份种样类点味道节盏碗杯瓶箱包袋桶盆门堂课场届期环关处声拳脚刀枪"
)
_DIGITS = set("一二三四五六七八九十百千万亿两几零")
#: Characters that make ``X·`` an A-not-A unit (``是不是不``): grammar, not OCR.
_NOT = set("不没一了")
#: Monosyllabic adjectives.  A degree word before one (``很远``, ``老远``, ``好多``)
#: and a modifier before one (``雪白``, ``细长``, ``墨黑``, ``极少``) make adjectives
#: that Chinese reduplicates (``很远很远``, ``细长细长的``).
_ADJ = set("大小多少高低长短远近深浅快慢早晚新旧好坏美丑轻重厚薄宽窄粗细胖瘦冷热暖凉烫香甜苦辣酸"
           "软硬亮暗黑白红绿蓝黄紫灰青直弯尖圆平满空久")
#: Words that ask for a little of an action: a verb doubled after one of them at the
#: end of a clause is the tentative ABAB (``请师傅鉴定鉴定。``, ``让大家看看``).
_ASKING = set("请让叫帮要得该来去再好")


@dataclass(frozen=True, slots=True)
class Double:
    """``text[start:start + len(unit)]`` is followed, after ``sep``, by ``copies - 1``
    more copies of ``unit``; ``[cut, end)`` is what removing the extra copies takes out."""

    start: int
    unit: str
    sep: str
    copies: int

    @property
    def cut(self) -> int:
        return self.start + len(self.unit)

    @property
    def end(self) -> int:
        return self.start + self.copies * len(self.unit) + (self.copies - 1) * len(self.sep)

    def removal(self, text: str) -> tuple[int, int]:
        """The span to delete: the extra copies and the spaces before them.  Across a
        line break the earlier copies go, so the last copy stays attached to the text
        that continues it.  Across a blank line (a column or page break) the break goes
        with them when the first copy ends a paragraph that started before it
        (``…所好,本就是其价值所在⏎⏎本就是其价值所在。``: the paragraph goes on after the
        break, which the layout stage could not tell for the repeat), and stays when
        the first copy is its paragraph's first line (a heading's echo)."""
        if "\n" in self.sep:
            ls = text.rfind("\n", 0, self.start) + 1
            if self.sep.count("\n") >= 2 and text[ls : self.start].strip(_SPACE):
                return self.start, self.end - len(self.unit)
            return self.start, self.end - len(self.unit) - len(self.sep)
        return self.cut, self.end


def starts_clause(text: str, d: Double) -> bool:
    """Does the first copy start a clause (after a mark, at a line start)?"""
    k = d.start - 1
    while k >= 0 and text[k] in _SPACE:
        k -= 1
    return k < 0 or text[k] == "\n" or text[k] in _OPENS


def ends_clause(text: str, d: Double) -> bool:
    """Does the last copy end a clause (the unit ends with a mark, or one follows)?"""
    u = d.unit.rstrip(_SPACE)
    if _PUNCT.match(u[-1]):
        return True
    k = d.end
    while k < len(text) and text[k] in _SPACE:
        k += 1
    return k >= len(text) or text[k] == "\n" or text[k] in _CLOSES


def aligned(text: str, d: Double) -> bool:
    """Is the doubled unit a whole clause (it starts one and ends one), or do the copies
    meet at a line break?"""
    if "\n" in d.sep:
        return True
    return starts_clause(text, d) and ends_clause(text, d)


def alone_on_line(text: str, d: Double) -> bool:
    """Are the copies all there is on their line (``代表代表``, a table's or a
    signature block's two columns with the same heading)?"""
    if "\n" in d.sep:
        return False
    ls = text.rfind("\n", 0, d.start) + 1
    le = text.find("\n", d.end)
    le = len(text) if le < 0 else le
    return not text[ls : d.start].strip(_SPACE) and not text[d.end : le].strip(_SPACE)


def heading_echo(text: str, d: Double) -> bool:
    """Across a line break: is the first copy the end of a heading-like line (short, no
    marks: ``知道一点陈寅恪\n陈寅恪先生是…``, ``贝宁共和国\n贝宁共和国位于…``), which
    the next paragraph often starts by repeating?"""
    if "\n" not in d.sep:
        return False
    ls = text.rfind("\n", 0, d.start) + 1
    line = text[ls : d.cut].strip(_SPACE)
    return len(line) <= 20 and not _PUNCT.search(line)


def _primitive(unit: str) -> bool:
    """Is ``unit`` not itself a repetition of a shorter unit (``哈哈``, ``研究研究``)?"""
    n = len(unit)
    return (unit + unit).find(unit, 1) == n


def _shared_doubles(doc) -> tuple[str, list[Double]]:
    """:func:`folded` of the current text and its :func:`doubles`, found once for both
    repeat rules when the first one changed nothing (the scan is the stage's main
    cost).  The rules judge a double in the folded text, so that their answer is the
    same after the punctuation stage (a straight quote after a copy that closes the
    phrase is still one when it is a curly one)."""
    hit = doc.state.get("repeat.doubles")
    if hit is not None and hit[0] is doc.text:
        return hit[1], hit[2]
    text = folded(doc.text)
    found = doubles(text)
    doc.state["repeat.doubles"] = (doc.text, text, found)
    return text, found


#: what the punctuation stage makes of a mark later, or the one form it keeps for both
#: quotes of a pair: copies that differ only in these are the same text
_FOLD = tuple(HALF_TO_FULL.items()) + (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"))


def folded(text: str) -> str:
    """``text`` with each half-width mark as the full-width one the punctuation stage
    makes of it and every double (single) quote as ``"`` (``'``), one character for one:
    the repeats are looked for in it, so that ``新版，希望大家…新版,`` is a repeat
    (where the clean text's second copy would be one after the punctuation stage)."""
    for a, b in _FOLD:
        if a in text:
            text = text.replace(a, b)
    return text


def _starts(text: str) -> list[int]:
    """:func:`_starts_py`, by its compiled twin where it is built."""
    if _scan is not None and _compiled.enabled():
        return _scan.doubled_starts(text, MAX_UNIT)
    return _starts_py(text)


def _starts_py(text: str, max_unit: int = MAX_UNIT) -> list[int]:
    """Where :data:`_DOUBLE` can match, in order (a superset of them).

    Spaces and line breaks left out (``packed``), a doubled unit with two characters or
    more is a square ``packed[p:q] == packed[q:2q-p]`` with ``q - p`` at most
    :data:`MAX_UNIT` (a unit with fewer ends with a space and is never used).  Then the
    pair ``packed[p:p+2]`` comes again at ``q``: one pass with a dictionary links every
    pair to its next occurrence, and only the occurrences within :data:`MAX_UNIT` of
    ``p`` are tried as ``q`` — usually none or one, so the cost is linear.
    """
    gap = " \t\u3000\n"
    pos = [i for i, c in enumerate(text) if c not in gap]  # offsets of the characters kept
    packed = _GAP.sub("", text)
    last: dict[str, int] = {}
    get = last.get
    nxt: dict[int, int] = {}  # position of a pair -> its next occurrence, if close enough
    for i, pair in enumerate(map(operator.add, packed, packed[1:])):
        p = get(pair)
        if p is not None and i - p <= max_unit:
            nxt[p] = i
        last[pair] = i
    hits = []
    for p, q in nxt.items():
        while True:
            if packed[p:q] == packed[q : 2 * q - p]:
                hits.append(pos[p])
                break
            q = nxt.get(q)
            if q is None or q - p > max_unit:
                break
    hits.sort()
    return hits


def _matches(text: str) -> list[tuple[int, str, str, int]]:
    """:func:`_matches_py`, by its compiled twin where it is built."""
    if _scan is not None and _compiled.enabled():
        return _scan.doubled_matches(text, MAX_UNIT)
    return _matches_py(text)


def _matches_py(text: str) -> list[tuple[int, str, str, int]]:
    """``(start, unit, sep, copies)`` where :data:`_DOUBLE` matches (at the offsets of
    :func:`_starts`, in order): the unit, what separates its copies, and how many
    copies follow each other."""
    out = []
    match = _DOUBLE.match
    for start in _starts(text):
        m = match(text, start)
        if m is None:
            continue
        unit, sep = m.group(1), m.group(2)
        start = m.start()
        step = len(unit) + len(sep)
        copies = 2
        while text.startswith(sep + unit, start + copies * step - len(sep)):
            copies += 1
        out.append((start, unit, sep, copies))
    return out


def doubles(text: str) -> list[Double]:
    """Non-overlapping doubled units of ``text``, longest first where they overlap."""
    found: dict[tuple[int, int], Double] = {}
    for start, unit, sep, copies in _matches(text):
        if unit[-1] in _SPACE or not _primitive(unit.strip(_SPACE)):
            continue
        if sep and unit[0] in _SPACE:
            continue
        end = start + copies * len(unit) + (copies - 1) * len(sep)  # Double.end
        if (start, end) not in found:
            found[start, end] = Double(start, unit, sep, copies)
    # choose: longest span first, then leftmost; no overlaps.  The spans taken are
    # disjoint, kept sorted: only the last one starting before a span's end can overlap
    # it (a look-up, not a pass over all of them: a long text has thousands)
    chosen: list[Double] = []
    starts: list[int] = []
    ends: list[int] = []
    for (start, end), d in sorted(found.items(), key=lambda kv: (kv[0][0] - kv[0][1], not aligned(text, kv[1]), kv[0][0])):
        i = bisect_left(starts, end)
        if i and ends[i - 1] > start:
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        chosen.append(d)
    chosen.sort(key=lambda d: d.start)
    return chosen


def _han_count(s: str) -> int:
    return len(_HAN.findall(s))


def _is_legit_short(unit: str, text: str, d: Double, lex) -> bool:
    """Reduplication that Chinese grammar makes, for a unit of 2-4 characters."""
    if unit in REDUPLICATING:
        return True
    if unit + unit in lex:
        return True
    if unit[0] in _NUMERAL and unit[1] not in _DIGITS and (
            (unit[1] in _CLASSIFIER and not (len(unit) >= 3 and unit in lex))
            or text.startswith("地", d.end)):
        return True  # 一个一个, 一件事一件事, 一文钱一文钱地
    if len(unit) == 2 and unit[1] in _NOT:
        return True  # 是不是不
    if len(unit) == 2 and (unit[1] == "着" or unit[0] in "很挺真"):
        return True  # 想着想着, 很远很远, 真的真的
    if len(unit) == 2 and unit[1] in _ADJ and (unit[0] in "好老多" or _phrase_end(text, d)):
        return True  # 好多好多, 老远老远; 细长细长的, 天空墨黑墨黑，
    if unit[-1] == "么":
        return True  # 湖水那么那么地蓝, 什么什么会议
    if len(unit) == 2 and _asked(text, d) and _phrase_end(text, d):
        return True  # 请师傅鉴定鉴定。
    # the copies are the end of one word and the start of the next: 天主教主教团
    before = any(text[d.start - k : d.cut] in lex for k in range(1, 4) if d.start - k >= 0)
    after = any(text[d.end - len(unit) : d.end + k] in lex for k in range(1, 4))
    if before and after:
        return True
    if not all(_HAN.match(c) for c in unit):  # 5G5G, A股A股: leave mixed tokens alone
        return True
    return False


def _phrase_end(text: str, d: Double) -> bool:
    """Is the last copy followed by 的/地/得, a mark or the end of the line?"""
    k = d.end
    return k >= len(text) or text[k] in "的地得\n" or text[k] in _CLOSES


def _asked(text: str, d: Double) -> bool:
    """Is there a word asking for the action just before the copies (``请师傅``)?"""
    ls = text.rfind("\n", 0, d.start) + 1
    return any(c in _ASKING for c in text[max(ls, d.start - 3) : d.start])


def _word_score(unit: str, lex) -> float:
    """How sure we are that a doubled short unit is an OCR repeat."""
    n = len(unit)
    if unit in lex:
        return 0.95 if n >= 3 else 0.92
    if n >= 3:
        # a unit that is two lexicon words (新时代新时代) or word + char
        for k in range(1, n):
            if unit[:k] in lex and unit[k:] in lex and (k > 1 or n - k > 1):
                return 0.91
        return 0.85
    return 0.0  # 善作善成: two characters that are no word are two words' edges


@rule("repeat.doubled-word", safety=Safety.GUESS)
def doubled_word(doc):
    """A word or dateline printed twice back to back (``记录记录``, ``本报讯本报讯``).

    ## Why
    OCR that reads an overlapping strip twice doubles words; a column wrap between
    the copies is common.  A unit of 2-4 Han characters that the lexicon knows and
    that is not one of Chinese's own reduplications loses its second copy.  Those
    stay: ABAB verbs and adjectives (``研究研究``; ``请师傅鉴定鉴定。``, a verb asked for
    at the end of a clause; ``细长细长的``, ``天空墨黑墨黑，``, a modifier and a
    one-syllable adjective before 的 or a mark; ``很远很远``, ``好多好多``), a
    numeral with a classifier (``一个一个``, ``一个阶段一个阶段地``, but not
    ``九十年`` or ``一些``), ``是不是``, ``那么那么``; one-character units like
    ``谢谢`` ``天天`` are never candidates.  Units that are not words, and a double
    that is alone on its line (``代表代表``: two columns), are only suggested; four
    characters repeated across a line break go.

    ## Example
        before: 还有市民来电咨询记录记录中核进度
        after:  还有市民来电咨询记录中核进度
    """
    lex = words(doc)
    text, found = _shared_doubles(doc)
    for d in found:
        unit = d.unit.strip(_SPACE)
        if len(unit) > 4 or _PUNCT.search(unit) or "\n\n" in d.sep or heading_echo(text, d):
            continue
        if _is_legit_short(unit, text, d, lex):
            continue
        conf = _word_score(unit, lex)
        if "\n" in d.sep and len(unit) == 4:
            conf = max(conf, 0.93)  # a phrase repeated across a line break (see doubled-clause)
        if conf == 0.0:
            continue
        if alone_on_line(text, d):
            conf = min(conf, 0.85)  # 代表代表: two columns with the same heading
        yield Edit(*d.removal(text), "", confidence=conf, note=f"重复：{unit}")


@rule("repeat.doubled-clause", safety=Safety.GUESS)
def doubled_clause(doc):
    """A clause or phrase printed twice back to back, also across a line break.

    ## Why
    A recogniser that loses its place repeats a whole clause; after a column or
    page break it starts the next line with the end of the last one.  A whole
    clause (the unit starts after a mark and ends with one; a clause may start
    with a figure, a Latin name or a quote) or a phrase repeated across a line
    break, with at least four Han characters (three with a mark), is practically
    never meant; the extra copy goes.  A repeat that starts or ends mid-clause
    may be the writer's (``有个查询，你点开它，里面就有一个查询，你点开它，…``;
    ``就有了技术，有了技术，``): it is left alone, or only suggested when long, as
    are a list item named twice (``名誉副会长、副会长、``) and a short exclamation
    or question (``谢谢你们！谢谢你们！``).  Copies that differ only in a mark's width
    or a quote's form (``新版，`` / ``新版,``) are the same text, as they will be after
    the punctuation stage.  A phrase repeated across a blank line that ends a
    paragraph begun before it goes with the break: the paragraph goes on after it.

    ## Example
        before: 确保群众诉求得到妥善处理，确保群众诉求得到妥善处理，切实提升效能
        after:  确保群众诉求得到妥善处理，切实提升效能
    """
    text, found = _shared_doubles(doc)
    for d in found:
        unit = d.unit.strip(_SPACE)
        short = len(unit) <= 4 and not _PUNCT.search(unit)
        if short:
            continue
        han = _han_count(unit)
        if han < 3 or (han < 4 and not _PUNCT.search(unit)):
            continue
        if heading_echo(text, d):
            continue
        if unit.rstrip(_SPACE)[-1] in "！!？?" and han < 6:
            conf = 0.8  # 谢谢你们！谢谢你们！: an exclamation repeated for effect
        elif aligned(text, d):
            conf = 0.93 if han < 6 else 0.97
        elif han >= 8:
            conf = 0.85  # mid-clause: may be meant (有个查询，你点开它，里面就有一个查询…)
        else:
            continue
        if unit.rstrip(_SPACE)[-1] == "、" and "\n" not in d.sep:
            conf = min(conf, 0.85)  # a list may name one item twice (名誉副会长、副会长、)
        yield Edit(*d.removal(text), "", confidence=conf, note=f"重复：{unit[:20]}")


_LINE = regex.compile(r"[^\n]+")


@rule("repeat.doubled-line", safety=Safety.GUESS)
def doubled_line(doc):
    """A whole line printed again after a line, column or page break.

    ## Why
    Page and column breaks make OCR emit the last line of a column again as the
    first line of the next, often with blank lines between.  When a line with at
    least four Han characters is repeated exactly by the next non-blank line, the
    repeat and the break before it go.  Short or Han-less lines (``* * *``,
    dates, page numbers) may repeat on purpose and stay.

    ## Example
        before: 茂南区推进老旧小区微改造\\n\\n茂南区推进老旧小区微改造\\n\\n正文
        after:  茂南区推进老旧小区微改造\\n\\n正文
    """
    text = doc.text
    for cut, start, end in _repeated_lines(text):
        line = text[start:end].strip(_SPACE)
        if _han_count(line) >= 4:
            # remove from the end of the kept line (or the last repeat) to the end of this one
            yield Edit(cut, end, "", confidence=0.97, note=f"重复行：{line[:20]}")


def _repeated_lines(text: str) -> list[tuple[int, int, int]]:
    """:func:`_repeated_lines_py`, by its compiled twin where it is built."""
    if _scan is not None and _compiled.enabled():
        return _scan.repeated_lines(text)
    return _repeated_lines_py(text)


def _repeated_lines_py(text: str) -> list[tuple[int, int, int]]:
    """``(cut, start, end)`` for each line ``text[start:end]`` that, stripped of its
    spaces, is the previous non-blank line (which ends at ``cut``).  A line repeated
    again is compared with its copy, which is the same."""
    out = []
    prev = None  # the stripped text of the previous non-blank line
    cut = 0  # where the previous non-blank line ends
    for m in _LINE.finditer(text):
        line = m.group().strip(_SPACE)
        if not line:
            continue
        if prev is not None and line == prev:
            out.append((cut, m.start(), m.end()))
        prev = line
        cut = m.end()
    return out
