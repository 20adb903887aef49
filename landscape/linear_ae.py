"""Validation of the critical-point finders on the deep linear autoencoder (Frye et al. 2019).

Gradient-descent trajectories from small initialisations supply starting points spaced evenly in
loss (each also with Gaussian noise added); every finder runs from every start; every end point is
certified, its index computed from the exact Hessian, and matched to the nearest analytic critical
point of :func:`landscape.theory.linear_ae_critical_points`.

The loss depends on the data only through its covariance, so all derivatives are computed on the
covariance-equivalent (d, d) dataset (:func:`landscape.theory.covariance_equivalent`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import torch

from landscape.config import FromConfig, Numerics
from landscape.critical import CRITICAL, DIVERGED, FINDERS, FinderOptions, find_critical_points
from landscape.curvature import DEFAULT_CURVATURE, CurvatureOptions, point_spectra
from landscape.models import deep_linear, init_params, make_loss
from landscape.spectrum import not_computed
from landscape.theory import (
    covariance_equivalent,
    gaussian_with_covariance,
    linear_ae_critical_points,
    nearest_analytic,
    relative_gap,
)
from landscape.train import TrainOptions, even_in_loss, train

COLUMNS = [
    "method",
    "start",
    "trajectory",
    "start_kind",
    "status",
    "loss",
    "grad_norm_sq",
    "index",
    "n_negative",
    "nullity",
    "eig_tol",
    "eig_tol_distance",
    "residual",
    "iterations",
    "nearest_analytic_loss",
    "nearest_analytic_index",
    "nearest_analytic_n_negative",
    "loss_rel_error",
    "matches_analytic",
]


@dataclass(frozen=True)
class LinearAEOptions(FromConfig):
    """The config's ``linear_ae`` section (its schema documents every key)."""

    n_samples: int = 10000
    input_dim: int = 16
    hidden: int = 4
    trajectories: int = 10
    snapshots: int = 5
    noise_std: float = 0.01
    init_scale: float = 0.1
    learning_rate: float = 0.05
    train_steps: int = 400
    max_iter: int = 100
    gradient_norm_max_iter: int = 300
    damping: float = 1e-3
    seed: int = 0


def starting_points(
    opts: LinearAEOptions, loss_fn, model, device: str | torch.device = "cpu"
) -> tuple[torch.Tensor, pd.DataFrame]:
    """Snapshots evenly spaced in loss along GD trajectories, then the same with noise.

    Returns:
        Starts (S, P) on ``device`` and a table describing each (trajectory, kind).
    """
    k = opts.trajectories
    theta0 = torch.stack(
        [init_params(model, opts.seed + j, device=device) * opts.init_scale for j in range(k)]
    )
    every = max(1, opts.train_steps // 50)
    schedule = TrainOptions("gd", opts.learning_rate, opts.train_steps, every, snapshot_every=every)
    run = train(loss_fn, theta0, schedule)
    picks = even_in_loss(run.snapshot_loss, opts.snapshots)  # (snapshots, K)
    clean = torch.stack(
        [run.snapshots[picks[i, j], j] for j in range(k) for i in range(len(picks))]
    )
    gen = torch.Generator().manual_seed(opts.seed)
    noise = opts.noise_std * torch.randn(clean.shape, generator=gen, dtype=clean.dtype)
    noise = noise.to(clean.device)  # drawn on the CPU: the same starts on every device
    traj = [j for j in range(k) for _ in range(len(picks))]
    meta = pd.DataFrame(
        {
            "trajectory": traj + traj,
            "start_kind": ["snapshot"] * len(clean) + ["snapshot + noise"] * len(clean),
        }
    )
    return torch.cat([clean, clean + noise]), meta


# Over 60 lines: a table row literal of 19 columns.
def run_validation(
    opts: LinearAEOptions,
    numerics: Numerics,
    log: Callable[[str], None] = print,
    device: str | torch.device = "cpu",
    curvature: CurvatureOptions = DEFAULT_CURVATURE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every finder from every start; match the end points to the analytic ones.

    Args:
        opts: The typed ``linear_ae`` section.
        numerics: The typed ``numerics`` section (thresholds).
        log: Progress callback.
        device: Where training, the finders and the spectra run (data drawn on the CPU).
        curvature: How the finders' and the spectra's exact Hessians are computed.

    Returns:
        (end points, one row per finder and start, columns :data:`COLUMNS`; analytic table).
    """
    d, p = opts.input_dim, opts.hidden
    lam = torch.arange(1, d + 1, dtype=torch.float64)
    x = covariance_equivalent(gaussian_with_covariance(opts.n_samples, lam, opts.seed))
    x = x.to(device)  # (n, d)
    model = deep_linear((d, p, d))
    loss_fn = make_loss(model, "mse", x, x)
    hess_fn = curvature.hessian(model, "mse", x, x)
    chunk = curvature.networks_per_chunk(model, len(x))
    analytic = linear_ae_critical_points(lam, p)
    starts, meta = starting_points(opts, loss_fn, model, device)
    log(f"{len(starts)} starts, {model.n_params} parameters, {len(analytic)} analytic points")
    factor = numerics.eigen_tolerance_factor
    tables = []
    for method in FINDERS:
        iters = opts.gradient_norm_max_iter if method == "gradient_norm" else opts.max_iter
        finder = FinderOptions.from_numerics(
            numerics, max_iter=iters, damping=opts.damping, hessian_chunk=chunk
        )
        res = find_critical_points(loss_fn, hess_fn, starts, method, finder)
        finite = torch.tensor([st != DIVERGED for st in res.status])
        spectra, _ = point_spectra(hess_fn, res.params, factor, curvature, chunk, finite=finite,
                                   distance=res.eig_tol_distance)  # fmt: skip
        rows = []
        for k in range(len(starts)):
            s = spectra[k] or not_computed(model.n_params)
            if spectra[k] is None:  # diverged: nothing to match
                near, rel = {"loss": math.nan, "index": math.nan, "n_negative": -1}, math.nan
            else:
                near = nearest_analytic(float(res.loss[k]), s.n_negative, analytic)
                rel = float(relative_gap(near["loss"], float(res.loss[k])))
            rows.append(
                {
                    "method": method,
                    "start": k,
                    "status": res.status[k],
                    "loss": float(res.loss[k]),
                    "grad_norm_sq": float(res.grad_norm_sq[k]),
                    "index": s.index,
                    "n_negative": s.n_negative,
                    "nullity": s.nullity,
                    "eig_tol": s.eig_tol,
                    "eig_tol_distance": float(res.eig_tol_distance[k]),
                    "residual": float(res.residual[k]),
                    "iterations": int(res.iterations[k]),
                    "nearest_analytic_loss": near["loss"],
                    "nearest_analytic_index": near["index"],
                    "nearest_analytic_n_negative": int(near["n_negative"]),
                    "loss_rel_error": rel,
                    "matches_analytic": bool(rel <= 1e-6 and s.n_negative == near["n_negative"]),
                }
            )
        table = pd.concat([pd.DataFrame(rows), meta], axis=1)
        certified = (table["status"] == CRITICAL).sum()
        log(f"{method}: {certified}/{len(table)} certified critical points")
        tables.append(table)
    return pd.concat(tables, ignore_index=True)[COLUMNS], analytic


def architectures(opts: LinearAEOptions) -> dict[str, int]:
    """The linear autoencoder d - p - d and its parameter count N (for the counting argument)."""
    return {
        "2 linear autoencoder": deep_linear((opts.input_dim, opts.hidden, opts.input_dim)).n_params
    }
