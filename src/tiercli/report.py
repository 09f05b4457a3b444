"""Terminal summaries with rich: tables with inline bars on a terminal, plain text when piped or in cron.

The only module that draws.  It takes results from the library and a Console;
it computes nothing the outputs do not also carry.
"""

from __future__ import annotations

import os
import re

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .labels import header, segmenter_title
from .schema.dataset import Dataset, FileReport
from .scoring import ScoreResult, abc_benchmark, summaries

_ZH = {
    "files": "文件", "dataset": "数据汇总", "kind": "类型", "preset": "模板", "encoding": "编码", "rows": "行数",
    "problems": "数据问题", "as_of": "截至日期", "customers": "客户", "skipped": "跳过", "wrote": "已写入",
    "abc_check": "ABC 对照基准", "mapping": "列映射", "none": "无",
}


def _t(key: str, lang: str, en: str) -> str:
    return _ZH.get(key, en) if lang == "zh" else en


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


def _box(console: Console):
    return box.SIMPLE_HEAD if console.is_terminal else box.ASCII2


def _bar(share: float, width: int = 20) -> str:
    full = share * width
    n = int(full)
    return "█" * n + ("▌" if full - n >= 0.5 else "")


def render_inspect(console: Console, files: list[FileReport], summary: dict, problems, lang: str = "en") -> None:
    """Per file: kind, preset, encoding, sheets, rows, mapping and problems; then the dataset totals."""
    for f in files:
        console.print(Text(_CONTROL.sub("", f.path) + (f"  [{', '.join(f.sheets)}]" if f.sheets else ""), style="bold"))
        console.print(f"  {_t('kind', lang, 'kind')}: {f.kind}   {_t('preset', lang, 'preset')}: {f.preset} "
                      f"({f.preset_title}; {f.why})", soft_wrap=True)
        console.print(f"  {_t('encoding', lang, 'encoding')}: {f.encoding or 'workbook'}   "
                      f"{_t('rows', lang, 'rows')}: {f.rows:,}")
        mapping = ", ".join(f"{k} ← {v}" for k, v in f.mapping.items())
        console.print(f"  {_t('mapping', lang, 'mapping')}: {mapping}", soft_wrap=True)
        for p in f.problems:
            console.print(f"  ! {p.code}: {p.rows:,} rows — {p.message}", soft_wrap=True)
    console.print()
    table = Table(title=_t("dataset", lang, "Dataset"), box=_box(console), show_header=False, title_justify="left")
    for key in ("order_lines", "orders", "customers", "first_date", "last_date"):
        v = summary[key]
        table.add_row(key, f"{v:,}" if isinstance(v, int) else str(v))
    table.add_row("currencies", ", ".join(f"{k or '-'}: {v:,}" for k, v in summary["currencies"].items()) or "-")
    console.print(table)
    for p in problems:
        console.print(f"! {p.code}: {p.rows:,} rows — {p.message}", soft_wrap=True)


def render_migrations(console: Console, since: str, summary, lang: str = "en", top: int = 5) -> None:
    """Per segmenter: how many moved up, down, in and out, and the biggest moves (e.g. vip → dormant)."""
    if summary is None or len(summary) == 0:
        console.print(f"{'分级变动' if lang == 'zh' else 'Moves'} ({since}): " + ("无" if lang == "zh" else "none"))
        return
    t = Table(title=("分级变动" if lang == "zh" else "Moves") + f" ({since})", box=_box(console),
              title_justify="left", title_style="bold cyan")
    for col in ("segmenter", "up", "down", "in", "out", "moved", "biggest moves"):
        t.add_column(col, justify="right" if col in ("up", "down", "in", "out", "moved") else "left")
    for name, part in summary.groupby("segmenter", sort=False):
        counts = part.groupby("direction")["customers"].sum()
        big = part.sort_values("customers", ascending=False).head(top)
        moves = ", ".join(f"{r['from'] or '∅'} → {r['to'] or '∅'} ({r['customers']})" for _, r in big.iterrows())
        t.add_row(name, *(str(int(counts.get(d, 0))) for d in ("up", "down", "in", "out", "moved")), moves)
    console.print(t)


