"""Benchmark: section 4c's J_g step on many tanh networks, against autograd/vmap and its floor.

Pennington & Bahri's phase 2 (Sec. 6.4) is gradient descent on J_g = ||grad L||^2, one step
costing a forward pass, a gradient and a Hessian-vector product per network, each network on its
own data. At n = 16 (their 16-16-16 bias-free tanh network) and m = 2 n / phi data points, for
B networks at once, this prints in one run:

* ``ours``: :func:`landscape.engine.shallow_tanh.grad_norm_sq`, closed forms as batched matrix
  products (the step the pipeline takes);
* ``vmap``: the reference way, ``torch.func.vmap`` of ``grad`` of J_g written with autograd
  (J_g's gradient by double backward) on the same formula of L;
* ``loop``: autograd network by network (``torch.func.grad`` of J_g in a Python loop), the way a
  single-network code would take the step;
* ``floor``: the same batched matrix products as ours (13 of m x n x n multiply-adds each:
  forward 3, gradient 2, HVP 8, on the same shapes) with no elementwise work: the matmul FLOP
  rate of this machine at these shapes;
* the whole case: :func:`landscape.experiments.index_fit.published_runs.published_runs` at the
  default config's settings for one phi (phases 1 and 2, Hessians, index, polish of kept runs).

Ratios: vmap / ours and loop / ours (target >= 5), ours / floor (target <= 2). Times are the
best of 5 (the loop: of 2; the case: one call), float64, this process's threads
(``--threads``, default 1 as a pipeline job), with freed memory kept in the heap as the
pipeline's rule does
(:func:`landscape.engine.device.keep_freed_memory`; ``--fresh-pages`` leaves glibc's default).

Run from the repository root: ``.venv/bin/python bench/published_runs.py [--threads N]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
import torch
from torch.func import grad, vmap

from landscape.base.options import Numerics
from landscape.engine import shallow_tanh
from landscape.engine.device import keep_freed_memory
from landscape.engine.shallow_tanh_search import GradNormDescentOptions, draw_runs
from landscape.experiments.index_fit.published_runs import PublishedRunsOptions, published_runs
from landscape.pipeline.config import load_config

ROOT = Path(__file__).resolve().parents[1]


def _best(fn, repeats: int = 5) -> float:
    """Best seconds of ``repeats`` calls."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _loss(theta, x, y):
    """L of one network (autograd): 1/(2m) ||W2 tanh(W1 X) - Y||^2."""
    n = x.shape[-1]
    w1, w2 = theta[: n * n].view(n, n), theta[n * n :].view(y.shape[-1], n)
    e = torch.tanh(x @ w1.T) @ w2.T - y
    return 0.5 * (e * e).sum() / x.shape[0]


def _j(theta, x, y):
    """J_g = ||grad L||^2 of one network (autograd)."""
    g = grad(_loss)(theta, x, y)
    return (g * g).sum()


def _floor(x, theta, y):
    """The step's 13 batched products on its shapes, nothing else."""
    w1, w2 = shallow_tanh.split(theta, x.shape[-1], y.shape[-1])
    a = x @ w1.mT  # (B, m, n) forward: 3
    e = a @ w2.mT  # (B, m, n_out)
    r = e @ w2  # (B, m, n)
    g2 = e.mT @ a  # (B, n_out, n) gradient: 2
    g1 = r.mT @ x  # (B, n, n0)
    z = x @ g1.mT  # (B, m, n) HVP: 8
    rd = a @ g2.mT
    rd2 = z @ w2.mT
    h2 = rd.mT @ a
    h2b = e.mT @ z
    d1 = rd2 @ w2
    d2 = e @ g2
    h1 = d1.mT @ x
    return h1, h2, h2b, d2


def step_row(runs: int, phi: float, width: int = 16) -> dict:
    """Times of one J_g step of ``runs`` networks at ``phi``, three ways."""
    m = round(2 * width / phi)
    d = draw_runs(width, m, range(runs), seed=1)
    ours = _best(lambda: shallow_tanh.grad_norm_sq(d.theta, d.x, d.y))
    ref = vmap(grad(_j))
    want = ref(d.theta, d.x, d.y)
    got = shallow_tanh.grad_norm_sq(d.theta, d.x, d.y).grad_value
    error = float(((got - want).norm() / want.norm()).item())
    slow = _best(lambda: ref(d.theta, d.x, d.y))
    one = grad(_j)
    loop = _best(lambda: [one(d.theta[b], d.x[b], d.y[b]) for b in range(runs)], repeats=2)
    floor = _best(lambda: _floor(d.x, d.theta, d.y))
    flops = 13 * 2 * runs * m * width * width
    return {
        "runs": runs,
        "phi": phi,
        "m": m,
        "ours_ms": 1e3 * ours,
        "vmap_ms": 1e3 * slow,
        "loop_ms": 1e3 * loop,
        "floor_ms": 1e3 * floor,
        "vmap_over_ours": slow / ours,
        "loop_over_ours": loop / ours,
        "ours_over_floor": ours / floor,
        "floor_gflops": flops / floor / 1e9,
        "us_per_network_step": 1e6 * ours / runs,
        "relative_difference": error,
    }


def case_row(phi: float) -> dict:
    """One phi of the default run's 4c case, end to end."""
    cfg = load_config(ROOT / "config.yaml")["index_fit"]["published"]
    options = PublishedRunsOptions.from_config(cfg)
    search = GradNormDescentOptions.from_config(cfg)
    t0 = time.perf_counter()
    table = published_runs(phi, options, search, Numerics())
    return {
        "phi": phi,
        "runs": len(table),
        "kept": int(table["kept"].sum()),
        "case_s": time.perf_counter() - t0,
    }


def main() -> None:
    """Print and write the step table, then the case's time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-case", action="store_true", help="skip the whole-case timing")
    parser.add_argument(
        "--fresh-pages", action="store_true", help="leave glibc's malloc thresholds as they are"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if not args.fresh_pages:
        print("freed memory kept in the heap (as published_runs_case):", keep_freed_memory())
    rows = [step_row(b, phi) for b in (64, 256) for phi in (0.25, 0.5)]
    steps = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.precision", 3):
        print(steps.to_string(index=False))
    out = ROOT / "results" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    steps.to_csv(out / "published_runs_step.csv", index=False)
    if not args.no_case:
        case = pd.DataFrame([case_row(0.25)])
        print(case.to_string(index=False))
        case.to_csv(out / "published_runs_case.csv", index=False)


if __name__ == "__main__":
    main()
