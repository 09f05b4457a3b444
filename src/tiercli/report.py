"""Terminal summaries with rich: tables with inline bars on a terminal, plain text when piped or in cron.

The only module that draws.  It takes results from the library and a Console;
it computes nothing the outputs do not also carry.
"""

from __future__ import annotations

import functools
import os
import re

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .draw import bar as _bar
from .draw import table_box as _box
from .i18n import N_, _, using
from .schema.dataset import Dataset, FileReport
from .scoring import MOVE_WORDS, ScoreResult, title_of
from .segmenters.base import header, segmenter_title


def _speaking(render):
    """Run a renderer in its ``lang`` (every ``_()`` under it speaks that language)."""

    @functools.wraps(render)
    def wrapper(*args, lang: str = "en", **kwargs):
        with using(lang):
            return render(*args, lang=lang, **kwargs)

    return wrapper


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class SafeConsole(Console):
    """A console for text from strangers' exports: markup off, control characters (ESC sequences that
    recolour, retitle or hyperlink the terminal) removed from every string before it is drawn."""

    def render_str(self, text: str, **kwargs):
        return super().render_str(_CONTROL.sub("", text), **kwargs)


def make_console(stream=None, *, quiet: bool = False) -> Console:
    """A console that uses colour only on a terminal (cron and pipes get plain text)."""
    # markup off: names, products and notes come from strangers' exports, and "[link=...]" in a buyer's name
    # must print as text, not become a terminal hyperlink (rich also strips control codes from plain text)
    console = SafeConsole(file=stream, quiet=quiet, highlight=False, soft_wrap=False, emoji=False, markup=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 110  # logs and pipes: wide enough that label names do not wrap
    return console


# what a file holds and the dataset's totals, as ``inspect`` names them
_KINDS = {"orders": N_("orders"), "inquiries": N_("inquiries"), "events": N_("visitor events"),
          "after_sales": N_("after-sales cases"), "customers": N_("customers"), "contacts": N_("contact log")}
_TOTALS = {"order_lines": N_("order lines"), "orders": N_("orders"), "customers": N_("customers"),
           "first_date": N_("first date"), "last_date": N_("last date"), "currencies": N_("currencies")}


def problem_line(p, *, indent: str = "") -> str:
    """One data problem as the terminal shows it."""
    return f"{indent}! {p.describe(f'{p.rows:,}')}"


@_speaking
def render_inspect(console: Console, files: list[FileReport], summary: dict, problems, lang: str = "en") -> None:
    """Per file: kind, preset, encoding, sheets, rows, mapping and problems; then the dataset totals."""
    for f in files:
        console.print(Text(_CONTROL.sub("", f.path) + (f"  [{', '.join(f.sheets)}]" if f.sheets else ""), style="bold"))
        console.print("  " + _("kind: {kind}   preset: {preset} ({title}; {why})").format(
            kind=_(_KINDS.get(f.kind, f.kind)), preset=f.preset, title=f.preset_title, why=f.why), soft_wrap=True)
        console.print("  " + _("encoding: {encoding}   rows: {rows}").format(
            encoding=f.encoding or _("workbook"), rows=f"{f.rows:,}"))
        mapping = ", ".join(f"{k} ← {v}" for k, v in f.mapping.items())
        console.print("  " + _("mapping: {mapping}").format(mapping=mapping), soft_wrap=True)
        for p in f.problems:
            console.print(problem_line(p, indent="  "), soft_wrap=True)
    console.print()
    table = Table(title=_("Dataset"), box=_box(console), show_header=False, title_justify="left")
    for key in ("order_lines", "orders", "customers", "first_date", "last_date"):
        v = summary[key]
        table.add_row(_(_TOTALS[key]), f"{v:,}" if isinstance(v, int) else str(v))
    table.add_row(_(_TOTALS["currencies"]),
                  ", ".join(f"{k or '-'}: {v:,}" for k, v in summary["currencies"].items()) or "-")
    console.print(table)
    for p in problems:
        console.print(problem_line(p), soft_wrap=True)


@_speaking
def render_migrations(console: Console, since: str, summary, lang: str = "en", top: int = 5) -> None:
    """Per segmenter: how many moved up, down, in and out, and the biggest moves (e.g. vip → dormant)."""
    from .segmenters.base import label

    if summary is None or len(summary) == 0:
        console.print(_("Moves ({since}): none").format(since=since))
        return
    t = Table(title=_("Moves ({since})").format(since=since), box=_box(console),
              title_justify="left", title_style="bold cyan")
    for col in ("segmenter", "up", "down", "in", "out", "moved", "biggest moves"):
        t.add_column(_(MOVE_WORDS[col]), justify="right" if col in ("up", "down", "in", "out", "moved") else "left")
    for name, part in summary.groupby("segmenter", sort=False):
        counts = part.groupby("direction")["customers"].sum()
        big = part.sort_values("customers", ascending=False).head(top)
        moves = ", ".join(f"{label(name, r['from'], lang) or '∅'} → {label(name, r['to'], lang) or '∅'} "
                          f"({r['customers']})" for r in big.to_dict("records"))
        t.add_row(title_of(name, lang), *(str(int(counts.get(d, 0))) for d in ("up", "down", "in", "out", "moved")), moves)
    console.print(t)


@_speaking
def render_score(console: Console, result: ScoreResult, *, lang: str = "en", wrote: list[str] = (),
                 fallback_note: str | None = None, migrations=None) -> None:
    """The summary after ``score``: one table per segmenter, the ABC check, problems, skipped, outputs."""
    ds: Dataset = result.dataset
    n = len(result.customers)
    console.print(Text(_("{n} customers · as of {date} · {files} file(s)").format(
        n=f"{n:,}", date=result.as_of.date().isoformat(), files=len(ds.files)), style="bold"))
    for cls in result.ran:  # each segmenter's tables, then what each prints after them all
        cls.render(console, result, lang)
    for cls in result.ran:
        cls.render_details(console, result, lang)
    if migrations is not None:
        render_migrations(console, _("since {date}").format(date=migrations[0].date().isoformat()), migrations[1],
                          lang=lang)
    for p in ds.all_problems:
        console.print(problem_line(p) + (f" ({p.file})" if p.file else ""), soft_wrap=True)
    _tail(console, result.skipped, result.notes, wrote)
    if fallback_note:
        console.print(f"! {fallback_note}", soft_wrap=True)


def _tail(console: Console, skipped: dict, notes, wrote) -> None:
    """What every command ends with: segmenters skipped and why, notes, files written."""
    for name, why in skipped.items():
        console.print(_("skipped {name}: {why}").format(name=name, why=why), soft_wrap=True)
    for note in notes:
        console.print(_("note {note}").format(note=note), soft_wrap=True)
    for path in wrote:
        console.print(_("wrote {path}").format(path=path))


@_speaking
def render_backtest(console: Console, bt, *, lang: str = "en", wrote: list[str] = (), quiet_tables: bool = False) -> None:
    """``tiercli backtest``: the verdicts first (what a seller reads), then per label what its customers did."""
    from .backtest import calibration_rows, calibration_words, ranking_words, verdicts

    console.print(Text(_("Backtest: labels as of {cut} ({buyers} buyers), against what they did in the next {days} "
                         "days (to {end})").format(cut=bt.cut.date(), buyers=f"{bt.buyers:,}", days=bt.holdout_days,
                                                   end=bt.end.date()), style="bold"))
    for ok, line in verdicts(bt, lang):
        mark, style = {True: ("✓ ", "green"), False: ("✗ ", "red"), None: ("· ", "")}[ok]
        console.print(Text(mark + line, style=style), soft_wrap=True)
    _backtest_classes(console, bt, lang)
    if len(bt.ranking):
        _small_table(console, _("Who buys again (AUC; 0.5 is a coin)"),
                     ranking_words(bt.ranking, lang), {"measure": None, "what": None, "auc": ".3f"}, lang)
    if len(bt.spend) > 1:  # the baseline alone compares nothing
        _small_table(console, _("Next period's spend, ranked by value figures"), ranking_words(bt.spend, lang),
                     {"measure": None, "spearman": ".3f", "top20_spend_share": ".1%"}, lang)
    if bt.calibration is not None:
        _small_table(console, _("BG/NBD repeat purchase days, predicted vs actual ({period})").format(
                     period=calibration_words(bt, lang)),
                     calibration_rows(bt, lang),
                     {"repeat_days": None, "customers": ",", "actual": ".3f", "predicted": ".3f"}, lang)
    elif bt.calibration_note:
        console.print(_("skipped {name}: {why}").format(name=_("calibration"), why=bt.calibration_note),
                      soft_wrap=True)
    _tail(console, bt.result.skipped, bt.result.notes, wrote)


def _small_table(console: Console, title: str, frame, formats: dict, lang: str) -> None:
    """A titled table of ``frame``'s columns in ``formats`` (column -> format; text columns left-aligned)."""
    t = Table(title=title, box=_box(console), title_justify="left", title_style="bold cyan")
    for name, fmt in formats.items():
        t.add_column(header(name, lang), justify="left" if fmt is None else "right")
    for row in frame.itertuples(index=False):
        t.add_row(*("" if (v := getattr(row, name)) != v else str(v) if fmt is None else format(v, fmt)
                    for name, fmt in formats.items()))
    console.print(t)


def _backtest_classes(console: Console, bt, lang: str) -> None:
    """Per label column: what each class's customers did in the holdout (bought again, orders, spend)."""
    from .backtest import class_words

    cur = bt.result.dataset.currency or ""
    heads = (header("customers", lang), "%", _("Bought again"), _("Orders each"), _("Spend each"), _("% of spend"))
    for col, frame in bt.classes.items():
        if len(frame) <= 2:  # one class and "all": nothing to compare
            continue
        t = Table(title=header(col, lang) if col not in bt.result.segmenter_names else segmenter_title(col, lang),
                  box=_box(console), title_justify="left", title_style="bold cyan")
        t.add_column(header("label", lang), no_wrap=True)
        for i, name in enumerate(heads):
            t.add_column(name + (f" ({cur})" if i == 4 and cur else ""), justify="right", no_wrap=True)
        t.add_column("", no_wrap=True)
        for row in class_words(frame, col, lang).itertuples(index=False):
            t.add_row(str(row.label), f"{row.customers:,}", f"{row.share:.1%}", f"{row.repeat_rate:.1%}",
                      f"{row.orders_per_customer:.2f}", f"{row.spend_per_customer:,.0f}",
                      "" if row.spend_share != row.spend_share else f"{row.spend_share:.1%}",
                      Text(_bar(row.repeat_rate), style="green"))
        console.print(t)


_SEGMENTER_COLUMNS = {"name": N_("name"), "title": N_("title"), "requires": N_("requires"), "outputs": N_("outputs"),
                      "origin": N_("origin")}


@_speaking
def render_segmenters(console: Console, rows: list[dict], lang: str = "en") -> None:
    t = Table(box=_box(console))
    for col in ("name", "title", "requires", "outputs", "origin"):
        t.add_column(_(_SEGMENTER_COLUMNS[col]), overflow="fold")
    for r in rows:
        t.add_row(r["name"], r["title"], ", ".join(r["requires"]), ", ".join(r["outputs"]), r["origin"])
    console.print(t)


@_speaking
def render_plan(console: Console, plan, *, lang: str = "en", wrote: list[str] = (), recorded: tuple | None = None,
                fallback_note: str | None = None, notes: list[str] = ()) -> None:
    """The summary after ``plan-emails``: quota used by tier and purpose, by week, who was left out and why."""
    used = len(plan.plan)
    total = used + plan.already_sent
    line = _("Email plan for {month} · quota {quota} · {used} emails planned").format(
        month=plan.month, quota=plan.quota, used=used)
    if plan.already_sent:
        line += _(" + {n} already sent (contact log)").format(n=plan.already_sent)
    line += _(" · {n} left").format(n=max(0, plan.quota - total))
    console.print(Text(line, style="bold"))
    if len(plan.by_tier()):
        _plan_quota(console, plan, lang)
        _plan_weeks(console, plan, lang)
    else:
        console.print(_("no marketing email can be planned this month"))
    _plan_left_out(console, plan, lang)
    if len(plan.followups):
        console.print(_("{n} big B customers go to one-to-one follow-up (not in the quota)").format(
            n=len(plan.followups)), soft_wrap=True)
    _plan_themes(console, plan)
    _tail(console, {}, list(plan.notes) + list(notes), wrote)
    if recorded is not None:
        added, path = recorded
        console.print(_("recorded {n} new sends in {path}").format(n=added, path=path)
                      + ("" if added == used else _(" ({n} were already there)").format(n=used - added)),
                      soft_wrap=True)
    if fallback_note:
        console.print(f"! {fallback_note}", soft_wrap=True)


def _plan_quota(console: Console, plan, lang: str) -> None:
    """The quota used by tier and by purpose: emails, customers, share of the quota."""
    from .plan.words import PURPOSES, TIERS, head, word

    for title, frame, key, table in ((_("Quota used by tier"), plan.by_tier(), "tier", TIERS),
                                     (_("By purpose"), plan.by_purpose(), "purpose", PURPOSES)):
        t = Table(title=title, box=_box(console), title_justify="left", title_style="bold cyan")
        t.add_column(head(key, lang))
        t.add_column(head("emails", lang), justify="right")
        t.add_column(head("customers", lang), justify="right")
        t.add_column(head("share", lang), justify="right")
        t.add_column("", no_wrap=True)
        for row in frame.to_dict("records"):
            share = row["emails"] / plan.quota if plan.quota else 0.0
            t.add_row(word(table, row[key], lang), f"{int(row['emails']):,}", f"{int(row['customers']):,}",
                      f"{share:.0%}", Text(_bar(share), style="green"))
        console.print(t)


def _plan_weeks(console: Console, plan, lang: str) -> None:
    """Emails by send day, and the send days moved off a closure or a holiday."""
    weeks = plan.by_week(lang)
    console.print(_("by week: ") + " · ".join(
        f"{d.strftime('%m-%d')} {n}" for d, n in zip(weeks["send_date"], weeks["emails"]) if pd.notna(d)))
    for r in weeks[weeks["moved"].ne("")].itertuples():
        console.print("  " + _("week {week}, {date}: {moved}").format(
            week=r.week, date=r.send_date.strftime("%m-%d") if pd.notna(r.send_date) else "-", moved=r.moved),
            soft_wrap=True)


def _plan_left_out(console: Console, plan, lang: str) -> None:
    """Customers left out of the month, by reason."""
    from .plan.words import REASONS, head, word

    counts = plan.excluded_counts()
    if not len(counts):
        return
    t = Table(title=_("Left out"), box=_box(console), title_justify="left", title_style="bold cyan")
    t.add_column(head("reason", lang))
    t.add_column(head("customers", lang), justify="right")
    for r, n in counts.itertuples(index=False):
        t.add_row(word(REASONS, r, lang), f"{n:,}")
    console.print(t)


def _plan_themes(console: Console, plan) -> None:
    """The month's buying peaks, platform sales, the seller's campaigns and closures, one line each."""
    for kind, label in (("buying_peak", _("buying peaks: ")), ("platform_sale", _("platform sales: ")),
                        ("seller_campaign", _("seller's campaigns: ")), ("seller_closure", _("seller closure: "))):
        rows = plan.themes[plan.themes["kind"] == kind]
        if len(rows):
            console.print(label + ", ".join(
                f"{h} {d.strftime('%m-%d')}" + ("" if e == d else "–" + e.strftime("%m-%d")) + (f" ({c})" if c else "")
                for h, d, e, c in zip(rows["holiday"], rows["date"], rows["end"], rows["country"])), soft_wrap=True)


@_speaking
def render_calendar(console: Console, frame, *, year: int, lang: str = "en", undated=(), platforms=(),
                    country: str = "") -> None:
    """``tiercli calendar``: the year's campaign calendar, one row per event (``calendar_rows``)."""
    title = _("Campaign calendar {year}").format(year=year)
    if country:
        title += " · " + country
    t = Table(title=title, box=_box(console), title_justify="left", title_style="bold cyan")
    for col in (N_("Dates"), N_("Event"), N_("Kind"), N_("Applies to"), N_("Lead days"), N_("Notes")):
        t.add_column(_(col), justify="right" if col == "Lead days" else "left")
    for r in frame.itertuples():
        t.add_row(r.dates, r.event, r.kind_word, r.applies, "" if r.lead_days < 0 else str(r.lead_days), r.notes)
    console.print(t)
    if not platforms:
        console.print(_("Platform events apply when the data comes through that platform's export, or set "
                        "plan.platforms in tiercli.toml."), soft_wrap=True)
    for e in undated:
        console.print(_("{name}: no date in {year} ({rule}); add it to your calendar file (plan.calendar) once "
                        "announced.").format(name=e.name_zh if lang == "zh" else e.name, year=year, rule=e.rule),
                      soft_wrap=True)


@_speaking
def render_markets(console: Console, calendar, *, lang: str = "en", wrote: list[str] = (), note: str = "") -> None:
    """The 12-month lead-country calendar, one row per month."""
    from .plan.markets import calendar_wide
    from .plan.words import head

    wide = calendar_wide(calendar, lang)
    t = Table(title=_("Lead countries by calendar month (share of the month's customers / of its GMV)"),
              box=_box(console), title_justify="left", title_style="bold cyan")
    for col in wide.columns:
        if col != "month":
            t.add_column(head(col, lang))
    for row in wide.drop(columns=["month"]).itertuples(index=False):
        t.add_row(*[str(v) if v else "-" for v in row])
    console.print(t)
    if note:  # the countries the minimum of customers kept out of the calendar
        console.print(note, soft_wrap=True)
    _tail(console, {}, (), wrote)
