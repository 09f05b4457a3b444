"""What the customers' own words and visits say, read once for features and segmenters alike: a purchase
timeline in words as days (stars reads it; features counts it per customer) and the AIPL stage of visitor
events (aipl's stages; features profiles customers', the funnel anonymous visitors').

Below features and segmenters: both import from here, it imports neither.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# ---------------------------------------------------------------- AIPL stages of visitor events

STAGES = ["awareness", "interest", "purchase", "loyalty"]
RANK = {s: i for i, s in enumerate(STAGES)}


def event_profile(events: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per ``key`` (customer or visitor id): number of events, highest AIPL stage, the event word that
    showed it (the latest at that stage) and the source tag that brought them there (the commonest among
    their events at that stage, ties to the latest).  Rows without a key are left out."""
    cols = ["event_count", "event_stage", "event_top", "event_source"]
    ev = events[events[key].notna()] if len(events) else events
    if not len(ev):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "event_count" else "str") for c in cols},
                            index=pd.Index([], dtype="str", name=key))
    ev = ev[[key, "date", "event", "stage", "source"]].assign(rank=ev["stage"].map(RANK).fillna(0).astype("int64"))
    top = ev[ev["rank"].eq(ev.groupby(key)["rank"].transform("max"))]
    src = top[top["source"].notna()].groupby([key, "source"], as_index=False).agg(
        n=("rank", "size"), last=("date", "max"))
    src = src.sort_values([key, "n", "last", "source"], ascending=[True, False, False, True]).drop_duplicates(key)
    # the event word shown is the latest at the top stage from that source (any source when untagged)
    chosen = top[key].map(src.set_index(key)["source"])
    top = top[chosen.isna() | top["source"].eq(chosen).fillna(False)]
    latest = top.sort_values([key, "date", "event"], na_position="first").groupby(key).last()
    out = pd.DataFrame({
        "event_count": ev.groupby(key).size(),
        "event_stage": pd.Series(np.array(STAGES, dtype=object)[latest["rank"].to_numpy()], index=latest.index),
        "event_top": latest["event"],
    })
    out["event_source"] = src.set_index(key)["source"].reindex(out.index)
    for c in cols[1:]:
        out[c] = out[c].astype("str")
    out.index = out.index.astype("str")
    out.index.name = key
    return out[cols]


# ---------------------------------------------------------------- purchase timelines

_UNIT_DAYS = {"天": 1, "日": 1, "d": 1, "day": 1, "days": 1, "周": 7, "星期": 7, "礼拜": 7, "w": 7, "wk": 7,
              "wks": 7, "week": 7, "weeks": 7, "月": 30, "m": 30, "mo": 30, "mos": 30, "month": 30, "months": 30,
              "年": 365, "y": 365, "yr": 365, "yrs": 365, "year": 365, "years": 365}
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_AMOUNT = r"(?P<n>\d+(?:\.\d+)?|[零一二两三四五六七八九十半]+)"
_UNIT = r"(?P<u>天|日|周|星期|礼拜|月|年|days?|weeks?|wks?|months?|mos?|years?|yrs?|[dwmy])(?![a-z])"
_PATTERN = _AMOUNT + r"\s*(?:个|個)?\s*" + _UNIT
_NOW = r"asap|as soon as possible|immediate|urgent|right away|this week|立即|马上|立刻|尽快|急|现货|本周"
_BEYOND = r"以上|以后|之后|后|more than|over|beyond|after|later|\+"


def _cn_number(text: str) -> float:
    """一 .. 九十九 and 半 (half) as a number; anything else is NaN."""
    if text == "半":
        return 0.5
    if text.startswith("半"):
        return np.nan
    if text.endswith("半"):  # 一年半 is read by the caller as 1 year; 两个半月 rarely occurs
        text = text[:-1]
    if "十" in text:
        tens, _ten, ones = text.partition("十")
        return float(_CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)) if tens in _CN_DIGITS or not tens \
            else np.nan
    if len(text) == 1 and text in _CN_DIGITS:
        return float(_CN_DIGITS[text])
    return np.nan


def timeline_days(text: pd.Series) -> pd.Series:
    """A purchase timeline in words -> days: "7天内" 7, "1个月内" 30, "within 2 weeks" 14, "3 months" 90,
    "1-3 months" 90 (the far end), "半年" 182, "ASAP" 0, a bare number as days.  "3个月以上" / "over 3
    months" is one day past its number (beyond the window).  Unreadable text is NaN."""
    words = text.astype("str").str.strip().str.lower()
    found = words.str.extractall(_PATTERN)
    days = pd.Series(np.nan, index=text.index, dtype="float64")
    if len(found):
        last = found.groupby(level=0).last()
        amounts = last["n"]
        table = {t: (float(t) if t[0].isdigit() else _cn_number(t)) for t in amounts.dropna().unique()}
        number = amounts.map(table).astype("float64")
        unit = last["u"].map(_UNIT_DAYS).astype("float64")
        days.loc[last.index] = (number * unit).round(0)
    bare = pd.to_numeric(words.where(words.str.fullmatch(r"\d+(?:\.\d+)?", na=False)), errors="coerce")
    days = days.fillna(bare.astype("float64"))
    days = days.where(~(days.notna() & words.str.contains(_BEYOND, regex=True, na=False)), days + 1)
    now = words.str.contains(_NOW, regex=True, na=False)
    return days.mask(days.isna() & now, 0.0)
