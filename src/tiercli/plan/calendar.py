"""The campaign calendar: buying peaks, platform sales, the seller's campaigns and closures, and public holidays.

The calendar is data: ``campaigns.toml`` beside this module (the seed's six Western peaks, Valentine's and
Mother's Day, Ramadan and the Eids, Diwali, the platforms' events, Chinese New Year as the seller's closure),
plus the seller's own file named by ``plan.calendar`` in tiercli.toml, which adds entries or changes shipped
ones.  Each entry says how its first day is found every year (``RULES``), how long it lasts, how early its
emails start (``lead_days``) and whom it applies to (recipient countries, the seller's platforms).

Dates of lunar and Islamic holidays come from the public-holiday lists of the ``holidays`` library (its
calendar classes are private API); public holidays of each recipient's country come from there too.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from ..config import Config
from ..errors import ConfigError
from ..i18n import N_, _, tr

KINDS = ("buying_peak", "platform_sale", "seller_campaign", "seller_closure")
THEME_KINDS = ("buying_peak", "platform_sale", "seller_campaign")  # what an email can be themed by
RULES = {  # rule -> its fields
    "fixed": ("date",),
    "nth_weekday": ("month", "weekday", "n"),
    "easter": ("offset",),
    "after": ("from", "offset"),
    "holiday": ("country", "holiday"),
    "announced": ("dates",),
}
RULE_FIELDS = {f for fields in RULES.values() for f in fields}
OTHER_FIELDS = {"name", "name_zh", "kind", "rule", "days", "until", "lead_days", "countries", "platforms",
                "closed_before", "closed_after", "source", "enabled"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SHIPPED = "campaigns.toml"


@dataclass(frozen=True)
class Entry:
    """One calendar entry, checked: see campaigns.toml for the fields."""

    key: str
    name: str
    name_zh: str
    kind: str
    rule: str
    params: tuple  # the rule's fields as (name, value) pairs
    days: int = 1
    until: str = ""
    lead_days: int = 7
    countries: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    closed_before: int = 0
    closed_after: int = 0
    source: str = ""
    origin: str = "built-in"

    def param(self, name: str):
        return dict(self.params)[name]


# --------------------------------------------------------------------------------------------- loading

def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("calendar {path}: not valid TOML ({error}).").format(path=path, error=exc),
                          hint=_("Fix the file or the plan.calendar setting.")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(_("cannot read calendar {path}: {error}.").format(path=path, error=exc),
                          hint=_("Check the plan.calendar setting in tiercli.toml.")) from None


def _entries_of(data: dict, origin: str) -> dict[str, dict]:
    extra = sorted(set(data) - {"entries"})
    if extra:
        raise ConfigError(_("calendar {path}: unknown table {name!r}.").format(path=origin, name=extra[0]),
                          hint=_("Put every entry under [entries.KEY]."))
    entries = data.get("entries", {})
    if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
        raise ConfigError(_("calendar {path}: entries must be tables ([entries.KEY]).").format(path=origin))
    return entries


def calendar_path(config: Config) -> Path | None:
    """The seller's calendar file (``plan.calendar``), relative to tiercli.toml's folder; None when not set."""
    text = str(config.get("plan.calendar", "") or "").strip()
    if not text:
        return None
    path = Path(text).expanduser()
    if not path.is_absolute() and config.path is not None:
        path = Path(config.path).parent / path
    if not path.is_file():
        raise ConfigError(_("calendar file {path} does not exist.").format(path=path),
                          hint=_("Fix plan.calendar in tiercli.toml (a path relative to that file's folder)."))
    return path


def load_calendar(config: Config | None = None, path: Path | None = None) -> dict[str, Entry]:
    """The shipped calendar with the seller's file (``path``, else ``plan.calendar``) applied, every entry checked."""
    shipped = tomllib.loads(resources.files("tiercli.plan").joinpath(SHIPPED).read_text(encoding="utf-8"))
    raw = {k: dict(v) for k, v in _entries_of(shipped, "built-in").items()}
    origin = {k: "built-in" for k in raw}
    if path is None and config is not None:
        path = calendar_path(config)
    if path is not None:
        for key, fields in _entries_of(_read_toml(path), str(path)).items():
            if fields.get("enabled", True) is False:
                raw.pop(key, None)
                origin.pop(key, None)
                continue
            base = raw.get(key, {})
            if "rule" in fields:  # a new rule replaces the shipped one wholesale
                base = {k: v for k, v in base.items() if k not in RULE_FIELDS}
            raw[key] = {**base, **fields}
            origin[key] = str(path)
    entries = {key: _check(key, fields, origin[key]) for key, fields in raw.items()}
    for e in entries.values():  # references to other entries
        for ref in ((e.param("from"),) if e.rule == "after" else ()) + ((e.until,) if e.until else ()):
            if ref not in entries:
                raise ConfigError(_("calendar {path}: entry {key!r} refers to {ref!r}, which is not in the calendar.")
                                  .format(path=e.origin, key=e.key, ref=ref), hint=_("Use the key of another entry."))
    for key in entries:  # no entry may depend on itself
        seen, cur = {key}, entries[key]
        while cur.rule == "after":
            nxt = cur.param("from")
            if nxt in seen:
                raise ConfigError(_("calendar {path}: entry {key!r} is dated after itself (through {ref!r}).")
                                  .format(path=entries[key].origin, key=key, ref=nxt))
            seen.add(nxt)
            cur = entries[nxt]
    return entries


