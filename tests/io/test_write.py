"""Tests for tiercli.io.write: atomic, busy-tolerant, injection-safe output files."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import json
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter.worksheet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tiercli.io.write.atomic as atomic
import tiercli.io.write.xlsx as xlsx
from tiercli.errors import OutputError
from tiercli.io.write import (
    Chart,
    Sheet,
    WriteResult,
    inert_text,
    write_csv,
    write_json,
    write_workbook,
)
from tiercli.io.write.inert import is_formula_like

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_unescape(value):
    """What Excel shows for an inline string: openpyxl leaves _xHHHH_ escapes encoded."""
    if isinstance(value, str):
        return EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".~tiercli-*.tmp"))


def zip_texts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))}


def assert_inert_xlsx(path: Path) -> None:
    """No formula element and no hyperlink anywhere in the package."""
    for name, text in zip_texts(path).items():
        assert re.search(r"<f[\s>/]", text) is None, f"formula in {name}"
        assert "<hyperlink" not in text, f"hyperlink element in {name}"
        assert "relationships/hyperlink" not in text, f"hyperlink relationship in {name}"


def read_csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["00123", "00456", "=HYPERLINK(\"http://x\")", "A-9"],
            "name": ["张三", "Zoë", "＝1+1", "  =cmd"],
            "orders": [3, 1, 7, -5],
            "revenue": [120.5, np.nan, 9.75, -5.0],
            "first_order": pd.to_datetime(["2024-01-05", "2023-12-31", None, "2022-02-28"]),
            "vip": [True, False, True, False],
            "share": [0.25, 0.5, 0.9, 1.0],
        }
    )


# --------------------------------------------------------------------------
# inert_text
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=x", "\r=x", "\n=x", "\x00x", "  =cmd", "＝1+1", "＋1", "－1", "＠x",
     "\u3000=x", "⩵x", "=\u0338x"],
)
def test_inert_text_prefixes_dangerous(text):
    assert inert_text(text) == ("'" + text, True)


@pytest.mark.parametrize("text", ["", "abc", "00123", "张三", " a=b", "1-2", "'=x", "x=1", "≠"])
def test_inert_text_leaves_safe_text(text):
    assert inert_text(text) == (text, False)


# --------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------


def test_xlsx_roundtrip_values_types_and_layout(tmp_path, frame):
    target = tmp_path / "report.xlsx"
    res = write_workbook(
        target,
        [
            Sheet("Customers", frame, formats={"share": "0.0%", "revenue": "#,##0.00"}),
            Sheet("Tiers", pd.DataFrame({"tier": ["A", "B"], "n": [1, 2]}), freeze_header=False, autofilter=False),
        ],
    )
    assert res == WriteResult(target, False, sanitized_cells=3, fixed_cells=0)
    assert temp_files(tmp_path) == []
    assert_inert_xlsx(target)

    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["Customers", "Tiers"]
    ws = wb["Customers"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(frame.columns)
    assert rows[1] == ("00123", "张三", 3, 120.5, dt.datetime(2024, 1, 5), True, 0.25)
    assert rows[2][3] is None  # NaN -> empty
    assert rows[3][4] is None  # NaT -> empty
    assert rows[3][0] == '=HYPERLINK("http://x")' and ws["A4"].data_type == "s"  # text, not a formula
    assert rows[4][1:4] == ("  =cmd", -5, -5)
    assert isinstance(rows[1][0], str) and isinstance(rows[1][2], int) and isinstance(rows[1][5], bool)
    assert ws["E2"].is_date and ws["E2"].number_format == "yyyy-mm-dd"
    assert ws["G2"].number_format == "0.0%" and ws["D2"].number_format == "#,##0.00"
    assert ws["A1"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G5"
    assert ws.column_dimensions["B"].width >= 6
    tiers = wb["Tiers"]
    assert tiers.freeze_panes is None and not tiers.auto_filter.ref


def test_xlsx_caption_moves_table_down(tmp_path, frame):
    target = tmp_path / "c.xlsx"
    write_workbook(target, [Sheet("S", frame, title="Customer tiers, 2024", charts=(Chart("column", "Orders", "customer_id", ("orders",)),))])
    ws = openpyxl.load_workbook(target)["S"]
    assert ws["A1"].value == "Customer tiers, 2024"
    assert ws["A3"].value == "customer_id"
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:G7"
    chart = zip_texts(target)["xl/charts/chart1.xml"]
    assert "$A$4:$A$7" in chart and "$C$3" in chart  # data rows below the caption, series name from header


def test_xlsx_sheet_names_are_made_legal_and_unique(tmp_path):
    df = pd.DataFrame({"a": [1]})
    names = ["a/b:c*d?[e]\\f", "A_B_C_D__E__F", "x" * 40, "x" * 40, "History", "'quoted'", ""]
    write_workbook(tmp_path / "n.xlsx", [Sheet(n, df) for n in names])
    got = openpyxl.load_workbook(tmp_path / "n.xlsx").sheetnames
    assert got[0] == "a_b_c_d__e__f"
    assert len({g.casefold() for g in got}) == len(got)
    assert all(len(g) <= 31 for g in got)
    assert got[4] != "History" and got[5] == "quoted" and got[6]


def test_xlsx_charts_native_and_pareto_has_secondary_percent_axis(tmp_path, frame):
    target = tmp_path / "charts.xlsx"
    charts = (
        Chart("pareto", "Pareto", "customer_id", ("orders", "share"), x_title="Customer", y_title="Orders"),
        Chart("column", "Revenue", "customer_id", ("revenue", "orders")),
        Chart("bar", "Bar", "name", ("orders",)),
        Chart("pie", "Pie", "name", ("orders",)),
        Chart("line", "Line", "first_order", ("revenue",), anchor="K40"),
    )
    write_workbook(target, [Sheet("S", frame, charts=charts)])
    xml = zip_texts(target)
    assert {f"xl/charts/chart{i}.xml" for i in range(1, 6)} <= set(xml)
    pareto = xml["xl/charts/chart1.xml"]
    assert "<c:barChart>" in pareto and "<c:lineChart>" in pareto
    assert pareto.count("<c:valAx>") == 2  # primary + secondary value axis
    assert 'formatCode="0%"' in pareto
    assert "S!$C$1" in pareto and "S!$G$2:$G$5" in pareto  # series name from the header cell
    assert "<c:pieChart>" in xml["xl/charts/chart4.xml"]
    assert '<c:barDir val="bar"/>' in xml["xl/charts/chart3.xml"]
    assert_inert_xlsx(target)
    assert openpyxl.load_workbook(target)["S"]["A1"].value == "customer_id"


def test_xlsx_chart_with_unknown_column_fails_before_touching_disk(tmp_path, frame):
    with pytest.raises(ValueError, match="nope"):
        write_workbook(tmp_path / "x.xlsx", [Sheet("S", frame, charts=(Chart("column", "t", "nope", ("orders",)),))])
    assert list(tmp_path.iterdir()) == []


def test_xlsx_rich_string_lookalike_cannot_inject_xml(tmp_path):
    evil = '<r><t>a</t></r></is><f>HYPERLINK("http://evil","x")</f><is><r><t>b</t></r>'
    texts = [evil, "<r>a & b</r>", "<r>_x0041_</r>", "<r></r>", "_x0041_x0042_", " <r>x</r>"]
    target = tmp_path / "r.xlsx"
    write_workbook(target, [Sheet("S", pd.DataFrame({evil: texts}))])
    assert_inert_xlsx(target)
    ws = openpyxl.load_workbook(target)["S"]
    # Each run is decoded on its own by Excel, so the split "_x|0041_" stays literal
    # (openpyxl joins the runs and decodes nothing).
    assert [c.value for c in ws["A"]] == [evil, *texts]
    sheet_xml = zip_texts(target)["xl/worksheets/sheet1.xml"]
    assert "&gt;_x</t>" in sheet_xml
    runs = re.findall(r"<t[^>]*>([^<]*)</t>", sheet_xml)
    assert not any(re.search(r"_x[0-9A-Fa-f]{4}_", r) for r in runs if "x005F" not in r)


def test_xlsx_repairs_text_excel_cannot_hold(tmp_path):
    long_text = "x" * 40_000
    emoji_text = "😀" * 20_000  # 40,000 UTF-16 units
    df = pd.DataFrame({"t": ["a\x01b\x1fc", long_text, emoji_text, "tab\tnew\nline\rcr", "_x0041_"]})
    target = tmp_path / "fix.xlsx"
    res = write_workbook(target, [Sheet("S", df)])
    assert res.fixed_cells == 3
    values = [excel_unescape(c.value) for c in openpyxl.load_workbook(target)["S"]["A"]][1:]
    assert values[0] == "abc"
    assert values[1] == "x" * 32_767
    assert values[2] == "😀" * 16_383  # cut at 32,767 UTF-16 units without splitting a pair
    assert values[3] == "tab\tnew\nline\rcr"
    assert values[4] == "_x0041_"


def test_xlsx_object_column_with_lone_surrogate_does_not_crash(tmp_path):
    df = pd.DataFrame({"t": pd.Series(["ok\udc80", "fine"], dtype=object)})
    res = write_workbook(tmp_path / "s.xlsx", [Sheet("S", df)])
    assert res.fixed_cells == 1
    assert openpyxl.load_workbook(tmp_path / "s.xlsx")["S"]["A2"].value == "ok"


def test_xlsx_special_dtypes(tmp_path):
    df = pd.DataFrame(
        {
            "nullable_int": pd.array([1, None, 3], dtype="Int64"),
            "nullable_bool": pd.array([True, None, False], dtype="boolean"),
            "nullable_float": pd.array([1.5, None, 2.0], dtype="Float64"),
            "category": pd.Categorical(["a", None, "b"]),
            "tz": pd.to_datetime(["2024-01-01 10:30", None, "2024-06-01 00:00"]).tz_localize("Asia/Shanghai"),
            "dates": [dt.date(2024, 1, 2), None, dt.date(1850, 1, 1)],
            "big_id": [123456789012345678, 2, 3],
            "inf": [np.inf, -np.inf, 1.0],
            "mixed": [1, "=x", dt.datetime(2024, 1, 1)],
            "np_int": np.array([1, 2, 3], dtype=np.int32),
            "arrow_int": pd.array([1, None, 3], dtype="int64[pyarrow]"),
            "string_na": pd.array(["=a", None, "b\x01"], dtype="string"),
            "string_py": pd.array(["=a", None, "b\x01"], dtype="string[python]"),
            "arrow_date": pd.array([dt.date(2024, 1, 2), None, dt.date(2024, 1, 3)], dtype="date32[pyarrow]"),
        }
    )
    target = tmp_path / "d.xlsx"
    res = write_workbook(target, [Sheet("S", df)])
    assert res.sanitized_cells == 3 and res.fixed_cells == 2  # "=x", "=a" twice; "b\x01" twice
    assert_inert_xlsx(target)
    ws = openpyxl.load_workbook(target)["S"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows[0][:5] == (1, True, 1.5, "a", dt.datetime(2024, 1, 1, 10, 30))  # wall time kept
    assert rows[1][:6] == (None,) * 6
    assert ws["E2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert rows[0][5] == dt.datetime(2024, 1, 2) and ws["F2"].is_date
    assert rows[2][5] == "1850-01-01"  # Excel cannot hold dates before 1900
    assert rows[0][6] == "123456789012345678"  # more digits than Excel keeps: text
    assert rows[0][7] == "inf" and rows[1][7] == "-inf"
    assert rows[0][8] == 1 and rows[1][8] == "=x" and rows[2][8] == dt.datetime(2024, 1, 1)
    assert rows[2][9] == 3 and rows[1][10] is None
    assert rows[0][11:14] == ("=a", "=a", dt.datetime(2024, 1, 2)) and rows[2][11:13] == ("b", "b")

    csv_res = write_csv(tmp_path / "d.csv", df)
    back = pd.read_csv(tmp_path / "d.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back["tz"].tolist() == ["2024-01-01 10:30:00", "", "2024-06-01 00:00:00"]
    assert back["dates"].tolist() == ["2024-01-02", "", "1850-01-01"]
    assert back["big_id"].tolist()[0] == "123456789012345678"
    assert back["string_na"].tolist() == ["'=a", "", "b\x01"]
    assert back["arrow_date"].tolist() == ["2024-01-02", "", "2024-01-03"]
    assert csv_res.sanitized_cells == 3


def test_xlsx_empty_frame_and_no_columns(tmp_path):
    target = tmp_path / "e.xlsx"
    write_workbook(
        target,
        [
            Sheet("empty", pd.DataFrame({"a": pd.Series([], dtype=float)}), charts=(Chart("column", "t", "a", ("a",)),)),
            Sheet("nothing", pd.DataFrame(), title="no data"),
        ],
    )
    wb = openpyxl.load_workbook(target)
    assert [c.value for c in wb["empty"][1]] == ["a"]
    assert wb["nothing"]["A1"].value == "no data"


def test_xlsx_too_many_rows_is_an_output_error(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "_MAX_ROWS", 3)
    with pytest.raises(OutputError, match="rows"):
        write_workbook(tmp_path / "big.xlsx", [Sheet("S", pd.DataFrame({"a": range(5)}))])
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


def test_csv_roundtrip_quoting_guard_and_formats(tmp_path, frame):
    df = frame.assign(
        note=["line1\nline2", 'say "hi", ok', "bare\rcr", "\t=x"],
        when=pd.to_datetime(["2024-01-05 13:45:10", None, "2024-01-06", "2024-01-07"], format="ISO8601"),
    )
    target = tmp_path / "out.csv"
    res = write_csv(target, df)
    assert res.path == target and not res.fallback
    assert res.sanitized_cells == 4  # =HYPERLINK, ＝1+1, "  =cmd", "\t=x"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.endswith(b"\r\n") and raw.count(b"\r\n") >= 5

    back = pd.read_csv(target, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(back.columns) == list(df.columns)
    assert len(back) == 4
    assert back["customer_id"].tolist() == ["00123", "00456", "'=HYPERLINK(\"http://x\")", "A-9"]
    assert back["name"].tolist() == ["张三", "Zoë", "'＝1+1", "'  =cmd"]
    assert back["orders"].tolist() == ["3", "1", "7", "-5"]
    assert back["revenue"].tolist() == ["120.5", "", "9.75", "-5.0"]
    assert back["first_order"].tolist() == ["2024-01-05", "2023-12-31", "", "2022-02-28"]
    assert back["when"].tolist() == ["2024-01-05 13:45:10", "", "2024-01-06 00:00:00", "2024-01-07 00:00:00"]
    assert back["vip"].tolist() == ["True", "False", "True", "False"]
    assert back["note"].tolist() == ["line1\nline2", 'say "hi", ok', "bare\rcr", "'\t=x"]

    rows = read_csv_rows(target)
    assert len(rows) == 5 and all(len(r) == len(df.columns) for r in rows)
    assert rows[3][df.columns.get_loc("note")] == "bare\rcr"


def test_csv_header_object_columns_and_surrogates(tmp_path):
    df = pd.DataFrame(
        {
            "=bad header": pd.Series(["x\udc80", "=1", dt.date(2024, 1, 2), None], dtype=object),
            "mixed": pd.Series([1, "-x", pd.Timestamp("2024-01-01 09:00"), np.nan], dtype=object),
        }
    )
    res = write_csv(tmp_path / "o.csv", df)
    rows = read_csv_rows(tmp_path / "o.csv")
    assert rows[0] == ["'=bad header", "mixed"]
    assert rows[1:] == [["x", "1"], ["'=1", "'-x"], ["2024-01-02", "2024-01-01 09:00:00"], ["", ""]]
    assert res.sanitized_cells == 3 and res.fixed_cells == 1


def test_csv_empty_frame(tmp_path):
    write_csv(tmp_path / "e.csv", pd.DataFrame({"a": pd.Series([], dtype=str)}))
    assert read_csv_rows(tmp_path / "e.csv") == [["a"]]
    write_csv(tmp_path / "n.csv", pd.DataFrame())
    assert (tmp_path / "n.csv").read_bytes() == b""  # no columns: nothing to write


# --------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------

# Plain st.text() plus text built to hit the guard and the "<r>...</r>" path.
TEXTS = st.text() | st.builds(
    lambda head, body, tail: head + body + tail,
    st.sampled_from(["=", "＝", " -", "+", "@", "\t", "\r", "\x00", "<r>", "_x0041_", "\u3000＋"]),
    st.text(max_size=12),
    st.sampled_from(["", "</r>", "_x000D_"]),
)
PROP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROP
@given(texts=st.lists(TEXTS, min_size=1, max_size=8))
def test_property_csv_text_roundtrips_and_is_inert(tmp_path, texts):
    target = tmp_path / "p.csv"
    write_csv(target, pd.DataFrame({"t": texts, "n": range(len(texts))}))
    expected = [inert_text(t.replace("\x00", ""))[0] for t in texts]  # NUL is dropped from CSV text
    rows = read_csv_rows(target)
    assert [r[0] for r in rows[1:]] == expected
    assert [r[1] for r in rows[1:]] == [str(i) for i in range(len(texts))]
    for value in expected:
        assert not is_formula_like(value)
    back = pd.read_csv(target, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back["t"].tolist() == expected


@PROP
@given(texts=st.lists(TEXTS, min_size=1, max_size=8))
def test_property_xlsx_text_roundtrips_minus_illegal_chars_and_is_never_formula(tmp_path, texts):
    target = tmp_path / "p.xlsx"
    res = write_workbook(target, [Sheet("S", pd.DataFrame({"t": texts}))])
    assert_inert_xlsx(target)
    ws = openpyxl.load_workbook(target)["S"]
    cells = list(ws["A"])[1:]
    assert all(c.data_type in ("s", "n") for c in cells)
    got = [excel_unescape(c.value) or "" for c in cells]
    # Excel decodes _xHHHH_ per run; "<r>..</r>" cells are split into runs (see put_text).
    want = [XML_ILLEGAL.sub("", t) for t in texts]
    # rich-looking cells ("<r>..</r>") go through XlsxWriter's run writer, where CR becomes LF
    rich = [x.startswith("<r>") and x.endswith("</r>") for x in want]
    want = [x.replace("\r\n", "\n").replace("\r", "\n") if r else x for x, r in zip(want, rich)]
    raw = [c.value or "" for c in cells]
    assert all(g == x or (is_rich and r == x) for g, r, x, is_rich in zip(got, raw, want, rich))
    assert res.fixed_cells == sum(bool(XML_ILLEGAL.search(t)) or (r and "\r" in XML_ILLEGAL.sub("", t))
                                  for t, r in zip(texts, rich))
    assert res.sanitized_cells == sum(is_formula_like(XML_ILLEGAL.sub("", t)) for t in texts)


# --------------------------------------------------------------------------
# Atomicity
# --------------------------------------------------------------------------


class Boom(Exception):
    pass


def test_failure_mid_xlsx_write_keeps_old_target(tmp_path, monkeypatch):
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")
    real = xlsxwriter.worksheet.Worksheet.write_number
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 500:
            raise Boom()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "write_number", flaky)
    with pytest.raises(Boom):
        write_workbook(target, [Sheet("S", pd.DataFrame({"a": range(2000)}))])
    assert target.read_bytes() == b"old"
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("exc", [Boom, KeyboardInterrupt])
def test_failure_mid_csv_write_keeps_old_target(tmp_path, monkeypatch, exc):
    target = tmp_path / "r.csv"
    target.write_bytes(b"old")

    def partial(self, fh, *args, **kwargs):
        fh.write("a,b\r\n1,2\r\n")
        raise exc()

    monkeypatch.setattr(pd.DataFrame, "to_csv", partial)
    with pytest.raises(exc):
        write_csv(target, pd.DataFrame({"a": [1]}))
    assert target.read_bytes() == b"old"
    assert temp_files(tmp_path) == []


def test_new_file_is_not_private_and_rewrite_keeps_mode(tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    fresh = tmp_path / "new.json"
    write_json(fresh, {"a": 1})
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
    kept = tmp_path / "kept.json"
    kept.write_text("{}")
    kept.chmod(0o640)
    write_json(kept, {"a": 2})
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np, pandas as pd
    from tiercli.io.write import Sheet, write_workbook
    df = pd.DataFrame(np.arange(150_000).reshape(15_000, 10), columns=[f"c{i}" for i in range(10)])
    print("ready", flush=True)
    run = 0
    while True:
        run += 1
        write_workbook(sys.argv[1], [Sheet("new", df.assign(run=run))])
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_while_writing_leaves_old_or_complete_new_file(tmp_path):
    target = tmp_path / "big.xlsx"
    write_workbook(target, [Sheet("old", pd.DataFrame({"x": [1, 2, 3]}))])
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(1.2)  # about two and a half rewrites: the kill lands mid-write
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
    wb = openpyxl.load_workbook(target, read_only=True)
    if wb.sheetnames == ["old"]:
        assert [r for r in wb["old"].iter_rows(values_only=True)] == [("x",), (1,), (2,), (3,)]
    else:
        assert wb.sheetnames == ["new"]
        rows = list(wb["new"].iter_rows(values_only=True))
        assert len(rows) == 15_001 and rows[-1][:10] == tuple(range(149_990, 150_000))
    wb.close()
    # A killed run may leave its hidden temp file; a folder scan ignores it by name.
    assert all(p.name.startswith(".~tiercli-") and p.suffix == ".tmp" for p in tmp_path.iterdir() if p != target)


# --------------------------------------------------------------------------
# Busy target and unusable folders
# --------------------------------------------------------------------------


@pytest.fixture
def busy_target(tmp_path, monkeypatch):
    """os.replace onto the target fails like Excel holding it on Windows/SMB."""
    target = tmp_path / "tiers.xlsx"
    target.write_bytes(b"old")
    real_replace = os.replace
    attempts = []

    def replace(src, dst, *a, **k):
        if Path(dst) == target:
            attempts.append(dst)
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        return real_replace(src, dst, *a, **k)

    sleeps = []
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(atomic.time, "sleep", sleeps.append)
    monkeypatch.setattr(atomic, "_now", lambda: dt.datetime(2024, 5, 6, 7, 8, 9))
    return target, attempts, sleeps


def test_busy_target_falls_back_to_dated_file(busy_target, frame):
    target, attempts, sleeps = busy_target
    res = write_workbook(target, [Sheet("S", frame)], retries=2, retry_delay=0.25)
    assert res.fallback is True
    assert res.path == target.with_name("tiers.20240506-070809.xlsx")
    assert len(attempts) == 3 and sleeps == [0.25, 0.25]
    assert target.read_bytes() == b"old"
    assert openpyxl.load_workbook(res.path)["S"]["A2"].value == "00123"
    assert temp_files(target.parent) == []

    again = write_csv(target, frame, retries=0)  # the dated name is taken now: -2
    assert again.path == target.with_name("tiers.20240506-070809-2.xlsx") and again.fallback


@pytest.mark.parametrize("code", [errno.EBUSY, getattr(errno, "ETXTBSY", errno.EBUSY), errno.EACCES])
def test_busy_errnos_fall_back(tmp_path, monkeypatch, code):
    target = tmp_path / "t.json"
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == target:
            raise OSError(code, os.strerror(code))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    res = write_json(target, {"a": 1}, retries=1, retry_delay=0)
    assert res.fallback and res.path.name.startswith("t.") and res.path.suffix == ".json"
    assert re.fullmatch(r"t\.\d{8}-\d{6}\.json", res.path.name)
    assert not target.exists()


def test_other_replace_error_is_output_error_and_cleans_up(tmp_path, monkeypatch):
    def replace(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match="Input/output error"):
        write_json(tmp_path / "t.json", {})
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_output_error_naming_it(tmp_path):
    folder = tmp_path / "out"
    with pytest.raises(OutputError) as info:
        write_workbook(folder / "x.xlsx", [Sheet("S", pd.DataFrame({"a": [1]}))])
    msg = str(info.value)
    assert str(folder) in msg and "does not exist" in msg and "\n" not in msg
    assert not folder.exists()


def test_target_is_a_folder(tmp_path):
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(OutputError, match="folder"):
        write_csv(tmp_path / "x.csv", pd.DataFrame({"a": [1]}))


def test_folder_without_write_permission_is_output_error(tmp_path, monkeypatch):
    real_open = os.open

    def deny(path, flags, *args, **kwargs):
        if Path(path).name.startswith(".~tiercli-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(OutputError, match=f"no permission to write in folder {re.escape(str(tmp_path))}"):
        write_json(tmp_path / "x.json", {})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unwritable_folder_is_output_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="permission"):
            write_csv(folder / "x.csv", pd.DataFrame({"a": [1]}))
    finally:
        folder.chmod(0o700)


# --------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------


def test_json_values(tmp_path):
    target = tmp_path / "summary.json"
    obj = {
        "nan": float("nan"),
        "np_nan": np.float64("nan"),
        "inf": np.inf,
        "when": pd.Timestamp("2024-03-01 12:00"),
        "day": dt.date(2024, 3, 1),
        "nat": pd.NaT,
        "na": pd.NA,
        "count": np.int64(7),
        "share": np.float32(0.5),
        "flag": np.bool_(True),
        "名字": "张三",
        "list": [np.int32(1), None, (2, 3)],
        np.int64(5): "numpy key",
    }
    res = write_json(target, obj)
    assert res == WriteResult(target, False, 0, 0)
    text = target.read_text(encoding="utf-8")
    assert "张三" in text and "\\u" not in text
    assert text.startswith('{\n  "nan": null')
    assert json.loads(text) == {
        "nan": None,
        "np_nan": None,
        "inf": None,
        "when": "2024-03-01T12:00:00",
        "day": "2024-03-01",
        "nat": None,
        "na": None,
        "count": 7,
        "share": 0.5,
        "flag": True,
        "名字": "张三",
        "list": [1, None, [2, 3]],
        "5": "numpy key",
    }


def test_json_rejects_unknown_objects(tmp_path):
    with pytest.raises(TypeError):
        write_json(tmp_path / "x.json", {"a": object()})
    assert list(tmp_path.iterdir()) == []


def test_module_never_prints(tmp_path, frame, capsys):
    write_workbook(tmp_path / "a.xlsx", [Sheet("S", frame)])
    write_csv(tmp_path / "a.csv", frame)
    write_json(tmp_path / "a.json", {"a": 1})
    assert capsys.readouterr() == ("", "")


# ---------------------------------------------------------------- the column-wise CSV writer


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CSV_TEXT = st.one_of(st.none(), st.sampled_from(["a,b", 'say "hi"', "two\r\nlines", "\n", " lead", "", "合计", "é"]),
                      st.text(max_size=6))
_CSV_FLOAT = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                       st.sampled_from([0.0, -0.0, 1.0, 311.0, 2050.58, 1e15, 1e16, 99999999999999.0, 1e-4, 1.5e-5,
                                        123456789012345.6, 0.1 + 0.2, -7.0, 5e-324]))


@given(st.data())
@settings(max_examples=200, deadline=None)
def test_csv_document_is_what_to_csv_writes(data):
    """write_csv builds the file column-wise in arrow; it must be byte for byte what pandas' to_csv
    (QUOTE_MINIMAL, CRLF, NA empty) wrote before, for every column type a customer table has."""
    from tiercli.io.write.csv_file import _csv_document

    n = data.draw(st.integers(1, 12))
    frame = pd.DataFrame({
        "text": pd.Series(data.draw(st.lists(_CSV_TEXT, min_size=n, max_size=n)), dtype="str"),
        "obj": pd.Series(data.draw(st.lists(st.one_of(st.none(), st.text(max_size=4), st.integers(-5, 5)),
                                            min_size=n, max_size=n)), dtype=object),
        "num": np.array(data.draw(st.lists(_CSV_FLOAT, min_size=n, max_size=n)), dtype="float64"),
        "int": np.array(data.draw(st.lists(st.integers(-10**12, 10**12), min_size=n, max_size=n)), dtype="int64"),
        "flag": np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n))),
        "maybe": pd.array(data.draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)),
                          dtype="boolean"),
        "count": pd.array(data.draw(st.lists(st.one_of(st.none(), st.integers(0, 99)), min_size=n, max_size=n)),
                          dtype="Int64"),
    })
    headers = ["text", "a,b", 'q"', "num", "int", "flag", "maybe"][: frame.shape[1] - 1] + ["count"]
    import io

    expected = io.StringIO()
    frame.to_csv(expected, index=False, header=headers, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL, na_rep="")
    assert _csv_document(frame, headers) == expected.getvalue()
