"""Figure ``index_fit``: certified points of small index with the 3/2-law fits, per group."""

import pandas as pd

from landscape import plots
from landscape.index_fit import FIT_COLUMNS
from landscape.index_vs_loss import COLUMNS, case_label, distinct_critical_points
from landscape.io import read_table
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule):
    plots.set_style()
    fits = read_table(snakemake.input.fits, FIT_COLUMNS)
    memo = distinct_critical_points(read_table(snakemake.input.memorisation, ["phi", *COLUMNS]))
    memo["group"] = [f"phi {phi:.3f}" for phi in memo["phi"]]
    mlp = distinct_critical_points(read_table(snakemake.input.index_vs_loss, COLUMNS))
    mlp["group"] = mlp.apply(case_label, axis=1)
    points = pd.concat([memo, mlp], ignore_index=True)
    cfg = snakemake.params.options
    fig = plots.index_fit(fits, points, cfg["min_loss"], cfg["max_index"])
    plots.save_figure(fig, snakemake.output.png, snakemake.output.pdf)
