"""Every file tiercli writes goes through here.

Sellers open the outputs in Excel/WPS, often on a shared SMB/NFS drive and
often while cron writes the next run, so each write is:

* atomic: a hidden temp file in the target's folder, fsync, ``os.replace``;
  an interrupted run leaves the old file, never half a file;
* busy-tolerant: if Excel holds the target, retry, then write a dated file
  beside it and report ``fallback=True`` (the caller picks the exit code);
* inert: no cell is ever a formula or a link, and CSV text that a
  spreadsheet would run as a formula gets a leading ``'`` (OWASP CSV
  injection); in xlsx such text is a string cell with Excel's quote prefix,
  so it stays text even when the seller edits the cell;
* Excel-safe: text that Excel cannot hold is repaired and counted, not fatal
  (and NUL, which no CSV reader survives, is dropped from CSV text).

The module never prints and never exits.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import enum
import errno
import fractions
import io
import json
import math
import os
import re
import secrets
import stat
import tempfile
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from tiercli.errors import EnvironmentFault, OutputError, environment_fault

__all__ = [
    "Chart",
    "Sheet",
    "WriteResult",
    "inert_text",
    "write_csv",
    "write_json",
    "write_workbook",
]

# --------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------

CHART_KINDS = ("column", "bar", "pie", "line", "pareto")


@dataclass(frozen=True)
class Chart:
    """A native Excel chart over columns of its sheet's table."""

    kind: str
    title: str
    categories: str
    values: tuple[str, ...]
    anchor: str | None = None
    x_title: str | None = None
    y_title: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.values, str):  # Chart(..., values="x") is an easy slip
            object.__setattr__(self, "values", (self.values,))
        else:
            object.__setattr__(self, "values", tuple(self.values))
        if self.kind not in CHART_KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}; use one of {', '.join(CHART_KINDS)}")
        if not self.values:
            raise ValueError(f"chart {self.title!r} has no value columns")
        if self.kind == "pareto" and len(self.values) != 2:
            raise ValueError(f"pareto chart {self.title!r} needs (bar_values, cumulative_share)")
        if self.kind == "pie" and len(self.values) != 1:
            raise ValueError(f"pie chart {self.title!r} takes exactly one value column")


# eq=False: a DataFrame has no truth value, so generated __eq__/__hash__ would blow up.
@dataclass(frozen=True, eq=False)
class Sheet:
    """One worksheet: a title-less or captioned table plus optional charts."""

    name: str
    frame: pd.DataFrame
    charts: tuple[Chart, ...] = ()
    freeze_header: bool = True
    autofilter: bool = True
    title: str | None = None
    formats: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            raise TypeError(f"Sheet {self.name!r}: frame must be a pandas DataFrame")
        object.__setattr__(self, "charts", tuple(self.charts))
        object.__setattr__(self, "formats", MappingProxyType(dict(self.formats or {})))


@dataclass
class WriteResult:
    """Where the data went and what had to be neutralised or repaired on the way."""

    path: Path
    fallback: bool
    sanitized_cells: int = 0
    fixed_cells: int = 0


# --------------------------------------------------------------------------
# Formula-injection guard
# --------------------------------------------------------------------------

# Characters that make Excel/WPS/LibreOffice treat a cell as a formula (or that
# smuggle one in after a line break), per OWASP "CSV Injection".
_TRIGGERS = "=+-@\t\r\n\x00"
# Used with Series.str.match (anchored); the same text works for Python re and RE2.
_TRIGGER_PAT = r" *[=+\-@\t\r\n\x00]"
# First non-space character outside ASCII: only then can NFKC change it
# (ASCII is NFKC-stable and no trigger is a composed character).
_NON_ASCII_HEAD_PAT = r" *[^\x00-\x7f]"


def _is_dangerous(text: str) -> bool:
    head = text.lstrip(" ")
    if not head:
        return False
    first = head[0]
    if first in _TRIGGERS:
        return True
    if first.isascii():
        return False
    # Full-width ＝＋－＠, small forms, ⁼, ⩵ ... all normalise to a trigger.
    normal = unicodedata.normalize("NFKC", text).lstrip(" ")
    return bool(normal) and normal[0] in _TRIGGERS


def inert_text(value: str) -> tuple[str, bool]:
    """Return ``(text, changed)``: text a spreadsheet would run as a formula gets a leading ``'``.

    The raw text is checked as well as its NFKC form, so ``"=\u0338..."`` (which
    NFKC turns into ``"≠..."`` but Excel still sees as ``=``) is caught too.
    """
    if _is_dangerous(value):
        return "'" + value, True
    return value, False


class _Inert(str):
    """Text a spreadsheet would run as a formula, marked for the xlsx writer: written as a string cell
    with Excel's quote prefix (``quotePrefix``), which keeps it text when the seller edits the cell."""

    __slots__ = ()


