"""buyer_type — big B / small B / C, from a business-type column or from behaviour (seeds 000, 002)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
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
    title = "Buyer type"
    title_zh = "买家类型"
    reads = ("median_units", "median_order_value", "annual_value", "business_type")
    outputs = ("buyer_type", "buyer_type_reason")
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
        by_value = customers["median_order_value"] > s["b2b_value"]
        b2b = np.where(has_decl, said_b, by_units.fillna(False) | by_value.fillna(False))
        b2b = pd.Series(b2b, index=customers.index).astype(bool) & deal
        annual = customers["annual_value"].where(b2b)
        cut = annual.quantile(1 - s["big_b_share"]) if b2b.any() else np.inf
        big = b2b & (annual >= cut)
        label = pd.Series(np.select([big, b2b], ["big_b", "small_b"], "c"), index=customers.index).where(deal)
        basis = pd.Series(np.select(
            [has_decl, by_units.fillna(False), by_value.fillna(False)],
            ["declared '" + declared + "'",
             "median " + customers["median_units"].round(0).astype("Int64").astype("str") + " units per order",
             "median order value " + customers["median_order_value"].round(0).astype("Int64").astype("str")],
            "small orders"), index=customers.index)
        reason = basis + pd.Series(np.where(big, f"; annual value in the top {s['big_b_share']:.0%} of B2B", ""),
                                   index=customers.index)
        return pd.DataFrame({"buyer_type": label.astype("str"),
                             "buyer_type_reason": reason.where(deal, "no paid order")}, index=customers.index)
