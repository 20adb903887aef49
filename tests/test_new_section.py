"""A new section touches four files, all its own: its room, rule file, schema block and caption.

Its room (``landscape/experiments/<room>/__init__.py``, or a package of modules) holds its options,
computation, table columns, figure, verdict and registry entry.

The test writes a fake section (a table rule, a figure and one claim) into a copy of the
repository, then checks that Snakemake schedules its jobs as targets of the default run, runs
them (the table, the figure and the score), and that the scorecard and the report pick its claim
up. A new section whose rules call scripts adds its scripts (thin adapters) too.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap

from conftest import ROOT, copy_workflow, snakemake

MODULE = '''
"""A fake section: a 1-D slice of a quadratic loss, and one claim about it."""

from dataclasses import dataclass

import pandas as pd

from landscape.base.options import FromConfig
from landscape.base.registry import Claim, Experiment, Figure, ScoreInput
from landscape.base.verdicts import outcome

COLUMNS = ["t", "loss"]


@dataclass(frozen=True)
class SliceOptions(FromConfig):
    """Config section ``fake_slice``."""

    points: int = 5


def slice_table(opts: SliceOptions) -> pd.DataFrame:
    """The loss t^2 at ``points`` values of t in [-1, 1]."""
    t = [-1 + 2 * k / (opts.points - 1) for k in range(opts.points)]
    return pd.DataFrame({"t": t, "loss": [x * x for x in t]})


def figure(table: pd.DataFrame, png: str, pdf: str) -> None:
    """The slice, as a line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot(table["t"], table["loss"])
    fig.savefig(png)
    fig.savefig(pdf)


def score_fake_slice(tables, numerics, options) -> list[dict]:
    """1.fake_slice: the slice's lowest loss is at t = 0."""
    table = tables["table"]
    lowest = float(table.loc[table["loss"].idxmin(), "t"])
    return [{"claim_id": "1.fake_slice", "measured": f"lowest at t = {lowest:g}",
             "tolerance": "exact", "verdict": outcome(lowest == 0.0)}]
'''

ENTRY = """
EXPERIMENTS = (
    Experiment(
        name="fake_slice",
        section=1,
        figures=(Figure("fake_slice"),),
        score_inputs={
            "table": ScoreInput("fake_slice_table", 0, "landscape.experiments.fake_slice:COLUMNS")
        },
        claims=(Claim("1.fake_slice", 1, "The slice is lowest at 0.", "t = 0", "nowhere"),),
    ),
)
"""

RULES = """
rule fake_slice_table:
    output:
        "results/tables/fake_slice.csv",
    log:
        "results/logs/fake_slice_table.log",
    params:
        options=config["fake_slice"],
    run:
        from landscape.base.io import write_table
        from landscape.experiments.fake_slice import SliceOptions, slice_table

        write_table(slice_table(SliceOptions.from_config(params.options)), output[0])


rule fake_slice_figure:
    input:
        rules.fake_slice_table.output[0],
    output:
        **figure_outputs("fake_slice"),
    log:
        "results/logs/fake_slice_figure.log",
    run:
        from landscape.base.io import read_table
        from landscape.experiments.fake_slice import figure

        figure(read_table(input[0]), output.png, output.pdf)
"""

SCHEMA = """  fake_slice:
    type: object
    default: {}
    additionalProperties: false
    description: A fake section (tests/test_new_section.py).
    properties:
      points:
        type: integer
        minimum: 3
        default: 5
        description: Values of t.
"""

CHECK = """
import json
from landscape.pipeline import report, scorecard, sections
card = scorecard.assemble(["results/scores/fake_slice.csv"])
row = card.set_index("claim_id").loc["1.fake_slice"]
print(json.dumps({
    "verdict": row["verdict"],
    "measured": row["measured"],
    "caption": report.measured_caption(card, "fake_slice"),
    "figures": sections.figure_targets(),
    "rules": sections.figure_rules(),
}))
"""


def add_fake_section(workdir) -> list[str]:
    """Write the fake section into ``workdir``; the files it touched, relative to it."""
    room = workdir / "landscape" / "experiments" / "fake_slice"
    room.mkdir()
    (room / "__init__.py").write_text(MODULE + ENTRY)
    (workdir / "workflow" / "rules" / "fake_slice.smk").write_text(RULES)
    schema = workdir / "workflow" / "schemas" / "config.schema.yaml"
    schema.write_text(schema.read_text().replace("\nproperties:\n", "\nproperties:\n" + SCHEMA, 1))
    (workdir / "workflow" / "report" / "fake_slice.rst").write_text("A fake slice.\n")
    return [
        "landscape/experiments/fake_slice/__init__.py",
        "workflow/rules/fake_slice.smk",
        "workflow/schemas/config.schema.yaml",
        "workflow/report/fake_slice.rst",
    ]


def test_a_new_section_touches_four_files_and_the_pipeline_picks_it_up(tmp_path):
    workdir = copy_workflow(tmp_path)
    shutil.copytree(
        ROOT / "landscape", workdir / "landscape", ignore=shutil.ignore_patterns("__pycache__")
    )
    before = {p: p.read_bytes() for p in workdir.rglob("*") if p.is_file()}
    touched = add_fake_section(workdir)
    after = {p: p.read_bytes() for p in workdir.rglob("*") if p.is_file()}
    changed = sorted(str(p.relative_to(workdir)) for p in after if before.get(p) != after[p])
    assert changed == sorted(touched) and len(changed) == 4, changed
    env = {**os.environ, "PYTHONPATH": str(workdir)}

    plan = snakemake(workdir, "--dry-run", env=env, timeout=120)  # the default target, rule all
    said = plan.stdout + plan.stderr
    assert plan.returncode == 0, said[-3000:]
    for job in ("rule fake_slice_table:", "rule fake_slice_figure:", "experiment=fake_slice"):
        assert job in said, job

    targets = ["results/figures/fake_slice.png", "results/scores/fake_slice.csv"]
    run = snakemake(workdir, "--keep-going", *targets, env=env, timeout=300)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert (workdir / "results/figures/fake_slice.pdf").stat().st_size > 0

    check = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHECK)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr[-3000:]
    found = json.loads(check.stdout)
    assert found["verdict"] == "replicated" and found["measured"] == "lowest at t = 0"
    assert "1.fake_slice" in found["caption"] and "replicated" in found["caption"]
    assert "results/figures/fake_slice.png" in found["figures"]
    assert "fake_slice_figure" in found["rules"]
