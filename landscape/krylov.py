"""Batched Krylov solves on Hessian-vector products: the Newton-MR step without forming H.

Newton-MR (Roosta, Liu, Xu & Mahoney 2018, "Newton-MR: Inexact Newton Method With Minimum
Residual Sub-problem Solver", arXiv:1810.00303, Alg. 1) steps along p ~ H^+ g, the minimum-norm
least-squares solution of H p = g, which its authors compute with MINRES-QLP (Choi, Paige &
Saunders 2011, SIAM J. Sci. Comput. 33(4), 1810-1836). At iteration k, MINRES-QLP's iterate is
the **minimum-length** solution of the least-squares problem restricted to the Krylov space
K_k(H, g) = span{g, H g, ..., H^(k-1) g} (Choi et al. 2011, Sec. 3, eq. (3.2)-(3.3)):

    x_k = Q_k y_k,   y_k = argmin ||y||  over  argmin_y ||beta_1 e_1 - T_k y||,

where H Q_k = Q_(k+1) T_k is the Lanczos relation (Q orthonormal (P, k), T_k (k + 1, k)
tridiagonal, beta_1 = ||g||). MINRES-QLP reaches y_k by short recurrences; here, with many
starts batched on one device and k at most a few hundred, Lanczos keeps the whole basis (with full
reorthogonalisation, so Q stays orthonormal to round-off) and y_k comes from the SVD of the small
T_k, its singular values below ``rank_rtol`` sigma_max(T_k) taken as zero (the rank-revealing
step MINRES-QLP's QLP factorisation performs). In exact arithmetic this is MINRES-QLP's iterate;
on a nonsingular or consistent system it is MINRES's (Paige & Saunders 1975).

Stopping (Choi et al. 2011, Sec. 3.3, their tests on ||r|| and ||A r||): a start stops when

    ||r_k|| <= rtol ||g||                        (the system is solved), or
    ||H r_k|| <= max(rtol, rank_rtol) ||H|| ||r_k||   (least squares solved: r_k ~ _|_ range H),

with ||H|| estimated by the Frobenius norm of T_k (as scipy's ``minres`` does). Both norms
are exact by-products of the Lanczos relation:
r_k = Q_(k+1) z, z = beta_1 e_1 - T_k y_k, and H r_k = Q_(k+2) T_(k+1) z. The second test allows
rank_rtol because the directions the truncation drops leave at most rank_rtol ||H|| ||r|| in
||H r||. Roosta et al.'s inexactness condition ||H r|| <= theta ||H g|| (their eq. (9)) is the
same test with theta in place of rtol ||H|| ||r|| / ||H g||.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class KrylovSolve:
    """The minimum-length least-squares solutions of S systems H_s x = b_s.

    Attributes:
        x: Solutions (S, P).
        residual: ||b - H x|| / ||b|| (S,); 0 where b = 0.
        normal_residual: ||H r|| / (||H|| ||r||) (S,), the least-squares optimality; 0 where r = 0.
        iterations: Krylov dimension k of each start's solution (S,).
    """

    x: torch.Tensor
    residual: torch.Tensor
    normal_residual: torch.Tensor
    iterations: torch.Tensor


class Lanczos:
    """Lanczos with full reorthogonalisation on S operators at once.

    ``op`` maps (S, P) -> (S, P), start s's vector to H_s v. After ``j`` steps, ``basis`` holds
    Q_(j+1) (S, P, j + 1) and ``tridiagonal(j)`` T_j (S, j + 1, j) with H Q_j = Q_(j+1) T_j.
    A start whose Krylov space became invariant (beta_(j+1) ~ 0) gets zero vectors from then on,
    which add zero rows and columns to T and change no solution.
    """

    def __init__(self, op: Callable[[torch.Tensor], torch.Tensor], b: torch.Tensor,
                 capacity: int):  # fmt: skip
        """Start from q_1 = b / ||b|| (S, P), room for ``capacity`` steps; none is taken yet."""
        self.op = op
        self.beta1 = b.norm(dim=-1)  # (S,)
        self.q = b.new_zeros(b.shape[0], capacity + 1, b.shape[1])  # (S, capacity + 1, P) rows
        self.q[:, 0] = b / self.beta1.clamp_min(1e-300)[:, None]  # q_1
        self.alphas: list[torch.Tensor] = []  # (S,) each
        self.scale = torch.zeros_like(self.beta1)  # largest |entry| of T so far (S,)
        self.betas: list[torch.Tensor] = []  # beta_2, beta_3, ... (S,) each

    @property
    def steps(self) -> int:
        """Steps taken, j."""
        return len(self.alphas)

    def step(self) -> None:
        """One Lanczos step: q_(j+1) from H q_j, orthogonalised twice against every q."""
        j = self.steps
        if j + 1 >= self.q.shape[1]:
            raise ValueError(f"Lanczos: no room for step {j + 1} (capacity {j})")
        q = self.q[:, j]
        w = self.op(q)  # (S, P)
        alpha = (q * w).sum(-1)  # (S,)
        rows = self.q[:, : j + 1]  # (S, j + 1, P), contiguous per start
        for _ in range(2):  # Gram-Schmidt twice: orthogonal to round-off
            coef = (rows @ w[..., None]).mT  # (S, 1, j + 1)
            w = w - (coef @ rows)[:, 0]  # rows used as stored: no transposed copy
        beta = w.norm(dim=-1)  # (S,)
        self.scale = torch.maximum(self.scale, torch.maximum(alpha.abs(), beta))  # max |T| so far
        live = beta > 1e-12 * self.scale  # an invariant subspace: no new direction
        self.alphas.append(alpha)
        self.betas.append(torch.where(live, beta, 0.0))
        self.q[:, j + 1] = torch.where(live[:, None], w / beta.clamp_min(1e-300)[:, None], 0.0)

    def tridiagonal(self, j: int | None = None) -> torch.Tensor:
        """T_j (S, j + 1, j), the first j steps (default: all)."""
        j = self.steps if j is None else j
        s = self.beta1.shape[0]
        t = self.beta1.new_zeros(s, j + 1, j)
        idx = torch.arange(j, device=t.device)
        t[:, idx, idx] = torch.stack(self.alphas[:j], -1)
        t[:, idx + 1, idx] = torch.stack(self.betas[:j], -1)
        t[:, idx[:-1], idx[1:]] = t[:, idx[1:], idx[:-1]]
        return t

    def basis(self, j: int) -> torch.Tensor:
        """Q_j (S, P, j), a view."""
        return self.q[:, :j].mT


def min_length_solution(t: torch.Tensor, beta1: torch.Tensor, rank_rtol: float):
    """The minimum-length y among the minimisers of ||beta_1 e_1 - T y|| (truncated SVD).

    Singular values below rank_rtol sigma_max(T) are taken as zero.

    Args:
        t: (S, k + 1, k).
        beta1: (S,).
        rank_rtol: Relative rank tolerance.

    Returns:
        (y (S, k), z = beta_1 e_1 - T y (S, k + 1), sigma_max (S,)).
    """
    u, sv, vh = torch.linalg.svd(t, full_matrices=False)  # u (S, k+1, k), sv (S, k), vh (S, k, k)
    top = sv[:, :1]  # (S, 1)
    keep = sv > rank_rtol * top
    coef = torch.where(keep, beta1[:, None] * u[:, 0, :] / torch.where(keep, sv, 1.0), 0.0)
    y = (vh.mT @ coef[..., None])[..., 0]  # (S, k)
    rhs = torch.zeros_like(t[:, :, 0])
    rhs[:, 0] = beta1
    return y, rhs - (t @ y[..., None])[..., 0], top[:, 0]


class _MinresNorms:
    """Paige & Saunders (1975)'s Givens recurrence: ||r_k|| and ||H r_(k-1)|| of MINRES per step.

    The QR factorisation of T_k by Givens rotations, updated with each Lanczos step (as in scipy's
    ``minres``): O(S) work per step, so the stopping tests need no solve. ||H|| is estimated by
    the Frobenius norm of T_k.
    """

    def __init__(self, beta1: torch.Tensor):
        zero = torch.zeros_like(beta1)
        self.cs, self.sn, self.dbar, self.phibar = -torch.ones_like(beta1), zero, zero, beta1
        self.tnorm2, self.old_beta = zero, zero
        self.rnorm, self.arnorm = beta1, torch.full_like(beta1, float("inf"))
        self.old_rnorm = beta1  # ||r_(k-1)||, the residual arnorm belongs to

    def update(self, alpha: torch.Tensor, beta: torch.Tensor) -> None:
        """Fold in the step's alpha_k and beta_(k+1)."""
        gbar = self.sn * self.dbar - self.cs * alpha
        self.dbar = -self.cs * beta
        self.arnorm = self.phibar.abs() * torch.hypot(gbar, self.dbar)  # ||H r_(k-1)||
        self.old_rnorm = self.phibar.abs()  # ||r_(k-1)||
        gamma = torch.hypot(gbar, beta).clamp_min(1e-300)
        self.cs, self.sn = gbar / gamma, beta / gamma
        self.phibar = self.sn * self.phibar
        self.rnorm = self.phibar.abs()  # ||r_k||
        self.tnorm2 = self.tnorm2 + alpha**2 + self.old_beta**2 + beta**2
        self.old_beta = beta


