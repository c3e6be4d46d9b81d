"""Fixtures shared by the figures' tests."""

from decimal import Decimal

import pytest

from catalog.models import Category
from figures.tests.test_figures import accepted
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects
from projects.models import Project


@pytest.fixture
def mixed(world):
    """Projects across units, towns, categories, plan types and two lists, some with progress."""
    local = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    city = Plan.objects.create(year=2026, level="city", title="2026年市重点")
    categories = list(Category.objects.order_by("sort_order"))
    units = [world.housing, world.town, world.education, world.drc]
    kinds = ["continuing", "new_start", "completing", "preliminary"]
    projects = []
    for i in range(14):
        project = Project.objects.create(
            name=f"分组项目{i:02d}",
            category=categories[i % len(categories)],
            total_investment=Decimal(5000 + 1000 * i),
            responsible_unit=units[i % len(units)],
            town=world.town if i % 3 else None,
            status="construction",
        )
        projects.append(project)
        kind = kinds[i % len(kinds)]
        PlanEntry.objects.create(
            plan=city if i % 5 == 4 else local,
            project=project,
            plan_type=kind,
            annual_investment=Decimal(1000 + 137 * i),
            planned_start_month=3 if kind == "new_start" else None,
            planned_completion_month=9 if kind == "completing" else None,
        )
        if i % 5 == 0:
            PlanEntry.objects.create(
                plan=city, project=project, plan_type="continuing", annual_investment=Decimal("777.77")
            )
        if i % 4 != 3:
            accepted(project, 2026, 2, f"{100 + 11 * i}.25")
            accepted(project, 2026, 5, f"{50 + 7 * i}.10")
    refresh_projects([p.pk for p in projects])
    return projects
