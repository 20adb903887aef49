"""Score claim 4.three_halves_law: is 3/2 inside the bootstrap interval of the free exponent?

Pennington & Bahri derived and tested the law for squared loss in their memorisation setting, so
those fits decide the verdict; without any, the small MLPs trained with squared loss decide it.
Cross-entropy fits are reported beside the verdict, not in it.
"""

from landscape.index_fit import FIT_COLUMNS
from landscape.io import read_table, write_table
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, NOT_RUN, REPLICATED, score_table


def describe(rows) -> str:
    """Each fitted group's exponent and interval."""
    return "; ".join(
        f"{r.group}: p = {r.exponent:.2f} [{r.exponent_low:.2f}, {r.exponent_high:.2f}] "
        f"({r.points} points)"
        for r in rows.itertuples()
    )


with logged(snakemake.log[0], snakemake.rule):
    fits = read_table(snakemake.input[0], FIT_COLUMNS)
    fitted = fits[fits["status"] == "fitted"]
    memo = fitted[fitted["setting"] == "memorisation"]
    squared = fitted[(fitted["setting"] != "memorisation") & fitted["group"].str.endswith(" mse")]
    other = fitted[(fitted["setting"] != "memorisation") & ~fitted["group"].str.endswith(" mse")]
    deciding = memo if len(memo) else squared
    inside = deciding["three_halves_inside"].astype(str) == "True"
    counts = ", ".join(
        f"{r.group}: {r.points}" for r in fits.itertuples() if r.setting == "memorisation"
    )
    if deciding.empty:
        verdict = NOT_RUN
        measured = f"too few certified saddles of small index to fit (memorisation {counts})"
    else:
        verdict = REPLICATED if inside.all() else NOT_REPLICATED
        measured = f"{describe(deciding)}; 3/2 inside {int(inside.sum())}/{len(deciding)}"
    if not other.empty:
        measured += f"; not deciding (cross-entropy): {describe(other)}"
    row = {
        "claim_id": "4.three_halves_law",
        "measured": measured,
        "tolerance": "3/2 inside the percentile bootstrap interval of the free exponent",
        "verdict": verdict,
    }
    write_table(score_table([row]), snakemake.output[0])
