"""Reading sellers' exports as they are: CSV/TSV in any common encoding, XLSX/XLS with every sheet.

The reader's only job is to turn a file into text tables (``RawTable``): every
cell a string exactly as exported (IDs keep their zeros, ``NA`` stays a name),
empty cells missing.  Interpreting the text (dates, amounts, statuses) is the
schema layer's job, so every format goes through one set of parsers.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError

CSV_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
DATA_SUFFIXES = CSV_SUFFIXES | EXCEL_SUFFIXES
_SAMPLE_BYTES = 1 << 20
_DELIMITERS = (",", "\t", ";", "|")


@dataclass
class RawTable:
    """One table of text read from a file (a CSV, or the sheets of a workbook that share a header)."""

    path: Path
    frame: pd.DataFrame
    encoding: str | None = None
    sheets: list[str] = field(default_factory=list)
    delimiter: str | None = None
    header_row: int = 0  # 0-based line/row of the header in the file
    # first data row's line number in the file (1-based, as a spreadsheet shows it)
    first_line: int = 2
    notes: list[str] = field(default_factory=list)
    # lines the CSV parser left out (more fields than the header), 1-based as in the file
    skipped_lines: list[int] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.frame)

    @property
    def label(self) -> str:
        return str(self.path) + (f" [{', '.join(self.sheets)}]" if self.sheets else "")


def is_skipped_name(name: str) -> bool:
    """Lock, temp and hidden files a folder scan must ignore (Excel, LibreOffice, NFS, tiercli itself)."""
    return (
        name.startswith(("~$", ".~lock", ".nfs", ".~tiercli-", "."))
        or name.endswith(("~", ".tmp", ".part", ".crdownload"))
        or ".tiers." in name  # tiercli's own outputs written next to the inputs
    )


def list_inputs(paths: list[str | Path]) -> list[Path]:
    """Expand folders into their export files (sorted, not recursive) and check every path exists."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError(f"{p}: no such file or folder.", hint="Check the path (quote names with spaces).")
        if p.is_dir():
            found = sorted(
                c for c in p.iterdir()
                if c.is_file() and not is_skipped_name(c.name) and _data_suffix(c) in DATA_SUFFIXES
            )
            if not found:
                raise InputError(
                    f"{p}: folder has no CSV or Excel exports.",
                    hint="Put .csv/.xlsx/.xls files in it or name the files directly.",
                )
            out.extend(found)
        else:
            out.append(p)
    # the same file named twice (a folder and a file inside it) is read once
    seen, unique = set(), []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _data_suffix(p: Path) -> str:
    suffixes = [s.lower() for s in p.suffixes]
    if suffixes and suffixes[-1] in {".gz", ".gzip"}:
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def read_file(path: Path, *, max_rows: int | None = None) -> list[RawTable]:
    """Read one export into text tables.  Raises InputError with a fix for anything unreadable."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file.", hint="Check the path.")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: file is empty.", hint="Export it again from the platform.")
    head = _head_bytes(path, 8)
    suffix = _data_suffix(path)
    if head.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm", ".ods"}:
        return _read_excel(path, head, max_rows)
    if head.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        return _read_excel(path, head, max_rows)
    return [_read_csv(path, max_rows)]


def _head_bytes(path: Path, n: int) -> bytes:
    with open(path, "rb") as fh:
        head = fh.read(max(n, 2))
    if head[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as fh:
            return fh.read(n)
    return head[:n]


# ---------------------------------------------------------------- CSV


def _open_bytes(path: Path):
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def detect_encoding(sample: bytes) -> str:
    """Best encoding for a sample: BOMs first, then UTF-8, then what Chinese or Western Excel saves."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 without BOM: ASCII text leaves every other byte zero
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    try:
        # cut an incomplete multi-byte character at the end of the sample
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=["gb18030", "cp1252", "big5", "shift_jis", "cp1251", "latin_1"]).best()
    if best is None:
        raise InputError(
            "cannot tell the file's text encoding.",
            hint="Save it as 'CSV UTF-8' in Excel or WPS and try again.",
        )
    enc = best.encoding.replace("_", "-")
    # GBK and GB2312 are subsets of GB18030: decode with the superset
    return "gb18030" if enc in {"gbk", "gb2312", "gb18030"} else enc


def _split_line(line: str, delimiter: str) -> list[str]:
    import csv

    return next(csv.reader([line], delimiter=delimiter), [])


