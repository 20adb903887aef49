"""Rule ``relu_spurious_case``: every run of one (k, n) teacher-student case, classified."""

import pandas as pd

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.engine.critical import with_decision_columns
from landscape.engine.device import resolve_device
from landscape.experiments.relu_spurious.relu import CASE_COLUMNS, CensusOptions, census_case

with logged(snakemake.log[0], snakemake.rule) as log:
    opts = CensusOptions.from_config(snakemake.params.options)  # ks, overparameterisation: jobs
    k, n = int(snakemake.wildcards.k), int(snakemake.wildcards.n)
    device = resolve_device(snakemake.params.device)
    log.info("device: %s", device)
    numerics = Numerics.from_config(snakemake.params.numerics)
    summary, runs = census_case(k, n, opts, numerics, log.info, device)
    write_table(pd.DataFrame([summary], columns=CASE_COLUMNS), snakemake.output.summary)
    write_table(with_decision_columns(runs, numerics), snakemake.output.runs)
