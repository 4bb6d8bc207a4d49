"""The runtime engine never imports its quality tooling (evaluation, training, bench, labelled data)."""

import ast
from pathlib import Path

SIGNALS = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_runtime_modules_do_not_import_quality():
    runtime = [
        path
        for path in SIGNALS.rglob("*.py")
        if not {"quality", "tests"} & set(path.relative_to(SIGNALS).parts) and path.name != "cli.py"
    ]
    assert runtime
    offenders = {
        str(path.relative_to(SIGNALS)): sorted(name for name in _imports(path) if "signals.quality" in name)
        for path in runtime
    }
    assert {path: names for path, names in offenders.items() if names} == {}
