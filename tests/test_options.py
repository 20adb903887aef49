"""Every config key reaches at least one job: change it, and a dry run after the smoke run reruns.

For every leaf key of the schema, a valid new value is written over the smoke config and
``snakemake --dry-run`` is asked what it would do on the finished smoke run. A key that schedules
no job except the whole-config bookkeeping (``run_statistics``, which records the config used, and
the target ``all``) reaches nothing: the test fails and names it. Keys that may leave the results
unchanged on purpose are listed in :data:`OUTPUT_NEUTRAL` with the reason.
"""

import copy
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import yaml
from conftest import ROOT, snakemake

from landscape.pipeline.config import load_schema, validate_config

# Jobs every config change schedules: they record the whole config, so they prove nothing.
BOOKKEEPING = {"all", "run_statistics"}
# Keys allowed to reach no job, with the reason (none today: every key reaches a rule's params).
OUTPUT_NEUTRAL: dict[str, str] = {}
# Rules that compute exact Hessians of a network's loss on data: curvature.* must reach each.
HESSIAN_RULES = {
    "training_plateaus_spectra_case",
    "linear_ae_critical_points",
    "deep_linear_optimum_case",
    "deep_linear_saddles_table",
    "index_vs_loss_case",
}
# New values where the generic change would break a cross-key rule of the config.
SPECIAL = {
    "training_plateaus.record_every": 10,  # must divide plateau_window (20 in the smoke config)
    "training_plateaus.plateau_window": 25,  # a multiple of record_every (5)
    "training_plateaus.optimizer": "adam",  # sgd needs a batch size
    "index_vs_loss.pool": 4,  # must divide 8 and 40
    "deep_linear_saddles.singular_values": [4.0, 2.0, 1.0, 0.5],  # distinct, decreasing
    "relu_spurious.published": [{"k": 4, "n": 4, "rate": 0.01, "runs": 1000}],  # empty by default
    "index_fit.published.phis": [0.25, 0.125],  # each needs an integer m = 2 n / phi
    "dauphin.settings": [  # objects: no generic change
        {
            "name": "digits_mnist",
            "procedure": "mnist",
            "dataset": "digits",
            "pool": 4,
            "n_samples": 30,
            "hidden": [2],
            "activation": "tanh",
            "loss": "mse",
            "seed": 0,
        },
    ],
    "index_vs_loss_scale.sizes": [  # objects: no generic change
        {"name": "1k", "hidden": [7], "networks": 1, "snapshots": 2, "run": True},
        {"name": "5k", "hidden": [8, 8], "networks": 1, "snapshots": 2, "run": False},
    ],
}


def smoke_config() -> dict[str, Any]:
    """The smoke run's effective config: config.yaml, then tests/smoke.yaml, with defaults."""
    base = yaml.safe_load((ROOT / "config.yaml").read_text())
    smoke = yaml.safe_load((ROOT / "tests" / "smoke.yaml").read_text())

    def merge(a: dict, b: dict) -> dict:
        for key, value in b.items():
            a[key] = merge(a.get(key, {}), value) if isinstance(value, dict) else value
        return a

    return validate_config(merge(base, smoke))


def leaves(node: dict[str, Any], path: tuple[str, ...] = ()):
    """(dotted key, schema node) of every leaf of the schema."""
    if "properties" in node:
        for name, sub in node["properties"].items():
            yield from leaves(sub, (*path, name))
    else:
        yield ".".join(path), node


def changed(value: Any, node: dict[str, Any]) -> Any:
    """A valid value different from ``value`` for the schema ``node``."""
    if "enum" in node:
        return next(v for v in node["enum"] if v != value)
    kinds = node["type"] if isinstance(node["type"], list) else [node["type"]]
    if value is None:
        return 7 if "integer" in kinds else 0.5
    if "boolean" in kinds:
        return not value
    if "integer" in kinds:
        top = node.get("maximum", float("inf"))
        return value + 1 if value + 1 <= top else value - 1
    if "number" in kinds:
        top = node.get("maximum", node.get("exclusiveMaximum"))
        return 2 * value if value and top is None else (value + (top or 1)) / 2
    if "array" in kinds:
        items = node["items"]
        if "enum" in items:
            others = [v for v in items["enum"] if v not in value]
            return value[:-1] if len(value) > 1 else [others[0]]
        return [*value[:-1], changed(value[-1], items)]
    raise AssertionError(f"no change known for {node}")


