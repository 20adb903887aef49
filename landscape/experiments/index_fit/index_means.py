"""Pennington & Bahri (2017)'s Fig. 6: the mean energy per index value, fitted with eps_c free.

Their points (Fig. 6 caption, p.8): "Each point represents the mean energy of critical points
with index alpha, averaged over ~200 training runs"; their curves: "best fit curves for small
alpha ~ alpha0 |eps - eps_c|^(3/2)"; Fig. 6b: "The best fit value of eps_c from (a) versus phi",
beside (1 - phi)^2 / 2 (their empirical fit) and (1 - phi) / 2 (linear networks). So the energy
is averaged at fixed index, the exponent is fixed at 3/2 and eps_c and alpha0 are fitted. The
model's eps_c (eq. 21, :func:`landscape.experiments.index_fit.index_fit.critical_energy`) is
not what they fit (``docs/pennington_bahri_procedure.md`` §5).

Per group (one phi, one procedure), from the runs kept (P = 2 n^2 eigenvalues each):

* :func:`index_means`: for each index count k, alpha = k / P, the mean energy eps_bar_k, its
  standard error s_k / sqrt(N_k) and the count N_k;
* :func:`fit_means`: on the values with N_k >= ``min_runs`` and 0 < alpha <= ``max_index``
  (their "small alpha"; the range is ours), the least-squares fit of
  alpha = alpha0 (eps_bar / eps_c - 1)^(3/2) with eps_c and alpha0 free (:func:`fit_power_law`;
  with alpha0 free this is their alpha0 |eps - eps_c|^(3/2), alpha0 absorbing eps_c^(-3/2)), its
  residuals, and the fit with the exponent p free as well (ours: the test of the exponent);
* intervals by the percentile bootstrap over runs (ours): runs are resampled within the group,
  the means recomputed at the same index values, both fits redone.

Every number is written, fitted or not: a group short of points gets ``too few points``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from landscape.base.options import FromConfig
from landscape.experiments.index_fit.index_fit import THREE_HALVES, Procedure, fit_power_law


class FitStatus(StrEnum):
    """How a group's fit ended."""

    FITTED = "fitted"
    TOO_FEW_POINTS = "too few points"
    FAILED = "fit failed"


# One row per index value of a group: Fig. 6a's points.
MEANS_COLUMNS = ["n_negative", "index", "runs", "energy_mean", "energy_se"]

# One row per group: the fits of Fig. 6a and the eps_c of Fig. 6b.
MEANS_FIT_COLUMNS = [
    "points",  # index values fitted (N_k >= min_runs, 0 < alpha <= max_index)
    "runs_fitted",  # runs behind those points
    "status",
    "eps_c",  # p = 3/2: their fit
    "eps_c_low",
    "eps_c_high",
    "alpha0",
    "rms_fixed",  # root-mean-square residual in alpha of the 3/2 fit
    "max_residual",  # largest |residual| in alpha of the 3/2 fit
    "exponent",  # p free (ours)
    "exponent_low",
    "exponent_high",
    "three_halves_inside",
    "eps_c_free",
    "alpha0_free",
    "rms_free",
]


@dataclass(frozen=True)
class MeansFitOptions(FromConfig):
    """Which index values are fitted and how the intervals are drawn (config ``pb_fit``)."""

    min_runs: int = 30  # ours: fewest runs behind a point (the issue: >= 30 per index value)
    min_points: int = 5  # ours: fewest index values to fit (the issue: >= 5 per phi)
    max_index: float = 0.1  # ours: "small alpha" (not stated in the paper)
    bootstrap: int = 200  # ours: resamples of the runs
    confidence: float = 0.95  # ours: interval level
    seed: int = 0  # ours: bootstrap seed


