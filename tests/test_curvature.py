"""Exact Hessians against torch.autograd.functional.hessian, closed forms, and known spectra."""

import pytest
import torch

from landscape.curvature import (
    batched_hessians,
    definiteness,
    eigen_tolerance,
    grad_norm_sq,
    spectra,
    summarize_spectrum,
)
from landscape.models import MLP, init_params, make_loss


def _case(activation, loss, device):
    gen = torch.Generator().manual_seed(1)
    model = MLP((4, 3, 3), activation)
    x = torch.randn(9, 4, dtype=torch.float64, generator=gen).to(device)
    if loss == "cross_entropy":
        y = torch.randint(0, 3, (9,), generator=gen).to(device)
    else:
        y = torch.randn(9, 3, dtype=torch.float64, generator=gen).to(device)
    params = torch.stack([init_params(model, s, device=device) + 0.05 for s in range(3)])
    return make_loss(model, loss, x, y), params


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_batched_hessians_match_autograd(activation, loss, device):
    loss_fn, params = _case(activation, loss, device)
    hs = batched_hessians(loss_fn, params, chunk_size=2)
    assert hs.shape == (3, params.shape[1], params.shape[1]) and hs.dtype == torch.float64
    for k in range(3):
        ref = torch.autograd.functional.hessian(loss_fn, params[k])
        torch.testing.assert_close(hs[k], ref, rtol=1e-12, atol=1e-13)
    gns = grad_norm_sq(loss_fn, params)
    for k in range(3):
        g = torch.autograd.functional.jacobian(loss_fn, params[k])
        torch.testing.assert_close(gns[k], (g * g).sum(), rtol=1e-13, atol=0)


def test_closed_form_saddles(device):
    origin2 = torch.zeros(1, 2, dtype=torch.float64, device=device)
    h2 = batched_hessians(lambda w: (1 - w[0] * w[1]) ** 2, origin2)[0]
    torch.testing.assert_close(
        spectra(h2), torch.tensor([-2.0, 2.0], dtype=torch.float64, device=device)
    )
    s2 = summarize_spectrum(spectra(h2), factor=10.0)
    assert (s2.n_negative, s2.n_positive, s2.definiteness) == (1, 1, "indefinite")
    origin3 = torch.zeros(1, 3, dtype=torch.float64, device=device)
    h3 = batched_hessians(lambda w: (1 - w[0] * w[1] * w[2]) ** 2, origin3)[0]
    assert torch.count_nonzero(h3) == 0
    assert summarize_spectrum(spectra(h3), factor=10.0).definiteness == "zero"


def _with_spectrum(eigs: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """A dense symmetric matrix Q diag(eigs) Q^T with a random orthogonal Q."""
    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(len(eigs), len(eigs), dtype=torch.float64, generator=gen))
    return q @ torch.diag(eigs) @ q.T


def test_spectrum_of_known_matrix():
    eigs = torch.tensor([-3.0, -1e-3, 0.0, 0.0, 0.0, 2e-4, 1.0, 5.0], dtype=torch.float64)
    got = spectra(_with_spectrum(eigs).unsqueeze(0))[0]
    torch.testing.assert_close(got, eigs, rtol=0, atol=1e-13)
    s = summarize_spectrum(got, factor=10.0)
    tol = 10.0 * 8 * torch.finfo(torch.float64).eps * 5.0
    assert s.eig_tol == pytest.approx(tol)
    assert (s.n_negative, s.n_zero, s.n_positive) == (2, 3, 3)
    assert s.index == 2 / 8 and s.nullity == 3
    assert s.lambda_min == pytest.approx(-3.0) and s.lambda_max == pytest.approx(5.0)
    assert s.definiteness == "indefinite"


def test_tolerance_scales_with_spectrum_and_factor():
    eigs = torch.tensor([[-1e-9, 1.0], [-1e-9, 1e-8]], dtype=torch.float64)
    tol = eigen_tolerance(eigs, factor=1.0)
    assert tol[0] > tol[1]
    # A -1e-9 eigenvalue is round-off beside 1e7, but a real negative value beside 1e-8.
    big = summarize_spectrum(torch.tensor([-1e-9, 1e7], dtype=torch.float64), factor=10.0)
    small = summarize_spectrum(torch.tensor([-1e-9, 1e-8], dtype=torch.float64), factor=10.0)
    assert big.n_negative == 0 and big.definiteness == "positive semidefinite"
    assert small.n_negative == 1 and small.definiteness == "indefinite"


@pytest.mark.parametrize(
    ("inertia", "name"),
    [
        ((0, 0, 4), "positive definite"),
        ((4, 0, 0), "negative definite"),
        ((1, 0, 3), "indefinite"),
        ((1, 2, 1), "indefinite"),
        ((0, 1, 3), "positive semidefinite"),
        ((3, 1, 0), "negative semidefinite"),
        ((0, 4, 0), "zero"),
    ],
)
def test_definiteness(inertia, name):
    assert definiteness(*inertia) == name
