"""Run the critical-point finders on the deep linear autoencoder; tabulate the end points."""

from landscape.curvature import CurvatureOptions
from landscape.device import resolve_device
from landscape.io import write_table
from landscape.linear_ae import run_validation
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    device = resolve_device(snakemake.params.device)
    log.info("device: %s", device)
    curvature = CurvatureOptions.from_config(snakemake.params.curvature)
    log.info("curvature: %s", curvature)
    table, analytic = run_validation(
        snakemake.params.cfg, snakemake.params.numerics, log.info, device, curvature
    )
    write_table(table, snakemake.output.table)
    write_table(analytic, snakemake.output.analytic)
