"""Certification of critical points.

A point is **critical** only when its squared gradient norm is at most a threshold (config key
``numerics.grad_norm_sq_threshold``, default 1e-10; Frye et al. 2019 found 1e-8 already too loose to
recover the true loss and index). Every other point is kept and labelled: ``gradient-flat`` when
the gradient lies mostly in the Hessian's near-kernel (the relative residual of the Newton system
exceeds 0.9, Frye et al.), else ``not converged``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import torch
from torch.func import grad, vmap


class Status(StrEnum):
    """The label of an end point; written to tables as its value."""

    CRITICAL = "critical"  # ||g||^2 <= numerics.grad_norm_sq_threshold
    GRADIENT_FLAT = "gradient-flat"  # not critical; the gradient lies in the near-kernel
    NOT_CONVERGED = "not converged"  # neither
    DIVERGED = "diverged"  # a non-finite loss, gradient or point


CRITICAL = Status.CRITICAL
NOT_CONVERGED = Status.NOT_CONVERGED
DIVERGED = Status.DIVERGED
GRADIENT_FLAT = Status.GRADIENT_FLAT
STATUSES = tuple(Status)


def certify(grad_norm_sq: float, threshold: float, diverged: bool = False) -> str:
    """Label one end point.

    Args:
        grad_norm_sq: Its squared gradient norm.
        threshold: The largest squared gradient norm of a critical point.
        diverged: Whether training diverged (non-finite loss or gradient).

    Returns:
        ``critical``, ``not converged`` or ``diverged`` (also for a NaN or infinite
        ``grad_norm_sq``: an overflowed gradient is no measurement of distance to criticality).
    """
    if diverged or not math.isfinite(grad_norm_sq):
        return DIVERGED
    return CRITICAL if grad_norm_sq <= threshold else NOT_CONVERGED


def with_decision_columns(table, numerics):
    """``table`` with the settings that decided its statuses: the threshold and tolerance factor.

    Every table that carries a status also carries ``grad_norm_sq_threshold`` and
    ``eigen_tolerance_factor`` (its rows carry ``eig_tol``, the tolerance each spectrum used).
    """
    out = table.copy()
    out["grad_norm_sq_threshold"] = numerics.grad_norm_sq_threshold
    out["eigen_tolerance_factor"] = numerics.eigen_tolerance_factor
    return out


def is_local_minimum(status: str, definiteness: str) -> bool:
    """A certified local minimum: critical, with a positive definite Hessian.

    A positive *semi*definite Hessian leaves the second-order test inconclusive and is not counted.
    """
    return status == CRITICAL and definiteness == "positive definite"


# Searches drawn to critical points of every kind, and a descent method drawn to minima only.
FINDERS = ("newton_mr", "damped_newton", "gradient_norm")
MINIMIZERS = ("saddle_free_newton",)


@dataclass(frozen=True)
class FinderOptions:
    """Options of the critical-point finders."""

    max_iter: int = 100  # iterations (Newton steps, or gradient steps on 1/2 ||g||^2)
    grad_norm_sq_threshold: float = 1e-10  # ||g||^2 at most this: critical
    flat_residual: float = 0.9  # relative Newton residual above this: gradient-flat (Frye et al.)
    eigen_tolerance_factor: float = 10.0  # eigenvalues within tol count as zero (see spectrum)
    damping: float = 1e-3  # damped Newton: solve (H + damping * max|lambda| I) p = g
    backtracks: int = 30  # line-search halvings on ||g||^2 (Newton-MR, gradient-norm)
    armijo: float = 1e-4  # sufficient-decrease constant of the line search
    polish_steps: int = 8  # Newton-MR steps refining certified points while ||g||^2 decreases
    # Newton steps ignore eigenvalues below pinv_rtol * max|lambda| (a truncated pseudo-inverse,
    # as MINRES-QLP's early stopping does). 1e-4 was chosen on the linear autoencoder with seeds 1
    # and 2 (certified: 72 and 75 of 100 at 1e-8, 89 and 87 at 1e-4, 83 and 77 at 1e-3), held
    # out from the pipeline's default seed 0.
    pinv_rtol: float = 1e-4
    solver: str = "eigh"  # Newton-MR's solve: eigh (dense, exact) or minres (matrix-free, HVPs)
    minres_rtol: float = 1e-8  # MINRES's relative residual tolerance
    minres_maxiter: int | None = None  # MINRES's iteration cap (None: the dimension P)
    # Exact Hessians assembled at once (config curvature.memory_budget_mb, through
    # CurvatureOptions.networks_per_chunk); None: every start at once.
    hessian_chunk: int | None = None

    @classmethod
    def from_numerics(cls, numerics, **options) -> FinderOptions:
        """Finder options that certify with the typed ``numerics`` (threshold, tolerance)."""
        return cls(
            grad_norm_sq_threshold=numerics.grad_norm_sq_threshold,
            eigen_tolerance_factor=numerics.eigen_tolerance_factor,
            **options,
        )


@dataclass
class FinderResult:
    """End points of a batch of critical-point searches, all kept.

    Attributes:
        params: End points (S, P).
        loss: Their losses (S,).
        grad_norm_sq: Squared gradient norms (S,).
        residual: Relative residual ||H p - g|| / ||g|| of the minimum-norm Newton step, i.e. the
            share of the gradient in the Hessian's near-kernel (S,).
        iterations: Iterations each search ran before stopping (S,).
        status: ``critical``, ``gradient-flat``, ``not converged``, or ``diverged`` (a non-finite
            gradient) per end point.
    """

    params: torch.Tensor
    loss: torch.Tensor
    grad_norm_sq: torch.Tensor
    residual: torch.Tensor
    iterations: torch.Tensor
    status: list[str]


def _backtrack(theta, direction, alpha, done, sufficient, backtracks):
    """Backtracking line search along -direction, each start with its own step.

    Steps alpha are halved, start by start, until ``sufficient(trial, alpha)`` holds; a start
    that never satisfies it (or was ``done``) keeps its point. (Resuming a start's search at its
    previous step instead of at alpha was tried: it took steps shorter than acceptable and
    certified a third as many critical points of small MLPs.)

    Args:
        theta: Current points (S, P).
        direction: Search directions (S, P); the trial points are theta - alpha * direction.
        alpha: First steps (S,).
        done: (S,) starts that do not move.
        sufficient: (trial (S, P), alpha (S,)) -> (S,) bool, the acceptance test.
        backtracks: Number of halvings at most.

    Returns:
        The new points (S, P).
    """
    accepted = done.clone()
    new = theta.clone()
    for _ in range(backtracks):
        trial = theta - alpha[:, None] * direction
        ok = ~accepted & sufficient(trial, alpha)
        new = torch.where(ok[:, None], trial, new)
        accepted |= ok
        if accepted.all():
            break
        alpha = torch.where(accepted, alpha, alpha / 2)
    return new


def _pinv_solve(eigvals, eigvecs, g, shift, rtol):
    """Minimum-norm least-squares solution of (H + shift I) p = g from H's eigendecomposition.

    Eigenvalues of H + shift I within tol = rtol * max|lambda| of zero are treated as zero: the
    solution MINRES-QLP converges to on the truncated system. Returns p (S, P) and the relative
    residual ||(H + shift I) p - g|| / ||g||.
    """
    shifted = eigvals + shift[:, None]  # (S, P)
    tol = rtol * eigvals.abs().amax(-1, keepdim=True)
    keep = shifted.abs() > tol
    coef = (eigvecs.mT @ g[..., None])[..., 0]  # (S, P): g in the eigenbasis
    step = torch.where(keep, coef / torch.where(keep, shifted, 1.0), 0.0)
    p = (eigvecs @ step[..., None])[..., 0]
    gnorm = g.norm(dim=-1).clamp_min(1e-300)
    residual = torch.where(keep, 0.0, coef).norm(dim=-1) / gnorm
    return p, residual


def _minres_directions(hvp, theta, g, done, options: FinderOptions) -> torch.Tensor:
    """Newton-MR steps p ~ H^+ g by MINRES on Hessian-vector products, one start at a time.

    MINRES (Paige & Saunders 1975, via scipy) needs only H v products, so it applies to networks
    whose Hessian is too large to form; on a singular but consistent system it converges to a
    least-squares solution.
    """
    import numpy as np
    from scipy.sparse.linalg import LinearOperator, minres

    n = theta.shape[-1]
    out = torch.zeros_like(theta)
    for k in range(theta.shape[0]):
        if bool(done[k]):
            continue
        point = theta[k]

        def matvec(v, point=point):
            t = torch.as_tensor(np.ascontiguousarray(v).reshape(-1), dtype=point.dtype)
            return hvp(point, t.to(point.device)).detach().cpu().numpy()

        op = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
        sol, _ = minres(
            op,
            g[k].detach().cpu().numpy(),
            rtol=options.minres_rtol,
            maxiter=options.minres_maxiter,
        )
        out[k] = torch.as_tensor(sol, dtype=theta.dtype, device=theta.device)
    return out


def find_critical_points(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    hessian_fn: Callable[[torch.Tensor], torch.Tensor],
    starts: torch.Tensor,
    method: str,
    options: FinderOptions,
) -> FinderResult:
    """Search for critical points near each start, all starts at once; certify every end point.

    * ``newton_mr`` (Roosta et al. 2018; Frye et al. 2019): p = H^+ g, the minimum-norm
      least-squares Newton step (what MINRES-QLP returns), with a backtracking line search on
      ||g||^2. Newton's method is drawn to critical points of every kind. ``solver="eigh"``
      computes it exactly from the dense Hessian (truncated at ``pinv_rtol``);
      ``solver="minres"`` runs MINRES on Hessian-vector products, never forming H.
    * ``damped_newton`` (as compared in Dauphin et al. 2014 and Frye et al. 2019): the full step
      p = (H + gamma I)^{-1} g with gamma = damping * max|lambda|, no line search.
    * ``gradient_norm``: gradient descent on 1/2 ||g||^2, whose gradient is H g, with a
      backtracking line search (the course homework; Pennington & Bahri 2017).
    * ``saddle_free_newton`` (Dauphin et al. 2014): p = |H|^-1 g, the Newton step with every
      eigenvalue replaced by its absolute value (floored at damping * max|lambda|), with a
      backtracking line search on the loss. It is a descent method: repelled by saddles and
      maxima, it converges to minima, quadratically where the Hessian is nonsingular.

    Args:
        loss_fn: theta (P,) -> scalar loss.
        hessian_fn: theta (P,) -> H (P, P), exact (see :func:`landscape.curvature.make_hessian`).
        starts: Starting points (S, P), float64.
        method: One of :data:`FINDERS` or :data:`MINIMIZERS`.
        options: Iterations, thresholds, damping.

    Returns:
        Every end point with its status: ``critical`` when ||g||^2 <= threshold, else
        ``gradient-flat`` when the Newton residual exceeds ``flat_residual``, else
        ``not converged``. Nothing is dropped.
    """
    if method not in STEPS:
        raise ValueError(f"unknown finder '{method}' (use {', '.join(FINDERS + MINIMIZERS)})")
    if options.solver not in ("eigh", "minres"):
        raise ValueError(f"unknown Newton solver '{options.solver}' (use eigh or minres)")
    ctx = _Search.build(loss_fn, hessian_fn, options)
    theta, iterations = _iterate(ctx, STEPS[method], starts.clone())
    g = ctx.grads(theta)
    gn = (g * g).sum(-1)
    finite = torch.isfinite(gn) & torch.isfinite(theta).all(-1)  # NaN ends: diverged
    theta, g, gn = _polish(ctx, theta, g, gn, finite)
    return _certify_ends(ctx, theta, g, gn, finite, iterations)


@dataclass(frozen=True)
class _Search:
    """What every step of a search needs: the loss, its batched gradient and HVP, the options."""

    loss_fn: Callable
    hessian_fn: Callable
    grads: Callable  # (S, P) -> (S, P)
    hvp: Callable  # (theta (P,), v (P,)) -> H v
    options: FinderOptions

    @classmethod
    def build(cls, loss_fn, hessian_fn, options: FinderOptions) -> _Search:
        from landscape.curvature import make_hvp

        return cls(loss_fn, hessian_fn, vmap(grad(loss_fn)), make_hvp(loss_fn), options)

    def hessians(self, points: torch.Tensor) -> torch.Tensor:
        """Exact Hessians (S, P, P), assembled options.hessian_chunk at a time."""
        from landscape.curvature import batched_hessians

        return batched_hessians(self.hessian_fn, points, chunk_size=self.options.hessian_chunk)

    def eigh(self, points: torch.Tensor, finite: torch.Tensor | None = None):
        """Eigendecomposition of the exact Hessians; rows not ``finite`` are replaced by zeros."""
        h = self.hessians(points)  # (S, P, P)
        return torch.linalg.eigh(h if finite is None else torch.where(finite[:, None, None], h, 0))

    def decreases_grad_norm(self, gn: torch.Tensor, slope: torch.Tensor):
        """Armijo on ||g||^2 along -p, each start with its own step (a _backtrack test)."""

        def sufficient(trial, alpha):
            gt = self.grads(trial)
            return (gt * gt).sum(-1) <= gn - 2 * self.options.armijo * alpha * slope

        return sufficient


def _step_damped_newton(ctx: _Search, theta, g, gn):
    """The full step (H + gamma I)^{-1} g, gamma = damping * max|lambda| (no line search)."""
    lam, vecs = ctx.eigh(theta)
    shift = ctx.options.damping * lam.abs().amax(-1)
    direction, _ = _pinv_solve(lam, vecs, g, shift, ctx.options.pinv_rtol)
    return theta - direction


def _step_saddle_free_newton(ctx: _Search, theta, g, gn):
    """|H|^{-1} g with |eigenvalues| floored at damping * max|lambda|; Armijo on the loss."""
    opts = ctx.options
    lam, vecs = ctx.eigh(theta)
    floor = opts.damping * lam.abs().amax(-1, keepdim=True)
    # (clamped: where H = 0 this is a huge gradient step that the line search shortens)
    denom = torch.maximum(lam.abs(), floor).clamp_min(1e-300)
    coef = (vecs.mT @ g[..., None])[..., 0] / denom
    direction = (vecs @ coef[..., None])[..., 0]  # (A, P)
    slope = (direction * g).sum(-1)  # decrease rate of L along -p
    loss = vmap(ctx.loss_fn)(theta)

    def decreases_loss(trial, alpha):  # Armijo on the loss
        return vmap(ctx.loss_fn)(trial) <= loss - opts.armijo * alpha * slope

    moving = torch.zeros_like(gn, dtype=torch.bool)  # (A,) none of these is done
    return _backtrack(theta, direction, torch.ones_like(gn), moving, decreases_loss,
                      opts.backtracks)  # fmt: skip


def _step_gradient_norm(ctx: _Search, theta, g, gn):
    """Gradient descent on 1/2 ||g||^2 (gradient H g), from 4 / ||H||^2, halving."""
    h = ctx.hessians(theta)  # (A, P, P)
    direction = (h @ g[..., None])[..., 0]  # grad of 1/2 ||g||^2
    slope = (direction * direction).sum(-1)  # decrease rate of 1/2 ||g||^2
    # Start at 4 / ||H||^2, beyond the stable step of the quadratic model, then halve.
    alpha = 4.0 / torch.linalg.matrix_norm(h, ord=2).clamp_min(1e-150) ** 2
    moving = torch.zeros_like(gn, dtype=torch.bool)
    return _backtrack(theta, direction, alpha, moving, ctx.decreases_grad_norm(gn, slope),
                      ctx.options.backtracks)  # fmt: skip


def _step_newton_mr(ctx: _Search, theta, g, gn):
    """P = H^+ g (dense eigh, truncated at pinv_rtol, or MINRES on HVPs); Armijo on ||g||^2."""
    moving = torch.zeros_like(gn, dtype=torch.bool)
    if ctx.options.solver == "minres":
        direction = _minres_directions(ctx.hvp, theta, g, moving, ctx.options)
    else:
        lam, vecs = ctx.eigh(theta)
        direction, _ = _pinv_solve(lam, vecs, g, torch.zeros_like(gn), ctx.options.pinv_rtol)
    hp = vmap(ctx.hvp)(theta, direction)  # H p
    slope = (hp * g).sum(-1)  # decrease rate of 1/2 ||g||^2 along -p
    return _backtrack(theta, direction, torch.ones_like(gn), moving,
                      ctx.decreases_grad_norm(gn, slope), ctx.options.backtracks)  # fmt: skip


# One update of the starts still searching, (ctx, theta (A, P), g (A, P), gn (A,)) -> (A, P).
STEPS = {
    "newton_mr": _step_newton_mr,
    "damped_newton": _step_damped_newton,
    "gradient_norm": _step_gradient_norm,
    "saddle_free_newton": _step_saddle_free_newton,
}


def _iterate(ctx: _Search, step, theta: torch.Tensor):
    """Up to max_iter updates; a start stops once certified (or non-finite)."""
    iterations = torch.zeros(theta.shape[0], dtype=torch.long)
    for it in range(ctx.options.max_iter + 1):
        g = ctx.grads(theta)  # (S, P)
        gn = (g * g).sum(-1)
        done = (gn <= ctx.options.grad_norm_sq_threshold) | ~torch.isfinite(gn)
        # Iterations (updates) made before the start was first seen converged.
        iterations = torch.where(done.cpu(), iterations, torch.full_like(iterations, it + 1))
        if done.all() or it == ctx.options.max_iter:
            iterations = torch.minimum(iterations, torch.full_like(iterations, it))
            break
        # Only the starts still searching move (and cost anything).
        active = (~done).nonzero()[:, 0]
        theta = theta.index_copy(0, active, step(ctx, theta[active], g[active], gn[active]))
    return theta, iterations


def _polish(ctx: _Search, theta, g, gn, finite):
    """Newton-MR steps on certified points, each kept only if it lowers ||g||^2.

    Near a critical manifold the near-zero Hessian eigenvalues are perturbed by about ||g||, so
    certified points are refined to round-off (a point is never moved out of certification).
    """
    zero = torch.zeros_like(gn)
    for _ in range(ctx.options.polish_steps):
        lam, vecs = ctx.eigh(theta, finite)
        # Leaving out the near-kernel: the directions along the critical manifold.
        step, _ = _pinv_solve(lam, vecs, g, zero, ctx.options.pinv_rtol)
        trial = theta - step
        gt = ctx.grads(trial)
        gnt = (gt * gt).sum(-1)
        better = finite & (gn <= ctx.options.grad_norm_sq_threshold) & (gnt < gn)
        if not better.any():
            break
        theta = torch.where(better[:, None], trial, theta)
        g = torch.where(better[:, None], gt, g)
        gn = torch.where(better, gnt, gn)
    return theta, g, gn


def _certify_ends(ctx: _Search, theta, g, gn, finite, iterations) -> FinderResult:
    """Status of every end point; the Newton residual flags gradient-flat ones."""
    opts = ctx.options
    lam, vecs = ctx.eigh(theta, finite)
    # The residual that flags gradient-flat points uses the spectrum's own tolerance.
    eig_rtol = opts.eigen_tolerance_factor * lam.shape[-1] * torch.finfo(lam.dtype).eps
    _, residual = _pinv_solve(lam, vecs, g, torch.zeros_like(gn), eig_rtol)
    loss = vmap(ctx.loss_fn)(theta)
    # An overflow (+-inf) is as diverged as a NaN: in the loss, the gradient or the point.
    finite = finite & torch.isfinite(gn) & torch.isfinite(loss)
    status = []
    for k in range(theta.shape[0]):
        label = certify(float(gn[k]), opts.grad_norm_sq_threshold, not bool(finite[k]))
        if label == NOT_CONVERGED and float(residual[k]) > opts.flat_residual:
            label = GRADIENT_FLAT
        status.append(label)
    return FinderResult(params=theta, loss=loss, grad_norm_sq=gn, residual=residual,
                        iterations=iterations, status=status)  # fmt: skip
