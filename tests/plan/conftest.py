"""Scored examples shared by the planning tests (scoring once per session keeps the suite quick)."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="session")
def alibaba():
    from tiercli.scoring import score

    return score([EXAMPLES / "alibaba"])


@pytest.fixture(scope="session")
def shopify():
    from tiercli.scoring import score

    return score([EXAMPLES / "shopify"])


@pytest.fixture
def contact_rows():
    """Canonical contact-log rows (as read from a log) from (customer, date, purpose[, campaign]) tuples."""
    return _contact_rows


def _contact_rows(rows):
    import pandas as pd

    return pd.DataFrame({
        "customer": [r[0] for r in rows], "customer_id": [r[0] for r in rows], "email": [None] * len(rows),
        "date": pd.to_datetime([r[1] for r in rows]), "purpose": [r[2] for r in rows],
        "campaign": [r[3] if len(r) > 3 else "manual" for r in rows],
    })
