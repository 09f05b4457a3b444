"""The market calendar (seed 002): for each of the 12 calendar months, the lead countries over the history.

"统计出一年12个月中,每个月份销售占比最大的国家(综合考虑客户数和GMV),找出每个月主打国家" — per calendar
month, pooled over every year in the data: each country's share of the month's buying customers and of
its GMV, a score weighing both, and the top countries, so every month has its lead markets.

A country is one market however its cells spell it (``tiercli.countries``: EIRE, Ireland, IE and 爱尔兰 are one).
It is ranked in a month only with at least ``markets.min_customers`` buying customers there and at least
``markets.min_customer_share`` of the month's: one or two buyers, or a handful among a thousand, are a large order's
luck, not a market.  Such countries still count in the month's totals and are listed among all countries.
"""

from __future__ import annotations

import calendar as _cal

import pandas as pd

from .. import countries
from ..config import Config
from ..i18n import tr
from ..schema.dataset import Dataset

MONTH_ZH = ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"]
MARKET_COLUMNS = ["month", "month_name", "rank", "country", "country_name", "customers", "customer_share", "gmv",
                  "gmv_share", "score", "years"]


def _deal_orders(dataset: Dataset) -> pd.DataFrame:
    orders = dataset.orders
    if not len(orders):
        return pd.DataFrame(columns=["customer", "date", "net_value", "country"])
    deal = orders[orders["paid"].astype(bool) & ~orders["is_sample"].astype(bool) & orders["customer"].notna()]
    deal = deal[["customer", "date", "net_value", "country"]].copy()
    if deal["country"].isna().any() and len(dataset.customers) and "country" in dataset.customers:
        # an order without a shipping country takes the customer's country from the customers file
        home = dataset.customers.dropna(subset=["country"]).groupby("customer")["country"].last()
        deal["country"] = deal["country"].fillna(deal["customer"].map(home))
    return deal


def market_shares(dataset: Dataset, config: Config, lang: str | None = None) -> pd.DataFrame:
    """Every (calendar month, country): customers, GMV, their shares of the month, the combined score, and
    whether the country has enough customers that month to be ranked (``ranked``).

    ``country`` is the ISO code; a cell no table knows keeps its text, so no sales disappear from the calendar,
    and cells that say the country is unknown (Unspecified, European Community) are ``(unknown)``.
    ``country_name`` is in ``lang`` (default: the ``lang`` setting).
    """
    lang = config["lang"] if lang is None else lang
    deal = _deal_orders(dataset)
    deal = deal[deal["date"].notna()]
    weight = float(config["markets.customer_weight"])
    if not len(deal):
        return pd.DataFrame(columns=[*(c for c in MARKET_COLUMNS if c != "rank"), "ranked"])
    code = countries.codes(deal["country"])
    cell = deal["country"].astype("object").where(~countries.unknown_mask(deal["country"]))
    deal = deal.assign(month=deal["date"].dt.month.astype("int64"),
                       year=deal["date"].dt.year.astype("int64"),
                       country=code.fillna(cell).fillna("(unknown)"))
    g = deal.groupby(["month", "country"], sort=True)
    frame = pd.DataFrame({"customers": g["customer"].nunique(), "gmv": g["net_value"].sum()}).reset_index()
    month_customers = deal.groupby("month")["customer"].nunique()
    month_gmv = deal.groupby("month")["net_value"].sum()
    years = deal.groupby("month")["year"].agg(lambda y: ", ".join(str(v) for v in sorted(set(y))))
    frame["customer_share"] = frame["customers"] / frame["month"].map(month_customers)
    total_gmv = frame["month"].map(month_gmv)
    frame["gmv_share"] = (frame["gmv"] / total_gmv).where(total_gmv > 0, 0.0)
    frame["score"] = weight * frame["customer_share"] + (1 - weight) * frame["gmv_share"]
    frame["month_name"] = frame["month"].map(lambda m: MONTH_ZH[m - 1] if lang == "zh" else _cal.month_abbr[m])
    frame["country_name"] = frame["country"].map(lambda c: "" if c == "(unknown)" else countries.name(c, lang))
    frame["years"] = frame["month"].map(years)
    frame["gmv"] = frame["gmv"].round(2)
    frame["ranked"] = (frame["country"].ne("(unknown)")
                       & frame["customers"].ge(int(config["markets.min_customers"]))
                       & frame["customer_share"].ge(float(config["markets.min_customer_share"]) - 1e-12))
    return frame[[*(c for c in MARKET_COLUMNS if c != "rank"), "ranked"]]


