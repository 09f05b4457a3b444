"""When the month's emails go out: its four weekly send days, moved out of the seller's closure and off each
recipient country's public holidays, and each planned customer's first (and second) day, filled evenly.

Loops are over the (four) send days only; every step is vectorized over the customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import Config
from ..countries import codes as country_codes
from ..scoring import ScoreResult
from .calendar import (
    active_platforms,
    holiday_on,
    load_calendar,
    month_bounds,
    month_events,
)

MOVE_COLUMNS = ["week", "country", "planned", "send_date", "reason"]


@dataclass
class Month:
    """What every step of one month's plan shares: the month and its campaign, the customers and settings, the
    calendar's events, the send days (``weeks``: the week, 1-4, of each) and each customer's own days
    (``D[i, k]``: customer i's k-th send day, off their country's public holidays), and the moves that made them."""

    month: pd.Period
    campaign: str
    config: Config
    customers: pd.DataFrame
    currency: str
    platforms: tuple[str, ...]
    events: pd.DataFrame
    days: list[pd.Timestamp]
    weeks: list[int]
    D: np.ndarray
    moves: pd.DataFrame

    @property
    def first(self) -> pd.Timestamp:
        return month_bounds(self.month)[0]

    @property
    def last(self) -> pd.Timestamp:
        return month_bounds(self.month)[1]

    @property
    def lang(self) -> str:
        return self.config["lang"]

    @property
    def cooldown(self) -> int:
        return int(self.config["plan.cooldown_days"])

    @property
    def closures(self) -> pd.DataFrame:
        return self.events[self.events["kind"].eq("seller_closure")].reset_index(drop=True)


def plan_month(result: ScoreResult, month: pd.Period, config: Config) -> Month:
    """The month's calendar and send days: the seller's platforms' events, the four weekly send days moved out
    of a closure, and every customer's days moved off their country's public holidays."""
    c = result.customers
    lang = config["lang"]
    platforms = active_platforms(config, result.dataset)
    events = month_events(load_calendar(config), month, platforms)
    closures = events[events["kind"].eq("seller_closure")].reset_index(drop=True)
    days, weeks, slot_moves = move_out_of_closures(send_days(month, config["plan.send_weekday"]), closures, month,
                                                   lang)
    home = country_codes(c["country"]) if "country" in c else pd.Series(None, index=c.index, dtype="object")
    D, country_moves = customer_days(days, weeks, home, closures, month)
    moves = pd.concat([m for m in (slot_moves, country_moves) if len(m)], ignore_index=True) \
        if len(slot_moves) or len(country_moves) else pd.DataFrame(columns=MOVE_COLUMNS)
    return Month(month=month, campaign=f"plan-{month}", config=config, customers=c,
                 currency=result.dataset.currency or "", platforms=platforms, events=events, days=days,
                 weeks=weeks, D=D, moves=moves)


def send_days(month: pd.Period, weekday: int) -> list[pd.Timestamp]:
    """The month's four weekly send days: the chosen weekday in days 1-7, 8-14, 15-21 and 22-28."""
    first = month_bounds(month)[0]
    out = []
    for k in range(4):
        start = first + pd.Timedelta(days=7 * k)
        out.append(start + pd.Timedelta(days=(int(weekday) - start.weekday()) % 7))
    return out



def _closed(day: pd.Timestamp, closures: pd.DataFrame, lang: str = "en") -> str:
    """The closure ``day`` falls in, as "name mm-dd–mm-dd" ("" when the seller is open)."""
    for r in closures.itertuples():
        if r.closed_from <= day <= r.closed_to:
            name = r.name_zh if lang == "zh" else r.name
            return f"{name} {r.closed_from.strftime('%m-%d')}–{r.closed_to.strftime('%m-%d')}"
    return ""


def move_out_of_closures(slots: list[pd.Timestamp], closures: pd.DataFrame, month: pd.Period, lang: str):
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


def customer_days(days, weeks, home: pd.Series, closures: pd.DataFrame, month: pd.Period):
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


def before_closure(D: np.ndarray, closures: pd.DataFrame) -> np.ndarray:
    """pre[i, k]: customer i's day k is in the lead days before a closure (when the stock-up email goes out)."""
    pre = np.zeros(D.shape, dtype=bool)
    for r in closures.itertuples():
        start = np.datetime64(r.closed_from - pd.Timedelta(days=int(r.lead_days)), "ns")
        pre |= (D >= start) & (D < np.datetime64(r.closed_from, "ns"))
    return pre


def assign_days(A: np.ndarray, dbl: np.ndarray, A_all: np.ndarray, pair_ok: np.ndarray, total: int,
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
