"""Two-dimensional functions whose critical points are known in closed form (section 1a).

Each entry gives the function, its critical points, and the definiteness of the Hessian there,
derived by hand: the answers the numerical classification is checked against.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import torch

from landscape.base.options import FromConfig, Numerics
from landscape.base.vocabulary import Definiteness, Status
from landscape.engine.curvature import grad_norm_sq, make_hessian_hvp
from landscape.engine.spectrum import NotComputed, not_computed, summarize_spectrum


@dataclass(frozen=True)
class Toy:
    """A 2-D function and its known critical points."""

    name: str  # short name
    formula: str  # the function, as text
    f: Callable[[torch.Tensor], torch.Tensor]  # w (2,) -> scalar
    points: tuple[tuple[float, float, Definiteness], ...]  # (x, y, known definiteness there)


D = Definiteness  # the known definiteness of each point, by its short name

GALLERY: tuple[Toy, ...] = (
    Toy(
        "minimum",
        "x^2 + 2 y^2",
        lambda w: w[0] ** 2 + 2 * w[1] ** 2,
        ((0.0, 0.0, D.POSITIVE_DEFINITE),),
    ),
    Toy(
        "maximum",
        "-x^2 - y^2",
        lambda w: -(w[0] ** 2) - w[1] ** 2,
        ((0.0, 0.0, D.NEGATIVE_DEFINITE),),
    ),
    Toy("saddle", "x^2 - y^2", lambda w: w[0] ** 2 - w[1] ** 2, ((0.0, 0.0, D.INDEFINITE),)),
    # Hessian [[6x, -6y], [-6y, -6x]] vanishes at the origin: the second-order test is silent.
    Toy(
        "monkey saddle",
        "x^3 - 3 x y^2",
        lambda w: w[0] ** 3 - 3 * w[0] * w[1] ** 2,
        ((0.0, 0.0, D.ZERO),),
    ),
    # Every point of the line x = 0 is a minimum; the Hessian diag(2, 0) is only semidefinite.
    Toy(
        "flat valley",
        "x^2",
        lambda w: w[0] ** 2 + 0 * w[1],
        ((0.0, 0.0, D.POSITIVE_SEMIDEFINITE), (0.0, 1.0, D.POSITIVE_SEMIDEFINITE)),
    ),
    # Critical points at x in {-1, 0, 1}, y = 0: Hessian diag(3 x^2 - 1, 1).
    Toy(
        "double well",
        "x^4 / 4 - x^2 / 2 + y^2 / 2",
        lambda w: w[0] ** 4 / 4 - w[0] ** 2 / 2 + w[1] ** 2 / 2,
        (
            (-1.0, 0.0, D.POSITIVE_DEFINITE),
            (0.0, 0.0, D.INDEFINITE),
            (1.0, 0.0, D.POSITIVE_DEFINITE),
        ),
    ),
    # One-unit deep linear network: Hessian [[-2, 2] ...] at the origin (eigenvalues -2, 2);
    # on the valley w1 w2 = 1 the Hessian 2 (w2, w1)(w2, w1)^T is rank one.
    Toy(
        "(1 - w1 w2)^2",
        "(1 - x y)^2",
        lambda w: (1 - w[0] * w[1]) ** 2,
        (
            (0.0, 0.0, D.INDEFINITE),
            (1.0, 1.0, D.POSITIVE_SEMIDEFINITE),
            (-1.0, -1.0, D.POSITIVE_SEMIDEFINITE),
            (2.0, 0.5, D.POSITIVE_SEMIDEFINITE),
        ),
    ),
)


def classify_gallery(numerics: Numerics) -> pd.DataFrame:
    """Classify every known critical point of the gallery from its exact Hessian.

    Args:
        numerics: The certification threshold and the eigenvalue tolerance factor.

    Returns:
        One row per point: function, point, known and measured definiteness, eigenvalues,
        squared gradient norm, and whether the classification matches.
    """
    rows = []
    for toy in GALLERY:
        hess = make_hessian_hvp(toy.f)
        for x, y, known in toy.points:
            w = torch.tensor([x, y], dtype=torch.float64)
            eigs = torch.linalg.eigvalsh(hess(w))
            s = summarize_spectrum(eigs, numerics.eigen_tolerance_factor)
            gn = float(grad_norm_sq(toy.f, w[None])[0])
            rows.append(
                {
                    "function": toy.name,
                    "formula": toy.formula,
                    "x": x,
                    "y": y,
                    "grad_norm_sq": gn,
                    "eigenvalue_1": float(eigs[0]),
                    "eigenvalue_2": float(eigs[1]),
                    "eig_tol": s.eig_tol,
                    "known": known,
                    "measured": s.definiteness,
                    "critical": gn <= numerics.grad_norm_sq_threshold,
                    "matches": s.definiteness == known and gn <= numerics.grad_norm_sq_threshold,
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class DescentOptions(FromConfig):
    """Newton's method against gradient descent on the gallery (section 1b)."""

    starts: int = 4  # perturbed starts around each known critical point
    perturbation: float = 0.2  # distance of each start from its critical point
    newton_steps: int = 50  # Newton iterations at most
    gd_steps: int = 3000  # gradient-descent iterations at most
    learning_rate: float = 0.05  # gradient-descent step size
    escape_radius: float = 100.0  # |w| beyond this: the run left for infinity (diverged)
    pinv_rtol: float = 1e-10  # singular values of H below rtol * max are dropped in Newton's step
    seed: int = 0  # seed of the start directions


