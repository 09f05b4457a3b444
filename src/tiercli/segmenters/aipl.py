"""aipl — the AIPL funnel of seed 003: awareness, interest, purchase, loyalty; the highest stage reached wins.

Visitor events give A, I and L (review, share); orders give P (a paid order) and L (repeat purchases);
an inquiry is an interaction, so an inquirer is at least I.  Visitors without a customer key are not
customer rows: ``funnel`` (below) counts them into the funnel totals with ``event_profile``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config, Setting
from ..i18n import _, counted, format_rows, tr
from ..signals import RANK, STAGES, event_profile
from .base import Scored, Segmenter, header, label, register, table_sheet


@register
class AIPL(Segmenter):
    name = "aipl"
    # its settings ([aipl] in tiercli.toml, TIERCLI_AIPL_* in the environment)
    options = (
        Setting("repeat_orders", 2, "loyalty: at least this many paid non-sample orders (or a review or share)."),
    )
    title = "AIPL stage"
    title_zh = "AIPL 人群链路"
    requires = ("events",)
    reads = ("event_stage", "event_top", "event_source", "inquiries", "paid_orders", "frequency")
    outputs = ("aipl", "aipl_source", "aipl_reason")
    # its columns' headers: column -> (English, Chinese)
    headers = {
        "aipl": ("AIPL stage", "AIPL人群"),
        "aipl_source": ("Visit source", "访问来源"),
        "aipl_reason": ("AIPL reason", "AIPL依据"),
    }
    labels = {
        "awareness": ("A · Awareness", "A 认知人群"),
        "interest": ("I · Interest", "I 兴趣人群"),
        "purchase": ("P · Purchase", "P 购买人群"),
        "loyalty": ("L · Loyalty", "L 忠诚人群"),
    }

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        s = config.section("aipl")
        idx = customers.index
        event_rank = customers["event_stage"].map(RANK).astype("float64")
        inquired = customers["inquiries"] > 0
        bought = customers["paid_orders"] > 0
        repeat = customers["frequency"] >= s["repeat_orders"]
        rank = pd.concat([event_rank, pd.Series(np.where(inquired, RANK["interest"], np.nan), index=idx),
                          pd.Series(np.where(bought, RANK["purchase"], np.nan), index=idx),
                          pd.Series(np.where(repeat, RANK["loyalty"], np.nan), index=idx)], axis=1).max(axis=1)
        known = rank.notna()
        stage = pd.Series(np.array(STAGES, dtype=object)[rank.fillna(0).astype("int64")], index=idx).where(known)
        word = customers["event_top"].astype("str")
        via = customers["event_source"].astype("str")
        via_text = format_rows(_(" via {source}"), idx, source=via).where(via.notna(), "")
        event_text = (word.fillna("") + via_text).str.strip()
        by_event = event_rank.eq(rank)

        def rows(template: str) -> pd.Series:
            return format_rows(template, idx, event=event_text,
                               orders=counted(customers["frequency"], _("{n} paid order"), _("{n} paid orders")))

        reason = pd.Series(np.select(
            [stage.eq("loyalty") & by_event, stage.eq("loyalty"), stage.eq("purchase") & customers["frequency"].gt(0),
             stage.eq("purchase"), stage.eq("interest") & by_event, stage.eq("interest"), stage.eq("awareness")],
            [rows(_("reviewed or shared: {event}")), rows(_("repeat purchase: {orders}")),
             _("paid order, no repeat"), _("paid order, no repeat (samples only)"),
             rows(_("interest: {event}")), _("inquiry sent"),
             rows(_("awareness only: {event}"))],
            _("no visit, inquiry or order seen")), index=idx)
        return pd.DataFrame({"aipl": stage.astype("str"), "aipl_source": via,
                             "aipl_reason": reason.astype("str")}, index=idx)

    @classmethod
    def sheets(cls, result: Scored, lang: str = "en") -> list:
        """The funnel (customers and anonymous visitors at each stage) and the I crowd by source."""
        from ..io.write import Chart

        h = {c: header(c, lang) for c in ("label", "customers", "reached", "conversion", "visitors", "total",
                                          "source")}
        t = tr("AIPL funnel", lang)
        out = table_sheet(result, t, funnel(result, lang), lang=lang, charts=(
            Chart(kind="column", title=t, categories=h["label"], values=(h["customers"], h["visitors"])),
            Chart(kind="pareto", title=f"{h['reached']} · {h['conversion']}", categories=h["label"],
                  values=(h["reached"], h["conversion"]))))
        t = tr("Interest by source", lang)
        return out + table_sheet(result, t, interest_sources(result, lang), lang=lang, charts=(
            Chart(kind="pie", title=t, categories=h["source"], values=(h["total"],)),
            Chart(kind="bar", title=t, categories=h["source"], values=(h["customers"], h["visitors"]))))

    @classmethod
    def render(cls, console, result: Scored, lang: str = "en") -> None:
        """The funnel instead of the label table, then the I crowd by source."""
        from ..draw import green_bar, pct, titled_table

        frame = funnel(result, lang)
        top = frame["reached"].iloc[0] if len(frame) else 0
        t = titled_table(console, _("AIPL funnel"),
                         [header(c, lang) for c in ("label", "customers", "visitors", "total", "reached",
                                                    "conversion")] + [""])
        for r in frame.itertuples(index=False):
            t.add_row(str(r.label), f"{r.customers:,}", f"{r.visitors:,}", f"{r.total:,}", f"{r.reached:,}",
                      pct(r.conversion), green_bar(r.reached / top if top else 0.0))
        console.print(t)
        sources = interest_sources(result, lang)
        if len(sources):
            t = titled_table(console, _("I crowd by source"),
                             [header(c, lang) for c in ("source", "customers", "visitors", "total")] + ["%", ""])
            for r in sources.itertuples(index=False):
                t.add_row(str(r.source), f"{r.customers:,}", f"{r.visitors:,}", f"{r.total:,}",
                          f"{r.crowd_share:.1%}", green_bar(r.crowd_share))
            console.print(t)


# ---------------------------------------------------------------- its summary tables (of a scored result)

def anonymous_visitors(result: Scored) -> pd.DataFrame:
    """Visitors never seen with a customer key (up to the as-of date): their highest AIPL stage and source.

    Computed once per result: the funnel and the source split, in the terminal and the workbook, all use it.
    """
    if "aipl.anonymous" not in result.computed:
        result.computed["aipl.anonymous"] = _anonymous_visitors(result)
    return result.computed["aipl.anonymous"]


def _anonymous_visitors(result: Scored) -> pd.DataFrame:
    ev = result.dataset.events
    if not len(ev):
        return event_profile(ev, "visitor_id")
    ev = ev[~(ev["date"] >= result.as_of + pd.Timedelta(days=1))]
    known = set(ev.loc[ev["customer"].notna(), "visitor_id"].dropna())
    return event_profile(ev[ev["customer"].isna() & ~ev["visitor_id"].isin(known)], "visitor_id")


def funnel(result: Scored, lang: str = "en") -> pd.DataFrame:
    """The AIPL funnel: per stage (highest reached) customers and anonymous visitors, how many reached it or a
    later one, and the stage-to-stage conversion (reached / reached at the stage before)."""
    cols = ["code", "label", "customers", "visitors", "total", "reached", "conversion"]
    c = result.customers
    if "aipl" not in c:
        return pd.DataFrame(columns=cols)
    known = c["aipl"].value_counts().reindex(STAGES, fill_value=0).astype("int64")
    anon = anonymous_visitors(result)["event_stage"].value_counts().reindex(STAGES, fill_value=0).astype("int64")
    total = known + anon
    reached = total[::-1].cumsum()[::-1]
    return pd.DataFrame({
        "code": STAGES, "label": [label("aipl", x, lang) for x in STAGES], "customers": known.to_numpy(),
        "visitors": anon.to_numpy(), "total": total.to_numpy(), "reached": reached.to_numpy(),
        "conversion": (reached / reached.shift(1).where(reached.shift(1) > 0)).to_numpy(),
    })[cols]


def interest_sources(result: Scored, lang: str = "en") -> pd.DataFrame:
    """The I crowd (highest stage interest), customers and anonymous visitors, split by source tag, so that
    discount-sensitive and content-driven visitors can be pushed differently (seed 003)."""
    cols = ["source", "customers", "visitors", "total", "crowd_share"]
    c = result.customers
    if "aipl" not in c:
        return pd.DataFrame(columns=cols)
    none = tr("(no source)", lang)
    inquiry_only = tr("(inquiry, no visit)", lang)
    crowd = c[c["aipl"].eq("interest")]
    untagged = pd.Series(np.where(crowd["event_count"] > 0, none, inquiry_only), index=crowd.index)
    known = crowd["aipl_source"].fillna(untagged).value_counts()
    anon = anonymous_visitors(result)
    visitors = anon.loc[anon["event_stage"].eq("interest"), "event_source"].fillna(none).value_counts()
    frame = pd.DataFrame({"customers": known, "visitors": visitors}).fillna(0).astype("int64")
    if not len(frame):
        return pd.DataFrame(columns=cols)
    frame["total"] = frame["customers"] + frame["visitors"]
    frame["crowd_share"] = frame["total"] / frame["total"].sum()
    frame.index.name = "source"
    frame = frame.reset_index().sort_values(["total", "source"], ascending=[False, True], kind="stable")
    return frame[cols].reset_index(drop=True)
