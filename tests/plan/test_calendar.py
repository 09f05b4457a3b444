"""The campaign calendar: date rules across years, the seller's own file, bad files, public holidays."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from tiercli.cli import cli
from tiercli.config import load_config
from tiercli.errors import ConfigError
from tiercli.plan.calendar import (
    country_holidays,
    load_calendar,
    month_events,
    occurrences,
)


def _dates(year, entries=None):
    occ = occurrences(entries or load_calendar(), [year])
    return occ.set_index("key")


@pytest.mark.parametrize("year, thanksgiving", [(2024, "2024-11-28"), (2025, "2025-11-27"), (2026, "2026-11-26"),
                                                (2027, "2027-11-25"), (2029, "2029-11-22")])
def test_thanksgiving_is_the_fourth_thursday_and_the_weekend_deals_follow(year, thanksgiving):
    peaks = _dates(year)["start"]
    t = pd.Timestamp(thanksgiving)
    assert peaks["thanksgiving"] == t and t.weekday() == 3 and 22 <= t.day <= 28
    assert peaks["black_friday"] == t + pd.Timedelta(days=1)
    assert peaks["cyber_monday"] == t + pd.Timedelta(days=4) and peaks["cyber_monday"].weekday() == 0
    assert peaks["halloween"] == pd.Timestamp(f"{year}-10-31")
    assert peaks["christmas"] == pd.Timestamp(f"{year}-12-25")
    assert peaks["new_year"] == pd.Timestamp(f"{year}-01-01")


# Chinese New Year (first day of the first lunar month) and the first day of Ramadan, as published
@pytest.mark.parametrize("year, cny, ramadan, eid, diwali", [
    (2025, "2025-01-29", "2025-03-01", "2025-03-30", "2025-10-20"),
    (2026, "2026-02-17", "2026-02-18", "2026-03-19", "2026-11-08"),
    (2027, "2027-02-06", "2027-02-08", "2027-03-09", "2027-10-29"),
])
def test_lunar_and_islamic_dates_move_from_year_to_year(year, cny, ramadan, eid, diwali):
    d = _dates(year)
    assert d.loc["chinese_new_year", "start"] == pd.Timestamp(cny)
    assert d.loc["ramadan", "start"] == pd.Timestamp(ramadan)
    # Ramadan lasts until the day before Eid al-Fitr
    assert d.loc["eid_al_fitr", "start"] == pd.Timestamp(eid)
    assert d.loc["ramadan", "end"] == pd.Timestamp(eid) - pd.Timedelta(days=1)
    assert d.loc["diwali", "start"] == pd.Timestamp(diwali)
    # the seller's closure: 5 days before to 9 days after the new year
    assert d.loc["chinese_new_year", "closed_from"] == pd.Timestamp(cny) - pd.Timedelta(days=5)
    assert d.loc["chinese_new_year", "closed_to"] == pd.Timestamp(cny) + pd.Timedelta(days=9)


def test_mothers_day_and_platform_events():
    d26, d27 = _dates(2026), _dates(2027)
    assert d26.loc["mothers_day", "start"] == pd.Timestamp("2026-05-10")  # the second Sunday of May
    assert d27.loc["mothers_day", "start"] == pd.Timestamp("2027-05-09")
    assert d26.loc["mothering_sunday", "start"] == pd.Timestamp("2026-03-15")  # three weeks before Easter
    assert d26.loc["aliexpress_1111", "platforms"] == ("aliexpress",)
    # Prime Day only in years whose dates Amazon announced (and the file lists): nothing is guessed
    assert d26.index.tolist().count("prime_day") == 0
    assert _dates(2025).loc["prime_day", "end"] == pd.Timestamp("2025-07-11")


def test_platform_events_follow_the_sellers_platforms():
    cal = load_calendar()
    nov = pd.Period("2026-11", freq="M")
    assert "aliexpress_1111" not in set(month_events(cal, nov, ())["key"])
    assert "aliexpress_1111" in set(month_events(cal, nov, ("aliexpress",))["key"])
    assert "alibaba_super_september" not in set(month_events(cal, pd.Period("2026-09", freq="M"), ("aliexpress",))["key"])


def _config_with(tmp_path, calendar_text, extra=""):
    (tmp_path / "my_calendar.toml").write_text(calendar_text, encoding="utf-8")
    (tmp_path / "tiercli.toml").write_text(f'[plan]\ncalendar = "my_calendar.toml"\n{extra}', encoding="utf-8")
    return load_config(tmp_path / "tiercli.toml")


def test_the_sellers_file_changes_adds_and_drops_entries(tmp_path):
    cfg = _config_with(tmp_path, """
[entries.chinese_new_year]          # a longer closure than shipped: only the fields named change
closed_before = 10
closed_after = 20

