"""Score claims 2.toy_saddle and 2.toy_flat_saddle from the Hessians at the origin."""

from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, REPLICATED, score_table


def origin(table, layers):
    """The row of the origin of the k-layer loss."""
    return table[(table["layers"] == layers) & (table["where"] == "origin")].iloc[0]


with logged(snakemake.log[0], snakemake.rule):
    table = read_table(
        snakemake.input[0],
        [
            "layers",
            "where",
            "critical",
            "eig_1",
            "eig_2",
            "eig_3",
            "max_abs_diff",
            "matches_derived",
        ],
    )
    two, three = origin(table, 2), origin(table, 3)
    rows = [
        {
            "claim_id": "2.toy_saddle",
            "measured": f"eigenvalues {two.eig_1:g}, {two.eig_2:g} (autograd; closed form agrees "
            f"to {two.max_abs_diff:.2g}); gradient zero: {bool(two.critical)}",
            "tolerance": "exact",
            "verdict": REPLICATED if two.matches_derived and two.critical else NOT_REPLICATED,
        },
        {
            "claim_id": "2.toy_flat_saddle",
            "measured": f"eigenvalues {three.eig_1:g}, {three.eig_2:g}, {three.eig_3:g} "
            f"(closed form agrees to {three.max_abs_diff:.2g}); gradient zero: "
            f"{bool(three.critical)}",
            "tolerance": "exact",
            "verdict": REPLICATED if three.matches_derived and three.critical else NOT_REPLICATED,
        },
    ]
    write_table(score_table(rows), snakemake.output[0])
