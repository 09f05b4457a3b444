"""Customer-lifetime models: BG/NBD purchase counts and gamma-gamma spend.

Maximum-likelihood fits of
  * BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way",
    Marketing Science 24(2) (equation numbers below refer to it);
  * gamma-gamma spend: Fader, Hardie & Lee (2005), "RFM and CLV", JMR 42(4);
    Colombo & Jiang (1999).
Everything is vectorized over customers (numpy/scipy only).  Times are in a
unit of ``unit_days`` days (weeks by default); ``frequency`` counts repeat
purchase *days*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tiercli.errors import InputError

from .i18n import _

MIN_CUSTOMERS = 10  # below this a 3- or 4-parameter fit is noise, whatever the optimizer says
_LOG_BOUND = 18.0  # search box for log-params: keeps gammaln/exp finite while the optimizer explores
_LOG_LIMIT = float(np.log(1e5))  # a fitted param outside [1e-5, 1e5] ran off along a flat ridge: refuse
_GTOL = 1e-3  # largest acceptable |gradient| of the mean NLL (log-params) at a "converged" point


@dataclass(frozen=True)
class BGNBDParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n_customers: int


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    n_customers: int


def _arrays(**named) -> list[np.ndarray]:
    """1-D float arrays of equal length with finite values, or InputError naming the culprit."""
    out = [np.asarray(v, dtype=float).ravel() for v in named.values()]
    n = {len(v) for v in out}
    if len(n) != 1:
        raise InputError(_("{value} must have the same length.").format(value=', '.join(named)))
    for name, v in zip(named, out):
        if not np.all(np.isfinite(v)):
            raise InputError(_("{name} has missing or infinite values; drop those customers first.").format(name=name))
    return out


def _check_rft(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise InputError(_("frequency must be a non-negative whole number of repeat purchase days."))
    if np.any(t_x < 0) or np.any(t_x > T * (1 + 1e-9) + 1e-12):
        raise InputError(_("recency must lie between 0 and T for every customer."))


# --------------------------------------------------------------------------- special functions
#
# The special functions the likelihoods need, in numpy: scipy.special is a tenth of a second to import, and the
# fits run on every default `score`.  Lanczos (g = 7, 9 terms) for ln Gamma and the asymptotic series
# after shifting past 10 for digamma agree with scipy to ~1e-14 on the positive arguments used here
# (tests/test_lifetime.py compares them); 2F1 is summed as its power series while that converges
# quickly, else scipy's is used.

_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)
_HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)


def gammaln(x):
    """ln Gamma(x) for x > 0."""
    x = np.asarray(x, dtype="float64")
    small = x < 0.5
    z = np.where(small, x + 1.0, x) - 1.0  # ln G(x) = ln G(x + 1) - ln x below 1/2
    series = _LANCZOS[0] + sum(c / (z + i) for i, c in enumerate(_LANCZOS[1:], start=1))
    t = z + 7.5
    out = _HALF_LOG_2PI + (z + 0.5) * np.log(t) - t + np.log(series)
    return np.where(small, out - np.log(x), out)


def betaln(a, b):
    return gammaln(a) + gammaln(b) - gammaln(np.asarray(a) + np.asarray(b))


def digamma(x):
    """psi(x) = d ln Gamma(x) / dx for x > 0."""
    x = np.asarray(x, dtype="float64")
    # psi(x) = psi(x + n) - sum of 1/(x + k) for k < n, with n the steps that take x to 10 or more
    steps = np.clip(np.ceil(10.0 - x), 0, 10)
    k = np.arange(10.0).reshape((10,) + (1,) * x.ndim)
    with np.errstate(divide="ignore"):
        shift = -np.where(k < steps, 1.0 / (x + k), 0.0).sum(axis=0)
    x = x + steps
    inv2 = 1.0 / (x * x)
    tail = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
    return shift + np.log(x) - 0.5 / x - tail


def expit(x):
    x = np.asarray(x, dtype="float64")
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def hyp2f1(a, b, c, z):
    """Gauss 2F1(a, b; c; z) for 0 <= z < 1 by its power series, each value summed until its terms stop
    counting; scipy's for values still unsettled after 4,000 terms (z very near 1)."""
    shape = np.broadcast_shapes(*(np.shape(v) for v in (a, b, c, z)))
    a, b, c, z = (np.broadcast_to(np.asarray(v, dtype="float64"), shape).ravel() for v in (a, b, c, z))
    total = np.ones(a.size)
    live = np.flatnonzero(z != 0)
    aa, bb, cc, zz, term = a[live], b[live], c[live], z[live], np.ones(live.size)
    k = 0
    while live.size and k < 4000:
        for _step in range(20):
            term = term * ((aa + k) * (bb + k) / ((cc + k) * (k + 1.0)) * zz)
            total[live] += term
            k += 1
        going = np.abs(term) > 1e-16 * np.abs(total[live])  # (NaN compares False: settled too)
        live, aa, bb, cc, zz, term = live[going], aa[going], bb[going], cc[going], zz[going], term[going]
    if live.size:
        from scipy.special import hyp2f1 as scipy_hyp2f1

        total[live] = scipy_hyp2f1(a[live], b[live], c[live], z[live])
    return total.reshape(shape)


