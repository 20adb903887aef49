"""Rule ``index_fit_table``: the 3/2 law fitted per procedure, memorisation phi and MLP case."""

import pandas as pd

from landscape.base.io import read_table, write_table
from landscape.base.runlog import logged
from landscape.experiments.index_fit.index_fit import FIT_COLUMNS, FitOptions, fit_group
from landscape.experiments.index_fit.memorisation import (
    MEMORISATION_COLUMNS,
    MemorisationOptions,
    fit_groups,
)
from landscape.experiments.index_vs_loss.index_vs_loss import COLUMNS

with logged(snakemake.log[0], snakemake.rule) as log:
    options = FitOptions.from_config(snakemake.params.options)
    memo = MemorisationOptions.from_config(snakemake.params.options)
    log.info(
        "fit: %s; their procedure: %s ends with ||grad eps||^2 <= %g",
        options,
        memo.published_finder,
        memo.published_cutoff,
    )
    memo_all = read_table(snakemake.input.memorisation, MEMORISATION_COLUMNS)
    mlp_all = read_table(snakemake.input.index_vs_loss, COLUMNS)
    rows = []
    # Every group of both procedures gets a row, with or without points.
    for grp in fit_groups(memo_all, mlp_all, memo.published_cutoff, memo.published_finder):
        row = fit_group(grp.points["energy"], grp.points["index"], options, grp.eps_c)
        row.update(
            procedure=grp.procedure,
            kind=grp.kind,
            setting=grp.setting,
            group=grp.group,
            phi=grp.phi,
        )
        log.info(
            "%s, %s %s: %s, %d points of small index, exponent %s [%s, %s]",
            grp.procedure,
            grp.setting,
            grp.group,
            row["status"],
            row["points"],
            row["exponent"],
            row["exponent_low"],
            row["exponent_high"],
        )
        rows.append(row)
    write_table(pd.DataFrame(rows, columns=FIT_COLUMNS), snakemake.output[0])
