"""Column typing shared by the XLSX and CSV writers: how each column's cells are written, decided once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd


def is_arrow_text(s: pd.Series) -> bool:
    """Whether ``s.str`` runs on pyarrow (RE2 regexes, no lone surrogates possible)."""
    dtype = s.dtype
    return isinstance(dtype, pd.ArrowDtype) or (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow")


TEXT, BOOL, INT, FLOAT, DATETIME, OTHER = "text", "bool", "int", "float", "datetime", "other"


def classify(s: pd.Series) -> tuple[str, pd.Series]:
    """Decide once per column how its cells are written (``s`` is returned converted if needed)."""
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        s = pd.Series(np.asarray(s, dtype=object), name=s.name)
        dtype = s.dtype
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        if pa.types.is_date(dtype.pyarrow_dtype):
            try:
                return DATETIME, s.astype("datetime64[s]")
            except (ValueError, TypeError, OverflowError):
                return OTHER, s
    if pd.api.types.is_bool_dtype(dtype):
        return BOOL, s
    if pd.api.types.is_integer_dtype(dtype):
        return INT, s
    if pd.api.types.is_float_dtype(dtype):
        return FLOAT, s
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return DATETIME, s
    if dtype != object and pd.api.types.is_string_dtype(dtype):
        return TEXT, s
    if dtype == object:
        inferred = pd.api.types.infer_dtype(s, skipna=True)
        if inferred in ("string", "empty"):
            return TEXT, s
        if inferred == "boolean":
            return BOOL, s
        if inferred in ("date", "datetime", "datetime64"):
            try:
                conv = pd.to_datetime(s)
            except (ValueError, TypeError, OverflowError):
                return OTHER, s
            if pd.api.types.is_datetime64_any_dtype(conv.dtype):
                return DATETIME, conv
        if inferred in ("integer", "floating", "mixed-integer-float"):
            try:
                conv = pd.to_numeric(s)
            except (ValueError, TypeError):
                return OTHER, s
            kind = INT if pd.api.types.is_integer_dtype(conv.dtype) else FLOAT
            return kind, conv
    return OTHER, s


def is_na(value: Any) -> bool:
    """True for a scalar NA of any kind (None, NaN, NaT, pd.NA, numpy NaT)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        na = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return isinstance(na, (bool, np.bool_)) and bool(na)


def na_list(s: pd.Series) -> list:
    """Column values as Python objects with every NA (NaN, None, NaT, pd.NA) as None."""
    values = s.to_numpy(dtype=object).tolist()  # a fresh list: never mutates the caller's frame
    na = np.asarray(s.isna(), dtype=bool)
    if na.any():
        for i in np.flatnonzero(na).tolist():
            values[i] = None
    return values


def datetime_parts(s: pd.Series) -> tuple[np.ndarray, np.ndarray, bool]:
    """(microsecond datetimes, NaT mask, has a time of day) for a datetime column."""
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)  # Excel has no time zones: keep the local wall time
    us = s.to_numpy(dtype="datetime64[us]")
    nat = np.isnat(us)
    ticks = us.astype("int64")
    has_time = bool(np.any((ticks[~nat] % 86_400_000_000) != 0))
    return us, nat, has_time


def iso_strings(us: np.ndarray, nat: np.ndarray, has_time: bool) -> np.ndarray:
    if has_time:
        text = np.char.replace(np.datetime_as_string(us, unit="s"), "T", " ")
    else:
        text = np.datetime_as_string(us, unit="D")
    text = text.astype(object)
    text[nat] = None
    return text


def iso_scalar(value: dt.datetime) -> str:
    """ISO text of one datetime, date only at midnight (as in whole columns)."""
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M:%S")


def float_array(s: pd.Series) -> np.ndarray:
    """float64 values with NaN for NA; float32 goes via its shortest repr so 0.1 stays 0.1."""
    dtype = getattr(s.dtype, "numpy_dtype", s.dtype)
    if isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize < 8:
        return s.to_numpy(dtype=dtype, na_value=np.nan).astype(str).astype("float64")
    return s.to_numpy(dtype="float64", na_value=np.nan)


def header_text(label: Any) -> str:
    if isinstance(label, tuple):  # MultiIndex columns
        return " / ".join(str(part) for part in label if part is not None and str(part) != "")
    return "" if label is None else str(label)
