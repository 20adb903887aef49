# The landscape pipeline: wiring only. The work is done by the `landscape` library through the
# thin adapters in scripts/; see README.md and workflow/schemas/config.schema.yaml.
from landscape.config import validate_config
from landscape.sections import (
    CATEGORIES,
    EXPERIMENTS,
    figure_claims,
    figure_targets,
    score_files,
    score_inputs,
    score_settings,
)


configfile: "config.yaml"


# Fills in defaults and stops with a message naming the key on any typo or wrong type.
validate_config(config, sources=workflow.configfiles)


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