def _danger_mask(s: pd.Series) -> np.ndarray:
    """Vectorised ``_is_dangerous`` over a text Series (positional, NA -> False)."""
    mask = np.array(s.str.match(_TRIGGER_PAT, na=False), dtype=bool)
    cand = np.array(s.str.match(_NON_ASCII_HEAD_PAT, na=False), dtype=bool)
    if cand.any():
        normal = s[cand].str.normalize("NFKC")
        mask[cand] |= np.array(normal.str.match(_TRIGGER_PAT, na=False), dtype=bool)
    return mask


# --------------------------------------------------------------------------
# Text Excel cannot hold
# --------------------------------------------------------------------------

XLSX_MAX_TEXT = 32_767  # UTF-16 units, which is how Excel counts
_XML_ILLEGAL_CORE = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
# Arrow-backed strings are valid UTF-8, so they cannot hold lone surrogates and
# RE2 rejects surrogates in a pattern; Python strings (object columns) can.
_ILLEGAL_ARROW = f"[{_XML_ILLEGAL_CORE}]"
_ILLEGAL_PY = f"[{_XML_ILLEGAL_CORE}\ud800-\udfff]"
_ILLEGAL_PY_RE = re.compile(_ILLEGAL_PY)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# Text that XlsxWriter cannot write as a plain string cell (see _SheetWriter.put_text).
_RICH_START, _RICH_END = "<r>", "</r>"
_ESCAPE_STARTS_RE = re.compile(r"(?=_x[0-9A-Fa-f]{4}_)")  # overlapping on purpose
_OVERLAPPING_ESCAPES = r"_x[0-9A-Fa-f]{4}_x[0-9A-Fa-f]{4}_"
_OVERLAPPING_ESCAPES_RE = re.compile(_OVERLAPPING_ESCAPES)


def _needs_runs(text: str) -> bool:
    return (text.startswith(_RICH_START) and text.endswith(_RICH_END)) or bool(
        _OVERLAPPING_ESCAPES_RE.search(text)
    )


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _cut_utf16(text: str, limit: int = XLSX_MAX_TEXT) -> str:
    """Cut to ``limit`` UTF-16 units without splitting a character above U+FFFF."""
    if len(text) <= limit // 2 or _utf16_len(text) <= limit:
        return text
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return text[:i]
    return text


def _fix_text(text: str) -> str:
    return _cut_utf16(_ILLEGAL_PY_RE.sub("", text))


