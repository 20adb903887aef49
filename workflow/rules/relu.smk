# Section 3: ReLU networks have bad local minima. 3a: a constructed trap (dead units).


rule relu_trap_table:
    output:
        ends="results/tables/relu_trap.csv",
        perturbations="results/tables/relu_trap_perturbations.csv",
        history="results/tables/relu_trap_history.csv",
    log:
        "results/logs/relu_trap_table.log",
    benchmark:
        "results/benchmarks/relu_trap_table.tsv"
    conda:
        ENV
    params:
        options=config["relu_trap"],
        numerics=config["numerics"],
    script:
        "../../scripts/relu_trap_table.py"


rule relu_trap_figure:
    input:
        ends=rules.relu_trap_table.output.ends,
        history=rules.relu_trap_table.output.history,
        perturbations=rules.relu_trap_table.output.perturbations,
    output:
        **figure_outputs("relu_trap"),
    log:
        "results/logs/relu_trap_figure.log",
    conda:
        ENV
    script:
        "../../scripts/relu_trap_figure.py"


# 3b: the teacher-student census of spurious minima (one job per k and n).


rule relu_spurious_case:
    output:
        summary="results/tables/relu_spurious/k{k}_n{n}.csv",
        runs="results/tables/relu_spurious/k{k}_n{n}_runs.csv",
    log:
        "results/logs/relu_spurious/k{k}_n{n}.log",
    benchmark:
        "results/benchmarks/relu_spurious_case/k{k}_n{n}.tsv"
    wildcard_constraints:
        k=r"\d+",
        n=r"\d+",
    conda:
        ENV
    resources:
        runtime=20,
        gpu=get_gpu_request,
    params:
        options=config["relu_spurious"],
        numerics=config["numerics"],
        device=config["device"],
    script:
        "../../scripts/relu_spurious_case.py"


rule relu_spurious_table:
    input:
        summary=get_relu_spurious_files(rules.relu_spurious_case.output.summary),
        runs=get_relu_spurious_files(rules.relu_spurious_case.output.runs),
    output:
        summary="results/tables/relu_spurious.csv",
        runs="results/tables/relu_spurious_runs.csv",
    log:
        "results/logs/relu_spurious_table.log",
    conda:
        ENV
    script:
        "../../scripts/join_tables.py"


rule relu_spurious_figure:
    input:
        rules.relu_spurious_table.output.summary,
    output:
        **figure_outputs("relu_spurious"),
    log:
        "results/logs/relu_spurious_figure.log",
    conda:
        ENV
    params:
        published=config["relu_spurious"]["published"],
    script:
        "../../scripts/relu_spurious_figure.py"
