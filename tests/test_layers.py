"""The library's layers: imports run one way, from the pipeline down to the base.

``landscape.base`` <- ``landscape.engine`` <- ``landscape.experiments`` <- ``landscape.pipeline``:
a module may import its own layer and those below it, never one above (the engine knows no
section; no experiment knows the registry, the verdicts or the report).
"""

import ast
from pathlib import Path

from conftest import ROOT

LAYERS = ("base", "engine", "experiments", "pipeline")  # bottom to top
MODULE_LIMIT = 600  # lines; a longer module says why in a "# Over 600 lines:" comment


def layer_of(module: str) -> str | None:
    """The layer of a dotted ``landscape`` module name, None for the package itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "landscape" else None


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every ``landscape`` import in ``path``, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("landscape")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("landscape"):
            if node.module == "landscape":  # from landscape import engine
                found += [(node.lineno, f"landscape.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def upward_imports(package: Path) -> list[str]:
    """``file:line imports module`` for each import of a layer above the importing module's."""
    bad = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        own = parts[1] if len(parts) > 2 else None
        if own is None:
            continue
        for line, module in imported(path):
            target = layer_of(module)
            if target is None or target not in LAYERS:
                bad.append(f"{path.name}:{line} imports {module} (no layer)")
            elif LAYERS.index(target) > LAYERS.index(own):
                bad.append(f"{'/'.join(parts)}.py:{line} ({own}) imports {module} ({target})")
    return bad


def test_every_module_is_in_a_layer():
    flat = [p.name for p in (ROOT / "landscape").glob("*.py") if p.name != "__init__.py"]
    assert not flat, f"modules outside the layers: {flat}"
    assert sorted(
        p.name
        for p in (ROOT / "landscape").iterdir()
        if p.is_dir() and (p / "__init__.py").exists()
    ) == sorted(LAYERS)


def test_imports_run_one_way():
    bad = upward_imports(ROOT / "landscape")
    assert not bad, f"imports against the layers: {bad}"


def test_the_check_finds_an_upward_import(tmp_path):
    """The check itself: an engine module importing an experiment is found, the reverse not."""
    for layer in LAYERS:
        (tmp_path / "landscape" / layer).mkdir(parents=True)
    (tmp_path / "landscape" / "engine" / "low.py").write_text(
        "from landscape.experiments import high\n"
    )
    (tmp_path / "landscape" / "experiments" / "high.py").write_text(
        "def f():\n    from landscape.engine.low import g\n"
    )
    assert upward_imports(tmp_path / "landscape") == [
        "landscape/engine/low.py:1 (engine) imports landscape.experiments (experiments)"
    ]


def test_no_module_is_over_600_lines_without_a_reason():
    """A module over 600 lines carries a "# Over 600 lines: <reason>" comment."""
    long = []
    for path in sorted((ROOT / "landscape").rglob("*.py")):
        text = path.read_text()
        if len(text.splitlines()) > MODULE_LIMIT and "\n# Over 600 lines: " not in text:
            long.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")
    assert not long, f"split these modules, or say why they are long: {long}"
