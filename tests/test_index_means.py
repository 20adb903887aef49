"""Fig. 6a's means per index value and their fits (landscape.experiments.index_fit.index_means)."""

import numpy as np
import pytest

from landscape.experiments.index_fit.index_means import (
    FitStatus,
    MeansFitOptions,
    fit_means,
    index_means,
    linear_network_energy,
    quadratic_law,
)

P = 512


def runs(law_exponent: float, eps_c: float = 0.28, per_index: int = 40, noise: float = 0.002):
    """Kept runs whose energy at index k scatters around a power law alpha = a0 (eps/eps_c - 1)^p.

    Index counts k = 4, 8, ..., 48 (alpha up to 0.094), per_index runs each, Gaussian noise.
    """
    rng = np.random.default_rng(7)
    ks = np.repeat(np.arange(4, 52, 4), per_index)  # (R,)
    alpha = ks / P
    eps = eps_c * (1 + (alpha / 0.5) ** (1 / law_exponent))  # the law solved for eps
    return ks, eps + noise * rng.standard_normal(len(ks))


def test_index_means_averages_the_energy_at_each_index_value():
    table = index_means(np.array([0, 2, 2, 5]), np.array([0.1, 0.2, 0.4, 0.3]), P)
    assert table["n_negative"].tolist() == [0, 2, 5]
    assert table["runs"].tolist() == [1, 2, 1]
    assert table["energy_mean"].tolist() == pytest.approx([0.1, 0.3, 0.3])
    assert table["index"].tolist() == pytest.approx([0, 2 / P, 5 / P])
    assert table["energy_se"].iloc[1] == pytest.approx(np.std([0.2, 0.4], ddof=1) / np.sqrt(2))
    assert np.isnan(table["energy_se"].iloc[0])


def test_a_three_halves_law_is_recovered_with_its_eps_c():
    ks, eps = runs(1.5)
    row = fit_means(ks, eps, P, MeansFitOptions(bootstrap=60))
    assert row["status"] == FitStatus.FITTED and row["points"] == 12
    assert row["eps_c_low"] <= 0.28 <= row["eps_c_high"]
    assert row["eps_c"] == pytest.approx(0.28, rel=0.02)
    assert row["three_halves_inside"] is True
    assert row["exponent_high"] < 3.0 and row["exponent_low"] > 0.75
    assert row["max_residual"] >= row["rms_fixed"] > 0


def test_a_cubic_law_puts_three_halves_outside():
    ks, eps = runs(3.0, noise=0.0005)
    row = fit_means(ks, eps, P, MeansFitOptions(bootstrap=60))
    assert row["status"] == FitStatus.FITTED
    assert row["three_halves_inside"] is False and row["exponent_low"] > 1.5


def test_index_values_with_fewer_than_min_runs_are_not_fitted():
    ks, eps = runs(1.5, per_index=20)
    row = fit_means(ks, eps, P, MeansFitOptions(min_runs=30, bootstrap=10))
    assert row["status"] == FitStatus.TOO_FEW_POINTS and row["points"] == 0
    assert np.isnan(row["eps_c"]) and row["three_halves_inside"] == ""
    # above max_index: not "small alpha"
    row = fit_means(ks, eps, P, MeansFitOptions(min_runs=10, max_index=0.03, bootstrap=10))
    assert row["points"] == 3 and row["status"] == FitStatus.TOO_FEW_POINTS


def test_the_reference_curves_of_fig_6b():
    assert quadratic_law(0.25) == pytest.approx(0.28125)
    assert linear_network_energy(0.5) == pytest.approx(0.25)
    assert np.all(quadratic_law(np.array([0.1, 0.5])) < linear_network_energy(np.array([0.1, 0.5])))