def market_calendar(dataset: Dataset, config: Config, top: int | None = None, lang: str | None = None,
                    shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """The lead countries of each calendar month: ``top`` rows per month with data, ranked by score.

    Ties break by GMV, then customers, then the country code, so the same data always gives the same calendar.
    Unknown countries and countries below the month's minimum of customers are not ranked.
    """
    top = int(config["markets.top"]) if top is None else int(top)
    shares = market_shares(dataset, config, lang) if shares is None else shares
    shares = shares[shares["ranked"].astype(bool)]
    if not len(shares):
        return pd.DataFrame(columns=MARKET_COLUMNS)
    ranked = shares.sort_values(["month", "score", "gmv", "customers", "country"],
                                ascending=[True, False, False, False, True], kind="stable")
    ranked = ranked.assign(rank=ranked.groupby("month").cumcount() + 1)
    out = ranked[ranked["rank"] <= top].reset_index(drop=True)
    return out[MARKET_COLUMNS]


def not_ranked(shares: pd.DataFrame, config: Config, top: int | None = None) -> pd.DataFrame:
    """The countries the minimum of customers kept out of a month's top ``top``: what it changed, month by month."""
    top = int(config["markets.top"]) if top is None else int(top)
    known = shares[shares["country"].ne("(unknown)")]
    order = known.sort_values(["month", "score", "gmv", "customers", "country"],
                              ascending=[True, False, False, False, True], kind="stable")
    order = order.assign(place=order.groupby("month").cumcount() + 1)
    held = order[order["place"].le(top) & ~order["ranked"].astype(bool)]
    return held[["month", "month_name", "country", "country_name", "customers", "customer_share", "gmv_share"]] \
        .reset_index(drop=True)


def not_ranked_text(held: pd.DataFrame, config: Config, lang: str = "en") -> str:
    """One line: "not ranked (...): Netherlands Feb 2, Jun 5; Ireland Jul 3", or "" when the minimum changed nothing."""
    if not len(held):
        return ""
    n, share = int(config["markets.min_customers"]), float(config["markets.min_customer_share"])
    parts = []
    for _country, part in held.groupby("country", sort=False):
        months = tr(", ", lang).join(f"{m} {c}" for m, c in zip(part["month_name"], part["customers"]))
        parts.append(f"{part['country_name'].iloc[0]} {months}")
    return tr("not ranked, too few customers (fewer than {n} of a month's buyers, or under {share} of them): "
              "{countries}", lang).format(n=n, share=f"{share:.0%}", countries=tr("; ", lang).join(parts))


def calendar_wide(calendar: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """One row per calendar month: the lead countries side by side, each "Name customers% / GMV%"."""
    rows = []
    top = int(calendar["rank"].max()) if len(calendar) else 0
    for month in range(1, 13):
        part = calendar[calendar["month"] == month].sort_values("rank")
        row = {"month": month, "month_name": MONTH_ZH[month - 1] if lang == "zh" else _cal.month_abbr[month]}
        for k in range(1, top + 1):
            hit = part[part["rank"] == k]
            if len(hit):
                r = hit.iloc[0]
                name = countries.name(r["country"], lang)  # a market no table knows is its own text
                row[f"lead_{k}"] = f"{name} {r['customer_share']:.0%} / {r['gmv_share']:.0%}"
            else:
                row[f"lead_{k}"] = ""
        rows.append(row)
    return pd.DataFrame(rows)
