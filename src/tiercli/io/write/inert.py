"""Formula-injection guard: text a spreadsheet would run as a formula is kept as text (OWASP CSV injection)."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

# Characters that make Excel/WPS/LibreOffice treat a cell as a formula (or that
# smuggle one in after a line break), per OWASP "CSV Injection".
_TRIGGERS = "=+-@\t\r\n\x00"
# Used with Series.str.match (anchored); the same text works for Python re and RE2.
_TRIGGER_PAT = r" *[=+\-@\t\r\n\x00]"
# First non-space character outside ASCII: only then can NFKC change it
# (ASCII is NFKC-stable and no trigger is a composed character).
_NON_ASCII_HEAD_PAT = r" *[^\x00-\x7f]"


def is_formula_like(text: str) -> bool:
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
    if is_formula_like(value):
        return "'" + value, True
    return value, False


class InertText(str):
    """Text a spreadsheet would run as a formula, marked for the xlsx writer: written as a string cell
    with Excel's quote prefix (``quotePrefix``), which keeps it text when the seller edits the cell."""

    __slots__ = ()


def formula_like_mask(s: pd.Series) -> np.ndarray:
    """Vectorised ``is_formula_like`` over a text Series (positional, NA -> False)."""
    mask = np.array(s.str.match(_TRIGGER_PAT, na=False), dtype=bool)
    cand = np.array(s.str.match(_NON_ASCII_HEAD_PAT, na=False), dtype=bool)
    if cand.any():
        normal = s[cand].str.normalize("NFKC")
        mask[cand] |= np.array(normal.str.match(_TRIGGER_PAT, na=False), dtype=bool)
    return mask
