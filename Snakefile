# The landscape pipeline: wiring only. The work is done by the `landscape` library through the
# thin adapters in scripts/; see README.md and workflow/schemas/config.schema.yaml.
import os
import sys

from landscape.pipeline.config import (
    check_config_files,
    check_interpreter_path,
    validate_config,
)
from landscape.pipeline.sections import (
    EXPERIMENTS,
    category,
    figure_claims,
    figure_report,
    figure_targets,
    score_files,
    score_inputs,
    score_settings,
)


configfile: "config.yaml"


# Stops with a message naming the key on a key written twice in a file (Snakemake's loader keeps
# the last silently), on any typo or wrong type; fills in defaults.
check_config_files(workflow.configfiles)
validate_config(config, sources=workflow.configfiles)
# Stops, with the workaround, where Snakemake could not start a job with this interpreter.
check_interpreter_path(sys.executable)


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/symmetry.smk"
include: "workflow/rules/toys.smk"
include: "workflow/rules/training_plateaus.smk"
include: "workflow/rules/critical_points.smk"
include: "workflow/rules/deep_linear.smk"
include: "workflow/rules/relu.smk"
include: "workflow/rules/index_vs_loss.smk"
include: "workflow/rules/scorecard.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        get_final_outputs(),
        get_report_parts(),
        "results/report/run_statistics.html",
