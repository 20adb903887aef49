"""Score claim 4.index_grows_with_loss: Spearman correlation of index with loss, per case."""

from scipy.stats import spearmanr

from landscape.index_vs_loss import COLUMNS, case_label, distinct_critical_points
from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, NOT_RUN, REPLICATED, score_table

MIN_POINTS = 10  # distinct certified critical points a case needs to be tested
ALPHA = 0.05  # one-sided significance level

with logged(snakemake.log[0], snakemake.rule) as log:
    table = read_table(snakemake.input[0], COLUMNS)
    crit = distinct_critical_points(table)
    tested, parts, skipped = [], [], []
    for label, grp in crit.groupby(crit.apply(case_label, axis=1)):
        if len(grp) < MIN_POINTS or grp["index"].nunique() < 2:
            skipped.append(f"{label} ({len(grp)})")
            continue
        rho, p = spearmanr(grp["loss"], grp["index"], alternative="greater")
        tested.append(rho > 0 and p < ALPHA)
        parts.append(f"{label}: rho = {rho:.2f} (p = {p:.1g}, {len(grp)} points)")
        log.info("%s: Spearman rho %.3f, one-sided p %.2g, %d points", label, rho, p, len(grp))
    n_cert = int((table["status"] == "critical").sum())
    if skipped:
        parts.append(f"too few to test: {', '.join(skipped)}")
    measured = "; ".join([f"{n_cert} certified end points, {len(crit)} distinct", *parts])
    if not tested:
        verdict = NOT_RUN
    else:
        verdict = REPLICATED if all(tested) else NOT_REPLICATED
    row = {
        "claim_id": "4.index_grows_with_loss",
        "measured": measured,
        "tolerance": f"Spearman rho > 0 at one-sided p < {ALPHA} in every case with >= "
        f"{MIN_POINTS} distinct certified points",
        "verdict": verdict,
    }
    write_table(score_table([row]), snakemake.output[0])
