"""One file's text table to the canonical frame of its kind: map the columns, screen the rows, parse.

``canonicalize(raw, match, config)`` is what ``load_dataset`` (schema/dataset.py) does to each table it
reads: the rows worth reading (``screen_rows``: merged cells filled down, blank, repeated-header and total
lines left out), every value cleaned and parsed, the customer key, and each kind's own rules (order
statuses, credit notes, line values; inquiry and event words; customer flags).  Everything the user should
hear about is returned as ``Problem`` records, never printed.
"""

from __future__ import annotations

import functools
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from ..config import Config
from ..errors import InputError
from ..i18n import _, language
from ..io.read import RawTable
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
from .presets import Match, Preset
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



ORDER_LINE_COLUMNS = ["file", "line", "preset", "order_id", "customer", "customer_id", "email", "name", "company",
                      "country", "date", "status", "fulfillment", "product", "sku", "category", "quantity",
                      "unit_price", "line_value", "order_total", "refunded", "currency", "cost", "is_sample",
                      "accepts_marketing", "business_type"]


_NUMBER_FIELDS = frozenset({"quantity", "unit_price", "order_total", "refunded", "cost"})


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
    done = iter(run_all(jobs, parallel=len(out) >= PARALLEL_ROWS))
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
PARALLEL_ROWS = 200_000  # below this, threads cost more than they save


def run_all(jobs: list[Callable], parallel: bool) -> list:
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
    # the fields this export lacks, typed (an object column of a million pd.NA costs every later filter);
    # the frame is put together without consolidating (copying) the number columns into 2-D blocks
    missing = _missing_columns([col for col in ORDER_LINE_COLUMNS if col not in out], n)
    assert len(out) == n
    return pd.DataFrame({col: out[col] if col in out else missing[col] for col in ORDER_LINE_COLUMNS},
                        index=out.index, copy=False)


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


def _missing_columns(cols: list[str], n: int) -> dict:
    """All-missing columns of each field's type, made without touching a million cells; the text ones
    share one Arrow array of nulls (immutable; each column has its own array object over it)."""
    out = {}
    nulls = None
    for col in cols:
        if col in _NUMBER_FIELDS:
            out[col] = np.full(n, np.nan)
        elif col == "accepts_marketing":
            out[col] = pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
        else:
            nulls = pa.nulls(n, pa.large_string()) if nulls is None else nulls
            out[col] = pd.array(nulls, dtype="str")
    return out


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
