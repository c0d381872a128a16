"""Character classes and tables shared by the rules, each documented where it is defined.

Patterns use the ``regex`` module so that Unicode scripts (``\\p{Han}``) are exact.
"""

from __future__ import annotations

from bisect import bisect_right

import regex

#: Han ideographs (all CJK blocks, compatibility ideographs and extensions included).
HAN = r"\p{Han}"

#: Chinese full-width punctuation: the marks that, next to a character, say "this is
#: Chinese running text".
CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】「」『』〔〕—…·～￥"

#: Characters that make their neighbourhood Chinese: Han and Chinese punctuation.
CJK_CONTEXT = regex.compile(rf"[{HAN}{regex.escape(CJK_PUNCT)}]")

#: One Han character.
HAN_CHAR = regex.compile(HAN)

#: Horizontal white space of OCR text: space, tab and the ideographic space.
SPACE = " \t\u3000"

#: Sentence-ending marks after which an unmatched straight quote closes.
SENTENCE_END = "。！？…；"

#: Common Chinese surnames (the hundred most frequent).  A surname and one or two Han
#: characters may be a personal name: the garbage, stray-letter and glyph rules read
#: such a run as a name rather than as noise or as a misreading.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)

#: Half-width punctuation and its full-width form, for Chinese text.
HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}

#: Spans that are never touched by punctuation and width rules: URLs and e-mail
#: addresses (ASCII only, so a Chinese character ends them).
PROTECTED = regex.compile(
    r"""(?x)
    (?:https?://|ftp://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+[A-Za-z0-9/]   # URL
    | [A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+                       # e-mail
    """
)


class CharTable:
    """A predicate on one character, memoised in a table of every code point: the
    predicate decides once per code point (a bytearray of 0x110000 entries: 0 not asked
    yet, 1 no, 2 yes).  The rules ask about the characters around every mark and gap,
    so a regex match or a Unicode-database lookup per question was a measurable part
    of their time.  ``""`` is never in the class; of a longer string the first
    character is asked about, as a one-character pattern's ``match`` would."""

    __slots__ = ("_pred", "_table")

    def __init__(self, pred):
        self._pred = pred
        self._table = bytearray(0x110000)

    def __call__(self, ch: str) -> bool:
        if len(ch) != 1:
            return bool(ch) and self(ch[0])
        o = ord(ch)
        k = self._table[o]
        if not k:
            k = self._table[o] = 2 if self._pred(ch) else 1
        return k == 2


#: Is ``ch`` a Han character or Chinese punctuation?
is_cjk = CharTable(lambda ch: CJK_CONTEXT.match(ch) is not None)

#: Is ``ch`` a Han character?
is_han = CharTable(lambda ch: HAN_CHAR.match(ch) is not None)


def has_han(s: str) -> bool:
    """Does ``s`` hold a Han character?"""
    return HAN_CHAR.search(s) is not None


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, disjoint spans of URLs and e-mail addresses in ``text`` (the list is
    shared by the callers that ask about the same text: not to be changed)."""
    last = _LAST_SPANS[0]
    if text is last[0]:
        # the rules of a stage ask in turn, mostly about the same text (the rules
        # between them changed nothing)
        return last[1]
    # Every match holds one of these: a URL starts with "://"-schemes or "www.", an
    # e-mail address has "@".  Most pages have none, and three substring searches
    # cost far less than the pattern's scan.  (A search for one character is about
    # eight times faster than for several in a str of Han text: "/" and "w" first.)
    if "@" not in text and ("/" not in text or "://" not in text) and ("w" not in text or "www." not in text):
        spans = []
    else:
        spans = [m.span() for m in PROTECTED.finditer(text)]
    _LAST_SPANS[0] = (text, spans)  # one store: a thread reads both or neither
    return spans


#: the text :func:`protected_spans` was last asked about, and its spans
_LAST_SPANS: list = [(None, [])]


class Protected:
    """Answers "is offset ``i`` inside a URL or e-mail address?" in O(log n)."""

    def __init__(self, text: str):
        spans = protected_spans(text)
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]

    def __contains__(self, i: int) -> bool:
        if not self._starts:
            return False
        k = bisect_right(self._starts, i) - 1
        return k >= 0 and i < self._ends[k]

    def __bool__(self) -> bool:
        return bool(self._starts)


def break_space_table(pattern) -> bytes:
    """For each code point up to U+3000: 1 if the trailing ``\\s*`` of a compiled block
    break pattern (``\\n[ \\t\\u3000]*\\n\\s*``, of ``re`` or ``regex``, which differ on a
    few controls) takes it.  The compiled block scans read the break's spaces from it
    and take every code point beyond it for no space (the tests check both)."""
    return bytes(1 if pattern.match("\n\n" + chr(c)).end() == 3 else 0 for c in range(0x3001))


class CharClass:
    """A set of code points, given by characters and inclusive ranges, as the bit table
    the compiled scans read (bit ``c & 7`` of byte ``c >> 3`` for code point ``c``, made
    on first use).  A rule's pattern for the class stays its definition:
    :func:`class_runs` and :func:`class_find` give what the pattern gives, by a
    compiled scan of the table where it is built (the tests check that table and
    pattern hold the same code points)."""

    __slots__ = ("chars", "ranges", "_bits")

    def __init__(self, chars: str = "", ranges: tuple[tuple[int, int], ...] = ()):
        self.chars = chars
        self.ranges = tuple(ranges)
        self._bits: bytes | None = None

    @property
    def bits(self) -> bytes:
        if self._bits is None:
            bits = bytearray(0x110000 // 8)
            for lo, hi in self.ranges + tuple((ord(c), ord(c)) for c in self.chars):
                while lo <= hi and lo & 7:  # to a byte boundary
                    bits[lo >> 3] |= 1 << (lo & 7)
                    lo += 1
                if hi - lo >= 7:  # whole bytes
                    k = (hi + 1 - lo) >> 3
                    bits[lo >> 3 : (lo >> 3) + k] = b"\xff" * k
                    lo += k << 3
                while lo <= hi:
                    bits[lo >> 3] |= 1 << (lo & 7)
                    lo += 1
            self._bits = bytes(bits)
        return self._bits

    def __contains__(self, ch: str) -> bool:
        o = ord(ch)
        return bool(self.bits[o >> 3] >> (o & 7) & 1)


def class_runs(text: str, pattern, cls: CharClass, scan=None) -> list[tuple[int, int]]:
    """The spans of ``pattern.finditer(text)``, where ``pattern`` is ``[…]+`` for the
    characters of ``cls``: by ``scan.class_runs`` (``scan`` the compiled
    ``textfix.rules._scan``, or None: the pattern) on ``cls.bits``."""
    if scan is None:
        return [m.span() for m in pattern.finditer(text)]
    return scan.class_runs(text, cls.bits)


def class_find(text: str, pattern, cls: CharClass, scan=None, start: int = 0) -> int:
    """Where ``pattern.search(text, start)`` starts (-1: nowhere), where ``pattern``
    matches one character of ``cls``: by ``scan.class_find`` (as for :func:`class_runs`)."""
    if scan is None:
        m = pattern.search(text, start)
        return -1 if m is None else m.start()
    return scan.class_find(text, cls.bits, start)
