"""Figure ``index_fit``: Pennington & Bahri's Fig. 6a/6b redrawn, and the 4b groups' fits."""

import pandas as pd

from landscape.base.io import read_table
from landscape.base.plotting import save_figure, set_style
from landscape.base.runlog import logged
from landscape.experiments.index_fit import figures
from landscape.experiments.index_fit.index_fit import FIT_COLUMNS, FitOptions, mlp_groups
from landscape.experiments.index_fit.index_means import PUBLISHED_FIT_COLUMNS, MeansFitOptions
from landscape.experiments.index_fit.published_runs import RUN_COLUMNS
from landscape.experiments.index_vs_loss.index_vs_loss import COLUMNS

with logged(snakemake.log[0], snakemake.rule):
    set_style()
    means = MeansFitOptions.from_config(snakemake.params.means)
    mlp_options = FitOptions.from_config(snakemake.params.options)
    groups = mlp_groups(read_table(snakemake.input.index_vs_loss, COLUMNS))
    points = [
        g.points.assign(group=g.group)[["group", "energy", "index"]]
        for g in groups
        if len(g.points)
    ]
    mlp_points = (
        pd.concat(points, ignore_index=True)
        if points
        else pd.DataFrame(columns=["group", "energy", "index"])
    )
    small = (mlp_points["index"] > 0) & (mlp_points["index"] <= mlp_options.max_index)
    fig = figures.index_fit(
        read_table(snakemake.input.fits, PUBLISHED_FIT_COLUMNS),
        read_table(snakemake.input.runs, RUN_COLUMNS),
        means.min_runs,
        means.max_index,
        read_table(snakemake.input.mlp_fits, FIT_COLUMNS),
        mlp_points[small],
    )
    save_figure(fig, snakemake.output.png, snakemake.output.pdf)
