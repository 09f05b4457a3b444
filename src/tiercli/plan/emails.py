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

``plan_emails`` runs these as named steps: ``schedule.plan_month`` (the send days; the ``Month`` the steps
share), ``recipients.logged_sends``, ``recipients.eligibility`` (1), ``recipients.priorities`` (2),
``_fill_quota`` (3), ``_spread_over_weeks`` (4, 5) and ``_write_emails`` (``wording.describe`` and
``recommend``), then the themes, the left-out list and the follow-ups (``wording``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import Config
from ..errors import InputError
from ..i18n import _, tr
from ..scoring import ScoreResult
from .recipients import TIER_ORDER, Logged, eligibility, logged_sends, priorities
from .recommend import recommend, summary_text
from .schedule import (
    MOVE_COLUMNS,
    Month,
    assign_days,
    before_closure,
    plan_month,
    send_days,
)
from .wording import (
    DEFAULT_COUPONS,
    REASON_ORDER,
    Priorities,
    describe,
    excluded,
    followups,
    themes,
)
from .words import PURPOSES

__all__ = ["DEFAULT_COUPONS", "MOVE_COLUMNS", "PLAN_COLUMNS", "PURPOSES", "EmailPlan", "default_month",
           "parse_month", "plan_emails", "read_suppression", "send_days"]

PLAN_COLUMNS = ["send_date", "week", "customer_id", "name", "email", "country", "country_code", "language", "tier",
                "tier_score", "purpose", "nth", "template", "coupon", "theme", "local_holidays", "recommended",
                "reason", "priority", "campaign"]


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


def plan_emails(result: ScoreResult, *, quota: int, month: pd.Period | str | None = None,
                contacts: pd.DataFrame | None = None, suppress: set[str] | None = None,
                config: Config | None = None) -> EmailPlan:
    """Allocate at most ``quota`` marketing emails over ``month``; see the module docstring for the rules."""
    config = config or result.config
    c = result.customers
    if "tier" not in c or "tier_score" not in c:
        raise InputError(_("plan-emails needs the tier segmenter (orders are needed to tier customers)."),
                         hint=_("Run without --segmenters, or include tier."))
    if quota < 0:
        raise InputError(_("--quota {quota} is negative.").format(quota=quota),
                         hint=_("Give the number of emails you may send this month."))
    month = parse_month(month, result.as_of) if not isinstance(month, pd.Period) else month
    ctx = plan_month(result, month, config)
    notes = _closure_notes(ctx)
    log = result.dataset.contacts
    if contacts is not None and len(contacts):
        log = pd.concat([log, contacts], ignore_index=True) if len(log) else contacts
    logged = logged_sends(ctx, log)
    status, cap = eligibility(ctx, logged, suppress, notes)
    who, upgrade, ranked = priorities(ctx, status, notes)
    fill = _fill_quota(ctx, int(quota), logged, cap, ranked, notes)
    planned_ids = pd.Index(fill.sends.loc[fill.sends["nth"] == 1, "customer_id"])
    eligible = status.eq("eligible")
    status.loc[planned_ids] = "planned"
    status.loc[eligible & ~status.index.isin(planned_ids)] = "over_quota"
    sends = _spread_over_weeks(ctx, fill, logged.allowed, who)
    plan, recs = _write_emails(ctx, sends, who, result)
    codes = plan["country_code"].dropna().unique().tolist()
    month_themes = themes(month, codes, plan, ctx.events, ctx.days[0] if ctx.days else ctx.first, ctx.lang)
    left_out = excluded(c, status, logged.sent_this_month, ctx.cooldown, config)
    big_b = followups(result, c[status.eq("followup")])
    if not upgrade.any():
        notes.append(_("no customer has upgrade potential (tier_upgrade): no upgrade coupons this month"))
    return EmailPlan(month=month, quota=int(quota), campaign=ctx.campaign, plan=plan, followups=big_b,
                     excluded=left_out, recommendations=recs, themes=month_themes, send_days=ctx.days,
                     already_sent=logged.already_sent, currency=ctx.currency, notes=notes, weeks=ctx.weeks,
                     moves=ctx.moves, platforms=ctx.platforms)


def _closure_notes(ctx: Month) -> list[str]:
    """A note per seller closure in the month: when, and what it does to the plan."""
    notes = []
    for r in ctx.closures.itertuples():
        notes.append(_("{name}: the seller is closed {start} to {end}; no email is sent then, and key and repeat "
                       "customers get a stock-up email in the {lead} days before").format(
            name=r.name_zh if ctx.lang == "zh" else r.name, start=r.closed_from.strftime("%m-%d"),
            end=r.closed_to.strftime("%m-%d"), lead=r.lead_days))
    return notes


@dataclass
class QuotaFill:
    """The sends that fit the quota and what placing them on days needs.

    sends: customer_id, nth (1 or 2), stage, rank, priority (the order the quota was spent in); rank: each eligible
    customer's place in the priority order; can_second[r, k]: for the customer ranked r, a first send on day k
    leaves an allowed day for a second one; pair_ok[i, k, j]: customer i's day j is a valid second send after
    day k."""

    sends: pd.DataFrame
    rank: pd.Series
    can_second: np.ndarray
    pair_ok: np.ndarray


def _fill_quota(ctx: Month, quota: int, logged: Logged, cap: pd.Series, ranked: pd.DataFrame,
                notes: list[str]) -> QuotaFill:
    """The quota (less the month's logged sends) filled in order: the first email of the four named groups, the
    key customers' second email, then the rest."""
    idx, D, cooldown, allowed = ctx.customers.index, ctx.D, ctx.cooldown, logged.allowed
    already_sent = logged.already_sent
    rank = pd.Series(np.arange(len(ranked)), index=ranked.index)
    available = max(0, int(quota) - already_sent)
    if already_sent:
        notes.append(_("{n} emails already in the contact log for {month} (other campaigns) count against the "
                       "quota of {quota}").format(n=already_sent, month=ctx.month, quota=quota))
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
    return QuotaFill(sends=sends, rank=rank, can_second=can_second, pair_ok=pair_ok)


def _spread_over_weeks(ctx: Month, fill: QuotaFill, allowed: np.ndarray, who: Priorities) -> pd.DataFrame:
    """Each send's day, week and date: the days filled evenly, two sends to one customer at least the cooldown
    apart, key and repeat customers steered to the days before a closure."""
    idx, D, weeks, closures = ctx.customers.index, ctx.D, ctx.weeks, ctx.closures
    sends, rank, can_second, pair_ok = fill.sends, fill.rank, fill.can_second, fill.pair_ok
    chosen_double = set(sends.loc[sends["nth"] == 2, "customer_id"])
    planned_ids = pd.Index(sends.loc[sends["nth"] == 1, "customer_id"])
    pos = idx.get_indexer(planned_ids)
    A1 = allowed[pos]
    dbl = planned_ids.isin(list(chosen_double))
    A1 = np.where(dbl[:, None], can_second[rank.reindex(planned_ids).to_numpy()], A1) if len(planned_ids) else A1
    # key and repeat customers are steered to a send day in a closure's lead days, for the stock-up email
    stockers = who.stockers
    pre = before_closure(D, closures)
    if len(planned_ids) and pre.any():
        steer = A1 & pre[pos] & stockers.reindex(planned_ids).to_numpy()[:, None]
        A1 = np.where(steer.any(axis=1)[:, None], steer, A1)
    first_day, second_day = assign_days(A1, dbl, allowed[pos], pair_ok[pos], len(sends),
                                        rank.reindex(planned_ids).to_numpy())
    when = pd.DataFrame({"customer_id": planned_ids, "d1": first_day, "d2": second_day})
    sends = sends.merge(when, on="customer_id", how="left")
    sends["day"] = np.where(sends["nth"] == 1, sends["d1"], sends["d2"]).astype("int64")
    sends["send_date"] = pd.to_datetime(D[idx.get_indexer(sends["customer_id"]), sends["day"].to_numpy()]) \
        if len(sends) else pd.Series(pd.NaT, index=sends.index, dtype="datetime64[ns]")
    sends["week"] = np.asarray(weeks, dtype="int64")[sends["day"].to_numpy()] if len(sends) else 0
    return sends


def _write_emails(ctx: Month, sends: pd.DataFrame, who: Priorities, result: ScoreResult):
    """What each email says, with its recommended products (a second email recommends none of the first's
    product families); the plan in send-date order, and the recommendations."""
    c, config = ctx.customers, ctx.config
    plan = describe(sends, ctx, who)
    # each email its own products: a second email recommends none of the first's product families
    emails = plan.groupby("customer_id", sort=False)["nth"].max()
    recs = recommend(result.dataset, c, emails.index, config, emails=emails)
    text = summary_text(recs).astype({"customer_id": "object", "nth": "int64"})
    plan = plan.merge(text, on=["customer_id", "nth"], how="left", validate="one_to_one")
    plan["recommended"] = plan["recommended"].fillna("")
    plan = plan.sort_values(["send_date", "priority"], kind="stable").reset_index(drop=True)[PLAN_COLUMNS]
    return plan, recs
