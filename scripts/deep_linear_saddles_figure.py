"""Figure ``deep_linear_saddles``: index against loss at deep linear critical points."""

from landscape.base.io import read_table
from landscape.base.runlog import logged
from landscape.pipeline import plots

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(
        snakemake.input[0], ["depth", "source", "loss", "index", "kind", "nearest_analytic_loss"]
    )
    fig = plots.deep_linear_saddles(table)
    plots.save_figure(fig, snakemake.output.png, snakemake.output.pdf)