class NotConverged(InputError):
    """A model fit that did not converge (a penalizer may help), whatever language says so."""


def _minimize(objective, x0: np.ndarray, what: str, hint: str) -> np.ndarray:
    """Minimize ``objective`` (value, gradient) over log-params; InputError unless it truly converged.

    A small quasi-Newton search (below) settles an ordinary fit in a few dozen evaluations without
    importing scipy.optimize (a fifth of a second, a sixth of a million-line run).  Anything it does
    not settle cleanly (no tight optimum, a parameter running off along a ridge) is decided by
    scipy's L-BFGS-B from the same start, polished by Nelder-Mead, exactly as before."""
    with np.errstate(all="ignore"):
        x, tight = _quasi_newton(objective, np.asarray(x0, dtype="float64"), _LOG_BOUND)
        if not (tight and np.all(np.abs(x) <= _LOG_LIMIT)):
            x = _scipy_minimize(objective, x0)
        fun, grad = objective(x)
    if (not np.isfinite(fun) or not np.all(np.isfinite(x))
            or np.any(np.abs(x) > _LOG_LIMIT) or np.max(np.abs(grad)) > _GTOL):
        raise NotConverged(_("The {what} fit did not converge.").format(what=what), hint=hint)
    return x


def _scipy_minimize(objective, x0: np.ndarray) -> np.ndarray:
    from scipy.optimize import minimize

    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(x0)
    res = minimize(objective, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9})
    if not res.success:  # L-BFGS-B line searches can stall near a flat optimum: polish
        res = minimize(lambda z: objective(z)[0], res.x, method="Nelder-Mead", bounds=bounds,
                       options={"maxiter": 4000, "xatol": 1e-9, "fatol": 1e-13})
    return res.x


_TIGHT = 1e-7  # |gradient| the quasi-Newton search must reach on its own to be trusted


def _quasi_newton(objective, x: np.ndarray, bound: float, max_iter: int = 400,
                  max_evals: int = 1000) -> tuple[np.ndarray, bool]:
    """BFGS with a backtracking (Armijo) line search inside the box [-bound, bound]: (point, reached a
    gradient below _TIGHT).  Three or four parameters, an analytic gradient: nothing more is needed.
    An ordinary fit settles in a few dozen evaluations (at most 50 in the tests, 42 on the UCI year); one
    stuck on a ridge (each line search halving ~33 times to a step that no longer moves x) took 12,208
    evaluations (22 s on the two-year UCI export) only to be handed to L-BFGS-B anyway.  It is handed
    over as soon as a step leaves x unchanged, and in any case after ``max_evals`` evaluations."""
    n = len(x)
    evals = 1
    f, g = objective(x)
    if not (np.isfinite(f) and np.all(np.isfinite(g))):
        return x, False
    inv_h = np.eye(n)
    for _iteration in range(max_iter):
        if np.max(np.abs(g)) < _TIGHT:
            return x, True
        d = -inv_h @ g
        slope = float(g @ d)
        if not slope < 0:  # not a descent direction: restart from steepest descent
            inv_h, d = np.eye(n), -g
            slope = float(g @ d)
        step = 1.0
        while True:
            if evals >= max_evals:
                return x, False  # no settling in sight: leave the decision to L-BFGS-B
            x_new = np.clip(x + step * d, -bound, bound)
            f_new, g_new = objective(x_new)
            evals += 1
            if np.isfinite(f_new) and np.all(np.isfinite(g_new)) and f_new <= f + 1e-4 * float(g @ (x_new - x)):
                break
            step *= 0.5
            if step < 1e-12:
                return x, False  # no progress: leave the decision to L-BFGS-B
        if np.any(np.abs(x_new) >= bound):
            return x_new, False  # at the edge of the box: a ridge, not an optimum
        if np.array_equal(x_new, x):
            # a step too small to move x passes the Armijo test (f_new == f): x, f, g and inv_h stay as
            # they are, so every later iteration would repeat it to max_iter and end here with (x, False)
            return x, False
        s_, y = x_new - x, g_new - g
        sy = float(s_ @ y)
        if sy > 1e-12 * float(np.sqrt((s_ @ s_) * (y @ y))):
            rho = 1.0 / sy
            v = np.eye(n) - rho * np.outer(s_, y)
            inv_h = v @ inv_h @ v.T + rho * np.outer(s_, s_)
        x, f, g = x_new, f_new, g_new
    return x, False


