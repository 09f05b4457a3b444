"""The segmenter contract, the registry and plugin discovery.

A segmenter reads the customers frame and returns only its own columns, same
index: ``X`` (the label code) and ``X_*`` details (``X_reason`` in words).
Built-ins register through the same path as plugins, which come from the
``tiercli.segmenters`` entry-point group (datasette's idea); a plugin that
fails to load is reported and skipped, never fatal.

Contract (checked for every registered segmenter by tests/test_contract.py,
scikit-learn ``check_estimator`` style): adds exactly ``outputs``, keeps the
index, leaves its input unchanged, is deterministic, copes with zero and one
customer.

The frame's ``attrs`` carry what the run knows of the amounts as a whole: ``currency`` (the base currency
every amount is in; "" when neither the data nor the ``currency`` setting names one) and ``rates`` (the
``--rates`` file: currency -> base units per 1 unit; empty without it).  ``run`` keeps them from segmenter
to segmenter; a frame built by hand may lack them, and a segmenter reading them copes (buyer_type then
takes the ``currency`` setting and no rates).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol

import pandas as pd

from .. import labels as _general
from ..config import Config, Setting
from ..i18n import N_, _

# the canonical tables as a skip reason names them
TABLE_WORDS = {"orders": N_("orders"), "inquiries": N_("inquiries"), "events": N_("events"),
               "after_sales": N_("after_sales"), "customers": N_("customers")}


class Scored(Protocol):
    """What a segmenter's summaries, sheets and terminal tables read of a scored run.  ``scoring.ScoreResult``
    is one; declared here so that the segmenters, which scoring runs, never import scoring."""

    dataset: Any  # schema.dataset.Dataset: the tables the run read
    customers: pd.DataFrame  # one row per customer, every segmenter's columns, index customer_id
    as_of: pd.Timestamp
    config: Config
    skipped: dict[str, str]  # segmenter -> why it did not run
    computed: dict[str, Any]  # what a segmenter works out once per run for its outputs, under its own key


class Segmenter:
    """Base class.  Subclasses set the class attributes and implement ``segment``."""

    name: ClassVar[str]
    title: ClassVar[str]
    title_zh: ClassVar[str] = ""
    # canonical tables that must be non-empty ("orders", "inquiries", "events", "after_sales", "customers");
    # every entry must be met, and an entry "a|b" is met by any of its tables ("orders|inquiries")
    requires: ClassVar[tuple[str, ...]] = ("orders",)
    # columns of the customers frame it reads (features or other segmenters' outputs)
    reads: ClassVar[tuple[str, ...]] = ()
    # other segmenters that must run first
    after: ClassVar[tuple[str, ...]] = ()
    outputs: ClassVar[tuple[str, ...]]
    # its output columns' headers: column -> (English, Chinese)
    headers: ClassVar[dict[str, tuple[str, str]]] = {}
    # its settings, named without the prefix (``Setting("bins", 5, "help")`` is ``rfm.bins`` in the ``rfm``
    # segmenter): ``[rfm]`` in tiercli.toml, ``TIERCLI_RFM_BINS`` in the environment, listed by ``tiercli config``
    options: ClassVar[tuple[Setting, ...]] = ()
    # label code -> (English, Chinese), in display order
    labels: ClassVar[dict[str, tuple[str, str]]] = {}
    # labels of other code columns it outputs (e.g. rfm_tier)
    extra_labels: ClassVar[dict[str, dict[str, tuple[str, str]]]] = {}
    origin: ClassVar[str] = "built-in"
    # what ``tiercli backtest`` holds the segmenter to (its promises about the customers' next period):
    # label column -> its codes from the most to the least likely to buy again (an ordered label)
    ranks: ClassVar[dict[str, tuple[str, ...]]] = {}
    # what its ordered labels promise: "buying" (who orders again: judged against days since the last order)
    # or "spend" (where the next period's money comes from: judged by each class's share of it)
    predicts: ClassVar[str] = "buying"
    # label column -> (better, worse) class pairs whose repeat rates must differ that way (unordered labels)
    pairs: ClassVar[dict[str, tuple[tuple[str, str], ...]]] = {}
    # score columns where higher means more likely to buy again
    scores: ClassVar[tuple[str, ...]] = ()
    # value columns where higher means more spend to come
    value_scores: ClassVar[tuple[str, ...]] = ()
    # unordered label columns whose classes promise different next periods (groups of alike customers):
    # judged by whether their repeat rates (chi-square) and spend (Kruskal-Wallis) differ beyond chance
    differs: ClassVar[tuple[str, ...]] = ()
    # a boolean setting that puts it in the default run ("" = always there); when set, the segmenter runs
    # only when named (--segmenters) or when that setting is on (a slow or heavy one, e.g. cluster)
    opt_in: ClassVar[str] = ""

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:  # pragma: no cover
        raise NotImplementedError

    @classmethod
    def settings(cls, config: Config) -> dict:
        """The thresholds this segmenter used (its section of the config)."""
        return config.section(cls.name)

    # What it shows of a scored run (``result``: a ``Scored``, e.g. scoring.ScoreResult).  The workbook and the
    # terminal summary gather these from every segmenter that ran, in the run's order; a plugin overrides them
    # as a built-in does.

    @classmethod
    def summaries(cls, result: Scored, lang: str = "en") -> dict[str, pd.DataFrame]:
        """Its label columns' summaries (``segment_summary``: per label customers, share, revenue): one
        workbook sheet each, and by default its tables in the terminal."""
        return {column: segment_summary(result, column, lang) for column in (cls.name, *cls.extra_labels)}

    @classmethod
    def sheets(cls, result: Scored, lang: str = "en") -> list:
        """The workbook sheets (``io.write.Sheet``) it adds after every segmenter's summary sheets: a curve, a
        funnel, a list to act on.  None by default."""
        return []

    @classmethod
    def render(cls, console, result: Scored, lang: str = "en") -> None:
        """Its tables in the summary ``score`` prints (a rich Console; the run's language is set): by default
        one table per summary, label by label with customers, revenue and their shares."""
        from ..draw import label_table

        for column, frame in cls.summaries(result, lang).items():
            title = segmenter_title(column, lang) if column == cls.name else header(column, lang)
            label_table(console, title, frame, lambda c: header(c, lang), result.dataset.currency or "")

    @classmethod
    def render_details(cls, console, result: Scored, lang: str = "en") -> None:
        """What it prints after every segmenter's tables (a check against a benchmark, profiles, a short
        list).  Nothing by default."""


class SegmenterSkipped(Exception):
    """Raised by a segmenter whose model cannot be fitted on this data: skipped with the message, unless
    the user asked for it by name (then it is an error)."""


_REGISTRY: dict[str, type[Segmenter]] = {}
_PLUGIN_WARNINGS: list[str] = []
_LOADED = False


def register(cls: type[Segmenter]) -> type[Segmenter]:
    """Class decorator: add a segmenter to the registry (built-ins and plugins alike)."""
    missing = [a for a in ("name", "title", "outputs") if not hasattr(cls, a)]
    if missing:
        raise TypeError(_("segmenter {segmenter} lacks {value}").format(segmenter=cls.__name__, value=', '.join(missing)))
    if cls.name not in cls.outputs:
        raise TypeError(_("segmenter {name}: its outputs must include its label column {name}").format(
                            name=repr(cls.name)))
    strays = [c for c in cls.headers if c not in cls.outputs]
    if strays:
        raise TypeError(_("segmenter {name}: headers for columns it does not output: {extra}").format(
                            name=repr(cls.name), extra=strays))
    _REGISTRY[cls.name] = cls
    return cls


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from . import builtin  # registers the built-ins

    ordered = {n: _REGISTRY[n] for n in builtin.ORDER if n in _REGISTRY}
    ordered.update(_REGISTRY)
    _REGISTRY.clear()
    _REGISTRY.update(ordered)

    for ep in entry_points(group="tiercli.segmenters"):
        try:
            obj = ep.load()
            if isinstance(obj, type) and issubclass(obj, Segmenter):
                if obj.name not in _REGISTRY or _REGISTRY[obj.name] is not obj:
                    obj.origin = f"plugin {ep.value}"
                    register(obj)
            else:
                _PLUGIN_WARNINGS.append(f"plugin {ep.name} ({ep.value}) is not a Segmenter class: skipped")
        except Exception as exc:  # a broken plugin must not take the tool down
            _PLUGIN_WARNINGS.append(f"plugin {ep.name} ({ep.value}) failed to load: {exc.__class__.__name__}: {exc}")


def registry() -> dict[str, type[Segmenter]]:
    """All segmenters, built-in first then plugins, in a stable order."""
    _load()
    return dict(_REGISTRY)


def segmenter_settings() -> tuple[Setting, ...]:
    """Every registered segmenter's settings under their full names (``rfm.bins``), in the registry's order."""
    return tuple(replace(s, name=cls.name + "." + s.name) for cls in registry().values() for s in cls.options)


def all_headers() -> dict[str, tuple[str, str]]:
    """Column -> (English, Chinese): every registered segmenter's columns, then the general ones."""
    out: dict[str, tuple[str, str]] = {}
    for cls in registry().values():
        out.update(cls.headers)
    out.update(_general.COLUMNS)
    return out


