"""Rule ``index_vs_loss_case``: critical points of one case (dataset, activation, loss)."""

from landscape.critical import with_decision_columns
from landscape.curvature import CurvatureOptions
from landscape.data import load_dataset
from landscape.device import resolve_device
from landscape.index_vs_loss import SearchOptions, classifier_problem, search
from landscape.io import write_table
from landscape.options import Numerics
from landscape.resume import Resume
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    cfg = snakemake.params.options
    w = snakemake.wildcards
    problem = classifier_problem(
        load_dataset(snakemake.input[0]),
        cfg["pool"],
        cfg["n_samples"],
        cfg["hidden"],
        w.activation,
        w.loss,
        cfg["seed"],
    ).to(resolve_device(snakemake.params.device))
    log.info("device: %s", problem.x.device)
    opts = SearchOptions.from_config(cfg, networks=cfg["networks"][w.activation])
    curvature = CurvatureOptions.from_config(snakemake.params.curvature)
    log.info("curvature: %s", curvature)
    numerics = Numerics.from_config(snakemake.params.numerics)
    table, eigs = search(
        problem, opts, numerics, log.info, curvature, Resume.from_params(snakemake.params, log.info)
    )
    write_table(with_decision_columns(table, numerics), snakemake.output.table)
    write_table(eigs, snakemake.output.eigenvalues)
