"""Certification of critical points.

A point is **critical** only when its squared gradient norm is at most a threshold (config key
``numerics.grad_norm_sq_threshold``, default 1e-10; Frye et al. 2019 found 1e-8 already too loose to
recover the true loss and index). A certified point is then **polished**: Newton-MR steps while
they lower ||g||^2 (to round-off), recording ||g||^2 before and after, the steps and how far the
point and its loss moved.

Every other point is kept and labelled. Frye et al. 2021 (Neural Computation 33, 1469-1497;
reproduced in Frye's thesis, Ch. 3, Sec. 3.4, ``charlesfrye/thesis`` at 6e4cde4) call a point
**gradient-flat** when its gradient is non-zero but lies in the Hessian's kernel, H g = 0: since
grad(1/2 ||g||^2) = H g, such points are stationary points of the squared gradient norm, where
gradient-norm minimisation and Newton methods stall. They detect it by the two residuals of the
Newton system H p = g as MINRES-QLP solves it (thesis Sec. 3.4.3, its two equations):

    r   = ||H p - g|| / (||H|| ||p|| + ||g||)      (relative residual, MINRES-QLP's relres),
    r_H = ||H (H p - g)|| / (||H|| ||H p - g||)    (co-kernel residual, MINRES-QLP's relAres),

with ||H|| MINRES-QLP's estimate. When g lies wholly in ker H the minimum-length solution is
p = 0, so r = 1 and r_H = 0; an exact solve gives r = 0. "We consider a point approximately
gradient-flat when the value of r_H is below 5e-4 while the value of r is above 0.9" (thesis
Sec. 3.4.3): a point is ``gradient-flat`` when it is not critical, r >
``numerics.gradient_flat_residual`` (0.9) and r_H < ``numerics.gradient_flat_cokernel``
(5e-4); else it is ``not converged``. The solve is :func:`landscape.engine.krylov.minres_qlp` on the
exact Hessian or on HVPs, with MINRES-QLP's stopping tolerance 5e-4 (their experiments' rtol,
thesis Sec. 3.4.3) and at most 25 iterations (``DEFAULT_MAXIT`` of the MR-QLP step in Frye's
``autocrit/defaults.py``; the thesis gives no number); its rank tolerance 1e-10 is ours (round-off
directions only). Both residuals are written beside every end point.

**The distance tolerance.** A point x with gradient g sits near, not at, the critical point x*.
By Weyl's inequality (Horn & Johnson, Matrix Analysis, 2nd ed., Cor. 4.3.15) every eigenvalue of
H(x) is within ||H(x) - H(x*)||_2 <= M ||x - x*|| of the corresponding eigenvalue of H(x*), M the
rate at which the Hessian changes (its Lipschitz constant, ||nabla^3 L||). To first order
g = H (x - x*), so along the eigendirections whose eigenvalues are at least tau in magnitude the
displacement is at most ||g|| / tau, and those eigenvalues move by at most M ||g|| / tau. Their
signs are certain when tau > M ||g|| / tau, that is for |lambda| > tau with

    tol_distance = sqrt(M ||g||),

the smallest eigenvalue the distance to the critical point lets one resolve; the eigenvalues
below it are read as zero (their directions are where x - x* cannot be bounded). M is measured,
not assumed: the spectral norm of H(x + s u) - H(x) over s, u the direction of the Newton step.
:func:`landscape.engine.spectrum.summarize_spectrum` adds tol_distance to the round-off tolerance:
the **derived tolerance** tol = factor n eps max|lambda| + sqrt(M ||g||). Polishing lowers ||g||
toward round-off and with it the derived tolerance.
"""

# Over 600 lines: the finders share one search (_Search), its iteration, polish and
# certification; split, each step would sit away from the loop and the state it updates.
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.func import grad, vmap

from landscape.base.resume import NO_RESUME, Resume, fingerprint
from landscape.base.runlog import Progress
from landscape.base.vocabulary import Definiteness, Status
from landscape.engine.krylov import Lanczos, minres_qlp, minres_qlp_many


def certify(grad_norm_sq: float, threshold: float, diverged: bool = False) -> Status:
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
        return Status.DIVERGED
    return Status.CRITICAL if grad_norm_sq <= threshold else Status.NOT_CONVERGED


