"""tiercli backtest: the labels judged on what customers did after the cut.

A simulated store whose answer is known (customers drawn from a BG/NBD process with known parameters), the
real histories (CDNOW cut 1997-09-30, UCI Online Retail cut 2011-09-09), and the bad-input paths.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from tiercli.backtest import auc, backtest, recency_terciles, top_share
from tiercli.cli import cli
from tiercli.config import load_config
from tiercli.lifetime import BGNBDParams, probability_of_purchase
from tiercli.schema.dataset import load_dataset

START = pd.Timestamp("2024-01-01")
WEEKS_CAL, WEEKS_OUT = 52, 13
CUT = START + pd.Timedelta(weeks=WEEKS_CAL) - pd.Timedelta(days=1)


def simulate_bgnbd(n: int, r: float, alpha: float, a: float, b: float, weeks: float, seed: int,
                   acquire_weeks: float = 48.0) -> pd.DataFrame:
    """Purchases of ``n`` customers who follow BG/NBD: rate lambda ~ Gamma(r, alpha), after each purchase
    they drop out with probability p ~ Beta(a, b); first purchase uniform in the first ``acquire_weeks``.
    Spend per order ~ Gamma, independent of frequency (the gamma-gamma assumption)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    rows = []
    for i in range(n):
        t = rng.uniform(0, acquire_weeks)
        mean_spend = rng.gamma(4.0, 15.0)
        while t < weeks:
            rows.append((f"C{i:05d}", t, round(float(rng.gamma(6.0, mean_spend / 6.0)) + 1.0, 2)))
            if rng.random() < p[i]:
                break
            t += rng.exponential(1.0 / lam[i]) if lam[i] > 0 else np.inf
    frame = pd.DataFrame(rows, columns=["customer", "week", "amount"])
    frame["date"] = START + pd.to_timedelta(np.floor(frame["week"] * 7), unit="D")
    return frame


def as_export(purchases: pd.DataFrame, path: Path) -> Path:
    export = pd.DataFrame({
        "Order ID": [f"SO{i:06d}" for i in range(len(purchases))],
        "Order Date": purchases["date"].dt.strftime("%Y-%m-%d"),
        "Customer ID": purchases["customer"],
        "Quantity": 1,
        "Amount": purchases["amount"].map(lambda v: f"{v:.2f}"),
    })
    export.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    purchases = simulate_bgnbd(3000, r=0.5, alpha=3.0, a=0.7, b=3.0, weeks=WEEKS_CAL + WEEKS_OUT, seed=7)
    return as_export(purchases, tmp_path_factory.mktemp("sim") / "orders.csv")


@pytest.fixture(scope="module")
def simulated_bt(simulated):
    cfg = load_config(None, env={})
    return backtest(load_dataset([simulated], cfg), cfg, cut=CUT.date().isoformat())


def rates(bt, column: str) -> pd.Series:
    return bt.classes[column].set_index("label")["repeat_rate"]


# ------------------------------------------------------------------------------------------ known answer


def test_probability_of_purchase_matches_a_monte_carlo_of_the_model():
    # one customer history (x=2, t_x=20, T=30 weeks) under known parameters: simulate the posterior future
    params = BGNBDParams(r=0.8, alpha=4.0, a=0.6, b=2.5, log_likelihood=0.0, n_customers=0)
    rng = np.random.default_rng(1)
    n = 400_000
    lam = rng.gamma(params.r, 1 / params.alpha, n)
    p = rng.beta(params.a, params.b, n)
    # keep the draws that produce the observed history: 2 repeats, the last at 20, none until 30 (and a
    # first purchase at 0): weight each by its likelihood instead of rejecting
    x, t_x, T, t = 2, 20.0, 30.0, 13.0
    like_alive = (1 - p) ** x * lam ** x * np.exp(-lam * T)
    like_dead = p * (1 - p) ** (x - 1) * lam ** x * np.exp(-lam * t_x)
    w = like_alive + like_dead
    alive = like_alive / w
    chance = np.sum(w * alive * (1 - np.exp(-lam * t))) / np.sum(w)
    got = probability_of_purchase(params, t, x, t_x, T)[0]
    assert got == pytest.approx(chance, abs=0.005)
    # a one-time buyer's chance falls as the silence grows; P(alive) does not
    silent = probability_of_purchase(params, t, [0, 0, 0], [0, 0, 0], [5, 20, 60])
    assert silent[0] > silent[1] > silent[2] > 0


