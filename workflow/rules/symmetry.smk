# Section 0: non-convexity from symmetry.


rule symmetry_tables:
    input:
        unpack(get_symmetry_data),
    output:
        table="results/tables/symmetry.csv",
        path="results/tables/symmetry_path.csv",
    log:
        "results/logs/symmetry_tables.log",
    benchmark:
        "results/benchmarks/symmetry_tables.tsv"
    conda:
        ENV
    params:
        cfg=config["symmetry"],
    script:
        "../../scripts/symmetry_tables.py"


rule symmetry_figure:
    input:
        path=rules.symmetry_tables.output.path,
    output:
        **figure_outputs("symmetry"),
    log:
        "results/logs/symmetry_figure.log",
    conda:
        ENV
    script:
        "../../scripts/symmetry_figure.py"
