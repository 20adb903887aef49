"""Training many networks of one architecture at once.

Parameters of K networks are stacked into a (K, P) tensor and every step is one ``torch.func.vmap``
over the per-network gradient, so K networks cost one batched call instead of a Python loop. Each
network keeps its own seed: its initialisation (:func:`landscape.engine.models.init_params`) and,
for minibatch training, its own sampler (:class:`EpochSampler`).

Optimisers (``TrainOptions.optimizer``):

* ``gd``: theta <- theta - eta g (full batch, or minibatch when ``batch_size`` is set: SGD);
* ``sgd``: the same update on minibatches drawn by each network's seeded sampler;
* ``adam``: Adam (Kingma & Ba 2015) with bias correction, as ``torch.optim.Adam``.

A network whose loss or gradient becomes non-finite is marked diverged and frozen (its parameters
and optimiser state stop changing); the others carry on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.func import grad_and_value, vmap

from landscape.base.runlog import Progress

OPTIMIZERS = ("gd", "sgd", "adam")


@dataclass(frozen=True)
class TrainOptions:
    """How to train a stack of networks."""

    optimizer: str = "gd"  # gd | sgd | adam
    learning_rate: float = 0.5  # step size eta
    steps: int = 3000  # number of parameter updates
    record_every: int = 10  # record full-batch loss and ||grad||^2 every this many steps
    batch_size: int | None = None  # minibatch size for sgd / adam; None: full batch
    snapshot_every: int = 0  # keep the parameters every this many steps (0: never)
    beta1: float = 0.9  # Adam's first-moment decay
    beta2: float = 0.999  # Adam's second-moment decay
    eps: float = 1e-8  # Adam's denominator offset

    def __post_init__(self) -> None:
        """Check the options."""
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer '{self.optimizer}' (use {', '.join(OPTIMIZERS)})")
        if self.optimizer == "sgd" and self.batch_size is None:
            raise ValueError("optimizer 'sgd' needs a batch_size (use 'gd' for full batch)")
        if self.steps < 0 or self.record_every < 1 or self.snapshot_every < 0:
            raise ValueError("steps >= 0, record_every >= 1 and snapshot_every >= 0 are required")


class EpochSampler:
    """Minibatches without replacement, reshuffled every epoch, from one network's own seed.

    Args:
        n: Number of samples.
        batch_size: Samples per minibatch (the last, short batch of an epoch is dropped).
        seed: Seed of this network's generator.
    """

    def __init__(self, n: int, batch_size: int, seed: int) -> None:
        """Create the sampler."""
        if not 1 <= batch_size <= n:
            raise ValueError(f"batch_size must be in [1, {n}], got {batch_size}")
        self.n, self.batch_size = n, batch_size
        self.gen = torch.Generator().manual_seed(int(seed))
        self.perm, self.pos = torch.randperm(n, generator=self.gen), 0

    def next(self) -> torch.Tensor:
        """The next minibatch of indices (batch_size,)."""
        if self.pos + self.batch_size > self.n:
            self.perm, self.pos = torch.randperm(self.n, generator=self.gen), 0
        idx = self.perm[self.pos : self.pos + self.batch_size]
        self.pos += self.batch_size
        return idx


@dataclass
class TrainResult:
    """What a batched training run returns.

    Attributes:
        params: Final parameters (K, P).
        steps: Recorded step numbers (T,).
        loss: Full-batch loss of each network at each recorded step (T, K), before that step's
            update.
        grad_norm_sq: Full-batch squared gradient norm, same layout as ``loss``.
        diverged: (K,) True where the loss or gradient became non-finite; those networks are
            frozen at the parameters where that first happened.
        snapshot_steps: Steps at which parameters were kept (S,).
        snapshots: The kept parameters (S, K, P).
        snapshot_loss: Their full-batch losses (S, K).
    """

    params: torch.Tensor
    steps: torch.Tensor
    loss: torch.Tensor
    grad_norm_sq: torch.Tensor
    diverged: torch.Tensor
    snapshot_steps: torch.Tensor
    snapshots: torch.Tensor
    snapshot_loss: torch.Tensor


# Over 60 lines: full-batch and mini-batch loops share their recording and divergence freezing.
def train(
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    params: torch.Tensor,
    options: TrainOptions,
    seeds: list[int] | None = None,
    batch_loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    n_samples: int | None = None,
    log: Callable[[str], None] | None = None,
    value_and_grad: Callable | None = None,
) -> TrainResult:
    """Train a stack of networks at once.

    Args:
        loss_fn: Full-batch loss theta (P,) -> scalar, a pure function.
        params: Initial parameters (K, P).
        options: Optimiser and schedule.
        seeds: Per-network sampler seeds (K,), needed with ``batch_size``.
        batch_loss_fn: (theta (P,), indices (b,)) -> minibatch loss, needed with ``batch_size``
            (see :func:`landscape.engine.models.make_batch_loss`).
        n_samples: Number of training samples, needed with ``batch_size``.
        log: Optional progress callback, called about ten times per run.
        value_and_grad: Optional batched (theta (K, P), idx (K, b) or None) -> (grads, losses)
            for the same loss, e.g. :func:`make_mlp_value_and_grad`; replaces vmap of autograd.

    Returns:
        Final parameters, histories and snapshots; step ``options.steps`` is always recorded.
    """
    k_nets = params.shape[0]
    full_step = vmap(grad_and_value(loss_fn))
    if value_and_grad is not None:
        full_step = value_and_grad
    minibatch = options.batch_size is not None
    if minibatch:
        if (batch_loss_fn is None and value_and_grad is None) or seeds is None or n_samples is None:
            raise ValueError("minibatch training needs batch_loss_fn, seeds and n_samples")
        if value_and_grad is not None:
            batch_step = value_and_grad
        else:
            batch_step = vmap(grad_and_value(batch_loss_fn))
        samplers = [EpochSampler(n_samples, options.batch_size, s) for s in seeds]
    theta = params.clone()
    m = torch.zeros_like(theta)  # Adam's moments
    v = torch.zeros_like(theta)
    diverged = torch.zeros(k_nets, dtype=torch.bool, device=theta.device)
    rec_steps, rec_loss, rec_gn = [], [], []
    snap_steps, snaps, snap_loss = [], [], []
    log_every = max(1, options.steps // 10)
    progress = Progress(log, options.steps)  # and at least every PROGRESS_SECONDS
    for step in range(options.steps + 1):
        record = step % options.record_every == 0 or step == options.steps
        snapshot = options.snapshot_every and (
            step % options.snapshot_every == 0 or step == options.steps
        )
        g = loss = None
        if record or snapshot or not minibatch:
            g, loss = full_step(theta)  # (K, P), (K,)
            gn = (g * g).sum(dim=1)  # (K,)
            diverged |= ~(torch.isfinite(loss) & torch.isfinite(gn))
        if record:
            rec_steps.append(step)
            rec_loss.append(loss.detach().clone())
            rec_gn.append(gn.detach().clone())
        if snapshot:
            snap_steps.append(step)
            snaps.append(theta.detach().clone())
            snap_loss.append(loss.detach().clone())
        if (
            log is not None
            and (step % log_every == 0 or step == options.steps or progress.due())
            and loss is not None
        ):
            alive = loss[~diverged]
            mean = alive.mean().item() if len(alive) else float("nan")
            progress.report(
                step,
                f"step {step}/{options.steps}: mean loss {mean:.6g}, "
                f"diverged {int(diverged.sum())}",
                force=True,
            )
        if step == options.steps:
            break
        if minibatch:
            idx = torch.stack([s.next() for s in samplers]).to(theta.device)  # (K, b)
            g, batch_loss = batch_step(theta, idx)
            diverged |= ~(torch.isfinite(batch_loss) & torch.isfinite(g).all(dim=1))
        active = (~diverged).unsqueeze(1)  # (K, 1)
        if options.optimizer == "adam":
            t = step + 1
            m_new = options.beta1 * m + (1 - options.beta1) * g
            v_new = options.beta2 * v + (1 - options.beta2) * g * g
            m_hat = m_new / (1 - options.beta1**t)
            denom = (v_new / (1 - options.beta2**t)).sqrt() + options.eps
            update = options.learning_rate * m_hat / denom
            m = torch.where(active, m_new, m)
            v = torch.where(active, v_new, v)
        else:
            update = options.learning_rate * g
        theta = torch.where(active, theta - update, theta)
    empty = theta.new_empty(0, *theta.shape)
    return TrainResult(
        params=theta,
        steps=torch.tensor(rec_steps),
        loss=torch.stack(rec_loss),
        grad_norm_sq=torch.stack(rec_gn),
        diverged=diverged,
        snapshot_steps=torch.tensor(snap_steps, dtype=torch.long),
        snapshots=torch.stack(snaps) if snaps else empty,
        snapshot_loss=torch.stack(snap_loss) if snap_loss else theta.new_empty(0, k_nets),
    )


def shard_seeds(base_seed: int, networks: int, shard_size: int, shard: int) -> list[int]:
    """Seeds of one shard: network k (0 <= k < networks) has seed base_seed + k.

    Args:
        base_seed: Seed of network 0.
        networks: Total number of networks.
        shard_size: Networks per shard (the last shard may be shorter).
        shard: Shard number, 0 <= shard < ceil(networks / shard_size).

    Returns:
        The seeds of the shard's networks.
    """
    n_shards = -(-networks // shard_size)
    if not 0 <= shard < n_shards:
        raise ValueError(f"shard {shard} out of range: {networks} networks make {n_shards} shards")
    first = shard * shard_size
    return [base_seed + k for k in range(first, min(first + shard_size, networks))]


def even_in_loss(snapshot_loss: torch.Tensor, count: int) -> torch.Tensor:
    """Pick snapshots spaced evenly in loss along each network's trajectory.

    For each network, ``count`` levels are spaced evenly between its largest and smallest finite
    snapshot loss, and each level takes the snapshot whose loss is nearest (the first on ties).

    Args:
        snapshot_loss: Losses of the snapshots (S, K).
        count: Number of snapshots to pick per network.

    Returns:
        Snapshot indices (count, K), ordered from high to low loss.
    """
    finite = torch.isfinite(snapshot_loss)
    hi = torch.where(finite, snapshot_loss, -torch.inf).amax(dim=0)  # (K,)
    lo = torch.where(finite, snapshot_loss, torch.inf).amin(dim=0)
    frac = torch.linspace(0, 1, count, dtype=snapshot_loss.dtype, device=snapshot_loss.device)
    levels = hi[None] + frac[:, None] * (lo - hi)[None]  # (count, K)
    dist = (snapshot_loss[None] - levels[:, None]).abs()  # (count, S, K)
    dist = torch.where(finite[None], dist, torch.inf)
    return dist.argmin(dim=1)


@dataclass(frozen=True)
class PlateauPoint:
    """A recorded step where training looked stuck, or the end of a run that never did."""

    kind: str  # "plateau", "end (still falling)" or "end (diverged)"
    record: int  # index into the recorded steps
    step: int  # the step itself
    plateau: int | None  # plateau number, 1-based, in order of time (None for an end point)
    start: int | None  # first step of the plateau
    end: int | None  # last step of the plateau


def find_plateaus(
    steps: torch.Tensor, loss: torch.Tensor, window: int, rel_change: float
) -> list[tuple[int, int]]:
    """Stretches of one network's training where the loss looks stuck.

    Training looks stuck over ``[t - window, t]`` when the loss changed by less than a fraction
    ``rel_change`` of its value over that window,

        |L(t - window) - L(t)| < rel_change * |L(t - window)|,

    and a plateau is the union of such windows at consecutive recorded steps t (a rising loss is
    unstable, not stuck). ``window`` should be a multiple of the spacing of the records.
    Non-finite losses never look stuck.

    Args:
        steps: Recorded steps (T,); a step t is examined when t - window was recorded too.
        loss: Loss at those steps (T,).
        window: Steps over which the loss change is measured.
        rel_change: Relative decrease below which training looks stuck.

    Returns:
        (first step, last step) of each plateau, in order of time.
    """
    steps_list = [int(s) for s in steps]
    at = {s: i for i, s in enumerate(steps_list)}
    stuck = []
    for i, t in enumerate(steps_list):
        j = at.get(t - window)
        if j is None:
            continue
        before, now = float(loss[j]), float(loss[i])
        if math.isfinite(before) and math.isfinite(now):
            if abs(before - now) < rel_change * abs(before):
                stuck.append((t - window, t))
    plateaus: list[tuple[int, int]] = []
    for start, end in stuck:  # windows in order of their end; merge the overlapping ones
        if plateaus and start <= plateaus[-1][1]:
            plateaus[-1] = (plateaus[-1][0], end)
        else:
            plateaus.append((start, end))
    return plateaus


def plateau_points(
    steps: torch.Tensor,
    loss: torch.Tensor,
    grad_norm_sq: torch.Tensor,
    window: int,
    rel_change: float,
) -> list[PlateauPoint]:
    """The points of one network's run where training looked stuck, and its end.

    Each plateau of :func:`find_plateaus` contributes the recorded step inside it with the
    smallest squared gradient norm: the most stationary-looking point, where the spectrum tells
    whether the stall is a minimum or a saddle. The final step is added as an end point when it
    lies in no plateau (the loss was still falling) or the loss there is not finite (diverged).

    Args:
        steps: Recorded steps (T,).
        loss: Loss at those steps (T,).
        grad_norm_sq: Squared gradient norm at those steps (T,).
        window: See :func:`find_plateaus`.
        rel_change: See :func:`find_plateaus`.

    Returns:
        The points, in order of time.
    """
    steps_list = [int(s) for s in steps]
    gn = [float(g) for g in grad_norm_sq]
    points = []
    # A record whose gradient is not finite (a run blowing up) is not a candidate for a plateau.
    usable = torch.where(torch.isfinite(grad_norm_sq), loss, torch.nan)
    for number, (start, end) in enumerate(find_plateaus(steps, usable, window, rel_change), 1):
        inside = [i for i, s in enumerate(steps_list) if start <= s <= end and math.isfinite(gn[i])]
        best = min(inside, key=lambda i: gn[i])
        points.append(PlateauPoint("plateau", best, steps_list[best], number, start, end))
    last = len(steps_list) - 1
    final_in_plateau = points and points[-1].end == steps_list[last]
    if not math.isfinite(float(loss[last]) + gn[last]):
        points.append(PlateauPoint("end (diverged)", last, steps_list[last], None, None, None))
    elif not final_in_plateau:
        points.append(PlateauPoint("end (still falling)", last, steps_list[last], None, None, None))
    return points


# Over 60 lines: a hand-written forward and backward pass, one formula.
def make_mlp_value_and_grad(
    model, loss: str, x: torch.Tensor, y: torch.Tensor
) -> Callable[[torch.Tensor, torch.Tensor | None], tuple[torch.Tensor, torch.Tensor]]:
    """Gradients and losses of a stack of MLPs by hand-written batched back-propagation.

    Same values as ``vmap(grad_and_value(make_loss(model, loss, x, y)))``, computed with one
    batched matrix product per layer and direction: with h^_l = [h_l, 1] and delta_l = dL/dz_l,
    dL/d[W_l | b_l] = delta_l^T h^_{l-1} and delta_{l-1} = (delta_l W_l) * s'(z_{l-1}); at the
    output delta_L = (f - t) / n for ``mse`` and (softmax(f) - onehot(y)) / n for
    ``cross_entropy``.

    Args:
        model: An :class:`~landscape.engine.models.MLP`.
        loss: ``mse`` or ``cross_entropy``.
        x: Inputs (n, d_in).
        y: Integer labels (n,) or float targets (n, d_out).

    Returns:
        (theta (K, P), idx (K, b) or None) -> (gradients (K, P), losses (K,)); ``idx`` selects
        each network's minibatch, None the full batch.
    """
    from landscape.engine.models import ACTIVATIONS, dense_targets

    t_all = dense_targets(model, loss, y, x.dtype)  # (n, d_out)
    act = ACTIVATIONS[model.activation]
    shapes = model.block_shapes
    sizes = [o * i for o, i in shapes]

    def derivative(z: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        if model.activation == "tanh":
            return 1.0 - h * h
        if model.activation == "relu":
            return (z > 0).to(z.dtype)
        return torch.ones_like(z)

    def value_and_grad(theta: torch.Tensor, idx: torch.Tensor | None = None):
        k = theta.shape[0]
        blocks = [
            b.reshape(k, *shape)
            for b, shape in zip(torch.split(theta, sizes, dim=1), shapes, strict=True)
        ]
        ws = [blk[..., :i] for blk, (_, i) in zip(blocks, model.layer_shapes, strict=True)]
        bs = [blk[..., -1] if model.bias else None for blk in blocks]  # (K, out)
        xs, ts = (x, t_all) if idx is None else (x[idx], t_all[idx])  # (n, d) or (K, b, d)
        n = xs.shape[-2]
        shared = xs.dim() == 2  # the same inputs for every network
        hs, ds = [xs], []
        for li, (w, b) in enumerate(zip(ws, bs, strict=True)):
            if li == 0 and shared:
                # One GEMM (n, in) @ (in, K out) instead of K small ones.
                z = (xs @ w.reshape(-1, w.shape[-1]).T).view(n, k, -1).transpose(0, 1).contiguous()
            else:
                z = hs[-1] @ w.mT  # (K, n, out)
            if b is not None:
                z = z + b[:, None, :]
            if li < len(ws) - 1:
                h = act(z)
                ds.append(derivative(z, h))
                hs.append(h)
        f = z  # (K, n, d_out)
        if loss == "mse":
            r = f - ts
            value = 0.5 * (r * r).sum(-1).mean(-1)  # (K,)
            delta = r / n
        else:
            logp = torch.log_softmax(f, dim=-1)
            value = -(logp * ts).sum(-1).mean(-1)
            delta = (logp.exp() - ts) / n
        grads = [None] * len(ws)
        for li in range(len(ws) - 1, -1, -1):
            if li == 0 and shared:  # shared inputs: one GEMM for all networks
                flat = delta.transpose(0, 1).reshape(n, -1)  # (n, K out)
                gw = (flat.T @ xs).view(k, -1, xs.shape[-1])
            else:
                gw = delta.mT @ hs[li]  # (K, out, in)
            if model.bias:
                gw = torch.cat([gw, delta.sum(dim=-2)[..., None]], dim=-1)  # [dW | db]
            grads[li] = gw
            if li:
                delta = (delta @ ws[li]) * ds[li - 1]  # (K, n, in)
        return torch.cat([g.reshape(k, -1) for g in grads], dim=1), value

    return value_and_grad


# Per-network multiply-adds of one forward pass below which the hand-written batched
# back-propagation beats vmap of autograd on a CPU (bench/train.py: 64 MLPs 16-16-4 on 128
# samples, 4e4 MACs: 2.0 vs 3.1 ms a step; 64-32-10 on digits, 4.3e6 MACs: 62 vs 54 ms).
HANDWRITTEN_MAX_MACS = 1_000_000


def choose_value_and_grad(model, loss: str, x: torch.Tensor, y: torch.Tensor):
    """The faster batched gradient for ``train``: hand-written for small MLPs, else None (vmap).

    Args:
        model: The model; only :class:`~landscape.engine.models.MLP` has a hand-written path.
        loss: ``mse`` or ``cross_entropy``.
        x: Inputs (n, d_in).
        y: Labels or targets.

    Returns:
        :func:`make_mlp_value_and_grad`'s function, or None to let ``train`` use vmap.
    """
    from landscape.engine.models import MLP

    if not isinstance(model, MLP):
        return None
    macs = x.shape[0] * sum(o * i for o, i in model.layer_shapes)
    return make_mlp_value_and_grad(model, loss, x, y) if macs <= HANDWRITTEN_MAX_MACS else None
