"""Exact Hessian spectrum at each saved point (plateaus, ends): summary and eigenvalue tables."""

import pandas as pd
import torch

from landscape.critical import certify
from landscape.curvature import CurvatureOptions, SpectrumMethod, grad_norm_sq, point_spectra
from landscape.data import load_dataset
from landscape.device import resolve_device
from landscape.io import load_checkpoint, write_table
from landscape.models import MLP, make_loss
from landscape.runlog import logged
from landscape.spectrum import not_computed

# Columns that identify a point: which network, which plateau, which step.
POINT_COLUMNS = ["network", "seed", "point", "plateau", "plateau_start", "plateau_end", "step"]

with logged(snakemake.log[0], snakemake.rule) as log:
    numerics = snakemake.params.numerics
    curv = CurvatureOptions.from_config(snakemake.params.curvature)
    factor = numerics["eigen_tolerance_factor"]
    device = resolve_device(snakemake.params.device)
    ckpt = load_checkpoint(
        snakemake.input.networks,
        ["params", "points", "widths", "activation", "loss"],
    )
    ds = load_dataset(snakemake.input.data)
    model = MLP(tuple(ckpt["widths"]), ckpt["activation"])
    params = ckpt["params"].to(device=device, dtype=torch.float64)  # (K, P)
    x = torch.as_tensor(ds.x_train, device=device)  # (n, d_in)
    y = torch.as_tensor(ds.y_train, device=device)  # (n,) or (n, d_out)
    loss_fn = make_loss(model, ckpt["loss"], x, y)
    hess_fn = curv.hessian(model, ckpt["loss"], x, y)
    chunk = curv.networks_per_chunk(model, len(x))
    log.info(
        "Hessians at %d points with %d parameters: method %s, %d per chunk, spectrum %s, device %s",
        *params.shape,
        curv.hessian_method,
        chunk,
        curv.spectrum,
        device,
    )
    losses = torch.vmap(loss_fn)(params)  # (K,)
    gns = grad_norm_sq(loss_fn, params)  # (K,)
    # A diverged network (or a point with a non-finite loss) has no meaningful Hessian: it is
    # kept in the table with its status and empty spectrum columns, never dropped.
    points = ckpt["points"]
    flagged = torch.tensor([pt["diverged"] for pt in points], dtype=torch.bool)
    diverged = flagged | ~torch.isfinite(losses.cpu() + gns.cpu())
    summaries, spectra_of = point_spectra(hess_fn, params, factor, curv, chunk, finite=~diverged)
    empty = not_computed(model.n_params).as_dict()
    method = "eigvalsh" if curv.spectrum == SpectrumMethod.FULL else "inertia (LDL^T)"
    rows, eig_rows = [], []
    for k in range(params.shape[0]):
        threshold = numerics["grad_norm_sq_threshold"]
        status = certify(float(gns[k]), threshold, bool(diverged[k]))
        summary = summaries[k].as_dict() if summaries[k] else empty
        pt = points[k]
        rows.append(
            {
                **{key: pt[key] for key in POINT_COLUMNS},
                "dataset": ds.name,
                "architecture": "-".join(map(str, model.widths)),
                "activation": model.activation,
                "loss_function": ckpt["loss"],
                "loss": float(losses[k]),
                "grad_norm_sq": float(gns[k]),
                "grad_norm_sq_threshold": threshold,
                "status": status,
                **summary,
                "eigen_tolerance_factor": factor,
                "spectrum_method": method if summaries[k] else "none",
            }
        )
        log.info(
            "network %d, step %d (%s): loss %.6g, |g|^2 %.3g (%s), index %s, nullity %s, %s",
            pt["network"], pt["step"], pt["point"], losses[k], gns[k], status,
            summary["index"], summary["nullity"], summary["definiteness"],
        )  # fmt: skip
        if spectra_of[k] is not None:
            eig_rows.append(
                pd.DataFrame(
                    {
                        "network": pt["network"],
                        "step": pt["step"],
                        "rank": range(model.n_params),
                        "eigenvalue": spectra_of[k].cpu(),
                    }
                )
            )
    columns = ["network", "step", "rank", "eigenvalue"]
    write_table(pd.DataFrame(rows), snakemake.output.summary)
    write_table(
        pd.concat(eig_rows) if eig_rows else pd.DataFrame(columns=columns),
        snakemake.output.eigenvalues,
    )
