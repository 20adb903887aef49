# Section 2: deep linear networks. 2a: the scalar toy losses (1 - w1 w2)^2, (1 - w1 w2 w3)^2.


rule deep_linear_toy_table:
    output:
        "results/tables/deep_linear_toy.csv",
    log:
        "results/logs/deep_linear_toy_table.log",
    conda:
        ENV
    params:
        numerics=config["numerics"],
    script:
        "../../scripts/deep_linear_toy_table.py"


rule deep_linear_toy_figure:
    input:
        "results/tables/deep_linear_toy.csv",
    output:
        png=report(
            "results/figures/deep_linear_toy.png",
            caption="../report/deep_linear_toy.rst",
            category="Section 2: deep linear networks",
        ),
        pdf="results/figures/deep_linear_toy.pdf",
    log:
        "results/logs/deep_linear_toy_figure.log",
    conda:
        ENV
    script:
        "../../scripts/deep_linear_toy.py"


rule deep_linear_toy_score:
    input:
        "results/tables/deep_linear_toy.csv",
    output:
        "results/scores/deep_linear_toy.csv",
    log:
        "results/logs/deep_linear_toy_score.log",
    conda:
        ENV
    script:
        "../../scripts/score_deep_linear_toy.py"
