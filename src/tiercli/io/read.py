"""Reading sellers' exports as they are: CSV/TSV in any common encoding, XLSX/XLS/ODS with every sheet.

The reader's only job is to turn a file into text tables (``RawTable``): every
cell a string exactly as exported (IDs keep their zeros, ``NA`` stays a name),
empty cells missing.  Interpreting the text (dates, amounts, statuses) is the
schema layer's job, so every format goes through one set of parsers.

Exports come from strangers, so nothing here trusts a file to be what its name
says or to be small: ``Limits`` caps what one file may ask of the machine, and a
workbook (a zip of XML) is checked part by part *before* the Rust reader parses
it (``guard.py``).
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import contextvars
import datetime as dt
import io
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..i18n import _
from .guard import WorkbookGuard
from .limits import (  # noqa: F401  (Limits and openpyxl_defused are part of the reader's API)
    INFLATE_ERRORS,
    Limits,
    check_gzip,
    gzip_open,
    is_gzip,
    openpyxl_defused,
    over_limit,
    probe_legacy_workbook,
    too_big,
    workbook_bytes,
)

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
    # date-formatted cells holding a number no date can be (-1e308, -inf): left empty, ``Sheet!B3`` each
    impossible_dates: list[str] = field(default_factory=list)
    # lines the CSV parser left out (more fields than the header), 1-based as in the file
    skipped_lines: list[int] = field(default_factory=list)
    # workbook cells merged down several rows: (column, first frame row, last frame row); the value
    # is on the first row only (as calamine returns it); the schema layer decides what to fill down
    merged: list[tuple[str, int, int]] = field(default_factory=list)
    # where the frame's rows are in the workbook: (sheet, spreadsheet row of the segment's first
    # frame row, rows) per sheet; empty for a CSV (row i is line first_line + i)
    segments: list[tuple[str, int, int]] = field(default_factory=list)
    # one of several tables of a workbook whose sheets were not named (--sheet): the schema layer leaves
    # it out, with a note, when no export layout fits it (a Summary, 说明 or 数据透视 sheet beside the orders)
    optional: bool = False

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
            raise InputError(_("{p}: no such file or folder.").format(p=p),
                             hint=_("Check the path (quote names with spaces)."))
        if p.is_dir():
            found = sorted(
                c for c in p.iterdir()
                if c.is_file() and not is_skipped_name(c.name) and _data_suffix(c) in DATA_SUFFIXES
            )
            if not found:
                raise InputError(
                    _("{p}: folder has no CSV or Excel exports.").format(p=p),
                    hint=_("Put .csv/.xlsx/.xls files in it or name the files directly."),
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


_INPUT_SHEETS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("tiercli_sheets", default=())


@contextlib.contextmanager
def input_sheets(names):
    """Within the block, the inputs' workbooks are read for the named sheets only (the CLI's ``--sheet``,
    set once for every command that reads exports; lists such as ``--blacklist`` are read whole)."""
    token = _INPUT_SHEETS.set(tuple(n for n in names or () if n))
    try:
        yield
    finally:
        _INPUT_SHEETS.reset(token)


def chosen_input_sheets() -> tuple[str, ...]:
    """The sheet names of the enclosing ``input_sheets`` block (none: every sheet)."""
    return _INPUT_SHEETS.get()


def read_file(path: Path, *, max_rows: int | None = None, limits: Limits | None = None,
              sheets: list[str] | tuple[str, ...] | None = None) -> list[RawTable]:
    """Read one export into text tables.  Raises InputError with a fix for anything unreadable.

    ``max_rows`` reads only the first rows (a preview); ``limits`` (default: the
    settings' defaults) refuses files that would take more than they allow; ``sheets`` names the
    sheets of a workbook to read (default: every sheet).
    """
    path = Path(path)
    limits = limits or Limits()
    sheets = tuple(sheets or ())
    if not path.is_file():
        raise InputError(_("{path}: no such file.").format(path=path), hint=_("Check the path."))
    size = path.stat().st_size
    if size == 0:
        raise InputError(_("{path}: file is empty.").format(path=path), hint=_("Export it again from the platform."))
    if size > limits.max_bytes:
        raise too_big(path, f"is {size / 2**20:,.0f} MB")
    head = _head_bytes(path, 8)
    suffix = _data_suffix(path)
    if head.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm", ".ods"}:
        return _read_excel(path, head, max_rows, limits, sheets)
    if head.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        return _read_excel(path, head, max_rows, limits, sheets)
    return [_read_csv(path, max_rows, limits)]


def _head_bytes(path: Path, n: int) -> bytes:
    with open(path, "rb") as fh:
        head = fh.read(max(n, 2))
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip_open(path) as fh:
                return fh.read(n)
        except (OSError, EOFError, *INFLATE_ERRORS) as exc:
            raise InputError(_("{path}: the .gz file is damaged ({exc}).").format(path=path, exc=exc),
                             hint=_("Download it again.")) from None
    return head[:n]


# ---------------------------------------------------------------- CSV


def _open_bytes(path: Path):
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip_open(path) if magic == b"\x1f\x8b" else open(path, "rb")


def detect_encoding(sample: bytes, *, complete: bool = True) -> str:
    """Best encoding for a sample: BOMs first, then UTF-8, then what Chinese or Western Excel saves.

    ``complete=False``: the sample is the head of a longer file, so its last line may end inside a
    character; that line is left out of the judgement (a cut never decides)."""
    encoding, _complete = _guess(sample, complete=complete)
    if encoding is None:
        raise InputError(
            _("cannot tell the file's text encoding."),
            hint=_("Save it as 'CSV UTF-8' in Excel or WPS and try again."),
        )
    return encoding


# The code pages a seller's export comes in when it is not UTF-8 (what Chinese and Western Excel/WPS save,
# then the neighbours).  GBK and GB2312 are subsets of GB18030, cp1252 a superset of Latin-1 for text.
_CANDIDATES = ["gb18030", "cp1252", "big5", "shift_jis", "cp1251", "latin_1"]
_FAMILY = {"gbk": "gb18030", "gb2312": "gb18030", "latin_1": "cp1252", "iso8859_1": "cp1252"}
_SURE_BYTES = 256  # non-ASCII bytes that settle a judgement no rival encoding shares
_EVIDENCE_BYTES = 1 << 18  # the most of a file's non-ASCII lines judged
_HIGH = re.compile(rb"[\x80-\xff]")
_EOL = re.compile(rb"[\r\n]")


def _guess(sample: bytes, *, complete: bool) -> tuple[str | None, bool]:
    """(encoding or None, sure): sure when the sample settles it, so the rest of the file need not be
    looked at; unsure when its non-ASCII text is scarce or another code page reads it as well."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", True
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", True
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", True
    # UTF-16 without BOM: ASCII text leaves every other byte zero
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le", True
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be", True
    try:
        # an incomplete multi-byte character at the end of a sample is the cut, not the text
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        # sure: valid multi-byte UTF-8 is unmistakable, and an all-ASCII head is checked by the full read,
        # which decodes strictly (a later byte that is not UTF-8 sends the file back to _judge_file)
        return "utf-8", True
    except UnicodeDecodeError:
        pass
    return _judge(_evidence(sample if complete else _whole_lines(sample), _EVIDENCE_BYTES))


def _whole_lines(sample: bytes) -> bytes:
    """A file's head without its last, possibly cut, line: GB18030/GBK, Big5, Shift_JIS, UTF-8 and the
    single-byte code pages use CR and LF only as characters of their own, so nothing before them is cut.
    Without a line break, up to its last byte below '0' (a comma, a space: equally whole)."""
    end = max(sample.rfind(b"\n"), sample.rfind(b"\r"))
    if end < 0:
        low = re.search(rb"[\x00-\x2f][^\x00-\x2f]*\Z", sample)
        end = low.start() if low else len(sample) - 1
    return sample[: end + 1]


def _evidence(data: bytes, limit: int) -> bytes:
    """The lines of ``data`` that hold a non-ASCII byte (at most ``limit`` bytes of them), one per line:
    what tells code pages apart, without the ASCII that every one of them reads alike."""
    out, size, pos = [], 0, 0
    while size < limit:
        hit = _HIGH.search(data, pos)
        if hit is None:
            break
        i = hit.start()
        start = max(data.rfind(b"\n", pos, i), data.rfind(b"\r", pos, i)) + 1
        eol = _EOL.search(data, i)
        end = eol.start() if eol else len(data)
        out.append(data[start:end])
        size += end - start + 1
        pos = end
    return b"\n".join(out)


def _judge(evidence: bytes) -> tuple[str | None, bool]:
    """The encoding of text whose lines all hold non-ASCII bytes: accented Latin words (``_latin``) or
    everyday Chinese (``_chinese``), else charset_normalizer's pick among the usual code pages.  Sure when
    there is enough of it and, for charset_normalizer's pick, no code page of another family reads it as well."""
    if not evidence:
        return None, False
    high = len(evidence) - len(evidence.translate(None, bytes(range(128))))
    latin = _latin(evidence)
    if latin is not None:
        return latin, high >= _SURE_BYTES
    if _chinese(evidence):
        return "gb18030", high >= _SURE_BYTES
    from charset_normalizer import from_bytes

    results = from_bytes(evidence, steps=16, cp_isolation=_CANDIDATES)
    best = results.best()
    if best is None:
        return None, False
    family = _FAMILY.get(best.encoding, best.encoding)
    rivals = {_FAMILY.get(m.encoding, m.encoding) for m in results} - {family}
    # GBK and GB2312 are read with their superset
    encoding = "gb18030" if family == "gb18030" else best.encoding.replace("_", "-")
    return encoding, high >= _SURE_BYTES and not rivals


_IN_LATIN_WORD = re.compile(r"(?<=[A-Za-z])[^\x00-\x7f]|[^\x00-\x7f](?=[A-Za-z])")


def _chinese(evidence: bytes) -> bool:
    """Whether the text reads as everyday Chinese in GB18030: it decodes, and at least 80% of its non-ASCII
    characters are GB2312's common hanzi (level 1, the 3,755 that make up nearly all modern text) or its
    punctuation.  charset_normalizer reads a few product names repeated a thousand times (蓝牙耳机 黑色) as
    Ukrainian; Cyrillic, Big5 or Shift_JIS bytes read as GB18030 are mostly rare characters, if they decode."""
    try:
        text = evidence.decode("gb18030")
    except UnicodeDecodeError:
        return False
    counts = collections.Counter(c for c in text if c > "\x7f")
    common = 0
    for c, n in counts.items():
        try:
            lead = c.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        common += n if 0xB0 <= lead <= 0xD7 or 0xA1 <= lead <= 0xA9 else 0
    return bool(counts) and common >= 0.8 * sum(counts.values())


def _latin(evidence: bytes) -> str | None:
    """cp1252 (else Latin-1) when the text reads as accented Latin words in it: its non-ASCII characters
    are letters, nearly all beside an ASCII letter (Zoë, Côté, Müller).  charset_normalizer reads a list of
    such names as Russian (Zoл, Cфtй) or Chinese (M黮ler) when the accents are few and far between; real
    Cyrillic or Chinese text decoded this way is letters beside letters and symbols, never inside ASCII words."""
    for encoding in ("cp1252", "latin-1"):
        try:
            text = evidence.decode(encoding)
        except UnicodeDecodeError:
            continue
        high = [c for c in text if c > "\x7f"]
        if not high or sum(c.isalpha() for c in high) < 0.9 * len(high):
            return None
        return encoding if len(_IN_LATIN_WORD.findall(text)) >= 0.8 * len(high) else None
    return None


def _judge_file(path: Path, limit: int = _EVIDENCE_BYTES) -> str | None:
    """The encoding judged on the non-ASCII lines of the whole file, streamed (at most ``limit`` bytes of
    them are kept): when its head could not settle it, or a later part of the file contradicts it."""
    chunks, size, rest = [], 0, b""
    with _open_bytes(path) as fh:
        while size < limit:
            block = fh.read(1 << 22)
            data = rest + block
            if block:  # whole lines only: the cut line goes with the next block
                end = max(data.rfind(b"\n"), data.rfind(b"\r"))
                data, rest = (data[: end + 1], data[end + 1:]) if end >= 0 else (b"", data)
            if not data.isascii():
                found = _evidence(data, limit - size)
                chunks.append(found)
                size += len(found) + 1
            if not block:
                break
    evidence = b"\n".join(chunks)
    try:
        evidence.decode("utf-8")
        return "utf-8"  # all ASCII, or UTF-8 throughout
    except UnicodeDecodeError:
        return _judge(evidence)[0]


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


# ---------------------------------------------------------------- text aligned with spaces

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
    (the workbook rule, ``_header_row``): a title padded with delimiters (``店铺订单报表,,,,,,,``, what Excel
    writes for a title above a table) is as wide as the header but fills one cell, and is skipped."""
    wide = [i for i, f in enumerate(fields) if len(f) >= max(2, width * 0.6)]
    filled = {i: sum(1 for v in fields[i] if v.strip()) for i in wide}
    most = max(filled.values(), default=0)
    # 0.4: a header may leave cells blank (5 of 9 named) while its data rows fill all; a title fills one or two
    return next((i for i in wide if filled[i] >= max(2, most * 0.4)), wide[0] if wide else 0)


def _read_csv(path: Path, max_rows: int | None, limits: Limits) -> RawTable:
    if is_gzip(path):
        check_gzip(path, limits)
    with _open_bytes(path) as fh:
        sample = fh.read(_SAMPLE_BYTES)
    if not sample.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise InputError(_("{path}: file is empty.").format(path=path), hint=_("Export it again from the platform."))
    foreign = _foreign_format(sample)
    if foreign:
        raise InputError(_("{path}: this is {foreign}, not a CSV export.").format(path=path, foreign=foreign),
                         hint=_("Download the export again as CSV or XLSX (the platform may have sent a login page)."))
    if _looks_binary(sample):
        raise InputError(
            _("{path}: not a text file (binary content).").format(path=path),
            hint=_("Export the data as CSV or XLSX; a PDF or image cannot be read."),
        )
    encoding = _detect_encoding_of(path, sample)
    try:
        text = sample.decode(encoding, errors="ignore")
    except LookupError:
        raise InputError(_("{path}: unknown encoding {encoding}.").format(path=path, encoding=encoding),
                         hint=_("Save it as 'CSV UTF-8'.")) from None
    foreign = _foreign_text(text)
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
        encoding = _judge_file(path)
        if encoding is None:
            raise _no_encoding(path) from None
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
    frame = _clean_headers(frame)
    return RawTable(path, frame, encoding=encoding, delimiter=delimiter, header_row=header_row,
                    first_line=header_row + 2, skipped_lines=skipped)


def _read_aligned_file(path: Path, encoding: str, header_row: int, max_rows: int | None,
                       limits: Limits) -> RawTable:
    with _open_bytes(path) as fh:
        data = fh.read()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding = _judge_file(path)
        if encoding is None:
            raise _no_encoding(path) from None
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
    return RawTable(path, _clean_headers(frame), encoding=encoding, delimiter=_ALIGNED, header_row=header_row,
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
    """The encoding of a file from its head ``sample``; when the head is only part of the file and does
    not settle it (little non-ASCII text, or two code pages read it alike), confirmed on the non-ASCII
    lines of the whole file.  The error names the file (the one line the user sees)."""
    complete = len(sample) < _SAMPLE_BYTES
    encoding, sure = _guess(sample, complete=complete)
    if not sure and not complete:
        encoding = _judge_file(path) or encoding
    if encoding is None:
        raise _no_encoding(path)
    return encoding


def _no_encoding(path: Path) -> InputError:
    return InputError(_("{path}: cannot tell the file's text encoding.").format(path=path),
                      hint=_("Save it as 'CSV UTF-8' in Excel or WPS and try again."))


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
        if is_gzip(path):
            with gzip_open(path) as fh:
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
            # large_string: what pandas' str dtype holds, so the frame takes the columns without a copy
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names}, null_values=[""],
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
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



# ---------------------------------------------------------------- Excel


def _read_excel(path: Path, head: bytes, max_rows: int | None, limits: Limits,
                wanted: tuple[str, ...] = ()) -> list[RawTable]:
    pick = _SheetPick(path, wanted)
    if head.startswith(b"PK"):
        data = workbook_bytes(path, limits)
        guard = WorkbookGuard(path, data, limits)
        guard.check()
        if not any(n.startswith("content.xml") for n in guard.names):  # OpenDocument stays with calamine
            try:
                with _panic_text_held():
                    sheets = _fastexcel_sheets(path, data, guard, max_rows, limits, pick)
                blanked = []
            except BaseException as exc:  # noqa: B036  (a Rust panic is a BaseException)
                if type(exc).__name__ != "PanicException":
                    raise
                # calamine panics on a date cell holding -1e308 or -inf: read the workbook with such cells empty
                data, blanked = _blank_impossible_dates(path, data)
                try:
                    sheets = _fastexcel_sheets(path, data, guard, max_rows, limits, pick)
                except BaseException as again:  # noqa: B036
                    if type(again).__name__ != "PanicException":
                        raise
                    raise InputError(_("{path}: the workbook reader failed on a cell it cannot hold.").format(
                        path=path), hint=_("Open it in Excel and save it again.")) from None
            tables = _group_sheets(path, sheets, max_rows, limits, pick)
            for table in tables:
                table.impossible_dates = [ref for ref in blanked if ref.split("!")[0] in table.sheets] or (
                    blanked if len(tables) == 1 else [])
            return tables
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        data = workbook_bytes(path, limits)
        probe_legacy_workbook(path, data, limits)
    else:
        with _open_bytes(path) as fh:
            sample = fh.read(4096)
        kind = _foreign_format(sample) or _foreign_text(sample.decode("utf-8", "replace")) or (
            "a web page" if sample.lstrip()[:1] == b"<" else "not a workbook")
        raise InputError(_("{path}: named like a workbook but is {kind}.").format(path=path, kind=kind),
                         hint=_("Download the export again as .xlsx or .csv."))
    return _group_sheets(path, _calamine_sheets(path, data, max_rows, limits, pick), max_rows, limits, pick)


@contextlib.contextmanager
def _panic_text_held():
    """Hold what is written to file descriptor 2 in the block, and pass it on afterwards without the report a
    Rust panic prints there (the panic itself arrives as an exception that the caller turns into one line)."""
    import os
    import sys
    import tempfile

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = held.read().decode("utf-8", "replace")
            if "panicked at" in text:
                text = "".join(line for line in text.splitlines(keepends=True)
                               if not re.match(r"(\s*$|thread '.*' .*panicked at|note: |stack backtrace|\s+\d+: |"
                                               r"\s+at |[A-Za-z]+::.* out of bounds|TimeDelta)", line))
            if text.strip():
                sys.stderr.write(text)


_DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))
_LAST_SERIAL = 2_958_466  # Excel's dates end on 9999-12-31 (serial 2,958,465)


def _blank_impossible_dates(path: Path, data: bytes) -> tuple[bytes, list[str]]:
    """``data`` (a checked .xlsx) with every date-formatted numeric cell outside Excel's dates (negative,
    beyond 9999-12-31, not finite) made empty, and the ``Sheet!B3`` of each."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    names = set(src.namelist())
    text = (lambda n: src.read(n).decode("utf-8", "replace") if n in names else "")
    styles = text("xl/styles.xml")
    custom = {}
    for fid, code in re.findall(r'<(?:\w+:)?numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"', styles):
        bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
        custom[int(fid)] = bool(re.search(r"[dmyhs]", bare))
    xfs = re.search(r"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", styles, re.S)
    dated = set()
    for i, fid in enumerate(re.findall(r'<(?:\w+:)?xf\b[^>]*?numFmtId="(\d+)"', xfs.group(0) if xfs else "")):
        fid = int(fid)
        if fid in _DATE_FORMAT_IDS or custom.get(fid):
            dated.add(str(i))
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", text("xl/_rels/workbook.xml.rels")):
        rid, target = re.search(r'\bId="([^"]+)"', tag), re.search(r'\bTarget="([^"]+)"', tag)
        if rid and target:
            targets[rid.group(1)] = target.group(1)
    titles = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", text("xl/workbook.xml")):
        name, rid = re.search(r'\bname="([^"]*)"', tag), re.search(r'\br:id="([^"]*)"', tag)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)].lstrip("/")
            titles[target if target.startswith("xl/") else "xl/" + target] = name.group(1)
    blanked: list[str] = []

    def fix(sheet: str):
        def cell(m: re.Match) -> str:
            attrs, body = m.group(1), m.group(2)
            style, kind = re.search(r'\bs="(\d+)"', attrs), re.search(r'\bt="(\w+)"', attrs)
            value = re.search(r"<(?:\w+:)?v>([^<]*)</", body)
            if not style or style.group(1) not in dated or (kind and kind.group(1) != "n") or not value:
                return m.group(0)
            try:
                number = float(value.group(1))
            except ValueError:
                return m.group(0)
            if math.isfinite(number) and 0 <= number < _LAST_SERIAL:
                return m.group(0)
            ref = re.search(r'\br="([A-Z]+\d+)"', attrs)
            blanked.append(f"{sheet}!{ref.group(1) if ref else '?'}")
            return f"<c{attrs.rstrip('/')}/>"
        return cell

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename in titles:
                raw = re.sub(r"<c\b([^>]*?)>(.*?)</c>", fix(titles[info.filename]), raw.decode("utf-8", "replace"),
                             flags=re.S).encode("utf-8")
            dst.writestr(info, raw)
    return out.getvalue(), blanked


