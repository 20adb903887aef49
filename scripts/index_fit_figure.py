"""Figure ``index_fit``: points of small index with the 3/2-law fits, per procedure and group."""

import pandas as pd

from landscape.base.io import read_table
from landscape.base.plotting import save_figure, set_style
from landscape.base.runlog import logged
from landscape.experiments.index_fit import figures
from landscape.experiments.index_fit.index_fit import FIT_COLUMNS, FitOptions, Procedure
from landscape.experiments.index_fit.memorisation import (
    MEMORISATION_COLUMNS,
    MemorisationOptions,
    fit_groups,
    published_points,
)
from landscape.experiments.index_vs_loss.index_vs_loss import COLUMNS

with logged(snakemake.log[0], snakemake.rule):
    set_style()
    fit = FitOptions.from_config(snakemake.params.options)
    memo_opts = MemorisationOptions.from_config(snakemake.params.options)
    fits = read_table(snakemake.input.fits, FIT_COLUMNS)
    memo = read_table(snakemake.input.memorisation, MEMORISATION_COLUMNS)
    mlp = read_table(snakemake.input.index_vs_loss, COLUMNS)
    cutoff, finder = memo_opts.published_cutoff, memo_opts.published_finder
    groups = fit_groups(memo, mlp, cutoff, finder)
    # Their procedure's ends above the cutoff are drawn too (crosses), never fitted.
    above = published_points(memo, cutoff, finder, above=True)
    above = above.assign(
        procedure=str(Procedure.PUBLISHED), group=above["phi"].map("phi {:.3f}".format)
    )
    points = pd.concat(
        [g.points.assign(procedure=str(g.procedure), group=g.group, kept=True) for g in groups]
        + [above.assign(kept=False)],
        ignore_index=True,
    )
    fig = figures.index_fit(fits, points, fit.min_loss, fit.max_index)
    save_figure(fig, snakemake.output.png, snakemake.output.pdf)
