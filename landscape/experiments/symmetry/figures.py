"""The figures of symmetry: one function per figure, a tidy table in, a figure out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from landscape.base.plotting import set_style


def symmetry(path: pd.DataFrame) -> plt.Figure:
    """The loss along the straight path from each network to its permuted twin, per dataset.

    Args:
        path: One row per path point (``dataset``, ``network``, ``permutation``, ``t``, ``loss``).

    Returns:
        One panel per dataset.
    """
    set_style()
    names = list(dict.fromkeys(path["dataset"]))
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.2), layout="constrained")
    for ax, name in zip(np.atleast_1d(axes), names, strict=True):
        rows = path[path["dataset"] == name]
        for (net, perm), g in rows.groupby(["network", "permutation"]):
            ax.plot(g["t"], g["loss"], lw=1.2, label=f"net {net}, permutation {perm}")
        ax.set(title=name, xlabel="t: (1 - t) theta + t pi(theta)", ylabel="training loss")
        ax.legend(fontsize=6)
    return fig
