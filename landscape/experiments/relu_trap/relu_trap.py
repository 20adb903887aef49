"""Section 3a: a ReLU network trapped at a bad local minimum by dead units (a "blind spot").

Data: x = (-1, 0, 1), y = |x|. Network: 1-H-1 with ReLU hidden units and biases; the global minimum
is 0 (|x| = [x]_+ + [-x]_+). Trap initialisation (Swirszcz, Czarnecki & Pascanu 2016 construct
such blind spots): unit 1 has w = 0, b = 1, so it is active on every point and acts as a linear
unit; units 2..H have w = 0, b = -1, so they are inactive on every point and receive no gradient.
Gradient descent then fits the best linear function, the constant 2/3, at loss 1/9, and stops: the
units that could bend the fit never switch on.

A stop is a local minimum only if it is checked as one: the gradient is zero, the Hessian (defined
there, since no pre-activation is at a kink) has no negative eigenvalue, and no random perturbation
of any of several shrinking radii lowers the loss (the zero eigenvalues, directions along which the
second-order test says nothing, are covered by the perturbations).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import torch
from torch.func import vmap

from landscape.base.options import FromConfig, Numerics
from landscape.engine.curvature import grad_norm_sq
from landscape.engine.models import MLP, init_params, make_loss
from landscape.engine.spectrum import summarize_spectrum
from landscape.engine.train import TrainOptions, train

END_COLUMNS = [
    "init",
    "seed",
    "loss",
    "global_min_loss",
    "grad_norm_sq",
    "n_negative",
    "nullity",
    "lambda_min",
    "eig_tol",
    "kink_margin",
    "dead_units",
]
PERTURBATION_COLUMNS = ["radius", "directions", "min_loss_change", "max_loss_change"]


@dataclass(frozen=True)
class TrapOptions(FromConfig):
    """The trap experiment (config section ``relu_trap``)."""

    hidden: int = 3  # H, hidden ReLU units (>= 2)
    learning_rate: float = 0.1  # gradient-descent step
    steps: int = 20000  # gradient-descent steps from each initialisation
    contrast_seeds: int = 20  # LeCun-normal initialisations tried for the contrast
    radii: tuple[float, ...] = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6)  # perturbation sizes
    directions: int = 1000  # random unit directions per radius
    seed: int = 0  # seed of the contrast initialisations and of the directions


def trap_problem(hidden: int):
    """(model, x (3, 1), y (3, 1)): the 1-H-1 ReLU network and the points of |x|."""
    if hidden < 2:
        raise ValueError(f"relu_trap.hidden = {hidden}: the trap needs at least 2 hidden units")
    x = torch.tensor([[-1.0], [0.0], [1.0]], dtype=torch.float64)
    return MLP((1, hidden, 1), "relu"), x, x.abs()


def trap_init(model: MLP) -> torch.Tensor:
    """Unit 1 active everywhere (w = 0, b = 1), the others dead everywhere (w = 0, b = -1)."""
    h = model.widths[1]
    first = torch.zeros(h, 2, dtype=torch.float64)  # rows [w_j | b_j]
    first[:, 1] = -1.0
    first[0, 1] = 1.0
    second = torch.ones(1, h + 1, dtype=torch.float64)  # [a_1 .. a_H | c]
    second[0, 0], second[0, -1] = 0.5, 0.0
    return torch.cat([first.flatten(), second.flatten()])


def preactivations(model: MLP, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Hidden pre-activations (n, H) of the single hidden layer."""
    (w, b), _ = model.unflatten(theta)
    return x @ w.T + b


def end_point_row(model, loss_fn, x, theta, init, seed, factor) -> dict:
    """Loss, gradient, exact Hessian spectrum and kink margin at one end point."""
    h = torch.autograd.functional.hessian(loss_fn, theta)
    s = summarize_spectrum(torch.linalg.eigvalsh(h), factor)
    z = preactivations(model, theta, x)  # (n, H)
    return {
        "init": init,
        "seed": seed,
        "loss": float(loss_fn(theta)),
        "global_min_loss": 0.0,
        "grad_norm_sq": float(grad_norm_sq(loss_fn, theta[None])[0]),
        "n_negative": s.n_negative,
        "nullity": s.nullity,
        "lambda_min": s.lambda_min,
        "eig_tol": s.eig_tol,
        "kink_margin": float(z.abs().min()),  # > 0: the loss is twice differentiable here
        "dead_units": int((z <= 0).all(dim=0).sum()),
    }


def perturbation_table(loss_fn, theta: torch.Tensor, opts: TrapOptions) -> pd.DataFrame:
    """Min and max of L(theta + r u) - L(theta) over random unit directions u, per radius r."""
    gen = torch.Generator().manual_seed(opts.seed)
    u = torch.randn(opts.directions, theta.numel(), generator=gen, dtype=theta.dtype)
    u = u / u.norm(dim=1, keepdim=True)  # (D, P)
    base = loss_fn(theta)
    rows = []
    for r in opts.radii:
        change = vmap(loss_fn)(theta + r * u) - base  # (D,)
        rows.append(
            {
                "radius": r,
                "directions": opts.directions,
                "min_loss_change": float(change.min()),
                "max_loss_change": float(change.max()),
            }
        )
    return pd.DataFrame(rows, columns=PERTURBATION_COLUMNS)


def run_trap(opts: TrapOptions, numerics: Numerics, log=print):
    """Train from the trap and from LeCun-normal initialisations; check the trap's end point.

    Returns:
        (end points, columns :data:`END_COLUMNS`: the trap, then every contrast seed;
        perturbations at the trap, :data:`PERTURBATION_COLUMNS`; loss histories (init, step,
        loss)).
    """
    model, x, y = trap_problem(opts.hidden)
    loss_fn = make_loss(model, "mse", x, y)
    seeds = [opts.seed + s for s in range(opts.contrast_seeds)]
    starts = torch.stack([trap_init(model)] + [init_params(model, s) for s in seeds])  # (1+S, P)
    every = max(1, opts.steps // 200)
    run = train(loss_fn, starts, TrainOptions("gd", opts.learning_rate, opts.steps, every))
    factor = numerics.eigen_tolerance_factor
    rows = [end_point_row(model, loss_fn, x, run.params[0], "trap", -1, factor)]
    for i, s in enumerate(seeds, start=1):
        rows.append(end_point_row(model, loss_fn, x, run.params[i], "LeCun normal", s, factor))
    ends = pd.DataFrame(rows, columns=END_COLUMNS)
    perturb = perturbation_table(loss_fn, run.params[0], opts)
    names = ["trap"] + [f"seed {s}" for s in seeds]
    history = pd.DataFrame(
        [
            {"init": names[k], "step": int(t), "loss": float(run.loss[i, k])}
            for k in range(len(names))
            for i, t in enumerate(run.steps)
        ]
    )
    trap = ends.iloc[0]
    good = int((ends["loss"][1:] <= 1e-10).sum())
    log(
        f"trap: loss {trap['loss']:.6g}, |g|^2 {trap['grad_norm_sq']:.2g}, "
        f"{trap['n_negative']} negative eigenvalues, {trap['dead_units']} dead units; "
        f"{good}/{len(seeds)} LeCun initialisations reach the global minimum"
    )
    return ends, perturb, history
