"""Stage ``stray``: characters that are not text at all.

Pictures, column rules, folds and dirt on a scanned page come out of OCR as stray
characters: a ``|`` where a column rule was, an ``i`` or ``^`` in the middle of a
Chinese sentence, private-use code points, a bullet read as ``口``, a few
characters of nonsense alone on a line.  Each is removed with an edit (so
``restore()`` brings it back).  Real tokens stay: ``GDP``, ``5G``, ``PM2.5``,
``12345热线``, ``“党建+”``, ``A股``, e-mail addresses and URLs, list markers
(``1.``, ``（一）``, ``■通讯员``), ``%`` and units.

Control, zero-width and U+FFFD characters are the ``unicode`` stage's business.
"""

from __future__ import annotations

import re
import string

import regex

from .. import _compiled
from ..chars import SPACE as _SPACE, SURNAMES, CharClass, Protected, class_runs, is_han
from ..edit import Edit, Safety, apply, is_applied
from ..rule import Doc, rule
from .garbled import words

try:
    from . import _scan
except ImportError:  # not built: the patterns do the work
    _scan = None


def _compiled_scan():
    """``textfix.rules._scan`` where it is built and used, else None (the patterns)."""
    return _scan if _scan is not None and _compiled.enabled() else None

#: Han radicals that OCR makes of specks and strokes; never used alone in running text.
STROKES = "丶丿亅乛"
#: Han characters or Chinese punctuation, not counting the stroke radicals above.
_CJK = regex.compile(r"[\p{Han}，。、；：？！“”‘’（）《》〈〉【】「」『』〔〕—…·～￥]")
_STROKE_SET = set(STROKES)


def _cjk(ch: str) -> bool:
    return bool(ch) and ch not in _STROKE_SET and _CJK.match(ch) is not None


def _han(ch: str) -> bool:
    return ch not in _STROKE_SET and is_han(ch)


def _around(text: str, start: int, end: int, through: str = _SPACE) -> tuple[int, int, str, str]:
    """The spaces around ``[start, end)`` on its line: ``(left, right, prev, next)`` where
    ``left..start`` and ``end..right`` are spaces (or other characters of ``through``)
    and ``prev``/``next`` the characters beyond them (``""`` at a line edge)."""
    a = start
    while a > 0 and text[a - 1] in through:
        a -= 1
    b = end
    n = len(text)
    while b < n and text[b] in through:
        b += 1
    prev = text[a - 1] if a > 0 and text[a - 1] != "\n" else ""
    nxt = text[b] if b < n and text[b] != "\n" else ""
    return a, b, prev, nxt


def _removal(text: str, start: int, end: int) -> tuple[int, int]:
    """Remove ``[start, end)`` and the spaces it leaves dangling: at a line edge all of
    them, between text those on one side only (a space that was there stays)."""
    a, b, prev, nxt = _around(text, start, end)
    if not prev or not nxt:
        return (a if not prev else start), (b if not nxt else end)
    if b > end:
        return start, b
    return a, end


def _disjoint(edits):
    """The edits in order, each clipped so that it starts where the one before ended
    (two removals may both claim the spaces between them)."""
    end = -1
    for e in edits:
        if e.start < end:
            if e.end <= end:
                continue
            e = Edit(end, e.end, e.new, confidence=e.confidence, note=e.note)
        end = e.end
        yield e


def disjoint(func):
    """Make a rule's generator yield disjoint edits (see :func:`_disjoint`)."""
    import functools

    @functools.wraps(func)
    def wrapper(doc):
        return _disjoint(func(doc))

    return wrapper


# -- column rules ---------------------------------------------------------------------

_RULE_CHARS = "|｜│┃¦丨︱︳"
_RULE = regex.compile(rf"[{regex.escape(_RULE_CHARS)}]+")
_RULE_CLASS = CharClass(_RULE_CHARS)