_B2B_TABLES = ("deal_stage", "aipl", "stars", "stars_group")


def _pct(x) -> str:
    return "" if x is None or x != x else f"{x:.1%}"


def _render_b2b(console: Console, result: ScoreResult, name: str, lang: str, cur: str) -> None:
    """The deal-stage pipeline, the AIPL funnel with the I crowd by source, and stars by group."""
    from .scoring import funnel, interest_sources, pipeline, stars_table

    def table(title: str, columns: list[str]) -> Table:
        t = Table(title=title, box=_box(console), title_justify="left", title_style="bold cyan")
        for i, col in enumerate(columns):
            t.add_column(col, justify="left" if i == 0 else "right", no_wrap=not col)
        return t

    zh = lang == "zh"
    if name == "deal_stage":
        frame = pipeline(result, lang)
        t = table(segmenter_title(name, lang) + (" · 转化" if zh else " pipeline"),
                  [header(c, lang) for c in ("label", "customers")] + ["%", header("reached", lang),
                   header("conversion", lang), header("revenue", lang) + (f" ({cur})" if cur else ""), ""])
        for r in frame.itertuples(index=False):
            t.add_row(str(r.label), f"{r.customers:,}", f"{r.share:.1%}", f"{r.reached:,}", _pct(r.conversion),
                      f"{r.revenue:,.0f}", Text(_bar(r.share), style="green"))
        console.print(t)
    elif name == "aipl":
        frame = funnel(result, lang)
        top = frame["reached"].iloc[0] if len(frame) else 0
        t = table(("AIPL 漏斗" if zh else "AIPL funnel"),
                  [header(c, lang) for c in ("label", "customers", "visitors", "total", "reached", "conversion")]
                  + [""])
        for r in frame.itertuples(index=False):
            t.add_row(str(r.label), f"{r.customers:,}", f"{r.visitors:,}", f"{r.total:,}", f"{r.reached:,}",
                      _pct(r.conversion), Text(_bar(r.reached / top if top else 0.0), style="green"))
        console.print(t)
        sources = interest_sources(result, lang)
        if len(sources):
            t = table("I 兴趣人群 · 按来源" if zh else "I crowd by source",
                      [header(c, lang) for c in ("source", "customers", "visitors", "total")] + ["%", ""])
            for r in sources.itertuples(index=False):
                t.add_row(str(r.source), f"{r.customers:,}", f"{r.visitors:,}", f"{r.total:,}", f"{r.crowd_share:.1%}",
                          Text(_bar(r.crowd_share), style="green"))
            console.print(t)
    elif name == "stars":
        frame = stars_table(result, lang)
        t = table(segmenter_title(name, lang),
                  [header(c, lang) for c in ("label", "inquiry_customers", "sample_customers", "customers")])
        for r in frame.itertuples(index=False):
            t.add_row(str(r.label), f"{r.inquiry_customers:,}", f"{r.sample_customers:,}", f"{r.customers:,}")
        console.print(t)


