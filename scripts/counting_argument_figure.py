"""Figure ``counting_argument``: 2^-N against N, the pipeline's networks, and the GOE rates."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure
from landscape.base.runlog import logged
from landscape.experiments.counting import figures

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(snakemake.input[0], ["kind", "name", "n_params", "log10_p_independent"])
    save_figure(figures.counting_argument(table), snakemake.output.png, snakemake.output.pdf)
