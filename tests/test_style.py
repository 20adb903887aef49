"""House style that a linter does not check: no long function in the library without a reason."""

import ast
from pathlib import Path

from conftest import ROOT

LIMIT = 60  # lines of code, the docstring not counted
REASON = "# Over 60 lines:"


def code_lines(node: ast.FunctionDef) -> int:
    """Lines of a function, its docstring not counted."""
    length = node.end_lineno - node.lineno + 1
    if ast.get_docstring(node):
        length -= node.body[0].end_lineno - node.body[0].lineno + 1
    return length


def long_definitions(path: Path) -> list[tuple[str, int]]:
    """(name, first line) of each module-level function that is, or encloses, a long function."""
    found = []
    for node in ast.parse(path.read_text()).body:
        defs = [node] if isinstance(node, ast.FunctionDef) else []
        if isinstance(node, ast.ClassDef):
            defs = [n for n in node.body if isinstance(n, ast.FunctionDef)]
        for top in defs:
            inner = [n for n in ast.walk(top) if isinstance(n, ast.FunctionDef)]
            if any(code_lines(n) > LIMIT for n in inner):
                found.append((top.name, top.lineno))
    return found


def test_long_library_functions_say_why():
    """A function over 60 lines needs a "# Over 60 lines: <reason>" comment just above it.

    A long function nested in another is covered by its enclosing function's reason.
    """
    missing = []
    for path in sorted((ROOT / "landscape").glob("*.py")):
        lines = path.read_text().splitlines()
        for name, first in long_definitions(path):
            above = lines[max(0, first - 4) : first - 1]
            if not any(line.startswith(REASON) for line in above):
                missing.append(f"{path.name}:{first} {name}")
    assert not missing, f"long functions without a reason: {missing}"


def test_the_check_finds_a_long_function(tmp_path):
    """The check itself: a 70-line function is found, a 10-line one is not."""
    body = "\n".join(f"    x{i} = {i}" for i in range(70))
    (tmp_path / "m.py").write_text(f"def long():\n{body}\n\n\ndef short():\n    return 1\n")
    assert long_definitions(tmp_path / "m.py") == [("long", 1)]
