"""Section 1c: where training looks stuck, and the exact Hessian spectrum there.

A shard of MLPs (a block of seeds) is trained at once; each loss curve's plateaus (the loss fell
by less than ``plateau_rel_change`` of its value over ``plateau_window`` steps) give one point
each, the most stationary one (smallest squared gradient norm) inside the plateau, plus the end of
training. At every point the exact float64 Hessian's spectrum (or inertia) is read and the point
is certified against ``numerics.grad_norm_sq_threshold``; a diverged point keeps its row, with
empty spectrum columns. Dauphin et al. 2014 (Sec. 1, Fig. 1) and Saxe et al. 2014 argue that such
plateaus sit near saddles, not minima.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import torch

from landscape.base.options import FromConfig, Numerics
from landscape.engine.critical import FinderOptions, certify, find_critical_points
from landscape.engine.curvature import CurvatureOptions, SpectrumMethod, grad_norm_sq, point_spectra
from landscape.engine.data import Dataset
from landscape.engine.models import MLP, init_params, make_batch_loss, make_loss
from landscape.engine.spectrum import not_computed
from landscape.engine.train import (
    TrainOptions,
    choose_value_and_grad,
    plateau_points,
    shard_seeds,
    train,
)

# Columns that identify a point: which network, which plateau, which step.
POINT_COLUMNS = ["network", "seed", "point", "plateau", "plateau_start", "plateau_end", "step"]
EIGEN_COLUMNS = ["network", "step", "rank", "eigenvalue"]


@dataclass(frozen=True)
class PlateauOptions(FromConfig):
    """The config's ``training_plateaus`` section (its schema documents every key)."""

    dataset: str = "digits"
    networks: int = 4
    shard_size: int = 2
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    loss: str = "mse"
    optimizer: str = "gd"
    batch_size: int | None = None
    learning_rate: float = 0.5
    steps: int = 3000
    record_every: int = 10
    init_scale: float = 0.02
    plateau_window: int = 100
    plateau_rel_change: float = 0.01
    seed: int = 0

    def train_options(self) -> TrainOptions:
        """The schedule; parameters are kept at every recorded step (the plateau candidates)."""
        return TrainOptions(
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            steps=self.steps,
            record_every=self.record_every,
            batch_size=self.batch_size,
            snapshot_every=self.record_every,
        )


def model_for(ds: Dataset, opts: PlateauOptions) -> MLP:
    """The MLP d_in - hidden... - d_out of the section on ``ds``."""
    return MLP((ds.input_dim, *opts.hidden, ds.output_dim), opts.activation)


def train_shard(
    ds: Dataset, opts: PlateauOptions, shard: int, device, log: Callable[..., None] = print
) -> tuple[dict, pd.DataFrame]:
    """Train shard ``shard``'s networks at once and pick the points where each looked stuck.

    Returns:
        (checkpoint: ``params`` (M, P) one row per point, ``points`` (their metadata), the model
        and the loss; the loss history of every network, one row per recorded step).
    """
    model = model_for(ds, opts)
    seeds = shard_seeds(opts.seed, opts.networks, opts.shard_size, shard)
    log(
        "shard %d: training %d %s MLPs %s (%d parameters) on %s (%d samples), %s loss, %s, "
        "device %s",
        shard,
        len(seeds),
        model.activation,
        model.widths,
        model.n_params,
        ds.name,
        len(ds.x_train),
        opts.loss,
        opts.optimizer,
        device,
    )
    x = torch.as_tensor(ds.x_train, device=device)  # (n, d_in) float64
    y = torch.as_tensor(ds.y_train, device=device)  # (n,) int64 or (n, d_out) float64
    theta0 = torch.stack(
        [opts.init_scale * init_params(model, s, device=device) for s in seeds]
    )  # (K, P)
    result = train(
        make_loss(model, opts.loss, x, y),
        theta0,
        opts.train_options(),
        seeds,
        make_batch_loss(model, opts.loss, x, y),
        len(x),
        log=log,
        value_and_grad=choose_value_and_grad(model, opts.loss, x, y),
    )
    log("diverged: %d of %d", int(result.diverged.sum()), len(seeds))
    assert torch.equal(result.snapshot_steps, result.steps)  # snapshots are the records
    first = shard * opts.shard_size  # global index of the shard's first network
    params, points = _stuck_points(result, seeds, first, opts, log)
    checkpoint = {
        "params": torch.stack(params),  # (M, P): one row per point
        "points": points,
        "widths": list(model.widths),
        "activation": model.activation,
        "loss": opts.loss,
        "dataset": ds.name,
    }
    return checkpoint, _history(result, seeds, first)


