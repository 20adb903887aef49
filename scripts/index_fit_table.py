"""Rule ``index_fit_table``: the 3/2 law fitted to each 4b case's certified points (eps_c free)."""

import pandas as pd

from landscape.base.io import read_table, write_table
from landscape.base.runlog import logged
from landscape.experiments.index_fit.index_fit import (
    FIT_COLUMNS,
    FitOptions,
    Procedure,
    fit_group,
    mlp_groups,
)
from landscape.experiments.index_vs_loss.index_vs_loss import COLUMNS

with logged(snakemake.log[0], snakemake.rule) as log:
    options = FitOptions.from_config(snakemake.params.options)
    log.info("fit: %s", options)
    rows = []
    for grp in mlp_groups(read_table(snakemake.input.index_vs_loss, COLUMNS)):
        row = fit_group(grp.points["energy"], grp.points["index"], options)
        row.update(
            procedure=str(Procedure.CERTIFIED),
            kind=str(grp.kind),
            setting="small MLP",
            group=grp.group,
            phi=float("nan"),
        )
        log.info(
            "%s: %s, %d points of small index, exponent %s [%s, %s]",
            grp.group,
            row["status"],
            row["points"],
            row["exponent"],
            row["exponent_low"],
            row["exponent_high"],
        )
        rows.append(row)
    write_table(pd.DataFrame(rows, columns=FIT_COLUMNS), snakemake.output[0])
