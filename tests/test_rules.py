"""The rules and their scripts agree: a script reads only what its rule declares."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULE_FILES = sorted((ROOT / "workflow" / "rules").glob("*.smk")) + [ROOT / "Snakefile"]


def _rules() -> dict[str, tuple[str, set[str]]]:
    """Each rule that runs a script: its script's path and the names of its params."""
    found = {}
    for path in RULE_FILES:
        for block in re.split(r"^(?=rule \w+:)", path.read_text(), flags=re.M)[1:]:
            name = re.match(r"rule (\w+):", block).group(1)
            script = re.search(r"^    script:\n\s+\"([^\"]+)\"", block, flags=re.M)
            if script is None:
                continue
            params = re.search(r"^    params:\n((?:        .*\n|\n)+)", block, flags=re.M)
            names = (
                set(re.findall(r"^        (\w+)=", params.group(1), flags=re.M))
                if params
                else set()
            )
            found[name] = ((path.parent / script.group(1)).resolve(), names)
    return found


RULES = _rules()


def test_rules_were_found():
    assert len(RULES) > 30, sorted(RULES)
    assert all(script.exists() for script, _ in RULES.values())


@pytest.mark.parametrize("rule", sorted(RULES))
def test_script_reads_only_its_rules_params(rule):
    """A script that reads the config directly is not rerun when that setting changes."""
    script, params = RULES[rule]
    source = script.read_text()
    assert "snakemake.config" not in source, (
        f"{script.name} reads snakemake.config: declare the setting in rule {rule}'s params and "
        "read snakemake.params instead, so that changing it reruns the rule"
    )
    read = set(re.findall(r"snakemake\.params\.(\w+)", source))
    assert read <= params, (
        f"{script.name} reads params {sorted(read - params)} that rule {rule} lacks"
    )


def test_no_two_scripts_are_copies():
    """A script shared by several rules is one file (scripts/join_tables.py), not copies."""
    import ast

    bodies = {}
    for path in sorted((ROOT / "scripts").glob("*.py")):
        tree = ast.parse(path.read_text())
        if ast.get_docstring(tree):
            tree.body = tree.body[1:]
        bodies.setdefault(ast.dump(tree), []).append(path.name)
    copies = [names for names in bodies.values() if len(names) > 1]
    assert not copies, f"identical scripts (use one for every rule): {copies}"


def test_figure_rules_take_their_outputs_from_the_registry():
    """No figure's path, caption or category is retyped in a rule: figure_outputs derives them."""
    from landscape.pipeline import sections

    text = "\n".join(path.read_text() for path in RULE_FILES)
    assert "figure_file(" not in text
    for stem in sections.FIGURE_CLAIMS:
        files, caption, category = sections.figure_report(stem)
        assert f'"{stem}"' in text, f"no rule draws figure {stem} with figure_outputs"
        assert (ROOT / caption).exists(), caption
        assert files["png"] == f"results/figures/{stem}.png"
        assert category == sections.CATEGORIES[sections.figure_entry(stem)[0].section]


def _config_reads(source: str) -> list[str]:
    """Subscripts of a config section (``snakemake.params.X``, or a name bound to one)."""
    import ast

    def is_param(node) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "params"
        )

    tree = ast.parse(source)
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            pairs = [(node.targets[0], node.value)]
            if isinstance(node.targets[0], ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs = list(zip(node.targets[0].elts, node.value.elts, strict=False))
            for target, value in pairs:
                if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "dict":
                    value = value.args[0]  # dict(snakemake.params.X)
                if isinstance(target, ast.Name) and is_param(value):
                    bound.add(target.id)
    return [
        f"line {node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and (is_param(node.value) or (isinstance(node.value, ast.Name) and node.value.id in bound))
    ]


@pytest.mark.parametrize("rule", sorted(RULES))
def test_scripts_build_typed_options_and_never_index_the_config(rule):
    """A script reads a config section through its options class, never as ``cfg["key"]``.

    Each section becomes its typed options once (``from_config``); a key read raw escapes the
    options' defaults and documentation.
    """
    script, _ = RULES[rule]
    reads = _config_reads(script.read_text())
    assert not reads, f"{script.name} indexes a config section at {reads}: use its options class"
