"""Settings: the defaults table < tiercli.toml < TIERCLI_* environment < command-line flags.

Every threshold a segmenter uses is a named setting (declared by the segmenter itself, in its ``options``;
the rest are here), so the output can say
which values were in force and a seller can change any of them in tiercli.toml:

    [rfm]
    bins = 5
    [abc]
    a_share = 0.7

Dotted names (``rfm.bins``) address them; the environment form is
``TIERCLI_RFM_BINS``.  Free-form tables (``[columns]``, ``[status]``,
``[business_type]``) pass through untouched for the schema layer.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import ConfigError
from .i18n import _, language


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


# the settings that are no segmenter's (input, locking, limits, plan-emails, markets); each segmenter declares
# its own (``Segmenter.options``, named ``<segmenter>.<option>``) and ``all_settings`` gathers them
DEFAULTS: tuple[Setting, ...] = (
    # general
    Setting("lang", "en", "Language of labels, headers and summaries: en or zh."),
    Setting("currency", "", "Base currency; empty = the single currency found in the data."),
    Setting("timezone", "UTC", "Zone that dates with an offset are converted to (then stored naive)."),
    Setting("date_order", "", "How to read dates like 03/04/2026: dmy or mdy; empty = work it out, error if ambiguous."),
    Setting("keep_duplicates", False, "Keep exact repeated order lines instead of dropping them."),
    Setting("lock", "auto", "Output-folder lock: auto (soft on NFS/SMB, os elsewhere), os, soft or none."),
    Setting("lock_expire_minutes", 0.0, "A soft lock older than this is taken over (0 = never; for crashed runs "
            "on other machines)."),
    Setting("history", True, "Keep a labels snapshot per as-of date in .tiercli/history beside the output."),
    # limits: what one input file may ask of the machine (exports come from strangers; see README "Hostile input")
    Setting("limits.max_uncompressed_mb", 1024.0, "Refuse a file that is, or unpacks to, more than this many MB "
            "(a workbook's zip parts, a .gz); also caps the text its cells may copy out of shared strings."),
    Setting("limits.max_ratio", 100.0, "Refuse a workbook part (over 1 MB) that unpacks to more than this many "
            "times its packed size (a zip bomb), or cells that copy out more text than this many times the XML."),
    Setting("limits.max_members", 2000, "Refuse a workbook zip with more parts than this."),
    Setting("limits.max_rows", 2_000_000, "Refuse a table with more rows than this (sheets sharing a header count "
            "together)."),
    Setting("limits.max_columns", 2000, "Refuse a sheet or CSV with more columns than this."),
    Setting("limits.max_cells", 30_000_000, "Refuse a sheet whose rows x columns (from A1 to its farthest cell) is "
            "over this: one stray cell at XFD1048576 would ask for 17 billion."),
    # plan (plan-emails); coupon levels per tier are the [coupons] table
    Setting("plan.cooldown_days", 14, "Never email one customer twice within this many days (contact log included)."),
    Setting("plan.cap_key", 2, "Most marketing emails a month to a key customer."),
    Setting("plan.cap_ordinary", 1, "Most marketing emails a month to an ordinary customer."),
    Setting("plan.cap_small", 1, "Most marketing emails a month to a small customer."),
    Setting("plan.cap_potential", 1, "Most marketing emails a month to a potential (not yet buying) customer."),
    Setting("plan.require_opt_in", False, "Skip customers whose consent is unknown (not only those who said no)."),
    Setting("plan.survey_days", 60, "Key customers who ordered within this many days before the month get a "
            "satisfaction survey first."),
    Setting("plan.lapsed_min_value_quantile", 0.5, "Win-back: lapsed customers whose net value is at least this "
            "quantile of buying customers' (0 = any buyer)."),
    Setting("plan.send_weekday", 1, "Weekday of each week's send (0 = Monday ... 6 = Sunday)."),
    Setting("plan.calendar", "", "The seller's own campaign calendar (a TOML file, relative to tiercli.toml's folder): "
            "adds entries or changes shipped ones ('tiercli calendar' lists the result)."),
    Setting("plan.platforms", (), "Platforms whose events the plan follows (aliexpress, alibaba, amazon, ...); empty = "
            "the platforms of the presets the data came through."),
    Setting("plan.price_band", 1.5, "Recommended items cost between usual/N and usual*N (usual = the customer's "
            "median unit price)."),
    Setting("plan.recommendations", 3, "Products recommended per email (0..10)."),
    # markets (market calendar)
    Setting("markets.customer_weight", 0.5, "Lead-country score: weight of the customer share (GMV share gets the rest)."),
    Setting("markets.top", 3, "Lead countries listed per calendar month."),
    Setting("markets.min_customers", 2, "Rank a country in a month only with at least this many buying customers "
            "there (one buyer's large order is not a market) ..."),
    Setting("markets.min_customer_share", 0.01, "... and at least this share of the month's buying customers "
            "(5 of 1,000 is not a market either); 1 and 0 rank every country."),
)



# Where the settings beyond the general ones come from: functions returning more Settings, added by what
# declares them.  config sits below the segmenters (they import Setting and Config from here) and does not know
# them; the package root (tiercli/__init__.py) adds the segmenter registry's settings as the one source.
_SOURCES: list[Callable[[], tuple[Setting, ...]]] = []


def add_settings_source(source: Callable[[], tuple[Setting, ...]]) -> None:
    """Add a function that returns more settings (full names, ``rfm.bins``); called on every lookup."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def all_settings() -> tuple[Setting, ...]:
    """Every setting: the general ones above, then each source's (the segmenters', built-ins and plugins
    alike, under their names, in the registry's order)."""
    return DEFAULTS + tuple(s for source in _SOURCES for s in source())