def _stuck_points(result, seeds, first: int, opts: PlateauOptions, log) -> tuple[list, list]:
    """Each network's plateau points and end: parameters (P,) and metadata rows."""
    params, points = [], []
    for k, seed in enumerate(seeds):
        found = plateau_points(
            result.steps,
            result.loss[:, k],
            result.grad_norm_sq[:, k],
            opts.plateau_window,
            opts.plateau_rel_change,
        )
        for p in found:
            params.append(result.snapshots[p.record, k])
            points.append(
                {
                    "network": first + k,
                    "seed": seed,
                    "point": p.kind,
                    "plateau": p.plateau,
                    "plateau_start": p.start,
                    "plateau_end": p.end,
                    "step": p.step,
                    "diverged": p.kind == "end (diverged)",
                }
            )
        log(
            "network %d: %d plateaus (%s); points at steps %s",
            first + k,
            sum(p.kind == "plateau" for p in found),
            ", ".join(f"{p.start}-{p.end}" for p in found if p.kind == "plateau") or "none",
            [p.step for p in found],
        )
    return params, points


def _history(result, seeds, first: int) -> pd.DataFrame:
    """Loss and squared gradient norm of every network at every recorded step."""
    steps = result.steps.tolist()
    return pd.concat(
        pd.DataFrame(
            {
                "network": first + k,
                "seed": seed,
                "step": steps,
                "loss": result.loss[:, k].cpu().numpy(),
                "grad_norm_sq": result.grad_norm_sq[:, k].cpu().numpy(),
                "diverged": bool(result.diverged[k]),
            }
        )
        for k, seed in enumerate(seeds)
    )