# --------------------------------------------------------------------------- BG/NBD

def _bgnbd_terms(r, alpha, a, b, x, t_x, T):
    """Per-customer log-likelihood pieces; ``L`` is the log of the second-term ratio (x > 0 only)."""
    rep = x > 0
    log_ratio = np.log(alpha + T) - np.log(alpha + t_x)
    L = np.where(rep, np.log(a) - np.log(np.where(rep, b + x - 1, 1.0)) + (r + x) * log_ratio, -np.inf)
    return rep, log_ratio, L


def _distinct(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct values of x, where each element's value sits among them).  The log-gamma and digamma
    terms of x alone are computed once per distinct value and spread out again (customers share a few
    hundred repeat-purchase counts: 4,339 customers, ~100 counts on the UCI export).  Both are
    elementwise, so every element gets the very same number as computed over x; only the work shrinks.
    One distinct value is held twice: numpy sums digamma's (10, 1) block along its axis 0 in another
    order (pairwise, as a contiguous run) than a (10, n) block (row by row), which moves the last bit."""
    xs, at = np.unique(x, return_inverse=True)
    if len(xs) == 1 and len(x) > 1:
        xs = np.repeat(xs, 2)
    return xs, at


def _bgnbd_objective(logp, x, t_x, T, penalizer, distinct=None):
    """Mean negative log-likelihood (+ L2 penalty on the params, as lifetimes) and its gradient
    (``distinct``: ``_distinct(x)``, made once per fit)."""
    xs, at = distinct if distinct is not None else _distinct(x)
    r, alpha, a, b = theta = np.exp(logp)
    rep, log_ratio, L = _bgnbd_terms(r, alpha, a, b, x, t_x, T)
    log_aT = np.log(alpha + T)
    ll = (gammaln(r + xs)[at] - gammaln(r) + r * np.log(alpha) + betaln(a, b + xs)[at] - betaln(a, b)
          - (r + x) * log_aT + np.logaddexp(0.0, L))
    s = np.where(rep, expit(L), 0.0)  # d log(1 + e^L) / dL
    psi_abx = digamma(a + b + xs)[at]
    g = np.array([
        np.sum(digamma(r + xs)[at] - digamma(r) + np.log(alpha) - log_aT + s * log_ratio),
        np.sum(r / alpha - (r + x) / (alpha + T) + s * (r + x) * (1 / (alpha + T) - 1 / (alpha + t_x))),
        np.sum(digamma(a + b) - psi_abx + s / a),
        np.sum(digamma(b + xs)[at] - digamma(b) + digamma(a + b) - psi_abx
               - s / np.where(rep, b + x - 1, 1.0)),
    ])
    n = len(x)
    value = -ll.sum() / n + penalizer * np.sum(theta**2)
    grad = (-g / n + 2 * penalizer * theta) * theta  # chain rule for log-params
    return value, grad


def fit_bgnbd(frequency, recency, T, penalizer: float = 0.0) -> BGNBDParams:
    """Fit BG/NBD (r, alpha, a, b) by maximum likelihood; InputError if the data cannot support it."""
    x, t_x, T = _arrays(frequency=frequency, recency=recency, T=T)
    _check_rft(x, t_x, T)
    if len(x) < MIN_CUSTOMERS:
        raise InputError(_("Only {n_x} customers: the purchase model needs at least {MIN_CUSTOMERS}.").format(
                             n_x=len(x), MIN_CUSTOMERS=MIN_CUSTOMERS))
    if not np.any(x > 0):
        raise InputError(_("No customer bought on more than one day, so repeat behaviour cannot be modelled."),
                         hint=_("Use a longer period or more customers."))
    if penalizer < 0:
        raise InputError(_("penalizer must be >= 0."))
    distinct = _distinct(x)
    logp = _minimize(lambda z: _bgnbd_objective(z, x, t_x, T, penalizer, distinct), np.zeros(4),
                     _("purchase (BG/NBD)"),
                     hint=_("Need more repeat customers or a longer period; or try a small penalizer such as 0.001."))
    r, alpha, a, b = np.exp(logp)
    ll = -_bgnbd_objective(logp, x, t_x, T, 0.0, distinct)[0] * len(x)
    return BGNBDParams(float(r), float(alpha), float(a), float(b), float(ll), len(x))


def p_alive(params: BGNBDParams, frequency, recency, T) -> np.ndarray:
    """P(customer still active at T): 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))."""
    x, t_x, T = _arrays(frequency=frequency, recency=recency, T=T)
    _check_rft(x, t_x, T)
    L = _bgnbd_terms(params.r, params.alpha, params.a, params.b, x, t_x, T)[2]
    return np.exp(-np.logaddexp(0.0, L))  # overflow-free 1 / (1 + e^L)


def _bracket(a, r, b, c, z):
    """1 - (1-z)^(r') 2F1(r', b'; c; z) via Euler's transform.

    The direct form multiplies a vanishing power by a 2F1 that diverges as x grows
    (c - r' - b' = a - 1 - r - x < 0); transformed, the 2F1 has parameters
    (c - r', a - 1) and converges fast, so large x and T stay exact.
    """
    # on degenerate fits (a tiny dataset) the product can be 0 x inf: NaN, shown as "not computable",
    # not a RuntimeWarning on the seller's terminal
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        return 1.0 - np.power(1.0 - z, a - 1.0) * hyp2f1(c - r, a - 1.0, c, z)


def expected_purchases(params: BGNBDParams, t, frequency, recency, T) -> np.ndarray:
    """E[purchases in the next t periods | x, t_x, T] (FHL 2005 eq. 10); t broadcasts against customers."""
    x, t_x, T = _arrays(frequency=frequency, recency=recency, T=T)
    t = np.asarray(t, dtype=float)
    if np.any(t < 0):
        raise InputError(_("t must be >= 0."))
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    head = (a + b + x - 1.0) / (a - 1.0) * _bracket(a, r + x, b + x, a + b + x - 1.0, z)
    return head * p_alive(params, x, t_x, T)


def probability_of_purchase(params: BGNBDParams, t, frequency, recency, T) -> np.ndarray:
    """P(at least one purchase in the next t periods | x, t_x, T).

    A BG/NBD customer drops out only just after a purchase, so one still alive at T buys nothing in the next t
    periods with probability e^(-lambda t); given alive, lambda ~ Gamma(r + x, alpha + T).  Hence
    P_alive * (1 - ((alpha + T) / (alpha + T + t))^(r + x)).  Unlike P(alive), which is 1 for every customer
    with one purchase day however long ago, this falls as a one-time buyer's silence grows.
    """
    x, t_x, T = _arrays(frequency=frequency, recency=recency, T=T)
    t = np.asarray(t, dtype=float)
    if np.any(t < 0):
        raise InputError(_("t must be >= 0."))
    r, alpha = params.r, params.alpha
    silent = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
    return p_alive(params, x, t_x, T) * (1.0 - silent)


def expected_purchases_new(params: BGNBDParams, t) -> np.ndarray:
    """Unconditional E[X(t)] for a customer who made a first purchase at time 0 (FHL 2005 eq. 7)."""
    t = np.asarray(t, dtype=float)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    return (a + b - 1.0) / (a - 1.0) * _bracket(a, r, b, a + b - 1.0, t / (alpha + t))


# --------------------------------------------------------------------------- gamma-gamma

def _gg_objective(logp, x, m, penalizer, distinct=None):
    """Mean negative log-likelihood of mean spend m given x, its gradient, and the L2 penalty
    (``distinct``: ``_distinct(x)``, made once per fit)."""
    xs, at = distinct if distinct is not None else _distinct(x)
    p, q, g = theta = np.exp(logp)
    px = p * x
    pxs = p * xs
    log_xm_g = np.log(x * m + g)
    psi_pxq = digamma(pxs + q)[at]
    ll = (gammaln(pxs + q)[at] - gammaln(pxs)[at] - gammaln(q) + q * np.log(g) + (px - 1) * np.log(m)
          + px * np.log(x) - (px + q) * log_xm_g)
    grad = np.array([
        np.sum(x * (psi_pxq - digamma(pxs)[at] + np.log(m) + np.log(x) - log_xm_g)),
        np.sum(psi_pxq - digamma(q) + np.log(g) - log_xm_g),
        np.sum(q / g - (px + q) / (x * m + g)),
    ])
    n = len(x)
    return -ll.sum() / n + penalizer * np.sum(theta**2), (-grad / n + 2 * penalizer * theta) * theta


def fit_gamma_gamma(frequency, monetary, penalizer: float = 0.0) -> GammaGammaParams:
    """Fit the gamma-gamma spend model (p, q, gamma) on repeat customers (x >= 1; others are ignored).

    Spend is rescaled by its median while fitting (the model is scale-equivariant:
    gamma scales, p and q do not), so the fit and the penalizer do not depend on
    the currency; the penalty applies to p, q and gamma / median.
    """
    x, m = _arrays(frequency=frequency, monetary=monetary)
    rep = x >= 1
    x, m = x[rep], m[rep]
    if len(x) < MIN_CUSTOMERS:
        raise InputError(_("Only {n_x} repeat customers: the spend model needs at least {MIN_CUSTOMERS}.").format(
                             n_x=len(x), MIN_CUSTOMERS=MIN_CUSTOMERS),
                         hint=_("Use a longer period or more customers."))
    if np.any(m <= 0):
        raise InputError(_("{value} repeat customers have mean spend <= 0 (refunds?).").format(
                             value=int(np.sum(m <= 0))),
                         hint=_("Drop them before fitting the spend model."))
    if penalizer < 0:
        raise InputError(_("penalizer must be >= 0."))
    scale = float(np.median(m))
    distinct = _distinct(x)
    logp = _minimize(lambda z: _gg_objective(z, x, m / scale, penalizer, distinct), np.zeros(3),
                     _("spend (gamma-gamma)"),
                     hint=_("Need more repeat customers with varied spend; or try a small penalizer such as 0.001."))
    p, q, g = np.exp(logp)
    g *= scale
    ll = -_gg_objective(np.log([p, q, g]), x, m, 0.0, distinct)[0] * len(x)
    return GammaGammaParams(float(p), float(q), float(g), float(ll), len(x))


def expected_spend(params: GammaGammaParams, frequency, monetary) -> np.ndarray:
    """E[spend per purchase | x, m]: (gamma + m x) p / (p x + q - 1); the population mean p gamma / (q - 1) for x = 0."""
    x, m = _arrays(frequency=frequency, monetary=monetary)
    p, q, g = params.p, params.q, params.gamma
    if q <= 1 and np.any(x == 0):
        raise InputError(_("The spend model has q <= 1, so one-time buyers have no finite expected spend."))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, (g + m * x) * p / (p * x + q - 1), p * g / (q - 1))


def spend_frequency_correlation(frequency, monetary) -> float:
    """Pearson correlation of frequency and mean spend over repeat customers (the model assumes ~0)."""
    x, m = _arrays(frequency=frequency, monetary=monetary)
    rep = x > 0
    if rep.sum() < 3 or np.ptp(x[rep]) == 0 or np.ptp(m[rep]) == 0:
        return float("nan")
    return float(np.corrcoef(x[rep], m[rep])[0, 1])


# --------------------------------------------------------------------------- CLV

def customer_lifetime_value(bg: BGNBDParams, gg: GammaGammaParams, frequency, recency, T, monetary,
                            months: int = 12, discount_rate_monthly: float = 0.01,
                            unit_days: float = 7, spend=None) -> np.ndarray:
    """Discounted value of the next ``months``: sum_i E[purchases in month i] E[spend] / (1+d)^i.

    A month is 365.25/12 days (lifetimes uses 4.345 weeks, i.e. 30.4 days, for weekly data).  ``spend``:
    each customer's expected spend per purchase when already computed (else from ``gg``, x and monetary).
    """
    x, t_x, T, m = _arrays(frequency=frequency, recency=recency, T=T, monetary=monetary)
    if months < 1 or discount_rate_monthly <= -1:
        raise InputError(_("months must be >= 1 and the discount rate > -100%."))
    month = 365.25 / 12 / unit_days
    i = np.arange(months + 1, dtype=float)[:, None]  # (months+1, 1) broadcasts over customers
    cum = expected_purchases(bg, i * month, x, t_x, T)
    per_month = np.diff(cum, axis=0)
    disc = (1.0 + discount_rate_monthly) ** -i[1:]
    per_purchase = expected_spend(gg, x, m) if spend is None else np.asarray(spend, dtype=float)
    return per_purchase * np.sum(per_month * disc, axis=0)


# --------------------------------------------------------------------------- data prep

def _day(value) -> pd.Timestamp:
    """A cut-off as a naive calendar day (local wall time, like the purchase dates)."""
    ts = pd.Timestamp(value)
    return (ts.tz_localize(None) if ts.tzinfo is not None else ts).normalize()


def summary_from_transactions(frame: pd.DataFrame, customer_col: str, date_col: str, value_col: str | None,
                              calibration_end=None, observation_end=None, unit_days: float = 7) -> pd.DataFrame:
    """Per-customer frequency, recency, T, monetary (and holdout counts) from a transaction table.

    Purchases are counted per day (same-day purchases merge, values summed).
    ``observation_end`` defaults to the last date, ``calibration_end`` to
    ``observation_end``; customers first seen after ``calibration_end`` are left out.
    """
    cols = [customer_col, date_col] + ([value_col] if value_col is not None else [])
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise InputError(_("Missing column(s): {value}.").format(value=', '.join(map(str, missing))))
    try:
        dates = pd.to_datetime(frame[date_col])
    except (ValueError, TypeError) as exc:
        raise InputError(_("Column {date_col} has values that are not dates ({exc}).").format(
                             date_col=repr(date_col), exc=exc)) from None
    values = (pd.to_numeric(frame[value_col], errors="coerce") if value_col is not None
              else pd.Series(0.0, index=frame.index))
    for name, s in ((customer_col, frame[customer_col]), (date_col, dates), (value_col, values)):
        if s.isna().any():
            raise InputError(_("{value} rows have a missing or non-numeric {name}; drop them first.").format(
                                 value=int(s.isna().sum()), name=repr(name)))
    days = dates.dt.tz_localize(None) if dates.dt.tz is not None else dates
    days = days.dt.normalize()
    obs_end = days.max() if observation_end is None else _day(observation_end)
    cal_end = obs_end if calibration_end is None else _day(calibration_end)
    if cal_end > obs_end:
        raise InputError(_("calibration_end must not be after observation_end."))

    tx = pd.DataFrame({"c": frame[customer_col].to_numpy(), "d": days.to_numpy(), "v": values.to_numpy()})
    daily = tx[tx["d"] <= obs_end].groupby(["c", "d"], sort=True)["v"].sum().reset_index()
    cal = daily[daily["d"] <= cal_end]
    if cal.empty:
        raise InputError(_("No purchases on or before the calibration end {value}.").format(value=cal_end.date()))
    g = cal.groupby("c", sort=True)
    first, last, n_days = g["d"].min(), g["d"].max(), g.size()
    total, first_value = g["v"].sum(), g["v"].first()  # rows are date-sorted within customer
    unit = pd.Timedelta(days=unit_days)
    out = pd.DataFrame({"frequency": (n_days - 1).astype("int64"),
                        "recency": (last - first) / unit,
                        "T": (cal_end - first) / unit})
    freq = out["frequency"].to_numpy()
    if value_col is not None:
        # FHL / lifetimes: mean over repeat days only; the first purchase day is excluded.
        out["monetary"] = np.where(freq > 0, (total - first_value).to_numpy() / np.maximum(freq, 1), 0.0)
    if obs_end > cal_end:
        hold = daily[daily["d"] > cal_end].groupby("c").size()
        out["frequency_holdout"] = hold.reindex(out.index, fill_value=0).astype("int64")
        out["duration_holdout"] = (obs_end - cal_end) / unit
    out.index.name = customer_col
    return out
