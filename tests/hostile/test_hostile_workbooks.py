"""Crafted workbooks: zip bombs, entity expansion, external entities, far cells, lying sizes and dimensions.

Each is refused with a one-line InputError (exit 2) that names the file and the setting to raise, or read
correctly, and never takes more than a little memory or crashes the process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from tiercli.config import all_settings, load_config
from tiercli.errors import ConfigError, InputError
from tiercli.io import guard as reader
from tiercli.io import limits, sheet_scan
from tiercli.io.read import Limits, openpyxl_defused, read_file
from tiercli.schema.dataset import load_dataset

from .conftest import read_in_child

REFUSED = {  # fixture -> words the one-line error must contain
    "zip_bomb": "limits.max_uncompressed_mb",
    "zip_bomb_lying": "unpacks to more than the 65,536 bytes it declares",
    "many_parts": "limits.max_members",
    "far_cell": "limits.max_columns",
    "shared_string_bomb": "copy out",
    "ods_repeat_bomb": "copy out",
    "gzip_bomb": "limits.max_ratio",
    "billion_laughs": "DTD",
    "billion_laughs_shared": "DTD",
    "xxe": "DTD",
}


def test_crafted_files_are_refused_in_a_small_process(hostile):
    """Each would take gigabytes or abort an unguarded reader; here each is a one-line error (read in a child
    process, so an abort could not take the test run down).  The peak memory of a refusal is measured by
    benchmarks/bench_zipbomb.py, not asserted here: memory depends on the machine."""
    result = read_in_child(*(hostile[name] for name in REFUSED))
    for name, words in REFUSED.items():
        outcome = result[str(hostile[name])]
        assert "error" in outcome, f"{name} was read: {outcome}"
        assert words in outcome["error"], (name, outcome["error"])
        assert str(hostile[name]) in outcome["error"] and "\n" not in outcome["error"]
        assert outcome["exit"] == 2


def test_the_far_cell_would_abort_the_unguarded_reader(hostile):
    """Why the sheet check exists: calamine lays XFD1048576 out densely and the process dies."""
    code = ("import resource, python_calamine as pc, sys\n"
            "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
            "wb = pc.CalamineWorkbook.from_path(sys.argv[1])\n"
            "wb.get_sheet_by_name(wb.sheet_names[0])\n")
    done = subprocess.run([sys.executable, "-c", code, str(hostile["far_cell"])], capture_output=True, timeout=60)
    assert done.returncode != 0  # an abort (memory allocation failed), not an exception


def test_the_zip_bomb_is_three_megabytes_declaring_gigabytes(hostile):
    path = hostile["zip_bomb"]
    assert 2_500_000 < path.stat().st_size < 4_000_000
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size > 2 << 30


def test_the_zip_bomb_is_a_cli_error_with_exit_2(run_cli, hostile):
    result = run_cli("score", hostile["zip_bomb"], "-o", hostile["zip_bomb"].parent / "out.xlsx")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "limits.max_uncompressed_mb" in lines[0] and "Traceback" not in result.stderr


# ---------------------------------------------------------------- XML entities


def test_defusedxml_is_in_force_for_openpyxl():
    assert openpyxl.DEFUSEDXML is True
    assert openpyxl_defused()
    from openpyxl.xml import functions

    assert functions.fromstring.__module__.startswith("defusedxml")


def test_the_reader_refuses_to_start_without_defused_openpyxl():
    env = {**os.environ, "OPENPYXL_DEFUSEDXML": "False"}
    done = subprocess.run([sys.executable, "-c", "import tiercli.io.read"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode != 0 and "defusedxml" in done.stderr


@pytest.mark.parametrize("name", ["billion_laughs", "billion_laughs_shared", "xxe"])
def test_entities_are_never_expanded_by_any_reader(hostile, make_hostile, name):
    """tiercli refuses the DTD; calamine alone would not expand it either; openpyxl (defused) refuses it."""
    path = hostile[name]
    with pytest.raises(InputError, match="DTD") as err:
        read_file(path)
    assert make_hostile.MARKER not in str(err.value)
    import python_calamine as pc

    try:  # the Rust reader on its own: an error, or cells without the expansion and without the secret
        wb = pc.CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
        text = repr(rows)
        assert make_hostile.MARKER not in text and "lollollol" not in text
    except pc.CalamineError as exc:
        assert "entity" in str(exc).lower() or "xml" in str(exc).lower()
    with pytest.raises(Exception) as err:
        openpyxl.load_workbook(path)
    chain, exc = [], err.value
    while exc is not None:  # openpyxl wraps the parser's error in a ValueError
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    assert any(type(e).__module__.startswith("defusedxml") for e in chain), chain


# ---------------------------------------------------------------- sheets written oddly but honestly


def test_a_lying_dimension_still_yields_every_row(hostile, make_hostile):
    raw = read_file(hostile["lying_dimension"])[0]
    assert raw.rows == make_hostile.LYING_ROWS - 1
    assert raw.frame["Order ID"].iloc[-1] == f"SO-{1000 + make_hostile.LYING_ROWS - 1}"
    ds = load_dataset([hostile["lying_dimension"]], load_config(None, env={}))
    assert len(ds.lines) == make_hostile.LYING_ROWS - 1


def test_prefixed_elements_without_cell_references_are_read(hostile):
    raw = read_file(hostile["unusual_sheet"])[0]
    assert list(raw.frame.columns)[:3] == ["Order ID", "Order Date", "Customer ID"]
    assert raw.frame["Order ID"].tolist() == [f"SO-{1000 + i}" for i in range(1, 6)]


def test_libreoffice_trailing_repeats_are_not_a_bomb(hostile):
    assert read_file(hostile["ods_orders"])[0].rows == 6


def test_a_normal_workbook_takes_the_fast_path(tmp_path, make_hostile, monkeypatch):
    """A sheet written the usual way is bounded by regular expressions alone: no exact XML pass."""
    path = make_hostile.write_book(tmp_path / "big.xlsx", [make_hostile.ORDER_HEADER, *make_hostile.order_rows(3000)])
    parsed = []
    original = reader.WorkbookGuard._parse
    monkeypatch.setattr(reader.WorkbookGuard, "_parse", lambda self, info, h: parsed.append(info.filename)
                        or original(self, info, h))
    assert read_file(path)[0].rows == 3000
    assert not [p for p in parsed if "worksheets" in p]


@pytest.mark.parametrize("cell", [
    '<c r="A1" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',  # two r attributes: the last one counts
    '<c r="A1"r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',
    "<c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c>",
    '<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="XFD1048576" t="inlineStr">'
    '<x:is><x:t>x</x:t></x:is></x:c>',
])
def test_far_cells_written_any_way_are_refused(tmp_path, make_hostile, cell):
    rows = [make_hostile.ORDER_HEADER, *make_hostile.order_rows(2)]
    xml = make_hostile.sheet_xml(rows).replace("</sheetData>", f'<row r="1048576">{cell}</row></sheetData>')
    path = make_hostile.write_xlsx(tmp_path / "far.xlsx", make_hostile.xlsx_parts(xml))
    outcome = read_in_child(path)[str(path)]
    assert "error" in outcome and ("limits.max_" in outcome["error"] or "damaged" in outcome["error"]), outcome


@pytest.mark.parametrize("dimension, far", [("A1:O1000000", "O9999999"), ("A1:C99", "C999"),
                                             ("A1:ZZ10", "ZZ9999999")])
def test_a_far_cell_inside_the_dimension_s_digit_count_is_refused(tmp_path, make_hostile, dimension, far):
    """The fast check's row pattern may be looser than the dimension, never looser than its bound."""
    rows = [make_hostile.ORDER_HEADER, *make_hostile.order_rows(2)]
    xml = make_hostile.sheet_xml(rows, dimension=dimension).replace(
        "</sheetData>", f'<row r="{far[1:].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{far}" t="inlineStr"><is><t>x'
                        "</t></is></c></row></sheetData>")
    path = make_hostile.write_xlsx(tmp_path / "far.xlsx", make_hostile.xlsx_parts(xml))
    outcome = read_in_child(path)[str(path)]
    if far == "C999":  # 999 rows x 11 columns is a small sheet: read (with its empty middle), not refused
        assert outcome.get("rows") == 998, outcome
    else:
        assert "error" in outcome and "limits.max_" in outcome["error"], outcome


