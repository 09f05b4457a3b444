"""cluster — customers grouped by likeness (seed 004's 聚类分析), each group named by what sets it apart.

Rule-based tiers answer "how valuable"; clusters answer "which customers behave alike", which is what a
seller needs to write one email or offer per group.

- Features (buyers only; a customer with no paid order has no group): days since the last order, orders, net
  value, average order value, units per order, days since the first order, median days between orders (a
  one-time buyer's is the time since their order: no second order in that long), and where the book has them,
  sample orders and inquiries.  Features that do not vary are left out.
- Scale: log(1 + x) of each (money below 0 counts as 0), then standardised, so that a few huge accounts do not
  decide the groups alone (on UCI Online Retail cut at 2011-09-09 the largest net value is 323 times the median).
- k-means (scikit-learn, imported only when this segmenter runs) for every k from ``cluster.min_k`` to
  ``cluster.max_k`` (at most the number of distinct buyers less one), with a fixed seed on the buyers sorted by
  id; the k with the highest silhouette wins (ties: the smaller k).  The silhouette of each k is in the note.
- Names: each group's medians as percentiles of the whole book's buyers; a feature at or beyond the outer
  thirds (percentile <= 0.35 or >= 0.65) is a trait, and the up to three strongest traits, one per slot
  (status, frequency, size, batch, samples or inquiries), make the name ("lapsed one-time low-spending
  buyers"); a group most of whom ordered once is always "one-time".  Groups whose names come out alike get
  all their traits; groups still alike share the name and the note says so.  Codes are the traits' codes, so
  the same behaviour gets the same code in every run.
- Why k-means on a log scale: on a rank (percentile) scale the silhouette fell from k = 2 onwards on UCI, and a
  Gaussian mixture's BIC kept falling up to max_k on either scale (integer features such as "one order" make
  degenerate components), so neither chose k; on the log scale the silhouette peaks inside the range (k = 3).
- Judged by ``tiercli backtest`` through ``differs``: the groups' repeat rates and spend must differ beyond
  chance.  Not in the default run (``opt_in``): scikit-learn and the fits took the UCI run from 2.7 s to 8.1 s.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ..config import Config, Setting
from ..errors import ConfigError
from ..i18n import _, format_rows, language, pick, tr
from .base import Segmenter, SegmenterSkipped, register

SEED = 0                 # k-means' random state: the same files always give the same groups
SILHOUETTE_SAMPLE = 5000  # silhouette over at most this many buyers (a fixed sample beyond it: it is O(n^2))
TRAIT = 0.15             # a group median this far from the book's (in percentiles) is a trait
WEAK_TRAIT = 0.05        # ... and this far, when two groups would otherwise have one name
MAX_TRAITS = 3           # words in a name before it has to tell two groups apart

# feature -> the customers-frame columns it is read from (see features())
FEATURES = ("recency_days", "frequency", "monetary", "aov", "units_per_order", "tenure_days", "median_gap_days",
            "sample_orders", "inquiries")
OPTIONAL = ("sample_orders", "inquiries")  # used only where some buyer has them

# the words of a name, slot by slot, in the order a name reads; within a slot, in display order (most valuable
# behaviour first).  code -> (English, Chinese)
SLOTS: dict[str, dict[str, tuple[str, str]]] = {
    "status": {"active": ("active", "活跃"), "new": ("new", "新进"), "lapsed": ("lapsed", "流失")},
    "frequency": {"frequent": ("frequent", "高频"), "repeat": ("repeat", "复购"),
                  "one_time": ("one-time", "一次性")},
    "size": {"big_spend": ("big-spending", "高消费"), "big_order": ("big-order", "大单"),
             "small_order": ("small-order", "小单"), "low_spend": ("low-spending", "低消费")},
    "batch": {"bulk": ("bulk", "大批量"), "small_batch": ("small-batch", "小批量")},
    "extra": {"samples": (" who order samples", "(常要样品)"), "inquiries": (" who send inquiries", "(询盘多)")},
}
NOUN = ("buyers", "客户")
TYPICAL = ("typical", ("Typical buyers", "一般客户"))  # a group with no trait


def _name(codes: dict[str, str]) -> tuple[str, str, str]:
    """(code, English, Chinese) of a name given its word per slot."""
    words = [(slot, codes[slot]) for slot in SLOTS if codes.get(slot)]
    if not words:
        return TYPICAL[0], *TYPICAL[1]
    code = "_".join(word for _slot, word in words)
    lead = [SLOTS[slot][word] for slot, word in words if slot != "extra"]
    extra = [SLOTS[slot][word] for slot, word in words if slot == "extra"]
    en = " ".join([w[0] for w in lead] + [NOUN[0]]) + "".join(w[0] for w in extra)
    zh = "".join([w[1] for w in lead] + [NOUN[1]]) + "".join(w[1] for w in extra)
    return code, en[:1].upper() + en[1:], zh


def _all_names() -> dict[str, tuple[str, str]]:
    """Every name the vocabulary can make, most valuable behaviour first: frequency, then size, then status."""
    out: dict[str, tuple[str, str]] = {}
    order = [("frequency", ["frequent", "repeat", "", "one_time"]),
             ("size", ["big_spend", "big_order", "", "small_order", "low_spend"]),
             ("status", ["active", "", "new", "lapsed"]),
             ("batch", ["bulk", "", "small_batch"]),
             ("extra", ["samples", "inquiries", ""])]
    for combo in itertools.product(*(words for _slot, words in order)):
        code, en, zh = _name(dict(zip((slot for slot, _words in order), combo)))
        out[code] = (en, zh)
    return out


def features(customers: pd.DataFrame) -> pd.DataFrame:
    """The behaviour features of the buyers (frequency > 0), in their natural units, sorted by customer id."""
    c = customers[customers["frequency"] > 0].sort_index()
    freq = c["frequency"].astype("float64")
    tenure = c["tenure_days"].astype("float64")
    out = pd.DataFrame({
        "recency_days": c["recency_days"].astype("float64"),
        "frequency": freq,
        "monetary": c["monetary"].astype("float64"),
        "aov": c["aov"].astype("float64"),
        "units_per_order": (c["units"].astype("float64") / freq) if "units" in c else np.nan,
        "tenure_days": tenure,
        # no second order yet: the gap is at least the time since the first (censored, not missing)
        "median_gap_days": c["median_gap_days"].astype("float64").fillna(tenure),
    }, index=c.index)
    for col in OPTIONAL:
        if col in c:
            out[col] = c[col].astype("float64").fillna(0.0)
    return out


def scaled(feats: pd.DataFrame) -> pd.DataFrame:
    """log(1 + x), standardised; features that do not vary (or are missing for everyone) are dropped."""
    logged = np.log1p(feats.clip(lower=0.0)).fillna(np.log1p(feats.clip(lower=0.0)).median())
    spread = logged.std(ddof=0)
    keep = [c for c in logged.columns if np.isfinite(spread[c]) and spread[c] > 1e-12
            and (c not in OPTIONAL or feats[c].gt(0).any())]
    return (logged[keep] - logged[keep].mean()) / spread[keep]


def choose_k(x: np.ndarray, lo: int, hi: int) -> tuple[int, np.ndarray, dict[int, float]]:
    """k-means for every k in lo..hi; the labels of the k with the highest silhouette and every k's score."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    scores: dict[int, float] = {}
    best: tuple[float, int, np.ndarray] | None = None
    sample = min(len(x), SILHOUETTE_SAMPLE)
    for k in range(lo, hi + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit_predict(x)
        if len(np.unique(labels)) < 2:  # fewer distinct points than k: k-means could not make k groups
            continue
        s = float(silhouette_score(x, labels, sample_size=sample if sample < len(x) else None, random_state=SEED))
        scores[k] = s
        if best is None or s > best[0] + 1e-12:
            best = (s, k, labels)
    if best is None:
        raise SegmenterSkipped(_("the buyers are too alike to form two groups"))
    return best[1], best[2], scores


def traits(pct: pd.Series, med: pd.Series, share: pd.Series,
           book_share: pd.Series) -> dict[str, tuple[str, float, str]]:
    """slot -> (word code, strength, the feature it is read from) for one group.

    ``pct``: the group's median of each feature as a percentile among all buyers; ``med``: the medians
    themselves; ``share``/``book_share``: the share of the group's and of all buyers with sample orders or
    inquiries.  Strength is how far from the middle (0.5) the group sits; the best word per slot is kept.
    """
    cand: list[tuple[str, str, float, str]] = []  # (slot, code, strength, feature)

    def add(slot: str, code: str, strength: float, feature: str) -> None:
        if strength > 0:
            cand.append((slot, code, float(strength), feature))

    p = pct.get
    if p("tenure_days") is not None:
        add("status", "new", 0.5 - p("tenure_days"), "tenure_days")
    if p("recency_days") is not None:
        add("status", "lapsed", p("recency_days") - 0.5, "recency_days")
        add("status", "active", 0.5 - p("recency_days"), "recency_days")
    if p("frequency") is not None:
        if med["frequency"] <= 1:  # most of the group never ordered again: a fact, not a shade, named first
            add("frequency", "one_time", 0.5, "frequency")
        elif p("frequency") >= 0.5:
            add("frequency", "frequent" if p("frequency") >= 0.5 + TRAIT else "repeat", p("frequency") - 0.5,
                "frequency")
        else:
            add("frequency", "repeat", WEAK_TRAIT, "frequency")
    if p("monetary") is not None:
        add("size", "big_spend", p("monetary") - 0.5, "monetary")
        add("size", "low_spend", 0.5 - p("monetary"), "monetary")
    if p("aov") is not None:
        add("size", "big_order", p("aov") - 0.5, "aov")
        add("size", "small_order", 0.5 - p("aov"), "aov")
    if p("units_per_order") is not None:
        add("batch", "bulk", p("units_per_order") - 0.5, "units_per_order")
        add("batch", "small_batch", 0.5 - p("units_per_order"), "units_per_order")
    for col, code in (("sample_orders", "samples"), ("inquiries", "inquiries")):
        if col in share.index and share[col] >= 0.25 and share[col] >= 2 * book_share[col]:
            add("extra", code, share[col] - book_share[col], col)
    best: dict[str, tuple[str, float, str]] = {}
    for slot, code, strength, feature in cand:
        if slot not in best or strength > best[slot][1]:
            best[slot] = (code, strength, feature)
    return best


def name_groups(found: dict[int, dict[str, tuple[str, float, str]]]) -> dict[int, dict[str, tuple[str, float, str]]]:
    """group -> the traits its name uses: the strongest (up to MAX_TRAITS, each at least TRAIT); all of them
    from WEAK_TRAIT on where two groups would otherwise share a name."""
    def pick_traits(t: dict, least: float, most: int) -> dict:
        ranked = sorted(((v[1], slot) for slot, v in t.items() if v[1] >= least), reverse=True)[:most]
        return {slot: t[slot] for _, slot in ranked}

    chosen = {g: pick_traits(t, TRAIT, MAX_TRAITS) for g, t in found.items()}
    code = {g: _name({s: v[0] for s, v in c.items()})[0] for g, c in chosen.items()}
    for g in found:
        if sum(1 for h in found if code[h] == code[g]) > 1:
            chosen[g] = pick_traits(found[g], WEAK_TRAIT, len(SLOTS))
    return chosen


@register
class Cluster(Segmenter):
    name = "cluster"
    # its settings ([cluster] in tiercli.toml, TIERCLI_CLUSTER_* in the environment)
    options = (
        Setting("enabled", False, "Run cluster in the default run too (it always runs when named in "
                "--segmenters); off by default because loading scikit-learn adds about a second."),
        Setting("min_k", 2, "Fewest groups cluster tries ..."),
        Setting("max_k", 8, "... and most; the number with the best silhouette between them is used."),
    )
    title = "Behaviour groups"
    title_zh = "聚类分群"
    reads = ("recency_days", "frequency", "monetary", "aov", "units", "tenure_days", "median_gap_days",
             "sample_orders", "inquiries")
    outputs = ("cluster", "cluster_reason")
    # its columns' headers: column -> (English, Chinese)
    headers = {
        "cluster": ("Behaviour group", "聚类分群"),
        "cluster_reason": ("Group reason", "分群依据"),
    }
    labels = _all_names()
    differs = ("cluster",)  # what tiercli backtest holds it to: the groups' next periods differ
    # k-means needs scikit-learn (about 1 s to import): not in the default run unless this setting is on
    opt_in = "cluster.enabled"

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        self.notes: list[str] = []
        s = config.section("cluster")
        lo, hi = int(s["min_k"]), int(s["max_k"])
        if not 2 <= lo <= hi:
            raise ConfigError(_("cluster.min_k = {lo}, cluster.max_k = {hi}: need 2 <= min_k <= max_k.").format(
                lo=lo, hi=hi), hint=_("The defaults are 2 and 8."))
        out = pd.DataFrame({"cluster": pd.Series(pd.NA, index=customers.index, dtype="str"),
                            "cluster_reason": _("no paid order")}, index=customers.index)
        feats = features(customers)
        if not len(feats):
            return out
        x = scaled(feats)
        distinct = len(x.drop_duplicates()) if x.shape[1] else 1
        if distinct < 3:
            raise SegmenterSkipped(_("{buyers} buyers with {distinct} different behaviours: groups need at least "
                                     "3 buyers who differ").format(buyers=len(feats), distinct=distinct))
        top = min(hi, distinct - 1)
        k, groups, scores = choose_k(x.to_numpy(), min(lo, top), top)
        group = pd.Series(groups, index=feats.index)

        pct = feats.rank(pct=True)  # each feature as a percentile among all buyers (ties share one)
        used = list(x.columns)
        has = feats[[c for c in OPTIONAL if c in used]].gt(0)
        found = {g: traits(pct.loc[group == g, used].median(), feats.loc[group == g, used].median(),
                           has[group == g].mean(), has.mean()) for g in range(k) if (group == g).any()}
        chosen = name_groups(found)
        code = {g: _name({s_: v[0] for s_, v in t.items()})[0] for g, t in chosen.items()}
        label = group.map(code)

        reason = self._reasons(feats, used, group, label, chosen, code, has)
        size = label.value_counts()
        merged = [c for c in size.index if sum(1 for v in code.values() if v == c) > 1]
        tried = ", ".join(f"k={kk} {v:.3f}" for kk, v in scores.items())
        self.notes = [_("cluster: k-means on {features} (log scale, standardised) of {buyers} buyers; silhouette "
                        "{tried}; k = {k} chosen").format(features=", ".join(used), buyers=len(feats), tried=tried,
                                                         k=k)]
        if merged:
            self.notes.append(_("cluster: groups read alike on every trait and share a name: {names}").format(
                names=", ".join(merged)))
        if top < hi:
            self.notes.append(_("cluster: only {distinct} different buyers, so at most {top} groups were tried "
                                "(cluster.max_k = {hi})").format(distinct=distinct, top=top, hi=hi))
        out.loc[label.index, "cluster"] = label
        out.loc[label.index, "cluster_reason"] = reason
        return out

    def _reasons(self, feats: pd.DataFrame, used: list[str], group: pd.Series, label: pd.Series, chosen: dict,
                 code: dict, has: pd.DataFrame) -> pd.Series:
        """Each buyer's reason: the group's name and size, then the traits that set it apart, each with the
        buyer's own figure, the group's median and the whole book's."""
        from .base import header

        lang = language()
        book_med = feats[used].median()
        size = label.value_counts()
        reason = pd.Series("", index=label.index, dtype="str")
        for g, t in chosen.items():
            rows = group.index[group == g]
            med = feats.loc[rows, used].median()
            text = format_rows(_("{name}, {size} of {buyers} buyers"), rows,
                               name=pick(*self.labels[code[g]], lang), size=int(size[code[g]]), buyers=len(label))
            parts = [format_rows(_("{feature} {value} (group {group}, all buyers {book})"), rows,
                                 feature=header(t[slot][2], lang), value=feats.loc[rows, t[slot][2]].map(number),
                                 group=number(med[t[slot][2]]), book=number(book_med[t[slot][2]]))
                     if slot != "extra" else
                     format_rows(_("{feature} {value} ({group} of the group have some, {book} of all buyers)"),
                                 rows, feature=header(t[slot][2], lang),
                                 value=feats.loc[rows, t[slot][2]].map(number),
                                 group=f"{has.loc[rows, t[slot][2]].mean():.0%}", book=f"{has[t[slot][2]].mean():.0%}")
                     for slot in SLOTS if slot in t]
            if parts:
                text = text + ": " + parts[0]
                for part in parts[1:]:
                    text = text + "; " + part
            else:
                text = text + ": " + _("close to the whole book on every feature")
            reason.loc[rows] = text
        return reason

    @classmethod
    def sheets(cls, result, lang: str = "en") -> list:
        """The groups' profiles: medians beside all buyers', and a chart of them as an index."""
        return profile_sheets(result, lang)

    @classmethod
    def render_details(cls, console, result, lang: str = "en") -> None:
        """The groups' profiles: size and the median of each feature, beside all buyers."""
        from ..draw import titled_table
        from .base import header

        frame = profiles(result.customers, lang)
        if not len(frame):
            return
        cols = [c for c in frame.columns if c in FEATURES]
        # features down, groups across: nine features fit a log line, a group's long name fits a header
        t = titled_table(console, _("Group profiles (medians)"))
        t.add_column("", no_wrap=True)
        for name in frame["label"]:
            t.add_column(str(name), justify="right", overflow="fold")  # a Chinese name has no spaces to wrap at
        t.add_row(header("customers", lang), *(f"{n:,}" for n in frame["customers"]))
        for c in cols:
            t.add_row(profile_header(c, lang), *(f"{v:.0%}" if c in OPTIONAL else number(v) for v in frame[c]))
        console.print(t)


def number(v: float) -> str:
    """A median as a seller reads it: whole numbers with thousands separators, small ones with one decimal."""
    if v != v:
        return "-"
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.1f}"


