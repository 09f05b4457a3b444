"""Spend a month's marketing-email quota the way seeds 001 and 002 say a good seller does.

``plan_emails(result, quota=200)`` is a pure function of the scoring result, the month, the quota, the
contact log and the settings.  In order:

1. Who may not be emailed, first reason wins: blacklisted; unsubscribed (suppression file); no consent
   (``accepts_marketing`` False; unknown too with ``plan.require_opt_in``); no email; the month's per-tier cap
   already used by sends in the contact log; no send date in the month outside the cooldown of a logged send.
   Big B customers go to the one-to-one follow-up list for a sales rep instead (seed 002), never the quota.
2. Priority groups: key customers (satisfaction survey after a recent order, else new arrivals); lapsed
   customers who once bought well (win-back: new arrivals and ask why); upgrade potential (coupon); warm
   inquiry and sample customers (3★ then 2★, when the ``stars`` column exists); then everyone else by
   ``tier_score``.  Inside a group the most valuable come first; ties break by customer id.
3. The quota (less what the log shows already sent this month by other campaigns) is filled in the order:
   the first email of the four named groups, the key customers' second email (promotion, up to
   ``plan.cap_key``), then the rest.
4. Sends are spread over the month's four weekly send days, never two to one customer within
   ``plan.cooldown_days`` of each other or of a logged send.  The loop is over the four send days only.
   A send day inside the seller's closure (Chinese New Year, from the campaign calendar) moves to the nearest
   working day outside it within a week, or is dropped; a recipient whose country has a public holiday on a
   send day gets the nearest working day instead.  ``EmailPlan.moves`` says which day moved and why.
5. Before a closure, key and repeat customers get a "stock up before we close" email (their first send in the
   closure's lead days, which they are steered to); no email goes out during the closure.

Every planned email carries its purpose, template key, coupon level by tier, campaign theme (the event of the
campaign calendar that ends soonest among those whose lead days cover the send day and that apply to the
recipient's country and the seller's platforms; else the next one later in the month), the recipient country's public holidays, language guess, up to
three recommended products (distinct products: sizes and colours of one count once; a second email names none
of the first's) and the reason in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import Config
from ..countries import codes as country_codes
from ..countries import language_of
from ..errors import InputError
from ..i18n import _, format_rows, tr
from ..scoring import ScoreResult
from .calendar import (
    THEME_KINDS,
    active_platforms,
    applies_to,
    country_holidays,
    holiday_on,
    load_calendar,
    month_bounds,
    month_events,
)
from .recommend import recommend, summary_text
from .words import PURPOSES, REASONS, TIERS, word

DEFAULT_COUPONS = {"key": "15% off", "ordinary": "10% off", "small": "5% off", "potential": "5% off first order"}
TIER_ORDER = ["key", "ordinary", "small", "potential"]
GROUPS = {1: "key", 2: "lapsed", 3: "upgrade", 4: "warm", 5: "rest"}  # priority groups, in order
REASON_ORDER = list(REASONS)
PLAN_COLUMNS = ["send_date", "week", "customer_id", "name", "email", "country", "country_code", "language", "tier",
                "tier_score", "purpose", "nth", "template", "coupon", "theme", "local_holidays", "recommended",
                "reason", "priority", "campaign"]
MOVE_COLUMNS = ["week", "country", "planned", "send_date", "reason"]
STOCK_UP_FROM = ("new_arrivals", "promotion", "regular")  # the purposes a pre-closure email replaces
EXCLUDED_COLUMNS = ["customer_id", "name", "email", "country", "tier", "tier_score", "reason", "detail"]
FOLLOWUP_COLUMNS = ["customer_id", "name", "company", "email", "country", "tier", "tier_score", "accepts_marketing",
                    "orders", "first_order", "last_order", "recency_days", "monetary", "aov", "median_gap_days",
                    "next_order_due", "top_products", "last_order_summary", "history", "action"]


@dataclass
class EmailPlan:
    """One month's plan: the emails, the big B follow-ups, who was left out and why, the themes."""

    month: pd.Period
    quota: int
    campaign: str
    plan: pd.DataFrame
    followups: pd.DataFrame
    excluded: pd.DataFrame
    recommendations: pd.DataFrame
    themes: pd.DataFrame
    send_days: list[pd.Timestamp]
    already_sent: int = 0
    currency: str = ""
    notes: list[str] = field(default_factory=list)
    weeks: list[int] = field(default_factory=list)  # the week (1-4) of each send day (a dropped week is missing)
    moves: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MOVE_COLUMNS))
    platforms: tuple[str, ...] = ()

    @property
    def available(self) -> int:
        """The quota left for this plan after the month's sends already in the contact log."""
        return max(0, self.quota - self.already_sent)

    def excluded_counts(self) -> pd.DataFrame:
        """Reason code, customers: why customers were left out, in the order the reasons are checked."""
        counts = self.excluded["reason"].value_counts()
        rows = [(r, int(counts[r])) for r in REASON_ORDER if r in counts]
        return pd.DataFrame(rows, columns=["reason", "customers"])

    def by_tier(self) -> pd.DataFrame:
        """Emails per tier and purpose (a tier x purpose table), with totals and share of the quota."""
        p = self.plan
        purposes = [x for x in PURPOSES if x in set(p["purpose"])]
        table = pd.crosstab(p["tier"], p["purpose"]) if len(p) else pd.DataFrame()
        table = table.reindex(index=[t for t in TIER_ORDER if t in set(p["tier"])], columns=purposes, fill_value=0)
        table["emails"] = table.sum(axis=1)
        table["customers"] = p.groupby("tier")["customer_id"].nunique().reindex(table.index).fillna(0).astype("int64")
        table["share"] = table["emails"] / self.quota if self.quota else 0.0
        table.index.name = "tier"
        return table.reset_index()

    def by_purpose(self) -> pd.DataFrame:
        p = self.plan
        counts = p["purpose"].value_counts()
        rows = [(x, int(counts[x]), int(p.loc[p["purpose"] == x, "customer_id"].nunique()))
                for x in PURPOSES if x in counts]
        return pd.DataFrame(rows, columns=["purpose", "emails", "customers"])

    def by_week(self, lang: str = "en") -> pd.DataFrame:
        """One row per week and send date: the emails, and when a day moved, from when and why (in ``lang``)."""
        weeks = self.weeks or list(range(1, len(self.send_days) + 1))
        counts = self.plan.groupby(["week", "send_date"]).size() if len(self.plan) else pd.Series(dtype="int64")
        rows = {(k, d): [] for k, d in zip(weeks, self.send_days)}
        m = self.moves
        for r in m[m["country"].eq("")].itertuples():  # the whole day moved (or was dropped): the seller's closure
            if pd.isna(r.send_date):
                rows[(r.week, pd.NaT)] = [tr("no send day: {planned} is in the seller closure ({reason}) and no "
                                             "working day outside it is within a week", lang).format(
                    planned=r.planned.strftime("%m-%d"), reason=r.reason)]
            else:
                rows[(r.week, r.send_date)].append(tr("moved from {planned}: seller closure {reason}", lang).format(
                    planned=r.planned.strftime("%m-%d"), reason=r.reason))
        own = m[m["country"].ne("")]
        for (week, day), part in own.groupby(["week", "send_date"], sort=True):
            text = "; ".join(f"{c} ({why})" for c, why in zip(part["country"], part["reason"]))
            rows.setdefault((week, day), []).append(tr("moved from {planned} for {countries}", lang).format(
                planned=part["planned"].iloc[0].strftime("%m-%d"), countries=text))
        out = pd.DataFrame([(k, d, int(counts.get((k, d), 0)) if pd.notna(d) else 0, "; ".join(n))
                            for (k, d), n in rows.items()], columns=["week", "send_date", "emails", "moved"])
        out["send_date"] = pd.to_datetime(out["send_date"])
        return out.sort_values(["week", "send_date"], kind="stable", na_position="first").reset_index(drop=True)

    def log_rows(self) -> pd.DataFrame:
        """The planned sends as contact-log rows (customer_id, email, sent_at, purpose, campaign)."""
        p = self.plan
        return pd.DataFrame({"customer_id": p["customer_id"], "email": p["email"],
                             "sent_at": p["send_date"].dt.strftime("%Y-%m-%d"), "purpose": p["purpose"],
                             "campaign": p["campaign"]})


