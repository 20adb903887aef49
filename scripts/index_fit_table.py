"""Rule ``index_fit_table``: the 3/2 law fitted per memorisation phi and per small-MLP case."""

import pandas as pd

from landscape.index_fit import FIT_COLUMNS, fit_group
from landscape.index_vs_loss import COLUMNS, fit_groups
from landscape.io import read_table, write_table
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    cfg = snakemake.params.options
    memo_all = read_table(snakemake.input.memorisation, ["phi", *COLUMNS])
    mlp_all = read_table(snakemake.input.index_vs_loss, COLUMNS)
    # Every phi and every case gets a row, with or without certified points.
    groups = fit_groups(memo_all, mlp_all)
    rows = []
    for setting, group, phi, grp in groups:
        row = fit_group(
            grp["loss"].to_numpy(),
            grp["index"].to_numpy(),
            cfg["min_loss"],
            cfg["max_index"],
            cfg["min_points"],
            cfg["bootstrap"],
            cfg["confidence"],
            cfg["seed"],
        )
        row.update(setting=setting, group=group, phi=phi)
        log.info("%s %s: %s, %d points of small index, exponent %s [%s, %s]", setting, group,
                 row["status"], row["points"], row["exponent"], row["exponent_low"],
                 row["exponent_high"])  # fmt: skip
        rows.append(row)
    write_table(pd.DataFrame(rows, columns=FIT_COLUMNS), snakemake.output[0])
