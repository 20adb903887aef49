"""Exact Hessian spectrum of each trained network: a summary table and an eigenvalue table."""

import pandas as pd
import torch

from landscape.critical import certify
from landscape.curvature import batched_hessians, grad_norm_sq, spectra, summarize_spectrum
from landscape.data import load_dataset
from landscape.device import resolve_device
from landscape.io import load_checkpoint, write_table
from landscape.models import MLP, make_loss
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    numerics = snakemake.params.numerics
    device = resolve_device(snakemake.params.device)
    ckpt = load_checkpoint(
        snakemake.input.networks, ["params", "seeds", "widths", "activation", "loss", "diverged"]
    )
    ds = load_dataset(snakemake.input.data)
    model = MLP(tuple(ckpt["widths"]), ckpt["activation"])
    params = ckpt["params"].to(device=device, dtype=torch.float64)  # (K, P)
    x = torch.as_tensor(ds.x_train, device=device)
    y = torch.as_tensor(ds.y_train, device=device)
    loss_fn = make_loss(model, ckpt["loss"], x, y)
    log.info("Hessians of %d networks with %d parameters, device %s", *params.shape, device)
    losses = torch.vmap(loss_fn)(params)  # (K,)
    gns = grad_norm_sq(loss_fn, params)  # (K,)
    eigs = spectra(batched_hessians(loss_fn, params))  # (K, P) ascending
    rows, eig_rows = [], []
    for k, seed in enumerate(ckpt["seeds"]):
        diverged = bool(ckpt["diverged"][k])
        s = summarize_spectrum(eigs[k], numerics["eigen_tolerance_factor"])
        status = certify(float(gns[k]), numerics["grad_norm_sq_threshold"], diverged)
        rows.append(
            {
                "network": k,
                "seed": seed,
                "dataset": ds.name,
                "architecture": "-".join(map(str, model.widths)),
                "activation": model.activation,
                "loss_function": ckpt["loss"],
                "loss": float(losses[k]),
                "grad_norm_sq": float(gns[k]),
                "grad_norm_sq_threshold": numerics["grad_norm_sq_threshold"],
                "status": status,
                **s.as_dict(),
                "eigen_tolerance_factor": numerics["eigen_tolerance_factor"],
            }
        )
        log.info(
            "network %d: loss %.6g, |g|^2 %.3g (%s), index %.4f, nullity %d, %s",
            k,
            losses[k],
            gns[k],
            status,
            s.index,
            s.nullity,
            s.definiteness,
        )
        eig_rows.append(
            pd.DataFrame({"network": k, "rank": range(s.n_params), "eigenvalue": eigs[k].cpu()})
        )
    write_table(pd.DataFrame(rows), snakemake.output.summary)
    write_table(pd.concat(eig_rows), snakemake.output.eigenvalues)