def default_month(as_of: pd.Timestamp) -> pd.Period:
    """The month after the as-of date: the data ends, the plan is for what comes next."""
    return pd.Timestamp(as_of).to_period("M") + 1


def parse_month(text: str | None, as_of: pd.Timestamp) -> pd.Period:
    """--month YYYY-MM (default: the month after the as-of date)."""
    if text in (None, ""):
        return default_month(as_of)
    try:
        if len(str(text).strip()) != 7:
            raise ValueError(text)
        return pd.Period(str(text).strip(), freq="M")
    except (ValueError, TypeError):
        raise InputError(_("--month {value} is not a month.").format(value=repr(text)),
                         hint=_("Use YYYY-MM, e.g. 2026-11.")) from None


def send_days(month: pd.Period, weekday: int) -> list[pd.Timestamp]:
    """The month's four weekly send days: the chosen weekday in days 1-7, 8-14, 15-21 and 22-28."""
    first = month_bounds(month)[0]
    out = []
    for k in range(4):
        start = first + pd.Timedelta(days=7 * k)
        out.append(start + pd.Timedelta(days=(int(weekday) - start.weekday()) % 7))
    return out


def read_suppression(path) -> set[str]:
    """Ids and emails in an unsubscribe / suppression file: the email or id column, else the first column."""
    from pathlib import Path

    from ..io.read import read_file

    values: set[str] = set()
    for raw in read_file(Path(path)):
        frame = raw.frame
        cols = [c for c in frame.columns if str(c).strip().lower() in
                {"email", "e-mail", "email address", "邮箱", "买家邮箱", "customer_id", "customer id", "id",
                 "买家id", "客户id", "buyer id", "buyer-email"}]
        cols = cols or [frame.columns[0]]
        for c in cols:
            values.update(frame[c].dropna().astype("str").str.strip().tolist())
        if len(frame.columns) == 1:  # a one-column file's header may itself be an id or email
            values.add(str(frame.columns[0]).strip())
    return {v for v in values if v}


def _stars(series: pd.Series) -> pd.Series:
    """Stars as numbers: 3, "3", "3★", "★★★" all read as 3."""
    num = pd.to_numeric(series, errors="coerce")
    text = series.astype("str")
    counted = text.str.count("★").where(text.str.contains("★", regex=False), np.nan)
    digit = pd.to_numeric(text.str.extract(r"(\d)", expand=False), errors="coerce")
    return num.fillna(counted).fillna(digit).astype("float64")


def _coupons(config: Config) -> dict[str, str]:
    table = dict(DEFAULT_COUPONS)
    table.update({str(k): str(v) for k, v in (config.tables.get("coupons") or {}).items()})
    return table


def _match_log(contacts: pd.DataFrame, customers: pd.DataFrame) -> pd.Series:
    """The customer key of each contact-log row: its id when known, else its email's customer."""
    key = contacts["customer"].astype("object") if "customer" in contacts else pd.Series(None, index=contacts.index)
    known = key.isin(customers.index)
    by_email = pd.Series(customers.index, index=customers["email"].astype("str").str.lower().to_numpy())
    by_email = by_email[~by_email.index.duplicated()]
    if "email" in contacts:
        email_key = contacts["email"].astype("str").str.lower().map(by_email)
        key = key.where(known, email_key)
    return key.where(key.isin(customers.index))


