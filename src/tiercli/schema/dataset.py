"""From files to one canonical Dataset: detect, map, clean, key customers, fold lines into orders.

``load_dataset(paths, config)`` is the whole first half of the flow in DESIGN.md.
It never prints: everything the user should hear about (the preset chosen for
each file, rows dropped and why) is returned in ``Dataset.files`` and
``Dataset.problems``.
"""

from __future__ import annotations

import functools
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..config import Config
from ..errors import InputError
from ..i18n import _, language
from ..io.read import Limits, RawTable, chosen_input_sheets, list_inputs, read_file
from .clean import (
    clean_email,
    clean_text,
    contains_any,
    isin_text,
    map_contained,
    map_vocab,
    matches_words,
    parse_amounts,
    parse_dates,
    parse_flags,
)
from .presets import Match, Preset, detect, load_presets
from .tables import (
    EVENT_STAGE,
    FULFILLMENT,
    KINDS,
    ORDER_STATUS,
    SAMPLE_WORDS,
    STATUS_CONTAINS,
    STATUS_CONTAINS_NOT,
)

MAX_AMOUNT = 1e15  # beyond any quantity, price or total a seller's export holds (and beyond float's exact integers)


@dataclass
class Problem:
    """A data problem found while reading: a stable code, how many rows, and what it means."""

    code: str
    rows: int
    message: str
    file: str | None = None

    def as_dict(self) -> dict:
        return {"code": self.code, "rows": int(self.rows), "message": self.message}

    def describe(self, rows: str | None = None) -> str:
        """"code: N rows — what it means" in English; in Chinese the words alone (the code is English, for
        tiercli.toml and the docs).  ``rows``: the count as shown (default: plain digits)."""
        rows = str(self.rows) if rows is None else rows
        if language() == "en":
            return f"{self.code}: {rows} rows — {self.message}"
        return _("{rows} rows — {message}").format(rows=rows, message=self.message)


@dataclass
class FileReport:
    path: str
    kind: str
    preset: str
    preset_title: str
    why: str
    encoding: str | None
    sheets: list[str]
    rows: int
    mapping: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "path": self.path, "kind": self.kind, "preset": self.preset, "encoding": self.encoding,
            "sheets": self.sheets, "rows": self.rows, "mapping": self.mapping,
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass
class Dataset:
    """Canonical tables (empty frames when a kind is absent) and what was found on the way."""

    lines: pd.DataFrame
    orders: pd.DataFrame
    inquiries: pd.DataFrame
    events: pd.DataFrame
    customers: pd.DataFrame
    after_sales: pd.DataFrame
    contacts: pd.DataFrame
    files: list[FileReport]
    problems: list[Problem]
    currency: str
    cost_known: bool = False
    # the --rates file as read: currency -> base units per 1 unit (empty without --rates); the orders are
    # converted with it, and buyer_type converts its USD order-value threshold with it
    rates: dict[str, float] = field(default_factory=dict)

    @property
    def all_problems(self) -> list[Problem]:
        """Dataset-level problems (duplicates across files) and each file's."""
        return self.problems + [p for f in self.files for p in f.problems]

    def has(self, kind: str) -> bool:
        table = {"orders": self.orders, "inquiries": self.inquiries, "events": self.events,
                 "customers": self.customers, "after_sales": self.after_sales, "contacts": self.contacts}[kind]
        return len(table) > 0

    @property
    def last_date(self) -> pd.Timestamp | None:
        """Latest date in any input: the default as-of date."""
        dates = [t["date"].max() for t in (self.orders, self.inquiries, self.events, self.after_sales)
                 if len(t) and "date" in t]
        dates = [d for d in dates if pd.notna(d)]
        return max(dates) if dates else None

    def summary(self) -> dict:
        """Dataset totals for ``inspect``."""
        valid = self.orders[self.orders["paid"]] if len(self.orders) else self.orders
        keys = set()
        for t in (self.lines, self.inquiries, self.events, self.customers, self.after_sales):
            if len(t) and "customer" in t:
                keys.update(t["customer"].dropna().unique().tolist())
        dates = self.lines["date"] if len(self.lines) else pd.Series(dtype="datetime64[ns]")
        currencies = (valid["currency"].fillna(self.currency or "").replace("", "unspecified").value_counts()
                      .sort_index() if len(valid) else {})
        return {
            "order_lines": int(sum(f.rows for f in self.files if f.kind == "orders")),
            "orders": int(len(valid)),
            "customers": len(keys),
            "first_date": _iso(dates.min()),
            "last_date": _iso(dates.max()),
            "currencies": {str(k): int(v) for k, v in dict(currencies).items()},
        }


def _iso(ts) -> str | None:
    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).isoformat()


ORDER_LINE_COLUMNS = ["file", "line", "preset", "order_id", "customer", "customer_id", "email", "name", "company",
                      "country", "date", "status", "fulfillment", "product", "sku", "category", "quantity",
                      "unit_price", "line_value", "order_total", "refunded", "currency", "cost", "is_sample",
                      "accepts_marketing", "business_type"]


_NUMBER_FIELDS = frozenset({"quantity", "unit_price", "order_total", "refunded", "cost"})


def _empty(kind: str) -> pd.DataFrame:
    cols = ORDER_LINE_COLUMNS if kind == "orders" else ["file", "line", "customer", *KINDS[kind].fields]
    return pd.DataFrame({c: pd.Series(dtype="object") for c in dict.fromkeys(cols)})


