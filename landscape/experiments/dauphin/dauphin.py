"""Dauphin et al. (2014)'s Fig. 1 experiment: Newton's method from their starts, every end's index.

Sec. 3: "Newton method was used to identify critical points of the error function", plotted as
training error (%) against the index alpha (Fig. 1a/c) and as eigenvalue densities (Fig. 1b/d).
App. C gives the starts, by procedure (:class:`Procedure`):

* ``mnist``: 20 saddle-free Newton runs, then 100 jobs near a random run's iterate after a
  random 0-20 epochs plus uniform noise, and 100 jobs at weights drawn in the unit cube
  (:mod:`.starts`);
* ``cifar``: "100 networks [...] trained [with SGD] between 10 and 300 epochs (chosen randomly)",
  3-layer tanh networks, each then "trained using the Newton method to find a nearby critical
  point" (:func:`sgd_starts`).

Every start runs their Newton method, (H + delta I)^-1 g with delta picked per update from
{1, ..., 1e-5} (App. F.1; :func:`landscape.engine.critical.find_critical_points`, method
``newton_best_damping``). Every end is kept with its status (certified ``critical`` when
||g||^2 <= threshold, polished; ``gradient-flat`` by Frye et al.'s test; ``not converged``;
``diverged``). The index is read twice: at the round-off tolerance over every finite end, as
they would have read it (they report no cutoff), and, at certified ends, as the interval
[derived, round-off] of :mod:`.interval_trend`.

The data stand in for theirs (offline): sklearn's 8 x 8 digits for MNIST at 10 x 10, MNIST-1D for
CIFAR-10 at 10 x 10.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
import pandas as pd
import torch

from landscape.base.options import FromConfig, Numerics
from landscape.engine.critical import FinderOptions, Status, descent_path, find_critical_points
from landscape.engine.curvature import (
    DEFAULT_CURVATURE,
    CurvatureOptions,
    SpectrumMethod,
    end_spectra,
)
from landscape.engine.data import Dataset
from landscape.engine.models import init_params, make_batch_loss, make_loss
from landscape.engine.spectrum import end_counts, not_computed
from landscape.engine.train import TrainOptions, choose_value_and_grad, train
from landscape.experiments.dauphin.starts import (
    DauphinStartOptions,
    dauphin_starts,
    training_error,
)
from landscape.experiments.index_vs_loss.index_vs_loss import Problem, classifier_problem


class Stage(StrEnum):
    """Which search an end comes from."""

    NEWTON = "newton"  # their Newton method from their start (their ends)
    # ours: Newton-MR continued from their end, to certify the critical point it is near
    CONTINUED = "newton_mr"


class Procedure(StrEnum):
    """Where the Newton searches start (App. C)."""

    MNIST = "mnist"  # near saddle-free Newton iterates, and in the unit cube
    CIFAR = "cifar"  # at SGD-trained networks after a random number of epochs


# One row per end point.
END_COLUMNS = [
    "setting",
    "procedure",
    "dataset",
    "architecture",
    "n_params",
    "start",
    "stage",  # Stage: their Newton's end, or Newton-MR continued from it (ours)
    "kind",  # perturbed | uniform (mnist), sgd (cifar)
    "run",  # the saddle-free Newton run (mnist) or the SGD network (cifar)
    "epoch",  # its epoch at the start
    "amplitude",  # the noise added (mnist perturbed starts)
    "status",
    "loss",
    "error",  # training classification error, percent
    "grad_norm_sq",
    "distance",  # from the stage's start (their start, or their end for newton_mr)
    "iterations",
    "residual",
    "cokernel_residual",
    "eig_tol_roundoff",
    "eig_tol",  # the derived tolerance: round-off + sqrt(M ||g||)
    # negative eigenvalues at the round-off tolerance (theirs, every finite end) and at the
    # derived one (ours): the certified index interval is [n_negative_derived, n_negative_roundoff]
    "n_negative_roundoff",
    "n_negative_derived",
    "n_band",
    "index_roundoff",
]
EIGEN_COLUMNS = ["setting", "start", "stage", "pick", "error", "status", "eig_tol", "eigenvalue"]
# Fig. 1b/d: the ends whose eigenvalue densities are drawn, at these quantiles of the error.
PICK_QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class DauphinSetting:
    """One setting (config ``dauphin.settings``): a procedure on one dataset and network."""

    name: str  # the job's wildcard
    procedure: Procedure
    dataset: str  # digits (MNIST's stand-in) or mnist1d (CIFAR-10's)
    pool: int  # input pooling (landscape.experiments.index_vs_loss.index_vs_loss.pool_inputs)
    n_samples: int  # training points
    hidden: tuple[int, ...]
    activation: str
    loss: str  # mse | cross_entropy
    seed: int  # of the training subset

    @classmethod
    def all_from_config(cls, cfg: dict) -> list[DauphinSetting]:
        """Every setting of a validated ``dauphin`` section, in order."""
        return [
            cls(**{**s, "procedure": Procedure(s["procedure"]), "hidden": tuple(s["hidden"])})
            for s in cfg["settings"]
        ]

    def problem(self, ds: Dataset) -> Problem:
        """The setting's network, data and loss."""
        return classifier_problem(
            ds, self.pool, self.n_samples, list(self.hidden), self.activation, self.loss, self.seed
        )