def test_a_sheet_with_cells_missing_r_far_to_the_right_is_bounded(tmp_path, make_hostile):
    """Cells without r take the next column: 20,000 of them in a row make 20,000 columns."""
    row = '<row r="3">' + '<c t="inlineStr"><is><t>x</t></is></c>' * 20_000 + "</row>"
    xml = make_hostile.sheet_xml([make_hostile.ORDER_HEADER, *make_hostile.order_rows(1)]).replace(
        "</sheetData>", row + "</sheetData>")
    path = make_hostile.write_xlsx(tmp_path / "wide.xlsx", make_hostile.xlsx_parts(xml))
    with pytest.raises(InputError, match="columns.*limits.max_columns"):
        read_file(path)


# ---------------------------------------------------------------- limits are settings


def test_limits_come_from_the_settings_and_match_their_defaults():
    defaults = {s.name: s.default for s in all_settings()}
    limits = Limits()
    for field in ("max_uncompressed_mb", "max_ratio", "max_members", "max_rows", "max_columns", "max_cells"):
        assert defaults[f"limits.{field}"] == getattr(limits, field)
    config = load_config(None, env={"TIERCLI_LIMITS_MAX_ROWS": "5"})
    assert Limits.from_config(config).max_rows == 5
    with pytest.raises(ConfigError, match="limits.max_cells"):
        Limits.from_config(load_config(None, env={"TIERCLI_LIMITS_MAX_CELLS": "0"}))