def plan_emails(result: ScoreResult, *, quota: int, month: pd.Period | str | None = None,
                contacts: pd.DataFrame | None = None, suppress: set[str] | None = None,
                config: Config | None = None) -> EmailPlan:
    """Allocate at most ``quota`` marketing emails over ``month``; see the module docstring for the rules."""
    config = config or result.config
    c = result.customers
    if "tier" not in c or "tier_score" not in c:
        raise InputError("plan-emails needs the tier segmenter (orders are needed to tier customers).",
                         hint="Run without --segmenters, or include tier.")
    if quota < 0:
        raise InputError(f"--quota {quota} is negative.", hint="Give the number of emails you may send this month.")
    month = parse_month(month, result.as_of) if not isinstance(month, pd.Period) else month
    campaign = f"plan-{month}"
    first, last = month_bounds(month)
    lang = config["lang"]
    platforms = active_platforms(config, result.dataset)
    events = month_events(load_calendar(config), month, platforms)
    closures = events[events["kind"].eq("seller_closure")].reset_index(drop=True)
    days, weeks, slot_moves = _move_out_of_closures(send_days(month, config["plan.send_weekday"]), closures, month,
                                                    lang)
    cooldown = int(config["plan.cooldown_days"])
    notes: list[str] = []
    n = len(c)
    idx = c.index
    home = country_codes(c["country"]) if "country" in c else pd.Series(None, index=idx, dtype="object")
    # D[i, k]: customer i's k-th send day, moved off a public holiday of the customer's country
    D, country_moves = _customer_days(days, weeks, home, closures, month)
    moves = pd.concat([m for m in (slot_moves, country_moves) if len(m)], ignore_index=True) \
        if len(slot_moves) or len(country_moves) else pd.DataFrame(columns=MOVE_COLUMNS)
    for r in closures.itertuples():
        notes.append(_("{name}: the seller is closed {start} to {end}; no email is sent then, and key and repeat "
                       "customers get a stock-up email in the {lead} days before").format(
            name=r.name_zh if lang == "zh" else r.name, start=r.closed_from.strftime("%m-%d"),
            end=r.closed_to.strftime("%m-%d"), lead=r.lead_days))

    # ------------------------------------------------------------------ the contact log
    log = result.dataset.contacts
    if contacts is not None and len(contacts):
        log = pd.concat([log, contacts], ignore_index=True) if len(log) else contacts
    if len(log):
        log = log.assign(cust=_match_log(log, c), day=pd.to_datetime(log["date"]).dt.normalize())
        own = log["campaign"].astype("str").eq(campaign) if "campaign" in log else pd.Series(False, index=log.index)
        # this plan's own recorded sends are not "earlier contacts": re-planning gives the same plan
        log = log[log["day"].notna() & ~own]
        who = log["cust"].astype("object")
        if "customer" in log:
            who = who.fillna(log["customer"].astype("object"))
        log = log.assign(who=who.fillna(log["email"].astype("object")) if "email" in log else who)
        log = log.drop_duplicates(["who", "day", "purpose"] if "purpose" in log else ["who", "day"])
    in_month = log[(log["day"] >= first) & (log["day"] <= last)] if len(log) else log
    # every send of the month counts against the quota, also to someone no longer in the data
    already_sent = int(len(in_month))
    if len(log):
        log = log[log["cust"].notna()]
        in_month = in_month[in_month["cust"].notna()]
    sent_this_month = in_month.groupby("cust").size().reindex(idx).fillna(0).astype("int64") if len(in_month) \
        else pd.Series(0, index=idx)
    # allowed[i, k]: send day k is at least the cooldown away from every logged send of customer i
    allowed = np.ones((n, len(days)), dtype=bool)
    if len(log):
        for k in range(len(days)):  # a loop over the four send days, vectorized over customers
            day_k = pd.Series(D[:, k], index=idx)
            gap = (log["day"] - log["cust"].map(day_k)).abs().dt.days
            near = gap[gap < cooldown].groupby(log.loc[gap < cooldown, "cust"]).size()
            allowed[:, k] &= ~idx.isin(near.index)

    # ------------------------------------------------------------------ who is left out, first reason wins
    tier = c["tier"].astype("object")
    caps = {t: int(config[f"plan.cap_{t}"]) for t in TIER_ORDER}
    cap = tier.map(caps).fillna(1).astype("int64") - sent_this_month
    email = c["email"].astype("object")
    has_email = email.notna() & email.astype("str").str.contains("@", regex=False)
    consent = c["accepts_marketing"].astype("boolean") if "accepts_marketing" in c \
        else pd.Series(pd.NA, index=idx, dtype="boolean")
    suppress = {s.strip().lower() for s in (suppress or set()) if s and s.strip()}
    suppressed = idx.astype("str").str.lower().isin(list(suppress)) | \
        email.astype("str").str.lower().isin(list(suppress)).to_numpy()
    black = c["blacklisted"].fillna(False).astype(bool) | tier.eq("blacklisted")
    big_b = c["buyer_type"].eq("big_b").fillna(False) if "buyer_type" in c else pd.Series(False, index=idx)
    conds = [
        ("blacklisted", black.to_numpy()),
        ("followup", big_b.to_numpy()),
        ("suppressed", np.asarray(suppressed)),
        ("no_consent", consent.eq(False).fillna(False).to_numpy()),
        ("consent_unknown", (consent.isna() & bool(config["plan.require_opt_in"])).to_numpy()),
        ("no_email", (~has_email).to_numpy()),
        ("cap_reached", (cap <= 0).to_numpy()),
        ("seller_closed", np.full(n, not len(days))),
        ("cooldown", ~allowed.any(axis=1)),
    ]
    status = np.select([m for _r, m in conds], [r for r, _m in conds], default="eligible")
    status = pd.Series(status, index=idx)
    unknown_consent = int((consent.isna() & status.eq("eligible")).sum())
    if unknown_consent:
        notes.append(_("{n} customers who may be emailed have no consent record (treated as consenting; set "
                       "plan.require_opt_in = true to skip them)").format(n=unknown_consent))

    # ------------------------------------------------------------------ priority groups
    score = c["tier_score"].astype("float64").fillna(0.0)
    value = c["monetary"].astype("float64").fillna(0.0) if "monetary" in c else pd.Series(0.0, index=idx)
    buyers = c["frequency"].fillna(0).astype("int64") > 0 if "frequency" in c else pd.Series(False, index=idx)
    is_key = tier.eq("key")
    q = float(config["plan.lapsed_min_value_quantile"])
    bar = float(value[buyers].quantile(q)) if buyers.any() and q > 0 else -np.inf
    if "churn" in c:
        lapsed_label = c["churn"].astype("object")
        lapsed = lapsed_label.isin(["at_risk", "likely_lost"])
        lapsed_by = "churn"
    elif "rfm_tier" in c or "rfm" in c:
        rfm_tier = c["rfm_tier"].astype("object") if "rfm_tier" in c else pd.Series(None, index=idx)
        rfm = c["rfm"].astype("object") if "rfm" in c else pd.Series(None, index=idx)
        lapsed = rfm_tier.eq("dormant") | rfm.isin(["at_risk", "cant_lose"])
        lapsed_label = rfm.where(rfm.isin(["at_risk", "cant_lose"]), rfm_tier)
        lapsed_by = "rfm"
        notes.append(_("win-back picked by RFM (dormant, at risk, can't lose): the churn segmenter did not run"))
    else:
        lapsed, lapsed_label, lapsed_by = pd.Series(False, index=idx), pd.Series(None, index=idx), None
        notes.append(_("no churn or rfm labels: the win-back priority was skipped"))
    lapsed = lapsed.fillna(False).astype(bool) & buyers & (value >= bar)
    upgrade = c["tier_upgrade"].fillna(False).astype(bool) if "tier_upgrade" in c else pd.Series(False, index=idx)
    if "stars" in c:
        stars = _stars(c["stars"])
        warm = stars >= 2
    else:
        stars = pd.Series(np.nan, index=idx)
        warm = pd.Series(False, index=idx)
        notes.append(_("no stars column (the stars segmenter did not run): the warm inquiry/sample priority was "
                       "skipped"))
    group = pd.Series(np.select([is_key, lapsed, upgrade, warm.fillna(False)], [1, 2, 3, 4], default=5), index=idx)
    clv = c["clv_12m"].astype("float64") if ("clv_12m" in c and lapsed_by == "churn") else pd.Series(np.nan, index=idx)
    # sort keys, most valuable first: key/upgrade/rest by tier_score, lapsed by 12-month value then value,
    # warm by stars then tier_score
    k1 = np.select([group.eq(2), group.eq(4)], [clv.where(clv.notna(), value), stars.fillna(0)],
                   default=score)
    k2 = np.select([group.eq(2), group.eq(4)], [value, score], default=value)
    order = pd.DataFrame({"group": group, "k1": -k1, "k2": -k2, "k3": -value.to_numpy(), "id": idx.astype("str")},
                         index=idx)
    eligible = status.eq("eligible")
    ranked = order[eligible].sort_values(["group", "k1", "k2", "k3", "id"], kind="stable")
    rank = pd.Series(np.arange(len(ranked)), index=ranked.index)

    # ------------------------------------------------------------------ which sends fit the quota
    available = max(0, int(quota) - already_sent)
    if already_sent:
        notes.append(_("{n} emails already in the contact log for {month} (other campaigns) count against the "
                       "quota of {quota}").format(n=already_sent, month=month, quota=quota))
    gap_days = (D[:, None, :] - D[:, :, None]).astype("timedelta64[D]").astype("int64")
    pair_ok = gap_days >= cooldown  # pair_ok[c, i, j]: customer c's day j is a valid second send after day i
    rpos = idx.get_indexer(ranked.index)
    A = allowed[rpos]
    # can_second[i, k]: a first send on day k leaves an allowed day for a second one
    can_second = A & (np.einsum("ij,ikj->ik", A.astype("int64"), pair_ok[rpos].astype("int64")) > 0)
    ranked_cap = cap.reindex(ranked.index).to_numpy()
    doubles_possible = (ranked_cap >= 2) & can_second.any(axis=1) & ranked["group"].eq(1).to_numpy()
    firsts = pd.DataFrame({"customer_id": ranked.index, "nth": 1, "stage": np.where(ranked["group"] < 5, 0, 2),
                           "rank": rank.to_numpy()})
    seconds = firsts[doubles_possible].assign(nth=2, stage=1)
    sends = pd.concat([firsts, seconds], ignore_index=True).sort_values(["stage", "rank", "nth"], kind="stable")
    sends = sends.head(available).reset_index(drop=True)
    sends["priority"] = np.arange(1, len(sends) + 1)  # the order the quota was spent in
    chosen_double = set(sends.loc[sends["nth"] == 2, "customer_id"])
    planned_ids = pd.Index(sends.loc[sends["nth"] == 1, "customer_id"])
    status.loc[planned_ids] = "planned"
    status.loc[eligible & ~status.index.isin(planned_ids)] = "over_quota"

    # ------------------------------------------------------------------ spread over the weeks
    pos = idx.get_indexer(planned_ids)
    A1 = allowed[pos]
    dbl = planned_ids.isin(list(chosen_double))
    A1 = np.where(dbl[:, None], can_second[rank.reindex(planned_ids).to_numpy()], A1) if len(planned_ids) else A1
    # key and repeat customers are steered to a send day in a closure's lead days, for the stock-up email
    stockers = (is_key | (c["frequency"].fillna(0).astype("int64") >= 2 if "frequency" in c else is_key))
    pre = _before_closure(D, closures)
    if len(planned_ids) and pre.any():
        steer = A1 & pre[pos] & stockers.reindex(planned_ids).to_numpy()[:, None]
        A1 = np.where(steer.any(axis=1)[:, None], steer, A1)
    first_day, second_day = _assign_days(A1, dbl, allowed[pos], pair_ok[pos], len(sends),
                                         rank.reindex(planned_ids).to_numpy())
    when = pd.DataFrame({"customer_id": planned_ids, "d1": first_day, "d2": second_day})
    sends = sends.merge(when, on="customer_id", how="left")
    sends["day"] = np.where(sends["nth"] == 1, sends["d1"], sends["d2"]).astype("int64")
    sends["send_date"] = pd.to_datetime(D[idx.get_indexer(sends["customer_id"]), sends["day"].to_numpy()]) \
        if len(sends) else pd.Series(pd.NaT, index=sends.index, dtype="datetime64[ns]")
    sends["week"] = np.asarray(weeks, dtype="int64")[sends["day"].to_numpy()] if len(sends) else 0

    # ------------------------------------------------------------------ what each email says
    plan = _describe(sends, c, group, lapsed, lapsed_label, stars, month, first, config, campaign, result,
                     events, stockers)
    # each email its own products: a second email recommends none of the first's product families
    emails = plan.groupby("customer_id", sort=False)["nth"].max()
    recs = recommend(result.dataset, c, emails.index, config, emails=emails)
    text = summary_text(recs).astype({"customer_id": "object", "nth": "int64"})
    plan = plan.merge(text, on=["customer_id", "nth"], how="left", validate="one_to_one")
    plan["recommended"] = plan["recommended"].fillna("")
    plan = plan.sort_values(["send_date", "priority"], kind="stable").reset_index(drop=True)[PLAN_COLUMNS]

    codes = plan["country_code"].dropna().unique().tolist()
    themes = _themes(month, codes, plan, events, days[0] if days else first, lang)
    excluded = _excluded(c, status, cap, sent_this_month, allowed, days, cooldown, config)
    followups = _followups(result, c[status.eq("followup")])
    if not upgrade.any():
        notes.append(_("no customer has upgrade potential (tier_upgrade): no upgrade coupons this month"))
    return EmailPlan(month=month, quota=int(quota), campaign=campaign, plan=plan, followups=followups,
                     excluded=excluded, recommendations=recs, themes=themes, send_days=days,
                     already_sent=already_sent, currency=result.dataset.currency or "", notes=notes, weeks=weeks,
                     moves=moves, platforms=platforms)


