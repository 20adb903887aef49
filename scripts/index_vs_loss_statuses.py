"""Rule ``index_vs_loss_statuses``: end points per case, method and status (section 4d)."""

from landscape.base.io import read_table, write_table
from landscape.base.runlog import logged
from landscape.experiments.index_vs_loss.index_vs_loss import COLUMNS, status_breakdown

with logged(snakemake.log[0], snakemake.rule) as log:
    breakdown = status_breakdown(read_table(snakemake.input[0], COLUMNS))
    for row in breakdown[breakdown["end_points"] > 0].itertuples():
        log.info(
            "%s, %s: %d %s (%.0f%%)",
            row.case,
            row.method,
            row.end_points,
            row.status,
            100 * row.share,
        )
    write_table(breakdown, snakemake.output[0])
