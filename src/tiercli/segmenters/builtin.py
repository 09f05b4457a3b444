"""Imports the built-in segmenters so they register (the same path plugins take)."""

from . import (  # noqa: F401
    abc,
    aipl,
    buyer_type,
    churn,
    cluster,
    clv,
    deal_stage,
    lifecycle,
    process,
    rfm,
    stars,
    tier,
)

# the order summaries and outputs show them in: value first, then behaviour
ORDER = ["rfm", "abc", "tier", "lifecycle", "buyer_type", "deal_stage", "process", "aipl", "stars", "churn", "clv", "cluster"]
