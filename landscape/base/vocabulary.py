"""The words written to the tables: a point's status and its Hessian's definiteness.

Each is a ``StrEnum`` written to tables as its value, so a table reads ``critical`` or
``positive definite``; code compares with the members, never with the strings.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The label of an end point; written to tables as its value."""

    CRITICAL = "critical"  # ||g||^2 <= numerics.grad_norm_sq_threshold
    GRADIENT_FLAT = "gradient-flat"  # not critical; the gradient lies in the near-kernel
    NOT_CONVERGED = "not converged"  # neither
    DIVERGED = "diverged"  # a non-finite loss, gradient or point
    # cross-entropy only: every sample classified correctly, so the loss falls as the logits
    # grow and no finite critical point is there
    # (landscape.experiments.index_vs_loss.index_vs_loss.logit_escapes)
    ESCAPE = "escape"


class Definiteness(StrEnum):
    """The definiteness of a symmetric matrix, named from its inertia (negative, zero, positive)."""

    POSITIVE_DEFINITE = "positive definite"
    NEGATIVE_DEFINITE = "negative definite"
    INDEFINITE = "indefinite"
    POSITIVE_SEMIDEFINITE = "positive semidefinite"
    NEGATIVE_SEMIDEFINITE = "negative semidefinite"
    ZERO = "zero"
    UNKNOWN = "unknown"  # counted by inertia without the nullity: only the negative count is known


# The kinds a minimiser may end at: every eigenvalue >= 0 (the second-order necessary condition).
MINIMA = (Definiteness.POSITIVE_DEFINITE, Definiteness.POSITIVE_SEMIDEFINITE)


class NotComputed(StrEnum):
    """Why a finite point's spectrum was not read (a diverged one gives ``Status.DIVERGED``).

    Its definiteness reads ``not computed (<reason>)``.
    """

    NON_FINITE_HESSIAN = "non-finite Hessian"  # a finite point whose Hessian holds NaN or inf