def _is_arrow_text(s: pd.Series) -> bool:
    """Whether ``s.str`` runs on pyarrow (RE2 regexes, no lone surrogates possible)."""
    dtype = s.dtype
    return isinstance(dtype, pd.ArrowDtype) or (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow")


# --------------------------------------------------------------------------
# Column classification shared by the XLSX and CSV writers
# --------------------------------------------------------------------------

_TEXT, _BOOL, _INT, _FLOAT, _DATETIME, _OTHER = "text", "bool", "int", "float", "datetime", "other"


def _classify(s: pd.Series) -> tuple[str, pd.Series]:
    """Decide once per column how its cells are written (``s`` is returned converted if needed)."""
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        s = pd.Series(np.asarray(s, dtype=object), name=s.name)
        dtype = s.dtype
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        if pa.types.is_date(dtype.pyarrow_dtype):
            try:
                return _DATETIME, s.astype("datetime64[s]")
            except (ValueError, TypeError, OverflowError):
                return _OTHER, s
    if pd.api.types.is_bool_dtype(dtype):
        return _BOOL, s
    if pd.api.types.is_integer_dtype(dtype):
        return _INT, s
    if pd.api.types.is_float_dtype(dtype):
        return _FLOAT, s
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _DATETIME, s
    if dtype != object and pd.api.types.is_string_dtype(dtype):
        return _TEXT, s
    if dtype == object:
        inferred = pd.api.types.infer_dtype(s, skipna=True)
        if inferred in ("string", "empty"):
            return _TEXT, s
        if inferred == "boolean":
            return _BOOL, s
        if inferred in ("date", "datetime", "datetime64"):
            try:
                conv = pd.to_datetime(s)
            except (ValueError, TypeError, OverflowError):
                return _OTHER, s
            if pd.api.types.is_datetime64_any_dtype(conv.dtype):
                return _DATETIME, conv
        if inferred in ("integer", "floating", "mixed-integer-float"):
            try:
                conv = pd.to_numeric(s)
            except (ValueError, TypeError):
                return _OTHER, s
            kind = _INT if pd.api.types.is_integer_dtype(conv.dtype) else _FLOAT
            return kind, conv
    return _OTHER, s


def _is_na(value: Any) -> bool:
    """True for a scalar NA of any kind (None, NaN, NaT, pd.NA, numpy NaT)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        na = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return isinstance(na, (bool, np.bool_)) and bool(na)


def _na_list(s: pd.Series) -> list:
    """Column values as Python objects with every NA (NaN, None, NaT, pd.NA) as None."""
    values = s.to_numpy(dtype=object).tolist()  # a fresh list: never mutates the caller's frame
    na = np.asarray(s.isna(), dtype=bool)
    if na.any():
        for i in np.flatnonzero(na).tolist():
            values[i] = None
    return values


def _datetime_parts(s: pd.Series) -> tuple[np.ndarray, np.ndarray, bool]:
    """(microsecond datetimes, NaT mask, has a time of day) for a datetime column."""
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)  # Excel has no time zones: keep the local wall time
    us = s.to_numpy(dtype="datetime64[us]")
    nat = np.isnat(us)
    ticks = us.astype("int64")
    has_time = bool(np.any((ticks[~nat] % 86_400_000_000) != 0))
    return us, nat, has_time


def _iso_strings(us: np.ndarray, nat: np.ndarray, has_time: bool) -> np.ndarray:
    if has_time:
        text = np.char.replace(np.datetime_as_string(us, unit="s"), "T", " ")
    else:
        text = np.datetime_as_string(us, unit="D")
    text = text.astype(object)
    text[nat] = None
    return text


def _iso_scalar(value: dt.datetime) -> str:
    """ISO text of one datetime, date only at midnight (as in whole columns)."""
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _float_array(s: pd.Series) -> np.ndarray:
    """float64 values with NaN for NA; float32 goes via its shortest repr so 0.1 stays 0.1."""
    dtype = getattr(s.dtype, "numpy_dtype", s.dtype)
    if isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize < 8:
        return s.to_numpy(dtype=dtype, na_value=np.nan).astype(str).astype("float64")
    return s.to_numpy(dtype="float64", na_value=np.nan)


def _header_text(label: Any) -> str:
    if isinstance(label, tuple):  # MultiIndex columns
        return " / ".join(str(part) for part in label if part is not None and str(part) != "")
    return "" if label is None else str(label)


# --------------------------------------------------------------------------
# Atomic writing
# --------------------------------------------------------------------------

TMP_PREFIX = ".~tiercli-"
TMP_SUFFIX = ".tmp"
_BUSY_ERRNOS = {errno.EACCES, errno.EBUSY, getattr(errno, "ETXTBSY", errno.EBUSY)}
_BUSY_WINERRORS = {5, 32, 33}  # access denied, sharing violation, lock violation


def _is_busy(err: OSError) -> bool:
    return (
        isinstance(err, PermissionError)
        or err.errno in _BUSY_ERRNOS
        or getattr(err, "winerror", None) in _BUSY_WINERRORS
    )


def _fail(path: Path, what: str, hint: str) -> OutputError:
    return OutputError(f"cannot write {path}: {what}.", hint=hint)


def _refused(path: Path, err: OSError, what: str | None = None,
             hint: str = "Check the disk and folder, or choose another -o.") -> OutputError:
    """The drive refused a write (full, read-only, no permission, I/O error): exit code 5, one line."""
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS):
        return environment_fault(err, path, "write")
    return EnvironmentFault(f"cannot write {path}: {what or err.strerror or err}.", hint=hint)


def _check_target(path: Path) -> Path:
    folder = path.parent
    if not folder.exists():
        raise _fail(path, f"folder {folder} does not exist", "Create it or choose another -o.")
    if not folder.is_dir():
        raise _fail(path, f"{folder} is not a folder", "Choose another -o.")
    if path.is_dir():
        raise _fail(path, "it is a folder", "Give a file name with -o.")
    return folder


def _make_temp(path: Path, folder: Path) -> Path:
    """Create the temp file beside the target (same filesystem, so os.replace is atomic)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    stem = path.name[:60]
    for _ in range(20):
        tmp = folder / f"{TMP_PREFIX}{stem}-{secrets.token_hex(4)}{TMP_SUFFIX}"
        try:
            # 0o666 minus umask, like any new file: mkstemp's 0600 would lock
            # colleagues out of a report on a shared drive.
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        except PermissionError as err:
            raise _refused(path, err, f"no permission to write in folder {folder}",
                           "Fix its permissions or choose another -o.") from err
        except OSError as err:
            raise _refused(path, err) from err
        os.close(fd)
        try:  # a rewritten report keeps the permissions it had (a symlink's target's are not its own)
            old = os.lstat(path)
            if stat.S_ISREG(old.st_mode):
                os.chmod(tmp, stat.S_IMODE(old.st_mode))
        except OSError:
            pass
        return tmp
    raise _fail(path, "could not create a temporary file", "Check the folder or choose another -o.")


STALE_TEMP_S = 3600.0  # a temp untouched this long is a killed run's (no write of tiercli's takes an hour)
SCRATCH_PREFIX = "tiercli-xlsx-"  # the workbook writer's spill folders, in TMPDIR


def remove_stale_temps(folder: Path, older_than_s: float = STALE_TEMP_S) -> int:
    """Delete the ``.~tiercli-*.tmp`` files killed runs left in ``folder``; symlinks are removed, never followed."""
    removed = 0
    now = time.time()
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if not (name.startswith(TMP_PREFIX) and name.endswith(TMP_SUFFIX)):
            continue
        p = Path(folder) / name
        try:
            st = os.lstat(p)
            if (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)) and now - st.st_mtime > older_than_s:
                os.unlink(p)
                removed += 1
        except OSError:
            pass
    return removed


