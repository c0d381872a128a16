"""Backing the matcher's automaton with 2 MB pages: the memory keeps its contents,
only its pages change, and nothing is done where it is switched off."""

from __future__ import annotations

import ctypes
import mmap
import sys
from pathlib import Path

import pytest

from textfix import _hugepages

SIZE = 8 << 20


def _thp_available() -> bool:
    p = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    return sys.platform.startswith("linux") and p.exists() and "[never]" not in p.read_text()


def _anon_huge_kb(lo: int, hi: int) -> int:
    """AnonHugePages of the mappings inside [lo, hi), from /proc/self/smaps."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()[0]
        if "-" in head and not head.endswith(":"):
            a, b = (int(x, 16) for x in head.split("-"))
            inside = a < hi and b > lo
        elif inside and head == "AnonHugePages:":
            total += int(line.split()[1])
    return total


@pytest.fixture
def region():
    m = mmap.mmap(-1, SIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    m.write(bytes(range(256)) * (SIZE // 256))
    buf = ctypes.c_char.from_buffer(m)
    addr = ctypes.addressof(buf)
    yield m, addr
    del buf
    m.close()


def test_a_new_mapping_is_found(region):
    m, addr = region
    before = _hugepages.anonymous_regions() - {r for r in _hugepages.anonymous_regions()
                                                if r[0] <= addr < r[1]}
    found = _hugepages.new_regions(before)
    assert any(a <= addr and addr + SIZE <= b for a, b in found)


@pytest.mark.skipif(not _thp_available(), reason="no transparent huge pages here")
def test_collapse_moves_memory_to_2mb_pages_and_keeps_its_contents(region, monkeypatch):
    monkeypatch.delenv("TEXTFIX_HUGE_PAGES", raising=False)
    m, addr = region
    done = _hugepages.collapse([(addr, addr + SIZE)])
    if done == 0:
        pytest.skip("this kernel does not collapse on request (MADV_COLLAPSE, Linux 6.1)")
    assert done % (2 << 20) == 0 and SIZE - (4 << 20) <= done <= SIZE
    assert _anon_huge_kb(addr, addr + SIZE) * 1024 >= done
    m.seek(0)
    assert m.read(SIZE) == bytes(range(256)) * (SIZE // 256)


def test_switched_off_does_nothing(region, monkeypatch):
    monkeypatch.setenv("TEXTFIX_HUGE_PAGES", "0")
    m, addr = region
    assert not _hugepages.enabled()
    assert _hugepages.collapse([(addr, addr + SIZE)]) == 0
    assert _hugepages.back_with_huge_pages([(addr, addr + SIZE)]) is None
    assert _anon_huge_kb(addr, addr + SIZE) == 0


def test_background_collapse_is_waited_for(region, monkeypatch):
    monkeypatch.delenv("TEXTFIX_HUGE_PAGES", raising=False)
    m, addr = region
    t = _hugepages.back_with_huge_pages([(addr, addr + SIZE)])
    if not _hugepages.enabled():
        assert t is None
        return
    _hugepages.wait()
    assert not t.is_alive() and _hugepages._pending == []