def newton_step(f: Callable[[torch.Tensor], torch.Tensor], w: torch.Tensor, rtol: float):
    """One Newton step w - H^+ g, with the pseudo-inverse for singular Hessians.

    Args:
        f: The function of w (2,).
        w: The current point (2,).
        rtol: Relative cut-off of the pseudo-inverse.

    Returns:
        The next point (2,).
    """
    g = torch.func.grad(f)(w)  # (2,)
    h = torch.func.hessian(f)(w)  # (2, 2)
    return w - torch.linalg.pinv(h, rtol=rtol, hermitian=True) @ g


def run_descent(
    f: Callable[[torch.Tensor], torch.Tensor],
    w0: torch.Tensor,
    method: str,
    opts: DescentOptions,
) -> torch.Tensor:
    """The path of Newton's method or gradient descent from w0.

    Newton iterates w <- w - H(w)^+ grad f(w); gradient descent w <- w - eta grad f(w). Both stop
    early when the squared gradient norm reaches 1e-28 (far below any certification threshold)
    or when |w| exceeds ``opts.escape_radius``.

    Args:
        f: The function of w (2,).
        w0: Start (2,), float64.
        method: ``newton`` or ``gd``.
        opts: Step counts, step size, radius.

    Returns:
        The visited points (T, 2), w0 first.
    """
    if method not in ("newton", "gd"):
        raise ValueError(f"unknown method '{method}' (use newton or gd)")
    steps = opts.newton_steps if method == "newton" else opts.gd_steps
    grad = torch.func.grad(f)
    path = [w0]
    w = w0
    for _ in range(steps):
        g = grad(w)
        if float(g @ g) <= 1e-28 or float(w.norm()) > opts.escape_radius:
            break
        w = newton_step(f, w, opts.pinv_rtol) if method == "newton" else w - opts.learning_rate * g
        if not torch.isfinite(w).all():
            break
        path.append(w)
    return torch.stack(path)


def nearest_known(toy: Toy, w: torch.Tensor) -> tuple[int, float]:
    """Index of the gallery point of ``toy`` nearest to w, and its distance."""
    dist = [float(torch.hypot(w[0] - x, w[1] - y)) for x, y, _ in toy.points]
    best = min(range(len(dist)), key=dist.__getitem__)
    return best, dist[best]


def _start_points(opts: DescentOptions) -> list[tuple[Toy, int, int, torch.Tensor]]:
    """(toy, point index, start index, start) for every start, directions from ``opts.seed``."""
    gen = torch.Generator().manual_seed(opts.seed)
    starts = []
    for toy in GALLERY:
        for p, (x, y, _) in enumerate(toy.points):
            angles = 2 * torch.pi * torch.rand(opts.starts, generator=gen, dtype=torch.float64)
            for s, a in enumerate(angles):
                offset = opts.perturbation * torch.stack([torch.cos(a), torch.sin(a)])
                starts.append((toy, p, s, torch.tensor([x, y], dtype=torch.float64) + offset))
    return starts


