"""Closed forms (linear autoencoder, scalar deep linear losses, regression optima) vs numerics."""

import itertools

import pytest
import torch

from landscape.base.options import Numerics
from landscape.engine.critical import FinderOptions
from landscape.engine.curvature import grad_norm_sq, make_hessian
from landscape.engine.models import deep_linear, make_loss
from landscape.engine.spectrum import summarize_spectrum
from landscape.engine.theory import (
    covariance_equivalent,
    deep_linear_critical_point,
    deep_linear_critical_values,
    deep_linear_regression_problem,
    gaussian_with_covariance,
    linear_ae_critical_points,
    linear_regression_optimum,
    nearest_analytic,
    product_loss,
    product_loss_hessian,
)
from landscape.experiments.deep_linear.deep_linear import (
    OptimumOptions,
    SaddleOptions,
    optimum_runs,
    saddle_table,
    toy_table,
    whiten,
)


def _linear_ae_point(subset: tuple[int, ...], d: int, p: int) -> torch.Tensor:
    """A critical point of the linear autoencoder projecting onto the axes in ``subset``.

    Returns:
        Flat parameters [W1 (p, d), W2 (d, p)] in the layout of ``deep_linear((d, p, d))``.
    """
    w1 = torch.zeros(p, d, dtype=torch.float64)
    w2 = torch.zeros(d, p, dtype=torch.float64)
    for k, i in enumerate(subset):
        w1[k, i] = 1.0
        w2[i, k] = 1.0
    return torch.cat([w1.flatten(), w2.flatten()])


def test_data_has_exact_moments():
    x = gaussian_with_covariance(300, [1.0, 2.0, 5.0], seed=0)
    torch.testing.assert_close(x.mean(0), torch.zeros(3, dtype=torch.float64), atol=1e-14, rtol=0)
    cov = x.T @ x / 300
    torch.testing.assert_close(cov, torch.diag(torch.tensor([1.0, 2.0, 5.0]).double()))


@pytest.mark.parametrize(("d", "p"), [(5, 2), (6, 3)])
def test_analytic_points_are_critical_with_the_stated_loss_and_index(d, p):
    lam = torch.arange(1, d + 1, dtype=torch.float64)
    x = gaussian_with_covariance(200, lam, seed=1)
    model = deep_linear((d, p, d))
    loss_fn = make_loss(model, "mse", x, x)
    hess = make_hessian(model, "mse", x, x)
    table = linear_ae_critical_points(lam, p).set_index("subset")
    assert len(table) == sum(len(list(itertools.combinations(range(d), r))) for r in range(p + 1))
    for subset in [(), (0,), (d - 1,), tuple(range(p)), tuple(range(d - p, d))]:
        theta = _linear_ae_point(subset, d, p)
        row = table.loc[" ".join(map(str, subset))]
        assert float(grad_norm_sq(loss_fn, theta[None])[0]) < 1e-24
        assert float(loss_fn(theta)) == pytest.approx(row["loss"], rel=1e-13)
        s = summarize_spectrum(torch.linalg.eigvalsh(hess(theta)), 10.0)
        assert s.n_negative == row["n_negative"]
    top = table.loc[" ".join(map(str, range(d - p, d)))]
    assert top["n_negative"] == 0 and top["loss"] == table["loss"].min()  # the global minimum


def test_nearest_analytic_breaks_loss_ties_by_index():
    table = linear_ae_critical_points([1.0, 2.0, 3.0, 4.0, 5.0], 3)
    # {4} (rank 1) and {0, 3} (rank 2) leave the same loss, 5, with 8 and 7 negative eigenvalues.
    tied = table[(table["loss"] - 5.0).abs() < 1e-12]
    assert tied["n_negative"].nunique() > 1
    for _, row in tied.iterrows():
        got = nearest_analytic(5.0 + 1e-12, int(row["n_negative"]), table)
        assert got["n_negative"] == row["n_negative"] and got["loss"] == 5.0
    assert nearest_analytic(5.3, 0, table)["loss"] == 5.5