def load_dataset(paths: list[str | Path], config: Config, *, preset: str | None = None,
                 rates: str | Path | None = None, keep_duplicates: bool | None = None,
                 progress: Callable[[str], None] | None = None, strict_currency: bool = True) -> Dataset:
    """Read every export under ``paths`` into one canonical Dataset.

    Orders in several currencies that cannot be converted (no base or no rate) are an error; with
    ``strict_currency=False`` (``inspect``) they stay unconverted and a ``several_currencies`` problem
    names them and what to pass."""
    presets = load_presets([Path(d) for d in config.tables.get("presets", {}).get("dirs", [])])
    overrides = config.tables.get("columns", {})
    files = list_inputs(paths)
    limits = Limits.from_config(config)
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in KINDS}
    reports: list[FileReport] = []
    for path in files:
        if progress:
            progress(f"reading {path.name}")
        raws = read_file(path, limits=limits, sheets=chosen_input_sheets())
        tables, left_out = _detect_tables(raws, presets, preset, overrides)
        del raws
        while tables:  # each text table is let go as soon as it is canonical (a 10M-line file is gigabytes)
            raw, m = tables.pop(0)
            frame, problems = canonicalize(raw, m, config)
            if left_out:  # sheets of the workbook left out: told with its first table read
                problems.insert(0, left_out)
                left_out = None
            reports.append(FileReport(
                path=str(raw.path), kind=m.preset.kind, preset=m.preset.name, preset_title=m.preset.text("title"),
                why=m.why(), encoding=raw.encoding, sheets=raw.sheets, rows=raw.rows, mapping=m.mapping,
                problems=problems))
            parts[m.preset.kind].append(frame)
            del raw, frame
    tables = {k: (_concat(v) if len(v) > 1 else v[0] if v else _empty(k)) for k, v in parts.items()}
    del parts
    tables = _unify_keys(tables)
    problems: list[Problem] = []
    lines = tables.pop("orders")
    currency = ""
    rate_table: dict[str, float] = {}
    if len(lines):
        lines, currency, rate_table = _convert_currency(lines, config, rates,
                                                        report=None if strict_currency else problems)
        keep = config["keep_duplicates"] if keep_duplicates is None else keep_duplicates
        lines, dup = _drop_duplicates(lines, keep)
        if dup:
            problems.append(Problem("duplicate_rows", dup,
                                    _("exact repeated order lines (overlapping exports?): kept (--keep-duplicates)")
                                    if keep else _("exact repeated order lines (overlapping exports?): counted once")))
    orders = fold_orders(lines)
    after_sales = tables["after_sales"]
    if len(after_sales) and len(orders):
        after_sales = _key_by_order(after_sales, orders)
    cost_known = bool(len(lines) and lines["cost"].notna().any())
    return Dataset(lines=lines, orders=orders, inquiries=tables["inquiries"], events=tables["events"],
                   customers=tables["customers"], after_sales=after_sales, contacts=tables["contacts"],
                   files=reports, problems=problems, currency=currency, cost_known=cost_known,
                   rates=rate_table)


def _detect_tables(raws: list[RawTable], presets, forced, overrides) -> tuple[list[tuple[RawTable, Match]],
                                                                            Problem | None]:
    """Each text table of a file with the preset that fits it.  A workbook's optional table (one of several
    in a workbook whose sheets were not named) that no layout fits is left out and told in one
    ``skipped_sheets`` problem, as long as the workbook's order table (or a larger table) is read; otherwise its
    error stands."""
    found, failed = [], []
    for raw in raws:
        try:
            if raw.frame.shape[1] == 0 or len(raw.frame.columns) < 2:
                raise InputError(_("{file}: no columns found.").format(file=raw.label),
                                 hint=_("Check it is a table with a header row."))
            found.append((raw, detect(list(raw.frame.columns), presets, forced=forced, overrides=overrides,
                                      label=raw.label)))
        except InputError as exc:
            if not raw.optional:
                raise
            failed.append((raw, exc))
    if not failed:
        return found, None
    biggest = max(failed, key=lambda f: f[0].rows)
    # a workbook's main table is never left out quietly: when no order table was read and the table no layout
    # fits is larger than every one read, the seller must hear why (map its columns), not get the customers
    # of a two-row side sheet; beside an order table, summaries and pivots are left out with the note
    orders_read = any(match.preset.kind == "orders" for _raw, match in found)
    if not found or (not orders_read and biggest[0].rows > max(raw.rows for raw, _match in found)):
        raise biggest[1]
    words = []
    for raw, _error in failed:
        cols = list(raw.frame.columns)
        why = (_("no table") if len(cols) < 2 else _("no export layout fits its columns: {columns}").format(
            columns=", ".join(cols[:4]) + (", ..." if len(cols) > 4 else "")))
        words.append(_("{sheets} ({rows} rows; {why})").format(
            sheets=", ".join(map(repr, raw.sheets)), rows=f"{raw.rows:,}", why=why))
    return found, Problem("skipped_sheets", sum(raw.rows for raw, _error in failed),
                          _("sheets left out: {sheets}; --sheet NAME reads only the sheets you name").format(
                              sheets="; ".join(words)),
                          found[0][0].label)


# ---------------------------------------------------------------- per file


