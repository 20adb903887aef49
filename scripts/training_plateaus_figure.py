"""Figure ``training_plateaus``: training curves, their plateaus, and the index at each one."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure
from landscape.base.runlog import logged
from landscape.experiments.training_plateaus import figures

with logged(snakemake.log[0], snakemake.rule):
    summary = read_table(
        snakemake.input.summary,
        ["network", "point", "plateau_start", "plateau_end", "step", "loss", "grad_norm_sq"]
        + ["status", "n_negative", "index", "eig_tol"],
    )
    eigenvalues = read_table(snakemake.input.eigenvalues, ["network", "step", "rank", "eigenvalue"])
    history = read_table(snakemake.input.history, ["network", "step", "loss", "grad_norm_sq"])
    fig = figures.training_plateaus(summary, eigenvalues, history)
    save_figure(fig, snakemake.output.png, snakemake.output.pdf)
