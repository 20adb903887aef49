"""Figure ``symmetry``: the loss along the straight path to each permuted twin."""

from landscape.base.io import read_table
from landscape.base.runlog import logged
from landscape.pipeline import plots

with logged(snakemake.log[0], snakemake.rule):
    path = read_table(snakemake.input.path, ["dataset", "network", "permutation", "t", "loss"])
    plots.save_figure(plots.symmetry(path), snakemake.output.png, snakemake.output.pdf)
