"""churn — P(alive) and expected purchases from a BG/NBD fit (seeds 000, 004; Fader, Hardie & Lee 2005).

Fixed day-count rules call a B2B buyer who orders twice a year lost after 90
days; the BG/NBD model learns each customer's own rhythm from everyone's
repeat behaviour.  The fit runs on the customers frame's purchase days, so
several orders on one day count once.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from ..config import Config
from ..errors import InputError
from ..lifetime import BGNBDParams, expected_purchases, fit_bgnbd, p_alive
from .base import Segmenter, SegmenterSkipped, register


def rft(customers: pd.DataFrame, unit_days: float) -> tuple[pd.Series, np.ndarray, np.ndarray, np.ndarray]:
    """Buyers and their (repeat purchase days, recency, age) in model time units."""
    buyers = customers["frequency"] > 0
    c = customers[buyers]
    x = (c["purchase_days"].astype("float64") - 1).clip(lower=0).to_numpy()
    t_x = ((c["last_order"].dt.normalize() - c["first_order"].dt.normalize()).dt.days / unit_days).to_numpy()
    T = (c["tenure_days"].astype("float64") / unit_days).to_numpy()
    return buyers, x, t_x.astype("float64"), T


FALLBACK_PENALIZER = 0.001  # what lifetimes' users reach for when the plain fit runs off on small data
_LAST_FIT: dict = {}  # the latest fit (or its refusal) by its inputs: clv needs the same fit churn just made


def _fit(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, penalizer: float) -> BGNBDParams:
    """fit_bgnbd, remembered for the same inputs so one scoring run fits the purchase model once."""
    key = (hashlib.blake2b(x.tobytes() + t_x.tobytes() + T.tobytes(), digest_size=16).digest(), len(x), penalizer)
    if key not in _LAST_FIT:
        if len(_LAST_FIT) >= 2:  # the plain fit and the penalized retry
            _LAST_FIT.pop(next(iter(_LAST_FIT)))
        try:
            _LAST_FIT[key] = fit_bgnbd(x, t_x, T, penalizer=penalizer)
        except InputError as err:
            _LAST_FIT[key] = err
    outcome = _LAST_FIT[key]
    if isinstance(outcome, InputError):
        raise outcome
    return outcome


def fit_purchase_model(customers: pd.DataFrame, config: Config) -> tuple[BGNBDParams, float]:
    """The BG/NBD fit on every buyer, and the penalizer it took.

    Plain maximum likelihood first (it reproduces the published figures); when that
    does not converge on small data and no penalizer was configured, once more with
    a small one, so a shop with a hundred buyers still gets churn labels — the note
    says so.  InputError (with what to do) when neither fits.
    """
    _, x, t_x, T = rft(customers, float(config["churn.unit_days"]))
    penalizer = float(config["churn.penalizer"])
    try:
        return _fit(x, t_x, T, penalizer), penalizer
    except InputError as err:
        if penalizer > 0 or "did not converge" not in str(err):
            raise  # too few customers, no repeat buying: a penalizer cannot help
    try:
        return _fit(x, t_x, T, FALLBACK_PENALIZER), FALLBACK_PENALIZER
    except InputError:
        raise InputError(
            f"the BG/NBD fit did not converge, also with penalizer {FALLBACK_PENALIZER:g}: these "
            f"{len(x)} buyers show too little dropping out or repeat buying to estimate churn.",
            hint="Add more history (more buyers or a longer period), or set churn.penalizer higher, e.g. 0.1.",
        ) from None


@register
class Churn(Segmenter):
    name = "churn"
    title = "Churn risk"
    title_zh = "流失风险"
    reads = ("frequency", "purchase_days", "first_order", "last_order", "tenure_days")
    outputs = ("churn", "churn_p_alive", "churn_expected_90d", "churn_reason")
    labels = {
        "active": ("Active", "活跃"),
        "at_risk": ("At risk", "流失风险"),
        "likely_lost": ("Likely lost", "大概率流失"),
    }

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        s = config.section("churn")
        unit = float(s["unit_days"])
        empty = pd.DataFrame({"churn": pd.Series(pd.NA, index=customers.index, dtype="str"),
                              "churn_p_alive": np.nan, "churn_expected_90d": np.nan,
                              "churn_reason": "no paid order"}, index=customers.index)
        buyers, x, t_x, T = rft(customers, unit)
        if not buyers.any():
            return empty
        try:
            params, penalizer = fit_purchase_model(customers, config)
        except InputError as err:
            raise SegmenterSkipped(f"purchase model not fitted: {err}") from None
        self.notes = [f"churn: BG/NBD r={params.r:.3g} alpha={params.alpha:.3g} a={params.a:.3g} "
                      f"b={params.b:.3g} on {params.n_customers} buyers (time unit {unit:g} days"
                      + (f", penalizer {penalizer:g}: the plain fit did not converge" if penalizer else "") + ")"]
        alive = p_alive(params, x, t_x, T)
        ahead = expected_purchases(params, 90.0 / unit, x, t_x, T)
        label = np.select([alive >= s["active_p"], alive < s["lost_p"]], ["active", "likely_lost"], "at_risk")
        days = customers.loc[buyers, "recency_days"].astype("Int64").astype("str")
        reason = ("P(alive) " + pd.Series(np.round(alive * 100).astype(int), index=days.index).astype("str")
                  + "%: " + pd.Series(x.astype(int), index=days.index).astype("str")
                  + " repeat purchase days, the last " + days + " days ago")
        out = empty.copy()
        out.loc[buyers, "churn"] = label
        out.loc[buyers, "churn_p_alive"] = np.round(alive, 4)
        out.loc[buyers, "churn_expected_90d"] = np.round(ahead, 3)
        out.loc[buyers, "churn_reason"] = reason
        return out