@rule("stray.column-rule", safety=Safety.GUESS)
@disjoint
def column_rule(doc):
    """Vertical bars read from the rules between columns (``|``, ``丨``, ``│``).

    ## Why
    The thin vertical lines that separate newspaper columns come out as ``|``,
    ``｜``, ``丨`` or box-drawing bars, inside or at the edge of Chinese lines.  Next
    to Chinese text they mean nothing and go with the spaces they leave; a bar
    between Latin letters or digits (``a|b``) stays.

    ## Example
        before: 城南街道 | 站前街道
        after:  城南街道 站前街道
    """
    text = doc.text
    runs = class_runs(text, _RULE, _RULE_CLASS, _compiled_scan())
    prot = Protected(text) if runs else None
    for start, end in runs:
        if start in prot:
            continue
        a, b, prev, nxt = _around(text, start, end)
        if not (_cjk(prev) or _cjk(nxt)):
            continue
        if (prev.isascii() and prev.isalnum()) or (nxt.isascii() and nxt.isalnum()):
            if not (_cjk(prev) and _cjk(nxt)):
                continue
        s, e = _removal(text, start, end)
        yield Edit(s, e, "", confidence=0.95, note=f"栏线：{text[start:end]}")


# -- private use ----------------------------------------------------------------------

_PUA = regex.compile(r"[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]+")
_PUA_CLASS = CharClass(ranges=((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)))


@rule("stray.private-use", safety=Safety.GUESS)
@disjoint
def private_use(doc):
    """Private-use code points (U+E000-U+F8FF and planes 15-16).

    ## Why
    An OCR engine emits a private-use character for a glyph of its own font that it
    could not map (a logo, a bullet, dirt).  No reader or program can know what it
    stands for; it is removed, and the edit keeps it for ``restore()``.

    ## Example
        before: 茂名\\ue5e5晚报讯
        after:  茂名晚报讯
    """
    text = doc.text
    for start, end in class_runs(text, _PUA, _PUA_CLASS, _compiled_scan()):
        s, e = _removal(text, start, end)
        yield Edit(s, e, "", confidence=0.95,
                   note="私用区：" + " ".join(f"U+{ord(c):04X}" for c in text[start:end][:4]))


# -- misread bullets ------------------------------------------------------------------

_BULLET = re.compile(  # no Unicode property: ``re`` reads it alike, ~2x as fast
    r"(?m)^[ \t\u3000]*([口□▢◻ロ回日目田▯])[ \t\u3000]*"
    r"(?=(?:本报)?(?:通讯员|记者|实习生|见习记者|特约记者|特约通讯员|全媒体记者|融媒体记者))"
)


@rule("stray.misread-bullet", safety=Safety.GUESS)
@disjoint
def misread_bullet(doc):
    """A byline bullet ``■`` that OCR read as ``口``, ``□``, ``回`` or ``日``.

    ## Why
    Bylines start with a solid square (``■通讯员 郑伟业``).  Blurred, it is read as
    a hollow look-alike or a Han character of the same shape, which then sticks to
    the byline (``口通讯员``).  Before ``通讯员``/``记者`` at the start of a line
    such a character is never text; it goes.  A real ``■`` stays.

    ## Example
        before: 口通讯员 张丽雯
        after:  通讯员 张丽雯
    """
    for m in _bullets(doc.text):
        yield Edit(m.start(1), m.end(), "", confidence=0.93, note=f"误识项目符号：{m.group(1)}")


_BULLET_CLASS = CharClass("口□▢◻ロ回日目田▯")


def _bullets(text: str):
    """The matches of :data:`_BULLET` in ``text``.  Each starts a line whose first
    character other than a space is one of the look-alikes, and there are few such
    lines: where the compiled scan is built it finds them, and only they are tried."""
    scan = _compiled_scan()
    if scan is None:
        return _BULLET.finditer(text)
    match = _BULLET.match
    return [m for m in (match(text, i) for i in scan.line_heads(text, _BULLET_CLASS.bits)) if m]


