"""Validation of the critical-point finders on the deep linear autoencoder (Frye et al. 2019).

Gradient-descent trajectories from small initialisations supply starting points spaced evenly in
loss (each also with Gaussian noise added); every finder runs from every start; every end point is
certified, its index computed from the exact Hessian, and matched to the nearest analytic critical
point of :func:`landscape.engine.theory.linear_ae_critical_points`.

The loss depends on the data only through its covariance, so all derivatives are computed on the
covariance-equivalent (d, d) dataset (:func:`landscape.engine.theory.covariance_equivalent`).

**Frye et al. 2019's setting** (their public code, ``charlesfrye/autocrit_tools``:
``scripts/setup_network.py``, ``autocrit/utils/math.py``; and Frye's thesis, Ch. 3, Sec. 3.2.3,
which reproduces the paper: ``charlesfrye/thesis`` at 6e4cde4, ``chapters/chapter3/chapter3.tex``;
docs/sources.md): a bias-free 16-4-16 linear autoencoder on 10,000 samples of
x ~ N(0, diag(1, ..., 16)), loss the mean over all entries of the squared error,
(1/(n d)) sum ||x_hat - x||^2, which is 2/d times our 1/(2n) sum ||x_hat - x||^2
(:data:`FRYE_LOSS_SCALE`); a point is critical when ||g||^2 <= 1e-10 in their normalisation, so
the loss, gradient and Hessian are scaled to it here.
Starts are drawn uniformly at random in loss along gradient-descent trajectories (thesis
Sec. 3.2.3.2, following Pennington & Bahri), and to half of them Gaussian noise "with variance
1e-2" is added (standard deviation 0.1, config ``linear_ae.noise_std``). The thesis reads the
index as the count of eigenvalues below -1e-5 (Sec. 3.2.3.1); ours is read at the derived
tolerance (:mod:`landscape.engine.critical`). :data:`PUBLISHED_RATES` are the fractions of runs that
reached ||g||^2 <= 1e-10 (thesis Table 3.1), with the runs behind each; their budgets were 500
iterations for the Newton methods and 25,000 for BTLS gradient-norm minimisation (Sec. 3.2.3.3),
which the paper config uses (the default run's are smaller, for its CPU budget).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
import torch

from landscape.base.options import FromConfig, Numerics
from landscape.engine.critical import FINDERS, FinderOptions, Status, find_critical_points
from landscape.engine.curvature import DEFAULT_CURVATURE, CurvatureOptions, end_spectra
from landscape.engine.models import deep_linear, init_params, make_loss
from landscape.engine.spectrum import not_computed
from landscape.engine.theory import (
    covariance_equivalent,
    gaussian_with_covariance,
    linear_ae_critical_points,
    nearest_analytic,
    relative_gap,
)
from landscape.engine.train import TrainOptions, even_in_loss, train

# Frye et al. 2019, as Frye's thesis reproduces it (Ch. 3, Sec. 3.2.3.3, Table 3.1): (the fraction
# of runs of each finder that reached ||g||^2 <= 1e-10 on the linear autoencoder, the runs behind
# it). The table's "80% +- 4", "45% +- 5" and "35% +- 6" are these rates' binomial standard errors.
PUBLISHED_RATES = {
    "newton_mr": (0.80, 100),
    "damped_newton": (0.45, 100),
    "gradient_norm": (0.35, 60),
}


def frye_loss_scale(input_dim: int) -> float:
    """2 / d: Frye et al.'s loss (mean over entries) over ours (1/2 the mean over samples)."""
    return 2.0 / input_dim


# Network seeds of one config seed: SEED_STRIDE * seed + trajectory (at most this many).
SEED_STRIDE = 10_000

SWEEP_COLUMNS = ["pinv_rtol", "seed", "method", "certified", "runs", "fraction"]
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
    "cokernel_residual",
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
    noise_std: float = 0.1
    init_scale: float = 0.1
    learning_rate: float = 0.05
    train_steps: int = 400
    max_iter: int = 100
    gradient_norm_max_iter: int = 1000
    damping: float = 1e-3
    pinv_rtol: float = 1e-4
    pinv_sweep: tuple[float, ...] = (1e-10, 1e-8, 1e-6, 1e-4, 1e-3)
    sweep_seeds: tuple[int, ...] = (1, 2, 3, 4, 5)
    sweep_trajectories: int = 2
    seed: int = 0


