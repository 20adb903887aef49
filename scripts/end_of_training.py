"""Figure ``end_of_training``: training curves and the Hessian spectrum where training ended."""

from landscape import plots
from landscape.io import read_table
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule):
    summary = read_table(snakemake.input.summary, ["network", "status", "index", "eig_tol"])
    eigenvalues = read_table(snakemake.input.eigenvalues, ["network", "rank", "eigenvalue"])
    history = read_table(snakemake.input.history, ["network", "step", "loss", "grad_norm_sq"])
    fig = plots.end_of_training(summary, eigenvalues, history)
    plots.save_figure(fig, snakemake.output.png, snakemake.output.pdf)
