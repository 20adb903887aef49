"""The config schema: complete, strict, and with errors that name the offending key."""

import copy
import dataclasses
import os
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

from landscape.base.options import Numerics
from landscape.engine.curvature import CurvatureOptions
from landscape.engine.data import make_dataset, split_sizes
from landscape.engine.train import TrainOptions
from landscape.experiments.deep_linear.deep_linear import OptimumOptions, SaddleOptions
from landscape.experiments.index_fit.index_fit import FitOptions
from landscape.experiments.index_vs_loss.index_vs_loss import SearchOptions
from landscape.experiments.linear_ae.linear_ae import LinearAEOptions
from landscape.experiments.relu_spurious.relu import CensusOptions
from landscape.experiments.relu_trap.relu_trap import TrapOptions
from landscape.experiments.symmetry.symmetry import SymmetryOptions
from landscape.experiments.toys.toys import DescentOptions
from landscape.experiments.training_plateaus.training_plateaus import PlateauOptions
from landscape.pipeline.config import (
    ConfigError,
    check_config_files,
    check_interpreter_path,
    load_config,
    load_schema,
    validate_config,
)


def _walk(schema, path=()):
    """Yield (dotted key, subschema) for every property in the schema."""
    for name, sub in schema.get("properties", {}).items():
        key = (*path, name)
        yield ".".join(key), sub
        yield from _walk(sub, key)


def test_every_key_has_type_description_and_default():
    schema = load_schema()
    keys = list(_walk(schema))
    assert len(keys) > 20
    for key, sub in keys:
        assert "type" in sub, key
        assert sub.get("description", "").strip(), key
        assert "default" in sub, key
        if sub["type"] == "object":
            assert sub.get("additionalProperties") is False, key
    assert schema["additionalProperties"] is False


def test_defaults_are_valid_and_filled_in():
    config = validate_config({})
    assert config["device"] == "auto"
    assert config["numerics"]["grad_norm_sq_threshold"] == 1e-10
    assert config["data"]["mnist1d"]["seed"] == 42
    # Defaults are copies: filling one config must not change the next.
    config["training_plateaus"]["hidden"].append(99)
    assert validate_config({})["training_plateaus"]["hidden"] == [8, 8]


def test_shipped_configs_are_valid():
    default = load_config(ROOT / "config.yaml")
    assert default == validate_config({}), "config.yaml should state the schema's defaults"
    smoke = validate_config(yaml.safe_load((ROOT / "tests" / "smoke.yaml").read_text()))
    assert smoke["training_plateaus"]["steps"] < default["training_plateaus"]["steps"]
    paper = validate_config(yaml.safe_load((ROOT / "workflow/config/paper.yaml").read_text()))
    assert paper["relu_spurious"]["runs"] == 1000 and paper["relu_spurious"]["ks"][-1] == 20


def test_library_defaults_match_schema():
    section = validate_config({})["training_plateaus"]
    opts = TrainOptions()
    for key in ("optimizer", "batch_size", "learning_rate", "steps", "record_every"):
        assert getattr(opts, key) == section[key], key


# Each config section's typed options (built with from_config by its rules).
SECTION_OPTIONS = {
    "numerics": Numerics,
    "curvature": CurvatureOptions,
    "training_plateaus": PlateauOptions,
    "newton_vs_gd": DescentOptions,
    "deep_linear": OptimumOptions,
    "deep_linear_saddles": SaddleOptions,
    "relu_trap": TrapOptions,
    "relu_spurious": CensusOptions,
    "index_vs_loss": SearchOptions,
    "symmetry": SymmetryOptions,
    "linear_ae": LinearAEOptions,
    "index_fit": FitOptions,
}


@pytest.mark.parametrize("section", SECTION_OPTIONS)
def test_every_dataclass_default_equals_the_schema_default(section):
    """A default written twice (schema and dataclass) must not drift."""
    defaults = validate_config({})[section]
    cls = SECTION_OPTIONS[section]
    shared = [f for f in dataclasses.fields(cls) if f.name in defaults]
    assert len(shared) >= 2, section
    for field in shared:
        want = defaults[field.name]
        if section == "index_vs_loss" and field.name == "networks":
            want = want["tanh"]  # one case's count; the rule picks its activation's
        want = tuple(want) if isinstance(want, list) else want
        assert getattr(cls(), field.name) == want, f"{section}.{field.name}"
    # from_config of the defaults gives the dataclass defaults back.
    overrides = {"networks": cls().networks} if section == "index_vs_loss" else {}
    assert cls.from_config(defaults, **overrides) == cls()