def remove_stale_scratch(older_than_s: float = STALE_TEMP_S, where: str | None = None) -> int:
    """Delete the workbook writer's scratch folders (``TMPDIR/tiercli-xlsx-*``) killed runs left: this user's
    only, none touched for ``older_than_s`` (the folder and the spill files in it); symlinks never followed."""
    import shutil

    where = where or tempfile.gettempdir()
    removed = 0
    now = time.time()
    try:
        names = [n for n in os.listdir(where) if n.startswith(SCRATCH_PREFIX)]
    except OSError:
        return 0
    for name in names:
        p = os.path.join(where, name)
        try:
            st = os.lstat(p)
            if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
                continue
            newest = max([st.st_mtime] + [os.lstat(os.path.join(p, f)).st_mtime for f in os.listdir(p)])
            if now - newest > older_than_s:
                shutil.rmtree(p, ignore_errors=True)
                removed += 1
        except OSError:
            pass
    return removed


def _fsync_file(tmp: Path) -> None:
    # O_RDWR: Windows only commits through a writable handle.
    fd = os.open(tmp, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)):
            raise
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on Windows and some network filesystems.
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(tmp: Path) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _now() -> dt.datetime:
    return dt.datetime.now()  # local time: the seller reads the name next to the original


def _fallback_candidates(path: Path):
    stamp = _now().strftime("%Y%m%d-%H%M%S")
    stem, ext = path.stem, path.suffix
    yield path.with_name(f"{stem}.{stamp}{ext}")
    for n in range(2, 1000):
        yield path.with_name(f"{stem}.{stamp}-{n}{ext}")


def _publish(tmp: Path, path: Path, retries: int, retry_delay: float) -> tuple[Path, bool]:
    """Rename the finished temp file onto the target, or beside it if the target stays busy."""
    for attempt in range(max(0, retries) + 1):
        try:
            os.replace(tmp, path)
            return path, False
        except OSError as err:
            if not _is_busy(err):
                raise _refused(path, err) from err
        if attempt < retries:
            time.sleep(retry_delay)
    last: OSError | None = None
    for candidate in _fallback_candidates(path):
        if candidate.exists():
            continue
        try:
            os.replace(tmp, candidate)
            return candidate, True
        except OSError as err:
            last = err
            if not _is_busy(err):
                break
    raise _fail(path, "it is busy and no fallback file could be written", "Close it in Excel and run again.") from last


def _atomic_write(path: Any, fill: Callable[[Path], None], retries: int, retry_delay: float) -> tuple[Path, bool]:
    """Run ``fill(tmp)`` to write the whole content, then publish it atomically."""
    path = Path(path)
    folder = _check_target(path)
    remove_stale_temps(folder)
    tmp = _make_temp(path, folder)
    try:
        try:
            fill(tmp)
            _fsync_file(tmp)
        except OSError as err:
            raise _refused(path, err) from err
        final, fallback = _publish(tmp, path, retries, retry_delay)
    except BaseException:
        # KeyboardInterrupt included: never leave a temp file or touch the old target.
        _remove_quietly(tmp)
        raise
    _fsync_dir(folder)
    return final, fallback


# --------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------

_MAX_ROWS, _MAX_COLS = 1_048_576, 16_384
_MAX_WIDTH, _MIN_WIDTH = 60, 6
_EXCEL_EPOCH = np.datetime64("1899-12-30", "us")
_DAY_US = 86_400_000_000
# Day counts from 1899-12-30: Excel's serial 1 is 1900-01-01 and it has a fake
# 1900-02-29, so serials before 1900-03-01 (day 61) are one lower.
_FIRST_DAY, _LEAP_BUG_END, _PAST_LAST_DAY = 2, 61, 2_958_466
_BIG_INT = 10**15  # Excel keeps 15 significant digits: longer IDs go in as text


class _Serial(float):
    """An Excel date serial inside a mixed column (written with the date format)."""


class _Counts:
    __slots__ = ("sanitized", "fixed")

    def __init__(self) -> None:
        self.sanitized = 0
        self.fixed = 0


def _display_width(text: str) -> int:
    text = text[:_MAX_WIDTH * 2]
    width = 0
    for line in text.split("\n"):
        if line.isascii():
            w = len(line)
        else:  # CJK and other wide characters take two columns
            w = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        width = max(width, w)
    return width


def _sample_positions(n: int) -> list[int]:
    if n <= 300:
        return list(range(n))
    return list(range(100)) + np.linspace(100, n - 1, 200).astype(int).tolist()


