"""Rule ``index_sensitivity_table``: the index and the Spearman test at four tolerances.

The index of every certified point, and the test of every case, at round-off, the derived
tolerance, and 1e-6 and 1e-4 max|lambda|.
"""

from landscape.base.io import read_table, write_table
from landscape.base.runlog import logged
from landscape.base.verdicts import ALPHA
from landscape.experiments.index_vs_loss.index_vs_loss import (
    COLUMNS,
    index_loss_tests,
    sensitivity_points,
)
from landscape.experiments.index_vs_loss.verdicts import MIN_POINTS

with logged(snakemake.log[0], snakemake.rule) as log:
    table = read_table(snakemake.input[0], COLUMNS)
    points = sensitivity_points(table)
    tests = index_loss_tests(points, MIN_POINTS, ALPHA)
    for row in tests.itertuples():
        log.info(
            "%s at %s: %d points, rho %.3g, p %.3g, %s",
            row.case,
            row.tolerance,
            row.points,
            row.rho,
            row.p_value,
            row.holds,
        )
    write_table(points, snakemake.output.points)
    write_table(tests, snakemake.output.tests)
