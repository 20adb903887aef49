# Datasets generated locally: nothing is downloaded.


rule dataset:
    output:
        "results/data/{dataset}.npz",
    log:
        "results/logs/dataset/{dataset}.log",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        options=get_dataset_options,
    script:
        "../../scripts/dataset.py"
