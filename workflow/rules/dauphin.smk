# Section 4b as Dauphin et al. (2014) did it: their starts and Newton method, one job per
# setting (config dauphin.settings), then Fig. 1 redrawn and two rows.


rule dauphin_case:
    input:
        dauphin_setting_data,
    output:
        table="results/tables/dauphin/{setting}.csv",
        eigenvalues="results/tables/dauphin/{setting}_eigenvalues.csv",
    log:
        "results/logs/dauphin/{setting}.log",
    benchmark:
        "results/benchmarks/dauphin_case/{setting}.tsv"
    wildcard_constraints:
        setting="[A-Za-z0-9_]+",
    conda:
        ENV
    resources:
        mem_mb=3000,
        runtime=60,
        gpu=get_gpu_request,
    params:
        # the settings and what the searches read (decide is read by the score only)
        options={
            k: config["dauphin"][k] for k in ("settings", "starts", "sgd", "newton")
        },
        numerics=config["numerics"],
        # always the full spectrum here (each index is read at two tolerances)
        curvature={k: v for k, v in config["curvature"].items() if k != "spectrum"},
        device=config["device"],
    script:
        "../../scripts/dauphin_case.py"


rule dauphin_table:
    input:
        table=dauphin_setting_files(rules.dauphin_case.output.table),
        eigenvalues=dauphin_setting_files(rules.dauphin_case.output.eigenvalues),
    output:
        table="results/tables/dauphin.csv",
        eigenvalues="results/tables/dauphin_eigenvalues.csv",
    log:
        "results/logs/dauphin_table.log",
    conda:
        ENV
    script:
        "../../scripts/join_tables.py"


rule dauphin_figure:
    input:
        table=rules.dauphin_table.output.table,
        eigenvalues=rules.dauphin_table.output.eigenvalues,
    output:
        **figure_outputs(
            error="dauphin_error_vs_index",
            density="dauphin_eigenvalue_density",
        ),
    log:
        "results/logs/dauphin_figure.log",
    conda:
        ENV
    script:
        "../../scripts/dauphin_figure.py"
