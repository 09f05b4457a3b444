"""The main job as a library: files -> tagged customers, summaries, and the frames every output is made of.

``score(paths)`` is what ``tiercli score`` runs, usable from a notebook:

    >>> import tiercli
    >>> customers = tiercli.score(["orders.xlsx"])        # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from . import __version__, countries
from .config import Config, find_config, load_config
from .features import build_customers, resolve_as_of
from .i18n import N_, _, tr, using
from .schema.dataset import Dataset, load_dataset
from .segmenters import base
from .segmenters.base import header, label, label_columns, segmenter_title

# Customer columns in every output, before the segmenters' own (stable names: see README "Output columns").
BASE_COLUMNS = ["customer_id", "name", "email", "country", "country_code", "company", "accepts_marketing",
                "blacklisted", "business_type", "first_order", "last_order", "recency_days", "frequency", "monetary",
                "revenue", "profit", "aov", "units", "sample_orders", "tenure_days", "annual_value", "median_gap_days"]


@dataclass
class ScoreResult:
    """Everything one scoring run produced, for outputs and summaries."""

    dataset: Dataset
    customers: pd.DataFrame  # the tagged customers frame, index customer_id
    as_of: pd.Timestamp
    config: Config
    ran: list[type[base.Segmenter]]
    skipped: dict[str, str]
    inputs: list[str]
    notes: list[str] = field(default_factory=list)
    # what a segmenter works out once per run for its outputs (terminal and workbook), under its own key
    computed: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def segmenter_names(self) -> list[str]:
        return [c.name for c in self.ran]

    def table(self, *, lang: str = "en", words: bool = False) -> pd.DataFrame:
        """One row per customer with the stable output columns.

        ``words=False`` keeps the English codes (CSV/JSON); ``words=True`` shows
        labels in ``lang`` and translated headers (workbooks).
        """
        c = self.customers.reset_index()
        cols = [col for col in BASE_COLUMNS if col in c.columns]
        if not self.dataset.cost_known:
            cols.remove("profit")
        for cls in self.ran:
            cols.extend(o for o in cls.outputs if o in c.columns)
        out = c[cols].copy()
        for col in ("frequency", "sample_orders"):
            out[col] = out[col].astype("Int64")
        for col in ("monetary", "revenue", "profit", "aov", "annual_value", "abc_value"):
            if col in out:
                out[col] = out[col].round(2)
        if words or lang == "zh":
            for col in label_columns():
                if col in out:
                    out[col] = out[col].map(lambda v, col=col: label(col, v, lang)).astype("str")
        if words:  # a workbook names the country in its language (EIRE, IE, 爱尔兰 -> Ireland); CSV keeps the cell
            out["country"] = countries.display(out["country"], lang)
            out.columns = [header(col, lang) for col in out.columns]
        return out


def score(paths: list[str | Path], *, config: Config | None = None, config_path: str | Path | None = None,
          segmenters: list[str] | None = None, as_of: str | None = None, preset: str | None = None,
          rates: str | Path | None = None, keep_duplicates: bool | None = None,
          blacklist: str | Path | None = None, progress: Callable[[str], None] | None = None) -> ScoreResult:
    """Read ``paths`` and tier every customer.  Raises TiercliError for anything the user can fix."""
    paths = [Path(p) for p in paths]
    if config is None:
        config = load_config(find_config(config_path, paths))
    dataset = load_dataset(paths, config, preset=preset, rates=rates, keep_duplicates=keep_duplicates,
                           progress=progress)
    return score_dataset(dataset, config, resolve_as_of(as_of, dataset), segmenters=segmenters,
                         blacklist=blacklist, inputs=[str(p) for p in paths], progress=progress)


def score_dataset(dataset: Dataset, config: Config, as_of: pd.Timestamp, *, segmenters: list[str] | None = None,
                  blacklist: str | Path | None = None, inputs: list[str] = (),
                  progress: Callable[[str], None] | None = None) -> ScoreResult:
    """Tier the customers of a loaded dataset as of a date (only what happened up to it counts).

    ``score`` is this after reading the files; ``backtest`` runs it at a cut date on the same dataset.
    """
    if progress:
        progress("building customers")
    customers = build_customers(dataset, as_of, config)
    if blacklist is not None:
        customers = apply_blacklist(customers, blacklist)
    available = {k for k in ("orders", "inquiries", "events", "after_sales", "customers") if dataset.has(k)}
    chosen = base.select(segmenters, available, config)
    if progress:
        progress("segmenting")
    notes = list(base.plugin_warnings())
    skipped = dict(chosen.skipped)
    tagged = base.run(customers, config, chosen.run, requested=set(segmenters or ()), skipped=skipped, notes=notes)
    ran = [c for c in chosen.run if c.name not in skipped]
    return ScoreResult(dataset, tagged, as_of, config, ran, skipped, list(inputs), notes)


def apply_blacklist(customers: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """Mark customers listed in a blacklist file (ids or emails in its first column) as blacklisted."""
    from .io.read import read_file

    frame = read_file(Path(path))[0].frame
    listed = set(frame.iloc[:, 0].dropna().astype("str").str.strip().tolist())
    # a one-column file's header may itself be an id or email
    listed.add(str(frame.columns[0]).strip())
    lowered = {x.lower() for x in listed}
    hit = customers.index.isin(list(listed)) | customers["email"].astype("str").str.lower().isin(lowered).fillna(False)
    out = customers.copy()
    out["blacklisted"] = out["blacklisted"].astype(bool) | hit
    return out


def run_info(result: ScoreResult) -> pd.DataFrame:
    """What a workbook's Run sheet records: inputs, as-of date, thresholds used, version (in the language of
    the context; settings keep their names, which is how tiercli.toml spells them)."""
    rows = [(_("tiercli version"), __version__), (_("as-of date"), result.as_of.date().isoformat()),
            (_("base currency"), result.dataset.currency or _("(none given)")),
            (_("config file"), str(result.config.path) if result.config.path else _("(defaults)"))]
    for f in result.dataset.files:
        rows.append((_("input"), _("{path}: {kind}, {preset}, {rows} rows").format(
            path=f"{f.path}{' [' + ', '.join(f.sheets) + ']' if f.sheets else ''}", kind=f.kind, preset=f.preset,
            rows=f.rows)))
    for p in result.dataset.all_problems:
        rows.append((_("data problem"), p.describe() + (f" ({p.file})" if p.file else "")))
    for cls in result.ran:
        for k, v in cls.settings(result.config).items():
            rows.append((f"{cls.name}.{k}", str(v)))
    for name, why in result.skipped.items():
        rows.append((_("skipped"), f"{name}: {why}"))
    return pd.DataFrame(rows, columns=[_("item"), _("value")])


# the words of tier moves: the Migrations sheet's columns, the directions, the terminal table's columns
MOVE_WORDS = {"customer_id": N_("Customer ID"), "segmenter": N_("segmenter"), "from": N_("from"), "to": N_("to"),
              "direction": N_("direction"), "customers": N_("customers"), "examples": N_("examples"),
              "up": N_("up"), "down": N_("down"), "in": N_("in"), "out": N_("out"), "moved": N_("moved"),
              "biggest moves": N_("biggest moves")}


def migration_words(moves: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The Migrations sheet in ``lang``: label words instead of codes, the segmenter's title, the direction."""
    if lang != "zh" or not len(moves):
        return moves
    out = moves.copy()
    for col in ("from", "to"):
        out[col] = [label(seg, code, lang) if code else "" for seg, code in zip(out["segmenter"], out[col])]
    out["segmenter"] = out["segmenter"].map(lambda seg: title_of(seg, lang))
    out["direction"] = out["direction"].map(lambda d: tr(MOVE_WORDS.get(d, d), lang))
    return out.rename(columns=lambda c: tr(MOVE_WORDS[c], lang) if c in MOVE_WORDS else c)


