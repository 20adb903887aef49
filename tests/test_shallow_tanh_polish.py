"""Newton-MR polish and certification of batched tanh networks (engine.shallow_tanh_polish)."""

import torch
from conftest import teacher_runs

from landscape.base.vocabulary import Status
from landscape.engine import shallow_tanh as st
from landscape.engine.critical import FinderOptions
from landscape.engine.krylov import minres_qlp
from landscape.engine.shallow_tanh_polish import certify_ends, polish

OPTIONS = FinderOptions(max_iter=30)


def test_polish_reaches_the_threshold_and_never_raises_the_gradient_norm():
    runs = teacher_runs(5)
    before = st.grad_norm_sq(runs.theta, runs.x, runs.y).value
    theta, steps = polish(runs.theta, runs.x, runs.y, OPTIONS)
    after = st.grad_norm_sq(theta, runs.x, runs.y).value
    assert (after <= before).all() and (steps > 0).all()
    assert (after <= OPTIONS.grad_norm_sq_threshold).all()
    ends = certify_ends(theta, runs.x, runs.y, OPTIONS)
    assert ends.status == [Status.CRITICAL] * 5
    assert torch.equal(ends.grad_norm_sq, after)


def test_a_point_already_critical_is_not_moved():
    runs = teacher_runs(2, noise=0.0)
    star = runs.theta
    theta, steps = polish(star, runs.x, runs.y, OPTIONS)
    assert torch.equal(theta, star) and (steps == 0).all()


def test_residuals_are_minres_qlp_on_the_hessian_and_nan_ends_diverge():
    runs = teacher_runs(3, noise=1.0, seed=4)
    theta = runs.theta.clone()
    theta[2] = float("nan")
    ends = certify_ends(theta, runs.x, runs.y, OPTIONS)
    h = st.hessian(runs.theta[:2], runs.x[:2], runs.y[:2])
    g = st.gradient(st.forward(runs.theta[:2], runs.x[:2], runs.y[:2]), runs.x[:2])
    want = minres_qlp(
        lambda v: (h @ v[..., None])[..., 0], g, OPTIONS.flat_rtol, OPTIONS.flat_rank_rtol, 25
    )
    assert torch.allclose(ends.residual[:2], want.relative_residual, rtol=1e-8)
    assert torch.allclose(ends.cokernel_residual[:2], want.normal_residual, rtol=1e-6, atol=1e-14)
    assert ends.status[2] == Status.DIVERGED
    assert ends.status[0] in (Status.NOT_CONVERGED, Status.GRADIENT_FLAT)
