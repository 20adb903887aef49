"""Certification of critical points.

A point is **critical** only when its squared gradient norm is at most a threshold (config key
``numerics.grad_norm_sq_threshold``, default 1e-10; Frye et al. 2019 found 1e-8 already too loose to
recover the true loss and index). Every other point is kept and labelled ``not converged``.
"""

from __future__ import annotations

CRITICAL = "critical"
NOT_CONVERGED = "not converged"
DIVERGED = "diverged"
STATUSES = (CRITICAL, NOT_CONVERGED, DIVERGED)


def certify(grad_norm_sq: float, threshold: float, diverged: bool = False) -> str:
    """Label one end point.

    Args:
        grad_norm_sq: Its squared gradient norm.
        threshold: The largest squared gradient norm of a critical point.
        diverged: Whether training diverged (non-finite loss or gradient).

    Returns:
        ``critical``, ``not converged`` or ``diverged``.
    """
    if diverged or grad_norm_sq != grad_norm_sq:  # NaN compares unequal to itself
        return DIVERGED
    return CRITICAL if grad_norm_sq <= threshold else NOT_CONVERGED


def is_local_minimum(status: str, definiteness: str) -> bool:
    """A certified local minimum: critical, with a positive definite Hessian.

    A positive *semi*definite Hessian leaves the second-order test inconclusive and is not counted.
    """
    return status == CRITICAL and definiteness == "positive definite"