def starting_points(
    opts: LinearAEOptions, loss_fn, model, device: str | torch.device = "cpu"
) -> tuple[torch.Tensor, pd.DataFrame]:
    """Snapshots evenly spaced in loss along GD trajectories, then the same with noise.

    Returns:
        Starts (S, P) on ``device`` and a table describing each (trajectory, kind).
    """
    k = opts.trajectories
    # Trajectory j of seed s starts from network seed 10,000 s + j: the starts of different
    # seeds never share a trajectory (s + j overlapped: seed 1's were seed 0's trajectories 1-4).
    theta0 = torch.stack(
        [
            init_params(model, SEED_STRIDE * opts.seed + j, device=device) * opts.init_scale
            for j in range(k)
        ]
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


@dataclass(frozen=True)
class _Setting:
    """The autoencoder at one seed: loss and Hessian in Frye's normalisation, starts, analytic."""

    model: object
    loss_fn: Callable
    hess_fn: Callable
    chunk: int | None
    analytic: pd.DataFrame
    starts: torch.Tensor
    meta: pd.DataFrame


def _setting(opts: LinearAEOptions, device, curvature: CurvatureOptions) -> _Setting:
    """Data, network, scaled loss and Hessian, starts and analytic points for ``opts.seed``."""
    d, p = opts.input_dim, opts.hidden
    lam = torch.arange(1, d + 1, dtype=torch.float64)
    x = covariance_equivalent(gaussian_with_covariance(opts.n_samples, lam, opts.seed))
    x = x.to(device)  # (n, d)
    model = deep_linear((d, p, d))
    scale = frye_loss_scale(d)
    ours, hess = make_loss(model, "mse", x, x), curvature.hessian(model, "mse", x, x)
    starts, meta = starting_points(opts, ours, model, device)
    analytic = linear_ae_critical_points(lam, p)
    analytic["loss"] = analytic["loss"] * scale
    chunk = curvature.networks_per_chunk(model, len(x))
    return _Setting(
        model, lambda t: scale * ours(t), lambda t: scale * hess(t), chunk, analytic, starts, meta
    )


def _finder(opts: LinearAEOptions, numerics: Numerics, method: str, chunk) -> FinderOptions:
    """The finder options of ``method`` at the section's budgets."""
    iters = opts.gradient_norm_max_iter if method == "gradient_norm" else opts.max_iter
    return FinderOptions.from_numerics(
        numerics,
        max_iter=iters,
        damping=opts.damping,
        pinv_rtol=opts.pinv_rtol,
        hessian_chunk=chunk,
    )


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
        Losses are in Frye et al.'s normalisation (module docstring).
    """
    st = _setting(opts, device, curvature)
    log(
        f"{len(st.starts)} starts, {st.model.n_params} parameters, {len(st.analytic)} analytic "
        "points"
    )
    tables = []
    for method in FINDERS:
        res = find_critical_points(
            st.loss_fn,
            st.hess_fn,
            st.starts,
            method,
            _finder(opts, numerics, method, st.chunk),
            log,
        )
        spectra, _ = end_spectra(
            st.hess_fn, res, numerics.eigen_tolerance_factor, curvature, st.chunk
        )
        rows = [_end_row(method, k, res, spectra[k], st) for k in range(len(st.starts))]
        table = pd.concat([pd.DataFrame(rows), st.meta], axis=1)
        certified = (table["status"] == Status.CRITICAL).sum()
        log(
            f"{method}: {certified}/{len(table)} certified critical points "
            f"(budget {_finder(opts, numerics, method, None).max_iter} iterations)"
        )
        tables.append(table)
    return pd.concat(tables, ignore_index=True)[COLUMNS], st.analytic


def _end_row(method: str, k: int, res, spectrum, st: _Setting) -> dict:
    """One end point's row, matched to the nearest analytic critical point."""
    s = spectrum or not_computed(st.model.n_params)
    if spectrum is None:  # diverged: nothing to match
        near, rel = {"loss": math.nan, "index": math.nan, "n_negative": -1}, math.nan
    else:
        near = nearest_analytic(float(res.loss[k]), s.n_negative, st.analytic)
        rel = float(relative_gap(near["loss"], float(res.loss[k])))
    return {
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
        "cokernel_residual": float(res.cokernel_residual[k]),
        "iterations": int(res.iterations[k]),
        "nearest_analytic_loss": near["loss"],
        "nearest_analytic_index": near["index"],
        "nearest_analytic_n_negative": int(near["n_negative"]),
        "loss_rel_error": rel,
        "matches_analytic": bool(rel <= 1e-6 and s.n_negative == near["n_negative"]),
    }


def pinv_sweep(
    opts: LinearAEOptions,
    numerics: Numerics,
    log: Callable[[str], None] = print,
    device: str | torch.device = "cpu",
    curvature: CurvatureOptions = DEFAULT_CURVATURE,
) -> pd.DataFrame:
    """Newton-MR's certified fraction per ``pinv_rtol`` in ``opts.pinv_sweep``, per sweep seed.

    Each seed draws its own trajectories (network seeds SEED_STRIDE * seed + j, disjoint from
    every other seed's) and noise (``opts.sweep_seeds``, held out from ``opts.seed``); the data
    are the same for every seed (their covariance is exactly diag(1..d)); everything else is the
    section's setting.

    Returns:
        One row per (pinv_rtol, seed), columns :data:`SWEEP_COLUMNS`.
    """
    rows = []
    for seed in opts.sweep_seeds:
        st = _setting(
            replace(opts, seed=seed, trajectories=opts.sweep_trajectories), device, curvature
        )
        for rtol in opts.pinv_sweep:
            finder = replace(_finder(opts, numerics, "newton_mr", st.chunk), pinv_rtol=rtol)
            res = find_critical_points(st.loss_fn, st.hess_fn, st.starts, "newton_mr", finder, log)
            k = sum(s == Status.CRITICAL for s in res.status)
            log(f"seed {seed}, pinv_rtol {rtol:g}: {k}/{len(st.starts)} certified")
            rows.append(
                {
                    "pinv_rtol": rtol,
                    "seed": seed,
                    "method": "newton_mr",
                    "certified": k,
                    "runs": len(st.starts),
                    "fraction": k / len(st.starts),
                }
            )
    return pd.DataFrame(rows, columns=SWEEP_COLUMNS)


def architectures(opts: LinearAEOptions) -> dict[str, int]:
    """The linear autoencoder d - p - d and its parameter count N (for the counting argument)."""
    return {
        "2 linear autoencoder": deep_linear((opts.input_dim, opts.hidden, opts.input_dim)).n_params
    }
