"""Closed forms of the linear autoencoder against the exact Hessian."""

import itertools

import pytest
import torch

from landscape.curvature import grad_norm_sq, make_hessian
from landscape.deep_linear import toy_table
from landscape.models import deep_linear, make_loss
from landscape.spectrum import summarize_spectrum
from landscape.theory import (
    covariance_equivalent,
    gaussian_with_covariance,
    linear_ae_critical_points,
    linear_ae_point,
    nearest_analytic,
    product_loss,
    product_loss_hessian,
)


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
        theta = linear_ae_point(subset, d, p)
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
    table = toy_table(factor=10.0, threshold=1e-10)
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
