"""aipl: awareness / interest / purchase / loyalty, the highest stage reached (SEGMENTERS.md "aipl", seed 003);
the funnel with anonymous visitors counted and the I crowd split by source tag."""

from __future__ import annotations

import pytest

from tiercli.segmenters import base
from tiercli.segmenters.aipl import AIPL, funnel, interest_sources

from ._b2b import CONFIG, event, exports, frame, inquiry, order, run


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = exports(
        tmp_path_factory.mktemp("aipl"),
        events=[
            event("v1", 5, "曝光", customer="SAW"),                       # impression only
            event("v2", 9, "曝光", customer="REVIEWER", source="内容营销"),
            event("v2", 8, "评价", customer="REVIEWER", source="内容营销"),  # reviewed
            event("v3", 7, "曝光", customer="CARTED", source="自然搜索"),
            event("v3", 6, "加购", customer="CARTED", source="折扣活动"),
            event("v3", 5, "收藏", customer="CARTED", source="折扣活动"),
            event("v3", 4, "点击", customer="CARTED", source="内容营销"),
            event("v4", 3, "曝光", customer="BUYER"),
            # anonymous visitors: two impressions only, one who clicked, and one later seen logged in
            event("a1", 2, "曝光"), event("a1", 1, "浏览"), event("a2", 2, "品类搜索", source="折扣活动"),
            event("a3", 2, "点击", source="折扣活动"),
            event("a4", 3, "曝光"), event("a4", 2, "加购", customer="LOGGED_IN"),
        ],
        orders=[order("BUYER", 20, oid="1"), order("LOYAL", 100, oid="2"), order("LOYAL", 10, oid="3"),
                order("SAMPLER", 10, oid="4", sample=True)],
        inquiries=[inquiry("ASKED", 10, qid="q1")],
    )
    return run(folder, ["aipl"])


@pytest.mark.parametrize("who,stage,reason", [
    ("SAW", "awareness", "awareness only: 曝光 via 自然搜索"),
    ("REVIEWER", "loyalty", "reviewed or shared: 评价 via 内容营销"),
    ("CARTED", "interest", "interest: 收藏 via 折扣活动"),  # the commonest source among their interest events
    ("ASKED", "interest", "inquiry sent"),
    ("BUYER", "purchase", "paid order, no repeat"),
    ("SAMPLER", "purchase", "paid order, no repeat (samples only)"),
    ("LOYAL", "loyalty", "repeat purchase: 2 paid orders"),
    ("LOGGED_IN", "interest", "interest: 加购 via 自然搜索"),
])
def test_highest_stage_reached(result, who, stage, reason):
    row = result.customers.loc[who]
    assert (row["aipl"], row["aipl_reason"]) == (stage, reason)


def test_source_tag_of_the_top_stage(result):
    c = result.customers
    assert c.loc["CARTED", "aipl_source"] == "折扣活动"
    assert c.loc["REVIEWER", "aipl_source"] == "内容营销"
    assert c["aipl_source"].isna()[["ASKED", "LOYAL"]].all()  # no visit: no source


def test_anonymous_visitors_count_in_the_funnel_not_as_customers(result):
    assert not {"a1", "a2", "a3", "a4"} & set(result.customers.index)
    f = funnel(result).set_index("code")
    assert f["customers"].to_dict() == {"awareness": 1, "interest": 3, "purchase": 2, "loyalty": 2}
    # a1, a2 saw only impressions or pages; a3 clicked; a4 is LOGGED_IN's visitor id, so not anonymous
    assert f["visitors"].to_dict() == {"awareness": 2, "interest": 1, "purchase": 0, "loyalty": 0}
    assert f["reached"].tolist() == [11, 8, 4, 2]
    assert f.loc["interest", "conversion"] == pytest.approx(8 / 11)
    assert f.loc["purchase", "conversion"] == pytest.approx(4 / 8)
    assert f.loc["loyalty", "conversion"] == pytest.approx(2 / 4)


def test_the_interest_crowd_split_by_source(result):
    s = interest_sources(result).set_index("source")
    assert s["customers"].to_dict() == {"折扣活动": 1, "(inquiry, no visit)": 1, "自然搜索": 1}
    assert s["visitors"].to_dict() == {"折扣活动": 1, "(inquiry, no visit)": 0, "自然搜索": 0}  # a3 clicked
    assert s.index[0] == "折扣活动" and s["total"].sum() == 4
    assert s["crowd_share"].sum() == pytest.approx(1.0)
    assert interest_sources(result, "zh")["source"].str.contains("询盘").any()


def test_repeat_threshold_is_a_setting():
    customers = frame({"x": {"frequency": 2, "paid_orders": 2}})
    assert AIPL().segment(customers, CONFIG)["aipl"].tolist() == ["loyalty"]
    out = AIPL().segment(customers, CONFIG.with_overrides({"aipl.repeat_orders": 3}))
    assert out["aipl"].tolist() == ["purchase"]


def test_a_customer_with_nothing_seen_has_no_stage():
    out = AIPL().segment(frame({"x": {}}), CONFIG)
    assert out["aipl"].isna().all() and out.loc["x", "aipl_reason"] == "no visit, inquiry or order seen"


def test_skipped_with_a_note_without_events(tmp_path):
    assert base.select(None, {"orders", "inquiries"}).skipped["aipl"] == "needs events data"
    result = run(exports(tmp_path, orders=[order("C1", 3, oid="1")]))
    assert result.skipped["aipl"] == "needs events data"
    assert funnel(result).empty and interest_sources(result).empty