def _closed(day: pd.Timestamp, closures: pd.DataFrame, lang: str = "en") -> str:
    """The closure ``day`` falls in, as "name mm-dd–mm-dd" ("" when the seller is open)."""
    for r in closures.itertuples():
        if r.closed_from <= day <= r.closed_to:
            name = r.name_zh if lang == "zh" else r.name
            return f"{name} {r.closed_from.strftime('%m-%d')}–{r.closed_to.strftime('%m-%d')}"
    return ""


def _move_out_of_closures(slots: list[pd.Timestamp], closures: pd.DataFrame, month: pd.Period, lang: str):
    """The send days with those inside a seller closure moved to the nearest working day outside it (at most a
    week away, in the month, not another send day; the earlier on a tie) or dropped.  Returns the days, their
    week numbers and the moves (week, country "", planned, send_date or NaT, reason)."""
    first, last = month_bounds(month)
    days, weeks, moves = [], [], []
    for k, d in enumerate(slots):
        why = _closed(d, closures, lang)
        if not why:
            days.append(d)
            weeks.append(k + 1)
            continue
        options = [d + pd.Timedelta(days=s * j) for j in range(1, 8) for s in (-1, 1)]
        options = [o for o in options if first <= o <= last and o.weekday() < 5 and not _closed(o, closures)
                   and o not in slots and o not in days]
        reason = why
        if options:
            days.append(options[0])
            weeks.append(k + 1)
        moves.append((k + 1, "", d, options[0] if options else pd.NaT, reason))
    order = np.argsort(np.array(days, dtype="datetime64[ns]"), kind="stable")
    days, weeks = [days[i] for i in order], [weeks[i] for i in order]
    frame = pd.DataFrame(moves, columns=MOVE_COLUMNS)
    frame["send_date"] = pd.to_datetime(frame["send_date"])
    return days, weeks, frame


