"""Figure ``deep_linear_saddles``: index against loss at deep linear critical points."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure
from landscape.base.runlog import logged
from landscape.experiments.deep_linear import figures

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(
        snakemake.input[0], ["depth", "source", "loss", "index", "kind", "nearest_analytic_loss"]
    )
    fig = figures.deep_linear_saddles(table)
    save_figure(fig, snakemake.output.png, snakemake.output.pdf)