@dataclass(frozen=True)
class SgdStartOptions(FromConfig):
    """The cifar procedure's starts (config ``dauphin.sgd``): counts and epochs theirs."""

    networks: int = 100  # theirs
    min_epoch: int = 10  # theirs: "between 10 and 300 epochs (chosen randomly)"
    max_epoch: int = 300
    learning_rate: float = 0.4  # ours (theirs by random search, value unstated); the schema
    batch_size: int = 50  # ours (unstated)
    seed: int = 0  # ours: network k has seed seed + k; the epochs' generator is [seed, 3]


@dataclass(frozen=True)
class NewtonOptions(FromConfig):
    """Their Newton method's budget (config ``dauphin.newton``; unstated by them, ours)."""

    max_iter: int = 100  # updates per start
    continue_iter: int = 60  # ours: Newton-MR updates continued from each of their ends
    pinv_rtol: float = 1e-10  # ours: Newton-MR truncation (FinderOptions.pinv_rtol); schema


def sfn_starts(
    problem: Problem, options: DauphinStartOptions, finder: FinderOptions, hessian_fn
) -> tuple[torch.Tensor, pd.DataFrame]:
    """The mnist procedure's starts: saddle-free Newton paths, perturbed, and unit-cube draws.

    Run r starts from :func:`init_params` with seed ``options.seed + r``; an epoch is one
    full-batch update (their minibatching is not stated).

    Returns:
        Starts (perturbed + uniform, P) and their provenance (:data:`.starts.START_COLUMNS`).
    """
    loss_fn = make_loss(problem.model, problem.loss, problem.x, problem.y)
    device = problem.x.device
    seeds = [options.seed + r for r in range(options.sfn_runs)]
    theta0 = torch.stack([init_params(problem.model, s, device=device) for s in seeds])  # (R, P)
    method = "saddle_free_newton_best_damping"
    paths = descent_path(loss_fn, hessian_fn, theta0, method, finder, options.max_epoch)
    return dauphin_starts(paths, options)  # paths (E + 1, R, P)


def sgd_starts(problem: Problem, options: SgdStartOptions) -> tuple[torch.Tensor, pd.DataFrame]:
    """The cifar procedure's starts: network k after a random epoch in [min_epoch, max_epoch].

    All networks train by minibatch SGD for ``max_epoch`` epochs with their parameters saved each
    epoch ("We saved the parameters of these networks for each epoch", App. C); network k's start
    is its save at its epoch, as if it had stopped there.

    Returns:
        Starts (networks, P) and their provenance (:data:`.starts.START_COLUMNS`, kind ``sgd``).
    """
    model, n = problem.model, len(problem.x)
    per_epoch = n // options.batch_size
    seeds = [options.seed + k for k in range(options.networks)]
    device = problem.x.device
    theta0 = torch.stack([init_params(model, s, device=device) for s in seeds])  # (K, P)
    run = train(
        make_loss(model, problem.loss, problem.x, problem.y),
        theta0,
        TrainOptions(
            "sgd",
            options.learning_rate,
            options.max_epoch * per_epoch,
            record_every=per_epoch,
            batch_size=options.batch_size,
            snapshot_every=per_epoch,
        ),
        seeds=seeds,
        batch_loss_fn=make_batch_loss(model, problem.loss, problem.x, problem.y),
        n_samples=n,
        value_and_grad=choose_value_and_grad(model, problem.loss, problem.x, problem.y),
    )
    rng = np.random.default_rng([options.seed, 3])
    epoch = rng.integers(options.min_epoch, options.max_epoch + 1, options.networks)  # (K,)
    starts = run.snapshots[torch.as_tensor(epoch), torch.arange(options.networks)]  # (K, P)
    table = pd.DataFrame(
        {
            "start": range(options.networks),
            "kind": "sgd",
            "run": range(options.networks),
            "epoch": epoch,
            "amplitude": np.nan,
        }
    )
    return starts, table