@pytest.mark.parametrize("name", ["injection_csv", "injection_xlsx"])
def test_row_limit_from_tiercli_toml_refuses_with_exit_2(run_cli, hostile, tmp_path, name):
    (tmp_path / "tiercli.toml").write_text("[limits]\nmax_rows = 5\n", encoding="utf-8")
    result = run_cli("inspect", "--config", tmp_path / "tiercli.toml", hostile[name])
    assert result.exit_code == 2
    assert "limits.max_rows" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_column_and_cell_limits(tmp_path, make_hostile, monkeypatch):
    path = make_hostile.write_book(tmp_path / "o.xlsx", [make_hostile.ORDER_HEADER, *make_hostile.order_rows(20)])
    with pytest.raises(InputError, match="11 columns.*limits.max_columns"):
        read_file(path, limits=Limits(max_columns=10))
    with pytest.raises(InputError, match="limits.max_cells"):
        read_file(path, limits=Limits(max_cells=200))
    csv_path = make_hostile.write_csv(tmp_path / "o.csv", [make_hostile.ORDER_HEADER, *make_hostile.order_rows(20)])
    with pytest.raises(InputError, match="11 columns.*limits.max_columns"):
        read_file(csv_path, limits=Limits(max_columns=10))
    with pytest.raises(InputError, match="more than 19 rows.*limits.max_rows"):
        read_file(csv_path, limits=Limits(max_rows=19))
    assert read_file(csv_path, limits=Limits(max_rows=20))[0].rows == 20


def test_le_pattern_matches_exactly_the_values_up_to_the_limit():
    for limit in (1, 9, 10, 26, 99, 100, 541_910, 1_048_576):
        rx = re.compile(sheet_scan.le_pattern(str(limit), "0123456789") + r"\Z")
        for n in {1, 2, 9, 10, 11, limit - 1, limit, limit + 1, limit * 10, 99, 100, 101}:
            if n >= 1:
                assert bool(rx.match(str(n))) == (n <= limit), (limit, n)
        assert not rx.match("0") and not rx.match("01")
    for cols in (1, 8, 26, 27, 79, 702, 703, 2000):
        rx = re.compile(sheet_scan.le_pattern(sheet_scan.col_letters(cols), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + r"\Z")
        for n in {1, 2, 25, 26, 27, 52, cols - 1, cols, cols + 1, 702, 703, 16_384}:
            if n >= 1:
                assert bool(rx.match(sheet_scan.col_letters(n))) == (n <= cols), (cols, n)


# ---------------------------------------------------------------- legacy .xls


def test_an_encrypted_workbook_is_named_as_such(tmp_path):
    path = tmp_path / "locked.xlsx"  # Excel saves a password-protected .xlsx as an OLE2 file
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")
                     + bytes(512))
    with pytest.raises(InputError, match="encrypted"):
        read_file(path)


