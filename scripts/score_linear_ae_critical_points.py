"""Score the finder validation: Newton-MR's success rate and agreement with the analytic points."""

from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, REPLICATED, score_table, wilson_interval

REFERENCE_RATE = 0.80  # Frye et al. 2019, Sec. 4: Newton-MR success rate

with logged(snakemake.log[0], snakemake.rule) as log:
    table = read_table(snakemake.input.table, ["method", "status", "matches_analytic"])
    rates = {}
    for method, group in table.groupby("method"):
        k, n = int((group["status"] == "critical").sum()), len(group)
        rates[method] = (k, n)
        log.info("%s: %d/%d certified (%.1f%%)", method, k, n, 100 * k / n)
    k, n = rates["newton_mr"]
    low, high = wilson_interval(k, n)
    others = ", ".join(f"{m} {a}/{b}" for m, (a, b) in rates.items() if m != "newton_mr")
    certified = table[table["status"] == "critical"]
    matched = int(certified["matches_analytic"].sum())
    rows = [
        {
            "claim_id": "2.linear_ae_newton_mr",
            "measured": f"{k}/{n} = {k / n:.1%} certified (95% CI {low:.1%}-{high:.1%}); {others}",
            "tolerance": "95% Wilson interval must reach the reference rate",
            "verdict": REPLICATED if high >= REFERENCE_RATE else NOT_REPLICATED,
        },
        {
            "claim_id": "2.linear_ae_exact",
            "measured": f"{matched}/{len(certified)} certified points match (all finders)",
            "tolerance": "loss 1e-6 relative, index exact",
            "verdict": REPLICATED
            if len(certified) and matched == len(certified)
            else NOT_REPLICATED,
        },
    ]
    write_table(score_table(rows), snakemake.output[0])
