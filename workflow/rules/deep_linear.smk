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
        rules.deep_linear_toy_table.output[0],
    output:
        **figure_outputs("deep_linear_toy"),
    log:
        "results/logs/deep_linear_toy_figure.log",
    conda:
        ENV
    script:
        "../../scripts/deep_linear_toy_figure.py"


# 2b: deep linear networks trained to the end reach the closed-form optimum (one job per
# dataset, depth and width, so that no one of them is a long pole).


rule deep_linear_optimum_case:
    input:
        rules.dataset.output[0],
    output:
        "results/tables/deep_linear_optimum/{dataset}/depth{depth}_width{width}.csv",
    log:
        "results/logs/deep_linear_optimum_case/{dataset}/depth{depth}_width{width}.log",
    benchmark:
        "results/benchmarks/deep_linear_optimum_case/{dataset}/depth{depth}_width{width}.tsv"
    conda:
        ENV
    resources:
        mem_mb=1500,
        runtime=30,
        gpu=get_gpu_request,
    params:
        options=config["deep_linear"],
        numerics=config["numerics"],
        curvature=config["curvature"],
        device=config["device"],
    script:
        "../../scripts/deep_linear_optimum_case.py"


rule deep_linear_optimum_table:
    input:
        runs=get_deep_linear_tables,
    output:
        runs="results/tables/deep_linear_optimum.csv",
    log:
        "results/logs/deep_linear_optimum_table.log",
    conda:
        ENV
    script:
        "../../scripts/join_tables.py"


rule deep_linear_optimum_figure:
    input:
        rules.deep_linear_optimum_table.output.runs,
    output:
        **figure_outputs("deep_linear_optimum"),
    log:
        "results/logs/deep_linear_optimum_figure.log",
    conda:
        ENV
    params:
        gap_tolerance=config["deep_linear"]["gap_tolerance"],
    script:
        "../../scripts/deep_linear_optimum_figure.py"


# 2c: saddles, analytic and found; strict with one hidden layer, flat beyond.


rule deep_linear_saddles_table:
    output:
        "results/tables/deep_linear_saddles.csv",
    log:
        "results/logs/deep_linear_saddles_table.log",
    benchmark:
        "results/benchmarks/deep_linear_saddles_table.tsv"
    conda:
        ENV
    params:
        options=config["deep_linear_saddles"],
        numerics=config["numerics"],
        curvature=config["curvature"],
    script:
        "../../scripts/deep_linear_saddles_table.py"


rule deep_linear_saddles_figure:
    input:
        rules.deep_linear_saddles_table.output[0],
    output:
        **figure_outputs("deep_linear_saddles"),
    log:
        "results/logs/deep_linear_saddles_figure.log",
    conda:
        ENV
    script:
        "../../scripts/deep_linear_saddles_figure.py"
