"""Figures ``dauphin_error_vs_index`` and ``dauphin_eigenvalue_density``: Fig. 1 redrawn."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure, set_style
from landscape.base.runlog import logged
from landscape.experiments.dauphin import figures
from landscape.experiments.dauphin.dauphin import EIGEN_COLUMNS, END_COLUMNS

with logged(snakemake.log[0], snakemake.rule):
    set_style()
    ends = read_table(snakemake.input.table, END_COLUMNS)
    save_figure(figures.error_vs_index(ends), snakemake.output.error)
    eigen = read_table(snakemake.input.eigenvalues, EIGEN_COLUMNS)
    save_figure(figures.eigenvalue_density(eigen), snakemake.output.density)
