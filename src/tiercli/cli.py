"""The command line: parse, call the library, render, map errors to exit codes.  Nothing else lives here."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import click

from . import __version__
from .errors import (
    ENVIRONMENT_ERRNOS,
    EXIT_UNEXPECTED,
    OutputBusyError,
    TiercliError,
    clean_text,
    environment_fault,
)
from .i18n import N_, _, language, ngettext, set_language, tr, using

FORMATS = ("xlsx", "csv", "json")

# click's own words (Usage:, Options:, "Missing argument", "Show this message and exit." ...) come from the same
# catalog: click asks gettext's ``_`` at the moment it prints, so pointing its modules at ours is enough
for _module in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils"):
    _mod = getattr(click, _module, None)
    if _mod is not None and hasattr(_mod, "_"):
        _mod._ = _
    if _mod is not None and hasattr(_mod, "ngettext"):
        _mod.ngettext = ngettext

# the words of click a user meets (help, usage errors), for the catalog
CLICK_MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."), N_("Show the version and exit."),
    N_("Error: {message}"), N_("Missing argument"), N_("Missing option"), N_("Missing parameter"),
    N_("Missing parameter: {param_name}"), N_("Missing command."),
    N_("Invalid value for {param_hint}: {message}"), N_("Invalid value: {message}"),
    N_("Try '{command} {option}' for help."), N_("No such command {name!r}."), N_("No such option {name!r}."),
    N_("No such option: {name}"), N_("Did you mean {possibility}?"), N_("(Did you mean one of: {possibilities}?)"),
    N_("Option {name!r} does not take a value."), N_("Option {name!r} requires an argument."),
    N_("Option {name!r} requires {nargs} arguments."),
    N_("Got unexpected extra argument ({args})"), N_("Got unexpected extra arguments ({args})"),
    N_("{value!r} is not {choice}."), N_("{value!r} is not one of {choices}."),
    N_("{value!r} is not a valid {number_type}."), N_("{value} is not in the range {range}."),
    N_("{value!r} does not match the format {format}."), N_("{value!r} does not match the formats {formats}."),
    N_("default: {default}"), N_("Aborted!"), N_("file"), N_("directory"), N_("path"),
    N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is a file."), N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."), N_("%(prog)s, version %(version)s"), N_("required"),
    N_("built-in"),
)


def _lang_from_args(args: list[str]) -> str | None:
    """The value of ``--lang`` among the arguments (before click has parsed them: --help and errors speak it)."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


class Translated:
    """A command whose help (its own text, its options', its subcommands' one-liners) is shown in the language
    of the run: the English in the code is the catalog's message id."""

    def format_help(self, ctx: click.Context, formatter) -> None:
        commands = getattr(self, "commands", {}).values()
        # get_params: the --help option too (click makes it once, in the language of the first run that asked)
        held = [(obj, obj.help) for obj in (self, *self.get_params(ctx), *commands) if getattr(obj, "help", None)]
        try:
            for obj, text in held:
                obj.help = tr(text)
            super().format_help(ctx, formatter)
        finally:
            for obj, text in held:
                obj.help = text


class TierCommand(Translated, click.Command):
    pass


