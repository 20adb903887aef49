"""Pennington & Bahri (2017)'s critical-point search, run on many tanh networks at once.

Their procedure (Sec. 6.4, pp.7-8), per run: draw the data and targets anew from N(0, 1); train
"with standard gradient descent until the loss reaches a random value between 0 and the initial
loss"; then minimise "J_g = |grad_theta L|^2" by gradient descent; "discard any run for which
the final J_g > 10^-6"; otherwise record the energy eps = L / n and the index. L is their eq. 2,
1/(2m) sum e^2 (:mod:`landscape.engine.shallow_tanh`), so the cutoff is on ||grad L||^2, not on
||grad eps||^2 = ||grad L||^2 / n^2.

Here B runs are one batched computation: :func:`draw_runs` draws each run's data, start and
level from its own generator (seeded by the options' seed and the run's number, so a run is the
same whichever batch or shard holds it), and :func:`grad_norm_descent` runs both phases with the
closed forms of :mod:`landscape.engine.shallow_tanh`. A run stops a phase on its own (its
parameters are frozen while the others go on); the batch stops when every run has stopped.
Reading the index (the Hessian's eigenvalues) is left to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from landscape.base.options import FromConfig
from landscape.engine import shallow_tanh


@dataclass(frozen=True)
class GradNormDescentOptions(FromConfig):
    """Settings of the two-phase search; each says whose it is.

    P&B state the two phases, the level and the cutoff (Sec. 6.4, pp.7-8) and nothing about the
    optimisers: step sizes, budgets and the initialisation are ours, to be chosen on held-out
    seeds by the fraction of runs that reach the cutoff, before any fit is seen.
    """

    loss_step: float = 0.1  # ours: GD step on L ("standard gradient descent", value not stated)
    loss_budget: int = 10_000  # ours: most GD steps on L; a run out of steps goes on to phase 2
    gnm_step: float = 0.01  # ours: GD step on J_g ("gradient descent on J_g", value not stated)
    gnm_budget: int = 10_000  # ours: most GD steps on J_g (not stated)
    cutoff: float = 1e-6  # theirs (Sec. 6.4, p.8): keep a run iff its final ||grad L||^2 <= this
    # Ours: a run stops once ||grad L||^2 <= stop_at. P&B say only that runs whose *final* J_g
    # exceeds the cutoff are discarded; 0 runs every run to the budget (then filter by cutoff).
    stop_at: float = 1e-6
    seed: int = 0  # ours: run k draws from the generator seeded by (seed, k)


@dataclass(frozen=True)
class Runs:
    """The draws of B runs: data, targets, start and the uniform draw that sets the level."""

    ids: torch.Tensor  # (B,) int64 run numbers
    x: torch.Tensor  # (B, m, n) inputs, N(0, 1) (P&B Sec. 6.4)
    y: torch.Tensor  # (B, m, n) targets, N(0, 1) (P&B Sec. 6.4)
    theta: torch.Tensor  # (B, P) start: LeCun normal, W ~ N(0, 1 / fan_in) (ours; not stated)
    u: torch.Tensor  # (B,) U(0, 1): the level is u L0 (P&B: "a random value between 0 and L0")


def run_seed(seed: int, run: int) -> int:
    """The seed of run ``run``'s own generator (a hash of both numbers: no overlap across seeds)."""
    return int(np.random.SeedSequence([int(seed), int(run)]).generate_state(1, np.uint64)[0])


def draw_runs(
    width: int,
    samples: int,
    ids: range | list[int],
    seed: int,
    device: str | torch.device = "cpu",
) -> Runs:
    """Each run's data, targets, start and level draw, in float64, from its own generator.

    Args:
        width: n: inputs, hidden units and outputs (P&B: 16), so P = 2 n^2.
        samples: m; P&B's ratio is phi = 2 n / m (Sec. 2, p.2).
        ids: The run numbers.
        seed: The options' seed.
        device: Where the tensors go (drawn on the CPU: the same runs on every device).
    """
    parts: list[list[torch.Tensor]] = [[], [], [], []]
    for run in ids:
        gen = torch.Generator().manual_seed(run_seed(seed, run))
        draw = [
            torch.randn(samples, width, generator=gen, dtype=torch.float64),  # (m, n) x
            torch.randn(samples, width, generator=gen, dtype=torch.float64),  # (m, n) y
            # (P,) theta: LeCun normal, both layers have fan-in n
            torch.randn(2 * width * width, generator=gen, dtype=torch.float64) / width**0.5,
            torch.rand((), generator=gen, dtype=torch.float64),  # () u
        ]
        for part, t in zip(parts, draw, strict=True):
            part.append(t)
    x, y, theta, u = (torch.stack(p).to(device) for p in parts)
    return Runs(torch.as_tensor(list(ids), dtype=torch.int64, device=device), x, y, theta, u)


