"""The fast look at one sheet part of an .xlsx: is it written the way spreadsheet programs write it?

``SheetScan`` finds <sheetData> and the sheet's <dimension>, then checks in one RE2 pass that every
<c> and <row> carries r="..." inside that dimension; when it does, the workbook guard (``guard.py``)
needs no exact XML pass over the sheet.  Also the column-letter arithmetic (``col_number``,
``col_letters``) and the merged ranges the scan collects on the way.
"""

from __future__ import annotations

import re
import struct

from .limits import Limits

PROLOG_BYTES = 1 << 16  # a DTD and a sheet's <dimension> come before this in any real file
_EXCEL_COLS = 16_384
_SHEET_DATA = b"sheetData"
_SHEET_DATA_16 = "sheetData".encode("utf-16-le")[:-1]  # matches UTF-16 LE and BE
_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s+ref="([A-Z]{1,3})([1-9]\d{0,6})(?::([A-Z]{1,3})([1-9]\d{0,6}))?"')
# signs that a sheet is not written the usual way, each a pattern with a literal start (fast to search):
# an r attribute after another one (calamine takes the last of two), elements with a prefix (<x:c>)
_FIRST_ROW = re.compile(rb'sheetData>[ \t\r\n]*<row r="1"(?: [\w:.-]+="[^"<>]*")*>')
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})1"(?: s="[0-9]{1,5}")?(?: t="(?:s|n|b|e)")?><v>[^<]+</v></c>')
_MERGE_CELL = re.compile(rb'<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref\s*=\s*["\']\s*([A-Za-z]{1,3})([0-9]{1,7})'
                         rb'(?::([A-Za-z]{1,3})([0-9]{1,7}))?\s*["\']')


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def le_pattern(limit: str, alphabet: str) -> str:
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


def col_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out



_WS = r"[ \t\n\r\f\v]"  # what Python's bytes patterns call \s, spelled out for RE2


class SheetScan:
    """The fast path over one inflated part: finds <sheetData> and the <dimension>, then checks in one
    RE2 pass (pyarrow's, which lets go of the GIL) that every <c> and <row> starts with r="..." inside
    the dimension, that no tag carries a second r and that no element has a prefix (<x:c>).  ``fast``
    stays True only when that held; ``bound`` is then (rows, cols).  Anything else is left to the exact
    pass.  The RE2 pattern is the one-pass spelling of ``lookahead_pattern`` (no lookahead in RE2):
    tests/hostile check that the two agree."""

    def __init__(self, limits: Limits, data: bytes) -> None:
        self.limits = limits
        self.data = data
        self.sheet = False
        self.fast = True
        self.bound: tuple[int, int] | None = None
        self.merges: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self.start = 0
        self.full_first_row = False
        if data.find(b"\x00") >= 0 and data.find(_SHEET_DATA_16) >= 0:  # UTF-16 text: only the exact pass reads it
            self.sheet, self.fast = True, False
            return
        at = data.find(_SHEET_DATA)
        if at < 0:
            return
        self.sheet, self.start = True, at
        end = data.rfind(b"sheetData")
        self.merges = [_merge_range(m) for m in _MERGE_CELL.finditer(data, end)]
        pattern = self._pattern(data[:PROLOG_BYTES])
        if pattern is None:
            self.fast = False
            return
        self.fast = not re2_search(pattern, data, at)
        self.full_first_row = self.fast and self._full_first_row(data, at)

    def _full_first_row(self, data: bytes, at: int) -> bool:
        """Whether the sheet's first row is row 1 and holds a plain value in every column from A to the
        dimension's last (each cell written the usual way: <c r="B1" s=".." t=".."><v>..</v></c>, in order,
        nothing else in the row).  Then calamine's range starts at A1 and every header cell has a value:
        the reader may take the sheet without asking fastexcel where its columns start."""
        m = _FIRST_ROW.match(data, at)
        if m is None or self.bound is None:
            return False
        pos, end = m.end(), min(len(data), at + PROLOG_BYTES)
        for column in range(1, self.bound[1] + 1):
            cell = _PLAIN_CELL.match(data, pos, end)
            if cell is None or cell.group(1) != col_letters(column).encode():
                return False
            pos = cell.end()
        return data.startswith(b"</row>", pos) and pos + 6 <= end

    def most_values(self) -> int:
        """A free bound on the elements starting "<v": one per two bytes."""
        return (len(self.data) - self.start) // 2

    def values(self) -> int:
        """Elements starting "<v": a bound on the cells that copy a shared string (a pass over the part,
        made only when ``most_values`` is not bound enough)."""
        return count_pairs(self.data, self.start, b"<v")

    def _pattern(self, head: bytes) -> str | None:
        m = _DIMENSION.search(head)
        if not m:
            return None
        end_col, end_row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
        rows, cols = int(end_row), col_number(end_col.decode())
        # rows up to the next power of ten are a cheaper pattern; use it when the bound still fits
        digits = len(str(rows))
        loose = 10 ** digits - 1
        row_limit = None if loose * cols <= self.limits.max_cells else str(rows)
        rows = loose if row_limit is None else rows
        if rows * cols > self.limits.max_cells or cols > _EXCEL_COLS:
            return None  # a large (or lying) dimension: the exact pass finds the real extent
        self.bound = (rows, cols)
        return bad_pattern(col_letters(cols), digits, row_limit)


