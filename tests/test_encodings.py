import codecs
import io
import json

import pytest

import textfix
from textfix.batch import clean_stream
from textfix.io import InputError, StreamDecoder, decode, decode_bytes

from conftest import SEEDS, run_textfix

PAGE = "茂名晚报讯 近年来，我市城镇老旧小区改造工作取得显著成效。\n\n市委、市政府高度重视。\n"


def test_gbk_bytes_are_detected():
    data = PAGE.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    d = decode_bytes(data, "page.txt")
    assert d.text == PAGE and d.encoding == "gb18030" and d.replaced == []
    assert decode(data) == PAGE


def test_gbk_real_seed_page_is_detected():
    text = open(SEEDS[0], encoding="utf-8").read()
    data = text.encode("gb18030")
    assert decode(data, SEEDS[0]) == text


def test_utf8_bom_is_kept_for_the_pipeline_to_remove():
    d = decode_bytes(codecs.BOM_UTF8 + PAGE.encode())
    assert d.text == "\ufeff" + PAGE
    r = textfix.clean(d.text)
    assert not r.text.startswith("\ufeff") and r.restore() == d.text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    data = (codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le") if codec == "utf-16-le"
            else codecs.BOM_UTF16_BE + PAGE.encode("utf-16-be") if codec == "utf-16-be"
            else PAGE.encode("utf-16"))
    assert decode(data) == PAGE


def test_forced_encoding_and_unknown_encoding():
    data = PAGE.encode("big5", errors="ignore")
    assert decode(data, encoding="big5") == data.decode("big5")
    with pytest.raises(InputError, match="unknown encoding"):
        decode(b"x", encoding="no-such-codec")


def test_undecodable_bytes_are_one_clear_error():
    data = PAGE.encode()[:9] + b"\xff\x00\xfe" + PAGE.encode()[9:]
    data = b"abc \xff\xfe def \xc3"
    with pytest.raises(InputError) as e:
        decode(data, "bad.txt")
    msg = str(e.value)
    assert "bad.txt" in msg and "offset 4" in msg and "--errors replace" in msg and "\n" not in msg


def test_replace_records_offsets_and_hex():
    good = PAGE.encode()
    data = good[:9] + b"\xff" + good[9:] + b"\xc3"
    d = decode_bytes(data, errors="replace")
    assert d.text.count("\ufffd") == 2
    assert d.replaced == [
        {"offset": 3, "byte_offset": 9, "bytes": "ff"},
        {"offset": len(d.text) - 1, "byte_offset": len(data) - 1, "bytes": "c3"},
    ]
    for r in d.replaced:
        assert d.text[r["offset"]] == "\ufffd"


def test_replace_keeps_gbk_when_it_reads_better():
    data = PAGE.encode("gbk")
    data = data[:6] + b"\xff" + data[6:]
    d = decode_bytes(data, errors="replace")
    assert d.encoding == "gb18030" and len(d.replaced) == 1
    assert d.text.replace("\ufffd", "") == PAGE


@pytest.mark.parametrize("codec", ["utf-8", "gb18030", "utf-16"])
def test_stream_decoder_matches_whole_decoding_across_block_edges(codec):
    text = open(SEEDS[1], encoding="utf-8").read() * 12  # more than the first 64 KB read
    data = text.encode(codec)
    for block in (7, 4096):
        sd = StreamDecoder(io.BytesIO(data), block_size=block)
        assert "".join(sd) == text, block
        assert sd.encoding.replace("_", "-").startswith(codec.split("-")[0])


def test_stream_decoder_replacements_have_whole_file_offsets():
    text = open(SEEDS[0], encoding="utf-8").read()
    a, b = len(text[:400].encode()), len(text[:1500].encode())
    good = text.encode()
    data = good[:a] + b"\xff" + good[a:b] + b"\xfe\xfe" + good[b:]
    whole = decode_bytes(data, errors="replace")
    sd = StreamDecoder(io.BytesIO(data), errors="replace", block_size=333)
    assert "".join(sd) == whole.text
    assert sd.replaced == whole.replaced and [r["bytes"] for r in sd.replaced] == ["ff", "fe", "fe"]


def test_stream_strict_error_names_the_file_offset():
    data = "好".encode() * 1000 + b"\xff"
    with pytest.raises(InputError, match="offset 3000"):
        "".join(StreamDecoder(io.BytesIO(data), "big.txt", block_size=100))


def test_replacement_chunks_records_and_flags():
    text = open(SEEDS[0], encoding="utf-8").read()
    cut = len(text[:1200].encode())
    data = text.encode()[:cut] + b"\xff" + text.encode()[cut:]
    chunks = list(clean_stream(textfix.Pipeline(), io.BytesIO(data), errors="replace", chunk_chars=400))
    recs = [r for c in chunks for r in c.to_records()]
    replaced = [x for r in recs for x in r.get("replaced", [])]
    assert len(replaced) == 1 and replaced[0]["byte_offset"] == cut and replaced[0]["bytes"] == "ff"
    rec = next(r for r in recs if r.get("replaced"))
    assert any(f["name"] == "replacement-char" and f["start"] == replaced[0]["offset"] for f in rec["flags"])


def test_cli_clean_gbk_utf16_and_replace(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "gbk.txt").write_bytes(PAGE.encode("gbk"))
    (src / "u16.txt").write_bytes(PAGE.encode("utf-16"))
    (src / "bom.txt").write_bytes(codecs.BOM_UTF8 + PAGE.encode())
    (src / "bad.txt").write_bytes(PAGE.encode()[:9] + b"\xff" + PAGE.encode()[9:])
    out = tmp_path / "out"
    p = run_textfix("clean", src, "-o", out, "-q", "--format", "both")
    assert p.returncode == 2
    summary = json.loads((out / "textfix-summary.json").read_text())
    assert summary["files"] == {"total": 4, "cleaned": 3, "skipped": 0, "failed": 1}
    assert "offset 9" in summary["failures"][0]["message"]
    expected = textfix.clean(PAGE, disable=["confusable"]).text
    for name in ("gbk", "u16", "bom"):
        assert (out / f"{name}.txt").read_text(encoding="utf-8") == expected
    p = run_textfix("clean", src, "-o", out, "-q", "--format", "both", "--errors", "replace")
    assert p.returncode == 0, p.stderr
    recs = [json.loads(l) for l in (out / "bad.jsonl").read_text().splitlines()]
    replaced = [x for r in recs for x in r.get("replaced", [])]
    assert replaced == [{"offset": 3, "byte_offset": 9, "bytes": "ff"}]
    assert any(f["name"] == "replacement-char" for r in recs for f in r["flags"])
    p = run_textfix("clean", src / "gbk.txt", "-o", tmp_path / "forced", "-q", "--encoding", "utf-8")
    assert p.returncode == 2