class TierGroup(Translated, click.Group):
    """Turns TiercliError into its one-line message and exit code; anything else is exit 1 (--debug: traceback).

    With ``--log FILE`` (or TIERCLI_LOG) every run appends one line: time, command, inputs, counts,
    outputs and exit code, so a cron job leaves a readable trail.

    The run speaks ``--lang`` (else TIERCLI_LANG, else English) from the first word; once tiercli.toml is read,
    its ``lang`` too.
    """

    command_class = TierCommand

    def main(self, args=None, **kwargs):
        args = list(sys.argv[1:] if args is None else args)
        with using(_lang_from_args(args) or os.environ.get("TIERCLI_LANG")):
            return super().main(args, **kwargs)

    def invoke(self, ctx: click.Context):
        started = time.time()
        code = 0
        try:
            return super().invoke(ctx)
        except TiercliError as err:
            code = err.exit_code
            # one line, and no escape sequence from the data reaches the terminal
            click.echo(_("tiercli: error: {message}").format(message=clean_text(str(err), 2000)), err=True)
            ctx.exit(code)
        except click.exceptions.Exit as done:
            code = done.exit_code
            raise
        except click.ClickException as err:
            code = err.exit_code
            raise
        except click.Abort:
            code = 1
            raise
        except KeyboardInterrupt:
            code = 130
            click.echo(_("tiercli: interrupted"), err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: say so in one line unless the user asked for the traceback
            code = EXIT_UNEXPECTED
            if (ctx.obj or {}).get("debug") or os.environ.get("TIERCLI_DEBUG"):
                raise
            if isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS:
                # the machine or the drive refused (full, read-only, no permission) somewhere not wrapped yet
                fault = environment_fault(exc, exc.filename or "?", _("use"))
                code = fault.exit_code
                click.echo(_("tiercli: error: {message}").format(message=fault), err=True)
                ctx.exit(code)
            click.echo(_("tiercli: unexpected error: {error}. Run again with --debug and report the traceback."
                         ).format(error=f"{exc.__class__.__name__}: {exc}"), err=True)
            ctx.exit(EXIT_UNEXPECTED)
        finally:
            _log_run(ctx, code, time.time() - started)


def _log_run(ctx: click.Context, code: int, seconds: float) -> None:
    obj = ctx.obj or {}
    path = obj.get("log") or os.environ.get("TIERCLI_LOG")
    if not path or not ctx.invoked_subcommand:
        return
    fields = {"time": datetime.now().astimezone().isoformat(timespec="seconds"), "command": ctx.invoked_subcommand,
              "exit": code, "seconds": f"{seconds:.1f}", **obj.get("log_fields", {})}
    line = "\t".join(f"{k}={v}" for k, v in fields.items()) + "\n"
    try:
        # one write() of a short line in append mode: concurrent runs do not interleave
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line)
    except OSError as exc:
        click.echo(_("tiercli: warning: cannot append to log {path}: {error}").format(path=path, error=exc), err=True)


def _warn(message: str) -> None:
    """One warning line on stderr (control characters from the data shown escaped, never run)."""
    click.echo(_("tiercli: warning: {message}").format(message=clean_text(message, 400)), err=True)


def _note(ctx: click.Context, **fields) -> None:
    """Record fields for the --log line of this run."""
    root = ctx.find_root()
    root.ensure_object(dict)
    root.obj.setdefault("log_fields", {}).update(fields)


