"""tiercli.io.read: every cell of a seller's export as text, whatever the encoding, delimiter or workbook."""

from __future__ import annotations

import codecs
import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tiercli.errors import InputError
from tiercli.io.read import detect_encoding, is_skipped_name, list_inputs, read_file


def one(path: Path):
    tables = read_file(path)
    assert len(tables) == 1
    return tables[0]


def as_rows(frame: pd.DataFrame) -> list[list[str]]:
    return frame.fillna("").astype(str).values.tolist()


# ---------------------------------------------------------------- encodings and delimiters


@pytest.mark.parametrize("name, encoding, delimiter", [
    ("zh_utf8.csv", "utf-8", ","),
    ("zh_utf8_bom.csv", "utf-8-sig", ","),
    ("zh_utf16.csv", "utf-16", "\t"),
    ("zh_gbk.csv", "gb18030", ","),  # GBK is read with its superset
    ("zh_gb18030.csv", "gb18030", ","),
])
def test_chinese_text_reads_the_same_in_every_encoding(data_dir, make_fixtures, name, encoding, delimiter):
    raw = one(data_dir / "encodings" / name)
    assert raw.encoding == encoding
    assert raw.delimiter == delimiter
    assert list(raw.frame.columns) == make_fixtures.ZH_ENC_HEADER
    assert as_rows(raw.frame) == make_fixtures.ZH_ENC_ROWS


@pytest.mark.parametrize("name, encoding, delimiter", [
    ("west_utf8.csv", "utf-8", ";"),
    ("west_utf8_bom.csv", "utf-8-sig", ";"),
    ("west_utf16.txt", "utf-16", "\t"),
    ("west_cp1252.csv", "cp1252", ";"),
    ("west_pipe.txt", "utf-8", "|"),
])
def test_european_text_reads_the_same_in_every_encoding(data_dir, make_fixtures, name, encoding, delimiter):
    raw = one(data_dir / "encodings" / name)
    assert (raw.encoding, raw.delimiter) == (encoding, delimiter)
    assert list(raw.frame.columns) == make_fixtures.WEST_HEADER
    assert as_rows(raw.frame) == make_fixtures.WEST_ROWS  # Zoë, Jürgen, 1.336,11 € unchanged


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path, make_fixtures, codec):
    path = tmp_path / "orders.txt"
    lines = ["\t".join(make_fixtures.WEST_HEADER)] + ["\t".join(r) for r in make_fixtures.WEST_ROWS]
    path.write_bytes("\r\n".join(lines).encode(codec))
    raw = one(path)
    assert raw.encoding == codec
    assert as_rows(raw.frame) == make_fixtures.WEST_ROWS


def test_detect_encoding_prefers_boms_then_utf8():
    assert detect_encoding(codecs.BOM_UTF8 + "订单".encode()) == "utf-8-sig"
    assert detect_encoding(codecs.BOM_UTF16_LE + "a,b".encode("utf-16-le")) == "utf-16"
    assert detect_encoding("订单号,金额".encode()) == "utf-8"
    # a multi-byte character cut at the end of the sample is still UTF-8
    assert detect_encoding("订单号,金额".encode()[:-1]) == "utf-8"


def test_gzipped_csv_is_read(tmp_path, data_dir):
    src = data_dir / "generic" / "uci_sample.csv"
    gz = tmp_path / "uci_sample.csv.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    assert as_rows(one(gz).frame) == as_rows(one(src).frame)


