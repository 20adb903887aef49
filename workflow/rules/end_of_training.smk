# First slice: small MLPs trained side by side in shards (blocks of seeds), and the exact Hessian
# spectrum where training ended; shard tables are joined before the figure and the score.


rule end_of_training_networks:
    input:
        data=get_end_of_training_data,
    output:
        networks="results/networks/end_of_training/shard{shard}.pt",
        history="results/tables/end_of_training/history_shard{shard}.csv",
    log:
        "results/logs/end_of_training_networks/shard{shard}.log",
    conda:
        ENV
    params:
        options=config["end_of_training"],
        device=config["device"],
    script:
        "../../scripts/train_networks.py"


rule end_of_training_spectra:
    input:
        networks="results/networks/end_of_training/shard{shard}.pt",
        data=get_end_of_training_data,
    output:
        summary="results/tables/end_of_training/summary_shard{shard}.csv",
        eigenvalues="results/tables/end_of_training/eigenvalues_shard{shard}.csv",
    log:
        "results/logs/end_of_training_spectra/shard{shard}.log",
    conda:
        ENV
    resources:
        gpu=get_gpu_request,
    params:
        numerics=config["numerics"],
        curvature=config["curvature"],
        device=config["device"],
    script:
        "../../scripts/hessian_spectra.py"


rule end_of_training_tables:
    input:
        summary=get_shard_files("end_of_training", "summary"),
        eigenvalues=get_shard_files("end_of_training", "eigenvalues"),
        history=get_shard_files("end_of_training", "history"),
    output:
        summary="results/tables/end_of_training.csv",
        eigenvalues="results/tables/end_of_training_eigenvalues.csv",
        history="results/tables/end_of_training_history.csv",
    log:
        "results/logs/end_of_training_tables.log",
    conda:
        ENV
    script:
        "../../scripts/join_shards.py"


rule end_of_training_figure:
    input:
        summary="results/tables/end_of_training.csv",
        eigenvalues="results/tables/end_of_training_eigenvalues.csv",
        history="results/tables/end_of_training_history.csv",
    output:
        png=report(
            "results/figures/end_of_training.png",
            caption="../report/end_of_training.rst",
            category="Section 1: the Hessian at critical points",
        ),
        pdf="results/figures/end_of_training.pdf",
    log:
        "results/logs/end_of_training_figure.log",
    conda:
        ENV
    script:
        "../../scripts/end_of_training.py"


rule end_of_training_score:
    input:
        summary="results/tables/end_of_training.csv",
    output:
        "results/scores/end_of_training.csv",
    log:
        "results/logs/end_of_training_score.log",
    conda:
        ENV
    script:
        "../../scripts/score_end_of_training.py"
