"""Gradients, exact Hessians and their spectra, with a tolerance scaled to the spectrum.

Hessians are assembled in float64. The sign of an eigenvalue is decided with the tolerance

    tol = factor * n * eps * max_i |lambda_i|,

the size of the backward error of a symmetric eigensolver on an n x n matrix, times a configurable
safety ``factor`` (config key ``numerics.eigen_tolerance_factor``). An eigenvalue is *negative*
when lambda < -tol, *zero* when |lambda| <= tol, and *positive* when lambda > tol. The **index** is
the fraction of negative eigenvalues and the **nullity** the number of zero ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
from torch.func import grad, hessian, vmap


def grad_norm_sq(
    loss_fn: Callable[[torch.Tensor], torch.Tensor], params: torch.Tensor
) -> torch.Tensor:
    """Squared gradient norms ||grad L(theta_k)||^2 of a stack of networks.

    Args:
        loss_fn: theta (P,) -> scalar loss.
        params: Parameters (K, P).

    Returns:
        (K,) squared gradient norms.
    """
    g = vmap(grad(loss_fn))(params)  # (K, P)
    return (g * g).sum(dim=1)


def batched_hessians(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    params: torch.Tensor,
    chunk_size: int | None = 1,
) -> torch.Tensor:
    """Exact Hessians of a stack of networks by forward-over-reverse differentiation.

    This straightforward path (``torch.func.hessian`` under ``vmap``) works for any pure loss; its
    memory grows with P times the activations, so networks are processed ``chunk_size`` at a time.

    Args:
        loss_fn: theta (P,) -> scalar loss.
        params: Parameters (K, P).
        chunk_size: Networks per vectorised chunk (None: all at once).

    Returns:
        Hessians (K, P, P), symmetrised as (H + H^T) / 2.
    """
    h = vmap(hessian(loss_fn), chunk_size=chunk_size)(params)  # (K, P, P)
    return 0.5 * (h + h.transpose(-1, -2))


def eigen_tolerance(eigvals: torch.Tensor, factor: float) -> torch.Tensor:
    """The tolerance tol = factor * n * eps * max|lambda| for each spectrum.

    Args:
        eigvals: Eigenvalues (..., n).
        factor: Safety factor (config ``numerics.eigen_tolerance_factor``).

    Returns:
        (...,) tolerances, in the eigenvalues' dtype.
    """
    n = eigvals.shape[-1]
    eps = torch.finfo(eigvals.dtype).eps
    return factor * n * eps * eigvals.abs().amax(dim=-1)


@dataclass(frozen=True)
class SpectrumSummary:
    """Counts and extremes of one spectrum under a stated tolerance."""

    n_params: int  # n, the size of the Hessian
    n_negative: int  # eigenvalues below -tol
    n_zero: int  # eigenvalues in [-tol, tol]: the nullity
    n_positive: int  # eigenvalues above tol
    index: float  # n_negative / n, the fraction of negative eigenvalues
    nullity: int  # same as n_zero, under its usual name
    eig_tol: float  # the tolerance used
    lambda_min: float  # smallest eigenvalue
    lambda_max: float  # largest eigenvalue
    definiteness: str  # see :func:`definiteness`

    def as_dict(self) -> dict:
        """The summary as a flat dictionary (a table row)."""
        return asdict(self)


def definiteness(n_negative: int, n_zero: int, n_positive: int) -> str:
    """Name the definiteness of a symmetric matrix from its inertia.

    Returns:
        ``positive definite``, ``negative definite``, ``indefinite``, ``positive semidefinite``,
        ``negative semidefinite`` or ``zero``.
    """
    if n_negative and n_positive:
        return "indefinite"
    if n_zero == 0:
        return "positive definite" if n_positive else "negative definite"
    if n_positive:
        return "positive semidefinite"
    if n_negative:
        return "negative semidefinite"
    return "zero"


def summarize_spectrum(eigvals: torch.Tensor, factor: float) -> SpectrumSummary:
    """Index, nullity and extremes of one spectrum.

    Args:
        eigvals: Eigenvalues (n,) of a symmetric matrix.
        factor: Tolerance factor, see :func:`eigen_tolerance`.

    Returns:
        The summary.
    """
    tol = eigen_tolerance(eigvals, factor)
    n_neg = int((eigvals < -tol).sum())
    n_pos = int((eigvals > tol).sum())
    n = eigvals.shape[-1]
    n_zero = n - n_neg - n_pos
    return SpectrumSummary(
        n_params=n,
        n_negative=n_neg,
        n_zero=n_zero,
        n_positive=n_pos,
        index=n_neg / n,
        nullity=n_zero,
        eig_tol=float(tol),
        lambda_min=float(eigvals.min()),
        lambda_max=float(eigvals.max()),
        definiteness=definiteness(n_neg, n_zero, n_pos),
    )


def spectra(hessians: torch.Tensor) -> torch.Tensor:
    """Eigenvalues, ascending, of a stack of symmetric matrices (K, P, P) -> (K, P)."""
    return torch.linalg.eigvalsh(hessians)
