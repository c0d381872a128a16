"""Page-layout analysis shared by the ``layout`` rules.

:func:`analyse` reads a text as blocks (the runs of text between blank lines) and
decides, from evidence in the text alone:

* the **kind** of every block (``headline``, ``subheadline``, ``byline``, ``body``,
  ``subheading``, ``caption``, ``credit``, ``source-tag``, ``furniture``);
* which spaces and single newlines inside a block are **column wraps**;
* which neighbouring body blocks are **one paragraph** split by a column or page
  break, and which captions and credits interrupt such a paragraph;
* which body paragraphs are **unfinished** with no continuation (text lost off the page).

Everything is one left-to-right scan with constant work per character or block, so
the analysis is linear in the length of the text.

Idempotence is designed in: a block's kind and the decision to join two blocks use
only evidence that the layout rules' own output keeps (punctuation, length, position,
patterns, words spanning the gap).  The regular width of wrapped lines is evidence
that can only *add* joins: the output has no wrap spaces left, so a second run sees
no width evidence and takes the same decisions.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from . import _compiled
from .chars import CJK_PUNCT, SURNAMES, break_space_table, HAN_CHAR as _HAN, SPACE, is_cjk, is_han

try:
    from . import _layout
except ImportError:  # not built: the pure-Python definitions do the work
    _layout = None

# -- characters -----------------------------------------------------------------------

ASCII_PUNCT = ",.:;!?()\"'%"
#: marks that end a sentence, so a block ending in one is a finished paragraph
FINISHED = "。！？!?….．"
#: quotes: a block ending in one is taken as finished (the quote closes a sentence).
#: Straight and curly quotes are treated alike everywhere, because the punct stage
#: turns one into the other after layout and a second run must decide the same.
CLOSING_QUOTE = "”’」』\"'“‘"
_ENDS = FINISHED + CLOSING_QUOTE  #: a block ending in one of these is finished
#: a sentence end and then a sign-off: a bracketed credit (``。（苏克尔）``, ``。(据新华社电)``)
#: or a dash and a name (``。———编者``); a paragraph ending so is finished
_SIGN_OFF_AFTER = "。！？!?…"  #: the sentence ends a sign-off follows
_SIGNED_END = regex.compile(rf"[{_SIGN_OFF_AFTER}][ ]*(?:[（(][^（()）]{{1,12}}[）)]|[—－]{{1,3}}\p{{Han}}{{1,6}})\Z")


def signed_end(v: str) -> bool:
    """Does ``v`` end in a sentence end and a sign-off (:data:`_SIGNED_END`, in its last
    20 characters, the last one a bracket or a CJK Unified Ideograph)?  The compiled
    twin asks only where the last 20 hold a sentence end."""
    c = v[-1:]
    return (c in ")）" or "\u4e00" <= c <= "\u9fff") and _SIGNED_END.search(v[-20:]) is not None


if _layout is not None:
    _layout.configure_ends(signed_end, _SIGN_OFF_AFTER)

#: marks after which the sentence certainly goes on (not a colon or a dash: a paragraph
#: ending in one often announces a list, a quote or a label's text in the next ones:
#: ``应采取以下措施：`` / ``一是…``, ``编者按：``)
CONTINUES = "，,、；;（(《〈【「『"
#: marks a new paragraph never starts with
NO_START = "，,、。；;：:）)》〉】」』！？!?…"


#: marks a wrap can fall between with no Han next to it (``。 《``); straight quotes
#: and brackets count as their Chinese forms, which the punct stage makes of them
_PUNCTISH = CJK_PUNCT + "\"'()"


def wrap_joinable(left: str, right: str, chinese: bool = True) -> bool:
    """Could a space between ``left`` and ``right`` be one a column wrap left?

    Both sides are Han, punctuation or digits, and at least one side is a Han
    character: ``区 委``, ``了 1949``, ``2023 年``, ``作 "是``, ``, 正``.  Latin words
    (``a b``), numbers (``1 000``) and Latin next to Han (``WTO 规则``) keep their
    space.  In Chinese text (``chinese``) a space between a mark and a mark or digit
    (``。 《``, ``” 1月``) is a wrap too; straight and Chinese marks count alike, so the
    decision is the same before and after the punct stage turns ``(`` into ``（``.
    """
    kl, kr = _char_class(left), _char_class(right)
    if not (kl & kr & _OK):
        return False
    if (kl | kr) & _HAN_BIT:
        return True
    return chinese and not (kl & kr & _ALNUM)


_OK, _HAN_BIT, _ALNUM = 1, 2, 4
_CLASSES: dict[str, int] = {}


def _char_class(c: str) -> int:
    """Bits for :func:`wrap_joinable`: may stand by a wrap (Chinese, a mark, a digit,
    ``％``), Han, ASCII letter or digit.  Memoised: a page has a few thousand distinct
    characters and every gap asks about two of them."""
    k = _CLASSES.get(c)
    if k is None:
        k = ((_OK if is_cjk(c) or c in ASCII_PUNCT or c == "％" or (c.isascii() and c.isdigit()) else 0)
             | (_HAN_BIT if is_han(c) else 0) | (_ALNUM if c.isascii() and c.isalnum() else 0))
        if len(_CLASSES) < 1 << 16:
            _CLASSES[c] = k
    return k


def width(s: str) -> float:
    """Printed width in character cells: ASCII letters and digits take half a cell
    (punctuation was printed full width and only read as ASCII by the OCR)."""
    blanks = s.count("\u3000")
    alnum = 0
    ascii_ = s.encode("ascii", "ignore")  # the ASCII characters of s, as bytes
    if ascii_:
        blanks += ascii_.count(b" ") + ascii_.count(b"\t") + ascii_.count(b"\n")
        alnum = len(ascii_.translate(None, _NOT_ALNUM))
    return len(s) - blanks - 0.5 * alnum


_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())


# -- the lexicon ------------------------------------------------------------------------

_MIN_FREQ = 20


@lru_cache(maxsize=1)
def _words() -> dict[str, int]:
    """Word frequencies: the default lexicon every rule shares (jieba's dictionary and
    textfix's newspaper terms), loaded once per process."""
    from .fuzzy.lexicon import load_default

    return load_default().freq


def is_word(s: str) -> bool:
    """Is ``s`` a common Chinese word of two to four characters?  The one place layout
    looks words up."""
    return 2 <= len(s) <= 4 and _words().get(s, 0) >= _MIN_FREQ


def word_spans_gap(left: str, right: str) -> bool:
    """Does a word of two to four Han characters run across ``left|right``?"""
    # the gap's own characters are Han (then the Han characters of either side's
    # last or first three are not empty, and end or start at the gap)
    if not (left and right and is_han(left[-1]) and is_han(right[0])):
        return False
    tail = "".join([c for c in left[-3:] if is_han(c)])
    head = "".join([c for c in right[:3] if is_han(c)])
    # each tail[-i:] + head[:j] of two to four characters
    for i in range(1, len(tail) + 1):
        t = tail[-i:]
        for j in range(1, min(len(head), 4 - i) + 1):
            if is_word(t + head[:j]):
                return True
    return False


# -- patterns -----------------------------------------------------------------------------

_FURNITURE_KEY = regex.compile(
    r"值班主任|责任编辑|责编|版式|美编|校对|新闻热线|热线电话|投稿邮箱|邮箱|编辑[:：]|"
    r"广告|发行|第\s*\d+\s*版|[A-Z]\d{1,2}版?$"
)
_EMAIL_URL = regex.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+|https?://\S+|www\.\S+")
_BYLINE = regex.compile(
    r"^[■□●◆▲★]?\s*(?:(?:本报|特约|首席)?(?:驻\p{Han}{1,8})?记者|通讯员|实习生|见习记者|文/|文：|文:)"
    r"[\s\p{Han}·/、：:]{1,40}$"
)
#: an author line of a title and a name: ``中国剧协副主席胡可``, ``中共安徽宿州市委书记赵永生``,
#: ``武汉大学世界经济系教授周茂荣`` (a role, then a surname and one or two characters; at
#: most :data:`_TITLED_NAME_MAX` characters, Han only)
_ROLES = ("书记|副书记|主席|副主席|主任|副主任|部长|副部长|省长|副省长|市长|副市长|县长|区长|局长|"
          "副局长|厂长|院长|副院长|校长|社长|台长|会长|理事长|总经理|经理|董事长|教授|研究员|"
          "总工程师|司令员|政委|所长|副所长|行长|团长")
_TITLED_NAME = regex.compile(
    rf"^\p{{Han}}{{2,16}}?(?:{_ROLES})[{''.join(sorted(s for s in SURNAMES if len(s) == 1))}]\p{{Han}}{{1,2}}$"
)
_TITLED_NAME_MAX = 24
_CREDIT = regex.compile(r"^(?:[^。，,；;！？]{0,30}\s*(?:摄|摄影|供图|图片)|(?:图|摄影)\s*[/：:]\s*[^。]{1,30})$")
_SOURCE_TAG = regex.compile(r"^[（(]\s*\p{Han}{1,8}\s*[)）]$")
#: a dateline: ``本报讯``, ``茂名晚报讯``, ``本报北京1月18日讯``, ``本报重庆1月17日电``,
#: ``新华社北京1月19日电``, ``据新华社马尼拉1月16日电`` (the place and date after 本报 must
#: be there: ``本报记者电话采访…`` is no dateline)
_SHORT_DATELINE = r"(?:本报|\p{Han}{1,6}(?:日报|晚报|早报|时报|商报|报|网|社|台))讯|新华社[\p{Han}\d]{0,12}电"
_DATELINE = regex.compile(
    rf"^(?:{_SHORT_DATELINE}"
    r"|本报\p{Han}{0,6}[\d一二三四五六七八九十〇]{1,3}月[\d一二三四五六七八九十〇]{1,3}日[讯电]"
    r"|据新华社[\p{Han}\d]{0,12}电)"
)
#: the datelines after which a space on the line is meant, the short forms (``本报讯
#: 12月1日``, ``茂名晚报讯 记者陈琴``, ``新华社北京12月1日电 ``); after the longer forms of
#: the news agencies' copy (``本报北京1月18日讯``, ``据新华社…电``) the text runs on, and a
#: space there is a wrap
_DATELINE_SPACED = regex.compile(rf"^(?:{_SHORT_DATELINE})")
#: the names and roles after a dateline marker: ``茂名晚报讯 记者陈琴 9月1日``
_DATELINE_NAME = regex.compile(
    r"(?:(?:本报|特约|首席|见习)?记者|通讯员|实习生)\s?\p{Han}{2,4}|\p{Han}{2,3}"
)
_CAPTION_START = regex.compile(r"^(?:图为|图[一二三四五六七八九\d]+[：:、]|上图|下图|左图|右图)")

#: words a paragraph often starts with; a short first clause that is one of them is
#: no evidence that a block continues the one before
OPENERS = frozenset(
    "同时 此外 另外 其中 目前 日前 近日 近期 近年 近年来 今年 去年 明年 对此 为此 因此 然而 但是 "
    "不过 而且 并且 首先 其次 再次 最后 第一 第二 第三 第四 一是 二是 三是 四是 五是 会上 会议 "
    "活动 期间 当天 当日 据悉 据了解 据介绍 随后 接着 之后 此前 记者 截至 如今 现在 据统计 "
    "另一方面 一方面 总之 综上 可见 他说 她说 他表示 她表示 "
    # the time and discourse words that start three or more paragraphs of the learning
    # half of the 1998 corpus (lines 1-9,742) as their first clause
    "其实 今天 据报道 最近 新年伊始 与此同时 连日来 近几年 近几年来 当前 眼下 前不久 不久前 "
    "那么 当然 预计 于是 入冬以来 一年来 两年来 去年以来 这时 至此".split()
)

#: a paragraph that starts with someone doing or saying something: ``廖述毅强调，``
_OPENING = regex.compile(
    r"^(?:\p{Han}{1,5}?(?:强调|指出|表示|认为|要求|介绍|提出|透露|一行|先后|率队|带队)|"
    r"据了解|据悉|据介绍|据统计|会上|会议|活动中)"
)

#: marks that end a clause
_CLAUSE_MARKS = "，,、；;：:。！？!?"
_CLAUSE_END = regex.compile(f"[{regex.escape(_CLAUSE_MARKS)}]")
#: the marks after a short first clause that finish the sentence before it or go on
#: with it (``作，``, ``阶段。``); after a colon (``附记：``, ``图为：``), an enumeration
#: comma (``一、``) or an exclamation the clause is a label, a list item or a sentence
#: of its own (on the 244 noised archive pages those joined 57 paragraphs the truth
#: keeps apart and 9 it joins)
_SHORT_CLAUSE_ENDS = "，,；;。"
_CLAUSE_MARKS_SET = frozenset(_CLAUSE_MARKS)

#: a list item's number at a block's start (``（二）``, ``(3)``, ``二、``, ``3.``): the block is
#: an item of its own, whatever the one before ends with (``(一)故意伤害案;`` /
#: ``(二)重婚案;``)
_ENUMERATION = regex.compile(
    r"(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．](?!\d))"
)
_ENUMERATION_STARTS = "（(一二三四五六七八九十0123456789"

#: a block whose last line is shorter than this share of a whole line
#: (``再就业是社会工程``, 8 cells in a column of 14) ends there: it is a headline or a
#: paragraph's end, not a paragraph a column cut, whose last line is whole or is its
#: indented first line (11 of 13 cells; 16 of 19.5 in seed 002, whose OCR lines
#: are uneven)
LAST_LINE_SHARE = 0.75

#: two blocks this short (visible characters), the first ending in a comma
#: (:data:`_VERSE_COMMAS`) and the second in a clause mark, are lines of verse set line
#: by line (``片酬行情天天涨,`` / ``一集几千很寻常。``), not a paragraph a column cut
#: (``前期工`` / ``作，提高。``, ``坚持外引内培、抓大育小、`` / ``业发展赋能充电。``)
VERSE_LINE = 12
_VERSE_COMMAS = "，,"
_VERSE_COMMAS_SET = frozenset(_VERSE_COMMAS)


# -- blocks ----------------------------------------------------------------------------------

_BREAK = regex.compile(r"\n[ \t\u3000]*\n\s*")


@dataclass(slots=True)
class Block:
    start: int  #: offset of the first character
    end: int  #: offset after the last non-space character
    raw: str  #: text[start:end]
    vis: str  #: raw without spaces, tabs, ideographic spaces and newlines
    base: str = "body"  #: kind from the block alone
    kind: str = "body"  #: final kind
    lead: bool = False  #: starts with a dateline (``本报讯``)
    keep_until: int = 0  #: spaces before this offset (a dateline's) are meaningful
    first_full: bool = False  #: the first line ends at a wrap (so it is a whole line)
    last_full: bool = False  #: the last line starts after a wrap
    _wraps: list[tuple[int, int, str]] | None = field(default=None, repr=False)  #: :attr:`wraps` (None: [])
    _cuts: list[tuple[int, int]] | None = field(default=None, repr=False)  #: :attr:`cuts`
    _segs: list[float] | None = field(default=None, repr=False)
    _compiled: bool = field(default=False, repr=False)  #: measured by the compiled twin
    #: a body block (not a dateline lead) whose wraps and cuts the compiled scan has not
    #: found yet: it only looked whether there is one (:attr:`first_full`)
    _lazy: bool = field(default=False, repr=False)

    @property
    def wraps(self) -> list[tuple[int, int, str]]:
        """The wraps: ``(start, end, replacement)`` of each gap to remove or to turn
        into one space, in text offsets."""
        if self._lazy:
            self._find_body_wraps()
        wraps = self._wraps
        if wraps is None:
            wraps = self._wraps = []
        return wraps

    @wraps.setter
    def wraps(self, wraps: list[tuple[int, int, str]]) -> None:
        self._wraps = wraps

    @property
    def cuts(self) -> list[tuple[int, int]] | None:
        """The wraps of a body block in ``raw`` offsets, from which :attr:`segs` is
        measured (None for the other blocks)."""
        if self._lazy:
            self._find_body_wraps()
        return self._cuts

    @cuts.setter
    def cuts(self, cuts: list[tuple[int, int]] | None) -> None:
        self._cuts = cuts

    def _find_body_wraps(self) -> None:
        """The wraps and cuts of a body block that the compiled scan left to find."""
        self._wraps, self._cuts = _layout.body_wraps(self.raw, self.start, 0, _char_class)
        self._lazy = False

    @property
    def segs(self) -> list[float]:
        """Widths of the wrapped lines (of a body block; empty for the others).  Only
        the joins and :func:`page_indents` look at them, for some blocks, so they are
        measured when asked for."""
        segs = self._segs
        if segs is None:
            if self._lazy:  # measured without finding the wraps
                segs = _layout.body_line_widths(self.raw, _HANGING, _char_class)
            elif self.cuts is None:
                segs = []
            elif self._compiled:
                segs = _layout.line_widths(self.raw, self.cuts, self.lead, _HANGING)
            else:
                segs = _line_widths_py(self.raw, self.cuts, self.lead)
            self._segs = segs
        return segs

    @property
    def finished(self) -> bool:
        return self.vis[-1:] in _ENDS or signed_end(self.vis)  # ("" is in any str)

    @property
    def bodylike(self) -> bool:
        return self.kind in ("body", "caption", "subheading")


def split_blocks(text: str, compiled: bool | None = None) -> list[Block]:
    """:func:`_split_blocks_py`, by the compiled twin where it is built and enabled
    (``compiled``: default)."""
    if _use_twin() if compiled is None else compiled:
        return _layout.split_blocks(text, Block, _white())
    return _split_blocks_py(text)


@lru_cache(maxsize=1)
def _white() -> bytes:
    """For each code point up to U+3000: 1 if the ``\\s`` of :data:`_BREAK` matches it
    (none beyond, which a test checks), for the compiled :func:`split_blocks`."""
    return break_space_table(_BREAK)


def _split_blocks_py(text: str) -> list[Block]:
    """The blocks of ``text`` as :meth:`textfix.rule.Doc.blocks` sees them: the text
    between breaks, without the spaces and newlines at either end (and carriage
    returns at the end), if it has anything but spaces and newlines."""
    blocks = []
    pos = 0
    ends = [m.span() for m in _BREAK.finditer(text)]
    ends.append((len(text), len(text)))
    for b, nxt in ends:
        raw = text[pos:b].lstrip(_LEFT_STRIP)
        pos = nxt
        if raw:
            a = b - len(raw)
            raw = raw.rstrip(_RIGHT_STRIP)
            vis = raw.replace(" ", "").replace("\n", "").replace("\t", "").replace("\u3000", "")
            if vis:
                blocks.append(Block(a, a + len(raw), raw, vis))
    return blocks


_LEFT_STRIP = SPACE + "\n"
_RIGHT_STRIP = SPACE + "\n\r"


# -- kinds -------------------------------------------------------------------------------------

def _base_kind(b: Block) -> str:
    v, raw = b.vis, b.raw
    if "。" not in v and len(v) <= 120 and _could_have_furniture_key(raw):
        keys = len(_FURNITURE_KEY.findall(raw))  # two keys, or one and an address
        if keys >= 2 or (keys == 1 and _EMAIL_URL.search(raw)):
            return "furniture"
    # each pattern is tried only where a character or word it needs is there (see _COULD)
    if _could_be_source_tag(v) and _SOURCE_TAG.match(v):
        return "source-tag"
    dateline = _could_be_dateline(v) and _DATELINE.match(v) is not None
    if len(v) <= 30 and "\n" not in raw and _could_be_credit(raw) and _CREDIT.match(raw) and not dateline:
        return "credit"
    if len(v) <= 40 and _could_be_byline(raw) and _BYLINE.match(raw):
        return "byline"
    if _could_be_titled_name(v) and _TITLED_NAME.match(v):
        return "byline"
    if dateline:
        b.lead = True
        return "body"
    if b.finished:
        return "body"
    if len(v) <= 4 and not _PUNCTUATION.search(v):
        return "furniture"
    return "open"


_PUNCTUATION = regex.compile(r"[\p{P}]")


# What a text must have for a block pattern to match it: a pattern is tried only where
# it could match (a pattern call costs more than these tests; a test checks the pairs).

def _could_have_furniture_key(s: str) -> bool:
    return not _FURNITURE_KEY_START.isdisjoint(s)


#: the first characters of the furniture keys
_FURNITURE_KEY_STARTS = "值责版美校新热投邮编广发第ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FURNITURE_KEY_START = frozenset(_FURNITURE_KEY_STARTS)


def _could_be_source_tag(s: str) -> bool:
    return s[:1] in "（("


def _could_be_dateline(s: str) -> bool:
    return "讯" in s[:9] or s.startswith(("新华社", "据新华社", "本报"))


def _could_be_credit(s: str) -> bool:
    return "摄" in s or "图" in s


def _could_be_byline(s: str) -> bool:
    return "记者" in s or "通讯员" in s or "实习生" in s or "文/" in s or "文：" in s or "文:" in s


def _could_be_titled_name(s: str) -> bool:
    return len(s) <= _TITLED_NAME_MAX


def _could_be_caption(s: str) -> bool:
    return "图" in s[:2]


_COULD = (
    (_SOURCE_TAG, _could_be_source_tag),
    (_DATELINE, _could_be_dateline),
    (_CREDIT, _could_be_credit),
    (_BYLINE, _could_be_byline),
    (_TITLED_NAME, _could_be_titled_name),
    (_CAPTION_START, _could_be_caption),
)


def _headline_like(b: Block) -> bool:
    v = b.vis
    return b.base == "open" and len(v) <= 40 and v.count("，") + v.count(",") <= 1


def _balanced(v: str) -> bool:
    """Are the quotes and brackets of ``v`` paired (a headline's are)?"""
    v = v.translate(_SAME_MARK)  # straight and Chinese forms alike (see CLOSING_QUOTE)
    return v.count("(") == v.count(")") and v.count("《") == v.count("》") \
        and v.count('"') % 2 == 0 and v.count("'") % 2 == 0


_COMMA = regex.compile(r"[，,]")
_SAME_MARK = str.maketrans({"（": "(", "）": ")", "“": '"', "”": '"', "‘": "'", "’": "'"})


def _subheading_like(b: Block) -> bool:
    """``加强领导，强化保障，落实普法工作责任``: comma-separated phrases of three or more
    characters, paired quotes and brackets."""
    v = b.vis
    if not (b.base == "open" and 6 <= len(v) <= 30 and "\n" not in b.raw and _balanced(v)):
        return False
    phrases = _COMMA.split(v)
    return 3 <= len(phrases) <= 5 and all(len(p) >= 3 for p in phrases)


def classify(blocks: list[Block], bases: dict[str, tuple[str, bool]] | None = None,
             compiled: bool | None = None) -> None:
    """:func:`_classify_py`, by the compiled twin where it is built and enabled
    (``compiled``: default)."""
    if bases is None:
        bases = {}
    if _use_twin() if compiled is None else compiled:
        _layout.classify(blocks, bases, _PATTERNS, _ENDS, _FURNITURE_KEY_STARTS, _TITLED_NAME_MAX)
    else:
        _classify_py(blocks, bases)


def _classify_py(blocks: list[Block], bases: dict[str, tuple[str, bool]]) -> None:
    """Set ``kind`` of every block (see the module doc).  ``bases``: the kinds from the
    block alone (and whether it is a dateline lead) of blocks seen before, by their
    text, to look up and to add to (a block's text decides them)."""
    for b in blocks:
        hit = bases.get(b.raw)
        if hit is None:
            base = _base_kind(b)
            bases[b.raw] = (base, b.lead)
        else:
            base, b.lead = hit
        b.base = b.kind = base
    n = len(blocks)
    # captions: a short block right before a credit, or one that says it is a caption
    for i, b in enumerate(blocks):
        if b.base in ("body", "open") and not b.lead and len(b.vis) <= 60 and (
            (i + 1 < n and blocks[i + 1].base == "credit") or (_could_be_caption(b.vis) and _CAPTION_START.match(b.vis))
        ):
            b.kind = "caption"
    # headline groups: the open blocks right before a byline or a dateline lead
    anchored = set()
    for k, b in enumerate(blocks):
        if b.kind == "byline" or b.lead:
            j = k - 1
            if b.lead and j >= 0 and blocks[j].kind == "byline":
                continue  # the byline anchors the group
            group = []
            while j >= 0 and len(group) < 3 and blocks[j].kind == "open" and _headline_like(blocks[j]):
                group.append(j)
                j -= 1
            for r, g in enumerate(reversed(group)):
                blocks[g].kind = "headline" if r == 0 else "subheadline"
                anchored.add(g)
    # the other open blocks
    prev: Block | None = None
    for i, b in enumerate(blocks):
        if b.kind == "open":
            if prev is not None and prev.kind == "body" and not prev.finished:
                b.kind = "body"  # goes on from an unfinished paragraph
            elif _subheading_like(b):
                b.kind = "subheading"
            elif len(b.vis) > 30 or "，" in b.vis or "," in b.vis or not _balanced(b.vis):
                b.kind = "body"  # a headline between paragraphs has no comma
            elif prev is not None and prev.kind in ("headline", "subheadline") and blocks[i - 1] is prev:
                b.kind = "subheadline"
            else:
                b.kind = "headline"
        if b.kind not in ("caption", "credit"):
            prev = b


#: the patterns of the kinds, for the compiled :func:`classify`
_PATTERNS = (_FURNITURE_KEY, _EMAIL_URL, _SOURCE_TAG, _DATELINE, _CREDIT, _BYLINE, _CAPTION_START, _PUNCTUATION,
             _TITLED_NAME)


# -- wraps ----------------------------------------------------------------------------------------

_GAP = regex.compile(r"[ \t\u3000]*\n[ \t\u3000]*|[ \t\u3000]+")
_QUOTE_OPEN = "“‘《〈「『（(【"
_QUOTE_CLOSE = "”’》〉」』）)】"


def _dateline_end(b: Block) -> int:
    """Offset (in the text) up to which the spaces of a dateline lead are kept."""
    raw = b.raw
    m = _DATELINE_SPACED.match(raw)
    if not m:
        return b.start
    pos = m.end()
    k = pos
    while k < len(raw) and raw[k] in SPACE:
        k += 1
    if k == pos:
        return b.start + pos
    keep = k
    # names and roles, each followed by a space: 记者陈琴 / 通讯员 张三
    while True:
        nm = _DATELINE_NAME.match(raw, keep)
        if not nm:
            break
        e = nm.end()
        s = e
        while s < len(raw) and raw[s] in SPACE:
            s += 1
        if s == e or s >= len(raw):
            break
        keep = s
    return b.start + keep


def _inside_pairs(raw: str) -> list[bool]:
    """For each character: is it inside a pair of quotes or brackets of its line?"""
    inside = [False] * len(raw)
    depth = 0
    straight = {'"': False, "'": False}
    for i, c in enumerate(raw):
        if c == "\n":
            depth = 0
            straight = {'"': False, "'": False}
        elif c in _QUOTE_OPEN:
            depth += 1
        elif c in _QUOTE_CLOSE:
            depth = max(0, depth - 1)
        elif c in straight:
            straight[c] = not straight[c]
            depth += 1 if straight[c] else -1
            depth = max(depth, 0)
        inside[i] = depth > 0
    return inside


def _use_twin() -> bool:
    return _layout is not None and _compiled.enabled()


def _twin():
    """:mod:`textfix._layout`, given (once) what its joins read from this module."""
    global _configured
    if not _configured:
        _layout.configure(CONTINUES, NO_START, _CLAUSE_MARKS, _OPENING, OPENERS, _words, _MIN_FREQ, _ENDS,
                          _HANGING, _char_class, Join, find_wraps, _SHORT_CLAUSE_ENDS, _ENUMERATION,
                          _ENUMERATION_STARTS, VERSE_LINE, _VERSE_COMMAS, LAST_LINE_SHARE)
        _configured = True
    return _layout


_configured = False


def find_wraps(text: str, b: Block, compiled: bool | None = None) -> None:
    """Fill ``b.wraps`` (gaps to remove or to turn into one space) and the wrapped
    line widths ``b.segs``; ``compiled``: by the compiled twins (default: where they
    are built and enabled)."""
    if compiled is None:
        compiled = _use_twin()
    b._lazy, b.wraps, b.cuts, b._segs, b._compiled = False, [], None, None, compiled
    raw = b.raw
    kind = b.kind
    if kind in ("byline", "credit", "furniture", "source-tag"):
        return
    body = kind in ("body", "caption", "subheading")
    keep_until = _dateline_end(b) if b.lead else b.start
    b.keep_until = keep_until
    if body:
        wraps, cuts = _body_wraps(raw, b.start, keep_until - b.start, compiled)
        b.wraps = wraps
        b.cuts = cuts  # the widths of the wrapped lines, for the join evidence, from these
        b.first_full = len(cuts) > 0 and not b.lead
        b.last_full = len(cuts) > 0
        return
    gaps = []
    certain = False
    inside = None  # computed at the first gap that may be a wrap (most headlines have none)
    chinese = _HAN.search(raw) is not None
    for m in _GAP.finditer(raw):
        a, e = m.start(), m.end()
        if a == 0 or e == len(raw):
            continue
        left, right = raw[a - 1], raw[e]
        if b.start + a < keep_until:
            continue
        if wrap_joinable(left, right, chinese):
            gaps.append((a, e, ""))
            if inside is None:
                inside = _inside_pairs(raw)
            if inside[a] or (left.isdigit() and is_han(right)) or (right.isdigit() and is_han(left)):
                certain = True
    if not certain:
        return
    b.wraps = [(b.start + a, b.start + e, r) for a, e, r in gaps]


def _body_wraps(raw: str, start: int, keep: int, compiled: bool | None = None) -> tuple[list, list]:
    """:func:`_body_wraps_py`, by the compiled twin where it is built and enabled."""
    if _use_twin() if compiled is None else compiled:
        return _layout.body_wraps(raw, start, keep, _char_class)
    return _body_wraps_py(raw, start, keep)


def _body_wraps_py(raw: str, start: int, keep: int) -> tuple[list, list]:
    """The wraps of a body block ``raw`` standing at ``start`` in the text: a gap
    :func:`wrap_joinable` goes (Chinese text if ``raw`` has a Han character), another
    single newline becomes a space, and gaps that start before ``keep`` (in ``raw``)
    stay.  Returns them in text offsets with their replacements, and the cuts (in
    ``raw`` offsets) between the wrapped lines."""
    wraps = []
    cuts = []
    n = len(raw)
    chinese = _HAN.search(raw) is not None
    classes = _CLASSES
    for m in _GAP.finditer(raw):
        a, e = m.span()
        if a == 0 or e == n or a < keep:
            continue
        kl = classes.get(raw[a - 1])
        if kl is None:
            kl = _char_class(raw[a - 1])
        kr = classes.get(raw[e])
        if kr is None:
            kr = _char_class(raw[e])
        if kl & kr & _OK and ((kl | kr) & _HAN_BIT or (chinese and not (kl & kr & _ALNUM))):
            wraps.append((start + a, start + e, ""))
        elif "\n" in m.group():
            wraps.append((start + a, start + e, " "))
        else:
            continue
        cuts.append((a, e))
    return wraps, cuts


_HANGING = CJK_PUNCT + ASCII_PUNCT  #: marks that hang at the end of a line


def _line_widths_py(raw: str, cuts: list[tuple[int, int]], lead: bool) -> list[float]:
    """The widths of the lines of body block ``raw`` between its ``cuts`` (a dateline
    lead's first line left out: its own spaces shorten it)."""
    lines, pos = [], 0
    for a, e in cuts:
        lines.append(raw[pos:a])
        pos = e
    lines.append(raw[pos:])
    if lead:
        lines = lines[1:]
    segs = [width(s) for s in lines]
    if segs and len(lines[0]) > 1 and lines[0][-1] in _HANGING:
        segs[0] -= 1  # a mark hanging at the end of the first line takes no cell
    return segs


# -- joins -----------------------------------------------------------------------------------------

@dataclass
class Join:
    a: int  #: index of the block the paragraph comes from
    b: int  #: index of the block that continues it
    skipped: list[int]  #: caption and credit blocks between them, to move out
    evidence: str


def _line_width(blocks: list[Block], i: int, j: int) -> float | None:
    """The regular width of wrapped lines around blocks ``i`` and ``j``."""
    inner: list[float] = []
    for k in (i, j):
        inner += blocks[k].segs[1:-1]
    if len(inner) < 3:
        for k in range(max(0, i - 2), min(len(blocks), j + 3)):
            if k not in (i, j) and blocks[k].kind == "body":
                inner += blocks[k].segs[1:-1]
    if len(inner) < 3:
        return None
    return _median(inner)


def _median(values: list[float]) -> float:
    """statistics.median of ``values`` (at least one; sorted in place), without its
    generality."""
    values.sort()
    k = len(values) // 2
    return values[k] if len(values) % 2 else (values[k - 1] + values[k]) / 2


def _first_clause(v: str) -> str | None:
    m = _CLAUSE_END.search(v, 0, 5)
    return v[: m.start()] if m else None


def decide(blocks: list[Block], i: int, j: int, compiled: bool | None = None, indents: bool = True) -> str:
    """:func:`_decide_py`, by the compiled twin where it is built and enabled
    (``compiled``: default)."""
    if _use_twin() if compiled is None else compiled:
        return _twin().decide(blocks, i, j, _TEXT_EVIDENCE, indents)
    return _decide_py(blocks, i, j, indents)


def page_indents(blocks: list[Block], compiled: bool | None = None) -> bool:
    """:func:`_page_indents_py`, by the compiled twin where it is built and enabled
    (``compiled``: default)."""
    if _use_twin() if compiled is None else compiled:
        return _twin().page_indents(blocks)
    return _page_indents_py(blocks)


def _page_indents_py(blocks: list[Block]) -> bool:
    """Does the page indent its paragraphs' first lines?  Measured on the body blocks
    of three lines or more that follow a finished block (so surely start a paragraph):
    a first line at least 1.25 cells shorter than the block's median inner line is
    indented.  A page indents unless four or more were measured and fewer than half
    were indented (the 244 noised archive pages, set without indents: at most 9 of
    20; the layout generator's pages 186 of 194, seed 002 20 of 22).  Where a page
    does not indent, a full first line says nothing about a paragraph going on.  The
    count stops where the blocks left could not change the answer (their widths are
    measured only where it matters)."""
    indented = flush = 0
    n = len(blocks)
    for k in range(1, n):
        left = n - k  # blocks k.. could each count once
        if indented >= flush + left or (flush > indented + left and indented + flush >= 4):
            break
        b = blocks[k]
        if b.kind != "body" or b.lead or not blocks[k - 1].finished:
            continue
        segs = b.segs
        if len(segs) < 3:
            continue
        if segs[0] <= _median(segs[1:-1]) - 1.25:
            indented += 1
        else:
            flush += 1
    return indented >= flush or indented + flush < 4


def _decide_py(blocks: list[Block], i: int, j: int, indents: bool = True) -> str:
    """Evidence that block ``j`` continues unfinished body block ``i`` ('' if none); a
    full first line of ``j`` is evidence only on a page that ``indents``."""
    a, b = blocks[i], blocks[j]
    key = (a.vis, b.vis)
    ev = _TEXT_EVIDENCE.get(key, _UNKNOWN)
    if ev is _UNKNOWN:
        ev = _text_evidence(a.vis, b.vis)
        if len(_TEXT_EVIDENCE) >= 1 << 12:
            _TEXT_EVIDENCE.clear()
        _TEXT_EVIDENCE[key] = ev
    if ev is not None:
        return ev
    w = _line_width(blocks, i, j)
    if w is not None:
        full = w - 1.25
        if (indents and b.segs and (b.first_full or not b.finished) and b.segs[0] >= full
                and (not a.segs or a.segs[-1] >= LAST_LINE_SHARE * w)):
            return "full-first-line"
        if a.last_full and a.segs and a.segs[-1] >= full and len(b.segs) == 1 and b.finished:
            return "full-last-line"
    return ""


def _text_evidence(av: str, bv: str) -> str | None:
    """What the characters alone say about block text ``bv`` continuing ``av``: the
    evidence, '' (``bv`` opens a paragraph of its own) or None (nothing: the widths of
    the wrapped lines decide)."""
    own = _starts_own(av, bv)
    if av[-1] in CONTINUES and not own:
        return "open-mark"
    if bv[0] in NO_START:
        return "no-start-mark"
    if own:
        return ""
    clause = _first_clause(bv) or ""
    if _OPENING.match(bv) or any(clause[:k] in OPENERS for k in range(1, len(clause) + 1)):
        return ""  # b opens a paragraph of its own
    if word_spans_gap(av, bv):
        return "word"
    if (1 <= len(clause) <= 3 and bv[len(clause)] in _SHORT_CLAUSE_ENDS
            and clause not in OPENERS and all(is_han(c) for c in clause)):
        return "short-clause"
    return None


def _starts_own(av: str, bv: str) -> bool:
    """Does block text ``bv`` start a line of its own whatever ``av`` ends with: a list
    item (:data:`_ENUMERATION`), or the next line of verse (:data:`VERSE_LINE`)?"""
    na, nb = len(av), len(bv)
    if (na <= VERSE_LINE and nb <= VERSE_LINE and av[-1:] in _VERSE_COMMAS_SET
            and bv[-1] in _CLAUSE_MARKS_SET):
        return True
    return numbered(bv)


def numbered(v: str) -> bool:
    """Does block text ``v`` start with a list item's number (:data:`_ENUMERATION`)?"""
    return v[:1] in _ENUMERATION_STARTS and _ENUMERATION.match(v) is not None


#: :func:`_text_evidence` by the block texts it was asked about: the analyses of one
#: text (a headline settled as body, then joined) and of the texts after its joins and
#: wraps (whose blocks keep their characters) ask about the same pairs.  The answer
#: depends on the two texts alone.
_TEXT_EVIDENCE: dict[tuple[str, str], str | None] = {}
_UNKNOWN = object()


def _settle_open(text: str, blocks: list[Block], compiled: bool, indents: bool = True) -> None:
    """:func:`_settle_open_py`, by the compiled twin if ``compiled``."""
    if compiled:
        _twin().settle_open(text, blocks, _TEXT_EVIDENCE, indents)
    else:
        _settle_open_py(text, blocks, compiled, indents)


def _settle_open_py(text: str, blocks: list[Block], compiled: bool, indents: bool = True) -> None:
    """A headline-like block between paragraphs that the next body block continues is
    body text (a paragraph's first line at the bottom of a column).  Safe for
    idempotence: after the join the block is gone; without one it stays a headline."""
    for i, b in enumerate(blocks):
        if b.kind not in ("headline", "subheadline") or b.base != "open" or _anchored(blocks, i):
            continue
        j, _ = _next_body(blocks, i)
        if j < len(blocks) and blocks[j].kind == "body" and not blocks[j].lead:
            b.kind = "body"
            find_wraps(text, b, compiled)
            if not _decide_py(blocks, i, j, indents):
                b.kind = "headline" if not (i and blocks[i - 1].kind in ("headline", "subheadline")) else "subheadline"
                find_wraps(text, b, compiled)


def _next_body(blocks: list[Block], i: int) -> tuple[int, list[int]]:
    """The block after ``i`` past at most four captions and credits, and those skipped."""
    j = i + 1
    skipped = []
    while j < len(blocks) and blocks[j].kind in ("caption", "credit") and len(skipped) < 4:
        skipped.append(j)
        j += 1
    return j, skipped


def _anchored(blocks: list[Block], i: int) -> set[int]:
    """{i} when block ``i`` belongs to a headline group before a byline or dateline."""
    j = i + 1
    while j < len(blocks) and blocks[j].kind in ("headline", "subheadline") and j - i <= 3:
        j += 1
    if j < len(blocks) and (blocks[j].kind == "byline" or blocks[j].lead):
        return {i}
    return set()


def find_joins(blocks: list[Block], compiled: bool | None = None,
               indents: bool = True) -> tuple[list[Join], set[int]]:
    """:func:`_find_joins_py`, by the compiled twin where it is built and enabled
    (``compiled``: default)."""
    if _use_twin() if compiled is None else compiled:
        return _twin().find_joins(blocks, _TEXT_EVIDENCE, indents)
    return _find_joins_py(blocks, indents)


def _find_joins_py(blocks: list[Block], indents: bool = True) -> tuple[list[Join], set[int]]:
    """The joins, and the indices of unfinished body blocks nothing continues."""
    joins: list[Join] = []
    incomplete: set[int] = set()
    n = len(blocks)
    for i, a in enumerate(blocks):
        if a.kind != "body" or a.finished:
            continue
        j, skipped = _next_body(blocks, i)
        ev = ""
        if j < n and blocks[j].kind == "body" and not blocks[j].lead:
            ev = _decide_py(blocks, i, j, indents)
        if ev:
            joins.append(Join(i, j, skipped, ev))
        else:
            incomplete.add(i)
    return joins, incomplete


# -- the analysis ----------------------------------------------------------------------------------

class Layout:
    """The blocks of ``text`` with their kinds and wraps, whether the page
    :func:`indents <page_indents>` its paragraphs, and (found when first asked for: the
    wrap rule does not need them) the joins and the incomplete paragraphs."""

    __slots__ = ("text", "blocks", "indents", "_joins")

    def __init__(self, text: str, blocks: list[Block], indents: bool = True):
        self.text = text
        self.blocks = blocks
        self.indents = indents
        self._joins: tuple[list[Join], set[int]] | None = None

    @property
    def joins(self) -> list[Join]:
        if self._joins is None:
            self._joins = find_joins(self.blocks, indents=self.indents)
        return self._joins[0]

    @property
    def incomplete(self) -> set[int]:
        if self._joins is None:
            self._joins = find_joins(self.blocks, indents=self.indents)
        return self._joins[1]


def analyse(text: str, state: dict | None = None) -> Layout:
    """The layout of ``text``; cached in one clean call's ``state`` for the rules that
    share it (keyed by the text it was computed from)."""
    if state is not None:
        hit = state.get("layout.analysis")
        if hit is not None and hit.text is text:
            return hit
    compiled = _use_twin()
    blocks = split_blocks(text, compiled)
    # the texts the layout rules analyse in one clean call mostly share their blocks
    classify(blocks, None if state is None else state.setdefault("layout.base-kinds", {}), compiled)
    if compiled:  # as the loop below
        _layout.find_all_wraps(text, blocks, find_wraps, _char_class)
    else:
        for b in blocks:
            find_wraps(text, b, compiled)
    indents = page_indents(blocks, compiled)
    _settle_open(text, blocks, compiled, indents)
    out = Layout(text, blocks, indents)
    if state is not None:
        state["layout.analysis"] = out
    return out
