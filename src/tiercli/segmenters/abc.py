"""abc — ABC value classes on a Pareto ranking of deal customers (seeds 003/001).

Seed 003: A customers order monthly, B quarterly or monthly, C are the one-time customers.  So A and B are
repeat customers only (a big first order shows as ``tier_upgrade``, not as key), and together they stay a
minority a sales team can serve personally.  Defaults measured with ``tiercli backtest`` (README, "Choices"):
on UCI Online Retail cut 2011-09-09, A is 10.5% of buyers holding 59% of value and A + B 26.8% of buyers who
made 72.7% of the next 91 days' spend; on CDNOW cut 1997-09-30, 16.0% / 56% and 29.2% / 76.3%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config, Setting
from ..i18n import _, counted, format_rows
from .base import Scored, Segmenter, header, register

# seed 003: A customers are 5-10% of customers and make 55-80% of profit
BENCHMARK = {"customers": (0.05, 0.10), "value": (0.55, 0.80)}


def value_basis(customers: pd.DataFrame, config: Config) -> tuple[pd.Series, str]:
    """Profit where cost is known, else net revenue; over the configured window."""
    windowed = int(config["abc.window_days"]) > 0
    profit = customers["profit_window" if windowed and "profit_window" in customers else "profit"]
    revenue = customers["value_window" if windowed else "monetary"]
    if profit.notna().any():
        return profit.fillna(revenue), "profit"
    return revenue, "revenue"


@register
class ABC(Segmenter):
    name = "abc"
    # its settings ([abc] in tiercli.toml, TIERCLI_ABC_* in the environment)
    options = (
        Setting("a_share", 0.60, "A: repeat customers inside this top share of value ..."),
        Setting("b_share", 0.80, "... B: the next repeat customers inside this top share."),
        Setting("min_orders", 2, "A and B need orders on at least this many days (one-time customers are C, "
                "seed 003)."),
        Setting("key_max_share", 0.30, "A + B together at most this share of buyers (the key customers a sales "
                "team serves personally)."),
        Setting("window_days", 0, "Value window in days before the as-of date; 0 = all history."),
    )
    title = "ABC value"
    title_zh = "ABC 价值分层"
    reads = ("frequency", "purchase_days", "monetary", "profit")
    outputs = ("abc", "abc_value", "abc_rank", "abc_cum_share", "abc_reason")
    # its columns' headers: column -> (English, Chinese)
    headers = {
        "abc": ("ABC class", "ABC分类"),
        "abc_value": ("ABC value", "ABC价值"),
        "abc_rank": ("Value rank", "价值排名"),
        "abc_cum_share": ("Cumulative value share", "累计价值占比"),
        "abc_reason": ("ABC reason", "ABC依据"),
    }
    ranks = {"abc": ("A", "B", "C")}
    predicts = "spend"
    labels = {
        "A": ("A · VIP", "A类 重点/VIP客户"),
        "B": ("B · key", "B类 重点客户"),
        "C": ("C · one-time", "C类 一次性客户"),
        "other": ("Other (inquiry/sample)", "其他客户(询盘/样单)"),
    }

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        s = config.section("abc")
        value, basis = value_basis(customers, config)
        deal = customers["frequency"] > 0
        v = value.where(deal)
        # rank by value, ties by customer id, so the same files always give the same classes
        order = pd.DataFrame({"v": v[deal], "id": customers.index[deal]}).sort_values(
            ["v", "id"], ascending=[False, True])
        positive_total = order["v"].clip(lower=0).sum()
        before = order["v"].clip(lower=0).cumsum().shift(fill_value=0.0)
        # equal values share one place in the Pareto ranking: each starts where the first of them starts,
        # so the id tie-break orders the rows but never puts equal customers in different classes
        start = before.groupby(order["v"], dropna=False, sort=False).transform("min")
        share_before = start / positive_total if positive_total > 0 else start * 0.0
        cum_share = (before + order["v"].clip(lower=0)) / positive_total if positive_total > 0 else before * 0.0
        rank = pd.Series(np.arange(1, len(order) + 1), index=order.index)
        freq = customers["frequency"].reindex(order.index)
        positive = order["v"] > 0
        # repeat: orders on at least min_orders different days (two orders placed on one day are one visit)
        days = customers["purchase_days"].fillna(0) if "purchase_days" in customers else customers["frequency"]
        repeat = (freq >= s["min_orders"]) & (days.reindex(order.index) >= s["min_orders"])
        in_a = positive & repeat & (share_before < s["a_share"])
        in_b = positive & repeat & ~in_a & (share_before < s["b_share"])
        # A then B in value order, never more than key_max_share of the buyers
        room = int(np.floor(s["key_max_share"] * len(order) + 1e-9))
        # (a group of equal values is in or out whole, so the same value never gets two classes)
        through = (in_a | in_b).cumsum().groupby(order["v"], dropna=False, sort=False).transform("max")
        capped = (in_a | in_b) & (through > room)
        in_a, in_b = in_a & ~capped, in_b & ~capped
        cls = pd.Series(np.select([in_a, in_b], ["A", "B"], "C"), index=order.index)
        label = cls.reindex(customers.index).fillna("other")
        above = (share_before * 100).round(1).astype("str")
        orders = counted(freq, _("{n} order"), _("{n} orders"))
        basis = _("profit") if basis == "profit" else _("revenue")
        a_top, b_top = f"{s['a_share']:.0%}", f"{s['b_share']:.0%}"

        def rows(template: str, **fields) -> pd.Series:
            return format_rows(template, order.index, orders=orders, basis=basis, held=above, rank=rank, **fields)

        reason = pd.Series(np.select(
            [in_a, in_b, capped, freq < s["min_orders"], ~repeat],
            [rows(_("{orders}, inside the top {top} of {basis} (customers ranked above hold {held}%)"), top=a_top),
             rows(_("{orders}, inside the top {top} of {basis} (customers ranked above hold {held}%)"), top=b_top),
             rows(_("{orders}, inside the top {top} of {basis}, but key customers are capped at {cap} of buyers "
                    "(abc.key_max_share)"), top=b_top, cap=f"{s['key_max_share']:.0%}"),
             rows(_("one order: a one-time customer so far, whatever its value ({basis} rank {rank})")),
             rows(_("{orders} placed on one day: a one-time customer so far, whatever its value ({basis} rank "
                    "{rank})"))],
            rows(_("{orders}, outside the top {top} of {basis}"), top=b_top)), index=order.index)
        return pd.DataFrame({
            "abc": label.astype("str"),
            "abc_value": v,
            "abc_rank": rank.reindex(customers.index).astype("Int64"),
            "abc_cum_share": cum_share.reindex(customers.index).round(4),
            "abc_reason": reason.reindex(customers.index).fillna(_("no paid non-sample order (inquiry or sample)")),
        }, index=customers.index)

    @classmethod
    def sheets(cls, result: Scored, lang: str = "en") -> list:
        """The Pareto curve: value share of the top 5%, 10%, ... of deal customers."""
        from ..io.write import Chart, Sheet

        curve = pareto(result).rename(columns=lambda c: header(c, lang))
        if not len(curve):
            return []
        return [Sheet(name=_("ABC Pareto"), frame=curve, formats={c: "0.0%" for c in curve.columns[1:]},
                      charts=(Chart(kind="pareto", title=_("ABC Pareto"), categories=header("customer_pct", lang),
                                    values=(header("value_share", lang), header("cum_value_share", lang))),),
                      title=_("Value share by top share of deal customers"))]

    @classmethod
    def render_details(cls, console, result: Scored, lang: str = "en") -> None:
        """The ABC check: A's share of deal customers and of value against seed 003's benchmark."""
        b = abc_benchmark(result)
        lo_c, hi_c = b["benchmark"]["customers"]
        lo_v, hi_v = b["benchmark"]["value"]
        check = (_("ABC check: A = {customers} of deal customers making {value} of value (within the seed's "
                   "benchmark of {lo_c}–{hi_c} making {lo_v}–{hi_v})") if b["within"] else
                 _("ABC check: A = {customers} of deal customers making {value} of value (outside the seed's "
                   "benchmark of {lo_c}–{hi_c} making {lo_v}–{hi_v})"))
        console.print(check.format(customers=f"{b['customers_share']:.1%}", value=f"{b['value_share']:.1%}",
                                   lo_c=f"{lo_c:.0%}", hi_c=f"{hi_c:.0%}", lo_v=f"{lo_v:.0%}", hi_v=f"{hi_v:.0%}"),
                      soft_wrap=True)


# ---------------------------------------------------------------- its summary tables (of a scored result)

def pareto(result: Scored, points: int = 20) -> pd.DataFrame:
    """The ABC Pareto curve: cumulative value share of the top 5%, 10%, ... of deal customers."""
    v = result.customers["abc_value"].dropna().clip(lower=0).sort_values(ascending=False).to_numpy()
    if len(v) == 0 or v.sum() <= 0:
        return pd.DataFrame(columns=["customer_pct", "value_share", "cum_value_share"])
    cut = np.ceil(np.linspace(1 / points, 1, points) * len(v)).astype(int)
    cum = np.cumsum(v)[cut - 1] / v.sum()
    # the category is a label ("top 5%") so every spreadsheet program shows it the same way on the chart
    tops = [_("top {share}").format(share=f"{round(p * 100):d}%") for p in np.linspace(1 / points, 1, points)]
    return pd.DataFrame({"customer_pct": tops, "value_share": np.diff(cum, prepend=0.0), "cum_value_share": cum})


def abc_benchmark(result: Scored) -> dict:
    """A customers' share of customers and of value, against seed 003's 5-10% making 55-80%."""
    c = result.customers
    deal = c["frequency"] > 0
    a = c["abc"].eq("A") & deal
    total = c.loc[deal, "abc_value"].clip(lower=0).sum()
    cust_share = float(a.sum() / deal.sum()) if deal.sum() else 0.0
    value_share = float(c.loc[a, "abc_value"].clip(lower=0).sum() / total) if total else 0.0
    lo_c, hi_c = BENCHMARK["customers"]
    lo_v, hi_v = BENCHMARK["value"]
    return {"customers_share": cust_share, "value_share": value_share,
            "within": lo_c <= cust_share <= hi_c and lo_v <= value_share <= hi_v,
            "benchmark": BENCHMARK}