# -- isolated Latin letters and symbols inside Chinese ---------------------------------

#: Characters after which a single Latin letter is a name or grade (``A级``, ``B区``,
#: ``n个``, ``C位``).
_AFTER_LETTER = set("级型类区座栋号档面端轮组队股盘超光恤版线字形口位点楼层门站款项套证卡个次倍种人天年月日")
#: Characters before which a single Latin letter belongs (``维生素C``, ``甲A``, ``第N``).
_BEFORE_LETTER = set("甲乙丙丁素第维卡")
#: Lowercase letters as thin as a speck or a stroke fragment: OCR makes them of dirt,
#: and no grade or count is written with them (``重i点``, ``第j六届``, ``一l个``).
_THIN = set("ijlr")
_LETTER = regex.compile(r"(?<![A-Za-z0-9])[A-Za-z](?![A-Za-z0-9])")


def _letters(text: str) -> list[int]:
    """Where :data:`_LETTER` matches in ``text``: by the compiled scan where it is built."""
    scan = _compiled_scan()
    if scan is None:
        return [m.start() for m in _LETTER.finditer(text)]
    return scan.lone_letters(text)


def _letter_contexts(text: str, letters: list[int] | None = None) -> dict[str, int]:
    """How often each pair of Han characters follows (``>电站``) or precedes (``<西山``)
    a lone Latin letter in ``text`` (``letters``: where they are, if known)."""
    seen: dict[str, int] = {}
    for i in (_letters(text) if letters is None else letters):
        for key, ctx in ((">", text[i + 1 : i + 3]), ("<", text[max(0, i - 2) : i])):
            if len(ctx) == 2 and all(_han(c) for c in ctx):
                seen[key + ctx] = seen.get(key + ctx, 0) + 1
    return seen


def _parallel(text: str, i: int, contexts: dict[str, int]) -> bool:
    """Is there another lone letter with the same two Han characters after or before it
    (``西山A电站…西山A电站``, ``C大调…降E大调``)?  Letters that name things recur in the
    same words; a speck does not."""
    return (contexts.get(">" + text[i + 1 : i + 3], 0) >= 2
            or contexts.get("<" + text[max(0, i - 2) : i], 0) >= 2)


def _letter_is_token(text: str, i: int, lex) -> bool:
    c = text[i]
    line_start = text.rfind("\n", 0, i) + 1
    line_end = text.find("\n", i)
    line_end = len(text) if line_end == -1 else line_end
    nxt = text[i + 1] if i + 1 < line_end else ""
    prv = text[i - 1] if i > line_start else ""
    if c not in _THIN and (nxt in _AFTER_LETTER or prv in _BEFORE_LETTER):
        return True
    for k in range(1, 4):  # a lexicon word with the letter: A股, X光线, T恤衫
        if text[i : i + 1 + k] in lex or text[max(line_start, i - k) : i + 1] in lex:
            return True
    # another lone letter close by on the line: "A与B", "甲方A、乙方B"
    window = text[max(line_start, i - 8) : min(line_end, i + 9)]
    if c.isupper() and sum(1 for m in _LETTER.finditer(window) if m.group().isupper()) >= 2:
        return True
    return False


