"""Score claim 1.stopped_not_minimum from the end-of-training spectra."""

from landscape.critical import is_local_minimum
from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, REPLICATED, score_table

with logged(snakemake.log[0], snakemake.rule) as log:
    summary = read_table(snakemake.input.summary, ["status", "definiteness"])
    pairs = zip(summary.status, summary.definiteness, strict=True)
    minima = [is_local_minimum(s, d) for s, d in pairs]
    n, k = len(summary), sum(minima)
    log.info("%d of %d end points are certified local minima", k, n)
    row = {
        "claim_id": "1.stopped_not_minimum",
        "measured": f"{k}/{n} end points certified as local minima (fraction {k / n:.3f})",
        "tolerance": "exact count; certified = |g|^2 <= threshold and positive definite Hessian",
        "verdict": REPLICATED if k < n else NOT_REPLICATED,
    }
    write_table(score_table([row]), snakemake.output[0])