def render_score(console: Console, result: ScoreResult, *, lang: str = "en", wrote: list[str] = (),
                 fallback_note: str | None = None, migrations=None) -> None:
    """The summary after ``score``: one table per segmenter, the ABC check, problems, skipped, outputs."""
    ds: Dataset = result.dataset
    n = len(result.customers)
    cur = ds.currency or ""
    console.print(Text(f"{n:,} {_t('customers', lang, 'customers')} · {_t('as_of', lang, 'as of')} "
                       f"{result.as_of.date().isoformat()} · {len(ds.files)} "
                       + ("个文件" if lang == "zh" else "file(s)"), style="bold"))
    tables = summaries(result, lang)
    for name, frame in tables.items():
        if name in _B2B_TABLES:  # deal_stage, aipl, stars: their pipeline, funnel and star tables instead
            _render_b2b(console, result, name, lang, cur)
            continue
        title = segmenter_title(name, lang) if name in result.segmenter_names else header(name, lang)
        t = Table(title=title, box=_box(console), title_justify="left", title_style="bold cyan")
        t.add_column(header("label", lang))
        t.add_column(header("customers", lang), justify="right")
        t.add_column("%", justify="right")
        t.add_column(header("revenue", lang) + (f" ({cur})" if cur else ""), justify="right")
        t.add_column("%", justify="right")
        t.add_column("", no_wrap=True)
        for row in frame.itertuples(index=False):
            t.add_row(str(row.label), f"{row.customers:,}", f"{row.share:.1%}", f"{row.revenue:,.0f}",
                      f"{row.revenue_share:.1%}", Text(_bar(row.revenue_share), style="green"))
        console.print(t)
    if "abc" in result.segmenter_names:
        b = abc_benchmark(result)
        lo_c, hi_c = b["benchmark"]["customers"]
        lo_v, hi_v = b["benchmark"]["value"]
        verdict = "within" if b["within"] else "outside"
        console.print(f"{_t('abc_check', lang, 'ABC check')}: A = {b['customers_share']:.1%} of deal customers "
                      f"making {b['value_share']:.1%} of value ({verdict} the seed's benchmark of "
                      f"{lo_c:.0%}–{hi_c:.0%} making {lo_v:.0%}–{hi_v:.0%})", soft_wrap=True)
    if "churn" in result.segmenter_names:
        from .scoring import at_risk_valuable

        risky = at_risk_valuable(result, 5)
        risky = risky[[c for c in risky.columns if risky[c].notna().any() and (risky[c].astype("str") != "").any()]]
        if "churn" in risky:
            from .labels import label

            risky = risky.assign(churn=risky["churn"].map(lambda v: label("churn", v, lang)))
        if len(risky):
            t = Table(title="流失风险中价值最高的客户" if lang == "zh" else "At risk and worth winning back",
                      box=_box(console), title_justify="left", title_style="bold cyan")
            for col in risky.columns:
                t.add_column(header(col, lang), justify="right" if risky[col].dtype.kind in "fiu" else "left")
            for row in risky.itertuples(index=False):
                t.add_row(*(f"{v:,.2f}" if isinstance(v, float) else ("" if v is None else str(v)) for v in row))
            console.print(t)
    if migrations is not None:
        render_migrations(console, f"since {migrations[0].date().isoformat()}", migrations[1], lang)
    for p in ds.all_problems:
        console.print(f"! {p.code}: {p.rows:,} rows — {p.message}"
                      + (f" ({p.file})" if p.file else ""), soft_wrap=True)
    for name, why in result.skipped.items():
        console.print(f"{_t('skipped', lang, 'skipped')} {name}: {why}")
    for note in result.notes:
        console.print(f"note {note}", soft_wrap=True)
    for path in wrote:
        console.print(f"{_t('wrote', lang, 'wrote')} {path}")
    if fallback_note:
        console.print(f"! {fallback_note}", soft_wrap=True)