def canonicalize(raw: RawTable, match: Match, config: Config) -> tuple[pd.DataFrame, list[Problem]]:
    """One file's text table -> the canonical frame of its kind, with the problems found."""
    p = match.preset
    kind = KINDS[p.kind]
    src = raw.frame
    label = raw.label
    problems: list[Problem] = []
    if raw.impossible_dates:
        refs = raw.impossible_dates
        problems.append(Problem("impossible_date", len(refs),
                                _("date cells holding a number no date can be (e.g. -1e308), left empty: "
                                  "{cells}").format(cells=", ".join(refs[:10]) + (" …" if len(refs) > 10 else "")),
                                label))
    if raw.skipped_lines:
        problems.append(Problem("skipped_lines", len(raw.skipped_lines),
                                _("lines with more fields than the header (an unquoted comma or delimiter?): left "
                                  "out, e.g. line {line}").format(line=raw.skipped_lines[0]), label))
    src, lines, screened = screen_rows(raw, match)
    problems.extend(screened)
    out = pd.DataFrame({canon: src[header] for canon, header in match.mapping.items()})
    out.insert(0, "line", lines)
    out.insert(0, "file", _constant(raw.label, len(out)))  # unique per input: path and sheets
    if p.order_level and "order_id" in out:
        # Shopify-style: only an order's first line carries order-level fields
        cols = [c for c in p.order_level if c in out.columns]
        if cols:
            filled = out.groupby("order_id", sort=False)[cols].transform("first")
            out[cols] = filled
    # every column's cleaning and parsing is independent of the others': on a big file they run two at a
    # time (the work is in pyarrow and numpy, which release the GIL)
    texts = [c for c in _TEXT_FIELDS if c in out]
    dates = [c for c in kind.dates if c in out]
    amounts = [c for c in kind.amounts if c in out]
    jobs = [functools.partial(clean_text, out[c]) for c in texts]
    jobs += [functools.partial(clean_email, out["email"])] if "email" in out else []
    jobs += [functools.partial(parse_dates, out[c], column=match.mapping[c], label=label,
                               order=config["date_order"], tz=config["timezone"]) for c in dates]
    jobs += [functools.partial(parse_amounts, out[c]) for c in amounts]
    done = iter(_run_all(jobs, parallel=len(out) >= _PARALLEL_ROWS))
    for col in texts + (["email"] if "email" in out else []):
        out[col] = next(done)
    for col in dates:
        out[col], bad = next(done)
        if bad.any():
            template = (_("{column}: unreadable dates, e.g. {value} (rows left out)") if col == "date"
                        else _("{column}: unreadable dates, e.g. {value}"))
            problems.append(Problem("unparsed_date", int(bad.sum()), template.format(
                column=repr(match.mapping[col]), value=repr(src.loc[bad, match.mapping[col]].iloc[0])), label))
    for col in amounts:
        out[col], bad = next(done)
        values = out[col].to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            wild = np.isinf(values) | (np.abs(values) > MAX_AMOUNT)
        if wild.any():  # 1e308, inf, Infinity, 26-digit integers: no seller's export holds them
            out[col] = out[col].mask(wild)
            where = out.loc[wild, "line"].astype(str).tolist()
            problems.append(Problem("impossible_amount", int(wild.sum()),
                                    _("{column}: numbers no export holds (infinite or beyond 1e15), left empty: "
                                      "line {lines}").format(column=repr(match.mapping[col]),
                                                             lines=", ".join(where[:10]) + (" …" if len(where) > 10
                                                                                            else "")), label))
        if bad.any():
            problems.append(Problem("unparsed_amount", int(bad.sum()),
                                    _("{column}: unreadable numbers, e.g. {value}").format(
                                        column=repr(match.mapping[col]),
                                        value=repr(src.loc[bad, match.mapping[col]].iloc[0])), label))
    if "name" not in out and ("first_name" in out or "last_name" in out):
        first = out["first_name"] if "first_name" in out else ""
        last = out["last_name"] if "last_name" in out else ""
        out["name"] = clean_text((first.fillna("") + " " + last.fillna("")) if not isinstance(first, str) else last)
    for col in kind.flags:
        if col in out:
            out[col], _unread = parse_flags(out[col])
    # the customer key: id, else email (trimmed, lower-cased)
    key_cols = [c for c in ("customer_id", "email") if c in out]
    if p.kind != "events" or key_cols:
        if p.no_customer_key and not key_cols:
            raise InputError(f"{label}: {p.text('no_customer_key')}")
    if key_cols:
        key = out[key_cols[0]]
        for c in key_cols[1:]:
            key = key.fillna(out[c])
        out["customer"] = key
    elif "name" in out and p.kind != "events":
        out["customer"] = out["name"]
        problems.append(Problem("keyed_by_name", len(out), _("no customer id or email column: customers keyed by name"), label))
    else:
        out["customer"] = pd.Series(pd.NA, index=out.index, dtype="str")
    if p.kind == "orders":
        out = _orders(out, p, config, label, problems)
    elif p.kind == "inquiries":
        out = _inquiries(out, p, config, label, problems)
    elif p.kind == "events":
        out = _events(out, label, problems)
    elif p.kind == "customers":
        out = _customers(out, config)
    elif p.kind == "after_sales":
        out["status"], _unknown = map_vocab(out["status"], p.status) if "status" in out else (None, None)
    if p.kind in ("orders", "inquiries", "customers", "after_sales", "contacts"):
        missing = out["customer"].isna()
        if p.kind == "after_sales" and "order_id" in out:
            missing &= out["order_id"].isna()
        if missing.any():
            problems.append(Problem("missing_customer_id", int(missing.sum()),
                                    _("rows without a customer id or email: left out"), label))
            if p.kind != "orders":  # order lines stay for the line counts; orders are keyed later
                out = out[~missing]
    return out, problems


_TEXT_FIELDS = ("order_id", "customer_id", "sku", "inquiry_id", "visitor_id", "case_id", "name", "company", "country",
                "product", "category", "source", "business_type", "tags", "note", "first_name", "last_name", "purpose",
                "campaign", "timeline", "issue")