class _SheetWriter:
    """Writes one Sheet into an open constant_memory workbook."""

    def __init__(self, book: "_BookWriter", sheet: Sheet, name: str) -> None:
        self.book = book
        self.sheet = sheet
        self.name = name
        self.ws = book.wb.add_worksheet(name)
        self.counts = book.counts
        self.header_row = 2 if sheet.title else 0

    # -- cells ---------------------------------------------------------------

    def put_text(self, row: int, col: int, text: str, fmt=None) -> None:
        """Write already-cleaned text as a plain string cell, never a formula or link."""
        if type(text) is _Inert:
            fmt = self.book.inert(fmt)
        if _needs_runs(text):
            # XlsxWriter 3.x in constant_memory mode copies a string that looks
            # like "<r>...</r>" into the sheet XML unescaped (it takes it for its
            # own rich-string markup), so "<r>..</r></is><f>..</f>.." would inject
            # a formula. Its public rich-string writer escapes each run instead.
            # Literal "_xHHHH_" is cut across runs: that path escapes it twice,
            # and the plain path mangles overlapping ones ("_x0041_x0042_").
            # A CR inside a run comes out double-escaped (_x005F_x000D_), so on this
            # path line breaks are written as LF, which Excel shows the same way.
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
                self.counts.fixed += 1
            cuts = {1, 2, len(text)}
            cuts.update(m.start() + 2 for m in _ESCAPE_STARTS_RE.finditer(text))
            bounds = sorted(cuts)
            parts = [text[a:b] for a, b in zip([0, *bounds], bounds) if b > a]
            if fmt is None:
                self.ws.write_rich_string(row, col, *parts)
            else:
                self.ws.write_rich_string(row, col, *parts, fmt)
        else:
            self.ws.write_string(row, col, text, fmt)

    def text_cell(self, text: str) -> str:
        """Clean one stray text cell (header, caption, mixed column) and count it."""
        fixed = _fix_text(text)
        if fixed != text:
            self.counts.fixed += 1
        if _is_dangerous(fixed):
            self.counts.sanitized += 1
            return _Inert(fixed)
        return fixed

    def write_text(self, row: int, col: int, value: str, fmt) -> None:
        """A text column's writer when some of its cells are formula-like."""
        if type(value) is _Inert:
            self.ws.write_string(row, col, value, self.book.inert(fmt))
        else:
            self.ws.write_string(row, col, value, fmt)

    def write_mixed(self, row: int, col: int, value: Any, fmt) -> None:
        # Per-cell dispatch, only for the rare columns that hold several types.
        kind = type(value)
        if kind is str or kind is _Inert:
            self.put_text(row, col, value)
        elif kind is bool:
            self.ws.write_boolean(row, col, value, fmt)
        elif kind is _Serial:
            self.ws.write_number(row, col, value, fmt if fmt is not None else self.book.date_format(False))
        else:
            self.ws.write_number(row, col, value, fmt)

    # -- columns -------------------------------------------------------------

    def _text_values(self, s: pd.Series) -> tuple[list, bool, bool]:
        """Clean a text column vectorised; returns (values, has rich-looking cells, has formula-like cells)."""
        s = s.reset_index(drop=True)
        arrow = _is_arrow_text(s)
        bad = np.array(s.str.contains(_ILLEGAL_ARROW if arrow else _ILLEGAL_PY, regex=True, na=False), dtype=bool)
        if bad.any():
            s = s.str.replace(_ILLEGAL_ARROW if arrow else _ILLEGAL_PY, "", regex=True)
        fixed = bad
        long = np.array(s.str.len().fillna(0) > XLSX_MAX_TEXT // 2, dtype=bool)
        values = s.to_numpy(dtype=object, na_value=None).tolist()
        for i in np.flatnonzero(long).tolist():
            cut = _cut_utf16(values[i])
            if cut != values[i]:
                values[i] = cut
                fixed[i] = True
        if long.any():
            s = pd.Series(values, dtype=object)
        self.counts.fixed += int(fixed.sum())
        danger = _danger_mask(s)
        self.counts.sanitized += int(danger.sum())
        for i in np.flatnonzero(danger).tolist():
            values[i] = _Inert(values[i])
        rich = np.array(
            (s.str.startswith(_RICH_START, na=False) & s.str.endswith(_RICH_END, na=False))
            | s.str.contains(_OVERLAPPING_ESCAPES, regex=True, na=False),
            dtype=bool,
        )
        return values, bool(rich.any()), bool(danger.any())

    def _mixed_value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text_cell(v)
        if _is_na(v):
            return None
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, np.integer)):
            v = int(v)
            return str(v) if abs(v) >= _BIG_INT else v
        if isinstance(v, (float, np.floating, decimal.Decimal, fractions.Fraction)):
            try:
                f = float(v)
            except (ValueError, OverflowError):
                return self.text_cell(str(v))
            if math.isnan(f):
                return None
            return f if math.isfinite(f) else ("inf" if f > 0 else "-inf")
        if isinstance(v, (dt.date, np.datetime64)):
            try:
                ts = pd.Timestamp(v)
            except (ValueError, OverflowError):
                return self.text_cell(str(v))
            if ts is pd.NaT:
                return None
            if ts.tzinfo is not None:
                ts = ts.tz_localize(None)
            us = np.datetime64(ts.as_unit("us").asm8, "us")
            days = (us - _EXCEL_EPOCH) / np.timedelta64(_DAY_US, "us")
            if not _FIRST_DAY <= days < _PAST_LAST_DAY:
                return self.text_cell(_iso_scalar(ts))
            return _Serial(days - 1 if days < _LEAP_BUG_END else days)
        if isinstance(v, (bytes, bytearray)):
            return self.text_cell(bytes(v).decode("utf-8", "replace"))
        return self.text_cell(str(v))

    def plan_column(self, s: pd.Series, user_fmt: str | None):
        """Return (write(row, col, value, fmt), values with None for empty, fmt, width)."""
        ws, book = self.ws, self.book
        kind, s = _classify(s)
        fmt = book.number_format(user_fmt) if user_fmt else None
        sample = _sample_positions(len(s))

        if kind == _TEXT:
            values, rich, danger = self._text_values(s)
            width = max((_display_width(values[i]) for i in sample if values[i] is not None), default=0)
            write = self.write_mixed if rich else self.write_text if danger else ws.write_string
            if rich:  # write_mixed routes str to put_text, which ignores fmt
                fmt = None
            return write, values, fmt, width

        if kind == _BOOL:
            values = [None if v is None else bool(v) for v in _na_list(s)]
            return ws.write_boolean, values, fmt, 5

        if kind == _INT:
            values = _na_list(s)
            present = [v for v in values if v is not None]
            if present and (max(present) >= _BIG_INT or min(present) <= -_BIG_INT):
                values = [None if v is None else str(int(v)) for v in values]
                width = max((len(values[i]) for i in sample if values[i] is not None), default=0)
                return ws.write_string, values, fmt, width
            width = max((len(str(values[i])) for i in sample if values[i] is not None), default=0)
            if user_fmt and "," in user_fmt:
                width = int(width * 1.35)
            return ws.write_number, values, fmt, width

        if kind == _FLOAT:
            arr = _float_array(s)
            values = arr.tolist()
            nan = np.isnan(arr)
            for i in np.flatnonzero(nan).tolist():
                values[i] = None
            write = ws.write_number
            inf = np.isinf(arr)
            if inf.any():  # Excel has no infinity and we never write error formulas
                for i in np.flatnonzero(inf).tolist():
                    values[i] = "inf" if arr[i] > 0 else "-inf"
                write = self.write_mixed
            width = max((min(len(repr(values[i])), 12) for i in sample if values[i] is not None), default=0)
            if user_fmt:
                width = max(width, len(user_fmt.split(";")[0].replace('"', "")) + 2)
            return write, values, fmt, width

        if kind == _DATETIME:
            us, nat, has_time = _datetime_parts(s)
            fmt = book.number_format(user_fmt) if user_fmt else book.date_format(has_time)
            days = (us - _EXCEL_EPOCH) / np.timedelta64(_DAY_US, "us")
            serial = np.where(days < _LEAP_BUG_END, days - 1, days)
            values = serial.tolist()
            for i in np.flatnonzero(nat).tolist():
                values[i] = None
            write = ws.write_number
            out = ~nat & ((days < _FIRST_DAY) | (days >= _PAST_LAST_DAY))
            if out.any():  # Excel cannot show dates before 1900 or after 9999: ISO text
                iso = _iso_strings(us, nat, has_time)
                for i in np.flatnonzero(out).tolist():
                    values[i] = iso[i]
                write = self.write_mixed
            return write, values, fmt, 19 if has_time else 10

        # _OTHER: mixed object columns, timedeltas, periods, ...
        values = [self._mixed_value(v) for v in s.to_numpy(dtype=object).tolist()]
        width = 0
        for i in sample:
            v = values[i]
            if v is not None:
                width = max(width, _display_width(v) if isinstance(v, str) else 10 if isinstance(v, _Serial) else len(str(v)))
        return self.write_mixed, values, fmt, width

    # -- the sheet -----------------------------------------------------------

    def write(self) -> None:
        sheet, ws, book = self.sheet, self.ws, self.book
        frame = sheet.frame
        n_rows, n_cols = frame.shape
        headers = [self.text_cell(_header_text(c)) for c in frame.columns]
        labels = list(frame.columns)

        plans = []
        for c in range(n_cols):
            user_fmt = sheet.formats.get(labels[c]) if _hashable(labels[c]) else None
            if user_fmt is None:
                user_fmt = sheet.formats.get(headers[c])
            write, values, fmt, width = self.plan_column(frame.iloc[:, c], user_fmt)
            header_width = _display_width(headers[c]) + 3  # bold text plus the filter button
            width = min(max(width + 2, header_width, _MIN_WIDTH), _MAX_WIDTH)
            # constant_memory streams rows to disk, so column settings come first.
            ws.set_column(c, c, width)
            plans.append((c, write, fmt, values))

        if sheet.title:
            self.put_text(0, 0, self.text_cell(sheet.title), book.caption)
        top = self.header_row
        for c, text in enumerate(headers):
            self.put_text(top, c, text, book.header)

        # Hot loop: one precomputed writer per column, no per-cell type checks.
        specs = [(c, write, fmt) for c, write, fmt, _ in plans]
        columns = [values for *_, values in plans]
        row = top
        for row_values in zip(*columns):
            row += 1
            for (c, write, fmt), v in zip(specs, row_values):
                if v is not None:
                    write(row, c, v, fmt)

        if sheet.freeze_header:
            ws.freeze_panes(top + 1, 0)
        if sheet.autofilter and n_cols:
            ws.autofilter(top, 0, top + n_rows, n_cols - 1)
        if n_rows and n_cols:
            for k, chart in enumerate(sheet.charts):
                self.add_chart(k, chart, labels, headers, n_rows)

    def add_chart(self, k: int, chart: Chart, labels: list, headers: list[str], n_rows: int) -> None:
        from xlsxwriter.utility import xl_rowcol_to_cell

        wb, name, top = self.book.wb, self.name, self.header_row
        first, last = top + 1, top + n_rows
        cat = _column_index(chart.categories, labels, headers)

        def series(col: int, **extra) -> dict:
            return {
                "name": [name, top, col],
                "categories": [name, first, cat, last, cat],
                "values": [name, first, col, last, col],
                **extra,
            }

        value_cols = [_column_index(v, labels, headers) for v in chart.values]
        if chart.kind == "pareto":
            main = wb.add_chart({"type": "column"})
            main.add_series(series(value_cols[0], gap=50))
            line = wb.add_chart({"type": "line"})
            line.add_series(series(value_cols[1], y2_axis=True, marker={"type": "circle", "size": 4}))
            main.combine(line)
            share = pd.to_numeric(self.sheet.frame.iloc[:, value_cols[1]], errors="coerce")
            y2 = {"num_format": "0%", "min": 0, "major_gridlines": {"visible": False}}
            if share.max(skipna=True) <= 1.0 + 1e-9:  # a share in 0..1, not in percent points
                y2["max"] = 1
            main.set_y2_axis(y2)
            line.set_y2_axis(y2)
        else:
            main = wb.add_chart({"type": chart.kind})
            for col in value_cols:
                main.add_series(series(col))
        main.set_title({"name": chart.title})
        if chart.kind != "pie":
            if chart.x_title:
                main.set_x_axis({"name": chart.x_title})
            if chart.y_title:
                main.set_y_axis({"name": chart.y_title})
            if len(value_cols) == 1:
                main.set_legend({"none": True})
        main.set_size({"width": 640, "height": 360})
        anchor = chart.anchor or xl_rowcol_to_cell(top + k * 20, len(labels) + 1)
        self.ws.insert_chart(anchor, main)


