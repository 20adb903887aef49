"""Figure ``linear_ae_critical_points``: numerical end points over the analytic critical points."""

from landscape.base.io import read_table
from landscape.base.runlog import logged
from landscape.pipeline import plots

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(snakemake.input.table, ["method", "status", "loss", "index"])
    analytic = read_table(snakemake.input.analytic, ["loss", "index"])
    fig = plots.linear_ae_critical_points(table, analytic)
    plots.save_figure(fig, snakemake.output.png, snakemake.output.pdf)
