"""Section 4b-4d: the index of critical points against their loss (Dauphin et al. 2014, Fig. 1).

Small MLPs are trained by gradient descent; snapshots spaced evenly in loss along each trajectory
start critical-point searches (Newton-MR and gradient-norm minimisation); at every end point the
exact float64 Hessian gives the index alpha (the fraction of negative eigenvalues), the nullity and
the course homework's "minimum ratio" (the fraction of positive eigenvalues). Every end point is
kept with its status; only ``critical`` ones (||g||^2 <= threshold) count as critical points.

The setting, :func:`classifier_problem`: downsampled digits or MNIST-1D, a d-h-10 tanh or ReLU
MLP, squared loss on one-hot targets or cross-entropy (4b). Pennington & Bahri (2017)'s setting
(4c) has its own batched search: :mod:`landscape.experiments.index_fit.published_runs`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch

from landscape.base.options import FromConfig, Numerics
from landscape.base.resume import NO_RESUME, Resume
from landscape.engine.critical import FinderOptions, Status, find_critical_points
from landscape.engine.curvature import DEFAULT_CURVATURE, CurvatureOptions, end_spectra
from landscape.engine.data import POOL_SIDES, Dataset
from landscape.engine.models import MLP, init_params, make_loss
from landscape.engine.spectrum import IndexTolerance, end_counts, not_computed
from landscape.engine.train import TrainOptions, even_in_loss, train

COLUMNS = [
    "network",
    "dataset",
    "architecture",
    "n_params",
    "method",
    "status",
    "loss",
    "grad_norm_sq",
    "index",
    "nullity",
    "min_ratio",
    # extras: where the search started, and the spectrum's counts
    "activation",
    "loss_function",
    "seed",
    "snapshot_step",
    "start_loss",
    "n_negative",
    "n_positive",
    "eig_tol",
    "residual",
    "cokernel_residual",
    "iterations",
    # polishing (certified points): ||g||^2 before it, the steps kept, how far the point moved
    "grad_norm_sq_before_polish",
    "polish_steps",
    "polish_distance",
    "polish_loss_change",
    # |loss change| > sqrt(threshold) x distance: the path left the certified neighbourhood
    "polish_moved",
    # the derived tolerance eig_tol = eig_tol_roundoff + eig_tol_distance, and the count of
    # eigenvalues whose sign it leaves undecided (round-off tol < |lambda| <= eig_tol)
    "eig_tol_roundoff",
    "eig_tol_distance",
    "n_band",
    # negative eigenvalues at the other tolerances of the sensitivity test (IndexTolerance)
    *[f"n_negative_{t.key}" for t in IndexTolerance],
    "n_negative_derived_10x",
]
EIGEN_COLUMNS = ["network", "method", "snapshot_step", "rank", "eigenvalue"]


@dataclass(frozen=True)
class Problem:
    """One training problem: a network, its data and its loss."""

    dataset: str  # digits | mnist1d | gaussian
    model: MLP  # the architecture
    loss: str  # mse | cross_entropy
    x: torch.Tensor  # inputs (n, d_in), float64
    y: torch.Tensor  # labels (n,) or targets (n, d_out)

    def to(self, device: str | torch.device) -> Problem:
        """The same problem with its data on ``device`` (searches then run there)."""
        return replace(self, x=self.x.to(device), y=self.y.to(device))

    @property
    def architecture(self) -> str:
        """e.g. ``16-4-10 tanh``."""
        return "-".join(map(str, self.model.widths)) + f" {self.model.activation}"


def pool_inputs(x: np.ndarray, dataset: str, pool: int) -> np.ndarray:
    """Downsample inputs by averaging blocks of ``pool`` pixels.

    Digits are 8 x 8 images, averaged over pool x pool blocks (pool 2: 4 x 4 = 16 inputs);
    MNIST-1D sequences of length 40 are averaged over runs of ``pool`` (pool 2: 20 inputs).

    Args:
        x: Inputs (n, 64) for digits, (n, 40) for MNIST-1D.
        dataset: ``digits`` or ``mnist1d``.
        pool: Block size; it must divide 8 (digits) or 40 (MNIST-1D).

    Returns:
        The pooled inputs (n, d).
    """
    side = POOL_SIDES.get(dataset)
    if side is None:
        raise ValueError(f"pooling needs digits or mnist1d, got '{dataset}'")
    if pool < 1 or side % pool:
        raise ValueError(f"index_vs_loss.pool = {pool} must divide {side} for {dataset}")
    n = x.shape[0]
    if dataset == "digits":
        k = side // pool
        return x.reshape(n, k, pool, k, pool).mean(axis=(2, 4)).reshape(n, k * k)
    return x.reshape(n, side // pool, pool).mean(axis=2)


def classifier_problem(
    ds: Dataset, pool: int, n_samples: int, hidden: list[int], activation: str, loss: str, seed: int
) -> Problem:
    """A small MLP classifying ``n_samples`` pooled training images (4b).

    Args:
        ds: Digits or MNIST-1D.
        pool: Downsampling block size (:func:`pool_inputs`).
        n_samples: Training points kept, drawn without replacement with ``seed``.
        hidden: Hidden widths.
        activation: ``tanh`` or ``relu``.
        loss: ``mse`` (one-hot targets) or ``cross_entropy``.
        seed: Seed of the subset.
    """
    if not 1 <= n_samples <= len(ds.x_train):
        raise ValueError(
            f"index_vs_loss.n_samples = {n_samples} must be in [1, {len(ds.x_train)}] for {ds.name}"
        )
    gen = np.random.default_rng(seed)
    keep = np.sort(gen.choice(len(ds.x_train), n_samples, replace=False))
    x = torch.as_tensor(pool_inputs(ds.x_train, ds.name, pool)[keep], dtype=torch.float64)
    y = torch.as_tensor(ds.y_train[keep])
    model = MLP((x.shape[1], *hidden, ds.output_dim), activation)
    return Problem(ds.name, model, loss, x, y)


@dataclass(frozen=True)
class SearchOptions(FromConfig):
    """How snapshots are taken and critical points searched (config section ``index_vs_loss``)."""

    networks: int = 16  # trajectories (seeds seed, seed + 1, ...); config: per activation
    snapshots: int = 8  # starts per trajectory, spaced evenly in loss
    learning_rate: float = 0.5  # gradient-descent step
    steps: int = 2000  # gradient-descent steps
    snapshot_every: int = 1  # keep the parameters every this many steps
    methods: tuple[str, ...] = ("newton_mr", "gradient_norm")  # searches run from every start
    max_iter: int = 100  # Newton-MR iterations
    gradient_norm_max_iter: int = 30  # gradient-norm iterations
    pinv_rtol: float = 1e-10  # Newton-MR ignores eigenvalues below pinv_rtol * max|lambda|
    seed: int = 0  # first network's seed
    solver: str = "eigh"  # Newton-MR's solve: eigh (dense) or minres (MINRES-QLP on HVPs)
    minres_maxiter: int | None = None  # MINRES-QLP's largest Krylov dimension (None: P)
    minres_rtol: float = 1e-8  # MINRES-QLP's stopping tolerance


@dataclass(frozen=True)
class CaseOptions(FromConfig):
    """The 4b problem of every case (config section ``index_vs_loss``): data and network."""

    pool: int = 4  # input pooling (see :func:`pool_inputs`)
    n_samples: int = 200  # training samples drawn
    hidden: tuple[int, ...] = (16,)  # hidden widths
    seed: int = 0  # seed of the samples drawn
    networks: dict | None = None  # trajectories per activation, e.g. {"tanh": 40, "relu": 40}


@dataclass(frozen=True)
class ScaleSize:
    """One size of section 4b at scale (config ``index_vs_loss_scale.sizes``)."""

    name: str  # the job's wildcard, e.g. 1k
    hidden: tuple[int, ...]  # hidden widths
    networks: int  # gradient-descent trajectories
    snapshots: int  # starts per trajectory
    run: bool  # computed in this config (else the figure's panel says "not run")

    @classmethod
    def all_from_config(cls, scale_cfg: dict) -> list[ScaleSize]:
        """Every size of a validated ``index_vs_loss_scale`` section, in order."""
        return [
            cls(s["name"], tuple(s["hidden"]), s["networks"], s["snapshots"], s["run"])
            for s in scale_cfg["sizes"]
        ]


@dataclass(frozen=True)
class ScaleOptions(FromConfig):
    """Section 4b at scale (config section ``index_vs_loss_scale``)."""

    dataset: str = "digits"  # the 4b case drawn beside the sizes
    activation: str = "tanh"
    loss: str = "mse"
    sizes: tuple[ScaleSize, ...] = ()  # in config order
    solver: str = "minres"  # Newton-MR's solve
    minres_maxiter: int | None = 50
    minres_rtol: float = 1e-8
    max_iter: int = 300  # Newton-MR iterations
    spectrum: str = "inertia"  # how end points' spectra are read (curvature.spectrum)

    @classmethod
    def from_config(cls, cfg: dict, **overrides) -> ScaleOptions:
        """From the validated ``index_vs_loss_scale`` section, its sizes typed."""
        sizes = tuple(ScaleSize.all_from_config(cfg))
        return super().from_config(cfg, **{"sizes": sizes, **overrides})

    def size(self, name: str) -> ScaleSize:
        """The size called ``name`` (a job's wildcard)."""
        return next(s for s in self.sizes if s.name == name)


def scale_search_options(
    base: SearchOptions, scale: ScaleOptions, size: ScaleSize
) -> SearchOptions:
    """Searches of one scale case: index_vs_loss's training and snapshots, Newton-MR only.

    Args:
        base: index_vs_loss's searches (learning rate, steps, snapshot grid, pinv_rtol, seed).
        scale: The scale section (solver, iterations).
        size: The size searched.
    """
    return replace(
        base,
        networks=size.networks,
        snapshots=size.snapshots,
        methods=("newton_mr",),
        max_iter=scale.max_iter,
        solver=scale.solver,
        minres_maxiter=scale.minres_maxiter,
        minres_rtol=scale.minres_rtol,
    )


def scale_panels(
    small: pd.DataFrame, tables: list[pd.DataFrame], scale: ScaleOptions
) -> list[tuple[str, pd.DataFrame | None]]:
    """The panels of the three-size figure (:func:`.figures.index_vs_loss_scale`).

    Args:
        small: index_vs_loss's end points (:data:`COLUMNS`); the case of the scale section's
            dataset, activation and loss is drawn first.
        tables: The end points of every size that ran, in config order.
        scale: The scale section (its case and sizes).

    Returns:
        (title, table or None where the size is not run) per panel.
    """
    small = small[
        (small["dataset"] == scale.dataset)
        & (small["activation"] == scale.activation)
        & (small["loss_function"] == scale.loss)
    ]
    arch = ", ".join(sorted(small["architecture"].unique())) or "case not run"
    params = f", P = {int(small['n_params'].max())}" if len(small) else ""
    panels = [(f"index_vs_loss: {arch}{params}", small)]
    ran = iter(tables)
    for size in scale.sizes:
        table = next(ran) if size.run else None
        params = (
            f", P = {int(table['n_params'].iloc[0])}" if table is not None and len(table) else ""
        )
        panels.append((f"{size.name}: hidden {list(size.hidden)}{params}", table))
    return panels


def starting_points(problem: Problem, opts: SearchOptions) -> tuple[torch.Tensor, pd.DataFrame]:
    """Snapshots spaced evenly in loss along gradient-descent trajectories, duplicates dropped.

    Returns:
        Starts (S, P) and a table (seed, snapshot_step, start_loss) describing each.
    """
    loss_fn = make_loss(problem.model, problem.loss, problem.x, problem.y)
    seeds = [opts.seed + k for k in range(opts.networks)]
    device = problem.x.device
    theta0 = torch.stack([init_params(problem.model, s, device=device) for s in seeds])  # (K, P)
    every = opts.snapshot_every
    run = train(
        loss_fn,
        theta0,
        TrainOptions("gd", opts.learning_rate, opts.steps, every, snapshot_every=every),
    )
    picks = even_in_loss(run.snapshot_loss, opts.snapshots)  # (snapshots, K)
    starts, rows = [], []
    for k, seed in enumerate(seeds):
        # A fast drop can put several loss levels nearest to one snapshot: start there once.
        for i in sorted(set(picks[:, k].tolist())):
            if not torch.isfinite(run.snapshot_loss[i, k]):
                continue
            starts.append(run.snapshots[i, k])
            rows.append(
                {
                    "seed": seed,
                    "snapshot_step": int(run.snapshot_steps[i]),
                    "start_loss": float(run.snapshot_loss[i, k]),
                }
            )
    return torch.stack(starts), pd.DataFrame(rows)


def search(
    problem: Problem,
    opts: SearchOptions,
    numerics: Numerics,
    log: Callable[[str], None] = print,
    curvature: CurvatureOptions = DEFAULT_CURVATURE,
    resume: Resume = NO_RESUME,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every search from every start; the exact spectrum at every end point.

    Certified points are polished to round-off (:mod:`landscape.engine.critical`) and their spectra
    read with the derived tolerance (round-off plus the distance to the critical point). A
    cross-entropy end point that classifies every sample correctly is an ``escape``
    (:func:`logit_escapes`), whatever its gradient.

    Args:
        problem: The network, data and loss.
        opts: Snapshots and searches.
        numerics: The typed ``numerics`` section (certification threshold, eigenvalue
            tolerance factor, gradient-flat residual).
        log: Progress callback.
        curvature: How the finders' and the spectra's exact Hessians are computed; with
            ``spectrum: inertia`` the eigenvalue table is empty and the sensitivity counts NaN.
        resume: Where each method's search saves its state (``resume.part(method)``), to
            resume from when the job is killed (:mod:`landscape.base.resume`).

    Returns:
        (end points, columns :data:`COLUMNS`; eigenvalues of the certified ones, columns
        :data:`EIGEN_COLUMNS`). A diverged end point has NaN spectrum columns.
    """
    model = problem.model
    loss_fn = make_loss(model, problem.loss, problem.x, problem.y)
    hess_fn = curvature.hessian(model, problem.loss, problem.x, problem.y)
    chunk = curvature.networks_per_chunk(model, len(problem.x))
    starts, meta = starting_points(problem, opts)
    name = f"{problem.dataset} {problem.architecture} {problem.loss}"
    log(f"{name}: {len(starts)} starts from {opts.networks} trajectories, P = {model.n_params}")
    rows, eig_rows = [], []
    for method in opts.methods:
        iters = opts.gradient_norm_max_iter if method == "gradient_norm" else opts.max_iter
        finder = FinderOptions.from_numerics(
            numerics,
            max_iter=iters,
            pinv_rtol=opts.pinv_rtol,
            hessian_chunk=chunk,
            solver=opts.solver,
            minres_maxiter=opts.minres_maxiter,
            minres_rtol=opts.minres_rtol,
        )
        res = find_critical_points(
            loss_fn, hess_fn, starts, method, finder, log, resume.part(method)
        )
        spectra, eigenvalues = end_spectra(
            hess_fn, res, numerics.eigen_tolerance_factor, curvature, chunk
        )
        status = _with_escapes(res.status, logit_escapes(problem, res.params))
        for k in range(len(starts)):
            row = _end_point_row(problem, meta.iloc[k], method, res, k, spectra[k], eigenvalues[k])
            row["polish_moved"] = polish_moved(row, numerics.grad_norm_sq_threshold)
            rows.append({**row, "network": f"{name} seed {row['seed']}", "status": status[k]})
            if status[k] == Status.CRITICAL and eigenvalues[k] is not None:
                for r, value in enumerate(eigenvalues[k].tolist()):
                    eig_rows.append([rows[-1]["network"], method, row["snapshot_step"], r, value])
        log(
            f"  {method}: "
            + ", ".join(f"{st}: {status.count(st)}" for st in sorted(set(status)))
            + f" of {len(starts)}; polish steps {int(res.polish.steps.sum())}"
        )
    return pd.DataFrame(rows, columns=COLUMNS), pd.DataFrame(eig_rows, columns=EIGEN_COLUMNS)


def logit_escapes(problem: Problem, params: torch.Tensor) -> torch.Tensor:
    """Cross-entropy points where the loss falls only because the logits grow (S,) bool.

    The rule: the loss is cross-entropy and every training sample is classified correctly. Then
    no finite critical point is there: scaling the logits z by s > 1 lowers the loss strictly,
    since d/ds L(s z) at s = 1 is the mean over samples of E_softmax(z)[z] - z_label < 0 when the
    label's logit is the largest. A small gradient there comes from an exponentially small loss,
    not from a stationary point (Soudry et al. 2018 describe this escape of gradient descent on
    separable data). Always False for squared loss.

    Args:
        problem: The network, data and loss.
        params: Points (S, P).
    """
    if problem.loss != "cross_entropy":
        return torch.zeros(params.shape[0], dtype=torch.bool)
    logits = torch.vmap(lambda t: problem.model.forward(t, problem.x))(params)  # (S, n, 10)
    correct = (logits.argmax(-1) == problem.y).all(-1)  # (S,)
    return (correct & torch.isfinite(logits).all(-1).all(-1)).cpu()


def polish_moved(row: dict, threshold: float) -> bool:
    """Whether polishing moved the loss more than a certified gradient can explain.

    Along a path on which ||g||^2 <= threshold throughout, the loss changes by at most
    sqrt(threshold) times the path's length (mean value theorem); a larger change of the loss
    over the polish distance means the polish left the certified neighbourhood (another basin,
    or along a valley). Such points stay in the table, labelled by this flag.
    """
    change = abs(row["polish_loss_change"])
    return bool(change > np.sqrt(threshold) * row["polish_distance"])


def _with_escapes(status: list[str], escapes: torch.Tensor) -> list[str]:
    """``status`` with every finite escape relabelled ``escape``."""
    return [
        Status.ESCAPE if bool(e) and st != Status.DIVERGED else st
        for st, e in zip(status, escapes, strict=True)
    ]


def _end_point_row(problem, start, method, res, k, spectrum, eigs) -> dict:
    """One end point's row (all :data:`COLUMNS` but ``network`` and ``status``)."""
    model = problem.model
    s = spectrum or not_computed(model.n_params)
    distance = float(res.eig_tol_distance[k])
    roundoff, counts = end_counts(eigs, s.eig_tol, distance)
    return {
        "dataset": problem.dataset,
        "architecture": problem.architecture,
        "n_params": model.n_params,
        "method": method,
        "loss": float(res.loss[k]),
        "grad_norm_sq": float(res.grad_norm_sq[k]),
        "index": s.index,
        "nullity": s.nullity,
        "min_ratio": s.n_positive / s.n_params,
        "activation": model.activation,
        "loss_function": problem.loss,
        "seed": int(start["seed"]),
        "snapshot_step": int(start["snapshot_step"]),
        "start_loss": float(start["start_loss"]),
        "n_negative": s.n_negative,
        "n_positive": s.n_positive,
        "eig_tol": s.eig_tol,
        "residual": float(res.residual[k]),
        "cokernel_residual": float(res.cokernel_residual[k]),
        "iterations": int(res.iterations[k]),
        "grad_norm_sq_before_polish": float(res.polish.grad_norm_sq_before[k]),
        "polish_steps": int(res.polish.steps[k]),
        "polish_distance": float(res.polish.distance[k]),
        "polish_loss_change": float(res.polish.loss_change[k]),
        "eig_tol_roundoff": roundoff,
        "eig_tol_distance": distance,
        "n_band": counts.get("band", float("nan")),
        **{f"n_negative_{t.key}": counts.get(t.key, float("nan")) for t in IndexTolerance},
        "n_negative_derived_10x": counts.get("derived_10x", float("nan")),
    }


def distinct_critical_points(table: pd.DataFrame) -> pd.DataFrame:
    """Certified end points, one per distinct critical point of each case.

    Searches from different starts (and seeds, since hidden units can be permuted) often reach
    the same critical point up to symmetry; those agree in loss (to 9 significant digits) and in
    their count of negative eigenvalues, and are kept once.
    """
    crit = table[table["status"] == Status.CRITICAL].copy()
    crit["_loss_key"] = crit["loss"].map(lambda v: f"{v:.9g}")
    keys = ["dataset", "architecture", "loss_function", "_loss_key", "n_negative"]
    return crit.drop_duplicates(keys).drop(columns="_loss_key")


def case_label(row) -> str:
    """``dataset architecture loss`` of a table row (a namedtuple or a Series)."""
    return f"{row.dataset} {row.architecture} {row.loss_function}"


def histogram_picks(table: pd.DataFrame, quantiles=(0.1, 0.5, 0.9)) -> pd.DataFrame:
    """Three certified points of one case at low, middle and high loss, for the histograms.

    The case with the most distinct certified points is used, so that the three losses are on
    one scale; each pick is the point nearest to the given quantile of that case's losses.
    """
    crit = distinct_critical_points(table)
    if crit.empty:
        return crit
    labels = crit.apply(case_label, axis=1)
    best = labels.value_counts().index[0]
    case = crit[labels == best].sort_values("loss")
    targets = case["loss"].quantile(list(quantiles), interpolation="nearest")
    picks = [case.iloc[(case["loss"] - t).abs().argmin()] for t in targets]
    return pd.DataFrame(picks).drop_duplicates(["network", "method", "snapshot_step"])


SENSITIVITY_COLUMNS = [
    "case",
    "tolerance",
    "network",
    "method",
    "snapshot_step",
    "loss",
    "n_negative",
    "index",
]
TEST_COLUMNS = ["case", "tolerance", "points", "rho", "p_value", "holds"]


def sensitivity_points(table: pd.DataFrame) -> pd.DataFrame:
    """The index of every distinct certified point at each :class:`IndexTolerance` (long form).

    Args:
        table: End points, columns :data:`COLUMNS`.

    Returns:
        Columns :data:`SENSITIVITY_COLUMNS`, one row per point and tolerance.
    """
    crit = distinct_critical_points(table)
    cases = crit.apply(case_label, axis=1) if len(crit) else ""
    frames = []
    for tol in IndexTolerance:
        part = crit[["network", "method", "snapshot_step", "loss", "n_params"]].copy()
        part.insert(0, "case", cases)
        part.insert(1, "tolerance", tol.value)
        part["n_negative"] = crit[f"n_negative_{tol.key}"]
        part["index"] = part["n_negative"] / part["n_params"]
        frames.append(part.drop(columns="n_params"))
    return pd.concat(frames, ignore_index=True)[SENSITIVITY_COLUMNS]


def index_loss_tests(points: pd.DataFrame, min_points: int, alpha: float) -> pd.DataFrame:
    """Spearman's test of rho(loss, index) > 0 per case at each :class:`IndexTolerance`.

    Only distinct certified critical points count (escapes and gradient-flat points do not).

    Args:
        points: The index of every distinct certified point at each tolerance, from
            :func:`sensitivity_points`.
        min_points: Distinct certified points a case needs to be tested.
        alpha: One-sided significance level.

    Returns:
        Columns :data:`TEST_COLUMNS`; ``holds`` is True / False, or None where the case has
        fewer than ``min_points`` points or a constant index (rho, p_value NaN).
    """
    from scipy.stats import spearmanr

    rows = []
    for (case, tol), grp in points.groupby(["case", "tolerance"], sort=True):
        row = {
            "case": case,
            "tolerance": tol,
            "points": len(grp),
            "rho": float("nan"),
            "p_value": float("nan"),
            "holds": None,
        }
        if len(grp) >= min_points and grp["index"].nunique() > 1:
            rho, p = spearmanr(grp["loss"], grp["index"], alternative="greater")
            row.update(rho=float(rho), p_value=float(p), holds=bool(rho > 0 and p < alpha))
        rows.append(row)
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


STATUS_COLUMNS = ["case", "method", "status", "end_points", "share"]


def status_breakdown(table: pd.DataFrame) -> pd.DataFrame:
    """How many end points of each case and method got each status (4d).

    Returns:
        Columns :data:`STATUS_COLUMNS`; ``share`` is the fraction of that case's and method's
        end points. Every :class:`~landscape.engine.critical.Status` appears, with 0 where none.
    """
    rows = []
    labels = table.apply(case_label, axis=1) if len(table) else pd.Series(dtype=str)
    for (case, method), grp in table.groupby([labels, table["method"]], sort=True):
        counts = grp["status"].value_counts()
        for status in Status:
            n = int(counts.get(status.value, 0))
            rows.append([case, method, status.value, n, n / len(grp)])
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)
