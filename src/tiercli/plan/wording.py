"""What each planned email says, and the lists beside the plan, in the run's language: purpose, template, coupon,
campaign theme, local holidays and the reason in words for every send; the month's themes; who was left out
and why; the big B customers' follow-up lines for a sales rep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import Config
from ..countries import codes as country_codes
from ..countries import language_of
from ..i18n import format_rows, tr
from ..scoring import ScoreResult
from .calendar import THEME_KINDS, applies_to, country_holidays, month_bounds
from .schedule import Month
from .words import REASONS, TIERS, word

DEFAULT_COUPONS = {"key": "15% off", "ordinary": "10% off", "small": "5% off", "potential": "5% off first order"}
REASON_ORDER = list(REASONS)
STOCK_UP_FROM = ("new_arrivals", "promotion", "regular")  # the purposes a pre-closure email replaces
EXCLUDED_COLUMNS = ["customer_id", "name", "email", "country", "tier", "tier_score", "reason", "detail"]
FOLLOWUP_COLUMNS = ["customer_id", "name", "company", "email", "country", "tier", "tier_score", "accepts_marketing",
                    "orders", "first_order", "last_order", "recency_days", "monetary", "aov", "median_gap_days",
                    "next_order_due", "top_products", "last_order_summary", "history", "action"]
THEME_COLUMNS = ["kind", "country", "date", "end", "holiday", "recipients"]


@dataclass
class Priorities:
    """Who each customer is to the plan (indexed by customer): priority group (1 key, 2 lapsed, 3 upgrade,
    4 warm, 5 the rest), lapsed and the label that says so, stars as numbers, and who gets a stock-up email."""

    group: pd.Series
    lapsed: pd.Series
    lapsed_label: pd.Series
    stars: pd.Series
    stockers: pd.Series


def coupons(config: Config) -> dict[str, str]:
    table = dict(DEFAULT_COUPONS)
    table.update({str(k): str(v) for k, v in (config.tables.get("coupons") or {}).items()})
    return table



def describe(sends: pd.DataFrame, ctx: Month, who: Priorities) -> pd.DataFrame:
    """Purpose, template, coupon, theme, language and the reason in words for every send."""
    config, lang, events, campaign = ctx.config, ctx.lang, ctx.events, ctx.campaign
    cur = ctx.currency
    lapsed, lapsed_label, stars, stockers = who.lapsed, who.lapsed_label, who.stars, who.stockers
    s = sends.join(ctx.customers, on="customer_id")
    s["group"] = s["customer_id"].map(who.group)
    survey_from = ctx.first - pd.Timedelta(days=int(config["plan.survey_days"]))
    recent = s["last_order"].notna() & (s["last_order"] >= survey_from) if "last_order" in s \
        else pd.Series(False, index=s.index)
    g = s["group"]
    gone = s["customer_id"].map(lapsed).fillna(False).astype(bool)
    # a key customer who stopped buying gets the win-back email too, at the key customers' priority
    s["purpose"] = np.select(
        [g.eq(1) & s["nth"].eq(2), g.eq(1) & recent, g.eq(1) & gone, g.eq(1), g.eq(2), g.eq(3), g.eq(4)],
        ["promotion", "satisfaction_survey", "win_back", "new_arrivals", "win_back", "upgrade_coupon", "warm_lead"],
        default="regular")
    s["country_code"] = country_codes(s["country"])
    s["language"] = language_of(s["country_code"])
    s["coupon"] = s["tier"].map(coupons(config)).fillna("")
    # theme: of the calendar's events whose lead days cover the send day (and that apply to the recipient's
    # country: Thanksgiving only to the US, Diwali to India), the one that ends soonest; where none does, the
    # next one starting later in the month (or in the week after it), as a warm-up
    theme = pd.Series("", index=s.index, dtype="object")
    peak_key = pd.Series("", index=s.index, dtype="object")
    peak_date = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    themed_by = events[events["kind"].isin(THEME_KINDS)]
    month_end = month_bounds(ctx.month)[1]
    later = themed_by[themed_by["start"].le(month_end + pd.Timedelta(days=7))].sort_values("start", ascending=False,
                                                                                      kind="stable")
    soonest = themed_by.sort_values(["end", "start"], ascending=False, kind="stable")
    for p, hit in [*((p, s["send_date"].lt(p.start)) for p in later.itertuples()),
                   *((p, s["send_date"].ge(p.start - pd.Timedelta(days=int(p.lead_days))) & s["send_date"].le(p.end))
                     for p in soonest.itertuples())]:  # a few events a month
        hit &= s["country_code"].map(lambda code, cs=p.countries: applies_to(cs, code)).astype(bool)
        theme[hit] = _event_text(p, lang)
        peak_key[hit] = p.key
        peak_date[hit] = p.start
    days_before = (peak_date - s["send_date"]).dt.days
    phase = pd.Series(np.where(days_before <= 7, "push", "warmup"), index=s.index).where(peak_key.ne(""), "")
    # before a closure: the key and repeat customers' first new-arrivals / promotion / regular email in its lead
    # days becomes "stock up before we close"
    stock_key = pd.Series("", index=s.index, dtype="object")
    for r in events[events["kind"].eq("seller_closure")].itertuples():
        window = s["send_date"].ge(r.closed_from - pd.Timedelta(days=int(r.lead_days))) & s["send_date"].lt(
            r.closed_from)
        can = window & s["purpose"].isin(STOCK_UP_FROM) & s["customer_id"].map(stockers).fillna(False).astype(bool)
        can &= stock_key.eq("")
        firsts = s[can].sort_values(["send_date", "nth"]).drop_duplicates("customer_id").index
        s.loc[firsts, "purpose"] = "stock_up"
        stock_key[firsts] = r.key
        theme[firsts] = tr("{name}: closed {start} to {end}", lang).format(
            name=r.name_zh if lang == "zh" else r.name, start=r.closed_from.strftime("%m-%d"),
            end=r.closed_to.strftime("%m-%d"))
    s["theme"] = theme
    hol = country_holidays(s["country_code"].dropna().unique().tolist(), ctx.month)
    if len(hol):
        hol_text = (hol.assign(t=hol["date"].dt.strftime("%m-%d") + " " + hol["name"])
                    .groupby("country")["t"].agg("; ".join))
        s["local_holidays"] = s["country_code"].map(hol_text).fillna("")
    else:
        s["local_holidays"] = ""
    themed = s["purpose"].isin(["promotion", "regular"]) & peak_key.ne("")
    s["template"] = np.where(themed, s["purpose"] + "." + peak_key + "." + phase, s["purpose"]) + "." + s["language"]
    stock = s["purpose"].eq("stock_up")
    s.loc[stock, "template"] = "stock_up." + stock_key[stock] + "." + s.loc[stock, "language"]
    s["campaign"] = campaign
    s["reason"] = _reasons(s, lapsed_label, stars, lang, cur)
    return s


def _fmt_money(values: pd.Series) -> pd.Series:
    v = values.astype("float64").fillna(0).to_numpy()
    return pd.Series([f"{x:,.0f}" for x in v], index=values.index, dtype="object")


def _lapsed_word(code: str, lang: str) -> str:
    """A lapsed customer's label (churn's at_risk, rfm's cant_lose, rfm_tier's dormant) as words."""
    from ..segmenters.base import code_labels, label

    if lang != "zh":
        return code.replace("_", " ")
    column = next((col for col in ("churn", "rfm", "rfm_tier") if code in code_labels(col)), None)
    return label(column, code, lang) if column else code


def _reasons(s: pd.DataFrame, lapsed_label, stars, lang: str, cur: str) -> pd.Series:
    zh = lang == "zh"
    if not len(s):
        return pd.Series([], index=s.index, dtype="object")
    score = s["tier_score"].astype("float64").fillna(0).round(0).astype("int64").astype("str")
    last = s["last_order"].dt.strftime("%Y-%m-%d").fillna("-") if "last_order" in s else pd.Series("-", index=s.index)
    recency = s["recency_days"].astype("Int64").astype("str").replace("<NA>", "-") if "recency_days" in s \
        else pd.Series("-", index=s.index)
    money = _fmt_money(s["monetary"]) + (" " + cur if cur else "")
    orders = s["frequency"].fillna(0).astype("int64").astype("str")
    tier_word = s["tier"].map(lambda t: word(TIERS, t, lang))
    label = s["customer_id"].map(lapsed_label).fillna("").astype("str").map(lambda code: _lapsed_word(code, lang))
    star = s["customer_id"].map(stars).fillna(0).astype("int64").astype("str")
    theme = s["theme"].where(s["theme"].ne(""), "促销" if zh else "promotion")
    is_key = s["group"].eq(1)
    key_zh = pd.Series(np.where(is_key, "关键客户,", ""), index=s.index)
    key_en = pd.Series(np.where(is_key, "key customer, ", ""), index=s.index)
    if zh:
        texts = {
            "satisfaction_survey": "关键客户(评分 " + score + "),最近下单 " + last + ":售后满意度调查",
            "new_arrivals": "关键客户(评分 " + score + "):新品上架与促销信息",
            "promotion": "关键客户本月第二封:" + theme,
            "win_back": key_zh + "曾优质购买的流失客户(" + label + "):" + orders + " 单共 " + money + ",已 " + recency
                        + " 天未下单——推荐新品并了解流失原因",
            "upgrade_coupon": "有升级潜力的" + tier_word + ":发优惠券鼓励升级",
            "warm_lead": star + "★ 意向客户:跟进询盘/样品",
            "regular": tier_word + "(评分 " + score + "):本月日常营销",
        }
    else:
        texts = {
            "satisfaction_survey": "key customer (tier score " + score + "), last order " + last
                                   + ": after-sales satisfaction survey",
            "new_arrivals": "key customer (tier score " + score + "): new arrivals and promotions",
            "promotion": "key customer, second email of the month: " + theme,
            "win_back": key_en + "lapsed (" + label + ") after buying well: " + orders + " orders, " + money + ", last "
                        + recency + " days ago: new arrivals, and ask why they stopped",
            "upgrade_coupon": tier_word.str.lower() + " customer with upgrade potential: coupon to move up",
            "warm_lead": star + "★ inquiry/sample customer: follow up the inquiry or sample",
            "regular": tier_word.str.lower() + " customer (tier score " + score + "): the month's regular email",
        }
    who = pd.Series(np.where(is_key, tr("key customer", lang), tr("repeat customer", lang)), index=s.index)
    texts["stock_up"] = format_rows(tr("{who} ({orders} orders): stock up before we close for {theme}", lang),
                                    s.index, who=who, orders=orders, theme=theme)
    out = pd.Series("", index=s.index, dtype="object")
    for purpose, text in texts.items():
        hit = s["purpose"].eq(purpose)
        out[hit] = text[hit]
    if "stars_reason" in s:
        warm = s["purpose"].eq("warm_lead") & s["stars_reason"].notna()
        out[warm] = out[warm] + " (" + s.loc[warm, "stars_reason"].astype("str") + ")"
    return out


def _event_text(p, lang: str) -> str:
    """ "Ramadan 02-18–03-18", "Black Friday 11-27": a calendar event's name in ``lang`` and its days."""
    name = p.name_zh if lang == "zh" else p.name
    days = p.start.strftime("%m-%d") + ("" if p.end == p.start else "–" + p.end.strftime("%m-%d"))
    return f"{name} {days}"


