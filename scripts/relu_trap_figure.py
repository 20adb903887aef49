"""Figure ``relu_trap``: the trapped and the successful fits, and their training losses."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure, set_style
from landscape.base.runlog import logged
from landscape.experiments.relu_trap import figures
from landscape.experiments.relu_trap.relu_trap import END_COLUMNS, PERTURBATION_COLUMNS

with logged(snakemake.log[0], snakemake.rule):
    set_style()
    ends = read_table(snakemake.input.ends, END_COLUMNS)
    history = read_table(snakemake.input.history, ["init", "step", "loss"])
    perturb = read_table(snakemake.input.perturbations, PERTURBATION_COLUMNS)
    fig = figures.relu_trap(ends, history, perturb)
    save_figure(fig, snakemake.output.png, snakemake.output.pdf)
