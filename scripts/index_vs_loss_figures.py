"""Figures of 4b and 4d: index and minimum ratio against loss, spectra, end points by status."""

from landscape import plots
from landscape.config import Numerics
from landscape.index_vs_loss import COLUMNS, EIGEN_COLUMNS, histogram_picks
from landscape.io import read_table
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    plots.set_style()
    table = read_table(snakemake.input.table, COLUMNS)
    eigs = read_table(snakemake.input.eigenvalues, EIGEN_COLUMNS)
    out = snakemake.output
    plots.save_figure(plots.index_vs_loss(table), out.index)
    plots.save_figure(plots.min_ratio_vs_loss(table), out.min_ratio)
    threshold = Numerics.from_config(snakemake.params.numerics).grad_norm_sq_threshold
    plots.save_figure(plots.index_vs_loss_by_status(table, threshold), out.by_status)
    picks = histogram_picks(table)
    log.info("histograms at losses %s", ", ".join(f"{v:.4g}" for v in picks["loss"]))
    plots.save_figure(plots.index_vs_loss_histograms(picks, eigs), out.histograms)
