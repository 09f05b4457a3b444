"""Reading a CSV/TSV export (or a report aligned with spaces): its encoding (``encoding.py``), its delimiter
and header line (``_sniff``), then every cell as text, by pyarrow's reader in the plain case and pandas'
otherwise.  A download that is not a CSV at all (a PDF, a login page) is named for what it is."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import InputError
from ...i18n import _
from ..limits import (
    INFLATE_ERRORS,
    Limits,
    check_gzip,
    gzip_open,
    is_gzip,
    open_bytes,
    over_limit,
)
from .encoding import detect_encoding_of, head_sample, judge_whole_file
from .table import RawTable, clean_headers

_DELIMITERS = (",", "\t", ";", "|")


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
    fields breaks a tie): a narrow file whose notes hold ';' or '|' is still read by its commas.  Columns
    aligned with runs of spaces (``_ALIGNED``: a report printed by an ERP or a terminal) are chosen only
    when they split more lines alike than any delimiter does."""
    lines = _LINE_BREAK.split(text, maxsplit=60)[:60]
    best = (",", 0, (-1, -1))
    for delim in (*_DELIMITERS, _ALIGNED):
        if delim == _ALIGNED:
            fields = [[t for _, t in _aligned_tokens(ln)] for ln in lines]
        else:
            fields = [_split_line(ln, delim) if ln.strip() else [] for ln in lines]
        counts = [len(f) for f in fields]
        if not counts:
            continue
        width = max(counts)
        if width < 2:
            continue
        # a typical data width: the most common count among non-empty lines
        common = pd.Series([c for c in counts if c > 1]).mode()
        width = int(common.max()) if len(common) else width
        header = _first_full(fields, width)
        score = (sum(1 for c in counts if c == width), width)
        if score > best[2] if delim != _ALIGNED else score[0] > best[2][0]:
            best = (delim, header, score)
    return best[0], best[1]


_ALIGNED = "  "  # the "delimiter" of columns aligned with runs of two or more spaces (or tabs)
_TOKEN = re.compile(r"[^ \t\u3000]+(?:[ \u3000][^ \t\u3000]+)*")  # words joined by single spaces
_RULE = re.compile(r"[-=_+|~*. \t]+")  # a line of dashes under a header, or between parts of a report


def _aligned_tokens(line: str) -> list[tuple[int, str]]:
    """(display column where it starts, text) per cell of a line aligned with spaces: cells are words
    joined by single spaces, apart where two or more spaces or a tab stand.  Chinese, Japanese and
    full-width characters take two columns, as a terminal or a monospaced font lays them out."""
    if not line.strip() or _RULE.fullmatch(line):
        return []
    out, col, pos = [], 0, 0
    for m in _TOKEN.finditer(line):
        col += _display_width(line[pos:m.start()])
        out.append((col, m.group()))
        col += _display_width(m.group())
        pos = m.end()
    return out


def _display_width(text: str) -> int:
    if text.isascii():
        return len(text.expandtabs(8))
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 8 if c == "\t" else 1 for c in text)


