"""lifecycle — new / one_time / growing / mature / declining, with the signal that fired (seed 000).

A one-order customer's frequency never fell, it never rose: such customers are ``new`` while their order is
recent and ``one_time`` after that, never ``declining`` (which had made 67-86% of real stores' buyers
"declining", most with a single order).  ``declining`` is for repeat buyers whose rhythm or spend falls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
from .base import Segmenter, register


@register
class Lifecycle(Segmenter):
    name = "lifecycle"
    title = "Customer lifecycle"
    title_zh = "客户生命周期"
    reads = ("frequency", "purchase_days", "tenure_days", "recency_days", "median_gap_days", "aov_last3",
             "aov_before_last3")
    outputs = ("lifecycle", "lifecycle_reason")
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
        signals = [
            (slow, "no order for " + recency.astype("Int64").astype("str") + " days, over "
             + f"{s['gap_factor']:g}x the usual gap of " + gap.round(0).astype("Int64").astype("str") + " days"),
            (spend_drop, f"spend of the last {n} days under {s['spend_drop']:.0%} of the {n} before"),
            (aov_drop, f"last three orders' average under {s['aov_drop']:.0%} of the earlier average"),
        ]
        reason = pd.Series("", index=customers.index, dtype="str")
        for mask, text in signals:
            piece = text if isinstance(text, pd.Series) else pd.Series(text, index=customers.index)
            reason = reason.where(~mask, reason.where(reason == "", reason + "; ") + piece)
        ago = recency.astype("Int64").astype("str") + " days ago"
        one_day = f.astype("str") + " orders on one day, " + ago
        reason = reason.mask(label.eq("one_time"), ("one order, " + ago + ", never a second").where(
            f == 1, one_day + ", never another day"))
        reason = reason.mask(label.eq("new"), ("first and only order " + ago).where(f == 1, one_day))
        reason = reason.mask(label.eq("growing"), f.astype("str") + " orders since "
                             + tenure.astype("Int64").astype("str") + " days ago")
        reason = reason.mask(label.eq("mature"), f.astype("str") + " orders over "
                             + tenure.astype("Int64").astype("str") + " days, buying at the usual rhythm")
        reason = reason.mask(f == 0, "no paid order")
        return pd.DataFrame({"lifecycle": label.astype("str"), "lifecycle_reason": reason}, index=customers.index)