# One Dauphin setting (section 4b as Dauphin did it), varied key by key below.
_SETTING = {
    "name": "d",
    "procedure": "mnist",
    "dataset": "digits",
    "pool": 1,
    "n_samples": 30,
    "hidden": [2],
    "activation": "tanh",
    "loss": "mse",
    "seed": 0,
}

BROKEN = [
    # (change to a valid config, words the message must contain)
    ({"devise": "cpu"}, ["'devise'", "unknown key", "did you mean 'device'"]),
    ({"device": "gpu"}, ["'device'", "'gpu' is not one of"]),
    (
        {"training_plateaus": {"stpes": 10}},
        ["'training_plateaus.stpes'", "'training_plateaus.steps'"],
    ),
    (
        {"training_plateaus": {"steps": "many"}},
        ["'training_plateaus.steps'", "not of type 'integer'"],
    ),
    ({"training_plateaus": {"hidden": []}}, ["'training_plateaus.hidden'", "non-empty"]),
    ({"training_plateaus": {"hidden": [8, 0]}}, ["'training_plateaus.hidden.1'", "minimum of 1"]),
    ({"data": {"mnist1d": {"seed": -1}}}, ["'data.mnist1d.seed'", "minimum of 0"]),
    ({"data": {"digits": {"test_fraction": 1.0}}}, ["'data.digits.test_fraction'", "1.0"]),
    ({"numerics": {"grad_norm_sq_threshold": 0}}, ["'numerics.grad_norm_sq_threshold'"]),
    ({"numerics": "strict"}, ["'numerics'", "not of type 'object'"]),
    (
        {"training_plateaus": {"optimizer": "sgd"}},
        ["'training_plateaus.batch_size'", "needs a batch"],
    ),
    ({"training_plateaus": {"shard_size": 0}}, ["'training_plateaus.shard_size'", "minimum of 1"]),
    (
        {"training_plateaus": {"plateau_window": 25}},
        ["'training_plateaus.plateau_window'", "multiple of 'training_plateaus.record_every'"],
    ),
    (
        {"training_plateaus": {"dataset": "teacher_student", "loss": "cross_entropy"}},
        ["'training_plateaus.loss'", "cross_entropy needs a classification dataset"],
    ),
    (
        {"relu_spurious": {"early_stop_loss": 1e-2}},
        ["'relu_spurious.early_stop_loss'", "below 'relu_spurious.spurious_loss'"],
    ),
    ({"index_vs_loss": {"pool": 3}}, ["'index_vs_loss.pool'", "divide 8 and 40"]),
    (
        {"index_vs_loss": {"networks": {"sigmoid": 3}}},
        ["'index_vs_loss.networks.sigmoid'", "unknown key"],
    ),
    ({"relu_trap": {"hidden": 1}}, ["'relu_trap.hidden'", "minimum of 2"]),
    (
        {"dauphin": {"sgd": {"min_epoch": 20, "max_epoch": 10}}},
        ["'dauphin.sgd.min_epoch'", "at most 'dauphin.sgd.max_epoch' (10)"],
    ),
    (
        {"dauphin": {"settings": [_SETTING | {"pool": 3}]}},
        ["'dauphin.settings' (setting d)", "pool must divide 8 for digits"],
    ),
    (
        {"dauphin": {"settings": [_SETTING | {"n_samples": 5000}]}},
        ["'dauphin.settings' (setting d)", "n_samples must be at most", "got 5000"],
    ),
    (
        {"dauphin": {"settings": [_SETTING, _SETTING]}},
        ["'dauphin.settings'", "names must be distinct"],
    ),
    (
        {"dauphin": {"settings": [_SETTING | {"procedure": "cifar"}], "sgd": {"batch_size": 99}}},
        ["'dauphin.sgd.batch_size'", "n_samples of setting d (30)"],
    ),
]


@pytest.mark.parametrize(("change", "words"), BROKEN, ids=[str(c) for c, _ in BROKEN])
def test_broken_config_names_the_key(change, words):
    with pytest.raises(ConfigError) as info:
        validate_config(copy.deepcopy(change))
    for word in words:
        assert word in str(info.value)


def test_all_problems_reported_at_once():
    with pytest.raises(ConfigError) as info:
        validate_config({"devise": 1, "training_plateaus": {"steps": -1}})
    assert "'devise'" in str(info.value) and "'training_plateaus.steps'" in str(info.value)