def render_backtest(console: Console, bt, *, lang: str = "en", wrote: list[str] = (), quiet_tables: bool = False) -> None:
    """``tiercli backtest``: the verdicts first (what a seller reads), then per label what its customers did."""
    from .backtest import _words, calibration_words, ranking_words, verdicts

    zh = lang == "zh"
    cur = bt.result.dataset.currency or ""
    console.print(Text((f"回测:截至 {bt.cut.date()} 的标签({bt.buyers:,} 位买家),对照之后 {bt.holdout_days} 天"
                        f"(至 {bt.end.date()})的实际购买") if zh else
                       (f"Backtest: labels as of {bt.cut.date()} ({bt.buyers:,} buyers), against what they did in "
                        f"the next {bt.holdout_days} days (to {bt.end.date()})"), style="bold"))
    for ok, line in (bt.verdicts if lang == "en" else verdicts(bt, lang)):
        mark, style = {True: ("✓ ", "green"), False: ("✗ ", "red"), None: ("· ", "")}[ok]
        console.print(Text(mark + line, style=style), soft_wrap=True)
    heads = (("客户数", "占比", "再次购买", "人均订单", "人均消费", "消费占比") if zh else
             ("Customers", "%", "Bought again", "Orders each", "Spend each", "% of spend"))
    for col, frame in bt.classes.items():
        if len(frame) <= 2:  # one class and "all": nothing to compare
            continue
        t = Table(title=header(col, lang) if col not in bt.result.segmenter_names else segmenter_title(col, lang),
                  box=_box(console), title_justify="left", title_style="bold cyan")
        t.add_column(header("label", lang), no_wrap=True)
        for i, name in enumerate(heads):
            t.add_column(name + (f" ({cur})" if i == 4 and cur else ""), justify="right", no_wrap=True)
        t.add_column("", no_wrap=True)
        for row in _words(frame, col, lang).itertuples(index=False):
            t.add_row(str(row.label), f"{row.customers:,}", f"{row.share:.1%}", f"{row.repeat_rate:.1%}",
                      f"{row.orders_per_customer:.2f}", f"{row.spend_per_customer:,.0f}",
                      "" if row.spend_share != row.spend_share else f"{row.spend_share:.1%}",
                      Text(_bar(row.repeat_rate), style="green"))
        console.print(t)
    def small_table(title: str, frame, formats: dict) -> None:
        """A titled table of ``frame``'s columns in ``formats`` (column -> format; text columns left-aligned)."""
        t = Table(title=title, box=_box(console), title_justify="left", title_style="bold cyan")
        for name, fmt in formats.items():
            t.add_column(header(name, lang), justify="left" if fmt is None else "right")
        for row in frame.itertuples(index=False):
            t.add_row(*("" if (v := getattr(row, name)) != v else str(v) if fmt is None else format(v, fmt)
                        for name, fmt in formats.items()))
        console.print(t)

    if len(bt.ranking):
        small_table("谁会再次购买(AUC,0.5 等于抛硬币)" if zh else "Who buys again (AUC; 0.5 is a coin)",
                    ranking_words(bt.ranking, lang), {"measure": None, "what": None, "auc": ".3f"})
    if len(bt.spend) > 1:  # the baseline alone compares nothing
        small_table("下一期消费额的排序" if zh else "Next period's spend, ranked by value figures", bt.spend,
                    {"measure": None, "spearman": ".3f", "top20_spend_share": ".1%"})
    if bt.calibration is not None:
        small_table(("BG/NBD 预测与实际复购天数(" if zh else "BG/NBD repeat purchase days, predicted vs actual (")
                    + calibration_words(bt, lang) + ")", bt.calibration,
                    {"repeat_days": None, "customers": ",", "actual": ".3f", "predicted": ".3f"})
    elif bt.calibration_note:
        console.print(f"{_t('skipped', lang, 'skipped')} calibration: {bt.calibration_note}", soft_wrap=True)
    for name, why in bt.result.skipped.items():
        console.print(f"{_t('skipped', lang, 'skipped')} {name}: {why}", soft_wrap=True)
    for note in bt.result.notes:
        console.print(f"note {note}", soft_wrap=True)
    for path in wrote:
        console.print(f"{_t('wrote', lang, 'wrote')} {path}")