def _by_name() -> dict[str, Setting]:
    return {s.name: s for s in all_settings()}

# settings that no longer exist -> what replaced them (a tiercli.toml naming one gets this, not "unknown")
RETIRED = {
    "plan.peak_lead_days": "each campaign-calendar entry has its own lead_days now: 'tiercli calendar' lists them, "
                           "and a file named by plan.calendar changes them",
    "abc.a_min_orders": "A and B both need abc.min_orders orders now (one-order customers are C)",
    "abc.b_min_orders": "B is no longer given for recent orders alone: use abc.b_share and abc.min_orders",
    "abc.b_recent_days": "B is no longer given for recent orders alone (it made key most of the book): use "
                         "abc.b_share",
    "churn.active_p": "churn is now cut from the chance of an order in the next 90 days, not from P(alive): "
                      "use churn.active_ratio (default 1.5 x the average buyer's chance)",
    "churn.lost_p": "churn is now cut from the chance of an order in the next 90 days, not from P(alive): "
                    "use churn.lost_ratio (default 0.5 x the average buyer's chance)",
}
_FREE_TABLES = ("columns", "status", "business_type", "presets", "sample", "coupons")


def _coerce(setting: Setting, value: Any, where: str) -> Any:
    """Convert ``value`` to the type of the setting's default, or say where it was wrong."""
    kind = type(setting.default)
    try:
        if kind is tuple:  # a list: a TOML array, or comma-separated text (environment, flags)
            items = value.split(",") if isinstance(value, str) else value
            if not isinstance(items, (list, tuple)) or not all(isinstance(x, str) for x in items):
                raise ValueError(value)
            return tuple(x.strip() for x in items if x.strip())
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        if kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if kind is float:
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            _("{where}: {name} = {value} is not a valid {name__}.").format(
                where=where, name=setting.name, value=repr(value),
                name__=_("list of texts") if kind is tuple else kind.__name__),
            hint=_("({help})").format(help=setting.help),
        ) from None


