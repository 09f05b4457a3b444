"""lifecycle — new / one_time / growing / mature / declining, with the signal that fired (seed 000).

A one-order customer's frequency never fell, it never rose: such customers are ``new`` while their order is
recent and ``one_time`` after that, never ``declining`` (which had made 67-86% of real stores' buyers
"declining", most with a single order).  ``declining`` is for repeat buyers whose rhythm or spend falls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config, Setting
from ..i18n import _, format_rows
from .base import Segmenter, register


@register
class Lifecycle(Segmenter):
    name = "lifecycle"
    # its settings ([lifecycle] in tiercli.toml, TIERCLI_LIFECYCLE_* in the environment)
    options = (
        Setting("new_days", 90, "new: one order, the first within this many days."),
        Setting("growing_days", 365, "growing: two or more orders, the first within this many days."),
        Setting("gap_factor", 2.0, "declining: days since the last order above this multiple of the median gap."),
        Setting("window_days", 90, "declining: compare spend in the last N days ..."),
        Setting("spend_drop", 0.5, "... with the N days before; declining below this share."),
        Setting("aov_drop", 0.6, "declining: AOV of the last three orders below this share of the earlier AOV."),
    )
    title = "Customer lifecycle"
    title_zh = "客户生命周期"
    reads = ("frequency", "purchase_days", "tenure_days", "recency_days", "median_gap_days", "aov_last3",
             "aov_before_last3")
    outputs = ("lifecycle", "lifecycle_reason")
    # its columns' headers: column -> (English, Chinese)
    headers = {
        "lifecycle": ("Lifecycle", "生命周期"),
        "lifecycle_reason": ("Lifecycle reason", "生命周期依据"),
    }
    pairs = {"lifecycle": (("mature", "declining"), ("growing", "declining"), ("new", "one_time"))}
    labels = {
        "new": ("New", "新客户"),
        "one_time": ("One-time", "一次性客户"),
        "growing": ("Growing", "成长客户"),
        "mature": ("Mature", "成熟客户"),
        "declining": ("Declining", "衰退客户"),
    }

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        s = config.section("lifecycle")
        f = customers["frequency"]
        tenure = customers["tenure_days"].astype("float64")
        recency = customers["recency_days"].astype("float64")
        gap = customers["median_gap_days"].astype("float64")
        n = int(s["window_days"])
        last, prev = customers[f"spend_last_{n}d"], customers[f"spend_prev_{n}d"]
        # a repeat customer came back on another day: two orders placed on one day are one visit (a split cart)
        days = customers["purchase_days"].fillna(0) if "purchase_days" in customers else f
        repeat = (f >= 2) & (days >= 2)
        once = (f > 0) & ~repeat
        slow = repeat & (recency > s["gap_factor"] * gap)
        spend_drop = repeat & (prev > 0) & (last < s["spend_drop"] * prev)
        aov_drop = repeat & customers["aov_before_last3"].notna() & (
            customers["aov_last3"] < s["aov_drop"] * customers["aov_before_last3"])
        one_lapsed = once & (tenure > s["new_days"])
        declining = slow | spend_drop | aov_drop
        label = pd.Series(np.select(
            [f == 0, one_lapsed, once, declining, tenure <= s["growing_days"]],
            ["", "one_time", "new", "declining", "growing"], "mature"), index=customers.index)
        label = label.where(f > 0)
        idx = customers.index
        recency_days, tenure_days = recency.astype("Int64"), tenure.astype("Int64")
        signals = [
            (slow, format_rows(_("no order for {days} days, over {factor}x the usual gap of {gap} days"), idx,
                               days=recency_days, factor=f"{s['gap_factor']:g}", gap=gap.round(0).astype("Int64"))),
            (spend_drop, _("spend of the last {n} days under {share} of the {n} before").format(
                n=n, share=f"{s['spend_drop']:.0%}")),
            (aov_drop, _("last three orders' average under {share} of the earlier average").format(
                share=f"{s['aov_drop']:.0%}")),
        ]
        reason = pd.Series("", index=idx, dtype="str")
        for mask, text in signals:
            piece = text if isinstance(text, pd.Series) else pd.Series(text, index=idx)
            reason = reason.where(~mask, reason.where(reason == "", reason + "; ") + piece)

        def rows(template: str) -> pd.Series:
            return format_rows(template, idx, n=f, days=recency_days, tenure=tenure_days)

        reason = reason.mask(label.eq("one_time"), rows(_("one order, {days} days ago, never a second")).where(
            f == 1, rows(_("{n} orders on one day, {days} days ago, never another day"))))
        reason = reason.mask(label.eq("new"), rows(_("first and only order {days} days ago")).where(
            f == 1, rows(_("{n} orders on one day, {days} days ago"))))
        reason = reason.mask(label.eq("growing"), rows(_("{n} orders since {tenure} days ago")))
        reason = reason.mask(label.eq("mature"), rows(_("{n} orders over {tenure} days, buying at the usual rhythm")))
        reason = reason.mask(f == 0, _("no paid order"))
        return pd.DataFrame({"lifecycle": label.astype("str"), "lifecycle_reason": reason}, index=customers.index)
