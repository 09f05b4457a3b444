"""The fast paths of the workbook reader against the straightforward expressions they replace, on random
and edge-case inputs."""

from __future__ import annotations

import random

import pytest

from tiercli.io import sheet_scan


@pytest.mark.parametrize("seed", range(40))
def test_count_pairs_is_bytes_count(seed, monkeypatch):
    rng = random.Random(seed)
    monkeypatch.setattr(sheet_scan, "_PAIR_STEP", rng.choice([1, 2, 3, 7, 64, 1 << 22]))
    alphabet = rng.choice([b"<v", b"<v>/ c", bytes(range(256))])
    data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 600)))
    for start in {0, 1, rng.randrange(0, len(data) + 2), len(data), len(data) - 1, len(data) + 5}:
        start = max(start, 0)
        assert sheet_scan.count_pairs(data, start, b"<v") == data.count(b"<v", start), (data, start)


def test_count_pairs_on_a_sheet_and_its_edges(monkeypatch):
    sheet = b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1.5</v></c></row></sheetData><v'
    for step in (1, 2, 5, 16, 1 << 22):
        monkeypatch.setattr(sheet_scan, "_PAIR_STEP", step)
        for start in range(len(sheet) + 1):
            assert sheet_scan.count_pairs(sheet, start, b"<v") == sheet.count(b"<v", start)
        assert sheet_scan.count_pairs(memoryview(sheet), 0, b"<v") == sheet.count(b"<v")
    assert sheet_scan.count_pairs(b"", 0, b"<v") == 0
    assert sheet_scan.count_pairs(b"<", 0, b"<v") == 0
    with pytest.raises(ValueError):
        sheet_scan.count_pairs(b"aaa", 0, b"aa")
