"""Rule ``index_vs_loss_case``: critical points of one case (dataset, activation, loss)."""

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.resume import Resume
from landscape.base.runlog import logged
from landscape.engine.critical import with_decision_columns
from landscape.engine.curvature import CurvatureOptions
from landscape.engine.data import load_dataset
from landscape.engine.device import resolve_device
from landscape.experiments.index_vs_loss.index_vs_loss import (
    CaseOptions,
    SearchOptions,
    classifier_problem,
    search,
)

with logged(snakemake.log[0], snakemake.rule) as log:
    case = CaseOptions.from_config(snakemake.params.options)
    w = snakemake.wildcards
    opts = SearchOptions.from_config(snakemake.params.options, networks=case.networks[w.activation])
    problem = classifier_problem(
        load_dataset(snakemake.input[0]),
        case.pool,
        case.n_samples,
        case.hidden,
        w.activation,
        w.loss,
        case.seed,
    ).to(resolve_device(snakemake.params.device))
    log.info("device: %s", problem.x.device)
    curvature = CurvatureOptions.from_config(snakemake.params.curvature)
    log.info("curvature: %s", curvature)
    numerics = Numerics.from_config(snakemake.params.numerics)
    table, eigs = search(
        problem, opts, numerics, log.info, curvature, Resume.from_params(snakemake.params, log.info)
    )
    write_table(with_decision_columns(table, numerics), snakemake.output.table)
    write_table(eigs, snakemake.output.eigenvalues)
