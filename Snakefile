# The landscape pipeline: wiring only. The work is done by the `landscape` library through the
# thin adapters in scripts/; see README.md and workflow/schemas/config.schema.yaml.
import os
import sys
from pathlib import Path

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
    score_options,
)


configfile: "config.yaml"


# Stops with a message naming the key on a key written twice in a file (Snakemake's loader keeps
# the last silently), on any typo or wrong type; fills in defaults.
check_config_files(workflow.configfiles)
validate_config(config, sources=workflow.configfiles)
# Stops, with the workaround, where Snakemake could not start a job with this interpreter.
check_interpreter_path(sys.executable)


report: "workflow/report/workflow.rst"


# The rule files, shared ones first in this order (a file may use the rules of those before it),
# then any other (a new section's), in name order: a new section's rule file needs no line here.
RULE_FILES = [
    "common",
    "data",
    "symmetry",
    "toys",
    "training_plateaus",
    "critical_points",
    "deep_linear",
    "relu",
    "index_vs_loss",
    "scorecard",
    "report",
]
RULE_FILES += sorted(
    path.stem
    for path in Path(workflow.basedir, "workflow", "rules").glob("*.smk")
    if path.stem not in RULE_FILES
)


for rule_file in RULE_FILES:

    include: f"workflow/rules/{rule_file}.smk"


rule all:
    default_target: True
    input:
        get_final_outputs(),
        get_report_parts(),
        "results/report/run_statistics.html",
