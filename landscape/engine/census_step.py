"""The census's closed form, fast: F(W), its gradient and its Hessian for many students at once.

Section 3b's teacher-student census (:mod:`landscape.experiments.relu_spurious.relu`) descends on
the
population loss

    F(W) = 1/2 (sum_{j != l} K(w_j, w_l) + 1/2 sum_j ||w_j||^2 - 2 sum_{j,i} K(w_j, v_i) + C_v),

    K(w, u) = ||w|| ||u|| (sin t + (pi - t) cos t) / (2 pi),   t = angle(w, u),

(Cho & Saul 2009's arc-cosine kernel of degree 1, the ReLU's Gaussian kernel; the same closed
form is Safran & Shamir 2018's own code, ItaySafran/OneLayerGDconvergence at 0719662,
``GD_code/objval.m`` l. 12-14; their paper is not among the sources here, docs/sources.md)
with

    grad_{w_j} F = sum_{l != j} grad_1 K(w_j, w_l) + w_j / 2 - sum_i grad_1 K(w_j, v_i),
    grad_1 K(w, u) = (||u|| sin t w^ + (pi - t) u) / (2 pi),          w^ = w / ||w||.

**The step on the CPU** (:func:`value_and_grad`). Per run it needs the n^2 + n k cosines (two
matrix products), their sines and angles, and two more products, sum_l (pi - t_jl) w_l and
sum_i (pi - t_ji) v_i. :func:`landscape.experiments.relu_spurious.relu.population_value_and_grad`
(the reference,
and the path on a GPU) forms each as a separate torch tensor of R n (n + k) entries; here the runs
go through in chunks that stay in the cache, the products are BLAS calls (NumPy), the angles NumPy's
vectorised ``arccos``, and everything else (norms, clipping, sines and their weighted sums, the
loss and the gradient) three fused loops compiled by Numba. Same formula, same float64: the two
agree to round-off (tested), and ``bench/census.py`` times both against the step's floor.

**The Hessian** (:func:`population_hessian`), in closed form rather than by autograd. With
c = cos t, s = sin t, a = u^ - c w^ and b = w^ - c u^ (both of norm s),

    grad_11 K(w, u) = ||u|| / (2 pi ||w||) (s (I - w^ w^T) + a a^T / s),
    grad_12 K(w, u) = ((pi - t) I + s w^ u^T + a b^T / s) / (2 pi),

so that H_jj = sum_{l != j} grad_11 K(w_j, w_l) + I / 2 - sum_i grad_11 K(w_j, v_i) and
H_jl = grad_12 K(w_j, w_l) (l != j). Both follow by differentiating grad_1 K in w and in u,
with grad_w t = -(u^ - c w^) / (s ||w||) (derived here; both tested against autograd of
:func:`landscape.engine.theory.relu_population_loss`). a a^T / s and a b^T / s have norm s
and vanish with it: at aligned or opposite vectors those terms are 0.
"""

from __future__ import annotations

import math
import warnings

import numba
import numpy as np
import torch

TWO_PI = 2 * math.pi
# Runs per chunk of :func:`value_and_grad`: 128 runs at n = k = 20 keep the chunk's cosines,
# sines and angles (about 1.2 MB) inside a 2 MB L2 cache; bench/census.py measured 64-256 alike.
CHUNK_RUNS = 128
# Fused loops: summation order may change (reassoc) and multiply-adds contract; no fast-math on
# NaN or infinities, so a diverging run still reports a non-finite loss.
_FAST = {"reassoc", "contract", "nsz", "arcp"}
_UNCACHED = []  # the kernels compiled without an on-disk cache (no writable cache directory)