def header(column: str, lang: str) -> str:
    """A column's header in ``lang``; unknown columns keep their name."""
    pair = _general.COLUMNS.get(column)
    if pair is None:
        pair = next((cls.headers[column] for cls in registry().values() if column in cls.headers), None)
    return column if pair is None else _general.in_language(pair, lang)


def code_labels(column: str) -> dict[str, tuple[str, str]]:
    """Codes -> (English, Chinese) for a label column of any registered segmenter."""
    for cls in registry().values():
        if column == cls.name:
            return dict(cls.labels)
        if column in cls.extra_labels:
            return dict(cls.extra_labels[column])
    return {}


def label(column: str, code, lang: str) -> str:
    """One code as words in ``lang`` (the code itself when unknown)."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    pair = code_labels(column).get(str(code))
    return str(code) if pair is None else _general.in_language(pair, lang)


def label_columns() -> list[str]:
    """Every registered segmenter's label columns (its own, then its extra ones)."""
    cols = []
    for cls in registry().values():
        cols.append(cls.name)
        cols.extend(cls.extra_labels)
    return cols


def segmenter_title(name: str, lang: str) -> str:
    cls = registry().get(name)
    if cls is None:
        return name
    return (cls.title_zh or cls.title) if lang == "zh" else cls.title


def segment_summary(result: Scored, column: str, lang: str = "en") -> pd.DataFrame:
    """Per label of ``column``: customers, share, revenue, share of revenue, average days since the last order."""
    c = result.customers
    labels = c[column].astype("str")
    has = labels.notna() & (labels != "")
    codes = list(code_labels(column))
    seen = [x for x in labels[has].unique().tolist() if x not in codes]
    g = c[has].groupby(labels[has])
    frame = pd.DataFrame({
        "customers": g.size(),
        "revenue": g["revenue"].sum(),
        "avg_recency": g["recency_days"].mean(),
    }).reindex(codes + sorted(seen))
    frame = frame[frame["customers"].fillna(0) > 0]
    total, total_rev = frame["customers"].sum(), frame["revenue"].sum()
    frame["customers"] = frame["customers"].astype("int64")
    frame["share"] = frame["customers"] / total if total else 0.0
    frame["revenue_share"] = frame["revenue"] / total_rev if total_rev else 0.0
    frame["revenue"] = frame["revenue"].round(2)
    frame["avg_recency"] = frame["avg_recency"].round(1)
    frame.index.name = "code"
    frame = frame.reset_index()
    frame.insert(1, "label", [label(column, x, lang) for x in frame["code"]])
    return frame[["code", "label", "customers", "share", "revenue", "revenue_share", "avg_recency"]]


