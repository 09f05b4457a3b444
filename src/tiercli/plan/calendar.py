"""Campaign themes: the year's buying peaks and each recipient country's public holidays in a month.

Seed 001 names the Western buying peaks a seller plans around (万圣节, 感恩节, 黑色星期五, 网购星期一,
圣诞节, 元旦); they are computed for the year, not typed in.  Public holidays come from the ``holidays``
library for the ISO code of each recipient's country.  Country cells in exports are names in English, in
the local language or in Chinese (美国), or already codes (US): ``country_code`` maps them with a small table.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

import pandas as pd

# ISO code, English name, Chinese name, language guess for emails, other spellings found in exports.
_COUNTRIES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("US", "United States", "美国", "en", ("usa", "u.s.", "u.s.a.", "united states of america", "america")),
    ("GB", "United Kingdom", "英国", "en", ("uk", "u.k.", "great britain", "britain", "england", "scotland",
                                            "wales", "northern ireland")),
    ("CA", "Canada", "加拿大", "en", ()),
    ("AU", "Australia", "澳大利亚", "en", ("澳洲",)),
    ("NZ", "New Zealand", "新西兰", "en", ()),
    ("IE", "Ireland", "爱尔兰", "en", ()),
    ("DE", "Germany", "德国", "de", ("deutschland",)),
    ("AT", "Austria", "奥地利", "de", ("österreich", "oesterreich")),
    ("CH", "Switzerland", "瑞士", "de", ("schweiz", "suisse", "svizzera")),
    ("FR", "France", "法国", "fr", ()),
    ("BE", "Belgium", "比利时", "fr", ("belgique", "belgië", "belgie")),
    ("LU", "Luxembourg", "卢森堡", "fr", ()),
    ("ES", "Spain", "西班牙", "es", ("españa", "espana")),
    ("MX", "Mexico", "墨西哥", "es", ("méxico",)),
    ("AR", "Argentina", "阿根廷", "es", ()),
    ("CL", "Chile", "智利", "es", ()),
    ("CO", "Colombia", "哥伦比亚", "es", ()),
    ("PE", "Peru", "秘鲁", "es", ("perú",)),
    ("PT", "Portugal", "葡萄牙", "pt", ()),
    ("BR", "Brazil", "巴西", "pt", ("brasil",)),
    ("IT", "Italy", "意大利", "it", ("italia",)),
    ("NL", "Netherlands", "荷兰", "nl", ("the netherlands", "holland", "nederland")),
    ("PL", "Poland", "波兰", "pl", ("polska",)),
    ("CZ", "Czechia", "捷克", "cs", ("czech republic",)),
    ("SE", "Sweden", "瑞典", "sv", ("sverige",)),
    ("NO", "Norway", "挪威", "no", ("norge",)),
    ("DK", "Denmark", "丹麦", "da", ("danmark",)),
    ("FI", "Finland", "芬兰", "fi", ("suomi",)),
    ("GR", "Greece", "希腊", "el", ()),
    ("TR", "Turkey", "土耳其", "tr", ("türkiye", "turkiye")),
    ("RU", "Russia", "俄罗斯", "ru", ("russian federation",)),
    ("UA", "Ukraine", "乌克兰", "uk", ()),
    ("RO", "Romania", "罗马尼亚", "ro", ()),
    ("HU", "Hungary", "匈牙利", "hu", ()),
    ("IL", "Israel", "以色列", "he", ()),
    ("SA", "Saudi Arabia", "沙特阿拉伯", "ar", ("沙特", "ksa", "kingdom of saudi arabia")),
    ("AE", "United Arab Emirates", "阿联酋", "ar", ("uae", "u.a.e.", "emirates", "阿拉伯联合酋长国")),
    ("EG", "Egypt", "埃及", "ar", ()),
    ("MA", "Morocco", "摩洛哥", "ar", ()),
    ("QA", "Qatar", "卡塔尔", "ar", ()),
    ("KW", "Kuwait", "科威特", "ar", ()),
    ("ZA", "South Africa", "南非", "en", ()),
    ("NG", "Nigeria", "尼日利亚", "en", ()),
    ("KE", "Kenya", "肯尼亚", "en", ()),
    ("IN", "India", "印度", "en", ()),
    ("PK", "Pakistan", "巴基斯坦", "en", ()),
    ("CN", "China", "中国", "zh", ("中国大陆", "mainland china", "prc")),
    ("HK", "Hong Kong", "中国香港", "zh", ("香港", "hong kong sar")),
    ("TW", "Taiwan", "中国台湾", "zh", ("台湾",)),
    ("SG", "Singapore", "新加坡", "en", ()),
    ("MY", "Malaysia", "马来西亚", "en", ()),
    ("TH", "Thailand", "泰国", "th", ()),
    ("VN", "Vietnam", "越南", "vi", ("viet nam",)),
    ("ID", "Indonesia", "印度尼西亚", "id", ("印尼",)),
    ("PH", "Philippines", "菲律宾", "en", ()),
    ("JP", "Japan", "日本", "ja", ()),
    ("KR", "South Korea", "韩国", "ko", ("korea", "republic of korea", "korea, republic of")),
)

_BY_CODE = {c[0]: c for c in _COUNTRIES}
_LOOKUP: dict[str, str] = {}
for _code, _en, _zh, _lang, _aliases in _COUNTRIES:
    for _name in (_code, _en, _zh, *_aliases):
        _LOOKUP[_name.casefold()] = _code


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def country_code(value) -> str | None:
    """ISO 3166 alpha-2 code of a country cell ("United States", "美国", "us", "DE"), else None."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    key = _key(value)
    if key in _LOOKUP:
        return _LOOKUP[key]
    if re.fullmatch(r"[a-z]{2}", key):  # a code the table does not list: pass it through
        return key.upper()
    return None


def country_codes(values: pd.Series) -> pd.Series:
    """``country_code`` over a column (each distinct value looked up once)."""
    distinct = values.dropna().astype("str").unique()
    table = {v: country_code(v) for v in distinct}
    return values.astype("object").map(table).astype("object")


def country_name(code: str | None, lang: str = "en") -> str:
    """Display name of an ISO code (the code itself when the table does not list it)."""
    if not code:
        return ""
    row = _BY_CODE.get(code)
    if row is None:
        return code
    return row[2] if lang == "zh" else row[1]


def language_of(codes: pd.Series) -> pd.Series:
    """Email language guess from ISO country codes (English when unknown)."""
    table = {c[0]: c[3] for c in _COUNTRIES}
    return codes.map(table).fillna("en").astype("str")


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
