"""Figure ``symmetry``: the loss along the straight path to each permuted twin."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure
from landscape.base.runlog import logged
from landscape.experiments.symmetry import figures

with logged(snakemake.log[0], snakemake.rule):
    path = read_table(snakemake.input.path, ["dataset", "network", "permutation", "t", "loss"])
    save_figure(figures.symmetry(path), snakemake.output.png, snakemake.output.pdf)
