"""churn — who will order again: a BG/NBD fit (seeds 000, 004; Fader, Hardie & Lee 2005), ranked by backtest.

Fixed day-count rules call a B2B buyer who orders twice a year lost after 90
days; the BG/NBD model learns each customer's own rhythm from everyone's
repeat behaviour.  The fit runs on the customers frame's purchase days, so
several orders on one day count once.

The label is cut from the chance of at least one order in the next 90 days
(``churn_p_buy_90d``), not from P(alive): BG/NBD gives every customer with one
purchase day P(alive) = 1, so P(alive) ranked old one-time buyers as the most
alive (AUC 0.40 on UCI Online Retail, 0.32 on CDNOW, for "buys again"; the
chance of an order: 0.74 and 0.77, beside 0.68 and 0.77 for days since the last
order alone).  Its cuts are relative to the store's average buyer (1.5x and
0.5x by default), because a wholesaler's buyers and a CD shop's differ by a
factor of four in how often anyone reorders.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from ..config import Config, Setting
from ..errors import InputError
from ..i18n import _, format_rows
from ..lifetime import (
    BGNBDParams,
    NotConverged,
    expected_purchases,
    fit_bgnbd,
    p_alive,
    probability_of_purchase,
)
from .base import Scored, Segmenter, SegmenterSkipped, header, label, register


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
    _buyers, x, t_x, T = rft(customers, float(config["churn.unit_days"]))
    repeaters, least = int((x > 0).sum()), int(config["churn.min_repeat_buyers"])
    if repeaters < least:
        raise InputError(
            _("only {repeaters} of {buyers} buyers bought on more than one day; the purchase model needs at least "
              "{least} repeat buyers to learn how often customers come back.").format(
                repeaters=repeaters, buyers=len(x), least=least),
            hint=_("Add more history, or lower churn.min_repeat_buyers (the labels will be guesses)."))
    penalizer = float(config["churn.penalizer"])
    try:
        return _fit(x, t_x, T, penalizer), penalizer
    except InputError as err:
        if penalizer > 0 or not isinstance(err, NotConverged):
            raise  # too few customers, no repeat buying: a penalizer cannot help
    try:
        return _fit(x, t_x, T, FALLBACK_PENALIZER), FALLBACK_PENALIZER
    except InputError:
        raise InputError(
            _("the BG/NBD fit did not converge, also with penalizer {penalizer}: these {buyers} buyers show too "
              "little dropping out or repeat buying to estimate churn.").format(
                penalizer=f"{FALLBACK_PENALIZER:g}", buyers=len(x)),
            hint=_("Add more history (more buyers or a longer period), or set churn.penalizer higher, e.g. 0.1."),
        ) from None


def _fit_text(params: BGNBDParams) -> str:
    return f"r={params.r:.3g} alpha={params.alpha:.3g} a={params.a:.3g} b={params.b:.3g}"


HORIZON_DAYS = 90  # the horizon of churn_p_buy_90d and churn_expected_90d


@register
class Churn(Segmenter):
    name = "churn"
    # its settings ([churn] in tiercli.toml, TIERCLI_CHURN_* in the environment)
    options = (
        Setting("unit_days", 7, "Time unit of the purchase model in days (7 = weeks, as the BG/NBD papers)."),
        Setting("penalizer", 0.0, "L2 penalizer of the BG/NBD fit; try 0.001 when it does not converge."),
        Setting("min_repeat_buyers", 10, "Fit the purchase model only with at least this many repeat buyers "
                "(else churn and clv are skipped with the reason)."),
        Setting("active_ratio", 1.5, "active: chance of an order in the next 90 days at least this multiple of "
                "the average buyer's ..."),
        Setting("lost_ratio", 0.5, "... likely_lost: below this multiple of it; at_risk in between."),
    )
    title = "Churn risk"
    title_zh = "流失风险"
    reads = ("frequency", "purchase_days", "first_order", "last_order", "tenure_days", "recency_days",
             "median_gap_days")
    outputs = ("churn", "churn_p_buy_90d", "churn_p_alive", "churn_expected_90d", "churn_reason")
    # its columns' headers: column -> (English, Chinese)
    headers = {
        "churn": ("Churn risk", "流失风险"),
        "churn_p_buy_90d": ("Chance of an order, 90 days", "未来90天下单概率"),
        "churn_p_alive": ("P(still active)", "仍活跃概率"),
        "churn_expected_90d": ("Expected purchases, 90 days", "未来90天预计购买次数"),
        "churn_reason": ("Churn reason", "流失依据"),
    }
    ranks = {"churn": ("active", "at_risk", "likely_lost")}
    scores = ("churn_p_buy_90d", "churn_expected_90d", "churn_p_alive")
    labels = {
        "active": ("Active", "活跃"),
        "at_risk": ("At risk", "流失风险"),
        "likely_lost": ("Likely lost", "大概率流失"),
    }

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        s = config.section("churn")
        unit = float(s["unit_days"])
        empty = pd.DataFrame({"churn": pd.Series(pd.NA, index=customers.index, dtype="str"),
                              "churn_p_buy_90d": np.nan, "churn_p_alive": np.nan, "churn_expected_90d": np.nan,
                              "churn_reason": _("no paid order")}, index=customers.index)
        buyers, x, t_x, T = rft(customers, unit)
        if not buyers.any():
            return empty
        try:
            params, penalizer = fit_purchase_model(customers, config)
        except InputError as err:
            raise SegmenterSkipped(_("purchase model not fitted: {error}").format(error=err)) from None
        alive = p_alive(params, x, t_x, T)
        ahead = expected_purchases(params, HORIZON_DAYS / unit, x, t_x, T)
        p_buy = probability_of_purchase(params, HORIZON_DAYS / unit, x, t_x, T)
        if not np.isfinite(p_buy).all():
            raise SegmenterSkipped(_("purchase model not usable: the fit ({fit}) gives no finite chance of an "
                                     "order").format(fit=_fit_text(params)))
        mean = float(p_buy.mean())
        hi = min(float(s["active_ratio"]) * mean, (1.0 + mean) / 2)  # reachable even when most buyers reorder
        lo = float(s["lost_ratio"]) * mean
        fit = _("BG/NBD {fit} on {buyers} buyers (time unit {unit} days)").format(
            fit=_fit_text(params), buyers=params.n_customers, unit=f"{unit:g}")
        if penalizer:
            fit = _("BG/NBD {fit} on {buyers} buyers (time unit {unit} days, penalizer {penalizer}: the plain fit "
                    "did not converge)").format(fit=_fit_text(params), buyers=params.n_customers, unit=f"{unit:g}",
                                                 penalizer=f"{penalizer:g}")
        self.notes = [_("churn: {fit}; the average buyer's chance of an order in the next {horizon} days is "
                        "{mean}: active from {hi}, likely_lost under {lo}").format(
            fit=fit, horizon=HORIZON_DAYS, mean=f"{mean:.0%}", hi=f"{hi:.0%}", lo=f"{lo:.0%}")]
        label = np.select([p_buy >= hi, p_buy < lo], ["active", "likely_lost"], "at_risk")
        c = customers.loc[buyers]
        pct = pd.Series(np.round(p_buy * 100).astype(int), index=c.index)
        ratio = pd.Series(np.round(p_buy / mean, 1) if mean > 0 else np.zeros(len(p_buy)), index=c.index)
        reason = format_rows(_("{pct}% chance of an order in the next {horizon} days ({ratio}x the average buyer's "
                               "{mean}); {repeats} repeat purchase days, the last {days} days ago"), c.index,
                             pct=pct, horizon=HORIZON_DAYS, ratio=ratio, mean=f"{mean:.0%}",
                             repeats=pd.Series(x.astype(int), index=c.index),
                             days=c["recency_days"].astype("Int64"))
        # a steady buyer with a long rhythm can be unlikely to order in 90 days without having left: say so
        gap = c["median_gap_days"].astype("float64")
        factor = float(config["lifecycle.gap_factor"])  # lifecycle's "declining" rule: the same gap
        in_rhythm = (label == "likely_lost") & (x > 0) & (c["recency_days"].astype("float64") <= factor * gap).to_numpy()
        reason = reason.where(~in_rhythm, reason + format_rows(
            _("; still within their usual gap of {gap} days, but that gap is long for the next {horizon} days"),
            c.index, gap=gap.round(0).astype("Int64"), horizon=HORIZON_DAYS))
        out = empty.copy()
        out.loc[buyers, "churn"] = label
        out.loc[buyers, "churn_p_buy_90d"] = np.round(p_buy, 4)
        out.loc[buyers, "churn_p_alive"] = np.round(alive, 4)
        out.loc[buyers, "churn_expected_90d"] = np.round(ahead, 3)
        out.loc[buyers, "churn_reason"] = reason
        return out

    @classmethod
    def sheets(cls, result: Scored, lang: str = "en") -> list:
        """Buyers by their chance of an order, and the at-risk customers worth the most."""
        from .. import countries
        from ..io.write import Chart, Sheet

        dist = order_chance_distribution(result).rename(columns=lambda c: header(c, lang))
        t = _("Order chance")
        risky = at_risk_valuable(result, 50)
        if "country" in risky:
            risky["country"] = countries.display(risky["country"], lang)
        risky = risky.rename(columns=lambda c: header(c, lang))
        return [Sheet(name=t, frame=dist,
                      charts=(Chart(kind="column", title=t, categories=header("p_buy_band", lang),
                                    values=(header("customers", lang),)),),
                      title=_("Buyers by chance of an order in the next 90 days")),
                Sheet(name=_("Win back"), frame=risky, formats={header("churn_p_buy_90d", lang): "0%"},
                      title=_("At-risk customers worth the most"))]

    @classmethod
    def render_details(cls, console, result: Scored, lang: str = "en") -> None:
        """The five at-risk customers worth the most (the columns with anything in them)."""
        from ..draw import titled_table

        risky = at_risk_valuable(result, 5)
        risky = risky[[c for c in risky.columns if risky[c].notna().any() and (risky[c].astype("str") != "").any()]]
        if "churn" in risky:
            risky = risky.assign(churn=risky["churn"].map(lambda v: label("churn", v, lang)))
        if not len(risky):
            return
        t = titled_table(console, _("At risk and worth winning back"))
        for col in risky.columns:
            t.add_column(header(col, lang), justify="right" if risky[col].dtype.kind in "fiu" else "left")
        for row in risky.itertuples(index=False):
            t.add_row(*(f"{v:,.2f}" if isinstance(v, float) else ("" if v is None else str(v)) for v in row))
        console.print(t)


# ---------------------------------------------------------------- its summary tables (of a scored result)

def order_chance_distribution(result: Scored) -> pd.DataFrame:
    """Buyers per tenth of the chance of an order in the next 90 days (0-10% ... 90-100%), for the churn chart."""
    p = result.customers["churn_p_buy_90d"].dropna()
    edges = np.linspace(0, 1, 11)
    counts = np.histogram(p.clip(0, 1), bins=edges)[0]
    return pd.DataFrame({"p_buy_band": [f"{int(a * 100)}–{int(b * 100)}%" for a, b in zip(edges[:-1], edges[1:])],
                         "customers": counts})


def at_risk_valuable(result: Scored, n: int = 20) -> pd.DataFrame:
    """The customers most worth winning back: at risk or likely lost, highest lifetime (else past) value first."""
    c = result.customers
    risky = c[c["churn"].isin(["at_risk", "likely_lost"]) & (c["monetary"] > 0)]
    worth = "clv_12m" if "clv_12m" in c and c["clv_12m"].notna().any() else "monetary"
    cols = [x for x in ("name", "email", "country", "churn", "churn_p_buy_90d", worth, "monetary", "recency_days",
                        "frequency") if x in c]
    cols = list(dict.fromkeys(cols))
    return risky.sort_values([worth, "churn_p_buy_90d"], ascending=[False, True]).head(n)[cols].reset_index()