def with_decision_columns(table, numerics):
    """``table`` with the settings that decided its statuses: the threshold and tolerance factor.

    Every table that carries a status also carries ``grad_norm_sq_threshold``,
    ``eigen_tolerance_factor``, ``gradient_flat_residual`` and ``gradient_flat_cokernel`` (its
    rows carry ``eig_tol``, the
    tolerance each spectrum used).
    """
    out = table.copy()
    out["grad_norm_sq_threshold"] = numerics.grad_norm_sq_threshold
    out["eigen_tolerance_factor"] = numerics.eigen_tolerance_factor
    out["gradient_flat_residual"] = numerics.gradient_flat_residual
    out["gradient_flat_cokernel"] = numerics.gradient_flat_cokernel
    return out


def is_local_minimum(status: str, definiteness: str) -> bool:
    """A certified local minimum: critical, with a positive definite Hessian.

    A positive *semi*definite Hessian leaves the second-order test inconclusive and is not counted.
    """
    return status == Status.CRITICAL and definiteness == Definiteness.POSITIVE_DEFINITE


# Searches drawn to critical points of every kind, and a descent method drawn to minima only.
FINDERS = ("newton_mr", "damped_newton", "gradient_norm")
MINIMIZERS = ("saddle_free_newton",)
# Dauphin et al. (2014)'s Newton and saddle-free Newton, damping picked per update from a list.
BEST_DAMPING = ("newton_best_damping", "saddle_free_newton_best_damping")
# "the damping coefficient is chosen at each update, to maximize the improvement, among
# {10^0, 10^-1, 10^-2, 10^-3, 10^-4, 10^-5}" (Dauphin et al. 2014, App. F.1, p.14).
DAUPHIN_DAMPINGS = (1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5)


@dataclass(frozen=True)
class FinderOptions:
    """Options of the critical-point finders."""

    max_iter: int = 100  # iterations (Newton steps, or gradient steps on 1/2 ||g||^2)
    grad_norm_sq_threshold: float = 1e-10  # ||g||^2 at most this: critical
    eigen_tolerance_factor: float = 10.0  # eigenvalues within tol count as zero (see spectrum)
    damping: float = 1e-3  # damped Newton: solve (H + damping * max|lambda| I) p = g
    backtracks: int = 30  # line-search halvings on ||g||^2 (Newton-MR, gradient-norm)
    armijo: float = 1e-4  # sufficient-decrease constant of the line search
    # Newton-MR steps refining certified points, taken while ||g||^2 decreases (to round-off);
    # a cap only: polishing stops at the first step that does not lower ||g||^2.
    polish_steps: int = 50
    flat_residual: float = 0.9  # numerics.gradient_flat_residual: r above this (Frye's thesis)
    flat_cokernel: float = 5e-4  # numerics.gradient_flat_cokernel: and r_H below this
    flat_maxit: int = 25  # MINRES-QLP iterations behind both (autocrit DEFAULT_MAXIT)
    flat_rtol: float = 5e-4  # its stopping tolerance (Frye's thesis, Sec. 3.4.3: "5e-4")
    flat_rank_rtol: float = 1e-10  # its rank tolerance (ours: round-off directions only)
    # Newton steps ignore eigenvalues below pinv_rtol * max|lambda| (a truncated pseudo-inverse,
    # as MINRES-QLP's early stopping does). 1e-4 was chosen on the linear autoencoder with seeds 1
    # and 2 (certified: 72 and 75 of 100 at 1e-8, 89 and 87 at 1e-4, 83 and 77 at 1e-3), whose
    # starts then overlapped seed 0's; on the held-out seeds of the sweep (linear_ae.pinv_sweep,
    # disjoint starts) it is the best value too (see the README).
    pinv_rtol: float = 1e-4
    # Newton-MR's solve: eigh (dense Hessian, exact) or minres (matrix-free: MINRES-QLP on HVPs;
    # the polish, the gradient-flat residual and the distance tolerance then use HVPs too)
    solver: str = "eigh"
    minres_rtol: float = 1e-8  # MINRES-QLP's stopping tolerance (landscape.engine.krylov)
    minres_maxiter: int | None = None  # its largest Krylov dimension (None: the dimension P)
    # Exact Hessians assembled at once (config curvature.memory_budget_mb, through
    # CurvatureOptions.networks_per_chunk); None: every start at once.
    hessian_chunk: int | None = None

    @classmethod
    def from_numerics(cls, numerics, **options) -> FinderOptions:
        """Finder options that certify with the typed ``numerics`` (threshold, tolerance)."""
        return cls(
            grad_norm_sq_threshold=numerics.grad_norm_sq_threshold,
            eigen_tolerance_factor=numerics.eigen_tolerance_factor,
            flat_residual=numerics.gradient_flat_residual,
            flat_cokernel=numerics.gradient_flat_cokernel,
            **options,
        )


