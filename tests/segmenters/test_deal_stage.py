"""deal_stage: potential / inquiry / sample / deal / repeat (SEGMENTERS.md "deal_stage", seed 003), and the
pipeline summary with conversion between stages."""

from __future__ import annotations

import pytest

from tiercli.segmenters import base
from tiercli.segmenters.deal_stage import DealStage, pipeline

from ._b2b import CONFIG, event, exports, frame, inquiry, order, run


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = exports(
        tmp_path_factory.mktemp("deal_stage"),
        orders=[
            order("SAMPLES", 40, oid="1", sample=True), order("SAMPLES", 20, oid="2", sample=True),
            order("ONE", 60, oid="3", sample=True), order("ONE", 30, oid="4"),
            order("TWO", 90, oid="5"), order("TWO", 10, oid="6"),
            order("CANCELLED", 15, oid="7", status="已取消", fulfilment=""),
            order("UNPAID", 15, oid="8", status="等待买家付款", fulfilment=""),
        ],
        inquiries=[inquiry("ASKED", 12, qid="q1"), inquiry("CANCELLED", 20, qid="q2"), inquiry("TWO", 100, qid="q3")],
        events=[event("v1", 3, "浏览", customer="VISITOR"), event("v2", 2, "曝光")],
    )
    return run(folder, ["deal_stage"])


def stage(result, who: str) -> tuple[str, str]:
    row = result.customers.loc[who]
    return row["deal_stage"], row["deal_stage_reason"]


def test_samples_only_is_a_sample_customer(result):
    assert stage(result, "SAMPLES") == ("sample", "2 paid sample orders, no bulk order")


def test_one_deal_plus_samples_is_a_deal_customer(result):
    assert stage(result, "ONE") == ("deal", "1 paid order, plus 1 sample order")


def test_two_deals_is_repeat_even_with_an_inquiry(result):
    assert stage(result, "TWO") == ("repeat", "2 paid orders")


def test_an_inquiry_without_a_paid_order_is_an_inquiry_customer(result):
    assert stage(result, "ASKED") == ("inquiry", "1 inquiry, the last on 2026-10-19, no paid order")
    # a cancelled order is no deal: the inquiry is what the customer has done
    assert stage(result, "CANCELLED")[0] == "inquiry"


def test_customers_known_only_from_visits_or_unpaid_orders_are_potential(result):
    assert stage(result, "VISITOR") == ("potential", "no inquiry or paid order; 1 visit event")
    assert stage(result, "UNPAID") == ("potential", "no inquiry or paid order")
    # a visitor without a customer key is no customer row (the AIPL funnel counts it)
    assert "v2" not in result.customers.index


def test_the_repeat_threshold_is_a_setting():
    customers = frame({"a": {"frequency": 2, "paid_orders": 2}, "b": {"frequency": 3, "paid_orders": 3}})
    out = DealStage().segment(customers, CONFIG.with_overrides({"deal_stage.repeat_orders": 3}))
    assert out["deal_stage"].tolist() == ["deal", "repeat"]
    assert out["deal_stage_reason"].tolist() == ["2 paid orders", "3 paid orders"]


def test_precedence_repeat_deal_sample_inquiry_potential():
    customers = frame({
        "repeat": {"frequency": 2, "paid_orders": 4, "sample_orders": 2, "inquiries": 3},
        "deal": {"frequency": 1, "paid_orders": 2, "sample_orders": 1, "inquiries": 1},
        "sample": {"paid_orders": 1, "sample_orders": 1, "inquiries": 2},
        "inquiry": {"inquiries": 1},
        "potential": {"event_count": 4},
    })
    out = DealStage().segment(customers, CONFIG)
    assert out["deal_stage"].tolist() == ["repeat", "deal", "sample", "inquiry", "potential"]


def test_pipeline_counts_and_conversion(result):
    p = pipeline(result).set_index("code")
    assert p["customers"].to_dict() == {"potential": 2, "inquiry": 2, "sample": 1, "deal": 1, "repeat": 1}
    assert p["reached"].tolist() == [7, 5, 3, 2, 1]
    assert p["conversion"].iloc[0] != p["conversion"].iloc[0]  # nothing before the first stage
    assert p.loc["inquiry", "conversion"] == pytest.approx(5 / 7)
    assert p.loc["repeat", "conversion"] == pytest.approx(1 / 2)
    assert p.loc["deal", "label"] == "Deal" and pipeline(result, "zh").set_index("code").loc["deal", "label"] == "成交客户"
    assert p.loc["repeat", "revenue"] == 200.0 and p.loc["sample", "revenue"] == 0.0


def test_skipped_with_a_note_when_there_are_neither_orders_nor_inquiries(tmp_path):
    chosen = base.select(None, {"events", "customers"})
    assert chosen.skipped["deal_stage"] == "needs orders or inquiries data"
    assert "deal_stage" in [c.name for c in base.select(None, {"inquiries"}).run]
    result = run(exports(tmp_path, events=[event("v1", 1, "曝光", customer="C1")]))
    assert result.skipped["deal_stage"] == "needs orders or inquiries data"
    assert "deal_stage" not in result.customers
