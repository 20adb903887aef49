"""Rule ``index_fit_table``: the 3/2 law fitted per memorisation phi and per small-MLP case."""

import pandas as pd

from landscape.index_fit import FIT_COLUMNS, fit_group
from landscape.index_vs_loss import COLUMNS, case_label, distinct_critical_points
from landscape.io import read_table, write_table
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    cfg = snakemake.params.options
    memo_all = read_table(snakemake.input.memorisation, ["phi", *COLUMNS])
    mlp_all = read_table(snakemake.input.index_vs_loss, COLUMNS)
    memo, mlp = distinct_critical_points(memo_all), distinct_critical_points(mlp_all)
    labels = mlp.apply(case_label, axis=1) if len(mlp) else pd.Series(dtype=str)
    # Every phi and every case gets a row, with or without certified points.
    groups = [
        ("memorisation", f"phi {phi:.3f}", phi, memo[memo["phi"] == phi])
        for phi in sorted(memo_all["phi"].unique())
    ] + [
        ("small MLP", label, float("nan"), mlp[labels == label])
        for label in sorted(mlp_all.apply(case_label, axis=1).unique())
    ]
    rows = []
    for setting, group, phi, grp in groups:
        row = fit_group(
            grp["loss"].to_numpy(),
            grp["index"].to_numpy(),
            cfg["min_loss"],
            cfg["max_index"],
            cfg["min_points"],
            cfg["bootstrap"],
            cfg["confidence"],
            cfg["seed"],
        )
        row.update(setting=setting, group=group, phi=phi)
        log.info("%s %s: %s, %d points of small index, exponent %s [%s, %s]", setting, group,
                 row["status"], row["points"], row["exponent"], row["exponent_low"],
                 row["exponent_high"])  # fmt: skip
        rows.append(row)
    write_table(pd.DataFrame(rows, columns=FIT_COLUMNS), snakemake.output[0])
