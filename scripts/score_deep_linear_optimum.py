"""Score claim 2.no_bad_minima: every certified deep linear network is at the optimum."""

from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, NOT_RUN, REPLICATED, score_table

with logged(snakemake.log[0], snakemake.rule) as log:
    table = read_table(snakemake.input[0], ["status", "rel_gap", "n_negative", "at_optimum"])
    certified = table[table["status"] == "critical"]
    minima = certified[certified["n_negative"] == 0]
    at = int(certified["at_optimum"].sum())
    bad = minima[~minima["at_optimum"]]  # a certified point with no descent direction, above
    others = table[table["status"] != "critical"]["status"].value_counts().to_dict()
    log.info("%d runs: %d certified, %d at the optimum, %d certified minima above it; %s",
             len(table), len(certified), at, len(bad), others)  # fmt: skip
    tol = snakemake.config["deep_linear"]["gap_tolerance"]
    near = certified[(certified["rel_gap"] < tol) & (certified["n_negative"] > 0)]
    measured = (
        f"{at}/{len(certified)} certified runs at the optimum (gap < {tol:g}, index 0); "
        f"largest certified gap {certified['rel_gap'].max():.2g}; "
        f"{len(bad)} certified minima above it; "
        f"{len(near)} certified at the optimum's loss but with eigenvalues below -tol "
        f"(as many as {int(near['n_negative'].max()) if len(near) else 0}); not certified: "
        + (", ".join(f"{n} {s}" for s, n in others.items()) or "none")
        + f" (of {len(table)} runs)"
    )
    if len(certified) == 0:
        verdict = NOT_RUN
    else:
        verdict = REPLICATED if at == len(certified) else NOT_REPLICATED
    row = {
        "claim_id": "2.no_bad_minima",
        "measured": measured,
        "tolerance": f"relative gap < {tol:g}; index 0 at tol = factor * P * eps * max|lambda|",
        "verdict": verdict,
    }
    write_table(score_table([row]), snakemake.output[0])
