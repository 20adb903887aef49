"""Figure ``deep_linear_toy``: the valley and saddle of (1 - w1 w2)^2, and the flat saddle."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure
from landscape.base.runlog import logged
from landscape.experiments.deep_linear import figures

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(snakemake.input[0], ["layers", "where", "eig_1", "eig_2", "eig_3"])
    save_figure(figures.deep_linear_toy(table), snakemake.output.png, snakemake.output.pdf)