def _compiled(fn):
    """``numba.njit(fastmath=_FAST)`` of ``fn``, cached on disk where Numba can write a cache.

    Numba caches in ``$NUMBA_CACHE_DIR`` when set, else beside the source (``__pycache__``),
    else in the user's cache directory (``~/.cache/numba``). A read-only install (a cluster's
    shared software tree, a container run as another user) with no writable home has none of
    these, and ``cache=True`` raises "cannot cache function: no locator available" at import.
    The kernel is then compiled in every process instead (a few seconds), with one warning that
    names the fix; it is not cached in a shared temporary directory, since Numba's cache index
    is a pickle that another user there could replace.

    Raises:
        RuntimeError: Any error of Numba's other than a missing cache directory.
    """
    try:
        return numba.njit(cache=True, fastmath=_FAST)(fn)
    except RuntimeError as exc:
        if "no locator available" not in str(exc):
            raise
    if not _UNCACHED:
        warnings.warn(
            f"landscape.engine.census_step: Numba finds no writable cache directory for {__file__} "
            "(its __pycache__ and ~/.cache/numba); its kernels are compiled in every process. "
            "Set NUMBA_CACHE_DIR to a writable directory to cache them.",
            RuntimeWarning,
            stacklevel=2,
        )
    _UNCACHED.append(fn.__name__)
    return numba.njit(fastmath=_FAST)(fn)


@_compiled
def _unit_rows(w, nw, wh, wht):  # pragma: no cover - compiled
    """Nw (R, n) = row norms of w (R, n, d); wh = w / nw (zero rows stay zero), wht = wh^T."""
    runs, n, d = w.shape
    for r in range(runs):
        for j in range(n):
            sq = 0.0
            for m in range(d):
                sq += w[r, j, m] * w[r, j, m]
            norm = math.sqrt(sq)
            nw[r, j] = norm
            inv = 1.0 / max(norm, 1e-300)
            for m in range(d):
                wh[r, j, m] = w[r, j, m] * inv
                wht[r, m, j] = w[r, j, m] * inv


@_compiled
def _sines(c, norms, s, a, col):  # pragma: no cover - compiled
    """In place c <- -clip(c, -1, 1) (R, n, m); s = sqrt(1 - c^2); a[:, :, col] = s @ norms."""
    runs, n, m = c.shape
    for r in range(runs):
        for j in range(n):
            acc = 0.0
            for col_l in range(m):
                x = min(1.0, max(-1.0, c[r, j, col_l]))
                y = math.sqrt(1.0 - x * x)  # x^2 <= 1 exactly once |x| <= 1
                c[r, j, col_l] = -x
                s[r, j, col_l] = y
                acc += norms[r, col_l] * y
            a[r, j, col] = acc


@_compiled
def _finish(w, wh, nw, a, b_ww, b_wv, loss, grad):  # pragma: no cover - compiled
    """Loss (R,) without the teacher's constant, and the gradient (R, n, d)."""
    runs, n, d = w.shape
    for r in range(runs):
        s_ww = 0.0
        s_wv = 0.0
        sq = 0.0
        for j in range(n):
            s_ww += nw[r, j] * a[r, j, 0]
            s_wv += nw[r, j] * a[r, j, 1]
            sq += nw[r, j] * nw[r, j]
            coef = a[r, j, 0] - a[r, j, 1]
            for m in range(d):
                s_ww += w[r, j, m] * b_ww[r, j, m]
                s_wv += w[r, j, m] * b_wv[r, j, m]
                grad[r, j, m] = (coef * wh[r, j, m] + b_ww[r, j, m] - b_wv[r, j, m]) / TWO_PI
                grad[r, j, m] += 0.5 * w[r, j, m]
        loss[r] = 0.5 * (s_ww / TWO_PI + 0.5 * sq - 2.0 * s_wv / TWO_PI)


