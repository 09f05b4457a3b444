"""Untrusted workbooks: an .xlsx/.ods checked part by part before any parser sees it.

``WorkbookGuard`` inflates every part of the zip once and bounds every sheet before a reader
(fastexcel or python-calamine, both calamine underneath) lays it out: the fast look at a sheet is
``sheet_scan.SheetScan``; a sheet it cannot vouch for gets the exact expat pass here.  What the
limits are, the gzip check and the legacy .xls probe live in ``limits.py``.  Anything over a limit
is an InputError (exit 2) naming the setting to raise.  Split from ``read.py`` so the reader stays
about reading.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

from ..errors import InputError
from ..i18n import _
from .limits import (
    CHUNK_IN,
    CHUNK_OUT,
    GRACE_BYTES,
    INFLATE_ERRORS,
    Limits,
    over_limit,
    too_big,
)
from .sheet_scan import PROLOG_BYTES, SheetScan, col_number

try:  # ISA-L inflates the same bytes two to three times faster than zlib; zlib where it has no wheel
    from isal import isal_zlib as _fast_zlib
except ImportError:  # pragma: no cover
    _fast_zlib = zlib

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
# So before calamine sees the bytes, every part is inflated once, never past the size the
# zip declares (which the limits bounded first), and every sheet is bounded: the fast
# path (sheet_scan.py) checks in one RE2 pass that the sheet is written the way spreadsheet
# programs write it (every <c> and <row> with r="..." first, inside the sheet's <dimension>); anything else (a lying dimension, prefixed
# elements, cells without r) gets an exact pass with expat that follows calamine's
# own rules.  An XML DTD (<!DOCTYPE>, <!ENTITY>), which no spreadsheet program
# writes, is refused outright: billion laughs and external entities stop there.

_IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".svg", ".ico", ".bin")
_DTD = re.compile(rb"<!(?i:doctype|entity)|<\x00!\x00(?i:d\x00o\x00c\x00t\x00y\x00p\x00e\x00|e\x00n\x00t\x00i\x00t\x00y\x00)")
_SI_START = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")
_REF = re.compile(r"\s*([A-Za-z]{1,3})([0-9]{1,7})\s*")
_ROWNUM = re.compile(r"\s*([0-9]{1,7})\s*")



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
                self.row, self.col = int(m.group(2)) - 1, col_number(m.group(1)) - 1
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


class WorkbookGuard:
    """Checks a workbook zip part by part before calamine parses it; raises InputError naming the file."""

    def __init__(self, path: Path, data: bytes, limits: Limits) -> None:
        import threading

        self.path, self.data, self.limits = path, data, limits
        self._lock = threading.Lock()

    # -- errors --------------------------------------------------------------

    def damaged(self, why: str) -> InputError:
        return InputError(_("{path}: workbook is damaged or crafted ({why}).").format(path=self.path, why=why),
                          hint=_("Open it in Excel and save it again, or export it again."))

    def over(self, part: str, exc: _Over) -> InputError:
        what, n = exc.what, exc.amount
        if what == "rows":
            return over_limit(self.path, f"sheet part {part!r} has {n:,} rows", "max_rows")
        if what == "columns":
            return over_limit(self.path, f"sheet part {part!r} has {n:,} columns", "max_columns")
        if what == "cells":
            return over_limit(self.path, f"sheet part {part!r} spans {n:,} cells (rows x columns)", "max_cells")
        return InputError(_("{path}: refused: the cells of {part} copy out {value:,.0f} MB of text, far more than "
                            "the file holds (a crafted workbook?).").format(
                              path=self.path, part=part, value=n / 2**20),
                          hint=_("If it is genuine, raise limits.max_ratio or limits.max_uncompressed_mb in "
                                 "tiercli.toml."))

    # -- the zip -------------------------------------------------------------

    def check(self) -> None:
        data, limits = self.data, self.limits
        entries, directory = _zip_directory(data)
        if entries is None:
            raise self.damaged(_("no zip directory"))
        if entries > limits.max_members or directory > max(limits.max_members, 16) * 1024:
            raise over_limit(self.path, f"the workbook zip has {entries:,} parts", "max_members")
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error, EOFError, OSError,
                NotImplementedError, UnicodeDecodeError) as exc:
            raise self.damaged(_("not a valid zip: {exc}").format(exc=exc)) from None
        if len(infos) > limits.max_members:
            raise over_limit(self.path, f"the workbook zip has {len(infos):,} parts", "max_members")
        self.infos = infos
        names = [i.filename for i in infos]
        if not any(n.startswith(("xl/", "content.xml")) for n in names):
            raise InputError(_("{path}: not an Excel workbook.").format(path=self.path),
                             hint=_("Export the data as .xlsx or .csv."))
        if any(n.lower().endswith("workbook.bin") for n in names):
            raise InputError(_("{path}: this is a binary .xlsb workbook, which tiercli does not read.").format(
                                 path=self.path),
                             hint=_("Open it in Excel and save it as .xlsx."))
        spans, total = [], 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise InputError(_("{path}: the workbook is encrypted.").format(path=self.path),
                                 hint=_("Save it without a password."))
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.damaged(_("part {filename} uses compression method {compress_type}").format(
                                       filename=repr(info.filename), compress_type=info.compress_type))
            total += info.file_size
            if total > limits.max_bytes:
                raise too_big(self.path, f"unpacks to more than {total / 2**20:,.0f} MB")
            if info.file_size > GRACE_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise over_limit(self.path, f"part {info.filename!r} unpacks {info.file_size / max(info.compress_size, 1):,.0f} "
                                            "times its size (a zip bomb?)", "max_ratio")
            start = self._data_start(info)
            spans.append((info.header_offset, start + info.compress_size, info))
        spans.sort(key=lambda s: s[0])
        if spans and spans[0][0] != 0:
            raise self.damaged(_("data before the first part"))
        for (_start, end, a), (begin, _stop, b) in zip(spans, spans[1:]):
            if begin < end:
                raise self.damaged(_("parts {filename} and {filename2} overlap").format(
                                       filename=repr(a.filename), filename2=repr(b.filename)))
        self.shared_info = next((i for _, _, i in spans if i.filename.lower() == "xl/sharedstrings.xml"), None)
        self.shared_raw: list[int] | None = None  # bytes of each <si>: a bound on its text, cheap to get
        self.shared_exact: list[int] | None = None
        self.merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}  # sheet part -> merged ranges
        self.full_first_row: set[str] = set()  # sheet parts whose row 1 has a plain value in every column
        self.names = [i.filename for _, _, i in spans]
        if self.shared_info is not None:
            self.shared_raw = self._shared_raw_lengths(self.shared_info)
        infos = [i for _, _, i in spans]
        if sum(i.file_size for i in infos) < GRACE_BYTES:
            for info in infos:
                self._check_part(info)
            return
        # inflating (zlib) and the sheet check (RE2) let go of the GIL: two parts at a time, the biggest
        # first; the first refusal in the zip's order is the one reported, as if checked one by one
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            futures = {i.filename: pool.submit(self._check_part, i)
                       for i in sorted(infos, key=lambda i: -i.file_size)}
            for info in infos:
                futures[info.filename].result()

    def merged_ranges(self) -> dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
        """Merged cells per sheet name, ((first row, first column), (last row, last column)) 0-based as
        python-calamine gives them, from the sheet parts' <mergeCell> (read during the check)."""
        if not any(self.merges.values()):
            return {}
        sheets = _sheet_parts(self._small_part("xl/workbook.xml"), self._small_part("xl/_rels/workbook.xml.rels"))
        return {name: self.merges.get(part, []) for name, part in sheets.items()}

    def full_header_sheets(self) -> set[str]:
        """Names of the sheets whose first row is row 1 with a plain value in every column from A to the
        last (``SheetScan.full_first_row``): their layout starts at A1 and no header cell is empty."""
        if not self.full_first_row:
            return set()
        sheets = _sheet_parts(self._small_part("xl/workbook.xml"), self._small_part("xl/_rels/workbook.xml.rels"))
        return {name for name, part in sheets.items() if part in self.full_first_row}

    def _small_part(self, name: str) -> bytes:
        info = next((i for i in self.infos if i.filename == name), None)
        return self._inflate_all(info) if info is not None and info.file_size < GRACE_BYTES else b""

    def _data_start(self, info: zipfile.ZipInfo) -> int:
        off = info.header_offset
        header = self.data[off:off + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise self.damaged(_("part {filename} has no local header").format(filename=repr(info.filename)))
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = off + 30 + name_len + extra_len
        if start + info.compress_size > len(self.data):
            raise self.damaged(_("part {filename} is cut short").format(filename=repr(info.filename)))
        return start

    def _inflate_all(self, info: zipfile.ZipInfo) -> bytes:
        """The part's bytes in one piece (zlib lets go of the GIL), never more than it declares plus one byte:
        a lying size is refused with the same words as the streaming ``_inflate``."""
        start = self._data_start(info)
        raw = memoryview(self.data)[start:start + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            if info.compress_size != info.file_size:
                raise self.damaged(_("part {filename} has two sizes").format(filename=repr(info.filename)))
            return bytes(raw)
        inflater = _fast_zlib.decompressobj(-15)
        try:
            out = inflater.decompress(raw, info.file_size + 1)
        except INFLATE_ERRORS as exc:
            raise self.damaged(_("part {filename}: {exc}").format(filename=repr(info.filename), exc=exc)) from None
        if len(out) > info.file_size:
            raise self.damaged(_("part {filename} unpacks to more than the {file_size:,} bytes it declares").format(
                                   filename=repr(info.filename), file_size=info.file_size))
        if not inflater.eof:
            raise self.damaged(_("part {filename} is cut short").format(filename=repr(info.filename)))
        if len(out) != info.file_size:
            raise self.damaged(_("part {filename} unpacks to {n_out:,} bytes, not the {file_size:,} it "
                                 "declares").format(filename=repr(info.filename), n_out=len(out),
                                                    file_size=info.file_size))
        return out

    def _inflate(self, info: zipfile.ZipInfo):
        """The part's bytes, a chunk at a time, never more than it declares (a lying size is refused)."""
        start = self._data_start(info)
        raw = memoryview(self.data)[start:start + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            if info.compress_size != info.file_size:
                raise self.damaged(_("part {filename} has two sizes").format(filename=repr(info.filename)))
            for i in range(0, len(raw), CHUNK_OUT):
                yield bytes(raw[i:i + CHUNK_OUT])
            return
        inflater = zlib.decompressobj(-15)
        pos, produced, pending = 0, 0, b""
        try:
            while not inflater.eof:
                if not pending:
                    if pos >= len(raw):
                        raise self.damaged(_("part {filename} is cut short").format(filename=repr(info.filename)))
                    pending = raw[pos:pos + CHUNK_IN]
                    pos += len(pending)
                out = inflater.decompress(pending, CHUNK_OUT)
                pending = inflater.unconsumed_tail
                if out:
                    produced += len(out)
                    if produced > info.file_size:
                        raise self.damaged(_("part {filename} unpacks to more than the {file_size:,} bytes it "
                                             "declares").format(
                                               filename=repr(info.filename), file_size=info.file_size))
                    yield out
        except zlib.error as exc:
            raise self.damaged(_("part {filename}: {exc}").format(filename=repr(info.filename), exc=exc)) from None
        if produced != info.file_size:
            raise self.damaged(_("part {filename} unpacks to {n_out:,} bytes, not the {file_size:,} it "
                                 "declares").format(filename=repr(info.filename), n_out=produced,
                                                    file_size=info.file_size))

    def _parse(self, info: zipfile.ZipInfo, handler) -> None:
        parser = _expat(handler)
        try:
            for chunk in self._inflate(info):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _Over as exc:
            raise self.over(info.filename, exc) from None
        except _BadPart as exc:
            raise self.damaged(_("part {filename}: {exc}").format(filename=repr(info.filename), exc=exc)) from None
        except Exception as exc:  # expat.ExpatError and anything a handler trips on
            raise self.damaged(_("part {filename} is not well-formed XML: {exc}").format(
                                   filename=repr(info.filename), exc=exc)) from None

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
        with self._lock:
            return self._shared_lengths_once()

    def _shared_lengths_once(self) -> list[int]:
        if self.shared_exact is None:
            handler = _SharedStrings()
            self._parse(self.shared_info, handler)
            self.shared_exact = handler.lengths
        return self.shared_exact

    # -- one part ------------------------------------------------------------

    def _check_part(self, info: zipfile.ZipInfo) -> None:
        """Inflate one part, refusing a DTD; bound it exactly unless it is a sheet written the usual way."""
        name = info.filename
        data = self._inflate_all(info)
        if not name.lower().endswith(_IMAGES) and _DTD.search(data, 0, PROLOG_BYTES):
            raise InputError(_("{path}: refused: part {name} declares an XML DTD (<!DOCTYPE>/<!ENTITY>), which "
                               "spreadsheet programs never write (entity expansion or external-entity "
                               "attack?).").format(path=self.path, name=repr(name)),
                             hint=_("Open it in Excel and save it again if you trust it."))
        if name == "content.xml":
            del data
            self._parse(info, _OdsBounds(self.limits, self.limits.text_allowed(info.file_size)))
            return
        scan = SheetScan(self.limits, data)
        if not scan.sheet:
            return
        self.merges[name] = scan.merges
        if scan.full_first_row:
            self.full_first_row.add(name)
        source = info.file_size + (self.shared_info.file_size if self.shared_info is not None else 0)
        allowed = self.limits.text_allowed(source)
        if scan.fast:
            # every cell is inside the bound, which fits max_cells; the exact rows and columns are
            # checked against the limits once the reader has laid the sheet out
            longest = max(self.shared_raw) if self.shared_raw else 0
            if longest * scan.most_values() <= allowed or longest * scan.values() <= allowed:
                return
            # long shared strings in many cells: count the text the cells really copy
        del data, scan
        shared = self._shared_lengths() if self.shared_info is not None else None
        self._parse(info, _SheetBounds(self.limits, shared, allowed))


def _sheet_parts(workbook: bytes, rels: bytes) -> dict[str, str]:
    """Sheet name -> zip part, from xl/workbook.xml and its relationships (both checked: no DTD)."""
    import posixpath

    from defusedxml import ElementTree as ET

    try:
        targets = {el.get("Id"): el.get("Target", "") for el in ET.fromstring(rels).iter()
                   if el.tag.rpartition("}")[2] == "Relationship"}
        out = {}
        for el in ET.fromstring(workbook).iter():
            if el.tag.rpartition("}")[2] != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if k.rpartition("}")[2] == "id"), None)
            target = targets.get(rid, "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            out[el.get("name", "")] = part
        return out
    except Exception:  # a workbook.xml the reader itself cannot follow: no merges known
        return {}


def _zip_directory(data: bytes) -> tuple[int | None, int]:
    """(entries, size of the central directory) from the end record, before zipfile parses anything."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if at < 0 or at + 22 > len(data):
        return None, 0
    *_head, entries, size, _offset, _comment = struct.unpack("<4s4H2LH", data[at:at + 22])
    if entries == 0xFFFF or size == 0xFFFFFFFF:  # zip64: the locator just before points at the real record
        loc = at - 20
        if loc >= 0 and data[loc:loc + 4] == b"PK\x06\x07":
            (offset,) = struct.unpack("<Q", data[loc + 8:loc + 16])
            rec = data[offset:offset + 56]
            if len(rec) == 56 and rec[:4] == b"PK\x06\x06":
                entries, size = struct.unpack("<QQ", rec[32:48])
    return entries, size
