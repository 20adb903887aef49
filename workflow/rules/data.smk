# Datasets generated locally: nothing is downloaded.


rule dataset:
    output:
        "results/data/{dataset}.npz",
    log:
        "results/logs/dataset/{dataset}.log",
    params:
        options=get_dataset_options,
    conda:
        ENV
    script:
        "../../scripts/dataset.py"
