"""clv — 12-month customer lifetime value: BG/NBD purchases x gamma-gamma spend, discounted.

The gamma-gamma model assumes how much a customer spends per purchase does
not depend on how often they buy; when the data say otherwise (|correlation|
above clv.max_correlation) the segment is refused with the figure, rather than
giving confident wrong values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
from ..errors import InputError
from ..lifetime import customer_lifetime_value, fit_gamma_gamma, spend_frequency_correlation
from .base import Segmenter, SegmenterSkipped, register
from .churn import fit_purchase_model, rft
from .rfm import quantile_scores

_QUINTILE_CODES = np.array(["very_low", "low", "medium", "high", "very_high"])


@register
class CLV(Segmenter):
    name = "clv"
    title = "Customer lifetime value"
    title_zh = "客户终身价值"
    reads = ("frequency", "purchase_days", "first_order", "last_order", "tenure_days", "repeat_day_spend")
    outputs = ("clv", "clv_12m", "clv_expected_spend", "clv_reason")
    ranks = {"clv": ("very_high", "high", "medium", "low", "very_low")}
    scores = ("clv_12m",)
    value_scores = ("clv_12m",)
    labels = {
        "very_high": ("Top 20%", "最高20%"),
        "high": ("High", "高"),
        "medium": ("Medium", "中"),
        "low": ("Low", "低"),
        "very_low": ("Bottom 20%", "最低20%"),
    }

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        s = config.section("clv")
        unit = float(config["churn.unit_days"])
        out = pd.DataFrame({"clv": pd.Series(pd.NA, index=customers.index, dtype="str"), "clv_12m": np.nan,
                            "clv_expected_spend": np.nan, "clv_reason": "no paid order"}, index=customers.index)
        buyers, x, t_x, T = rft(customers, unit)
        if not buyers.any():
            return out
        m = customers.loc[buyers, "repeat_day_spend"].astype("float64").fillna(0.0).to_numpy()
        rep = x > 0
        corr = spend_frequency_correlation(x[rep], m[rep])
        if np.isfinite(corr) and abs(corr) > s["max_correlation"]:
            raise SegmenterSkipped(
                f"spend per purchase and purchase frequency are correlated ({corr:.2f}, limit "
                f"{s['max_correlation']:g}), so the gamma-gamma spend model does not apply to this data "
                "(raise clv.max_correlation to override).")
        usable = rep & (m > 0)
        try:
            bg, _ = fit_purchase_model(customers, config)
            gg = fit_gamma_gamma(x[usable], m[usable], penalizer=float(s["penalizer"]))
            value = customer_lifetime_value(bg, gg, x, t_x, T, np.where(usable, m, 0.0), months=int(s["months"]),
                                            discount_rate_monthly=float(s["discount_monthly"]), unit_days=unit)
        except InputError as err:
            raise SegmenterSkipped(f"lifetime value not computed: {err}") from None
        self.notes = [f"clv: gamma-gamma p={gg.p:.3g} q={gg.q:.3g} gamma={gg.gamma:.3g} on {gg.n_customers} "
                      f"repeat buyers; spend-frequency correlation {corr:.2f}"]
        spend = np.where(usable, (gg.gamma + m * x) * gg.p / (gg.p * x + gg.q - 1), gg.p * gg.gamma / (gg.q - 1))
        values = pd.Series(value, index=customers.index[buyers])
        quint = quantile_scores(values, 5).astype("int64")
        out.loc[buyers, "clv"] = _QUINTILE_CODES[quint.to_numpy() - 1]
        out.loc[buyers, "clv_12m"] = values.round(2)
        out.loc[buyers, "clv_expected_spend"] = np.round(spend, 2)
        out.loc[buyers, "clv_reason"] = (f"next {int(s['months'])} months, discounted: expected spend "
                                         + pd.Series(np.round(spend, 2), index=values.index).astype("str")
                                         + " per purchase")
        return out
