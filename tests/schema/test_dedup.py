"""The fast paths of duplicate removal on a big export: the same lines as pandas' own expressions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from tiercli.schema import dataset as ds


def _text(values: list, chunk: int) -> pd.Series:
    """A str column whose Arrow data is in chunks, as a CSV read in blocks gives it."""
    t = pa.large_string()
    parts = [pa.array(values[i:i + chunk], t) for i in range(0, len(values), chunk)]
    return pd.Series(pd.array(pa.chunked_array(parts, t), dtype="str"))


def _lines(m: int = 16_000, repeats: int = 8_000, seed: int = 5) -> pd.DataFrame:
    """m distinct-ish lines and ``repeats`` exact repeats of some of them, shuffled; text in chunks."""
    rng = np.random.default_rng(seed)
    row = rng.permutation(np.concatenate([np.arange(m), rng.integers(0, m, repeats)]))
    n = len(row)
    order = rng.integers(0, 900, m)[row]
    price = rng.choice([0.0, -0.0, 1.25, 2.5, np.nan], m)[row]
    product = rng.integers(0, 30, m)[row]
    customer = _text([None if o % 89 == 0 else f"C{o % 300}" for o in order], 5_000)
    return pd.DataFrame({
        "file": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=["a.csv"]),
        "line": np.arange(2, n + 2),
        "order_id": _text([None if o % 97 == 0 else f"{o:06d}" for o in order], 7_000),
        "customer": customer,
        "customer_id": customer,  # the very same Arrow data, as canonicalize makes it
        "email": _text([None] * n, 6_000),
        "name": _text([None] * n, 6_000),
        "date": pd.to_datetime(rng.integers(0, 40, m)[row], unit="D", origin="2010-01-01"),
        "status": _text(["paid"] * n, 8_000),
        "product": _text([f"P{p}" if p else None for p in product], 4_000),
        "sku": _text([f"S{p % 7}" for p in product], 9_000),
        "quantity": rng.integers(-2, 4, m)[row].astype(float),
        "unit_price": price,
        "line_value": price * 2,
        "order_total": np.full(n, np.nan),
        "country": _text([["GB", "FR", None][o % 3] for o in order], 3_000),
        "is_sample": np.zeros(n, dtype=bool),
    })


def test_duplicated_lines_is_pandas_duplicated():
    lines = _lines()
    assert lines["order_id"].array.__arrow_array__().num_chunks > 1
    expected = lines.duplicated(subset=ds._DEDUP_COLUMNS, keep="first")
    assert 5_000 < expected.sum() < 12_000  # the repeats, and a few lines equal by chance
    pd.testing.assert_series_equal(ds._duplicated_lines(lines), expected, check_names=False)


@pytest.mark.parametrize("consume", [False, True])
def test_take_rows_is_a_boolean_filter(consume):
    lines = _lines()
    keep = ~lines.duplicated(subset=ds._DEDUP_COLUMNS, keep="first").to_numpy()
    expected = lines[keep].reset_index(drop=True)
    given = lines.copy(deep=True) if consume else lines
    taken = ds._take_rows(given, keep, consume=consume)
    pd.testing.assert_frame_equal(taken, expected, check_exact=True)
    if consume:
        assert given.shape[1] == 0  # the caller's frame was let go
    else:
        pd.testing.assert_frame_equal(lines, _lines())  # left as it was
    # columns sharing data stay independent: setting one leaves the other
    taken.loc[0, "customer"] = "someone else"
    assert taken.loc[0, "customer_id"] == expected.loc[0, "customer_id"]
    taken.loc[0, "email"] = "x@example.com"
    assert pd.isna(taken.loc[0, "name"])


def _alike(n: int, seed: int, spread: int) -> pd.DataFrame:
    """``n`` lines sharing their numbers, date and (mostly) order id, told apart, if at all, only by the later
    text columns: empty text vs missing, case, unicode; ``spread`` distinct values each (1: all repeats)."""
    rng = np.random.default_rng(seed)
    words = ["", None, "a", "A", "é", "É", "货品", "a ", "ß", "SS"]

    def pick(k: int) -> list:
        return [words[i % len(words)] for i in rng.integers(0, min(spread, len(words)), k)]

    return pd.DataFrame({
        "order_id": _text(["O1" if o else None for o in rng.integers(0, 20, n)], 3_001),
        "customer": _text(pick(n), 2_500),
        "date": pd.to_datetime(np.full(n, 3), unit="D", origin="2010-01-01"),
        "status": _text(pick(n), 4_000),
        "product": _text(pick(n), 1_999),
        "sku": _text(pick(n), 7_000),
        "quantity": np.ones(n),
        "unit_price": rng.choice([2.0, np.nan], n) if spread > 1 else np.full(n, 2.0),
        "line_value": np.full(n, np.nan),
        "order_total": np.full(n, -0.0),
        "country": _text(pick(n), 5_000),
    })


@pytest.mark.parametrize("seed,spread", [(1, 10), (2, 4), (3, 2), (4, 1)])
def test_duplicated_lines_refined_column_by_column(seed, spread):
    """The candidate lines narrowed one text column at a time (numbers and order id shared by nearly all):
    the same as pandas, whatever the case, missing or empty text, unicode, and when every line repeats."""
    lines = _alike(30_000, seed, spread)
    expected = lines.duplicated(subset=ds._DEDUP_COLUMNS, keep="first")
    if spread == 1:
        assert expected.sum() > 25_000
    pd.testing.assert_series_equal(ds._duplicated_lines(lines), expected, check_names=False)


def test_duplicated_lines_small_and_single():
    for n in (1, 2, 9_999):
        lines = _alike(n, 7, 3)
        expected = lines.duplicated(subset=ds._DEDUP_COLUMNS, keep="first")
        pd.testing.assert_series_equal(ds._duplicated_lines(lines), expected, check_names=False)


def test_repeated_keys_is_duplicated_keep_false():
    """Whatever columns the key is refined by, a line left out is one no other line equals on them all."""
    lines = _alike(40_000, 9, 10)
    key = np.zeros(len(lines), dtype=np.uint64)
    maybe = ds._repeated_keys(key, lines, ds._KEY_TEXT)
    truly = lines.duplicated(subset=ds._KEY_TEXT, keep=False).to_numpy()
    assert not (truly & ~maybe).any()
    assert maybe.sum() <= max(10_000, len(lines) // 50) or maybe.sum() == truly.sum()


@pytest.mark.parametrize("n,distinct", [(0, 1), (1, 1), (2, 1), (5_000, 1), (5_000, 40), (200_000, 150_000),
                                        (50_000, 2**63)])
def test_repeats_is_duplicated_keep_false(n, distinct):
    rng = np.random.default_rng(n)
    key = rng.integers(0, distinct, n, dtype=np.uint64) if distinct < 2**63 else \
        rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    if n > 2:
        key[-1] = np.uint64(2**64 - 1)  # the largest key, once or twice
        key[0] = key[-1] if n % 2 else key[0]
    expected = pd.Series(key).duplicated(keep=False).to_numpy()
    np.testing.assert_array_equal(ds._repeats(key), expected)


def test_duplicated_lines_with_a_text_column_not_held_in_arrow():
    """A text column that is not Arrow-backed (object dtype) has no codes: it is left to the full comparison."""
    rng = np.random.default_rng(7)
    n = 24_000

    def text(values):
        return pd.array(rng.choice(values, n), dtype="str")

    lines = pd.DataFrame({
        "order_id": pd.Series(rng.choice([f"O{i}" for i in range(30)], n), dtype=object),
        "customer": text(["c1", "c2", None]),
        "date": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 3, n), unit="D"),
        "status": text(["paid", "Paid"]),
        "product": text(["mug", "cup"]),
        "sku": pd.Series(rng.choice(["A", "B", "b", ""], n), dtype=object),  # (both key columns: no codes)
        "quantity": rng.integers(1, 3, n).astype("float64"),
        "unit_price": rng.choice([1.0, 2.5], n),
        "line_value": rng.choice([1.0, 2.5], n),
        "order_total": rng.choice([1.0, np.nan], n),
        "country": text(["US", "UK"]),
    })
    assert ds._duplicated_lines(lines).equals(lines.duplicated(subset=ds._DEDUP_COLUMNS, keep="first"))