def teacher_constant(v: np.ndarray) -> float:
    """C_v = sum_{i != l} K(v_i, v_l) + ||V||^2 / 2, the teacher's part of 2 F (a scalar)."""
    nv = np.linalg.norm(v, axis=1)  # (k,)
    c = np.clip((v @ v.T) / np.outer(nv, nv), -1.0, 1.0)  # (k, k)
    kvv = np.outer(nv, nv) * (np.sqrt(1.0 - c * c) + (np.pi - np.arccos(c)) * c) / TWO_PI
    np.fill_diagonal(kvv, 0.0)
    return float(kvv.sum() + 0.5 * (v * v).sum())


class Workspace:
    """Buffers of one chunk of :data:`CHUNK_RUNS` runs, reused across chunks and steps.

    Fresh megabyte-sized temporaries per chunk cost page faults that measured as much as the
    arithmetic; a descent keeps one workspace for all its steps (:func:`value_and_grad`).
    """

    def __init__(self, n: int, k: int, d: int, runs: int = CHUNK_RUNS):
        """Buffers for ``runs`` students of n units, a teacher of k units, d inputs."""
        self.shape, self.runs = (n, k, d), runs
        self.nw = np.empty((runs, n))
        self.wh = np.empty((runs, n, d))
        self.wht = np.empty((runs, d, n))
        self.c_ww = np.empty((runs, n, n))  # cosines, then pi - t
        self.c_wv = np.empty((runs, n, k))
        self.s_ww = np.empty((runs, n, n))  # sines
        self.s_wv = np.empty((runs, n, k))
        self.a = np.empty((runs, n, 2))  # sum_l ||w_l|| s_jl and sum_i ||v_i|| s_ji
        self.b_ww = np.empty((runs, n, d))  # sum_l (pi - t_jl) w_l
        self.b_wv = np.empty((runs, n, d))  # sum_i (pi - t_ji) v_i


def _chunk(w, v, vh, nv, loss, grad, ws: Workspace) -> None:
    """:func:`value_and_grad` on one chunk of runs w (R, n, d); writes loss (R,), grad."""
    runs, n, d = w.shape
    k = v.shape[0]
    nw, wh, wht = ws.nw[:runs], ws.wh[:runs], ws.wht[:runs]
    c_ww, c_wv, a = ws.c_ww[:runs], ws.c_wv[:runs], ws.a[:runs]
    _unit_rows(w, nw, wh, wht)
    np.matmul(wh, wht, out=c_ww)  # (R, n, n)
    np.matmul(wh.reshape(runs * n, d), vh.T, out=c_wv.reshape(runs * n, k))  # (R, n, k)
    np.einsum("rii->ri", c_ww)[...] = 1.0  # cos 0, exactly: s = 0 on the diagonal
    _sines(c_ww, nw, ws.s_ww[:runs], a, 0)
    _sines(c_wv, np.broadcast_to(nv, (runs, k)), ws.s_wv[:runs], a, 1)
    np.arccos(c_ww, out=c_ww)  # arccos(-c) = pi - t
    np.arccos(c_wv, out=c_wv)
    np.einsum("rii->ri", c_ww)[...] = 0.0  # no self term
    b_ww, b_wv = ws.b_ww[:runs], ws.b_wv[:runs]
    np.matmul(c_ww, w, out=b_ww)  # (R, n, d)
    np.matmul(c_wv.reshape(runs * n, k), v, out=b_wv.reshape(runs * n, d))
    _finish(w, wh, nw, a, b_ww, b_wv, loss, grad)


