"""Run the critical-point finders on the deep linear autoencoder; tabulate the end points."""

from landscape.device import resolve_device
from landscape.io import write_table
from landscape.linear_ae import run_validation
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    device = resolve_device(snakemake.params.device)
    log.info("device: %s", device)
    table, analytic = run_validation(
        snakemake.params.cfg, snakemake.params.numerics, log.info, device
    )
    write_table(table, snakemake.output.table)
    write_table(analytic, snakemake.output.analytic)
