"""Rule ``deep_linear_saddles_table``: analytic and found critical points of deep linear nets."""

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.engine.critical import FinderOptions, with_decision_columns
from landscape.engine.curvature import CurvatureOptions
from landscape.experiments.deep_linear.deep_linear import SaddleOptions, saddle_table

with logged(snakemake.log[0], snakemake.rule) as log:
    cfg = snakemake.params.options
    numerics = Numerics.from_config(snakemake.params.numerics)
    opts = SaddleOptions.from_config(cfg)
    finder = FinderOptions.from_numerics(
        numerics, max_iter=opts.max_iter, polish_steps=opts.polish_steps
    )
    curvature = CurvatureOptions.from_config(snakemake.params.curvature)
    log.info("curvature: %s", curvature)
    table = saddle_table(opts, finder, numerics.eigen_tolerance_factor, curvature)
    for (depth, kind), g in table.groupby(["depth", "kind"]):
        log.info("%d hidden layers: %d %s", depth, len(g), kind)
    write_table(with_decision_columns(table, numerics), snakemake.output[0])