def minres_qlp(
    op: Callable[[torch.Tensor], torch.Tensor],
    b: torch.Tensor,
    rtol: float = 1e-8,
    rank_rtol: float = 1e-10,
    maxiter: int | None = None,
) -> KrylovSolve:
    """MINRES-QLP's minimum-length solution of H_s x = b_s for S starts at once (module docstring).

    Args:
        op: (S, P) -> (S, P), v_s -> H_s v_s, e.g. a batched Hessian-vector product.
        b: Right-hand sides (S, P).
        rtol: Stopping tolerance of both tests.
        rank_rtol: Singular values of T_k below rank_rtol * sigma_max(T_k) are taken as zero
            (the truncation of a pseudo-inverse).
        maxiter: Largest Krylov dimension (None: P). Memory is S * P * (maxiter + 2) floats.

    Returns:
        A :class:`KrylovSolve`; each start's Krylov dimension is the first at which a stopping
        test passed (or ``maxiter``).
    """
    return minres_qlp_many(op, b, (rank_rtol,), rtol, maxiter)[0]


def minres_qlp_many(
    op: Callable[[torch.Tensor], torch.Tensor],
    b: torch.Tensor,
    rank_rtols: tuple[float, ...],
    rtol: float = 1e-8,
    maxiter: int | None = None,
) -> list[KrylovSolve]:
    """:func:`minres_qlp` at several rank tolerances from one Krylov space (one per tolerance).

    The Lanczos steps run until the stopping tests pass at the smallest tolerance (MINRES's
    residuals from :class:`_MinresNorms`); each solution is then read from the same T_k.
    """
    n = b.shape[-1]
    maxiter = n if maxiter is None else min(maxiter, n)
    finite = torch.isfinite(b).all(-1)  # a non-finite right-hand side gets x = 0
    lz = Lanczos(op, torch.where(finite[:, None], b, 0.0), maxiter + 1)
    norms = _MinresNorms(lz.beta1)
    stop_at = torch.where(lz.beta1 == 0, 0, maxiter)  # (S,) Krylov dimension of each solution
    tol = max(rtol, min(rank_rtols))
    for k in range(1, maxiter + 1):
        lz.step()
        norms.update(lz.alphas[-1], lz.betas[-1])
        # ||H r_(k-1)|| is known after step k: the least-squares test decides iterate k - 1
        solved = norms.rnorm <= rtol * lz.beta1
        least = norms.arnorm <= tol * norms.tnorm2.sqrt() * norms.old_rnorm.clamp_min(1e-300)
        stop_at = torch.where((stop_at == maxiter) & solved, k, stop_at)
        stop_at = torch.where((stop_at == maxiter) & least, k - 1, stop_at)
        if bool((stop_at < maxiter).all()) or k == maxiter:
            break
    lz.step()  # beta_(k+2): the last iterate's ||H r|| is then exact
    top = max(int(stop_at.max()), 1)  # a start stopped at k = 0 keeps x = 0 (T_0 masked out)
    cols = torch.arange(top + 1, device=b.device)
    keep = cols[None, :] < stop_at[:, None]  # (S, top + 1) columns of T_(k_s)
    t = torch.where(keep[:, None, :top], lz.tridiagonal(top), 0.0)  # (S, top+1, top): T_(k_s)
    t_next = torch.where((cols[None, :] <= stop_at[:, None])[:, None, :], lz.tridiagonal(top + 1),
                         0.0)  # fmt: skip
    basis = lz.basis(top)  # (S, P, top)
    out = []
    for rank_rtol in rank_rtols:
        y, z, _ = min_length_solution(t, lz.beta1, rank_rtol)
        rnorm = z.norm(dim=-1)  # (S,) exact: r = Q_(k+1) z
        hr = (t_next @ z[..., None])[..., 0]  # (S, top + 2): H r = Q_(k+2) T_(k+1) z
        norm_h = torch.linalg.matrix_norm(t_next, ord=2)
        out.append(KrylovSolve(
            x=(basis @ y[..., None])[..., 0],
            residual=torch.where(lz.beta1 > 0, rnorm / lz.beta1.clamp_min(1e-300), 0.0),
            normal_residual=torch.where(rnorm > 0, hr.norm(dim=-1)
                                        / (norm_h * rnorm).clamp_min(1e-300), 0.0),
            iterations=stop_at,
        ))  # fmt: skip
    return out


