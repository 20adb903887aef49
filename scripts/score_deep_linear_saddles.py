"""Score claims 2.one_layer_strict_saddles, 2.flat_saddles and 2.saddles_analytic."""

from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, REPLICATED, score_table

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(
        snakemake.input[0], ["depth", "source", "status", "kind", "loss", "matches_analytic"]
    )
    saddles = table[table["kind"].isin(["strict saddle", "flat saddle"])]
    one = saddles[saddles["depth"] == 1]
    deep = saddles[saddles["depth"] >= 2]
    strict_one = int((one["kind"] == "strict saddle").sum())
    flat = deep[deep["kind"] == "flat saddle"]
    flat_found = flat[~flat["source"].str.startswith("analytic")]
    found = table[~table["source"].str.startswith("analytic")]
    searched = found[found["status"] == "critical"]
    uncertified = len(found) - len(searched)
    origin_loss = table.loc[table["source"] == "analytic {}", "loss"].max()
    away = flat[flat["loss"] < origin_loss * (1 - 1e-9)]  # flat saddles other than the origin
    matched = int(searched["matches_analytic"].sum())
    rows = [
        {
            "claim_id": "2.one_layer_strict_saddles",
            "measured": f"{strict_one}/{len(one)} non-global critical points with one hidden "
            "layer have a negative eigenvalue (analytic and found)",
            "tolerance": "exact count; negative = below -tol, tol relative to the problem's "
            "curvature scale",
            "verdict": REPLICATED if len(one) and strict_one == len(one) else NOT_REPLICATED,
        },
        {
            "claim_id": "2.flat_saddles",
            "measured": f"{len(flat)} flat saddles (non-global, no negative eigenvalue) with 2 or "
            f"more hidden layers ({len(away)} away from the origin), {len(flat_found)} of them "
            f"found by Newton-MR; depth 1: "
            f"{int((one['kind'] == 'flat saddle').sum())}",
            "tolerance": "exact count; as above",
            "verdict": REPLICATED if len(flat) > 0 else NOT_REPLICATED,
        },
        {
            "claim_id": "2.saddles_analytic",
            "measured": f"{matched}/{len(searched)} certified points found by Newton-MR have an "
            "analytic critical value 1/2 sum_{i not in I} s_i^2"
            f" ({uncertified} of {len(found)} searches not certified, not counted)",
            "tolerance": "relative loss error < 1e-6",
            "verdict": REPLICATED if len(searched) and matched == len(searched) else NOT_REPLICATED,
        },
    ]
    write_table(score_table(rows), snakemake.output[0])
