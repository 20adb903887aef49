"""Join per-shard tables into one table per output, in shard order."""

import pandas as pd

from landscape.io import read_table, write_table
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    for name, path in snakemake.output.items():
        parts = [read_table(p) for p in snakemake.input[name]]
        table = pd.concat(parts, ignore_index=True)
        log.info("%s: %d shards, %d rows -> %s", name, len(parts), len(table), path)
        write_table(table, path)
