"""Rule ``score``: the verdicts of one registry entry (landscape.sections) from its tables."""

from landscape.io import read_table, write_table
from landscape.options import Numerics
from landscape.runlog import logged
from landscape.scorecard import score_table
from landscape.sections import by_name

with logged(snakemake.log[0], snakemake.rule) as log:
    experiment = by_name(snakemake.wildcards.experiment)
    tables = {
        key: read_table(snakemake.input[key], spec.required())
        for key, spec in experiment.score_inputs.items()
    }
    numerics = Numerics.from_config(snakemake.params.numerics)
    rows = experiment.score(tables, numerics, snakemake.params.settings)
    for row in rows:
        log.info("%s: %s (%s)", row["claim_id"], row["verdict"], row["measured"])
    write_table(score_table(rows), snakemake.output[0])