@rule("stray.latin-in-han", safety=Safety.GUESS)
@disjoint
def latin_in_han(doc):
    """A single Latin letter alone between Chinese characters (``城南i街道``).

    ## Why
    Specks, stroke fragments and show-through become ``i``, ``l``, ``r`` or a stray
    capital in the middle of a Chinese word.  A lone letter with Chinese on both
    sides is removed unless it is a token: ``A股``, ``B超``, ``X光`` (the lexicon),
    ``A级``, ``C位``, ``n个``, ``维生素C`` (not for the thin ``i j l r``), ``A与B``,
    or another lone letter has the same two characters after or before it
    (``C大调…降E大调``, ``西山A电站`` twice).  Letters next to letters or digits
    (``GDP``, ``5G``, ``PM2.5``) are never candidates.

    ## Example
        before: 推进城南i街道建设
        after:  推进城南街道建设
    """
    text = doc.text
    letters = _letters(text)
    if not letters:
        return
    prot = Protected(text)
    lex = words(doc)
    contexts = None  # counted when the first candidate needs them
    for i in letters:
        if i in prot:
            continue
        a, b, prev, nxt = _around(text, i, i + 1)
        if not (_han(prev) and _han(nxt)):
            continue
        if contexts is None:
            contexts = _letter_contexts(text, letters)
        if _parallel(text, i, contexts):
            continue
        if (a == i and b == i + 1) and _letter_is_token(text, i, lex):
            continue
        if (a < i or b > i + 1) and (_letter_is_token(text[:a] + text[i:i + 1] + text[b:], a, lex)):
            continue
        conf = 0.93 if text[i].islower() else 0.91
        s, e = _removal(text, i, i + 1)
        yield Edit(s, e, "", confidence=conf, note=f"杂字：{text[i]}")


_SYMBOLS = "~^_`\\¨ˇ´¸¯˙ˊˋ¬¤" + STROKES
_SYMBOL = re.compile(  # plain code points: ``re`` scans them ~4x as fast as ``regex``
    rf"[{regex.escape(_SYMBOLS)}]")
#: (Runs of them, each character of which is a match of :data:`_SYMBOL`.)
_SYMBOL_RUN = re.compile(rf"[{regex.escape(_SYMBOLS)}]+")
_SYMBOL_CLASS = CharClass(_SYMBOLS)


@rule("stray.symbol-in-han", safety=Safety.GUESS)
@disjoint
def symbol_in_han(doc):
    """A lone symbol or stroke between Chinese characters (``治理^能力``, ``工丶作``).

    ## Why
    Dirt and stroke fragments become ``^``, ``~``, ``_``, a backtick, a spacing
    accent or a stroke radical (``丶``) inside Chinese text, where none of them is
    ever written.  With Chinese on both sides it is removed; ``3~5``, ``a_b``,
    ``“党建+”``, ``%`` and ``·`` in names are not candidates.

    ## Example
        before: 提升基层治理^能力
        after:  提升基层治理能力
    """
    text = doc.text
    runs = class_runs(text, _SYMBOL_RUN, _SYMBOL_CLASS, _compiled_scan())
    prot = Protected(text) if runs else None
    for i in (i for start, end in runs for i in range(start, end)):  # each match of _SYMBOL
        if i in prot:
            continue
        # Looking through quotes: a straight quote becomes a Chinese one later in the
        # pipeline, and the decision must be the same before and after it does.
        _, _, prev, nxt = _around(text, i, i + 1, through=_SPACE + "\"'“”‘’")
        if _cjk(prev) and _cjk(nxt) and (_han(prev) or _han(nxt)):
            s, e = _removal(text, i, i + 1)
            yield Edit(s, e, "", confidence=0.95, note=f"杂字：{text[i]}")


# -- short nonsense lines -------------------------------------------------------------

_BLOCK_LINE = regex.compile(r"(?m)^[ \t\u3000]*(\S[^\n]*?)[ \t\u3000]*$")
_JUNK_ONLY = regex.compile(rf"[{regex.escape(_SYMBOLS + _RULE_CHARS)}.,:;'\"■□▪▫·•、，。]+")
#: (The patterns :func:`_noise_confidence` searches a line with, compiled once: given
#: as strings, each search cost a look-up in ``regex``'s cache of compiled patterns.)
_SIGNOFF = regex.compile(r"[()（）\[\]【】〔〕《》<>“”\"]|\d")
_LATIN_RUN = regex.compile(r"[A-Za-z]+")
_JUNK_CHAR = regex.compile(rf"[{regex.escape(_SYMBOLS + _RULE_CHARS)}]")
_MAX_NOISE = 5  #: a line of at most this many characters can be a nonsense line