def test_simulated_store_labels_rank_in_order(simulated_bt):
    bt = simulated_bt
    churn = rates(bt, "churn")
    assert churn["active"] > churn["at_risk"] > churn["likely_lost"]
    r = bt.ranking.set_index("measure")["auc"]
    assert r["churn"] >= r["recency_3"]
    assert r["churn_p_buy_90d"] > 0.7 and r["churn_p_alive"] < r["churn_p_buy_90d"]
    clv = rates(bt, "clv")
    assert clv["very_high"] > clv["medium"] > clv["very_low"]
    assert rates(bt, "abc")["A"] > rates(bt, "abc")["C"]
    kept = dict((text.split(":")[0], ok) for ok, text in bt.verdicts)
    assert kept["churn"] and kept["clv"] and kept["abc"] and kept["tier"]


def test_simulated_store_model_predictions_are_calibrated(simulated_bt):
    # customers drawn from the model itself: predicted repeat purchase days in the holdout match the actual
    cal = simulated_bt.calibration.set_index("repeat_days")
    assert cal.loc["all", "predicted"] == pytest.approx(cal.loc["all", "actual"], rel=0.15)
    # and the chance of an order in 90 days (13 weeks: the holdout) matches the share who ordered
    c = simulated_bt.result.customers
    buyers = c[c["frequency"] > 0]
    share = simulated_bt.outcome.loc[buyers.index, "bought"].mean()
    assert buyers["churn_p_buy_90d"].mean() == pytest.approx(share, abs=0.04)


def test_key_is_a_minority_bringing_most_of_the_next_spend(simulated_bt):
    t = simulated_bt.classes["tier"].set_index("label")
    assert t.loc["key", "share"] <= 0.30
    assert t.loc["key", "spend_share"] > 0.5


def test_declining_buys_again_less_often_than_other_repeat_buyers(simulated_bt):
    life = rates(simulated_bt, "lifecycle")
    assert life["declining"] < life["growing"]
    assert life["one_time"] < life["new"]


# ------------------------------------------------------------------------------------------ measures


def test_auc_counts_ties_as_half():
    y = pd.Series([True, False, True, False])
    assert auc(pd.Series([3.0, 1.0, 2.0, 0.0]), y) == 1.0
    assert auc(pd.Series([1.0, 1.0, 1.0, 1.0]), y) == 0.5
    assert auc(pd.Series([0.0, 1.0, 0.0, 1.0]), y) == 0.0
    assert np.isnan(auc(pd.Series([1.0, 2.0]), pd.Series([True, True])))


def test_recency_terciles_keep_ties_together_and_rank_recent_highest():
    groups = recency_terciles(pd.Series([1, 1, 1, 50, 60, 70, 300, 400, 500]))
    assert groups.tolist()[:3] == [3, 3, 3] and groups.iloc[-1] == 1


