# Datasets generated locally: nothing is downloaded.


rule dataset:
    output:
        "results/data/{dataset}.npz",
    log:
        "results/logs/dataset/{dataset}.log",
    conda:
        ENV
    params:
        options=get_dataset_options,
    script:
        "../../scripts/dataset.py"
