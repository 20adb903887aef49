"""Section 2: deep linear networks, from the scalar toy losses to trained networks and saddles.

2a. The scalar deep linear network L(w) = (1 - w_1 ... w_k)^2 (:func:`landscape.engine.theory.
product_loss`): its Hessian at the origin and on the valley of global minima prod w = 1, from
autograd and from the closed form of :func:`landscape.engine.theory.product_loss_hessian`.

2b. Deep linear networks trained to the end on real data reach the closed-form optimum
(:func:`optimum_runs`): every local minimum is global (Kawaguchi 2016, Thm. 2.3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd
import torch

from landscape.base.options import FromConfig, Numerics
from landscape.engine.critical import (
    FinderOptions,
    Status,
    certify,
    distance_tolerances,
    find_critical_points,
)
from landscape.engine.curvature import (
    DEFAULT_CURVATURE,
    CurvatureOptions,
    grad_norm_sq,
    point_spectra,
)
from landscape.engine.models import deep_linear, init_params, make_loss
from landscape.engine.spectrum import not_computed, summarize_spectrum
from landscape.engine.theory import (
    linear_regression_optimum,
    product_loss,
    product_loss_hessian,
    relative_gap,
)
from landscape.engine.train import TrainOptions, choose_value_and_grad, train

# (name, points): the origin, and points of the valley prod w = 1.
TOY_POINTS: dict[int, tuple[tuple[str, tuple[float, ...]], ...]] = {
    2: (("origin", (0.0, 0.0)), ("valley", (1.0, 1.0)), ("valley", (2.0, 0.5))),
    3: (("origin", (0.0, 0.0, 0.0)), ("valley", (1.0, 1.0, 1.0)), ("valley", (2.0, 0.5, 1.0))),
}

# The eigenvalues at the origin, derived by hand (module docstring of landscape.engine.theory).
ORIGIN_EIGENVALUES = {2: (-2.0, 2.0), 3: (0.0, 0.0, 0.0)}


MAX_LAYERS = max(TOY_POINTS)


def _at(values: torch.Tensor, i: int) -> float:
    """values[i] as a float, NaN past the end (tables have MAX_LAYERS eigenvalue columns)."""
    return float(values[i]) if i < len(values) else float("nan")


# 2b descends by saddle-free Newton to this fraction of the certification threshold before the
# Newton-MR polish, so that the spectrum is read well past certification (not a second threshold:
# certification still uses numerics.grad_norm_sq_threshold).
DESCENT_TARGET = 1e-6


def toy_table(numerics: Numerics) -> pd.DataFrame:
    """Hessians of the scalar deep linear losses at the origin and on the valley.

    Args:
        numerics: The certification threshold and the eigenvalue tolerance factor.

    Returns:
        One row per point: ``layers`` (k), ``function``, ``where``, the point, loss, squared
        gradient norm, the eigenvalues from autograd (``eig_1`` ...) and from the closed form
        (``exact_1`` ...), their largest difference, the counts and the definiteness; at the
        origin also whether the eigenvalues equal the hand-derived ones exactly.
    """
    rows = []
    for k, points in TOY_POINTS.items():
        for where, point in points:
            w = torch.tensor(point, dtype=torch.float64)
            numeric = torch.linalg.eigvalsh(torch.func.hessian(product_loss)(w))  # (k,)
            exact = torch.linalg.eigvalsh(product_loss_hessian(w))  # (k,)
            s = summarize_spectrum(numeric, numerics.eigen_tolerance_factor)
            gn = float(grad_norm_sq(product_loss, w[None])[0])
            row = {
                "layers": k,
                "function": "(1 - " + " ".join(f"w{i + 1}" for i in range(k)) + ")^2",
                "where": where,
                "point": " ".join(f"{v:g}" for v in point),
                "loss": float(product_loss(w)),
                "grad_norm_sq": gn,
                "critical": gn <= numerics.grad_norm_sq_threshold,
                **{f"eig_{i + 1}": _at(numeric, i) for i in range(MAX_LAYERS)},
                **{f"exact_{i + 1}": _at(exact, i) for i in range(MAX_LAYERS)},
                "max_abs_diff": float((numeric - exact).abs().max()),
                "n_negative": s.n_negative,
                "n_zero": s.n_zero,
                "definiteness": s.definiteness,
                "eig_tol": s.eig_tol,
                # At the origin: do the eigenvalues equal the hand-derived ones exactly?
                "matches_derived": (
                    numeric.tolist() == list(ORIGIN_EIGENVALUES[k]) if where == "origin" else None
                ),
            }
            rows.append(row)
    return pd.DataFrame(rows)


def whiten(x: torch.Tensor, rtol: float = 1e-6) -> torch.Tensor:
    """Principal-component whitening: X V_k diag(lambda_k)^(-1/2) over the kept components.

    Components of the second-moment matrix X^T X / n with eigenvalue at most rtol times the
    largest are dropped (constant pixels), so that X^T X has full rank, as Kawaguchi's theorem
    assumes, and gradient descent is not slowed by the condition number of the inputs (as in
    Saxe et al. 2014).

    Args:
        x: Inputs (n, d), float64.
        rtol: Relative cut-off of the kept components.

    Returns:
        Whitened inputs (n, k) with X^T X / n = I_k.
    """
    lam, vec = torch.linalg.eigh(x.T @ x / len(x))  # ascending
    keep = lam > rtol * lam.max()
    return x @ vec[:, keep] / lam[keep].sqrt()


@dataclass(frozen=True)
class OptimumOptions(FromConfig):
    """Deep linear networks trained to the end (section 2b); see the config's ``deep_linear``."""

    datasets: tuple[str, ...] = ("digits", "teacher_student")  # mnist1d in the paper config
    depths: tuple[int, ...] = (1, 2, 3, 4)  # numbers of hidden layers
    hidden_widths: tuple[int, ...] = (12, 4)  # width of every hidden layer, one setting each
    networks: int = 3  # seeds per setting
    learning_rate: float = 0.2  # gradient-descent step size
    steps: int = 2000  # gradient-descent steps
    polish_iter: int = 200  # saddle-free Newton iterations from where gradient descent stopped
    gap_tolerance: float = 1e-6  # relative gap below which a run is at the optimum
    seed: int = 0  # network k of a setting starts from seed + k
    whiten_rtol: float = 1e-6  # whitening keeps input components above this relative size
    damping: float = 1e-8  # saddle-free Newton's floor on |eigenvalue|, relative to the largest