def _customer_days(days, weeks, home: pd.Series, closures: pd.DataFrame, month: pd.Period):
    """Each customer's send days: a day on a public holiday of the customer's country moves to the nearest
    working day of that country (in the month, outside the closure; the later on a tie).  Returns the
    (customers x days) datetime64 matrix and the moves (week, country, planned, send_date, reason)."""
    first, last = month_bounds(month)
    base = np.array(days, dtype="datetime64[ns]")
    D = np.tile(base, (len(home), 1))
    moves = []
    for code in sorted({x for x in home.dropna().unique() if isinstance(x, str) and x}):
        row = list(days)
        for k, d in enumerate(days):
            name = holiday_on(code, d)
            if not name:
                continue
            options = [d + pd.Timedelta(days=s * j) for j in range(1, 4) for s in (1, -1)]
            options = [o for o in options if first <= o <= last and o.weekday() < 5 and not holiday_on(code, o)
                       and not _closed(o, closures) and o not in row]
            if options:
                row[k] = options[0]
                moves.append((weeks[k], code, d, options[0], name))
        if row != list(days):
            D[home.eq(code).fillna(False).to_numpy()] = np.array(row, dtype="datetime64[ns]")
    frame = pd.DataFrame(moves, columns=MOVE_COLUMNS)
    frame["send_date"] = pd.to_datetime(frame["send_date"])
    frame["planned"] = pd.to_datetime(frame["planned"])
    return D, frame


def _before_closure(D: np.ndarray, closures: pd.DataFrame) -> np.ndarray:
    """pre[i, k]: customer i's day k is in the lead days before a closure (when the stock-up email goes out)."""
    pre = np.zeros(D.shape, dtype=bool)
    for r in closures.itertuples():
        start = np.datetime64(r.closed_from - pd.Timedelta(days=int(r.lead_days)), "ns")
        pre |= (D >= start) & (D < np.datetime64(r.closed_from, "ns"))
    return pre


