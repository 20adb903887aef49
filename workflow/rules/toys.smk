# Section 1a: critical points of 2-D functions classified from their Hessians.


rule toy_critical_points_table:
    output:
        "results/tables/toy_critical_points.csv",
    log:
        "results/logs/toy_critical_points_table.log",
    conda:
        ENV
    params:
        numerics=config["numerics"],
    script:
        "../../scripts/toy_critical_points_table.py"


rule toy_critical_points_figure:
    input:
        "results/tables/toy_critical_points.csv",
    output:
        png=report(
            "results/figures/toy_critical_points.png",
            caption="../report/toy_critical_points.rst",
            category="Section 1: the Hessian at critical points",
        ),
        pdf="results/figures/toy_critical_points.pdf",
    log:
        "results/logs/toy_critical_points_figure.log",
    conda:
        ENV
    script:
        "../../scripts/toy_critical_points.py"


rule toy_critical_points_score:
    input:
        "results/tables/toy_critical_points.csv",
    output:
        "results/scores/toy_critical_points.csv",
    log:
        "results/logs/toy_critical_points_score.log",
    conda:
        ENV
    script:
        "../../scripts/score_toy_critical_points.py"