def index_means(n_negative: np.ndarray, energy: np.ndarray, n_params: int) -> pd.DataFrame:
    """The mean energy at each index value (Fig. 6a's points), every value that occurs.

    Args:
        n_negative: Negative-eigenvalue count of each kept run (R,).
        energy: Each run's energy eps = L / n_out (R,).
        n_params: P, the number of eigenvalues (alpha = k / P).

    Returns:
        :data:`MEANS_COLUMNS`, one row per k, sorted by k; energy_se is NaN for a single run.
    """
    table = pd.DataFrame({"k": np.asarray(n_negative, int), "e": np.asarray(energy, float)})
    grouped = table.groupby("k")["e"]
    out = pd.DataFrame(
        {
            "n_negative": grouped.mean().index.to_numpy(),
            "runs": grouped.size().to_numpy(),
            "energy_mean": grouped.mean().to_numpy(),
            "energy_se": (grouped.std(ddof=1) / np.sqrt(grouped.size())).to_numpy(),
        }
    )
    out.insert(1, "index", out["n_negative"] / n_params)
    return out[MEANS_COLUMNS]


def fitted_values(means: pd.DataFrame, options: MeansFitOptions) -> pd.DataFrame:
    """The rows of ``means`` a fit uses: N_k >= min_runs and 0 < alpha <= max_index."""
    keep = (
        (means["runs"] >= options.min_runs)
        & (means["index"] > 0)
        & (means["index"] <= options.max_index)
    )
    return means[keep]


def _both_fits(eps: np.ndarray, alpha: np.ndarray):
    """The 3/2 fit (eps_c free) and the free-exponent fit (eps_c free) of one set of points."""
    return fit_power_law(eps, alpha, THREE_HALVES), fit_power_law(eps, alpha)


def _bootstrap(
    n_negative: np.ndarray, energy: np.ndarray, ks: np.ndarray, alpha: np.ndarray, options
) -> tuple[np.ndarray, np.ndarray]:
    """eps_c (p = 3/2) and p (free) over resamples of the runs, at the index values ``ks``.

    A resample where some k has no run, or whose fit fails, is skipped.
    """
    rng = np.random.default_rng(options.seed)
    eps_c, exps = [], []
    for _ in range(options.bootstrap):
        pick = rng.integers(0, len(energy), len(energy))  # (R,) runs drawn with replacement
        k, e = n_negative[pick], energy[pick]
        counts = np.array([(k == v).sum() for v in ks])  # (points,)
        if np.any(counts == 0):
            continue
        means = np.array([e[k == v].mean() for v in ks])  # (points,)
        try:
            fixed, free = _both_fits(means, alpha)
        except (RuntimeError, ValueError):
            continue
        eps_c.append(fixed.eps_c)
        exps.append(free.exponent)
    return np.asarray(eps_c), np.asarray(exps)


def fit_means(
    n_negative: np.ndarray, energy: np.ndarray, n_params: int, options: MeansFitOptions
) -> dict:
    """Fig. 6a's fit on one group's kept runs, with bootstrap intervals (module docstring).

    Args:
        n_negative: Negative-eigenvalue count of each kept run (R,).
        energy: Each run's energy (R,).
        n_params: P.
        options: Which points, how many at least, the bootstrap.

    Returns:
        A row with :data:`MEANS_FIT_COLUMNS`; NaN where not fitted.
    """
    n_negative, energy = np.asarray(n_negative, int), np.asarray(energy, float)
    use = fitted_values(index_means(n_negative, energy, n_params), options)
    row: dict = {c: np.nan for c in MEANS_FIT_COLUMNS}
    row.update(points=len(use), runs_fitted=int(use["runs"].sum()), three_halves_inside="")
    if len(use) < max(options.min_points, 3):
        row["status"] = str(FitStatus.TOO_FEW_POINTS)
        return row
    eps, alpha = use["energy_mean"].to_numpy(), use["index"].to_numpy()
    try:
        fixed, free = _both_fits(eps, alpha)
    except (RuntimeError, ValueError) as err:
        row["status"] = f"{FitStatus.FAILED}: {err}"
        return row
    eps_cs, exps = _bootstrap(n_negative, energy, use["n_negative"].to_numpy(), alpha, options)
    if len(exps) == 0:
        row["status"] = f"{FitStatus.FAILED}: no bootstrap resample could be fitted"
        return row
    tail = 100 * (1 - options.confidence) / 2
    c_low, c_high = np.percentile(eps_cs, [tail, 100 - tail])
    p_low, p_high = np.percentile(exps, [tail, 100 - tail])
    residual = fixed.alpha0 * np.clip(eps / fixed.eps_c - 1, 0, None) ** THREE_HALVES - alpha
    row.update(
        status=str(FitStatus.FITTED),
        eps_c=fixed.eps_c,
        eps_c_low=float(c_low),
        eps_c_high=float(c_high),
        alpha0=fixed.alpha0,
        rms_fixed=fixed.rms,
        max_residual=float(np.abs(residual).max()),
        exponent=free.exponent,
        exponent_low=float(p_low),
        exponent_high=float(p_high),
        three_halves_inside=bool(p_low <= THREE_HALVES <= p_high),
        eps_c_free=free.eps_c,
        alpha0_free=free.alpha0,
        rms_free=free.rms,
    )
    return row