def krylov_residual_op(
    op: Callable[[torch.Tensor], torch.Tensor],
    b: torch.Tensor,
    steps: int,
    rank_rtol: float,
    norm: torch.Tensor | None = None,
) -> torch.Tensor:
    """The residual of MINRES after k = ``steps``: min over K_k(H, b) of ||H x - b|| / ||b|| (S,).

    Frye et al. 2021's gradient-flat residual (see :mod:`landscape.critical`). Singular values of
    T_k below ``rank_rtol`` times ``norm`` are taken as zero; by default ||T_k||_F, the estimate of
    ||H|| that MINRES-QLP's rank test uses (Choi et al. 2011, as scipy's ``Anorm``).
    """
    k = min(steps, b.shape[-1])
    lz = Lanczos(op, b, k)
    for _ in range(k):
        lz.step()
    t = lz.tridiagonal(k)  # (S, k+1, k)
    u, sv, _ = torch.linalg.svd(t, full_matrices=False)  # u (S, k+1, k)
    scale = torch.linalg.matrix_norm(t)[:, None] if norm is None else norm[:, None]
    keep = sv > rank_rtol * scale  # (S, k)
    coef = torch.where(keep, u[:, 0, :], 0.0)  # (S, k) e_1's components in the kept range of T
    rest = -(u @ coef[..., None])[..., 0]  # (S, k+1): e_1 - U U^T e_1, formed (not 1 - ||.||^2)
    rest[:, 0] += 1
    return torch.where(lz.beta1 > 0, rest.norm(dim=-1), 0.0)
