# Shared constants and input functions.

# Every rule runs the library from one environment (used with `--sdm conda`; `make` builds a
# virtual environment with the same pins). Relative to the rule files.
ENV = "../envs/landscape.yaml"

DATASETS = ["digits", "mnist1d", "teacher_student"]
# Every figure of the report, by stem (the registry, landscape.pipeline.sections, says which
# claims each shows).
FIGURES = list(figure_claims())


wildcard_constraints:
    dataset="|".join(DATASETS),
    shard=r"\d+",
    depth=r"\d+",
    width=r"\d+",
    seed=r"\d+",


def figure_outputs(stem=None, **named):
    # A figure rule's outputs, from the registry (landscape.pipeline.sections.figure_report):
    # each PNG in the report with its caption (workflow/report/<stem>.rst) and its section's
    # category.
    # figure_outputs("x") gives png and pdf; figure_outputs(a="x", b="y") one PNG per name (and
    # <name>_pdf where the figure is also drawn as a PDF). Use as `output: **figure_outputs(...)`.
    stems = {"png": stem} if stem is not None else named
    out = {}
    for name, figure in stems.items():
        files, caption, section = figure_report(figure)
        out[name] = report(
            files["png"],
            caption=os.path.join(workflow.basedir, caption),
            category=section,
        )
        if "pdf" in files:
            out["pdf" if stem is not None else f"{name}_pdf"] = files["pdf"]
    return out


def resume_file(rule):
    # Where a long job saves its state to resume from when killed (landscape.base.resume): outside
    # its outputs, which Snakemake deletes when a job fails.
    return lambda w: f"results/resume/{rule}/{'_'.join(map(str, w)) or 'all'}.pt"


def get_gpu_request(wildcards):
    # Hessian and critical-point rules ask for a GPU when the config selects CUDA.
    return 1 if config["device"] == "cuda" else 0


def dataset_file(name):
    # The file rule dataset writes for one dataset (its path is written once, in that rule).
    return rules.dataset.output[0].format(dataset=name)


def get_dataset_options(wildcards):
    return config["data"][wildcards.dataset]


def get_training_plateaus_data(wildcards):
    return dataset_file(config["training_plateaus"]["dataset"])


def get_shards(section):
    # Shard k holds networks k * shard_size ... (k + 1) * shard_size - 1 of the section.
    size = config[section]["shard_size"]
    return list(range(-(-config[section]["networks"] // size)))


def get_shard_files(output):
    # Every shard's file of one output of a per-shard rule (rules.X.output.name).
    return expand(output, shard=get_shards("training_plateaus"))


def get_symmetry_data(wildcards):
    return {name: dataset_file(name) for name in config["symmetry"]["datasets"]}


def get_deep_linear_tables(wildcards):
    # In the order of one job's loops: dataset, then depth, then width.
    return expand(
        rules.deep_linear_optimum_case.output[0],
        dataset=config["deep_linear"]["datasets"],
        depth=config["deep_linear"]["depths"],
        width=config["deep_linear"]["hidden_widths"],
    )


def get_index_vs_loss_cases(output):
    # One file per dataset x activation x loss, of one output of index_vs_loss_case.
    cfg = config["index_vs_loss"]
    return expand(
        output,
        dataset=cfg["datasets"],
        activation=cfg["activations"],
        loss=cfg["losses"],
    )


def get_index_vs_loss_scale_data(wildcards):
    return dataset_file(config["index_vs_loss_scale"]["dataset"])


def get_index_vs_loss_scale_files(output):
    # One file per size that runs in this config (the others are "not run" panels).
    sizes = config["index_vs_loss_scale"]["sizes"]
    return [output.format(size=s["name"]) for s in sizes if s["run"]]


def get_published_runs_files():
    # One job per phi and shard of its runs (shard_size runs each).
    published = config["index_fit"]["published"]
    return expand(
        rules.published_runs_case.output[0],
        phi_index=range(len(published["phis"])),
        shard=range(-(-published["runs"] // published["shard_size"])),
    )


def get_relu_spurious_files(output):
    # One job per (k, n): n = k + extra for every extra in overparameterisation.
    cfg = config["relu_spurious"]
    pairs = [(k, k + extra) for extra in cfg["overparameterisation"] for k in cfg["ks"]]
    return [output.format(k=k, n=n) for k, n in pairs]


def get_all_datasets(wildcards):
    return {name: dataset_file(name) for name in DATASETS}


def get_score_inputs(wildcards):
    # The tables the experiment's verdicts read (landscape.pipeline.sections).
    return score_inputs(wildcards.experiment, rules)


def get_score_options(wildcards):
    # Only the config keys the experiment's verdicts read, so no other key reruns them.
    return score_options(wildcards.experiment, config)


def get_final_outputs():
    return [
        *expand(rules.dataset.output[0], dataset=DATASETS),
        *figure_targets(),
        rules.scorecard.output[0],
    ]


def get_report_parts():
    return [*rules.figure_captions.output, *rules.scorecard_page.output]


def dauphin_setting_data(wildcards):
    # The dataset file of setting {setting}.
    settings = {s["name"]: s for s in config["dauphin"]["settings"]}
    return dataset_file(settings[wildcards.setting]["dataset"])


def dauphin_setting_files(output):
    # One file per setting, of one output of dauphin_case.
    return expand(output, setting=[s["name"] for s in config["dauphin"]["settings"]])
