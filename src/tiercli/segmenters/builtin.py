"""Imports the built-in segmenters so they register (the same path plugins take)."""

from . import abc, buyer_type, churn, clv, lifecycle, rfm, tier  # noqa: F401

# the order summaries and outputs show them in: value first, then behaviour
ORDER = ["rfm", "abc", "tier", "lifecycle", "buyer_type", "churn", "clv"]
