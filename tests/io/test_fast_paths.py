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


# ---------------------------------------------------------------- the straight (eager) load of a sheet

def _sheet_xml(first_row: str, dimension: str = "A1:C3") -> bytes:
    return (f'<?xml version="1.0"?><worksheet xmlns="x"><dimension ref="{dimension}"/><sheetData>{first_row}'
            '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="C2"><v>3</v></c></row>'
            '</sheetData></worksheet>').encode()


@pytest.mark.parametrize("row, full", [
    ('<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2" t="s"><v>1</v></c>'
     '<c r="C1"><v>7</v></c></row>', True),
    ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>', False),  # C1 missing
    ('<row r="1"><c r="B1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>', False),  # starts at B
    ('<row r="1"><c r="A1" s="1"/><c r="B1" t="s"><v>1</v></c><c r="C1"><v>2</v></c></row>', False),  # A1 empty
    ('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1"><v>1</v></c><c r="C1"><v>2</v></c>'
     '</row>', False),  # not the plain form: left to the lazy read
    ('<row r="1"><c r="A1"><v>0</v></c><c r="C1"><v>1</v></c><c r="B1"><v>2</v></c></row>', False),  # order
    ('<row r="1"><c r="A1"><v>0</v></c><c r="B1"><v>1</v></c><c r="C1"><v>2</v></c><c r="D1"><v>3</v></c>'
     '</row>', False),  # past the dimension: not the fast path at all
    ('<row r="2"><c r="A2"><v>0</v></c></row>', False),  # row 1 empty
    ('<row r="1"/>', False),
])
def test_full_first_row(row, full):
    from tiercli.io.limits import Limits

    scan = sheet_scan.SheetScan(Limits(), _sheet_xml(row))
    assert scan.full_first_row is full


def _workbook(path, header, rows, *, at=(0, 0), merge=False):
    import xlsxwriter

    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("S")
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    clock = wb.add_format({"num_format": "hh:mm:ss"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    r0, c0 = at
    ws.write_row(r0, c0, header)
    for i, row in enumerate(rows, start=r0 + 1):
        for j, v in enumerate(row, start=c0):
            if v is None:
                continue
            if isinstance(v, tuple):  # (kind, value)
                kind, x = v
                if kind == "date":
                    ws.write_datetime(i, j, x, stamp)
                elif kind == "serial":
                    ws.write_number(i, j, x, day)
                elif kind == "time":
                    ws.write_number(i, j, x, clock)
                elif kind == "error":
                    ws.write_formula(i, j, "=NA()", None, x)
                elif kind == "text":
                    ws.write_string(i, j, x)
            elif isinstance(v, bool):
                ws.write_boolean(i, j, v)
            elif isinstance(v, (int, float)):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, v)
    if merge:
        ws.merge_range(r0 + 1, c0, r0 + 2, c0, "merged")
    wb.close()


def _random_rows(rng, n):
    import datetime as dt

    kinds = [
        lambda: rng.choice([1, 2.5, 29.020000000000003, 1 / 3, -7.0, 1e15, 123456789.123456789, 5e-11, 0.0]),
        lambda: ("date", dt.datetime(1900, 3, 1) + dt.timedelta(seconds=rng.randrange(0, 4_000_000_000))),
        lambda: ("serial", rng.choice([1, 30, 59, 60, 61, 366])),  # dates before 1900-03-01 (Excel's leap bug)
        lambda: ("time", rng.choice([0.0, 0.25, 0.5, 0.999988426])),
        lambda: ("error", rng.choice(["#N/A", "#DIV/0!", "#VALUE!"])),
        lambda: ("text", rng.choice(["007", "0123", "12.50", "TRUE", "N/A", "  x  ", "1e5", ""])),
        lambda: rng.choice([True, False]),
        lambda: None,
        lambda: rng.choice(["A-1", "Ω", "C536379"]),
        lambda: rng.choice([10 ** 17, -(10 ** 16), 2 ** 53 + 1]),
    ]
    columns = [[rng.choice(kinds) for _ in range(3)] for _ in range(6)]  # each column mixes up to 3 kinds
    return [[rng.choice(col)() for col in columns] for _ in range(n)]


def _read_both(path, monkeypatch):
    """read_file's table with the straight load allowed, and with it forbidden."""
    from tiercli.io import guard
    from tiercli.io.read import read_file

    allowed = read_file(path)
    with monkeypatch.context() as m:
        m.setattr(guard.WorkbookGuard, "full_header_sheets", lambda self: set())
        lazy = read_file(path)
    return allowed, lazy


def _same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert list(x.frame.columns) == list(y.frame.columns)
        assert x.frame.astype(object).where(x.frame.notna(), None).values.tolist() == \
            y.frame.astype(object).where(y.frame.notna(), None).values.tolist()
        assert (x.sheets, x.header_row, x.first_line, x.merged, x.segments) == \
            (y.sheets, y.header_row, y.first_line, y.merged, y.segments)


@pytest.mark.parametrize("seed", range(12))
def test_straight_and_lazy_loads_read_the_same_cells(tmp_path, monkeypatch, seed):
    import fastexcel

    from tiercli.io.guard import WorkbookGuard
    from tiercli.io.limits import Limits
    from tiercli.io.read import xlsx as reader

    rng = random.Random(seed)
    path = tmp_path / f"r{seed}.xlsx"
    header = ["id", "when", "qty", "note", "flag", "big"]
    _workbook(path, header, _random_rows(rng, rng.randrange(1, 60)))
    data = path.read_bytes()
    guard = WorkbookGuard(path, data, Limits())
    guard.check()
    assert guard.full_header_sheets() == {"S"}  # the straight load is taken below
    lazy = reader._typed_sheet(fastexcel.read_excel(data), "S", None)
    straight = reader._typed_sheet(fastexcel.read_excel(data), "S", None, eager=True)
    if lazy is None:
        assert straight is None
    else:
        assert straight[0] == lazy[0] == 0 and straight[1] == lazy[1] == header
        assert straight[2].equals(lazy[2])
    allowed, forced = _read_both(path, monkeypatch)
    _same(allowed, forced)


@pytest.mark.parametrize("case", ["offset", "empty_header", "merged", "numeric_header", "repeated", "one_row"])
def test_straight_load_is_used_only_where_it_reads_the_same(tmp_path, monkeypatch, case):
    import datetime as dt

    from tiercli.io.guard import WorkbookGuard
    from tiercli.io.limits import Limits

    path = tmp_path / f"{case}.xlsx"
    header = {"empty_header": ["id", "", "qty"], "numeric_header": ["id", 2024, "qty"],
              "repeated": ["id", "id", "id_1"]}.get(case, ["id", "when", "qty"])
    rows = [[f"C{i:05d}", ("date", dt.datetime(2011, 1, 1 + i % 28)), i % 7]
            for i in range(1 if case == "one_row" else 30)]
    _workbook(path, header, rows, at=(2, 2) if case == "offset" else (0, 0), merge=case == "merged")
    guard = WorkbookGuard(path, path.read_bytes(), Limits())
    guard.check()
    assert ("S" in guard.full_header_sheets()) is (case in ("merged", "numeric_header", "repeated", "one_row"))
    allowed, forced = _read_both(path, monkeypatch)
    _same(allowed, forced)
