"""Score claim 3.spurious_minima: spurious minima at k = n, certified by the Hessian."""

from landscape.io import read_table, write_table
from landscape.relu import CASE_COLUMNS
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, NOT_RUN, REPLICATED, score_table

FROM_K = 10  # Safran & Shamir's rates are tens of percent from k = n = 10 on

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(snakemake.input[0], CASE_COLUMNS)
    square = table[table["k"] == table["n"]].sort_values("k")
    over = table[table["n"] == table["k"] + 1].sort_values("k")
    tested = square[square["k"] >= FROM_K]
    # A rate is > 0 when the lower end of its 95% Wilson interval is, and the minima are
    # certified (||g||^2 and a positive smallest Hessian eigenvalue).
    positive = (tested["ci_low"] > 0) & (tested["certified"] > 0)

    def rates(rows):
        """k: spurious/runs (certified) per case."""
        return ", ".join(
            f"k={r.k}: {r.spurious}/{r.runs} ({r.certified} certified)" for r in rows.itertuples()
        )

    row = {
        "claim_id": "3.spurious_minima",
        "measured": f"n = k: {rates(square)}; n = k + 1: {rates(over)}",
        "tolerance": f"95% Wilson lower bound > 0 with certified minima, every k = n >= {FROM_K}",
        "verdict": NOT_RUN if tested.empty else (REPLICATED if positive.all() else NOT_REPLICATED),
    }
    write_table(score_table([row]), snakemake.output[0])
