"""Derivatives of the closed-form ReLU kernel at the boundary of its formula (Cho & Saul 2009).

The cosine u . v / (||u|| ||v||) of parallel vectors rounds to 1 + 2e-16; a plain clamp to [-1, 1]
there has zero derivative and lost the curvature of the cosine. References: central differences of
the closed-form gradient
(:func:`landscape.experiments.relu_spurious.relu.population_value_and_grad`, which takes
no derivative of the angle) and, at W = V where the residual vanishes, the Gauss-Newton matrix
E[J^T J] computed from its own closed form.
"""

import math

import pytest
import torch
from torch.func import grad, hessian

from landscape.engine.theory import relu_population_loss, value_clamp
from landscape.experiments.relu_spurious.relu import population_value_and_grad


def gauss_newton_block(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """E[1{a.x > 0} 1{b.x > 0} x x^T] for x ~ N(0, I_d), in closed form: (d, d).

    In the plane of a and b the two half-planes meet in an arc of angles [theta - pi/2, pi/2]
    (a at angle 0, b at theta); with E[r^2] = 2 for the plane's radius, the plane part is
    (1/pi) int_arc u u^T dphi, and each orthogonal direction contributes its variance 1 times the
    arc's share (pi - theta) / (2 pi).
    """
    ua, ub = a / a.norm(), b / b.norm()
    c = float((ua @ ub).clamp(-1.0, 1.0))
    theta = math.acos(c)
    lo, hi = theta - math.pi / 2, math.pi / 2

    def arc(f):
        return f(hi) - f(lo)

    cc = arc(lambda p: p / 2 + math.sin(2 * p) / 4)
    ss = arc(lambda p: p / 2 - math.sin(2 * p) / 4)
    cs = arc(lambda p: -math.cos(2 * p) / 4)
    share = (hi - lo) / (2 * math.pi)
    eye = torch.eye(len(a), dtype=torch.float64)
    rest = ub - c * ua
    if rest.norm() < 1e-12:  # parallel: the plane is one direction
        return share * eye + (cc / math.pi - share) * torch.outer(ua, ua)
    basis = torch.stack([ua, rest / rest.norm()], 1)  # (d, 2)
    plane = torch.tensor([[cc, cs], [cs, ss]], dtype=torch.float64) / math.pi
    return share * (eye - basis @ basis.T) + basis @ plane @ basis.T


def loss_hessian(w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    n, d = w.shape
    return hessian(lambda t: relu_population_loss(t.reshape(n, d), v))(w.flatten())


def closed_form_gradient(w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    return population_value_and_grad(w[None], v)[1][0].flatten()


def central_difference_hessian(w: torch.Tensor, v: torch.Tensor, h: float = 1e-6):
    n, d = w.shape
    cols = []
    for j in range(n * d):
        e = torch.zeros(n * d, dtype=torch.float64)
        e[j] = h
        plus = closed_form_gradient((w.flatten() + e).reshape(n, d), v)
        minus = closed_form_gradient((w.flatten() - e).reshape(n, d), v)
        cols.append((plus - minus) / (2 * h))
    return torch.stack(cols, 1)


@pytest.mark.parametrize("seed", range(4))
def test_hessian_at_the_teacher_is_the_gauss_newton_matrix(seed):
    """At W = V (a random, not axis-aligned teacher) the Hessian is E[J^T J] exactly."""
    k = 4
    v = torch.randn(k, k, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    h = loss_hessian(v.clone(), v)
    gn = torch.cat(
        [torch.cat([gauss_newton_block(v[j], v[m]) for m in range(k)], 1) for j in range(k)]
    )
    assert (h - gn).abs().max() < 1e-7  # was up to 0.49 with a plain clamp


def geometry(kind: str, seed: int = 0):
    """Students aligned with, opposite to, or (one row) zero against a random teacher."""
    gen = torch.Generator().manual_seed(seed)
    v = torch.randn(3, 3, dtype=torch.float64, generator=gen)
    w = torch.randn(3, 3, dtype=torch.float64, generator=gen)
    if kind == "aligned":
        w[0] = 1.7 * v[0]
        w[2] = 0.4 * w[1]  # two students parallel to each other too
    elif kind == "opposite":
        w[0] = -0.8 * v[1]
        w[2] = -2.0 * w[1]
    return w, v


@pytest.mark.parametrize("kind", ["aligned", "opposite"])
def test_autograd_derivatives_match_the_closed_form(kind):
    w, v = geometry(kind)
    n, d = w.shape
    auto = grad(lambda t: relu_population_loss(t.reshape(n, d), v))(w.flatten())
    torch.testing.assert_close(auto, closed_form_gradient(w, v), rtol=0, atol=1e-12)
    torch.testing.assert_close(
        loss_hessian(w, v), central_difference_hessian(w, v), rtol=0, atol=1e-6
    )


def test_zero_norm_student_gives_finite_derivatives():
    """A dead (zero) student row is a kink of the kernel: no NaN or inf comes out of it."""
    w, v = geometry("zero")
    w[1] = 0.0
    assert torch.isfinite(loss_hessian(w, v)).all()
    assert torch.isfinite(closed_form_gradient(w, v)).all()


def test_value_clamp_keeps_the_derivative():
    x = torch.tensor([1.0 + 2e-16, 0.3, -1.0 - 2e-16], dtype=torch.float64)
    assert value_clamp(x, -1.0, 1.0).tolist() == [1.0, 0.3, -1.0]
    # d/dt clamp(t)^2 = 2 clamp(t) * 1 here; a plain clamp gives 0 at the two ends.
    slope = torch.func.grad(lambda t: value_clamp(t, -1.0, 1.0).pow(2).sum())(x)
    assert slope.tolist() == [2.0, 0.6, -2.0]
