"""Property tests over the writers and loaders (hypothesis).

* any text written by tiercli (CSV and XLSX) and read back by tiercli's reader means the same and is never a
  formula;
* any table of random strings, numbers and dates, written as CSV or XLSX, either loads through load_dataset
  or fails with a TiercliError, never another exception.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tiercli.config import load_config
from tiercli.errors import TiercliError
from tiercli.io.read import read_file
from tiercli.io.write import Sheet, inert_text, write_csv, write_workbook
from tiercli.io.write.inert import is_formula_like
from tiercli.schema.dataset import load_dataset

PROP = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# any text, plus text aimed at the guard, the XML escapes and the CSV quoting
TEXT = st.text(max_size=40) | st.builds(
    lambda head, body, tail: head + body + tail,
    st.sampled_from(["=", "＝", " -", "+", "@", "\t", "\r", "\n", "\x00", "\u3000＋", "'", '"', "<r>", "_x0041_",
                     "NA", "null", " ", "\ufeff"]),
    st.text(max_size=12),
    st.sampled_from(["", "</r>", "_x000D_", "\r\n", ",", ";", '"', " "]),
) | st.builds(  # notes full of another delimiter: the file must still be read by its commas
    lambda sep, words: sep.join(words),
    st.sampled_from([";", "\t", "|", ",", "\n"]),
    st.lists(st.text(alphabet="ab =\"", max_size=4), min_size=2, max_size=6),
)


def text_of(read) -> str | None:
    """A cell read back: None when missing."""
    return None if read is None or (isinstance(read, float) and np.isnan(read)) else read


def same_text(written: str | None, read) -> bool:
    return (written or None) == (text_of(read) or None)  # an empty cell and a missing one are the same to a seller


@PROP
@given(texts=st.lists(TEXT, min_size=1, max_size=6))
def test_text_round_trips_through_csv(tmp_path, texts):
    target = tmp_path / "t.csv"
    write_csv(target, pd.DataFrame({"text": texts, "n": range(len(texts))}))
    raw = read_file(target)[0]
    assert list(raw.frame.columns) == ["text", "n"]
    assert raw.frame["n"].tolist() == [str(i) for i in range(len(texts))]
    got = raw.frame["text"].tolist()
    for text, back in zip(texts, got):
        expected = inert_text(text.replace("\x00", ""))[0]
        assert same_text(expected, back), (text, back)
        assert not is_formula_like(text_of(back) or "")


@PROP
@given(texts=st.lists(TEXT, min_size=1, max_size=6))
def test_text_round_trips_through_xlsx_and_is_never_a_formula(tmp_path, texts):
    target = tmp_path / "t.xlsx"
    write_workbook(target, [Sheet("S", pd.DataFrame({"text": texts, "n": range(len(texts))}))])
    with zipfile.ZipFile(target) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r"<f[\s>/]", sheet) is None and "<hyperlink" not in sheet
    raw = read_file(target)[0]
    assert raw.frame["n"].tolist() == [str(i) for i in range(len(texts))]
    for text, back in zip(texts, raw.frame["text"].tolist()):
        assert same_text(XML_ILLEGAL.sub("", text), back), (text, back)


HEADERS = ["Order ID", "Order Date", "Customer ID", "Customer Name", "Email", "Amount", "Quantity", "Unit Price",
           "Status", "Country", "订单号", "下单时间", "买家ID", "实付金额", "订单状态", "询盘编号", "询盘时间", "是否报价",
           "visitor id", "event", "event time", "Financial Status", "Lineitem quantity", "Created at", "Name"]
VALUES = st.one_of(
    st.none(),
    st.text(max_size=15),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.datetimes(min_value=dt.datetime(1800, 1, 1), max_value=dt.datetime(2300, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 2), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["paid", "cancelled", "交易完成", "已取消", "2026-01-05", "05/01/2026", "03/04/2026", "1,234.50",
                     "(12.00)", "€ 9,99", "NA", "合计", "Total", "", " ", "a@example.com", "C536379", "1e400"]),
)


@st.composite
def tables(draw):
    names = draw(st.lists(st.sampled_from(HEADERS) | st.text(min_size=1, max_size=10), min_size=2, max_size=6,
                          unique=True))
    rows = draw(st.integers(min_value=0, max_value=8))
    return pd.DataFrame({n: pd.Series([draw(VALUES) for _ in range(rows)], dtype=object) for n in names})


def loads_or_fails_cleanly(path) -> None:
    try:
        load_dataset([path], load_config(None, env={}))
    except TiercliError:
        pass


@PROP
@given(frame=tables())
def test_random_tables_as_csv_load_or_fail_with_a_tiercli_error(tmp_path, frame):
    target = tmp_path / "orders.csv"
    write_csv(target, frame)
    loads_or_fails_cleanly(target)
    raw = tmp_path / "raw.csv"  # and as a naive exporter writes it: no quoting guard, str() of everything
    buf = io.StringIO()
    csv.writer(buf).writerows([list(frame.columns), *frame.astype(str).to_numpy().tolist()])
    raw.write_text(buf.getvalue(), encoding="utf-8")
    loads_or_fails_cleanly(raw)


@PROP
@given(frame=tables())
def test_random_tables_as_xlsx_load_or_fail_with_a_tiercli_error(tmp_path, frame):
    assume(frame.shape[1] > 0)
    target = tmp_path / "orders.xlsx"
    write_workbook(target, [Sheet("Orders", frame)])
    loads_or_fails_cleanly(target)
