"""Rule ``scorecard_page``: the scorecard as an HTML page and the report's front-page summary."""

from landscape.base.io import atomic_path, read_table
from landscape.base.runlog import logged
from landscape.pipeline.report import scorecard_html, scorecard_rst, scorecard_summary_rst
from landscape.pipeline.scorecard import SCORECARD_COLUMNS

with logged(snakemake.log[0], snakemake.rule) as log:
    card = read_table(snakemake.input[0], SCORECARD_COLUMNS)
    with atomic_path(snakemake.output.html) as tmp:
        tmp.write_text(scorecard_html(card))
    with atomic_path(snakemake.output.rst) as tmp:
        tmp.write_text(scorecard_summary_rst(card))  # the front page
    with atomic_path(snakemake.output.table) as tmp:
        tmp.write_text(scorecard_rst(card))  # the full table, in the Scorecard section
    log.info("%d claims", len(card))