def test_a_legacy_workbook_that_exhausts_the_probe_is_refused(tmp_path, monkeypatch):
    """The .xls probe runs in a child with a memory cap: a child that dies means a refusal, not a crash here."""
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    monkeypatch.setattr(limits, "_LEGACY_PROBE", "import os; os.abort()")
    with pytest.raises(InputError, match="more memory than the limits allow"):
        read_file(path)
    monkeypatch.setattr(limits, "_LEGACY_PROBE", "import sys; sys.exit(4)")
    with pytest.raises(InputError, match="limits.max_uncompressed_mb"):
        read_file(path)


# ---------------------------------------------------------------- the one-pass sheet check (RE2)

BOUNDS = [("H", 6, None), ("A", 1, None), ("Z", 3, None), ("AA", 2, None), ("CA", 7, "1048576"),
          ("BZ", 6, "541910"), ("ZZ", 4, None), ("BXR", 5, "14999"), ("XFD", 2, "20")]
TAGS = ["<c", "<row", "<x:c", "<cf", "<col", "<rows", ""]
PIECES = [' r="', " r='", ' r = "', '\tr="', " ", "r=", '"', "'", " t=", '="', "/>", ">", "\n", ":v ", ":row>",
          "A", "H", "I", "Z", "AA", "AZ", "BA", "CA", "CB", "XFD", "XFE", "a", "0", "1", "9", "10", "20", "21",
          "99", "100", "14999", "15000", "541910", "541911", "999999", "1000000", "1048576", "1048577", "ü"]


def _agree(bound, text: bytes) -> None:
    """The RE2 spelling finds a sign exactly where Python's lookahead patterns do."""
    re2 = sheet_scan.re2_search(sheet_scan.bad_pattern(*bound), text, 0)
    ref = re.search(sheet_scan.lookahead_pattern(*bound), text) is not None
    assert re2 == ref, (bound, text)


@pytest.mark.parametrize("bound", BOUNDS)
def test_the_one_pass_check_agrees_with_the_lookahead_patterns_on_the_edges(bound):
    col, digits, row_limit = bound
    rows = ["1", "9", "10", str(10 ** digits - 1), str(10 ** digits), "0", "01", ""]
    if row_limit:
        rows += [row_limit, str(int(row_limit) + 1), str(int(row_limit) - 1)]
    width = sheet_scan.col_number(col)
    cols = {"A", col, sheet_scan.col_letters(width + 1), sheet_scan.col_letters(max(width - 1, 1)), "Z", "AA", "ZZ",
            "AAA", "XFD", "a", ""}
    for c in cols:
        for r in rows:
            for quote in ('"', "'", ""):
                _agree(bound, f'<c r={quote}{c}{r}{quote} t="s"><v>1</v></c>'.encode())
        for tail in ('"', "", "x", "\"'"):
            _agree(bound, f'<row r="{c}{tail}"><c r="A1"/></row>'.encode())
    for r in rows:
        _agree(bound, f'<row r="{r}" spans="1:2">'.encode())
        _agree(bound, f'<row r="{r}"'.encode())
    # a part that ends inside a tag: the lookahead flags every unfinished r="REF"
    for tail in ("<c ", "<c r", "<c r=", '<c r="', f'<c r="{col}', f'<c r="{col}1', f'<c r="{col}1"', "<row ",
                 '<row r="', '<row r="1', '<row r="1"', "<c", "<row"):
        _agree(bound, f'<row r="1"><c r="A1"/></row>{tail}'.encode())


