"""The report: captions, scorecard table, run statistics, and the real HTML in headless Chromium.

Captions must quote the scorecard (never typed numbers); the report built by `snakemake --report`
from the smoke run must load offline in Debian's Chromium with every section and claim present.
"""

import base64
import json
import re
import subprocess
from html import escape as html_escape

import pandas as pd
import pytest
from conftest import ROOT, require_program, snakemake
from docutils.core import publish_parts

from landscape.base.io import read_table, write_table
from landscape.base.runlog import logged
from landscape.pipeline.report import (
    FIGURE_CLAIMS,
    WALL_TIME_FORMAT,
    measured_caption,
    run_statistics,
    scorecard_html,
    scorecard_rst,
    scorecard_summary_rst,
)
from landscape.pipeline.scorecard import SCORECARD_COLUMNS
from landscape.pipeline.sections import CLAIMS

SECTIONS = [f"Section {k}" for k in range(5)]


def _card() -> pd.DataFrame:
    rows = [
        [c.claim_id, c.section, c.claim, f"{k}/7 | *x* `y`", c.reference, "95% Wilson", "not run"]
        for k, c in enumerate(CLAIMS)
    ]
    return pd.DataFrame(rows, columns=SCORECARD_COLUMNS)


def _render(rst: str) -> str:
    """RST -> HTML body, failing on any docutils warning (bad escaping, broken table)."""
    return publish_parts(rst, writer="html", settings_overrides={"halt_level": 2})["body"]


def test_every_claim_has_a_figure_and_every_figure_a_caption_include():
    shown = {c for _, claims in FIGURE_CLAIMS.values() for c in claims}
    assert shown == {c.claim_id for c in CLAIMS}
    sections = {c.claim_id: c.section for c in CLAIMS}
    for figure, (section, claims) in FIGURE_CLAIMS.items():
        assert {sections[c] for c in claims} == {section}, figure
        static = (ROOT / "workflow" / "report" / f"{figure}.rst").read_text()
        assert f".. include:: results/report/captions/{figure}.rst" in static, figure


def test_captions_quote_the_scorecard_and_render():
    card = _card()
    for figure, (_, claims) in FIGURE_CLAIMS.items():
        rst = measured_caption(card, figure)
        body = _render(rst)
        for claim in claims:
            k = [c.claim_id for c in CLAIMS].index(claim)
            assert claim in body and f"{k}/7 | *x* `y`" in body  # markup characters kept literal
    with pytest.raises(KeyError, match="symmetry"):
        measured_caption(card[card["claim_id"] != "0.permutation_barrier"], "symmetry")


def test_scorecard_table_renders_every_row():
    card = _card()
    body = _render(scorecard_rst(card))
    assert body.count("<tr") == len(card) + 1
    assert all(c.claim_id in body for c in CLAIMS)
    page = scorecard_html(card)
    assert page.count('<tr id="') == len(card) and f"{len(card)} not run" in page


def test_front_page_summary_is_narrow_and_names_every_claim():
    """The front page sits beside the workflow graph: two columns, the full table elsewhere."""
    card = _card()
    body = _render(scorecard_summary_rst(card))
    assert body.count("<tr") == len(card) + 1
    assert all(f"<td>{c.claim_id}</td>" in body for c in CLAIMS)
    assert (
        f"{len(card)} not run" in body and "Wilson" not in body
    )  # no tolerance or reference column
    assert max(row.count("<td") for row in body.split("<tr")) == 2


def test_run_statistics_csv_keeps_the_measured_digits(tmp_path):
    stats = pd.DataFrame(
        {"log": ["a.log"], "rule": ["a"], "section": ["2"], "wall_time_s": [504.48]}
    )
    write_table(stats, tmp_path / "s.csv", float_format=WALL_TIME_FORMAT)
    assert (tmp_path / "s.csv").read_text().splitlines()[1] == "a.log,a,2,504.48"


def test_run_statistics_read_the_wall_time_of_every_finished_log(tmp_path):
    for name in ("a", "b"):
        with logged(tmp_path / f"{name}.log", f"rule_{name}"):
            pass
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "failed.log").write_text("12:00:00 landscape.x INFO start\n")
    stats = run_statistics(tmp_path)
    assert sorted(stats["rule"]) == ["rule_a", "rule_b"]  # the unfinished log is left out
    assert (stats["section"] == "pipeline").all()  # no experiment's rule
    assert (stats["wall_time_s"] >= 0).all() and stats["wall_time_s"].is_monotonic_decreasing


@pytest.fixture(scope="module")
def report(smoke_run):
    """The smoke run's HTML report, built by `snakemake --report`."""
    path = smoke_run / "results" / "report_test.html"
    run = snakemake(smoke_run, "--report", str(path.relative_to(smoke_run)))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "ERROR/" not in run.stderr, run.stderr[-3000:]  # docutils problems in a caption
    return path


def test_report_opens_offline_in_headless_chromium(report, smoke_run, tmp_path):
    chromium = require_program("chromium", "chromium-browser", why="the headless report test")
    html = report.read_text()
    # Self-contained: no script, style or image is fetched from elsewhere.
    assert re.findall(r"""<(?:script|link|img)[^>]+(?:src|href)=["']https?:""", html) == []
    cmd = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--proxy-server=127.0.0.1:9",  # any network request fails: the page must load offline
        "--virtual-time-budget=20000",
        "--dump-dom",
        report.as_uri(),
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    # What the browser rendered, without the scripts that carry the report's data.
    dom = re.sub(r"<(script|style)\b.*?</\1>", "", run.stdout, flags=re.S)
    assert "Replication scorecard" in dom, dom[:2000]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom))
    card = read_table(smoke_run / "results" / "scorecard.csv", SCORECARD_COLUMNS)
    for row in card.itertuples():
        # The front page's summary: one rendered row per claim, its id beside its verdict.
        assert f" {row.claim_id} {row.verdict} " in text, row.claim_id
    for verdict in set(card["verdict"]):
        assert verdict in text
    for section in SECTIONS:
        assert section in text, section  # the figure categories, one per lecture section
    assert "Run statistics and config" in text
    # Every figure is embedded as a PNG, with a caption quoting the scorecard's measured values.
    found = re.search(r"var results = (\{.*?\});\n\s*</script>", html, re.S)
    assert found, "no results data in the report"
    results = json.loads(found.group(1))
    measured = card.set_index("claim_id")["measured"]
    for figure, (_, claims) in FIGURE_CLAIMS.items():
        entry = results[f"results/figures/{figure}.png"]
        png = base64.b64decode(entry["data_uri"].split("base64,", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n", figure
        for claim in claims:
            assert f"<strong>Measured</strong> ({claim}" in entry["caption"], figure
            assert html_escape(measured[claim][:20], quote=False) in entry["caption"], figure
