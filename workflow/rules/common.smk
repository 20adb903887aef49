# Shared constants and input functions.

# Every rule runs the library from one environment (used with `--sdm conda`; `make` builds a
# virtual environment with the same pins). Relative to the rule files.
ENV = "../envs/landscape.yaml"

DATASETS = ["digits", "mnist1d", "teacher_student"]
# Every figure of the report, by stem (landscape.report.FIGURE_CLAIMS says which claims each shows).
FIGURES = list(FIGURE_CLAIMS)


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


def get_score_files():
    return [
        "results/scores/symmetry.csv",
        "results/scores/toy_critical_points.csv",
        "results/scores/newton_vs_gd.csv",
        "results/scores/training_plateaus.csv",
        "results/scores/deep_linear_toy.csv",
        "results/scores/deep_linear_optimum.csv",
        "results/scores/deep_linear_saddles.csv",
        "results/scores/linear_ae_critical_points.csv",
        "results/scores/counting_argument.csv",
        "results/scores/relu_trap.csv",
        "results/scores/relu_spurious.csv",
        "results/scores/index_vs_loss.csv",
        "results/scores/index_fit.csv",
    ]


def get_final_outputs():
    return [
        *expand("results/data/{dataset}.npz", dataset=DATASETS),
        "results/figures/symmetry.png",
        "results/figures/symmetry.pdf",
        "results/figures/toy_critical_points.png",
        "results/figures/toy_critical_points.pdf",
        "results/figures/newton_vs_gd.png",
        "results/figures/newton_vs_gd.pdf",
        "results/figures/training_plateaus.png",
        "results/figures/training_plateaus.pdf",
        "results/figures/deep_linear_toy.png",
        "results/figures/deep_linear_toy.pdf",
        "results/figures/deep_linear_optimum.png",
        "results/figures/deep_linear_optimum.pdf",
        "results/figures/deep_linear_saddles.png",
        "results/figures/deep_linear_saddles.pdf",
        "results/figures/linear_ae_critical_points.png",
        "results/figures/linear_ae_critical_points.pdf",
        "results/figures/counting_argument.png",
        "results/figures/counting_argument.pdf",
        "results/figures/relu_trap.png",
        "results/figures/relu_trap.pdf",
        "results/figures/relu_spurious.png",
        "results/figures/relu_spurious.pdf",
        "results/figures/index_vs_loss.png",
        "results/figures/min_ratio_vs_loss.png",
        "results/figures/index_vs_loss_histograms.png",
        "results/figures/index_vs_loss_by_status.png",
        "results/figures/index_fit.png",
        "results/figures/index_fit.pdf",
        "results/scorecard.csv",
    ]


def get_report_parts():
    return [
        *expand("results/report/captions/{figure}.rst", figure=FIGURES),
        "results/report/scorecard.html",
        "results/report/scorecard.rst",
        "results/report/scorecard_table.rst",
    ]
