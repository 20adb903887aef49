"""The whole DAG end to end: a real `snakemake` run of the smoke config in a temporary copy."""

import base64
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import torch
import yaml
from conftest import ROOT, copy_workflow, snakemake

from landscape.base.io import load_checkpoint, read_table
from landscape.base.runlog import WALL_TIME_PREFIX
from landscape.engine.data import load_dataset
from landscape.engine.train import plateau_points
from landscape.pipeline.config import validate_config
from landscape.pipeline.scorecard import SCORECARD_COLUMNS, VERDICTS
from landscape.pipeline.sections import CLAIMS


def test_every_final_output_exists_and_is_well_formed(smoke_run):
    results = smoke_run / "results"
    for name, rows in (("digits", 1437), ("mnist1d", 160), ("teacher_student", 64)):
        ds = load_dataset(results / "data" / f"{name}.npz")
        assert len(ds.x_train) == rows, name  # smoke sizes reached the rules
    for stem in (
        "symmetry",
        "toy_critical_points",
        "training_plateaus",
        "linear_ae_critical_points",
    ):
        assert (results / "figures" / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (results / "figures" / f"{stem}.pdf").read_bytes()[:5] == b"%PDF-"
    card = read_table(results / "scorecard.csv", SCORECARD_COLUMNS)
    assert card["claim_id"].tolist() == [c.claim_id for c in CLAIMS]
    assert set(card["verdict"]) <= set(VERDICTS)
    assert (card["verdict"] != "not run").sum() >= 15


def test_training_plateau_tables_agree(smoke_run):
    tables = smoke_run / "results" / "tables"
    p = 64 * 4 + 4 + 4 * 4 + 4 + 4 * 10 + 10
    opts = validate_config(yaml.safe_load((ROOT / "tests" / "smoke.yaml").read_text()))
    opts = opts["training_plateaus"]
    for shard in (0, 1):
        path = smoke_run / f"results/networks/training_plateaus/shard{shard}.pt"
        ckpt = load_checkpoint(path, ["params", "points"])
        assert ckpt["params"].shape == (len(ckpt["points"]), p)
        assert {(pt["network"], pt["seed"]) for pt in ckpt["points"]} == {(shard, shard)}
    summary = read_table(tables / "training_plateaus.csv")
    eigs = read_table(tables / "training_plateaus_eigenvalues.csv")
    history = read_table(tables / "training_plateaus_history.csv")
    assert (summary["n_params"] == p).all() and sorted(summary["network"].unique()) == [0, 1]
    assert set(summary["status"]) <= {"critical", "not converged", "diverged"}
    assert set(summary["point"]) <= {"plateau", "end (still falling)", "end (diverged)"}
    assert (summary["n_negative"] + summary["n_zero"] + summary["n_positive"] == p).all()
    assert sorted(history["step"].unique()) == list(range(0, 61, 5))
    for net, rows in summary.groupby("network"):
        # The points are exactly those the plateau rule finds in the recorded history.
        h = history[history["network"] == net].sort_values("step")
        expected = plateau_points(
            torch.tensor(h["step"].to_numpy()),
            torch.tensor(h["loss"].to_numpy()),
            torch.tensor(h["grad_norm_sq"].to_numpy()),
            opts["plateau_window"],
            opts["plateau_rel_change"],
        )
        assert rows["step"].tolist() == [pt.step for pt in expected]
        assert rows["point"].tolist() == [pt.kind for pt in expected]
        # The loss recorded in training is the loss the spectra rule recomputes there.
        recorded = h.set_index("step").loc[rows["step"], "loss"].to_numpy()
        np.testing.assert_allclose(rows["loss"].to_numpy(), recorded, rtol=1e-12)
    for (net, step), g in eigs.groupby(["network", "step"]):
        values = g.sort_values("rank")["eigenvalue"].to_numpy()
        assert len(values) == p and np.all(np.diff(values) >= 0)
        row = summary.set_index(["network", "step"]).loc[(net, step)]
        assert row["n_negative"] == int((values < -row["eig_tol"]).sum())
        assert row["lambda_min"] == values[0]
    assert len(eigs) == p * len(summary)


def test_published_runs_are_kept_polished_fitted_and_scored(smoke_run):
    """4c on the smoke's 2-2-2 runs: every run a row, kept ends fitted, the four rows decided."""
    tables = smoke_run / "results" / "tables"
    runs = read_table(tables / "published_runs.csv")
    assert sorted(runs["phi"].unique()) == [0.25, 0.5] and len(runs) == 128
    assert (runs["samples"] == (2 * 2 / runs["phi"]).round()).all()
    kept = runs[runs["kept"]]
    assert len(kept) > 0 and (kept["grad_norm_sq"] <= 1e-3).all()
    assert set(kept["status"]) <= {"critical", "gradient-flat", "not converged"}
    assert (
        runs.loc[~runs["kept"], "status"].isna() | (runs.loc[~runs["kept"], "status"] == "")
    ).all()
    fits = read_table(tables / "published_fit.csv")
    assert len(fits) == 4 and set(fits["procedure"]) == {"published procedure", "certified"}
    assert (fits.loc[fits["procedure"] == "published procedure", "status"] == "fitted").any()
    scores = read_table(smoke_run / "results" / "scores" / "index_fit.csv")
    assert list(scores["claim_id"]) == [
        "4.three_halves_law_published_procedure",
        "4.three_halves_law_certified",
        "4.critical_energy_quadratic_law",
        "4.critical_energy_below_linear",
    ]


def test_linear_autoencoder_table(smoke_run):
    table = read_table(smoke_run / "results/tables/linear_ae_critical_points.csv")
    expected = [
        "method",
        "start",
        "status",
        "loss",
        "grad_norm_sq",
        "index",
        "nearest_analytic_loss",
        "nearest_analytic_index",
    ]
    assert set(expected) <= set(table.columns)
    assert sorted(table["method"].unique()) == ["damped_newton", "gradient_norm", "newton_mr"]
    assert len(table) == 3 * 2 * 2 * 2  # finders x trajectories x snapshots x (clean, noisy)
    certified = table[table["status"] == "critical"]
    assert len(certified) > 0 and certified["matches_analytic"].all()


def test_deep_linear_optimum_table(smoke_run):
    table = read_table(smoke_run / "results/tables/deep_linear_optimum.csv")
    expected = ["data", "depth", "widths", "seed", "status", "final_loss", "optimum_loss"]
    assert set([*expected, "rel_gap", "index"]) <= set(table.columns)
    assert len(table) == 2 * 1 * 2  # depths x widths x networks
    assert (table["data"] == "teacher_student").all() and sorted(table["depth"].unique()) == [1, 2]
    certified = table[table["status"] == "critical"]
    assert (certified["rel_gap"] < 1e-6).all() and (certified["n_negative"] == 0).all()


def test_symmetry_tables(smoke_run):
    table = read_table(smoke_run / "results/tables/symmetry.csv")
    assert sorted(table["dataset"]) == ["digits", "mnist1d"]  # 1 network x 1 permutation each
    assert (table["abs_delta_loss"] <= 1e-12 * table["loss"]).all()
    assert (table["equivalent_minima"] == 24).all()  # 4! for one hidden layer of width 4
    path = read_table(smoke_run / "results/tables/symmetry_path.csv")
    assert len(path) == 2 * 5 and sorted(path["t"].unique()) == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_logs_state_wall_time(smoke_run):
    logs = sorted((smoke_run / "results" / "logs").rglob("*.log"))
    # The smoke run's jobs, each with its log.
    jobs = {
        "datasets": 3,
        "training plateaus: 2 jobs x 2 shards, join, figure, score": 2 * 2 + 3,
        "scorecard": 1,
        "linear AE: table, 5 pinv sweep seeds, their join, figure, score": 1 + 5 + 1 + 1 + 1,
        "symmetry: table, figure, score": 3,
        "toy classification: table, figure, score": 3,
        "Newton vs gradient descent: table, figure, score": 3,
        "deep linear toy: table, figure, score": 3,
        "deep linear optimum: 2 depths, join, figure, score": 2 + 3,
        "deep linear saddles: table, figure, score": 3,
        "counting argument: table, figure, score": 3,
        "index vs loss: case, join, figures, score": 1 + 3,
        "index vs loss: sensitivity and status tables, one scale size": 2 + 1,
        "4c: 2 phis x 2 shards, join, Fig. 6 fits, 4b fits, figure, score": 2 * 2 + 5,
        "Dauphin: 2 settings, join, figure, score": 2 + 3,
        "ReLU trap: table, figure, score": 3,
        "ReLU census: two cases, join, figure, score": 5,
        "report: captions, scorecard page, run statistics, calibration": 4,
    }
    assert len(logs) == sum(jobs.values()), sorted(str(p.relative_to(smoke_run)) for p in logs)
    for log in logs:
        assert WALL_TIME_PREFIX in log.read_text(), log


def test_rerun_has_nothing_to_do_and_report_builds(smoke_run):
    dry = snakemake(smoke_run, "--dry-run")
    assert dry.returncode == 0 and "Nothing to be done" in dry.stdout + dry.stderr
    report = snakemake(smoke_run, "--report", "results/report.html")
    assert report.returncode == 0, report.stderr[-2000:]
    html = (smoke_run / "results" / "report.html").read_text(errors="replace")
    assert "training_plateaus.png" in html and "scorecard.csv" in html


def test_inertia_mode_counts_like_the_spectrum(smoke_run):
    """Every Hessian rule under inertia, HVP Hessians, sample chunks and a tiny memory budget.

    The same counts as the full spectra of the structured path where the spectrum is well
    separated from the tolerance (1c, the linear autoencoder, 2c), no eigenvalue table rows. In
    4b the tolerance (~1e-13 here) sits among near-zero eigenvalues, so a count there moves with
    the few-digit norm estimate of inertia mode (the index's dependence on the tolerance is what
    the section-4 index work addresses); only its statuses are compared.
    """
    summary = smoke_run / "results" / "tables" / "training_plateaus.csv"
    dense = read_table(summary)
    tables = ["linear_ae_critical_points", "deep_linear_saddles"]
    index_before = read_table(smoke_run / "results/tables/index_vs_loss.csv")
    before = {t: read_table(smoke_run / f"results/tables/{t}.csv") for t in tables}
    (smoke_run / "inertia.yaml").write_text(
        "curvature:\n  spectrum: inertia\n  hessian_method: hvp\n  sample_chunk: 7\n"
        "  memory_budget_mb: 0.01\n"
    )
    # Only the tables compared (their Hessian jobs), not the figures, scores and report.
    compared = ["training_plateaus", *tables, "index_vs_loss"]
    targets = [f"results/tables/{t}.csv" for t in compared]
    targets += [
        f"results/tables/{t}_eigenvalues.csv" for t in ("training_plateaus", "index_vs_loss")
    ]
    inertia = ["--configfile", "tests/smoke.yaml", "inertia.yaml", "--keep-going"]
    run = snakemake(smoke_run, *inertia, *targets)  # (an option ends --configfile's list)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    counted = read_table(summary)
    assert set(counted["spectrum_method"]) == {"inertia (LDL^T)"}
    assert counted["n_negative"].tolist() == dense["n_negative"].tolist()
    assert counted["nullity"].tolist() == dense["nullity"].tolist()
    assert read_table(smoke_run / "results/tables/training_plateaus_eigenvalues.csv").empty
    assert read_table(smoke_run / "results/tables/index_vs_loss_eigenvalues.csv").empty
    for name, table in before.items():
        after = read_table(smoke_run / f"results/tables/{name}.csv")
        assert after["n_negative"].tolist() == table["n_negative"].tolist(), name
        assert after["status"].tolist() == table["status"].tolist(), name
    index_after = read_table(smoke_run / "results/tables/index_vs_loss.csv")
    assert index_after["status"].tolist() == index_before["status"].tolist()
    # Back to the default, so that later tests see the full spectra again.
    assert snakemake(smoke_run).returncode == 0
    assert read_table(summary)["spectrum_method"].tolist() == ["eigvalsh"] * len(dense)


def test_diverged_networks_are_reported_and_the_run_completes(smoke_run):
    # A deep linear network under squared loss blows up super-exponentially at this step size.
    diverge = "training_plateaus:\n  activation: linear\n  loss: mse\n  learning_rate: 10.0\n"
    (smoke_run / "diverge.yaml").write_text(diverge)
    run = snakemake(smoke_run, "--configfile", "tests/smoke.yaml", "diverge.yaml")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    summary = read_table(smoke_run / "results/tables/training_plateaus.csv")
    assert summary["status"].tolist() == ["diverged", "diverged"]
    assert summary["point"].tolist() == ["end (diverged)", "end (diverged)"]
    assert summary["index"].isna().all() and set(summary["spectrum_method"]) == {"none"}
    assert read_table(smoke_run / "results/tables/training_plateaus_eigenvalues.csv").empty
    history = read_table(smoke_run / "results/tables/training_plateaus_history.csv")
    assert history["diverged"].all()
    assert (smoke_run / "results/figures/training_plateaus.png").exists()
    assert snakemake(smoke_run).returncode == 0  # back to the default for later tests


def test_no_temporary_files_left(smoke_run):
    leftovers = [p for p in (smoke_run / "results").rglob(".*") if p.is_file()]
    assert leftovers == []
    assert isinstance(pd.read_csv(smoke_run / "results" / "scorecard.csv"), pd.DataFrame)


def test_gpu_requested_by_the_heavy_rules_under_cuda():
    """With `device: cuda`, exactly the training, Hessian and critical-point rules ask for a GPU."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "-F",
            "--configfile",
            "tests/smoke.yaml",
            "--config",
            "device=cuda",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    jobs = re.split(r"\n(?=(?:local)?rule \w+:)", run.stdout + run.stderr)
    asking = {re.match(r"(?:local)?rule (\w+):", j).group(1) for j in jobs if "gpu=1" in j}
    assert asking == {
        "dauphin_case",
        "training_plateaus_networks_case",
        "training_plateaus_spectra_case",
        "linear_ae_critical_points",
        "linear_ae_pinv_sweep_case",
        "deep_linear_optimum_case",
        "index_vs_loss_case",
        "index_vs_loss_scale_case",
        "published_runs_case",
        "relu_spurious_case",
    }
    cpu = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "-F", "--configfile", "tests/smoke.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cpu.returncode == 0 and "gpu=1" not in cpu.stdout + cpu.stderr


def test_every_status_table_carries_what_decided_it(smoke_run):
    """A table with a critical-point status also carries the threshold and the tolerance."""
    tables = smoke_run / "results" / "tables"
    checked = 0
    for path in sorted(tables.glob("*.csv")):
        table = read_table(path)
        # index_fit, published_fit: a fit's status; index_vs_loss_statuses: counts per case
        fits = ("index_fit", "published_fit", "index_vs_loss_statuses")
        if "status" not in table or path.stem in fits:
            continue
        checked += 1
        # published_runs: an index at each of two tolerances, both written
        tolerances = (
            ("tol_roundoff", "tol_derived") if path.stem == "published_runs" else ("eig_tol",)
        )
        for column in ("grad_norm_sq_threshold", "eigen_tolerance_factor", *tolerances):
            assert column in table, f"{path.name} lacks {column}"
        assert (table["grad_norm_sq_threshold"] == 1e-10).all(), path.name
    assert checked == 10


def test_default_workflow_profile_is_used(tmp_path):
    """Snakemake applies profiles/default, beside the Snakefile (rerun-incomplete among others).

    Snakemake looks for profiles/default beside the Snakefile only: with the profile anywhere
    else it was silently ignored; a run killed between a table's rename and
    Snakemake's bookkeeping then stopped with IncompleteFilesException instead of redoing it.
    """
    workdir = copy_workflow(tmp_path)
    table = workdir / "results/tables/deep_linear_optimum/teacher_student/depth1_width12.csv"
    table.parent.mkdir(parents=True)
    table.write_text("a\n1\n")
    marker = workdir / ".snakemake" / "incomplete"
    marker.mkdir(parents=True)
    (
        marker
        / base64.b64encode(
            b"results/tables/deep_linear_optimum/teacher_student/depth1_width12.csv"
        ).decode()
    ).touch()
    run = snakemake(workdir, "--dry-run", timeout=120)
    said = run.stdout + run.stderr
    assert "Using workflow specific profile profiles/default" in said
    assert run.returncode == 0, said[-2000:]  # not IncompleteFilesException
    assert "rule deep_linear_optimum_case:" in said  # the cut-short job is redone