def _hashable(label: Any) -> bool:
    try:
        hash(label)
    except TypeError:
        return False
    return True


def _column_index(ref: str, labels: list, headers: list[str]) -> int:
    for i, label in enumerate(labels):
        if _hashable(label) and label == ref:
            return i
    for i, text in enumerate(headers):
        if text == ref:
            return i
    raise ValueError(f"chart refers to column {ref!r}, which is not in the sheet")


class _BookWriter:
    def __init__(self, wb: "xlsxwriter.Workbook") -> None:  # noqa: F821
        self.wb = wb
        self.counts = _Counts()
        self._formats: dict[str, Any] = {}
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "valign": "top"})
        self.caption = wb.add_format({"bold": True, "font_size": 13})
        self._inert: dict[int, Any] = {}

    def inert(self, fmt):
        """``fmt`` plus Excel's quote prefix (formula-like text stays text when edited)."""
        key = id(fmt)
        found = self._inert.get(key)
        if found is None:
            props = {"quote_prefix": True}
            if fmt is self.header:
                props.update({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "valign": "top"})
            elif fmt is self.caption:
                props.update({"bold": True, "font_size": 13})
            elif fmt is not None and getattr(fmt, "num_format", None):
                props["num_format"] = fmt.num_format
            found = self._inert[key] = self.wb.add_format(props)
        return found

    def number_format(self, spec: str):
        fmt = self._formats.get(spec)
        if fmt is None:
            fmt = self._formats[spec] = self.wb.add_format({"num_format": spec})
        return fmt

    def date_format(self, has_time: bool):
        return self.number_format("yyyy-mm-dd hh:mm:ss" if has_time else "yyyy-mm-dd")