def _check(key: str, f: dict, origin: str) -> Entry:
    """One entry's fields, or a one-line ConfigError naming the file, the entry and the field."""

    def bad(field: str, why: str):
        return ConfigError(_("calendar {path}: entry {key!r}: {field} {why}.").format(
            path=origin, key=key, field=field, why=why), hint=_("See the layout in 'tiercli calendar --help'."))

    def integer(field: str, default, low=None, high=None):
        v = f.get(field, default)
        if isinstance(v, bool) or not isinstance(v, int) or (low is not None and v < low) or \
                (high is not None and v > high):
            raise bad(field, _("must be a whole number") + (f" ({low}..{high})" if high is not None else
                                                           (f" >= {low}" if low is not None else "")))
        return v

    def text_list(field: str, upper: bool) -> tuple[str, ...]:
        v = f.get(field, [])
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            raise bad(field, _("must be a list of texts"))
        return tuple(x.strip().upper() if upper else x.strip().lower() for x in v)

    unknown = sorted(set(f) - RULE_FIELDS - OTHER_FIELDS)
    if unknown:
        raise bad(unknown[0], _("is not a calendar field"))
    for field in ("name", "kind", "rule"):
        if not isinstance(f.get(field), str) or not f[field].strip():
            raise bad(field, _("is missing"))
    if f["kind"] not in KINDS:
        raise bad("kind", _("must be one of {values}").format(values=", ".join(KINDS)))
    rule = f["rule"]
    if rule not in RULES:
        raise bad("rule", _("must be one of {values}").format(values=", ".join(RULES)))
    params = {}
    for field in RULES[rule]:
        if field not in f:
            raise bad(field, _("is missing (rule {rule})").format(rule=rule))
    if rule == "fixed":
        try:
            dt.date.fromisoformat(f"2024-{f['date']}")  # a leap year: 02-29 is a date
        except (TypeError, ValueError):
            raise bad("date", _("must be MM-DD")) from None
        params["date"] = f["date"]
    elif rule == "nth_weekday":
        params["month"] = integer("month", None, 1, 12)
        wd = str(f["weekday"]).strip().lower()
        if wd not in WEEKDAYS:
            raise bad("weekday", _("must be a weekday name (monday..sunday)"))
        params["weekday"] = WEEKDAYS.index(wd)
        params["n"] = integer("n", None, -1, 5)
        if params["n"] == 0:
            raise bad("n", _("must be 1..5, or -1 for the last"))
    elif rule in ("easter", "after"):
        params["offset"] = integer("offset", None, -366, 366)
        if rule == "after":
            if not isinstance(f["from"], str):
                raise bad("from", _("must be the key of another entry"))
            params["from"] = f["from"]
    elif rule == "holiday":
        if not isinstance(f["country"], str) or not isinstance(f["holiday"], str) or not f["holiday"].strip():
            raise bad("holiday", _("needs a country code and a holiday name"))
        params["country"] = f["country"].strip().upper()
        params["holiday"] = f["holiday"].strip()
        if not supported(params["country"]):
            raise bad("country", _("{code!r} is not a country the holidays library knows").format(code=f["country"]))
    else:  # announced
        pairs = f["dates"]
        spans = []
        if not isinstance(pairs, list):
            raise bad("dates", _("must be a list of [first day, last day] pairs"))
        for pair in pairs:
            try:
                a, b = (dt.date.fromisoformat(str(x)) for x in pair)
            except (TypeError, ValueError):
                raise bad("dates", _("must be a list of [\"YYYY-MM-DD\", \"YYYY-MM-DD\"] pairs")) from None
            if b < a:
                raise bad("dates", _("has a last day before its first ({first} > {last})").format(first=a, last=b))
            spans.append((a, b))
        params["dates"] = tuple(sorted(spans))
    if "days" in f and "until" in f:
        raise bad("days", _("and until cannot both be given"))
    until = f.get("until", "")
    if not isinstance(until, str):
        raise bad("until", _("must be the key of another entry"))
    for field in ("source", "name_zh"):
        if not isinstance(f.get(field, ""), str):
            raise bad(field, _("must be a text"))
    return Entry(key=key, name=f["name"].strip(), name_zh=str(f.get("name_zh", "")).strip(), kind=f["kind"],
                 rule=rule, params=tuple(params.items()), days=integer("days", 1, 1, 366), until=until,
                 lead_days=integer("lead_days", 7, 0, 120), countries=text_list("countries", True),
                 platforms=text_list("platforms", False), closed_before=integer("closed_before", 0, 0, 60),
                 closed_after=integer("closed_after", 0, 0, 60), source=str(f.get("source", "")), origin=origin)