class _SheetPick:
    """The sheets of a workbook to read: all of them, or those named with ``--sheet`` (the exact name, else
    the one name equal to it but for case and surrounding spaces).  A name the workbook lacks is an error
    that lists its sheets."""

    def __init__(self, path: Path, wanted: tuple[str, ...]):
        self.path, self.wanted = path, wanted

    def __call__(self, names: list[str]) -> list[str]:
        if not self.wanted:
            return list(names)
        loose: dict[str, list[str]] = {}
        for n in names:
            loose.setdefault(n.strip().casefold(), []).append(n)
        chosen, missing = set(), []
        for w in self.wanted:
            near = loose.get(w.strip().casefold(), [])
            if w in names or len(near) == 1:
                chosen.add(w if w in names else near[0])
            else:
                missing.append(w)
        if missing:
            raise InputError(_("{path}: no sheet named {value}; its sheets: {value2}.").format(
                                 path=self.path, value=', '.join(map(repr, missing)),
                                 value2=', '.join(map(repr, names)) or _('none')),
                             hint=_("Name one of them with --sheet (repeat it for several)."))
        return [n for n in names if n in chosen]  # in workbook order, as monthly sheets follow each other


def _unreadable(path: Path, exc: Exception) -> InputError:
    return InputError(_("{path}: cannot read workbook ({value}).").format(
                          path=path, value=str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__),
                      hint=_("Open it in Excel and save it again, or export as CSV."))


