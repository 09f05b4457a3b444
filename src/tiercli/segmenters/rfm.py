"""rfm — RFM quantile scores, the 11-segment map and the seed's four tiers (SEGMENTERS.md, seeds 000/004)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config, Setting
from ..errors import ConfigError
from ..i18n import _, counted, format_rows
from .base import Segmenter, register


def quantile_scores(values: pd.Series, bins: int) -> pd.Series:
    """Score 1..bins by quantile; equal values always share a score; missing stays missing.

    Sorted distinct values are cut into ``bins`` contiguous groups whose customer
    counts come as close as possible to equal shares, never splitting a value.
    When there are fewer distinct values than bins, they are spread over the
    whole scale (so F = 1, 2, 3 scores 1, 3, 5 with 5 bins, instead of
    collapsing the many F = 1 customers into one bin and leaving the top empty).
    """
    present = values.dropna()
    out = pd.Series(pd.NA, index=values.index, dtype="Int64")
    if present.empty:
        return out
    distinct, counts = np.unique(present.to_numpy(dtype="float64"), return_counts=True)
    d = len(distinct)
    if d == 1:
        group_score = np.array([(bins + 1) // 2])
    elif d <= bins:
        group_score = np.rint(1 + (bins - 1) * np.arange(d) / (d - 1)).astype(int)
    else:
        cum = np.cumsum(counts) / counts.sum()
        ends = []  # index (inclusive) of the last distinct value in each group but the last
        start = 0
        for j in range(1, bins):
            target = j / bins
            i = int(np.searchsorted(cum, target - 1e-12))
            if i > start and abs(cum[i - 1] - target) <= abs(cum[min(i, d - 1)] - target):
                i -= 1
            i = max(i, start)
            i = min(i, d - 1 - (bins - j))  # leave at least one value for each later group
            ends.append(i)
            start = i + 1
        group_score = np.searchsorted(np.array(ends), np.arange(d), side="left") + 1
    pos = np.searchsorted(distinct, present.to_numpy(dtype="float64"))
    out.loc[present.index] = group_score[pos]
    return out


def to_five(scores: pd.Series, bins: int) -> pd.Series:
    """Rescale 1..bins scores to 1..5 for the segment map; halves round up, like FM's.

    (Series.round rounds halves to even, which with 9 bins gave the five-point 3
    one bin of nine and 2 and 4 three bins each.)
    """
    if bins == 5:
        return scores
    scaled = 1 + (scores.astype("float64") - 1) * 4 / (bins - 1)
    return np.floor(scaled + 0.5).astype("Int64")


SEGMENT_MAP = {
    "champions": ["55", "54", "45"],
    "loyal": ["53", "44", "35", "34"],
    "potential_loyalist": ["52", "42", "33", "43"],
    "new": ["51"],
    "promising": ["41", "31"],
    "need_attention": ["32", "23", "22"],
    "about_to_sleep": ["21"],
    "at_risk": ["25", "24", "13"],
    "cant_lose": ["15", "14"],
    "hibernating": ["12"],
    "lost": ["11"],
}
_CODE_BY_RFM = {cell: code for code, cells in SEGMENT_MAP.items() for cell in cells}


@register
class RFM(Segmenter):
    name = "rfm"
    # its settings ([rfm] in tiercli.toml, TIERCLI_RFM_* in the environment)
    options = (
        Setting("bins", 5, "Quantile bins for R, F and M scores (3..10)."),
    )
    title = "RFM segments"
    title_zh = "RFM 分层"
    reads = ("recency_days", "frequency", "monetary")
    outputs = ("rfm_r", "rfm_f", "rfm_m", "rfm_score", "rfm", "rfm_tier", "rfm_reason")
    # its columns' headers: column -> (English, Chinese)
    headers = {
        "rfm_r": ("R score", "R分"),
        "rfm_f": ("F score", "F分"),
        "rfm_m": ("M score", "M分"),
        "rfm_score": ("RFM score", "RFM分"),
        "rfm": ("RFM segment", "RFM分群"),
        "rfm_tier": ("RFM tier", "RFM分级"),
        "rfm_reason": ("RFM reason", "RFM依据"),
    }
    labels = {
        "champions": ("Champions", "冠军客户"),
        "loyal": ("Loyal", "忠诚客户"),
        "potential_loyalist": ("Potential loyalist", "潜在忠诚客户"),
        "new": ("New", "新客户"),
        "promising": ("Promising", "有潜力客户"),
        "need_attention": ("Need attention", "需关注客户"),
        "about_to_sleep": ("About to sleep", "即将沉睡客户"),
        "at_risk": ("At risk", "流失风险客户"),
        "cant_lose": ("Can't lose", "不能流失的客户"),
        "hibernating": ("Hibernating", "休眠客户"),
        "lost": ("Lost", "流失客户"),
    }
    extra_labels = {"rfm_tier": {
        "vip": ("VIP", "高价值客户"),
        "dormant": ("Dormant", "沉睡客户"),
        "potential": ("Potential", "潜力客户"),
        "general": ("General", "一般客户"),
    }}

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        bins = int(config["rfm.bins"])
        if not 3 <= bins <= 10:
            raise ConfigError(_("rfm.bins = {bins}: must be between 3 and 10.").format(bins=bins))
        buyers = customers["frequency"] > 0
        recency = customers["recency_days"].astype("float64").where(buyers)
        r = quantile_scores(-recency, bins)  # fewer days since the last order scores higher
        f = quantile_scores(customers["frequency"].astype("float64").where(buyers), bins)
        m = quantile_scores(customers["monetary"].astype("float64").where(buyers), bins)
        r5, f5, m5 = to_five(r, bins), to_five(f, bins), to_five(m, bins)
        r5, f5, m5 = (x.astype("float64") for x in (r5, f5, m5))  # NaN for non-buyers compares False
        fm = np.floor((f5 + m5) / 2 + 0.5)
        cell = r5.astype("Int64").astype("str") + fm.astype("Int64").astype("str")
        label = cell.map(_CODE_BY_RFM).where(buyers)
        tier = pd.Series(np.select(
            [(r5 >= 4) & (f5 >= 4) & (m5 >= 4), r5 <= 2, (m5 >= 4) & (f5 <= 2)],
            ["vip", "dormant", "potential"], "general"), index=customers.index).where(buyers)
        score = r.astype("str") + f.astype("str") + m.astype("str")
        n_orders = counted(customers["frequency"], _("{n} order"), _("{n} orders"))
        reason = format_rows(_("R{r} ({days} days) · F{f} ({orders}) · M{m}"), customers.index,
                             r=r, days=customers["recency_days"], f=f, orders=n_orders, m=m)
        return pd.DataFrame({
            "rfm_r": r, "rfm_f": f, "rfm_m": m,
            "rfm_score": score.where(buyers),
            "rfm": label.astype("str"),
            "rfm_tier": tier.astype("str"),
            "rfm_reason": reason.where(buyers, _("no paid order")),
        }, index=customers.index)