[entries.valentines_day]            # a new rule replaces the shipped one wholesale
rule = "nth_weekday"
month = 2
weekday = "friday"
n = 2

[entries.store_anniversary]         # the seller's own campaign
name = "Our store's 5th birthday"
name_zh = "店铺五周年"
kind = "seller_campaign"
rule = "fixed"
date = "06-18"
days = 3

[entries.halloween]
enabled = false
""")
    cal = load_calendar(cfg)
    d = _dates(2026, cal)
    assert d.loc["chinese_new_year", "closed_from"] == pd.Timestamp("2026-02-07")
    assert d.loc["chinese_new_year", "closed_to"] == pd.Timestamp("2026-03-09")
    assert d.loc["chinese_new_year", "name"] == "Chinese New Year (Spring Festival)"  # kept from the shipped entry
    assert d.loc["valentines_day", "start"] == pd.Timestamp("2026-02-13")
    assert d.loc["store_anniversary", "end"] == pd.Timestamp("2026-06-20")
    assert "halloween" not in d.index
    assert cal["chinese_new_year"].origin.endswith("my_calendar.toml") and cal["christmas"].origin == "built-in"


@pytest.mark.parametrize("text, words", [
    ("[entries.x]\nname = 'X'\nkind = 'sale'\nrule = 'fixed'\ndate = '01-02'\n", "kind must be one of"),
    ("[entries.x]\nname = 'X'\nkind = 'buying_peak'\nrule = 'fixed'\ndate = '13-02'\n", "date must be MM-DD"),
    ("[entries.x]\nname = 'X'\nkind = 'buying_peak'\nrule = 'after'\nfrom = 'nope'\noffset = 1\n", "refers to 'nope'"),
    ("[entries.x]\nname = 'X'\nkind = 'buying_peak'\nrule = 'fixed'\ndate = '01-02'\nlead = 3\n",
     "lead is not a calendar field"),
    ("[entries.x]\nname = 'X'\nkind = 'buying_peak'\nrule = 'holiday'\ncountry = 'ZZ'\nholiday = 'A'\n",
     "'ZZ' is not a country"),
    ("[entries.x\nname = 'X'\n", "not valid TOML"),
])
def test_a_malformed_calendar_is_a_one_line_error(tmp_path, text, words):
    cfg = _config_with(tmp_path, text)
    with pytest.raises(ConfigError, match=words):
        load_calendar(cfg)
    result = CliRunner().invoke(cli, ["calendar", "--year", "2026", "--config", str(tmp_path / "tiercli.toml")])
    assert result.exit_code == 2
    err = result.output.strip()
    assert err.startswith("tiercli: error: calendar ") and "\n" not in err and words in err


def test_a_missing_calendar_file_is_an_error(tmp_path):
    (tmp_path / "tiercli.toml").write_text('[plan]\ncalendar = "nowhere.toml"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["calendar", "--config", str(tmp_path / "tiercli.toml")])
    assert result.exit_code == 2 and "nowhere.toml does not exist" in result.output


def test_calendar_command_lists_the_year_for_a_country(tmp_path):
    (tmp_path / "tiercli.toml").write_text('[plan]\nplatforms = ["aliexpress"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["calendar", "--year", "2027", "--country", "SA", "--format", "json",
                                      "--config", str(tmp_path / "tiercli.toml")])
    assert result.exit_code == 0, result.output
    import json

    doc = json.loads(result.output)
    keys = [e["key"] for e in doc["events"]]
    assert {"ramadan", "eid_al_fitr", "aliexpress_1111", "chinese_new_year"} <= set(keys)
    assert "thanksgiving" not in keys and "alibaba_march_expo" not in keys and "diwali" not in keys
    assert any(e["kind"] == "public_holiday" and e["start"] == "2027-02-22" for e in doc["events"])  # Founding Day
    zh = CliRunner().invoke(cli, ["calendar", "--year", "2027", "--lang", "zh", "--config",
                                  str(tmp_path / "tiercli.toml")])
    assert zh.exit_code == 0 and "春节" in zh.output and "速卖通双11" in zh.output
    bad = CliRunner().invoke(cli, ["calendar", "--country", "Atlantis"])
    assert bad.exit_code == 2 and "Atlantis" in bad.output


def test_public_holidays_in_the_month_per_country():
    nov = country_holidays(["US", "FR", "ZZ", None], pd.Period("2026-11", freq="M"))
    us = nov[nov["country"] == "US"]
    assert {"Veterans Day", "Thanksgiving Day"} <= set(us["name"])
    assert pd.Timestamp("2026-11-11") in set(nov.loc[nov["country"] == "FR", "date"])  # Armistice Day
    assert set(nov["country"]) == {"US", "FR"}  # an unknown code has no holidays, and no error
    assert nov["date"].between("2026-11-01", "2026-11-30").all()
