"""Spectra of Hessians: eigenvalues, index and nullity under a stated tolerance.

Also inertia without the spectrum, and the extremes of a spectrum by Lanczos.

The sign of an eigenvalue is decided with the tolerance

    tol = factor * n * eps * max_i |lambda_i|,

the size of the backward error of a symmetric eigensolver on an n x n matrix, times a configurable
safety ``factor`` (config key ``numerics.eigen_tolerance_factor``). At the end points of
critical-point searches a ``distance`` term sqrt(M ||g||) is added (the derived tolerance, see
:mod:`landscape.engine.critical`): the eigenvalues read near, not at, a critical point are resolved
only down to it. An eigenvalue is *negative*
when lambda < -tol, *zero* when |lambda| <= tol, and *positive* when lambda > tol. The **index** is
the fraction of negative eigenvalues and the **nullity** the number of zero ones.

By Sylvester's law of inertia, the number of negative pivots of an LDL^T factorisation of H + tau I
is the number of eigenvalues of H below -tau; a second factorisation of H - tau I counts those
below tau. :func:`inertia` uses this to count without computing the spectrum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from enum import StrEnum

import numpy as np
import torch

from landscape.base.vocabulary import Definiteness, NotComputed, Status
from landscape.engine.krylov import Lanczos


def eigen_tolerance(eigvals: torch.Tensor, factor: float) -> torch.Tensor:
    """The tolerance tol = factor * n * eps * max|lambda| for each spectrum.

    Args:
        eigvals: Eigenvalues (..., n).
        factor: Safety factor (config ``numerics.eigen_tolerance_factor``).

    Returns:
        (...,) tolerances, in the eigenvalues' dtype.
    """
    return tolerance_from_norm(eigvals.abs().amax(dim=-1), eigvals.shape[-1], eigvals.dtype, factor)


def tolerance_from_norm(norm, n: int, dtype: torch.dtype, factor: float):
    """The tolerance for a known spectral norm: factor * n * eps(dtype) * max|lambda|."""
    return factor * n * torch.finfo(dtype).eps * norm


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
    lambda_min: float  # smallest eigenvalue (NaN when counted by inertia)
    lambda_max: float  # largest eigenvalue (NaN when counted by inertia)
    definiteness: str  # a Definiteness, or "not computed (<reason>)" (see :func:`not_computed`)

    def as_dict(self) -> dict:
        """The summary as a flat dictionary (a table row)."""
        return asdict(self)


def not_computed(n_params: int, reason: Status | NotComputed = Status.DIVERGED) -> SpectrumSummary:
    """The summary of a point whose Hessian was not read (e.g. diverged): every count NaN.

    Args:
        n_params: The Hessian's size n.
        reason: ``Status.DIVERGED`` (a non-finite loss, gradient or point) or a
            :class:`NotComputed` (a finite point whose Hessian was not read).

    Raises:
        ValueError: ``reason`` is neither.
    """
    if reason != Status.DIVERGED:
        reason = NotComputed(reason)
    nan = float("nan")
    return SpectrumSummary(
        n_params=n_params,
        n_negative=nan,
        n_zero=nan,
        n_positive=nan,
        index=nan,
        nullity=nan,
        eig_tol=nan,
        lambda_min=nan,
        lambda_max=nan,
        definiteness=f"not computed ({reason.value})",
    )


def check_finite(values: torch.Tensor, what: str) -> None:
    """Refuse a matrix or spectrum holding NaN or inf, whose signs and counts mean nothing.

    Args:
        values: Any tensor (a Hessian (n, n) or a stack, or eigenvalues).
        what: What it is, for the message (e.g. ``"inertia: the matrix"``).

    Raises:
        ValueError: Naming how many entries are NaN and how many infinite.
    """
    finite = torch.isfinite(values)
    if bool(finite.all()):
        return
    nans = int(torch.isnan(values).sum())
    infs = values.numel() - int(finite.sum()) - nans
    raise ValueError(
        f"{what} holds NaN or inf ({nans} NaN and {infs} infinite of {values.numel()} entries): "
        "a non-finite Hessian has no definiteness or index. Label its point instead "
        "(point_spectra reports it as 'not computed (non-finite Hessian)'), or find where the "
        "loss's second derivatives overflow."
    )


def definiteness(n_negative: int, n_zero: int, n_positive: int) -> Definiteness:
    """Name the definiteness of a symmetric matrix from its inertia.

    Returns:
        Any :class:`Definiteness` but ``UNKNOWN``.
    """
    if n_negative and n_positive:
        return Definiteness.INDEFINITE
    if n_zero == 0:
        return Definiteness.POSITIVE_DEFINITE if n_positive else Definiteness.NEGATIVE_DEFINITE
    if n_positive:
        return Definiteness.POSITIVE_SEMIDEFINITE
    if n_negative:
        return Definiteness.NEGATIVE_SEMIDEFINITE
    return Definiteness.ZERO


def _summary(n, n_neg, n_pos, tol, lo, hi) -> SpectrumSummary:
    n_zero = n - n_neg - n_pos
    return SpectrumSummary(
        n_params=n,
        n_negative=n_neg,
        n_zero=n_zero,
        n_positive=n_pos,
        index=n_neg / n,
        nullity=n_zero,
        eig_tol=float(tol),
        lambda_min=float(lo),
        lambda_max=float(hi),
        definiteness=definiteness(n_neg, n_zero, n_pos),
    )


def summarize_spectrum(
    eigvals: torch.Tensor, factor: float, norm: float | None = None, distance: float = 0.0
) -> SpectrumSummary:
    """Index, nullity and extremes of one spectrum.

    Args:
        eigvals: Eigenvalues (n,) of a symmetric matrix.
        factor: Tolerance factor, see :func:`eigen_tolerance`.
        norm: The curvature scale the tolerance is relative to; default max|lambda| of this
            spectrum. A problem's own scale (e.g. the spectral norm at its global minimum) is
            needed where the Hessian itself vanishes, as at a flat saddle and near it.
        distance: Added to the round-off tolerance: how far the spectrum may be from the
            critical point's (:attr:`landscape.engine.critical.FinderResult.eig_tol_distance`); the
            sum is the derived tolerance. NaN counts as 0.

    Returns:
        The summary.

    Raises:
        ValueError: A NaN or infinite eigenvalue (:func:`check_finite`).
    """
    check_finite(eigvals, "summarize_spectrum: the spectrum")
    if norm is None:
        tol = eigen_tolerance(eigvals, factor)
    else:
        tol = tolerance_from_norm(torch.tensor(norm), eigvals.shape[-1], eigvals.dtype, factor)
    tol = tol + _finite_or_zero(distance)
    n_neg = int((eigvals < -tol).sum())
    n_pos = int((eigvals > tol).sum())
    return _summary(eigvals.shape[-1], n_neg, n_pos, tol, eigvals.min(), eigvals.max())


class IndexTolerance(StrEnum):
    """The four tolerances of the index sensitivity test (section 4b), weakest first.

    ``round-off`` is factor n eps max|lambda| alone; ``derived`` adds the distance to the
    critical point (:mod:`landscape.engine.critical`); the two relative ones, 1e-6 and 1e-4 times
    max|lambda|, are the cuts a reader might pick by eye. A claim about the index is read at
    ``derived`` and reported with how many of the four agree.
    """

    ROUNDOFF = "round-off"
    DERIVED = "derived"
    RELATIVE_1E6 = "1e-6 max|lambda|"
    RELATIVE_1E4 = "1e-4 max|lambda|"

    @property
    def key(self) -> str:
        """A column-name suffix: ``n_negative_<key>``."""
        return {
            "round-off": "roundoff",
            "derived": "derived",
            "1e-6 max|lambda|": "rel1e6",
            "1e-4 max|lambda|": "rel1e4",
        }[self.value]

    def tolerance(self, eigvals: torch.Tensor, roundoff: float, derived: float) -> float:
        """This tolerance for one spectrum (n,), given its round-off and derived ones."""
        top = float(eigvals.abs().max())
        return {
            "round-off": roundoff,
            "derived": derived,
            "1e-6 max|lambda|": 1e-6 * top,
            "1e-4 max|lambda|": 1e-4 * top,
        }[self.value]


def negative_counts(eigvals: torch.Tensor, roundoff: float, derived: float) -> dict[str, int]:
    """Negative eigenvalues of one spectrum at each :class:`IndexTolerance`, and more.

    Args:
        eigvals: Eigenvalues (n,).
        roundoff: The round-off tolerance (:func:`eigen_tolerance`).
        derived: The derived tolerance (round-off plus distance).

    Returns:
        ``{tolerance.key: count}`` for the four tolerances, plus ``derived_10x`` (the count at
        ten times the derived tolerance, to show the index does not hinge on it) and ``band``
        (eigenvalues with roundoff < |lambda| <= derived, whose sign the derived tolerance
        leaves undecided).
    """
    counts = {
        t.key: int((eigvals < -t.tolerance(eigvals, roundoff, derived)).sum())
        for t in IndexTolerance
    }
    counts["derived_10x"] = int((eigvals < -10 * derived).sum())
    magnitude = eigvals.abs()
    counts["band"] = int(((magnitude > roundoff) & (magnitude <= derived)).sum())
    return counts


def end_counts(
    eigvals: torch.Tensor | None, derived: float, distance: float
) -> tuple[float, dict[str, int]]:
    """The round-off tolerance of an end point and its :func:`negative_counts`.

    Args:
        eigvals: Its eigenvalues (n,), or None where not computed (then no counts).
        derived: Its derived tolerance (``SpectrumSummary.eig_tol``: round-off plus distance).
        distance: The distance term sqrt(M ||g||) in it; NaN counts as 0.

    Returns:
        (the round-off tolerance derived - distance; the counts, {} without eigenvalues).
    """
    roundoff = derived - _finite_or_zero(distance)
    counts = negative_counts(eigvals, roundoff, derived) if eigvals is not None else {}
    return roundoff, counts


def _finite_or_zero(value: float) -> float:
    value = float(value)
    return value if np.isfinite(value) else 0.0


def spectra(hessians: torch.Tensor, eigenvectors: bool = False):
    """Eigenvalues (ascending) of a stack of symmetric matrices, on their device and dtype.

    Args:
        hessians: (K, P, P) symmetric matrices.
        eigenvectors: Also return the eigenvectors.

    Returns:
        (K, P) eigenvalues, or the pair ((K, P) eigenvalues, (K, P, P) eigenvectors as columns).

    Raises:
        ValueError: A NaN or infinite entry (:func:`check_finite`), which LAPACK would report
            as an ill-conditioned matrix, or not at all.
    """
    check_finite(hessians, "spectra: the matrices")
    if eigenvectors:
        return torch.linalg.eigh(hessians)
    return torch.linalg.eigvalsh(hessians)


def _negative_pivots(ld: torch.Tensor, pivots: torch.Tensor) -> int:
    """Negative eigenvalues of the block-diagonal D of a Bunch-Kaufman factorisation.

    LAPACK's convention: negative pivots come in pairs that mark a 2 x 2 block, so within each run
    of consecutive negative pivots the blocks start at the run's even offsets.
    """
    diag = ld.diagonal().cpu().numpy()
    sub = np.r_[ld.diagonal(-1).cpu().numpy(), 0.0]
    neg = pivots.cpu().numpy() < 0
    count = int((diag[~neg] < 0).sum())  # 1 x 1 blocks
    if neg.any():
        idx = np.arange(len(neg))
        starts = neg & ~np.r_[False, neg[:-1]]
        run_start = np.maximum.accumulate(np.where(starts, idx, 0))
        first = neg & ((idx - run_start) % 2 == 0)
        k = np.flatnonzero(first)
        a, b, c = diag[k], sub[k], diag[k + 1]  # 2 x 2 blocks [[a, b], [b, c]]
        det = a * c - b * b
        count += int((det < 0).sum()) + 2 * int(((det >= 0) & (a + c < 0)).sum())
    return count


def count_below(h: torch.Tensor, shift: float) -> int:
    """Number of eigenvalues of the symmetric h below ``shift``, from the inertia of h - shift I.

    ``h`` is only read: h - shift I is formed in a copy (P^2 more memory while it is factorised,
    besides the factor itself), so that a tensor requiring grad, an expanded one or a read-only
    memory map is counted like any other and the caller's matrix is never written.

    Args:
        h: (n, n) symmetric matrix, on any device.
        shift: The cut.

    Returns:
        #(lambda < shift).

    Raises:
        ValueError: ``h`` holds NaN or inf (:func:`check_finite`).
        RuntimeError: LAPACK rejected the factorisation (an invalid argument).
    """
    work = h.detach().clone(memory_format=torch.contiguous_format)  # (n, n), ours to write
    check_finite(work, "count_below: the matrix")
    work.diagonal().sub_(shift)  # h - shift I without an identity matrix
    ld, pivots, info = torch.linalg.ldl_factor_ex(work)
    del work
    if int(info) < 0:
        raise RuntimeError(f"LDL factorisation failed (info {int(info)})")
    return _negative_pivots(ld, pivots)


def spectral_norm(h: torch.Tensor, steps: int = 20, seed: int = 0) -> float:
    """max|lambda| of a symmetric matrix by Lanczos with full reorthogonalisation.

    Extreme Ritz values converge first; it only sets the scale of the tolerance, so a few digits
    suffice (20 steps give about 1e-6 relative on this pipeline's Hessians; the tests check it).
    Any scale of h from 1e-300 to 1e300 gives the same digits: Lanczos's norms are scaled
    (:func:`landscape.engine.krylov.scaled_norm`; taken as sqrt(sum v^2) they under- or overflowed
    from 1e-162 and 1e154 on, Lanczos stopped after one step and the start's Rayleigh quotient came
    back), and T is scaled by a power of two before its eigenvalues.

    Args:
        h: (n, n) symmetric matrix.
        steps: Lanczos steps.
        seed: Seed of the start vector.

    Returns:
        The largest absolute eigenvalue.
    """
    from landscape.engine.krylov import power_of_two_unit

    v0 = _start_vector(h.shape[-1], h.dtype, h.device, seed)
    t = lanczos_tridiagonal(lambda v: h @ v, v0, steps)
    unit = power_of_two_unit(t.abs().amax())  # exact: T's entries brought to O(1)
    return float(torch.linalg.eigvalsh(t * unit).abs().max() / unit)


def lanczos_tridiagonal(
    matvec: Callable[[torch.Tensor], torch.Tensor], v0: torch.Tensor, steps: int
) -> torch.Tensor:
    """The Lanczos tridiagonal matrix T (m, m), m <= steps, with full reorthogonalisation.

    One start of :class:`landscape.engine.krylov.Lanczos` (Gram-Schmidt twice against the whole
    basis), stopped early when the Krylov space becomes invariant, so that T has no padding rows:
    beta_(m+1) <= 1e-12 max|T_m| counts as 0. Being relative to the largest entry of T, the
    test also stops on a beta that is small against ||H|| but above round-off (eigenvalues
    1e12 apart), which loses the small end's Ritz values there; :func:`spectral_norm`, which
    reads the largest, is unaffected.

    Args:
        matvec: v (n,) -> H v for a symmetric H.
        v0: Start vector (n,), normalised here.
        steps: Maximum number of steps.

    Returns:
        T = Q^T H Q for the Krylov basis Q built from v0.
    """
    steps = min(steps, v0.shape[0])
    lanczos = Lanczos(lambda v: matvec(v[0])[None], v0[None], steps)  # one start: (1, n)
    while lanczos.steps < steps:
        lanczos.step()
        if not lanczos.betas[-1][0] > 0:  # invariant subspace: T is complete
            break
    m = lanczos.steps
    return lanczos.tridiagonal()[0, :m, :m]  # (m, m): T_m without its last row


def _start_vector(n: int, dtype: torch.dtype, device, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, generator=gen, dtype=dtype).to(device)


def inertia(
    h: torch.Tensor,
    factor: float,
    norm: float | None = None,
    nullity: bool = True,
    distance: float = 0.0,
) -> SpectrumSummary:
    """Index (and nullity) of a symmetric matrix from LDL^T factorisations, without its spectrum.

    With tol from ``norm`` (max|lambda|; estimated by :func:`spectral_norm` when omitted):
    n_negative = #(lambda < -tol) = negative pivots of H + tol I, and #(lambda < tol) = negative
    pivots of H - tol I, so n_zero = #(-tol <= lambda < tol) and n_positive = n - #(lambda < tol).

    Args:
        h: (n, n) symmetric matrix.
        factor: Tolerance factor, see :func:`eigen_tolerance`.
        norm: max|lambda| if known.
        nullity: Also factorise H - tol I to split the rest into zero and positive; when False,
            one factorisation gives the index only and ``n_zero`` is reported as -1.
        distance: Added to the round-off tolerance (see :func:`summarize_spectrum`).

    Returns:
        A summary whose ``lambda_min`` and ``lambda_max`` are NaN (not computed). ``h`` is only
        read (see :func:`count_below`).

    Raises:
        ValueError: ``h`` holds NaN or inf (:func:`check_finite`): such a Hessian has no
            inertia (its LDL^T pivots are NaN and would count as positive).
    """
    h = h.detach()
    check_finite(h, "inertia: the matrix")
    n = h.shape[-1]
    norm = spectral_norm(h) if norm is None else norm
    # At least the smallest normal number, so that a zero matrix counts as zero, not positive.
    tol = max(float(tolerance_from_norm(norm, n, h.dtype, factor)), torch.finfo(h.dtype).tiny)
    tol += _finite_or_zero(distance)
    n_neg = count_below(h, -tol)
    if not nullity:
        s = _summary(n, n_neg, n - n_neg, tol, float("nan"), float("nan"))
        return replace(s, n_zero=-1, nullity=-1, definiteness=Definiteness.UNKNOWN)
    n_pos = n - count_below(h, tol)
    return _summary(n, n_neg, n_pos, tol, float("nan"), float("nan"))
