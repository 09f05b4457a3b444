"""tiercli: tier cross-border e-commerce customers from the exports sellers already have.

From a notebook::

    import tiercli
    customers = tiercli.score(["orders.xlsx"])   # one row per customer, every label and its reason
"""

from __future__ import annotations

__version__ = "0.2.0"


def _segmenter_settings():
    """The registered segmenters' settings (``rfm.bins`` ...), imported when a config is first read."""
    from .segmenters.base import segmenter_settings

    return segmenter_settings()


def _wire() -> None:
    """The package root puts the rooms together: config (below the segmenters) learns their settings."""
    from .config import add_settings_source

    add_settings_source(_segmenter_settings)


_wire()


def score(paths, **options):
    """Tier the customers in ``paths`` (files or folders); returns a DataFrame indexed by customer_id.

    Options are those of :func:`tiercli.scoring.score` (``segmenters``, ``as_of``, ``preset``,
    ``rates``, ``config_path``, ``blacklist`` ...).  For the summaries too, use that function.
    """
    from .scoring import score as _score

    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        paths = [paths]
    return _score(list(paths), **options).table().set_index("customer_id")