# the number formats of a summary table's columns in a workbook sheet
TABLE_FORMATS = {"share": "0.0%", "conversion": "0.0%", "crowd_share": "0.0%", "revenue": "#,##0.00"}


def table_sheet(result: Scored, name: str, frame: pd.DataFrame, *, lang: str = "en", charts: tuple = (),
                title: str | None = None, formats: dict[str, str] | None = None) -> list:
    """A summary table as a workbook sheet (a one-item list; none for an empty table): the ``code`` column
    left out, headers in ``lang``, shares as percentages, revenue as money (``formats``: more number formats,
    column -> Excel format), titled "TITLE — as-of date"."""
    from ..io.write import Sheet

    if not len(frame):
        return []
    shown = frame.drop(columns=[c for c in ("code",) if c in frame]).rename(columns=lambda c: header(c, lang))
    formats = {header(c, lang): f for c, f in {**TABLE_FORMATS, **(formats or {})}.items()}
    return [Sheet(name=name, frame=shown, charts=charts, formats=formats,
                  title=f"{title or name} — {result.as_of.date().isoformat()}")]


def plugin_warnings() -> list[str]:
    _load()
    return list(_PLUGIN_WARNINGS)


@dataclass
class Selection:
    """Which segmenters run, in dependency order, and why the others do not."""

    run: list[type[Segmenter]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def select(names: list[str] | None, available: set[str], config: Config | None = None) -> Selection:
    """Choose and order segmenters.  ``names=None`` means all whose inputs exist, less the opt-in ones whose
    setting (``opt_in``) is off in ``config`` (without a config: left out).

    Each entry of ``requires`` must be in ``available``; an entry naming several tables with ``|``
    (``"orders|inquiries"``) needs any one of them.  A segmenter lacking one is skipped with
    "needs orders or inquiries data".
    """
    from ..errors import ConfigError

    reg = registry()
    wanted = _wanted(names, reg, config)
    result = Selection()
    done: set[str] = set()
    pending = [reg[n] for n in wanted]
    while pending:
        progressed = False
        for cls in list(pending):
            lacking_raw = [r for r in cls.requires if not any(t in available for t in r.split("|"))]
            lacking = lacking_raw
            if lacking:
                result.skipped[cls.name] = _("needs {tables} data").format(
                    tables=_(" and ").join(_(" or ").join(_(TABLE_WORDS.get(t, t)) for t in r.split("|"))
                                           for r in lacking_raw))
                pending.remove(cls)
                progressed = True
            elif any(d in result.skipped for d in cls.after):
                result.skipped[cls.name] = _("needs {names}").format(
                    names=", ".join(d for d in cls.after if d in result.skipped))
                pending.remove(cls)
                progressed = True
            elif all(d in done for d in cls.after):
                result.run.append(cls)
                done.add(cls.name)
                pending.remove(cls)
                progressed = True
        if not progressed:
            raise ConfigError(_("segmenters depend on each other in a circle: {value}.").format(
                                  value=', '.join(c.name for c in pending)))
    return result


def _wanted(names: list[str] | None, reg: dict[str, type[Segmenter]], config: Config | None) -> list[str]:
    """The names asked for with what they run after (an unknown name is an error), or by default every
    segmenter not opt-in or whose opt-in setting is on."""
    from ..errors import ConfigError

    if not names:
        return [n for n, cls in reg.items() if not cls.opt_in or (config is not None and config.get(cls.opt_in))]
    unknown = [n for n in names if n not in reg]
    if unknown:
        raise ConfigError(_("unknown segmenter {value}.").format(value=', '.join(unknown)),
                          hint=_("Run 'tiercli segmenters' to list them: {value}.").format(value=', '.join(reg)))
    wanted = list(dict.fromkeys(names))
    i = 0
    while i < len(wanted):  # pull in what the chosen ones depend on
        wanted += [dep for dep in reg[wanted[i]].after if dep not in wanted]
        i += 1
    return wanted


def run(customers: pd.DataFrame, config: Config, segmenters: list[type[Segmenter]], *,
        requested: set[str] | None = None, skipped: dict[str, str] | None = None,
        notes: list[str] | None = None) -> pd.DataFrame:
    """Apply segmenters in order; each sees the earlier ones' outputs.  Returns a new frame.

    A segmenter that raises SegmenterSkipped is recorded in ``skipped`` (with
    those that depend on it), unless it is in ``requested``: then it is an error.
    """
    from ..errors import InputError

    out = customers
    skipped = {} if skipped is None else skipped
    for cls in segmenters:
        if any(d in skipped for d in cls.after):
            skipped[cls.name] = _("needs {names}").format(names=", ".join(d for d in cls.after if d in skipped))
            continue
        inst = cls()
        try:
            result = inst.segment(out, config)
        except SegmenterSkipped as why:
            if requested and cls.name in requested:
                raise InputError(_("{name}: {why}").format(name=cls.name, why=why)) from None
            skipped[cls.name] = str(why)
            continue
        extra = [c for c in result.columns if c not in cls.outputs]
        if extra:
            raise RuntimeError(_("segmenter {name} returned columns it does not declare: {extra}").format(
                                   name=cls.name, extra=extra))
        attrs = out.attrs
        out = out.drop(columns=[c for c in result.columns if c in out.columns]).join(result)
        out.attrs = dict(attrs)  # (a join keeps neither side's attrs)
        if notes is not None:
            notes.extend(getattr(inst, "notes", []))
    return out
