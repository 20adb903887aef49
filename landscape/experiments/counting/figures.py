"""The figures of counting: one function per figure, a tidy table in, a figure out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from landscape.base.plotting import set_style


def counting_argument(table: pd.DataFrame) -> plt.Figure:
    """log10 2^-N against N, with the pipeline's networks and the GOE Monte Carlo rates.

    Args:
        table: Rows of :func:`landscape.experiments.counting.counting.counting_table`.

    Returns:
        Left: the whole range of the networks, labelled; right: small N with GOE rates.
    """
    set_style()
    fig, (ax, ax_small) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    nets = table[table["kind"] == "network"]
    top = int(nets["n_params"].max()) if len(nets) else 10
    n = np.arange(1, top + 1)
    for a in (ax, ax_small):
        a.plot(n, -n * np.log10(2.0), color="0.4", lw=1, label="2^-N (independent signs)")
    ax.scatter(nets["n_params"], nets["log10_p_independent"], color="C0", s=16, zorder=3)
    for j, r in enumerate(nets.itertuples()):
        ax.annotate(
            r.name,
            (r.n_params, r.log10_p_independent),
            fontsize=5,
            xytext=(4, 6 if j % 2 else -9),
            textcoords="offset points",
        )
    ax.set(
        xscale="log",
        xlabel="N (parameters)",
        ylabel="log10 P(all eigenvalues positive)",
        title="the pipeline's networks",
    )
    goe = table[table["kind"] == "goe"]
    if len(goe):
        rate = goe["goe_rate"].to_numpy()
        lo, hi = goe["goe_low"].to_numpy(), goe["goe_high"].to_numpy()
        floor = 1e-12  # a size with no hit is drawn at its upper bound only
        y = np.log10(np.maximum(rate, floor))
        err = [y - np.log10(np.maximum(lo, floor)), np.log10(hi) - y]
        ax_small.errorbar(
            goe["n_params"], y, yerr=err, fmt="o", color="C3", ms=4, label="GOE Monte Carlo"
        )
        ax_small.set_xlim(0.5, goe["n_params"].max() + 0.5)
        ax_small.set_ylim(min(y.min(), -goe["n_params"].max() * np.log10(2.0)) - 0.5, 0.2)
    ax_small.set(xlabel="N", title="small N: random symmetric matrices")
    ax_small.legend(fontsize=7)
    return fig