def _sniff(text: str) -> tuple[str, int]:
    """Delimiter and header line: the header is the first line that splits like the lines below it."""
    lines = [ln for ln in text.splitlines()[:60]]
    best = (",", 0, -1.0)
    for delim in _DELIMITERS:
        counts = [len(_split_line(ln, delim)) if ln.strip() else 0 for ln in lines]
        if not counts:
            continue
        width = max(counts)
        if width < 2:
            continue
        # a typical data width: the most common count among non-empty lines
        common = pd.Series([c for c in counts if c > 1]).mode()
        width = int(common.max()) if len(common) else width
        header = next((i for i, c in enumerate(counts) if c >= max(2, width * 0.6)), 0)
        score = width * sum(1 for c in counts if c == width)
        if score > best[2]:
            best = (delim, header, score)
    return best[0], best[1]


def _read_csv(path: Path, max_rows: int | None) -> RawTable:
    with _open_bytes(path) as fh:
        sample = fh.read(_SAMPLE_BYTES)
    if not sample.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise InputError(f"{path}: file is empty.", hint="Export it again from the platform.")
    if _looks_binary(sample):
        raise InputError(
            f"{path}: not a text file (binary content).",
            hint="Export the data as CSV or XLSX; a PDF or image cannot be read.",
        )
    encoding = _detect_encoding_of(path, sample)
    try:
        text = sample.decode(encoding, errors="ignore")
    except LookupError:
        raise InputError(f"{path}: unknown encoding {encoding}.", hint="Save it as 'CSV UTF-8'.") from None
    if text.lstrip().lower().startswith(("<!doctype html", "<html")):
        raise InputError(
            f"{path}: this is a web page (HTML), not a CSV export.",
            hint="Download the export again; the platform may have sent a login page.",
        )
    delimiter, header_row = _sniff(text)
    kwargs = dict(
        sep=delimiter,
        header=0,
        skiprows=header_row,
        dtype=str,
        keep_default_na=False,  # 'NA', 'None', 'null' are real names, not missing values
        na_values=[""],
        skipinitialspace=False,
        skip_blank_lines=True,
        encoding=encoding,
        encoding_errors="strict",
        nrows=max_rows,
        on_bad_lines="warn",
        compression="infer",
    )
    try:
        frame, skipped = _read_csv_frame(path, kwargs)
    except UnicodeDecodeError:
        # the sample looked like one encoding, a later part of the file does not: detect on all of it
        with _open_bytes(path) as fh:
            data = fh.read()
        encoding = _detect_encoding_of(path, data)
        kwargs["encoding"] = encoding
        try:
            frame, skipped = _read_csv_frame(path, kwargs)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: text is not valid {encoding} (byte {exc.start}).",
                hint="Save it as 'CSV UTF-8' in Excel or WPS and try again.",
            ) from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: file has no header row.", hint="Export it again with column headers.") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: cannot parse as CSV ({str(exc).splitlines()[0]}).",
                         hint="Check the file opens in Excel; re-export it.") from None
    frame = _clean_headers(frame)
    return RawTable(path, frame, encoding=encoding, delimiter=delimiter, header_row=header_row,
                    first_line=header_row + 2, skipped_lines=skipped)


def _detect_encoding_of(path: Path, sample: bytes) -> str:
    """detect_encoding, with the file named in the error (the one line the user sees)."""
    try:
        return detect_encoding(sample)
    except InputError as exc:
        raise InputError(f"{path}: {exc.message}", hint=exc.hint) from None


def _read_csv_frame(path: Path, kwargs: dict) -> tuple[pd.DataFrame, list[int]]:
    """The frame and the lines pandas skipped (too many fields): the schema layer reports those as a
    problem instead of letting a row vanish (an unquoted ``1,000.00`` splits a line)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = pd.read_csv(path, **kwargs)
    skipped = [int(m.group(1)) for w in caught if issubclass(w.category, pd.errors.ParserWarning)
               for m in re.finditer(r"Skipping line (\d+)", str(w.message))]
    return frame, skipped


def _looks_binary(sample: bytes) -> bool:
    if sample.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff")):
        return True
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    head = sample[:4096]
    zeros = head.count(0)
    # UTF-16 without BOM has many zeros but in a regular pattern; detect_encoding handles it
    return zeros > 0 and zeros < len(head) * 0.2 and not _utf16_pattern(head)


def _utf16_pattern(head: bytes) -> bool:
    even, odd = head[0::2], head[1::2]
    return odd.count(0) > 0.4 * len(odd) or even.count(0) > 0.4 * len(even)


_UNNAMED = re.compile(r"^Unnamed: \d+$")


def _clean_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip header whitespace/BOMs, name blank headers, and make duplicates unique (``Email``, ``Email.1``,
    as pandas names them in a CSV, so a CSV and the same sheet saved as XLSX get the same names)."""
    names, taken = [], set()
    for i, raw in enumerate(frame.columns):
        name = str(raw).replace("\ufeff", "").strip()
        if not name or _UNNAMED.match(name):
            name = f"column_{i + 1}"
        if name in taken:
            n = 1
            while f"{name}.{n}" in taken:
                n += 1
            name = f"{name}.{n}"
        taken.add(name)
        names.append(name)
    frame = frame.set_axis(names, axis=1)
    # drop columns that are entirely empty and unnamed (trailing delimiters)
    empty_unnamed = [c for c in frame.columns if c.startswith("column_") and frame[c].isna().all()]
    return frame.drop(columns=empty_unnamed)