def optimum_runs(
    name: str,
    x: torch.Tensor,
    y: torch.Tensor,
    opts: OptimumOptions,
    finder: FinderOptions,
    factor: float,
    log=None,
    curvature: CurvatureOptions = DEFAULT_CURVATURE,
) -> pd.DataFrame:
    """Train deep linear networks of every depth and width, certify the end, compare with theory.

    Each setting trains ``opts.networks`` networks at once by full-batch gradient descent on
    L = (1/n) sum_i 1/2 ||W_L ... W_1 x_i - y_i||^2 from LeCun-normal initialisations, then
    continues from every end point by saddle-free Newton (Dauphin et al. 2014; a descent method,
    repelled by saddles; at most ``opts.polish_iter`` iterations, aiming at a squared gradient
    norm 1e-6 times the threshold) and certifies the end (squared gradient norm at most the
    finder's threshold). The exact Hessian's
    spectrum there gives the index; the closed-form optimum
    (:func:`landscape.engine.theory.linear_regression_optimum` with the narrowest width as the rank
    when it is below min(d_x, d_y), least squares otherwise) gives the relative gap.

    Args:
        name: The dataset's name (a column).
        x: Inputs (n, d_x), float64, whitened.
        y: Targets (n, d_y), float64 (one-hot for classification).
        opts: Depths, widths, seeds and the schedule.
        finder: Options of the Newton-MR refinement (threshold, tolerance, ...).
        factor: Eigenvalue tolerance factor.
        log: Optional progress callback.
        curvature: How the exact Hessians (saddle-free Newton, polish, spectra) are computed.

    Returns:
        One row per network: ``data, depth, widths, hidden_width, bottleneck, seed, status,
        gd_loss, final_loss, optimum_loss, optimum, rel_gap, index, n_negative, n_zero,
        grad_norm_sq, lambda_min, eig_tol, eig_tol_distance, at_optimum``.
    """
    dx, dy = x.shape[1], y.shape[1]
    rows = []
    for depth in opts.depths:
        for width in opts.hidden_widths:
            widths = (dx, *[width] * depth, dy)
            done = _optimum_setting(name, x, y, depth, width, opts, finder, factor, log, curvature)
            rows += done
            if log is not None:
                log(
                    f"{name} {'-'.join(map(str, widths))}: "
                    f"{sum(r['at_optimum'] for r in done)}/{len(done)} at the optimum "
                    f"{done[0]['optimum_loss']:.6g}; statuses {sorted({r['status'] for r in done})}"
                )
    return pd.DataFrame(rows)


