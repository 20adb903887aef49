"""Rule ``score``: the verdicts of one registry entry (landscape.pipeline.sections)."""

from landscape.base.io import read_table, write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.pipeline.scorecard import score_table
from landscape.pipeline.sections import by_name

with logged(snakemake.log[0], snakemake.rule) as log:
    experiment = by_name(snakemake.wildcards.experiment)
    tables = {
        key: read_table(snakemake.input[key], spec.required())
        for key, spec in experiment.score_inputs.items()
    }
    numerics = Numerics.from_config(snakemake.params.numerics)
    rows = experiment.score(tables, numerics, snakemake.params.options)
    for row in rows:
        log.info("%s: %s (%s)", row["claim_id"], row["verdict"], row["measured"])
    write_table(score_table(rows), snakemake.output[0])
