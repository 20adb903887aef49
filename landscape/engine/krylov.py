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

Stopping (Choi et al. 2011, Sec. 3.3, their tests on ||r|| and ||A r||): a start stops at the
first k where

    ||r_k|| <= rtol ||g||                               (the system is solved), or
    ||H r_(k-1)|| <= tol ||H|| ||r_(k-1)||, tol = min(rtol, rank_rtol)   (least squares solved),

r_(k-1) being the residual of iterate k - 1 truncated at rank_rtol, and returns iterate **k**.
Why k and why rank_rtol (the minimum length): write g = g_R + g_N, its parts in range H and in
its kernel. H^j g lies in range H for j >= 1, so every x in K_k(H, g) has kernel part c_0 g_N,
c_0 its coefficient on g. MINRES's least-squares iterate has r_(k-1) = g_N (r _|_ range H) but
keeps c_0 g_N in x_(k-1), in general c_0 != 0 (Choi et al. 2011, Sec. 2: MINRES gives a
least-squares solution but not the minimum-length one; on diag(1, 2, 3, 0) x = 1, MINRES's x_3 =
(1, 1/2, 1/3, 11/6) against pinv's (1, 1/2, 1/3, 0)). The kernel direction r_(k-1) lies in K_k,
not K_(k-1), and there it is a direction Q_k v with ||T_k v|| = ||H r_(k-1)|| / ||r_(k-1)||, so
sigma_min(T_k) <= tol ||H||: with ||H|| estimated below sigma_max(T_k) and tol <= rank_rtol,
the truncated SVD of T_k drops it and x_k has no g_N part, the pseudo-inverse solution (at the
grade of g, where K is invariant, this is Choi et al.'s x_l = x^dagger). At a tolerance above
rank_rtol (this module's test before: max(rtol, rank_rtol) on x_(k-1)) the direction was kept,
divided by its small singular value: ||x - pinv(H) g|| was 4 to 14 times ||pinv(H) g|| at rtol
1e-8. Eigenvalues below rank_rtol ||H|| but not zero are the kernel's likewise (a truncated
pseudo-inverse).

The least-squares test is exact, from T_k and the SVD of T_(k-1): r = ||g|| Q_k z with z =
e_1 - T_(k-1) y / ||g||, and H r = ||g|| Q_(k+1) T_k z. Its O(k^3) SVD runs only from the step
at which MINRES's own ||H r_(k-1)|| (Paige & Saunders 1975's Givens recurrence, O(1) a step, as
scipy's ``minres``) first falls below max(rtol, rank_rtol) ||H|| ||r||: that recurrence, for
the untruncated iterate, loses its accuracy once T_k is numerically singular (on a 200 x 200
PSD matrix with a 20-dimensional kernel it bottoms at 4e-9 and grows again), so it only opens
the gate. ||H|| is estimated by the largest column norm of T_k, MINRES-QLP's ``Anorm`` (Choi &
Saunders' minresqlp: the max of norm([beta_k alpha_k beta_(k+1)])), a lower bound on
sigma_max(T_k) <= ||H|| within sqrt(3). Roosta et al.'s inexactness condition ||H r|| <= theta
||H g|| (their eq. (9)) is the same test with theta in place of tol ||H|| ||r|| / ||H g||.

Scale: every norm is taken after scaling by a power of two (:func:`scaled_norm`) and T is solved
as T unit with entries O(1) (:func:`power_of_two_unit`), so H and g anywhere in 1e-300 .. 1e300
give the same x (rescaled) and residuals; squared entries would under- or overflow from 1e-162
and 1e154 on (x = 0 reported "solved", or residual NaN).
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
            Frye's co-kernel residual r_H (thesis Ch. 3, Sec. 3.4.3).
        relative_residual: ||r|| / (||H|| ||x|| + ||b||) (S,), MINRES-QLP's ``relres`` (Choi,
            Paige & Saunders 2011, Sec. 3.3) and Frye's relative residual r: 1 when b lies in
            ker H (x = 0), 0 at an exact solution; 0 where b = 0.
        iterations: Krylov dimension k of each start's solution (S,).

    ||H|| is sigma_max(T_(k+1)), the Krylov space's estimate (a lower bound).
    """

    x: torch.Tensor
    residual: torch.Tensor
    normal_residual: torch.Tensor
    relative_residual: torch.Tensor
    iterations: torch.Tensor


def power_of_two_unit(size: torch.Tensor) -> torch.Tensor:
    """The power of two 2^-e (...) for each size = m 2^e (...), 0.5 <= m < 1.

    Multiplying by it is exact and brings the size to [0.5, 1). Zero and non-finite sizes get 1;
    e is clamped to [-1021, 1024], where 2^-e is finite (a subnormal size is brought to ~1e-13).
    """
    _, e = torch.frexp(torch.where(torch.isfinite(size) & (size > 0), size, 1.0))
    return torch.ldexp(torch.ones_like(size), -e.clamp(-1021, 1024))


def scaled_norm(v: torch.Tensor) -> torch.Tensor:
    """||v|| along the last axis (...,), free of under- and overflow.

    sqrt(sum v_i^2) squares the entries: below about 1e-162 they underflow to 0, above about
    1e154 they overflow to inf, so a vector of 1e-170s has norm 0 and one of 1e170s norm inf. Its
    entries are first multiplied by the power of two that brings the largest to [0.5, 1) (exact,
    LAPACK's dnrm2 scales likewise): the result is sqrt(sum v_i^2) wherever that does not under-
    or overflow, bit for bit, and the true norm elsewhere (down to the subnormals' precision).
    """
    unit = power_of_two_unit(v.abs().amax(-1))
    return (v * unit[..., None]).norm(dim=-1) / unit


class Lanczos:
    """Lanczos with full reorthogonalisation on S operators at once.

    ``op`` maps (S, P) -> (S, P), start s's vector to H_s v. After ``j`` steps, ``basis`` holds
    Q_(j+1) (S, P, j + 1) and ``tridiagonal(j)`` T_j (S, j + 1, j) with H Q_j = Q_(j+1) T_j.
    A start whose Krylov space became invariant (beta_(j+1) ~ 0) gets zero vectors from then on,
    which add zero rows and columns to T and change no solution.
    """

    def __init__(self, op: Callable[[torch.Tensor], torch.Tensor], b: torch.Tensor, capacity: int):
        """Start from q_1 = b / ||b|| (S, P), room for ``capacity`` steps; none is taken yet."""
        self.op = op
        self.beta1 = scaled_norm(b)  # (S,)
        self.q = b.new_zeros(b.shape[0], capacity + 1, b.shape[1])  # (S, capacity + 1, P) rows
        self.q[:, 0] = b / torch.where(self.beta1 > 0, self.beta1, 1.0)[:, None]  # q_1
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
        beta = scaled_norm(w)  # (S,)
        self.scale = torch.maximum(self.scale, torch.maximum(alpha.abs(), beta))  # max |T| so far
        live = beta > 1e-12 * self.scale  # an invariant subspace: no new direction
        self.alphas.append(alpha)
        self.betas.append(torch.where(live, beta, 0.0))
        self.q[:, j + 1] = torch.where(
            live[:, None], w / torch.where(live, beta, 1.0)[:, None], 0.0
        )

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
    ``minres``): O(S) work per step. ||H|| is estimated by the largest column norm of T_k, a lower
    bound on sigma_max(T_k) (MINRES-QLP's ``Anorm``).
    """

    def __init__(self, beta1: torch.Tensor):
        zero = torch.zeros_like(beta1)
        self.cs, self.sn, self.dbar, self.phibar = -torch.ones_like(beta1), zero, zero, beta1
        self.old_beta, self.colmax = zero, zero
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
        column = torch.hypot(torch.hypot(self.old_beta, alpha), beta)  # ||T_k e_k||
        self.colmax = torch.maximum(self.colmax, column)  # <= sigma_max(T_k)
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
        rtol: Stopping tolerance: ||r|| <= rtol ||b||, or ||H r|| <= min(rtol, rank_rtol) ||H||
            ||r|| (module docstring).
        rank_rtol: Singular values of T_k below rank_rtol * sigma_max(T_k) are taken as zero
            (the truncation of a pseudo-inverse); the least-squares test is at it when smaller
            than rtol, so that the kernel's direction is dropped.
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

    The Lanczos steps run until the stopping tests pass at the smallest tolerance (module
    docstring: MINRES's residuals from :class:`_MinresNorms` open the gate of the exact test
    :func:`_least_squares`); each solution is then read from the same T_k.
    """
    n = b.shape[-1]
    maxiter = n if maxiter is None else min(maxiter, n)
    finite = torch.isfinite(b).all(-1)  # a non-finite right-hand side gets x = 0
    lz = Lanczos(op, torch.where(finite[:, None], b, 0.0), maxiter + 1)
    lz.step()
    unit = power_of_two_unit(lz.scale)  # T * unit: entries O(1), whatever the scale of H
    norms = _MinresNorms(torch.where(lz.beta1 > 0, 1.0, 0.0))  # the system T y = e_1 (b / ||b||)
    stop_at = torch.where(lz.beta1 == 0, 0, maxiter)  # (S,) Krylov dimension of each solution
    running = lz.beta1 > 0
    checking = torch.zeros_like(running)  # MINRES's ||H r|| has reached the gate
    rank = min(rank_rtols)
    tol, gate = min(rtol, rank), max(rtol, rank)  # gate: this module's test before
    for k in range(1, maxiter + 1):
        if k > 1:
            lz.step()
        norms.update(lz.alphas[-1] * unit, lz.betas[-1] * unit)
        checking = checking | (norms.arnorm <= gate * norms.colmax * norms.old_rnorm)
        done = norms.rnorm <= rtol
        if k > 1 and bool((running & checking & ~done).any()):
            done = done | (checking & _least_squares(lz, unit, k, rank, tol, norms.colmax))
        stop_at = torch.where(running & done, k, stop_at)
        running = running & ~done
        if not bool(running.any()):
            break
    lz.step()  # beta_(k+2): the last iterate's ||H r|| is then exact
    return _solutions(lz, unit, stop_at, rank_rtols)


def _least_squares(
    lz: Lanczos, unit: torch.Tensor, k: int, rank_rtol: float, tol: float, norm: torch.Tensor
) -> torch.Tensor:
    """Whether iterate k - 1, truncated at ``rank_rtol``, solves the least-squares problem (S,).

    ||H r_(k-1)|| <= tol ``norm`` ||r_(k-1)||, exactly from T_k: r = ||b|| Q_k z and
    H r = ||b|| Q_(k+1) T_k z. ``norm`` (S,) is a lower bound on sigma_max(T_k unit).
    """
    t = lz.tridiagonal(k) * unit[:, None, None]  # (S, k + 1, k)
    _, z, _ = min_length_solution(t[:, :k, : k - 1], (lz.beta1 > 0).to(t.dtype), rank_rtol)
    return (t @ z[..., None])[..., 0].norm(dim=-1) <= tol * norm * z.norm(dim=-1)


def _solutions(
    lz: Lanczos, unit: torch.Tensor, stop_at: torch.Tensor, rank_rtols: tuple[float, ...]
) -> list[KrylovSolve]:
    """Each start's truncated solution from T_(k_s) * unit, one per rank tolerance.

    x = ||b|| unit Q_k y with T_k unit y ~ e_1, so that nothing under- or overflows unless x
    does; the residuals are ratios, read in the scaled system.
    """
    top = max(int(stop_at.max()), 1)  # a start stopped at k = 0 keeps x = 0 (T_0 masked out)
    cols = torch.arange(top + 1, device=stop_at.device)
    keep = cols[None, :] < stop_at[:, None]  # (S, top + 1) columns of T_(k_s)
    scaled = lz.tridiagonal(top + 1) * unit[:, None, None]  # (S, top + 2, top + 1)
    t = torch.where(keep[:, None, :top], scaled[:, : top + 1, :top], 0.0)  # T_(k_s)
    t_next = torch.where((cols[None, :] <= stop_at[:, None])[:, None, :], scaled, 0.0)
    basis = lz.basis(top)  # (S, P, top)
    length = torch.where(lz.beta1 > 0, lz.beta1 * unit, 0.0)  # ||b|| unit ~ ||b|| / ||H|| (S,)
    out = []
    for rank_rtol in rank_rtols:
        y, z, _ = min_length_solution(t, (lz.beta1 > 0).to(t.dtype), rank_rtol)
        rnorm = z.norm(dim=-1)  # (S,) ||r|| / ||b||, exact: r = ||b|| Q_(k+1) z
        hr = (t_next @ z[..., None])[..., 0]  # (S, top + 2): H r = Q_(k+2) T_(k+1) z
        norm_h = torch.linalg.matrix_norm(t_next, ord=2)
        # ||H|| ||x|| / ||b|| = sigma_max(T unit) ||y||, scale-free (x = ||b|| unit Q y)
        relres = torch.where(lz.beta1 > 0, rnorm / (norm_h * y.norm(dim=-1) + 1.0), 0.0)
        out.append(
            KrylovSolve(
                x=(basis @ y[..., None])[..., 0] * length[:, None],
                residual=rnorm,
                normal_residual=torch.where(
                    rnorm > 0, hr.norm(dim=-1) / (norm_h * rnorm).clamp_min(1e-300), 0.0
                ),
                relative_residual=relres,
                iterations=stop_at,
            )
        )
    return out
