"""process — the transaction process of seed 003: negotiating, not closed, following, after-sales.

A customer in several takes the first in the order after_sales, following, negotiating, not_closed
(what needs a rep's attention soonest first); ``none`` when nothing is in progress.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config, Setting
from ..i18n import N_, _, counted, format_rows
from .base import Segmenter, register

# fulfilment states as a rep says them
_STATE_WORDS = {"inspection": N_("awaiting inspection"), "booking": N_("awaiting shipment (booking)"),
                "in_transit": N_("in transit")}


def _days(values: pd.Series) -> pd.Series:
    return values.astype("Int64").astype("str")


@register
class Process(Segmenter):
    name = "process"
    # its settings ([process] in tiercli.toml, TIERCLI_PROCESS_* in the environment)
    options = (
        Setting("silent_days", 90, "not_closed: a negotiated open inquiry with no contact for more than this many days."),
        Setting("after_sales_days", 90, "after_sales: an open case, or one resolved within this many days."),
        Setting("following_days", 180, "following: a paid order not yet received, placed within this many days "
                "(0 = any age)."),
    )
    title = "Transaction process"
    title_zh = "客户交易过程"
    requires = ("orders|inquiries|after_sales",)
    reads = ("open_cases", "case_resolved_days", "orders_in_progress", "progress_state", "progress_days",
             "negotiation_days", "lost_negotiation", "quoted", "sample_requested", "factory_audit")
    outputs = ("process", "process_reason")
    # its columns' headers: column -> (English, Chinese)
    headers = {
        "process": ("Transaction process", "交易过程"),
        "process_reason": ("Process reason", "交易过程依据"),
    }
    labels = {
        "negotiating": ("Negotiating", "洽谈中"),
        "not_closed": ("Not closed", "未成交"),
        "following": ("Following (order in progress)", "跟单中"),
        "after_sales": ("After-sales", "售后"),
        "none": ("Nothing in progress", "无进行中事项"),
    }

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        s = config.section("process")
        idx = customers.index
        open_cases = customers["open_cases"] > 0
        resolved = customers["case_resolved_days"].astype("float64") <= s["after_sales_days"]
        after_sales = open_cases | resolved
        age = customers["progress_days"].astype("float64")
        following = (customers["orders_in_progress"] > 0) & (
            (age <= s["following_days"]) if s["following_days"] > 0 else age.notna())
        silence = customers["negotiation_days"].astype("float64")
        negotiating = silence <= s["silent_days"]
        not_closed = (silence > s["silent_days"]) | customers["lost_negotiation"].astype(bool)
        conditions = [after_sales, following, negotiating, not_closed]
        label = pd.Series(np.select(conditions, ["after_sales", "following", "negotiating", "not_closed"], "none"),
                          index=idx)

        talks = pd.Series("", index=idx, dtype="str")
        for col, word in (("quoted", _("quote")), ("sample_requested", _("sample")),
                          ("factory_audit", _("factory audit"))):
            has = customers[col].fillna(False).astype(bool)
            talks = talks.where(~has, talks + np.where(talks.eq(""), "", _(", ")) + word)
        state = customers["progress_state"].map({k: _(v) for k, v in _STATE_WORDS.items()}).fillna(
            _("not yet received"))

        def rows(template: str) -> pd.Series:
            return format_rows(template, idx, state=state, age=_days(age), silence=_days(silence), talks=talks,
                               resolved=_days(customers["case_resolved_days"]), following=s["following_days"],
                               cases=counted(customers["open_cases"], _("{n} after-sales case open"),
                                             _("{n} after-sales cases open")))

        reason = pd.Series(np.select(conditions + [customers["orders_in_progress"] > 0], [
            pd.Series(np.where(open_cases, rows("{cases}"),
                               rows(_("after-sales case resolved {resolved} days ago"))), index=idx),
            rows(_("paid order {state}, placed {age} days ago")),
            rows(_("open inquiry ({talks}), last activity {silence} days ago, no order since")),
            pd.Series(np.where(silence > s["silent_days"],
                               rows(_("negotiated ({talks}), then silent for {silence} days")),
                               _("negotiated, then the inquiry was lost")), index=idx),
            rows(_("paid order {state}, placed {age} days ago (older than {following} days)")),
        ], _("nothing in progress")), index=idx)
        return pd.DataFrame({"process": label.astype("str"), "process_reason": reason.astype("str")}, index=idx)
