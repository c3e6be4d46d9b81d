"""Apps depend downward only (docs/architecture.md).

Every module of the project's apps is read, and every import in it, at the top of the file or
inside a function, is checked against the layers below: an app may import from its own layer and
from the layers under it, never from a layer above. Within a layer the apps' imports may not form
a cycle. Exempt are imports under `if TYPE_CHECKING:` (annotations only), the apps' `apps.py`
(where an app registers its tabs, figures and rules with the registries of the apps below it) and
the tests, which build their fixtures from any app (a plan, to test the project list's plan
filter).
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LAYERS: list[set[str]] = [
    {"lib"},
    {"audit"},
    {"org", "catalog"},
    {"notifications"},
    {"projects"},
    {"plans"},
    {"progress", "exchange"},
    {"figures"},
    {
        "alerts",
        "problems",
        "supervision",
        "milestones",
        "elements",
        "pipeline",
        "starts",
        "portfolios",
        "approvals",
        "forecast",
        "disclosure",
        "quality",
        "evaluation",
        "service",
        "kiosk",
        "reviews",
        "financing",
    },
    {"assessment", "bulletins"},
    {"demo", "backups"},
    {"keyprojects", "tests"},
]
LEVEL = {app: level for level, layer in enumerate(LAYERS) for app in layer}
SKIPPED_DIRS = {"migrations", "templates", "__pycache__"}


def modules() -> list[Path]:
    found = []
    for app in LEVEL:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = set(path.relative_to(ROOT).parts)
            if parts & SKIPPED_DIRS or "tests" in parts or path.name in ("apps.py", "conftest.py"):
                continue
            found.append(path)
    return found


def type_checking_nodes(tree: ast.AST) -> set[int]:
    """The nodes under `if TYPE_CHECKING:`."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(id(n) for n in ast.walk(child))
    return skipped


def imported_apps(path: Path) -> list[tuple[int, str, str]]:
    """(line, module, app) of every project-app import in the file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = type_checking_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            app = name.split(".")[0]
            if app in LEVEL:
                found.append((node.lineno, name, app))
    return found


def app_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def test_every_app_is_in_a_layer():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"lib", "keyprojects", "tests"}
    assert apps == set(LEVEL), "add the app to LAYERS here and to docs/architecture.md"


def test_no_import_goes_up_a_layer():
    upward = []
    for path in modules():
        app = app_of(path)
        for line, module, target in imported_apps(path):
            if LEVEL[target] > LEVEL[app]:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {module} ({app} is below {target})")
    assert upward == []


def test_apps_of_a_layer_do_not_import_each_other_in_a_cycle():
    graph: defaultdict[str, set[str]] = defaultdict(set)
    for path in modules():
        app = app_of(path)
        for _line, _module, target in imported_apps(path):
            if target != app and LEVEL[target] == LEVEL[app]:
                graph[app].add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(after == goal or reaches(after, goal, seen | {after}) for after in graph[start] - seen)

    cycles = sorted(f"{a} ↔ {b}" for a in list(graph) for b in graph[a] if reaches(b, a, {b}))
    assert cycles == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from figures.compute import compute\n", ["figures"]),
        ("def f():\n    from alerts import models\n", ["alerts"]),
        ("import bulletins.views\n", ["bulletins"]),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from alerts.models import Alert\n", []),
        ("from django.db import models\nfrom . import views\n", []),
    ],
)
def test_the_check_sees_imports_at_the_top_and_inside_functions(tmp_path, source, expected):
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    assert [app for _line, _module, app in imported_apps(path)] == expected