def plateau_spectra(
    ckpt: dict,
    ds: Dataset,
    numerics: Numerics,
    curvature: CurvatureOptions,
    device,
    log: Callable[..., None] = print,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The certified status and exact Hessian spectrum at every point of a checkpoint.

    Returns:
        (one row per point: its metadata, loss, ||g||^2, the threshold, status, the spectrum
        summary and the tolerance factor; the eigenvalues, columns :data:`EIGEN_COLUMNS`, empty
        under ``curvature.spectrum: inertia``).
    """
    model = MLP(tuple(ckpt["widths"]), ckpt["activation"])
    params = ckpt["params"].to(device=device, dtype=torch.float64)  # (K, P)
    x = torch.as_tensor(ds.x_train, device=device)  # (n, d_in)
    y = torch.as_tensor(ds.y_train, device=device)  # (n,) or (n, d_out)
    loss_fn = make_loss(model, ckpt["loss"], x, y)
    hess_fn = curvature.hessian(model, ckpt["loss"], x, y)
    chunk = curvature.networks_per_chunk(model, len(x))
    how = f"method {curvature.hessian_method}, {chunk} per chunk, spectrum {curvature.spectrum}"
    log("Hessians at %d points with %d parameters: %s, device %s", *params.shape, how, device)
    flagged = torch.tensor([pt["diverged"] for pt in ckpt["points"]], dtype=torch.bool)
    params, before, distance = _polish_certified(loss_fn, hess_fn, params, flagged, numerics, chunk)
    losses = torch.vmap(loss_fn)(params)  # (K,)
    gns = grad_norm_sq(loss_fn, params)  # (K,)
    # A diverged network (or a point with a non-finite loss) has no meaningful Hessian: it is
    # kept in the table with its status and empty spectrum columns, never dropped.
    diverged = flagged | ~torch.isfinite(losses.cpu() + gns.cpu())
    factor = numerics.eigen_tolerance_factor
    summaries, spectra = point_spectra(
        hess_fn, params, factor, curvature, chunk, finite=~diverged, distance=distance
    )
    method = "eigvalsh" if curvature.spectrum == SpectrumMethod.FULL else "inertia (LDL^T)"
    common = {
        "dataset": ds.name,
        "architecture": "-".join(map(str, model.widths)),
        "activation": model.activation,
        "loss_function": ckpt["loss"],
    }
    rows, eig_rows = [], []
    for k, pt in enumerate(ckpt["points"]):
        status = certify(float(gns[k]), numerics.grad_norm_sq_threshold, bool(diverged[k]))
        summary = summaries[k].as_dict() if summaries[k] else not_computed(model.n_params).as_dict()
        measured = {
            "loss": float(losses[k]),
            "grad_norm_sq": float(gns[k]),
            "grad_norm_sq_before_polish": float(before[k]),
            "eig_tol_distance": float(distance[k]),
        }
        rows.append(
            _point_row(
                pt, common, measured, status, summary, numerics, method if summaries[k] else "none"
            )
        )
        log(
            "network %d, step %d (%s): loss %.6g, |g|^2 %.3g (%s), index %s, nullity %s, %s",
            *(pt["network"], pt["step"], pt["point"], losses[k], gns[k], status),
            *(summary["index"], summary["nullity"], summary["definiteness"]),
        )
        if spectra[k] is not None:
            eig_rows.append(_eigen_rows(pt, spectra[k]))
    eigenvalues = pd.concat(eig_rows) if eig_rows else pd.DataFrame(columns=EIGEN_COLUMNS)
    return pd.DataFrame(rows), eigenvalues


def _eigen_rows(pt: dict, spectrum: torch.Tensor) -> pd.DataFrame:
    """A point's eigenvalues (P,), one row each, columns :data:`EIGEN_COLUMNS`."""
    return pd.DataFrame(
        {
            "network": pt["network"],
            "step": pt["step"],
            "rank": range(len(spectrum)),
            "eigenvalue": spectrum.cpu(),
        }
    )


def _point_row(
    pt: dict, common: dict, measured: dict, status, summary: dict, numerics: Numerics, method: str
) -> dict:
    """One point's row: its checkpoint metadata, the network, what was measured, the spectrum."""
    return {
        **{key: pt[key] for key in POINT_COLUMNS},
        **common,
        **measured,
        "grad_norm_sq_threshold": numerics.grad_norm_sq_threshold,
        "status": status,
        **summary,
        "eigen_tolerance_factor": numerics.eigen_tolerance_factor,
        "spectrum_method": method,
    }


def _polish_certified(loss_fn, hess_fn, params, flagged, numerics: Numerics, chunk: int):
    """Polish the certified points of a checkpoint to round-off, as every section does.

    Only certified points (||g||^2 <= threshold) are refined, and only their spectra are read
    with the derived tolerance (the distance term; see :mod:`landscape.engine.critical`): a plateau
    point that is not critical has the spectrum of the point itself, read at round-off.

    Returns:
        (params (K, P), ||g||^2 before polishing (K,; NaN where not certified), the distance
        tolerance (K,; NaN where not certified)).
    """
    gns = grad_norm_sq(loss_fn, params).cpu()  # (K,)
    nan = torch.full_like(gns, float("nan"))
    certified = ~flagged & torch.isfinite(gns) & (gns <= numerics.grad_norm_sq_threshold)
    if not certified.any():
        return params, nan, nan.clone()
    ids = certified.nonzero()[:, 0]
    finder = FinderOptions.from_numerics(numerics, max_iter=0, hessian_chunk=chunk)
    found = find_critical_points(
        loss_fn, hess_fn, params[ids.to(params.device)], "newton_mr", finder
    )
    params = params.clone()
    params[ids.to(params.device)] = found.params
    before, distance = nan.clone(), nan.clone()
    before[ids], distance[ids] = gns[ids], found.eig_tol_distance.cpu()
    return params, before, distance


def architectures(opts: PlateauOptions, dims: dict[str, tuple[int, int]]) -> dict[str, int]:
    """Section 1c's network and its parameter count N (for the counting argument, 4a).

    Args:
        opts: The typed ``training_plateaus`` section.
        dims: (input dimension, output dimension) of every dataset.
    """
    dx, dy = dims[opts.dataset]
    model = MLP((dx, *opts.hidden, dy), opts.activation)
    return {f"1c plateaus {'-'.join(map(str, model.widths))}": model.n_params}