def _check_layout(path: Path, name: str, height: int, width: int, limits: Limits) -> None:
    """The sheet as the reader lays it out, from A1 to the farthest cell (the guard bounded it)."""
    if height > limits.max_rows:
        raise over_limit(path, f"sheet {name!r} has {height:,} rows", "max_rows")
    if width > limits.max_columns:
        raise over_limit(path, f"sheet {name!r} has {width:,} columns", "max_columns")
    if height * width > limits.max_cells:
        raise over_limit(path, f"sheet {name!r} spans {height * width:,} cells", "max_cells")


def _fastexcel_sheets(path: Path, data: bytes, guard: WorkbookGuard, max_rows: int | None, limits: Limits,
                      pick=list):
    """(name, frame, header row, merged runs) per non-empty sheet of a checked .xlsx, read by fastexcel
    (calamine in Rust, straight to Arrow text columns).  fastexcel lets go of the GIL, so two sheets load
    at once, each with its own reader (one reader cannot serve two threads)."""
    import threading

    import fastexcel

    _quiet_dtype_guesses()
    local = threading.local()

    def reader():
        if getattr(local, "reader", None) is None:
            try:
                local.reader = fastexcel.read_excel(data)
            except Exception as exc:  # fastexcel raises its own error types for every kind of damage
                raise _unreadable(path, exc) from None
        return local.reader

    names = pick(reader().sheet_names)
    merges = guard.merged_ranges()

    def load(name: str):
        try:
            # typed first (each column typed by fastexcel from every row, then written as text in arrow:
            # cheaper than fastexcel's own text mode); as text when the header is not the first row
            typed = _typed_sheet(reader(), name, max_rows)
            if typed is not None:
                sheet, header, table = typed
            else:
                sheet = reader().load_sheet(name, header_row=None, skip_rows=0, dtypes="string",
                                            n_rows=None if max_rows is None else max_rows + 25)
            columns = sheet.available_columns()
            offset = columns[0].absolute_index if columns else 0
            _check_layout(path, name, sheet.total_height if columns else 0,
                          columns[-1].absolute_index + 1 if columns else 0, limits)
            if typed is None:
                table = sheet.to_arrow()
        except InputError:
            raise
        except Exception as exc:
            raise InputError(_("{path}: sheet {name} cannot be read ({value}).").format(
                                 path=path, name=repr(name), value=str(exc).splitlines()[0][:120]),
                             hint=_("Open it in Excel and save it again.")) from None
        if typed is not None:
            return _finish_frame(table.to_pandas(), [""] * offset + header, 0, merges.get(name))
        return _arrow_to_frame(table, offset, merges.get(name))

    if len(names) < 2:
        tables = [load(n) for n in names]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            tables = list(pool.map(load, names))
    return [(n, *t) for n, t in zip(names, tables) if t is not None]