def _assign_days(A: np.ndarray, dbl: np.ndarray, A_all: np.ndarray, pair_ok: np.ndarray, total: int,
                 order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First (and second) send day per planned customer, filling the days evenly.

    ``A`` says which days a customer's first send may take (for a customer with two sends: only days that
    leave room for the second).  Each day takes the customers whose last possible day it is, then the most
    constrained and highest ranked up to an even share of ``total``.  A second send goes to the first allowed
    day at least the cooldown after the first (``pair_ok[i, k, j]``: customer i's day j is far enough after
    day k).  Loops over the (four) days only.
    """
    m, n_days = A.shape
    first = np.full(m, -1, dtype="int64")
    second = np.full(m, -1, dtype="int64")
    if m == 0:
        return first, second
    target = np.full(n_days, total // n_days) + (np.arange(n_days) < total % n_days)
    load = np.zeros(n_days, dtype="int64")
    cols = np.arange(n_days)
    last_ok = np.where(A.any(axis=1), n_days - 1 - np.argmax(A[:, ::-1], axis=1), -1)
    for k in range(n_days):
        free = (first < 0) & A[:, k]
        must = free & (last_ok == k)
        room = max(0, int(target[k] - load[k] - must.sum()))
        rest = np.flatnonzero(free & ~must)
        rest = rest[np.lexsort((order[rest], last_ok[rest]))][:room]
        take = np.flatnonzero(must).tolist() + rest.tolist()
        take = np.array(take, dtype="int64")
        if not len(take):
            continue
        first[take] = k
        load[k] += len(take)
        d = take[dbl[take]]
        if len(d):
            ok = A_all[d] & pair_ok[d, k, :] & (cols[None, :] > k)
            second[d] = np.argmax(ok, axis=1)
            np.add.at(load, second[d], 1)
    return first, second


def _describe(sends, c, group, lapsed, lapsed_label, stars, month, first_day, config, campaign, result, events,
              stockers):
    """Purpose, template, coupon, theme, language and the reason in words for every send."""
    lang = config["lang"]
    cur = result.dataset.currency or ""
    s = sends.join(c, on="customer_id")
    s["group"] = s["customer_id"].map(group)
    survey_from = first_day - pd.Timedelta(days=int(config["plan.survey_days"]))
    recent = s["last_order"].notna() & (s["last_order"] >= survey_from) if "last_order" in s \
        else pd.Series(False, index=s.index)
    g = s["group"]
    gone = s["customer_id"].map(lapsed).fillna(False).astype(bool)
    # a key customer who stopped buying gets the win-back email too, at the key customers' priority
    s["purpose"] = np.select(
        [g.eq(1) & s["nth"].eq(2), g.eq(1) & recent, g.eq(1) & gone, g.eq(1), g.eq(2), g.eq(3), g.eq(4)],
        ["promotion", "satisfaction_survey", "win_back", "new_arrivals", "win_back", "upgrade_coupon", "warm_lead"],
        default="regular")
    s["country_code"] = country_codes(s["country"])
    s["language"] = language_of(s["country_code"])
    coupons = _coupons(config)
    s["coupon"] = s["tier"].map(coupons).fillna("")
    # theme: of the calendar's events whose lead days cover the send day (and that apply to the recipient's
    # country: Thanksgiving only to the US, Diwali to India), the one that ends soonest; where none does, the
    # next one starting later in the month (or in the week after it), as a warm-up
    theme = pd.Series("", index=s.index, dtype="object")
    peak_key = pd.Series("", index=s.index, dtype="object")
    peak_date = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    themed_by = events[events["kind"].isin(THEME_KINDS)]
    month_end = month_bounds(month)[1]
    later = themed_by[themed_by["start"].le(month_end + pd.Timedelta(days=7))].sort_values("start", ascending=False,
                                                                                      kind="stable")
    soonest = themed_by.sort_values(["end", "start"], ascending=False, kind="stable")
    for p, hit in [*((p, s["send_date"].lt(p.start)) for p in later.itertuples()),
                   *((p, s["send_date"].ge(p.start - pd.Timedelta(days=int(p.lead_days))) & s["send_date"].le(p.end))
                     for p in soonest.itertuples())]:  # a few events a month
        hit &= s["country_code"].map(lambda code, cs=p.countries: applies_to(cs, code)).astype(bool)
        theme[hit] = _event_text(p, lang)
        peak_key[hit] = p.key
        peak_date[hit] = p.start
    days_before = (peak_date - s["send_date"]).dt.days
    phase = pd.Series(np.where(days_before <= 7, "push", "warmup"), index=s.index).where(peak_key.ne(""), "")
    # before a closure: the key and repeat customers' first new-arrivals / promotion / regular email in its lead
    # days becomes "stock up before we close"
    stock_key = pd.Series("", index=s.index, dtype="object")
    for r in events[events["kind"].eq("seller_closure")].itertuples():
        window = s["send_date"].ge(r.closed_from - pd.Timedelta(days=int(r.lead_days))) & s["send_date"].lt(
            r.closed_from)
        can = window & s["purpose"].isin(STOCK_UP_FROM) & s["customer_id"].map(stockers).fillna(False).astype(bool)
        can &= stock_key.eq("")
        firsts = s[can].sort_values(["send_date", "nth"]).drop_duplicates("customer_id").index
        s.loc[firsts, "purpose"] = "stock_up"
        stock_key[firsts] = r.key
        theme[firsts] = tr("{name}: closed {start} to {end}", lang).format(
            name=r.name_zh if lang == "zh" else r.name, start=r.closed_from.strftime("%m-%d"),
            end=r.closed_to.strftime("%m-%d"))
    s["theme"] = theme
    hol = country_holidays(s["country_code"].dropna().unique().tolist(), month)
    if len(hol):
        hol_text = (hol.assign(t=hol["date"].dt.strftime("%m-%d") + " " + hol["name"])
                    .groupby("country")["t"].agg("; ".join))
        s["local_holidays"] = s["country_code"].map(hol_text).fillna("")
    else:
        s["local_holidays"] = ""
    themed = s["purpose"].isin(["promotion", "regular"]) & peak_key.ne("")
    s["template"] = np.where(themed, s["purpose"] + "." + peak_key + "." + phase, s["purpose"]) + "." + s["language"]
    stock = s["purpose"].eq("stock_up")
    s.loc[stock, "template"] = "stock_up." + stock_key[stock] + "." + s.loc[stock, "language"]
    s["campaign"] = campaign
    s["reason"] = _reasons(s, lapsed_label, stars, lang, cur)
    return s


def _fmt_money(values: pd.Series) -> pd.Series:
    v = values.astype("float64").fillna(0).to_numpy()
    return pd.Series([f"{x:,.0f}" for x in v], index=values.index, dtype="object")


def _lapsed_word(code: str, lang: str) -> str:
    """A lapsed customer's label (churn's at_risk, rfm's cant_lose, rfm_tier's dormant) as words."""
    from ..labels import code_labels, label

    if lang != "zh":
        return code.replace("_", " ")
    column = next((col for col in ("churn", "rfm", "rfm_tier") if code in code_labels(col)), None)
    return label(column, code, lang) if column else code


def _reasons(s: pd.DataFrame, lapsed_label, stars, lang: str, cur: str) -> pd.Series:
    zh = lang == "zh"
    if not len(s):
        return pd.Series([], index=s.index, dtype="object")
    score = s["tier_score"].astype("float64").fillna(0).round(0).astype("int64").astype("str")
    last = s["last_order"].dt.strftime("%Y-%m-%d").fillna("-") if "last_order" in s else pd.Series("-", index=s.index)
    recency = s["recency_days"].astype("Int64").astype("str").replace("<NA>", "-") if "recency_days" in s \
        else pd.Series("-", index=s.index)
    money = _fmt_money(s["monetary"]) + (" " + cur if cur else "")
    orders = s["frequency"].fillna(0).astype("int64").astype("str")
    tier_word = s["tier"].map(lambda t: word(TIERS, t, lang))
    label = s["customer_id"].map(lapsed_label).fillna("").astype("str").map(lambda code: _lapsed_word(code, lang))
    star = s["customer_id"].map(stars).fillna(0).astype("int64").astype("str")
    theme = s["theme"].where(s["theme"].ne(""), "促销" if zh else "promotion")
    is_key = s["group"].eq(1)
    key_zh = pd.Series(np.where(is_key, "关键客户,", ""), index=s.index)
    key_en = pd.Series(np.where(is_key, "key customer, ", ""), index=s.index)
    if zh:
        texts = {
            "satisfaction_survey": "关键客户(评分 " + score + "),最近下单 " + last + ":售后满意度调查",
            "new_arrivals": "关键客户(评分 " + score + "):新品上架与促销信息",
            "promotion": "关键客户本月第二封:" + theme,
            "win_back": key_zh + "曾优质购买的流失客户(" + label + "):" + orders + " 单共 " + money + ",已 " + recency
                        + " 天未下单——推荐新品并了解流失原因",
            "upgrade_coupon": "有升级潜力的" + tier_word + ":发优惠券鼓励升级",
            "warm_lead": star + "★ 意向客户:跟进询盘/样品",
            "regular": tier_word + "(评分 " + score + "):本月日常营销",
        }
    else:
        texts = {
            "satisfaction_survey": "key customer (tier score " + score + "), last order " + last
                                   + ": after-sales satisfaction survey",
            "new_arrivals": "key customer (tier score " + score + "): new arrivals and promotions",
            "promotion": "key customer, second email of the month: " + theme,
            "win_back": key_en + "lapsed (" + label + ") after buying well: " + orders + " orders, " + money + ", last "
                        + recency + " days ago: new arrivals, and ask why they stopped",
            "upgrade_coupon": tier_word.str.lower() + " customer with upgrade potential: coupon to move up",
            "warm_lead": star + "★ inquiry/sample customer: follow up the inquiry or sample",
            "regular": tier_word.str.lower() + " customer (tier score " + score + "): the month's regular email",
        }
    who = pd.Series(np.where(is_key, tr("key customer", lang), tr("repeat customer", lang)), index=s.index)
    texts["stock_up"] = format_rows(tr("{who} ({orders} orders): stock up before we close for {theme}", lang),
                                    s.index, who=who, orders=orders, theme=theme)
    out = pd.Series("", index=s.index, dtype="object")
    for purpose, text in texts.items():
        hit = s["purpose"].eq(purpose)
        out[hit] = text[hit]
    if "stars_reason" in s:
        warm = s["purpose"].eq("warm_lead") & s["stars_reason"].notna()
        out[warm] = out[warm] + " (" + s.loc[warm, "stars_reason"].astype("str") + ")"
    return out


def _event_text(p, lang: str) -> str:
    """ "Ramadan 02-18–03-18", "Black Friday 11-27": a calendar event's name in ``lang`` and its days."""
    name = p.name_zh if lang == "zh" else p.name
    days = p.start.strftime("%m-%d") + ("" if p.end == p.start else "–" + p.end.strftime("%m-%d"))
    return f"{name} {days}"


