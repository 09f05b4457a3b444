"""abc — ABC value classes on a Pareto ranking of deal customers (SEGMENTERS.md, seeds 003/001)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
from .base import Segmenter, register

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
    title = "ABC value"
    title_zh = "ABC 价值分层"
    reads = ("frequency", "monetary", "profit", "recency_days")
    outputs = ("abc", "abc_value", "abc_rank", "abc_cum_share", "abc_reason")
    ranks = {"abc": ("A", "B", "C")}
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
        recent = customers["recency_days"].reindex(order.index).astype("float64") <= s["b_recent_days"]
        positive = order["v"] > 0
        in_a = positive & (share_before < s["a_share"]) & (freq >= s["a_min_orders"])
        in_b = (positive & (share_before < s["b_share"])) | ((freq >= s["b_min_orders"]) & recent)
        cls = pd.Series(np.select([in_a, in_b], ["A", "B"], "C"), index=order.index)
        label = cls.reindex(customers.index).fillna("other")
        above = (share_before * 100).round(1).astype("str")
        orders = freq.astype("str") + np.where(freq == 1, " order", " orders")
        days = customers["recency_days"].reindex(order.index).astype("str")
        reason = pd.Series(np.select(
            [in_a, positive & (share_before < s["b_share"]), in_b],
            [f"inside the top {s['a_share']:.0%} of {basis} (customers ranked above hold " + above + "%), "
             + orders,
             f"inside the top {s['b_share']:.0%} of {basis} (customers ranked above hold " + above + "%)",
             orders + ", the last " + days + " days ago"],
            f"outside the top {s['b_share']:.0%} of {basis}, not a recent repeat buyer"), index=order.index)
        return pd.DataFrame({
            "abc": label.astype("str"),
            "abc_value": v,
            "abc_rank": rank.reindex(customers.index).astype("Int64"),
            "abc_cum_share": cum_share.reindex(customers.index).round(4),
            "abc_reason": reason.reindex(customers.index).fillna("no paid non-sample order (inquiry or sample)"),
        }, index=customers.index)