_PARALLEL_ROWS = 200_000  # below this, threads cost more than they save


def _run_all(jobs: list[Callable], parallel: bool) -> list:
    """Each job's result, in order; two threads when ``parallel`` (the first failure in order is raised)."""
    if not parallel or len(jobs) < 2:
        return [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="tiercli-parse") as pool:
        futures = [pool.submit(job) for job in jobs]
        return [f.result() for f in futures]


# what a total line says in its first cell (Excel and WPS reports, Chinese platform exports)
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "共计", "总合计", "合計", "總計", "小計", "total", "totals", "grand total",
                         "subtotal", "sub-total", "sub total", "sum", "gesamt", "summe"})
# fields a merged cell is never filled down into: per-line amounts, quantities and items (summed per order)
_LINE_FIELDS = frozenset({"quantity", "unit_price", "amount", "cost", "unit_cost", "product", "sku", "category",
                          "note", "tags"})
# line totals merged down an order's lines hold the order's total once: the rows under it get 0, so the
# line value is not worked out again from quantity x price
_ZERO_UNDER_MERGE = frozenset({"amount", "cost"})
_ID_FIELDS = ("order_id", "inquiry_id", "case_id", "visitor_id", "customer_id", "email")


def screen_rows(raw: RawTable, match: Match) -> tuple[pd.DataFrame, np.ndarray, list[Problem]]:
    """The rows of a file worth reading, before any value is parsed: (frame, line numbers, problems).

    Cells merged down several rows of a workbook are filled down for order and customer fields
    (never amounts or items, which are summed); empty rows are left out; repeated header rows
    and total lines (合计 / Total in the first cell, no id) are left out and counted with their row
    numbers; values in columns without a header (ragged rows) are counted and ignored.
    """
    src = raw.frame
    label = raw.label
    problems: list[Problem] = []
    n = len(src)
    lines = np.arange(raw.first_line, raw.first_line + n)
    if not n:
        return src, lines, problems
    mapped = set(match.mapping.values())
    if raw.merged:
        fill = {h for canon, h in match.mapping.items() if canon not in _LINE_FIELDS}
        zero = {h for canon, h in match.mapping.items() if canon in _ZERO_UNDER_MERGE}
        runs = [(c, a, b) for c, a, b in raw.merged if (c in fill or c in zero) and b < n]
        if runs:
            src = src.copy()
            filled = np.zeros(n, dtype=bool)
            for col, a, b in runs:
                j = src.columns.get_loc(col)
                block = src.iloc[a + 1:b + 1, j]
                empty = block.isna().to_numpy()
                if empty.any() and pd.notna(src.iat[a, j]):
                    src.iloc[np.arange(a + 1, b + 1)[empty], j] = src.iat[a, j] if col in fill else "0"
                    filled[a + 1:b + 1] |= empty
            if filled.any():
                cols = sorted({run[0] for run in runs}, key=list(src.columns).index)
                problems.append(Problem("merged_cells", int(filled.sum()),
                                        _("merged cells in {columns}: value filled down ({rows}); amounts and items "
                                          "stay on the first row").format(
                                            columns=", ".join(map(repr, cols)),
                                            rows=_row_list(raw, np.flatnonzero(filled))), label))
    blank = src.isna().all(axis=1).to_numpy()
    headers = np.zeros(n, dtype=bool)
    hits = np.zeros(n, dtype=np.int64)
    for col in mapped:
        hits += matches_words(src[col], [col])
    if len(mapped) >= 2 and (hits >= 2).any():
        present = src[list(mapped)].notna().sum(axis=1).to_numpy()
        headers = (hits >= 2) & (hits * 2 >= present)
    if headers.any():
        problems.append(Problem("repeated_header", int(headers.sum()),
                                _("the header repeated inside the data (pasted exports?): left out ({rows})").format(
                                    rows=_row_list(raw, np.flatnonzero(headers))), label))
    # a total line's first filled cell says so
    totals = matches_words(src.iloc[:, 0], TOTAL_WORDS, strip=":：")
    empty_first = src.iloc[:, 0].isna().to_numpy()
    if empty_first.any():
        rest = src.iloc[empty_first, 1:]
        first = rest.iloc[:, 0] if rest.shape[1] else pd.Series(pd.NA, index=rest.index, dtype="str")
        for j in range(1, rest.shape[1]):
            first = first.fillna(rest.iloc[:, j])
        totals[empty_first] = matches_words(first.astype("str"), TOTAL_WORDS, strip=":：")
    totals &= ~headers
    id_col = next((match.mapping[f] for f in _ID_FIELDS if f in match.mapping), None)
    if id_col is not None and totals.any():
        ids = src[id_col]
        totals &= ids.isna().to_numpy() | matches_words(ids, TOTAL_WORDS, strip=":：")
    if totals.any():
        problems.append(Problem("total_rows", int(totals.sum()),
                                _("total lines (合计 / Total) inside the data: left out ({rows})").format(
                                    rows=_row_list(raw, np.flatnonzero(totals))), label))
    keep = ~(blank | headers | totals)
    stray = np.zeros(n, dtype=bool)
    for col in src.columns:
        if col.startswith("column_") and col not in mapped:
            has = src[col].notna().to_numpy() & keep
            if 0 < has.sum() < keep.sum():
                stray |= has
    if stray.any():
        problems.append(Problem("ragged_rows", int(stray.sum()),
                                _("values in columns without a header (a shifted or ragged row?): ignored ({rows})"
                                  ).format(rows=_row_list(raw, np.flatnonzero(stray))), label))
    if keep.all():
        return src, lines, problems
    return src[keep].reset_index(drop=True), lines[keep], problems


