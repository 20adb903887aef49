"""Score claims 1.newton_attracted and 1.gd_escapes_saddles from the runs near non-minima."""

from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, REPLICATED, score_table

# Known kinds of the points a descent method should leave: not minima.
MINIMA = ("positive definite", "positive semidefinite")

with logged(snakemake.log[0], snakemake.rule) as log:
    runs = read_table(snakemake.input[0], ["method", "near_kind", "returned", "escaped"])
    near = runs[~runs["near_kind"].isin(MINIMA)]  # saddles, maxima, degenerate points
    newton = near[near["method"] == "newton"]
    gd = near[near["method"] == "gd"]
    k_newton, k_gd = int(newton["returned"].sum()), int(gd["escaped"].sum())
    all_newton = runs[runs["method"] == "newton"]
    log.info("Newton returned %d/%d; gradient descent escaped %d/%d", k_newton, len(newton),
             k_gd, len(gd))  # fmt: skip
    rows = [
        {
            "claim_id": "1.newton_attracted",
            "measured": f"{k_newton}/{len(newton)} Newton runs started near saddles, maxima and "
            f"degenerate points end certified at that point "
            f"({int(all_newton['returned'].sum())}/{len(all_newton)} over all starts)",
            "tolerance": "exact count; certified = |g|^2 <= threshold, same kind of point",
            "verdict": REPLICATED if len(newton) and k_newton == len(newton) else NOT_REPLICATED,
        },
        {
            "claim_id": "1.gd_escapes_saddles",
            "measured": f"{k_gd}/{len(gd)} gradient-descent runs from the same starts escape "
            "(to a minimum, or diverging where the function is unbounded below)",
            "tolerance": "exact count; escaped = ends > 5 perturbation radii away, or diverged",
            "verdict": REPLICATED if len(gd) and k_gd == len(gd) else NOT_REPLICATED,
        },
    ]
    write_table(score_table(rows), snakemake.output[0])