def _read_aligned(path: Path, text: str, header_row: int, max_rows: int | None,
                  limits: Limits) -> tuple[pd.DataFrame, int]:
    """A report with columns aligned by spaces -> (a frame of text, one column per header cell; the line
    number of its first row).

    A line with as many cells as the header fills the columns in order; another line (an empty cell, a
    value wider than its column) puts each cell in the column whose span under the header it overlaps
    most (spans meet halfway between header cells).  Rules of dashes are not rows; an empty line is
    an empty row, left out later, so that row numbers stay the file's line numbers.  Lines are split
    off only as far as the limits let a table go: one row past them tells a file over them."""
    head = _LINE_BREAK.split(text, maxsplit=header_row + 1)
    header = _aligned_tokens(head[header_row])
    names = [t for _, t in header]
    k = len(names)
    if k > limits.max_columns:
        raise over_limit(path, f"the header has {k:,} columns", "max_columns")
    ends = [c + _display_width(t) for c, t in header]
    bounds = [(ends[j] + header[j + 1][0]) / 2 for j in range(k - 1)]
    cap = max_rows if max_rows is not None else min(limits.max_rows, limits.max_cells // k) + 1
    body = _LINE_BREAK.split(head[header_row + 1], maxsplit=cap + 1)[:cap + 1] if len(head) > header_row + 1 else []
    if body and body[0].strip() and _RULE.fullmatch(body[0]):
        body = body[1:]  # the rule under the header belongs to it
        first_line = header_row + 3
    else:
        first_line = header_row + 2
    while body and not body[-1].strip():
        body.pop()
    if max_rows is None and len(body) >= cap and len(body) * k > limits.max_cells:
        raise over_limit(path, f"it spans more than {limits.max_cells:,} cells", "max_cells")
    lefts, rights = [float("-inf"), *bounds], [*bounds, float("inf")]
    rows = []
    for line in body[:cap]:
        cells = _aligned_tokens(line)
        if len(cells) == k:
            rows.append([t for _, t in cells])
            continue
        row: list[str | None] = [None] * k
        for start, t in cells:
            end = start + _display_width(t)
            j = max(range(k), key=lambda j: min(end, rights[j]) - max(start, lefts[j]))
            row[j] = t if row[j] is None else f"{row[j]} {t}"
        rows.append(row)
    frame = pd.DataFrame({j: pd.array([r[j] for r in rows], dtype="str") for j in range(k)})
    frame.columns = names
    return frame, first_line


def _first_full(fields: list[list[str]], width: int) -> int:
    """The header among split lines: the first that is about as wide as the table and fills most of it
    (the workbook rule, ``find_header_row``): a title padded with delimiters (``店铺订单报表,,,,,,,``, what Excel
    writes for a title above a table) is as wide as the header but fills one cell, and is skipped."""
    wide = [i for i, f in enumerate(fields) if len(f) >= max(2, width * 0.6)]
    filled = {i: sum(1 for v in fields[i] if v.strip()) for i in wide}
    most = max(filled.values(), default=0)
    # 0.4: a header may leave cells blank (5 of 9 named) while its data rows fill all; a title fills one or two
    return next((i for i in wide if filled[i] >= max(2, most * 0.4)), wide[0] if wide else 0)


def read_csv(path: Path, max_rows: int | None, limits: Limits) -> RawTable:
    if is_gzip(path):
        check_gzip(path, limits)
    sample = head_sample(path)
    if not sample.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise InputError(_("{path}: file is empty.").format(path=path), hint=_("Export it again from the platform."))
    foreign = foreign_format(sample)
    if foreign:
        raise InputError(_("{path}: this is {foreign}, not a CSV export.").format(path=path, foreign=foreign),
                         hint=_("Download the export again as CSV or XLSX (the platform may have sent a login page)."))
    if _looks_binary(sample):
        raise InputError(
            _("{path}: not a text file (binary content).").format(path=path),
            hint=_("Export the data as CSV or XLSX; a PDF or image cannot be read."),
        )
    encoding = detect_encoding_of(path, sample)
    try:
        text = sample.decode(encoding, errors="ignore")
    except LookupError:
        raise InputError(_("{path}: unknown encoding {encoding}.").format(path=path, encoding=encoding),
                         hint=_("Save it as 'CSV UTF-8'.")) from None
    foreign = foreign_text(text)
    if foreign:
        raise InputError(
            _("{path}: this is {foreign}, not a CSV export.").format(path=path, foreign=foreign),
            hint=_("Download the export again; the platform may have sent a login page."),
        )
    delimiter, header_row = _sniff(text)
    if delimiter == _ALIGNED:
        return _read_aligned_file(path, encoding, header_row, max_rows, limits)
    lines = _LINE_BREAK.split(text, maxsplit=header_row + 1)
    if header_row < len(lines):
        width = len(_split_line(lines[header_row], delimiter))
        if width > limits.max_columns:
            raise over_limit(path, f"the header has {width:,} columns", "max_columns")
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
        compression="gzip" if is_gzip(path) else None,  # from the bytes, never the name
    )
    try:
        # the plain case (UTF-8, header on line 1, every line as wide as it) in pyarrow's reader; the rest
        # (and a preview of max_rows) in pandas', which also reports the lines it skips
        fast = _read_csv_arrow(path, encoding, delimiter, header_row, text) if max_rows is None else None
        frame, skipped = fast if fast is not None else _read_csv_frame(path, kwargs)
    except UnicodeDecodeError:
        # the sample looked like one encoding, a later part of the file does not: judge on all of it
        encoding = judge_whole_file(path)
        kwargs["encoding"] = encoding
        try:
            frame, skipped = _read_csv_frame(path, kwargs)
        except UnicodeDecodeError as exc:
            raise InputError(
                _("{path}: text is not valid {encoding} (byte {start}).").format(
                    path=path, encoding=encoding, start=exc.start),
                hint=_("Save it as 'CSV UTF-8' in Excel or WPS and try again."),
            ) from None
    except pd.errors.EmptyDataError:
        raise InputError(_("{path}: file has no header row.").format(path=path),
                         hint=_("Export it again with column headers.")) from None
    except pd.errors.ParserError as exc:
        raise InputError(_("{path}: cannot parse as CSV ({value}).").format(path=path, value=str(exc).splitlines()[0]),
                         hint=_("Check the file opens in Excel; re-export it.")) from None
    if max_rows is None and len(frame) > limits.max_rows:
        raise over_limit(path, f"it has more than {limits.max_rows:,} rows", "max_rows")
    if frame.shape[1] > limits.max_columns:
        raise over_limit(path, f"it has {frame.shape[1]:,} columns", "max_columns")
    frame = clean_headers(frame)
    return RawTable(path, frame, encoding=encoding, delimiter=delimiter, header_row=header_row,
                    first_line=header_row + 2, skipped_lines=skipped)