def _row_list(raw: RawTable, positions: np.ndarray, show: int = 5) -> str:
    """'row 12' / 'rows 12, 40, 41 and 3 more' for frame positions."""
    refs = raw.where(positions[:show])
    more = f" and {len(positions) - show:,} more" if len(positions) > show else ""
    return ("row " if len(positions) == 1 else "rows ") + ", ".join(refs) + more


def _status_vocab(p: Preset, config: Config) -> dict[str, list[str]]:
    vocab = {k: list(v) for k, v in ORDER_STATUS.items()}
    for source in (p.status, config.tables.get("status", {})):
        for code, words in source.items():
            if code in vocab:
                # preset and user words come first so they win over the defaults
                vocab[code] = list(words) + vocab[code]
    return vocab


def _orders(out: pd.DataFrame, p: Preset, config: Config, label: str, problems: list[Problem]) -> pd.DataFrame:
    n = len(out)
    out["preset"] = _constant(p.name, n)
    if "status" in out:
        status, unknown = map_vocab(out["status"], _status_vocab(p, config))
        if unknown.any():  # 买家申请退款, Refund issued: a refund or cancel word inside a longer status
            said = map_contained(out.loc[unknown, "status"], STATUS_CONTAINS, STATUS_CONTAINS_NOT)
            if said.notna().any():
                status = status.copy()
                status.loc[said.index[said.notna()]] = said.dropna()
                unknown = unknown & status.isna()
        if unknown.any():
            seen = out.loc[unknown, "status"].value_counts().head(3).index.tolist()
            problems.append(Problem("unknown_status", int(unknown.sum()),
                                    _("statuses not recognised, treated as not paid: {statuses} (add them under "
                                      "[status] paid = [...] in tiercli.toml)").format(
                                        statuses=", ".join(map(str, seen))), label))
        missing_status = status.isna() & ~unknown
        status = status.where(~(unknown | missing_status), "pending")
        if missing_status.any():
            problems.append(Problem("missing_status", int(missing_status.sum()),
                                    _("rows with an empty status: treated as not paid"), label))
    else:
        status = pd.Series("paid", index=out.index, dtype="str")
    if "cancelled_at" in out:
        status = status.where(out["cancelled_at"].isna(), "cancelled")
    if p.cancel_pattern and "order_id" in out:  # a user preset's own rule: ids that are cancellations
        status = status.where(~out["order_id"].str.contains(p.cancel_pattern, regex=True, na=False), "cancelled")
    qty = out["quantity"] if "quantity" in out else pd.Series(np.nan, index=out.index)
    if "amount" in out:
        value = out["amount"]
        if "unit_price" in out:
            value = value.fillna(qty.fillna(1) * out["unit_price"])
    elif "unit_price" in out:
        value = qty.fillna(1) * out["unit_price"]
    else:
        value = pd.Series(np.nan, index=out.index)
    out["line_value"] = value
    # returns and credit notes read from the numbers, whatever the preset and the header language
    credit = credit_notes(out)
    if credit is not None and credit.any():
        at = np.flatnonzero(credit)
        at = at[~status.iloc[at].isin(["cancelled", "refunded"]).to_numpy()]
        if len(at):
            status = status.copy()
            status.iloc[at] = "cancelled"
    out["status"] = status
    cancelled = status.isin(["cancelled", "refunded"])
    if cancelled.any():
        problems.append(Problem("cancelled", int(cancelled.sum()),
                                _("cancelled or refunded lines: not orders; negative amounts net against value"),
                                label))
    if "fulfillment" in out:
        out["fulfillment"], _unknown = map_vocab(out["fulfillment"], FULFILLMENT)
    if "order_type" in out:
        is_sample = contains_any(out["order_type"], SAMPLE_WORDS)
        # a yes/no column headed 样品 / 样单 / sample (是, yes, 1): the header names the type, the value says yes
        flags, not_flag = parse_flags(out["order_type"])
        if not not_flag.any():
            is_sample |= flags.fillna(False).astype(bool)
        out["is_sample"] = is_sample
    else:
        out["is_sample"] = False
    if "unit_cost" in out:
        unit_cost = qty.fillna(1) * out["unit_cost"]
        out["cost"] = out["cost"].fillna(unit_cost) if "cost" in out else unit_cost
    bad_date = out["date"].isna()
    if bad_date.any() and not any(pr.code == "unparsed_date" for pr in problems):
        problems.append(Problem("missing_date", int(bad_date.sum()), _("rows without an order date: left out"), label))
    # the fields this export lacks, typed (an object column of a million pd.NA costs every later filter)
    missing = {col: _missing_column(col, n) for col in ORDER_LINE_COLUMNS if col not in out}
    if missing:
        out = pd.concat([out, pd.DataFrame(missing, index=out.index)], axis=1)
    assert len(out) == n
    return out[ORDER_LINE_COLUMNS]


# a credit note's id: a C before the digits (UCI's C536379); CD000123 is an ordinary order
CREDIT_ID = re.compile(r"^[Cc]\d")


