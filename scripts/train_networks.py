"""Train a stack of MLPs with full-batch gradient descent; save parameters and histories."""

import pandas as pd
import torch

from landscape.data import load_dataset
from landscape.device import resolve_device
from landscape.io import save_checkpoint, write_table
from landscape.models import MLP, init_params, make_batch_loss, make_loss
from landscape.runlog import logged
from landscape.train import TrainOptions, choose_value_and_grad, shard_seeds, train

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
    theta0 = torch.stack([init_params(model, s, device=device) for s in seeds])  # (K, P)
    options = TrainOptions(
        optimizer=opts["optimizer"],
        learning_rate=opts["learning_rate"],
        steps=opts["steps"],
        record_every=opts["record_every"],
        batch_size=opts["batch_size"],
    )
    batch_loss_fn = make_batch_loss(model, opts["loss"], x, y)
    fast = choose_value_and_grad(model, opts["loss"], x, y)  # hand-written or vmap (None)
    result = train(
        loss_fn, theta0, options, seeds, batch_loss_fn, len(x), log=log.info, value_and_grad=fast
    )
    log.info("diverged: %d of %d", int(result.diverged.sum()), len(seeds))
    save_checkpoint(
        {
            "params": result.params,
            "seeds": seeds,
            "networks": list(range(first, first + len(seeds))),
            "widths": list(model.widths),
            "activation": model.activation,
            "loss": opts["loss"],
            "dataset": ds.name,
            "diverged": result.diverged,
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
