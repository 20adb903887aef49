"""Train a stack of MLPs, find where each one's loss plateaued, save those points and histories."""

import pandas as pd
import torch

from landscape.data import load_dataset
from landscape.device import resolve_device
from landscape.io import save_checkpoint, write_table
from landscape.models import MLP, init_params, make_batch_loss, make_loss
from landscape.runlog import logged
from landscape.train import (
    TrainOptions,
    choose_value_and_grad,
    plateau_points,
    shard_seeds,
    train,
)

with logged(snakemake.log[0], snakemake.rule) as log:
    opts = snakemake.params.options
    device = resolve_device(snakemake.params.device)
    ds = load_dataset(snakemake.input.data)
    model = MLP((ds.input_dim, *opts["hidden"], ds.output_dim), opts["activation"])
    shard = int(snakemake.wildcards.shard)
    seeds = shard_seeds(opts["seed"], opts["networks"], opts["shard_size"], shard)
    first = shard * opts["shard_size"]  # global index of the shard's first network
    log.info(
        "shard %d: training %d %s MLPs %s (%d parameters) on %s (%d samples), %s loss, %s, "
        "device %s",
        shard,
        len(seeds),
        model.activation,
        model.widths,
        model.n_params,
        ds.name,
        len(ds.x_train),
        opts["loss"],
        opts["optimizer"],
        device,
    )
    x = torch.as_tensor(ds.x_train, device=device)  # (n, d_in) float64
    y = torch.as_tensor(ds.y_train, device=device)  # (n,) int64 or (n, d_out) float64
    loss_fn = make_loss(model, opts["loss"], x, y)
    scale = opts["init_scale"]
    theta0 = torch.stack([scale * init_params(model, s, device=device) for s in seeds])  # (K, P)
    options = TrainOptions(
        optimizer=opts["optimizer"],
        learning_rate=opts["learning_rate"],
        steps=opts["steps"],
        record_every=opts["record_every"],
        batch_size=opts["batch_size"],
        snapshot_every=opts["record_every"],  # parameters at every recorded step
    )
    batch_loss_fn = make_batch_loss(model, opts["loss"], x, y)
    fast = choose_value_and_grad(model, opts["loss"], x, y)  # hand-written or vmap (None)
    result = train(
        loss_fn, theta0, options, seeds, batch_loss_fn, len(x), log=log.info, value_and_grad=fast
    )
    log.info("diverged: %d of %d", int(result.diverged.sum()), len(seeds))
    assert torch.equal(result.snapshot_steps, result.steps)  # snapshots are the records
    params, points = [], []
    for k, seed in enumerate(seeds):
        found = plateau_points(
            result.steps,
            result.loss[:, k],
            result.grad_norm_sq[:, k],
            opts["plateau_window"],
            opts["plateau_rel_change"],
        )
        for p in found:
            params.append(result.snapshots[p.record, k])
            points.append(
                {
                    "network": first + k,
                    "seed": seed,
                    "point": p.kind,
                    "plateau": p.plateau,
                    "plateau_start": p.start,
                    "plateau_end": p.end,
                    "step": p.step,
                    "diverged": p.kind == "end (diverged)",
                }
            )
        log.info(
            "network %d: %d plateaus (%s); points at steps %s",
            first + k,
            sum(p.kind == "plateau" for p in found),
            ", ".join(f"{p.start}-{p.end}" for p in found if p.kind == "plateau") or "none",
            [p.step for p in found],
        )
    save_checkpoint(
        {
            "params": torch.stack(params),  # (M, P): one row per point
            "points": points,
            "widths": list(model.widths),
            "activation": model.activation,
            "loss": opts["loss"],
            "dataset": ds.name,
        },
        snakemake.output.networks,
    )
    steps = result.steps.tolist()
    history = pd.concat(
        pd.DataFrame(
            {
                "network": first + k,
                "seed": seed,
                "step": steps,
                "loss": result.loss[:, k].cpu().numpy(),
                "grad_norm_sq": result.grad_norm_sq[:, k].cpu().numpy(),
                "diverged": bool(result.diverged[k]),
            }
        )
        for k, seed in enumerate(seeds)
    )
    write_table(history, snakemake.output.history)
