"""Non-convexity from symmetry: permuted twins of a network and the straight path between them.

Permuting the hidden units of a layer maps a network to a different parameter vector computing
the same function, so every minimum comes with at least prod_i h_i! equivalent copies (h_i the
hidden widths). The loss along the segment (1 - t) theta + t pi(theta) is equal at both ends; where
it rises above them the loss cannot be convex (Goodfellow, Bengio & Courville 2016, Sec. 8.2.2).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.func import vmap

from landscape.base.options import FromConfig
from landscape.engine.models import MLP


@dataclass(frozen=True)
class SymmetryOptions(FromConfig):
    """The config's ``symmetry`` section (section 0; its schema documents every key)."""

    datasets: tuple[str, ...] = ("digits", "mnist1d")
    networks: int = 3
    hidden: tuple[int, ...] = (16,)
    activation: str = "tanh"
    loss: str = "cross_entropy"
    learning_rate: float = 0.5
    steps: int = 300
    permutations: int = 2
    path_points: int = 41
    seed: int = 0


def equivalent_minima(hidden: list[int]) -> int:
    """prod_i h_i!: the copies of a minimum that hidden-unit permutations guarantee (at least)."""
    return math.prod(math.factorial(h) for h in hidden)


def path_losses(
    loss_fn: Callable[[torch.Tensor], torch.Tensor], a: torch.Tensor, b: torch.Tensor, points: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """The loss along the straight segment from a to b, all points at once.

    Returns:
        (t (points,), loss (points,)) with t evenly spaced in [0, 1].
    """
    t = torch.linspace(0.0, 1.0, points, dtype=a.dtype, device=a.device)
    thetas = (1 - t)[:, None] * a[None] + t[:, None] * b[None]  # (points, P)
    return t, vmap(loss_fn)(thetas)


def barrier(losses: torch.Tensor) -> float:
    """Height of the path's highest point above the higher of its two ends."""
    return float(losses.max() - torch.maximum(losses[0], losses[-1]))


def run_symmetry(opts: SymmetryOptions, datasets: dict, log: Callable[[str], None] = print):
    """Train MLPs on each dataset, permute their first hidden layer, walk to each twin.

    Args:
        opts: The typed ``symmetry`` section.
        datasets: Name -> :class:`landscape.engine.data.Dataset`.
        log: Progress callback.

    Returns:
        (one row per network and permutation; one row per path point).
    """
    import pandas as pd

    from landscape.engine.models import MLP, init_params, make_loss, permute_hidden
    from landscape.engine.train import TrainOptions, choose_value_and_grad, train

    rows, path_rows = [], []
    for name, ds in datasets.items():
        model = MLP((ds.input_dim, *opts.hidden, ds.output_dim), opts.activation)
        x, y = torch.as_tensor(ds.x_train), torch.as_tensor(ds.y_train)
        loss_fn = make_loss(model, opts.loss, x, y)
        seeds = [opts.seed + k for k in range(opts.networks)]
        theta0 = torch.stack([init_params(model, s) for s in seeds])  # (K, P)
        schedule = TrainOptions("gd", opts.learning_rate, opts.steps, opts.steps)
        fast = choose_value_and_grad(model, opts.loss, x, y)
        trained = train(loss_fn, theta0, schedule, value_and_grad=fast)
        log(f"{name}: {len(seeds)} MLPs {model.widths} trained, final losses {trained.loss[-1]}")
        width = opts.hidden[0]
        for k, seed in enumerate(seeds):
            gen = torch.Generator().manual_seed(seed)
            theta = trained.params[k]
            for j in range(opts.permutations):
                perm = torch.randperm(width, generator=gen)
                twin = permute_hidden(model, theta, 0, perm)
                t, losses = path_losses(loss_fn, theta, twin, opts.path_points)
                loss, twin_loss = float(losses[0]), float(loss_fn(twin))
                rows.append(
                    {
                        "dataset": name,
                        "network": k,
                        "seed": seed,
                        "permutation": j,
                        "moved_units": int((perm != torch.arange(width)).sum()),
                        "loss": loss,
                        "permuted_loss": twin_loss,
                        "abs_delta_loss": abs(twin_loss - loss),
                        "barrier": barrier(losses),
                        "path_max": float(losses.max()),
                        "architecture": "-".join(map(str, model.widths)),
                        "log10_equivalent_minima": math.log10(equivalent_minima(opts.hidden)),
                        "equivalent_minima": str(equivalent_minima(opts.hidden)),
                    }
                )
                path_rows.append(
                    pd.DataFrame(
                        {
                            "dataset": name,
                            "network": k,
                            "permutation": j,
                            "t": t.numpy(),
                            "loss": losses.numpy(),
                        }
                    )
                )
    return pd.DataFrame(rows), pd.concat(path_rows, ignore_index=True)


def architectures(opts: SymmetryOptions, dims: dict[str, tuple[int, int]]) -> dict[str, int]:
    """Section 0's networks and their parameter counts N (for the counting argument, 4a).

    Args:
        opts: The typed ``symmetry`` section.
        dims: (input dimension, output dimension) of every dataset.
    """
    out = {}
    for name in opts.datasets:
        model = MLP((dims[name][0], *opts.hidden, dims[name][1]))
        out[f"0a symmetry {name} {'-'.join(map(str, model.widths))}"] = model.n_params
    return out
