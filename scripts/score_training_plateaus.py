"""Score claim 1.stopped_not_minimum from the spectra at the points where training looked stuck."""

from landscape.critical import is_local_minimum
from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, NOT_RUN, REPLICATED, score_table

with logged(snakemake.log[0], snakemake.rule) as log:
    summary = read_table(
        snakemake.input.summary, ["point", "status", "definiteness", "n_negative", "index"]
    )
    stuck = summary[summary["point"] == "plateau"]
    n = len(stuck)
    pairs = zip(stuck.status, stuck.definiteness, strict=True)
    minima = sum(is_local_minimum(s, d) for s, d in pairs)
    negative = stuck[stuck["n_negative"] > 0]
    log.info(
        "%d plateau points: %d with negative eigenvalues, %d certified local minima",
        n,
        len(negative),
        minima,
    )
    if n == 0:
        measured = "no plateau found: the loss never stalled by the configured criterion"
        verdict = NOT_RUN
    else:
        worst = f"; largest index {stuck['index'].max():.4f}" if len(negative) else ""
        measured = (
            f"{len(negative)}/{n} plateau points have negative eigenvalues{worst}; "
            f"{minima}/{n} are certified local minima"
        )
        verdict = REPLICATED if len(negative) > 0 else NOT_REPLICATED
    row = {
        "claim_id": "1.stopped_not_minimum",
        "measured": measured,
        "tolerance": "exact counts; negative = below -eig_tol; minimum = |g|^2 <= threshold and "
        "positive definite Hessian",
        "verdict": verdict,
    }
    write_table(score_table([row]), snakemake.output[0])
