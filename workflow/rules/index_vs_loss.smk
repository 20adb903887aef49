# Section 4: the index of critical points against their loss. 4a: the counting argument.


rule counting_argument_table:
    input:
        unpack(get_all_datasets),
    output:
        "results/tables/counting_argument.csv",
    log:
        "results/logs/counting_argument_table.log",
    benchmark:
        "results/benchmarks/counting_argument_table.tsv"
    conda:
        ENV
    params:
        options=config["counting"],
        training_plateaus=config["training_plateaus"],
        symmetry=config["symmetry"],
        deep_linear=config["deep_linear"],
        deep_linear_saddles=config["deep_linear_saddles"],
        linear_ae=config["linear_ae"],
    script:
        "../../scripts/counting_argument_table.py"


rule counting_argument_figure:
    input:
        rules.counting_argument_table.output[0],
    output:
        **figure_outputs("counting_argument"),
    log:
        "results/logs/counting_argument_figure.log",
    conda:
        ENV
    script:
        "../../scripts/counting_argument_figure.py"


# 4b: the index of critical points of small MLPs against their loss (one job per case).


rule index_vs_loss_case:
    input:
        rules.dataset.output[0],
    output:
        table="results/tables/index_vs_loss/{dataset}_{activation}_{loss}.csv",
        eigenvalues="results/tables/index_vs_loss/{dataset}_{activation}_{loss}_eigenvalues.csv",
    log:
        "results/logs/index_vs_loss/{dataset}_{activation}_{loss}.log",
    benchmark:
        "results/benchmarks/index_vs_loss_case/{dataset}_{activation}_{loss}.tsv"
    wildcard_constraints:
        activation="tanh|relu",
        loss="mse|cross_entropy",
    conda:
        ENV
    resources:
        mem_mb=1500,
        runtime=20,
        gpu=get_gpu_request,
    params:
        options=config["index_vs_loss"],
        numerics=config["numerics"],
        curvature=config["curvature"],
        device=config["device"],
        resume=resume_file("index_vs_loss_case"),
        resume_seconds=config["resume_seconds"],
    script:
        "../../scripts/index_vs_loss_case.py"


# 4b at scale: MLPs of about 1,000 and 5,000 parameters (one job per size that runs).


rule index_vs_loss_scale_case:
    input:
        get_index_vs_loss_scale_data,
    output:
        table="results/tables/index_vs_loss_scale/{size}.csv",
        timing="results/timings/index_vs_loss_scale/{size}.csv",
    log:
        "results/logs/index_vs_loss_scale/{size}.log",
    benchmark:
        "results/benchmarks/index_vs_loss_scale_case/{size}.tsv"
    wildcard_constraints:
        size="[A-Za-z0-9]+",
    conda:
        ENV
    resources:
        mem_mb=4000,
        runtime=120,
        gpu=get_gpu_request,
    params:
        base=config["index_vs_loss"],
        options=config["index_vs_loss_scale"],
        numerics=config["numerics"],
        # index_vs_loss_scale.spectrum replaces curvature.spectrum here
        curvature={k: v for k, v in config["curvature"].items() if k != "spectrum"},
        device=config["device"],
        resume=resume_file("index_vs_loss_scale_case"),
        resume_seconds=config["resume_seconds"],
    script:
        "../../scripts/index_vs_loss_scale_case.py"


rule index_vs_loss_table:
    input:
        table=get_index_vs_loss_cases(rules.index_vs_loss_case.output.table),
        eigenvalues=get_index_vs_loss_cases(rules.index_vs_loss_case.output.eigenvalues),
    output:
        table="results/tables/index_vs_loss.csv",
        eigenvalues="results/tables/index_vs_loss_eigenvalues.csv",
    log:
        "results/logs/index_vs_loss_table.log",
    conda:
        ENV
    script:
        "../../scripts/join_tables.py"


