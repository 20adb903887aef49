"""Figure ``relu_spurious``: the certified spurious-minimum rate against k, beside the published."""

from landscape.base.io import read_table
from landscape.base.runlog import logged
from landscape.experiments.relu import CASE_COLUMNS
from landscape.pipeline import plots

with logged(snakemake.log[0], snakemake.rule):
    plots.set_style()
    table = read_table(snakemake.input[0], CASE_COLUMNS)
    plots.save_figure(
        plots.relu_spurious(table, snakemake.params.published),
        snakemake.output.png,
        snakemake.output.pdf,
    )
