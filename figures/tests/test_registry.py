"""The figures sections the apps register, and what compute() makes of them."""

import pytest

from figures import registry
from figures.compute import compute
from figures.tests.test_figures import district  # noqa: F401
from plans.scope import Scope

pytestmark = pytest.mark.django_db

CONTRIBUTED = [
    "alerts",
    "pipeline",
    "collective_starts",
    "reviews",
    "financing",
    "funding",
    "approvals",
    "approval_catalogue",
    "forecast",
    "problems",
    "meetings",
    "notices",
    "inspections",
    "leaders",
    "service",
]


def test_the_apps_register_their_sections_in_installed_apps_order():
    assert list(registry.sections()) == [
        "alerts",
        "pipeline",
        "starts",
        "reviews",
        "financing",
        "elements",
        "approvals",
        "forecast",
        "problems",
        "supervision",
        "leaders",
        "service",
    ]


def test_compute_adds_every_section_after_the_plan_figures(district):  # noqa: F811
    figures = compute(2026, 3, Scope())
    assert list(figures)[-len(CONTRIBUTED) :] == CONTRIBUTED
    assert not set(CONTRIBUTED) & set(compute(2026, 3, Scope(), work=False))


def test_a_registered_section_gets_the_period_and_the_scope(district, monkeypatch):  # noqa: F811
    seen = []

    def section(context: registry.Context) -> dict:
        seen.append(context)
        return {"extra": {"projects": context.entries.count(), "as_of": context.as_of}}

    monkeypatch.setitem(registry._sections, "extra", section)
    figures = compute(2026, 3, Scope(level="local"))
    (context,) = seen
    assert (context.year, context.month, context.scope.level) == (2026, 3, "local")
    assert str(context.start) == "2026-01-01" and str(context.end) == "2026-03-31"
    assert figures["extra"]["projects"] == figures["plan"]["count"]
    # A narrowed scope names its projects; the whole region is every project.
    assert context.projects is not None
    assert registry.Context(2026, 3, Scope(), context.entries).projects is None


def test_the_map_marks_come_from_the_registry():
    marks = registry._marks
    assert list(marks) == ["alert"]
