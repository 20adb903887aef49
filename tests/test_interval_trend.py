"""The rank test on interval indices (landscape.experiments.dauphin.interval_trend)."""

import numpy as np
import pytest

from landscape.base.verdicts import Outcome
from landscape.experiments.dauphin.interval_trend import interval_trend, kendall_end

RNG = np.random.default_rng(3)
INDEX = np.repeat(np.arange(0, 20), 3)  # (60,) many ties, as integer indices have
RISING = 2.0 * INDEX + RNG.normal(0, 3, INDEX.size)  # error in %


def test_kendall_end_is_scipys_tau_b_one_sided():
    from scipy.stats import kendalltau

    end = kendall_end(RISING, INDEX, 0.05)
    tau, p = kendalltau(INDEX, RISING, variant="b", alternative="greater")
    assert end.tau == pytest.approx(tau) and end.p_value == pytest.approx(p)
    assert end.outcome == Outcome.HOLDS and end.tau > 0.5


@pytest.mark.parametrize(
    "low, high, error, outcome",
    [
        (INDEX, INDEX + 2, RISING, Outcome.HOLDS),  # rises whichever way the band is read
        (INDEX, INDEX, -RISING, Outcome.FAILS),  # falls at both ends
        # the undecided eigenvalues decide: rising at the low end, falling at the high end
        (INDEX, INDEX + 60 - 3 * INDEX, RISING, Outcome.UNDECIDED),
        # a weak rise (tau_b = 0.07, p = 0.43), short of significance at both ends
        (np.arange(10), np.arange(10), np.array([5, 0, 9, 1, 8, 2, 7, 3, 6, 4]), Outcome.UNDECIDED),
        (INDEX[:5], INDEX[:5], RISING[:5], Outcome.UNDECIDED),  # too few to test
        (INDEX[:0], INDEX[:0], RISING[:0], Outcome.NOT_MEASURED),
    ],
)
def test_interval_trend_outcomes(low, high, error, outcome):
    got = interval_trend(error, low, high, min_points=10, alpha=0.05)
    assert got.outcome == outcome, (got.low, got.high)


def test_a_constant_index_cannot_decide():
    got = interval_trend(RISING, np.zeros(60), np.zeros(60), 10, 0.05)
    assert got.outcome == Outcome.UNDECIDED and np.isnan(got.low.tau)


def test_bad_intervals_are_refused():
    with pytest.raises(ValueError, match="high < low"):
        interval_trend(RISING, INDEX + 1, INDEX, 10, 0.05)
    with pytest.raises(ValueError, match="differ in length"):
        interval_trend(RISING[:3], INDEX, INDEX, 10, 0.05)
