"""The .csv writer: UTF-8 with BOM, CRLF, QUOTE_MINIMAL, every text cell inert."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .atomic import (
    atomic_write,
)
from .columns import (
    DATETIME,
    OTHER,
    TEXT,
    classify,
    datetime_parts,
    header_text,
    is_arrow_text,
    is_na,
    iso_scalar,
    iso_strings,
)
from .inert import formula_like_mask, inert_text
from .model import Counts, WriteResult

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _csv_text(s: pd.Series, counts: Counts) -> pd.Series:
    s = s.reset_index(drop=True)
    if not is_arrow_text(s):
        # Lone surrogates cannot be encoded as UTF-8 (arrow strings cannot hold them).
        bad = np.array(s.str.contains(_SURROGATE_RE.pattern, regex=True, na=False), dtype=bool)
        if bad.any():
            s = s.str.replace(_SURROGATE_RE.pattern, "", regex=True)
            counts.fixed += int(bad.sum())
    # NUL ends a field in most CSV readers (pandas' included) and marks the file as binary: drop it
    nul = np.array(s.str.contains("\x00", regex=False, na=False), dtype=bool)
    if nul.any():
        s = s.str.replace("\x00", "", regex=False)
        counts.fixed += int(nul.sum())
    danger = formula_like_mask(s)
    if danger.any():
        counts.sanitized += int(danger.sum())
        flag = pd.Series(danger)
        s = s.mask(flag, "'" + s.where(flag, ""))
    return s


def _csv_other(value: Any, counts: Counts) -> Any:
    if not isinstance(value, str) and is_na(value):
        return None
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        if _SURROGATE_RE.search(value) or "\x00" in value:
            value = _SURROGATE_RE.sub("", value).replace("\x00", "")
            counts.fixed += 1
        value, changed = inert_text(value)
        counts.sanitized += changed
        return value
    if isinstance(value, dt.datetime):
        return iso_scalar(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _csv_frame(frame: pd.DataFrame, counts: Counts) -> tuple[pd.DataFrame, list[str]]:
    columns: dict[int, Any] = {}
    for c in range(frame.shape[1]):
        kind, s = classify(frame.iloc[:, c])
        s = s.reset_index(drop=True)
        if kind == TEXT:
            s = _csv_text(s, counts)
        elif kind == DATETIME:
            us, nat, has_time = datetime_parts(s)
            s = pd.Series(iso_strings(us, nat, has_time), dtype=object)
        elif kind == OTHER:
            s = pd.Series([_csv_other(v, counts) for v in s.to_numpy(dtype=object).tolist()], dtype=object)
        columns[c] = s
    out = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    headers = []
    for label in frame.columns:
        text, changed = inert_text(_SURROGATE_RE.sub("", header_text(label)).replace("\x00", ""))
        counts.sanitized += changed
        headers.append(text)
    return out, headers


# fields the csv module (QUOTE_MINIMAL, CRLF) quotes: holding the delimiter, the quote or a line end
_CSV_NEEDS_QUOTES = '[,"\r\n]'


def _csv_field_texts(s: pd.Series):
    """One column as arrow text exactly as ``DataFrame.to_csv`` writes its cells (null for an empty cell),
    or None for a column type this does not handle (the caller then lets pandas write the file)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = s.dtype
    if is_arrow_text(s):
        return pa.array(s.array)
    if dtype == object:
        return pa.array([None if v is None or (not isinstance(v, str) and is_na(v)) else str(v)
                         for v in s.to_numpy(dtype=object).tolist()], type=pa.string())
    if isinstance(dtype, (pd.BooleanDtype, pd.Int64Dtype, pd.Int32Dtype)):  # nullable: NA is an empty cell
        arr = pa.array(s.array)
        return pc.if_else(arr, "True", "False") if pa.types.is_boolean(arr.type) else pc.cast(arr, pa.string())
    if not isinstance(dtype, np.dtype):
        return None
    if dtype.kind == "b":
        return pa.array(np.where(s.to_numpy(), "True", "False"))
    if dtype.kind in "iu":
        return pc.cast(pa.array(s.to_numpy()), pa.string())
    if dtype == "float64":
        v = s.to_numpy()
        text = pc.cast(pa.array(v, from_pandas=True), pa.string())  # shortest round-trip digits, like repr
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(v) & (np.mod(v, 1) == 0)
            # arrow's exponent form starts elsewhere than repr's (1e+10 / 10000000000.0), and -0 / inf differ
            odd = ~np.isnan(v) & ((v != 0) & (np.abs(v) < 1e-4) | (np.abs(v) >= 1e15) | np.signbit(v) & (v == 0)
                                  | np.isinf(v) | np.asarray(pc.fill_null(pc.match_substring(text, "e"), False)))
        text = pc.if_else(pa.array(whole & ~odd), pc.binary_join_element_wise(text, ".0", ""), text)  # 311 -> 311.0
        if odd.any():
            spots = np.flatnonzero(odd)
            fixed = text.to_pylist()
            for i in spots.tolist():
                fixed[i] = repr(float(v[i]))
            text = pa.array(fixed, type=pa.string())
        return text
    return None


def _csv_document(out: pd.DataFrame, headers: list[str]) -> str | None:
    """The whole CSV (header and rows, CRLF) built column-wise in arrow: what ``to_csv`` with QUOTE_MINIMAL
    writes (2.7 x faster on a 6,000 x 52 customer table); None when a column is of a type it does not handle."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if out.shape[1] < 2 or not len(out):  # (a one-field row quotes an empty field: leave that to pandas)
        return None
    quote, nothing = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    fields = []
    for c in range(out.shape[1]):
        column = out.iloc[:, c]
        text = _csv_field_texts(column)
        if text is None:
            return None
        text = text.cast(pa.large_string())
        if not (isinstance(column.dtype, np.dtype) and column.dtype.kind in "biuf"):  # numbers never need quotes
            needs = pc.match_substring_regex(text, _CSV_NEEDS_QUOTES)
            if pc.any(needs).as_py():
                quoted = pc.binary_join_element_wise(quote, pc.replace_substring(text, '"', '""'), quote, nothing)
                text = pc.if_else(needs, quoted, text)
        fields.append(pc.fill_null(text, nothing))
    rows = pc.binary_join_element_wise(*fields, pa.scalar(",", pa.large_string())).to_pylist()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerow(headers)
    return buffer.getvalue() + "\r\n".join(rows) + "\r\n"


def write_csv(path, frame: pd.DataFrame, *, retries: int = 3, retry_delay: float = 0.5) -> WriteResult:
    """Write ``frame`` as UTF-8-with-BOM CSV (Excel/WPS read Chinese correctly), CRLF, atomically."""
    counts = Counts()
    out, headers = _csv_frame(frame, counts)
    document = _csv_document(out, headers)

    def fill(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            if document is not None:
                fh.write(document)
                return
            if out.shape[1] == 0:
                return
            # QUOTE_MINIMAL with a CRLF terminator quotes any field holding
            # CR, LF, '"' or ',', so every record stays one row.
            out.to_csv(
                fh,
                index=False,
                header=headers,
                sep=",",
                lineterminator="\r\n",
                quoting=csv.QUOTE_MINIMAL,
                quotechar='"',
                doublequote=True,
                na_rep="",
            )

    final, fallback = atomic_write(path, fill, retries, retry_delay)
    return WriteResult(final, fallback, counts.sanitized, counts.fixed)
