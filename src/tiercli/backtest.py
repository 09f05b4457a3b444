"""backtest — do the labels mean what they say, on the seller's own history?

Cut the history at a date, tier the customers as of the cut exactly as ``score`` would (the same dataset,
the same settings, only what happened up to the cut counts), then look at what each label's customers did in
the holdout after it: who bought again, how often, how much.

- Per label column and class: customers, share, bought again (rate), orders and spend per customer, share of
  the holdout's spend.
- Ordered labels (a segmenter's ``ranks``: most to least likely to buy) and score columns (its ``scores``):
  the AUC for "buys in the holdout" (the chance that a random buyer is ranked above a random non-buyer; 0.5 is
  a coin), beside two baselines every seller could compute: days since the last order, and the same cut into
  three equal groups (what a three-class label can reach at best with recency alone).
- Spend: Spearman correlation of each value score with the holdout's spend, and the share of that spend
  made by the top 20% of customers by the score, beside the past net value (``monetary``).
- The BG/NBD calibration/holdout table (Fader, Hardie & Lee 2005): mean predicted vs actual repeat purchase
  days in the holdout by the number of repeat purchase days before the cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .config import Config
from .errors import InputError
from .features import known_keys, split_orders
from .i18n import N_, _, tr, using
from .schema.dataset import Dataset
from .scoring import ScoreResult, score_dataset

MIN_HOLDOUT_DAYS = 28       # shorter than a month says little about "buys again"
MIN_HISTORY_DAYS = 90       # before the cut: enough for a second order to show
MIN_BUYERS = 20             # buyers before the cut
MIN_CLASS = 20              # a class with fewer customers is shown but not judged: its repeat rate is noise
TOP_SHARE = 0.2             # "the top 20% by the score made X% of the holdout's spend"


@dataclass
class Backtest:
    """What ``tiercli backtest`` found: the scoring at the cut and what followed it."""

    result: ScoreResult            # the customers as of the cut, every label
    cut: pd.Timestamp              # last day of the history the labels saw
    end: pd.Timestamp              # last day of the holdout
    outcome: pd.DataFrame          # per customer known at the cut: bought, orders, purchase_days, spend
    classes: dict[str, pd.DataFrame] = field(default_factory=dict)   # label column -> per-class table
    ranking: pd.DataFrame = field(default_factory=pd.DataFrame)      # AUC of labels and scores vs baselines
    spend: pd.DataFrame = field(default_factory=pd.DataFrame)        # value scores vs next-period spend
    calibration: pd.DataFrame | None = None                          # BG/NBD predicted vs actual
    calibration_note: str = ""
    verdicts: list[tuple[bool | None, str]] = field(default_factory=list)  # (kept? None: too few), one line

    @property
    def holdout_days(self) -> int:
        return int((self.end - self.cut).days)

    @property
    def buyers(self) -> int:
        return int((self.result.customers["frequency"] > 0).sum())


# --------------------------------------------------------------------------------------------- the cut


def resolve_cut(dataset: Dataset, cut: str | None, holdout_days: int | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(cut, end): the last day the labels see and the last day of the holdout.

    Default: the last ``holdout_days`` (90) days of the order history are the holdout.  With ``--cut`` the
    holdout runs from the day after it to the last order date (or for ``holdout_days`` when given too).
    """
    orders = dataset.orders
    if not len(orders) or orders["date"].notna().sum() == 0:
        raise InputError(_("a backtest needs dated orders: none among the inputs."),
                         hint=_("Add the order export (tiercli inspect shows what each file is)."))
    first = orders["date"].min().normalize()
    last = orders["date"].max().normalize()
    span = int((last - first).days)
    if cut is not None:
        try:
            when = pd.Timestamp(str(cut)).normalize()
        except (ValueError, TypeError):
            raise InputError(_("--cut {cut} is not a date.").format(cut=repr(cut)), hint=_("Use YYYY-MM-DD.")) from None
        end = min(last, when + pd.Timedelta(days=holdout_days)) if holdout_days else last
    else:
        days = int(holdout_days) if holdout_days else 90
        when, end = last - pd.Timedelta(days=days), last
    before, after = int((when - first).days), int((end - when).days)
    if before < MIN_HISTORY_DAYS or after < MIN_HOLDOUT_DAYS:
        room = span - MIN_HISTORY_DAYS
        window = dict(start=(first + pd.Timedelta(days=MIN_HISTORY_DAYS)).date(),
                      end=(last - pd.Timedelta(days=MIN_HOLDOUT_DAYS)).date(), holdout=MIN_HOLDOUT_DAYS)
        if room < MIN_HOLDOUT_DAYS:
            hint = _("Add older exports: {days} days in all are needed.").format(
                days=MIN_HISTORY_DAYS + MIN_HOLDOUT_DAYS)
        elif before < MIN_HISTORY_DAYS:
            hint = _("Pick a cut between {start} and {end} (--cut), and --holdout-days of at least {holdout} (a "
                     "shorter one leaves more history before the cut).").format(**window)
        else:
            hint = _("Pick a cut between {start} and {end} (--cut), and --holdout-days of at least {holdout}."
                     ).format(**window)
        raise InputError(_("the orders span {span} days ({first} to {last}); the cut {cut} leaves {before} days "
                           "before it and {after} after it, and a backtest needs at least {history} days of orders "
                           "before the cut and {holdout} after it.").format(
                             span=span, first=first.date(), last=last.date(), cut=when.date(), before=before,
                             after=after, history=MIN_HISTORY_DAYS, holdout=MIN_HOLDOUT_DAYS), hint=hint)
    return when, end


