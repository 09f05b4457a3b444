"""whales — an example tiercli plugin: the buyers whose net value puts them in the top share of all buyers.

It declares what a built-in segmenter declares, and tiercli gathers it the same way:

- a setting, ``whales.top_share`` (``[whales]`` in tiercli.toml, ``TIERCLI_WHALES_TOP_SHARE``, listed by
  ``tiercli config``);
- its columns ``whales`` and ``whales_reason`` with headers in English and Chinese, and its labels;
- a workbook sheet, "Whales by country", and the same table in the summary ``tiercli score`` prints.
"""

from __future__ import annotations

import pandas as pd

from tiercli.config import Setting
from tiercli.segmenters.base import Segmenter, header, table_sheet

SHEET = {"en": "Whales by country", "zh": "鲸鱼客户 · 按国家"}


class Whales(Segmenter):
    """The buyers whose net value is in the top ``top_share`` of all buyers (at least one of them); every
    other buyer is ``other``; a customer without a paid order has no label."""

    name = "whales"
    title = "Whales"
    title_zh = "鲸鱼客户"
    requires = ("orders",)
    reads = ("monetary", "frequency", "country")
    outputs = ("whales", "whales_reason")
    headers = {"whales": ("Whale", "鲸鱼客户"), "whales_reason": ("Whale reason", "鲸鱼依据")}
    labels = {"whale": ("Whale", "鲸鱼"), "other": ("Other buyer", "其他买家")}
    options = (Setting("top_share", 0.05, "whale: net value in this top share of buyers (0.05 = the top 5%)."),)

    def segment(self, customers: pd.DataFrame, config) -> pd.DataFrame:
        share = float(config.get("whales.top_share", 0.05))
        buyers = customers["frequency"] > 0
        value = customers["monetary"].where(buyers)
        rank = value.rank(ascending=False, method="first")
        top = max(1, round(share * int(buyers.sum())))
        whale = rank.le(top) & buyers
        label = pd.Series("other", index=customers.index).where(~whale, "whale").where(buyers)
        reason = ("net value rank " + rank.astype("Int64").astype("str") + f" of {int(buyers.sum())} buyers "
                  f"(whales: the top {top})").where(buyers, "no paid order")
        return pd.DataFrame({"whales": label.astype("str"), "whales_reason": reason.astype("str")},
                            index=customers.index)

    @classmethod
    def by_country(cls, result, lang: str = "en") -> pd.DataFrame:
        """Whales per country (named in ``lang``): how many, their revenue and its share of all whales'
        revenue, most first."""
        from tiercli.countries import display

        c = result.customers
        whales = c[c["whales"].eq("whale").fillna(False)]
        g = whales.groupby(display(whales["country"], lang).fillna("-").astype("str"))
        frame = pd.DataFrame({"customers": g.size(), "revenue": g["revenue"].sum().round(2)})
        total = frame["revenue"].sum()
        frame["revenue_share"] = frame["revenue"] / total if total else 0.0
        frame = frame.sort_values(["revenue", "customers"], ascending=False)
        return frame.rename_axis("country").reset_index()

    @classmethod
    def sheets(cls, result, lang: str = "en") -> list:
        return table_sheet(result, SHEET[lang], cls.by_country(result, lang), lang=lang,
                           formats={"revenue_share": "0.0%"})

    @classmethod
    def render(cls, console, result, lang: str = "en") -> None:
        from tiercli.draw import green_bar, titled_table

        super().render(console, result, lang)  # the label table every segmenter gets
        frame = cls.by_country(result, lang)
        t = titled_table(console, SHEET[lang],
                         [header(c, lang) for c in ("country", "customers", "revenue")] + ["%", ""])
        for r in frame.itertuples(index=False):
            t.add_row(str(r.country), f"{r.customers:,}", f"{r.revenue:,.0f}", f"{r.revenue_share:.1%}",
                      green_bar(r.revenue_share))
        console.print(t)
