"""Pennington & Bahri (2017)'s runs at one phi: their search, then the index of every end.

Each run (Sec. 6.4, pp.7-8; ``docs/pennington_bahri_procedure.md`` §1-3) draws its data anew, a
16-16-16 bias-free tanh network descends L to a random level, then J_g = ||grad L||^2
(:mod:`landscape.engine.shallow_tanh_search`, all runs batched); the run is kept when its final
J_g <= 1e-6. The index is read at every end that did not diverge (kept or not: the figure draws
both) from the full 512 x 512 Hessian's eigenvalues (a dense ``eigvalsh``, "a full
eigendecomposition"), at two tolerances written beside it:

* round-off, tol_r = factor P eps max|lambda| (:func:`landscape.engine.spectrum.eigen_tolerance`):
  their reading (no tolerance is stated);
* derived, tol_r + sqrt(M ||g||) (ours, :mod:`landscape.engine.critical`): M is the rate at
  which the Hessian changes along the gradient, ||H(theta + s u) - H(theta)||_2 / s with
  u = g / ||g|| and s = :data:`landscape.engine.critical.LIPSCHITZ_PROBE`. An eigenvalue of the
  Hessian at the end and one at a critical point a distance ~ ||g|| / |lambda| away differ by
  about M times that distance; sqrt(M ||g||) bounds the eigenvalues whose sign that can flip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from landscape.base.options import FromConfig, Numerics
from landscape.engine import shallow_tanh
from landscape.engine.critical import LIPSCHITZ_PROBE, FinderOptions
from landscape.engine.shallow_tanh_polish import certify_ends, polish
from landscape.engine.shallow_tanh_search import (
    GradNormDescentOptions,
    SearchResult,
    draw_runs,
    grad_norm_descent,
)
from landscape.engine.spectrum import eigen_tolerance

RUN_COLUMNS = [
    "phi",
    "run",
    "samples",  # m = 2 n / phi
    "n_params",  # P = 2 n^2
    "initial_loss",  # L0
    "level",  # u L0
    "reached_level",
    "loss_steps",
    "gnm_steps",
    "loss",  # L (their eq. 2)
    "energy",  # eps = L / n (their energy, Fig. 6's axis)
    "grad_norm_sq",  # J_g = ||grad L||^2, the cutoff's quantity
    "kept",  # J_g <= cutoff: their filter (Sec. 6.4, p.8)
    "diverged",
    "lambda_min",
    "lambda_max",
    "hessian_rate",  # M
    "tol_roundoff",
    "tol_derived",
    "n_negative_roundoff",  # their index count
    "n_negative_derived",  # ours
    # The certified counterpart (ours), on kept runs only: a Newton-MR polish, then the status.
    "status",  # critical | gradient-flat | not converged | diverged; "" where not kept
    "polish_steps",
    "polished_energy",
    "polished_grad_norm_sq",
    "residual",  # Frye's r at the polished point
    "cokernel_residual",  # Frye's r_H
    "polished_tol_derived",
    "polished_n_negative_derived",
]


@dataclass(frozen=True)
class PublishedRunsOptions(FromConfig):
    """How many of their runs, at which size (config ``index_fit.published``)."""

    width: int = 16  # theirs: n (Sec. 6.4, p.8)
    phis: tuple[float, ...] = (0.25, 0.5)  # theirs, two of Fig. 6a's six (1/16 .. 2/3)
    runs: int = 128  # ours: runs per phi in the default run (theirs: ~50k over 6 phi, p.7)
    batch: int = 64  # ours: runs per batched computation (memory ~ 12 batch MB)
    shard_size: int = 64  # ours: runs per job (shard k holds runs k shard_size ..)
    polish_iter: int = 50  # ours: most Newton-MR steps of the certified counterpart


def samples(width: int, phi: float) -> int:
    """The number of data points m = 2 n / phi at ratio phi (Sec. 2, p.2).

    Raises:
        ValueError: 2 n / phi is not an integer (phi would not be met exactly).
    """
    m = 2 * width / phi
    if abs(m - round(m)) > 1e-9 or round(m) < 1:
        raise ValueError(f"phi = {phi} needs m = 2 n / phi = {m:g} data points at n = {width}")
    return round(m)


def spectral_change_rate(
    theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, g: torch.Tensor, h: torch.Tensor
) -> torch.Tensor:
    """M = ||H(theta + s u) - H(theta)||_2 / s along u = g / ||g|| (B,) (module docstring)."""
    unit = g / g.norm(dim=-1, keepdim=True).clamp_min(1e-300)  # (B, P)
    ahead = shallow_tanh.hessian(theta + LIPSCHITZ_PROBE * unit, x, y)  # (B, P, P)
    return torch.linalg.eigvalsh(ahead - h).abs().amax(-1) / LIPSCHITZ_PROBE  # (B,)


def read_index(
    theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, numerics: Numerics
) -> dict[str, np.ndarray]:
    """The index of B ends at the round-off and derived tolerances, and what sets them.

    Args:
        theta: Finite ends (B, P), float64.
        x: Their inputs (B, m, n).
        y: Their targets (B, m, n).
        numerics: ``eigen_tolerance_factor`` sets the round-off tolerance.

    Returns:
        Columns lambda_min .. n_negative_derived of :data:`RUN_COLUMNS`, each (B,).
    """
    g = shallow_tanh.gradient(shallow_tanh.forward(theta, x, y), x)  # (B, P)
    h = shallow_tanh.hessian(theta, x, y)  # (B, P, P)
    lam = torch.linalg.eigvalsh(h)  # (B, P) ascending
    roundoff = eigen_tolerance(lam, numerics.eigen_tolerance_factor)  # (B,)
    rate = spectral_change_rate(theta, x, y, g, h)  # (B,)
    derived = roundoff + torch.sqrt(rate * g.norm(dim=-1))  # (B,)
    out = {
        "lambda_min": lam[:, 0],
        "lambda_max": lam[:, -1],
        "hessian_rate": rate,
        "tol_roundoff": roundoff,
        "tol_derived": derived,
        "n_negative_roundoff": (lam < -roundoff[:, None]).sum(-1),
        "n_negative_derived": (lam < -derived[:, None]).sum(-1),
    }
    return {k: v.cpu().numpy() for k, v in out.items()}


def _batch_table(phi, m, runs, found: SearchResult, numerics: Numerics, polish_iter: int):
    """One batch's rows of :data:`RUN_COLUMNS`; the index only where the end is finite."""
    n_out = runs.y.shape[-1]
    table = pd.DataFrame(
        {
            "phi": phi,
            "run": runs.ids.cpu().numpy(),
            "samples": m,
            "n_params": runs.theta.shape[-1],
            "initial_loss": found.initial_loss.cpu().numpy(),
            "level": found.level.cpu().numpy(),
            "reached_level": found.reached_level.cpu().numpy(),
            "loss_steps": found.loss_steps.cpu().numpy(),
            "gnm_steps": found.gnm_steps.cpu().numpy(),
            "loss": found.loss.cpu().numpy(),
            "energy": found.loss.cpu().numpy() / n_out,
            "grad_norm_sq": found.grad_norm_sq.cpu().numpy(),
            "kept": found.reached_cutoff.cpu().numpy(),
            "diverged": found.diverged.cpu().numpy(),
        }
    )
    ok = ~found.diverged  # (B,)
    for col in RUN_COLUMNS[table.shape[1] :]:
        table[col] = np.nan
    table["status"] = ""
    if bool(ok.any()):
        index = read_index(found.theta[ok], runs.x[ok], runs.y[ok], numerics)
        rows = ok.cpu().numpy()
        for col, values in index.items():
            table.loc[rows, col] = values
    kept = found.reached_cutoff  # (B,)
    if bool(kept.any()):
        polished = _certified(found.theta[kept], runs.x[kept], runs.y[kept], numerics, polish_iter)
        rows = kept.cpu().numpy()
        for col, values in polished.items():
            table.loc[rows, col] = values
    return table


