# Shared constants and input functions.

# Every rule runs the library from one environment (used with `--sdm conda`; `make` builds a
# virtual environment with the same pins). Relative to the rule files.
ENV = "../envs/landscape.yaml"

DATASETS = ["digits", "mnist1d", "teacher_student"]
# Every figure of the report, by stem (the registry, landscape.sections, says which claims each
# shows).
FIGURES = list(figure_claims())


wildcard_constraints:
    dataset="|".join(DATASETS),
    shard=r"\d+",


def get_gpu_request(wildcards):
    # Hessian and critical-point rules ask for a GPU when the config selects CUDA.
    return 1 if config["device"] == "cuda" else 0


def get_dataset_options(wildcards):
    return config["data"][wildcards.dataset]


def get_training_plateaus_data(wildcards):
    return f"results/data/{config['training_plateaus']['dataset']}.npz"


def get_shards(section):
    # Shard k holds networks k * shard_size ... (k + 1) * shard_size - 1 of the section.
    size = config[section]["shard_size"]
    return list(range(-(-config[section]["networks"] // size)))


def get_shard_files(section, table):
    return expand(
        f"results/tables/{section}/{table}_shard{{shard}}.csv",
        shard=get_shards(section),
    )


def get_symmetry_data(wildcards):
    return {name: f"results/data/{name}.npz" for name in config["symmetry"]["datasets"]}


def get_deep_linear_tables(wildcards):
    return expand(
        "results/tables/deep_linear_optimum/{dataset}.csv",
        dataset=config["deep_linear"]["datasets"],
    )


def get_index_vs_loss_cases(kind):
    # One table (and one eigenvalue table) per dataset x activation x loss.
    suffix = "" if kind == "table" else "_eigenvalues"
    cfg = config["index_vs_loss"]
    return expand(
        "results/tables/index_vs_loss/{dataset}_{activation}_{loss}{suffix}.csv",
        dataset=cfg["datasets"],
        activation=cfg["activations"],
        loss=cfg["losses"],
        suffix=suffix,
    )


def get_memorisation_files():
    return expand(
        "results/tables/memorisation/phi{k}.csv",
        k=range(len(config["index_fit"]["phis"])),
    )


def get_relu_spurious_files(kind):
    # One job per (k, n): n = k + extra for every extra in overparameterisation.
    cfg = config["relu_spurious"]
    suffix = "" if kind == "summary" else "_runs"
    return [
        f"results/tables/relu_spurious/k{k}_n{k + extra}{suffix}.csv"
        for extra in cfg["overparameterisation"]
        for k in cfg["ks"]
    ]


def get_all_datasets(wildcards):
    return {name: f"results/data/{name}.npz" for name in DATASETS}


def get_score_inputs(wildcards):
    # The tables the experiment's verdicts read (landscape.sections).
    return score_inputs(wildcards.experiment, rules)


def get_score_settings(wildcards):
    # Only the config keys the experiment's verdicts read, so no other key reruns them.
    return score_settings(wildcards.experiment, config)


def get_final_outputs():
    return [
        *expand("results/data/{dataset}.npz", dataset=DATASETS),
        *figure_targets(),
        "results/scorecard.csv",
    ]


def get_report_parts():
    return [
        *expand("results/report/captions/{figure}.rst", figure=FIGURES),
        "results/report/scorecard.html",
        "results/report/scorecard.rst",
        "results/report/scorecard_table.rst",
    ]