# --------------------------------------------------------------------------------------------- outcomes


def holdout_outcome(dataset: Dataset, index: pd.Index, cut: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Per customer in ``index``: what they did after the cut, through ``end``.

    ``bought``: at least one paid non-sample order; ``orders``: how many; ``purchase_days``: on how many days
    (what the purchase model counts); ``spend``: their net value (cancellations and refunds netted, as in
    ``monetary``).
    """
    o = dataset.orders
    window = o[(o["date"] >= cut + pd.Timedelta(days=1)) & (o["date"] < end + pd.Timedelta(days=1))]
    _lines, deal, credit = split_orders(window)
    g = deal.groupby("customer")
    out = pd.DataFrame(index=index)
    out["orders"] = g["order_id"].nunique().reindex(index).fillna(0).astype("int64")
    out["purchase_days"] = (deal["date"].dt.normalize().groupby(deal["customer"]).nunique()
                            .reindex(index).fillna(0).astype("int64"))
    out["spend"] = (g["net_value"].sum().reindex(index).fillna(0.0)
                    + credit.groupby("customer")["net_value"].sum().reindex(index).fillna(0.0))
    out["bought"] = out["orders"] > 0
    return out


# --------------------------------------------------------------------------------------------- measures


def auc(score: pd.Series, outcome: pd.Series) -> float:
    """Area under the ROC curve of ``score`` (higher = more likely) for the boolean ``outcome``.

    The Mann-Whitney statistic with average ranks for ties, so a label with three classes is scored fairly.
    NaN when either class is empty.
    """
    ok = score.notna()
    s, y = score[ok].astype("float64"), outcome[ok].astype(bool)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = s.rank(method="average")
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def spearman(a: pd.Series, b: pd.Series) -> float:
    ok = a.notna() & b.notna()
    if ok.sum() < 3:
        return float("nan")
    return float(a[ok].rank().corr(b[ok].rank()))


def top_share(score: pd.Series, spend: pd.Series, share: float = TOP_SHARE) -> float:
    """Share of the holdout's spend made by the top ``share`` of customers by ``score`` (ties by id)."""
    ok = score.notna()
    total = spend[ok].clip(lower=0).sum()
    if total <= 0:
        return float("nan")
    order = pd.DataFrame({"s": score[ok], "v": spend[ok].clip(lower=0)}).sort_values("s", ascending=False,
                                                                                      kind="stable")
    n = max(1, int(round(len(order) * share)))
    return float(order["v"].iloc[:n].sum() / total)


def recency_terciles(recency: pd.Series) -> pd.Series:
    """Days since the last order cut into three equal groups (ties kept together): 3 = most recent."""
    r = recency.astype("float64")
    groups = pd.qcut(r.rank(method="min"), 3, labels=False, duplicates="drop")
    return (groups.max() - groups + 1).astype("float64") if groups.notna().any() else groups


# --------------------------------------------------------------------------------------------- the run


def backtest(dataset: Dataset, config: Config, *, cut: str | None = None, holdout_days: int | None = None,
             segmenters: list[str] | None = None, inputs: list[str] = ()) -> Backtest:
    """Score ``dataset`` as of the cut and compare every label with what its customers did afterwards."""
    when, end = resolve_cut(dataset, cut, holdout_days)
    result = score_dataset(dataset, config, when, segmenters=segmenters, inputs=inputs)
    cust = result.customers
    buyers = cust["frequency"] > 0
    if int(buyers.sum()) < MIN_BUYERS:
        raise InputError(_("only {n} customers bought before the cut {cut}; a backtest needs at least {least}."
                           ).format(n=int(buyers.sum()), cut=when.date(), least=MIN_BUYERS),
                         hint=_("Cut later (--cut) or add older exports."))
    # judged: the customers the seller could see at the cut (a dated order, inquiry, visit or case by then);
    # a customers-file row with nothing dated is no evidence of existing at the cut
    known = cust.index[cust.index.isin(known_keys(dataset, when + pd.Timedelta(days=1), dated_only=True))]
    out = holdout_outcome(dataset, known, when, end)
    if not out["bought"].any():
        raise InputError(_("nobody among the {n_known:,} customers known at the cut {value} ordered between {value2} "
                           "and {value3}, so there is nothing to compare the labels with.").format(
                             n_known=len(known), value=when.date(), value2=(when + pd.Timedelta(days=1)).date(),
                             value3=end.date()), hint=_("Cut earlier (--cut) or add the later exports."))
    bt = Backtest(result, when, end, out)
    bt.classes = class_tables(result, out)
    bt.ranking = ranking_table(result, out)
    bt.spend = spend_table(result, out)
    bt.calibration, bt.calibration_note = calibration_table(result, out, when, end)
    bt.verdicts = verdicts(bt)
    return bt


def _label_columns(result: ScoreResult) -> list[tuple[str, type, list[str]]]:
    """(column, segmenter, codes in display order) for every label column of the segmenters that ran."""
    cols = []
    for cls in result.ran:
        cols.append((cls.name, cls, list(cls.labels)))
        for extra, codes in cls.extra_labels.items():
            cols.append((extra, cls, list(codes)))
    return [c for c in cols if c[0] in result.customers]


def class_tables(result: ScoreResult, out: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per label column: one row per class (display order) and one for everyone labelled."""
    cust = result.customers
    total_spend = out["spend"].clip(lower=0).sum()
    tables = {}
    for col, _cls, codes in _label_columns(result):
        lab = cust.loc[out.index, col].astype("object")
        lab = lab.where(lab.notna())
        lab = lab[lab.notna() & (lab.astype("str") != "")]
        if not len(lab):
            continue
        frame = out.loc[lab.index].assign(label=lab.astype("str"))
        g = frame.groupby("label", sort=False)
        t = pd.DataFrame({
            "customers": g.size(),
            "bought": g["bought"].sum(),
            "orders": g["orders"].sum(),
            "spend": g["spend"].sum(),
            "spend_pos": g["spend"].apply(lambda s: s.clip(lower=0).sum()),
        })
        seen = [c for c in codes if c in t.index] + sorted(c for c in t.index if c not in codes)
        t = t.reindex(seen)
        t.loc["all"] = [len(frame), frame["bought"].sum(), frame["orders"].sum(), frame["spend"].sum(),
                        frame["spend"].clip(lower=0).sum()]
        t["share"] = t["customers"] / len(frame)
        t["repeat_rate"] = t["bought"] / t["customers"]
        t["orders_per_customer"] = t["orders"] / t["customers"]
        t["spend_per_customer"] = t["spend"] / t["customers"]
        t["spend_share"] = t["spend_pos"] / total_spend if total_spend > 0 else np.nan
        t = t.drop(columns="spend_pos").reset_index(names="label")
        t["customers"] = t["customers"].astype("int64")
        t["bought"] = t["bought"].astype("int64")
        tables[col] = t[["label", "customers", "share", "bought", "repeat_rate", "orders_per_customer", "spend",
                         "spend_per_customer", "spend_share"]]
    return tables


def _ranked_label(cust: pd.DataFrame, col: str, ranks: tuple[str, ...]) -> pd.Series:
    """An ordered label as a number (the best class highest); classes outside ``ranks`` are NaN."""
    value = {code: float(len(ranks) - i) for i, code in enumerate(ranks)}
    return cust[col].astype("object").map(value).astype("float64")


def ranking_table(result: ScoreResult, out: pd.DataFrame) -> pd.DataFrame:
    """AUC for "buys in the holdout" of every ordered label and score column, among the customers who had
    bought before the cut, beside the recency baselines."""
    cust = result.customers
    buyers = cust.index[cust["frequency"] > 0]
    y = out.loc[buyers, "bought"]
    c = cust.loc[buyers]
    rows = [{"measure": "recency_days", "kind": "baseline", "what": N_("days since the last order (fewer = higher)"),
             "auc": auc(-c["recency_days"].astype("float64"), y), "customers": len(buyers)},
            {"measure": "recency_3", "kind": "baseline", "what": N_("the same, cut into three equal groups"),
             "auc": auc(recency_terciles(c["recency_days"]), y), "customers": len(buyers)}]
    for cls in result.ran:
        for col, order in cls.ranks.items():
            if col in c:
                s = _ranked_label(c, col, order)
                rows.append({"measure": col, "kind": "label", "what": " > ".join(order), "auc": auc(s, y),
                             "customers": int(s.notna().sum())})
        for col in cls.scores:
            if col in c:
                s = c[col].astype("float64")
                rows.append({"measure": col, "kind": "score", "what": N_("higher = more likely"), "auc": auc(s, y),
                             "customers": int(s.notna().sum())})
    return pd.DataFrame(rows)


def spend_table(result: ScoreResult, out: pd.DataFrame) -> pd.DataFrame:
    """How well value figures rank the holdout's spend, among past buyers, beside past net value."""
    from .segmenters.base import header

    cust = result.customers
    buyers = cust.index[cust["frequency"] > 0]
    c, spend = cust.loc[buyers], out.loc[buyers, "spend"]
    measures = [("monetary", "baseline", N_("past net value"))]
    for cls in result.ran:
        measures += [(col, "score", f"{cls.name}: {header(col, 'en')}") for col in cls.value_scores]
    rows = []
    for col, kind, what in measures:
        if col in c:
            s = c[col].astype("float64")
            rows.append({"measure": col, "kind": kind, "what": what, "spearman": spearman(s, spend),
                         "top20_spend_share": top_share(s, spend), "customers": int(s.notna().sum())})
    return pd.DataFrame(rows)


def calibration_table(result: ScoreResult, out: pd.DataFrame, cut: pd.Timestamp,
                      end: pd.Timestamp) -> tuple[pd.DataFrame | None, str]:
    """Mean predicted vs actual repeat purchase days in the holdout, by repeat purchase days before the cut."""
    from .lifetime import expected_purchases
    from .segmenters.churn import fit_purchase_model, rft

    if "churn" not in result.segmenter_names:
        why = result.skipped.get("churn", _("churn was not asked for"))
        return None, _("no purchase model: {why}").format(why=why)
    cust, config = result.customers, result.config
    unit = float(config["churn.unit_days"])
    params, _penalizer = fit_purchase_model(cust, config)
    buyers, x, t_x, T = rft(cust, unit)
    t = (end - cut).days / unit
    predicted = expected_purchases(params, t, x, t_x, T)
    idx = cust.index[buyers]
    frame = pd.DataFrame({"x": x, "predicted": predicted, "actual": out.loc[idx, "purchase_days"].to_numpy()},
                         index=idx)
    top = 7
    frame["group"] = np.minimum(frame["x"], top).astype("int64")
    g = frame.groupby("group")
    table = pd.DataFrame({"customers": g.size(), "actual": g["actual"].mean(), "predicted": g["predicted"].mean()})
    table.loc[-1] = [len(frame), frame["actual"].mean(), frame["predicted"].mean()]
    table = table.reset_index(names="repeat_days")
    table["repeat_days"] = [("all" if k == -1 else f"{k}+" if k == top else str(k)) for k in table["repeat_days"]]
    return table, _holdout_words(int((end - cut).days), unit)


def _holdout_words(days: int, unit: float) -> str:
    return _("holdout {days} days = {units} model time units of {unit} days").format(
        days=days, units=f"{days / unit:.1f}", unit=f"{unit:g}")


def verdicts(bt: Backtest, lang: str = "en") -> list[tuple[bool | None, str]]:
    """(kept?, one line in ``lang``) per promise a label makes, on this history; kept is None where the classes
    are too small to judge (under MIN_CLASS customers).  English names labels by their codes (as the JSON and
    the settings do), Chinese by their words."""
    name, title = _namers(lang)
    with using(lang):
        return _verdicts(bt, name, title)


def _namers(lang: str):
    """(name, title): a class and a label column as a verdict in ``lang`` names them."""
    from .segmenters.base import header, label

    zh = lang == "zh"

    def name(col: str, code: str) -> str:  # the class as the seller reads it elsewhere
        return label(col, code, lang) if zh else code

    def title(col: str) -> str:
        return header(col, lang) if zh else col

    return name, title


def _verdicts(bt: Backtest, name, title) -> list[tuple[bool | None, str]]:
    lines = []
    r = bt.ranking.set_index("measure")["auc"] if len(bt.ranking) else pd.Series(dtype="float64")
    base3, base = r.get("recency_3", np.nan), r.get("recency_days", np.nan)
    days = bt.holdout_days
    for cls in bt.result.ran:
        for col, order in cls.ranks.items():
            t = bt.classes.get(col)
            if t is None or col not in r.index:
                continue
            t = t.set_index("label").reindex([c for c in order if c in set(t["label"])])
            small = t.index[t["customers"] < MIN_CLASS]
            rates = t["repeat_rate"].drop(index=small)
            if len(rates) < 2:  # nothing left to compare: a small shop's classes are too small to judge
                lines.append((None, _("{label}: fewer than {least} customers in all but one class, too few to judge"
                                      ).format(label=title(col), least=MIN_CLASS)))
                continue
            falling = bool((rates.diff().dropna() < 0).all())  # a tie is no order
            shown = (" > " if falling else _(", ")).join(f"{name(col, k)} {v:.0%}" for k, v in rates.items())
            unjudged = ("" if not len(small) else _("; {classes} under {least} customers, left out").format(
                classes=_(", ").join(name(col, k) for k in small), least=MIN_CLASS))
            head = (_("{label}: repeat rates fall in order ({shown}{unjudged})") if falling else
                    _("{label}: repeat rates do NOT fall in order ({shown}{unjudged})")).format(
                label=title(col), shown=shown, unjudged=unjudged)
            if cls.predicts == "buying":
                a = r[col]
                beats = not np.isfinite(base3) or a >= base3 - 1e-9
                lines.append((bool(falling and beats), _(
                    "{head}; AUC {auc} {cmp} recency in three groups {base3} (recency alone {base})").format(
                    head=head, auc=f"{a:.2f}", cmp="≥" if beats else "<", base3=f"{base3:.2f}", base=f"{base:.2f}")))
            else:
                split = " · ".join(_("{label} {share} of customers, {spend} of it").format(
                    label=name(col, k), share=f"{row.share:.0%}", spend=f"{row.spend_share:.0%}")
                    for k, row in t.iterrows())
                lines.append((falling, _("{head}; the next {days} days' spend: {split}").format(
                    head=head, days=days, split=split)))
        for col, pairs in cls.pairs.items():
            t = bt.classes.get(col)
            if t is None:
                continue
            rate = t.set_index("label")["repeat_rate"]
            size = t.set_index("label")["customers"]
            for better, worse in pairs:
                if better in rate.index and worse in rate.index:
                    if min(size[better], size[worse]) < MIN_CLASS:
                        lines.append((None, _("{label}: {worse} ({n_worse}) vs {better} ({n_better}): under {least} "
                                              "customers, too few to compare").format(
                            label=title(col), worse=name(col, worse), n_worse=size[worse], better=name(col, better),
                            n_better=size[better], least=MIN_CLASS)))
                        continue
                    ok = bool(rate[worse] < rate[better])
                    lines.append((ok, (_("{label}: {worse} bought again less often than {better} ({rate_worse} vs "
                                         "{rate_better})") if ok else
                                       _("{label}: {worse} bought again NOT less often than {better} ({rate_worse} vs "
                                         "{rate_better})")).format(
                        label=title(col), worse=name(col, worse), better=name(col, better),
                        rate_worse=f"{rate[worse]:.0%}", rate_better=f"{rate[better]:.0%}")))
        for col in cls.differs:
            if col in bt.classes:
                lines.append(_differ_verdict(bt, col, name, title))
    if len(bt.spend) > 1:
        s = bt.spend.set_index("measure")
        base_top, base_rho = s.loc["monetary", "top20_spend_share"], s.loc["monetary", "spearman"]
        for col in s.index[s["kind"] == "score"]:
            # judged on the top fifth, where a seller spends attention; the rank correlation over everyone is shown
            top, rho = s.loc[col, "top20_spend_share"], s.loc[col, "spearman"]
            better = bool(top > base_top)
            lines.append((better, (
                _("{label}: its top 20% made {top} of the holdout's spend, more than the top 20% by past net value "
                  "({base_top}); Spearman with spend {rho} vs {base_rho}") if better else
                _("{label}: its top 20% made {top} of the holdout's spend, NOT more than the top 20% by past net "
                  "value ({base_top}); Spearman with spend {rho} vs {base_rho}")).format(
                label=title(col), top=f"{top:.1%}", base_top=f"{base_top:.1%}", rho=f"{rho:.2f}",
                base_rho=f"{base_rho:.2f}")))
    return lines


DIFFER_P = 0.01  # groups "differ" when chance alone would give differences this large less than 1 time in 100


def differ_tests(bt: Backtest, col: str) -> tuple[pd.DataFrame, float, float]:
    """(the classes of ``col`` with at least MIN_CLASS customers, the chi-square p-value of their repeat rates,
    the Kruskal-Wallis p-value of their holdout spend); the p-values are NaN with fewer than two classes."""
    from scipy.stats import chi2_contingency, kruskal

    t = bt.classes[col]
    t = t[(t["label"] != "all") & (t["customers"] >= MIN_CLASS)].set_index("label")
    if len(t) < 2:
        return t, float("nan"), float("nan")
    table = np.column_stack([t["bought"], t["customers"] - t["bought"]])
    chi_p = (float(chi2_contingency(table)[1]) if (table.sum(axis=0) > 0).all() else 1.0)
    lab = bt.result.customers.loc[bt.outcome.index, col].astype("object")
    spend = [bt.outcome.loc[lab.index[lab == k], "spend"].to_numpy() for k in t.index]
    flat = np.concatenate(spend)
    kw_p = float(kruskal(*spend)[1]) if len(np.unique(flat)) > 1 else 1.0
    return t, chi_p, kw_p


def differ_verdict(bt: Backtest, col: str, lang: str = "en") -> tuple[bool | None, str]:
    """One line in ``lang``: do the groups of an unordered label differ in who bought again and in spend?"""
    name, title = _namers(lang)
    with using(lang):
        return _differ_verdict(bt, col, name, title)


def _differ_verdict(bt: Backtest, col: str, name, title) -> tuple[bool | None, str]:
    t, chi_p, kw_p = differ_tests(bt, col)
    if len(t) < 2:
        return None, _("{label}: fewer than {least} customers in all but one class, too few to judge").format(
            label=title(col), least=MIN_CLASS)
    rates = _(", ").join(f"{name(col, k)} {r:.0%}" for k, r in t["repeat_rate"].sort_values(ascending=False).items())
    spend = _(", ").join(f"{name(col, k)} {v:,.0f}" for k, v in
                         t["spend_per_customer"].sort_values(ascending=False).items())
    buying = (_("the groups' repeat rates differ beyond chance (chi-square p = {p}: {rates})") if chi_p < DIFFER_P
              else _("the groups' repeat rates do NOT differ beyond chance (chi-square p = {p}: {rates})")).format(
        p=f"{chi_p:.2g}", rates=rates)
    spending = (_("their spend per customer differs (Kruskal-Wallis p = {p}: {spend})") if kw_p < DIFFER_P
                else _("their spend per customer does NOT differ (Kruskal-Wallis p = {p}: {spend})")).format(
        p=f"{kw_p:.2g}", spend=spend)
    return (bool(chi_p < DIFFER_P and kw_p < DIFFER_P),
            _("{label}: {buying} and {spending}").format(label=title(col), buying=buying, spending=spending))


# --------------------------------------------------------------------------------------------- outputs


def class_words(frame: pd.DataFrame, column: str, lang: str) -> pd.DataFrame:
    """A class table with its codes as words in ``lang`` ("all" too)."""
    from .segmenters.base import label

    return frame.assign(label=frame["label"].map(
        lambda v: tr("all", lang) if v == "all" else label(column, v, lang)))


def backtest_sheets(bt: Backtest, lang: str = "en") -> list:
    """The workbook: Backtest (the verdicts, AUCs and spend ranking), a sheet per label with a chart of its
    classes' repeat rates, Calibration (BG/NBD predicted vs actual, with a chart) and Run."""
    with using(lang):
        return _backtest_sheets(bt, lang)


def _backtest_sheets(bt: Backtest, lang: str) -> list:
    from .io.write import Chart, Sheet
    from .scoring import run_info, title_of
    from .segmenters.base import header

    h = {c: header(c, lang) for c in ("label", "customers", "share", "bought", "repeat_rate", "orders_per_customer",
                                      "spend", "spend_per_customer", "spend_share", "measure", "kind", "what", "auc",
                                      "spearman", "top20_spend_share", "repeat_days", "actual", "predicted")}
    pct = {h[c]: "0.0%" for c in ("share", "repeat_rate", "spend_share", "top20_spend_share")}
    pct.update({h["spend"]: "#,##0", h["spend_per_customer"]: "#,##0.00", h["orders_per_customer"]: "0.00",
                h["auc"]: "0.000", h["spearman"]: "0.000", h["actual"]: "0.000", h["predicted"]: "0.000"})
    span = _("labels as of {cut}, compared with the next {days} days (to {end})").format(
        cut=bt.cut.date(), days=bt.holdout_days, end=bt.end.date())
    found = verdicts(bt, lang)
    said = {True: _("yes"), False: _("NO"), None: _("too few")}
    verdict_frame = pd.DataFrame({_("Kept"): [said[ok] for ok, _text in found],
                                  _("Finding"): [text for _ok, text in found]})
    sheets = [Sheet(name=_("Backtest"), frame=verdict_frame, autofilter=False,
                    title=_("Backtest: {span}").format(span=span))]
    if len(bt.ranking):
        sheets.append(Sheet(name=_("Ranking"), frame=ranking_words(bt.ranking, lang).rename(columns=h),
                            formats=pct,
                            charts=(Chart(kind="bar", title=h["auc"], categories=h["measure"], values=(h["auc"],)),),
                            title=_("Who buys again: AUC (0.5 is a coin), beside days since the last order")))
    if len(bt.spend):
        sheets.append(Sheet(name=_("Spend ranking"), frame=ranking_words(bt.spend, lang).rename(columns=h),
                            formats=pct, title=_("Next period's spend, ranked by value figures")))
    for col, table in bt.classes.items():
        title = title_of(col, lang)
        overall = table.loc[table["label"] == "all", "repeat_rate"].iloc[0]
        everyone = _("{share} of all bought again").format(share=f"{overall:.1%}")
        # the classes only: an "all" bar beside them would dwarf the shares on the charts
        shown = class_words(table[table["label"] != "all"], col, lang).rename(columns=h)
        sheets.append(Sheet(name=title[:31], frame=shown, formats=pct, title=f"{title} — {span}; {everyone}", charts=(
            Chart(kind="column", title=f"{title} · {h['repeat_rate']}", categories=h["label"],
                  values=(h["repeat_rate"],)),
            Chart(kind="column", title=f"{title} · {h['spend_share']}", categories=h["label"],
                  values=(h["share"], h["spend_share"])))))
    if bt.calibration is not None:
        sheets.append(Sheet(name=_("Calibration"), frame=calibration_rows(bt, lang).rename(columns=h), formats=pct,
                            charts=(Chart(kind="column", title=_("Repeat purchase days: predicted vs actual"),
                                          categories=h["repeat_days"], values=(h["actual"], h["predicted"])),),
                            title=_("BG/NBD predicted vs actual ({period})").format(
                                period=calibration_words(bt, lang))))
    sheets.append(Sheet(name=_("Run"), frame=run_info(bt.result), autofilter=False))
    return sheets


_KINDS = {"baseline": N_("baseline"), "label": N_("label"), "score": N_("score")}


def ranking_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ranking or spend table with its "measure", "what" and "kind" columns in ``lang`` (the codes in
    English: they are what the JSON and the settings name)."""
    from .segmenters.base import header, label

    if lang != "zh" or "what" not in frame:
        return frame
    what = frame["what"].map(lambda w: tr(w, lang))
    what = what.where(frame["kind"] != "score", frame["measure"].map(lambda c: header(c, lang)))
    ordered = frame["kind"] == "label"
    what = what.where(~ordered, [" > ".join(label(m, c, lang) for c in w.split(" > "))
                                 for m, w in zip(frame["measure"], frame["what"])])
    measure = frame["measure"].map(lambda c: tr(_MEASURES[c], lang) if c in _MEASURES else header(c, lang))
    return frame.assign(measure=measure, what=what, kind=frame["kind"].map(lambda k: tr(_KINDS.get(k, k), lang)))


_MEASURES = {"recency_3": N_("recency in three groups"), "recency_days": N_("days since the last order"),
             "monetary": N_("past net value")}


def calibration_rows(bt: Backtest, lang: str) -> pd.DataFrame:
    """The calibration table with its "all" row named in ``lang``."""
    return bt.calibration.assign(repeat_days=bt.calibration["repeat_days"].replace({"all": tr("all", lang)}))


def calibration_words(bt: Backtest, lang: str) -> str:
    if bt.calibration is None:
        return bt.calibration_note
    with using(lang):
        return _holdout_words(bt.holdout_days, float(bt.result.config["churn.unit_days"]))


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
            for row in frame.to_dict("records")]


def backtest_json(bt: Backtest) -> dict:
    """Everything the backtest found, with label codes (not words)."""
    return {
        "cut": bt.cut.date().isoformat(), "end": bt.end.date().isoformat(), "holdout_days": bt.holdout_days,
        "buyers": bt.buyers, "customers": len(bt.result.customers),
        "verdicts": [{"kept": ok, "finding": text} for ok, text in bt.verdicts],
        "labels": {col: _records(t) for col, t in bt.classes.items()},
        "ranking": _records(bt.ranking), "spend": _records(bt.spend),
        "calibration": _records(bt.calibration) if bt.calibration is not None else None,
        "calibration_note": bt.calibration_note,
        "skipped": bt.result.skipped, "notes": bt.result.notes,
    }