_LETTERS, _DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"


def _gt_pattern(limit: str, alphabet: str) -> str | None:
    """A regex for the strings of ``len(limit)`` ``alphabet`` characters greater than ``limit`` (same-length
    strings compare like numbers); None when there are none ('ZZ', '999')."""
    parts = []
    for i, ch in enumerate(limit):
        if ch < alphabet[-1]:
            rest = len(limit) - i - 1
            parts.append(re.escape(limit[:i]) + f"[{chr(ord(ch) + 1)}-{alphabet[-1]}]"
                         + (f"[{alphabet[0]}-{alphabet[-1]}]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(parts) + ")" if parts else None


def _row_deviation(digits: int, row_limit: str | None) -> list[str]:
    """Ways the text from a row number's first digit on fails to be a row number of at most ``digits``
    digits (and at most ``row_limit``) followed by '"', given the first character is a digit 1-9."""
    out = [f"[1-9][0-9]{{{digits}}}", f"[1-9][0-9]{{0,{digits - 1}}}[^0-9\"]"]
    gt = _gt_pattern(row_limit, _DIGITS) if row_limit else None
    return out + ([gt] if gt else [])


def bad_pattern(col_limit: str, digits: int, row_limit: str | None) -> str:
    """One RE2 pattern that finds what ``lookahead_pattern`` finds, without lookahead: a <c> or <row>
    whose text does not go on with exactly r="REF" inside the bound, or a sign of an unusual sheet."""
    letters = f"[A-Z]{{1,{len(col_limit)}}}"
    cell = ["[^A-Z]", f"[A-Z]{{{len(col_limit) + 1}}}", letters + "[^A-Z1-9]"]
    gt = _gt_pattern(col_limit, _LETTERS)
    cell += ([gt] if gt else []) + [letters + p for p in _row_deviation(digits, row_limit)]
    row = ["[^1-9]", *_row_deviation(digits, row_limit)]

    def tag(name: str, ref: list[str]) -> str:
        return rf'<{name}(?:[\t\r\n/>]| (?:[^r]|r[^=]|r=[^"]|r="(?:{"|".join(ref)})))'

    # a tag the data ends inside (the lookahead fails there too): every unfinished r="REF"
    number = f"[1-9][0-9]{{0,{digits - 1}}}"
    ends = [rf'<c (?:r(?:=(?:"(?:{letters}(?:{number})?)?)?)?)?$', rf'<row (?:r(?:=(?:"(?:{number})?)?)?)?$']
    return "|".join([tag("c", cell), tag("row", row), *ends, f"[\"']{_WS}*r{_WS}*=", f":(?:c|row|v)(?:{_WS}|[/>])"])


def lookahead_pattern(col_limit: str, digits: int, row_limit: str | None) -> bytes:
    """The checks ``bad_pattern`` makes, as Python's re writes them (several passes; kept as the
    reference the RE2 spelling is tested against)."""
    row_pat = f"[1-9][0-9]{{0,{digits - 1}}}" if row_limit is None else le_pattern(row_limit, _DIGITS)
    ref = le_pattern(col_limit, _LETTERS) + row_pat
    return (rb'<(?:c(?:[\t\r\n/>]| (?!r="' + ref.encode() + rb'"))|row(?:[\t\r\n/>]| (?!r="' + row_pat.encode()
            + rb'")))' + rb"""|["']\s*r\s*=|:(?:c|row|v)[\s/>]""")


_PAIR_STEP = 1 << 22


def count_pairs(data: bytes, start: int, pair: bytes) -> int:
    """``data.count(pair, start)`` for a two-byte ``pair`` of two different bytes (occurrences cannot
    overlap), compared with numpy a few megabytes at a time: about 2.5 times faster than ``bytes.count``
    on a sheet part (its "<" is everywhere), and the GIL is let go meanwhile."""
    import numpy as np

    if len(pair) != 2 or pair[0] == pair[1]:
        raise ValueError("count_pairs counts two different bytes")
    first, second = pair
    view = np.frombuffer(data, dtype=np.uint8)
    found = 0
    last = len(view) - 1  # the last position a pair can start at, plus one
    for at in range(start, last, _PAIR_STEP):
        end = min(at + _PAIR_STEP, last)
        found += int(np.count_nonzero((view[at:end] == first) & (view[at + 1:end + 1] == second)))
    return found


def re2_search(pattern: str, data: bytes, start: int) -> bool:
    """Whether RE2 finds ``pattern`` in data[start:] (one pass, no copy of the data, GIL let go)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    view = memoryview(data)[start:]
    values = pa.py_buffer(view)
    offsets = pa.py_buffer(struct.pack("<qq", 0, len(view)))
    array = pa.LargeBinaryArray.from_buffers(pa.large_binary(), 1, [None, offsets, values])
    return bool(pc.match_substring_regex(array, pattern)[0].as_py())


def _merge_range(m: re.Match) -> tuple[tuple[int, int], tuple[int, int]]:
    c1, r1 = col_number(m.group(1).decode()) - 1, int(m.group(2)) - 1
    if m.group(3) is None:
        return (r1, c1), (r1, c1)
    return (r1, c1), (int(m.group(4)) - 1, col_number(m.group(3).decode()) - 1)