def _optimum_setting(
    name,
    x,
    y,
    depth: int,
    width: int,
    opts: OptimumOptions,
    finder: FinderOptions,
    factor: float,
    log,
    curvature: CurvatureOptions,
) -> list[dict]:
    """The rows of one depth and width: train, descend and certify, read the spectra."""
    dx, dy = x.shape[1], y.shape[1]
    widths = (dx, *[width] * depth, dy)
    model = deep_linear(widths)
    loss_fn = make_loss(model, "mse", x, y)
    seeds = [opts.seed + k for k in range(opts.networks)]
    theta0 = torch.stack([init_params(model, s, device=x.device) for s in seeds])
    schedule = TrainOptions("gd", opts.learning_rate, opts.steps, record_every=opts.steps)
    fast = choose_value_and_grad(model, "mse", x, y)
    trained = train(loss_fn, theta0, schedule, value_and_grad=fast)
    hess_fn = curvature.hessian(model, "mse", x, y)
    chunk = curvature.networks_per_chunk(model, len(x))
    polished, distance, status = _descend_and_certify(
        loss_fn, hess_fn, trained, replace(finder, hessian_chunk=chunk), opts, log
    )
    rank = width if width < min(dx, dy) else None
    optimum = linear_regression_optimum(x, y, rank)
    losses = torch.vmap(loss_fn)(polished)
    gns = grad_norm_sq(loss_fn, polished)
    finite = torch.tensor([st != Status.DIVERGED for st in status])
    spectra, _ = point_spectra(
        hess_fn, polished, factor, curvature, chunk, finite=finite, distance=distance
    )
    common = {
        "data": name,
        "depth": depth,
        "widths": "-".join(map(str, widths)),
        "hidden_width": width,
        "bottleneck": rank is not None,
    }
    return [
        _optimum_row(
            common,
            seed,
            status[k],
            float(trained.loss[-1, k]),
            float(losses[k]),
            optimum,
            rank,
            float(gns[k]),
            spectra[k],
            float(distance[k]),
            opts.gap_tolerance,
        )
        for k, seed in enumerate(seeds)
    ]


def _descend_and_certify(
    loss_fn, hess_fn, trained, finder: FinderOptions, opts: OptimumOptions, log
):
    """Saddle-free Newton from every trained end, then Newton-MR polish; certify each end.

    Returns:
        (points (K, P), distance tolerances (K,), statuses): a diverged network keeps its
        trained parameters, a NaN distance and ``diverged``.
    """
    ok = ~trained.diverged
    polished = trained.params.clone()
    distance = torch.full((len(ok),), float("nan"), dtype=torch.float64)
    status = [Status.DIVERGED] * len(ok)
    if not ok.any():
        return polished, distance, status
    # Descend to the end by saddle-free Newton, aiming far below the threshold so that the
    # spectrum is read at a point converged well past certification.
    deeper = replace(
        finder,
        max_iter=opts.polish_iter,
        grad_norm_sq_threshold=finder.grad_norm_sq_threshold * DESCENT_TARGET,
    )
    found = find_critical_points(
        loss_fn, hess_fn, trained.params[ok], "saddle_free_newton", deeper, log
    )
    # Then Newton-MR polish of every certified point, kept while it lowers the gradient: near
    # the manifold of minima the zero eigenvalues are perturbed by about ||g||, so the spectrum
    # is read at round-off (as in section 2c).
    polish = replace(finder, max_iter=0, polish_steps=max(finder.polish_steps, 50))
    found = find_critical_points(loss_fn, hess_fn, found.params, "newton_mr", polish)
    polished[ok] = found.params
    distance[ok] = found.eig_tol_distance.to(distance)
    for j, k in enumerate(torch.nonzero(ok).flatten().tolist()):
        status[k] = (
            found.status[j]
            if found.status[j] == Status.DIVERGED
            else certify(float(found.grad_norm_sq[j]), finder.grad_norm_sq_threshold)
        )
    return polished, distance, status


