"""Buying peaks computed for the year, public holidays per country (country cells: tests/test_countries.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from tiercli.plan.calendar import buying_peaks, country_holidays, month_peaks


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


def test_public_holidays_in_the_month_per_country():
    nov = country_holidays(["US", "FR", "ZZ", None], pd.Period("2026-11", freq="M"))
    us = nov[nov["country"] == "US"]
    assert {"Veterans Day", "Thanksgiving Day"} <= set(us["name"])
    assert pd.Timestamp("2026-11-11") in set(nov.loc[nov["country"] == "FR", "date"])  # Armistice Day
    assert set(nov["country"]) == {"US", "FR"}  # an unknown code has no holidays, and no error
    assert nov["date"].between("2026-11-01", "2026-11-30").all()
