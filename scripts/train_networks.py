"""Train a stack of MLPs with full-batch gradient descent; save parameters and histories."""

import pandas as pd
import torch

from landscape.data import load_dataset
from landscape.device import resolve_device
from landscape.io import save_checkpoint, write_table
from landscape.models import MLP, init_params, make_loss
from landscape.runlog import logged
from landscape.train import TrainOptions, train

with logged(snakemake.log[0], snakemake.rule) as log:
    opts = snakemake.params.options
    device = resolve_device(snakemake.params.device)
    ds = load_dataset(snakemake.input.data)
    model = MLP((ds.input_dim, *opts["hidden"], ds.output_dim), opts["activation"])
    seeds = [opts["seed"] + k for k in range(opts["networks"])]
    log.info(
        "training %d %s MLPs %s (%d parameters) on %s (%d samples), %s loss, device %s",
        len(seeds),
        model.activation,
        model.widths,
        model.n_params,
        ds.name,
        len(ds.x_train),
        opts["loss"],
        device,
    )
    x = torch.as_tensor(ds.x_train, device=device)  # (n, d_in) float64
    y = torch.as_tensor(ds.y_train, device=device)  # (n,) int64 or (n, d_out) float64
    loss_fn = make_loss(model, opts["loss"], x, y)
    theta0 = torch.stack([init_params(model, s, device=device) for s in seeds])  # (K, P)
    gd = TrainOptions("gd", opts["learning_rate"], opts["steps"], opts["record_every"])
    result = train(loss_fn, theta0, gd, log=log.info)
    log.info("diverged: %d of %d", int(result.diverged.sum()), len(seeds))
    save_checkpoint(
        {
            "params": result.params,
            "seeds": seeds,
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
                "network": k,
                "seed": seed,
                "step": steps,
                "loss": result.loss[:, k].cpu().numpy(),
                "grad_norm_sq": result.grad_norm_sq[:, k].cpu().numpy(),
            }
        )
        for k, seed in enumerate(seeds)
    )
    write_table(history, snakemake.output.history)