def credit_notes(out: pd.DataFrame) -> np.ndarray | None:
    """The lines of returns and credit notes, read from the data alone (the same rule for every preset): the
    lines of an order that has a line with a negative quantity or amount and none with a positive one, and
    of an order whose id is a C before digits (C536379) beside a negative line.  An order that mixes signs
    under an ordinary id (a discount or a returned item inside a sale) stays an order and nets.  None when
    no line is negative (the usual export: no further work)."""
    def numbers(col: str) -> np.ndarray | None:
        return out[col].to_numpy(dtype="float64", na_value=np.nan) if col in out else None

    cols = [a for a in (numbers("quantity"), numbers("line_value"), numbers("order_total")) if a is not None]
    if not cols:
        return None
    with np.errstate(invalid="ignore"):
        neg = np.logical_or.reduce([a < 0 for a in cols])
        if not neg.any():
            return None
        pos = ~neg & np.logical_or.reduce([a > 0 for a in cols])
    if "order_id" not in out:
        return neg
    ids = out["order_id"]
    missing = ids.isna().to_numpy()
    touched = isin_text(ids, ids[neg & ~missing].unique())  # every line of an order with a negative line
    mixed = ids[touched & pos].unique()
    sale = [i for i in mixed if not CREDIT_ID.match(i)]
    if sale:
        touched = touched & ~isin_text(ids, sale)
    return touched | (neg & missing)


def _constant(value: str, n: int) -> pd.Categorical:
    """A column holding one text on every row (the file, the preset): one string and a byte per row, not a
    million copies of a path."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Several files' canonical frames as one; the one-value columns keep one category per file."""
    frames = list(frames)
    for col in ("file", "preset"):
        if all(col in f and isinstance(f[col].dtype, pd.CategoricalDtype) for f in frames):
            labels = list(dict.fromkeys(c for f in frames for c in f[col].cat.categories))
            frames = [f.assign(**{col: f[col].cat.set_categories(labels)}) for f in frames]
    return pd.concat(frames, ignore_index=True)


def _missing_column(col: str, n: int):
    """An all-missing column of the field's type, made without touching a million cells."""
    if col in _NUMBER_FIELDS:
        return np.full(n, np.nan)
    if col == "accepts_marketing":
        return pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    return pd.array(pa.nulls(n, pa.large_string()), dtype="str")


def _inquiries(out: pd.DataFrame, p: Preset, config: Config, label: str, problems: list[Problem]) -> pd.DataFrame:
    if "status" in out:
        out["status"], unknown = map_vocab(out["status"], p.status)
        if unknown.any():
            problems.append(Problem("unknown_status", int(unknown.sum()),
                                    _("inquiry statuses not recognised: treated as open"), label))
        out["status"] = out["status"].fillna("open")
    for col in KINDS["inquiries"].fields:
        if col not in out:
            out[col] = pd.NA
    return out


def _events(out: pd.DataFrame, label: str, problems: list[Problem]) -> pd.DataFrame:
    stage, unknown = map_vocab(out["event"], EVENT_STAGE)
    # an unknown event word still shows the visitor was there: awareness
    out["stage"] = stage.fillna("awareness")
    if unknown.any():
        seen = out.loc[unknown, "event"].value_counts().head(3).index.tolist()
        problems.append(Problem("unknown_event", int(unknown.sum()),
                                _("event types not recognised, counted as awareness: {events}").format(
                                    events=", ".join(map(str, seen))), label))
    if "visitor_id" not in out:
        out["visitor_id"] = out["customer"]
    out["visitor_id"] = out["visitor_id"].fillna(out["customer"])
    for col in KINDS["events"].fields:
        if col not in out:
            out[col] = pd.NA
    return out


def _customers(out: pd.DataFrame, config: Config) -> pd.DataFrame:
    black = out["blacklisted"].fillna(False).astype(bool) if "blacklisted" in out else pd.Series(False, index=out.index)
    if "tags" in out:
        black |= contains_any(out["tags"], ["blacklist", "blacklisted", "黑名单", "劣质"])
    out["blacklisted"] = black
    consent = out["accepts_marketing"] if "accepts_marketing" in out else pd.Series(pd.NA, index=out.index, dtype="boolean")
    if "unsubscribed" in out:
        consent = consent.mask(out["unsubscribed"].fillna(False).astype(bool), False)
    out["accepts_marketing"] = consent
    for col in KINDS["customers"].fields:
        if col not in out:
            out[col] = pd.NA
    return out


# ---------------------------------------------------------------- across files


