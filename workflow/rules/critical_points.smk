# Critical-point finders validated on the deep linear autoencoder, whose critical points are
# known in closed form.


rule linear_ae_critical_points:
    output:
        table="results/tables/linear_ae_critical_points.csv",
        analytic="results/tables/linear_ae_analytic.csv",
    log:
        "results/logs/linear_ae_critical_points.log",
    benchmark:
        "results/benchmarks/linear_ae_critical_points.tsv"
    conda:
        ENV
    resources:
        gpu=get_gpu_request,
    params:
        cfg=config["linear_ae"],
        numerics=config["numerics"],
        curvature=config["curvature"],
        device=config["device"],
    script:
        "../../scripts/linear_ae_critical_points.py"


rule linear_ae_critical_points_figure:
    input:
        table=rules.linear_ae_critical_points.output.table,
        analytic=rules.linear_ae_critical_points.output.analytic,
    output:
        **figure_outputs("linear_ae_critical_points"),
    log:
        "results/logs/linear_ae_critical_points_figure.log",
    conda:
        ENV
    script:
        "../../scripts/linear_ae_critical_points_figure.py"


rule linear_ae_pinv_sweep_case:
    # One held-out seed of the pinv_rtol sweep (every value), so that the seeds run side by side.
    output:
        "results/tables/linear_ae_pinv_sweep/seed{seed}.csv",
    log:
        "results/logs/linear_ae_pinv_sweep_case/seed{seed}.log",
    benchmark:
        "results/benchmarks/linear_ae_pinv_sweep_case/seed{seed}.tsv"
    conda:
        ENV
    resources:
        gpu=get_gpu_request,
    params:
        options=config["linear_ae"],
        numerics=config["numerics"],
        curvature=config["curvature"],
        device=config["device"],
    script:
        "../../scripts/linear_ae_pinv_sweep_case.py"


rule linear_ae_pinv_sweep:
    input:
        sweep=expand(
            rules.linear_ae_pinv_sweep_case.output[0],
            seed=config["linear_ae"]["sweep_seeds"],
        ),
    output:
        sweep=report(
            "results/tables/linear_ae_pinv_sweep.csv",
            caption="../report/linear_ae_pinv_sweep.rst",
            category=category("linear_ae_critical_points"),
        ),
    log:
        "results/logs/linear_ae_pinv_sweep.log",
    conda:
        ENV
    script:
        "../../scripts/join_tables.py"
