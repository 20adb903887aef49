"""Rule ``index_vs_loss_case``: critical points of one case (dataset, activation, loss)."""

from landscape.curvature import CurvatureOptions
from landscape.data import load_dataset
from landscape.device import resolve_device
from landscape.index_vs_loss import SearchOptions, classifier_problem, search
from landscape.io import write_table
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
    keys = ("snapshots", "learning_rate", "steps", "snapshot_every", "max_iter",
            "gradient_norm_max_iter", "pinv_rtol", "seed")  # fmt: skip
    opts = SearchOptions(
        networks=cfg["networks"][w.activation],
        methods=tuple(cfg["methods"]),
        **{k: cfg[k] for k in keys},
    )
    curvature = CurvatureOptions.from_config(snakemake.params.curvature)
    log.info("curvature: %s", curvature)
    table, eigs = search(problem, opts, snakemake.params.numerics, log.info, curvature)
    write_table(table, snakemake.output.table)
    write_table(eigs, snakemake.output.eigenvalues)
