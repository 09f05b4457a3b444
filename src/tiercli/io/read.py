"""Reading sellers' exports as they are: CSV/TSV in any common encoding, XLSX/XLS/ODS with every sheet.

The reader's only job is to turn a file into text tables (``RawTable``): every
cell a string exactly as exported (IDs keep their zeros, ``NA`` stays a name),
empty cells missing.  Interpreting the text (dates, amounts, statuses) is the
schema layer's job, so every format goes through one set of parsers.

Exports come from strangers, so nothing here trusts a file to be what its name
says or to be small: ``Limits`` caps what one file may ask of the machine, and a
workbook (a zip of XML) is checked part by part *before* the Rust reader parses
it (see "Untrusted workbooks" below).
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import importlib.util
import io
import math
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, InputError


def openpyxl_defused() -> bool:
    """Whether openpyxl parses XML through defusedxml whenever anything imports it.

    openpyxl switches to defusedxml by itself when the package is installed and
    ``OPENPYXL_DEFUSEDXML`` is not "False"; this mirrors that rule without importing
    openpyxl (a tenth of a second).  tiercli reads workbooks with calamine, which
    never expands entities, but openpyxl reads them back in tests and tools.
    """
    return importlib.util.find_spec("defusedxml") is not None and \
        os.environ.get("OPENPYXL_DEFUSEDXML", "True") == "True"


if not openpyxl_defused():  # asserted at start: XML from strangers is never parsed undefended
    raise ImportError("tiercli needs defusedxml in force for openpyxl: install defusedxml and unset "
                      "OPENPYXL_DEFUSEDXML.")


@dataclass(frozen=True)
class Limits:
    """What one input file may ask of the machine (the ``limits.*`` settings).

    The defaults let through the largest genuine exports (a full Excel sheet, the
    541,909-line UCI file) and refuse the crafted ones: a zip that inflates a
    thousand times, a sheet that claims a cell in column XFD of row 1,048,576, one
    long shared string repeated in a million cells.
    """

    max_uncompressed_mb: float = 1024.0  # bytes a file may unpack to (CSV: its size), and text its cells may hold
    max_ratio: float = 100.0  # unpacked / packed size of one zip part (parts under 1 MB are exempt)
    max_members: int = 2000  # parts in one workbook zip
    max_rows: int = 2_000_000  # rows of one table (sheets that share a header count together)
    max_columns: int = 2000  # columns of one sheet or CSV
    max_cells: int = 30_000_000  # rows x columns of one sheet as the reader lays it out

    @classmethod
    def from_config(cls, config) -> "Limits":
        """The ``limits.*`` settings of a Config (anything with ``section``), checked to be positive."""
        values = config.section("limits") if config is not None else {}
        kwargs = {f.name: values[f.name] for f in fields(cls) if f.name in values}
        for name, value in kwargs.items():
            if not value > 0:
                raise ConfigError(f"limits.{name} = {value!r} must be above 0.",
                                  hint="Fix it in tiercli.toml or the TIERCLI_LIMITS_* variable.")
        return cls(**kwargs)

    @property
    def max_bytes(self) -> int:
        return int(self.max_uncompressed_mb * 1024 * 1024)

    def text_allowed(self, source_bytes: int) -> int:
        """Characters the cells of a sheet may copy out of shared strings or repeats: ``max_ratio`` times
        the XML they come from (at least 64 MB), never over ``max_uncompressed_mb``."""
        return int(min(self.max_bytes, max(64 << 20, self.max_ratio * source_bytes)))


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
    # workbook cells merged down several rows: (column, first frame row, last frame row); the value
    # is on the first row only (as calamine returns it); the schema layer decides what to fill down
    merged: list[tuple[str, int, int]] = field(default_factory=list)
    # where the frame's rows are in the workbook: (sheet, spreadsheet row of the segment's first
    # frame row, rows) per sheet; empty for a CSV (row i is line first_line + i)
    segments: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.frame)

    def where(self, positions) -> list[str]:
        """Spreadsheet row numbers (``"12"``, or ``"2026-02!12"`` in a table of several sheets) of frame rows."""
        if not self.segments:
            return [str(self.first_line + int(i)) for i in positions]
        out = []
        for i in positions:
            i = int(i)
            for sheet, first, count in self.segments:
                if i < count:
                    out.append(f"{sheet}!{first + i}" if len(self.segments) > 1 else str(first + i))
                    break
                i -= count
            else:
                out.append(str(self.first_line + int(i)))
        return out

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


def read_file(path: Path, *, max_rows: int | None = None, limits: Limits | None = None) -> list[RawTable]:
    """Read one export into text tables.  Raises InputError with a fix for anything unreadable.

    ``max_rows`` reads only the first rows (a preview); ``limits`` (default: the
    settings' defaults) refuses files that would take more than they allow.
    """
    path = Path(path)
    limits = limits or Limits()
    if not path.is_file():
        raise InputError(f"{path}: no such file.", hint="Check the path.")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: file is empty.", hint="Export it again from the platform.")
    if size > limits.max_bytes:
        raise _too_big(path, f"is {size / 2**20:,.0f} MB")
    head = _head_bytes(path, 8)
    suffix = _data_suffix(path)
    if head.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm", ".ods"}:
        return _read_excel(path, head, max_rows, limits)
    if head.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        return _read_excel(path, head, max_rows, limits)
    return [_read_csv(path, max_rows, limits)]


def _too_big(path: Path, what: str) -> InputError:
    return InputError(f"{path}: refused: the file {what}, more than limits.max_uncompressed_mb allows.",
                      hint="If the export is genuine, raise limits.max_uncompressed_mb in tiercli.toml "
                           "(or TIERCLI_LIMITS_MAX_UNCOMPRESSED_MB).")


def _over_limit(path: Path, what: str, setting: str) -> InputError:
    return InputError(f"{path}: refused: {what}, more than limits.{setting} allows.",
                      hint=f"If the export is genuine, raise limits.{setting} in tiercli.toml "
                           f"(or TIERCLI_LIMITS_{setting.upper()}).")


def _head_bytes(path: Path, n: int) -> bytes:
    with open(path, "rb") as fh:
        head = fh.read(max(n, 2))
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                return fh.read(n)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{path}: the .gz file is damaged ({exc}).", hint="Download it again.") from None
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

    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a bare CR inside the line, a NUL: count the fields plainly
        return line.split(delimiter)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line breaks pandas' parser knows (not str.splitlines's \x1c, \u2028 ...)


def _sniff(text: str) -> tuple[str, int]:
    """Delimiter and header line: the header is the first line that splits like the lines below it.

    The delimiter is the one under which the most lines split into the same number of fields (more
    fields breaks a tie): a narrow file whose notes hold ';' or '|' is still read by its commas."""
    lines = _LINE_BREAK.split(text, maxsplit=60)[:60]
    best = (",", 0, (-1, -1))
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
        score = (sum(1 for c in counts if c == width), width)
        if score > best[2]:
            best = (delim, header, score)
    return best[0], best[1]


def _read_csv(path: Path, max_rows: int | None, limits: Limits) -> RawTable:
    if _is_gzip(path):
        _check_gzip(path, limits)
    with _open_bytes(path) as fh:
        sample = fh.read(_SAMPLE_BYTES)
    if not sample.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise InputError(f"{path}: file is empty.", hint="Export it again from the platform.")
    foreign = _foreign_format(sample)
    if foreign:
        raise InputError(f"{path}: this is {foreign}, not a CSV export.",
                         hint="Download the export again as CSV or XLSX (the platform may have sent a login page).")
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
    foreign = _foreign_text(text)
    if foreign:
        raise InputError(
            f"{path}: this is {foreign}, not a CSV export.",
            hint="Download the export again; the platform may have sent a login page.",
        )
    delimiter, header_row = _sniff(text)
    lines = _LINE_BREAK.split(text, maxsplit=header_row + 1)
    if header_row < len(lines):
        width = len(_split_line(lines[header_row], delimiter))
        if width > limits.max_columns:
            raise _over_limit(path, f"the header has {width:,} columns", "max_columns")
    kwargs = dict(
        sep=delimiter,
        header=0,
        index_col=False,  # lines wider than the header are skipped and counted, never turned into an index
        skiprows=header_row,
        dtype=str,
        keep_default_na=False,  # 'NA', 'None', 'null' are real names, not missing values
        na_values=[""],
        skipinitialspace=False,
        skip_blank_lines=True,
        encoding=encoding,
        encoding_errors="strict",
        # a preview reads max_rows; otherwise one row past the limit tells a file over it
        nrows=max_rows if max_rows is not None else limits.max_rows + 1,
        on_bad_lines="warn",
        compression="gzip" if _is_gzip(path) else None,  # from the bytes, never the name
    )
    try:
        # the plain case (UTF-8, header on line 1, every line as wide as it) in pyarrow's reader; the rest
        # (and a preview of max_rows) in pandas', which also reports the lines it skips
        fast = _read_csv_arrow(path, encoding, delimiter, header_row, text) if max_rows is None else None
        frame, skipped = fast if fast is not None else _read_csv_frame(path, kwargs)
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
    if max_rows is None and len(frame) > limits.max_rows:
        raise _over_limit(path, f"it has more than {limits.max_rows:,} rows", "max_rows")
    if frame.shape[1] > limits.max_columns:
        raise _over_limit(path, f"it has {frame.shape[1]:,} columns", "max_columns")
    frame = _clean_headers(frame)
    return RawTable(path, frame, encoding=encoding, delimiter=delimiter, header_row=header_row,
                    first_line=header_row + 2, skipped_lines=skipped)


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _check_gzip(path: Path, limits: Limits) -> None:
    """A .gz export is unpacked once, counting, before pandas reads it: a gzip bomb is refused early."""
    packed = max(path.stat().st_size, 1)
    total = 0
    try:
        with gzip.open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK_OUT):
                total += len(chunk)
                if total > limits.max_bytes:
                    raise _too_big(path, "unpacks to more than it")
                if total > _GRACE_BYTES and total > limits.max_ratio * packed:
                    raise _over_limit(path, f"it unpacks more than {limits.max_ratio:g} times its size "
                                            "(a compression bomb?)", "max_ratio")
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: the .gz file is damaged ({exc}).", hint="Download it again.") from None


# What a download that is not an export really is, from its first bytes: (prefix, description)
_MAGIC = (
    (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"), (b"{\\rtf", "an RTF document"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"), (b"\x25\x21PS", "a PostScript file"),
)
_HTML_START = re.compile(r"\A(?:\ufeff|\s)*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                         r"<(?:!doctype\s+html|html|head|body|meta|title|script|table|div)\b", re.I | re.S)
_XML_SPREADSHEET = re.compile(r"\A(?:\ufeff|\s)*<\?xml[^>]*>\s*(?:<\?mso-application[^>]*>\s*)?"
                              r"<(?:ss:)?Workbook\b", re.I)


def _foreign_format(head: bytes) -> str | None:
    """'a PDF document', 'a PNG image' ... for a file that is not data whatever its name says."""
    head = head.lstrip(b"\xef\xbb\xbf\r\n\t ")
    return next((what for magic, what in _MAGIC if head.startswith(magic)), None)


def _foreign_text(text: str) -> str | None:
    """'a web page (HTML)' or 'an Excel 2003 XML spreadsheet' for text that is not CSV."""
    if _XML_SPREADSHEET.match(text[:4096]):
        return "an Excel 2003 XML spreadsheet (open it in Excel and save it as .xlsx)"
    if _HTML_START.match(text[:65536]):
        return "a web page (HTML)"
    return None


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


_TAIL = 1 << 16


def _read_csv_arrow(path: Path, encoding: str, delimiter: str, header_row: int,
                    text: str) -> tuple[pd.DataFrame, list[int]] | None:
    """The whole CSV with pyarrow's multithreaded reader, every column text, exactly as pandas' parser
    gives it with the options of ``_read_csv`` (3x faster, and no Python string per cell).

    Only the plain case: UTF-8, the header on the first line and unquoted, every line as wide as the
    header.  Anything else returns None and pandas reads the file: pyarrow refuses a line of another
    width (pandas pads a short one with missing values and skips a long one, which is then reported),
    an undecodable byte, and a quote left open at the end (checked below)."""
    if encoding not in ("utf-8", "utf-8-sig") or header_row != 0:
        return None
    first = text.split("\n", 1)[0].rstrip("\r")
    if '"' in first:
        return None  # a quoted header may run over several lines
    width = len(_split_line(first.lstrip("\ufeff"), delimiter))
    if width < 2:
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"f{i}" for i in range(width)]
    tail = b""
    try:
        if _is_gzip(path):
            with gzip.open(path, "rb") as fh:
                data = fh.read()
            tail, source = data[-_TAIL:], pa.BufferReader(data)
        else:
            with open(path, "rb") as fh:
                fh.seek(max(0, path.stat().st_size - _TAIL))
                tail, source = fh.read(), str(path)
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[""],
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except (pa.ArrowException, OSError, EOFError, zlib.error, UnicodeDecodeError):
        return None
    if table.num_rows < 2:
        return None  # a header alone: pandas gives the empty frame its own way
    # pyarrow takes a quote left open at the end as a value running to the end of the file, where pandas
    # stops with an error.  Such a value is the last column of the last line: the file ends '"' + value.
    last = table.column(width - 1)[table.num_rows - 1].as_py()
    if last is None:
        if tail.rstrip(b"\r\n").endswith(b'"'):
            return None
    elif '"' in last or len(last) >= _TAIL // 4 or tail.endswith(b'"' + last.encode("utf-8")):
        return None
    header = [h or "" for h in table.slice(0, 1).to_pylist()[0].values()]
    if any(h.startswith("Unnamed:") for h in header):
        return None  # pandas' own names for blank headers written as headers: its renaming order decides
    frame = table.slice(1).to_pandas()
    # names as pandas gives them: blank -> 'Unnamed: i', repeated -> 'x.1', 'x.2' (_clean_headers follows)
    names = [h or f"Unnamed: {i}" for i, h in enumerate(header)]
    counts: dict[str, int] = {}
    for i, col in enumerate(names):
        cur = counts.get(col, 0)
        while cur > 0:
            counts[col] = cur + 1
            col = f"{col}.{cur}"
            cur = counts.get(col, 0)
        names[i] = col
        counts[col] = cur + 1
    frame.columns = names
    return frame, []


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
    return _drop_empty_unnamed(frame.set_axis(_header_names(frame.columns), axis=1))


_HEADER_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _header_names(labels) -> list[str]:
    names, taken = [], set()
    for i, raw in enumerate(labels):
        # a header typed with Alt+Enter holds a line break: one line, so it can be mapped and named in a message
        name = _HEADER_CONTROL.sub(" ", str(raw).replace("\ufeff", "")).strip()
        if not name or _UNNAMED.match(name):
            name = f"column_{i + 1}"
        if name in taken:
            n = 1
            while f"{name}.{n}" in taken:
                n += 1
            name = f"{name}.{n}"
        taken.add(name)
        names.append(name)
    return names


def _drop_empty_unnamed(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop columns that are entirely empty and unnamed (trailing delimiters, the sheet's empty margin)."""
    empty_unnamed = [c for c in frame.columns if c.startswith("column_") and frame[c].isna().all()]
    return frame.drop(columns=empty_unnamed)


# ---------------------------------------------------------------- untrusted workbooks
#
# A workbook is a zip of XML parts that the Rust reader (calamine) unpacks and parses
# all at once.  It never expands XML entities, but it trusts the file in three ways
# that a crafted file turns into a crash or gigabytes of memory:
#   * it inflates whatever the zip holds (a 3 MB part can inflate to 3 GB);
#   * it lays a sheet out densely from row 1/column A to the farthest cell it meets,
#     so one cell at XFD1048576 asks for 17 billion cells and the process aborts;
#   * it copies a shared string into every cell that refers to it, so one 30,000-
#     character string used by 100,000 cells becomes 3 GB.
# So before calamine sees the bytes, every part is inflated once, streaming, with its
# real size checked against what the zip declares and against the limits, and every
# sheet is bounded: the fast path checks with regular expressions that the sheet is
# written the way spreadsheet programs write it (every <c> and <row> with r="..."
# first, inside the sheet's <dimension>); anything else (a lying dimension, prefixed
# elements, cells without r) gets an exact pass with expat that follows calamine's
# own rules.  An XML DTD (<!DOCTYPE>, <!ENTITY>), which no spreadsheet program
# writes, is refused outright: billion laughs and external entities stop there.

_GRACE_BYTES = 1 << 20  # parts under this size are never called bombs, whatever their ratio
_PROLOG_BYTES = 1 << 16  # a DTD and a sheet's <dimension> come before this in any real file
_CHUNK_IN, _CHUNK_OUT = 1 << 18, 1 << 20
_TAG_LIMIT = 1 << 20  # no real tag or text run without '<' is this long
_EXCEL_COLS = 16_384
_IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".svg", ".ico", ".bin")
_DTD = re.compile(rb"<!(?i:doctype|entity)|<\x00!\x00(?i:d\x00o\x00c\x00t\x00y\x00p\x00e\x00|e\x00n\x00t\x00i\x00t\x00y\x00)")
_SHEET_DATA = b"sheetData"
_SHEET_DATA_16 = "sheetData".encode("utf-16-le")[:-1]  # matches UTF-16 LE and BE
_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s+ref="([A-Z]{1,3})([1-9]\d{0,6})(?::([A-Z]{1,3})([1-9]\d{0,6}))?"')
# signs that a sheet is not written the usual way, each a pattern with a literal start (fast to search):
# an r attribute after another one (calamine takes the last of two), elements with a prefix (<x:c>)
_UNUSUAL = tuple(re.compile(p) for p in (
    rb'"r\s*=', rb"'r\s*=", rb'"\s+r\s*=', rb"'\s+r\s*=", rb":(?:c|row|v)[\s/>]"))
