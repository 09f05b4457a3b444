"""stars — star rating of inquiry and sample customers (seed 003), 3★ warmest to 0★.

Inquiry customers (an inquiry, no paid order) are rated by when they are expected to pay: from an
expected-order date or a purchase timeline ("7天内", "within 2 weeks") when the inquiry export has one,
else inferred from engagement (sample or factory audit > quote or reply, and how recent the last contact
is).  Sample customers (every paid order a sample) are rated by predicted size: sample value, requested
quantity, declared big B, and silence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config, Setting
from ..errors import ConfigError
from ..i18n import _, counted, format_rows, tr
from ..schema.clean import contains_any
from .base import (
    Scored,
    Segmenter,
    SegmenterSkipped,
    code_labels,
    header,
    label,
    register,
    segmenter_title,
    table_sheet,
)
from .deal_stage import stage_masks

# ---------------------------------------------------------------- the segmenter

BIG_B_WORDS = ["大b", "big b", "big_b", "大客户", "key account"]


@register
class Stars(Segmenter):
    name = "stars"
    # its settings ([stars] in tiercli.toml, TIERCLI_STARS_* in the environment)
    options = (
        Setting("three_star_days", 7, "3 stars: an inquiry customer expected to order within this many days ..."),
        Setting("two_star_days", 30, "... 2 stars within this many days ..."),
        Setting("one_star_days", 90, "... 1 star within this many days; later is 0 stars."),
        Setting("hot_contact_days", 14, "Inferred stars: a last contact within this many days is hot ..."),
        Setting("warm_contact_days", 30, "... within this many days warm."),
        Setting("silent_days", 90, "0 stars: no contact for more than this many days (inquiry and sample customers)."),
        Setting("sample_big_quantile", 0.75, "Sample 3 stars: sample value or requested quantity in this top quantile "
                "of sample customers."),
        Setting("sample_small_quantile", 0.5, "Sample 1 star: sample units and value at or below this quantile."),
        Setting("sample_tiny_quantile", 0.25, "Sample 0 stars: sample value at or below this quantile, and silent."),
    )
    title = "Star rating"
    title_zh = "询盘/样单客户星级"
    requires = ("inquiries|orders",)
    reads = ("frequency", "paid_orders", "sample_orders", "inquiries", "live_inquiries", "expected_order_days",
             "contact_days", "inquiry_days", "quoted", "replied", "sample_requested", "factory_audit",
             "sample_value", "sample_units", "sample_days", "requested_quantity", "business_type")
    outputs = ("stars", "stars_group", "stars_expected_days", "stars_reason")
    # its columns' headers: column -> (English, Chinese)
    headers = {
        "stars": ("Stars", "星级"),
        "stars_group": ("Star group", "星级分组"),
        "stars_expected_days": ("Days to expected order", "距预计下单天数"),
        "stars_reason": ("Stars reason", "星级依据"),
    }
    labels = {
        "3": ("3★", "3星客户"),
        "2": ("2★", "2星客户"),
        "1": ("1★", "1星客户"),
        "0": ("0★", "0星客户"),
    }
    extra_labels = {"stars_group": {
        "inquiry": ("Inquiry customer", "询盘客户"),
        "sample": ("Sample customer", "样单客户"),
    }}

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        s = config.section("stars")
        if not s["three_star_days"] <= s["two_star_days"] <= s["one_star_days"]:
            raise ConfigError(_("stars: three_star_days <= two_star_days <= one_star_days is needed "
                                "(now {three}, {two}, {one}).").format(
                three=s["three_star_days"], two=s["two_star_days"], one=s["one_star_days"]))
        for q in ("sample_big_quantile", "sample_small_quantile", "sample_tiny_quantile"):
            if not 0 <= s[q] <= 1:
                raise ConfigError(_("stars.{name} = {value}: must be between 0 and 1.").format(name=q, value=s[q]))
        idx = customers.index
        masks = stage_masks(customers, int(config["deal_stage.repeat_orders"]))
        sample = masks["sample"] & ~masks["deal"]
        inquiry = masks["inquiry"] & ~masks["deal"] & ~sample
        if len(customers) and not (sample.any() or inquiry.any()):
            raise SegmenterSkipped(_("no inquiry or sample customers to rate"))
        i_star, i_reason = self._inquiry_stars(customers, s)
        s_star, s_reason = self._sample_stars(customers, s, sample, config)
        group = pd.Series(np.select([inquiry, sample], ["inquiry", "sample"], ""), index=idx).where(inquiry | sample)
        star = pd.Series(np.select([inquiry, sample], [i_star, s_star], ""), index=idx).where(inquiry | sample)
        reason = pd.Series(np.select([inquiry, sample], [i_reason, s_reason], ""), index=idx)
        reason = reason.where(inquiry | sample, _("not an inquiry or sample customer"))
        expected = customers["expected_order_days"].astype("Int64").where(inquiry | sample)
        return pd.DataFrame({"stars": star.astype("str"), "stars_group": group.astype("str"),
                             "stars_expected_days": expected, "stars_reason": reason.astype("str")}, index=idx)

    @classmethod
    def sheets(cls, result: Scored, lang: str = "en") -> list:
        """Stars by group: inquiry and sample customers at each star."""
        from ..io.write import Chart

        h = {c: header(c, lang) for c in ("label", "customers", "inquiry_customers", "sample_customers")}
        t = tr("Stars by group", lang)
        return table_sheet(result, t, stars_table(result, lang), lang=lang, charts=(
            Chart(kind="column", title=t, categories=h["label"],
                  values=(h["inquiry_customers"], h["sample_customers"])),
            Chart(kind="pie", title=t, categories=h["label"], values=(h["customers"],))))

    @classmethod
    def render(cls, console, result: Scored, lang: str = "en") -> None:
        """Stars by group instead of the two label tables."""
        from ..draw import titled_table

        t = titled_table(console, segmenter_title(cls.name, lang),
                         [header(c, lang) for c in ("label", "inquiry_customers", "sample_customers", "customers")])
        for r in stars_table(result, lang).itertuples(index=False):
            t.add_row(str(r.label), f"{r.inquiry_customers:,}", f"{r.sample_customers:,}", f"{r.customers:,}")
        console.print(t)

    @staticmethod
    def _inquiry_stars(c: pd.DataFrame, s: dict) -> tuple[pd.Series, pd.Series]:
        idx = c.index
        days = c["expected_order_days"].astype("float64")
        stated = days.notna()
        by_date = np.select([days <= s["three_star_days"], days <= s["two_star_days"], days <= s["one_star_days"]],
                            ["3", "2", "1"], "0")
        when = days.astype("Int64").astype("str")
        stated_reason = pd.Series(np.where(
            days > s["one_star_days"],
            format_rows(_("expected to order in {days} days (beyond {limit})"), idx, days=when,
                        limit=s["one_star_days"]),
            format_rows(_("expected to order in {days} days"), idx, days=when)), index=idx)

        def flag(col: str) -> pd.Series:
            return c[col].fillna(False).astype(bool)

        strong = flag("sample_requested") | flag("factory_audit")
        medium = flag("quoted") | flag("replied")
        contact = c["contact_days"].astype("float64")
        since = c["inquiry_days"].astype("float64")
        contacted = contact.notna() & (contact <= since)  # a contact on or after the latest inquiry
        fresh = ~contacted & (since <= s["hot_contact_days"])
        touch = contact.where(contacted, since.where(fresh))  # a fresh inquiry counts as the first touch
        hot, warm = touch <= s["hot_contact_days"], touch <= s["warm_contact_days"]
        all_lost = c["live_inquiries"] <= 0
        silent = ~contacted & ~fresh
        cold = touch > s["silent_days"]
        inferred = np.select(
            [all_lost, silent, cold, strong & hot, (strong & warm) | (medium & hot)], ["0", "0", "0", "3", "2"], "1")
        talks = pd.Series(np.select([strong, medium], [_("sample or factory audit"), _("quote or reply")],
                                    _("no quote or sample yet")), index=idx)

        def rows(template: str) -> pd.Series:
            return format_rows(template, idx, talks=talks, days=touch.astype("Int64"),
                               since=since.astype("Int64"))

        inferred_reason = pd.Series(np.select(
            [all_lost, silent, fresh],
            [_("inferred: every inquiry lost"),
             rows(_("inferred: no contact since the inquiry {since} days ago")),
             rows(_("inferred: new inquiry {days} days ago, not contacted yet; {talks}"))],
            rows(_("inferred: {talks}, last contact {days} days ago"))), index=idx)
        star = pd.Series(np.where(stated & ~all_lost, by_date, inferred), index=idx)
        reason = pd.Series(np.where(stated & ~all_lost, stated_reason, inferred_reason), index=idx)
        return star, reason

    @staticmethod
    def _sample_stars(c: pd.DataFrame, s: dict, sample: pd.Series, config: Config) -> tuple[pd.Series, pd.Series]:
        idx = c.index
        value = c["sample_value"].astype("float64")
        units = c["sample_units"].astype("float64")
        wanted = c["requested_quantity"].astype("float64")
        group_value, group_units, group_wanted = value[sample], units[sample], wanted[sample].dropna()
        big_value = value >= group_value.quantile(s["sample_big_quantile"]) if sample.any() else value > np.inf
        big_wanted = (wanted >= group_wanted.quantile(s["sample_big_quantile"])) if len(group_wanted) \
            else pd.Series(False, index=idx)
        words = BIG_B_WORDS + list(config.tables.get("business_type", {}).get("big_b", []))
        big_b = contains_any(c["business_type"], words)
        small = (units <= group_units.quantile(s["sample_small_quantile"])) & (
            value <= group_value.quantile(s["sample_small_quantile"])) if sample.any() else value > np.inf
        tiny = value <= group_value.quantile(s["sample_tiny_quantile"]) if sample.any() else value > np.inf
        quiet = pd.concat([c["contact_days"].astype("float64"), c["sample_days"].astype("float64")], axis=1).min(axis=1)
        silent = quiet > s["silent_days"]
        big = big_value | big_wanted.fillna(False) | big_b
        star = pd.Series(np.select([big, tiny & silent, small], ["3", "0", "1"], "2"), index=idx)
        top = f"{1 - s['sample_big_quantile']:.0%}"

        def rows(template: str) -> pd.Series:
            return format_rows(template, idx, top=top, money=value.round(2), declared=c["business_type"],
                               wanted=wanted.round(0).astype("Int64"), quiet=quiet.astype("Int64"),
                               units=counted(units, _("{n} unit"), _("{n} units")))

        reason = pd.Series(np.select(
            [big_b, big_value, big, tiny & silent, small],
            [rows(_("declared {declared}: a predicted big customer")),
             rows(_("sample value {money} in the top {top} of sample customers: a predicted big customer")),
             rows(_("requested quantity {wanted} in the top {top} of sample customers: a predicted big customer")),
             rows(_("tiny sample ({money}), no contact for {quiet} days: leaning C")),
             rows(_("small sample: {units}, value {money}"))],
            rows(_("average sample: {units}, value {money}"))), index=idx)
        return star, reason


# ---------------------------------------------------------------- its summary tables (of a scored result)

def stars_table(result: Scored, lang: str = "en") -> pd.DataFrame:
    """Customers per star rating, inquiry and sample customers apart."""
    cols = ["code", "label", "inquiry_customers", "sample_customers", "customers"]
    c = result.customers
    if "stars" not in c:
        return pd.DataFrame(columns=cols)
    codes = list(code_labels("stars"))
    grid = pd.crosstab(c["stars"], c["stars_group"]).reindex(index=codes, columns=["inquiry", "sample"],
                                                             fill_value=0).astype("int64")
    return pd.DataFrame({
        "code": codes, "label": [label("stars", x, lang) for x in codes],
        "inquiry_customers": grid["inquiry"].to_numpy(), "sample_customers": grid["sample"].to_numpy(),
        "customers": (grid["inquiry"] + grid["sample"]).to_numpy(),
    })[cols]
