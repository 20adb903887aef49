"""Figure ``toy_critical_points``: contours with each critical point marked by its kind."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure
from landscape.base.runlog import logged
from landscape.experiments.toys import figures

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(snakemake.input[0], ["function", "x", "y", "measured"])
    save_figure(figures.toy_critical_points(table), snakemake.output.png, snakemake.output.pdf)