rule index_sensitivity_table:
    input:
        rules.index_vs_loss_table.output.table,
    output:
        points="results/tables/index_sensitivity.csv",
        tests="results/tables/index_sensitivity_tests.csv",
    log:
        "results/logs/index_sensitivity_table.log",
    conda:
        ENV
    script:
        "../../scripts/index_sensitivity_table.py"


rule index_vs_loss_statuses:
    input:
        rules.index_vs_loss_table.output.table,
    output:
        "results/tables/index_vs_loss_statuses.csv",
    log:
        "results/logs/index_vs_loss_statuses.log",
    conda:
        ENV
    script:
        "../../scripts/index_vs_loss_statuses.py"


rule index_vs_loss_figures:
    input:
        table=rules.index_vs_loss_table.output.table,
        eigenvalues=rules.index_vs_loss_table.output.eigenvalues,
        sensitivity=rules.index_sensitivity_table.output.points,
        tests=rules.index_sensitivity_table.output.tests,
        statuses=rules.index_vs_loss_statuses.output[0],
        scale=get_index_vs_loss_scale_files(rules.index_vs_loss_scale_case.output.table),
        scale_timing=get_index_vs_loss_scale_files(
            rules.index_vs_loss_scale_case.output.timing
        ),
    output:
        **figure_outputs(
            index="index_vs_loss",
            min_ratio="min_ratio_vs_loss",
            histograms="index_vs_loss_histograms",
            by_status="index_vs_loss_by_status",
            sensitivity="index_sensitivity",
            scale="index_vs_loss_scale",
        ),
    log:
        "results/logs/index_vs_loss_figures.log",
    conda:
        ENV
    params:
        numerics=config["numerics"],
        scale=config["index_vs_loss_scale"],
    script:
        "../../scripts/index_vs_loss_figures.py"


# 4c: Pennington & Bahri's runs (one job per phi), Fig. 6's fits, and the 4b groups' fits.


rule published_runs_case:
    output:
        "results/tables/published_runs/phi{phi_index}_shard{shard}.csv",
    log:
        "results/logs/published_runs_case/phi{phi_index}_shard{shard}.log",
    benchmark:
        "results/benchmarks/published_runs_case/phi{phi_index}_shard{shard}.tsv"
    wildcard_constraints:
        phi_index=r"\d+",
    conda:
        ENV
    resources:
        mem_mb=2000,
        runtime=20,
        gpu=get_gpu_request,
    params:
        published=config["index_fit"]["published"],
        numerics=config["numerics"],
        device=config["device"],
    script:
        "../../scripts/published_runs_case.py"


rule published_runs_table:
    input:
        table=get_published_runs_files(),
    output:
        table="results/tables/published_runs.csv",
    log:
        "results/logs/published_runs_table.log",
    conda:
        ENV
    script:
        "../../scripts/join_tables.py"


rule published_fit_table:
    input:
        runs=rules.published_runs_table.output.table,
    output:
        "results/tables/published_fit.csv",
    log:
        "results/logs/published_fit_table.log",
    benchmark:
        "results/benchmarks/published_fit_table.tsv"
    conda:
        ENV
    params:
        means=config["index_fit"]["means"],
    script:
        "../../scripts/published_fit_table.py"


rule index_fit_table:
    input:
        index_vs_loss=rules.index_vs_loss_table.output.table,
    output:
        "results/tables/index_fit.csv",
    log:
        "results/logs/index_fit_table.log",
    benchmark:
        "results/benchmarks/index_fit_table.tsv"
    conda:
        ENV
    params:
        options=config["index_fit"],
    script:
        "../../scripts/index_fit_table.py"


rule index_fit_figure:
    input:
        fits=rules.published_fit_table.output[0],
        runs=rules.published_runs_table.output.table,
        mlp_fits=rules.index_fit_table.output[0],
        index_vs_loss=rules.index_vs_loss_table.output.table,
    output:
        **figure_outputs("index_fit"),
    log:
        "results/logs/index_fit_figure.log",
    conda:
        ENV
    params:
        means=config["index_fit"]["means"],
        options=config["index_fit"],
    script:
        "../../scripts/index_fit_figure.py"