def test_top_share():
    spend = pd.Series([100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    assert top_share(pd.Series(np.arange(10, 0, -1, dtype=float)), spend) == 1.0
    assert top_share(pd.Series(np.arange(10, dtype=float)), spend) == 0.0


# ------------------------------------------------------------------------------------------ real histories


@pytest.fixture(scope="module")
def cdnow_orders(tmp_path_factory) -> Path:
    path = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cdnow_sample.txt"
    if not path.exists():
        pytest.skip("shared/data/cdnow_sample.txt not present")
    raw = pd.read_csv(path, sep=r"\s+", header=None, names=["master", "customer", "date", "cds", "dollars"],
                      dtype={"customer": str, "date": str})
    export = pd.DataFrame({"Order ID": [f"CD{i:06d}" for i in range(len(raw))],
                           "Order Date": pd.to_datetime(raw["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d"),
                           "Customer ID": raw["customer"], "Quantity": raw["cds"],
                           "Amount": raw["dollars"].map(lambda v: f"{v:.2f}")})
    out = tmp_path_factory.mktemp("cdnow") / "cdnow_orders.csv"
    export.to_csv(out, index=False)
    return out


def _promises_kept(bt) -> None:
    churn = rates(bt, "churn")
    assert churn["active"] > churn["at_risk"] > churn["likely_lost"]
    r = bt.ranking.set_index("measure")["auc"]
    assert r["churn"] >= r["recency_3"]
    assert r["churn_p_buy_90d"] > r["churn_p_alive"] + 0.2  # P(alive) ranked old one-time buyers first
    s = bt.spend.set_index("measure")
    assert s.loc["clv_12m", "top20_spend_share"] > s.loc["monetary", "top20_spend_share"]
    tier = bt.classes["tier"].set_index("label")
    buyers = tier.drop(index=["all", "potential"], errors="ignore")["customers"].sum()
    assert tier.loc["key", "customers"] / buyers <= 0.30 and tier.loc["key", "spend_share"] > 0.5
    life = rates(bt, "lifecycle")
    assert life["declining"] < life["growing"]
    c = bt.result.customers
    assert (c.loc[c["monetary"] <= 0, "clv"].dropna() == "very_low").all()
    assert not c.loc[c["frequency"] == 1, "abc"].isin(["A", "B"]).any()
    # a steady customer the model gives little chance in 90 days is told apart from one who left
    both = c["lifecycle"].isin(["growing", "mature"]) & c["churn"].eq("likely_lost")
    assert c.loc[both, "churn_reason"].str.contains("within their usual gap").all()
    assert all(ok is True for ok, _ in bt.verdicts), [t for ok, t in bt.verdicts if ok is not True]


@pytest.fixture(scope="module")
def cdnow_bt(cdnow_orders):
    cfg = load_config(None, env={})
    return backtest(load_dataset([cdnow_orders], cfg), cfg, cut="1997-09-30")


@pytest.fixture(scope="module")
def uci_bt():
    path = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "online_retail.csv.gz"
    if not path.exists():
        pytest.skip("shared/data/online_retail.csv.gz not present")
    cfg = load_config(None, env={})
    return backtest(load_dataset([path], cfg), cfg, cut="2011-09-09")


def test_cdnow_backtest_at_the_papers_cut(cdnow_bt):
    bt = cdnow_bt
    assert bt.buyers == 2357 and bt.holdout_days == 273
    _promises_kept(bt)
    cal = bt.calibration.set_index("repeat_days")
    assert cal.loc["all", "predicted"] == pytest.approx(cal.loc["all", "actual"], rel=0.2)


def test_uci_online_retail_backtest(uci_bt):
    assert uci_bt.holdout_days == 91
    _promises_kept(uci_bt)


def _now_cells(bt) -> list[str]:
    """The README's "now" column of the before/after table, as this code measures it."""
    c = bt.result.customers
    buyers = c[c["frequency"] > 0]
    churn = rates(bt, "churn")
    tier = bt.classes["tier"].set_index("label")
    life = buyers["lifecycle"].eq("declining")
    clv = rates(bt, "clv")
    falls = bool((clv.drop("all").diff().dropna() <= 0).all())
    above = int((buyers.loc[buyers["monetary"] <= 0, "clv"] != "very_low").sum())
    one = int((buyers.loc[life, "frequency"] == 1).sum())
    s = bt.spend.set_index("measure")
    return [
        f"{churn['active']:.0%} / {churn['at_risk']:.0%} / {churn['likely_lost']:.0%}",
        f"{bt.ranking.set_index('measure').loc['churn', 'auc']:.2f}",
        f"{buyers['tier'].eq('key').mean():.0%} · {tier.loc['key', 'spend_share']:.0%}",
        f"{buyers['abc'].eq('A').mean():.0%}",
        f"{life.mean():.0%} · {'none' if one == 0 else one}",
        f"{'yes' if falls else 'no'} · {above}",
        f"{s.loc['clv_12m', 'top20_spend_share']:.1%}",
    ]


def test_readme_figures_are_the_measured_ones(uci_bt, cdnow_bt):
    # the README's before/after table: its "now" columns must be what this code measures
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    head = readme.index("| | UCI before | UCI now | CDNOW before | CDNOW now |")
    rows = readme[head:].split("\n\n")[0].splitlines()[2:]
    cells = [[x.strip() for x in row.strip("|").split("|")] for row in rows]
    assert [r[2] for r in cells] == _now_cells(uci_bt), "README's UCI figures drifted: update the table"
    assert [r[4] for r in cells] == _now_cells(cdnow_bt), "README's CDNOW figures drifted: update the table"


# ------------------------------------------------------------------------------------------ the command


def test_cli_terminal_workbook_and_json(simulated, tmp_path):
    out = tmp_path / "bt.xlsx"
    run = CliRunner().invoke(cli, ["backtest", str(simulated), "--cut", CUT.date().isoformat(), "-o", str(out)])
    assert run.exit_code == 0, run.stderr
    assert f"Backtest: labels as of {CUT.date()}" in run.stdout and "✓ churn: repeat rates fall in order" in run.stdout
    assert "Who buys again" in run.stdout and "predicted vs actual" in run.stdout
    wb = openpyxl.load_workbook(out)
    assert {"Backtest", "Ranking", "Churn risk", "ABC value", "Calibration", "Run"} <= set(wb.sheetnames)
    assert wb["Churn risk"]._charts  # a chart of the classes' repeat rates
    js = CliRunner().invoke(cli, ["backtest", str(simulated), "--cut", CUT.date().isoformat(), "--format", "json"])
    assert js.exit_code == 0, js.stderr
    doc = json.loads(js.stdout)
    assert doc["cut"] == CUT.date().isoformat() and doc["holdout_days"] == 91
    assert [r["label"] for r in doc["labels"]["churn"]] == ["active", "at_risk", "likely_lost", "all"]
    assert {"measure", "auc"} <= set(doc["ranking"][0]) and doc["calibration"][-1]["repeat_days"] == "all"
    assert all(set(v) == {"kept", "finding"} for v in doc["verdicts"])


def test_cli_in_chinese(simulated):
    run = CliRunner().invoke(cli, ["backtest", str(simulated), "--holdout-days", "91", "--lang", "zh",
                                   "--segmenters", "churn"])
    assert run.exit_code == 0, run.stderr
    assert "回测" in run.stdout and "活跃" in run.stdout and "再次购买" in run.stdout


def test_default_holdout_is_the_last_90_days(simulated):
    cfg = load_config(None, env={})
    ds = load_dataset([simulated], cfg)
    bt = backtest(ds, cfg, segmenters=["rfm"])
    assert bt.holdout_days == 90 and bt.end == ds.orders["date"].max().normalize()


@pytest.mark.parametrize("args,words", [
    (["--cut", "2024-02-01"], "days before it"),          # too little history before the cut
    (["--cut", "2025-03-20"], "after it"),                # too little holdout after it
    (["--holdout-days", "400"], "a shorter one leaves more history"),
    (["--cut", "last tuesday"], "is not a date"),
])
def test_too_little_history_is_a_one_line_error(simulated, args, words):
    run = CliRunner().invoke(cli, ["backtest", str(simulated), *args])
    assert run.exit_code == 2, run.output
    assert words in run.stderr and len(run.stderr.strip().splitlines()) <= 2
    assert "Traceback" not in run.stderr


def test_a_history_too_short_for_any_cut(tmp_path):
    rows = ["Order ID,Order Date,Customer ID,Amount"] + [f"O{i},2025-01-{1 + i % 28:02d},C{i},10" for i in range(40)]
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["backtest", str(path)])
    assert run.exit_code == 2 and "Add older exports: 118 days in all are needed" in run.stderr


def test_no_orders_and_bad_output_are_errors(tmp_path, simulated):
    inquiries = tmp_path / "inquiries.csv"
    inquiries.write_text("询盘编号,询盘时间,买家ID\nQ1,2025-01-02,B1\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["backtest", str(inquiries)])
    assert run.exit_code == 2 and "needs dated orders" in run.stderr
    run = CliRunner().invoke(cli, ["backtest", str(simulated), "-o", str(tmp_path / "bt.csv")])
    assert run.exit_code == 2 and ".xlsx or .json" in run.stderr
    run = CliRunner().invoke(cli, ["backtest", str(simulated), "-o", str(tmp_path / "nope" / "bt.xlsx")])
    assert run.exit_code == 2 and "does not exist" in run.stderr


def test_too_few_buyers_before_the_cut(tmp_path):
    rows = ["Order ID,Order Date,Customer ID,Amount"]
    rows += [f"O{i},2025-0{1 + i % 3}-1{i % 9},C{i % 5},{10 + i}" for i in range(30)]
    rows += ["O99,2025-08-01,C1,50"]
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["backtest", str(path), "--cut", "2025-06-01"])
    assert run.exit_code == 2 and "needs at least 20" in run.stderr


@pytest.mark.parametrize("old,new", [("churn.active_p", "churn.active_ratio"), ("abc.b_recent_days", "abc.b_share")])
def test_a_retired_setting_says_what_replaced_it(tmp_path, old, new):
    section, name = old.split(".")
    toml = tmp_path / "tiercli.toml"
    toml.write_text(f"[{section}]\n{name} = 0.5\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["config", "--config", str(toml)])
    assert run.exit_code == 2 and "retired" in run.stderr and new in run.stderr


def test_churn_is_skipped_below_the_minimum_of_repeat_buyers(tmp_path):
    # one repeat buyer among fifty: the fit would degenerate and still label everyone
    rows = ["Order ID,Order Date,Customer ID,Amount"]
    rows += [f"O{i},2025-0{1 + i % 6}-{1 + i % 27:02d},C{i},20" for i in range(50)]
    rows += ["O90,2025-07-01,C1,30"]
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["score", str(path), "-o", str(tmp_path / "out.csv"), "--no-history"])
    assert run.exit_code == 0, run.stderr
    assert "skipped churn" in run.stdout and "1 of 50 buyers bought on more than one day" in run.stdout
    assert "churn" not in pd.read_csv(tmp_path / "out.csv").columns
    asked = CliRunner().invoke(cli, ["score", str(path), "-o", str(tmp_path / "o2.csv"), "--segmenters", "churn"])
    assert asked.exit_code == 2 and "at least 10 repeat buyers" in asked.stderr


def test_classes_too_small_to_judge_are_shown_not_judged(tmp_path):
    # the bundled Shopify example: a few new and one-time customers in the holdout, a handful of repeat buyers
    examples = Path(__file__).resolve().parents[1] / "examples" / "shopify"
    cfg = load_config(None, env={})
    bt = backtest(load_dataset([examples], cfg), cfg)
    small = [text for ok, text in bt.verdicts if ok is None]
    sizes = bt.classes["lifecycle"].set_index("label")["customers"]
    if (sizes.drop("all") < 20).any():
        assert any("too few" in text for text in small)
    run = CliRunner().invoke(cli, ["backtest", str(examples)])
    assert run.exit_code == 0 and ("· lifecycle" in run.stdout or not small)


def test_only_customers_known_at_the_cut_are_judged():
    # the example's customers file lists customers (undated) who first appear after the cut: not judged
    examples = Path(__file__).resolve().parents[1] / "examples" / "alibaba"
    cfg = load_config(None, env={})
    ds = load_dataset([examples], cfg)
    bt = backtest(ds, cfg)
    end = bt.cut + pd.Timedelta(days=1)
    dated = set()
    for t in (ds.lines, ds.inquiries, ds.events, ds.after_sales):
        if len(t):
            dated |= set(t.loc[(pd.to_datetime(t["date"]) < end).to_numpy(), "customer"].dropna())
    assert set(bt.outcome.index) <= dated and len(bt.outcome) < len(bt.result.customers)
    assert bt.classes["deal_stage"].set_index("label").loc["all", "customers"] == len(bt.outcome)


def test_a_holdout_where_nobody_bought_is_a_one_line_error(tmp_path):
    rows = ["Order ID,Order Date,Customer ID,Amount"]
    rows += [f"O{i},2024-0{1 + i % 6}-{1 + i % 27:02d},C{i % 40},20" for i in range(120)]
    rows += ["O999,2024-12-30,NEW1,20"]  # the only order after the cut: a customer nobody knew at the cut
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["backtest", str(path), "--cut", "2024-10-01"])
    assert run.exit_code == 2 and "nothing to compare" in run.stderr