# --------------------------------------------------------------------------------------------- dates

def _first_day(e: Entry, year: int, entries: dict[str, Entry]) -> tuple[dt.date | None, bool]:
    """The entry's first day in ``year`` and whether the holidays library only estimated it."""
    if e.rule == "fixed":
        m, d = (int(x) for x in e.param("date").split("-"))
        if (m, d) == (2, 29) and not pd.Timestamp(year=year, month=1, day=1).is_leap_year:
            return None, False
        return dt.date(year, m, d), False
    if e.rule == "nth_weekday":
        month, wd, n = e.param("month"), e.param("weekday"), e.param("n")
        if n > 0:
            first = dt.date(year, month, 1)
            day = first + dt.timedelta(days=(wd - first.weekday()) % 7 + 7 * (n - 1))
            return (day, False) if day.month == month else (None, False)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        last = nxt - dt.timedelta(days=1)
        return last - dt.timedelta(days=(last.weekday() - wd) % 7), False
    if e.rule == "easter":
        from dateutil.easter import easter

        return easter(year) + dt.timedelta(days=e.param("offset")), False
    if e.rule == "after":
        base, est = _first_day(entries[e.param("from")], year, entries)
        return (base + dt.timedelta(days=e.param("offset")), est) if base else (None, False)
    if e.rule == "holiday":
        needle = e.param("holiday").lower()
        for day, name in _holidays(e.param("country"), year):
            if needle in name.lower():
                return day, "estimated" in name.lower()
        return None, False
    for a, _b in e.param("dates"):  # announced
        if a.year == year:
            return a, False
    return None, False


def _last_day(e: Entry, start: dt.date, entries: dict[str, Entry]) -> dt.date:
    if e.rule == "announced":
        return dict(e.param("dates"))[start]
    if e.until:
        for year in (start.year, start.year + 1):
            other, _est = _first_day(entries[e.until], year, entries)
            if other is not None and other > start:
                return other - dt.timedelta(days=1)
        return start
    return start + dt.timedelta(days=e.days - 1)


OCCURRENCE_COLUMNS = ["key", "name", "name_zh", "kind", "start", "end", "lead_days", "closed_from", "closed_to",
                      "countries", "platforms", "estimated", "source", "origin"]