_SI_START = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")
_TEXT_GRACE = 64 << 20  # cells may always copy this much shared-string text
_REF = re.compile(r"\s*([A-Za-z]{1,3})([0-9]{1,7})\s*")
_ROWNUM = re.compile(r"\s*([0-9]{1,7})\s*")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _le_pattern(limit: str, alphabet: str) -> str:
    """A regex for the strings of ``alphabet`` digits without a leading zero that are at most ``limit``
    (same-length strings compare like numbers): numbers up to 541910, column letters up to 'CA'."""
    first, digit = (alphabet[1], f"[{alphabet[0]}-{alphabet[-1]}]") if alphabet[0] == "0" else \
        (alphabet[0], f"[{alphabet[0]}-{alphabet[-1]}]")
    parts = []
    if len(limit) > 1:
        parts.append(f"[{first}-{alphabet[-1]}]{digit}{{0,{len(limit) - 2}}}")
    for i, ch in enumerate(limit):
        low = first if i == 0 else alphabet[0]
        if ch > low:
            below = chr(ord(ch) - 1)
            parts.append(re.escape(limit[:i]) + f"[{low}-{below}]" + (f"{digit}{{{len(limit) - i - 1}}}"
                                                                        if i < len(limit) - 1 else ""))
    parts.append(re.escape(limit))
    return "(?:" + "|".join(parts) + ")"


