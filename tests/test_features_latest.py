"""features._latest_values: the contact details' "value on the latest line" without sorting every line."""

import numpy as np
import pandas as pd
import pytest

from tiercli.features import _latest_values


def _sorted_last(lines: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    if not lines["date"].is_monotonic_increasing:
        lines = lines.sort_values("date", na_position="first", kind="stable")
    return lines.groupby("customer")[columns].last()


@pytest.mark.parametrize("seed", range(40))
def test_latest_values_is_the_stable_date_sort_then_last(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 80))
    lines = pd.DataFrame({
        "customer": pd.array(rng.choice(["a", "b", "c", "d", None], n), dtype="str"),
        # ties, missing dates and lines out of date order
        "date": pd.to_datetime(pd.Series(rng.choice(["2020-01-01", "2020-01-02", "2019-05-05", None], n),
                                         dtype=object)),
        "name": pd.array(rng.choice(["x", "y", None], n), dtype="str"),
        "accepts_marketing": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
        "email": pd.array([None] * n, dtype="str"),
    })
    for columns in (["name", "accepts_marketing", "email"], ["name"], []):
        pd.testing.assert_frame_equal(_latest_values(lines, columns), _sorted_last(lines, columns),
                                      check_exact=True)


def test_latest_values_takes_the_latest_dated_line_not_the_last_line():
    lines = pd.DataFrame({"customer": pd.array(["a", "a", "a", "b"], dtype="str"),
                          "date": pd.to_datetime(["2021-03-01", "2021-01-01", None, "2020-01-01"]),
                          "name": pd.array(["late", "early", "undated", None], dtype="str")})
    out = _latest_values(lines, ["name"])
    assert out.loc["a", "name"] == "late"
    assert pd.isna(out.loc["b", "name"])
