"""Figure ``newton_vs_gd``: the paths of Newton's method and gradient descent on the gallery."""

from landscape.base.io import read_table
from landscape.base.plotting import save_figure
from landscape.base.runlog import logged
from landscape.experiments.toys import figures

with logged(snakemake.log[0], snakemake.rule):
    runs = read_table(
        snakemake.input.runs, ["function", "near_kind", "method", "returned", "escaped"]
    )
    paths = read_table(
        snakemake.input.paths,
        ["function", "near_x", "near_y", "start", "method", "step", "x", "y"],
    )
    fig = figures.newton_vs_gd(runs, paths)
    save_figure(fig, snakemake.output.png, snakemake.output.pdf)