def _col_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


class _SheetBounds:
    """What calamine will lay out for one sheet: rows and columns from A1 to the farthest cell, and the
    shared-string text its cells copy.  Fed by expat, following calamine's rules (cells are read from
    <sheetData> on; a <row>'s r sets the row, its end moves to the next; a <c>'s r sets row and column,
    a <c> without one takes the next column)."""

    def __init__(self, limits: Limits, shared: list[int] | None, text_allowed: int) -> None:
        self.limits = limits
        self.shared = shared or []  # length of each shared string
        self.text_allowed = text_allowed
        self.active = False
        self.row = self.col = 0
        self.rows = self.cols = 0  # 1 + the farthest row / column index met
        self.cell_type: str | None = None
        self.in_value = False
        self.value = ""
        self.text = 0  # characters of shared strings the cells copy

    def start(self, name: str, attrs: dict) -> None:
        local = name.rpartition(":")[2]
        if not self.active:
            self.active = local == "sheetData"
            return
        if local == "row":
            r = attrs.get("r")
            if r is not None:
                m = _ROWNUM.fullmatch(r)
                if not m or int(m.group(1)) < 1:
                    raise _BadPart(f"row number {r[:20]!r} is not valid")
                self.row = int(m.group(1)) - 1
        elif local == "c":
            r = attrs.get("r")
            if r is not None:
                m = _REF.fullmatch(r)
                if not m or int(m.group(2)) < 1:
                    raise _BadPart(f"cell reference {r[:20]!r} is not valid")
                self.row, self.col = int(m.group(2)) - 1, _col_number(m.group(1)) - 1
            if self.row >= self.rows or self.col >= self.cols:
                self.rows = max(self.rows, self.row + 1)
                self.cols = max(self.cols, self.col + 1)
                _check_extent(self.limits, self.rows, self.cols)
            self.col += 1
            self.cell_type = attrs.get("t")
        elif local == "v" and self.cell_type == "s":
            self.in_value, self.value = True, ""

    def end(self, name: str) -> None:
        if not self.active:
            return
        local = name.rpartition(":")[2]
        if local == "row":
            self.row += 1
            self.col = 0
        elif local == "v" and self.in_value:
            self.in_value = False
            index = self.value.strip()
            if index.isdigit() and int(index) < len(self.shared):
                self.text += self.shared[int(index)]
                if self.text > self.text_allowed:
                    raise _Over("text", self.text)
        elif local == "c":
            self.cell_type = None
        elif local == "sheetData":
            self.active = False

    def chars(self, data: str) -> None:
        if self.in_value:
            self.value += data


