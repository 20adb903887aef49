"""Training many networks of one architecture at once.

Parameters of K networks are stacked into a (K, P) tensor and every step is one ``torch.func.vmap``
over the per-network gradient, so K networks cost one batched call instead of a Python loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.func import grad_and_value, vmap


@dataclass
class GDOptions:
    """Full-batch gradient descent."""

    learning_rate: float = 0.5  # step size eta in theta <- theta - eta * grad L(theta)
    steps: int = 500  # number of gradient steps
    record_every: int = 10  # record loss and ||grad||^2 every this many steps (and at the end)


@dataclass
class TrainResult:
    """What a batched training run returns.

    Attributes:
        params: Final parameters (K, P).
        steps: Recorded step numbers (T,).
        loss: Loss of each network at each recorded step (T, K), before that step's update.
        grad_norm_sq: Squared gradient norm, same layout as ``loss``.
        diverged: (K,) True where the loss or gradient became non-finite; those networks are
            frozen at the parameters where that first happened.
    """

    params: torch.Tensor
    steps: torch.Tensor
    loss: torch.Tensor
    grad_norm_sq: torch.Tensor
    diverged: torch.Tensor


def train_gd(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    params: torch.Tensor,
    options: GDOptions,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Full-batch gradient descent on a stack of networks.

    Args:
        loss_fn: theta (P,) -> scalar loss, a pure function.
        params: Initial parameters (K, P).
        options: Step size, number of steps, recording interval.
        log: Optional progress callback, called about ten times per run.

    Returns:
        The final parameters and the recorded histories; step ``options.steps`` is always recorded.
    """
    step_fn = vmap(grad_and_value(loss_fn))
    theta = params.clone()
    diverged = torch.zeros(theta.shape[0], dtype=torch.bool, device=theta.device)
    rec_steps, rec_loss, rec_gn = [], [], []
    log_every = max(1, options.steps // 10)
    for step in range(options.steps + 1):
        g, loss = step_fn(theta)  # (K, P), (K,)
        gn = (g * g).sum(dim=1)  # (K,)
        bad = ~(torch.isfinite(loss) & torch.isfinite(gn))
        diverged |= bad
        if step % options.record_every == 0 or step == options.steps:
            rec_steps.append(step)
            rec_loss.append(loss.detach().clone())
            rec_gn.append(gn.detach().clone())
        if log is not None and (step % log_every == 0 or step == options.steps):
            log(f"step {step}/{options.steps}: mean loss {loss[~diverged].mean().item():.6g}")
        if step == options.steps:
            break
        active = (~diverged).unsqueeze(1)  # (K, 1)
        theta = torch.where(active, theta - options.learning_rate * g, theta)
    return TrainResult(
        params=theta,
        steps=torch.tensor(rec_steps),
        loss=torch.stack(rec_loss),
        grad_norm_sq=torch.stack(rec_gn),
        diverged=diverged,
    )