def _optimum_row(
    common: dict,
    seed: int,
    status,
    gd_loss: float,
    final_loss: float,
    optimum: float,
    rank,
    gn: float,
    s,
    distance: float,
    gap_tolerance: float,
) -> dict:
    """One network's row of :func:`optimum_runs` (``s``: its spectrum summary, or None)."""
    nan = math.nan
    rel_gap = float(relative_gap(final_loss, optimum)) if math.isfinite(final_loss) else nan
    spectrum = (
        {"index": nan, "n_negative": nan, "n_zero": nan, "lambda_min": nan, "eig_tol": nan}
        if s is None
        else {
            "index": s.index,
            "n_negative": s.n_negative,
            "n_zero": s.n_zero,
            "lambda_min": s.lambda_min,
            "eig_tol": s.eig_tol,
        }
    )
    row = {
        **common,
        "seed": seed,
        "status": status,
        "gd_loss": gd_loss,
        "final_loss": final_loss,
        "optimum_loss": optimum,
        "optimum": "least squares" if rank is None else f"reduced rank {rank}",
        "rel_gap": rel_gap,
        "grad_norm_sq": gn,
        **spectrum,
        "eig_tol_distance": distance,
    }
    row["at_optimum"] = bool(
        status == Status.CRITICAL and rel_gap < gap_tolerance and row["n_negative"] == 0
    )
    return row


@dataclass(frozen=True)
class SaddleOptions(FromConfig):
    """Critical points of deep linear networks (section 2c), as in ``deep_linear_saddles``."""

    singular_values: tuple[float, ...] = (3.0, 2.0, 1.0, 0.5)  # of the target map A (d = 4)
    hidden: int = 3  # width of every hidden layer (below d: a bottleneck)
    n_samples: int = 200  # whitened Gaussian inputs
    depths: tuple[int, ...] = (1, 2, 3)  # numbers of hidden layers
    starts: int = 4  # searches from near the origin, and trajectories, per depth
    snapshots: int = 4  # starts per trajectory, spaced evenly in loss
    origin_scale: float = 0.05  # standard deviation of the starts near the origin
    init_scale: float = 0.1  # multiplier of the LeCun initialisation of the trajectories
    learning_rate: float = 0.05  # gradient descent along the trajectories
    train_steps: int = 400  # steps of each trajectory
    max_iter: int = 100  # Newton-MR iterations
    polish_steps: int = 100  # Newton-MR steps past certification, to round-off (flat saddles)
    seed: int = 0  # data, directions, initialisations


def _kind(status: str, loss: float, global_loss: float, n_negative: int, tol: float) -> str:
    """Global minimum, strict saddle, flat saddle (no negative eigenvalue, above the minimum)."""
    if status != Status.CRITICAL:
        return f"not certified ({status})"
    if relative_gap(loss, global_loss) < tol:
        return "global minimum"
    return "strict saddle" if n_negative > 0 else "flat saddle"


