"""Rule ``index_vs_loss_scale_case``: critical points of one size of section 4b at scale."""

import time
from dataclasses import replace

import pandas as pd

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.resume import Resume
from landscape.base.runlog import logged
from landscape.engine.critical import Status, with_decision_columns
from landscape.engine.curvature import CurvatureOptions, SpectrumMethod
from landscape.engine.data import load_dataset
from landscape.engine.device import resolve_device
from landscape.experiments.index_vs_loss.index_vs_loss import (
    CaseOptions,
    ScaleOptions,
    SearchOptions,
    classifier_problem,
    scale_search_options,
    search,
)

with logged(snakemake.log[0], snakemake.rule) as log:
    case = CaseOptions.from_config(snakemake.params.base)
    scale = ScaleOptions.from_config(snakemake.params.options)
    size = scale.size(snakemake.wildcards.size)
    problem = classifier_problem(
        load_dataset(snakemake.input[0]),
        case.pool,
        case.n_samples,
        list(size.hidden),
        scale.activation,
        scale.loss,
        case.seed,
    )
    problem = problem.to(resolve_device(snakemake.params.device))
    opts = scale_search_options(SearchOptions.from_config(snakemake.params.base), scale, size)
    curvature = replace(
        CurvatureOptions.from_config(snakemake.params.curvature),
        spectrum=SpectrumMethod(scale.spectrum),
    )
    log.info("size %s: P = %d, %s; %s", size.name, problem.model.n_params, opts, curvature)
    numerics = Numerics.from_config(snakemake.params.numerics)
    start = time.perf_counter()
    table, _ = search(
        problem, opts, numerics, log.info, curvature, Resume.from_params(snakemake.params, log.info)
    )
    seconds = time.perf_counter() - start
    certified = int((table["status"] == Status.CRITICAL).sum())
    log.info(
        "%d of %d certified in %.0f s (%s per certified point)",
        certified,
        len(table),
        seconds,
        f"{seconds / certified:.1f} s" if certified else "none",
    )
    table["size"] = size.name
    write_table(with_decision_columns(table, numerics), snakemake.output.table)
    # The wall time goes to its own file: tables are byte-identical from run to run.
    timing = pd.DataFrame(
        [{"size": size.name, "seconds": seconds, "starts": len(table), "certified": certified}]
    )
    write_table(timing, snakemake.output.timing)
