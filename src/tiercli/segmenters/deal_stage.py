"""deal_stage — where the customer stands in the deal (seed 003): potential, inquiry, sample, deal, repeat."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config, Setting
from ..i18n import _, counted, format_rows, tr
from .base import (
    Scored,
    Segmenter,
    code_labels,
    header,
    label,
    register,
    segmenter_title,
    table_sheet,
)


def stage_masks(customers: pd.DataFrame, repeat_orders: int) -> dict[str, pd.Series]:
    """The deal stages as masks, highest first; the first that holds wins (``stars`` uses the same groups).

    Sample orders never count as deals: a customer with one deal and any number of samples is ``deal``.
    """
    deals = customers["frequency"]
    paid = customers["paid_orders"] > 0
    return {
        "repeat": deals >= repeat_orders,
        "deal": deals >= 1,
        "sample": paid & (customers["sample_orders"] > 0),
        "inquiry": customers["inquiries"] > 0,
    }


@register
class DealStage(Segmenter):
    name = "deal_stage"
    # its settings ([deal_stage] in tiercli.toml, TIERCLI_DEAL_STAGE_* in the environment)
    options = (
        Setting("repeat_orders", 2, "repeat: at least this many paid non-sample orders (deal: fewer, at least one)."),
    )
    title = "Deal stage"
    title_zh = "客户成交阶段"
    requires = ("orders|inquiries",)
    reads = ("frequency", "paid_orders", "sample_orders", "inquiries", "last_inquiry", "event_count")
    outputs = ("deal_stage", "deal_stage_reason")
    # its columns' headers: column -> (English, Chinese)
    headers = {
        "deal_stage": ("Deal stage", "成交阶段"),
        "deal_stage_reason": ("Deal stage reason", "成交阶段依据"),
    }
    labels = {
        "potential": ("Potential", "潜在客户"),
        "inquiry": ("Inquiry", "询盘客户"),
        "sample": ("Sample", "样单客户"),
        "deal": ("Deal", "成交客户"),
        "repeat": ("Repeat", "复购客户"),
    }

    def segment(self, customers: pd.DataFrame, config: Config) -> pd.DataFrame:
        repeat_orders = int(config["deal_stage.repeat_orders"])
        masks = stage_masks(customers, repeat_orders)
        idx = customers.index
        stage = pd.Series(np.select(list(masks.values()), list(masks), "potential"), index=idx)
        samples = customers["sample_orders"]
        plus_samples = pd.Series(np.where(
            samples > 0, format_rows(_(", plus {samples}"), idx,
                                     samples=counted(samples, _("{n} sample order"), _("{n} sample orders"))), ""),
            index=idx)
        last_inq = customers["last_inquiry"].dt.strftime("%Y-%m-%d")
        visits = customers["event_count"]
        reason = pd.Series(np.select(
            [stage.isin(["repeat", "deal"]), stage.eq("sample"), stage.eq("inquiry"), visits > 0],
            [counted(customers["frequency"], _("{n} paid order"), _("{n} paid orders")) + plus_samples,
             format_rows(_("{samples}, no bulk order"), idx,
                         samples=counted(samples, _("{n} paid sample order"), _("{n} paid sample orders"))),
             format_rows(_("{inquiries}, the last on {date}, no paid order"), idx, date=last_inq,
                         inquiries=counted(customers["inquiries"], _("{n} inquiry"), _("{n} inquiries"))),
             format_rows(_("no inquiry or paid order; {visits}"), idx,
                         visits=counted(visits, _("{n} visit event"), _("{n} visit events")))],
            _("no inquiry or paid order")), index=idx)
        return pd.DataFrame({"deal_stage": stage.astype("str"), "deal_stage_reason": reason.astype("str")},
                            index=idx)

    @classmethod
    def sheets(cls, result: Scored, lang: str = "en") -> list:
        """The pipeline: customers at each stage, and how many reached it with the conversion."""
        from ..io.write import Chart

        h = {c: header(c, lang) for c in ("label", "customers", "reached", "conversion")}
        t = tr("Deal pipeline", lang)
        return table_sheet(result, t, pipeline(result, lang), lang=lang, charts=(
            Chart(kind="column", title=t, categories=h["label"], values=(h["customers"],)),
            Chart(kind="pareto", title=f"{h['reached']} · {h['conversion']}", categories=h["label"],
                  values=(h["reached"], h["conversion"]))))

    @classmethod
    def render(cls, console, result: Scored, lang: str = "en") -> None:
        """The pipeline instead of the label table."""
        from ..draw import green_bar, pct, titled_table

        cur = result.dataset.currency or ""
        t = titled_table(console, _("{title} pipeline").format(title=segmenter_title(cls.name, lang)),
                         [header(c, lang) for c in ("label", "customers")] + ["%", header("reached", lang),
                          header("conversion", lang), header("revenue", lang) + (f" ({cur})" if cur else ""), ""])
        for r in pipeline(result, lang).itertuples(index=False):
            t.add_row(str(r.label), f"{r.customers:,}", f"{r.share:.1%}", f"{r.reached:,}", pct(r.conversion),
                      f"{r.revenue:,.0f}", green_bar(r.share))
        console.print(t)


# ---------------------------------------------------------------- its summary tables (of a scored result)

def pipeline(result: Scored, lang: str = "en") -> pd.DataFrame:
    """The deal-stage pipeline: customers at each stage, how many reached it or a later one, the
    conversion from the stage before (reached / reached before) and revenue."""
    cols = ["code", "label", "customers", "share", "reached", "conversion", "revenue"]
    c = result.customers
    if "deal_stage" not in c or not len(c):
        return pd.DataFrame(columns=cols)
    codes = list(code_labels("deal_stage"))
    counts = c["deal_stage"].value_counts().reindex(codes, fill_value=0).astype("int64")
    reached = counts[::-1].cumsum()[::-1]
    frame = pd.DataFrame({
        "code": codes, "label": [label("deal_stage", x, lang) for x in codes], "customers": counts.to_numpy(),
        "share": (counts / counts.sum()).to_numpy(), "reached": reached.to_numpy(),
        "conversion": (reached / reached.shift(1)).to_numpy(),
        "revenue": c.groupby("deal_stage")["revenue"].sum().reindex(codes, fill_value=0.0).round(2).to_numpy(),
    })
    return frame[cols]