def _certified(theta, x, y, numerics: Numerics, max_iter: int) -> dict[str, np.ndarray]:
    """Kept ends polished by Newton-MR, certified, and their index at the derived tolerance."""
    options = FinderOptions.from_numerics(numerics, max_iter=max_iter)
    theta, steps = polish(theta, x, y, options)
    ends = certify_ends(theta, x, y, options)
    index = read_index(theta, x, y, numerics)
    loss = shallow_tanh.loss(theta, x, y)  # (K,)
    return {
        "status": np.array([str(s) for s in ends.status], dtype=object),
        "polish_steps": steps.cpu().numpy(),
        "polished_energy": (loss / y.shape[-1]).cpu().numpy(),
        "polished_grad_norm_sq": ends.grad_norm_sq.cpu().numpy(),
        "residual": ends.residual.cpu().numpy(),
        "cokernel_residual": ends.cokernel_residual.cpu().numpy(),
        "polished_tol_derived": index["tol_derived"],
        "polished_n_negative_derived": index["n_negative_derived"],
    }


def shard_count(options: PublishedRunsOptions) -> int:
    """How many jobs a phi's runs are split into (the last may hold fewer runs)."""
    return -(-options.runs // options.shard_size)


def published_runs(
    phi: float,
    options: PublishedRunsOptions,
    search: GradNormDescentOptions,
    numerics: Numerics,
    log: Callable[[str], None] = lambda _: None,
    device: str | torch.device = "cpu",
    shard: int | None = None,
) -> pd.DataFrame:
    """The runs of their procedure at ``phi`` (all, or one shard's), ``options.batch`` at a time.

    Run k at phi is numbered round(phi 10^6) 10^6 + k, so that no two phis share a run's seed;
    each run draws from its own generator, so the shards' rows, joined, are the unsharded rows.

    Args:
        phi: The ratio phi = 2 n / m.
        options: Width, runs, batch and shard size.
        search: The two phases' settings and the cutoff.
        numerics: The round-off tolerance's factor and the certification's thresholds.
        log: Progress lines, one per batch.
        device: Where the batches compute.
        shard: Only runs shard * shard_size .. (shard + 1) * shard_size - 1; None: every run.

    Returns:
        :data:`RUN_COLUMNS`, one row per run, diverged runs included (index NaN).
    """
    m = samples(options.width, phi)
    base = int(round(phi * 1e6)) * 10**6  # a run's number: distinct per phi
    first, stop = 0, options.runs
    if shard is not None:
        first = shard * options.shard_size
        stop = min(first + options.shard_size, options.runs)
    parts = []
    for start in range(first, stop, options.batch):
        ids = range(base + start, base + min(start + options.batch, stop))
        runs = draw_runs(options.width, m, ids, search.seed, device)
        found = grad_norm_descent(runs, search)
        parts.append(_batch_table(phi, m, runs, found, numerics, options.polish_iter))
        done = pd.concat(parts)
        log(
            f"phi {phi:g}: {len(done)}/{stop - first} runs, {int(done['kept'].sum())} under the "
            f"cutoff {search.cutoff:g}, median J_g {done['grad_norm_sq'].median():.2e}"
        )
    return pd.concat(parts, ignore_index=True)[RUN_COLUMNS]
