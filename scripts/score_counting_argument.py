"""Score claim 4.counting_argument from the table."""

from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, REPLICATED, score_table

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(snakemake.input[0], ["kind", "n_params", "log10_p_independent"])
    nets = table[table["kind"] == "network"]
    goe = table[(table["kind"] == "goe") & (table["n_params"] >= 2)]
    # The independent-signs model is optimistic when GOE's rate is below 2^-N (upper 95% bound).
    below = goe[goe["goe_high"] <= 10.0 ** goe["log10_p_independent"]]
    rates = ", ".join(f"N={int(r.n_params)}: {r.goe_rate:.3g}" for r in goe.itertuples())
    row = {
        "claim_id": "4.counting_argument",
        "measured": f"2^-N from 10^{nets['log10_p_independent'].max():.1f} (N = "
        f"{int(nets['n_params'].min())}) to 10^{nets['log10_p_independent'].min():.0f} (N = "
        f"{int(nets['n_params'].max())}) for the pipeline's networks; GOE P(all positive) below "
        f"2^-N for {len(below)}/{len(goe)} sizes ({rates})",
        "tolerance": "GOE: upper end of the 95% Wilson interval",
        "verdict": REPLICATED if len(goe) and len(below) == len(goe) else NOT_REPLICATED,
    }
    write_table(score_table([row]), snakemake.output[0])
