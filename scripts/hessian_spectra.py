"""Exact Hessian spectrum of each trained network: a summary table and an eigenvalue table."""

import pandas as pd
import torch

from landscape.critical import certify
from landscape.curvature import batched_hessians, grad_norm_sq, make_hessian, networks_per_chunk
from landscape.data import load_dataset
from landscape.device import resolve_device
from landscape.io import load_checkpoint, write_table
from landscape.models import MLP, make_loss
from landscape.runlog import logged
from landscape.spectrum import inertia, summarize_spectrum

with logged(snakemake.log[0], snakemake.rule) as log:
    numerics, curv = snakemake.params.numerics, snakemake.params.curvature
    factor = numerics["eigen_tolerance_factor"]
    device = resolve_device(snakemake.params.device)
    ckpt = load_checkpoint(
        snakemake.input.networks,
        ["params", "seeds", "networks", "widths", "activation", "loss", "diverged"],
    )
    ds = load_dataset(snakemake.input.data)
    model = MLP(tuple(ckpt["widths"]), ckpt["activation"])
    params = ckpt["params"].to(device=device, dtype=torch.float64)  # (K, P)
    x = torch.as_tensor(ds.x_train, device=device)  # (n, d_in)
    y = torch.as_tensor(ds.y_train, device=device)  # (n,) or (n, d_out)
    loss_fn = make_loss(model, ckpt["loss"], x, y)
    hess_fn = make_hessian(
        model, ckpt["loss"], x, y, method=curv["hessian_method"], sample_chunk=curv["sample_chunk"]
    )
    chunk = networks_per_chunk(model.n_params, curv["memory_budget_mb"])
    log.info(
        "Hessians of %d networks with %d parameters: method %s, %d per chunk, spectrum %s, "
        "device %s",
        *params.shape,
        curv["hessian_method"],
        chunk,
        curv["spectrum"],
        device,
    )
    losses = torch.vmap(loss_fn)(params)  # (K,)
    gns = grad_norm_sq(loss_fn, params)  # (K,)
    rows, eig_rows = [], []
    for start in range(0, params.shape[0], chunk):
        hs = batched_hessians(hess_fn, params[start : start + chunk], chunk_size=chunk)
        eigs = torch.linalg.eigvalsh(hs) if curv["spectrum"] == "full" else None  # (k, P)
        for j in range(hs.shape[0]):
            k = start + j
            s = summarize_spectrum(eigs[j], factor) if eigs is not None else inertia(hs[j], factor)
            status = certify(
                float(gns[k]), numerics["grad_norm_sq_threshold"], bool(ckpt["diverged"][k])
            )
            rows.append(
                {
                    "network": ckpt["networks"][k],
                    "seed": ckpt["seeds"][k],
                    "dataset": ds.name,
                    "architecture": "-".join(map(str, model.widths)),
                    "activation": model.activation,
                    "loss_function": ckpt["loss"],
                    "loss": float(losses[k]),
                    "grad_norm_sq": float(gns[k]),
                    "grad_norm_sq_threshold": numerics["grad_norm_sq_threshold"],
                    "status": status,
                    **s.as_dict(),
                    "eigen_tolerance_factor": factor,
                    "spectrum_method": "eigvalsh" if eigs is not None else "inertia (LDL^T)",
                }
            )
            log.info(
                "network %d: loss %.6g, |g|^2 %.3g (%s), index %.4f, nullity %d, %s",
                ckpt["networks"][k],
                losses[k],
                gns[k],
                status,
                s.index,
                s.nullity,
                s.definiteness,
            )
            if eigs is not None:
                eig_rows.append(
                    pd.DataFrame(
                        {
                            "network": ckpt["networks"][k],
                            "rank": range(s.n_params),
                            "eigenvalue": eigs[j].cpu(),
                        }
                    )
                )
    write_table(pd.DataFrame(rows), snakemake.output.summary)
    columns = ["network", "rank", "eigenvalue"]
    write_table(
        pd.concat(eig_rows) if eig_rows else pd.DataFrame(columns=columns),
        snakemake.output.eigenvalues,
    )