@dataclass(frozen=True)
class SearchResult:
    """Where each of B runs ended, and how."""

    theta: torch.Tensor  # (B, P) final parameters
    loss: torch.Tensor  # (B,) final L (P&B's energy is L / n)
    grad_norm_sq: torch.Tensor  # (B,) final J_g = ||grad L||^2
    initial_loss: torch.Tensor  # (B,) L0
    level: torch.Tensor  # (B,) u L0, the loss at which phase 1 stops
    loss_steps: torch.Tensor  # (B,) int64 GD steps on L
    gnm_steps: torch.Tensor  # (B,) int64 GD steps on J_g
    reached_level: torch.Tensor  # (B,) bool: phase 1 reached the level within its budget
    reached_cutoff: torch.Tensor  # (B,) bool: final J_g <= cutoff (P&B keep these)
    diverged: torch.Tensor  # (B,) bool: the loss or J_g became non-finite


def descend_loss(
    runs: Runs, theta: torch.Tensor, level: torch.Tensor, step: float, budget: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Phase 1: GD on L, each run until its loss is <= its level or ``budget`` steps.

    Returns:
        (theta (B, P), steps (B,), reached (B,) bool, diverged (B,) bool).
    """
    steps = torch.zeros(len(level), dtype=torch.int64, device=theta.device)  # (B,)
    for k in range(budget + 1):
        fwd = shallow_tanh.forward(theta, runs.x, runs.y)
        finite = torch.isfinite(fwd.loss)  # (B,)
        active = finite & (fwd.loss > level)  # (B,)
        if k == budget or not bool(active.any()):
            break
        g = shallow_tanh.gradient(fwd, runs.x)  # (B, P)
        theta = torch.where(active[:, None], theta - step * g, theta)  # (B, P)
        steps += active
    return theta, steps, finite & (fwd.loss <= level), ~finite


def descend_grad_norm(
    runs: Runs, theta: torch.Tensor, options: GradNormDescentOptions
) -> tuple[torch.Tensor, shallow_tanh.GradNormSq, torch.Tensor]:
    """Phase 2: GD on J_g = ||grad L||^2, each run until J_g <= stop_at or the budget.

    Returns:
        (theta (B, P), J_g and its parts at theta, steps (B,) int64).
    """
    steps = torch.zeros(theta.shape[0], dtype=torch.int64, device=theta.device)  # (B,)
    for k in range(options.gnm_budget + 1):
        jg = shallow_tanh.grad_norm_sq(theta, runs.x, runs.y)
        finite = torch.isfinite(jg.value) & torch.isfinite(jg.loss)  # (B,)
        active = finite & (jg.value > options.stop_at)  # (B,)
        if k == options.gnm_budget or not bool(active.any()):
            break
        theta = torch.where(active[:, None], theta - options.gnm_step * jg.grad_value, theta)
        steps += active
    return theta, jg, steps


def grad_norm_descent(runs: Runs, options: GradNormDescentOptions) -> SearchResult:
    """P&B's search on every run: GD on L to the run's level, then GD on J_g (module docstring).

    A run whose phase 1 ends out of budget above its level goes on to phase 2 all the same
    (ours: P&B do not say); one that diverged in phase 1 is not moved further.
    """
    initial = shallow_tanh.loss(runs.theta, runs.x, runs.y)  # (B,)
    level = runs.u * initial  # (B,)
    theta, loss_steps, reached_level, diverged = descend_loss(
        runs, runs.theta, level, options.loss_step, options.loss_budget
    )
    theta, jg, gnm_steps = descend_grad_norm(runs, theta, options)
    diverged = diverged | ~torch.isfinite(jg.value) | ~torch.isfinite(jg.loss)
    return SearchResult(
        theta=theta,
        loss=jg.loss,
        grad_norm_sq=jg.value,
        initial_loss=initial,
        level=level,
        loss_steps=loss_steps,
        gnm_steps=gnm_steps,
        reached_level=reached_level,
        reached_cutoff=~diverged & (jg.value <= options.cutoff),
        diverged=diverged,
    )
