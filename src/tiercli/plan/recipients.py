"""Who may be emailed this month and in which order: the sends already in the contact log (the quota they used,
the days they keep free), who is left out and why (first reason wins), and the priority groups with the order
inside each.  See ``plan.emails`` for the rules."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..i18n import _
from .schedule import Month
from .wording import Priorities

TIER_ORDER = ["key", "ordinary", "small", "potential"]
GROUPS = {1: "key", 2: "lapsed", 3: "upgrade", 4: "warm", 5: "rest"}  # priority groups, in order


def _stars(series: pd.Series) -> pd.Series:
    """Stars as numbers: 3, "3", "3★", "★★★" all read as 3."""
    num = pd.to_numeric(series, errors="coerce")
    text = series.astype("str")
    counted = text.str.count("★").where(text.str.contains("★", regex=False), np.nan)
    digit = pd.to_numeric(text.str.extract(r"(\d)", expand=False), errors="coerce")
    return num.fillna(counted).fillna(digit).astype("float64")


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


@dataclass
class Logged:
    """The contact log against this month: every logged send of the month (they use the quota), each customer's
    sends this month (against the caps), and ``allowed[i, k]``: customer i's send day k is at least the cooldown
    away from every logged send of theirs."""

    already_sent: int
    sent_this_month: pd.Series
    allowed: np.ndarray


def logged_sends(ctx: Month, log: pd.DataFrame) -> Logged:
    """Read the contact log (the dataset's and ``--contact-log``'s rows) against the month's send days."""
    c, campaign, first, last = ctx.customers, ctx.campaign, ctx.first, ctx.last
    days, D, cooldown = ctx.days, ctx.D, ctx.cooldown
    n, idx = len(c), c.index
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
    return Logged(already_sent, sent_this_month, allowed)


def eligibility(ctx: Month, logged: Logged, suppress: set[str] | None,
                notes: list[str]) -> tuple[pd.Series, pd.Series]:
    """Each customer's status (a reason code of ``words.REASONS``, first reason wins, else "eligible") and the
    emails left under the tier's cap this month."""
    c, config, days = ctx.customers, ctx.config, ctx.days
    sent_this_month, allowed = logged.sent_this_month, logged.allowed
    n, idx = len(c), c.index
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
    return status, cap


def priorities(ctx: Month, status: pd.Series, notes: list[str]) -> tuple[Priorities, pd.Series, pd.DataFrame]:
    """The priority groups, who has upgrade potential, and the eligible customers in priority order."""
    c, config = ctx.customers, ctx.config
    idx = c.index
    tier = c["tier"].astype("object")
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
    # key and repeat customers are steered to a send day in a closure's lead days, for the stock-up email
    stockers = (is_key | (c["frequency"].fillna(0).astype("int64") >= 2 if "frequency" in c else is_key))
    who = Priorities(group=group, lapsed=lapsed, lapsed_label=lapsed_label, stars=stars, stockers=stockers)
    return who, upgrade, ranked