def _unify_keys(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Rows keyed only by email take the customer id that another row pairs with that email."""
    pairs = []
    for t in tables.values():
        if len(t) and "customer_id" in t and "email" in t and t["email"].notna().any():
            both = t[t["customer_id"].notna() & t["email"].notna()]
            pairs.append(both[["email", "customer_id"]])
    if not pairs:
        return tables
    known = pd.concat(pairs).drop_duplicates("email")
    id_by_email = pd.Series(known["customer_id"].to_numpy(), index=known["email"].to_numpy())
    out = {}
    for kind, t in tables.items():
        if len(t) and "email" in t and "customer" in t:
            only_email = t["customer"].notna() & t["customer"].eq(t["email"])
            if only_email.any():
                mapped = t.loc[only_email, "email"].map(id_by_email)
                t = t.copy()
                t.loc[only_email & mapped.reindex(t.index).notna(), "customer"] = mapped.dropna()
        out[kind] = t
    return out


def _read_rates(path: str | Path) -> dict[str, float]:
    raw = read_file(Path(path))[0].frame
    cols = {c.lower().strip(): c for c in raw.columns}
    cur = next((cols[c] for c in ("currency", "code", "币种", "货币") if c in cols), None)
    rate = next((cols[c] for c in ("rate", "汇率", "to_base") if c in cols), None)
    if cur is None or rate is None:
        raise InputError(_("{file}: a rates file needs columns 'currency' and 'rate' (base units per 1 unit)."
                           ).format(file=path))
    values, bad = parse_amounts(raw[rate])
    if bad.any():
        raise InputError(_("{file}: rate {value} is not a number.").format(file=path,
                                                                           value=repr(raw.loc[bad, rate].iloc[0])))
    return {str(c).strip().upper(): float(v) for c, v in zip(raw[cur], values) if pd.notna(c)}


def _convert_currency(lines: pd.DataFrame, config: Config, rates_path, *,
                      report: list[Problem] | None = None) -> tuple[pd.DataFrame, str, dict[str, float]]:
    """The lines in the base currency, the base currency ("" when neither the data nor the config names
    one) and the rates file as read (read whenever given: buyer_type converts its threshold with it).

    Lines that cannot be converted (several currencies and no base, no rates file, a missing rate) are an
    InputError; given a ``report`` list (``inspect``), a ``several_currencies`` Problem goes there instead,
    saying what to pass, and the lines stay in their own currencies (base "")."""
    base = (config["currency"] or "").upper()
    rates = _read_rates(rates_path) if rates_path is not None else {}
    if lines["currency"].isna().all():  # most exports have no currency column: all in the base currency
        lines = lines.copy(deep=False)
        lines["currency"] = pd.Series(base, index=lines.index, dtype="str")
        return lines, base, rates
    cur = lines["currency"].astype("str").str.strip().str.upper()
    found = sorted(cur.dropna().unique().tolist())
    from ..errors import (
        clean_text,  # (currency cells are the data's: never let their escape sequences through)
    )

    if any(clean_text(c, 20) != c for c in found):
        cur = cur.map(lambda c: clean_text(c, 20) if isinstance(c, str) else c)
        found = sorted({clean_text(c, 20) for c in found})

    def refuse(message: str, hint: str) -> tuple[pd.DataFrame, str, dict[str, float]]:
        if report is None:
            raise InputError(message, hint=hint)
        counts = cur.value_counts()
        counts = counts.iloc[np.lexsort((counts.index.to_numpy(dtype=str), -counts.to_numpy()))]  # ties: A-Z
        suggest = base or str(counts.index[0])
        shown = ", ".join(f"{c} {n:,}" for c, n in counts.items())
        report.append(Problem(
            "several_currencies", int(counts.drop(suggest, errors="ignore").sum()),
            _("order lines in {n} currencies ({shown}): amounts not converted, so totals mix currencies; to score, "
              "pass --currency {base} --rates {rates} (lines currency,rate: {base} per 1 unit)").format(
                n=len(counts), shown=shown, base=suggest, rates=rates_path or "rates.csv")
            + (f" — {message} {hint}" if rates_path is not None else "")))
        out = lines.copy(deep=False)
        out["currency"] = cur
        return out, "", rates

    if not base:
        if len(found) > 1 and rates_path is None:
            return refuse(_("orders are in several currencies ({currencies}).").format(currencies=", ".join(found)),
                          _("Set currency = \"USD\" (your base) in tiercli.toml and pass --rates rates.csv."))
        base = found[0] if found else ""
    need = [c for c in found if c != base]
    if need:
        if rates_path is None:
            return refuse(_("orders in {currencies} but base currency is {base}.").format(
                currencies=", ".join(need), base=base),
                _("Pass --rates FILE with columns currency,rate (base units per 1 unit)."))
        missing = [c for c in need if c not in rates]
        if missing:
            return refuse(_("no exchange rate for {currencies} in {file}.").format(
                currencies=", ".join(missing), file=rates_path),
                _("Add a line '{currency},RATE' (base {base} per 1 {currency}).").format(currency=missing[0],
                                                                                         base=base))
    cur = cur.fillna(base)
    lines = lines.copy(deep=False)  # copy-on-write: the columns set below never reach the caller's frame
    lines["currency"] = cur
    if need:
        factor = cur.map({**rates, base: 1.0}).astype("float64")
        for col in ("line_value", "unit_price", "order_total", "refunded", "cost"):
            lines[col] = lines[col] * factor
    return lines, base, rates


# the canonical line, without the preset: the same line in an English and a Chinese export (or any two
# layouts) is one line
_DEDUP_COLUMNS = ["order_id", "customer", "date", "status", "product", "sku", "quantity", "unit_price",
                  "line_value", "order_total", "country"]


def _drop_duplicates(lines: pd.DataFrame, keep: bool) -> tuple[pd.DataFrame, int]:
    """Exact repeated lines count once.  With ``keep`` (--keep-duplicates), repeats inside one export
    stay (two identical lines may be two real purchases), but a line an earlier input already had is
    still the same line seen twice through overlapping exports, and counts once."""
    dup = _duplicated_lines(lines)
    count = int(dup.sum())
    if not count:
        return lines, count
    if not keep:
        return _take_rows(lines, ~dup.to_numpy()), count
    first_file = lines.groupby(_DEDUP_COLUMNS, dropna=False, sort=False)["file"].transform("first")
    return lines[lines["file"].eq(first_file)].reset_index(drop=True), count


def _take_rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """``frame[keep]`` with a fresh RangeIndex; text columns that are empty, or hold one value (the file,
    the preset), are made anew at the new length instead of copied row by row (a third of the cost on a
    million lines)."""
    n = int(keep.sum())

    def take(name):
        col = frame[name]
        arr = pa.array(col.array) if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow" else None
        if arr is not None and arr.null_count == len(arr):
            return pd.array(pa.nulls(n, arr.type), dtype=col.dtype)
        if arr is not None and len(arr) and arr.null_count == 0 and col.iat[0] == col.iat[-1] \
                and bool(col.eq(col.iat[0]).all()):
            return pd.array(pa.array([col.iat[0]], arr.type).take(np.zeros(n, dtype=np.int64)), dtype=col.dtype)
        return col.to_numpy()[keep] if isinstance(col.dtype, np.dtype) else col.array[keep]

    names = list(frame.columns)
    taken = _run_all([functools.partial(take, name) for name in names], parallel=len(frame) >= _PARALLEL_ROWS)
    return pd.DataFrame(dict(zip(names, taken)), index=pd.RangeIndex(n))


def _duplicated_lines(lines: pd.DataFrame) -> pd.Series:
    """``lines.duplicated(subset=_DEDUP_COLUMNS, keep="first")``, about twice as fast on a big export: a
    line can only repeat another whose date and numbers are the same, so the text columns (the costly
    part) are compared among those few lines only.  Same result, same order of first occurrences."""
    cheap = [c for c in _DEDUP_COLUMNS if c in lines and lines[c].dtype.kind in "biufM"]
    if len(lines) < 10_000 or not cheap:
        return lines.duplicated(subset=_DEDUP_COLUMNS, keep="first")
    # the numbers folded into one 64-bit key: equal lines get equal keys (NaN and -0.0 made canonical
    # first); a collision only lets a line into the exact comparison below
    key = np.zeros(len(lines), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in cheap:
            v = lines[c].to_numpy()
            if v.dtype.kind == "f":
                v = np.where(np.isnan(v), np.nan, v + 0.0).view(np.uint64)
            else:
                v = v.astype("int64", copy=False).view(np.uint64)
            key = (key ^ v) * np.uint64(0x9E3779B97F4A7C15)
            key ^= key >> np.uint64(29)
        for c in _DEDUP_COLUMNS:  # the text columns too, by their dictionary codes (a fiftieth of the cost)
            codes = _text_codes(lines[c]) if c in lines else None
            if codes is not None:
                key = (key ^ codes.view(np.uint64)) * np.uint64(0x9E3779B97F4A7C15)
                key ^= key >> np.uint64(29)
    maybe = pd.Series(key).duplicated(keep=False).to_numpy()
    dup = np.zeros(len(lines), dtype=bool)
    if maybe.any():
        dup[maybe] = lines.loc[maybe, _DEDUP_COLUMNS].duplicated(keep="first").to_numpy()
    return pd.Series(dup, index=lines.index)


def _text_codes(col: pd.Series) -> np.ndarray | None:
    """int64 codes of an Arrow-backed text column, equal for equal texts (missing: -1); None for others."""
    if not (isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow"):
        return None
    enc = pc.dictionary_encode(pa.array(col.array))
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    return pc.fill_null(enc.indices.cast(pa.int64()), -1).to_numpy(zero_copy_only=False)


def fold_orders(lines: pd.DataFrame) -> pd.DataFrame:
    """Order lines -> one row per order (same preset and order id), value in the base currency.

    ``net_value`` is what the order adds to the customer's value: paid orders
    less partial refunds; cancellations and refunds only when they carry a
    negative amount (a credit note such as UCI's C-invoices), never positive.
    """
    cols = ["preset", "order_id", "customer", "date", "status", "paid", "is_sample", "fulfillment", "currency",
            "country", "value", "net_value", "cost", "profit", "units", "lines"]
    need = ["preset", "order_id", "customer", "date", "status", "fulfillment", "currency", "country", "order_total",
            "refunded", "line_value", "cost", "quantity", "is_sample"]
    ok = (lines["date"].notna() & lines["order_id"].notna()).to_numpy()
    usable = lines[need] if ok.all() else lines.loc[ok, need]  # the columns first: not all 26 of a million lines
    if not len(usable):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    # one export (one preset) is the usual case: then the order id alone is the key, a cheaper group-by
    one_preset = bool(usable["preset"].eq(usable["preset"].iloc[0]).all())  # (never missing: set per file)
    g = usable.groupby("order_id" if one_preset else ["preset", "order_id"], sort=False, observed=True)
    orders = g[["customer", "status", "fulfillment", "currency", "country", "order_total", "refunded"]].first()
    # (same groups, same order: plain column assignment, no join)
    orders["date"] = g["date"].min().to_numpy()
    orders["line_sum"] = g["line_value"].sum(min_count=1).to_numpy()
    orders["cost"] = g["cost"].sum(min_count=1).to_numpy()
    orders["units"] = g["quantity"].sum(min_count=1).to_numpy()
    orders["is_sample"] = g["is_sample"].any().to_numpy()
    orders["lines"] = g.size().to_numpy()
    if one_preset:
        orders.insert(0, "preset", usable["preset"].iloc[0])
        orders["preset"] = orders["preset"].astype(usable["preset"].dtype)
    value = orders["order_total"].fillna(orders["line_sum"]).fillna(0.0)
    paid = orders["status"].eq("paid")
    net = np.where(paid, value - orders["refunded"].fillna(0.0),
                   np.where(orders["status"].isin(["cancelled", "refunded"]), np.minimum(value, 0.0), 0.0))
    orders["value"] = value
    orders["net_value"] = net
    orders["profit"] = (orders["net_value"] - orders["cost"]).where(orders["cost"].notna())
    orders["paid"] = paid & orders["customer"].notna()
    orders = orders.reset_index()
    return orders[cols]


def _key_by_order(cases: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """After-sales cases that name only an order take that order's customer."""
    if "order_id" not in cases:
        return cases
    by_order = orders.drop_duplicates("order_id").set_index("order_id")["customer"]
    cases = cases.copy()
    cases["customer"] = cases["customer"].fillna(cases["order_id"].map(by_order))
    return cases[cases["customer"].notna()]
