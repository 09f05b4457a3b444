"""One country normalisation: codes, English and Chinese names, old and trade forms -> one ISO code; never a guess."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from babel import Locale
from babel.core import get_global
from hypothesis import given, settings
from hypothesis import strategies as st

from tiercli import countries
from tiercli.countries import (
    _key,
    _tables,
    code,
    codes,
    display,
    is_unknown,
    language_of,
    name,
    unknown_mask,
)

CODES = countries.all_codes()


def test_every_iso_country_is_known():
    assert len(CODES) >= 249 and {"US", "GB", "IE", "ZA", "CN", "HK", "TW", "XK", "NA"} <= set(CODES)
    assert not {"EU", "EZ", "UN", "ZZ"} & set(CODES)  # CLDR territories that are not one country


@pytest.mark.parametrize("cc", CODES)
def test_every_code_and_its_names_round_trip(cc):
    en, zh = name(cc), name(cc, "zh")
    assert en and zh and en != cc
    for cell in (cc, cc.lower(), f" {cc} ", en, en.upper(), en.lower(), f"  {en}\t", zh,
                 unicodedata.normalize("NFKC", en)):
        assert code(cell) == cc, cell
    # full-width Latin, as Chinese input methods type it
    assert code("".join(chr(ord(ch) + 0xFEE0) for ch in cc)) == cc
    # the name shown is the name of the code read back
    assert name(code(en)) == en and name(code(zh), "zh") == zh


def test_cldr_names_in_simplified_and_traditional_chinese_are_read():
    for loc in ("zh", "zh_Hant"):
        names = Locale.parse(loc).territories
        for cc in CODES:
            assert code(names[cc]) == cc, (loc, names[cc])


def test_alpha3_codes_and_replaced_codes_round_trip():
    aliases = get_global("territory_aliases")
    for alias, targets in aliases.items():
        if alias.isalpha() and len(alias) == 3 and len(targets) == 1 and targets[0] in CODES:
            assert code(alias) == targets[0] and code(alias.lower()) == targets[0], alias
    assert [code(x) for x in ("USA", "GBR", "DEU", "IRL", "ZAF", "CHN", "SAU", "ARE", "KOR", "TWN")] == \
        ["US", "GB", "DE", "IE", "ZA", "CN", "SA", "AE", "KR", "TW"]
    # an alias of several countries (the Soviet Union, Yugoslavia, the Netherlands Antilles) is none of them
    assert code("SU") is None and code("YU") is None and code("AN") is None


@pytest.mark.parametrize("cell, cc", [
    # old and trade forms (UCI Online Retail writes EIRE and RSA)
    ("EIRE", "IE"), ("Eire", "IE"), ("Éire", "IE"), ("Ireland", "IE"), ("IE", "IE"), ("IRL", "IE"), ("爱尔兰", "IE"),
    ("RSA", "ZA"), ("South Africa", "ZA"), ("南非", "ZA"),
    ("UK", "GB"), ("U.K.", "GB"), ("Great Britain", "GB"), ("England", "GB"), ("United Kingdom", "GB"),
    ("英国", "GB"), ("英國", "GB"),
    ("U.S.A.", "US"), ("USA", "US"), ("U.S.", "US"), ("United States of America", "US"), ("美国", "US"),
    ("美國", "US"), ("ＵＳＡ", "US"), (" us ", "US"),
    ("Holland", "NL"), ("the Netherlands", "NL"), ("Nederland", "NL"), ("荷兰", "NL"),
    ("德国", "DE"), ("Deutschland", "DE"), ("DEU", "DE"), ("沙特阿拉伯", "SA"), ("沙特", "SA"), ("KSA", "SA"),
    ("阿联酋", "AE"), ("UAE", "AE"), ("澳洲", "AU"), ("印尼", "ID"), ("韩国", "KR"), ("Korea, Republic of", "KR"),
    ("Russian Federation", "RU"), ("Czech Republic", "CZ"), ("Turkey", "TR"), ("Türkiye", "TR"), ("Viet Nam", "VN"),
    ("España", "ES"), ("Espana", "ES"), ("Brasil", "BR"), ("Österreich", "AT"), ("Schweiz", "CH"), ("Suisse", "CH"),
    ("日本", "JP"), ("香港", "HK"), ("中国香港", "HK"), ("台湾", "TW"), ("中国台湾", "TW"), ("中国大陆", "CN"),
    ("Côte d’Ivoire", "CI"), ("Cote d'Ivoire", "CI"), ("Saint Lucia", "LC"), ("St Lucia", "LC"),
    ("Trinidad and Tobago", "TT"), ("Trinidad & Tobago", "TT"), ("xk", "XK"), ("NA", "NA"),
    # cells naming one country twice, as ERP exports write them
    ("美国(US)", "US"), ("美国（US）", "US"), ("US / United States", "US"), ("United States (US)", "US"),
    ("美国United States", "US"), ("DE - Germany", "DE"),
])
def test_cells_map_to_one_code(cell, cc):
    assert code(cell) == cc


@pytest.mark.parametrize("cell", ["Unspecified", "European Community", "Channel Islands", "EU", "Europe", "欧盟",
                                  "未知", "其他", "N/A", "-", "ZZ", "unknown", "West Indies"])
def test_words_that_name_no_one_country_are_unknown(cell):
    assert code(cell) is None and is_unknown(cell)


@pytest.mark.parametrize("cell", ["Germny", "Narnia", "Atlantis", "United", "States", "Kingdom", "Korea North",
                                  "US/CA", "美国/加拿大", "Germany (Narnia)", "QQ", "123", "840"])
def test_anything_else_is_not_guessed(cell):
    assert code(cell) is None and not is_unknown(cell)


def test_missing_cells():
    for cell in (None, float("nan"), pd.NA, "", "   "):
        assert code(cell) is None and not is_unknown(cell)


def _known_keys() -> set[str]:
    return set(_tables().lookup) | set(countries._other_names())


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CODES), st.sampled_from(["en", "zh"]), st.data())
def test_a_name_with_one_character_changed_is_never_guessed(cc, lang, data):
    """Exact names only: drop, double or swap one character and the cell is unknown unless it is itself a name."""
    text = name(cc, lang)
    i = data.draw(st.integers(0, len(text) - 1))
    kind = data.draw(st.sampled_from(["drop", "double", "replace"]))
    if kind == "drop":
        changed = text[:i] + text[i + 1:]
    elif kind == "double":
        changed = text[:i] + text[i] + text[i:]
    else:
        changed = text[:i] + data.draw(st.sampled_from("xqz测")) + text[i + 1:]
    if _key(changed) == _key(text) or not _key(changed):
        return  # the change was punctuation or case only
    if _key(changed) in _known_keys():
        assert code(changed) is not None  # another listed name (Niger / Nigeria): read as that, exactly
    else:
        assert code(changed) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Ll", "Lu", "Lo"]), min_size=4, max_size=12))
def test_random_words_are_unknown_unless_listed(word):
    if _key(word) in _known_keys():
        return
    parts = countries._PARTS.split(unicodedata.normalize("NFKC", word))
    if len([p for p in parts if p]) > 1:
        return  # a mixed-script word is read part by part (tested above)
    assert code(word) is None


def test_columns_display_and_unknown_mask():
    cells = pd.Series(["EIRE", "Ireland", "IE", "爱尔兰", "Unspecified", None, "Narnia", "RSA"])
    def listed(s):
        return [v if isinstance(v, str) else None for v in s]

    assert listed(codes(cells)) == ["IE", "IE", "IE", "IE", None, None, None, "ZA"]
    assert listed(display(cells)) == ["Ireland"] * 4 + ["Unspecified", None, "Narnia", "South Africa"]
    assert listed(display(cells, "zh")) == ["爱尔兰"] * 4 + ["Unspecified", None, "Narnia", "南非"]
    assert unknown_mask(cells).tolist() == [False] * 4 + [True, False, False, False]


def test_names_in_the_form_chinese_sellers_use():
    assert [name(c, "zh") for c in ("US", "GB", "DE", "SA", "KR", "HK", "TW", "AE")] == \
        ["美国", "英国", "德国", "沙特阿拉伯", "韩国", "中国香港", "中国台湾", "阿联酋"]
    assert [name(c) for c in ("US", "GB", "IE", "ZA", "HK", "KR")] == \
        ["United States", "United Kingdom", "Ireland", "South Africa", "Hong Kong", "South Korea"]
    assert name("ZZ") == "ZZ" and name(None) == "" and name("Narnia") == "Narnia"


def test_email_language_from_codes():
    assert language_of(pd.Series(["DE", "BR", "SA", None, "ZZ"])).tolist() == ["de", "pt", "ar", "en", "en"]


def test_lookup_tables_name_each_key_once():
    """No key of the first tables means two countries (a collision would be dropped, and tested here)."""
    t = _tables()
    assert len(t.en) == len(CODES) and len(set(t.en.values())) == len(CODES)
    assert len(set(t.zh.values())) == len(CODES)
