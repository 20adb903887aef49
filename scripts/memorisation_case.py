"""Rule ``memorisation_case``: Pennington & Bahri's memorisation task at one phi.

Both finders search from the same starts: gradient-norm minimisation and Newton-MR. Their
procedure keeps the ends of ``index_fit.published_finder`` under its cutoff; the certified
procedure reads Newton-MR's critical points (``index_fit_table``).
"""

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.resume import Resume
from landscape.base.runlog import logged
from landscape.engine.critical import with_decision_columns
from landscape.engine.curvature import CurvatureOptions
from landscape.engine.device import resolve_device
from landscape.experiments.index_fit.memorisation import (
    MEMORISATION_COLUMNS,
    MemorisationOptions,
    memorisation_phi,
    memorisation_search_options,
    with_energy,
)
from landscape.experiments.index_vs_loss.index_vs_loss import SearchOptions, search

with logged(snakemake.log[0], snakemake.rule) as log:
    memo = MemorisationOptions.from_config(snakemake.params.options)
    opts = memorisation_search_options(SearchOptions.from_config(snakemake.params.options))
    k = int(snakemake.wildcards.phi_index)
    problem = memo.problem(k).to(resolve_device(snakemake.params.device))
    log.info("device: %s", problem.x.device)
    phi = memorisation_phi(problem)
    log.info("phi = %.4f (asked %.4f): %d data points", phi, memo.phis[k], len(problem.x))
    curvature = CurvatureOptions.from_config(snakemake.params.curvature)
    log.info("curvature: %s", curvature)
    numerics = Numerics.from_config(snakemake.params.numerics)
    table, eigs = search(
        problem, opts, numerics, log.info, curvature, Resume.from_params(snakemake.params, log.info)
    )
    table.insert(1, "phi", phi)
    table["network"] = [f"{n} phi {phi:.3f}" for n in table["network"]]
    table = with_energy(table, memo.width)[MEMORISATION_COLUMNS]
    write_table(with_decision_columns(table, numerics), snakemake.output[0])