_SHEET_FORBIDDEN_RE = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(sheets: Sequence[Sheet]) -> list[str]:
    """Excel-legal, case-insensitively unique names of at most 31 characters."""
    names: list[str] = []
    seen: set[str] = set()
    for i, sheet in enumerate(sheets, 1):
        base = _SHEET_FORBIDDEN_RE.sub("_", _ILLEGAL_PY_RE.sub("", str(sheet.name))).strip().strip("'").strip()
        if not base:
            base = f"Sheet{i}"
        if base.casefold() == "history":  # reserved by Excel
            base += "_"
        base = base[:31]
        name, n = base, 1
        while name.casefold() in seen:
            n += 1
            suffix = f"~{n}"
            name = base[: 31 - len(suffix)] + suffix
        seen.add(name.casefold())
        names.append(name)
    return names


def _validate_sheets(path: Path, sheets: Sequence[Sheet], names: list[str]) -> None:
    if not sheets:
        raise ValueError("write_workbook needs at least one Sheet")
    for sheet, name in zip(sheets, names):
        n_rows, n_cols = sheet.frame.shape
        top = 2 if sheet.title else 0
        if top + 1 + n_rows > _MAX_ROWS:
            raise _fail(
                path,
                f"sheet {name!r} has {n_rows:,} rows, more than Excel's {_MAX_ROWS - top - 1:,}",
                "Write a .csv instead or narrow the data.",
            )
        if n_cols > _MAX_COLS:
            raise _fail(path, f"sheet {name!r} has {n_cols:,} columns, more than Excel's {_MAX_COLS:,}", "Narrow the data.")
        labels = list(sheet.frame.columns)
        headers = [_header_text(c) for c in labels]
        for chart in sheet.charts:  # fail before any file is touched
            for ref in (chart.categories, *chart.values):
                _column_index(ref, labels, headers)