def themes(month: pd.Period, codes: list[str], plan: pd.DataFrame, events: pd.DataFrame, first_send: pd.Timestamp,
            lang: str) -> pd.DataFrame:
    """The calendar's events of the month (from its first send day on; a closure with its closed days) and the
    recipients' countries' public holidays; ``country`` names the recipients' countries an event is limited to."""
    recipients = plan.groupby("country_code")["customer_id"].nunique()
    rows = []
    for p in events.itertuples():
        closure = p.kind == "seller_closure"
        end = p.closed_to if closure else p.end
        if end < first_send and not closure:  # a closure stays: it is why send days moved
            continue
        if p.countries:
            hit = [code for code in sorted(recipients.index) if code in p.countries]
            if not hit:
                continue
            where, n = ", ".join(hit), int(recipients.reindex(hit).sum())
        else:
            where, n = "", int(plan["customer_id"].nunique())
        name = p.name_zh if lang == "zh" else p.name
        rows.append((p.kind, where, p.closed_from if closure else p.start, end, name, n))
    hol = country_holidays(codes, month)
    rows += [("public_holiday", h.country, h.date, h.date, h.name, int(recipients.get(h.country, 0)))
             for h in hol.itertuples()]
    return pd.DataFrame(rows, columns=THEME_COLUMNS).sort_values(["date", "kind", "country"], kind="stable") \
        .reset_index(drop=True)