@pytest.mark.parametrize("cell", [
    '<c t="s" r="A1">',            # r not first
    '<c>', "<c/>", '<c\tr="A1">', '<c\nr="A1">',  # no r, or r after a tab or line break
    '<c r="A1" r="B1">', '<c r="A1"r="B1">', "<c r='A1' t='s'>", '<c r="A1" t="s"  r = "B1">',
    '<x:c r="A1">', '<row r="1"><x:v>1</x:v>', "<ns:row r='1'>",
    '<row>', '<row spans="1:3" r="2">', '<row r="0">', '<row r="1000000">',  # beyond a 6-digit bound
    '<c r="I1">', '<c r="AA1">', '<c r="H1000000">', '<c r="h1">', '<c r="H01">',  # beyond the columns
])
def test_the_one_pass_check_flags_what_the_lookahead_patterns_flag(cell):
    _agree(("H", 6, None), cell.encode())
    assert sheet_scan.re2_search(sheet_scan.bad_pattern("H", 6, None), cell.encode(), 0)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st


@settings(max_examples=400, deadline=None)
@given(bound=st.sampled_from(BOUNDS), parts=st.lists(st.sampled_from(TAGS + PIECES), min_size=1, max_size=12))
def test_the_one_pass_check_agrees_with_the_lookahead_patterns(bound, parts):
    _agree(bound, "".join(parts).encode())


def _odd_book(tmp_path, make_hostile, replace_from: str, replace_to: str):
    rows = [make_hostile.ORDER_HEADER, *make_hostile.order_rows(3)]
    xml = make_hostile.sheet_xml(rows)
    assert replace_from in xml
    return make_hostile.write_xlsx(tmp_path / "odd.xlsx", make_hostile.xlsx_parts(xml.replace(replace_from,
                                                                                              replace_to)))


@pytest.mark.parametrize("old, new", [
    ('<row r="4">', '<row r="40">'),             # a row number beyond the dimension (A1:K4)
    ('<c r="K4"', '<c r="M4"'),                  # a column beyond it
    ('<c r="B2"', '<c r="B2" r="B2"'),           # a second r attribute (expat: not well-formed, refused)
    ('<c r="C3"', '<c'),                         # a cell without r
    ('<c r="A2"', '<c s="0" r="A2"'),            # r not first
])
def test_sheets_the_fast_check_cannot_vouch_for_get_the_exact_pass(tmp_path, make_hostile, monkeypatch, old, new):
    path = _odd_book(tmp_path, make_hostile, old, new)
    parsed = []
    original = reader.WorkbookGuard._parse
    monkeypatch.setattr(reader.WorkbookGuard, "_parse", lambda self, info, h: parsed.append(info.filename)
                        or original(self, info, h))
    try:
        assert sum(t.rows for t in read_file(path)) >= 3
    except InputError as exc:
        assert "damaged" in str(exc) and 'r="B2" r=' in new
    assert "xl/worksheets/sheet1.xml" in parsed


def test_a_row_far_beyond_the_dimension_with_near_cells_is_bounded_by_its_cells(tmp_path, make_hostile):
    """calamine places a cell with r by its r: a far <row> number alone lays out nothing far."""
    path = _odd_book(tmp_path, make_hostile, '<row r="4">', '<row r="1048576">')
    assert read_in_child(path)[str(path)].get("rows") == 3


def test_merged_cells_come_from_the_part_of_their_sheet(tmp_path):
    """Merged ranges are read from the sheet parts by the guard and matched to sheet names through the
    workbook's relationships (the parts' order need not be the sheets' order)."""
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "Second part"
    wb.create_sheet("First part", 0)  # the first sheet lives in the second part
    for ws, n in ((wb["First part"], 4), (first, 3)):
        ws.append(["Order ID", "Customer", "Amount"])
        for i in range(n):
            ws.append([f"SO-{i}", "Ann" if i == 0 else None, i])
    wb["First part"].merge_cells("B2:B4")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    import python_calamine as pc

    cal = pc.CalamineWorkbook.from_path(str(path))
    assert cal.get_sheet_by_name("First part").merged_cell_ranges == [((1, 1), (3, 1))]
    tables = read_file(path)
    assert len(tables) == 1 and tables[0].sheets == ["First part", "Second part"]
    assert tables[0].merged == [("Customer", 0, 2)]
