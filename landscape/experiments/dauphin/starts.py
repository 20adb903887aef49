"""Dauphin et al. (2014)'s starting points for the Newton method (their App. C, MNIST).

"We ran 20 different runs of the saddle-free algorithm, each using a different random seed. We
then run 200 jobs. The first 100 jobs are looking for critical points near the value of the
parameters obtained after some random number of epochs (between 0 and 20) of a randomly selected
run (among the 20 different runs) of the saddle-free Newton method. To this starting position
uniform noise is added of small amplitude (the amplitude is randomly picked between the
different values {10^-1, 10^-2, 10^-3, 10^-4}). The last 100 jobs look for critical points near
uniformally sampled weights (the range of the weights is given by the unit cube)." (App. C,
p.13; ``docs/sources.md``, 4b.)

:func:`perturbed_starts` and :func:`uniform_starts` draw those two kinds of start from the
saddle-free Newton paths (:func:`landscape.engine.critical.descent_path`, an epoch being one
full-batch step: ours, their minibatching is not stated) with one generator each, seeded from
the options. Ours where they are silent: the noise is U(-a, a) per parameter; "near uniformly
sampled weights" is read as the sample itself, U(0, 1) per parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from landscape.base.options import FromConfig

# One row per start: where it came from.
START_COLUMNS = ["start", "kind", "run", "epoch", "amplitude"]


@dataclass(frozen=True)
class DauphinStartOptions(FromConfig):
    """Their starts (App. C): counts, epochs and noise amplitudes are theirs; the seed is ours."""

    sfn_runs: int = 20  # saddle-free Newton runs, one seed each
    max_epoch: int = 20  # a perturbed start's epoch is drawn from 0 .. max_epoch
    perturbed: int = 100  # jobs started near a saddle-free Newton iterate
    uniform: int = 100  # jobs started at weights drawn in the unit cube
    amplitudes: tuple[float, ...] = (1e-1, 1e-2, 1e-3, 1e-4)  # of the uniform noise
    seed: int = 0  # ours


def perturbed_starts(
    paths: torch.Tensor, options: DauphinStartOptions
) -> tuple[torch.Tensor, pd.DataFrame]:
    """Starts near a random epoch of a random saddle-free Newton run, plus uniform noise.

    Args:
        paths: The runs' iterates (max_epoch + 1, sfn_runs, P), row e after e epochs.
        options: The counts and amplitudes.

    Returns:
        Starts (perturbed, P) and their provenance (:data:`START_COLUMNS`).

    Raises:
        ValueError: ``paths`` has fewer epochs or runs than the options ask for.
    """
    epochs, runs, n_params = paths.shape
    if epochs < options.max_epoch + 1 or runs < options.sfn_runs:
        raise ValueError(
            f"paths hold {epochs - 1} epochs of {runs} runs; the starts need "
            f"{options.max_epoch} epochs of {options.sfn_runs}"
        )
    rng = np.random.default_rng([options.seed, 1])
    run = rng.integers(0, options.sfn_runs, options.perturbed)  # (J,)
    epoch = rng.integers(0, options.max_epoch + 1, options.perturbed)  # (J,) 0 .. max_epoch
    amplitude = rng.choice(np.asarray(options.amplitudes, float), options.perturbed)  # (J,)
    noise = rng.uniform(-1.0, 1.0, (options.perturbed, n_params)) * amplitude[:, None]  # (J, P)
    base = paths[torch.as_tensor(epoch), torch.as_tensor(run)]  # (J, P)
    starts = base + torch.as_tensor(noise, dtype=paths.dtype, device=paths.device)
    table = pd.DataFrame({"kind": "perturbed", "run": run, "epoch": epoch, "amplitude": amplitude})
    return starts, table


def uniform_starts(
    n_params: int, options: DauphinStartOptions, dtype=torch.float64
) -> tuple[torch.Tensor, pd.DataFrame]:
    """Starts at weights drawn uniformly in the unit cube [0, 1]^P; (uniform, P) and provenance."""
    rng = np.random.default_rng([options.seed, 2])
    starts = torch.as_tensor(rng.uniform(0.0, 1.0, (options.uniform, n_params)), dtype=dtype)
    table = pd.DataFrame(
        {"kind": "uniform", "run": -1, "epoch": -1, "amplitude": np.nan},
        index=range(options.uniform),
    )
    return starts, table


def dauphin_starts(
    paths: torch.Tensor, options: DauphinStartOptions
) -> tuple[torch.Tensor, pd.DataFrame]:
    """Both kinds, perturbed first: (perturbed + uniform, P) and :data:`START_COLUMNS`."""
    near, near_table = perturbed_starts(paths, options)
    cube, cube_table = uniform_starts(paths.shape[-1], options, paths.dtype)
    table = pd.concat([near_table, cube_table], ignore_index=True)
    table.insert(0, "start", range(len(table)))
    return torch.cat([near, cube.to(paths.device)]), table[START_COLUMNS]


def training_error(problem, thetas: torch.Tensor) -> torch.Tensor:
    """Training classification error in percent of S networks (S,): Dauphin et al.'s Fig. 1 y-axis.

    "Train error eps (%)" (Fig. 1a/c): the share of training points whose largest output is not
    their label, whatever the loss trained on (squared loss on one-hot targets, or
    cross-entropy).

    Args:
        problem: A classification problem (labels ``y`` (n,)).
        thetas: Parameters (S, P).
    """
    from torch.func import vmap

    if problem.y.dim() != 1:
        raise ValueError(
            f"training_error needs class labels y (n,), got targets {tuple(problem.y.shape)}"
        )
    outputs = vmap(lambda t: problem.model.forward(t, problem.x))(thetas)  # (S, n, classes)
    wrong = outputs.argmax(-1) != problem.y.to(outputs.device)  # (S, n)
    return 100.0 * wrong.to(thetas.dtype).mean(-1)