def excluded(c, status, sent_this_month, cooldown, config) -> pd.DataFrame:
    """One row per customer left out (big B follow-ups are not left out), with the reason and detail."""
    lang = config["lang"]
    out_mask = status.isin(REASON_ORDER)
    e = c[out_mask]
    reason = status[out_mask]
    detail = reason.map(lambda r: word(REASONS, r, lang))
    sent = sent_this_month[out_mask]
    cap_hit = reason.eq("cap_reached")
    detail[cap_hit] = detail[cap_hit] + " (" + sent[cap_hit].astype("str") + (" 封)" if lang == "zh" else " sent)")
    cool = reason.eq("cooldown")
    if cool.any():
        detail[cool] = detail[cool] + (f" ({cooldown} 天)" if lang == "zh" else f" ({cooldown} days)")
    frame = pd.DataFrame({
        "customer_id": e.index, "name": e["name"].to_numpy(), "email": e["email"].to_numpy(),
        "country": e["country"].to_numpy(), "tier": e["tier"].to_numpy(),
        "tier_score": e["tier_score"].to_numpy(), "reason": reason.to_numpy(), "detail": detail.to_numpy()})
    frame["_r"] = frame["reason"].map({r: i for i, r in enumerate(REASON_ORDER)})
    frame = frame.sort_values(["_r", "tier_score", "customer_id"], ascending=[True, False, True], kind="stable")
    return frame.drop(columns="_r").reset_index(drop=True)[EXCLUDED_COLUMNS]