def value_and_grad(
    w: np.ndarray, v: np.ndarray, constant: float | None = None, workspace: Workspace | None = None
):
    """F and grad F for R students at once, on the CPU (formula: module docstring).

    Args:
        w: Students (R, n, d), float64, C-contiguous.
        v: Teacher (k, d), float64.
        constant: :func:`teacher_constant` of v (computed when None; pass it in a loop).
        workspace: Buffers for this (n, k, d) (made when None; pass one in a loop).

    Returns:
        (losses (R,), gradients (R, n, d)), NumPy float64.
    """
    w = np.ascontiguousarray(w, dtype=np.float64)
    v = np.ascontiguousarray(v, dtype=np.float64)
    n, d = w.shape[1:]
    if workspace is None or workspace.shape != (n, v.shape[0], d) or workspace.runs < CHUNK_RUNS:
        workspace = Workspace(n, v.shape[0], d)
    nv = np.linalg.norm(v, axis=1)
    vh = v / nv[:, None]
    loss = np.empty(w.shape[0])
    grad = np.empty_like(w)
    for r0 in range(0, w.shape[0], CHUNK_RUNS):
        part = slice(r0, r0 + CHUNK_RUNS)
        _chunk(w[part], v, vh, nv, loss[part], grad[part], workspace)
    loss += 0.5 * (teacher_constant(v) if constant is None else constant)
    return loss, grad


def _pair_terms(wh: torch.Tensor, uh: torch.Tensor):
    """Cosine c, sine s, a = u^ - c w^ and b = w^ - c u^ for every pair: (S, n, m), (S, n, m, d)."""
    c = (wh @ uh.mT).clamp(-1.0, 1.0)  # (S, n, m)
    s = (1.0 - c * c).clamp_min(0.0).sqrt()
    a = uh[:, None, :, :] - c[..., None] * wh[:, :, None, :]  # (S, n, m, d)
    b = wh[:, :, None, :] - c[..., None] * uh[:, None, :, :]
    inv_s = torch.where(s > 0, 1.0 / s.clamp_min(1e-300), 0.0)  # a, b vanish with s
    return c, s, a, b, inv_s


def _self_blocks(wh, nw, uh, nu, mask):
    """sum_l mask_jl grad_11 K(w_j, u_l): (S, n, d, d)."""
    c, s, a, _, inv_s = _pair_terms(wh, uh)
    eye = torch.eye(wh.shape[-1], dtype=wh.dtype, device=wh.device)
    proj = eye - wh[..., :, None] * wh[..., None, :]  # (S, n, d, d)
    weight = mask * nu[:, None, :] / (TWO_PI * nw[..., None])  # (S, n, m)
    outer = torch.einsum("snm,snmd,snme->snde", weight * inv_s, a, a)
    return (weight * s).sum(-1)[..., None, None] * proj + outer


def population_hessian(w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The exact Hessian of F at S students at once, in closed form (module docstring).

    Args:
        w: Students (S, n, d), float64, no zero rows.
        v: Teacher (k, d).

    Returns:
        H (S, n d, n d), rows and columns ordered as ``w.reshape(S, n * d)``.
    """
    size, n, d = w.shape
    nw, nv = w.norm(dim=-1), v.norm(dim=-1)  # (S, n), (k,)
    wh, vh = w / nw[..., None], v / nv[:, None]
    vh_s, nv_s = vh.expand(size, -1, -1), nv.expand(size, -1)
    off = 1.0 - torch.eye(n, dtype=w.dtype, device=w.device)  # (n, n)
    eye = torch.eye(d, dtype=w.dtype, device=w.device)
    diag = (
        _self_blocks(wh, nw, wh, nw, off) - _self_blocks(wh, nw, vh_s, nv_s, 1.0) + 0.5 * eye
    )  # (S, n, d, d)
    c, s, a, b, inv_s = _pair_terms(wh, wh)
    t = torch.arccos(c)  # (S, n, n)
    cross = (
        (torch.pi - t)[..., None, None] * eye
        + s[..., None, None] * wh[:, :, None, :, None] * wh[:, None, :, None, :]
        + inv_s[..., None, None] * a[..., :, None] * b[..., None, :]
    ) / TWO_PI
    cross = cross * off[..., None, None]  # (S, n, n, d, d)
    blocks = cross + torch.diag_embed(diag.permute(0, 2, 3, 1)).permute(0, 3, 4, 1, 2)
    return blocks.permute(0, 1, 3, 2, 4).reshape(size, n * d, n * d)