def occurrences(entries: dict[str, Entry], years) -> pd.DataFrame:
    """Every entry's dates in each of ``years``: one row per entry and year that has a date, sorted by start."""
    rows = []
    for year in sorted(set(int(y) for y in years)):
        for e in entries.values():
            start, est = _first_day(e, year, entries)
            if start is None:
                continue
            end = _last_day(e, start, entries)
            closed = e.kind == "seller_closure"
            rows.append((e.key, e.name, e.name_zh or e.name, e.kind, pd.Timestamp(start), pd.Timestamp(end),
                         e.lead_days,
                         pd.Timestamp(start - dt.timedelta(days=e.closed_before)) if closed else pd.NaT,
                         pd.Timestamp(end + dt.timedelta(days=e.closed_after)) if closed else pd.NaT,
                         e.countries, e.platforms, est, e.source, e.origin))
    frame = pd.DataFrame(rows, columns=OCCURRENCE_COLUMNS)
    for col in ("start", "end", "closed_from", "closed_to"):
        frame[col] = pd.to_datetime(frame[col])
    return frame.sort_values(["start", "key"], kind="stable").reset_index(drop=True)


def missing_dates(entries: dict[str, Entry], year: int, platforms=()) -> list[Entry]:
    """Entries with no date in ``year`` (a platform event not announced for it, a holiday the library lacks);
    with ``platforms``, only those that apply to a seller on them (entries naming no platform apply to everyone)."""
    return [e for e in entries.values() if _first_day(e, year, entries)[0] is None
            and (not platforms or not e.platforms or bool(set(e.platforms) & set(platforms)))]


def for_platforms(frame: pd.DataFrame, platforms) -> pd.DataFrame:
    """The rows that apply to a seller on ``platforms`` (rows naming no platform apply to everyone)."""
    active = set(platforms)
    keep = frame["platforms"].map(lambda p: not p or bool(active & set(p))).astype(bool)
    return frame[keep].reset_index(drop=True)


def applies_to(countries: tuple, code) -> bool:
    return not countries or (isinstance(code, str) and code in countries)