def quadratic_law(phi: float | np.ndarray) -> float | np.ndarray:
    """(1 - phi)^2 / 2: P&B's empirical fit to their eps_c (Fig. 6b, p.8)."""
    return 0.5 * (1 - np.asarray(phi, float)) ** 2


def linear_network_energy(phi: float | np.ndarray) -> float | np.ndarray:
    """(1 - phi) / 2: the minimum energy of linear networks (Fig. 6b; Advani & Ganguli 2016)."""
    return 0.5 * (1 - np.asarray(phi, float))


# One row per (procedure, phi): how many runs, kept and certified, and the fits.
PUBLISHED_FIT_COLUMNS = [
    "procedure",
    "phi",
    "index_tolerance",  # round-off (theirs) or derived (certified)
    "runs",
    "kept",  # final J_g <= cutoff
    "critical",  # kept, then certified after the polish
    "gradient_flat",  # kept, gradient-flat after the polish (Frye et al. 2021)
    *MEANS_FIT_COLUMNS,
]


def procedure_points(runs: pd.DataFrame, procedure: str) -> pd.DataFrame:
    """The points a procedure fits, columns ``energy`` and ``n_negative``.

    ``published procedure``: the kept runs' ends, index at round-off (their reading).
    ``certified``: kept runs certified critical after the polish, the polished energy and the
    index at the derived tolerance.
    """
    if procedure == Procedure.PUBLISHED:
        pick = runs[runs["kept"].astype(bool)]
        return pd.DataFrame(
            {"energy": pick["energy"], "n_negative": pick["n_negative_roundoff"].astype(int)}
        )
    pick = runs[runs["status"] == "critical"]
    return pd.DataFrame(
        {
            "energy": pick["polished_energy"],
            "n_negative": pick["polished_n_negative_derived"].astype(int),
        }
    )


def published_fits(runs: pd.DataFrame, options: MeansFitOptions) -> pd.DataFrame:
    """Both procedures' fits at every phi of the runs table (a row each, fitted or not).

    Args:
        runs: Every run (:data:`landscape.experiments.index_fit.published_runs.RUN_COLUMNS`).
        options: The fits' options.

    Returns:
        :data:`PUBLISHED_FIT_COLUMNS`.
    """
    rows = []
    for phi, grp in runs.groupby("phi", sort=True):
        n_params = int(grp["n_params"].iloc[0])
        counts = {
            "runs": len(grp),
            "kept": int(grp["kept"].astype(bool).sum()),
            "critical": int((grp["status"] == "critical").sum()),
            "gradient_flat": int((grp["status"] == "gradient-flat").sum()),
        }
        for procedure, tol in (
            (Procedure.PUBLISHED, "round-off"),
            (Procedure.CERTIFIED, "derived"),
        ):
            points = procedure_points(grp, procedure)
            row = fit_means(points["n_negative"], points["energy"], n_params, options)
            rows.append(
                {"procedure": str(procedure), "phi": phi, "index_tolerance": tol, **counts, **row}
            )
    return pd.DataFrame(rows, columns=PUBLISHED_FIT_COLUMNS)
