"""Rule ``deep_linear_saddles_table``: analytic and found critical points of deep linear nets."""

from landscape.critical import FinderOptions
from landscape.curvature import CurvatureOptions
from landscape.deep_linear import SaddleOptions, saddle_table
from landscape.io import write_table
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    cfg = snakemake.params.options
    numerics = snakemake.params.numerics
    opts = SaddleOptions(**{k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items()})
    finder = FinderOptions(
        max_iter=opts.max_iter,
        polish_steps=opts.polish_steps,
        grad_norm_sq_threshold=numerics["grad_norm_sq_threshold"],
        eigen_tolerance_factor=numerics["eigen_tolerance_factor"],
    )
    curvature = CurvatureOptions.from_config(snakemake.params.curvature)
    log.info("curvature: %s", curvature)
    table = saddle_table(opts, finder, numerics["eigen_tolerance_factor"], curvature)
    for (depth, kind), g in table.groupby(["depth", "kind"]):
        log.info("%d hidden layers: %d %s", depth, len(g), kind)
    write_table(table, snakemake.output[0])