class _DtypeGuessFilter(logging.Filter):
    """Drops fastexcel's "Could not determine dtype for column N, falling back to string": said of every
    empty column when a sheet is read typed (a workbook written by pandas has them), and harmless there,
    since the text columns are what tiercli reads anyway.  Every other record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Could not determine dtype for column")


def _quiet_dtype_guesses() -> None:
    logger = logging.getLogger("fastexcel.types.dtype")  # the Rust module's log target, through pyo3-log
    if not any(isinstance(f, _DtypeGuessFilter) for f in logger.filters):
        logger.addFilter(_DtypeGuessFilter())


def _calamine_sheets(path: Path, data: bytes, max_rows: int | None, limits: Limits, pick=list):
    """(name, frame, header row, merged runs) per non-empty sheet of an .xls or .ods, read by
    python-calamine (fastexcel does not give their merged cells)."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise _unreadable(path, exc) from None
    del data
    out = []
    for name in pick(wb.sheet_names):
        try:
            sheet = wb.get_sheet_by_name(name)
            # the layout from A1 to the farthest cell (the check above bounded it); refuse before
            # to_python lays it out again and copies it into Python
            end = sheet.end
            _check_layout(path, name, *((end[0] + 1, end[1] + 1) if end is not None else (0, 0)), limits)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except InputError:
            raise
        except Exception as exc:
            raise InputError(_("{path}: sheet {name} cannot be read ({value}).").format(
                                 path=path, name=repr(name), value=str(exc)[:120]),
                             hint=_("Open it in Excel and save it again.")) from None
        if max_rows is not None:
            rows = rows[: max_rows + 25]
        table = _rows_to_frame(rows, merged)
        if table is not None:  # None: an empty sheet
            out.append((name, *table))
    return out