# ---------------------------------------------------------------- the summary: each group's profile


def profiles(customers: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Per group (display order) and for all buyers: customers, share and the median of each feature (of sample
    orders and inquiries: the share of buyers with any)."""
    if "cluster" not in customers:
        return pd.DataFrame()
    feats = features(customers)
    label = customers.loc[feats.index, "cluster"]
    ok = label.notna() & (label.astype("str") != "")
    feats, label = feats[ok], label[ok].astype("str")
    if not len(feats):
        return pd.DataFrame()
    cols = [c for c in FEATURES if c in feats and (c not in OPTIONAL or feats[c].gt(0).any())]
    codes = [c for c in Cluster.labels if c in set(label)]
    # sample orders and inquiries: most buyers have none, so the median says nothing; the share with any does
    figures = feats[cols].assign(**{c: feats[c].gt(0).astype("float64") for c in cols if c in OPTIONAL})
    med = figures.groupby(label).agg({c: "mean" if c in OPTIONAL else "median" for c in cols}).reindex(codes)
    med.loc["all"] = [figures[c].mean() if c in OPTIONAL else figures[c].median() for c in cols]
    n = label.value_counts().reindex(codes)
    n.loc["all"] = len(label)
    frame = med.assign(customers=n.astype("int64"), share=n / len(label))
    frame.index.name = "code"
    frame = frame.reset_index()
    frame.insert(1, "label", [tr("All buyers", lang) if c == "all" else pick(*Cluster.labels[c], lang)
                              for c in frame["code"]])
    return frame[["code", "label", "customers", "share", *cols]]


def profile_header(column: str, lang: str) -> str:
    """A profile column's header: the feature's, or for sample orders and inquiries the share with any."""
    from .base import header

    if column in OPTIONAL:
        return tr("{feature}: share with any", lang).format(feature=header(column, lang))
    return header(column, lang)


def profile_sheets(result, lang: str = "en") -> list:
    """The workbook's group profiles: medians beside the whole book, and a chart of each group's medians as
    an index (all buyers = 100)."""
    from ..io.write import Chart, Sheet
    from .base import header

    frame = profiles(result.customers, lang)
    if not len(frame):
        return []
    cols = [c for c in frame.columns if c in FEATURES]
    book = frame.set_index("code").loc["all", cols]
    index_cols = {}
    for c in cols:
        col = tr("{feature} (all buyers = 100)", lang).format(feature=profile_header(c, lang))
        index_cols[col] = (frame[c] / book[c] * 100).round(0) if book[c] else np.nan
    shown = frame.drop(columns="code").rename(columns=lambda c: profile_header(c, lang))
    shown = shown.assign(**index_cols)
    name = tr("Group profiles", lang)
    formats = {header("share", lang): "0.0%"}
    for c in cols:
        formats[profile_header(c, lang)] = ("#,##0.00" if c in ("monetary", "aov") else "0.0%" if c in OPTIONAL
                                            else "#,##0.0")
    chart = Chart(kind="column", title=tr("Group medians against all buyers (= 100)", lang),
                  categories=header("label", lang), values=tuple(index_cols))
    return [Sheet(name=name[:31], frame=shown.reset_index(drop=True), formats=formats, charts=(chart,),
                  title=f"{name} — {result.as_of.date().isoformat()}")]
