# Verdicts: one generic score rule per registry entry (landscape.pipeline.sections), then the
# scorecard.


rule score:
    input:
        unpack(get_score_inputs),
    output:
        "results/scores/{experiment}.csv",
    log:
        "results/logs/{experiment}_score.log",
    wildcard_constraints:
        experiment="|".join(e.name for e in EXPERIMENTS),
    conda:
        ENV
    params:
        numerics=config["numerics"],
        options=get_score_options,
    script:
        "../../scripts/score.py"


rule scorecard:
    input:
        score_files(),
    output:
        report(
            "results/scorecard.csv",
            caption="../report/scorecard.rst",
            category="Scorecard",
        ),
    log:
        "results/logs/scorecard.log",
    conda:
        ENV
    script:
        "../../scripts/scorecard.py"
