# Section 1c: small MLPs trained side by side in shards (blocks of seeds), the plateaus of each
# loss curve, and the exact Hessian spectrum at the most stationary point of each plateau; shard
# tables are joined before the figure and the score.


rule training_plateaus_networks_case:
    input:
        data=get_training_plateaus_data,
    output:
        networks="results/networks/training_plateaus/shard{shard}.pt",
        history="results/tables/training_plateaus/history_shard{shard}.csv",
    log:
        "results/logs/training_plateaus_networks_case/shard{shard}.log",
    benchmark:
        "results/benchmarks/training_plateaus_networks_case/shard{shard}.tsv"
    conda:
        ENV
    resources:
        gpu=get_gpu_request,
    params:
        options=config["training_plateaus"],
        device=config["device"],
    script:
        "../../scripts/training_plateaus_networks_case.py"


rule training_plateaus_spectra_case:
    input:
        networks=rules.training_plateaus_networks_case.output.networks,
        data=get_training_plateaus_data,
    output:
        summary="results/tables/training_plateaus/summary_shard{shard}.csv",
        eigenvalues="results/tables/training_plateaus/eigenvalues_shard{shard}.csv",
    log:
        "results/logs/training_plateaus_spectra_case/shard{shard}.log",
    benchmark:
        "results/benchmarks/training_plateaus_spectra_case/shard{shard}.tsv"
    conda:
        ENV
    resources:
        gpu=get_gpu_request,
    params:
        numerics=config["numerics"],
        curvature=config["curvature"],
        device=config["device"],
    script:
        "../../scripts/training_plateaus_spectra_case.py"


rule training_plateaus_tables:
    input:
        summary=get_shard_files(rules.training_plateaus_spectra_case.output.summary),
        eigenvalues=get_shard_files(
            rules.training_plateaus_spectra_case.output.eigenvalues
        ),
        history=get_shard_files(rules.training_plateaus_networks_case.output.history),
    output:
        summary="results/tables/training_plateaus.csv",
        eigenvalues="results/tables/training_plateaus_eigenvalues.csv",
        history="results/tables/training_plateaus_history.csv",
    log:
        "results/logs/training_plateaus_tables.log",
    conda:
        ENV
    script:
        "../../scripts/join_tables.py"


rule training_plateaus_figure:
    input:
        summary=rules.training_plateaus_tables.output.summary,
        eigenvalues=rules.training_plateaus_tables.output.eigenvalues,
        history=rules.training_plateaus_tables.output.history,
    output:
        **figure_outputs("training_plateaus"),
    log:
        "results/logs/training_plateaus_figure.log",
    conda:
        ENV
    script:
        "../../scripts/training_plateaus_figure.py"
