"""Rule ``scorecard``: join the per-section score files into ``results/scorecard.csv``."""

from landscape.base.io import write_table
from landscape.base.runlog import logged
from landscape.pipeline.scorecard import assemble

with logged(snakemake.log[0], snakemake.rule) as log:
    card = assemble(snakemake.input)
    for verdict, count in card["verdict"].value_counts().items():
        log.info("%s: %d claims", verdict, count)
    write_table(card, snakemake.output[0])
