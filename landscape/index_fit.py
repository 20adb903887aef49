"""Section 4c: the 3/2 law of Pennington & Bahri (2017), fitted with a bootstrap interval.

Their random-matrix model predicts that the index of critical points of small index grows with
the loss eps as

    alpha(eps) = alpha0 * (eps / eps_c - 1)^(3/2)    for eps > eps_c,

and is 0 (minima) below the critical loss eps_c. :func:`fit_power_law` fits (alpha0, eps_c) with
the exponent fixed at 3/2, and (alpha0, eps_c, p) with the exponent free, by least squares on
certified saddles with 0 < alpha <= max_index (and loss >= min_loss);
:func:`bootstrap_exponent` resamples those points for a percentile interval of p.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit

THREE_HALVES = 1.5
FIT_COLUMNS = [
    "setting",
    "group",
    "phi",
    "points",
    "status",
    "eps_c",
    "alpha0",
    "exponent",
    "exponent_low",
    "exponent_high",
    "three_halves_inside",
    "eps_c_free",
    "alpha0_free",
    "rms_fixed",
    "rms_free",
    "min_loss",
]


def power_law(eps: np.ndarray, alpha0: float, eps_c: float, p: float) -> np.ndarray:
    """alpha0 * max(eps / eps_c - 1, 0)^p."""
    return alpha0 * np.clip(eps / eps_c - 1.0, 0.0, None) ** p


def power_law_jacobian(eps: np.ndarray, alpha0: float, eps_c: float, p: float) -> np.ndarray:
    """Derivatives of power_law in (alpha0, eps_c, p), (k, 3): the fit's exact Jacobian.

    With u = eps / eps_c - 1 > 0 (every fitted point lies above eps_c): d/d alpha0 = u^p,
    d/d eps_c = -alpha0 p u^(p-1) eps / eps_c^2, d/dp = alpha0 u^p log u. It spares the
    least-squares solver three loss evaluations per step for a finite-difference Jacobian.
    """
    u = np.clip(eps / eps_c - 1.0, 1e-300, None)
    up = u**p
    return np.stack([up, -alpha0 * p * up / u * eps / eps_c**2, alpha0 * up * np.log(u)], axis=1)


@dataclass(frozen=True)
class PowerFit:
    """A least-squares fit of :func:`power_law`."""

    alpha0: float
    eps_c: float
    exponent: float
    rms: float  # root-mean-square residual in alpha


def fit_power_law(
    eps: np.ndarray,
    alpha: np.ndarray,
    exponent: float | None = None,
    start: PowerFit | None = None,
) -> PowerFit:
    """Least-squares fit of alpha = alpha0 (eps / eps_c - 1)^p to saddles above eps_c.

    eps_c is kept in (0, min eps) so that every fitted point lies above it; the exponent, when
    free, in [0.05, 10].

    Args:
        eps: Losses (k,), all > 0.
        alpha: Indices (k,), all > 0.
        exponent: Fixed p (e.g. 3/2), or None to fit it.
        start: A previous fit to start from (one start instead of several: the bootstrap).

    Returns:
        The fit.
    """
    eps, alpha = np.asarray(eps, float), np.asarray(alpha, float)
    if len(eps) < 3 or np.any(eps <= 0) or np.any(alpha <= 0):
        raise ValueError("a power-law fit needs >= 3 points with loss > 0 and index > 0")
    lo_eps = float(eps.min())
    best = None
    # Several starts for eps_c (the problem is not convex); the smallest residual wins.
    fracs = (0.2, 0.5, 0.8, 0.95) if start is None else (min(start.eps_c / lo_eps, 0.999),)
    for frac in fracs:
        start_c = frac * lo_eps
        start_p = THREE_HALVES if exponent is None else exponent
        start_a = float(alpha.max() / max((eps.max() / start_c - 1.0) ** start_p, 1e-12))
        if start is not None:
            start_p, start_a = start.exponent, start.alpha0
        try:
            if exponent is None:
                popt, _ = curve_fit(
                    power_law,
                    eps,
                    alpha,
                    p0=[start_a, start_c, start_p],
                    bounds=([0.0, 1e-9 * lo_eps, 0.05], [np.inf, lo_eps * (1 - 1e-9), 10.0]),
                    jac=power_law_jacobian,
                    maxfev=20000,
                )
                a0, c, p = (float(v) for v in popt)
            else:
                popt, _ = curve_fit(
                    lambda e, a, c: power_law(e, a, c, exponent),
                    eps,
                    alpha,
                    p0=[start_a, start_c],
                    bounds=([0.0, 1e-9 * lo_eps], [np.inf, lo_eps * (1 - 1e-9)]),
                    jac=lambda e, a, c: power_law_jacobian(e, a, c, exponent)[:, :2],
                    maxfev=20000,
                )
                (a0, c), p = (float(v) for v in popt), float(exponent)
        except RuntimeError:
            continue
        rms = float(np.sqrt(np.mean((power_law(eps, a0, c, p) - alpha) ** 2)))
        if best is None or rms < best.rms:
            best = PowerFit(a0, c, p, rms)
    if best is None:
        raise RuntimeError("no start of the least-squares fit converged")
    return best


def bootstrap_exponent(
    eps: np.ndarray, alpha: np.ndarray, resamples: int, confidence: float, seed: int
) -> tuple[float, float]:
    """Percentile bootstrap interval of the free exponent.

    Points are resampled with replacement; resamples with fewer than 3 distinct points, or whose
    fit fails, are skipped.

    Returns:
        (low, high) at the given confidence.
    """
    rng = np.random.default_rng(seed)
    eps, alpha = np.asarray(eps, float), np.asarray(alpha, float)
    full = fit_power_law(eps, alpha)
    exps = []
    for _ in range(resamples):
        pick = rng.integers(0, len(eps), len(eps))
        if len(np.unique(pick)) < 3:
            continue
        try:
            exps.append(fit_power_law(eps[pick], alpha[pick], start=full).exponent)
        except (RuntimeError, ValueError):
            continue
    if not exps:
        raise ValueError("no bootstrap fit succeeded")
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(exps, [tail, 100 - tail])
    return float(low), float(high)


def fit_group(
    eps: np.ndarray,
    alpha: np.ndarray,
    min_loss: float,
    max_index: float,
    min_points: int,
    resamples: int,
    confidence: float,
    seed: int,
) -> dict:
    """Both fits and the bootstrap on one group's certified points.

    Args:
        eps: Losses of the group's certified critical points.
        alpha: Their indices.
        min_loss: Points with loss below this are left out.
        max_index: Points with 0 < alpha <= max_index are fitted.
        min_points: Fewest such points to fit; fewer gives status ``too few points``.
        resamples: Bootstrap resamples.
        confidence: Interval level.
        seed: Bootstrap seed.

    Returns:
        A row with the columns of :data:`FIT_COLUMNS` from ``points`` on.
    """
    eps, alpha = np.asarray(eps, float), np.asarray(alpha, float)
    small = (alpha > 0) & (alpha <= max_index) & (eps >= min_loss)
    row = {c: np.nan for c in FIT_COLUMNS[4:]}
    row.update(points=int(small.sum()), min_loss=float(eps.min()) if len(eps) else np.nan)
    if small.sum() < min_points:
        row.update(status="too few points", three_halves_inside="")
        return row
    e, a = eps[small], alpha[small]
    try:
        fixed = fit_power_law(e, a, THREE_HALVES)
        free = fit_power_law(e, a)
        low, high = bootstrap_exponent(e, a, resamples, confidence, seed)
    except (RuntimeError, ValueError) as err:
        row.update(status=f"fit failed: {err}", three_halves_inside="")
        return row
    row.update(
        status="fitted",
        eps_c=fixed.eps_c,
        alpha0=fixed.alpha0,
        exponent=free.exponent,
        exponent_low=low,
        exponent_high=high,
        three_halves_inside=bool(low <= THREE_HALVES <= high),
        eps_c_free=free.eps_c,
        alpha0_free=free.alpha0,
        rms_fixed=fixed.rms,
        rms_free=free.rms,
    )
    return row
