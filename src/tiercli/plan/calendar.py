"""Campaign themes: the year's buying peaks and each recipient country's public holidays in a month.

Seed 001 names the Western buying peaks a seller plans around (万圣节, 感恩节, 黑色星期五, 网购星期一,
圣诞节, 元旦); they are computed for the year, not typed in.  Public holidays come from the ``holidays``
library for the ISO code of each recipient's country (``tiercli.countries`` reads the country cells).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandas as pd

# --------------------------------------------------------------------------------------------- peaks

PEAKS = {  # key -> (English, Chinese); dates come from buying_peaks()
    "halloween": ("Halloween", "万圣节"),
    "thanksgiving": ("Thanksgiving", "感恩节"),
    "black_friday": ("Black Friday", "黑色星期五"),
    "cyber_monday": ("Cyber Monday", "网购星期一"),
    "christmas": ("Christmas", "圣诞节"),
    "new_year": ("New Year", "元旦"),
}


def buying_peaks(year: int) -> pd.DataFrame:
    """The seed's buying peaks of ``year`` (New Year is 1 January of ``year``): key, date, names, where."""
    nov1 = dt.date(year, 11, 1)
    # the fourth Thursday of November (US)
    thanksgiving = nov1 + dt.timedelta(days=(3 - nov1.weekday()) % 7 + 21)
    rows = [
        ("new_year", dt.date(year, 1, 1), "global"),
        ("halloween", dt.date(year, 10, 31), "global"),
        ("thanksgiving", thanksgiving, "US"),
        ("black_friday", thanksgiving + dt.timedelta(days=1), "global"),
        ("cyber_monday", thanksgiving + dt.timedelta(days=4), "global"),
        ("christmas", dt.date(year, 12, 25), "global"),
    ]
    return pd.DataFrame({
        "key": [r[0] for r in rows],
        "date": pd.to_datetime([r[1] for r in rows]),
        "name": [PEAKS[r[0]][0] for r in rows],
        "name_zh": [PEAKS[r[0]][1] for r in rows],
        "where": [r[2] for r in rows],
    }).sort_values("date", kind="stable").reset_index(drop=True)


def month_bounds(month: pd.Period) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a monthly Period as Timestamps."""
    return month.start_time.normalize(), month.end_time.normalize()


def month_peaks(month: pd.Period, lead_days: int = 7) -> pd.DataFrame:
    """Peaks inside ``month`` or within ``lead_days`` after it (you mail before New Year, not on it)."""
    first, last = month_bounds(month)
    peaks = pd.concat([buying_peaks(month.year), buying_peaks(month.year + 1)], ignore_index=True)
    inside = (peaks["date"] >= first) & (peaks["date"] <= last + pd.Timedelta(days=lead_days))
    return peaks[inside].reset_index(drop=True)


@lru_cache(maxsize=256)
def _holidays(code: str, year: int) -> tuple[tuple[dt.date, str], ...]:
    import holidays

    try:
        found = holidays.country_holidays(code, years=year, language="en_US")
    except NotImplementedError:  # a code the library does not know
        return ()
    except Exception:  # noqa: BLE001 - a country without an English translation: local names
        try:
            found = holidays.country_holidays(code, years=year)
        except NotImplementedError:
            return ()
    return tuple(sorted(found.items()))


def country_holidays(codes, month: pd.Period) -> pd.DataFrame:
    """Public holidays in ``month`` for each ISO code in ``codes``: country, date, name (sorted)."""
    first, last = month_bounds(month)
    rows = []
    for code in sorted({c for c in codes if isinstance(c, str) and c}):
        for day, name in _holidays(code, month.year):
            if first.date() <= day <= last.date():
                rows.append((code, pd.Timestamp(day), name))
    return pd.DataFrame(rows, columns=["country", "date", "name"])


def supported(code: str) -> bool:
    """Whether the holidays library knows this ISO code."""
    import holidays

    return code in holidays.list_supported_countries()
