"""Settings: the defaults table < tiercli.toml < TIERCLI_* environment < command-line flags.

Every threshold a segmenter uses is a named setting here, so the output can say
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
from typing import Any

from .errors import ConfigError
from .i18n import _, language


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


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
    # rfm
    Setting("rfm.bins", 5, "Quantile bins for R, F and M scores (3..10)."),
    # abc
    Setting("abc.a_share", 0.60, "A: repeat customers inside this top share of value ..."),
    Setting("abc.b_share", 0.80, "... B: the next repeat customers inside this top share."),
    Setting("abc.min_orders", 2, "A and B need orders on at least this many days (one-time customers are C, "
            "seed 003)."),
    Setting("abc.key_max_share", 0.30, "A + B together at most this share of buyers (the key customers a sales "
            "team serves personally)."),
    Setting("abc.window_days", 0, "Value window in days before the as-of date; 0 = all history."),
    # tier
    Setting("tier.upgrade_days", 90, "Upgrade potential: spend in the last N days ..."),
    Setting("tier.upgrade_growth", 1.5, "... above this multiple of the N days before."),
    Setting("tier.upgrade_aov_quantile", 0.75, "Or average order value in this top quantile ..."),
    Setting("tier.upgrade_max_orders", 2, "... with at most this many orders."),
    Setting("tier.weight_revenue", 0.4, "tier_score weight of revenue."),
    Setting("tier.weight_profit", 0.3, "tier_score weight of profit (revenue when cost is unknown)."),
    Setting("tier.weight_frequency", 0.2, "tier_score weight of order count."),
    Setting("tier.weight_repurchase", 0.1, "tier_score weight of repeat orders."),
    # lifecycle
    Setting("lifecycle.new_days", 90, "new: one order, the first within this many days."),
    Setting("lifecycle.growing_days", 365, "growing: two or more orders, the first within this many days."),
    Setting("lifecycle.gap_factor", 2.0, "declining: days since the last order above this multiple of the median gap."),
    Setting("lifecycle.window_days", 90, "declining: compare spend in the last N days ..."),
    Setting("lifecycle.spend_drop", 0.5, "... with the N days before; declining below this share."),
    Setting("lifecycle.aov_drop", 0.6, "declining: AOV of the last three orders below this share of the earlier AOV."),
    # buyer_type
    Setting("buyer_type.b2b_units", 50, "B2B when the median units per order is above this ..."),
    Setting("buyer_type.b2b_value", 500, "... or the median order value is above this (in b2b_value_currency)."),
    Setting("buyer_type.b2b_value_currency", "USD", "Currency of b2b_value, converted to the orders' currency with "
            "--rates; with no rate (or orders naming no currency) only the units rule applies, in a note. Empty = "
            "the orders' own currency, never converted."),
    Setting("buyer_type.big_b_share", 0.20, "big_b: annual value in this top share of B2B customers."),
    # churn (BG/NBD) and clv (gamma-gamma)
    Setting("churn.unit_days", 7, "Time unit of the purchase model in days (7 = weeks, as the BG/NBD papers)."),
    Setting("churn.penalizer", 0.0, "L2 penalizer of the BG/NBD fit; try 0.001 when it does not converge."),
    Setting("churn.min_repeat_buyers", 10, "Fit the purchase model only with at least this many repeat buyers "
            "(else churn and clv are skipped with the reason)."),
    Setting("churn.active_ratio", 1.5, "active: chance of an order in the next 90 days at least this multiple of "
            "the average buyer's ..."),
    Setting("churn.lost_ratio", 0.5, "... likely_lost: below this multiple of it; at_risk in between."),
    Setting("clv.months", 12, "clv_12m: months of future value."),
    Setting("clv.discount_monthly", 0.01, "Monthly discount rate of future value."),
    Setting("clv.penalizer", 0.0, "L2 penalizer of the gamma-gamma fit."),
    Setting("clv.max_correlation", 0.3, "Refuse the spend model when |corr(frequency, spend)| is above this."),
    # cluster (k-means groups; not in the default run unless enabled: it imports scikit-learn)
    Setting("cluster.enabled", False, "Run cluster in the default run too (it always runs when named in "
            "--segmenters); off by default because loading scikit-learn adds about a second."),
    Setting("cluster.min_k", 2, "Fewest groups cluster tries ..."),
    Setting("cluster.max_k", 8, "... and most; the number with the best silhouette between them is used."),
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
    # deal_stage, process, aipl, stars (seed 003: inquiries, samples, follow-ups, visitors)
    Setting("deal_stage.repeat_orders", 2, "repeat: at least this many paid non-sample orders (deal: fewer, at least one)."),
    Setting("process.silent_days", 90, "not_closed: a negotiated open inquiry with no contact for more than this many days."),
    Setting("process.after_sales_days", 90, "after_sales: an open case, or one resolved within this many days."),
    Setting("process.following_days", 180, "following: a paid order not yet received, placed within this many days "
            "(0 = any age)."),
    Setting("aipl.repeat_orders", 2, "loyalty: at least this many paid non-sample orders (or a review or share)."),
    Setting("stars.three_star_days", 7, "3 stars: an inquiry customer expected to order within this many days ..."),
    Setting("stars.two_star_days", 30, "... 2 stars within this many days ..."),
    Setting("stars.one_star_days", 90, "... 1 star within this many days; later is 0 stars."),
    Setting("stars.hot_contact_days", 14, "Inferred stars: a last contact within this many days is hot ..."),
    Setting("stars.warm_contact_days", 30, "... within this many days warm."),
    Setting("stars.silent_days", 90, "0 stars: no contact for more than this many days (inquiry and sample customers)."),
    Setting("stars.sample_big_quantile", 0.75, "Sample 3 stars: sample value or requested quantity in this top quantile "
            "of sample customers."),
    Setting("stars.sample_small_quantile", 0.5, "Sample 1 star: sample units and value at or below this quantile."),
    Setting("stars.sample_tiny_quantile", 0.25, "Sample 0 stars: sample value at or below this quantile, and silent."),
)

_BY_NAME = {s.name: s for s in DEFAULTS}
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


def _flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name in _BY_NAME:
            out[name] = value
        elif isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
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
        for name, value in overrides.items():
            if value is None:
                continue
            if name not in _BY_NAME:
                raise ConfigError(_("unknown setting {name}.").format(name=repr(name)))
            values[name] = _coerce(_BY_NAME[name], value, where)
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
    values = {s.name: s.default for s in DEFAULTS}
    source = {s.name: "default" for s in DEFAULTS}
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
        for name, value in _flatten(data).items():
            if name in RETIRED:
                raise ConfigError(_("{path}: setting {name} was retired: {value}.").format(
                                      path=path, name=repr(name), value=RETIRED[name]),
                                  hint=_("Remove or rename it; 'tiercli config' lists the settings."))
            if name not in _BY_NAME:
                raise ConfigError(
                    _("{path}: unknown setting {name}.").format(path=path, name=repr(name)),
                    hint=_("Run 'tiercli config' to list the settings."),
                )
            values[name] = _coerce(_BY_NAME[name], value, str(path))
            source[name] = str(path)
    env = os.environ if env is None else env
    for s in DEFAULTS:
        key = "TIERCLI_" + s.name.replace(".", "_").upper()
        if key in env:
            values[s.name] = _coerce(s, env[key], key)
            source[s.name] = key
    return Config(values, source, tables, path)
