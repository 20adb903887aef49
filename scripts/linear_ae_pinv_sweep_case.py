"""Rule ``linear_ae_pinv_sweep_case``: Newton-MR's certified fraction per pinv_rtol, one seed."""

from dataclasses import replace

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.engine.curvature import CurvatureOptions
from landscape.engine.device import resolve_device
from landscape.experiments.linear_ae.linear_ae import LinearAEOptions, pinv_sweep

with logged(snakemake.log[0], snakemake.rule) as log:
    device = resolve_device(snakemake.params.device)
    log.info("device: %s", device)
    opts = LinearAEOptions.from_config(snakemake.params.options)
    seed = int(snakemake.wildcards.seed)
    table = pinv_sweep(
        replace(opts, sweep_seeds=(seed,)),
        Numerics.from_config(snakemake.params.numerics),
        log.info,
        device,
        CurvatureOptions.from_config(snakemake.params.curvature),
    )
    write_table(table, snakemake.output[0])
