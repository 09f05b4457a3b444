"""Text Excel cannot hold: XML-illegal characters, more than 32,767 UTF-16 units, markup XlsxWriter misreads."""

from __future__ import annotations

import re

XLSX_MAX_TEXT = 32_767  # UTF-16 units, which is how Excel counts
XML_ILLEGAL_CORE = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
# Arrow-backed strings are valid UTF-8, so they cannot hold lone surrogates and
# RE2 rejects surrogates in a pattern; Python strings (object columns) can.
ILLEGAL_ARROW = f"[{XML_ILLEGAL_CORE}]"
ILLEGAL_PY = f"[{XML_ILLEGAL_CORE}\ud800-\udfff]"
ILLEGAL_PY_RE = re.compile(ILLEGAL_PY)
# Text that XlsxWriter cannot write as a plain string cell (see SheetWriter.put_text (xlsx.py)).
RICH_START, RICH_END = "<r>", "</r>"
ESCAPE_STARTS_RE = re.compile(r"(?=_x[0-9A-Fa-f]{4}_)")  # overlapping on purpose
OVERLAPPING_ESCAPES = r"_x[0-9A-Fa-f]{4}_x[0-9A-Fa-f]{4}_"
OVERLAPPING_ESCAPES_RE = re.compile(OVERLAPPING_ESCAPES)


def needs_runs(text: str) -> bool:
    return (text.startswith(RICH_START) and text.endswith(RICH_END)) or bool(
        OVERLAPPING_ESCAPES_RE.search(text)
    )


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def cut_utf16(text: str, limit: int = XLSX_MAX_TEXT) -> str:
    """Cut to ``limit`` UTF-16 units without splitting a character above U+FFFF."""
    if len(text) <= limit // 2 or utf16_len(text) <= limit:
        return text
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return text[:i]
    return text


def fix_text(text: str) -> str:
    return cut_utf16(ILLEGAL_PY_RE.sub("", text))