@dataclass
class FinderResult:
    """End points of a batch of critical-point searches, all kept.

    Attributes:
        params: End points (S, P).
        loss: Their losses (S,).
        grad_norm_sq: Squared gradient norms (S,).
        residual: Frye et al. 2021's relative residual r = ||H p - g|| / (||H|| ||p|| + ||g||)
            of MINRES-QLP's Newton step (S,), 1 when the gradient lies in the Hessian's kernel.
        cokernel_residual: Their co-kernel residual r_H = ||H (H p - g)|| / (||H|| ||H p - g||)
            (S,), 0 when what the step leaves of g lies in the kernel.
        iterations: Iterations each search ran before stopping (S,).
        status: ``critical``, ``gradient-flat``, ``not converged``, or ``diverged`` (a non-finite
            gradient) per end point.
        polish: What polishing did to each point (zeros where it was not certified).
        eig_tol_distance: sqrt(M ||g||), the eigenvalue tolerance for the distance to the
            critical point (S,), NaN where diverged (see the module docstring).
        hessian_rate: M, the measured rate of change of the Hessian along the Newton step (S,).
    """

    params: torch.Tensor
    loss: torch.Tensor
    grad_norm_sq: torch.Tensor
    residual: torch.Tensor
    iterations: torch.Tensor
    status: list[str]
    cokernel_residual: torch.Tensor | None = None
    polish: Polish | None = None
    eig_tol_distance: torch.Tensor | None = None
    hessian_rate: torch.Tensor | None = None


@dataclass(frozen=True)
class Polish:
    """What polishing did to each of S end points (certified ones only; zeros elsewhere).

    Attributes:
        grad_norm_sq_before: ||g||^2 when certified, before polishing (S,); NaN if never
            certified.
        steps: Newton-MR steps kept, each lowering ||g||^2 (S,). Each costs one exact Hessian
            and its eigendecomposition, plus a gradient.
        distance: ||x_after - x_before|| (S,).
        loss_change: L(x_after) - L(x_before) (S,).
    """

    grad_norm_sq_before: torch.Tensor
    steps: torch.Tensor
    distance: torch.Tensor
    loss_change: torch.Tensor


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


def _minres_steps(ctx: _Search, theta, g, rank_rtols) -> list[torch.Tensor]:
    """Newton-MR steps p ~ H_tau^+ g (S, P) by MINRES-QLP on Hessian-vector products, all at once.

    The minimum-length least-squares solutions on one Krylov space (:func:`landscape.engine.krylov.
    minres_qlp_many`), never forming H; singular values below tau sigma_max are dropped as the
    dense path's ``pinv_rtol`` drops eigenvalues. One per tau in ``rank_rtols``.
    """
    opts = ctx.options
    sols = minres_qlp_many(
        ctx.batched_hvp(theta),
        g,
        tuple(rank_rtols),
        rtol=opts.minres_rtol,
        maxiter=opts.minres_maxiter,
    )
    return [sol.x for sol in sols]