def scheduled(workdir, overlay: dict[str, Any], name: str) -> set[str]:
    """The rules a dry run with ``overlay`` over the smoke config would run."""
    path = workdir / f"change_{name}.yaml"
    path.write_text(yaml.safe_dump(overlay))
    run = snakemake(
        workdir, "--configfile", "tests/smoke.yaml", path.name, "--dry-run", "--nolock", timeout=120
    )
    assert run.returncode == 0, f"{name}: {run.stderr[-2000:]}"
    stats = (run.stdout + run.stderr).split("Job stats:")
    if len(stats) == 1:
        return set()
    return set(re.findall(r"^(\w+)\s+\d+\s*$", stats[1].split("\n\n")[0], flags=re.M)) - {"total"}


def overlay_for(key: str, value: Any) -> dict[str, Any]:
    """The config fragment that sets the dotted ``key`` to ``value``."""
    out: dict[str, Any] = {}
    node = out
    *parents, last = key.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return out


def lookup(config: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        config = config[part]
    return copy.deepcopy(config)


def test_changed_values_are_valid():
    """The generic changes themselves pass the schema and the cross-key checks."""
    config = smoke_config()
    for key, node in leaves(load_schema()):
        value = SPECIAL[key] if key in SPECIAL else changed(lookup(config, key), node)
        assert value != lookup(config, key), key
        trial = copy.deepcopy(config)
        *parents, last = key.split(".")
        target = trial
        for part in parents:
            target = target[part]
        target[last] = value
        validate_config(trial)


# About 140 dry runs of a few seconds each, after the smoke run: more than the default 600 s
# on a slow 2-core machine (a clean-clone CI timed out here once the 4b-at-scale keys came).
@pytest.mark.timeout(1500)
def test_every_config_key_reaches_a_job(smoke_run):
    """A dry run after the smoke run schedules a job for a change of every leaf key."""
    config = smoke_config()
    keys = [(key, node) for key, node in leaves(load_schema()) if key not in OUTPUT_NEUTRAL]

    def probe(item):
        key, node = item
        value = SPECIAL[key] if key in SPECIAL else changed(lookup(config, key), node)
        return key, scheduled(smoke_run, overlay_for(key, value), key) - BOOKKEEPING

    with ThreadPoolExecutor(max_workers=3) as pool:  # each dry run waits on I/O part of the time
        reached = dict(pool.map(probe, keys))
    nowhere = sorted(key for key, rules in reached.items() if not rules)
    assert not nowhere, f"config keys that reach no job: {nowhere}"
    for key in [k for k in reached if k.startswith("curvature.")]:
        missing = HESSIAN_RULES - reached[key]
        assert not missing, f"{key} does not reach the Hessian rules {sorted(missing)}"
    # Keys of one section reach that section's rules only, not (say) the datasets.
    assert reached["relu_trap.directions"] == {
        "relu_trap_table",
        "relu_trap_figure",
        "score",
        "scorecard",
        "figure_captions",
        "scorecard_page",
    }


@pytest.mark.parametrize("text, value", [("1e-10", 1e-10), ("1E-9", 1e-9), ("1.0e-10", 1e-10)])
def test_exponent_without_dot_is_a_number(text, value):
    """YAML 1.1 reads 1e-10 (no dot) as a string; number keys accept it as the number."""
    config = yaml.safe_load(f"numerics:\n  grad_norm_sq_threshold: {text}\n")
    validate_config(config)
    assert config["numerics"]["grad_norm_sq_threshold"] == value
    assert isinstance(config["numerics"]["grad_norm_sq_threshold"], float)


def test_command_line_values_reach_the_workflow_as_numbers(tmp_path):
    """Real Snakemake: 1E-9 in a config file and nested --config values are accepted."""
    (tmp_path / "exp.yaml").write_text("numerics:\n  grad_norm_sq_threshold: 1E-9\n")
    ok = snakemake(
        ROOT,
        "--configfile",
        "tests/smoke.yaml",
        str(tmp_path / "exp.yaml"),
        "--config",
        "relu_trap={hidden: 4, radii: [1e-3]}",
        "--dry-run",
        "--nolock",
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr[-2000:]
    bad = snakemake(
        ROOT, "--config", "relu_trap={hidden: four}", "--dry-run", "--nolock", timeout=120
    )
    assert bad.returncode != 0
    said = bad.stdout + bad.stderr
    assert "config key 'relu_trap.hidden'" in said and "--configfile" in said
