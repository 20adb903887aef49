"""Figure ``relu_spurious``: the certified spurious-minimum rate against k, beside the published."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure, set_style
from landscape.base.runlog import logged
from landscape.experiments.relu_spurious import figures
from landscape.experiments.relu_spurious.relu import CASE_COLUMNS

with logged(snakemake.log[0], snakemake.rule):
    set_style()
    table = read_table(snakemake.input[0], CASE_COLUMNS)
    save_figure(
        figures.relu_spurious(table, snakemake.params.published),
        snakemake.output.png,
        snakemake.output.pdf,
    )