def write_workbook(path, sheets: Sequence[Sheet], *, retries: int = 3, retry_delay: float = 0.5) -> WriteResult:
    """Write ``sheets`` as one .xlsx atomically; text is never a formula or link."""
    sheets = list(sheets)
    names = _sheet_names(sheets)
    _validate_sheets(Path(path), sheets, names)
    counts = _Counts()
    cells = sum(s.frame.shape[0] * max(s.frame.shape[1], 1) for s in sheets)

    import xlsxwriter  # (imported here: a CSV or JSON run does not need it)
    from xlsxwriter.exceptions import FileCreateError, FileSizeError

    remove_stale_scratch()

    def fill(tmp: Path) -> None:
        with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX, ignore_cleanup_errors=True) as scratch:
            wb = xlsxwriter.Workbook(
                str(tmp),
                {
                    "constant_memory": True,
                    "strings_to_formulas": False,
                    "strings_to_urls": False,
                    "strings_to_numbers": False,
                    "nan_inf_to_errors": False,
                    "tmpdir": scratch,  # row spill files, removed with the folder
                    "use_zip64": cells > 50_000_000,
                },
            )
            try:
                book = _BookWriter(wb)
                book.counts = counts
                for sheet, name in zip(sheets, names):
                    _SheetWriter(book, sheet, name).write()
                wb.close()
            except FileSizeError as err:
                raise OutputError(f"cannot write {path}: the workbook is too large for Excel.", hint="Write a .csv instead.") from err
            except FileCreateError as err:  # XlsxWriter wraps the OSError from writing the zip
                cause = err.args[0] if err.args else err
                if isinstance(cause, OSError):
                    raise _refused(path, cause, hint="Check the disk and folder.") from err
                raise _fail(path, str(cause), "Check the disk and folder.") from err
            finally:
                if not wb.fileclosed:
                    # Abandoned: close the spill files so the scratch folder can go.
                    wb.fileclosed = True
                    for ws in wb.worksheets():
                        fh = getattr(ws, "row_data_fh", None)
                        if fh is not None:
                            fh.close()

    final, fallback = _atomic_write(path, fill, retries, retry_delay)
    return WriteResult(final, fallback, counts.sanitized, counts.fixed)


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


def _csv_text(s: pd.Series, counts: _Counts) -> pd.Series:
    s = s.reset_index(drop=True)
    if not _is_arrow_text(s):
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
    danger = _danger_mask(s)
    if danger.any():
        counts.sanitized += int(danger.sum())
        flag = pd.Series(danger)
        s = s.mask(flag, "'" + s.where(flag, ""))
    return s


def _csv_other(value: Any, counts: _Counts) -> Any:
    if not isinstance(value, str) and _is_na(value):
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
        return _iso_scalar(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _csv_frame(frame: pd.DataFrame, counts: _Counts) -> tuple[pd.DataFrame, list[str]]:
    columns: dict[int, Any] = {}
    for c in range(frame.shape[1]):
        kind, s = _classify(frame.iloc[:, c])
        s = s.reset_index(drop=True)
        if kind == _TEXT:
            s = _csv_text(s, counts)
        elif kind == _DATETIME:
            us, nat, has_time = _datetime_parts(s)
            s = pd.Series(_iso_strings(us, nat, has_time), dtype=object)
        elif kind == _OTHER:
            s = pd.Series([_csv_other(v, counts) for v in s.to_numpy(dtype=object).tolist()], dtype=object)
        columns[c] = s
    out = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    headers = []
    for label in frame.columns:
        text, changed = inert_text(_SURROGATE_RE.sub("", _header_text(label)).replace("\x00", ""))
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
    if _is_arrow_text(s):
        return pa.array(s.array)
    if dtype == object:
        return pa.array([None if v is None or (not isinstance(v, str) and _is_na(v)) else str(v)
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
    counts = _Counts()
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

    final, fallback = _atomic_write(path, fill, retries, retry_delay)
    return WriteResult(final, fallback, counts.sanitized, counts.fixed)


# --------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------


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

    final, fallback = _atomic_write(path, fill, retries, retry_delay)
    return WriteResult(final, fallback, 0, 0)
