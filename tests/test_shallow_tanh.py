"""Closed forms of the bias-free tanh network against torch.func, network by network (float64)."""

import pytest
import torch
from torch.func import grad, hessian, jvp

from landscape.engine import shallow_tanh as st
from landscape.engine.models import MLP, init_params, make_loss

RTOL = 1e-12
SIZES = [(3, 3, 3, 4), (4, 5, 2, 7), (5, 4, 5, 6)]  # (n0, n, n_out, m)


def _batch(n0, n, n_out, m, b=3, seed=0):
    """B networks, each with its own data; weights scaled up so that tanh is far from linear."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(b, m, n0, generator=gen, dtype=torch.float64)  # (B, m, n0)
    y = torch.randn(b, m, n_out, generator=gen, dtype=torch.float64)  # (B, m, n_out)
    theta = 1.5 * torch.randn(b, n * (n0 + n_out), generator=gen, dtype=torch.float64)  # (B, P)
    v = torch.randn(b, n * (n0 + n_out), generator=gen, dtype=torch.float64)  # (B, P)
    return theta, x, y, v


def _reference_loss(n0, n, n_out, x, y):
    """The project's loss of one network: make_loss on MLP((n0, n, n_out), tanh, no bias)."""
    return make_loss(MLP((n0, n, n_out), "tanh", bias=False), "mse", x, y)


def _close(got, want, rtol=RTOL):
    scale = want.abs().max().clamp_min(1e-300)
    assert (got - want).abs().max() <= rtol * scale, (got - want).abs().max() / scale


@pytest.mark.parametrize("n0, n, n_out, m", SIZES)
def test_loss_and_gradient(n0, n, n_out, m):
    theta, x, y, _ = _batch(n0, n, n_out, m)
    fwd = st.forward(theta, x, y)
    g = st.gradient(fwd, x)
    assert fwd.loss.shape == (3,) and g.shape == theta.shape
    for b in range(3):
        f = _reference_loss(n0, n, n_out, x[b], y[b])
        _close(fwd.loss[b], f(theta[b]))
        _close(g[b], grad(f)(theta[b]))
    # P&B eq. 2 written out: L = 1/(2m) sum_{i, mu} e_{i mu}^2.
    e = torch.tanh(x[0] @ st.split(theta[0], n0, n_out)[0].T) @ st.split(theta[0], n0, n_out)[1].T
    _close(fwd.loss[0], ((e - y[0]) ** 2).sum() / (2 * m))


@pytest.mark.parametrize("n0, n, n_out, m", SIZES)
def test_hvp_and_grad_norm_sq(n0, n, n_out, m):
    theta, x, y, v = _batch(n0, n, n_out, m, seed=1)
    fwd = st.forward(theta, x, y)
    hv = st.hvp(fwd, x, v)
    jg = st.grad_norm_sq(theta, x, y)
    for b in range(3):
        f = _reference_loss(n0, n, n_out, x[b], y[b])
        _close(hv[b], jvp(grad(f), (theta[b],), (v[b],))[1])

        def j(t, f=f):
            return (grad(f)(t) ** 2).sum()

        _close(jg.value[b], j(theta[b]))
        _close(jg.grad_value[b], grad(j)(theta[b]))
        _close(jg.loss[b], f(theta[b]))


@pytest.mark.parametrize("n0, n, n_out, m", SIZES)
def test_full_hessian(n0, n, n_out, m):
    theta, x, y, _ = _batch(n0, n, n_out, m, seed=2)
    h = st.hessian(theta, x, y, chunk=5)  # chunks that do not divide P
    assert h.shape == (3, theta.shape[1], theta.shape[1])
    for b in range(3):
        want = hessian(_reference_loss(n0, n, n_out, x[b], y[b]))(theta[b])
        _close(h[b], want)
        _close(h[b], h[b].T, rtol=1e-14)


def test_layout_matches_the_project_model():
    model = MLP((4, 3, 2), "tanh", bias=False)
    theta = init_params(model, seed=3)
    x = torch.randn(6, 4, dtype=torch.float64)
    w1, w2 = st.split(theta.unsqueeze(0), 4, 2)
    (mw1, _), (mw2, _) = model.unflatten(theta)
    assert torch.equal(w1[0], mw1) and torch.equal(w2[0], mw2)
    _close(torch.tanh(x @ w1[0].T) @ w2[0].T, model.forward(theta, x))


def test_hidden_width_checks_the_size():
    assert st.hidden_width(2 * 16 * 16, 16, 16) == 16
    with pytest.raises(ValueError):
        st.hidden_width(33, 4, 4)
