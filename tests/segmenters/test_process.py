"""process: negotiating / not_closed / following / after_sales / none (SEGMENTERS.md "process", seed 003),
with the precedence after_sales > following > negotiating > not_closed."""

from __future__ import annotations

import pytest

from tiercli.segmenters import base
from tiercli.segmenters.process import Process

from ._b2b import CONFIG, case, event, exports, frame, inquiry, order, run


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = exports(
        tmp_path_factory.mktemp("process"),
        inquiries=[
            inquiry("TALKING", 30, qid="q1", quoted=True, contact=10),
            inquiry("QUIET", 200, qid="q2", sample=True, contact=120),
            inquiry("LOST", 50, qid="q3", quoted=True, status="已流失", contact=40),
            inquiry("JUST_ASKED", 5, qid="q4"),
            inquiry("ORDERED", 60, qid="q5", quoted=True, audit=True, contact=50),
            inquiry("OLD_LOST", 300, qid="q6", status="已流失"),
        ],
        orders=[
            order("ORDERED", 20, oid="1"),
            order("SHIPPING", 12, oid="2", fulfilment="运输中"), order("SHIPPING", 100, oid="3"),
            order("INSPECTING", 3, oid="4", fulfilment="待验货"),
            order("RECEIVED", 40, oid="5"),
            order("STALE", 300, oid="6", fulfilment="运输中"),
        ],
        after_sales=[
            case("OPEN_CASE", 5, cid="c1"), case("RESOLVED", 40, cid="c2", resolved=30, status="已解决"),
            case("LONG_AGO", 300, cid="c3", resolved=200, status="已解决"),
        ],
    )
    return run(folder, ["process"])


@pytest.mark.parametrize("who,label,reason", [
    ("TALKING", "negotiating", "open inquiry (quote), last activity 10 days ago, no order since"),
    ("QUIET", "not_closed", "negotiated (sample), then silent for 120 days"),
    ("LOST", "not_closed", "negotiated, then the inquiry was lost"),
    ("JUST_ASKED", "none", "nothing in progress"),  # no quote, sample or audit yet: not negotiating
    ("ORDERED", "none", "nothing in progress"),  # an order since the inquiry closed the talks
    ("OLD_LOST", "none", "nothing in progress"),  # lost before any negotiation
    ("SHIPPING", "following", "paid order in transit, placed 12 days ago"),
    ("INSPECTING", "following", "paid order awaiting inspection, placed 3 days ago"),
    ("RECEIVED", "none", "nothing in progress"),
    ("STALE", "none", "paid order in transit, placed 300 days ago (older than 180 days)"),
    ("OPEN_CASE", "after_sales", "1 after-sales case open"),
    ("RESOLVED", "after_sales", "after-sales case resolved 30 days ago"),
    ("LONG_AGO", "none", "nothing in progress"),
])
def test_each_rule(result, who, label, reason):
    row = result.customers.loc[who]
    assert (row["process"], row["process_reason"]) == (label, reason)


def test_windows_are_settings(result, tmp_path):
    c = result.customers
    config = CONFIG.with_overrides({"process.silent_days": 150, "process.following_days": 0,
                                    "process.after_sales_days": 10})
    out = Process().segment(c, config)
    assert out.loc["QUIET", "process"] == "negotiating"
    assert out.loc["STALE", "process"] == "following"
    assert out.loc["RESOLVED", "process"] == "none" and out.loc["OPEN_CASE", "process"] == "after_sales"


EVERYTHING = {"open_cases": 1, "orders_in_progress": 1, "progress_state": "in_transit", "progress_days": 5,
              "negotiation_days": 10, "lost_negotiation": True, "quoted": True}


@pytest.mark.parametrize("drop,label", [
    ((), "after_sales"),
    (("open_cases",), "following"),
    (("open_cases", "orders_in_progress"), "negotiating"),
    (("open_cases", "orders_in_progress", "negotiation_days"), "not_closed"),
    (("open_cases", "orders_in_progress", "negotiation_days", "lost_negotiation"), "none"),
])
def test_precedence_after_sales_following_negotiating_not_closed(drop, label):
    empty = {"open_cases": 0, "orders_in_progress": 0, "negotiation_days": None, "lost_negotiation": False}
    row = {k: (empty[k] if k in drop else v) for k, v in EVERYTHING.items()}
    out = Process().segment(frame({"x": row}), CONFIG)
    assert out.loc["x", "process"] == label


def test_silent_negotiation_is_not_closed_but_a_fresh_one_wins():
    customers = frame({"silent": {"negotiation_days": 91, "quoted": True},
                       "edge": {"negotiation_days": 90, "quoted": True}})
    out = Process().segment(customers, CONFIG)
    assert out["process"].tolist() == ["not_closed", "negotiating"]


def test_skipped_with_a_note_when_no_input_table_exists(tmp_path):
    assert base.select(None, {"events", "customers"}).skipped["process"] == \
        "needs orders or inquiries or after_sales data"
    for kind in ("orders", "inquiries", "after_sales"):
        assert "process" in [c.name for c in base.select(None, {kind}).run]
    result = run(exports(tmp_path, events=[event("v1", 1, "曝光", customer="C1")]))
    assert result.skipped["process"] == "needs orders or inquiries or after_sales data"