def _segmentable(s: str, lex) -> bool:
    """Can ``s`` be cut into lexicon words of two or more characters?"""
    n = len(s)
    ok = [True] + [False] * n
    for i in range(1, n + 1):
        for k in range(2, min(6, i) + 1):
            if ok[i - k] and s[i - k : i] in lex:
                ok[i] = True
                break
    return ok[n]


def _size(line: str) -> int:
    """The characters of a line other than spaces."""
    return len(line) - line.count(" ") - line.count("\t") - line.count("\u3000")


def _noise_confidence(c: str, lex) -> float:
    """How sure we are that the short line ``c`` is not text (0: it is text)."""
    # (how many characters the core has, counted before it is made: most lines asked
    # about have too many)
    size = _size(c)
    if not size or size > _MAX_NOISE:
        return 0.0
    core = "".join(ch for ch in c if ch not in _SPACE)
    if _SIGNOFF.search(core):
        return 0.0  # (茂健) （完） A3版 12345: sign-offs, page and phone numbers
    if len(set(core)) == 1 and len(core) >= 3:
        return 0.0  # *** ◆◆◆ ……: a separator
    if _JUNK_ONLY.fullmatch(core):
        return 0.95
    han = "".join(ch for ch in core if _han(ch))
    latin = _LATIN_RUN.findall(core)
    if not han:
        return 0.0  # GDP, CCTV, a lone "A": Latin tokens
    # a word or a name, alone or with one stray inside (苏I来兴, 王丶佑民: the stray rules
    # take it out)
    inner = han == core or (len(core) == len(han) + 1 and _han(core[0]) and _han(core[-1]))
    if core in lex or (inner and (han in lex or _segmentable(han, lex) or han[0] in SURNAMES)):
        return 0.0
    if latin:
        if any(len(t) >= 2 for t in latin):
            return 0.0
        if any(core[k : k + 2] in lex or core[max(0, k - 2) : k + 1] in lex
               for k, ch in enumerate(core) if ch.isascii() and ch.isalpha()):
            return 0.0  # B超, X光
        return 0.93  # 定算X: Han and a lone letter
    if _JUNK_CHAR.search(core):
        return 0.93
    return 0.6 if len(han) <= 3 else 0.0  # a few Han characters that are no word: only suggest


def _block_spans(doc) -> list[tuple[int, int]]:
    """``doc.block_spans()``: by the compiled scan where it is built and the blocks are
    not known yet (finding them with the pattern was most of the rule's time)."""
    scan = _compiled_scan()
    if scan is None or doc._blocks is not None:
        return doc.block_spans()
    from ..rule import _break_white

    return scan.block_spans(doc.text, _break_white())


#: Each stray rule after noise-line, the characters it may take out of a line (none of
#: them is a space) and the pattern of its candidates (a line without one is left as it is).
_STRAY_CHARS = (
    ("stray.column-rule", _RULE_CLASS.chars, _RULE),
    ("stray.misread-bullet", _BULLET_CLASS.chars, _BULLET),
    ("stray.latin-in-han", string.ascii_letters, _LETTER),
    ("stray.symbol-in-han", _SYMBOL_CLASS.chars, _SYMBOL_RUN),
)
_STRAYISH = re.compile("[" + re.escape("".join(c for _, c, _ in _STRAY_CHARS)) + "]")  # (``re``: ~2x as fast)
#: The line limit of the raw block (spaces and strays included) before it is judged.
_MAX_RAW = 3 * (_MAX_NOISE + 4)


def _later_strays(config) -> tuple:
    """The stray rules that run after noise-line under ``config``, in pipeline order,
    each with the pattern of its candidates."""
    key = (config.select, config.enable, config.disable)
    hit = _LATER_STRAYS.get(key)
    if hit is None:
        from ..pipeline import resolve_rules

        on = {r.name: r for r in resolve_rules(config)}
        hit = _LATER_STRAYS[key] = tuple((on[name], pattern) for name, _, pattern in _STRAY_CHARS
                                         if name in on)
    return hit


