"""Batched training against a plain per-network loop, in float64."""

import torch

from landscape.models import MLP, init_params, make_loss
from landscape.train import GDOptions, train_gd


def _problem(device):
    gen = torch.Generator().manual_seed(0)
    model = MLP((6, 5, 3), "tanh")
    x = torch.randn(40, 6, dtype=torch.float64, generator=gen).to(device)
    y = torch.randint(0, 3, (40,), generator=gen).to(device)
    return model, make_loss(model, "cross_entropy", x, y)


def test_batched_gd_equals_loop(device):
    model, loss_fn = _problem(device)
    theta0 = torch.stack([init_params(model, s, device=device) for s in range(5)])  # (K, P)
    opts = GDOptions(learning_rate=0.3, steps=50, record_every=7)
    result = train_gd(loss_fn, theta0, opts)
    assert result.steps.tolist() == [0, 7, 14, 21, 28, 35, 42, 49, 50]
    for k in range(5):
        theta = theta0[k].clone().requires_grad_(True)
        losses = []
        for step in range(opts.steps + 1):
            loss = loss_fn(theta)
            (g,) = torch.autograd.grad(loss, theta)
            if step in result.steps.tolist():
                losses.append(loss.item())
            with torch.no_grad():
                if step < opts.steps:
                    theta -= opts.learning_rate * g
        torch.testing.assert_close(result.params[k], theta.detach(), rtol=0, atol=1e-10)
        torch.testing.assert_close(
            result.loss[:, k].cpu(), torch.tensor(losses, dtype=torch.float64), rtol=0, atol=1e-10
        )
    assert not result.diverged.any()


def test_divergent_network_is_frozen_and_others_carry_on(device):
    gen = torch.Generator().manual_seed(0)
    model = MLP((4, 4, 2), "linear")
    x = torch.randn(30, 4, dtype=torch.float64, generator=gen).to(device)
    y = torch.randn(30, 2, dtype=torch.float64, generator=gen).to(device)
    loss_fn = make_loss(model, "mse", x, y)
    theta0 = torch.stack([init_params(model, s, device=device) for s in range(3)])
    theta0[1] *= 30.0  # curvature ~ 1e3: gradient descent with step 0.1 blows up
    opts = GDOptions(learning_rate=0.1, steps=200, record_every=10)
    result = train_gd(loss_fn, theta0, opts)
    assert result.diverged.tolist() == [False, True, False]
    assert not torch.isfinite(result.loss[-1, 1])
    frozen = train_gd(loss_fn, theta0, GDOptions(learning_rate=0.1, steps=250))
    torch.testing.assert_close(frozen.params[1], result.params[1], equal_nan=True, rtol=0, atol=0)
    alone = train_gd(loss_fn, theta0[[0, 2]], opts)
    assert torch.isfinite(alone.loss).all()
    torch.testing.assert_close(result.params[[0, 2]], alone.params, rtol=0, atol=1e-12)
