"""Countries: any country cell an export carries -> one ISO 3166-1 alpha-2 code, and codes -> display names.

The one place tiercli reads countries, for every output (the customers table, the email plan and its holidays,
the market calendar).  A cell is recognised when, after case, accents, dots, ``&``/``and``, ``Saint``/``St.``,
a leading "the" and full-width forms are set aside, it is exactly one of:

- an ISO alpha-2 or alpha-3 code (``IE``, ``irl``), or a code replaced since (``UK``, ``ZR``, ``TP``, ``DDR``);
- a country's name in English, Simplified Chinese or Traditional Chinese as CLDR writes it (via Babel:
  ``Germany``, ``德国``, ``德國``), or in one of the other languages below (``Deutschland``, ``España``, ``日本``),
  when that name means one country in all of them;
- an old, trade or ISO-formal form of the table below (``EIRE``, ``RSA``, ``U.S.A.``, ``Holland``, ``KSA``,
  ``Korea, Republic of``, ``沙特``, ``阿联酋``);
- several of those naming the same country (``美国(US)``, ``US / United States``).

Nothing else is guessed: ``Germny`` and ``Narnia`` are not recognised (the cell is shown as exported), and the words
that say the country is unknown or is not one country (``Unspecified``, ``European Community``, ``Channel Islands``,
``未知``, ``EU``) are *unknown*.  Display names are CLDR's, with the forms Chinese sellers use for a few
(``中国香港``, ``中国台湾``, ``阿联酋``).  Babel is imported on first use only; the other languages' names are
loaded only for a cell the first tables do not know.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

# CLDR territories that are not one country: never a code, their names are unknown words
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})

# display names where CLDR's differ from what a seller reads (short forms; the mainland Chinese usage)
_EN_NAMES = {"HK": "Hong Kong", "MO": "Macao", "PS": "Palestine", "CD": "Congo (DRC)", "CG": "Congo (Republic)"}
_ZH_NAMES = {"HK": "中国香港", "MO": "中国澳门", "TW": "中国台湾", "AE": "阿联酋"}

# forms found in exports that CLDR's English and Chinese names and ISO's codes do not cover: old and trade
# names (UCI Online Retail writes EIRE and RSA), ISO 3166's formal short names, Chinese short forms
_FORMS: dict[str, tuple[str, ...]] = {
    "US": ("USA", "U.S.A.", "U.S.", "United States of America", "America", "美利坚合众国"),
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland",
           "United Kingdom of Great Britain and Northern Ireland", "英格兰", "苏格兰", "威尔士", "北爱尔兰",
           "大不列颠", "英联邦"),
    "IE": ("EIRE", "Republic of Ireland", "爱尔兰共和国"),
    "ZA": ("RSA", "Republic of South Africa", "南非共和国"),
    "NL": ("Holland", "Netherlands (Kingdom of the)", "Kingdom of the Netherlands"),
    "SA": ("KSA", "Kingdom of Saudi Arabia", "沙特"),
    "AE": ("UAE", "U.A.E.", "Emirates", "阿拉伯联合酋长国"),
    "CN": ("Mainland China", "China Mainland", "PRC", "People's Republic of China", "中国大陆", "中华人民共和国"),
    "HK": ("Hong Kong SAR", "香港", "香港特别行政区"),
    "MO": ("Macau", "Macau SAR", "Macao SAR", "澳门", "澳门特别行政区"),
    "TW": ("Taiwan, Province of China", "台湾省", "中国台湾省"),
    "KR": ("Korea", "South Korea", "Republic of Korea", "Korea, Republic of", "Korea (South)", "南韩", "大韩民国"),
    "KP": ("Korea, Democratic People's Republic of", "Democratic People's Republic of Korea", "北韩",
           "朝鲜民主主义人民共和国"),
    "RU": ("Russian Federation", "俄罗斯联邦", "俄国"),
    "CZ": ("Czech Republic", "捷克共和国"),
    "TR": ("Turkey", "Republic of Türkiye"),
    "VN": ("Viet Nam",),
    "LA": ("Lao People's Democratic Republic", "Lao PDR"),
    "IR": ("Iran, Islamic Republic of", "Islamic Republic of Iran"),
    "SY": ("Syrian Arab Republic",),
    "MD": ("Moldova, Republic of", "Republic of Moldova"),
    "TZ": ("Tanzania, United Republic of", "United Republic of Tanzania"),
    "VE": ("Venezuela, Bolivarian Republic of",),
    "BO": ("Bolivia, Plurinational State of",),
    "FM": ("Micronesia, Federated States of",),
    "CD": ("Congo, The Democratic Republic of the", "Democratic Republic of the Congo", "DR Congo", "DRC",
           "Congo - Kinshasa", "Zaire"),
    "CG": ("Republic of the Congo", "Congo - Brazzaville", "Congo-Brazzaville"),
    "CI": ("Ivory Coast", "Cote d'Ivoire"),
    "CV": ("Cabo Verde",),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia", "Republic of North Macedonia", "Macedonia, the former Yugoslav Republic of"),
    "MM": ("Burma", "Myanmar"),
    "PS": ("Palestine, State of", "State of Palestine", "Palestinian Territory", "Palestinian Territories"),
    "VA": ("Holy See", "Holy See (Vatican City State)", "Vatican"),
    "BN": ("Brunei Darussalam",),
    "VG": ("Virgin Islands, British", "British Virgin Islands"),
    "VI": ("Virgin Islands, U.S.", "US Virgin Islands"),
    "FK": ("Falkland Islands (Malvinas)",),
    "BQ": ("Bonaire, Sint Eustatius and Saba",),
    "MF": ("Saint Martin (French part)",),
    "SX": ("Sint Maarten (Dutch part)",),
    "SH": ("Saint Helena",),
    "UM": ("United States Minor Outlying Islands",),
    "PN": ("Pitcairn",),
    "TL": ("East Timor",),
    "AU": ("澳洲",),
    "ID": ("印尼",),
    "NZ": ("纽西兰",),
}

# words that say the country is unknown, or name more than one country: never a code
_UNKNOWN_WORDS = (
    "unspecified", "unknown", "not specified", "n/a", "none", "null", "nil", "-", "--", "?", "other",
    "others", "various", "worldwide", "international", "overseas", "european community", "european union",
    "eu", "channel islands", "west indies", "scandinavia", "middle east", "latin america", "asia pacific", "apac",
    "emea", "未知", "不详", "其他", "其它", "无", "海外", "欧盟", "欧洲共同体", "海峡群岛",
)

# languages whose territory names are also recognised (the markets Chinese cross-border sellers sell to)
_OTHER_LOCALES = ("de", "fr", "es", "pt", "it", "nl", "pl", "ru", "ja", "ko", "ar", "tr", "sv", "da", "nb", "fi",
                  "cs")

# email language by country (what the templates are written in; English when not listed)
_LANGUAGES = {
    "US": "en", "GB": "en", "CA": "en", "AU": "en", "NZ": "en", "IE": "en", "ZA": "en", "NG": "en", "KE": "en",
    "IN": "en", "PK": "en", "SG": "en", "MY": "en", "PH": "en",
    "DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr", "LU": "fr",
    "ES": "es", "MX": "es", "AR": "es", "CL": "es", "CO": "es", "PE": "es", "PT": "pt", "BR": "pt", "IT": "it",
    "NL": "nl", "PL": "pl", "CZ": "cs", "SE": "sv", "NO": "no", "DK": "da", "FI": "fi", "GR": "el", "TR": "tr",
    "RU": "ru", "UA": "uk", "RO": "ro", "HU": "hu", "IL": "he",
    "SA": "ar", "AE": "ar", "EG": "ar", "MA": "ar", "QA": "ar", "KW": "ar",
    "CN": "zh", "HK": "zh", "TW": "zh", "TH": "th", "VN": "vi", "ID": "id", "JP": "ja", "KR": "ko",
}

_UNKNOWN = "?"  # internal: an unknown word (no country), as against a cell not recognised at all


_DOTS = re.compile(r"[.'’`´]")
_SPACING = re.compile(r"[\s,_()\[\]\-–/]+")
_SAINT = re.compile(r"\bsaint\b")
_SAINTE = re.compile(r"\bsainte\b")
_THE = re.compile(r"^the ")


def _key(text) -> str:
    """Lookup key: full-width, case, accents, dots, '&', 'Saint', a leading 'the' and spacing set aside."""
    t = unicodedata.normalize("NFKC", str(text)).casefold()
    t = "".join(ch for ch in unicodedata.normalize("NFKD", t) if not unicodedata.combining(ch))
    t = unicodedata.normalize("NFC", t)
    t = t.replace("&", " and ")
    t = _DOTS.sub("", t)
    t = _SPACING.sub(" ", t).strip()
    t = _SAINT.sub("st", t)
    t = _SAINTE.sub("ste", t)
    return _THE.sub("", t)


@dataclass(frozen=True)
class _Tables:
    codes: tuple[str, ...]
    en: dict[str, str]
    zh: dict[str, str]
    lookup: dict[str, str]  # key -> code, or _UNKNOWN


def _add(found: dict[str, set[str]], text: str, code: str) -> None:
    key = _key(text)
    if key:
        found.setdefault(key, set()).add(code)


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    from babel import Locale
    from babel.core import get_global

    en_cldr = Locale.parse("en").territories
    codes = tuple(sorted(c for c in en_cldr if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES))
    zh_cldr = Locale.parse("zh").territories
    en = {c: _EN_NAMES.get(c, en_cldr[c]) for c in codes}
    zh = {c: _ZH_NAMES.get(c, zh_cldr.get(c, en[c])) for c in codes}
    found: dict[str, set[str]] = {}
    for c in codes:
        for text in (c, en_cldr[c], en[c], zh_cldr.get(c, ""), zh[c]):
            _add(found, text, c)
    for loc in ("zh_Hant", "zh_Hant_HK"):
        names = Locale.parse(loc).territories
        for c in codes:
            if c in names:
                _add(found, names[c], c)
    for alias, targets in get_global("territory_aliases").items():
        # ISO alpha-3 codes and codes since replaced by one country (UK, ZR, TP, DDR); not SU, YU or AN
        if alias.isalpha() and len(alias) in (2, 3) and len(targets) == 1 and targets[0] in codes:
            _add(found, alias, targets[0])
    for c, forms in _FORMS.items():
        for text in forms:
            _add(found, text, c)
    lookup = {k: next(iter(v)) for k, v in found.items() if len(v) == 1}
    unknown = {_key(w) for w in _UNKNOWN_WORDS} | {_key(c) for c in _NOT_COUNTRIES}
    for names in (en_cldr, zh_cldr):
        unknown |= {_key(n) for t, n in names.items() if t not in codes}  # Europe, world, 欧盟 ...
    for k in unknown - {""}:
        if k not in lookup:
            lookup[k] = _UNKNOWN
    return _Tables(codes, en, zh, lookup)


@lru_cache(maxsize=1)
def _other_names() -> dict[str, str]:
    """Names in the other languages that name exactly one country (loaded on the first miss only)."""
    from babel import Locale

    t = _tables()
    found: dict[str, set[str]] = {}
    for loc in _OTHER_LOCALES:
        names = Locale.parse(loc).territories
        for c in t.codes:
            if c in names:
                _add(found, names[c], c)
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1 and k not in t.lookup}


_PARTS = re.compile(r"\s*[()\[\]（）【】/|;,，、:：]\s*|\s+-\s+"
                    r"|(?<=[\u3400-\u9fff])\s*(?=[A-Za-z])|(?<=[A-Za-z])\s*(?=[\u3400-\u9fff])")


def _one(key: str, deep: bool) -> str | None:
    hit = _tables().lookup.get(key)
    if hit is None and deep:
        hit = _other_names().get(key)
    return hit


def _resolve(text: str) -> str | None:
    """Code, _UNKNOWN for an unknown word, or None when the cell is not recognised."""
    key = _key(text)
    if not key:
        return _UNKNOWN if str(text).strip() else None
    hit = _one(key, deep=False)
    if hit is not None:
        return hit
    parts = [p for p in _PARTS.split(unicodedata.normalize("NFKC", str(text))) if p and _key(p)]
    if len(parts) > 1:  # "美国(US)", "US / United States": every part must name the same country
        hits = {_one(_key(p), deep=True) for p in parts}
        known = hits - {_UNKNOWN}
        if None not in hits and len(known) == 1:
            return known.pop()
        if hits == {_UNKNOWN}:
            return _UNKNOWN
        return None
    return _one(key, deep=True)


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def code(value) -> str | None:
    """ISO alpha-2 code of a country cell ("United States", "美国", "usa", "EIRE"), else None."""
    if _missing(value):
        return None
    hit = _resolve(str(value))
    return None if hit == _UNKNOWN else hit


def is_unknown(value) -> bool:
    """Whether a cell says the country is unknown or is not one country (Unspecified, European Community)."""
    return not _missing(value) and _resolve(str(value)) == _UNKNOWN


def _distinct(values: pd.Series) -> dict[str, str | None]:
    return {v: _resolve(v) for v in values.dropna().astype("str").unique()}


def codes(values: pd.Series) -> pd.Series:
    """``code`` over a column (each distinct cell resolved once): object dtype, None where not a country."""
    table = {v: (None if r == _UNKNOWN else r) for v, r in _distinct(values).items()}
    return values.astype("object").map(lambda v: None if _missing(v) else table.get(str(v))).astype("object")


def unknown_mask(values: pd.Series) -> pd.Series:
    """``is_unknown`` over a column."""
    table = _distinct(values)
    return values.astype("object").map(lambda v: not _missing(v) and table.get(str(v)) == _UNKNOWN).astype(bool)


def name(code_: str | None, lang: str = "en") -> str:
    """Display name of an ISO code in ``lang`` (en or zh); a code tiercli does not know is returned as it is."""
    if not code_:
        return ""
    t = _tables()
    table = t.zh if lang == "zh" else t.en
    return table.get(code_, code_)


def display(values: pd.Series, lang: str = "en") -> pd.Series:
    """Country cells as a reader sees them: the country's name in ``lang``, else the cell as exported."""
    found = codes(values)
    names = found.map(lambda c: name(c, lang) if c else None)
    return names.where(found.notna(), values.astype("object")).astype("object")


def language_of(codes_: pd.Series) -> pd.Series:
    """Email language guess from ISO country codes (English when unknown)."""
    return codes_.map(_LANGUAGES).fillna("en").astype("str")


def all_codes() -> tuple[str, ...]:
    """Every code tiercli recognises: ISO 3166-1 alpha-2, Kosovo (XK) and CLDR's exceptionally reserved ones."""
    return _tables().codes
