"""Rule ``relu_spurious_table``: join the per-case tables in case order."""

from landscape.io import join_tables
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    join_tables(snakemake.input, snakemake.output, log.info)
