"""Benchmark: the census's step against today's torch step and against the step's floor.

One CPU core (BLAS, torch and Numba held to one thread). In one run it measures:

1. **The step**, F and grad F of R students at k = n (and n = k + 1):
   :func:`landscape.engine.census_step.value_and_grad` (ours, fused) against
   :func:`landscape.experiments.relu_spurious.relu.population_value_and_grad` (the torch step the
   census used
   before, still the reference and the GPU path). Median of interleaved repeats; the two agree to
   1e-12 (checked here too).
2. **The floor** of that step on this machine: its kernel evaluations, each at the throughput a
   bare kernel reaches here. The step evaluates the kernel at the n (n + k) entries of each run
   (n^2 student pairs, the diagonal included, and n k student-teacher pairs: 800,000 entries for
   1,000 runs at n = k = 20); each entry needs one ``arccos``, one ``sqrt``, a dot product of
   length d (2 d flops) and 2 d flops of sum_l (pi - t_jl) u_l. A stricter floor counts only the
   distinct pairs, P = n (n - 1) / 2 + n k (student pairs are symmetric, the diagonal is known),
   with 2 d flops of the accumulation per ordered pair: ``floor_distinct``. The rates: NumPy's
   vectorised ``arccos`` and a Numba ``sqrt`` loop on a cache-resident array, and a 512 x 512
   float64 matrix product (BLAS) for the flops. Memory traffic, the O(R n d) terms and the
   clipping are left out, so each floor is a lower bound.
3. **The whole case** k = n = 20 with 1,000 runs (the census's largest published case), from the
   starts to the certified table, timed end to end (``--no-case`` skips it; ``--case-runs``
   shrinks it).

Writes ``results/bench/census.csv`` (one row per measurement) and prints the ratios.

Usage: ``.venv/bin/python bench/census.py [--runs 1000] [--case-runs 1000] [--no-case]``
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"  # one core, before NumPy, torch and Numba start their pools

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from landscape.base.io import write_table  # noqa: E402
from landscape.base.options import Numerics  # noqa: E402
from landscape.engine import census_step  # noqa: E402
from landscape.experiments.relu_spurious.relu import (  # noqa: E402
    CensusOptions,
    census_case,
    initial_weights,
    population_value_and_grad,
    teacher,
)

OUT = Path("results/bench/census.csv")


def median_seconds(fn, repeats: int, inner: int = 1) -> float:
    """Median over ``repeats`` of the mean time of ``inner`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - start) / inner)
    return statistics.median(times)


@numba.njit(cache=True)
def _bare_sqrt(x, out):  # pragma: no cover - compiled
    for i in range(x.shape[0]):
        out[i] = np.sqrt(x[i])


def rates() -> dict[str, float]:
    """Seconds per arccos and per sqrt (cache-resident), and flops per second of a float64 GEMM."""
    x = np.random.default_rng(0).uniform(-1, 1, 8192)
    out = np.empty_like(x)
    acos = median_seconds(lambda: np.arccos(x, out=out), 15, 200) / x.size
    sq = np.abs(x)
    sqrt = median_seconds(lambda: _bare_sqrt(sq, out), 15, 200) / x.size
    a = np.random.default_rng(1).standard_normal((512, 512))
    gemm = 2 * 512**3 / median_seconds(lambda: a @ a, 9, 3)
    return {"arccos_s": acos, "sqrt_s": sqrt, "gemm_flops": gemm}


def floor_seconds(runs: int, k: int, n: int, r: dict[str, float], distinct: bool = False) -> float:
    """The step's floor at the measured rates (module docstring); d = k.

    ``distinct``: count each student pair once (and no diagonal) instead of the step's n (n + k)
    kernel entries per run.
    """
    entries = n * (n - 1) // 2 + n * k if distinct else n * (n + k)
    accumulate = n * (n - 1) + n * k if distinct else n * (n + k)  # terms of sum_l (pi - t) u_l
    flops = 2 * k * entries + 2 * k * accumulate
    return runs * (entries * (r["arccos_s"] + r["sqrt_s"]) + flops / r["gemm_flops"])


def step_rows(runs: int, shapes, r: dict[str, float], repeats: int) -> list[dict]:
    """Ours against today's torch step and the floor, for each (k, n)."""
    rows = []
    for k, n in shapes:
        v, w = teacher(k), initial_weights(k, n, runs, seed=0)
        v_np, w_np = v.numpy(), w.numpy()
        constant = census_step.teacher_constant(v_np)
        f_ref, g_ref = population_value_and_grad(w, v)
        f, g = census_step.value_and_grad(w_np, v_np, constant)
        diff = max(np.abs(f - f_ref.numpy()).max(), np.abs(g - g_ref.numpy()).max())
        assert diff < 1e-10, f"the fused step differs from the reference by {diff:.1e}"

        def step_today(w=w, v=v):
            return population_value_and_grad(w, v)

        def step_ours(w=w_np, v=v_np, constant=constant):
            return census_step.value_and_grad(w, v, constant)

        today, ours = [], []
        for _ in range(repeats):  # interleaved, so that drifts hit both
            today.append(median_seconds(step_today, 1, 3))
            ours.append(median_seconds(step_ours, 1, 3))
        t_today, t_ours = statistics.median(today), statistics.median(ours)
        floor = floor_seconds(runs, k, n, r)
        strict = floor_seconds(runs, k, n, r, distinct=True)
        rows.append(
            {
                "measurement": "step",
                "runs": runs,
                "k": k,
                "n": n,
                "today_ms": 1e3 * t_today,
                "ours_ms": 1e3 * t_ours,
                "floor_ms": 1e3 * floor,
                "floor_distinct_ms": 1e3 * strict,
                "speedup": t_today / t_ours,
                "over_floor": t_ours / floor,
                "over_floor_distinct": t_ours / strict,
                "max_abs_diff": float(diff),
            }
        )
        print(
            f"k = {k}, n = {n}, {runs} runs: today {1e3 * t_today:.2f} ms, ours "
            f"{1e3 * t_ours:.2f} ms ({t_today / t_ours:.1f}x faster; target >= 5); floor "
            f"{1e3 * floor:.2f} ms (ours {t_ours / floor:.2f}x it; target <= 2), distinct-pair "
            f"floor {1e3 * strict:.2f} ms (ours {t_ours / strict:.2f}x); max |diff| {diff:.1e}",
            flush=True,
        )
    return rows


def case_row(runs: int) -> dict:
    """The k = n = 20 case end to end: descent, polish, certification."""
    start = time.perf_counter()
    summary, _ = census_case(
        20,
        20,
        CensusOptions(runs=runs),
        Numerics(),
        log=lambda m: print(f"  {time.perf_counter() - start:7.1f} s {m}", flush=True),
    )
    seconds = time.perf_counter() - start
    print(
        f"whole case k = n = 20, {runs} runs: {seconds:.0f} s ({seconds / 60:.1f} min; target "
        f"< 10 min); {summary['certified']} certified spurious minima",
        flush=True,
    )
    return {
        "measurement": "case",
        "runs": runs,
        "k": 20,
        "n": 20,
        "ours_ms": 1e3 * seconds,
        "certified": summary["certified"],
    }


def main() -> None:
    """Measure and print; see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=1000, help="students per step (default 1000)")
    ap.add_argument("--repeats", type=int, default=15, help="interleaved timings (default 15)")
    ap.add_argument("--case-runs", type=int, default=1000, help="runs of the whole case")
    ap.add_argument("--no-case", action="store_true", help="skip the whole k = n = 20 case")
    ap.add_argument("--out", type=Path, default=OUT, help="CSV destination")
    args = ap.parse_args()
    torch.set_num_threads(1)
    r = rates()
    print(
        f"one core; arccos {1e9 * r['arccos_s']:.2f} ns, sqrt {1e9 * r['sqrt_s']:.2f} ns "
        f"(cache-resident), GEMM {r['gemm_flops'] / 1e9:.1f} GFLOP/s",
        flush=True,
    )
    rows = step_rows(args.runs, [(20, 20), (20, 21), (14, 14)], r, args.repeats)
    if not args.no_case:
        rows.append(case_row(args.case_runs))
    table = pd.DataFrame(rows)
    for key, value in r.items():
        table[key] = value
    write_table(table, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
