"""Rule ``run_statistics``: every job's wall time (from the logs), the budget check, the config."""

import yaml

from landscape.base.io import atomic_path, write_table
from landscape.base.runlog import logged
from landscape.pipeline.budget import check, read_calibration
from landscape.pipeline.report import WALL_TIME_FORMAT, run_statistics, run_statistics_html

with logged(snakemake.log[0], snakemake.rule) as log:
    stats = run_statistics(snakemake.params.log_dir)
    calibration = read_calibration(snakemake.input.calibration)
    stats["units"] = stats["wall_time_s"] / calibration
    budget = check(stats, calibration)
    config_text = yaml.safe_dump(dict(snakemake.params.config), sort_keys=False)
    write_table(stats, snakemake.output.table, float_format=WALL_TIME_FORMAT)
    with atomic_path(snakemake.output.config) as tmp:
        tmp.write_text(config_text)
    with atomic_path(snakemake.output.html) as tmp:
        tmp.write_text(run_statistics_html(stats, config_text, budget.lines()))
    log.info("%d finished jobs, %.0f s of job wall time", len(stats), stats["wall_time_s"].sum())
    for line in budget.lines():
        log.info("budget: %s", line)
