"""tiercli.testing: the checks pass a sound segmenter and catch each way of breaking the contract."""

from __future__ import annotations

import pandas as pd
import pytest

from tiercli.config import Setting
from tiercli.segmenters.base import Segmenter
from tiercli.testing import (
    CHECKS,
    check_segmenter,
    made_up_orders,
    parametrize_with_checks,
)


class Sound(Segmenter):
    name = "sound"
    title = "Sound"
    outputs = ("sound", "sound_reason")
    labels = {"big": ("Big", "大"), "small": ("Small", "小")}
    headers = {"sound": ("Sound", "健全")}
    options = (Setting("min_value", 100.0, "big: net value at least this."),)

    def segment(self, customers, config):
        big = customers["monetary"] >= config.get("sound.min_value", 100.0)
        return pd.DataFrame({"sound": big.map({True: "big", False: "small"}).astype("str"),
                             "sound_reason": "net value"}, index=customers.index)


class Undeclared(Sound):
    name = "undeclared"
    outputs = ("undeclared", "undeclared_reason")
    headers = {}

    def segment(self, customers, config):
        out = super().segment(customers, config).rename(columns=lambda c: c.replace("sound", "undeclared"))
        return out.assign(extra=1)


class Meddling(Sound):
    name = "meddling"
    outputs = ("meddling", "meddling_reason")
    headers = {}

    def segment(self, customers, config):
        customers["monetary"] = 0.0  # changes its input
        return pd.DataFrame({"meddling": "small", "meddling_reason": ""}, index=customers.index)


class StrayCode(Sound):
    name = "stray"
    outputs = ("stray",)
    headers = {}

    def segment(self, customers, config):
        return pd.DataFrame({"stray": "huge"}, index=customers.index)


class Reordering(Sound):
    name = "reordering"
    outputs = ("reordering",)
    headers = {}

    def segment(self, customers, config):
        return pd.DataFrame({"reordering": "big"}, index=customers.index.sort_values(ascending=False))


class BadlyNamed(Sound):
    name = "badly"
    outputs = ("badly", "reason")
    headers = {}


def test_a_sound_segmenter_passes_every_check():
    assert check_segmenter(Sound) == []


@pytest.mark.parametrize(("cls", "message"), [
    (Undeclared, "not its declared ones"), (Meddling, "input"), (StrayCode, "undeclared codes"), (Reordering, "same index"),
    (BadlyNamed, "details are named badly_"),
])
def test_each_broken_segmenter_fails_with_the_check_naming_it(cls, message):
    with pytest.raises(AssertionError, match=message):
        check_segmenter(cls)


def test_the_made_up_shop_is_the_same_every_time_and_has_repeat_buyers():
    text = made_up_orders()
    assert text == made_up_orders()
    orders = pd.read_csv(pd.io.common.StringIO(text))
    per_customer = orders.groupby("CustomerID")["InvoiceNo"].nunique()
    assert (per_customer == 1).any() and (per_customer >= 3).any()


@parametrize_with_checks([Sound])
def test_parametrize_with_checks_makes_one_test_per_check(segmenter, check, request):
    assert request.node.callspec.id.startswith("sound-check_")
    check(segmenter)


def test_parametrize_with_checks_ids():
    mark = parametrize_with_checks([Sound, StrayCode])
    ids = [p.id for p in mark.args[1]]
    assert ids == [f"{c}-{check.__name__}" for c in ("sound", "stray") for check in CHECKS]