def test_covariance_equivalent_data_gives_the_same_loss_gradient_and_hessian():
    x = gaussian_with_covariance(2000, torch.arange(1.0, 7.0), seed=2)
    small = covariance_equivalent(x)
    assert small.shape == (6, 6)
    model = deep_linear((6, 2, 6))
    theta = 0.3 * torch.randn(model.n_params, generator=torch.Generator().manual_seed(0)).double()
    full, reduced = make_loss(model, "mse", x, x), make_loss(model, "mse", small, small)
    torch.testing.assert_close(reduced(theta), full(theta), rtol=1e-12, atol=0)
    g_full = torch.func.grad(full)(theta)
    torch.testing.assert_close(torch.func.grad(reduced)(theta), g_full, rtol=1e-11, atol=1e-13)
    h_full = make_hessian(model, "mse", x, x)(theta)
    h_small = make_hessian(model, "mse", small, small)(theta)
    torch.testing.assert_close(h_small, h_full, rtol=1e-11, atol=1e-12)


def test_nearest_analytic_at_a_zero_global_minimum():
    table = linear_ae_critical_points([1.0, 2.0, 3.0], 3)  # hidden >= input: the minimum is 0
    got = nearest_analytic(1e-20, 0, table)
    assert got["subset"] == "0 1 2" and got["loss"] == 0.0


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_product_loss_hessian_closed_form_matches_autograd(k):
    gen = torch.Generator().manual_seed(k)
    for _ in range(5):
        w = torch.randn(k, generator=gen, dtype=torch.float64)
        expected = torch.autograd.functional.hessian(product_loss, w)
        torch.testing.assert_close(product_loss_hessian(w), expected, rtol=1e-12, atol=1e-12)


def test_deep_linear_toy_table_at_the_origin_and_on_the_valley():
    table = toy_table(Numerics())
    assert table["critical"].all() and (table["max_abs_diff"] <= 1e-12).all()
    origin = table[table["where"] == "origin"].set_index("layers")
    assert origin.loc[2, "definiteness"] == "indefinite" and origin.loc[2, "n_negative"] == 1
    assert origin.loc[3, "definiteness"] == "zero" and origin.loc[3, "n_zero"] == 3
    assert origin["matches_derived"].all()
    valley = table[table["where"] == "valley"]
    # On the valley the Hessian 2 grad f grad f^T has rank one: one positive eigenvalue.
    assert (valley["loss"] == 0).all() and (valley["n_negative"] == 0).all()
    assert (valley["n_zero"] == valley["layers"] - 1).all()
    assert set(valley["definiteness"]) == {"positive semidefinite"}


def _eckart_young_optimum(x, y, rank):
    """Brute force: the least-squares fit, truncated by SVD to the best rank-r fit of the data."""
    w = torch.linalg.lstsq(x, y).solution  # (d_x, d_y)
    fitted = x @ w  # (n, d_y)
    u, s, vh = torch.linalg.svd(fitted, full_matrices=False)
    best = (u[:, :rank] * s[:rank]) @ vh[:rank]  # the closest rank-r matrix in the column space
    return float(0.5 * ((best - y) ** 2).sum(dim=1).mean())


@pytest.mark.parametrize("rank", [1, 2, 3, 5, None])
def test_linear_regression_optimum_matches_eckart_young(rank):
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(200, 6, generator=gen, dtype=torch.float64)
    y = x @ torch.randn(6, 5, generator=gen, dtype=torch.float64)
    y = y + 0.3 * torch.randn(200, 5, generator=gen, dtype=torch.float64)
    expected = _eckart_young_optimum(x, y, 5 if rank is None else rank)
    assert linear_regression_optimum(x, y, rank) == pytest.approx(expected, rel=1e-10)


def test_linear_regression_optimum_on_cases_with_known_answers():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(100, 4, generator=gen, dtype=torch.float64)
    # A rank-2 map is fitted exactly by any rank >= 2, and not by rank 1.
    a = torch.randn(4, 2, generator=gen, dtype=torch.float64) @ torch.randn(
        2, 3, generator=gen, dtype=torch.float64
    )
    y = x @ a
    assert linear_regression_optimum(x, y) == pytest.approx(0.0, abs=1e-12)
    assert linear_regression_optimum(x, y, 2) == pytest.approx(0.0, abs=1e-12)
    assert linear_regression_optimum(x, y, 1) > 1e-3
    # Rank 0 (a zero map) leaves the whole target: 1/2 mean ||y||^2.
    assert linear_regression_optimum(x, y, 0) == pytest.approx(0.5 * float((y * y).sum(1).mean()))


