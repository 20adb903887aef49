"""Newton-MR polish and certification of many bias-free tanh networks, each on its own data.

Ours, beyond Pennington & Bahri (2017): their points are ends of gradient descent on
J_g = ||grad L||^2 with J_g <= 1e-6 (Sec. 6.4); a critical point in this project has
||g||^2 <= ``numerics.grad_norm_sq_threshold`` (1e-10) after a polish. From each end,
:func:`polish` takes Newton-MR steps (Roosta, Liu, Xu & Mahoney 2018, Alg. 1): the minimum-norm
least-squares step p = H_tau^+ g, read from the dense Hessian's eigendecomposition (P = 2 n^2 =
512: the same ``eigh`` that reads the index) with eigenvalues below ``pinv_rtol`` max|lambda|
dropped, and a backtracking line search on ||g||^2 (Armijo: ||g(theta - a p)||^2 <=
||g||^2 - 2 c a <p, H g>). A run stops once critical, or at the first step no line search can
accept, or after ``max_iter`` steps.

:func:`certify_ends` labels each end as :func:`landscape.engine.critical.certify` does, and
``gradient-flat`` by Frye et al.'s test (Frye, Simon, Wadia, Ligeralde & DeWeese 2021; thesis
Ch. 3, Sec. 3.4.3): MINRES-QLP on H x = g (``flat_maxit`` iterations, ``flat_rtol``) leaves a
relative residual r above ``flat_residual`` and a co-kernel residual r_H below ``flat_cokernel``
(g lies mostly in the Hessian's near-kernel). The options are those of
:class:`landscape.engine.critical.FinderOptions`, so both finders certify alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from landscape.base.vocabulary import Status
from landscape.engine import shallow_tanh
from landscape.engine.critical import FinderOptions, certify
from landscape.engine.krylov import minres_qlp


def _grad_norm_sq(theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """||grad L||^2 of B networks (B,)."""
    g = shallow_tanh.gradient(shallow_tanh.forward(theta, x, y), x)  # (B, P)
    return (g * g).sum(-1)


def _newton_mr_step(theta, x, y, options: FinderOptions):
    """One Newton-MR step with its line search; returns (theta, J_g before, accepted)."""
    fwd = shallow_tanh.forward(theta, x, y)
    g = shallow_tanh.gradient(fwd, x)  # (B, P)
    jg = (g * g).sum(-1)  # (B,)
    lam, vecs = torch.linalg.eigh(shallow_tanh.hessian(theta, x, y))  # (B, P), (B, P, P)
    coef = (vecs.mT @ g[..., None])[..., 0]  # (B, P) g in the eigenbasis
    keep = lam.abs() > options.pinv_rtol * lam.abs().amax(-1, keepdim=True)
    p = (vecs @ torch.where(keep, coef / torch.where(keep, lam, 1.0), 0.0)[..., None])[..., 0]
    slope = torch.where(keep, coef * coef, 0.0).sum(-1)  # <p, H g> = |g in range H_tau|^2
    step = torch.ones_like(jg)  # (B,)
    accepted = torch.zeros_like(jg, dtype=torch.bool)
    new = theta
    for _ in range(options.backtracks):
        trial = theta - step[:, None] * p  # (B, P)
        jt = _grad_norm_sq(trial, x, y)
        ok = ~accepted & torch.isfinite(jt) & (jt <= jg - 2 * options.armijo * step * slope)
        new = torch.where(ok[:, None], trial, new)
        accepted |= ok
        if bool(accepted.all()):
            break
        step = torch.where(accepted, step, step / 2)
    return new, jg, accepted


def polish(
    theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, options: FinderOptions
) -> tuple[torch.Tensor, torch.Tensor]:
    """Newton-MR from B ends (module docstring); returns (theta (B, P), steps taken (B,))."""
    steps = torch.zeros(theta.shape[0], dtype=torch.int64, device=theta.device)
    active = torch.isfinite(theta).all(-1)  # (B,)
    for _ in range(options.max_iter):
        if not bool(active.any()):
            break
        idx = active.nonzero()[:, 0]  # only the runs still polishing are computed
        new, jg, accepted = _newton_mr_step(theta[idx], x[idx], y[idx], options)
        moved = accepted & (jg > options.grad_norm_sq_threshold)
        theta = theta.index_copy(0, idx, torch.where(moved[:, None], new, theta[idx]))
        steps = steps.index_add(0, idx, moved.to(torch.int64))
        still = active.clone()
        still[idx] = moved
        active = still
    return theta, steps


@dataclass(frozen=True)
class Certified:
    """Each of B ends' certification."""

    grad_norm_sq: torch.Tensor  # (B,)
    residual: torch.Tensor  # (B,) Frye's r
    cokernel_residual: torch.Tensor  # (B,) Frye's r_H
    status: list[Status]  # critical | gradient-flat | not converged | diverged


def certify_ends(
    theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, options: FinderOptions
) -> Certified:
    """Each end's status, with Frye et al.'s residuals (module docstring)."""
    finite = torch.isfinite(theta).all(-1)  # (B,)
    safe = torch.where(finite[:, None], theta, 0.0)
    g = shallow_tanh.gradient(shallow_tanh.forward(safe, x, y), x)  # (B, P)
    h = shallow_tanh.hessian(safe, x, y)  # (B, P, P)
    flat = minres_qlp(
        lambda v: (h @ v[..., None])[..., 0],  # (B, P) -> (B, P)
        g,
        options.flat_rtol,
        options.flat_rank_rtol,
        options.flat_maxit,
    )
    jg = (g * g).sum(-1)
    status = []
    for k in range(theta.shape[0]):
        label = certify(float(jg[k]), options.grad_norm_sq_threshold, not bool(finite[k]))
        is_flat = (
            flat.relative_residual[k] > options.flat_residual
            and flat.normal_residual[k] < options.flat_cokernel
        )
        status.append(Status.GRADIENT_FLAT if label == Status.NOT_CONVERGED and is_flat else label)
    return Certified(jg, flat.relative_residual, flat.normal_residual, status)