def find_critical_points(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    hessian_fn: Callable[[torch.Tensor], torch.Tensor],
    starts: torch.Tensor,
    method: str,
    options: FinderOptions,
    log: Callable[[str], None] | None = None,
    resume: Resume = NO_RESUME,
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
        hessian_fn: theta (P,) -> H (P, P), exact (see
        :func:`landscape.engine.curvature.make_hessian`).
        starts: Starting points (S, P), float64.
        method: One of :data:`FINDERS` or :data:`MINIMIZERS`.
        options: Iterations, thresholds, damping.
        log: Progress lines (every :data:`landscape.base.runlog.PROGRESS_SECONDS`: the iteration,
            the starts still searching, their best and median ||g||^2, the time left at most).
        resume: Where the iterations' state is saved (every ``resume.every_seconds``) and, if
            saved by a killed run of the same starts, method and options, resumed from
            (:mod:`landscape.base.resume`); removed when the search ends.

    Returns:
        Every end point with its status: ``critical`` when ||g||^2 <= threshold, else
        ``gradient-flat`` when r exceeds ``flat_residual`` and r_H is below ``flat_cokernel``, else
        ``not converged``. Nothing is dropped.
    """
    step = _step_of(method)
    if options.solver not in ("eigh", "minres"):
        raise ValueError(f"unknown Newton solver '{options.solver}' (use eigh or minres)")
    ctx = _Search.build(loss_fn, hessian_fn, options)
    key = fingerprint(starts, method, options)
    progress = Progress(log, options.max_iter)
    theta, iterations = _iterate(ctx, step, starts.clone(), progress, resume, key)
    g = ctx.grads(theta)
    gn = (g * g).sum(-1)
    finite = torch.isfinite(gn) & torch.isfinite(theta).all(-1)  # NaN ends: diverged
    theta, g, gn, polish = _polish(ctx, theta, g, gn, finite)
    result = _certify_ends(ctx, theta, g, gn, finite, iterations, polish)
    resume.clear()
    return result


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
        from landscape.engine.curvature import make_hvp

        return cls(loss_fn, hessian_fn, vmap(grad(loss_fn)), make_hvp(loss_fn), options)

    def hessians(self, points: torch.Tensor) -> torch.Tensor:
        """Exact Hessians (S, P, P), assembled options.hessian_chunk at a time."""
        from landscape.engine.curvature import batched_hessians

        return batched_hessians(self.hessian_fn, points, chunk_size=self.options.hessian_chunk)

    def eigh(self, points: torch.Tensor, finite: torch.Tensor | None = None):
        """Eigendecomposition of the exact Hessians; rows not ``finite`` are replaced by zeros."""
        h = self.hessians(points)  # (S, P, P)
        return torch.linalg.eigh(h if finite is None else torch.where(finite[:, None, None], h, 0))

    @property
    def matrix_free(self) -> bool:
        return self.options.solver == "minres"

    def batched_hvp(self, theta: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """The operator v (S, P) -> H(theta_s) v_s (S, P) of S Hessians at once.

        The Hessian of sum_s L(theta_s) is block diagonal with blocks H(theta_s), so one
        double-backward through the gradient graph, built once here and kept, gives every
        H_s v_s (Pearlmutter 1994): 2.5-60x faster than vmap(jvp(grad)) per product on
        16-4-10 to 16-64-64-10 MLPs, which recomputes the forward pass every time.
        """
        x = theta.detach().requires_grad_(True)
        with torch.enable_grad():
            g = torch.autograd.grad(vmap(self.loss_fn)(x).sum(), x, create_graph=True)[0]
        return lambda v: torch.autograd.grad(g, x, v, retain_graph=True)[0].detach()

    def newton_steps(self, theta, g, rank_rtols, eig=None) -> list[torch.Tensor]:
        """Truncated Newton steps H_tau^+ g (S, P), one per tau in ``rank_rtols``.

        From ``eig`` (the dense eigendecomposition) when given, else by MINRES-QLP on HVPs.
        """
        if eig is None and self.matrix_free:
            return _minres_steps(self, theta, g, rank_rtols)
        lam, vecs = self.eigh(theta) if eig is None else eig
        zero = torch.zeros_like(theta[:, 0])
        return [_pinv_solve(lam, vecs, g, zero, tau)[0] for tau in rank_rtols]

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
    return _backtrack(
        theta, direction, torch.ones_like(gn), moving, decreases_loss, opts.backtracks
    )


def _step_gradient_norm(ctx: _Search, theta, g, gn):
    """Gradient descent on 1/2 ||g||^2 by Hessian-vector products; Armijo backtracking.

    The gradient of 1/2 ||g||^2 is d = H g. Along -d the gradient is g - a H d to first order,
    so the quadratic (Gauss-Newton) model of 1/2 ||g||^2 is minimised at
    a* = (g . H d) / ||H d||^2 = ||d||^2 / ||H d||^2; the line search starts there and halves
    (Armijo constant ``armijo``, at most ``backtracks`` halvings: the backtracking line search of
    Frye et al. 2019's BTLS gradient-norm minimisation). Two HVPs per step, never a Hessian.
    """
    direction = vmap(ctx.hvp)(theta, g)  # (A, P): H g, the gradient of 1/2 ||g||^2
    curv = vmap(ctx.hvp)(theta, direction)  # (A, P): H d
    slope = (direction * direction).sum(-1)  # (A,) decrease rate of 1/2 ||g||^2
    alpha = slope / (curv * curv).sum(-1).clamp_min(1e-300)  # (A,) the model's minimiser
    moving = torch.zeros_like(gn, dtype=torch.bool)
    return _backtrack(
        theta, direction, alpha, moving, ctx.decreases_grad_norm(gn, slope), ctx.options.backtracks
    )


def _step_newton_mr(ctx: _Search, theta, g, gn):
    """P = H^+ g (dense eigh, or MINRES-QLP on HVPs; truncated at pinv_rtol); Armijo on ||g||^2."""
    moving = torch.zeros_like(gn, dtype=torch.bool)
    (direction,) = ctx.newton_steps(theta, g, [ctx.options.pinv_rtol])
    hp = vmap(ctx.hvp)(theta, direction)  # H p
    slope = (hp * g).sum(-1)  # decrease rate of 1/2 ||g||^2 along -p
    return _backtrack(
        theta,
        direction,
        torch.ones_like(gn),
        moving,
        ctx.decreases_grad_norm(gn, slope),
        ctx.options.backtracks,
    )


def _best_damping_step(ctx: _Search, theta, g, absolute: bool, objective):
    """The step (M + delta I)^-1 g whose delta (of DAUPHIN_DAMPINGS) lowers ``objective`` most.

    M is H (Newton) or |H|, H with each eigenvalue replaced by its absolute value (saddle-free
    Newton; Dauphin et al. 2014, Sec. 6, eq. (5) and Alg. 1: "lambda <- arg min f(g (|H| +
    lambda I)^-1)", the exact |H| here where they use a Krylov subspace). A start whose every
    trial fails to lower the objective (or is not finite) keeps its point.
    ``objective``: theta (A, P) -> (A,).
    """
    lam, vecs = ctx.eigh(theta)  # (A, P), (A, P, P)
    coef = (vecs.mT @ g[..., None])[..., 0]  # (A, P): g in the eigenbasis
    curv = lam.abs() if absolute else lam
    best, best_value = theta, objective(theta)  # (A, P), (A,)
    for delta in DAUPHIN_DAMPINGS:
        denom = curv + delta  # (A, P); for Newton it may pass through 0: that trial is inf
        step = (vecs @ (coef / denom)[..., None])[..., 0]  # (A, P)
        trial = theta - step
        value = objective(trial)  # (A,)
        better = torch.isfinite(value) & (value < best_value)
        best = torch.where(better[:, None], trial, best)
        best_value = torch.where(better, value, best_value)
    return best


def _step_newton_best_damping(ctx: _Search, theta, g, gn):
    """Dauphin et al.'s Newton method: (H + delta I)^-1 g, delta from DAUPHIN_DAMPINGS.

    Their App. F.1 picks delta "to maximize the improvement"; for a search for critical points
    we read the improvement as the fall of ||g||^2 (ours: they do not say of what), so the
    method is drawn to critical points of every kind, as Newton's method is (their Sec. 4).
    """
    return _best_damping_step(ctx, theta, g, False, lambda t: (ctx.grads(t) ** 2).sum(-1))


def _step_saddle_free_newton_best_damping(ctx: _Search, theta, g, gn):
    """Dauphin et al.'s saddle-free Newton: (|H| + delta I)^-1 g, delta lowering the loss most."""
    return _best_damping_step(ctx, theta, g, True, vmap(ctx.loss_fn))


# One update of the starts still searching, (ctx, theta (A, P), g (A, P), gn (A,)) -> (A, P).
STEPS = {
    "newton_mr": _step_newton_mr,
    "damped_newton": _step_damped_newton,
    "gradient_norm": _step_gradient_norm,
    "saddle_free_newton": _step_saddle_free_newton,
    "newton_best_damping": _step_newton_best_damping,
    "saddle_free_newton_best_damping": _step_saddle_free_newton_best_damping,
}


def _step_of(method: str):
    """The update of finder ``method`` (:data:`STEPS`); ValueError naming the known ones."""
    if method not in STEPS:
        raise ValueError(
            f"unknown finder '{method}' (use {', '.join(FINDERS + MINIMIZERS + BEST_DAMPING)})"
        )
    return STEPS[method]


def descent_path(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    hessian_fn: Callable[[torch.Tensor], torch.Tensor],
    starts: torch.Tensor,
    method: str,
    options: FinderOptions,
    steps: int,
) -> torch.Tensor:
    """The iterates of a search, every step recorded: (steps + 1, S, P), row 0 the starts.

    The same updates as :func:`find_critical_points` (``STEPS[method]``), with no stopping,
    polish or certification: the parameters a training run visits epoch by epoch, e.g. the
    saddle-free Newton runs whose parameters Dauphin et al. (2014, App. C) perturb into starts.
    A start that reaches a non-finite gradient keeps its last point.
    """
    step = _step_of(method)
    ctx = _Search.build(loss_fn, hessian_fn, options)
    path = [starts.clone()]
    theta = starts.clone()
    for _ in range(steps):
        g = ctx.grads(theta)  # (S, P)
        gn = (g * g).sum(-1)
        live = torch.isfinite(gn).nonzero()[:, 0]
        theta = theta.index_copy(0, live, step(ctx, theta[live], g[live], gn[live]))
        path.append(theta.clone())
    return torch.stack(path)  # (steps + 1, S, P)


def _iterate(ctx: _Search, step, theta: torch.Tensor, progress: Progress, resume: Resume, key: str):
    """Up to max_iter updates; a start stops once certified (or non-finite).

    The state (theta, the iteration counts, the next iteration) is saved through ``resume`` and
    restored from it when saved under the same fingerprint ``key``.
    """
    iterations = torch.zeros(theta.shape[0], dtype=torch.long)
    first = 0
    saved = resume.load(key)
    if saved is not None:
        theta = saved["theta"].to(theta.device, theta.dtype)
        iterations, first = saved["iterations"], int(saved["iteration"])
        progress.report(first, f"resumed at iteration {first} from {resume.path}", force=True)
    save = resume.saver(key)
    for it in range(first, ctx.options.max_iter + 1):
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
        if progress.due():
            live = gn[active]
            progress.report(
                it,
                f"iteration {it}/{ctx.options.max_iter}: {len(active)} of "
                f"{len(gn)} starts searching, ||g||^2 best {float(live.min()):.2e}, "
                f"median {float(live.median()):.2e}",
            )
        theta = theta.index_copy(0, active, step(ctx, theta[active], g[active], gn[active]))
        save({"theta": theta, "iterations": iterations, "iteration": it + 1})
    return theta, iterations


# Rank tolerances of the polishing steps, tried from one eigendecomposition: the step that
# lowers ||g||^2 most is kept. A single small tolerance divides the gradient's near-kernel part
# by eigenvalues ~1e-9 and overshoots (measured on digits 16-4-10 tanh: steps of length 36 that
# left ||g||^2 at 1e-11); a single large one stops short of round-off.
POLISH_RTOLS = (1e-10, 1e-8, 1e-6, 1e-4)


def _best_newton_steps(ctx: _Search, theta, g, eig=None):
    """The truncated Newton step whose trial point has the smallest ||g||^2.

    p = H_tau^+ g over tau in POLISH_RTOLS and pinv_rtol, from one eigendecomposition ``eig``
    (computed here when None, unless the search is matrix-free: then by MINRES-QLP).
    Returns (trial x - p (S, P), its g, its ||g||^2).
    """
    best = None
    rtols = sorted({*POLISH_RTOLS, ctx.options.pinv_rtol})
    for step in ctx.newton_steps(theta, g, rtols, eig):
        trial = theta - step
        gt = ctx.grads(trial)
        gnt = torch.nan_to_num((gt * gt).sum(-1), nan=float("inf"))
        if best is None:
            best = (trial, gt, gnt)
            continue
        better = gnt < best[2]
        best = (
            torch.where(better[:, None], trial, best[0]),
            torch.where(better[:, None], gt, best[1]),
            torch.where(better, gnt, best[2]),
        )
    return best


def _polish(ctx: _Search, theta, g, gn, finite):
    """Newton-MR steps on certified points while they lower ||g||^2 (to round-off).

    Near a critical manifold the near-zero Hessian eigenvalues are perturbed by about ||g||, so
    certified points are refined until no truncated Newton step (:func:`_best_newton_steps`)
    lowers ||g||^2 (at most ``polish_steps``); a point is never moved out of certification.
    Returns the new theta, g, ||g||^2 and a :class:`Polish` record.
    """
    start = theta
    certified = finite & (gn <= ctx.options.grad_norm_sq_threshold)
    before = torch.where(certified, gn, torch.full_like(gn, float("nan")))
    steps = torch.zeros(gn.shape[0], dtype=torch.long, device=gn.device)
    moving = certified.clone()
    for _ in range(ctx.options.polish_steps):
        if not moving.any():
            break
        ids = moving.nonzero()[:, 0]  # only the points still improving cost anything
        trial, gt, gnt = _best_newton_steps(ctx, theta[ids], g[ids])
        better = gnt < gn[ids]
        keep = ids[better]
        theta, g, gn = theta.clone(), g.clone(), gn.clone()
        theta[keep], g[keep], gn[keep] = trial[better], gt[better], gnt[better]
        steps[keep] += 1
        moving[ids[~better]] = False
    loss_change = vmap(ctx.loss_fn)(theta) - vmap(ctx.loss_fn)(start)
    return theta, g, gn, Polish(before, steps, (theta - start).norm(dim=-1), loss_change)


def _certify_ends(ctx: _Search, theta, g, gn, finite, iterations, polish) -> FinderResult:
    """Status of every end point; Frye et al.'s two residuals flag gradient-flat ones."""
    opts = ctx.options
    safe_g = torch.where(finite[:, None], torch.nan_to_num(g), 0.0)  # diverged rows: 0
    if ctx.matrix_free:  # every quantity from HVPs; no Hessian is formed
        h = eig = None
        op = ctx.batched_hvp(torch.where(finite[:, None], theta, 0.0))
    else:
        h = torch.where(finite[:, None, None], ctx.hessians(theta), 0)  # (S, P, P)
        eig = torch.linalg.eigh(h)
        op = lambda v: (h @ v[..., None])[..., 0]  # noqa: E731  (S, P) -> (S, P)
    flat = minres_qlp(op, safe_g, opts.flat_rtol, opts.flat_rank_rtol, opts.flat_maxit)
    residual, cokernel = flat.relative_residual, flat.normal_residual  # Frye's r and r_H (S,)
    loss = vmap(ctx.loss_fn)(theta)
    # An overflow (+-inf) is as diverged as a NaN: in the loss, the gradient or the point.
    finite = finite & torch.isfinite(gn) & torch.isfinite(loss)
    distance_tol, rate = _distance_tolerance(ctx, theta, g, h, eig, finite)
    status = []
    for k in range(theta.shape[0]):
        label = certify(float(gn[k]), opts.grad_norm_sq_threshold, not bool(finite[k]))
        flat_k = residual[k] > opts.flat_residual and cokernel[k] < opts.flat_cokernel
        if label == Status.NOT_CONVERGED and bool(flat_k):
            label = Status.GRADIENT_FLAT
        status.append(label)
    return FinderResult(
        params=theta,
        loss=loss,
        grad_norm_sq=gn,
        residual=residual,
        cokernel_residual=cokernel,
        iterations=iterations,
        status=status,
        polish=polish,
        eig_tol_distance=distance_tol,
        hessian_rate=rate,
    )


def distance_tolerances(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    hessian_fn: Callable[[torch.Tensor], torch.Tensor],
    points: torch.Tensor,
    options: FinderOptions,
) -> torch.Tensor:
    """sqrt(M ||g||) at given points (S,): the distance part of the derived eigenvalue tolerance.

    For points that did not come from :func:`find_critical_points` (analytic ones, or ends of
    another search); see the module docstring. NaN where a point, its gradient or Hessian is
    not finite.

    Args:
        loss_fn: theta (P,) -> scalar loss.
        hessian_fn: theta (P,) -> H (P, P).
        points: (S, P), float64.
        options: ``pinv_rtol`` and ``hessian_chunk`` are used.
    """
    ctx = _Search.build(loss_fn, hessian_fn, options)
    g = ctx.grads(points)  # (S, P)
    finite = torch.isfinite(g).all(-1) & torch.isfinite(points).all(-1)
    g = torch.where(finite[:, None], g, 0.0)
    h = torch.where(
        finite[:, None, None], ctx.hessians(torch.where(finite[:, None], points, 0.0)), 0.0
    )
    finite = finite & torch.isfinite(h).all(-1).all(-1)
    h = torch.where(finite[:, None, None], h, 0.0)
    tol, _ = _distance_tolerance(ctx, points, g, h, torch.linalg.eigh(h), finite)
    return tol


def _unit(v: torch.Tensor) -> torch.Tensor:
    """Rows of ``v`` (S, P) scaled to unit norm; zero rows stay zero.

    Scaled by max|v| first, so that a row of 1e-181 (near the origin) does not underflow its
    norm to 0.
    """
    top = v.abs().amax(-1, keepdim=True)
    scaled = v / torch.where(top > 0, top, 1.0)
    return scaled / scaled.norm(dim=-1, keepdim=True).clamp_min(1.0)  # norm >= 1 unless zero


# Length of the finite-difference probe that measures how fast the Hessian changes (parameters
# are O(1); the Hessian's round-off, ~1e-13, is then 1e-9 of a unit rate).
LIPSCHITZ_PROBE = 1e-4


# Lanczos steps that estimate ||H(x + s u) - H(x)||_2 without forming either Hessian (the largest
# Ritz value in magnitude; it converges to the extreme eigenvalue from inside, the first Ritz values
# to do so).
RATE_STEPS = 30


def _hessian_change_norm(ctx: _Search, theta, probe, seed: int = 0) -> torch.Tensor:
    """||H(probe_s) - H(theta_s)||_2 (S,) by Lanczos on differences of HVPs (:data:`RATE_STEPS`)."""
    gen = torch.Generator().manual_seed(seed)
    start = torch.randn(theta.shape, generator=gen, dtype=theta.dtype).to(theta.device)
    at, ahead = ctx.batched_hvp(theta), ctx.batched_hvp(probe)
    steps = min(RATE_STEPS, theta.shape[-1])
    lz = Lanczos(lambda v: ahead(v) - at(v), start, steps)
    for _ in range(steps):
        lz.step()
    t = lz.tridiagonal()[:, :-1, :]  # (S, k, k) the projected difference
    defined = torch.isfinite(t).all(-1).all(-1)  # an HVP undefined at the probe: NaN
    norm = torch.linalg.eigvalsh(torch.where(defined[:, None, None], t, 0.0)).abs().amax(-1)
    return torch.where(defined, norm, torch.full_like(norm, float("nan")))


def _distance_tolerance(ctx: _Search, theta, g, h, eig, finite):
    """sqrt(M ||g||): the eigenvalue tolerance for the distance to the critical point (S,).

    M = ||H(x + s u) - H(x)||_2 / s is the rate at which the Hessian changes along u, the
    direction of the Newton step to the critical point (:func:`_best_newton_steps`; the gradient
    where that step is zero), measured with s = :data:`LIPSCHITZ_PROBE`. See the module
    docstring for the derivation. Returns (tolerance, M), NaN where the point is not finite.
    """
    safe_theta = torch.where(finite[:, None], theta, 0.0)  # diverged rows: 0 (no NaN in a solve)
    safe_g = torch.where(finite[:, None], torch.nan_to_num(g), 0.0)
    ahead, _, _ = _best_newton_steps(ctx, safe_theta, safe_g, eig)
    step = torch.nan_to_num(safe_theta - ahead)  # (S, P)
    direction = torch.where((step.abs().amax(-1) > 0)[:, None], step, g)
    unit = _unit(torch.nan_to_num(direction))  # (S, P)
    probe = torch.where(finite[:, None], theta + LIPSCHITZ_PROBE * unit, 0.0)  # (S, P)
    if h is None:  # matrix-free
        rate = _hessian_change_norm(ctx, safe_theta, probe) / LIPSCHITZ_PROBE  # NaN: undefined
        finite = finite & torch.isfinite(rate)
        return _masked(torch.sqrt(rate * g.norm(dim=-1)), finite), _masked(rate, finite)
    change = ctx.hessians(probe) - h  # (S, P, P)
    finite = finite & torch.isfinite(change).all(-1).all(-1)  # a Hessian undefined at the probe
    change = torch.where(finite[:, None, None], change, 0.0)
    rate = torch.linalg.eigvalsh(change).abs().amax(-1) / LIPSCHITZ_PROBE
    tol = torch.sqrt(rate * g.norm(dim=-1))
    return _masked(tol, finite), _masked(rate, finite)


def _masked(values: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """``values`` with NaN where not ``keep``."""
    return torch.where(keep, values, torch.full_like(values, float("nan")))
