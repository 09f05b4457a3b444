"""The terminal summary never lets text from an export act on the terminal."""

from __future__ import annotations

import io

from tiercli.report import make_console
from tiercli.scoring import score

ORDERS = (
    "Order ID,Order Date,Customer ID,Email,Quantity,Unit Price,Status\n"
    "1,2026-01-05,C1,a@example.com,1,10,[link=https://evil.example]pay here[/link]\n"
    "2,2026-01-06,C2,b@example.com,1,10,\x1b[31mred\x1b[0m\n"
    "3,2026-01-07,C3,c@example.com,1,10,paid\n"
)


def test_markup_and_escape_sequences_from_an_export_print_as_plain_text(tmp_path):
    from tiercli.report import render_score

    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    result = score([path], segmenters=["rfm"])
    out = io.StringIO()
    console = make_console(out)
    console.force_terminal = True  # even on a real terminal
    render_score(console, result)
    text = out.getvalue()
    assert "[link=https://evil.example]" in text, "the unknown status is shown literally"
    assert "\x1b]8;" not in text, "no terminal hyperlink"
    assert "\x1b[31m" not in text, "no colour escape from the data"
