"""Figures of 4b and 4d: index and minimum ratio against loss, spectra, statuses, sensitivity.

The last shows the index's sensitivity to the eigenvalue tolerance.
"""

from landscape.base.io import read_table
from landscape.base.options import Numerics
from landscape.base.plotting import save_figure, set_style
from landscape.base.runlog import logged
from landscape.experiments.index_vs_loss import figures
from landscape.experiments.index_vs_loss.index_vs_loss import (
    COLUMNS,
    EIGEN_COLUMNS,
    SENSITIVITY_COLUMNS,
    STATUS_COLUMNS,
    TEST_COLUMNS,
    ScaleOptions,
    histogram_picks,
    scale_panels,
)

with logged(snakemake.log[0], snakemake.rule) as log:
    set_style()
    inp, out = snakemake.input, snakemake.output
    table = read_table(inp.table, COLUMNS)
    eigs = read_table(inp.eigenvalues, EIGEN_COLUMNS)
    save_figure(figures.index_vs_loss(table), out.index)
    save_figure(figures.min_ratio_vs_loss(table), out.min_ratio)
    threshold = Numerics.from_config(snakemake.params.numerics).grad_norm_sq_threshold
    statuses = read_table(inp.statuses, STATUS_COLUMNS)
    save_figure(figures.index_vs_loss_by_status(table, threshold, statuses), out.by_status)
    picks = histogram_picks(table)
    log.info("histograms at losses %s", ", ".join(f"{v:.4g}" for v in picks["loss"]))
    save_figure(figures.index_vs_loss_histograms(picks, eigs), out.histograms)
    sensitivity = read_table(inp.sensitivity, SENSITIVITY_COLUMNS)
    tests = read_table(inp.tests, TEST_COLUMNS)
    save_figure(figures.index_sensitivity(sensitivity, tests), out.sensitivity)
    scale = [
        read_table(path, COLUMNS).assign(case_seconds=float(read_table(timing)["seconds"].iloc[0]))
        for path, timing in zip(inp.scale, inp.scale_timing, strict=True)
    ]
    panels = scale_panels(table, scale, ScaleOptions.from_config(snakemake.params.scale))
    log.info("scale panels: %s", "; ".join(title for title, _ in panels))
    save_figure(figures.index_vs_loss_scale(panels), out.scale)
