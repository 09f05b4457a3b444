"""buyer_type — big B / small B / C, from a business-type column or from behaviour (seeds 000, 002).

The order-value threshold carries its currency (``buyer_type.b2b_value_currency``, USD): it is converted to
the currency the amounts are in (the customers frame's ``attrs``: ``currency`` and the ``rates`` of
``--rates``), and without a rate, or when the orders name no currency at all, only the units rule applies and
a note says why and how to give the rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config, Setting
from ..i18n import _, format_rows
from ..schema.clean import contains_any
from .base import Segmenter, register

# words in a business-type column; the user's [business_type] table in tiercli.toml adds to them
B2B_WORDS = ["wholesale", "wholesaler", "distributor", "retailer", "reseller", "b2b", "business", "company",
             "importer", "brand", "agent", "trade", "true", "批发", "批发商", "零售商", "经销商", "代理", "企业",
             "公司", "进口商", "品牌商", "大b", "小b"]
C_WORDS = ["individual", "consumer", "personal", "private", "b2c", "c", "false", "个人", "消费者", "c端"]


@register
class BuyerType(Segmenter):
    name = "buyer_type"
    # its settings ([buyer_type] in tiercli.toml, TIERCLI_BUYER_TYPE_* in the environment)
    options = (
        Setting("b2b_units", 50, "B2B when the median units per order is above this ..."),
        Setting("b2b_value", 500, "... or the median order value is above this (in b2b_value_currency)."),
        Setting("b2b_value_currency", "USD", "Currency of b2b_value, converted to the orders' currency with "
                "--rates; with no rate (or orders naming no currency) only the units rule applies, in a note. Empty = "
                "the orders' own currency, never converted."),
        Setting("big_b_share", 0.20, "big_b: annual value in this top share of B2B customers."),
    )
    title = "Buyer type"
    title_zh = "买家类型"
    reads = ("median_units", "median_order_value", "annual_value", "business_type")
    outputs = ("buyer_type", "buyer_type_reason")
    # its columns' headers: column -> (English, Chinese)
    headers = {
        "buyer_type": ("Buyer type", "买家类型"),
        "buyer_type_reason": ("Buyer type reason", "买家类型依据"),
    }
    labels = {
        "big_b": ("Big B", "大B"),
        "small_b": ("Small B", "小B"),
        "c": ("C", "C端"),
    }

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        s = config.section("buyer_type")
        words = config.tables.get("business_type", {})
        deal = customers["frequency"] > 0
        declared = customers["business_type"].astype("str").str.strip()
        said_c = declared.str.lower().isin([w.lower() for w in C_WORDS + list(words.get("c", []))])
        said_b = contains_any(declared, B2B_WORDS + list(words.get("b2b", []))) & ~said_c
        has_decl = said_b | said_c
        by_units = customers["median_units"] > s["b2b_units"]
        behaviour = int((deal & ~has_decl).sum())  # buyers typed by their orders, the ones a threshold decides
        threshold, note = value_threshold(customers, config, behaviour)
        self.notes = [note] if note else []
        by_value = customers["median_order_value"] > threshold if threshold is not None else \
            pd.Series(False, index=customers.index)
        b2b = np.where(has_decl, said_b, by_units.fillna(False) | by_value.fillna(False))
        b2b = pd.Series(b2b, index=customers.index).astype(bool) & deal
        annual = customers["annual_value"].where(b2b)
        cut = annual.quantile(1 - s["big_b_share"]) if b2b.any() else np.inf
        big = b2b & (annual >= cut)
        label = pd.Series(np.select([big, b2b], ["big_b", "small_b"], "c"), index=customers.index).where(deal)
        idx = customers.index
        basis = pd.Series(np.select(
            [has_decl, by_units.fillna(False), by_value.fillna(False)],
            [format_rows(_("declared '{declared}'"), idx, declared=declared),
             format_rows(_("median {units} units per order"), idx,
                         units=customers["median_units"].round(0).astype("Int64")),
             format_rows(_("median order value {value}"), idx,
                         value=customers["median_order_value"].round(0).astype("Int64"))],
            _("small orders")), index=idx)
        big_note = _("; annual value in the top {share} of B2B").format(share=f"{s['big_b_share']:.0%}")
        reason = basis + pd.Series(np.where(big, big_note, ""), index=idx)
        return pd.DataFrame({"buyer_type": label.astype("str"),
                             "buyer_type_reason": reason.where(deal, _("no paid order"))}, index=idx)


def value_threshold(customers: pd.DataFrame, config: Config, behaviour: int = 1) -> tuple[float | None, str]:
    """(the order-value threshold in the orders' currency, or None when it cannot apply; the note or "").

    ``b2b_value`` is in ``b2b_value_currency``: used as is when that is the orders' currency (or empty),
    converted with the run's rate for it otherwise (the rates give base units per 1 unit, so the USD line
    converts, whether or not the base is named), and not applied without one.  Orders that name no currency
    (no currency column, no ``currency`` setting) are not taken to be in the threshold's currency: a ZAR or
    JPY shop without a currency column would otherwise get the ZAR bug back.  ``behaviour``: how many buyers
    the threshold decides (no note when none).
    """
    s = config.section("buyer_type")
    value = float(s["b2b_value"])
    unit = str(s.get("b2b_value_currency") or "").strip().upper()
    base = str(customers.attrs.get("currency", config.get("currency")) or "").strip().upper()
    if not unit or unit == base:
        return value, ""
    rates = {str(k).strip().upper(): v for k, v in (customers.attrs.get("rates") or {}).items()}
    rate = rates.get(unit)
    rule = _("the {value} {unit} order-value rule").format(value=_amount(value), unit=unit)
    if rate is not None and np.isfinite(rate) and rate > 0:
        where = (f"{_amount(value * rate)} {base}" if base
                 else _("{value} in the orders' currency").format(value=_amount(value * rate)))
        note = _("buyer_type: {rule} is {where} (1 {unit} = {rate}, from the rates file)").format(
            rule=rule, where=where, unit=unit, rate=f"{rate:g}{' ' + base if base else ''}")
        return value * rate, note if behaviour else ""
    if not behaviour:
        return None, ""
    typed = (_("1 buyer typed by units per order alone") if behaviour == 1
             else _("{n} buyers typed by units per order alone").format(n=behaviour))
    if base:
        return None, _("buyer_type: {rule} was not applied ({typed}): the orders are in {base} and no {unit} rate "
                       "was given (pass --rates with a {unit} line, or set buyer_type.b2b_value_currency = "
                       "\"{base}\" and a threshold in {base})").format(rule=rule, typed=typed, base=base, unit=unit)
    return None, _("buyer_type: {rule} was not applied ({typed}): the orders name no currency (no currency column, "
                   "no currency setting), so they cannot be taken to be in {unit} (set currency = \"{unit}\" or pass "
                   "--currency {unit} if they are, else --rates with a {unit} line: their units per 1 {unit})"
                   ).format(rule=rule, typed=typed, unit=unit)


def _amount(x: float) -> str:
    return f"{x:,.2f}".removesuffix(".00")
