"""The frames an email plan and a market calendar are written as (workbook sheets, CSV, JSON).

Computing only: the writing itself goes through ``io.write`` and the terminal through ``report``.
"""

from __future__ import annotations

import pandas as pd

from .. import countries
from ..i18n import tr
from .calendar import KIND_WORDS
from .emails import EmailPlan
from .words import PURPOSES, REASONS, TIERS, head, word


def _words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Codes to display words (purpose, tier, reason, the country's name) and headers in ``lang``."""
    out = frame.copy()
    for col, table in (("purpose", PURPOSES), ("tier", TIERS), ("reason", REASONS)):
        if col in out:
            out[col] = out[col].map(lambda v, t=table: word(t, v, lang)).astype("object")
    if "country" in out:  # the cell as exported in CSV/JSON; its country's name in the workbook
        out["country"] = countries.display(out["country"], lang)
    out.columns = [head(c, lang) for c in out.columns]
    return out


def summary_frame(plan: EmailPlan, lang: str = "en") -> pd.DataFrame:
    """Quota use by tier: one row per tier, a column per purpose, emails, customers, share of the quota."""
    t = plan.by_tier()
    if not len(t):
        return pd.DataFrame({head("tier", lang): [], head("emails", lang): []})
    t["tier"] = t["tier"].map(lambda v: word(TIERS, v, lang))
    return t.rename(columns=lambda c: word(PURPOSES, c, lang) if c in PURPOSES else head(c, lang))


def plan_sheets(plan: EmailPlan, lang: str = "en") -> list:
    """Plan, Follow-ups, Excluded, Left out (reason counts), Summary (by tier, with a chart), Weeks, Themes."""
    from ..io.write import Chart, Sheet

    zh = lang == "zh"
    month = str(plan.month)
    date_fmt = {head(c, lang): "yyyy-mm-dd" for c in ("send_date", "first_order", "last_order", "next_order_due",
                                                      "date")}
    money = {head(c, lang): "#,##0.00" for c in ("monetary", "aov")}
    share = {head("share", lang): "0.0%"}
    used = len(plan.plan)
    caption = (f"{month} 邮件计划:配额 {plan.quota},已用 {used + plan.already_sent}" if zh else
               f"Email plan for {month}: {used + plan.already_sent} of {plan.quota} emails")
    if plan.already_sent:
        caption += (f"(其中联系记录已有 {plan.already_sent})" if zh else
                    f" ({plan.already_sent} already sent per the contact log)")
    sheets = [Sheet(name="邮件计划" if zh else "Plan", frame=_words(plan.plan, lang), formats=date_fmt,
                    title=caption)]
    sheets.append(Sheet(name="一对一跟进" if zh else "Follow-ups", frame=_words(plan.followups, lang),
                        formats={**date_fmt, **money},
                        title="大B客户:由业务员一对一跟进(不占群发配额)" if zh else
                        "Big B customers: one-to-one follow-up by a sales rep (not in the bulk quota)"))
    counts = plan.excluded_counts()
    count_text = ", ".join(f"{word(REASONS, r, lang)} {n}" for r, n in counts.itertuples(index=False))
    sheets.append(Sheet(name="未发送" if zh else "Excluded", frame=_words(plan.excluded, lang),
                        title=(("未发送客户:" if zh else "Left out: ") + (count_text or ("无" if zh else "none")))))
    reasons = counts.assign(label=counts["reason"].map(lambda r: word(REASONS, r, lang)))[["reason", "label",
                                                                                           "customers"]]
    shown = reasons.rename(columns={"reason": head("code", lang), "label": head("label", lang),
                                    "customers": head("customers", lang)})
    charts = (Chart(kind="bar", title="未发送原因" if zh else "Why customers were left out",
                    categories=head("label", lang), values=(head("customers", lang),)),) if len(shown) else ()
    sheets.append(Sheet(name="未发送原因" if zh else "Left out", frame=shown, charts=charts, autofilter=False))
    summary = summary_frame(plan, lang)
    tier_col, emails_col = head("tier", lang), head("emails", lang)
    charts = (Chart(kind="column", title="各级客户配额使用" if zh else "Quota use by tier", categories=tier_col,
                    values=tuple(c for c in summary.columns
                                 if c not in {tier_col, emails_col, head("customers", lang), head("share", lang)})
                    or (emails_col,)),) if len(summary) and len(plan.plan) else ()
    sheets.append(Sheet(name="汇总" if zh else "Summary", frame=summary, charts=charts, formats=share,
                        autofilter=False, title=caption))
    weeks = plan.by_week(lang).rename(columns=lambda c: head(c, lang))
    date_fmt[head("end", lang)] = "yyyy-mm-dd"
    sheets.append(Sheet(name="周次" if zh else "Weeks", frame=weeks, formats=date_fmt, autofilter=False))
    themes = plan.themes.copy()
    themes["kind"] = themes["kind"].map(lambda k: tr(KIND_WORDS.get(k, k), lang))
    themes["country"] = themes["country"].map(
        lambda c: ", ".join(countries.name(x, lang) for x in c.split(", ")) if c else "").astype("object")
    sheets.append(Sheet(name="营销主题" if zh else "Themes", frame=themes.rename(columns=lambda c: head(c, lang)),
                        formats=date_fmt, autofilter=False))
    recs = plan.recommendations.rename(columns=lambda c: head(c, lang))
    sheets.append(Sheet(name="推荐产品" if zh else "Recommendations", frame=recs))
    return sheets


def plan_json(plan: EmailPlan) -> dict:
    """The whole plan as plain data (codes, not words): what ``-o plan.json`` writes."""
    return {
        "month": str(plan.month), "campaign": plan.campaign, "quota": plan.quota,
        "already_sent": plan.already_sent, "planned": int(len(plan.plan)),
        "send_days": [d.date().isoformat() for d in plan.send_days], "platforms": list(plan.platforms),
        "moves": plan.moves.to_dict("records"),
        "by_tier": plan.by_tier().to_dict("records"), "by_purpose": plan.by_purpose().to_dict("records"),
        "excluded_counts": {r: int(n) for r, n in plan.excluded_counts().itertuples(index=False)},
        "plan": plan.plan.to_dict("records"), "followups": plan.followups.to_dict("records"),
        "excluded": plan.excluded.to_dict("records"), "themes": plan.themes.to_dict("records"),
        "recommendations": plan.recommendations.to_dict("records"), "notes": list(plan.notes),
    }


def markets_sheets(calendar: pd.DataFrame, shares: pd.DataFrame, lang: str = "en") -> list:
    """Lead markets (one row per month, a chart of the leader's score), the ranked rows, every country."""
    from ..io.write import Chart, Sheet
    from .markets import calendar_wide

    zh = lang == "zh"
    pct = {head(c, lang): "0.0%" for c in ("customer_share", "gmv_share", "score")}
    money = {head("gmv", lang): "#,##0.00"}
    wide = calendar_wide(calendar, lang).drop(columns=["month"]).rename(columns=lambda c: head(c, lang))

    def heads(c: str) -> str:  # the ISO code beside the country's name: two columns, two headers
        return head("country_code" if c == "country" else c, lang)

    ranked = calendar.rename(columns=heads)
    every = shares.sort_values(["month", "score"], ascending=[True, False]).rename(columns=heads)
    leaders = calendar[calendar["rank"] == 1][["month_name", "country_name", "score"]]
    leaders = leaders.rename(columns=lambda c: head(c, lang) if c != "country_name" else
                             ("主打国家" if zh else "Lead country"))
    sheets = [Sheet(name="主打市场" if zh else "Lead markets", frame=wide, autofilter=False,
                    title="每月主打国家(客户占比 / 成交额占比)" if zh else
                    "Lead countries by calendar month (share of the month's customers / of its GMV)")]
    charts = (Chart(kind="column", title="每月第一市场得分" if zh else "Lead country's score by month",
                    categories=head("month_name", lang), values=(head("score", lang),)),) if len(leaders) else ()
    sheets.append(Sheet(name="排名" if zh else "Ranked", frame=ranked, formats={**pct, **money}))
    sheets.append(Sheet(name="第一市场" if zh else "Leaders", frame=leaders, charts=charts, formats=pct,
                        autofilter=False))
    sheets.append(Sheet(name="全部国家" if zh else "All countries", frame=every, formats={**pct, **money}))
    return sheets


def calendar_json(rows: pd.DataFrame, *, year: int, country: str, platforms, undated) -> dict:
    """``tiercli calendar --format json``: the year's rows (dates as YYYY-MM-DD, without the kind's words) and the
    keys of the entries with no date that year."""
    events = rows.drop(columns=["kind_word"]).assign(start=rows["start"].dt.strftime("%Y-%m-%d"),
                                                     end=rows["end"].dt.strftime("%Y-%m-%d"))
    return {"year": year, "country": country, "platforms": list(platforms), "events": events.to_dict("records"),
            "undated": [e.key for e in undated]}


def markets_json(calendar: pd.DataFrame, held: pd.DataFrame | None = None) -> dict:
    """``{"months": [{"month": 1, "name": "Jan", "leads": [...]}, ...]}`` for all 12 months (empty leads: no sales),
    and ``not_ranked``: the countries the minimum of customers kept out of a month's top (``markets.not_ranked``)."""
    import calendar as _cal

    months = []
    for m in range(1, 13):
        part = calendar[calendar["month"] == m].sort_values("rank")
        leads = part.drop(columns=["month", "month_name"]).to_dict("records")
        months.append({"month": m, "name": _cal.month_abbr[m], "leads": leads})
    out = {"months": months}
    if held is not None:
        out["not_ranked"] = held.drop(columns=["month_name"]).to_dict("records")
    return out
