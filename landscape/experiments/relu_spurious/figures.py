"""The figures of relu spurious: one function per figure, a tidy table in, a figure out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd


def relu_spurious(table: pd.DataFrame, published: list | None = None) -> plt.Figure:
    """Certified spurious-minimum rate against k, n = k and n = k + 1, with Wilson intervals.

    ``published`` (config ``relu_spurious.published``: {k, n, rate, runs} entries, Safran & Shamir
    2018's Table 1) is drawn beside the measured rates as open markers, in the same colours.
    """
    fig, ax = plt.subplots(figsize=(5, 3.4), constrained_layout=True)
    published = pd.DataFrame(published or [], columns=["k", "n", "rate", "runs"])
    labelled = False  # one legend entry for the published markers
    for extra, grp in table.groupby(table["n"] - table["k"]):
        grp = grp.sort_values("k")
        err = [
            grp["certified_fraction"] - grp["ci_low"],
            grp["ci_high"] - grp["certified_fraction"],
        ]
        line = ax.errorbar(
            grp["k"],
            grp["certified_fraction"],
            yerr=err,
            marker="o",
            capsize=3,
            label="n = k" if extra == 0 else f"n = k + {extra}",
        )
        ref = published[published["n"] - published["k"] == extra]
        if len(ref):
            label, labelled = (None if labelled else "published"), True
            ax.plot(
                ref["k"] + 0.15,
                ref["rate"],
                linestyle="none",
                marker="D",
                fillstyle="none",
                color=line[0].get_color(),
                label=label,
            )
    runs = int(table["runs"].min()) if len(table) else 0
    ax.set_xlabel("k (teacher units, input dimension)")
    ax.set_ylabel("certified spurious minima (fraction)")
    note = "" if len(published) else "; no published rates entered"
    ax.set_title(f"{runs} runs per case, 95% Wilson intervals{note}", fontsize=9)
    ax.legend(frameon=False)
    return fig