_LATER_STRAYS: dict = {}


def _could_be_noise(line: str) -> bool:
    """False where ``line`` keeps more than :data:`_MAX_NOISE` characters whatever the
    stray rules take out of it (the spaces do not count)."""
    size = _size(line)
    return size <= _MAX_NOISE or size - len(_STRAYISH.findall(line)) <= _MAX_NOISE


def _after_strays(doc, line: str) -> str:
    """``line`` (a block of one line) as the stray rules after noise-line will leave it,
    each run on the line alone and its edits applied as the pipeline applies them (a
    line is judged as it will be: a stray that makes it a character too long now, and
    that the next rule takes out, does not keep it for a second clean to remove)."""
    if _STRAYISH.search(line) is None:
        return line
    threshold = doc.config.threshold
    for r, candidates in _later_strays(doc.config):
        if candidates.search(line) is None:
            continue
        mini = Doc(line, doc.config, doc.resources, None, [])
        taken = [e for e in r(mini)
                 if is_applied(r.safety if e.safety is None else e.safety, e.confidence, threshold)]
        if taken:
            line = apply(line, sorted(taken, key=lambda e: (e.start, e.end)))
    return line


@rule("stray.noise-line", safety=Safety.GUESS)
@disjoint
def noise_line(doc):
    """A few characters of nonsense alone on a line (``定算X`` between a headline and the page header).

    ## Why
    Photos, logos and folds are read as a handful of characters that stand alone
    between blank lines.  A one-line block of at most five characters that mixes
    Chinese with a lone letter or symbol, or is only symbols, is removed with the
    blank line after it.  Short real blocks stay: words (``要闻``), names, sign-offs
    (``(茂健)``, ``（完）``), page numbers, separators (``* * *``), Latin tokens.
    Short Han strings that are no word are only suggested, and a name or word with
    one stray inside (``苏I来兴``, ``王丶佑民``, ``图i片：``) stays for the stray rules to
    mend: a line is judged as the stray rules after this one will leave it, so one
    stray neither makes a real line look like noise nor keeps a nonsense line one
    character too long for a second clean to remove; a block of a few short lines is
    judged as the one line the layout stage makes of it.  The
    rule runs before the layout stage, so a paragraph split around such a block is
    joined in the same clean.

    ## Example
        before: 新闻热线:2963667\\n\\n定算X\\n\\n茂南区开展主题教育
        after:  新闻热线:2963667\\n\\n茂南区开展主题教育
    """
    text = doc.text
    lex = words(doc)
    blocks = _block_spans(doc)
    limit = _MAX_NOISE + 4
    # (a block longer than the limit with nothing to strip is its own stripped body,
    # too long: most blocks are, and they are passed over in one comprehension; one a
    # little longer can be short once the stray rules have taken their characters out)
    strays = _STRAYISH.findall
    short = [k for k, (start, end) in enumerate(blocks)
             if end - start <= limit or text[start].isspace() or text[end - 1].isspace()
             or (end - start <= _MAX_RAW and len(strays(text, start, end)) >= end - start - limit)]
    for k in short:
        start, end = blocks[k]
        body = text[start:end]
        line = body.strip()
        if "\n" in line:
            # a short block of a few lines is one line once the layout stage takes out
            # the wraps between them: it is judged as that line
            line = "".join(part.strip() for part in line.split("\n"))
        if len(line) > _MAX_RAW or not _could_be_noise(line):
            continue
        line = _after_strays(doc, line).strip()
        if len(line) > limit:
            continue
        conf = _noise_confidence(line, lex)
        if conf <= 0:
            continue
        if k + 1 < len(blocks):
            s, e = start, blocks[k + 1][0]
        elif k > 0:
            s, e = blocks[k - 1][1], end
        else:
            s, e = start, end
        yield Edit(s, e, "", confidence=conf, note=f"杂行：{body.strip()}")
