"""Figure ``deep_linear_optimum``: gaps to the closed-form optimum per depth and width."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure
from landscape.base.runlog import logged
from landscape.experiments.deep_linear import figures

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(
        snakemake.input[0],
        ["data", "depth", "hidden_width", "bottleneck", "status", "rel_gap", "n_negative"],
    )
    fig = figures.deep_linear_optimum(table, snakemake.params.gap_tolerance)
    save_figure(fig, snakemake.output.png, snakemake.output.pdf)