def _check_extent(limits: Limits, rows: int, cols: int) -> None:
    if rows > limits.max_rows:
        raise _Over("rows", rows)
    if cols > limits.max_columns:
        raise _Over("columns", cols)
    if rows * cols > limits.max_cells:
        raise _Over("cells", rows * cols)


class _SharedStrings:
    """The length of every shared string (xl/sharedStrings.xml), as calamine joins an <si>'s text."""

    def __init__(self) -> None:
        self.lengths: list[int] = []
        self.depth = 0  # inside an <si>

    def start(self, name: str, attrs: dict) -> None:
        if name.rpartition(":")[2] == "si":
            self.depth += 1
            if self.depth == 1:
                self.lengths.append(0)

    def end(self, name: str) -> None:
        if name.rpartition(":")[2] == "si" and self.depth:
            self.depth -= 1

    def chars(self, data: str) -> None:
        if self.depth:
            self.lengths[-1] += len(data)


class _OdsBounds:
    """What calamine lays out for the tables of an OpenDocument content.xml: repeated rows and columns
    (number-rows-repeated, number-columns-repeated) are copied out, values and all, and <text:s c="n"/>
    is n spaces.  Tracks rows up to the last one with a value, the widest row up to its last value, and
    the text the copies hold."""

    _VALUES = {"value", "string-value", "date-value", "time-value", "boolean-value", "formula"}

    def __init__(self, limits: Limits, text_allowed: int) -> None:
        self.limits = limits
        self.text_allowed = text_allowed
        self.tables: list[tuple[int, int]] = []  # (rows, columns) per table
        self.text_total = 0
        self.in_table = 0
        self._reset_table()
        self.row_rep = 1
        self.cell_rep = 1
        self.cell_text = 0
        self.in_cell = False
        self.cell_filled = False

    def _reset_table(self) -> None:
        self.rows_seen = 0  # rows so far, repeats counted
        self.rows_used = 0  # rows up to the last row with a value
        self.width = 0
        self.row_width = 0
        self.row_used = 0

    @staticmethod
    def _attr(attrs: dict, local: str) -> str | None:
        for key, value in attrs.items():
            if key.rpartition(":")[2] == local:
                return value
        return None

    def _repeat(self, attrs: dict, local: str) -> int:
        raw = self._attr(attrs, local)
        if raw is None:
            return 1
        if not raw.strip().isdigit():
            raise _BadPart(f"{local} {raw[:20]!r} is not a number")
        return max(int(raw), 1)

    def start(self, name: str, attrs: dict) -> None:
        local = name.rpartition(":")[2]
        if local == "table" and not self.in_cell:
            self.in_table += 1
            if self.in_table == 1:
                self._reset_table()
        elif not self.in_table:
            return
        elif local == "table-row":
            self.row_rep = self._repeat(attrs, "number-rows-repeated")
            self.row_width = self.row_used = 0
        elif local in ("table-cell", "covered-table-cell"):
            self.cell_rep = self._repeat(attrs, "number-columns-repeated")
            self.in_cell = True
            self.cell_text = 0
            self.cell_filled = any(k.rpartition(":")[2] in self._VALUES for k in attrs) or \
                self._attr(attrs, "value-type") is not None
        elif local == "s" and self.in_cell:
            self.cell_text += self._repeat(attrs, "c")

    def chars(self, data: str) -> None:
        if self.in_cell:
            self.cell_text += len(data)

    def end(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if not self.in_table:
            return
        if local in ("table-cell", "covered-table-cell") and self.in_cell:
            self.in_cell = False
            self.row_width += self.cell_rep
            if self.cell_filled or self.cell_text:
                self.row_used = self.row_width
                self.text_total += self.cell_text * self.cell_rep * self.row_rep
                if self.text_total > self.text_allowed:
                    raise _Over("text", self.text_total)
        elif local == "table-row":
            self.rows_seen += self.row_rep
            if self.row_used:
                self.rows_used = self.rows_seen
                self.width = max(self.width, self.row_used)
                _check_extent(self.limits, self.rows_used, self.width)
            self.row_rep = 1
        elif local == "table":
            self.in_table -= 1
            if not self.in_table:
                self.tables.append((self.rows_used, self.width))



class _BadPart(Exception):
    """A part calamine would choke on or mislay: refused as damaged."""


class _Over(Exception):
    """A part over one of the limits: (what, how much)."""

    def __init__(self, what: str, amount: int) -> None:
        super().__init__(what, amount)
        self.what, self.amount = what, amount


def _expat(handler):
    """An expat parser feeding ``handler``; any DTD is refused (defusedxml's rule), entities never expand."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    if hasattr(handler, "chars"):
        parser.CharacterDataHandler = handler.chars
        parser.buffer_text = True

    def refuse(*_args):
        raise _BadPart("it declares an XML DTD (<!DOCTYPE>), which spreadsheet programs never write")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


class _WorkbookGuard:
    """Checks a workbook zip part by part before calamine parses it; raises InputError naming the file."""

    def __init__(self, path: Path, data: bytes, limits: Limits) -> None:
        self.path, self.data, self.limits = path, data, limits

    # -- errors --------------------------------------------------------------

    def damaged(self, why: str) -> InputError:
        return InputError(f"{self.path}: workbook is damaged or crafted ({why}).",
                          hint="Open it in Excel and save it again, or export it again.")

    def over(self, part: str, exc: _Over) -> InputError:
        what, n = exc.what, exc.amount
        if what == "rows":
            return _over_limit(self.path, f"sheet part {part!r} has {n:,} rows", "max_rows")
        if what == "columns":
            return _over_limit(self.path, f"sheet part {part!r} has {n:,} columns", "max_columns")
        if what == "cells":
            return _over_limit(self.path, f"sheet part {part!r} spans {n:,} cells (rows x columns)", "max_cells")
        return InputError(f"{self.path}: refused: the cells of {part} copy out {n / 2**20:,.0f} MB of text, far more "
                          "than the file holds (a crafted workbook?).",
                          hint="If it is genuine, raise limits.max_ratio or limits.max_uncompressed_mb in tiercli.toml.")

    # -- the zip -------------------------------------------------------------

    def check(self) -> None:
        data, limits = self.data, self.limits
        entries, directory = _zip_directory(data)
        if entries is None:
            raise self.damaged("no zip directory")
        if entries > limits.max_members or directory > max(limits.max_members, 16) * 1024:
            raise _over_limit(self.path, f"the workbook zip has {entries:,} parts", "max_members")
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error, EOFError, OSError,
                NotImplementedError, UnicodeDecodeError) as exc:
            raise self.damaged(f"not a valid zip: {exc}") from None
        if len(infos) > limits.max_members:
            raise _over_limit(self.path, f"the workbook zip has {len(infos):,} parts", "max_members")
        names = [i.filename for i in infos]
        if not any(n.startswith(("xl/", "content.xml")) for n in names):
            raise InputError(f"{self.path}: not an Excel workbook.", hint="Export the data as .xlsx or .csv.")
        if any(n.lower().endswith("workbook.bin") for n in names):
            raise InputError(f"{self.path}: this is a binary .xlsb workbook, which tiercli does not read.",
                             hint="Open it in Excel and save it as .xlsx.")
        spans, total = [], 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise InputError(f"{self.path}: the workbook is encrypted.", hint="Save it without a password.")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.damaged(f"part {info.filename!r} uses compression method {info.compress_type}")
            total += info.file_size
            if total > limits.max_bytes:
                raise _too_big(self.path, f"unpacks to more than {total / 2**20:,.0f} MB")
            if info.file_size > _GRACE_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise _over_limit(self.path, f"part {info.filename!r} unpacks {info.file_size / max(info.compress_size, 1):,.0f} "
                                             "times its size (a zip bomb?)", "max_ratio")
            start = self._data_start(info)
            spans.append((info.header_offset, start + info.compress_size, info))
        spans.sort(key=lambda s: s[0])
        if spans and spans[0][0] != 0:
            raise self.damaged("data before the first part")
        for (_, end, a), (begin, _, b) in zip(spans, spans[1:]):
            if begin < end:
                raise self.damaged(f"parts {a.filename!r} and {b.filename!r} overlap")
        self.shared_info = next((i for _, _, i in spans if i.filename.lower() == "xl/sharedstrings.xml"), None)
        self.shared_raw: list[int] | None = None  # bytes of each <si>: a bound on its text, cheap to get
        self.shared_exact: list[int] | None = None
        if self.shared_info is not None:
            self.shared_raw = self._shared_raw_lengths(self.shared_info)
        for _, _, info in spans:
            self._check_part(info)

    def _data_start(self, info: zipfile.ZipInfo) -> int:
        off = info.header_offset
        header = self.data[off:off + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise self.damaged(f"part {info.filename!r} has no local header")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = off + 30 + name_len + extra_len
        if start + info.compress_size > len(self.data):
            raise self.damaged(f"part {info.filename!r} is cut short")
        return start

    def _inflate(self, info: zipfile.ZipInfo):
        """The part's bytes, a chunk at a time, never more than it declares (a lying size is refused)."""
        start = self._data_start(info)
        raw = memoryview(self.data)[start:start + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            if info.compress_size != info.file_size:
                raise self.damaged(f"part {info.filename!r} has two sizes")
            for i in range(0, len(raw), _CHUNK_OUT):
                yield bytes(raw[i:i + _CHUNK_OUT])
            return
        inflater = zlib.decompressobj(-15)
        pos, produced, pending = 0, 0, b""
        try:
            while not inflater.eof:
                if not pending:
                    if pos >= len(raw):
                        raise self.damaged(f"part {info.filename!r} is cut short")
                    pending = raw[pos:pos + _CHUNK_IN]
                    pos += len(pending)
                out = inflater.decompress(pending, _CHUNK_OUT)
                pending = inflater.unconsumed_tail
                if out:
                    produced += len(out)
                    if produced > info.file_size:
                        raise self.damaged(f"part {info.filename!r} unpacks to more than the "
                                           f"{info.file_size:,} bytes it declares")
                    yield out
        except zlib.error as exc:
            raise self.damaged(f"part {info.filename!r}: {exc}") from None
        if produced != info.file_size:
            raise self.damaged(f"part {info.filename!r} unpacks to {produced:,} bytes, not the "
                               f"{info.file_size:,} it declares")

    def _parse(self, info: zipfile.ZipInfo, handler) -> None:
        parser = _expat(handler)
        try:
            for chunk in self._inflate(info):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _Over as exc:
            raise self.over(info.filename, exc) from None
        except _BadPart as exc:
            raise self.damaged(f"part {info.filename!r}: {exc}") from None
        except Exception as exc:  # expat.ExpatError and anything a handler trips on
            raise self.damaged(f"part {info.filename!r} is not well-formed XML: {exc}") from None

    def _shared_raw_lengths(self, info: zipfile.ZipInfo) -> list[int]:
        starts, offset, carry = [], 0, b""
        for chunk in self._inflate(info):
            buf = carry + chunk
            cut = buf.rfind(b"<")
            cut = len(buf) if cut <= 0 else cut
            starts.extend(offset + m.start() for m in _SI_START.finditer(buf, 0, cut))
            offset += cut
            carry = buf[cut:]
        starts.extend(offset + m.start() for m in _SI_START.finditer(carry))
        ends = starts[1:] + [offset + len(carry)]
        return [b - a for a, b in zip(starts, ends)]

    def _shared_lengths(self) -> list[int]:
        if self.shared_exact is None:
            handler = _SharedStrings()
            self._parse(self.shared_info, handler)
            self.shared_exact = handler.lengths
        return self.shared_exact

    # -- one part ------------------------------------------------------------

    def _check_part(self, info: zipfile.ZipInfo) -> None:
        """Inflate one part, refusing a DTD; bound it exactly unless it is a sheet written the usual way."""
        name = info.filename
        scan = _PartScan(self.limits)
        check_dtd = not name.lower().endswith(_IMAGES)
        for chunk in self._inflate(info):
            if check_dtd and scan.seen < _PROLOG_BYTES and _DTD.search(scan.head_window(chunk)):
                raise InputError(f"{self.path}: refused: part {name!r} declares an XML DTD (<!DOCTYPE>/<!ENTITY>), "
                                 "which spreadsheet programs never write (entity expansion or external-entity attack?).",
                                 hint="Open it in Excel and save it again if you trust it.")
            scan.feed(chunk)
        scan.finish()
        if name == "content.xml":
            self._parse(info, _OdsBounds(self.limits, self.limits.text_allowed(info.file_size)))
            return
        if not scan.sheet:
            return
        source = info.file_size + (self.shared_info.file_size if self.shared_info is not None else 0)
        allowed = self.limits.text_allowed(source)
        if scan.fast:
            # every cell is inside the bound, which fits max_cells; the exact rows and columns are
            # checked against the limits once calamine has laid the sheet out
            if not self.shared_raw or max(self.shared_raw) * scan.values <= allowed:
                return
            # long shared strings in many cells: count the text the cells really copy
        shared = self._shared_lengths() if self.shared_info is not None else None
        self._parse(info, _SheetBounds(self.limits, shared, allowed))


class _PartScan:
    """The streaming fast path over one part: finds <sheetData> and the <dimension>, then checks with
    regular expressions that every <c> and <row> starts with r="..." inside the dimension and carries
    no second r.  ``fast`` stays True only when that held throughout; ``bound`` is then (rows, cols)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.seen = 0
        self.head = bytearray()  # the part's first bytes, where the DTD and <dimension> are
        self.carry = b""
        self.sheet = False
        self.fast = True
        self.bound: tuple[int, int] | None = None
        self.bad = None
        self.values = 0  # elements starting "<v": a bound on the cells that copy a shared string

    def head_window(self, chunk: bytes) -> bytes:
        room = _PROLOG_BYTES - self.seen
        return bytes(self.head[-32:]) + chunk[:room]

    def feed(self, chunk: bytes) -> None:
        if self.seen < _PROLOG_BYTES:
            self.head += chunk[:_PROLOG_BYTES - self.seen]
        self.seen += len(chunk)
        if not self.fast and self.sheet:
            return  # the exact pass will bound it
        buf = self.carry + chunk
        # every pattern starts at '<' or lies inside one tag, so cutting at the last '<' splits none
        cut = buf.rfind(b"<")
        if cut <= 0:
            if len(buf) <= _TAG_LIMIT:
                self.carry = buf
                return
            end = buf.rfind(b">") + 1
            if end <= 0:  # a tag or text run this long: leave it to the exact pass
                self.fast = False
                self._look(buf)
                self.carry = b""
                return
            cut = end
        self._look(buf[:cut])
        self.carry = buf[cut:]

    def finish(self) -> None:
        if self.carry:
            self._look(self.carry)
            self.carry = b""

    def _look(self, region: bytes) -> None:
        if region.find(_SHEET_DATA_16) >= 0:  # UTF-16 text: only the exact pass reads it
            self.sheet, self.fast = True, False
            return
        if not self.sheet:
            at = region.find(_SHEET_DATA)
            if at < 0:
                return
            self.sheet = True
            # any <dimension> will do as the bound to check against: cells outside it fail the check
            self._dimension(bytes(self.head))
            region = region[at:]
        if not self.fast:
            return
        if self.bad.search(region) or any(p.search(region) for p in _UNUSUAL):
            self.fast = False
            return
        self.values += region.count(b"<v")

    def _dimension(self, head: bytes) -> None:
        m = _DIMENSION.search(head)
        if not m:
            self.fast = False
            return
        end_col, end_row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
        rows, cols = int(end_row), _col_number(end_col.decode())
        # rows up to the next power of ten are a cheaper pattern; use it when the bound still fits
        digits = len(str(rows))
        loose = 10 ** digits - 1
        if loose * cols <= self.limits.max_cells:  # the bound is what the pattern lets through
            row_pat, rows = f"[1-9][0-9]{{0,{digits - 1}}}", loose
        else:
            row_pat = _le_pattern(str(rows), "0123456789")
        if rows * cols > self.limits.max_cells or cols > _EXCEL_COLS:
            self.fast = False  # a large (or lying) dimension: the exact pass finds the real extent
            return
        col_pat = _le_pattern(_col_letters(cols), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        ref = col_pat + row_pat
        # a <c> or <row> not followed by exactly r="..." inside the bound (one pattern: one pass over the '<'s)
        self.bad = re.compile(rb'<(?:c(?:[\t\r\n/>]| (?!r="' + ref.encode() + rb'"))|row(?:[\t\r\n/>]| (?!r="'
                              + row_pat.encode() + rb'")))')
        self.bound = (rows, cols)


def _zip_directory(data: bytes) -> tuple[int | None, int]:
    """(entries, size of the central directory) from the end record, before zipfile parses anything."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if at < 0 or at + 22 > len(data):
        return None, 0
    _, _, _, _, entries, size, _, _ = struct.unpack("<4s4H2LH", data[at:at + 22])
    if entries == 0xFFFF or size == 0xFFFFFFFF:  # zip64: the locator just before points at the real record
        loc = at - 20
        if loc >= 0 and data[loc:loc + 4] == b"PK\x06\x07":
            (offset,) = struct.unpack("<Q", data[loc + 8:loc + 16])
            rec = data[offset:offset + 56]
            if len(rec) == 56 and rec[:4] == b"PK\x06\x06":
                entries, size = struct.unpack("<QQ", rec[32:48])
    return entries, size


def _workbook_bytes(path: Path, limits: Limits) -> bytes:
    """The file's bytes (unpacked if it is a .gz), read once so the check and the parse see the same."""
    if not _is_gzip(path):
        return path.read_bytes()
    _check_gzip(path, limits)
    with gzip.open(path, "rb") as fh:
        return fh.read()


_LEGACY_PROBE = r"""
import io, sys
limit, text_limit = int(sys.argv[1]), int(sys.argv[2])
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except (ImportError, ValueError, OSError):
    pass
import python_calamine as pc
try:
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
    text = 0
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        text += sum(len(v) for row in rows for v in row if type(v) is str)
        del rows
except MemoryError:
    sys.exit(5)
except Exception:
    sys.exit(3)  # calamine cannot read it: the reader says so itself
sys.exit(4 if text > text_limit else 0)
"""


def _probe_legacy_workbook(path: Path, data: bytes, limits: Limits) -> None:
    """A legacy .xls (OLE2/BIFF) cannot be checked part by part like a zip, and calamine reads it whole
    when it opens it; so a child process with a memory cap opens it first.  A crafted .xls (one long
    string in every cell) dies there, not here."""
    import subprocess
    import sys

    if "EncryptedPackage".encode("utf-16-le") in data:
        raise InputError(f"{path}: the workbook is encrypted (password-protected).",
                         hint="Save it without a password, as .xlsx.")
    cap = (512 << 20) + 3 * limits.max_bytes
    try:
        done = subprocess.run([sys.executable, "-c", _LEGACY_PROBE, str(cap), str(limits.max_bytes)], input=data,
                              capture_output=True, timeout=600)
    except subprocess.TimeoutExpired:
        raise InputError(f"{path}: refused: the workbook takes too long to open.",
                         hint="Open it in Excel and save it as .xlsx or .csv.") from None
    except OSError:
        return  # no child process possible here: read it directly
    if done.returncode == 4:
        raise _too_big(path, "has cells that expand to more text than")
    if done.returncode not in (0, 3):
        raise InputError(f"{path}: refused: opening the workbook takes more memory than the limits allow "
                         "(a crafted file?).",
                         hint="If it is genuine, raise limits.max_uncompressed_mb, or save it as .xlsx or .csv.")


# ---------------------------------------------------------------- Excel


def _read_excel(path: Path, head: bytes, max_rows: int | None, limits: Limits) -> list[RawTable]:
    import python_calamine as pc

    if head.startswith(b"PK"):
        data = _workbook_bytes(path, limits)
        _WorkbookGuard(path, data, limits).check()
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        data = _workbook_bytes(path, limits)
        _probe_legacy_workbook(path, data, limits)
    else:
        with _open_bytes(path) as fh:
            sample = fh.read(4096)
        kind = _foreign_format(sample) or _foreign_text(sample.decode("utf-8", "replace")) or (
            "a web page" if sample.lstrip()[:1] == b"<" else "not a workbook")
        raise InputError(f"{path}: named like a workbook but is {kind}.",
                         hint="Download the export again as .xlsx or .csv.")
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise InputError(f"{path}: cannot read workbook ({str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__}).",
                         hint="Open it in Excel and save it again, or export as CSV.") from None
    del data
    groups: dict[tuple[str, ...], list[tuple[str, pd.DataFrame, int, list]]] = {}
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            # the layout from A1 to the farthest cell (the check above bounded it); refuse before
            # to_python lays it out again and copies it into Python
            end = sheet.end
            height, width = (end[0] + 1, end[1] + 1) if end is not None else (0, 0)
            if height > limits.max_rows:
                raise _over_limit(path, f"sheet {name!r} has {height:,} rows", "max_rows")
            if width > limits.max_columns:
                raise _over_limit(path, f"sheet {name!r} has {width:,} columns", "max_columns")
            if height * width > limits.max_cells:
                raise _over_limit(path, f"sheet {name!r} spans {height * width:,} cells", "max_cells")
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"{path}: sheet {name!r} cannot be read ({str(exc)[:120]}).",
                             hint="Open it in Excel and save it again.") from None
        if max_rows is not None:
            rows = rows[: max_rows + 25]
        table = _rows_to_frame(rows, merged)
        if table is None:
            continue  # an empty sheet
        frame, header_row, merged_cols = table
        groups.setdefault(tuple(frame.columns), []).append((name, frame, header_row, merged_cols))
    if not groups:
        raise InputError(f"{path}: workbook has no data.", hint="Check it is the right export.")
    out = []
    for header, parts in groups.items():
        frame = pd.concat([p[1] for p in parts], ignore_index=True) if len(parts) > 1 else parts[0][1]
        if max_rows is not None:
            frame = frame.iloc[:max_rows]
        elif len(frame) > limits.max_rows:
            raise _over_limit(path, f"sheets {', '.join(p[0] for p in parts)} have {len(frame):,} rows together",
                              "max_rows")
        merged, segments, offset = [], [], 0
        for name, part, header_row, merged_cols in parts:
            merged.extend((col, first + offset, last + offset) for col, first, last in merged_cols)
            segments.append((name, header_row + 2, len(part)))
            offset += len(part)
        out.append(RawTable(path, frame, sheets=[p[0] for p in parts], header_row=parts[0][2],
                            first_line=parts[0][2] + 2, merged=merged, segments=segments))
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


def _rows_to_frame(rows: list[list], merged: list | None = None) -> tuple[pd.DataFrame, int, list] | None:
    """The sheet's rows -> (frame of text, header row index, merged runs in data columns as (column,
    first frame row, last frame row)); None for an empty sheet."""
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
    names = _header_names(header)
    frame.columns = names
    frame = _drop_empty_unnamed(frame)
    # trailing empty rows of the used range
    if len(frame):
        filled = frame.notna().any(axis=1)
        if not filled.all():
            last = filled[::-1].idxmax() if filled.any() else -1
            frame = frame.iloc[: last + 1]
    runs = []
    for (r1, c1), (r2, c2) in merged or []:
        # a block merged down the data rows: its value sits in its first row and column
        first, last = max(r1, header_row + 1) - header_row - 1, min(r2 - header_row - 1, len(frame) - 1)
        if r1 > header_row and c1 < len(names) and last > first and names[c1] in frame.columns:
            runs.append((names[c1], first, last))
    return frame.reset_index(drop=True), header_row, runs


def read_text_sample(path: Path) -> str:
    """First kilobytes of a text file, decoded, for error messages."""
    with _open_bytes(path) as fh:
        sample = fh.read(4096)
    return sample.decode(detect_encoding(sample), errors="replace")


__all__ = ["Limits", "RawTable", "read_file", "list_inputs", "is_skipped_name", "detect_encoding",
           "openpyxl_defused"]
