"""Score claim 1.toy_classification."""

from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, REPLICATED, score_table

with logged(snakemake.log[0], snakemake.rule):
    table = read_table(snakemake.input[0], ["matches"])
    k, n = int(table["matches"].sum()), len(table)
    row = {
        "claim_id": "1.toy_classification",
        "measured": f"{k}/{n} known critical points classified as derived",
        "tolerance": "exact (eigenvalue signs with the stated tolerance)",
        "verdict": REPLICATED if k == n else NOT_REPLICATED,
    }
    write_table(score_table([row]), snakemake.output[0])