def saddle_table(
    opts: SaddleOptions,
    finder: FinderOptions,
    factor: float,
    curvature: CurvatureOptions = DEFAULT_CURVATURE,
) -> pd.DataFrame:
    """Analytic and searched critical points of deep linear networks of several depths.

    Data: :func:`landscape.engine.theory.deep_linear_regression_problem`. For each depth, every
    analytic critical point (:func:`landscape.engine.theory.deep_linear_critical_point`, one per
    subset of at most ``hidden`` singular directions) is evaluated exactly, and Newton-MR searches
    from points near the origin and from snapshots along gradient-descent trajectories (evenly
    spaced in loss). Eigenvalues are counted with the tolerance relative to the problem's curvature
    scale, the spectral norm at the global minimum of that depth (near a flat saddle the Hessian
    itself vanishes, so a tolerance relative to its own spectrum would call anything indefinite).

    Args:
        opts: The problem and the searches.
        finder: Newton-MR options (threshold, tolerance factor, ...).
        factor: Eigenvalue tolerance factor.
        curvature: How the exact Hessians (Newton-MR, spectra) are computed. The curvature scale
            at the global minimum is always read from the full spectrum (one Hessian per depth).

    Returns:
        One row per point: ``depth, widths, source, start, status, loss, grad_norm_sq,
        n_negative, n_zero, n_positive, index, lambda_min, eig_tol, eig_tol_distance, kind,
        nearest_analytic_loss, loss_rel_error, matches_analytic``.
    """
    from landscape.engine.theory import deep_linear_critical_values, deep_linear_regression_problem

    if list(opts.singular_values) != sorted(set(opts.singular_values), reverse=True):
        raise ValueError(
            "deep_linear_saddles.singular_values must be distinct and in decreasing order, "
            f"got {list(opts.singular_values)}"
        )
    x, y, u, s, v = deep_linear_regression_problem(opts.n_samples, opts.singular_values, opts.seed)
    values = deep_linear_critical_values(opts.singular_values, opts.hidden)
    rows = []
    for depth in opts.depths:
        rows += _saddle_depth(depth, (x, y, u, s, v), values, opts, finder, factor, curvature)
    return pd.DataFrame(rows)


def _saddle_depth(
    depth: int,
    problem,
    values: pd.DataFrame,
    opts: SaddleOptions,
    finder: FinderOptions,
    factor: float,
    curvature: CurvatureOptions,
) -> list[dict]:
    """The rows of one depth: its analytic points, then its searched ones (origin, trajectory)."""
    x, y, u, s, v = problem
    d = x.shape[1]
    widths = (d, *[opts.hidden] * depth, d)
    model = deep_linear(widths)
    loss_fn = make_loss(model, "mse", x, y)
    hess_fn = curvature.hessian(model, "mse", x, y)
    chunk = curvature.networks_per_chunk(model, len(x))
    analytic, sources, scale = _analytic_points(problem, values, widths, hess_fn)
    search = replace(finder, hessian_chunk=chunk)
    searched = _searched_saddles(depth, model, loss_fn, hess_fn, opts, search)
    sources += ["origin"] * opts.starts + ["trajectory"] * (opts.starts * opts.snapshots)
    starts = (
        [None] * len(analytic)
        + list(range(opts.starts))
        + list(range(opts.starts * opts.snapshots))
    )
    everything = torch.cat([analytic, searched])
    losses = torch.vmap(loss_fn)(everything)
    gns = grad_norm_sq(loss_fn, everything)
    finite = torch.isfinite(losses) & torch.isfinite(gns) & torch.isfinite(everything).all(-1)
    distance = distance_tolerances(loss_fn, hess_fn, everything, search)
    spectra, _ = point_spectra(
        hess_fn, everything, factor, curvature, chunk, norm=scale, finite=finite, distance=distance
    )
    common = {"depth": depth, "widths": "-".join(map(str, widths))}
    global_loss = float(values["loss"].min())
    rows = []
    for k in range(len(everything)):
        status = certify(float(gns[k]), finder.grad_norm_sq_threshold, not bool(finite[k]))
        summ = spectra[k] or not_computed(model.n_params)
        point = {"source": sources[k], "start": starts[k], "status": status}
        rows.append(
            _saddle_row(
                common,
                point,
                float(losses[k]),
                float(gns[k]),
                summ,
                scale,
                float(distance[k]),
                values,
                global_loss,
            )
        )
    return rows


def _analytic_points(
    problem, values: pd.DataFrame, widths: tuple[int, ...], hess_fn
) -> tuple[torch.Tensor, list[str], float]:
    """The closed-form critical points of ``values`` (Baldi & Hornik's subsets), and the scale.

    Returns:
        The points (len(values), P), their sources ("analytic {i, j}"), and max|lambda| of the
        Hessian at the global minimum (the top singular directions), the spectra's norm.
    """
    from landscape.engine.theory import deep_linear_critical_point

    x, _, u, s, v = problem
    best = tuple(range(min(widths[1], x.shape[1])))  # the top singular directions
    at_best = hess_fn(deep_linear_critical_point(best, u, s, v, widths))  # (P, P)
    scale = float(torch.linalg.eigvalsh(at_best).abs().max())
    points, sources = [], []
    for sub in values["subset"]:
        subset = tuple(int(i) for i in sub.split()) if sub else ()
        points.append(deep_linear_critical_point(subset, u, s, v, widths))
        sources.append(f"analytic {{{', '.join(map(str, subset))}}}")
    return torch.stack(points), sources, scale