THEME_COLUMNS = ["kind", "country", "date", "end", "holiday", "recipients"]


def _themes(month: pd.Period, codes: list[str], plan: pd.DataFrame, events: pd.DataFrame, first_send: pd.Timestamp,
            lang: str) -> pd.DataFrame:
    """The calendar's events of the month (from its first send day on; a closure with its closed days) and the
    recipients' countries' public holidays; ``country`` names the recipients' countries an event is limited to."""
    recipients = plan.groupby("country_code")["customer_id"].nunique()
    rows = []
    for p in events.itertuples():
        closure = p.kind == "seller_closure"
        end = p.closed_to if closure else p.end
        if end < first_send and not closure:  # a closure stays: it is why send days moved
            continue
        if p.countries:
            hit = [code for code in sorted(recipients.index) if code in p.countries]
            if not hit:
                continue
            where, n = ", ".join(hit), int(recipients.reindex(hit).sum())
        else:
            where, n = "", int(plan["customer_id"].nunique())
        name = p.name_zh if lang == "zh" else p.name
        rows.append((p.kind, where, p.closed_from if closure else p.start, end, name, n))
    hol = country_holidays(codes, month)
    rows += [("public_holiday", h.country, h.date, h.date, h.name, int(recipients.get(h.country, 0)))
             for h in hol.itertuples()]
    return pd.DataFrame(rows, columns=THEME_COLUMNS).sort_values(["date", "kind", "country"], kind="stable") \
        .reset_index(drop=True)


