"""Rule ``deep_linear_toy_table``: Hessians of the scalar deep linear losses, autograd and exact."""

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.experiments.deep_linear.deep_linear import toy_table

with logged(snakemake.log[0], snakemake.rule) as log:
    numerics = Numerics.from_config(snakemake.params.numerics)
    table = toy_table(numerics)
    for r in table.itertuples():
        log.info(
            "%s at %s (%s): %s, max |autograd - exact| %.2g",
            r.function,
            r.point,
            r.where,
            r.definiteness,
            r.max_abs_diff,
        )
    write_table(table, snakemake.output[0])