def search_ends(
    problem: Problem,
    starts: torch.Tensor,
    stage: Stage,
    finder: FinderOptions,
    numerics: Numerics,
    curvature: CurvatureOptions = DEFAULT_CURVATURE,
    log: Callable[[str], None] = print,
) -> tuple[pd.DataFrame, list[torch.Tensor | None], torch.Tensor]:
    """One stage's search from every start; every end's status, error and spectrum.

    Args:
        problem: The network, data and loss.
        starts: Starts (S, P), float64.
        stage: ``newton``: their Newton method (``newton_best_damping``); ``newton_mr``: ours.
        finder: Iterations and certification.
        numerics: The certification threshold and eigenvalue tolerance factor.
        curvature: How the exact Hessians are computed.
        log: Progress lines.

    Returns:
        (the :data:`END_COLUMNS` from ``status`` on, one row per start; the S spectra (P,)
        ascending, None where diverged; the ends (S, P)).
    """
    model = problem.model
    loss_fn = make_loss(model, problem.loss, problem.x, problem.y)
    hess_fn = curvature.hessian(model, problem.loss, problem.x, problem.y)
    method = "newton_best_damping" if stage == Stage.NEWTON else "newton_mr"
    res = find_critical_points(loss_fn, hess_fn, starts, method, finder, log)
    spectra, eigenvalues = end_spectra(
        hess_fn,
        res,
        numerics.eigen_tolerance_factor,
        curvature,
        curvature.networks_per_chunk(model, len(problem.x)),
    )
    error = training_error(problem, res.params).cpu()  # (S,) percent
    moved = (res.params - starts).norm(dim=-1).cpu()  # (S,)
    rows = [
        _end_row(res, k, spectra[k] or not_computed(model.n_params), eigenvalues[k], error[k])
        | {"stage": str(stage), "distance": float(moved[k])}
        for k in range(len(starts))
    ]
    return pd.DataFrame(rows), eigenvalues, res.params


def _end_row(res, k: int, spectrum, eigs: torch.Tensor | None, error) -> dict:
    """One end's columns from ``status`` on (:data:`END_COLUMNS`)."""
    distance = float(res.eig_tol_distance[k])
    roundoff, counts = end_counts(eigs, spectrum.eig_tol, distance)
    nan = float("nan")
    return {
        "status": res.status[k],
        "loss": float(res.loss[k]),
        "error": float(error),
        "grad_norm_sq": float(res.grad_norm_sq[k]),
        "iterations": int(res.iterations[k]),
        "residual": float(res.residual[k]),
        "cokernel_residual": float(res.cokernel_residual[k]),
        "eig_tol_roundoff": roundoff,
        "eig_tol": spectrum.eig_tol,
        "n_negative_roundoff": counts.get("roundoff", nan),
        "n_negative_derived": counts.get("derived", nan),
        "n_band": counts.get("band", nan),
        "index_roundoff": counts.get("roundoff", nan) / spectrum.n_params,
    }


def distinct_certified(ends: pd.DataFrame) -> pd.DataFrame:
    """Certified ends (both stages), one per distinct point.

    One per start first (their Newton's end where it is certified, else the continuation's: a
    certified end and its continuation are one point, though a second polish may shift its
    derived tolerance); then one per setting, loss to 9 digits and both negative counts (two
    starts that reach one point).
    """
    crit = ends[ends["status"] == Status.CRITICAL].copy()
    crit["_first"] = (crit["stage"] != Stage.NEWTON).astype(int)  # their ends first
    crit = crit.sort_values(["_first"], kind="stable").drop_duplicates(["setting", "start"])
    crit = crit.sort_index().drop(columns="_first")
    crit["_key"] = crit["loss"].map(lambda v: f"{v:.9g}")
    keys = ["setting", "_key", "n_negative_derived", "n_negative_roundoff"]
    return crit.drop_duplicates(keys).drop(columns="_key")