def render_segmenters(console: Console, rows: list[dict]) -> None:
    t = Table(box=_box(console))
    for col in ("name", "title", "requires", "outputs", "origin"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(r["name"], r["title"], ", ".join(r["requires"]), ", ".join(r["outputs"]), r["origin"])
    console.print(t)


def render_plan(console: Console, plan, *, lang: str = "en", wrote: list[str] = (), recorded: tuple | None = None,
                fallback_note: str | None = None, notes: list[str] = ()) -> None:
    """The summary after ``plan-emails``: quota used by tier and purpose, by week, who was left out and why."""
    from .plan.words import PURPOSES, REASONS, TIERS, head, word

    zh = lang == "zh"
    used = len(plan.plan)
    total = used + plan.already_sent
    line = (f"{plan.month} 邮件计划 · 配额 {plan.quota} · 计划 {used} 封" if zh else
            f"Email plan for {plan.month} · quota {plan.quota} · {used} emails planned")
    if plan.already_sent:
        line += (f" + 联系记录已发 {plan.already_sent}" if zh else f" + {plan.already_sent} already sent (contact log)")
    line += (f" · 剩余 {max(0, plan.quota - total)}" if zh else f" · {max(0, plan.quota - total)} left")
    console.print(Text(line, style="bold"))
    by_tier, by_purpose = plan.by_tier(), plan.by_purpose()
    if len(by_tier):
        for title, frame, key, table in (("各级客户配额使用" if zh else "Quota used by tier", by_tier, "tier", TIERS),
                                         ("按邮件目的" if zh else "By purpose", by_purpose, "purpose", PURPOSES)):
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
        weeks = plan.by_week()
        console.print(("按周: " if zh else "by week: ") + " · ".join(
            f"{d.strftime('%m-%d')} {n}" for d, n in zip(weeks["send_date"], weeks["emails"])))
    else:
        console.print("本月没有可发送的营销邮件" if zh else "no marketing email can be planned this month")
    counts = plan.excluded_counts()
    if len(counts):
        t = Table(title="未发送原因" if zh else "Left out", box=_box(console), title_justify="left",
                  title_style="bold cyan")
        t.add_column(head("reason", lang))
        t.add_column(head("customers", lang), justify="right")
        for r, n in counts.itertuples(index=False):
            t.add_row(word(REASONS, r, lang), f"{n:,}")
        console.print(t)
    if len(plan.followups):
        console.print((f"大B客户 {len(plan.followups)} 位转一对一跟进(不占配额)" if zh else
                       f"{len(plan.followups)} big B customers go to one-to-one follow-up (not in the quota)"), soft_wrap=True)
    peaks = plan.themes[plan.themes["kind"] == "buying_peak"]
    if len(peaks):
        console.print(("购物高峰: " if zh else "buying peaks: ") + ", ".join(
            f"{h} {d.strftime('%m-%d')}" for h, d in zip(peaks["holiday"], peaks["date"])), soft_wrap=True)
    for note in list(plan.notes) + list(notes):
        console.print(f"note {note}", soft_wrap=True)
    for path in wrote:
        console.print(f"{_t('wrote', lang, 'wrote')} {path}")
    if recorded is not None:
        added, path = recorded
        console.print((f"已记录 {added} 条新发送到 {path}" if zh else f"recorded {added} new sends in {path}")
                      + ("" if added == used else (f"(其余 {used - added} 条已在记录中)" if zh else
                                                    f" ({used - added} were already there)")), soft_wrap=True)
    if fallback_note:
        console.print(f"! {fallback_note}", soft_wrap=True)


def render_markets(console: Console, calendar, *, lang: str = "en", wrote: list[str] = (), note: str = "") -> None:
    """The 12-month lead-country calendar, one row per month."""
    from .plan.markets import calendar_wide
    from .plan.words import head

    wide = calendar_wide(calendar, lang)
    t = Table(title="每月主打国家(客户占比 / 成交额占比)" if lang == "zh" else
              "Lead countries by calendar month (share of the month's customers / of its GMV)",
              box=_box(console), title_justify="left", title_style="bold cyan")
    for col in wide.columns:
        if col != "month":
            t.add_column(head(col, lang))
    for row in wide.drop(columns=["month"]).itertuples(index=False):
        t.add_row(*[str(v) if v else "-" for v in row])
    console.print(t)
    if note:  # the countries the minimum of customers kept out of the calendar
        console.print(note, soft_wrap=True)
    for path in wrote:
        console.print(f"{_t('wrote', lang, 'wrote')} {path}")
