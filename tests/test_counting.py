"""Section 4a: 2^-N and the GOE Monte Carlo against closed forms."""

import math

from landscape.engine.stats import wilson_interval
from landscape.experiments.counting.counting import (
    counting_table,
    goe_positive_definite,
    log10_all_positive,
)


def test_log10_all_positive_is_minus_n_log10_two():
    assert log10_all_positive(1) == math.log10(0.5)
    assert math.isclose(log10_all_positive(682), 682 * math.log10(0.5), rel_tol=1e-15)


def test_goe_rates_match_the_closed_forms_for_one_and_two():
    # N = 1: a single N(0, 1) entry is positive with probability 1/2. N = 2: the GOE matrix
    # [[a, c], [c, b]] with a, b ~ N(0, 1), c ~ N(0, 1/2) is positive definite with probability
    # (2 - sqrt 2) / 4, by integrating over the angle of (a - b, 2c) / 2 and a + b.
    samples = 100_000
    for n, exact in ((1, 0.5), (2, (2 - math.sqrt(2)) / 4)):
        low, high = wilson_interval(goe_positive_definite(n, samples, seed=n), samples)
        assert low <= exact <= high, (n, low, exact, high)


def test_counting_table_rows_are_sorted_and_seeded():
    table = counting_table({"big": 100, "small": 10}, goe_max_n=3, samples=5000, seed=0)
    nets = table[table["kind"] == "network"]
    assert nets["name"].tolist() == ["small", "big"]
    assert table[table["kind"] == "goe"]["n_params"].tolist() == [1, 2, 3]
    again = counting_table({"big": 100, "small": 10}, goe_max_n=3, samples=5000, seed=0)
    assert table.equals(again)