def eigenvalue_picks(ends: pd.DataFrame, eigenvalues: list) -> pd.DataFrame:
    """Fig. 1b/d: the spectra of three ends of low, middle and high training error (long form).

    Picked among the certified ends (either stage) where there are three, else among their
    Newton's finite ends (their procedure, no cutoff); each pick is the end nearest to a
    :data:`PICK_QUANTILES` quantile of the error. The table says each pick's stage and status.

    Args:
        ends: Both stages' ends (:data:`END_COLUMNS`), index 0 .. 2S - 1.
        eigenvalues: Their spectra, in the same order (None where not computed).

    Returns:
        Columns :data:`EIGEN_COLUMNS`, one row per eigenvalue.
    """
    finite = ends[[e is not None for e in eigenvalues]]
    certified = distinct_certified(finite)
    theirs = finite[finite["stage"] == Stage.NEWTON]
    pool = certified if len(certified) >= len(PICK_QUANTILES) else theirs
    frames = []
    for pick, q in enumerate(PICK_QUANTILES):
        if pool.empty:
            break
        target = pool["error"].quantile(q, interpolation="nearest")
        row = pool.iloc[int((pool["error"] - target).abs().argmin())]
        eigs = eigenvalues[ends.index.get_loc(row.name)].cpu().numpy()
        frames.append(
            pd.DataFrame(
                {
                    "setting": row["setting"],
                    "start": int(row["start"]),
                    "stage": row["stage"],
                    "pick": pick,
                    "error": row["error"],
                    "status": row["status"],
                    "eig_tol": row["eig_tol"],
                    "eigenvalue": eigs,
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=EIGEN_COLUMNS)


def dauphin_case(
    setting: DauphinSetting,
    ds: Dataset,
    options: dict,
    numerics: Numerics,
    curvature: CurvatureOptions = DEFAULT_CURVATURE,
    log: Callable[[str], None] = print,
    device: str | torch.device = "cpu",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One setting: its starts, their Newton searches, every end (Fig. 1's points and spectra).

    Args:
        setting: The procedure, data and network.
        ds: Its dataset.
        options: The validated ``dauphin`` section (``starts``, ``sgd``, ``newton``).
        numerics: Certification and eigenvalue tolerance.
        curvature: How exact Hessians are computed (its ``spectrum`` is set to full).
        log: Progress lines.
        device: Where the searches run.

    Returns:
        (ends, columns :data:`END_COLUMNS`; the picked spectra, :data:`EIGEN_COLUMNS`).
    """
    problem = setting.problem(ds).to(device)
    model = problem.model
    # every end's index is read at two tolerances from its eigenvalues: never inertia here
    curvature = replace(curvature, spectrum=SpectrumMethod.FULL)
    newton = NewtonOptions.from_config(options["newton"])
    finder = FinderOptions.from_numerics(
        numerics,
        max_iter=newton.max_iter,
        hessian_chunk=curvature.networks_per_chunk(model, len(problem.x)),
    )
    log(f"{setting.name}: {setting.procedure}, {problem.architecture}, P = {model.n_params}")
    if setting.procedure == Procedure.MNIST:
        hess_fn = curvature.hessian(model, problem.loss, problem.x, problem.y)
        sfn = DauphinStartOptions.from_config(options["starts"])
        starts, meta = sfn_starts(problem, sfn, finder, hess_fn)
    else:
        starts, meta = sgd_starts(problem, SgdStartOptions.from_config(options["sgd"]))
    log(f"  {len(starts)} starts; their Newton method, {newton.max_iter} updates at most")
    theirs, eig_theirs, at = search_ends(
        problem, starts, Stage.NEWTON, finder, numerics, curvature, log
    )
    log(f"  Newton-MR continued from their ends, {newton.continue_iter} updates at most (ours)")
    more = replace(finder, max_iter=newton.continue_iter, pinv_rtol=newton.pinv_rtol)
    ours, eig_ours, _ = search_ends(problem, at, Stage.CONTINUED, more, numerics, curvature, log)
    meta = meta.reset_index(drop=True)
    ends = pd.concat(
        [pd.concat([meta, theirs], axis=1), pd.concat([meta, ours], axis=1)], ignore_index=True
    )
    ends.insert(0, "setting", setting.name)
    ends.insert(1, "procedure", str(setting.procedure))
    ends.insert(2, "dataset", setting.dataset)
    ends.insert(3, "architecture", problem.architecture)
    ends.insert(4, "n_params", model.n_params)
    for stage, grp in ends.groupby("stage", sort=False):
        counts = grp["status"].value_counts()
        log(f"  {stage} ends: " + ", ".join(f"{st}: {n}" for st, n in counts.items()))
    return ends[END_COLUMNS], eigenvalue_picks(ends, eig_theirs + eig_ours)