def _flatten(table: dict, known: dict[str, Setting], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name in known:
            out[name] = value
        elif isinstance(value, dict):
            out.update(_flatten(value, known, f"{name}."))
        else:
            out[name] = value
    return out


@dataclass
class Config:
    """Resolved settings plus the free-form tables; ``source`` tells where each value came from."""

    values: dict[str, Any] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def section(self, prefix: str) -> dict[str, Any]:
        """Settings under ``prefix.`` with the prefix removed (``section("rfm")["bins"]``)."""
        p = prefix + "."
        return {k[len(p):]: v for k, v in self.values.items() if k.startswith(p)}

    def with_overrides(self, overrides: dict[str, Any], where: str = "flag") -> "Config":
        """A copy with ``overrides`` (dotted names; None values ignored) applied."""
        values, source = dict(self.values), dict(self.source)
        known = _by_name()
        for name, value in overrides.items():
            if value is None:
                continue
            if name not in known:
                raise ConfigError(_("unknown setting {name}.").format(name=repr(name)))
            values[name] = _coerce(known[name], value, where)
            source[name] = where
        return Config(values, source, dict(self.tables), self.path)

    def used(self, prefix: str) -> dict[str, Any]:
        """The settings of one segmenter, for the 'thresholds used' record."""
        return self.section(prefix)


def find_config(explicit: str | os.PathLike | None, inputs: list[Path] | None = None) -> Path | None:
    """Where tiercli.toml comes from: --config, TIERCLI_CONFIG, the first input's folder, then the cwd."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(_("config file {path} does not exist.").format(path=path),
                              hint=_("Check --config or TIERCLI_CONFIG."))
        return path
    env = os.environ.get("TIERCLI_CONFIG")
    if env:
        return find_config(env)
    candidates = []
    for p in inputs or []:
        candidates.append((p if p.is_dir() else p.parent) / "tiercli.toml")
    candidates.append(Path.cwd() / "tiercli.toml")
    for c in candidates:
        if c.is_file():
            return c
    return None


def toml_error(path, exc: Exception) -> str:
    """A TOML file's syntax error in the output language: where it is (line, column) and, in English, what
    tomllib says (its words are English only)."""
    import re

    where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    if where is None:
        return _("{path}: not valid TOML ({error}).").format(path=path, error=exc)
    if language() == "en":
        return f"{path}: not valid TOML at line {where[1]}, column {where[2]} ({str(exc)[:where.start()].strip()})."
    return _("{path}: not valid TOML at line {line}, column {column}.").format(path=path, line=where[1],
                                                                               column=where[2])


def load_config(path: Path | None = None, env: dict[str, str] | None = None) -> Config:
    """Defaults, then the toml file at ``path`` (if any), then TIERCLI_* variables."""
    settings = all_settings()
    known = {s.name: s for s in settings}
    values = {s.name: s.default for s in settings}
    source = {s.name: "default" for s in settings}
    tables: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(toml_error(path, exc), hint=_("Fix the file or pass another --config.")) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(_("cannot read config {path}: {exc}.").format(path=path, exc=exc)) from None
        for name in _FREE_TABLES:
            if name in data:
                tables[name] = data.pop(name)
        for name, value in _flatten(data, known).items():
            if name in RETIRED:
                raise ConfigError(_("{path}: setting {name} was retired: {value}.").format(
                                      path=path, name=repr(name), value=RETIRED[name]),
                                  hint=_("Remove or rename it; 'tiercli config' lists the settings."))
            if name not in known:
                raise ConfigError(
                    _("{path}: unknown setting {name}.").format(path=path, name=repr(name)),
                    hint=_("Run 'tiercli config' to list the settings."),
                )
            values[name] = _coerce(known[name], value, str(path))
            source[name] = str(path)
    env = os.environ if env is None else env
    for s in settings:
        key = "TIERCLI_" + s.name.replace(".", "_").upper()
        if key in env:
            values[s.name] = _coerce(s, env[key], key)
            source[s.name] = key
    return Config(values, source, tables, path)
