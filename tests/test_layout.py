"""The test tree's own rules: test modules share helpers through helper modules only."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def imported_test_modules(path: Path) -> list[str]:
    """The `test_*` modules a file imports from (`from tests.x.test_y import ...`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [name for name in names if name.split(".")[-1].startswith("test_")]
    return found


def test_no_test_module_imports_from_another() -> None:
    offenders = {
        str(path.relative_to(TESTS)): modules
        for path in sorted(TESTS.rglob("*.py"))
        if (modules := imported_test_modules(path))
    }
    assert offenders == {}, (
        "move shared helpers to tests/talk.py (Telegram side) or a helper module "
        f"beside the tests: {offenders}"
    )


def test_the_rule_sees_both_import_forms(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text("from tests.handlers.test_pledges import member\nimport tests.test_x\n")
    assert imported_test_modules(sample) == ["tests.handlers.test_pledges", "tests.test_x"]