def month_bounds(month: pd.Period) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a monthly Period as Timestamps."""
    return month.start_time.normalize(), month.end_time.normalize()


def month_events(entries: dict[str, Entry], month: pd.Period, platforms) -> pd.DataFrame:
    """The occurrences whose emails (lead days, the days themselves, a closure) touch ``month``."""
    first, last = month_bounds(month)
    occ = for_platforms(occurrences(entries, (month.year - 1, month.year, month.year + 1)), platforms)
    opens = (occ["start"] - pd.to_timedelta(occ["lead_days"], unit="D")).where(occ["closed_from"].isna(),
                                                                              occ["closed_from"]
                                                                              - pd.to_timedelta(occ["lead_days"],
                                                                                                unit="D"))
    ends = occ["end"].where(occ["closed_to"].isna(), occ["closed_to"])
    return occ[(opens <= last) & (ends >= first)].reset_index(drop=True)


# --------------------------------------------------------------------------------------------- platforms

def active_platforms(config: Config, dataset=None) -> tuple[str, ...]:
    """``plan.platforms`` from tiercli.toml, else the platforms of the presets the data came through."""
    chosen = config.get("plan.platforms") or ()
    if chosen:
        return tuple(sorted({str(p).strip().lower() for p in chosen if str(p).strip()}))
    if dataset is None:
        return ()
    from ..schema.presets import load_presets

    presets = load_presets([Path(d) for d in config.tables.get("presets", {}).get("dirs", [])])
    found = set()
    for f in getattr(dataset, "files", []):
        p = presets.get(getattr(f, "preset", ""))
        if p is not None:
            found.update(p.platforms)
    return tuple(sorted(found))


# --------------------------------------------------------------------------------------------- public holidays

@lru_cache(maxsize=512)
def _holidays(code: str, year: int) -> tuple[tuple[dt.date, str], ...]:
    import holidays

    try:
        found = holidays.country_holidays(code, years=year, language="en_US")
    except NotImplementedError:  # a code the library does not know
        return ()
    except Exception:  # noqa: BLE001 - a country without an English translation: local names
        try:
            found = holidays.country_holidays(code, years=year)
        except NotImplementedError:
            return ()
    return tuple(sorted(found.items()))


def holiday_on(code, day: pd.Timestamp) -> str:
    """The public holiday of country ``code`` on ``day`` ("" when none or the code is unknown)."""
    if not isinstance(code, str) or not code:
        return ""
    d = pd.Timestamp(day).date()
    for h, name in _holidays(code, d.year):
        if h == d:
            return name
    return ""


def country_holidays(codes, month: pd.Period) -> pd.DataFrame:
    """Public holidays in ``month`` for each ISO code in ``codes``: country, date, name (sorted)."""
    first, last = month_bounds(month)
    rows = []
    for code in sorted({c for c in codes if isinstance(c, str) and c}):
        for day, name in _holidays(code, month.year):
            if first.date() <= day <= last.date():
                rows.append((code, pd.Timestamp(day), name))
    return pd.DataFrame(rows, columns=["country", "date", "name"])


def year_holidays(code: str, year: int) -> pd.DataFrame:
    """Public holidays of ``code`` in ``year``: date, name."""
    return pd.DataFrame([(pd.Timestamp(d), n) for d, n in _holidays(code, year)], columns=["date", "name"])


@lru_cache(maxsize=1)
def _supported() -> frozenset:
    import holidays

    return frozenset(holidays.list_supported_countries())


def supported(code: str) -> bool:
    """Whether the holidays library knows this ISO code."""
    return code in _supported()


# --------------------------------------------------------------------------------------------- listing

KIND_WORDS = {"buying_peak": N_("buying peak"), "platform_sale": N_("platform sale"),
              "seller_campaign": N_("seller's campaign"), "seller_closure": N_("seller closure"),
              "public_holiday": N_("public holiday")}
LISTING_COLUMNS = ["key", "kind", "start", "end", "dates", "event", "kind_word", "applies", "lead_days", "notes"]


def _span(a: pd.Timestamp, b: pd.Timestamp) -> str:
    return a.strftime("%Y-%m-%d") + ("" if b == a else " – " + b.strftime("%m-%d" if b.year == a.year else "%Y-%m-%d"))


def calendar_rows(entries: dict[str, Entry], year: int, *, platforms=(), country: str = "",
                  lang: str = "en") -> pd.DataFrame:
    """What ``tiercli calendar`` lists: the year's events (for ``platforms`` when given, for recipients in
    ``country`` when given, with that country's public holidays), their days, whom they apply to and why."""
    from .. import countries as _countries

    occ = occurrences(entries, [year])
    occ = occ[occ["start"].dt.year.eq(year)]
    if platforms:
        occ = for_platforms(occ, platforms)
    if country:
        occ = occ[occ["countries"].map(lambda cs: applies_to(cs, country)).astype(bool)]
    rows = []
    for r in occ.itertuples():
        where = []
        if r.countries:
            where.append(", ".join(r.countries))
        if r.platforms:
            where.append(tr("sellers on {platforms}", lang).format(platforms=", ".join(r.platforms)))
        notes = []
        if r.kind == "seller_closure":
            notes.append(tr("closed {span}", lang).format(span=_span(r.closed_from, r.closed_to)))
        if r.estimated:
            notes.append(tr("date estimated by the holidays library", lang))
        if r.origin != "built-in":
            notes.append(tr("from {path}", lang).format(path=r.origin))
        rows.append((r.key, r.kind, r.start, r.end, _span(r.start, r.end), r.name_zh if lang == "zh" else r.name,
                     tr(KIND_WORDS[r.kind], lang), "; ".join(where) or tr("everyone", lang), int(r.lead_days),
                     "; ".join(notes)))
    if country:
        for day, name in _holidays(country, year):
            d = pd.Timestamp(day)
            rows.append(("", "public_holiday", d, d, _span(d, d), name, tr(KIND_WORDS["public_holiday"], lang),
                         _countries.name(country, lang) or country, -1, tr("send days move off it", lang)))
    frame = pd.DataFrame(rows, columns=LISTING_COLUMNS)
    return frame.sort_values(["start", "kind", "key"], kind="stable").reset_index(drop=True)
