"""Benchmark: certified critical points per minute, dense-eigh Newton-MR against matrix-free.

Three sizes of the section 4b problem (digits pooled to 16 inputs, 100 training points, tanh,
squared loss on one-hot targets,
``landscape.experiments.index_vs_loss.index_vs_loss.classifier_problem``): hidden
[4] (P = 118, today's 4b), [40] (P = 1,090, the default run's scale case) and [64, 64]
(P = 5,898, the paper config's). Starts: snapshots of gradient-descent trajectories spaced
evenly in loss (``starting_points``), from seeds held out from every config (``--seed 100``).

Both methods run ``find_critical_points(..., "newton_mr")`` from the same starts, with the
same certification (||g||^2 <= 1e-10, polish, Frye's residual, the derived tolerance):

* ``dense``: ``solver="eigh"``, the exact Hessian and its eigendecomposition at every iteration.
* ``matrix_free``: ``solver="minres"``, MINRES-QLP on Hessian-vector products
  (``landscape/engine/krylov.py``), never forming H; Krylov dimension at most ``--minres-maxiter``.

Each method gets ``--iterations`` Newton iterations, except where one dense iteration of every
start would exceed the size's time budget (``--budget``): there it gets as many as fit, as
estimated from one eigendecomposition timed first (said in ``note``). A rate is certified points
per minute of the whole call (search, polish and certification); ``ratio`` is matrix-free over
dense. When dense certifies none, the ratio is a lower bound against 1 point in its time.

Writes ``results/bench/critical_<device>.csv``. Run from the repository root:
``.venv/bin/python bench/critical.py [--sizes 4 40 64,64]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
import torch

from landscape.base.options import Numerics
from landscape.engine.critical import FinderOptions, Status, find_critical_points
from landscape.engine.curvature import DEFAULT_CURVATURE
from landscape.engine.data import make_digits
from landscape.engine.models import make_loss
from landscape.experiments.index_vs_loss.index_vs_loss import (
    SearchOptions,
    classifier_problem,
    starting_points,
)

BUDGET = {"4": 300.0, "40": 600.0, "64,64": 900.0}  # seconds per method and size


def _problem(hidden: list[int], args):
    """(loss_fn, hessian_fn, starts (S, P)) of one size."""
    problem = classifier_problem(make_digits(), 2, 100, hidden, "tanh", "mse", args.seed)
    problem = problem.to(args.device)
    opts = SearchOptions(networks=args.networks, snapshots=args.snapshots, seed=args.seed)
    starts, _ = starting_points(problem, opts)
    loss = make_loss(problem.model, "mse", problem.x, problem.y)
    return loss, DEFAULT_CURVATURE.hessian(problem.model, "mse", problem.x, problem.y), starts


def _dense_iterations(hess, starts, wanted: int, budget: float) -> tuple[int, str]:
    """Iterations of dense Newton-MR that fit the budget: one eigh per start per iteration."""
    t0 = time.perf_counter()
    torch.linalg.eigh(hess(starts[0]))
    per_iteration = (time.perf_counter() - t0) * len(starts)
    fit = int(budget // max(per_iteration, 1e-9))
    if fit >= wanted:
        return wanted, ""
    fit = max(fit, 1)
    return (
        fit,
        f"dense: {fit} iterations fit the {budget:.0f}-s budget ({per_iteration:.1f} s each)",
    )


def run_size(hidden: list[int], args) -> list[dict]:
    """Both methods on one size; one row each."""
    loss, hess, starts = _problem(hidden, args)
    p = starts.shape[1]
    budget = BUDGET.get(",".join(map(str, hidden)), 600.0)
    dense_iters, note = _dense_iterations(hess, starts, args.iterations, budget)
    rows = []
    for method, solver, iters in (
        ("dense", "eigh", dense_iters),
        ("matrix_free", "minres", args.iterations),
    ):
        opts = FinderOptions.from_numerics(
            Numerics(),
            max_iter=iters,
            pinv_rtol=args.pinv_rtol,
            solver=solver,
            minres_maxiter=args.minres_maxiter,
        )
        t0 = time.perf_counter()
        res = find_critical_points(loss, hess, starts, "newton_mr", opts)
        seconds = time.perf_counter() - t0
        certified = res.status.count(Status.CRITICAL)
        rows.append(
            {
                "n_params": p,
                "method": method,
                "starts": len(starts),
                "iterations": iters,
                "certified": certified,
                "seconds": seconds,
                "per_minute": 60 * certified / seconds,
                "median_grad_norm_sq": float(res.grad_norm_sq.median()),
                "note": note if method == "dense" else "",
            }
        )
        print(
            f"P = {p}: {method}: {certified} of {len(starts)} certified in {seconds:.0f} s "
            f"({iters} iterations)",
            flush=True,
        )
    return rows


def main() -> None:
    """Run every size, print the rates and ratios, write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["4", "40", "64,64"])
    parser.add_argument("--networks", type=int, default=4)
    parser.add_argument("--snapshots", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--minres-maxiter", type=int, default=100)
    parser.add_argument("--pinv-rtol", type=float, default=1e-10)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="cpu or cuda (gpu.sh)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = [row for size in args.sizes for row in run_size([int(h) for h in size.split(",")], args)]
    table = pd.DataFrame(rows)
    dense = table[table["method"] == "dense"].set_index("n_params")
    free = table[table["method"] == "matrix_free"].set_index("n_params")
    out = Path("results/bench")
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / f"critical_{args.device}.csv", index=False)
    print(f"\ncertified critical points per minute ({args.device}, {args.threads} thread(s)):")
    for p in free.index:
        d, f = dense.loc[p], free.loc[p]
        if d["certified"]:
            ratio = f"{f['per_minute'] / d['per_minute']:.1f}x"
        else:
            ratio = f">= {f['certified'] * d['seconds'] / f['seconds']:.1f}x (dense: none)"
        print(
            f"  P = {p:5d}: dense {d['per_minute']:.2f} ({d['certified']}/{d['starts']} in "
            f"{d['seconds']:.0f} s, {d['iterations']} it.), matrix-free {f['per_minute']:.2f} "
            f"({f['certified']}/{f['starts']} in {f['seconds']:.0f} s): ratio {ratio}"
            + (f"; {d['note']}" if d["note"] else "")
        )


if __name__ == "__main__":
    main()
