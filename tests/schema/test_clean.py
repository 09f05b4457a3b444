"""The text parsers of tiercli.schema.clean: examples of what sellers' exports contain, and properties."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiercli.errors import ColumnError
from tiercli.schema.clean import (
    clean_email,
    clean_text,
    contains_any,
    isin_text,
    map_vocab,
    matches_words,
    parse_amounts,
    parse_dates,
    parse_flags,
)
from tiercli.schema.tables import ORDER_STATUS, SAMPLE_WORDS

S = pd.Series
TS = pd.Timestamp


def dates(values, **kw):
    kw.setdefault("column", "Order Date")
    return parse_dates(S(values, dtype="str"), **kw)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("text, expected", [
    ("2026-03-01", "2026-03-01 00:00:00"),
    ("2026-03-01 10:05:07", "2026-03-01 10:05:07"),
    ("2026-03-01T10:05:07", "2026-03-01 10:05:07"),
    ("2026/3/1 9:05", "2026-03-01 09:05:00"),
    ("2026年3月1日", "2026-03-01 00:00:00"),
    ("2026年3月1日 10:05", "2026-03-01 10:05:00"),
    ("20260301", "2026-03-01 00:00:00"),
    ("45292", "2024-01-01 00:00:00"),  # Excel serial day number
    ("45292.75", "2024-01-01 18:00:00"),  # serial with a time of day
    ("Mar 1, 2026", "2026-03-01 00:00:00"),
    ("1 March 2026 10:05", "2026-03-01 10:05:00"),
])
def test_parse_dates_reads_the_common_formats(text, expected):
    out, bad = dates([text])
    assert out.iloc[0] == TS(expected)
    assert not bad.any()
    assert out.dtype == "datetime64[ns]"


def test_day_first_column_is_recognised_from_any_day_above_12():
    out, bad = dates(["01/02/2026", "25/03/2026 14:30", "3.4.26"])
    assert out.tolist() == [TS("2026-02-01"), TS("2026-03-25 14:30"), TS("2026-04-03")]
    assert not bad.any()


def test_month_first_column_is_recognised_from_any_day_above_12():
    out, _ = dates(["01/02/2026 8:26", "12/25/2026 1:05 PM", "12/26/2026 12:10 AM"])
    assert out.tolist() == [TS("2026-01-02 08:26"), TS("2026-12-25 13:05"), TS("2026-12-26 00:10")]


def test_ambiguous_column_names_the_column_and_the_fix():
    with pytest.raises(ColumnError) as err:
        dates(["03/04/2026", "05/06/2026"], column="Fecha pedido", label="ventas.csv")
    msg = str(err.value)
    assert "Fecha pedido" in msg and "ventas.csv" in msg
    assert "--date-order" in msg and "date_order" in msg


@pytest.mark.parametrize("order, expected", [("dmy", TS("2026-04-03")), ("mdy", TS("2026-03-04"))])
def test_date_order_resolves_an_ambiguous_column(order, expected):
    out, bad = dates(["03/04/2026"], order=order)
    assert out.iloc[0] == expected and not bad.any()


def test_date_order_never_overrides_what_the_column_shows():
    # 25/03 can only be day-first, whatever the configured order says
    out, _ = dates(["25/03/2026", "01/02/2026"], order="mdy")
    assert out.tolist() == [TS("2026-03-25"), TS("2026-02-01")]


def test_a_column_mixing_day_first_and_month_first_is_an_error():
    with pytest.raises(ColumnError, match="Order Date"):
        dates(["25/03/2026", "03/25/2026"])


def test_offsets_are_converted_to_the_configured_zone_then_dropped():
    values = ["2026-03-01 23:30:00 -0500", "2026-03-01T10:00:00+08:00", "2026-03-01T10:00:00Z",
              "2026-03-01 10:00:00 UTC", "Mon, 02 Mar 2026 10:00:00 GMT"]
    utc, _ = dates(values, tz="UTC")
    assert utc.tolist() == [TS("2026-03-02 04:30"), TS("2026-03-01 02:00"), TS("2026-03-01 10:00"),
                            TS("2026-03-01 10:00"), TS("2026-03-02 10:00")]
    shanghai, _ = dates(values, tz="Asia/Shanghai")
    assert (shanghai - utc == pd.Timedelta(hours=8)).all()
    assert shanghai.dt.tz is None


def test_naive_dates_are_never_shifted_by_the_zone():
    # a date without an offset is already in the seller's zone, whatever its format
    values = ["2026-03-01 10:00", "Mar 1, 2026 10:00", "01/03/2026 10:00", "2026年3月1日 10:00"]
    utc, _ = dates(values, tz="UTC", order="dmy")
    shanghai, _ = dates(values, tz="Asia/Shanghai", order="dmy")
    assert utc.tolist() == shanghai.tolist() == [TS("2026-03-01 10:00")] * 4


def test_unreadable_dates_are_reported_not_guessed():
    out, bad = dates(["2026-03-01", "soon", "", None, "0001-01-01", "31/02/2026"])
    assert bad.tolist() == [False, True, False, False, True, True]
    assert out.isna().tolist() == [False, True, True, True, True, True]


# ---------------------------------------------------------------- amounts


@pytest.mark.parametrize("values, expected", [
    (["$1,234.56", "$12.00"], [1234.56, 12.0]),
    (["1.234,56 €", "12,00 €"], [1234.56, 12.0]),
    (["(12.00)", "12.00"], [-12.0, 12.0]),
    (["(12,50) €", "3,00 €"], [-12.5, 3.0]),
    (["$(1,200.00)", "$5.00"], [-1200.0, 5.0]),
    (["12.00-", "3.50"], [-12.0, 3.5]),
    (["USD 1,000.00", "USD -5.25"], [1000.0, -5.25]),
    (["¥1,000", "￥20"], [1000.0, 20.0]),
    (["1 234,50", "99,90"], [1234.5, 99.9]),
    (["CHF 1'234.50", "0.95"], [1234.5, 0.95]),
    (["-£3.00", "£4.00"], [-3.0, 4.0]),
    (["7", "8.5", "-1"], [7.0, 8.5, -1.0]),
])
def test_parse_amounts_reads_money_as_exported(values, expected):
    out, bad = parse_amounts(S(values, dtype="str"))
    assert out.tolist() == pytest.approx(expected)
    assert not bad.any()


def test_parse_amounts_reports_what_it_cannot_read():
    out, bad = parse_amounts(S(["12.00", "n/a", "", None, "free"], dtype="str"))
    assert bad.tolist() == [False, True, False, False, True]
    assert out.iloc[0] == 12.0 and out.iloc[1:].isna().all()


# ---------------------------------------------------------------- flags, vocabularies, keys


@pytest.mark.parametrize("text, expected", [
    ("yes", True), ("YES", True), ("是", True), ("1", True), ("TRUE", True), ("✓", True), ("subscribed", True),
    ("no", False), ("否", False), ("0", False), ("FALSE", False), ("unsubscribed", False), ("-", False),
])
def test_parse_flags(text, expected):
    out, bad = parse_flags(S([text], dtype="str"))
    assert out.iloc[0] == expected
    assert not bad.any()


def test_parse_flags_leaves_unknown_text_missing_and_reports_it():
    out, bad = parse_flags(S(["maybe", "", None], dtype="str"))
    assert out.isna().all()
    assert bad.tolist() == [True, False, False]


@pytest.mark.parametrize("code", sorted(ORDER_STATUS))
def test_every_status_word_maps_to_its_code_in_any_case(code):
    words = ORDER_STATUS[code]
    out, unknown = map_vocab(S([f" {w.upper()} " for w in words], dtype="str"), ORDER_STATUS)
    assert out.tolist() == [code] * len(words)
    assert not unknown.any()


def test_status_codes_are_the_four_the_issue_names():
    assert set(ORDER_STATUS) == {"paid", "cancelled", "refunded", "pending"}
    out, unknown = map_vocab(S(["交易完成", "已取消", "已退款", "等待买家付款", "lost in space"], dtype="str"), ORDER_STATUS)
    assert out.tolist()[:4] == ["paid", "cancelled", "refunded", "pending"]
    assert unknown.tolist() == [False, False, False, False, True]


def test_sample_words_find_sample_orders():
    found = contains_any(S(["样品订单", "普通订单", "Sample order", None, "寄样"], dtype="str"), SAMPLE_WORDS)
    assert found.tolist() == [True, False, True, False, True]


def test_clean_email_trims_and_lower_cases_and_drops_non_emails():
    out = clean_email(S(["  Ana.Silva@Example.COM ", "n/a", "", None], dtype="str"))
    assert out.iloc[0] == "ana.silva@example.com"
    assert out.iloc[1:].isna().all()


def test_clean_text_keeps_ids_as_text():
    out = clean_text(S([" 00123 ", "12346", "1e5", ""], dtype="str"))
    assert out.tolist()[:3] == ["00123", "12346", "1e5"]
    assert pd.isna(out.iloc[3])


# ---------------------------------------------------------------- properties

SYMBOLS = ["", "$", "€", "£", "¥", "￥", "USD ", "EUR ", "R$ ", "CHF "]
SUFFIXES = ["", " €", " zł", " USD", " kr"]


@st.composite
def money_columns(draw):
    """A column of amounts formatted in one export style, with the numbers they stand for."""
    cents = draw(st.lists(st.integers(-(10**11), 10**11), min_size=1, max_size=12))
    thousands = draw(st.sampled_from(["", ",", " ", "'", "\u00a0"]))
    decimal_comma = draw(st.booleans())
    if decimal_comma and thousands == ",":
        thousands = "."
    prefix = draw(st.sampled_from(SYMBOLS))
    suffix = "" if prefix else draw(st.sampled_from(SUFFIXES))
    negative = draw(st.sampled_from(["minus", "parentheses", "inner_parentheses"] + ([] if suffix else ["trailing"])))
    texts = []
    for c in cents:
        whole, frac = divmod(abs(c), 100)
        body = f"{whole:,}".replace(",", thousands) + ("," if decimal_comma else ".") + f"{frac:02d}"
        if c < 0 and negative == "inner_parentheses":  # accounting format: $(12.00), (12,50) €
            text = f"{prefix}({body}){suffix}"
        else:
            text = prefix + body + suffix
            if c < 0:
                text = {"minus": "-" + text, "parentheses": f"({text})", "trailing": text + "-"}[negative]
        texts.append(text)
    return texts, [c / 100 for c in cents]


@settings(max_examples=300, deadline=None)
@given(money_columns())
def test_parse_amounts_round_trips_formatted_numbers(column):
    texts, numbers = column
    out, bad = parse_amounts(S(texts, dtype="str"))
    assert not bad.any(), texts
    assert out.tolist() == pytest.approx(numbers, abs=0.005), texts


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e12, 1e12, allow_nan=False), min_size=1, max_size=10))
def test_parse_amounts_reads_plain_numbers_exactly(numbers):
    out, bad = parse_amounts(S([repr(x) for x in numbers], dtype="str"))
    assert not bad.any()
    assert out.tolist() == numbers


ISO_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S",
               "%Y-%m-%dT%H:%M:%S.%f"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.datetimes(dt.datetime(1950, 1, 1), dt.datetime(2150, 12, 31)), min_size=1, max_size=10),
       st.sampled_from(ISO_FORMATS), st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York"]))
def test_parse_dates_round_trips_iso_text(moments, fmt, tz):
    texts = [m.strftime(fmt) for m in moments]
    expected = [pd.Timestamp(dt.datetime.strptime(t, fmt)) for t in texts]  # what the text can hold
    out, bad = dates(texts, tz=tz)
    assert not bad.any(), texts
    assert out.tolist() == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.datetimes(dt.datetime(1950, 1, 1), dt.datetime(2150, 12, 31),
                             timezones=st.sampled_from([dt.timezone(dt.timedelta(minutes=m))
                                                        for m in (-600, -300, -240, 0, 60, 330, 480, 545, 720)])),
                min_size=1, max_size=8),
       st.sampled_from(["UTC", "Asia/Shanghai", "Europe/Berlin"]), st.sampled_from(["T", " "]))
def test_parse_dates_converts_iso_offsets_to_the_zone(moments, tz, sep):
    moments = [m.replace(microsecond=0) for m in moments]
    texts = [m.isoformat(sep=sep) for m in moments]
    expected = [pd.Timestamp(m).tz_convert(tz).tz_localize(None) for m in moments]
    out, bad = dates(texts, tz=tz)
    assert not bad.any(), texts
    assert out.tolist() == expected


DATEISH = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\d{1,5}[-/. ]\d{1,3}[-/. ]\d{1,5}( \d{1,3}:\d{1,3}(:\d{1,3})?)?( ?[AaPp][Mm])?( ?[+-]\d{2}:?\d{2}| ?Z| UTC)?",
                  fullmatch=True),
    st.from_regex(r"\d{1,6}(\.\d{1,4})?", fullmatch=True),
    st.from_regex(r"\d{2,5}年\d{1,3}月\d{1,3}日?.{0,6}", fullmatch=True),
    st.from_regex(r"(Mon, )?\d{1,2} (Jan|Feb|March|Sept|Dec)[a-z]{0,3},? \d{1,5}( \d{1,2}:\d{2})?( [A-Z]{1,4}| [+-]\d{4})?",
                  fullmatch=True),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.none(), DATEISH), max_size=8), st.sampled_from(["", "dmy", "mdy"]),
       st.sampled_from(["UTC", "Asia/Shanghai"]))
def test_parse_dates_never_raises_anything_but_column_error(values, order, tz):
    series = S(values, dtype="str")
    try:
        out, bad = parse_dates(series, column="c", order=order, tz=tz)
    except ColumnError:
        return
    assert len(out) == len(bad) == len(values)
    assert out.dtype == "datetime64[ns]"
    # a value is either read, or reported, or was empty
    empty = series.str.strip().fillna("").eq("")
    assert (out.notna() ^ bad ^ empty).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["yes", "否", "是", "TRUE", "0"])),
                max_size=10))
def test_parse_flags_never_raises(values):
    out, bad = parse_flags(S(values, dtype="str"))
    assert len(out) == len(values) and str(out.dtype) == "boolean"
    assert not (out.notna() & bad).any()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=15)), max_size=10))
def test_parse_amounts_never_raises(values):
    out, bad = parse_amounts(S(values, dtype="str"))
    assert len(out) == len(values)
    assert not (out.notna() & bad).any()


# ---------------------------------------------------------------- fast paths = general parser


def _general(parse, values, **kw):
    """The same parser with its fast path switched off."""
    from unittest import mock

    from tiercli.schema import clean
    with mock.patch.object(clean, "_iso_dates_fast", lambda *a: None), \
            mock.patch.object(clean, "_amounts_fast", lambda *a: None):
        return parse(values, **kw)


def _assert_same(fast, general):
    pd.testing.assert_series_equal(fast[0], general[0], check_exact=True)
    pd.testing.assert_series_equal(fast[1], general[1], check_exact=True)
    if fast[0].dtype == "float64":  # -0.0 == 0.0: the sign must match too
        assert [str(x) for x in fast[0]] == [str(x) for x in general[0]]


def test_iso_fast_path_reads_a_plain_export_and_leaves_the_rest_to_the_general_parser():
    from tiercli.schema import clean
    plain = S(["2009-12-01 07:39:00", " 2010-01-31 23:59:59 ", None, "", "2011-12-09T12:50:00"], dtype="str")
    assert clean._iso_dates_fast(plain.str.strip(), plain.str.strip().fillna("").ne("")) is not None
    out, bad = parse_dates(plain, column="d")
    assert out.tolist()[:2] == [TS("2009-12-01 07:39:00"), TS("2010-01-31 23:59:59")]
    assert out.isna().tolist() == [False, False, True, True, False] and not bad.any()
    for odd in (["2009-12-01 07:39:00", "2009-12-01"], ["2009-02-30 00:00:00"], ["1899-12-31"],
                ["2009-12-01 07:39:00Z"], ["2009-12-1 07:39:00"], ["2009/12/01 07:39:00"]):
        series = S(odd, dtype="str")
        assert clean._iso_dates_fast(series, series.ne("")) is None, odd
        _assert_same(parse_dates(series, column="d"), _general(parse_dates, series, column="d"))
        chunked = _in_chunks(odd, 1)  # one layout across the chunks too
        assert clean._iso_dates_fast(chunked, chunked.ne("")) is None, odd


def test_amount_fast_path_gives_up_on_what_to_numeric_reads_differently():
    from tiercli.schema import clean
    for odd in (["1e3"], ["nan"], ["inf"], ["-0"], ["1234567890123456789"], ["1,5"], ["$3"]):
        series = S(odd, dtype="str")
        assert clean._amounts_fast(series, series.ne("")) is None, odd
        _assert_same(parse_amounts(series), _general(parse_amounts, series))
    series = S(["12", "-3.50", None, "", "+.5", "7."], dtype="str")
    assert clean._amounts_fast(series, series.fillna("").ne("")) is not None
    _assert_same(parse_amounts(series), _general(parse_amounts, series))


ISO_LAYOUTS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.datetimes(dt.datetime(1800, 1, 1), dt.datetime(2300, 12, 31)),
    st.none(), st.sampled_from(["", " ", "2021-02-29 00:00:00", "2021-13-01", "2021-01-01 24:00:00"]),
    st.from_regex(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?", fullmatch=True)), min_size=1, max_size=12),
       st.sampled_from(ISO_LAYOUTS), st.sampled_from(["UTC", "Asia/Shanghai"]), st.integers(1, 5))
def test_parse_dates_fast_path_matches_the_general_parser(values, fmt, tz, size):
    texts = [v.strftime(fmt) if isinstance(v, dt.datetime) else v for v in values]
    series = S(texts, dtype="str")
    general = _general(parse_dates, series, column="d", tz=tz)
    _assert_same(parse_dates(series, column="d", tz=tz), general)
    _assert_same(parse_dates(_in_chunks(texts, size), column="d", tz=tz), general)  # a file read in blocks


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.integers(-10**17, 10**17).map(str),
    st.none(), st.sampled_from(["", "-0", "0.0", "-0.00", "1e3", "NaN", "inf", "+.5", "5.", "1,234.50"]),
    st.from_regex(r"[+-]?\d{0,16}(\.\d{0,6})?", fullmatch=True)), min_size=1, max_size=12))
def test_parse_amounts_fast_path_matches_the_general_parser(texts):
    series = S(texts, dtype="str")
    _assert_same(parse_amounts(series), _general(parse_amounts, series))


# ---------------------------------------------------------------- matches_words (header and total lines)

_WORDS = ["total", "合计", "invoicedate", "grand total"]
_CELLS = st.one_of(st.none(), st.sampled_from(["Total", " TOTAL: ", "合计：", "\tInvoiceDate", "grand total", "Totals",
                                                "t", "", "  ", "Ｔotal", "İnvoicedate", "12.50", "TOTAL::"]),
                   st.text(alphabet="tTOoaAlL 合计:：\t\n\x1c\x85\u3000é", max_size=8))


def _in_chunks(cells: list, size: int) -> pd.Series:
    """A str column whose Arrow data is in chunks of ``size`` values (an empty chunk first), as a file read
    in blocks gives it."""
    parts = [pa.array([], pa.large_string())] + [pa.array(cells[i:i + size], pa.large_string())
                                                  for i in range(0, len(cells), size)]
    values = pd.Series(pd.array(pa.chunked_array(parts, pa.large_string()), dtype="str"))
    assert values.array.__arrow_array__().num_chunks == len(parts)
    return values


@given(st.lists(_CELLS, max_size=60), st.integers(1, 7))
@settings(max_examples=300)
def test_matches_words_equals_the_plain_expression(cells, size):
    for values in (pd.Series(cells, dtype="str"), _in_chunks(cells, size)):
        expected = values.str.strip().str.rstrip(":：").str.lower().isin(_WORDS).to_numpy(dtype=bool)
        assert (matches_words(values, _WORDS, strip=":：") == expected).all()
        plain = values.str.strip().str.lower().isin(_WORDS).to_numpy(dtype=bool)
        assert (matches_words(values, _WORDS) == plain).all()
        assert (matches_words(values.astype(object), _WORDS) == plain).all()  # not arrow-backed: the plain path
        among = ["Total", "", " TOTAL: ", "t"]
        assert (isin_text(values, among) == values.isin(among).to_numpy(dtype=bool)).all()


@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab \t\n\u3000\xa0合", max_size=5)), max_size=40),
       st.integers(1, 7))
@settings(max_examples=300)
def test_clean_text_skips_no_trim_it_needs(cells, size):
    """clean_text leaves a column as it is only when trimming would change nothing."""
    expected = pd.Series(cells, dtype="str").str.strip()
    expected = expected.where(expected != "")
    pd.testing.assert_series_equal(clean_text(_in_chunks(cells, size)), expected)
    values = pd.Series(cells, dtype="str")
    pd.testing.assert_series_equal(clean_text(values), expected)
    numbers, bad = parse_amounts(values.where(values.isna(), "12"))
    assert not bad.any() and numbers.dropna().eq(12).all()
