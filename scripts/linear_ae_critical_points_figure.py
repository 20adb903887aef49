"""Figure ``linear_ae_critical_points``: numerical end points over the analytic critical points."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure
from landscape.base.runlog import logged
from landscape.experiments.linear_ae import figures

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(snakemake.input.table, ["method", "status", "loss", "index"])
    analytic = read_table(snakemake.input.analytic, ["loss", "index"])
    fig = figures.linear_ae_critical_points(table, analytic)
    save_figure(fig, snakemake.output.png, snakemake.output.pdf)
