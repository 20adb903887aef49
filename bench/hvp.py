"""Benchmark: Hessian-vector products of many starts, ours against curvlinops' operator.

At 24 starts of section 4b's problem (digits pooled to 16 inputs, 100 points, tanh, squared
loss; gradient-descent snapshots of held-out seed 100), one product H_s v_s per start:

* ``ours``: ``landscape.engine.critical._Search.batched_hvp``, one double backward through the
  summed loss's gradient graph for all starts (what matrix-free Newton-MR uses).
* ``curvlinops``: ``curvlinops.HessianLinearOperator`` (curvlinops-for-pytorch 3.0.1), one
  operator per start on the equivalent ``nn.Sequential`` (parameters permuted to its layout),
  ``torch.nn.MSELoss()`` (the mean over all n x d_out entries: 2 / d_out times our loss).

Printed per size: milliseconds per 24 products (best of 5) and the relative difference of the
products after the layout permutation and the factor 2 / d_out. curvlinops is not a dependency
of the project: ``pip install curvlinops-for-pytorch`` (it pulls tqdm, einops, einconv and
linear_operator) to run this.

Run from the repository root: ``.venv/bin/python bench/hvp.py``.
"""

from __future__ import annotations

import time

import torch
from torch import nn

from landscape.engine.critical import FinderOptions, _Search
from landscape.engine.data import make_digits
from landscape.engine.models import make_loss
from landscape.experiments.index_vs_loss.index_vs_loss import (
    SearchOptions,
    classifier_problem,
    starting_points,
)


def _best(fn, repeats: int = 5) -> tuple[float, torch.Tensor]:
    """(best seconds of ``repeats`` calls, the last result)."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run_size(hidden: list[int]) -> None:
    """Time both ways on one size and print a line."""
    from curvlinops import HessianLinearOperator

    problem = classifier_problem(make_digits(), 2, 100, hidden, "tanh", "mse", 100)
    starts, _ = starting_points(problem, SearchOptions(networks=8, snapshots=3, seed=100))
    loss = make_loss(problem.model, "mse", problem.x, problem.y)
    ours_op = _Search.build(loss, None, FinderOptions(solver="minres")).batched_hvp(starts)
    targets = nn.functional.one_hot(problem.y, problem.model.widths[-1]).to(torch.float64)

    def torch_layout(theta):  # our [W | b] blocks -> nn.Linear's weight, then bias
        return torch.cat([t for w, b in problem.model.unflatten(theta) for t in (w.reshape(-1), b)])

    ops = []
    for theta in starts:
        widths = problem.model.widths
        layers = [
            m
            for a, b in zip(widths[:-1], widths[1:], strict=True)
            for m in (nn.Linear(a, b).double(), nn.Tanh())
        ][:-1]
        net = nn.Sequential(*layers)
        nn.utils.vector_to_parameters(torch_layout(theta), net.parameters())
        data = [(problem.x, targets)]
        ops.append(
            HessianLinearOperator(
                net, nn.MSELoss(), list(net.parameters()), data, check_deterministic=False
            )
        )
    v = torch.randn(starts.shape, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    t_ours, ours = _best(lambda: ours_op(v))
    t_them, theirs = _best(
        lambda: torch.stack([op @ torch_layout(vs) for op, vs in zip(ops, v, strict=True)])
    )
    want = torch.stack([torch_layout(h) for h in ours]) * 2 / problem.model.widths[-1]
    diff = float((theirs - want).norm() / want.norm())
    print(
        f"P = {starts.shape[1]:5d}, S = {len(starts)}: ours {1e3 * t_ours:.1f} ms, curvlinops "
        f"{1e3 * t_them:.1f} ms ({t_them / t_ours:.1f}x); relative difference {diff:.1e}",
        flush=True,
    )


def main() -> None:
    """Three sizes, one line each."""
    try:
        import curvlinops  # noqa: F401
    except ImportError as exc:
        raise SystemExit(
            "bench/hvp.py needs curvlinops: pip install curvlinops-for-pytorch"
        ) from exc
    torch.set_num_threads(1)
    for hidden in ([4], [40], [64, 64]):
        run_size(hidden)


if __name__ == "__main__":
    main()
