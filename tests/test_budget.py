"""The CPU budget: the calibration, the check's arithmetic and verdict, rules mapped to sections."""

import pandas as pd
import pytest

from landscape.base.io import write_table
from landscape.pipeline import budget
from landscape.pipeline.budget import (
    BUDGET_UNITS,
    LONGEST_UNITS,
    calibrate,
    calibration_table,
    check,
    main,
)
from landscape.pipeline.sections import rule_section


def stats(seconds: list[float], sections: list[str] | None = None) -> pd.DataFrame:
    n = len(seconds)
    return pd.DataFrame(
        {
            "log": [f"job{i}.log" for i in range(n)],
            "rule": [f"rule{i}" for i in range(n)],
            "section": sections or ["2"] * n,
            "wall_time_s": seconds,
        }
    )


def test_the_check_sums_and_finds_the_longest_in_units():
    found = check(stats([30.0, 10.0, 20.0], ["2", "4", "2"]), calibration_s=0.5)
    assert found.total_units == pytest.approx(120.0)
    assert found.longest_units == pytest.approx(60.0) and found.longest_log == "job0.log"
    assert found.shares == {"2": 50.0, "4": 10.0}
    assert found.within


def test_a_run_over_the_sum_or_with_a_long_pole_is_over_budget():
    unit = 1.0
    over_sum = [0.9 * LONGEST_UNITS * unit] * int(BUDGET_UNITS / (0.9 * LONGEST_UNITS) + 2)
    assert not check(stats(over_sum), unit).within
    assert not check(stats([1.1 * LONGEST_UNITS * unit]), unit).within
    assert check(stats([0.9 * LONGEST_UNITS * unit]), unit).within
    assert "OVER BUDGET" in check(stats(over_sum), unit).lines()[-1]


def test_the_same_run_on_a_machine_twice_as_slow_has_the_same_units():
    fast = check(stats([100.0, 50.0]), calibration_s=0.1)
    slow = check(stats([200.0, 100.0]), calibration_s=0.2)
    assert fast.total_units == pytest.approx(slow.total_units)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="no finished jobs"):
        check(stats([]), 1.0)
    with pytest.raises(ValueError, match="calibration must be positive"):
        check(stats([1.0]), 0.0)
    with pytest.raises(ValueError, match="at least one repeat"):
        calibrate(0)


def test_calibration_is_a_positive_time_and_scales_with_the_work(monkeypatch):
    one = calibrate(3)
    monkeypatch.setattr(budget, "CALIBRATION_MATMULS", 4 * budget.CALIBRATION_MATMULS)
    more = calibrate(3)
    assert 0 < one < more


def test_make_budget_reads_a_finished_run(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert "run the pipeline first" in capsys.readouterr().err
    stats([10.0, 5.0], ["2", "4"]).to_csv(tmp_path / "run_statistics.csv", index=False)
    write_table(calibration_table(0.1), tmp_path / "calibration.csv")
    assert main([str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert "sum of jobs 15 s = 150 units" in said and "within budget" in said
    stats([1e6], ["2"]).to_csv(tmp_path / "run_statistics.csv", index=False)
    assert main([str(tmp_path)]) == 1


@pytest.mark.parametrize(
    "rule, section",
    [
        ("symmetry_tables", "0"),
        ("training_plateaus_spectra_case", "1"),
        ("deep_linear_optimum_case", "2"),
        ("linear_ae_pinv_sweep_case", "2"),
        ("relu_spurious_case", "3"),
        ("index_vs_loss_scale_case", "4"),
        ("published_runs_case", "4"),
        ("index_sensitivity_table", "4"),
        ("dataset", "pipeline"),
        ("calibration", "pipeline"),
    ],
)
def test_every_rule_has_its_section(rule, section):
    assert rule_section(rule) == section
