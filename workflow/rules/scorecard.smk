# The replication scorecard, assembled from the per-section score files.


rule scorecard:
    input:
        get_score_files(),
    output:
        report(
            "results/scorecard.csv",
            caption="../report/scorecard.rst",
            category="Scorecard",
        ),
    log:
        "results/logs/scorecard.log",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../../scripts/scorecard.py"