def test_title_lines_above_the_header_are_skipped(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("订单报表 2026年1月\n\n订单号,下单时间,买家ID,实付金额\n8801,2026-01-02,00871,10.00\n"
                    "8802,2026-01-03,00872,20.00\n", encoding="utf-8")
    raw = one(path)
    assert list(raw.frame.columns) == ["订单号", "下单时间", "买家ID", "实付金额"]
    assert raw.frame["订单号"].tolist() == ["8801", "8802"]
    assert raw.first_line == 4  # the first data row as a text editor numbers it


def test_cells_stay_text_exactly_as_exported(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("Order ID,Customer ID,Name,Amount\n00123,0042,NA,1.50\n12346,12346.0,null,\n"
                    "1e5,7, None ,2\n", encoding="utf-8")
    f = one(path).frame
    assert f["Order ID"].tolist() == ["00123", "12346", "1e5"]
    assert f["Customer ID"].tolist() == ["0042", "12346.0", "7"]
    assert f["Name"].tolist() == ["NA", "null", " None "]  # names, not missing values
    assert f["Amount"].isna().tolist() == [False, True, False]


def test_headers_are_cleaned_and_made_unique(tmp_path, make_fixtures):
    header = ["\ufeff Order ID ", "Email", "Email", " Email", "", "Amount", ""]
    row = ["1", "a@example.com", "b@example.com", "c@example.com", "x", "2", ""]
    expected = ["Order ID", "Email", "Email.1", "Email.2", "column_5", "Amount"]
    csv_path = tmp_path / "h.csv"
    csv_path.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    assert list(one(csv_path).frame.columns) == expected
    # the same sheet saved as a workbook gets the same names (a [columns] mapping fits both)
    xlsx_path = tmp_path / "h.xlsx"
    make_fixtures.write_workbook(xlsx_path, {"Sheet1": [header, row]})
    assert list(one(xlsx_path).frame.columns) == expected


def test_lines_with_extra_fields_are_counted_not_lost_silently(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("Order ID,Order Date,Customer ID,Amount\n1,2026-01-01,C1,10\n2,2026-01-02,C2,1,000.00\n"
                    "3,2026-01-03,C3,5\n", encoding="utf-8")
    raw = one(path)
    assert raw.frame["Order ID"].tolist() == ["1", "3"]
    assert raw.skipped_lines == [3]


# ---------------------------------------------------------------- workbooks


def test_workbook_sheets_with_one_header_are_one_table(data_dir):
    raw = one(data_dir / "workbooks" / "monthly.xlsx")
    assert raw.sheets == ["2026-01", "2026-02", "2026-03"]  # the empty Notes sheet is left out
    assert raw.encoding is None
    assert raw.frame["Order ID"].tolist() == ["6001", "6002", "6003", "6004", "6005"]
    assert raw.label.endswith("[2026-01, 2026-02, 2026-03]")


def test_numeric_workbook_cells_read_as_the_seller_sees_them(data_dir):
    f = one(data_dir / "workbooks" / "monthly.xlsx").frame
    assert f["Customer ID"].tolist() == ["12346", "00123", "12346", "20001", "20001"]  # never 12346.0
    assert f["Unit Price"].tolist() == ["10.5", "99", "10.5", "1.25", "1234.5"]
    assert f["Order Date"].iloc[0] == "2026-01-03 09:00:00"
    assert f["Quantity"].tolist() == ["2", "1", "3", "10", "1"]


def test_workbook_sheets_with_different_headers_are_separate_tables(tmp_path, make_fixtures):
    path = tmp_path / "two.xlsx"
    make_fixtures.write_workbook(path, {
        "Orders": [["Order ID", "Order Date", "Customer ID", "Amount"], [1, "2026-01-01", 7, 3.0]],
        "Customers": [["Customer ID", "Email"], [7, "a@example.com"]],
    })
    tables = read_file(path)
    assert [t.sheets for t in tables] == [["Orders"], ["Customers"]]
    assert tables[1].frame.to_dict("records") == [{"Customer ID": "7", "Email": "a@example.com"}]


# ---------------------------------------------------------------- folders


JUNK = ["~$orders.xlsx", ".~lock.orders.csv#", ".nfs000000000123", "orders.csv.tmp", "orders.csv~",
        "download.csv.crdownload", "download.csv.part", "orders.tiers.xlsx", "orders.tiers.csv", ".hidden.csv",
        "notes.pdf", "README.md"]


@pytest.mark.parametrize("name", JUNK[:10])
def test_lock_temp_and_own_output_names_are_skipped(name):
    assert is_skipped_name(name)


@pytest.mark.parametrize("name", ["orders.csv", "订单.xlsx", "2026-01 export.tsv", "tiers.csv", "my~file.csv"])
def test_export_names_are_not_skipped(name):
    assert not is_skipped_name(name)


def test_a_folder_reads_every_export_and_skips_the_rest(tmp_path, data_dir):
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(data_dir / "generic" / "zh_orders.csv", folder / "b_orders.csv")
    shutil.copy(data_dir / "workbooks" / "monthly.xlsx", folder / "a_months.xlsx")
    shutil.copy(data_dir / "encodings" / "west_utf16.txt", folder / "c_export.txt")
    (folder / "d_2010.csv.gz").write_bytes(gzip.compress((data_dir / "generic" / "uci_sample.csv").read_bytes()))
    for name in JUNK:  # garbage: reading any of these would fail
        (folder / name).write_bytes(b"\x00\x01garbage\xff")
    (folder / "sub").mkdir()
    (folder / "sub" / "more.csv").write_text("x,y\n1,2\n")
    found = list_inputs([folder])
    assert [p.name for p in found] == ["a_months.xlsx", "b_orders.csv", "c_export.txt", "d_2010.csv.gz"]
    assert [read_file(p)[0].rows for p in found] == [5, 6, 5, 11]


def test_a_file_named_twice_is_read_once(tmp_path, data_dir):
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(data_dir / "generic" / "ids.csv", folder / "ids.csv")
    assert list_inputs([folder, folder / "ids.csv"]) == [folder / "ids.csv"]


def test_a_folder_without_exports_is_an_input_error(tmp_path):
    (tmp_path / "~$orders.xlsx").write_bytes(b"lock")
    with pytest.raises(InputError, match="no CSV or Excel exports"):
        list_inputs([tmp_path])


def test_a_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder") as err:
        list_inputs([tmp_path / "nope.csv"])
    assert err.value.hint


# ---------------------------------------------------------------- unreadable files


@pytest.mark.parametrize("name, words", [
    ("empty.csv", "file is empty"),
    ("blank.csv", "file is empty"),
    ("garbage.csv", "not a text file"),
    ("truncated.xlsx", "damaged"),
    ("login_page.xlsx", "web page"),
    ("report.xlsx", "PDF"),
    ("damaged.xls", "cannot read workbook"),
])
def test_unreadable_files_raise_an_input_error_naming_the_file(data_dir, name, words):
    path = data_dir / "bad" / name
    with pytest.raises(InputError) as err:
        read_file(path)
    assert words in str(err.value)
    assert str(path) in err.value.message
    assert err.value.hint  # says what to do


def test_html_saved_as_csv_is_named_as_a_web_page(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("<!DOCTYPE html><html><body>Please sign in</body></html>\n")
    with pytest.raises(InputError, match="web page"):
        read_file(path)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "orders.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(InputError, match="not an Excel workbook"):
        read_file(path)


def test_undecodable_bytes_name_the_file(tmp_path):
    import random

    rng = random.Random(7)
    path = tmp_path / "mystery.csv"
    path.write_bytes(bytes(rng.randrange(128, 256) for _ in range(3000)))
    with pytest.raises(InputError) as err:
        read_file(path)
    assert str(path) in err.value.message and "encoding" in err.value.message


# ---------------------------------------------------------------- how workbook values become text


NUMBERS = [(29.020000000000003, "29.02"), (1 / 3, "0.333333333"), (12346.0, "12346"), (-2.5, "-2.5"),
           (1e15, "1000000000000000"), (1234567890123456.0, "1234567890123456"), (0.1 + 0.2, "0.3"),
           (1e-7, "0.0000001"), (123456.123456789, "123456.123456789")]


def test_workbook_numbers_read_as_excel_shows_them(tmp_path):
    """At most nine decimals and every digit of a whole number, as Excel shows a number in a wide cell and
    fastexcel renders it; .xls/.ods cells (python-calamine, ``cells.cell_text``) follow the same rule."""
    import xlsxwriter

    from tiercli.io.read.cells import cell_text

    path = tmp_path / "numbers.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_row(0, 0, ["n", "label"])
    for i, (value, _) in enumerate(NUMBERS, 1):
        ws.write_number(i, 0, value)
        ws.write_string(i, 1, "x")
    wb.close()
    assert one(path).frame["n"].tolist() == [text for _, text in NUMBERS]
    assert [cell_text(v) for v, _ in NUMBERS] == [text for _, text in NUMBERS]


def test_workbook_booleans_dates_and_look_alike_text(tmp_path):
    """Booleans and dates are rendered as fastexcel renders them; text that looks like them stays as typed."""
    import datetime as dt

    import xlsxwriter

    path = tmp_path / "kinds.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, ["value", "text"])
    ws.write_boolean(1, 0, True)
    ws.write_string(1, 1, "false")
    ws.write_datetime(2, 0, dt.datetime(2026, 1, 3, 9, 0), stamp)
    ws.write_string(2, 1, "-0")
    ws.write_datetime(3, 0, dt.datetime(2026, 1, 3), stamp)
    ws.write_string(3, 1, "2026-01-03 00:00:00.500")
    ws.write_string(4, 0, "  ")
    ws.write_string(4, 1, "TRUE")
    wb.close()
    f = one(path).frame
    assert f["value"].tolist()[:3] == ["true", "2026-01-03 09:00:00", "2026-01-03 00:00:00"]
    assert f["text"].tolist() == ["false", "-0", "2026-01-03 00:00:00.500", "TRUE"]
    assert f["value"].iloc[3] == "  "  # spaces kept, as typed


def test_typed_and_text_workbook_reads_give_the_same_cells(tmp_path):
    """A sheet with its header on row 1 is read typed and written as text in arrow; it must give the very
    cells the text read gives (the path for a sheet whose header is lower down), for every cell type."""
    import datetime as dt

    import fastexcel
    import xlsxwriter

    from tiercli.io.read import xlsx as reader

    path = tmp_path / "types.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("S")
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, ["id", "qty", "price", "when", "flag", "mixed", "big", "tiny"])
    numbers = [1, 2.5, 29.020000000000003, 1 / 3, -7.0, 0.1 + 0.2, 1e10, 123456789.123456789, 1e15, 5e-11]
    for i, x in enumerate(numbers, start=1):
        ws.write_number(i, 0, 10000 + i)
        ws.write_number(i, 1, i % 4)
        ws.write_number(i, 2, x)
        ws.write_datetime(i, 3, dt.datetime(2010, 12, 1, 7, 48) + dt.timedelta(days=i, seconds=i % 2 * 30), when)
        ws.write_boolean(i, 4, i % 2 == 0)
        (ws.write_number if i < 8 else ws.write_string)(i, 5, x if i < 8 else f"text {i}")
        ws.write_number(i, 6, 10 ** (i + 6))
        ws.write_number(i, 7, x / 1e6)
    wb.close()
    typed = reader._typed_sheet(fastexcel.read_excel(path.read_bytes()), "S", None)
    assert typed is not None
    _, header, table = typed
    text = fastexcel.read_excel(path.read_bytes()).load_sheet("S", header_row=None, skip_rows=0, dtypes="string")
    expected = [reader._fix_text(c).slice(1).to_pylist() for c in text.to_arrow().columns]
    assert header == ["id", "qty", "price", "when", "flag", "mixed", "big", "tiny"]
    assert [c.to_pylist() for c in table.columns] == expected
