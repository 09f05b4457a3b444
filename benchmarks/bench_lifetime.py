"""Benchmark the BG/NBD and gamma-gamma fits on customers simulated from the CDNOW estimates.

    python benchmarks/bench_lifetime.py                 # 100,000 customers, median of 3 runs
    python benchmarks/bench_lifetime.py --smoke         # 1,000 customers, 1 run (for CI)
    python benchmarks/bench_lifetime.py --customers 500000

Times are wall-clock (time.perf_counter).  So the figures can be compared across
machines, the same run also times one evaluation of the BG/NBD log-likelihood
(value and gradient, the unit of work the optimizer repeats) and a plain scipy
L-BFGS-B minimization of a 4-parameter quadratic; the JSON keeps the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import scipy
from scipy.optimize import minimize

from tiercli import lifetime as lt

# Published CDNOW estimates (Fader, Hardie & Lee 2005): BG/NBD and gamma-gamma spend.
TRUE_BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
TRUE_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}
RESULTS = Path(__file__).resolve().parent / "results" / "lifetime.json"


def simulate(n: int, seed: int) -> dict[str, np.ndarray]:
    """Customers from the BG/NBD + gamma-gamma generative process, entering over 12 weeks of a 39-week window."""
    rng = np.random.default_rng(seed)
    T = rng.uniform(27.0, 39.0, n)
    lam = rng.gamma(TRUE_BG["r"], 1.0 / TRUE_BG["alpha"], n)
    k = rng.geometric(rng.beta(TRUE_BG["a"], TRUE_BG["b"], n))  # drops out right after its k-th repeat purchase
    n_events = rng.poisson(lam * T)
    cust = np.repeat(np.arange(n), n_events)
    times = rng.uniform(0.0, 1.0, cust.size) * T[cust]  # given their count, Poisson times are uniform
    order = np.lexsort((times, cust))
    cust, times = cust[order], times[order]
    rank = np.arange(cust.size) - np.repeat(np.cumsum(n_events) - n_events, n_events)
    keep = rank < k[cust]
    x = np.bincount(cust[keep], minlength=n)
    t_x = np.zeros(n)
    np.maximum.at(t_x, cust[keep], times[keep])
    # spend: per-customer scale nu ~ Gamma(q, gamma); the sum of x purchases ~ Gamma(p x, nu)
    nu = rng.gamma(TRUE_GG["q"], 1.0 / TRUE_GG["gamma"], n)
    monetary = np.where(x > 0, rng.gamma(np.maximum(TRUE_GG["p"] * x, 1e-9), 1.0 / nu) / np.maximum(x, 1), 0.0)
    return {"frequency": x.astype(float), "recency": t_x, "T": T, "monetary": monetary}


def median_time(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20050401)
    parser.add_argument("--smoke", action="store_true", help="1,000 customers, 1 run")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    n, runs = (1_000, 1) if args.smoke else (args.customers, args.runs)

    start = time.perf_counter()
    data = simulate(n, args.seed)
    simulate_s = time.perf_counter() - start
    x, t_x, T, m = data["frequency"], data["recency"], data["T"], data["monetary"]

    bg_s, bg = median_time(lambda: lt.fit_bgnbd(x, t_x, T), runs)
    gg_s, gg = median_time(lambda: lt.fit_gamma_gamma(x, m), runs)

    # References measured in the same process: one log-likelihood (+ gradient) evaluation at
    # the true params, and scipy's overhead on a trivial 4-parameter problem.
    ref_runs = max(5, 7 * runs)
    at = np.log(list(TRUE_BG.values()))
    ll_s, _ = median_time(lambda: lt._bgnbd_objective(at, x, t_x, T, 0.0), ref_runs)
    rep = x > 0
    at_gg = np.log([TRUE_GG["p"], TRUE_GG["q"], TRUE_GG["gamma"]])
    gg_ll_s, _ = median_time(lambda: lt._gg_objective(at_gg, x[rep], m[rep], 0.0), ref_runs)
    target = np.array([1.0, -2.0, 0.5, 3.0])
    quad_s, _ = median_time(lambda: minimize(lambda z: (np.sum((z - target) ** 2), 2 * (z - target)),
                                             np.zeros(4), jac=True, method="L-BFGS-B"), ref_runs)

    fitted_bg = {k: getattr(bg, k) for k in TRUE_BG}
    fitted_gg = {k: getattr(gg, k) for k in TRUE_GG}
    result = {
        "benchmark": "lifetime", "mode": "smoke" if args.smoke else "full",
        "customers": n, "repeat_customers": int(rep.sum()), "runs": runs, "seed": args.seed,
        "simulate_s": simulate_s,
        "fit_bgnbd_s": bg_s, "fit_gamma_gamma_s": gg_s,
        "bgnbd_loglik_eval_s": ll_s, "gamma_gamma_loglik_eval_s": gg_ll_s,
        "scipy_quadratic_4p_s": quad_s,
        "fit_bgnbd_in_loglik_evals": bg_s / ll_s, "fit_gamma_gamma_in_loglik_evals": gg_s / gg_ll_s,
        "true_bgnbd": TRUE_BG, "fitted_bgnbd": fitted_bg,
        "true_gamma_gamma": TRUE_GG, "fitted_gamma_gamma": fitted_gg,
        "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
        "machine": platform.machine(), "cpus": os.cpu_count(),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    print(f"{n:,} simulated customers ({int(rep.sum()):,} repeat), median of {runs} run(s)")
    print(f"{'step':<34}{'seconds':>10}{'x one LL eval':>15}")
    for name, s, unit in (("fit_bgnbd", bg_s, ll_s), ("fit_gamma_gamma", gg_s, gg_ll_s),
                          ("BG/NBD log-likelihood + gradient", ll_s, ll_s),
                          ("gamma-gamma log-likelihood + grad", gg_ll_s, gg_ll_s),
                          ("scipy L-BFGS-B, 4-param quadratic", quad_s, None),
                          ("simulate", simulate_s, None)):
        print(f"{name:<34}{s:>10.4f}{(f'{s / unit:>15.1f}' if unit else ''):>15}")
    print("params  " + "  ".join(f"{k}={fitted_bg[k]:.3f} (true {v})" for k, v in TRUE_BG.items()))
    print("        " + "  ".join(f"{k}={fitted_gg[k]:.3f} (true {v})" for k, v in TRUE_GG.items()))
    print(f"wrote {args.output}")
    return result


if __name__ == "__main__":
    main()
