"""The .json writer: plain JSON types (NaN/NA as null, dates ISO), indented UTF-8."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import fractions
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .atomic import (
    atomic_write,
)
from .model import WriteResult


def _jsonable(obj: Any) -> Any:
    """Plain JSON types: NaN/NA/NaT -> None, dates ISO, numpy scalars unwrapped."""
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, Mapping):
        return {_json_key(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, pd.DataFrame):
        return [_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, (pd.Series, pd.Index)):
        return [_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating, decimal.Decimal, fractions.Fraction)):
        f = float(obj)
        return f if math.isfinite(f) else None  # JSON has no NaN or infinity
    if obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, np.datetime64):
        obj = pd.Timestamp(obj)
        return None if obj is pd.NaT else obj.isoformat()
    if isinstance(obj, (dt.datetime, dt.date, dt.time)):
        return obj.isoformat()
    if isinstance(obj, (pd.Timedelta, dt.timedelta, np.timedelta64)):
        td = pd.Timedelta(obj)
        return None if td is pd.NaT else td.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, enum.Enum):
        return _jsonable(obj.value)
    if isinstance(obj, pd.Period):
        return str(obj)
    raise TypeError(f"cannot write {type(obj).__name__} as JSON")


def _json_key(key: Any) -> str:
    value = _jsonable(key)
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    return json.dumps(value)


def write_json(path, obj, *, retries: int = 3, retry_delay: float = 0.5) -> WriteResult:
    """Write ``obj`` (dict/list) as indented UTF-8 JSON, atomically."""
    text = json.dumps(_jsonable(obj), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    # A lone surrogate becomes the JSON escape \udXXX instead of crashing the encoder.
    data = text.encode("utf-8", "backslashreplace")

    def fill(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)

    final, fallback = atomic_write(path, fill, retries, retry_delay)
    return WriteResult(final, fallback, 0, 0)
