"""Build textfix/data/confusions.tsv: pairs of Chinese characters whose glyphs
look alike, i.e. the characters an OCR engine misreads for one another.

Reproduce (not run at install time)::

    apt-get install fonts-noto-cjk          # Noto Serif/Sans CJK SC
    pip install numpy Pillow
    python -m textfix.data.build_confusions  # rewrites textfix/data/confusions.tsv

Method
------
* Character set: the 6,763 hanzi of GB 2312 (levels 1 and 2), enumerated by
  decoding the GB 2312 code table, so no list has to be downloaded.
* Every character is rendered at 64 px in Noto Serif CJK SC (newspaper body
  text is set in a Song/serif face) and in Noto Sans CJK SC (headlines),
  at its natural position in the em box (so 日 and 曰, which differ in
  proportion, keep that difference).
* Each bitmap is reduced to 24x24 by area averaging, blurred with a 3x3
  box filter (OCR tolerates small shifts of strokes, so should the metric),
  and L2-normalised; the similarity of two glyphs is the cosine of their
  vectors, averaged over the two faces.
* For each character we keep its ``TOP_K`` most similar partners whose
  similarity is at least ``THRESHOLD``.  Pairs are symmetric (a glyph metric
  is); a pair kept from either side is written once per direction.
* Pairs that the issue names as real OCR misreadings (入/人, 己/已/巳, ...)
  are always kept; the ``source`` column says ``seed`` for them when the
  glyph metric alone would not have kept them, and their score is still the
  measured one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONTS = [
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),  # SC
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # SC
]
RENDER = 64
SMALL = 24
THRESHOLD = 0.70
TOP_K = 4

# Misreadings reported from real OCR output of newspaper pages.
SEED_GROUPS = [
    "入人", "己已巳", "未末", "土士", "日曰", "而面", "干于", "吏更",
    "贪贫", "肉内", "域城", "衰衷", "旦且", "党觉",
]

OUT = Path(__file__).with_name("confusions.tsv")


def gb2312_hanzi() -> list[str]:
    chars = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            chars.append(ch)
    return chars


def render(chars: list[str], font_path: str, index: int) -> np.ndarray:
    font = ImageFont.truetype(font_path, RENDER, index=index)
    out = np.zeros((len(chars), SMALL * SMALL), dtype=np.float32)
    for i, ch in enumerate(chars):
        img = Image.new("L", (RENDER, RENDER), 0)
        ImageDraw.Draw(img).text((0, 0), ch, fill=255, font=font, anchor="lt")
        small = img.resize((SMALL, SMALL), Image.BOX)
        a = np.asarray(small, dtype=np.float32) / 255.0
        p = np.pad(a, 1, mode="constant")
        b = sum(p[dy:dy + SMALL, dx:dx + SMALL] for dy in range(3) for dx in range(3)) / 9.0
        out[i] = b.ravel()
    # Centre on the mean glyph of the face, so that the ink every glyph has in
    # the middle of its box does not count as likeness, then normalise.
    out -= out.mean(axis=0)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def similarity(chars: list[str]) -> np.ndarray:
    sims = None
    for path, idx in FONTS:
        v = render(chars, path, idx)
        s = v @ v.T
        sims = s if sims is None else sims + s
    sims /= len(FONTS)
    np.fill_diagonal(sims, 0.0)
    return sims


def build(threshold: float = THRESHOLD, top_k: int = TOP_K) -> list[tuple[str, str, float, str]]:
    chars = gb2312_hanzi()
    pos = {c: i for i, c in enumerate(chars)}
    sims = similarity(chars)
    keep: dict[tuple[str, str], tuple[float, str]] = {}
    for i, a in enumerate(chars):
        row = sims[i]
        best = np.argsort(-row)[:top_k]
        for j in best:
            s = float(row[j])
            if s < threshold:
                break
            b = chars[j]
            keep[(a, b)] = (s, "glyph")
            keep[(b, a)] = (s, "glyph")
    for group in SEED_GROUPS:
        for a in group:
            for b in group:
                if a != b and (a, b) not in keep:
                    keep[(a, b)] = (float(sims[pos[a], pos[b]]), "seed")
    rows = [(a, b, s, src) for (a, b), (s, src) in keep.items()]
    rows.sort(key=lambda r: (pos[r[0]], -r[2], pos[r[1]]))
    return rows


HEADER = """\
# textfix confusions: Chinese characters whose glyphs look alike (OCR misreadings).
# Format: UTF-8, tab-separated, one directed pair per line:
#   observed<TAB>intended<TAB>similarity<TAB>source
# similarity: correlation (centred cosine) of blurred 24x24 glyph bitmaps rendered in
#   Noto Serif CJK SC and Noto Sans CJK SC (averaged).
# source: 'glyph' = kept by the glyph metric (top {top_k} partners with similarity >= {threshold});
#   'seed' = a misreading reported from real OCR output, kept whatever its score.
# Pairs are symmetric: both directions are listed with the same score.
# Character set: the 6,763 hanzi of GB 2312.  Made by textfix/data/build_confusions.py
#   (python -m textfix.data.build_confusions); do not edit by hand.
# {n_pairs} directed pairs, {n_chars} characters.
"""


def write(rows, path: Path = OUT, threshold: float = THRESHOLD, top_k: int = TOP_K) -> None:
    chars = {r[0] for r in rows}
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(HEADER.format(top_k=top_k, threshold=threshold, n_pairs=len(rows), n_chars=len(chars)))
        for a, b, s, src in rows:
            f.write(f"{a}\t{b}\t{s:.3f}\t{src}\n")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold", type=float, default=THRESHOLD)
    ap.add_argument("--top-k", type=int, default=TOP_K)
    ap.add_argument("-o", "--output", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows = build(args.threshold, args.top_k)
    write(rows, args.output, args.threshold, args.top_k)
    print(f"{args.output}: {len(rows)} pairs, {len({r[0] for r in rows})} characters")


if __name__ == "__main__":
    main()