def followups(result: ScoreResult, big: pd.DataFrame) -> pd.DataFrame:
    """Big B customers for a sales rep: their history in a line, when the next order is due, what to do."""
    lang = result.config["lang"]
    zh = lang == "zh"
    cur = result.dataset.currency or ""
    if not len(big):
        return pd.DataFrame(columns=FOLLOWUP_COLUMNS)
    lines = result.dataset.lines
    lines = lines[lines["customer"].isin(big.index) & lines["status"].eq("paid") & ~lines["is_sample"].astype(bool)]
    lv = pd.to_numeric(lines["line_value"], errors="coerce").fillna(0.0)
    prod = lines["product"].astype("object").fillna(lines["sku"].astype("object")).fillna("?")
    per = (pd.DataFrame({"customer": lines["customer"], "product": prod, "value": lv})
           .groupby(["customer", "product"], as_index=False)["value"].sum())
    per["share"] = per["value"] / per.groupby("customer")["value"].transform("sum")
    per = per.sort_values(["customer", "value", "product"], ascending=[True, False, True], kind="stable")
    top = per.groupby("customer").head(3)
    top_text = (top.assign(t=top["product"] + " (" + (top["share"] * 100).round(0).astype("int64").astype("str")
                           + "%)").groupby("customer")["t"].agg("; ".join))
    orders = result.dataset.orders
    orders = orders[orders["customer"].isin(big.index) & orders["paid"].astype(bool)
                    & ~orders["is_sample"].astype(bool)].sort_values(["customer", "date", "order_id"])
    last = orders.groupby("customer").tail(1).set_index("customer")
    last_text = (last["date"].dt.strftime("%Y-%m-%d") + ", " + _fmt_money(last["net_value"])
                 + (" " + cur if cur else "") + ", " + last["units"].fillna(0).astype("int64").astype("str")
                 + (" 件" if zh else " units"))
    f = big
    due = f["last_order"] + pd.to_timedelta(f["median_gap_days"], unit="D")
    overdue = due.notna() & (due <= result.as_of)
    money = _fmt_money(f["monetary"]) + (" " + cur if cur else "")
    gap = f["median_gap_days"].round(0).astype("Int64").astype("str").replace("<NA>", "?")
    if zh:
        history = (f["frequency"].astype("int64").astype("str") + " 单,自 " + f["first_order"].dt.strftime("%Y-%m-%d")
                   + " 起共 " + money + ";约每 " + gap + " 天下单一次")
        action = np.where(overdue, "已到补货周期:电话/一对一跟进补单", "一对一维护:新品与报价")
    else:
        history = (f["frequency"].astype("int64").astype("str") + " orders since "
                   + f["first_order"].dt.strftime("%Y-%m-%d") + ", " + money + " in all; orders every ~" + gap
                   + " days")
        action = np.where(overdue, "reorder is due: call and follow up one-to-one",
                          "one-to-one care: new products and a quote")
    out = pd.DataFrame({
        "customer_id": f.index, "name": f["name"].to_numpy(), "company": f["company"].to_numpy(),
        "email": f["email"].to_numpy(), "country": f["country"].to_numpy(), "tier": f["tier"].to_numpy(),
        "tier_score": f["tier_score"].to_numpy(), "accepts_marketing": f["accepts_marketing"].to_numpy(),
        "orders": f["frequency"].to_numpy(), "first_order": f["first_order"].to_numpy(),
        "last_order": f["last_order"].to_numpy(), "recency_days": f["recency_days"].to_numpy(),
        "monetary": f["monetary"].round(2).to_numpy(), "aov": f["aov"].round(2).to_numpy(),
        "median_gap_days": f["median_gap_days"].to_numpy(), "next_order_due": due.dt.normalize().to_numpy(),
        "top_products": f.index.map(top_text).fillna("").to_numpy(),
        "last_order_summary": f.index.map(last_text).fillna("").to_numpy(),
        "history": history.to_numpy(), "action": action})
    return out.sort_values(["tier_score", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