def test_whiten_gives_identity_second_moments_and_drops_constant_directions():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(300, 5, generator=gen, dtype=torch.float64) @ torch.randn(
        5, 5, generator=gen, dtype=torch.float64
    )
    x = torch.cat([x, torch.zeros(300, 2, dtype=torch.float64)], dim=1)  # two constant pixels
    w = whiten(x)
    assert w.shape == (300, 5)
    torch.testing.assert_close(w.T @ w / 300, torch.eye(5, dtype=torch.float64))


@pytest.mark.parametrize("width", [6, 2])  # wide (least squares) and a bottleneck (rank 2)
def test_trained_deep_linear_networks_reach_the_closed_form_optimum(width):
    gen = torch.Generator().manual_seed(2)
    x = whiten(torch.randn(200, 5, generator=gen, dtype=torch.float64))
    y = x @ torch.randn(5, 3, generator=gen, dtype=torch.float64)
    y = y + 0.1 * torch.randn(200, 3, generator=gen, dtype=torch.float64)
    opts = OptimumOptions(depths=(1, 2), hidden_widths=(width,), networks=2, steps=300)
    finder = FinderOptions(max_iter=opts.polish_iter, damping=1e-8)
    table = optimum_runs("gaussian", x, y, opts, finder, factor=10.0)
    rank = None if width >= 3 else width
    expected = linear_regression_optimum(x, y, rank)
    assert (table["optimum_loss"] == expected).all() and table["bottleneck"].tolist() == [
        rank is not None
    ] * 4
    assert (table["status"] == "critical").all() and table["at_optimum"].all()
    assert (table["n_negative"] == 0).all() and (table["rel_gap"] < 1e-10).all()


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_analytic_deep_linear_critical_points(depth):
    """Every subset's balanced point is critical with the closed-form loss; flat beyond depth 1."""
    s_values = [3.0, 2.0, 1.0, 0.5]
    x, y, u, s, v = deep_linear_regression_problem(100, s_values, seed=4)
    widths = (4, *[3] * depth, 4)
    model = deep_linear(widths)
    loss_fn = make_loss(model, "mse", x, y)
    hess = make_hessian(model, "mse", x, y)
    values = deep_linear_critical_values(s_values, 3)
    assert len(values) == 1 + 4 + 6 + 4  # subsets of at most 3 of 4 directions
    for row in values.itertuples():
        subset = tuple(int(i) for i in row.subset.split()) if row.subset else ()
        theta = deep_linear_critical_point(subset, u, s, v, widths)
        assert float(loss_fn(theta)) == pytest.approx(row.loss, rel=1e-12)
        assert float(grad_norm_sq(loss_fn, theta[None])[0]) <= 1e-24
        summary = summarize_spectrum(torch.linalg.eigvalsh(hess(theta)), 10.0, norm=10.0)
        top = subset == tuple(range(len(subset)))  # the largest singular directions
        if len(subset) == 3 and top:
            assert summary.n_negative == 0  # the global minimum
        elif depth == 1 or not top:
            assert summary.n_negative > 0  # a strict saddle
        else:
            assert summary.n_negative == 0 and summary.n_zero > 0  # a flat saddle


def test_saddle_table_classifies_and_matches_the_closed_form():
    opts = SaddleOptions(depths=(1, 2), starts=1, snapshots=2, train_steps=100)
    table = saddle_table(opts, FinderOptions(max_iter=100, polish_steps=100), factor=10.0)
    analytic = table[table["source"].str.startswith("analytic")]
    assert len(analytic) == 2 * 15 and analytic["matches_analytic"].all()
    one = table[(table["depth"] == 1) & table["kind"].isin(["strict saddle", "flat saddle"])]
    assert (one["kind"] == "strict saddle").all()
    assert (table[table["depth"] == 2]["kind"] == "flat saddle").sum() >= 3
    found = table[~table["source"].str.startswith("analytic") & (table["status"] == "critical")]
    assert len(found) > 0 and found["matches_analytic"].all()
