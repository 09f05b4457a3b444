"""tier — the management tier of seed 001: key / ordinary / small / potential / blacklisted."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config, Setting
from ..i18n import _, counted, format_rows
from .base import Segmenter, register


@register
class Tier(Segmenter):
    name = "tier"
    # its settings ([tier] in tiercli.toml, TIERCLI_TIER_* in the environment)
    options = (
        Setting("upgrade_days", 90, "Upgrade potential: spend in the last N days ..."),
        Setting("upgrade_growth", 1.5, "... above this multiple of the N days before."),
        Setting("upgrade_aov_quantile", 0.75, "Or average order value in this top quantile ..."),
        Setting("upgrade_max_orders", 2, "... with at most this many orders."),
        Setting("weight_revenue", 0.4, "tier_score weight of revenue."),
        Setting("weight_profit", 0.3, "tier_score weight of profit (revenue when cost is unknown)."),
        Setting("weight_frequency", 0.2, "tier_score weight of order count."),
        Setting("weight_repurchase", 0.1, "tier_score weight of repeat orders."),
    )
    title = "Management tier"
    title_zh = "客户管理分级"
    reads = ("frequency", "revenue", "profit", "aov", "blacklisted")
    after = ("abc",)
    outputs = ("tier", "tier_upgrade", "tier_score", "tier_reason")
    # its columns' headers: column -> (English, Chinese)
    headers = {
        "tier": ("Tier", "客户分级"),
        "tier_upgrade": ("Upgrade potential", "有升级潜力"),
        "tier_score": ("Tier score", "贡献度评分"),
        "tier_reason": ("Tier reason", "分级依据"),
    }
    ranks = {"tier": ("key", "ordinary", "small")}
    predicts = "spend"
    scores = ("tier_score",)
    labels = {
        "key": ("Key", "关键客户"),
        "ordinary": ("Ordinary", "普通客户"),
        "small": ("Small", "小客户"),
        "potential": ("Potential", "潜在客户"),
        "blacklisted": ("Blacklisted", "劣质客户"),
    }

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        s = config.section("tier")
        deal = customers["frequency"] > 0
        value = customers["abc_value"]
        median = value[deal].median() if deal.any() else 0.0
        black = customers["blacklisted"].fillna(False).astype(bool)
        key = customers["abc"].isin(["A", "B"])
        ordinary = deal & ((customers["frequency"] >= 2) | (value > median))
        tier = pd.Series(np.select([black, key, ordinary, deal], ["blacklisted", "key", "ordinary", "small"],
                                   "potential"), index=customers.index)
        n = int(s["upgrade_days"])
        last, prev = customers[f"spend_last_{n}d"], customers[f"spend_prev_{n}d"]
        growing = (prev > 0) & (last > s["upgrade_growth"] * prev)
        aov_cut = customers["aov"][deal].quantile(s["upgrade_aov_quantile"]) if deal.any() else np.inf
        big_baskets = (customers["aov"] >= aov_cut) & (customers["frequency"] <= s["upgrade_max_orders"])
        upgrade = tier.isin(["ordinary", "small"]) & (growing | big_baskets.fillna(False))

        def pct(col: pd.Series) -> pd.Series:
            return col[deal].rank(pct=True, method="average").reindex(customers.index).fillna(0.0)

        profit = customers["profit"].fillna(customers["revenue"]) if customers["profit"].notna().any() \
            else customers["revenue"]
        weights = np.array([s["weight_revenue"], s["weight_profit"], s["weight_frequency"], s["weight_repurchase"]])
        parts = np.column_stack([pct(customers["revenue"]), pct(profit), pct(customers["frequency"].astype(float)),
                                 pct((customers["frequency"] - 1).clip(lower=0).astype(float))])
        score = pd.Series(parts @ weights / weights.sum() * 100, index=customers.index).round(1).where(deal, 0.0)

        idx = customers.index
        reason = pd.Series(np.select(
            [black, key, ordinary & (customers["frequency"] >= 2), ordinary, deal],
            [_("on the blacklist"),
             format_rows(_("ABC class {abc}"), idx, abc=customers["abc"]),
             counted(customers["frequency"], _("{n} order"), _("{n} orders")),
             _("value above the median of deal customers"),
             _("one order, value at or below the median")],
            _("no paid order yet (inquiry, sample or visitor)")), index=idx)
        why_up = np.select([growing, big_baskets.fillna(False)],
                           [_("; upgrade: spend of the last {n} days above {x}x the {n} before").format(
                               n=n, x=s["upgrade_growth"]),
                            _("; upgrade: big average order, few orders")], "")
        reason = reason + pd.Series(np.where(upgrade, why_up, ""), index=customers.index)
        return pd.DataFrame({"tier": tier.astype("str"), "tier_upgrade": upgrade.astype(bool),
                             "tier_score": score, "tier_reason": reason.astype("str")}, index=customers.index)
