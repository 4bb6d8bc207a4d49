"""The two rules of the layout (docs/architecture.md), checked on the source so a new module cannot skip them.

1. Imports run downward only, and no import circle exists (function-local imports count too).
2. One writer per table: database writes appear only in an app's ``actions.py``, and only on that app's
   own models. Listed exceptions say why.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the herodesk package

# Floors, lowest first. A domain module may import only its own app and lower floors.
FLOORS: dict[str, int] = {
    "herodesk.signals": 0,  # the engine: no Django, imports nothing of the desk
    "herodesk.env": 0,
    "herodesk.errors": 0,
    "herodesk.params": 0,
    "herodesk.memo": 0,  # per-process lists every page shows (agents, teams, reasons)
    "herodesk.datadir": 0,
    "herodesk.logredact": 0,
    "herodesk.clientip": 1,
    "herodesk.csp": 1,
    "herodesk.after_commit": 0,
    "herodesk.backup": 0,  # backup and restore of the data dir: no Django
    "herodesk.api_schema": 0,
    "herodesk.sqlite": 0,
    "herodesk.settings": 1,
    "herodesk.accounts": 2,
    "herodesk.customers": 3,
    "herodesk.conversations": 4,
    "herodesk.notifications": 5,  # wave 2: an agent's notifications (any app may notify)
    "herodesk.presence": 5,  # wave 2: who views or types in a conversation (never imports notifications)
    "herodesk.insights": 6,
    # wave 2 apps built on the signals: saved replies, SLAs, quality reviews (never import each other)
    "herodesk.macros": 7,
    "herodesk.slas": 7,
    "herodesk.quality": 7,
    "herodesk.channels.email": 8,
    "herodesk.channels.webform": 8,
    "herodesk.channels.phone": 8,
    "herodesk.administration": 9,  # settings pages only: writes through the owning apps' actions
    # The project's own floors: they wire the apps together.
    "herodesk.api": 10,
    "herodesk.demo": 10,
    "herodesk.bench": 11,
    "herodesk.urls": 11,
    "herodesk.cli": 12,
    "herodesk.wsgi": 12,
    "herodesk.asgi": 12,
    "herodesk.conftest": 12,
}
# Pages (what a person or an API client talks to) sit above every app's domain modules: a customer's page
# lists their conversations, the conversation screen shows insights. They never import another app's pages.
PAGE_MODULES = {"views", "api", "urls", "forms", "templatetags", "context_processors", "commands", "cli"}
PROJECT_FLOOR = 10  # from here up: the project's own modules, which wire the apps together
NOT_MODULES = {("__init__.py",), ("channels", "__init__.py")}  # empty package markers


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _source_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if (
            "tests" in parts
            or "migrations" in parts
            or parts in (("__init__.py",), ("channels", "__init__.py"))
        ):
            continue
        yield path


def _app_of(module: str) -> str:
    for app in sorted(FLOORS, key=len, reverse=True):
        if module == app or module.startswith(app + "."):
            return app
    raise AssertionError(f"{module} belongs to no floor: add its app to FLOORS in {__file__}")


def _is_page(module: str) -> bool:
    if FLOORS[_app_of(module)] >= PROJECT_FLOOR:
        return False
    rest = module[len(_app_of(module)) :].strip(".").split(".")
    return bool(rest and rest[0] in PAGE_MODULES)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The herodesk modules this file imports (``from pkg import module`` resolves to the module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("herodesk"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("herodesk"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in known else node.module)
    return {name for name in found if name in known}


def _graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in _source_files()}
    known = set(files)
    return {module: _imports(path, known) - {module} for module, path in files.items()}


def test_imports_run_downward_only():
    wrong = []
    for module, imported in _graph().items():
        app, page = _app_of(module), _is_page(module)
        for target in imported:
            target_app = _app_of(target)
            if target_app == app:
                if _is_page(target) and not page:
                    wrong.append(f"{module} -> {target}: a domain module imports a page")
                continue
            if _is_page(target) and FLOORS[app] < PROJECT_FLOOR:
                wrong.append(f"{module} -> {target}: a page of another app")
            elif FLOORS[target_app] >= FLOORS[app] and not (page and FLOORS[target_app] < PROJECT_FLOOR):
                wrong.append(f"{module} -> {target}: imports upward or sideways")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_circles():
    graph = _graph()
    circles = [sorted(component) for component in _strongly_connected(graph) if len(component) > 1]
    assert not circles, "\n".join(" <-> ".join(circle) for circle in circles)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def test_the_engine_imports_no_django():
    for path in (ROOT / "signals").rglob("*.py"):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(name.startswith("django") for name in names), f"{path} imports Django"


# --- One writer per table ------------------------------------------------------------------------

QUERYSET_WRITES = {
    "update",
    "delete",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
# Files outside an actions.py that may write, and why. Seeding writes rows in bulk for speed.
WRITERS_ALLOWED = {
    "herodesk/demo": "seeds the demo desk",
    "herodesk/bench": "seeds benchmark desks and their test servers",
    "herodesk/conversations/search.py": "the search index is derived from conversations and rebuilt by it",
    "herodesk/accounts/sessions.py": "the session engine: session rows, stored by a hash of the key",
}
# Calls named like writes that touch no table.
NOT_TABLE_WRITES = {
    ("herodesk/insights/reasons.py", "save"): "writes the trained reason model to its file",
    ("herodesk/channels/email/views.py", "save"): "form.save(commit=False) only builds the row",
}


def _writes(path: Path) -> Iterator[tuple[int, str, str | None]]:
    """(line, method, model class it is called on, if it is one) of each write-like call."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        receiver = ast.unparse(node.func.value)
        if receiver == "router":
            continue  # @router.delete(...): an API route, not a write
        if method in ("save", "delete") and not receiver.endswith(")"):
            yield node.lineno, method, None
        elif method in QUERYSET_WRITES and (".objects" in receiver or ".filter(" in receiver):
            root = receiver.split(".", 1)[0]
            yield node.lineno, method, root if root[:1].isupper() else None


def _model_apps(path: Path) -> dict[str, str]:
    """Model class name -> the app whose models module it was imported from."""
    owners = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models"):
            for alias in node.names:
                owners[alias.asname or alias.name] = node.module.removesuffix(".models")
    return owners


def test_rows_are_written_only_by_their_apps_actions():
    wrong = []
    for path in _source_files():
        relative = path.relative_to(ROOT.parent).as_posix()
        if path.parts[-2:] == ("signals", path.name) or "/signals/" in relative:
            continue  # the engine has no database
        if any(relative.startswith(prefix) for prefix in WRITERS_ALLOWED):
            continue
        module = _module_name(path)
        owners = _model_apps(path)
        for line, method, model in _writes(path):
            if (relative, method) in NOT_TABLE_WRITES:
                continue
            if path.name != "actions.py":
                wrong.append(f"{relative}:{line}: .{method}() outside actions.py")
            elif model and model in owners and owners[model] != _app_of(module):
                wrong.append(f"{relative}:{line}: writes {model} of {owners[model]}")
    assert not wrong, "\n".join(wrong)


def test_the_allowed_writers_still_exist():
    """An exception that no longer matches anything is removed from the list, not left to excuse later."""
    for prefix in WRITERS_ALLOWED:
        assert (ROOT.parent / prefix).exists() or (ROOT.parent / f"{prefix}.py").exists(), prefix
    for relative, _ in NOT_TABLE_WRITES:
        assert (ROOT.parent / relative).exists(), relative