@click.group(cls=TierGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tiercli")
@click.option("--debug", is_flag=True, help="Show the full traceback of unexpected errors.")
@click.option("--log", "log_path", type=click.Path(path_type=Path), envvar="TIERCLI_LOG",
              help="Append one line per run (time, command, inputs, counts, outputs, exit code) to this file.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, log_path: Path | None) -> None:
    """Tier cross-border e-commerce customers from the exports you already have.

    \b
    tiercli inspect orders.xlsx        what tiercli sees in your files
    tiercli score exports/             tier every customer, write NAME.tiers.xlsx
    tiercli diff OLD NEW               who moved between tiers
    tiercli segmenters                 the segmenters and what they need
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    ctx.obj["log"] = log_path


def input_options(f):
    """Options every command that reads exports shares (csvkit's habit)."""

    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option("--preset", metavar="NAME", help="Use this preset for every file instead of detecting one.")
    @click.option("--config", "config_path", type=click.Path(path_type=Path),
                  help="tiercli.toml to use (default: TIERCLI_CONFIG, the input folder, then the current folder).")
    @click.option("--rates", type=click.Path(path_type=Path),
                  help="CSV of exchange rates: currency,rate (base units per 1 unit).")
    @click.option("--currency", help="Base currency (e.g. USD).")
    @click.option("--date-order", type=click.Choice(["dmy", "mdy"]),
                  help="How to read dates like 03/04/2026 when a column cannot tell.")
    @click.option("--keep-duplicates", is_flag=True, default=None,
                  help="Keep exact repeated order lines instead of counting them once.")
    @click.option("--sheet", "sheets", multiple=True, metavar="NAME",
                  help="Read only this sheet of a workbook (repeatable; default: every sheet, leaving out "
                       "sheets no export layout fits).")
    @functools.wraps(f)
    def wrapper(*args, sheets=(), **kwargs):
        from .io.read import input_sheets

        with input_sheets(sheets):
            return f(*args, **kwargs)

    return wrapper


def scoring_options(f):
    """Options of every command that scores customers first (score, plan-emails)."""

    @click.option("--segmenters", "names", metavar="LIST",
                  help="Comma-separated segmenters to run (default: all whose inputs exist, cluster only with "
                       "cluster.enabled).")
    @click.option("--as-of", metavar="DATE", help="Date to measure recency from: YYYY-MM-DD or 'today' "
                  "(default: latest date in the inputs).")
    @click.option("--lang", type=click.Choice(["en", "zh"]), help="Language of labels and summaries.")
    @click.option("--blacklist", type=click.Path(path_type=Path),
                  help="File listing blacklisted customers (ids or emails in its first column).")
    @click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
                  help="If another run holds the output folder, wait up to this long instead of exiting with code 3.")
    @click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)

    return wrapper


def _config(paths, config_path, **flags):
    from .config import find_config, load_config

    cfg = load_config(find_config(config_path, list(paths)))
    cfg = cfg.with_overrides({k: v for k, v in flags.items()}, where="flag")
    set_language(cfg["lang"])  # tiercli.toml's lang, or the flag's: every later word of the run speaks it
    return cfg


@cli.command()
@input_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def inspect(paths, preset, config_path, rates, currency, date_order, keep_duplicates, fmt):
    """Show what tiercli reads from each file: kind, preset, encoding, sheets, rows, mapping, problems."""
    from .report import make_console, render_inspect
    from .schema.dataset import load_dataset

    cfg = _config(paths, config_path, currency=currency, date_order=date_order, keep_duplicates=keep_duplicates)
    # orders in several currencies are shown with what to pass, not refused: inspect is the diagnosis
    ds = load_dataset(list(paths), cfg, preset=preset, rates=rates, strict_currency=False)
    summary = ds.summary()
    if fmt == "json":
        files = [f.as_dict() for f in ds.files]
        # dataset-level problems (duplicates across files) are reported with the first orders file
        target = next((f for f in files if f["kind"] == "orders"), files[0] if files else None)
        if target is not None:
            target["problems"].extend(p.as_dict() for p in ds.problems)
        click.echo(json.dumps({"files": files, "dataset": summary}, ensure_ascii=False, indent=2))
        return
    render_inspect(make_console(), ds.files, summary, ds.problems, lang=cfg["lang"])


def _output_format(output: Path | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    if output is not None:
        ext = output.suffix.lower().lstrip(".")
        if ext in FORMATS:
            return ext
        raise click.BadParameter(_("cannot tell the format of {name}; use .xlsx, .csv or .json, or --format."
                                   ).format(name=output.name), param_hint="-o")
    return "xlsx"


@cli.command()
@input_options
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write (.xlsx, .csv or .json). Default: NAME.tiers.xlsx next to the input.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format (default: from -o, else xlsx).")
@scoring_options
@click.option("--no-history", is_flag=True, help="Do not keep a labels snapshot in .tiercli/history.")
@click.pass_context
def score(ctx, paths, preset, config_path, rates, currency, date_order, keep_duplicates, output, fmt, names, as_of,
          lang, blacklist, wait, no_history, quiet):
    """Tier every customer and write a tagged spreadsheet, plus a summary here."""
    from . import history
    from .io.lock import output_lock, remove_stale_temps
    from .io.write import output_folder, tiers_name, write_output
    from .scoring import workbook_sheets

    cfg = _config(paths, config_path, currency=currency, date_order=date_order, keep_duplicates=keep_duplicates,
                  lang=lang)
    lang = cfg["lang"]
    fmt = _output_format(output, fmt)
    target = output or tiers_name(list(paths), fmt)
    _note(ctx, inputs=",".join(map(str, paths)), output=target)
    folder = output_folder(target)
    with output_lock(folder, kind=cfg["lock"], wait=wait, expire_minutes=cfg["lock_expire_minutes"]):
        remove_stale_temps(folder)
        result = _scored(paths, cfg, preset=preset, rates=rates, as_of=as_of, names=names, blacklist=blacklist,
                         quiet=quiet)
        keep_history = cfg["history"] and not no_history
        codes = result.table()  # English codes: the history snapshot, and the CSV/JSON unless asked for zh
        moved = None
        no_snapshot = None  # why the history could not be kept: the report is still written, exit 0
        if keep_history:
            try:
                before = history.previous_snapshot(folder, result.as_of)
            except TiercliError as err:
                before, no_snapshot = None, err
            if before is not None:
                moved = (before[0], *history.migrations(before[1], history.snapshot(codes)))
        explicit_zh = lang == "zh" and cfg.source.get("lang") != "default"
        table = result.table(lang="zh") if explicit_zh else codes
        written = write_output(target, fmt, sheets=lambda: workbook_sheets(result, lang, migrations=moved),
                               table=lambda: table,
                               document=lambda: {"as_of": result.as_of.date().isoformat(),
                                                 "customers": table.to_dict("records")})
        if keep_history and no_snapshot is None:
            try:
                history.save_snapshot(folder, result.as_of, codes)
            except TiercliError as err:
                no_snapshot = err
    _note(ctx, customers=len(result.customers), output=written.path)
    note = written.busy_note(target)
    result.notes.extend(written.notes())
    if not quiet:  # (a quiet console would still lay every table out, for nobody)
        from .report import make_console, render_score

        render_score(make_console(), result, lang=lang, wrote=[str(written.path)], fallback_note=note,
                     migrations=moved)
    if no_snapshot is not None:
        _note(ctx, history="failed")
        _warn(_("wrote {output}, but kept no history snapshot: {error}").format(output=written.path,
                                                                                error=no_snapshot))
    if written.fallback:
        raise OutputBusyError(note, path=written.path)


@cli.command()
@input_options
@click.option("--cut", metavar="DATE", help="Last day the labels see (YYYY-MM-DD); what follows is the holdout. "
              "Default: the last --holdout-days of the history.")
@click.option("--holdout-days", type=click.IntRange(min=1), metavar="N",
              help="Length of the holdout in days (default 90; with --cut: up to the last order).")
@click.option("--segmenters", "names", metavar="LIST",
              help="Comma-separated segmenters to check (default: all whose inputs exist, cluster only with "
                   "cluster.enabled).")
@click.option("--lang", type=click.Choice(["en", "zh"]), help="Language of labels and summaries.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Also write the backtest: .xlsx (a sheet per label, with charts) or .json.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="What to print here.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.pass_context
def backtest(ctx, paths, preset, config_path, rates, currency, date_order, keep_duplicates, cut, holdout_days, names,
             lang, output, fmt, quiet):
    """Check the labels on your own history: label customers as of a past date, show what they did next."""
    from .backtest import backtest as run_backtest
    from .backtest import backtest_json, backtest_sheets
    from .io.write import output_folder, write_output
    from .report import make_console, render_backtest
    from .schema.dataset import load_dataset

    cfg = _config(paths, config_path, currency=currency, date_order=date_order, keep_duplicates=keep_duplicates,
                  lang=lang)
    lang = cfg["lang"]
    if output is not None and output.suffix.lower() not in (".xlsx", ".json"):
        raise click.BadParameter(_("cannot tell the format of {name}; use .xlsx or .json.").format(name=output.name),
                                 param_hint="-o")
    _note(ctx, inputs=",".join(map(str, paths)))
    ds = load_dataset(list(paths), cfg, preset=preset, rates=rates)
    bt = run_backtest(ds, cfg, cut=cut, holdout_days=holdout_days, inputs=[str(p) for p in paths],
                      segmenters=[n.strip() for n in names.split(",") if n.strip()] if names else None)
    wrote = []
    doc = backtest_json(bt) if fmt == "json" or (output is not None and output.suffix.lower() == ".json") else None
    if output is not None:
        output_folder(output)
        written = write_output(output, "xlsx" if output.suffix.lower() == ".xlsx" else "json",
                               sheets=lambda: backtest_sheets(bt, lang), document=lambda: doc)
        wrote.append(str(written.path))
        _note(ctx, output=written.path)
        if written.fallback:
            raise OutputBusyError(written.busy_note(output), path=written.path)
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
    elif not quiet:
        render_backtest(make_console(), bt, lang=lang, wrote=wrote)


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Also write the moves (.csv, .json or .xlsx).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh"]), help="Language of labels and summaries.")
def diff(old, new, output, fmt, lang):
    """Who moved between tiers from OLD to NEW: snapshots (.tiercli/history/*.parquet) or scored files."""
    from . import history
    from .io.write import Sheet, write_output
    from .report import make_console, render_migrations

    summary, detail = history.migrations(history.load_labels(old), history.load_labels(new))
    if output is not None:

        def sheets():
            from .scoring import migration_words

            words = lang or language()
            return [Sheet(tr("Migrations", words), migration_words(summary, words)),
                    Sheet(tr("Customers moved", words), migration_words(detail, words))]

        write_output(output, {".xlsx": "xlsx", ".json": "json"}.get(output.suffix.lower(), "csv"), sheets=sheets,
                     table=lambda: detail,
                     document=lambda: {"summary": summary.to_dict("records"), "customers": detail.to_dict("records")})
    if fmt == "json":
        click.echo(json.dumps({"summary": summary.to_dict("records"), "customers": detail.to_dict("records")},
                              ensure_ascii=False, indent=2))
    else:
        render_migrations(make_console(), f"{old.name} → {new.name}", summary, lang=lang or language())


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh"]), help="Language of labels and summaries.")
def segmenters(fmt, lang):
    """List the segmenters: name, title, required inputs, outputs and where each comes from."""
    from .report import make_console, render_segmenters
    from .segmenters.base import plugin_warnings, registry, segmenter_title

    lang = lang or language()
    rows = [{"name": c.name, "title": segmenter_title(c.name, lang) if fmt == "table" else c.title,
             "requires": list(c.requires) + [_("after {name}").format(name=a) for a in c.after],
             "outputs": list(c.outputs), "origin": _(c.origin) if fmt == "table" else c.origin}
            for c in registry().values()]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        render_segmenters(make_console(), rows, lang=lang)
    for w in plugin_warnings():
        click.echo(_("tiercli: warning: {message}").format(message=w), err=True)


@cli.command("config")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="tiercli.toml to read.")
def show_config(config_path):
    """List every setting with its value, where the value came from, and what it does."""
    from .config import all_settings, find_config, load_config

    cfg = load_config(find_config(config_path, []))
    set_language(cfg["lang"])
    for s in all_settings():
        click.echo(f"{s.name} = {cfg[s.name]!r}  [{cfg.source[s.name]}]  {_(s.help)}")


def _scored(paths, cfg, *, preset, rates, as_of, names, blacklist, quiet):
    """Score the inputs with a spinner on a terminal (the first step of plan-emails)."""
    from .scoring import score as run_score

    status = None
    if not quiet and sys.stderr.isatty():
        from .report import make_console

        status = make_console(sys.stderr).status(_("reading"))
        status.start()
    try:
        return run_score(list(paths), config=cfg, preset=preset, rates=rates, as_of=as_of,
                         segmenters=[n.strip() for n in names.split(",") if n.strip()] if names else None,
                         blacklist=blacklist, progress=(lambda m: status.update(m)) if status else None)
    finally:
        if status:
            status.stop()


@cli.command("plan-emails")
@input_options
@click.option("--quota", type=click.IntRange(min=0), required=True,
              help="Marketing emails you may send this month (AliExpress: about 200 for a good service level).")
@click.option("--month", metavar="YYYY-MM", help="Month to plan (default: the month after the as-of date).")
@click.option("--contact-log", "contact_log", type=click.Path(path_type=Path),
              help="CSV of emails already sent (customer_id, email, sent_at, purpose, campaign).")
@click.option("--suppress", type=click.Path(path_type=Path),
              help="Unsubscribe / suppression file: ids or emails (an email or id column, else the first column).")
@click.option("--record", is_flag=True, help="Append the planned sends to --contact-log (never twice).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write (.xlsx, .csv or .json). Default: NAME.tiers.plan-YYYY-MM.xlsx next to the input.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format (default: from -o, else xlsx).")
@scoring_options
@click.pass_context
def plan_emails_command(ctx, paths, preset, config_path, rates, currency, date_order, keep_duplicates, quota, month,
                        contact_log, suppress, record, output, fmt, names, as_of, lang, blacklist, wait, quiet):
    """Plan this month's marketing emails within --quota: who, when, why, what to recommend."""
    from .errors import InputError
    from .io.lock import output_lock
    from .io.write import output_folder, tiers_name, write_output
    from .plan.contact_log import append_contacts, read_for_plan
    from .plan.emails import parse_month, plan_emails, read_suppression
    from .plan.output import plan_json, plan_sheets
    from .report import make_console, render_plan

    if record and contact_log is None:
        raise click.UsageError(_("--record needs --contact-log FILE (the log to append the planned sends to)."))
    if contact_log is not None and not record and not contact_log.exists():
        raise InputError(_("{path}: no such contact log.").format(path=contact_log),
                         hint=_("Check the path, or add --record to start one."))
    cfg = _config(paths, config_path, currency=currency, date_order=date_order, keep_duplicates=keep_duplicates,
                  lang=lang)
    lang = cfg["lang"]
    fmt = _output_format(output, fmt)
    if month:
        parse_month(month, None)  # a bad --month fails before any file is read
    _note(ctx, inputs=",".join(map(str, paths)))
    contacts = None
    if contact_log is not None:
        contacts, cut = read_for_plan(contact_log, cfg)
        if cut:
            _warn(cut)
    suppressed = read_suppression(suppress) if suppress is not None else None
    result = _scored(paths, cfg, preset=preset, rates=rates, as_of=as_of, names=names, blacklist=blacklist,
                     quiet=quiet)
    plan = plan_emails(result, quota=quota, month=parse_month(month, result.as_of), contacts=contacts,
                       suppress=suppressed, config=cfg)
    target = output or tiers_name(list(paths), f"plan-{plan.month}.{fmt}")
    folder = output_folder(target)
    with output_lock(folder, kind=cfg["lock"], wait=wait, expire_minutes=cfg["lock_expire_minutes"]):
        written = write_output(target, fmt, sheets=lambda: plan_sheets(plan, lang), table=lambda: plan.plan,
                               document=lambda: plan_json(plan))
    recorded = None
    if record:
        # held (exit 3) only if another writer keeps the log's lock for a whole minute
        added = append_contacts(contact_log, plan.log_rows().to_dict("records"), lock=cfg["lock"])
        recorded = (added, str(contact_log))
    _note(ctx, planned=len(plan.plan), output=written.path)
    note = written.busy_note(target)
    render_plan(make_console(quiet=quiet), plan, lang=lang, wrote=[str(written.path)], recorded=recorded,
                fallback_note=note)
    if written.fallback:
        raise OutputBusyError(note, path=written.path)


@cli.command("calendar")
@click.option("--year", type=click.IntRange(1900, 2100), metavar="YYYY", help="Year to list (default: this year).")
@click.option("--country", metavar="CC", help="Only what applies to recipients in this country (ISO code or name), "
              "with its public holidays.")
@click.option("--lang", type=click.Choice(["en", "zh"]), help="Language of the names and words.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="tiercli.toml to use (plan.calendar, plan.platforms; default: TIERCLI_CONFIG, then the current "
                   "folder).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def calendar_command(year, country, lang, config_path, fmt):
    """The campaign calendar plan-emails uses: buying peaks, platform sales, the seller's closures and campaigns.

    \b
    Shipped entries plus the seller's own file (plan.calendar in tiercli.toml), which adds entries or changes
    shipped ones ([entries.KEY]: name, name_zh, kind, rule and its fields, days or until, lead_days, countries,
    platforms, closed_before, closed_after, source; enabled = false drops one). Rules: fixed (date = "MM-DD"),
    nth_weekday (month, weekday, n), easter (offset), after (from, offset), holiday (country, holiday: a name
    in that country's public holidays), announced (dates = [["YYYY-MM-DD", "YYYY-MM-DD"], ...]).
    """
    from . import countries
    from .errors import InputError
    from .plan.calendar import calendar_rows, load_calendar, missing_dates
    from .plan.output import calendar_json
    from .report import make_console, render_calendar

    cfg = _config([], config_path, lang=lang)
    lang = cfg["lang"]
    year = year or datetime.now().year
    code = ""
    if country:
        import pandas as pd

        code = countries.codes(pd.Series([country.strip()])).iloc[0]
        if not isinstance(code, str) or not code:
            raise InputError(_("--country {country} is not a country tiercli knows.").format(country=repr(country)),
                             hint=_("Use an ISO code such as US, DE or SA."))
    entries = load_calendar(cfg)
    platforms = tuple(p.lower() for p in cfg["plan.platforms"])
    rows = calendar_rows(entries, year, platforms=platforms, country=code, lang=lang)
    undated = missing_dates(entries, year, platforms)
    if fmt == "json":
        click.echo(json.dumps(calendar_json(rows, year=year, country=code, platforms=platforms, undated=undated),
                              ensure_ascii=False, indent=2))
        return
    render_calendar(make_console(), rows, year=year, lang=lang, undated=undated, platforms=platforms, country=code)


@cli.command("markets")
@input_options
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Also write the calendar (.xlsx, .csv or .json).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="What to print here.")
@click.option("--lang", type=click.Choice(["en", "zh"]), help="Language of month and country names.")
def markets_command(paths, preset, config_path, rates, currency, date_order, keep_duplicates, output, fmt, lang):
    """The 12-month calendar of lead countries: each month's top countries by customers and GMV."""
    from .errors import InputError
    from .io.write import write_output
    from .plan.markets import (
        market_calendar,
        market_shares,
        not_ranked,
        not_ranked_text,
    )
    from .plan.output import markets_json, markets_sheets
    from .report import make_console, render_markets
    from .schema.dataset import load_dataset

    cfg = _config(paths, config_path, currency=currency, date_order=date_order, keep_duplicates=keep_duplicates,
                  lang=lang)
    lang = cfg["lang"]
    ds = load_dataset(list(paths), cfg, preset=preset, rates=rates)
    if not ds.has("orders"):
        raise InputError(_("markets needs orders: no order export among the inputs."),
                         hint=_("Add the order export (tiercli inspect shows what each file is)."))
    shares = market_shares(ds, cfg)
    calendar = market_calendar(ds, cfg, shares=shares)
    held = not_ranked(shares, cfg)
    wrote = []
    if output is not None:
        written = write_output(output, _output_format(output, None),
                               sheets=lambda: markets_sheets(calendar, shares, lang),
                               table=lambda: calendar, document=lambda: markets_json(calendar, held))
        wrote.append(str(written.path))
        if written.fallback:
            raise OutputBusyError(written.busy_note(output), path=written.path)
    if fmt == "json":
        click.echo(json.dumps(markets_json(calendar, held), ensure_ascii=False, indent=2, default=str))
        for path in wrote:
            click.echo(_("tiercli: wrote {path}").format(path=path), err=True)
    else:
        render_markets(make_console(), calendar, lang=lang, wrote=wrote, note=not_ranked_text(held, cfg, lang))


def help_texts() -> list[str]:
    """Every help text of the CLI, for the catalog (tools/i18n.py extracts them beside the ``_()`` calls)."""
    texts = [cli.help, *(p.help for p in cli.params)]
    for cmd in cli.commands.values():
        texts += [cmd.help, *(getattr(p, "help", None) for p in cmd.params)]
    return [t for t in texts if t]


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="tiercli")


if __name__ == "__main__":  # pragma: no cover
    main()
