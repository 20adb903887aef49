"""The HTML report's generated parts: measured-number captions, the scorecard page, run statistics.

Snakemake's report shows each figure with a caption from ``workflow/report/<figure>.rst`` (what the
figure shows and its claim, in words). Each of those ends by including
``results/report/captions/<figure>.rst``, written here from the scorecard, so the measured numbers
in a caption are always those of the tables, never typed by hand. :data:`FIGURE_CLAIMS` says which
scorecard rows belong to which figure; it is derived from the registry,
:mod:`landscape.pipeline.sections`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from landscape.base.runlog import WALL_TIME_PREFIX
from landscape.base.verdicts import ClaimKind
from landscape.pipeline.scorecard import MEANING, Verdict
from landscape.pipeline.sections import claims, figure_claims, rule_section

# Figure stem -> (lecture section, the scorecard claims the figure illustrates).
FIGURE_CLAIMS = figure_claims()
STATS_COLUMNS = ["log", "rule", "section", "wall_time_s"]
# Wall times are logged to 0.01 s (landscape.base.runlog), and written to that precision.
WALL_TIME_FORMAT = "%.2f"


def _rst_literal(text: str) -> str:
    """Text safe inside RST running prose (no markup characters interpreted)."""
    return re.sub(r"([*`|_\\])", r"\\\1", str(text))


def measured_caption(card: pd.DataFrame, figure: str) -> str:
    """The measured part of one figure's caption (RST), read from the scorecard.

    Args:
        card: The scorecard (``results/scorecard.csv``).
        figure: A key of :data:`FIGURE_CLAIMS`.

    Returns:
        One paragraph per claim: its id, the measured value, the reference with its source, the
        tolerance and the verdict.

    Raises:
        KeyError: If the figure is unknown or a claim is missing from the scorecard.
    """
    _, claims = figure_claims()[figure]
    rows = card.set_index("claim_id")
    missing = [c for c in claims if c not in rows.index]
    if missing:
        raise KeyError(f"scorecard has no row for claim(s) {missing} of figure '{figure}'")
    parts = []
    for claim in claims:
        r = rows.loc[claim]
        parts.append(
            f"**Measured** ({claim}, verdict **{r['verdict']}**): "
            f"{_rst_literal(r['measured'])}. Reference: {_rst_literal(r['reference'])}; "
            f"tolerance: {_rst_literal(r['tolerance'])}."
        )
    return "\n\n".join(parts) + "\n"


def scorecard_rst(card: pd.DataFrame) -> str:
    """The scorecard as an RST list-table, shown in the report's Scorecard section.

    Columns: claim (with its id), measured, reference (with source), tolerance, verdict.
    """
    counts = card["verdict"].value_counts()
    summary = ", ".join(f"{n} {v}" for v, n in counts.items())
    lines = [
        f"**Replication scorecard, every claim**: {len(card)} claims, {summary}.",
        "",
        *(f"- **{v}**: {text}" for v, text in MEANING.items()),
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 25 30 25 12 8",
        "",
        "   * - claim",
        "     - measured",
        "     - reference",
        "     - tolerance",
        "     - verdict",
    ]
    for _, r in card.iterrows():
        claim = f"{_rst_literal(r['claim'])} ({_rst_literal(r['claim_id'])})"
        lines += [f"   * - {claim}"]
        lines += [f"     - {_rst_literal(r[c])}" for c in ("measured", "reference", "tolerance")]
        lines += [f"     - **{r['verdict']}**"]
    return "\n".join(lines) + "\n"


def scorecard_summary_rst(card: pd.DataFrame) -> str:
    """The report's front page: the verdict counts and each claim's verdict, two narrow columns.

    The front page shows its text in a narrow column beside the workflow graph, so the full table
    (measured, reference, tolerance) is its own page, ``scorecard.html``, in the "Scorecard"
    section.
    """
    counts = card["verdict"].value_counts()
    summary = ", ".join(f"{n} {v}" for v, n in counts.items())
    kinds = {c.claim_id: c.kind for c in claims()}
    checks = card["claim_id"].map(kinds) == ClaimKind.CHECK
    lines = [
        f"**Replication scorecard**: {len(card)} claims, {summary}. "
        f"{int((~checks).sum())} are replications of published claims; {int(checks.sum())} "
        "are checks, which cannot fail by construction and show that the machinery is right. "
        "The full table (measured value, reference with its source, tolerance) is in the "
        "section *Scorecard*.",
        "",
        *(f"- **{v}**: {text}" for v, text in MEANING.items()),
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - claim",
        "     - verdict",
    ]
    for _, r in card.iterrows():
        lines += [f"   * - {_rst_literal(r['claim_id'])}", f"     - **{r['verdict']}**"]
    return "\n".join(lines) + "\n"


def _html_page(title: str, cell_style: str, body: str) -> str:
    """A standalone HTML page: ``title`` as title and heading, then ``body``."""
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        f"td,th{{{cell_style}}}</style></head><body><h1>{title}</h1>{body}</body></html>\n"
    )


def scorecard_html(card: pd.DataFrame) -> str:
    """The scorecard as a standalone HTML table (claim, measured, reference, tolerance, verdict)."""
    colour = {
        Verdict.REPLICATED: "#d7f0d7",
        Verdict.NOT_REPLICATED: "#f6d5d5",
        Verdict.INCONCLUSIVE: "#fbeecb",
        Verdict.CHECK_PASSED: "#e3ecf7",
        Verdict.CHECK_FAILED: "#f6d5d5",
        Verdict.NOT_RUN: "#eeeeee",
    }
    head = "".join(
        f"<th>{h}</th>"
        for h in ("section", "claim", "measured", "reference", "tolerance", "verdict")
    )
    body = []
    for _, r in card.iterrows():
        cells = "".join(
            f"<td>{html.escape(str(r[c]))}</td>"
            for c in ("section", "claim", "measured", "reference", "tolerance")
        )
        bg = colour.get(r["verdict"], "#ffffff")
        body.append(
            f'<tr id="{html.escape(r["claim_id"])}">{cells}'
            f'<td style="background:{bg}"><b>{html.escape(r["verdict"])}</b></td></tr>'
        )
    counts = card["verdict"].value_counts()
    summary = ", ".join(f"{counts.get(v, 0)} {v}" for v in colour)
    legend = "".join(
        f'<li><span style="background:{bg}"><b>{v}</b></span>: {html.escape(MEANING[v])}</li>'
        for v, bg in colour.items()
    )
    return _html_page(
        "Replication scorecard",
        "border:1px solid #999;padding:4px;vertical-align:top;font-size:13px",
        f"<p>{len(card)} claims: {summary}.</p><ul>{legend}</ul>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
    )


def run_statistics(log_dir: str | Path) -> pd.DataFrame:
    """Every job's wall time, read from the ``wall time`` line that ends each rule's log.

    Args:
        log_dir: ``results/logs``.

    Returns:
        Columns :data:`STATS_COLUMNS`, one row per log that has finished (longest first); logs
        without a wall-time line (a job that failed or is still running) are left out.
    """
    log_dir = Path(log_dir)
    pattern = re.compile(rf"landscape\.(\S+) INFO {WALL_TIME_PREFIX} ([0-9.]+) s")
    rows = []
    for path in sorted(log_dir.rglob("*.log")):
        found = pattern.findall(path.read_text(errors="replace"))
        if found:
            rule, seconds = found[-1]
            section = rule_section(rule)
            rows.append([str(path.relative_to(log_dir)), rule, section, float(seconds)])
    table = pd.DataFrame(rows, columns=STATS_COLUMNS)
    return table.sort_values("wall_time_s", ascending=False, ignore_index=True)


def run_statistics_html(stats: pd.DataFrame, config_text: str, budget: list[str]) -> str:
    """Run statistics (jobs, total and largest wall times, the budget check) and the config.

    Args:
        stats: :func:`run_statistics`, with ``units`` (wall time / the run's calibration).
        config_text: The config used, as YAML.
        budget: The budget check's lines (:meth:`landscape.pipeline.budget.BudgetCheck.lines`).
    """
    total = stats["wall_time_s"].sum()
    rows = "".join(
        f"<tr><td>{html.escape(r.log)}</td><td>{html.escape(r.rule)}</td>"
        f"<td>{html.escape(str(r.section))}</td>"
        f"<td style='text-align:right'>{r.wall_time_s:.1f}</td>"
        f"<td style='text-align:right'>{r.units:.0f}</td></tr>"
        for r in stats.itertuples()
    )
    checked = "".join(f"<li>{html.escape(line)}</li>" for line in budget)
    return _html_page(
        "Run statistics",
        "border:1px solid #999;padding:3px;font-size:13px",
        f"<p>{len(stats)} jobs, {total:.0f} s of job wall time in all "
        "(the sum over jobs; jobs run side by side, so the run itself took less). Every finished "
        "log under results/logs is listed: a log left by an earlier run with another config "
        "stays there until <code>make clean</code>.</p>"
        "<h2>CPU budget (landscape/pipeline/budget.py; units: the run's calibration)</h2>"
        f"<ul>{checked}</ul>"
        "<h2>Config used</h2>"
        f"<pre>{html.escape(config_text)}</pre>"
        "<h2>Jobs</h2><table><thead><tr><th>log</th><th>rule</th><th>section</th>"
        "<th>wall time (s)</th><th>units</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>",
    )
