"""Buying peaks computed for the year, country names to ISO codes, public holidays per country."""

from __future__ import annotations

import pandas as pd
import pytest

from tiercli.plan.calendar import (buying_peaks, country_code, country_codes, country_holidays, country_name,
                                   language_of, month_peaks)


@pytest.mark.parametrize("year, thanksgiving", [(2024, "2024-11-28"), (2025, "2025-11-27"), (2026, "2026-11-26"),
                                                (2027, "2027-11-25"), (2029, "2029-11-22")])
def test_thanksgiving_is_the_fourth_thursday_and_the_weekend_deals_follow(year, thanksgiving):
    peaks = buying_peaks(year).set_index("key")["date"]
    t = pd.Timestamp(thanksgiving)
    assert peaks["thanksgiving"] == t and t.weekday() == 3 and 22 <= t.day <= 28
    assert peaks["black_friday"] == t + pd.Timedelta(days=1)
    assert peaks["cyber_monday"] == t + pd.Timedelta(days=4) and peaks["cyber_monday"].weekday() == 0
    assert peaks["halloween"] == pd.Timestamp(f"{year}-10-31")
    assert peaks["christmas"] == pd.Timestamp(f"{year}-12-25")
    assert peaks["new_year"] == pd.Timestamp(f"{year}-01-01")


def test_a_months_peaks_include_one_just_after_it():
    dec = month_peaks(pd.Period("2026-12", freq="M"), lead_days=7)
    assert list(dec["key"]) == ["christmas", "new_year"]
    assert dec["date"].iloc[1] == pd.Timestamp("2027-01-01")
    assert list(month_peaks(pd.Period("2026-10", freq="M"))["key"]) == ["halloween"]
    assert month_peaks(pd.Period("2026-06", freq="M")).empty


@pytest.mark.parametrize("cell, code", [("United States", "US"), ("美国", "US"), ("USA", "US"), (" us ", "US"),
                                        ("Deutschland", "DE"), ("德国", "DE"), ("United Kingdom", "GB"),
                                        ("UK", "GB"), ("沙特阿拉伯", "SA"), ("España", "ES"), ("Brasil", "BR"),
                                        ("ＵＳＡ", "US"), ("xk", "XK"), ("Atlantis", None), (None, None),
                                        (float("nan"), None)])
def test_country_cells_map_to_iso_codes(cell, code):
    assert country_code(cell) == code


def test_country_helpers_over_columns():
    codes = country_codes(pd.Series(["Germany", "美国", None, "Narnia"]))
    assert codes.tolist()[:2] == ["DE", "US"] and codes.iloc[2:].isna().all()
    assert language_of(pd.Series(["DE", "BR", "SA", None, "ZZ"])).tolist() == ["de", "pt", "ar", "en", "en"]
    assert country_name("DE") == "Germany" and country_name("DE", "zh") == "德国" and country_name("ZZ") == "ZZ"


def test_public_holidays_in_the_month_per_country():
    nov = country_holidays(["US", "FR", "ZZ", None], pd.Period("2026-11", freq="M"))
    us = nov[nov["country"] == "US"]
    assert {"Veterans Day", "Thanksgiving Day"} <= set(us["name"])
    assert pd.Timestamp("2026-11-11") in set(nov.loc[nov["country"] == "FR", "date"])  # Armistice Day
    assert set(nov["country"]) == {"US", "FR"}  # an unknown code has no holidays, and no error
    assert nov["date"].between("2026-11-01", "2026-11-30").all()