def _group_sheets(path: Path, sheets: list, max_rows: int | None, limits: Limits,
                  pick: _SheetPick | None = None) -> list[RawTable]:
    """One RawTable per header: sheets sharing a header are one table, in sheet order.  Tables beside
    others are ``optional`` unless the sheets were named: the schema layer may leave out one no layout fits."""
    groups: dict[tuple[str, ...], list[tuple[str, pd.DataFrame, int, list]]] = {}
    for name, frame, header_row, merged_cols in sheets:
        groups.setdefault(tuple(frame.columns), []).append((name, frame, header_row, merged_cols))
    if not groups:
        if pick is not None and pick.wanted:
            raise InputError(_("{path}: sheet {value} has no data.").format(
                                 path=path, value=', '.join(map(repr, pick.wanted))),
                             hint=_("Name the sheet that holds the export with --sheet."))
        raise InputError(_("{path}: workbook has no data.").format(path=path), hint=_("Check it is the right export."))
    out = []
    for header, parts in groups.items():
        frame = pd.concat([p[1] for p in parts], ignore_index=True) if len(parts) > 1 else parts[0][1]
        if max_rows is not None:
            frame = frame.iloc[:max_rows]
        elif len(frame) > limits.max_rows:
            raise over_limit(path, f"sheets {', '.join(p[0] for p in parts)} have {len(frame):,} rows together",
                              "max_rows")
        merged, segments, offset = [], [], 0
        for name, part, header_row, merged_cols in parts:
            merged.extend((col, first + offset, last + offset) for col, first, last in merged_cols)
            segments.append((name, header_row + 2, len(part)))
            offset += len(part)
        out.append(RawTable(path, frame, sheets=[p[0] for p in parts], header_row=parts[0][2],
                            first_line=parts[0][2] + 2, merged=merged, segments=segments,
                            optional=len(groups) > 1 and not (pick is not None and pick.wanted)))
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
        return _excel_number(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return str(v)


def _excel_number(v: float) -> str:
    """A number as Excel shows it in a wide cell, and as fastexcel renders it: at most nine decimals,
    no trailing zeros (29.020000000000003 is the 29.02 the seller typed), every digit of a large whole
    number (no 1e+15)."""
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    text = f"{v:.9f}".rstrip("0").rstrip(".") if math.isfinite(v) else str(v)
    return "0" if text == "-0" else text


def _header_row(rows) -> int | None:
    """The header of a sheet: the first of its first rows that fills most of the table's width (None for an
    empty sheet).  One rule for every workbook reader, so they find the same header."""
    widths = [sum(1 for c in r if c not in (None, "")) for r in rows]
    width = max(widths, default=0)
    if width == 0:
        return None
    return next(i for i, w in enumerate(widths) if w >= max(2, width * 0.6) or (width < 2 and w))


def _rows_to_frame(rows: list[list], merged: list | None = None) -> tuple[pd.DataFrame, int, list] | None:
    """The sheet's rows -> (frame of text, header row index, merged runs in data columns as (column,
    first frame row, last frame row)); None for an empty sheet."""
    header_row = _header_row(rows[:20])
    if header_row is None:
        return None
    header = [_cell_text(c) or "" for c in rows[header_row]]
    body = rows[header_row + 1:]
    columns = {}
    for j in range(len(header)):
        columns[j] = pd.array([_cell_text(r[j]) if j < len(r) else None for r in body], dtype="str")
    return _finish_frame(pd.DataFrame(columns), header, header_row, merged)


def _finish_frame(frame: pd.DataFrame, header: list[str], header_row: int,
                  merged: list | None) -> tuple[pd.DataFrame, int, list]:
    """Name the body's columns from the header (``header[j]`` over frame column j), drop empty unnamed
    columns and trailing empty rows, and turn merged ranges into runs over data rows."""
    names = _header_names(header)
    frame.columns = names[len(names) - frame.shape[1]:]
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


def _arrow_to_frame(table, offset: int, merged: list | None) -> tuple[pd.DataFrame, int, list] | None:
    """fastexcel's text columns (the sheet from row 1, from column ``offset``) -> what ``_rows_to_frame``
    makes of the same cells: the header found the same way, the same text per cell (``_fix_text``)."""
    import pyarrow as pa

    columns = [_fix_text(table.column(j)) for j in range(table.num_columns)]
    top = [c.slice(0, 20).to_pylist() for c in columns]
    rows = [[""] * offset + [col[i] for col in top] for i in range(min(20, table.num_rows))]
    header_row = _header_row(rows)
    if header_row is None:
        return None
    header = [c or "" for c in rows[header_row]]
    body = pa.table([c.slice(header_row + 1) for c in columns], names=[str(j) for j in range(len(columns))])
    frame = body.to_pandas()
    return _finish_frame(frame, header, header_row, merged)


_DEDUPED = re.compile(r"(.+)_\d+$")


def _typed_sheet(reader, name: str, max_rows: int | None):
    """(sheet, header texts, text columns) when the header is the sheet's first row, read typed (each
    column's type from every row: a text cell deep in a number column makes it a text column, nothing is
    coerced away) and written as the text fastexcel's text mode gives.  None when the header is on another
    row, cannot be recovered exactly (fastexcel renames a repeated name 'x' to 'x_1') or a column's type
    has no text form here: the caller then reads the sheet as text."""
    import pyarrow as pa

    sheet = reader.load_sheet(name, header_row=0, skip_rows=0, schema_sample_rows=None,
                              n_rows=None if max_rows is None else max_rows + 25)
    columns = sheet.available_columns()
    header = ["" if c.column_name_from == "generated" else c.name for c in columns]
    seen = set()
    for h in header:
        m = _DEDUPED.match(h)
        if m and m.group(1) in seen:
            return None
        seen.add(h)
    table = sheet.to_arrow()
    texts = []
    for column in table.columns:
        text = _typed_text(column)
        if text is None:
            return None
        texts.append(text)
    # the header must be the row _arrow_to_frame would find among the first 20
    top = [c.slice(0, 19).to_pylist() for c in texts]
    if _header_row([header, *([col[i] for col in top] for i in range(min(19, table.num_rows)))]) != 0:
        return None
    return sheet, header, pa.table(texts, names=[str(j) for j in range(len(texts))])


def _typed_text(column):
    """A typed fastexcel column as the text fastexcel's text mode writes (None: no such rendering here)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _fix_text(column.cast(pa.string()))
    if pa.types.is_null(kind):
        return pa.nulls(len(column), pa.string())
    if pa.types.is_boolean(kind):
        return pc.cast(column, pa.string())  # true / false
    if pa.types.is_date(kind):
        column = pc.cast(column, pa.timestamp("s"))
        kind = column.type
    if pa.types.is_timestamp(kind):
        try:  # whole seconds: 2010-12-01 07:48:00; else milliseconds, as fastexcel writes them
            return pc.cast(pc.cast(column, pa.timestamp("s")), pa.string())
        except pa.ArrowInvalid:
            return pc.cast(pc.cast(column, pa.timestamp("ms")), pa.string())
    if pa.types.is_integer(kind):
        return pc.cast(column, pa.string())
    if pa.types.is_floating(kind):
        values = column.to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            whole = np.isnan(values) | ((np.mod(values, 1) == 0) & (np.abs(values) < 1e15))
        if whole.all():
            return pc.cast(pc.cast(column, pa.int64()), pa.string())
        text = pc.cast(pc.round(column, 9), pa.string())  # Excel's display: at most nine decimals
        odd = np.asarray(pc.fill_null(pc.match_substring(text, "e"), False)) | (~whole & (np.abs(values) >= 1e6))
        if odd.any():  # exponents, and more digits than a double holds: as _excel_number writes them
            fixed = text.to_pylist()
            for i in np.flatnonzero(odd).tolist():
                fixed[i] = _excel_number(float(values[i]))
            text = pa.array(fixed, type=pa.string())
        return text
    return None


def _fix_text(column):
    """fastexcel's text for a cell -> ``_cell_text``'s: an empty cell (or one calamine trimmed to nothing)
    is missing.  Values are otherwise rendered as fastexcel does: numbers as Excel shows them
    (``_excel_number``, shared with ``_cell_text``), booleans ``true``/``false``, dates and times as
    ``YYYY-MM-DD HH:MM:SS[.fff]`` (a time of day on 1899-12-31): rewriting those would also rewrite
    text cells that read the same, and the schema's parsers read either form."""
    import pyarrow as pa
    import pyarrow.compute as pc

    empty = pc.equal(column, "")
    if column.null_count < len(column) and pc.any(empty).as_py():
        column = pc.if_else(empty, pa.scalar(None, pa.string()), column)
    return column


def read_text_sample(path: Path) -> str:
    """First kilobytes of a text file, decoded, for error messages."""
    with _open_bytes(path) as fh:
        sample = fh.read(4096)
    encoding, _complete = _guess(sample, complete=len(sample) < 4096)
    return sample.decode(encoding or "utf-8", errors="replace")


__all__ = ["Limits", "RawTable", "read_file", "list_inputs", "is_skipped_name", "detect_encoding",
           "openpyxl_defused"]
