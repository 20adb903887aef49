"""Rule ``deep_linear_optimum_case``: deep linear networks of one depth and width on one dataset."""

from dataclasses import replace

import torch

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.engine.critical import FinderOptions, with_decision_columns
from landscape.engine.curvature import CurvatureOptions
from landscape.engine.data import load_dataset
from landscape.engine.device import resolve_device
from landscape.experiments.deep_linear.deep_linear import OptimumOptions, optimum_runs, whiten

with logged(snakemake.log[0], snakemake.rule) as log:
    opts = OptimumOptions.from_config(snakemake.params.options)
    depth, width = int(snakemake.wildcards.depth), int(snakemake.wildcards.width)
    opts = replace(opts, depths=(depth,), hidden_widths=(width,))
    numerics = Numerics.from_config(snakemake.params.numerics)
    ds = load_dataset(snakemake.input[0])
    device = resolve_device(snakemake.params.device)
    log.info("device: %s", device)
    x = whiten(torch.as_tensor(ds.x_train), opts.whiten_rtol).to(device)  # (n, k)
    y = torch.as_tensor(ds.y_train, device=device)
    if ds.task == "classification":
        y = torch.nn.functional.one_hot(y, ds.output_dim).to(torch.float64)  # (n, d_y)
    log.info(
        "%s: %d samples, %d whitened input components (of %d), %d outputs",
        ds.name,
        len(x),
        x.shape[1],
        ds.x_train.shape[1],
        y.shape[1],
    )
    finder = FinderOptions.from_numerics(numerics, max_iter=opts.polish_iter, damping=opts.damping)
    curvature = CurvatureOptions.from_config(snakemake.params.curvature)
    log.info("curvature: %s", curvature)
    factor = numerics.eigen_tolerance_factor
    table = optimum_runs(ds.name, x, y, opts, finder, factor, log=log.info, curvature=curvature)
    write_table(with_decision_columns(table, numerics), snakemake.output[0])
