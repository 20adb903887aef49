"""The registry of experiments drives the workflow: targets, score rule, scorecard, report.

A fake entry added to the registry must appear in ``rule all``'s targets (a real Snakemake dry
run), get its score file from the generic score rule, and reach the scorecard, the captions and the
report's front page, without any other file being edited.
"""

import os
import textwrap

import pandas as pd
import pytest
from conftest import copy_workflow, snakemake

from landscape.base.io import write_table
from landscape.base.registry import Claim, Experiment, Figure, ScoreInput
from landscape.base.verdicts import ClaimKind
from landscape.pipeline import sections
from landscape.pipeline.report import measured_caption, scorecard_summary_rst
from landscape.pipeline.scorecard import Verdict, assemble, score_table, verdict

FAKE = Experiment(
    name="fake_demo",
    section=4,
    figures=(Figure("fake_demo"),),
    score_inputs={"table": ScoreInput("symmetry_tables", "table", ("value",))},
    claims=(Claim("4.fake_demo", 4, "A fake claim.", "value 1", "nowhere", ClaimKind.REPLICATION),),
    scorer=lambda tables, numerics, settings: [
        {
            "claim_id": "4.fake_demo",
            "measured": f"value {tables['table']['value'].iloc[0]}",
            "tolerance": "exact",
            "verdict": verdict("4.fake_demo", True),
        }
    ],
)


@pytest.fixture
def with_fake(monkeypatch):
    monkeypatch.setattr(sections, "EXPERIMENTS", [*sections.EXPERIMENTS, FAKE])
    return FAKE


def test_registry_derives_targets_scores_and_claims(with_fake, tmp_path):
    assert "results/figures/fake_demo.png" in sections.figure_targets()
    assert "results/figures/fake_demo.pdf" in sections.figure_targets()
    assert sections.score_files()[-1] == "results/scores/fake_demo.csv"
    assert sections.figure_claims()["fake_demo"] == (4, ("4.fake_demo",))
    assert "fake_demo_figure" in sections.figure_rules()
    assert sections.category("fake_demo") == sections.CATEGORIES[4]
    # The scorecard: the fake claim gets its row, in registry order (last).
    table = pd.DataFrame({"value": [1]})
    rows = FAKE.score({"table": table}, None, {})
    write_table(score_table(rows), tmp_path / "fake.csv")
    card = assemble([tmp_path / "fake.csv"])
    assert card["claim_id"].iloc[-1] == "4.fake_demo"
    assert card["verdict"].iloc[-1] == Verdict.REPLICATED
    assert (card["verdict"].iloc[:-1] == Verdict.NOT_RUN).all()
    # The report: its caption quotes the measurement, the front page lists it.
    assert "value 1" in measured_caption(card, "fake_demo")
    assert r"4.fake\_demo" in scorecard_summary_rst(card)  # RST-escaped


def test_unknown_experiment_is_named():
    with pytest.raises(KeyError, match="unknown experiment 'nope'"):
        sections.by_name("nope")


def test_snakemake_schedules_a_new_entry(tmp_path):
    """Real Snakemake: an entry added to the registry is a target and gets its own score job."""
    workdir = copy_workflow(tmp_path)
    (workdir / "fake_entry.py").write_text(
        textwrap.dedent("""
        from landscape.pipeline import sections
        from landscape.base.registry import Claim, Experiment, Figure, ScoreInput
        sections.EXPERIMENTS.append(Experiment(
            name="fake_demo", section=4, figures=(Figure("fake_demo"),),
            score_inputs={"table": ScoreInput("symmetry_tables", "table", ("loss",))},
            claims=(Claim("4.fake_demo", 4, "A fake claim.", "value 1", "nowhere"),)))
    """)
    )
    snakefile = workdir / "Snakefile"
    snakefile.write_text("import fake_entry\n" + snakefile.read_text())
    env = {**os.environ, "PYTHONPATH": f"{workdir}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    every = snakemake(workdir, "--dry-run", "all", env=env, timeout=120)
    # No rule draws the fake figure (a new entry needs one): rule all asks for it by name.
    assert every.returncode != 0
    assert "results/figures/fake_demo.png" in every.stdout + every.stderr
    card = snakemake(workdir, "--dry-run", "results/scorecard.csv", env=env, timeout=120)
    said = card.stdout + card.stderr
    assert card.returncode == 0, said[-2000:]
    assert "results/scores/fake_demo.csv" in said and "experiment=fake_demo" in said


def test_an_illustration_needs_no_verdict_function(monkeypatch):
    """An entry without claims draws its figure but has no score file (no score_<name> needed)."""
    sketch = Experiment(
        name="sketch_only", section=1, figures=(Figure("sketch_only"),), score_inputs={}, claims=()
    )
    monkeypatch.setattr(sections, "EXPERIMENTS", [*sections.EXPERIMENTS, sketch])
    assert "results/figures/sketch_only.png" in sections.figure_targets()
    assert "results/scores/sketch_only.csv" not in sections.score_files()
    assert sections.figure_claims()["sketch_only"] == (1, ())
    assert sections.figure_report("sketch_only") == (
        {"png": "results/figures/sketch_only.png", "pdf": "results/figures/sketch_only.pdf"},
        "workflow/report/sketch_only.rst",
        sections.CATEGORIES[1],
    )