def test_unreadable_config_file_is_named(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("device: [cpu\n")
    with pytest.raises(ConfigError, match="bad.yaml"):
        load_config(bad)


def test_snakemake_stops_before_any_job(tmp_path):
    """A typo in a real `snakemake` run fails at once, names the key, and writes nothing."""
    bad = tmp_path / "typo.yaml"
    bad.write_text("training_plateaus:\n  learning_rat: 0.1\n")
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", "--configfile", str(bad), "-n"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = run.stdout + run.stderr
    assert run.returncode != 0
    assert "typo.yaml" in out
    assert "'training_plateaus.learning_rat'" in out
    assert "did you mean 'training_plateaus.learning_rate'" in out
    assert "Building DAG" not in out


def test_singular_values_must_decrease():
    with pytest.raises(ConfigError, match="deep_linear_saddles.singular_values"):
        validate_config({"deep_linear_saddles": {"singular_values": [1.0, 2.0]}})


def test_scale_sizes_need_distinct_names():
    config = load_config(ROOT / "config.yaml")
    config["index_vs_loss_scale"]["sizes"][1]["name"] = "1k"
    with pytest.raises(ConfigError, match="index_vs_loss_scale.sizes': names must be distinct"):
        validate_config(config)
    config["index_vs_loss_scale"]["sizes"][1]["name"] = "5-k"  # not a wildcard-safe name
    with pytest.raises(ConfigError, match="index_vs_loss_scale.sizes"):
        validate_config(config)


def test_three_halves_cannot_be_its_own_alternative():
    config = load_config(ROOT / "config.yaml")
    config["index_fit"]["decide"]["alternatives"] = [0.75, 1.5]
    with pytest.raises(ConfigError, match=r"decide.alternatives.1' \(An exponent to rule"):
        validate_config(config)


def _number_keys(schema, path=()):
    """Dotted paths (tuples) of every key whose schema type admits a number; array items as 0."""
    for name, sub in schema.get("properties", {}).items():
        key = (*path, name)
        kind = sub.get("type", [])
        kinds = [kind] if isinstance(kind, str) else kind
        if "number" in kinds:
            yield key
        items = sub.get("items", {})
        if kind == "array" and "number" in str(items.get("type")):
            yield (*key, 0)
        if kind == "array" and items.get("type") == "object":
            yield from _number_keys(items, (*key, 0))
        yield from _number_keys(sub, key)


def _set(config, key, value):
    """Set ``config`` at the dotted path ``key`` (tuple; an int part indexes a list)."""
    node = config
    for part in key[:-1]:
        node = node[part]
    node[key[-1]] = value


@pytest.mark.parametrize("text", [".nan", ".inf", "-.inf", ".NaN", ".Inf"])
def test_non_finite_numbers_are_refused_for_every_number_key(tmp_path, text):
    """YAML's .nan passes every minimum and maximum (all comparisons false), .inf every minimum."""
    value = yaml.safe_load(text)
    schema = load_schema()
    keys = list(_number_keys(schema))
    assert len(keys) > 40 and ("relu_trap", "radii", 0) in keys
    config = validate_config({})  # every list filled with its default
    config["relu_spurious"]["published"] = [{"k": 6, "n": 6, "runs": 100, "rate": 0.1}]
    for key in keys:
        _set(config, key, value)
    with pytest.raises(ConfigError) as info:
        validate_config(config)
    message = str(info.value)
    for key in keys:
        dotted = ".".join(map(str, key))
        assert f"config key '{dotted}': must be a finite number, got {value}" in message, dotted
    # Through a YAML file, as a user writes it.
    path = tmp_path / "nan.yaml"
    path.write_text(f"numerics:\n  eigen_tolerance_factor: {text}\n")
    with pytest.raises(ConfigError, match=r"nan.yaml.*\n.*'numerics.eigen_tolerance_factor'"):
        load_config(path)


DUPLICATED = [
    # (YAML text, words the message must contain)
    (
        "numerics:\n  grad_norm_sq_threshold: 1.0e-8\ndevice: cpu\nnumerics:\n"
        "  eigen_tolerance_factor: 20\n",
        ["config key 'numerics'", "lines 1 and 4"],
    ),
    (
        "training_plateaus:\n  steps: 10\n  hidden: [4]\n  steps: 20\n",
        ["config key 'training_plateaus.steps'", "lines 2 and 4"],
    ),
    (
        "index_vs_loss_scale:\n  sizes:\n    - {name: a, hidden: [4], networks: 1, snapshots: 1,"
        " run: true, networks: 2}\n",
        ["config key 'index_vs_loss_scale.sizes.0.networks'", "line 3, columns 30 and 68"],
    ),
]


@pytest.mark.parametrize(("text", "words"), DUPLICATED, ids=["top", "nested", "in a list"])
def test_a_key_written_twice_is_refused_naming_file_key_and_lines(tmp_path, text, words):
    """PyYAML (and Snakemake's loader) keeps the last of two equal keys and drops the first."""
    path = tmp_path / "twice.yaml"
    path.write_text(text)
    for check in (load_config, lambda p: check_config_files([ROOT / "config.yaml", p])):
        with pytest.raises(ConfigError) as info:
            check(path)
        message = str(info.value)
        print(message)
        assert str(path) in message and "written twice" in message
        for word in words:
            assert word in message
    check_config_files([ROOT / "config.yaml", ROOT / "workflow/config/paper.yaml"])  # no error


def test_snakemake_refuses_a_key_written_twice(tmp_path):
    """Snakemake merges the files it read; the duplicate is found by reading them again."""
    path = tmp_path / "twice.yaml"
    path.write_text("relu_trap:\n  steps: 10\nrelu_trap:\n  hidden: 4\n")
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", "--configfile", str(path), "-n"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = run.stdout + run.stderr
    assert run.returncode != 0
    assert f"config key 'relu_trap' is written twice in {path} (lines 1 and 3)" in out, out
    assert "Building DAG" not in out


def test_non_ascii_config_error_survives_an_ascii_locale(tmp_path):
    """Under LC_ALL=C without UTF-8 mode stderr is ASCII: the message itself must be ASCII."""
    path = tmp_path / "accent.yaml"
    path.write_text("device: gpü\ndévice: cpu\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).isascii()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "LANGUAGE")}
    # LC_ALL=C alone turns on Python's UTF-8 mode (PEP 540); PYTHONUTF8=0 keeps the C locale's
    # ASCII, as Pythons and shells that set it do.
    env.update(LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", "--configfile", str(path), "-n"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    out = (run.stdout + run.stderr).decode("utf-8", "replace")
    print(out[-3000:])
    assert run.returncode != 0
    assert "config key 'device' (Where tensors live): 'gp\\xfc' is not one of" in out
    assert "config key 'd\\xe9vice': unknown key; did you mean 'device'?" in out
    assert "UnicodeEncodeError" not in out and "Call stack" not in out


@pytest.mark.parametrize(
    "where",
    ["/home/a b/landscape/.venv", "/home/o'brien/landscape/.venv", '/x/"q"/.venv', "/a$b/.venv"],
)
def test_an_interpreter_path_the_shell_splits_is_refused_with_the_workaround(where):
    """Snakemake writes the interpreter unquoted into every script job's command (#2645)."""
    with pytest.raises(ConfigError) as info:
        check_interpreter_path(f"{where}/bin/python")
    message = str(info.value)
    assert f"'{where}/bin/python'" in message or repr(f"{where}/bin/python") in message
    assert "VENV=" in message and "snakemake/snakemake#2645" in message
    for fine in (
        "/work/main/.venv/bin/python3.11",
        "/opt/python-3.12+local/bin/python",
        "/é/bin/python",
    ):
        check_interpreter_path(fine)


def test_snakemake_refuses_an_interpreter_path_with_a_space(tmp_path):
    """The workflow checks the interpreter it runs under when it loads, before any job."""
    code = (
        "import sys; sys.executable = '/home/a b/landscape/.venv/bin/python'; "
        "from snakemake.cli import main; sys.argv = ['snakemake', '--cores', '1', '-n']; main()"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    out = run.stdout + run.stderr
    assert run.returncode != 0
    assert "'/home/a b/landscape/.venv/bin/python'" in out and "VENV=" in out, out
    assert "Building DAG" not in out


# Values valid alone, impossible together (issue 29, item 9): each used to pass validation and
# fail deep inside a job, in scikit-learn, Cholesky or the sampler, naming no key.
CONTEXT = [
    # (change to the default config, words the message must contain)
    (
        {"data": {"digits": {"test_fraction": 0.995}}},
        ["config key 'data.digits.test_fraction'", "leaves 8 training and 1789 test images"],
    ),
    (
        {"data": {"digits": {"test_fraction": 0.001}}},
        ["config key 'data.digits.test_fraction'", "1795 training and 2 test images"],
    ),
    (
        {"data": {"mnist1d": {"num_samples": 29, "train_split": 0.04}}},
        ["config key 'data.mnist1d.train_split'", "'data.mnist1d.num_samples'", "0 for training"],
    ),
    (
        {"training_plateaus": {"optimizer": "sgd", "batch_size": 1438}},
        ["config key 'training_plateaus.batch_size'", "1437 training samples", "'digits'"],
    ),
    (
        {
            "training_plateaus": {"dataset": "teacher_student", "batch_size": 65},
            "data": {"teacher_student": {"n_train": 64}},
        },
        ["config key 'training_plateaus.batch_size'", "64", "'data.teacher_student.n_train'"],
    ),
    (
        {"index_vs_loss": {"n_samples": 1438}},
        ["config key 'index_vs_loss.n_samples'", "'digits' (index_vs_loss.datasets)", "1437"],
    ),
    (
        {
            "index_vs_loss": {"datasets": ["digits"]},
            "index_vs_loss_scale": {"dataset": "mnist1d"},
            "data": {"mnist1d": {"num_samples": 100}},
        },
        ["config key 'index_vs_loss.n_samples'", "'mnist1d' (index_vs_loss_scale.dataset)", "80"],
    ),
    (
        {"linear_ae": {"n_samples": 16}},
        ["config key 'linear_ae.n_samples'", "'linear_ae.input_dim' (16)", "got 16"],
    ),
    (
        {"deep_linear_saddles": {"n_samples": 4}},
        ["config key 'deep_linear_saddles.n_samples'", "'deep_linear_saddles.singular_values'"],
    ),
    (
        {
            "relu_spurious": {
                "published": [
                    {"k": 6, "n": 6, "rate": 0.1, "runs": 100},
                    {"k": 6, "n": 6, "rate": 0.2, "runs": 100},
                ]
            }
        },
        ["config key 'relu_spurious.published'", "(6, 6)", "more than once"],
    ),
]


@pytest.mark.parametrize(("change", "words"), CONTEXT, ids=[str(c) for c, _ in CONTEXT])
def test_values_impossible_in_context_are_refused_naming_the_keys(change, words):
    with pytest.raises(ConfigError) as info:
        validate_config(copy.deepcopy(change))
    print(info.value)
    for word in words:
        assert word in str(info.value)


def test_context_bounds_are_exact():
    """Just inside every bound passes; the scale dataset counts only when a size runs."""
    # Dauphin's settings draw one sample here, so that only the bound under test binds.
    one = {"settings": [_SETTING | {"n_samples": 1}], "sgd": {"batch_size": 1}}
    validate_config({"data": {"digits": {"test_fraction": 10 / 1797}}})
    validate_config(
        {
            "data": {"digits": {"test_fraction": 1787 / 1797}},
            "index_vs_loss": {"n_samples": 10},
            "dauphin": one,
        }
    )
    validate_config({"data": {"digits": {"test_fraction": 0}}})
    validate_config(
        {
            "data": {"mnist1d": {"num_samples": 29, "train_split": 0.05}},
            "index_vs_loss": {"datasets": ["digits"]},
            "dauphin": one,
        }
    )
    validate_config({"training_plateaus": {"optimizer": "sgd", "batch_size": 1437}})
    validate_config({"index_vs_loss": {"n_samples": 1437}})
    validate_config({"linear_ae": {"n_samples": 17}, "deep_linear_saddles": {"n_samples": 5}})
    sizes = validate_config({})["index_vs_loss_scale"]["sizes"]
    for size in sizes:
        size["run"] = False
    validate_config(
        {
            "index_vs_loss": {"datasets": ["digits"]},
            "index_vs_loss_scale": {"dataset": "mnist1d", "sizes": sizes},
            "data": {"mnist1d": {"num_samples": 100}},
            "dauphin": one,
        }
    )


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("digits", {"test_fraction": 10 / 1797}),
        ("digits", {"test_fraction": 0.2}),
        ("digits", {"test_fraction": 1787 / 1797}),
        ("digits", {"test_fraction": 0.0}),
        ("mnist1d", {"num_samples": 29, "train_split": 0.05}),
        ("mnist1d", {"num_samples": 137, "train_split": 0.33}),
        ("teacher_student", {"n_train": 7, "n_test": 3}),
    ],
)
def test_predicted_split_sizes_are_the_datasets(name, options):
    """The sizes the checks use (landscape.engine.data.split_sizes) are those the makers give."""
    ds = make_dataset(name, **options)
    assert split_sizes(name, options) == (len(ds.x_train), len(ds.x_test))
    if name == "digits" and options["test_fraction"]:
        assert set(ds.y_train.tolist()) == set(range(10)) == set(ds.y_test.tolist())


@pytest.mark.parametrize("fraction", [9 / 1797, 1788 / 1797, 0.995])
def test_scikit_learn_refuses_what_the_check_refuses(fraction):
    """Just beyond the bounds the digits maker fails in scikit-learn, as the check foretells."""
    with pytest.raises(ValueError, match="number of classes"):
        make_dataset("digits", test_fraction=fraction)
    with pytest.raises(ConfigError, match="data.digits.test_fraction"):
        validate_config({"data": {"digits": {"test_fraction": fraction}}})