def _searched_saddles(
    depth: int, model, loss_fn, hess_fn, opts: SaddleOptions, search: FinderOptions
) -> torch.Tensor:
    """Newton-MR ends from near the origin and from gradient-descent snapshots, polished.

    Returns:
        (starts + starts * snapshots, P): the origin's ends first, then the trajectories'.
    """
    from landscape.engine.train import even_in_loss

    gen = torch.Generator().manual_seed(opts.seed + depth)
    near_origin = opts.origin_scale * torch.randn(
        opts.starts, model.n_params, generator=gen, dtype=torch.float64
    )
    theta0 = torch.stack(
        [
            opts.init_scale * init_params(model, opts.seed + 100 * depth + k)
            for k in range(opts.starts)
        ]
    )
    schedule = TrainOptions(
        "gd",
        opts.learning_rate,
        opts.train_steps,
        record_every=1,
        snapshot_every=max(1, opts.train_steps // 50),
    )
    run = train(loss_fn, theta0, schedule)
    picks = even_in_loss(run.snapshot_loss, opts.snapshots)  # (snapshots, K)
    along = torch.stack(
        [run.snapshots[picks[j, k], k] for k in range(opts.starts) for j in range(opts.snapshots)]
    )
    found = find_critical_points(
        loss_fn, hess_fn, torch.cat([near_origin, along]), "newton_mr", search
    )
    # Polish to round-off with an untruncated pseudo-inverse: the search's truncation
    # (pinv_rtol) stalls at |g|^2 ~ 1e-13, where near-zero eigenvalues still read as negative.
    exact = replace(search, max_iter=0, pinv_rtol=1e-10)
    return find_critical_points(loss_fn, hess_fn, found.params, "newton_mr", exact).params


def _saddle_row(
    common: dict,
    point: dict,
    loss: float,
    gn: float,
    summ,
    scale: float,
    distance: float,
    values: pd.DataFrame,
    global_loss: float,
) -> dict:
    """One point's row of :func:`saddle_table`, with its nearest analytic loss and its kind."""
    gaps = relative_gap(values["loss"].to_numpy(), loss)
    nearest = float(values["loss"].iloc[int(gaps.argmin())])
    return {
        **common,
        **point,
        "loss": loss,
        "grad_norm_sq": gn,
        "n_negative": summ.n_negative,
        "n_zero": summ.n_zero,
        "n_positive": summ.n_positive,
        "index": summ.index,
        "lambda_min": summ.lambda_min,
        "eig_scale": scale,
        "eig_tol": summ.eig_tol,
        "eig_tol_distance": distance,
        "kind": _kind(point["status"], loss, global_loss, summ.n_negative, 1e-6),
        "nearest_analytic_loss": nearest,
        "loss_rel_error": float(gaps.min()),
        "matches_analytic": bool(gaps.min() < 1e-6),
    }


def architectures(
    optimum: OptimumOptions, saddles: SaddleOptions, dims: dict[str, tuple[int, int]]
) -> dict[str, int]:
    """Sections 2b and 2c's networks and their parameter counts N (for the counting argument).

    Args:
        optimum: The typed ``deep_linear`` section (2b: smallest and largest per dataset).
        saddles: The typed ``deep_linear_saddles`` section (2c: one per depth).
        dims: (input dimension, output dimension) of every dataset.
    """
    out = {}
    for name in optimum.datasets:
        dx, dy = dims[name]
        counts = [
            deep_linear((dx, *[w] * k, dy)).n_params
            for k in optimum.depths
            for w in optimum.hidden_widths
        ]
        out[f"2b deep linear {name}, smallest"] = min(counts)
        out[f"2b deep linear {name}, largest"] = max(counts)
    d = len(saddles.singular_values)
    for k in saddles.depths:
        out[f"2c deep linear, {k} hidden"] = deep_linear((d, *[saddles.hidden] * k, d)).n_params
    return out