def summaries(result: ScoreResult, lang: str = "en") -> dict[str, pd.DataFrame]:
    """Segmenter name -> its summary table (label columns with display words in ``lang``)."""
    out = {}
    for cls in result.ran:
        out.update(cls.summaries(result, lang))
    return out


def title_of(column: str, lang: str) -> str:
    if column in base.all_headers() and column not in base.registry():
        return header(column, lang)
    return segmenter_title(column, lang)


def workbook_sheets(result: ScoreResult, lang: str = "en", migrations=None) -> list:
    """The tagged workbook: Customers, one summary sheet per segmenter with a chart, the ABC Pareto,
    Migrations (when ``migrations`` = (previous as-of, summary, detail) is given) and Run."""

    with using(lang):
        return _workbook_sheets(result, lang, migrations)


def _workbook_sheets(result: ScoreResult, lang: str, migrations) -> list:
    from .io.write import Chart, Sheet

    customers = result.table(lang=lang, words=True)
    date_fmt = {header(c, lang): "yyyy-mm-dd" for c in ("first_order", "last_order")}
    money = {header(c, lang): "#,##0.00" for c in ("monetary", "revenue", "profit", "aov", "annual_value",
                                                    "abc_value")}
    share = {header("abc_cum_share", lang): "0.0%"}
    sheets = [Sheet(name=_("Customers"), frame=customers, formats={**date_fmt, **money, **share},
                    title=None)]
    pct = {header("share", lang): "0.0%", header("revenue_share", lang): "0.0%",
           header("revenue", lang): "#,##0.00"}
    for name, frame in summaries(result, lang).items():
        title = title_of(name, lang)
        shown = frame.drop(columns=["code"]).rename(columns=lambda c: header(c, lang))
        chart = Chart(kind="column", title=title, categories=header("label", lang),
                      values=(header("customers", lang), ))
        chart2 = Chart(kind="column", title=f"{title} · {header('revenue', lang)}", categories=header("label", lang),
                       values=(header("revenue", lang),))
        sheets.append(Sheet(name=title[:31], frame=shown, charts=(chart, chart2), formats=pct,
                            title=f"{title} — {result.as_of.date().isoformat()}"))
    for cls in result.ran:  # what each segmenter adds: curves, funnels, profiles, lists to act on
        sheets.extend(cls.sheets(result, lang))
    if migrations is not None:
        when, moves, _detail = migrations
        sheets.append(Sheet(name=_("Migrations"), frame=migration_words(moves, lang),
                            title=_("Moves since {date}").format(date=when.date().isoformat())))
    sheets.append(Sheet(name=_("Run"), frame=run_info(result), autofilter=False))
    return sheets
