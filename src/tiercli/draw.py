"""Drawing pieces every terminal table shares: the box, the inline bar, percentages, a titled table and the
summary table of a label column.  Below report and the segmenters (a segmenter draws its own tables with
these); it imports rich and the words of the column headers, nothing of tiercli's above.
"""

from __future__ import annotations

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text


def table_box(console: Console):
    """Lines on a terminal; plain ASCII in logs and pipes."""
    return box.SIMPLE_HEAD if console.is_terminal else box.ASCII2


def bar(share: float, width: int = 20) -> str:
    """A share (0..1) as a bar of ``width`` blocks, half blocks rounded."""
    full = share * width
    n = int(full)
    return "█" * n + ("▌" if full - n >= 0.5 else "")


def green_bar(share: float) -> Text:
    return Text(bar(share), style="green")


def pct(x) -> str:
    """A share as 12.3%; a missing one as nothing."""
    return "" if x is None or x != x else f"{x:.1%}"


def titled_table(console: Console, title: str, columns: list[str] | None = None) -> Table:
    """A table with its title on the left; ``columns``: the first left-aligned, the rest right-aligned
    (an unnamed column, a bar's, does not wrap)."""
    t = Table(title=title, box=table_box(console), title_justify="left", title_style="bold cyan")
    for i, col in enumerate(columns or ()):
        t.add_column(col, justify="left" if i == 0 else "right", no_wrap=not col)
    return t


def label_table(console: Console, title: str, frame: pd.DataFrame, head, currency: str = "") -> None:
    """A label column's summary (``segment_summary``): label, customers, share, revenue, share of revenue and
    a bar of that share.  ``head(column)`` names a column in the run's language."""
    t = Table(title=title, box=table_box(console), title_justify="left", title_style="bold cyan")
    t.add_column(head("label"))
    t.add_column(head("customers"), justify="right")
    t.add_column("%", justify="right")
    t.add_column(head("revenue") + (f" ({currency})" if currency else ""), justify="right")
    t.add_column("%", justify="right")
    t.add_column("", no_wrap=True)
    for row in frame.itertuples(index=False):
        t.add_row(str(row.label), f"{row.customers:,}", f"{row.share:.1%}", f"{row.revenue:,.0f}",
                  f"{row.revenue_share:.1%}", green_bar(row.revenue_share))
    console.print(t)
