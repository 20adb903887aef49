"""Benchmark: K networks trained at once against a plain per-network loop.

Both train the same networks from the same initialisations with full-batch gradient descent in
float64, in the same run; the batched result must equal the loop's. "Batched" is
:func:`landscape.engine.train.train` with the gradient path the pipeline picks
(:func:`landscape.engine.train.choose_value_and_grad`: hand-written batched back-propagation for
small MLPs, vmap over autograd otherwise); ``handwritten_seconds`` and ``vmap_seconds`` time both
paths. Writes ``results/bench/train.csv`` with the columns ``case, networks, steps, loop_seconds,
batched_seconds, ratio`` (loop / batched), then the achieved GFLOP/s of the batched run beside a
bare batched matrix product of the same total size, and the largest parameter difference from the
loop.

Usage: ``.venv/bin/python bench/train.py [--steps 500] [--networks 64] [--device cuda]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
import torch

from landscape.base.io import write_table
from landscape.engine.data import make_digits
from landscape.engine.models import MLP, init_params, make_loss
from landscape.engine.train import (
    TrainOptions,
    choose_value_and_grad,
    make_mlp_value_and_grad,
    train,
)

OUT = Path("results/bench/train.csv")


def loop_train(loss_fn, theta0: torch.Tensor, lr: float, steps: int) -> torch.Tensor:
    """The reference way: one network at a time, autograd, a Python loop over steps."""
    finals = []
    for theta in theta0:
        theta = theta.clone().requires_grad_(True)
        for _ in range(steps):
            (g,) = torch.autograd.grad(loss_fn(theta), theta)
            with torch.no_grad():
                theta -= lr * g
        finals.append(theta.detach())
    return torch.stack(finals)


def step_flops(model: MLP, n: int) -> float:
    """Multiply-add FLOPs of one gradient step of one network: forward 2nW, backward 4nW."""
    weights = sum(o * i for o, i in model.layer_shapes)
    return 6.0 * n * weights


def _sync(device: torch.device) -> None:
    """Wait for queued CUDA work, so that wall-clock times are honest."""
    if device.type == "cuda":
        torch.cuda.synchronize()


def bare_matmul_gflops(
    k: int, n: int, d_in: int, width: int, repeats: int, device: torch.device
) -> float:
    """GFLOP/s of a batched product (K, n, d_in) @ (K, d_in, width), the first layer's shape."""
    a = torch.randn(k, n, d_in, dtype=torch.float64, device=device)
    b = torch.randn(k, d_in, width, dtype=torch.float64, device=device)
    torch.bmm(a, b)
    _sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        torch.bmm(a, b)
    _sync(device)
    seconds = time.perf_counter() - start
    return 2.0 * k * n * d_in * width * repeats / seconds / 1e9


def run_case(name: str, model: MLP, x, y, k: int, steps: int, lr: float) -> dict:
    """Time the loop and the batched run on one case and check that they agree."""
    device = x.device
    loss_fn = make_loss(model, "cross_entropy", x, y)
    theta0 = torch.stack([init_params(model, s) for s in range(k)]).to(device)  # (K, P)
    _sync(device)
    start = time.perf_counter()
    looped = loop_train(loss_fn, theta0, lr, steps)
    _sync(device)
    loop_seconds = time.perf_counter() - start
    opts = TrainOptions("gd", learning_rate=lr, steps=steps, record_every=max(1, steps // 10))
    chosen = choose_value_and_grad(model, "cross_entropy", x, y)
    start = time.perf_counter()
    batched = train(loss_fn, theta0, opts, value_and_grad=chosen).params
    _sync(device)
    batched_seconds = time.perf_counter() - start
    hand = make_mlp_value_and_grad(model, "cross_entropy", x, y)
    start = time.perf_counter()
    handwritten = train(loss_fn, theta0, opts, value_and_grad=hand).params
    _sync(device)
    handwritten_seconds = time.perf_counter() - start
    start = time.perf_counter()
    vmapped = train(loss_fn, theta0, opts).params
    _sync(device)
    vmap_seconds = time.perf_counter() - start
    flops = step_flops(model, len(x)) * k * steps
    return {
        "case": name,
        "networks": k,
        "steps": steps,
        "loop_seconds": loop_seconds,
        "batched_seconds": batched_seconds,
        "ratio": loop_seconds / batched_seconds,
        "path": "handwritten" if chosen is not None else "vmap",
        "handwritten_seconds": handwritten_seconds,
        "vmap_seconds": vmap_seconds,
        "vmap_ratio": loop_seconds / vmap_seconds,
        "n_params": model.n_params,
        "samples": len(x),
        "gflops_batched": flops / batched_seconds / 1e9,
        "gflops_loop": flops / loop_seconds / 1e9,
        "gflops_bare_matmul": bare_matmul_gflops(
            k, len(x), model.widths[0], model.widths[1], 50, device
        ),
        "max_abs_diff": float((looped - batched).abs().max()),
        "max_abs_diff_handwritten": float((looped - handwritten).abs().max()),
        "max_abs_diff_vmap": float((looped - vmapped).abs().max()),
        "threads": torch.get_num_threads(),
        "device": str(device),
    }


def main() -> None:
    """Run both cases and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--networks", type=int, default=64)
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--out", type=Path, default=OUT, help="CSV destination")
    args = parser.parse_args()
    device = torch.device(args.device)
    gen = torch.Generator().manual_seed(0)
    x_small = torch.randn(128, 16, dtype=torch.float64, generator=gen).to(device)
    y_small = torch.randint(0, 4, (128,), generator=gen).to(device)
    digits = make_digits(test_fraction=0.0)
    x_dig = torch.as_tensor(digits.x_train).to(device)
    y_dig = torch.as_tensor(digits.y_train).to(device)
    rows = [
        run_case("small", MLP((16, 16, 4)), x_small, y_small, args.networks, args.steps, 0.5),
        run_case("digits", MLP((64, 32, 10)), x_dig, y_dig, args.networks, args.steps, 0.5),
    ]
    table = pd.DataFrame(rows)
    write_table(table, args.out)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(4).to_string(index=False))
    small, dig = rows
    print(
        f"small: batched ({small['path']}) {small['ratio']:.1f}x faster than the loop (target >= 5)"
    )
    print(
        f"digits: batched ({dig['path']}) {dig['ratio']:.2f}x the loop's speed (target >= 1); "
        f"{dig['gflops_batched']:.1f} GFLOP/s vs a bare matmul {dig['gflops_bare_matmul']:.1f}"
    )
    print(f"on {device}; wrote {args.out}")


if __name__ == "__main__":
    main()
