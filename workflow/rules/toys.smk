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
        rules.toy_critical_points_table.output[0],
    output:
        **figure_outputs("toy_critical_points"),
    log:
        "results/logs/toy_critical_points_figure.log",
    conda:
        ENV
    script:
        "../../scripts/toy_critical_points_figure.py"


# Section 1b: Newton's method against gradient descent from the same starts.


rule newton_vs_gd_tables:
    output:
        runs="results/tables/newton_vs_gd.csv",
        paths="results/tables/newton_vs_gd_paths.csv",
    log:
        "results/logs/newton_vs_gd_tables.log",
    benchmark:
        "results/benchmarks/newton_vs_gd_tables.tsv"
    conda:
        ENV
    params:
        options=config["newton_vs_gd"],
        numerics=config["numerics"],
    script:
        "../../scripts/newton_vs_gd_tables.py"


rule newton_vs_gd_figure:
    input:
        runs=rules.newton_vs_gd_tables.output.runs,
        paths=rules.newton_vs_gd_tables.output.paths,
    output:
        **figure_outputs("newton_vs_gd"),
    log:
        "results/logs/newton_vs_gd_figure.log",
    conda:
        ENV
    script:
        "../../scripts/newton_vs_gd_figure.py"
