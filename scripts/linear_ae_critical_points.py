"""Run the critical-point finders on the deep linear autoencoder; tabulate the end points."""

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.engine.critical import with_decision_columns
from landscape.engine.curvature import CurvatureOptions
from landscape.engine.device import resolve_device
from landscape.experiments.linear_ae.linear_ae import LinearAEOptions, run_validation

with logged(snakemake.log[0], snakemake.rule) as log:
    device = resolve_device(snakemake.params.device)
    log.info("device: %s", device)
    curvature = CurvatureOptions.from_config(snakemake.params.curvature)
    log.info("curvature: %s", curvature)
    numerics = Numerics.from_config(snakemake.params.numerics)
    opts = LinearAEOptions.from_config(snakemake.params.cfg)
    table, analytic = run_validation(opts, numerics, log.info, device, curvature)
    write_table(with_decision_columns(table, numerics), snakemake.output.table)
    write_table(analytic, snakemake.output.analytic)
