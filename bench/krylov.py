"""Benchmark: the Newton-MR solve of many starts, our batched MINRES-QLP against scipy's MINRES.

At the starts of section 4b's problem (digits pooled to 16 inputs, 100 points, tanh, squared
loss; snapshots of gradient descent, seed 100, held out from every config), one Newton-MR
system H_s p = g_s per start s, solved with a Krylov dimension of at most ``--maxiter``:

* ``ours``: ``landscape.engine.krylov.minres_qlp`` on all S starts at once, its operator one double
  backward per product for every start (``landscape.engine.critical._Search.batched_hvp``).
* ``scipy``: ``scipy.sparse.linalg.minres`` start by start (the well-kept library way, and this
  project's previous solver), its ``LinearOperator`` one start's HVP by the same double backward.

Printed per size: seconds for all S solves, the ratio scipy / ours, and the relative residuals
||H p - g|| / ||g|| of both (median over starts). scipy's MINRES returns a least-squares solution
that need not be the minimum-length one (the tests show it); ours is MINRES-QLP's.

Run from the repository root: ``.venv/bin/python bench/krylov.py [--sizes 4 40 64,64]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from scipy.sparse.linalg import LinearOperator, minres

from landscape.engine.critical import FinderOptions, _Search
from landscape.engine.data import make_digits
from landscape.engine.krylov import minres_qlp
from landscape.engine.models import make_loss
from landscape.experiments.index_vs_loss.index_vs_loss import (
    SearchOptions,
    classifier_problem,
    starting_points,
)


def _scipy_solves(ctx: _Search, theta, g, maxiter: int) -> torch.Tensor:
    """Solve with scipy's MINRES, one start at a time, on one start's HVP operator."""
    out = torch.zeros_like(theta)
    n = theta.shape[1]
    for s in range(theta.shape[0]):
        op = ctx.batched_hvp(theta[s : s + 1])

        def matvec(v, op=op):
            return op(torch.as_tensor(np.asarray(v).reshape(1, -1)))[0].numpy()

        sol, _ = minres(
            LinearOperator((n, n), matvec=matvec, dtype=np.float64),
            g[s].numpy(),
            maxiter=maxiter,
            rtol=1e-8,
        )
        out[s] = torch.as_tensor(sol)
    return out


def run_size(hidden: list[int], args) -> None:
    """Time both ways on one size and print a line."""
    problem = classifier_problem(make_digits(), 2, 100, hidden, "tanh", "mse", args.seed)
    starts, _ = starting_points(
        problem, SearchOptions(networks=args.networks, snapshots=3, seed=args.seed)
    )
    loss = make_loss(problem.model, "mse", problem.x, problem.y)
    ctx = _Search.build(loss, None, FinderOptions(solver="minres"))
    g = ctx.grads(starts)  # (S, P)
    t0 = time.perf_counter()
    ours = minres_qlp(
        ctx.batched_hvp(starts), g, rtol=1e-8, rank_rtol=1e-10, maxiter=args.maxiter
    ).x
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = _scipy_solves(ctx, starts, g, args.maxiter)
    t_scipy = time.perf_counter() - t0
    op = ctx.batched_hvp(starts)

    def residual(p):
        return float(((op(p) - g).norm(dim=-1) / g.norm(dim=-1)).median())

    p = starts.shape[1]
    print(
        f"P = {p:5d}, S = {len(starts)}: ours {t_ours:.2f} s, scipy {t_scipy:.2f} s "
        f"(scipy / ours {t_scipy / t_ours:.1f}x); median relative residual ours "
        f"{residual(ours):.2e}, scipy {residual(theirs):.2e}",
        flush=True,
    )


def main() -> None:
    """Every size, one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["4", "40", "64,64"])
    parser.add_argument("--networks", type=int, default=8)
    parser.add_argument("--maxiter", type=int, default=50)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for size in args.sizes:
        run_size([int(h) for h in size.split(",")], args)


if __name__ == "__main__":
    main()
