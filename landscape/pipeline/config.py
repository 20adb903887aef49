"""Load and validate the pipeline configuration against its JSON schema.

The schema (``workflow/schemas/config.schema.yaml``) is the single source of truth for the keys,
their types, descriptions and defaults. :func:`validate_config` fills in defaults in place and
raises :class:`ConfigError` listing every problem, each naming the dotted key
(``data.mnist1d.seed``) and what is wrong with it, so that a typo stops the run before any job
starts.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"

# Keys whose value must name a classification dataset when the loss is cross-entropy.
CLASSIFICATION_DATASETS = ("digits", "mnist1d")


class ConfigError(ValueError):
    r"""The configuration is invalid; the message names every offending key.

    The message is ASCII: any other character (of a value, a key, a file name) is written as
    its Python escape, ``'gp\xfc'`` for ``'gpü'``. Under an ASCII locale (``LC_ALL=C`` without
    Python's UTF-8 mode) Snakemake's logger cannot encode it otherwise, and prints a logging
    traceback in place of the message.
    """

    def __init__(self, message: str) -> None:
        """The error, its message made ASCII."""
        super().__init__(message.encode("ascii", "backslashreplace").decode("ascii"))


# A number as YAML 1.2 and Python write it; YAML 1.1 (PyYAML, hence Snakemake) reads `1e-10` and
# `1E-9` (no dot) as strings, and Snakemake passes nested `--config` values as strings.
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NULL = ("null", "~", "None", "")
_BOOLEAN = {"true": True, "false": False}


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _coerced(value: str, types: list[str]) -> Any:
    """``value`` as the first schema type that reads it exactly, else ``value`` unchanged."""
    text = value.strip()
    if "integer" in types and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in types and _NUMBER.fullmatch(text):
        return float(text) if not _INTEGER.fullmatch(text) else int(text)
    if "boolean" in types and text.lower() in _BOOLEAN:
        return _BOOLEAN[text.lower()]
    if "null" in types and text in _NULL:
        return None
    return value


def coerce_strings(config: Any, schema: dict[str, Any]) -> Any:
    """Read strings as the numbers, booleans or nulls that the schema expects there.

    YAML 1.1 (PyYAML, which Snakemake uses) reads ``1e-10`` and ``1E-9`` as strings, since its
    float pattern needs a dot; Snakemake's ``--config 'key={a: 4}'`` passes nested values as
    strings. A string is converted only where the schema's type at that key is not ``string`` and
    the text is exactly such a value, so ``'1e-10'`` becomes ``1e-10`` for a number key but a
    misspelt ``'1e-1O'`` is still refused by the validator, naming the key.

    Args:
        config: A configuration (or part of one), changed in place where it is a dict or list.
        schema: The schema node that describes ``config``.

    Returns:
        The converted value (the same object for dicts and lists).
    """
    if isinstance(config, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, value in config.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None:
                config[key] = coerce_strings(value, sub)
        return config
    if isinstance(config, list):
        items = schema.get("items")
        if isinstance(items, dict):
            config[:] = [coerce_strings(v, items) for v in config]
        return config
    types = _types(schema)
    if isinstance(config, str) and types and "string" not in types:
        return _coerced(config, types)
    return config


def load_schema(path: str | Path = SCHEMA_PATH) -> dict[str, Any]:
    """Read the configuration schema.

    Args:
        path: The YAML schema file.

    Returns:
        The schema as a dictionary.
    """
    with open(path) as fh:
        return yaml.safe_load(fh)


def _with_defaults(validator_class: type) -> type:
    """Extend a jsonschema validator class so that validation also fills in defaults."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):  # noqa: D417
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub and name not in instance:
                    # Copy so that mutable defaults ({} or lists) are never shared.
                    instance[name] = yaml.safe_load(yaml.safe_dump(sub["default"]))
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def _key(path: Any) -> str:
    return ".".join(str(p) for p in path) or "<top level>"


def _allowed(schema: dict[str, Any], path: Any) -> list[str]:
    """The keys the schema allows in the object at ``path``."""
    node = schema
    for part in path:
        node = node.get("properties", {}).get(part, {})
    return list(node.get("properties", {}))


def _describe(error: jsonschema.ValidationError, schema: dict[str, Any]) -> Iterator[str]:
    """Turn one jsonschema error into messages that each name a dotted key."""
    if error.validator == "additionalProperties":
        allowed = _allowed(schema, error.absolute_path)
        for extra in sorted(set(error.instance) - set(allowed)):
            key = _key([*error.absolute_path, extra])
            close = difflib.get_close_matches(extra, allowed, n=1)
            hint = f"; did you mean '{_key([*error.absolute_path, close[0]])}'?" if close else ""
            yield f"config key '{key}': unknown key{hint} (allowed here: {', '.join(allowed)})"
        return
    description = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
    what = f" ({description.split('.')[0].strip()})" if description else ""
    fix = ""
    if error.validator == "type" and isinstance(error.instance, str):
        fix = (
            "; a string is read as a number only when it is written as one (4, 0.5, 1e-10): "
            "fix the value, or set it in a --configfile (nested --config values reach the "
            "workflow as strings)"
        )
    yield f"config key '{_key(error.absolute_path)}'{what}: {error.message}{fix}"


def _non_finite(config: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, message) for every NaN or infinite number in ``config``, at any depth.

    YAML reads ``.nan``, ``.inf`` and ``-.inf`` as floats (JSON's NaN and Infinity too), and
    they pass the schema's bounds: every comparison with NaN is false, and ``.inf`` passes every
    ``minimum``. No key of the schema means anything by them.
    """
    if isinstance(config, dict):
        for key, value in config.items():
            yield from _non_finite(value, (*path, key))
    elif isinstance(config, list):
        for index, value in enumerate(config):
            yield from _non_finite(value, (*path, index))
    elif isinstance(config, float) and not math.isfinite(config):
        yield path, f"config key '{_key(path)}': must be a finite number, got {config}"


def _section_checks(config: dict[str, Any]) -> Iterator[str]:
    """Keys of one section that must agree with each other."""
    slice_cfg = config["training_plateaus"]
    if slice_cfg["loss"] == "cross_entropy" and slice_cfg["dataset"] not in CLASSIFICATION_DATASETS:
        yield (
            "config key 'training_plateaus.loss': cross_entropy needs a classification dataset, "
            f"but 'training_plateaus.dataset' is '{slice_cfg['dataset']}'"
        )
    if slice_cfg["optimizer"] == "sgd" and slice_cfg["batch_size"] is None:
        yield "config key 'training_plateaus.batch_size': optimizer 'sgd' needs a batch size"
    values = config["deep_linear_saddles"]["singular_values"]
    if list(values) != sorted(set(values), reverse=True):
        yield (
            "config key 'deep_linear_saddles.singular_values': must be distinct and in "
            f"decreasing order, got {list(values)}"
        )
    if slice_cfg["plateau_window"] % slice_cfg["record_every"]:
        yield (
            "config key 'training_plateaus.plateau_window': must be a multiple of "
            f"'training_plateaus.record_every' ({slice_cfg['record_every']}), "
            f"got {slice_cfg['plateau_window']}"
        )
    census = config["relu_spurious"]
    if census["early_stop_loss"] >= census["spurious_loss"]:
        yield (
            "config key 'relu_spurious.early_stop_loss': must be below "
            f"'relu_spurious.spurious_loss' ({census['spurious_loss']}), "
            f"got {census['early_stop_loss']}"
        )
    names = [size["name"] for size in config["index_vs_loss_scale"]["sizes"]]
    if len(set(names)) < len(names):
        yield f"config key 'index_vs_loss_scale.sizes': names must be distinct, got {names}"
    from landscape.engine.data import POOL_SIDES

    pool = config["index_vs_loss"]["pool"]
    if any(side % pool for side in POOL_SIDES.values()):
        sides = " and ".join(map(str, POOL_SIDES.values()))
        yield f"config key 'index_vs_loss.pool': must divide {sides}, got {pool}"


def _data_checks(config: dict[str, Any]) -> Iterator[str]:
    """Every dataset can be built: the splits its maker is asked for exist.

    The dataset rule builds all three datasets whichever sections use them.
    """
    from landscape.engine.data import CLASSES, DIGITS_IMAGES, split_sizes

    digits = config["data"]["digits"]
    train, test = split_sizes("digits", digits)
    if digits["test_fraction"] > 0 and min(train, test) < CLASSES:
        low = math.ceil(1e4 * CLASSES / DIGITS_IMAGES) / 1e4
        high = math.floor(1e4 * (DIGITS_IMAGES - CLASSES) / DIGITS_IMAGES) / 1e4
        yield (
            f"config key 'data.digits.test_fraction': leaves {train} training and {test} test "
            f"images of {DIGITS_IMAGES}, but the stratified split needs at least {CLASSES} (one "
            f"per class) in each; use 0 (no test set) or a value from {low} to {high}, "
            f"got {digits['test_fraction']}"
        )
    mnist = config["data"]["mnist1d"]
    train, test = split_sizes("mnist1d", mnist)
    if train < 1:
        yield (
            "config key 'data.mnist1d.train_split': with 'data.mnist1d.num_samples' "
            f"({mnist['num_samples']}: {train + test} sequences, 10 per class) it leaves 0 for "
            f"training; raise either, got {mnist['train_split']}"
        )


def _training_samples(config: dict[str, Any]) -> dict[str, tuple[int, str]]:
    """Each dataset's training samples, and the keys that set their number."""
    from landscape.engine.data import split_sizes

    keys = {
        "digits": "data.digits.test_fraction",
        "mnist1d": "data.mnist1d.num_samples' and 'data.mnist1d.train_split",
        "teacher_student": "data.teacher_student.n_train",
    }
    return {name: (split_sizes(name, config["data"][name])[0], key) for name, key in keys.items()}


def _sample_checks(config: dict[str, Any]) -> Iterator[str]:
    """Sections that draw samples ask for no more than their data holds."""
    samples = _training_samples(config)
    plateaus = config["training_plateaus"]
    n, source = samples[plateaus["dataset"]]
    if plateaus["batch_size"] is not None and plateaus["batch_size"] > n:
        yield (
            "config key 'training_plateaus.batch_size': must be at most the "
            f"{n} training samples of 'training_plateaus.dataset' ('{plateaus['dataset']}', set "
            f"by '{source}'), got {plateaus['batch_size']}"
        )
    drawn = dict.fromkeys(config["index_vs_loss"]["datasets"], "index_vs_loss.datasets")
    scale = config["index_vs_loss_scale"]
    if any(size["run"] for size in scale["sizes"]):
        drawn.setdefault(scale["dataset"], "index_vs_loss_scale.dataset")
    wanted = config["index_vs_loss"]["n_samples"]
    for name, key in drawn.items():
        n, source = samples[name]
        if wanted > n:
            yield (
                "config key 'index_vs_loss.n_samples': must be at most the training samples of "
                f"every dataset it draws from, but '{name}' ({key}) has {n} (set by "
                f"'{source}'), got {wanted}"
            )
    # gaussian_with_covariance: d centred dimensions need d + 1 samples for a full-rank
    # covariance; with d or fewer the Cholesky factor fails or is round-off.
    linear = config["linear_ae"]
    if linear["n_samples"] <= linear["input_dim"]:
        yield (
            "config key 'linear_ae.n_samples': must exceed 'linear_ae.input_dim' "
            f"({linear['input_dim']}): centred samples need d + 1 of them to have covariance "
            f"diag(1..d) exactly, got {linear['n_samples']}"
        )
    saddles = config["deep_linear_saddles"]
    d = len(saddles["singular_values"])
    if saddles["n_samples"] <= d:
        yield (
            "config key 'deep_linear_saddles.n_samples': must exceed the number of "
            f"'deep_linear_saddles.singular_values' (d = {d}): centred inputs need d + 1 samples "
            f"to be whitened exactly, got {saddles['n_samples']}"
        )


def _cross_checks(config: dict[str, Any]) -> Iterator[str]:
    """Checks that involve several keys at once, run after the schema has passed.

    Each catches values valid alone that a job could not run with, which would otherwise fail
    deep inside it (in scikit-learn, a Cholesky factor, the minibatch sampler) naming no key.
    """
    yield from _section_checks(config)
    yield from _data_checks(config)
    yield from _sample_checks(config)
    yield from _published_runs_checks(config["index_fit"]["published"])
    yield from _dauphin_checks(config["dauphin"], _training_samples(config))

    published = [(e["k"], e["n"]) for e in config["relu_spurious"]["published"]]
    twice = sorted({case for case in published if published.count(case) > 1})
    if twice:
        yield (
            "config key 'relu_spurious.published': names (k, n) = "
            f"{', '.join(map(str, twice))} more than once"
        )


def _dauphin_checks(dauphin: dict[str, Any], samples: dict) -> Iterator[str]:
    """Dauphin's settings: distinct names, a pool that divides the input, data enough."""
    from landscape.engine.data import POOL_SIDES

    names = [s["name"] for s in dauphin["settings"]]
    if len(set(names)) < len(names):
        yield f"config key 'dauphin.settings': names must be distinct, got {names}"
    batch = dauphin["sgd"]["batch_size"]
    for s in dauphin["settings"]:
        key = f"config key 'dauphin.settings' (setting {s['name']})"
        side = POOL_SIDES[s["dataset"]]
        if side % s["pool"]:
            yield f"{key}: pool must divide {side} for {s['dataset']}, got {s['pool']}"
        n, source = samples[s["dataset"]]
        if s["n_samples"] > n:
            yield (
                f"{key}: n_samples must be at most the {n} training samples of "
                f"{s['dataset']} (set by '{source}'), got {s['n_samples']}"
            )
        if s["procedure"] == "cifar" and batch > s["n_samples"]:
            yield (
                f"config key 'dauphin.sgd.batch_size': must be at most the n_samples of "
                f"setting {s['name']} ({s['n_samples']}), got {batch}"
            )
    sgd = dauphin["sgd"]
    if sgd["min_epoch"] > sgd["max_epoch"]:
        yield (
            "config key 'dauphin.sgd.min_epoch': must be at most 'dauphin.sgd.max_epoch' "
            f"({sgd['max_epoch']}), got {sgd['min_epoch']}"
        )


def _published_runs_checks(published: dict[str, Any]) -> Iterator[str]:
    """Each phi of Pennington & Bahri's runs must give an integer m = 2 n / phi data points."""
    width = published["width"]
    for phi in published["phis"]:
        m = 2 * width / phi
        if abs(m - round(m)) > 1e-9:
            near = 2 * width / max(1, round(m))
            yield (
                f"config key 'index_fit.published.phis': phi = {phi} needs m = 2 n / phi = {m:g} "
                f"data points at n = 'index_fit.published.width' = {width}, not an integer; "
                f"the nearest phi with an integer m is {near!r}"
            )


def validate_config(
    config: dict[str, Any],
    schema: dict[str, Any] | None = None,
    sources: list[str] | None = None,
) -> dict[str, Any]:
    """Validate ``config`` in place, filling in every default.

    Strings where the schema expects a number, boolean or null are read as such first
    (:func:`coerce_strings`): ``1e-10`` in a YAML file and nested ``--config`` values. NaN and
    infinities (YAML's ``.nan``, ``.inf``) are refused for every key (:func:`_non_finite`).

    Args:
        config: The configuration as loaded from YAML (Snakemake's ``config``).
        schema: The schema; read from :data:`SCHEMA_PATH` when omitted.
        sources: The files the configuration was merged from, named in the error message.

    Returns:
        The same dictionary, completed with defaults.

    Raises:
        ConfigError: Listing every problem, each naming its dotted key.
    """
    if not isinstance(config, dict):
        raise ConfigError(
            f"config must be a mapping of keys to values, got {type(config).__name__}"
        )
    schema = load_schema() if schema is None else schema
    coerce_strings(config, schema)
    validator_class = _with_defaults(jsonschema.validators.validator_for(schema))
    validator = validator_class(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    non_finite = dict(_non_finite(config))
    problems = [
        msg
        for err in errors
        if tuple(err.absolute_path) not in non_finite  # named once, below
        for msg in _describe(err, schema)
    ]
    problems += non_finite.values()
    if not problems:
        problems = list(_cross_checks(config))
    if problems:
        origin = f" (from {' + '.join(map(str, sources))})" if sources else ""
        raise ConfigError(f"invalid configuration{origin}:\n  " + "\n  ".join(problems))
    return config


_MERGE_TAG = "tag:yaml.org,2002:merge"  # `<<: *anchor`, whose keys are meant to be overridden


def _written_twice(node: yaml.Node, path: tuple, file: str) -> Iterator[str]:
    """Messages for every key written twice in one mapping of the composed YAML ``node``."""
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _written_twice(item, (*path, index), file)
    if not isinstance(node, yaml.MappingNode):
        return
    first: dict[tuple[str, Any], yaml.Mark] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            continue
        name = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
        identity = (key_node.tag, name)  # 1 and "1" are different keys
        if identity in first:
            a, b = first[identity], key_node.start_mark
            if a.line == b.line:  # a flow mapping, {x: 1, x: 2}
                at = f"line {a.line + 1}, columns {a.column + 1} and {b.column + 1}"
            else:
                at = f"lines {a.line + 1} and {b.line + 1}"
            yield (
                f"config key '{_key([*path, name])}' is written twice in {file} ({at}): YAML "
                "keeps the last and silently drops the first; remove one"
            )
        else:
            first[identity] = key_node.start_mark
        yield from _written_twice(value_node, (*path, name), file)


def check_config_files(paths: list[str | Path]) -> None:
    """Refuse config files that write a key twice in one mapping, naming file, key and lines.

    PyYAML, hence Snakemake's ``configfile`` and ``--configfile``, keeps the last of two equal
    keys without a word, so ``numerics:`` written twice loses the first section whole. Snakemake
    hands over only the merged config, so the workflow reads ``workflow.configfiles`` again here.
    A file PyYAML cannot compose (JSON with tabs, say) is left to Snakemake's own reading.

    Args:
        paths: The config files, as Snakemake read them (UTF-8).

    Raises:
        ConfigError: Listing every key written twice, in every file.
    """
    problems = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as fh:
                root = yaml.compose(fh, Loader=yaml.SafeLoader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if root is not None:
            problems += _written_twice(root, (), str(path))
    if problems:
        raise ConfigError(
            f"invalid configuration (from {' + '.join(map(str, paths))}):\n  "
            + "\n  ".join(problems)
        )


# A word a POSIX shell reads as itself unquoted: shlex's safe characters, any letter or digit.
_SHELL_WORD = re.compile(r"[\w@%+=:,./-]+")


def check_interpreter_path(executable: str) -> None:
    """Refuse a Python interpreter whose path the shell would split or misread.

    Snakemake 9 runs every ``script:`` job as ``{py_exec} {fname:q}``, the interpreter
    unquoted (snakemake/script/__init__.py; snakemake/snakemake#2645, open), and spawns cluster
    jobs the same way. With ``.venv`` inside a checkout whose path holds a space, as ``make run``
    builds it, the first job fails with exit status 126 or 127; with a quote, 2. The checkout's
    own path may hold them (Snakemake quotes the script and the working directory): only the
    interpreter's matters, so the workaround is an environment elsewhere.

    Args:
        executable: The interpreter Snakemake runs jobs with (``sys.executable``).

    Raises:
        ConfigError: Naming the path, the cause and the workaround.
    """
    if _SHELL_WORD.fullmatch(executable):
        return
    raise ConfigError(
        f"the Python interpreter {executable!r} has a space or a shell character in its path: "
        "Snakemake writes it unquoted into the command of every job (snakemake/snakemake#2645), "
        "so the first job would fail (exit status 126 or 127, or 2 for a quote). Build the "
        "virtual environment at a plain path, e.g. `make run VENV=$HOME/landscape-venv` (or "
        "python -m venv there, then pip install -e . from this checkout), or move the "
        "checkout; see README, Quick start"
    )


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML config file and validate it.

    Args:
        path: The YAML file.

    Returns:
        The validated configuration with defaults filled in.

    Raises:
        ConfigError: If the file cannot be parsed, writes a key twice
            (:func:`check_config_files`), or the configuration is invalid.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            config = yaml.safe_load(fh) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read config ({exc})") from exc
    check_config_files([path])
    return validate_config(config, sources=[str(path)])
