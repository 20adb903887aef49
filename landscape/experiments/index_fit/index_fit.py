"""Section 4c: the 3/2 law of Pennington & Bahri (2017), fitted with a bootstrap interval.

Their random-matrix model predicts that the index of critical points of small index grows with
the loss eps as

    alpha(eps) = alpha0 * (eps / eps_c - 1)^(3/2)    for eps > eps_c,

and is 0 (minima) below the critical energy eps_c. :func:`fit_power_law` fits alpha0 (and eps_c
unless it is given) with the exponent fixed at 3/2, and with the exponent p free, by least squares
on points with 0 < alpha <= max_index (and energy >= min_loss); :func:`bootstrap_exponent`
resamples those points for a percentile interval of p.

**Their model and eps_c.** Pennington & Bahri model the Hessian at a point of energy eps (the
loss per target value, eps = 1/(2 m n) sum_i ||f(x_i) - y_i||^2) as the free sum of a Wishart
matrix of ratio phi (the Gauss-Newton part, R-transform 1/(1 - phi z)) and a Wigner matrix of
variance 2 eps (the residual part, R-transform 2 eps z). The spectrum's left edge reaches 0, and
the index becomes positive, at the critical energy

    eps_c(phi) = (1 - 20 phi - 8 phi^2 + (1 + 8 phi)^(3/2)) / 16,

which :func:`critical_energy` evaluates in closed form and :func:`critical_energy_numeric`
recovers from the R-transforms (the two are tested against each other). This is the warm-up
model's eps_c (Sec. 4.2, eq. 21); their Fig. 6 fits eps_c to the data instead and finds it near
(1 - phi)^2 / 2, 4.5-18 times larger (``docs/pennington_bahri_procedure.md`` §5), so eq. 21 is
drawn beside the fitted values, never imposed (:mod:`landscape.experiments.index_fit.index_means`).
:class:`Procedure` names the two ways points are gathered (their procedure: GD on ||grad L||^2
and a cutoff; ours: certified critical points). :func:`mlp_groups` and :func:`fit_group` fit the
law, eps_c free, to section 4b's certified points (reported beside the 4c rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from scipy.optimize import brentq, least_squares

from landscape.base.options import FromConfig

THREE_HALVES = 1.5


class Procedure(StrEnum):
    """How the points of a fit were gathered (a row of the scorecard each)."""

    # Pennington & Bahri 2017: GD on ||grad L||^2, keep ends under a cutoff, count the negative
    # eigenvalues of their Hessian (round-off tolerance), fit the mean energy per index value.
    PUBLISHED = "published procedure"
    # Ours: certified critical points (||g||^2 <= numerics.grad_norm_sq_threshold), polished,
    # index at the derived tolerance.
    CERTIFIED = "certified"

    @property
    def claim_id(self) -> str:
        """The scorecard row this procedure decides."""
        return {
            "published procedure": "4.three_halves_law_published_procedure",
            "certified": "4.three_halves_law_certified",
        }[self.value]


class GroupKind(StrEnum):
    """The kinds of group a fit is made on; the config names those that decide each verdict."""

    MSE = "mse"  # a small MLP of 4b trained with squared loss
    CROSS_ENTROPY = "cross_entropy"  # reported apart: the law is derived for squared loss


def critical_energy(phi: float | np.ndarray) -> float | np.ndarray:
    """eps_c(phi) = (1 - 20 phi - 8 phi^2 + (1 + 8 phi)^(3/2)) / 16 (module docstring).

    Pennington & Bahri 2017, Sec. 4 (the energy below which their model's index is 0); 0 at
    phi = 1, 1/8 as phi -> 0.
    """
    phi = np.asarray(phi, float)
    return (1 - 20 * phi - 8 * phi**2 + (1 + 8 * phi) ** 1.5) / 16


def critical_energy_numeric(phi: float) -> float:
    """eps_c(phi) from the R-transforms: the eps at which the spectrum's left edge is 0.

    The free sum's inverse Green function is z(G) = 1 / (1 - phi G) + 2 eps G + 1 / G; the left
    edge of its spectrum is max over G < 0 of z(G) (where dz/dG = 0). Root-found in eps on a
    grid of G; the slow reference for :func:`critical_energy`.
    """
    g = -np.geomspace(1e-4, 1e4, 200001)  # (k,) G < 0

    def edge(eps: float) -> float:
        return float(np.max(1 / (1 - phi * g) + 2 * eps * g + 1 / g))

    return float(brentq(edge, 1e-9, 10.0, xtol=1e-14))


FIT_COLUMNS = [
    "procedure",
    "kind",
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
    "eps_c_source",  # theory (critical_energy) or fitted
]


def power_law(eps: np.ndarray, alpha0: float, eps_c: float, p: float) -> np.ndarray:
    """alpha0 * max(eps / eps_c - 1, 0)^p."""
    return alpha0 * np.clip(eps / eps_c - 1.0, 0.0, None) ** p


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
    eps_c: float | None = None,
) -> PowerFit:
    """Least-squares fit of alpha = alpha0 (eps / eps_c - 1)^p to saddles above eps_c.

    eps_c, when not given, is kept in (0, min eps) so that every fitted point lies above it;
    the exponent, when free, in [0.05, 10].

    Args:
        eps: Energies (k,), all > 0 (and > eps_c when it is given).
        alpha: Indices (k,), all > 0.
        exponent: Fixed p (e.g. 3/2), or None to fit it.
        start: A previous fit to start from (one start instead of several: the bootstrap).
        eps_c: The critical energy, fixed (Pennington & Bahri's theory value), or None to fit it.

    Returns:
        The fit.

    Raises:
        ValueError: Fewer than 3 points, or a point with eps <= 0, alpha <= 0 or eps <= eps_c.
        RuntimeError: No start of the solver converged.
    """
    eps, alpha = np.asarray(eps, float), np.asarray(alpha, float)
    if len(eps) < 3 or np.any(eps <= 0) or np.any(alpha <= 0):
        raise ValueError("a power-law fit needs >= 3 points with loss > 0 and index > 0")
    if eps_c is not None and np.any(eps <= eps_c):
        raise ValueError(f"every fitted point must lie above eps_c = {eps_c}")
    lo_eps = float(eps.min())
    best = None
    # Several starts for eps_c (the problem is not convex); the smallest residual wins.
    if eps_c is not None:
        starts_c = (eps_c,)  # fixed: passed through exactly
    else:
        fracs = (0.2, 0.5, 0.8, 0.95) if start is None else (min(start.eps_c / lo_eps, 0.999),)
        starts_c = tuple(frac * lo_eps for frac in fracs)
    for start_c in starts_c:
        fit = _fit_once(eps, alpha, exponent, start, start_c, eps_c is not None)
        if fit is not None and (best is None or fit.rms < best.rms):
            best = fit
    if best is None:
        raise RuntimeError("no start of the least-squares fit converged")
    return best


def _projected_alpha0(x: np.ndarray, alpha: np.ndarray) -> float:
    """The best alpha0 >= 0 for the curve shape x (k,): argmin ||alpha0 x - alpha||^2."""
    xx = float(x @ x)
    return max(float(x @ alpha) / xx, 0.0) if xx > 0 else 0.0


def _projected_fit(eps, alpha, names, unpack, v0, bounds):
    """Variable projection: the least-squares (eps_c, p) with alpha0 eliminated; None on failure.

    For given eps_c and p the model alpha0 x (x = (eps / eps_c - 1)^p) is linear in alpha0, whose
    best value is x.alpha / x.x (Golub & Pereyra 1973): the solver searches only the free ones
    of eps_c and p, on the same objective. The residual r = alpha0(v) x(v) - alpha has the
    Jacobian alpha0 dx/dv + x dalpha0/dv, dalpha0/dv = (alpha - 2 alpha0 x).dx/dv / x.x while
    alpha0 > 0 (with dx/d eps_c = -p x / u * eps / eps_c^2, dx/dp = x log u, u = eps / eps_c - 1).
    """

    def residual(v):
        c, p = unpack(v)
        x = power_law(eps, 1.0, c, p)  # (k,)
        return _projected_alpha0(x, alpha) * x - alpha

    def jacobian(v):
        c, p = unpack(v)
        x = power_law(eps, 1.0, c, p)  # (k,)
        a0 = _projected_alpha0(x, alpha)
        u = np.clip(eps / c - 1.0, 1e-300, None)
        dx = {"c": -p * x / u * eps / c**2, "p": x * np.log(u)}
        cols = []
        for name in names:
            da0 = (alpha - 2 * a0 * x) @ dx[name] / (x @ x) if a0 > 0 else 0.0
            cols.append(a0 * dx[name] + x * da0)
        return np.stack(cols, axis=1)  # (k, free)

    sol = least_squares(residual, v0, jac=jacobian, bounds=bounds, method="trf", max_nfev=2000)
    return unpack(sol.x) if sol.status > 0 else None


def _fit_once(eps, alpha, exponent, start, start_c, fixed_c) -> PowerFit | None:
    """One fit from eps_c = start_c; None if the solver fails.

    The free parameters are eps_c unless ``fixed_c`` and p unless ``exponent`` is given; alpha0 is
    projected out (:func:`_projected_fit`), and with both fixed it is the whole fit.
    """
    lo_eps = float(eps.min())
    start_p = THREE_HALVES if exponent is None else exponent
    if start is not None and exponent is None:
        start_p = start.exponent
    names = ([] if fixed_c else ["c"]) + (["p"] if exponent is None else [])
    p0 = {"c": start_c, "p": start_p}
    low = {"c": 1e-9 * lo_eps, "p": 0.05}
    high = {"c": lo_eps * (1 - 1e-9), "p": 10.0}

    def unpack(v):
        got = dict(zip(names, v, strict=True))
        return got.get("c", start_c), got.get("p", start_p)

    c, p = start_c, start_p
    if names:
        bounds = ([low[n] for n in names], [high[n] for n in names])
        found = _projected_fit(eps, alpha, names, unpack, [p0[n] for n in names], bounds)
        if found is None:
            return None
        c, p = found
    a0 = _projected_alpha0(power_law(eps, 1.0, c, p), alpha)
    rms = float(np.sqrt(np.mean((power_law(eps, a0, c, p) - alpha) ** 2)))
    return PowerFit(a0, float(c), float(p), rms)


def bootstrap_exponent(
    eps: np.ndarray,
    alpha: np.ndarray,
    resamples: int,
    confidence: float,
    seed: int,
    eps_c: float | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the free exponent.

    Points are resampled with replacement; resamples with fewer than 3 distinct points, or whose
    fit fails, are skipped. ``eps_c`` fixed or fitted as in :func:`fit_power_law`.

    Returns:
        (low, high) at the given confidence.
    """
    rng = np.random.default_rng(seed)
    eps, alpha = np.asarray(eps, float), np.asarray(alpha, float)
    full = fit_power_law(eps, alpha, eps_c=eps_c)
    exps = []
    for _ in range(resamples):
        pick = rng.integers(0, len(eps), len(eps))
        if len(np.unique(pick)) < 3:
            continue
        try:
            exps.append(fit_power_law(eps[pick], alpha[pick], start=full, eps_c=eps_c).exponent)
        except (RuntimeError, ValueError):
            continue
    if not exps:
        raise ValueError("no bootstrap fit succeeded")
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(exps, [tail, 100 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class FitOptions(FromConfig):
    """Which points are fitted and how (config section ``index_fit``)."""

    min_loss: float = 1e-3  # points with energy below this are left out
    max_index: float = 0.1  # points with 0 < alpha <= max_index are fitted
    min_points: int = 8  # fewest such points to fit; fewer: ``too few points``
    bootstrap: int = 200  # bootstrap resamples
    confidence: float = 0.95  # interval level
    seed: int = 0  # bootstrap seed


def fit_group(
    eps: np.ndarray, alpha: np.ndarray, options: FitOptions, eps_c: float | None = None
) -> dict:
    """Both fits and the bootstrap on one group's points.

    Args:
        eps: Energies of the group's points (k,).
        alpha: Their indices (k,).
        options: Which points, how many at least, the bootstrap.
        eps_c: The critical energy from theory (points at or below it are left out), or None to
            fit it.

    Returns:
        A row with the columns of :data:`FIT_COLUMNS` from ``points`` on.
    """
    eps, alpha = np.asarray(eps, float), np.asarray(alpha, float)
    small = (alpha > 0) & (alpha <= options.max_index) & (eps >= options.min_loss)
    if eps_c is not None:
        small &= eps > eps_c
    row = {c: np.nan for c in FIT_COLUMNS[6:]}
    row.update(
        points=int(small.sum()),
        min_loss=float(eps.min()) if len(eps) else np.nan,
        eps_c_source="fitted" if eps_c is None else "theory",
    )
    if eps_c is not None:  # the theory's value, written whether or not the group is fitted
        row.update(eps_c=eps_c, eps_c_free=eps_c)
    if small.sum() < options.min_points:
        row.update(status="too few points", three_halves_inside="")
        return row
    e, a = eps[small], alpha[small]
    try:
        fixed = fit_power_law(e, a, THREE_HALVES, eps_c=eps_c)
        free = fit_power_law(e, a, eps_c=eps_c)
        low, high = bootstrap_exponent(
            e, a, options.bootstrap, options.confidence, options.seed, eps_c=eps_c
        )
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


@dataclass(frozen=True)
class FitGroup:
    """The points one 3/2-law fit of a 4b case is made on."""

    kind: GroupKind
    group: str  # digits 16-4-10 tanh mse
    points: pd.DataFrame  # columns energy (the loss), index


def mlp_groups(mlp: pd.DataFrame) -> list[FitGroup]:
    """One group per 4b case (dataset, architecture, loss), on its distinct certified points.

    Args:
        mlp: All end points of the small MLPs
            (:data:`landscape.experiments.index_vs_loss.index_vs_loss.COLUMNS`).

    Returns:
        Every case, in order; a case with no point is kept, with an empty table.
    """
    from landscape.experiments.index_vs_loss.index_vs_loss import (
        case_label,
        distinct_critical_points,
    )

    crit = distinct_critical_points(mlp).assign(energy=lambda t: t["loss"])
    labels = crit.apply(case_label, axis=1) if len(crit) else pd.Series(dtype=str)
    cases = mlp.drop_duplicates(["dataset", "architecture", "loss_function"])
    return [
        FitGroup(GroupKind(case.loss_function), case_label(case), crit[labels == case_label(case)])
        for case in sorted(cases.itertuples(), key=case_label)
    ]
