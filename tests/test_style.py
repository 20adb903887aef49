"""House style that a linter does not check.

No long function in the library without a reason, at most three such reasons, and ``# fmt: skip``
only on a table of literals.
"""

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
    for path in sorted((ROOT / "landscape").rglob("*.py")):
        lines = path.read_text().splitlines()
        for name, first in long_definitions(path):
            above = lines[max(0, first - 4) : first - 1]
            if not any(line.startswith(REASON) for line in above):
                missing.append(f"{path.name}:{first} {name}")
    assert not missing, f"long functions without a reason: {missing}"


def test_at_most_three_long_functions():
    """Long functions are split, not waived: at most three reasons remain (issue 30)."""
    reasons = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "landscape").rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if line.startswith(REASON)
    ]
    assert len(reasons) <= 3, reasons


def skipped_statements(source: str) -> list[tuple[int, bool]]:
    """(line, is a literal) of each statement that a ``# fmt: skip`` comment ends."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt) and lines[node.end_lineno - 1].rstrip().endswith(
            "# fmt: skip"
        ):
            value = getattr(node, "value", None)
            try:
                ast.literal_eval(value) if value is not None else None
                literal = value is not None
            except ValueError:
                literal = False
            found.append((node.lineno, literal))
    return found


def test_fmt_skip_only_on_tables_of_literals():
    """``# fmt: skip`` keeps a hand-aligned table of literals; any other code is formatted."""
    bad = [
        f"{path.relative_to(ROOT)}:{line}"
        for folder in ("landscape", "scripts", "tests", "bench", "tools")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, literal in skipped_statements(path.read_text())
        if not literal
    ]
    assert not bad, f"# fmt: skip on code that is not a table of literals: {bad}"


def test_the_fmt_skip_check_tells_a_table_from_code():
    assert skipped_statements("T = [(1, 2), (3, 4)]  # fmt: skip\n") == [(1, True)]
    assert skipped_statements("x = f(1,  2)  # fmt: skip\n") == [(1, False)]
    assert skipped_statements("x = f(1,  2)\n") == []


def test_the_check_finds_a_long_function(tmp_path):
    """The check itself: a 70-line function is found, a 10-line one is not."""
    body = "\n".join(f"    x{i} = {i}" for i in range(70))
    (tmp_path / "m.py").write_text(f"def long():\n{body}\n\n\ndef short():\n    return 1\n")
    assert long_definitions(tmp_path / "m.py") == [("long", 1)]


def vocabulary_literals(path: Path, words: set[str], statuses: set[str]) -> list[str]:
    """``file:line word`` for each literal in ``path`` that retypes a table vocabulary's word.

    A definiteness word in any string constant, or a status word as the value of a class
    attribute (an enum member of its own).
    """
    tree = ast.parse(path.read_text())
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in words
    ]
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        found += [
            n.value
            for n in cls.body
            if isinstance(n, ast.Assign)
            and isinstance(n.value, ast.Constant)
            and n.value.value in statuses
        ]
    return [f"{path.name}:{node.lineno} {node.value!r}" for node in found]


def test_table_vocabularies_are_spelled_once():
    """Definiteness and statuses are enum members spelled once, in landscape.base.vocabulary.

    A word retyped elsewhere can drift from the one the code writes (a typo compares unequal and
    silently counts nothing), and two enums each with their own ``diverged`` can drift apart.
    """
    from landscape.base.vocabulary import Definiteness, Status

    words = {m.value for m in Definiteness} - {"zero", "unknown"}
    statuses = {m.value for m in Status}
    paths = [*sorted((ROOT / "landscape").rglob("*.py")), *sorted((ROOT / "scripts").glob("*.py"))]
    found = [
        hit
        for path in paths
        if path.name != "vocabulary.py"
        for hit in vocabulary_literals(path, words, statuses)
    ]
    assert not found, f"spell these with landscape.base.vocabulary's enums: {found}"
