"""Vectorized parsers from exported text to typed columns: dates, amounts, flags, vocabularies.

Each parser takes a column of text and returns the typed column plus a mask of
values that were present but could not be read, so the caller can count them
as data problems instead of guessing.  A column whose format is ambiguous
(03/04/2026) is an error that names the column and the fix.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

try:  # the fast paths read pandas' arrow-backed text directly; without pyarrow they are skipped
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # pragma: no cover
    pa = pc = None

from ..errors import ColumnError
from ..i18n import _
from .tables import FALSE_WORDS, TRUE_WORDS

_ISO = r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})(?:[ T]+(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*([AaPp][Mm])?)?$")
_ZH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*(.*)$")
_OFFSET = r"(?:[+-]\d{2}:?\d{2}|Z|UTC|GMT)$"
_TIME_OFFSET = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[+-]\d{2}:?\d{2}|Z|UTC|GMT)\b"
# dates outside this range are typos or placeholders (0001-01-01), never orders; they also would not fit
# the nanosecond datetime column
_FIRST, _LAST = pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01")


def parse_dates(values: pd.Series, *, column: str, label: str = "file", order: str = "",
                tz: str = "UTC") -> tuple[pd.Series, pd.Series]:
    """Text -> naive datetime64 in ``tz``.  Returns (dates, unparsed mask).

    Reads ISO (with or without time and offset), dd/mm/yyyy and mm/dd/yyyy (the
    column decides which; ambiguous columns need ``order``), 2024年1月5日,
    Excel serial numbers, YYYYMMDD and month names.
    """
    text, present = _trimmed(values)
    fast = _iso_dates_fast(text, present)
    if fast is not None:
        return fast, pd.Series(False, index=values.index, name=present.name)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    todo = present.copy()

    def take(mask: pd.Series, parsed: pd.Series) -> None:
        nonlocal todo
        if not pd.api.types.is_datetime64_any_dtype(parsed.dtype):
            return  # pandas gave up on a mix of offsets: those values stay unread (and are counted)
        if getattr(parsed.dt, "tz", None) is not None:  # an offset the patterns missed ('... -05')
            parsed = parsed.dt.tz_convert(tz).dt.tz_localize(None)
        parsed = parsed.where((parsed >= _FIRST) & (parsed < _LAST))
        ok = mask & parsed.reindex(values.index).notna()
        out.loc[ok] = parsed.loc[ok[ok].index]
        todo &= ~ok

    # ISO 8601, with a possible offset: offsets are converted to tz, then dropped
    iso = todo & text.str.match(_ISO, na=False)
    if iso.any():
        sub = text[iso].str.replace(r"^(\d{4})/(\d{1,2})/(\d{1,2})", r"\1-\2-\3", regex=True)
        has_off = sub.str.contains(_OFFSET, regex=True, na=False)
        if (~has_off).any():
            naive = pd.to_datetime(sub[~has_off], format="ISO8601", errors="coerce")
            take(iso & ~has_off.reindex(values.index, fill_value=False), naive)
        if has_off.any():
            aware = sub[has_off].str.replace(r"\s*(UTC|GMT)$", "+00:00", regex=True)
            aware = aware.str.replace(r"\s+([+-]\d{2}):?(\d{2})$", r"\1:\2", regex=True)
            parsed = pd.to_datetime(aware, format="ISO8601", errors="coerce", utc=True)
            parsed = parsed.dt.tz_convert(tz).dt.tz_localize(None)
            take(iso & has_off.reindex(values.index, fill_value=False), parsed)
    # 2024年1月5日 [time]
    zh = todo & text.str.contains("年", regex=False, na=False)
    if zh.any():
        parts = text[zh].str.extract(_ZH)
        iso_text = parts[0] + "-" + parts[1].str.zfill(2) + "-" + parts[2].str.zfill(2) + " " + parts[3].fillna("")
        take(zh, pd.to_datetime(iso_text.str.strip(), format="ISO8601", errors="coerce"))
    # dd/mm/yyyy or mm/dd/yyyy: decided for the whole column, never per value
    dmy = todo & text.str.match(_DMY, na=False)
    if dmy.any():
        parts = text[dmy].str.extract(_DMY)
        a = parts[0].astype(int)
        b = parts[1].astype(int)
        first_big, second_big = bool((a > 12).any()), bool((b > 12).any())
        if first_big and second_big:
            raise ColumnError(
                _("{label}: column {column} mixes day-first and month-first dates (e.g. {value} and {value2}).").format(
                    label=label, column=repr(column), value=repr(text[dmy][a > 12].iloc[0]),
                    value2=repr(text[dmy][b > 12].iloc[0])),
                hint=_("Export the dates in one format (ISO yyyy-mm-dd is safest)."),
            )
        if first_big:
            use = "dmy"
        elif second_big:
            use = "mdy"
        elif order in ("dmy", "mdy"):
            use = order
        else:
            raise ColumnError(
                _("{label}: column {column} has dates like {value} that can be day-first or month-first.").format(
                    label=label, column=repr(column), value=repr(text[dmy].iloc[0])),
                hint=_("Pass --date-order dmy (or mdy), or set date_order = \"dmy\" in tiercli.toml."),
            )
        day, month = (a, b) if use == "dmy" else (b, a)
        year = parts[2].astype(int)
        year = year.where(year >= 100, year + 2000)
        base = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce")
        clock = parts[3].fillna("0:00")
        delta = pd.to_timedelta(clock.where(clock.str.count(":") == 2, clock + ":00"), errors="coerce").fillna(
            pd.Timedelta(0))
        pm = parts[4].str.lower().eq("pm").fillna(False) & (delta < pd.Timedelta(hours=12))
        am12 = parts[4].str.lower().eq("am").fillna(False) & (delta >= pd.Timedelta(hours=12))
        delta = delta + pd.to_timedelta(pm.astype(int) * 12, unit="h") - pd.to_timedelta(am12.astype(int) * 12, unit="h")
        take(dmy, base + delta)
    # Excel serial numbers (a date cell exported as a number) and YYYYMMDD
    num = todo & text.str.fullmatch(r"\d+(\.\d+)?", na=False)
    if num.any():
        n = pd.to_numeric(text[num], errors="coerce")
        ymd = n.between(19000101, 21001231) & text[num].str.fullmatch(r"\d{8}", na=False)
        if ymd.any():
            take(num & ymd.reindex(values.index, fill_value=False),
                 pd.to_datetime(text[num][ymd], format="%Y%m%d", errors="coerce"))
        serial = n.between(20000, 80000) & ~ymd
        if serial.any():
            take(num & serial.reindex(values.index, fill_value=False),
                 pd.to_datetime(n[serial], unit="D", origin="1899-12-30").dt.round("s"))
    # month names and anything else pandas can read unambiguously
    if todo.any():
        rest = text[todo]
        wordy = rest.str.contains(r"[A-Za-z]{3}", regex=True, na=False)
        if wordy.any():
            # only a value that states its offset is converted to tz; a naive one is already local time
            # (as in the ISO branch).  utc=True for both keeps pandas from failing on mixed offsets.
            has_off = wordy & rest.str.contains(_TIME_OFFSET, regex=True, na=False)
            for mask, aware in ((wordy & ~has_off, False), (has_off, True)):
                if mask.any():
                    parsed = pd.to_datetime(rest[mask], format="mixed", errors="coerce", utc=True)
                    parsed = parsed.dt.tz_convert(tz) if aware else parsed
                    take(todo & mask.reindex(values.index, fill_value=False), parsed.dt.tz_localize(None))
    return out, todo


def _arrow_text(text: pd.Series):
    """The arrow array behind a pandas str column (one chunk), or None when it is not arrow-backed."""
    if pa is None or getattr(text.dtype, "storage", None) != "pyarrow":
        return None
    try:
        arr = pa.array(text.array)
    except (TypeError, pa.ArrowException):  # pragma: no cover - pandas internals changed
        return None
    if isinstance(arr, pa.ChunkedArray):  # pragma: no cover
        arr = arr.combine_chunks()
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None


def _arrow_chunks(text: pd.Series) -> list | None:
    """The arrow arrays behind a pandas str column, its chunks as they are (a file read in blocks has
    several: combining them copies every value); None when it is not arrow-backed."""
    if pa is None or getattr(text.dtype, "storage", None) != "pyarrow":
        return None
    try:
        arr = text.array.__arrow_array__()
    except (TypeError, AttributeError, pa.ArrowException):  # pragma: no cover - pandas internals changed
        return None
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None  # pragma: no cover
    return list(arr.chunks) if isinstance(arr, pa.ChunkedArray) else [arr]


def _arrow_bytes(arr) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of an arrow string array, as numpy views (no copy): value i is
    bytes[offsets[i]:offsets[i + 1]]."""
    offsets_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(arr.buffers()[1], dtype=offsets_type)[arr.offset:arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    return offsets, (np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(1, np.uint8))


# fixed-width ISO layouts the fast path reads: byte positions of the separators; every other byte is a digit
_ISO_FIXED = {10: {4: b"-", 7: b"-"},
              19: {4: b"-", 7: b"-", 10: b" T", 13: b":", 16: b":"}}
_FIRST_S, _LAST_S = _FIRST.value // 10**9, _LAST.value // 10**9


def _iso_dates_fast(text: pd.Series, present: pd.Series) -> pd.Series | None:
    """All present values in one fixed ISO layout without offset (``YYYY-MM-DD HH:MM:SS`` or
    ``YYYY-MM-DD``), valid and inside the accepted range -> the parsed column; anything else -> None
    (the general parser decides, value by value)."""
    chunks = _arrow_chunks(text)
    if chunks is None:
        return None
    keep = present.to_numpy(dtype=bool)
    if not keep.any():
        return None
    parts, start, width = [], 0, None
    for arr in chunks:  # chunk by chunk: no copy of the column; one layout for all of them
        here = keep[start:start + len(arr)]
        start += len(arr)
        sub = arr.filter(pa.array(here)) if not here.all() else arr
        if not len(sub):
            continue
        if sub.null_count:
            return None
        n = len(sub)
        offsets, data = _arrow_bytes(sub)
        width = int(offsets[1] - offsets[0]) if width is None else width
        layout = _ISO_FIXED.get(width)
        if layout is None or not (np.diff(offsets) == width).all():
            return None
        chars = data[offsets[0]:offsets[-1]].reshape(n, width)
        digits = [i for i in range(width) if i not in layout]
        if ((chars[:, digits] - np.uint8(48)) > 9).any():
            return None
        for i, allowed in layout.items():
            col = chars[:, i]
            ok = col == allowed[0]
            for b in allowed[1:]:
                ok |= col == b
            if not ok.all():
                return None
        try:
            seconds = pc.cast(sub, pa.timestamp("s"))  # rejects 2009-02-30, 24:00:00, :60 as pandas does
        except pa.ArrowException:
            return None
        parts.append(seconds.to_numpy().view("int64"))
    secs = np.concatenate(parts)
    if not ((secs >= _FIRST_S) & (secs < _LAST_S)).all():
        return None
    ns = np.full(len(keep), np.datetime64("NaT"), dtype="datetime64[ns]")
    ns[keep] = (secs * 10**9).view("datetime64[ns]")
    return pd.Series(ns, index=text.index)


def _amounts_fast(text: pd.Series, present: pd.Series) -> pd.Series | None:
    """Plain decimal numbers (<= 15 characters, no exponent, nan, inf or -0) -> float64 via arrow's
    cast, which for such text gives what ``pd.to_numeric`` gives; anything else -> None."""
    arr = _arrow_text(text)
    if arr is None:
        return None
    if not present.all():
        arr = pc.if_else(pa.array(present.to_numpy(dtype=bool)), arr, pa.scalar(None, arr.type))
    if pc.max(pc.binary_length(arr)).as_py() > 15 or \
            pc.any(pc.match_substring(arr, "e")).as_py() or pc.any(pc.match_substring(arr, "E")).as_py():
        return None  # (case-sensitive twice: ignore_case goes through a regex, several times slower)
    try:
        number = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowException:
        return None
    if not np.isfinite(number[present.to_numpy(dtype=bool)]).all() or ((number == 0) & np.signbit(number)).any():
        return None
    return pd.Series(number, index=text.index, name=text.name)


_NUM_CHARS = re.compile(r"[^\d,.\-]")


def parse_amounts(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Money and quantities as exported -> float.  Returns (numbers, unparsed mask).

    Handles currency symbols and codes, thousands separators, decimal commas
    (decided for the whole column: ``1.234,56``), ``(12.00)`` and ``12.00-`` negatives.
    """
    text, present = _trimmed(values)
    if not present.any():
        return pd.Series(np.nan, index=values.index, dtype="float64"), present
    quick = _amounts_fast(text, present)
    if quick is not None:
        return quick, pd.Series(False, index=values.index)
    fast = pd.to_numeric(text, errors="coerce")
    if fast.notna().sum() == present.sum():
        return fast.astype("float64"), pd.Series(False, index=values.index)
    # (12.00), and accounting formats that keep the currency outside the brackets: (12,50) €, $(12.00)
    neg = text.str.fullmatch(r"[^\d()]*\(.*\d.*\)[^\d()]*", na=False) | text.str.match(r"^[^-]*\d[^-]*-$", na=False) | \
        text.str.match(r"^\D*-", na=False)
    digits = text.str.replace(_NUM_CHARS, "", regex=True).str.replace("-", "", regex=False)
    comma_decimal = digits.str.contains(r",\d{1,2}$", regex=True, na=False) | digits.str.contains(
        r"\.\d{3},", regex=True, na=False) | digits.str.contains(r",\d{4,}$", regex=True, na=False)
    dot_decimal = digits.str.contains(r"\.\d{1,2}$", regex=True, na=False) | digits.str.contains(
        r",\d{3}\.", regex=True, na=False)
    if comma_decimal.sum() > dot_decimal.sum():
        cleaned = digits.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        cleaned = digits.str.replace(",", "", regex=False)
    number = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")
    number = number.where(~neg, -number)
    unparsed = present & number.isna()
    return number.astype("float64"), unparsed


def parse_flags(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Yes/no text in English and Chinese -> nullable boolean.  Returns (flags, unparsed mask)."""
    text = values.astype("str").str.strip().str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    yes = text.isin(TRUE_WORDS)
    no = text.isin(FALSE_WORDS)
    out[yes] = True
    out[no] = False
    present = text.notna() & (text != "")
    return out, present & ~yes & ~no


def map_vocab(values: pd.Series, vocab: dict[str, list[str] | tuple[str, ...]]) -> tuple[pd.Series, pd.Series]:
    """Map free text to vocabulary codes by exact (case-insensitive) word.  Returns (codes, unknown mask)."""
    text = values.astype("str").str.strip().str.lower()
    lookup = {}
    for code, words in vocab.items():
        for w in words:
            lookup.setdefault(str(w).strip().lower(), code)
    codes = text.map(lookup)
    present = text.notna() & (text != "")
    codes = codes.astype("str")
    return codes, present & codes.isna()


def map_contained(values: pd.Series, vocab: dict[str, list[str]], not_words: list[str] = ()) -> pd.Series:
    """Codes for text that holds a word of exactly one code (case-insensitive), unless it also holds one of
    ``not_words``; missing elsewhere.  Decided once per distinct value (a status column has a handful)."""
    text = values.astype("str").str.strip().str.lower()
    distinct = text.dropna().unique()
    lookup = {}
    for value in distinct:
        if any(w in value for w in not_words):
            continue
        codes = {code for code, words in vocab.items() if any(w in value for w in words)}
        if len(codes) == 1:
            lookup[value] = codes.pop()
    return text.map(lookup).astype("str")


def isin_text(values: pd.Series, among) -> np.ndarray:
    """``values.isin(among).to_numpy()`` for a text column: arrow's hash lookup on an arrow-backed column
    (a tenth of pandas' time on a million ids); missing values are never in."""
    chunks = _arrow_chunks(values)
    among = [a for a in among if isinstance(a, str)]
    if chunks is None:
        return values.isin(among).to_numpy(dtype=bool)
    if not chunks:
        return np.zeros(0, dtype=bool)
    among = pa.array(among, chunks[0].type)
    return np.concatenate([pc.is_in(c, value_set=among, skip_nulls=True).to_numpy(
        zero_copy_only=False).astype(bool, copy=False) for c in chunks])


def contains_any(values: pd.Series, words: list[str]) -> pd.Series:
    """True where the text contains any of ``words`` (case-insensitive), False elsewhere."""
    pattern = "|".join(re.escape(w.lower()) for w in words)
    return values.astype("str").str.lower().str.contains(pattern, regex=True, na=False).astype(bool)


def matches_words(values: pd.Series, words, strip: str = "") -> np.ndarray:
    """Where ``value.strip().rstrip(strip).lower()`` is one of ``words`` (given lower-case): a bool array.

    Used to find header and total lines among a million cells, nearly all of which are not: a cell
    can only match if its first byte is a word's first letter in either case, blank, or not ASCII,
    and if it is at least as long as the shortest word, so only those few cells are lowered and
    compared (exactly as the plain pandas expression would)."""
    words = {str(w).lower() for w in words}
    n = len(values)
    out = np.zeros(n, dtype=bool)
    if not words or not n:
        return out
    chunks = _arrow_chunks(values)
    candidates = None
    if chunks is not None:
        lead = {ord(c) for w in words for c in (w[:1], w[:1].upper()) if c and ord(c) < 128}
        lead = list(lead | {9, 10, 11, 12, 13, 28, 29, 30, 31, 32})  # and blanks
        shortest = min(len(w) for w in words)
        masks = []
        for arr in chunks:  # chunk by chunk: no copy of the column
            offsets, chars = _arrow_bytes(arr)
            filled = np.diff(offsets) >= shortest
            if arr.null_count:
                filled &= ~np.asarray(arr.is_null())
            first = np.zeros(len(arr), dtype=np.uint8)
            first[filled] = chars[offsets[:-1][filled]]
            masks.append(filled & ((first >= 128) | np.isin(first, lead)))
        candidates = np.flatnonzero(np.concatenate(masks)) if masks else np.zeros(0, dtype=np.int64)
        if not len(candidates):
            return out
        values = values.iloc[candidates]
    text = values.astype("str").str.strip()
    if strip:
        text = text.str.rstrip(strip)
    hit = text.str.lower().isin(words).to_numpy(dtype=bool)
    if candidates is None:
        return hit
    out[candidates] = hit
    return out


_BLANK_BYTES = np.zeros(256, dtype=bool)
_BLANK_BYTES[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_BLANK_BYTES[128:] = True  # a UTF-8 byte may belong to a blank (no-break or ideographic space): look closer


def _is_trimmed(values: pd.Series) -> bool:
    """True when no value is empty or starts or ends with a blank (checked on the bytes, no copy): then
    trimming would only copy the column.  False when in doubt (not arrow-backed, non-ASCII ends)."""
    chunks = _arrow_chunks(values)
    if chunks is None:
        return False
    for arr in chunks:  # chunk by chunk: no copy of the column
        if arr.buffers()[2] is None:
            if arr.null_count == len(arr):
                continue
            return False
        offsets, chars = _arrow_bytes(arr)
        starts, ends = offsets[:-1], offsets[1:]
        filled = ends > starts
        if arr.null_count:
            valid = ~np.asarray(arr.is_null())
            if (valid & ~filled).any():
                return False  # an empty string
            starts, ends = starts[valid], ends[valid]
        elif not filled.all():
            return False
        if _BLANK_BYTES[chars[starts]].any() or _BLANK_BYTES[chars[ends - 1]].any():
            return False
    return True


def _trimmed(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the values trimmed, where one is present): no copy, and no search for empty strings, when the
    bytes show nothing to trim."""
    if _is_trimmed(values):
        return values, values.notna()
    text = values.astype("str").str.strip()
    return text, text.notna() & (text != "")


def clean_text(values: pd.Series) -> pd.Series:
    """Trim text; empty becomes missing.  IDs are never turned into numbers."""
    if _is_trimmed(values):
        return values
    text = values.astype("str").str.strip()
    return text.where(text != "")


def clean_email(values: pd.Series) -> pd.Series:
    """Emails as customer keys: trimmed and lower-cased; text without '@' is not an email."""
    text = clean_text(values).str.lower()
    return text.where(text.str.contains("@", regex=False, na=False))
