# Section 4: the index of critical points against their loss. 4a: the counting argument.


rule counting_argument_table:
    input:
        unpack(get_all_datasets),
    output:
        "results/tables/counting_argument.csv",
    log:
        "results/logs/counting_argument_table.log",
    conda:
        ENV
    params:
        options=config["counting"],
        sections={
            key: config[key]
            for key in (
                "training_plateaus",
                "symmetry",
                "deep_linear",
                "deep_linear_saddles",
                "linear_ae",
            )
        },
    script:
        "../../scripts/counting_argument_table.py"


rule counting_argument_figure:
    input:
        "results/tables/counting_argument.csv",
    output:
        png=report(
            "results/figures/counting_argument.png",
            caption="../report/counting_argument.rst",
            category="Section 4: index against loss",
        ),
        pdf="results/figures/counting_argument.pdf",
    log:
        "results/logs/counting_argument_figure.log",
    conda:
        ENV
    script:
        "../../scripts/counting_argument.py"


rule counting_argument_score:
    input:
        "results/tables/counting_argument.csv",
    output:
        "results/scores/counting_argument.csv",
    log:
        "results/logs/counting_argument_score.log",
    conda:
        ENV
    script:
        "../../scripts/score_counting_argument.py"
