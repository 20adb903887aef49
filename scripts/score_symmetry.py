"""Score claims 0.permutation_invariance and 0.permutation_barrier."""

import numpy as np

from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, REPLICATED, score_table

ROUND_OFF = 1e3 * np.finfo(np.float64).eps  # relative |dL| still called round-off
RISE = 1e-6  # a barrier counts when the path rises more than this, relative to the loss

with logged(snakemake.log[0], snakemake.rule) as log:
    table = read_table(snakemake.input.table, ["loss", "abs_delta_loss", "barrier"])
    relative = (table["abs_delta_loss"] / table["loss"].abs()).max()
    rises = int((table["barrier"] > RISE * table["loss"].abs()).sum())
    log.info("max relative |dL| %.3g; %d/%d paths rise", relative, rises, len(table))
    rows = [
        {
            "claim_id": "0.permutation_invariance",
            "measured": f"max |dL| = {table['abs_delta_loss'].max():.3g} "
            f"(relative {relative:.3g}) over {len(table)} twins",
            "tolerance": f"relative |dL| <= {ROUND_OFF:.3g} (1000 eps)",
            "verdict": REPLICATED if relative <= ROUND_OFF else NOT_REPLICATED,
        },
        {
            "claim_id": "0.permutation_barrier",
            "measured": f"{rises}/{len(table)} paths rise above their ends "
            f"(median barrier {table['barrier'].median():.3g})",
            "tolerance": f"barrier > {RISE:g} x loss on every path",
            "verdict": REPLICATED if rises == len(table) else NOT_REPLICATED,
        },
    ]
    write_table(score_table(rows), snakemake.output[0])
