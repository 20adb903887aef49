"""Rule ``published_fit_table``: Fig. 6a's fits per phi, their procedure and certified."""

from landscape.base.io import read_table, write_table
from landscape.base.runlog import logged
from landscape.experiments.index_fit.index_means import MeansFitOptions, published_fits
from landscape.experiments.index_fit.published_runs import RUN_COLUMNS

with logged(snakemake.log[0], snakemake.rule) as log:
    options = MeansFitOptions.from_config(snakemake.params.means)
    log.info("fit: %s", options)
    fits = published_fits(read_table(snakemake.input.runs, RUN_COLUMNS), options)
    for row in fits.itertuples():
        log.info(
            "%s, phi %g: %d/%d kept, %d critical; %s (%d index values): eps_c %.4g, p %.3g",
            row.procedure,
            row.phi,
            row.kept,
            row.runs,
            row.critical,
            row.status,
            row.points,
            row.eps_c,
            row.exponent,
        )
    write_table(fits, snakemake.output[0])