def _excluded(c, status, cap, sent_this_month, allowed, days, cooldown, config) -> pd.DataFrame:
    """One row per customer left out (big B follow-ups are not left out), with the reason and detail."""
    lang = config["lang"]
    out_mask = status.isin(REASON_ORDER)
    e = c[out_mask]
    reason = status[out_mask]
    detail = reason.map(lambda r: word(REASONS, r, lang))
    sent = sent_this_month[out_mask]
    cap_hit = reason.eq("cap_reached")
    detail[cap_hit] = detail[cap_hit] + " (" + sent[cap_hit].astype("str") + (" 封)" if lang == "zh" else " sent)")
    cool = reason.eq("cooldown")
    if cool.any():
        detail[cool] = detail[cool] + (f" ({cooldown} 天)" if lang == "zh" else f" ({cooldown} days)")
    frame = pd.DataFrame({
        "customer_id": e.index, "name": e["name"].to_numpy(), "email": e["email"].to_numpy(),
        "country": e["country"].to_numpy(), "tier": e["tier"].to_numpy(),
        "tier_score": e["tier_score"].to_numpy(), "reason": reason.to_numpy(), "detail": detail.to_numpy()})
    frame["_r"] = frame["reason"].map({r: i for i, r in enumerate(REASON_ORDER)})
    frame = frame.sort_values(["_r", "tier_score", "customer_id"], ascending=[True, False, True], kind="stable")
    return frame.drop(columns="_r").reset_index(drop=True)[EXCLUDED_COLUMNS]


def _followups(result: ScoreResult, big: pd.DataFrame) -> pd.DataFrame:
    """Big B customers for a sales rep: their history in a line, when the next order is due, what to do."""
    lang = result.config["lang"]
    zh = lang == "zh"
    cur = result.dataset.currency or ""
    if not len(big):
        return pd.DataFrame(columns=FOLLOWUP_COLUMNS)
    lines = result.dataset.lines
    lines = lines[lines["customer"].isin(big.index) & lines["status"].eq("paid") & ~lines["is_sample"].astype(bool)]
    lv = pd.to_numeric(lines["line_value"], errors="coerce").fillna(0.0)
    prod = lines["product"].astype("object").fillna(lines["sku"].astype("object")).fillna("?")
    per = (pd.DataFrame({"customer": lines["customer"], "product": prod, "value": lv})
           .groupby(["customer", "product"], as_index=False)["value"].sum())
    per["share"] = per["value"] / per.groupby("customer")["value"].transform("sum")
    per = per.sort_values(["customer", "value", "product"], ascending=[True, False, True], kind="stable")
    top = per.groupby("customer").head(3)
    top_text = (top.assign(t=top["product"] + " (" + (top["share"] * 100).round(0).astype("int64").astype("str")
                           + "%)").groupby("customer")["t"].agg("; ".join))
    orders = result.dataset.orders
    orders = orders[orders["customer"].isin(big.index) & orders["paid"].astype(bool)
                    & ~orders["is_sample"].astype(bool)].sort_values(["customer", "date", "order_id"])
    last = orders.groupby("customer").tail(1).set_index("customer")
    last_text = (last["date"].dt.strftime("%Y-%m-%d") + ", " + _fmt_money(last["net_value"])
                 + (" " + cur if cur else "") + ", " + last["units"].fillna(0).astype("int64").astype("str")
                 + (" 件" if zh else " units"))
    f = big
    due = f["last_order"] + pd.to_timedelta(f["median_gap_days"], unit="D")
    overdue = due.notna() & (due <= result.as_of)
    money = _fmt_money(f["monetary"]) + (" " + cur if cur else "")
    gap = f["median_gap_days"].round(0).astype("Int64").astype("str").replace("<NA>", "?")
    if zh:
        history = (f["frequency"].astype("int64").astype("str") + " 单,自 " + f["first_order"].dt.strftime("%Y-%m-%d")
                   + " 起共 " + money + ";约每 " + gap + " 天下单一次")
        action = np.where(overdue, "已到补货周期:电话/一对一跟进补单", "一对一维护:新品与报价")
    else:
        history = (f["frequency"].astype("int64").astype("str") + " orders since "
                   + f["first_order"].dt.strftime("%Y-%m-%d") + ", " + money + " in all; orders every ~" + gap
                   + " days")
        action = np.where(overdue, "reorder is due: call and follow up one-to-one",
                          "one-to-one care: new products and a quote")
    out = pd.DataFrame({
        "customer_id": f.index, "name": f["name"].to_numpy(), "company": f["company"].to_numpy(),
        "email": f["email"].to_numpy(), "country": f["country"].to_numpy(), "tier": f["tier"].to_numpy(),
        "tier_score": f["tier_score"].to_numpy(), "accepts_marketing": f["accepts_marketing"].to_numpy(),
        "orders": f["frequency"].to_numpy(), "first_order": f["first_order"].to_numpy(),
        "last_order": f["last_order"].to_numpy(), "recency_days": f["recency_days"].to_numpy(),
        "monetary": f["monetary"].round(2).to_numpy(), "aov": f["aov"].round(2).to_numpy(),
        "median_gap_days": f["median_gap_days"].to_numpy(), "next_order_due": due.dt.normalize().to_numpy(),
        "top_products": f.index.map(top_text).fillna("").to_numpy(),
        "last_order_summary": f.index.map(last_text).fillna("").to_numpy(),
        "history": history.to_numpy(), "action": action})
    return out.sort_values(["tier_score", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
