# The report's generated parts: captions with the measured numbers, the scorecard as a table, and
# the run statistics with the config used. `snakemake --report results/report.html` embeds them.


rule figure_captions:
    input:
        rules.scorecard.output[0],
    output:
        expand("results/report/captions/{figure}.rst", figure=FIGURES),
    log:
        "results/logs/figure_captions.log",
    conda:
        ENV
    script:
        "../../scripts/figure_captions.py"


rule scorecard_page:
    input:
        rules.scorecard.output[0],
    output:
        html=report(
            "results/report/scorecard.html",
            caption="../report/scorecard.rst",
            category="Scorecard",
        ),
        rst="results/report/scorecard.rst",
        table="results/report/scorecard_table.rst",
    log:
        "results/logs/scorecard_page.log",
    conda:
        ENV
    script:
        "../../scripts/scorecard_page.py"


rule calibration:
    # A fixed float64 workload timed in this run: the unit of the CPU budget
    # (landscape.pipeline.budget).
    output:
        "results/report/calibration.csv",
    log:
        "results/logs/calibration.log",
    conda:
        ENV
    script:
        "../../scripts/calibration.py"


rule run_statistics:
    input:
        get_final_outputs(),
        get_report_parts(),
        calibration=rules.calibration.output[0],
    output:
        table="results/report/run_statistics.csv",
        config="results/report/config.yaml",
        html=report(
            "results/report/run_statistics.html",
            caption="../report/run_statistics.rst",
            category="Run statistics and config",
        ),
    log:
        "results/logs/run_statistics.log",
    conda:
        ENV
    params:
        config=config,
        log_dir="results/logs",
    script:
        "../../scripts/run_statistics.py"