def newton_vs_gd(opts: DescentOptions, numerics: Numerics) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run Newton's method and gradient descent from the same starts near every known point.

    A run *returns* when it ends certified critical (squared gradient norm at most
    ``numerics.grad_norm_sq_threshold``), nearer to the known point it started near than to any
    other known point, with that point's known definiteness (at a degenerate point, whose Hessian
    is zero, the end point's Hessian must be zero to within sqrt(grad_norm_sq_threshold): nearby,
    it is small but indefinite). On a
    valley of minima (the flat valley, w1 w2 = 1) the end lies on the valley, not on the sampled
    point. A run *escapes* when it diverges (|w| beyond the radius: the function is unbounded
    below), ends nearer to another known point, or ends more than five perturbation radii away.

    Args:
        opts: Starts, step counts and step size.
        numerics: The certification threshold and the eigenvalue tolerance factor.

    Returns:
        (runs, paths): one row per run, and one row per visited point of every run.
    """
    rows, paths = [], []
    for toy, p, s, w0 in _start_points(opts):
        hess = make_hessian_hvp(toy.f)
        x0, y0, known = toy.points[p]
        for method in ("newton", "gd"):
            path = run_descent(toy.f, w0, method, opts)  # (T, 2)
            start = {
                "function": toy.name,
                "formula": toy.formula,
                "near_x": x0,
                "near_y": y0,
                "near_kind": known,
                "start": s,
                "start_x": float(w0[0]),
                "start_y": float(w0[1]),
                "method": method,
            }
            rows.append({**start, **_end_of_run(toy, p, path, hess, opts, numerics)})
            paths.append(_path_table(toy, x0, y0, s, method, path))
    return pd.DataFrame(rows), pd.concat(paths, ignore_index=True)


def _end_spectrum(hess, end: torch.Tensor, diverged: bool, numerics: Numerics):
    """(eigenvalues [2], definiteness, tolerance) at a run's end; NaN and not computed if unread."""
    if diverged:
        return [math.nan, math.nan], not_computed(2, Status.DIVERGED).definiteness, math.nan
    h = hess(end)
    if not bool(torch.isfinite(h).all()):
        kind = not_computed(2, NotComputed.NON_FINITE_HESSIAN).definiteness
        return [math.nan, math.nan], kind, math.nan
    e = torch.linalg.eigvalsh(h)
    summary = summarize_spectrum(e, numerics.eigen_tolerance_factor)
    return e.tolist(), summary.definiteness, summary.eig_tol


def _end_of_run(
    toy: Toy, p: int, path: torch.Tensor, hess, opts: DescentOptions, numerics: Numerics
) -> dict:
    """The columns of one run from ``steps`` on: its end, status, kind and whether it returned."""
    from landscape.engine.critical import certify

    x0, y0, known = toy.points[p]
    end = path[-1]
    loss = float(toy.f(end))
    gn = float(grad_norm_sq(toy.f, end[None])[0])
    diverged = float(end.norm()) > opts.escape_radius or not math.isfinite(loss + gn)
    status = certify(gn, numerics.grad_norm_sq_threshold, diverged)
    eigs, kind, tol = _end_spectrum(hess, end, diverged, numerics)
    near, _ = nearest_known(toy, end) if not diverged else (-1, math.inf)
    from_start = float(torch.hypot(end[0] - x0, end[1] - y0)) if not diverged else math.inf
    same_kind = kind == known or (
        known == Definiteness.ZERO
        and max(abs(e) for e in eigs) <= math.sqrt(numerics.grad_norm_sq_threshold)
    )
    nearest = toy.points[near] if near >= 0 else (math.nan, math.nan, "")
    return {
        "steps": len(path) - 1,
        "end_x": float(end[0]),
        "end_y": float(end[1]),
        "loss": loss,
        "grad_norm_sq": gn,
        "status": status,
        "end_kind": kind,
        "eigenvalue_1": eigs[0],
        "eigenvalue_2": eigs[1],
        "eig_tol": tol,
        "nearest_x": nearest[0],
        "nearest_y": nearest[1],
        "nearest_kind": nearest[2],
        "distance_from_start_point": from_start,
        "returned": status == Status.CRITICAL and near == p and same_kind,
        "escaped": diverged or near != p or from_start > 5 * opts.perturbation,
    }


def _path_table(toy: Toy, x0: float, y0: float, s: int, method: str, path: torch.Tensor):
    """At most ~200 visited points of one run, one row each."""
    every = max(1, len(path) // 200)
    shown = path[::every]
    return pd.DataFrame(
        {
            "function": toy.name,
            "near_x": x0,
            "near_y": y0,
            "start": s,
            "method": method,
            "step": range(0, len(path), every),
            "x": shown[:, 0].numpy(),
            "y": shown[:, 1].numpy(),
        }
    )