def _read_aligned_file(path: Path, encoding: str, header_row: int, max_rows: int | None,
                       limits: Limits) -> RawTable:
    with open_bytes(path) as fh:
        data = fh.read()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding = judge_whole_file(path)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(_("{path}: text is not valid {encoding} (byte {start}).").format(
                                 path=path, encoding=encoding, start=exc.start),
                             hint=_("Save it as 'CSV UTF-8' in Excel or WPS and try again.")) from None
    del data
    frame, first_line = _read_aligned(path, text.lstrip("\ufeff"), header_row, max_rows, limits)
    if max_rows is None and len(frame) > limits.max_rows:
        raise over_limit(path, f"it has more than {limits.max_rows:,} rows", "max_rows")
    return RawTable(path, clean_headers(frame), encoding=encoding, delimiter=_ALIGNED, header_row=header_row,
                    first_line=first_line)


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


def foreign_format(head: bytes) -> str | None:
    """'a PDF document', 'a PNG image' ... for a file that is not data whatever its name says."""
    head = head.lstrip(b"\xef\xbb\xbf\r\n\t ")
    return next((what for magic, what in _MAGIC if head.startswith(magic)), None)


def foreign_text(text: str) -> str | None:
    """'a web page (HTML)' or 'an Excel 2003 XML spreadsheet' for text that is not CSV."""
    if _XML_SPREADSHEET.match(text[:4096]):
        return "an Excel 2003 XML spreadsheet (open it in Excel and save it as .xlsx)"
    if _HTML_START.match(text[:65536]):
        return "a web page (HTML)"
    return None


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
_BLOCK = 1 << 24  # bytes of the file pyarrow parses in one go (each block by one thread)


def _read_csv_arrow(path: Path, encoding: str, delimiter: str, header_row: int,
                    text: str) -> tuple[pd.DataFrame, list[int]] | None:
    """The whole CSV with pyarrow's multithreaded reader, every column text, exactly as pandas' parser
    gives it with the options of ``read_csv`` (3x faster, and no Python string per cell).

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

    names = [f"f{i}" for i in range(width)]
    tail = b""
    try:
        if is_gzip(path):
            with gzip_open(path) as fh:
                data = fh.read()
            tail = data[-_TAIL:]

            def source():
                return pa.BufferReader(data)
        else:
            with open(path, "rb") as fh:
                fh.seek(max(0, path.stat().st_size - _TAIL))
                tail = fh.read()

            def source():
                return str(path)
        table = _arrow_csv(source, names, delimiter)
    except (pa.ArrowException, OSError, EOFError, *INFLATE_ERRORS, UnicodeDecodeError):
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
    # names as pandas gives them: blank -> 'Unnamed: i', repeated -> 'x.1', 'x.2' (clean_headers follows)
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


def _arrow_csv(source, names: list[str], delimiter: str):
    """pyarrow's read of the whole file (``source()`` gives it afresh), every column text.

    First as if no quoted value held a line break: pyarrow then splits the file into blocks at any line
    break and parses them all at once (0.21 s instead of 0.37 s on a million lines; with line breaks in
    values allowed it must find the block ends one after the other, outside quotes).  The blocks are
    parsed with quotes respected, so that read is the same table unless a block ended inside a quoted
    value: only a value holding a line break can be cut so, and the cut row fails to parse (pyarrow raises)
    or the value keeps its line break.  Either way, and whenever any value holds one, the file is read
    again the careful way."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    def read(newlines_in_values: bool):
        return pacsv.read_csv(
            source(),
            read_options=pacsv.ReadOptions(column_names=names, block_size=_BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=newlines_in_values),
            # large_string: what pandas' str dtype holds, so the frame takes the columns without a copy
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names}, null_values=[""],
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        )

    try:
        table = read(False)
    except pa.ArrowException:
        return read(True)
    return read(True) if _holds_line_break(table) else table


def _holds_line_break(table) -> bool:
    """Whether any value of an all-text (large_string) Arrow table holds a line break (\\n or \\r), looking at the bytes: the
    least byte of each block first (a hundredth of a second for 90 MB), the line breaks only in a block
    holding a control character at all."""
    for column in table.columns:
        for chunk in column.chunks:
            offsets, data = chunk.buffers()[1:]
            if data is None or not len(chunk):
                continue
            at = np.frombuffer(offsets, dtype=np.int64)[chunk.offset:chunk.offset + len(chunk) + 1]
            bytes_ = np.frombuffer(data, dtype=np.uint8)[at[0]:at[-1]]  # this chunk's values (a slice's own)
            if len(bytes_) and bytes_.min() <= 13 and ((bytes_ == 10) | (bytes_ == 13)).any():
                return True
    return False


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