# ---------------------------------------------------------------- Excel


def _read_excel(path: Path, head: bytes, max_rows: int | None) -> list[RawTable]:
    import python_calamine as pc

    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            raise InputError(f"{path}: workbook is damaged (not a valid zip).",
                             hint="Open it in Excel, save it again, or export again.") from None
        if not any(n.startswith(("xl/", "content.xml")) for n in names):
            raise InputError(f"{path}: not an Excel workbook.", hint="Export the data as .xlsx or .csv.")
    elif not head.startswith(b"\xd0\xcf\x11\xe0"):
        kind = "a PDF" if head.startswith(b"%PDF") else "a web page" if head.lstrip()[:1] == b"<" else "not a workbook"
        raise InputError(f"{path}: named like a workbook but is {kind}.",
                         hint="Download the export again as .xlsx or .csv.")
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise InputError(f"{path}: cannot read workbook ({str(exc).splitlines()[0][:120]}).",
                         hint="Open it in Excel and save it again, or export as CSV.") from None
    groups: dict[tuple[str, ...], list[tuple[str, pd.DataFrame, int]]] = {}
    for name in wb.sheet_names:
        try:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise InputError(f"{path}: sheet {name!r} cannot be read ({str(exc)[:120]}).",
                             hint="Open it in Excel and save it again.") from None
        if max_rows is not None:
            rows = rows[: max_rows + 25]
        table = _rows_to_frame(rows)
        if table is None:
            continue  # an empty sheet
        frame, header_row = table
        groups.setdefault(tuple(frame.columns), []).append((name, frame, header_row))
    if not groups:
        raise InputError(f"{path}: workbook has no data.", hint="Check it is the right export.")
    out = []
    for header, parts in groups.items():
        frame = pd.concat([p[1] for p in parts], ignore_index=True) if len(parts) > 1 else parts[0][1]
        if max_rows is not None:
            frame = frame.iloc[:max_rows]
        out.append(RawTable(path, frame, sheets=[p[0] for p in parts], header_row=parts[0][2],
                            first_line=parts[0][2] + 2))
    return out


def _cell_text(v) -> str | None:
    """A cell as the text the seller sees: 12346 not 12346.0, dates ISO, empty as missing."""
    if v is None or v == "":
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return str(v)


def _rows_to_frame(rows: list[list]) -> tuple[pd.DataFrame, int] | None:
    # the header: first row (of the first 20) that fills most of the table's width
    widths = [sum(1 for c in r if c not in (None, "")) for r in rows[:20]]
    if not widths or max(widths) == 0:
        return None
    width = max(widths)
    header_row = next(i for i, w in enumerate(widths) if w >= max(2, width * 0.6) or (width < 2 and w))
    header = [_cell_text(c) or "" for c in rows[header_row]]
    body = rows[header_row + 1:]
    columns = {}
    for j in range(len(header)):
        columns[j] = pd.array([_cell_text(r[j]) if j < len(r) else None for r in body], dtype="str")
    frame = pd.DataFrame(columns)
    frame.columns = header
    frame = _clean_headers(frame)
    # trailing empty rows of the used range
    if len(frame):
        filled = frame.notna().any(axis=1)
        if not filled.all():
            last = filled[::-1].idxmax() if filled.any() else -1
            frame = frame.iloc[: last + 1]
    return frame.reset_index(drop=True), header_row


def read_text_sample(path: Path) -> str:
    """First kilobytes of a text file, decoded, for error messages."""
    with _open_bytes(path) as fh:
        sample = fh.read(4096)
    return sample.decode(detect_encoding(sample), errors="replace")


__all__ = ["RawTable", "read_file", "list_inputs", "is_skipped_name", "detect_encoding"]
