"""A write marks the (year, responsible unit, owner unit) it touches, and the refresh rebuilds that
owner's cells and its unit's totals only, to the same figures as the tables."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Category
from figures import cells
from figures.compute import Scope, compute
from figures.models import FigureCell, FigureStale
from figures.tests.test_cells import assert_summary_matches_tables
from figures.tests.test_figures import accepted
from org.choices import UnitKind
from org.models import Unit
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(world, mixed):
    """住建局's projects of `mixed` split between two owner units, one left without an owner; the
    summary built whole."""
    first = Unit.objects.create(name="城投公司", kind=UnitKind.OWNER, parent=world.housing)
    second = Unit.objects.create(name="水务公司", kind=UnitKind.OWNER, parent=world.housing)
    housing = [p for p in mixed if p.responsible_unit_id == world.housing.pk]
    assert len(housing) == 4
    for project, owner in zip(housing, [first, second, first, None], strict=True):
        Project.objects.filter(pk=project.pk).update(owner_unit=owner)
    cells.rebuild_all()
    return {"first": first, "second": second, "projects": housing}


def marks():
    return set(FigureStale.objects.values_list("year", "unit_id", "owner_id"))


def owner_cells(unit, owner):
    return set(
        FigureCell.objects.filter(
            year=2026, per_owner=True, unit_id=unit.pk, owner_unit_id=owner
        ).values_list("pk", flat=True)
    )


def test_a_report_marks_its_owner_and_rebuilds_only_that_owners_cells(world, owned, monkeypatch):
    project = owned["projects"][1]
    untouched = owner_cells(world.housing, owned["first"].pk)
    rebuilt = owner_cells(world.housing, owned["second"].pk)
    assert untouched and rebuilt
    before = compute(2026, 6, Scope(), work=False)["plan"]["completed"]

    accepted(project, 2026, 6, "250.50")
    refresh_projects([project.pk])
    assert marks() == {(2026, world.housing.pk, owned["second"].pk)}

    assert compute(2026, 6, Scope(), work=False)["plan"]["completed"] == before + Decimal("250.50")
    assert not FigureStale.objects.exists()
    # The other owner's cells are the rows they were; the marked owner's are new rows.
    assert owner_cells(world.housing, owned["first"].pk) == untouched
    assert not owner_cells(world.housing, owned["second"].pk) & rebuilt
    assert_summary_matches_tables(monkeypatch, world)


def test_a_project_without_an_owner_is_marked_as_owner_zero(world, owned, monkeypatch):
    project = owned["projects"][3]
    accepted(project, 2026, 7, "99.99")
    refresh_projects([project.pk])
    assert marks() == {(2026, world.housing.pk, 0)}
    assert_summary_matches_tables(monkeypatch, world)


def test_moving_a_project_to_another_owner_marks_both(world, owned, monkeypatch):
    project = Project.objects.get(pk=owned["projects"][0].pk)
    project.owner_unit = owned["second"]
    project.save()
    assert marks() == {
        (2026, world.housing.pk, owned["first"].pk),
        (2026, world.housing.pk, owned["second"].pk),
    }
    assert_summary_matches_tables(monkeypatch, world)


def test_a_mark_without_an_owner_rebuilds_the_whole_unit(world, owned, monkeypatch):
    kept = owner_cells(world.housing, owned["first"].pk)
    FigureStale.objects.create(year=2026, unit_id=world.housing.pk)
    accepted(owned["projects"][1], 2026, 6, "10.00")
    refresh_projects([owned["projects"][1].pk])
    # SQLite's row trigger sees the whole unit marked already and adds nothing; either way the
    # unit is rebuilt whole.
    assert (2026, world.housing.pk, None) in marks()
    cells.refresh([2026])
    assert not FigureStale.objects.exists()
    assert not owner_cells(world.housing, owned["first"].pk) & kept
    assert_summary_matches_tables(monkeypatch, world)


def test_many_owner_marks_rebuild_their_units_whole(world, owned, monkeypatch):
    monkeypatch.setattr(cells, "MAX_OWNER_MARKS", 1)
    for project in owned["projects"][:2]:
        accepted(project, 2026, 8, "12.34")
    refresh_projects([p.pk for p in owned["projects"][:2]])
    assert len(marks()) == 2
    assert_summary_matches_tables(monkeypatch, world)


def every_cell():
    """Every cell as its values without its id, counted: what a rebuild from everything must equal."""
    fields = [f.name for f in FigureCell._meta.concrete_fields if f.name != "id"]
    return Counter(FigureCell.objects.values_list(*fields))


@pytest.mark.parametrize("keys_at_once", [cells.MAX_TOTAL_KEYS, 0])
def test_a_project_moved_to_another_town_and_category_leaves_the_owners_totals_as_a_whole_rebuild(
    world, owned, keys_at_once, monkeypatch
):
    # 0: the unit's totals over the owners are added up again whole rather than key by key.
    monkeypatch.setattr(cells, "MAX_TOTAL_KEYS", keys_at_once)
    project = Project.objects.get(pk=owned["projects"][0].pk)
    other = Category.objects.exclude(pk=project.category_id).order_by("sort_order")[0]
    project.town = None if project.town_id else world.town
    project.category = other
    project.save()
    assert marks() == {(2026, world.housing.pk, owned["first"].pk)}
    cells.refresh([2026])
    assert not FigureStale.objects.exists()
    rebuilt_by_owner = every_cell()
    cells.rebuild_all()
    assert rebuilt_by_owner == every_cell()


def test_an_owners_last_project_moved_away_takes_its_keys_out_of_the_totals(world, owned):
    # The second owner's only project goes to the first owner in another town: the cell keys the
    # second owner had are no longer in any owner's cells, and their totals go with them.
    project = Project.objects.get(pk=owned["projects"][1].pk)
    project.owner_unit = owned["first"]
    project.town = None if project.town_id else world.town
    project.save()
    cells.refresh([2026])
    assert not owner_cells(world.housing, owned["second"].pk)
    rebuilt_by_owner = every_cell()
    cells.rebuild_all()
    assert rebuilt_by_owner == every_cell()


def test_a_rebuild_of_more_units_than_sqlite_takes_terms_in_an_or(world, owned):
    # A province's units marked whole after a migrate: 1,100 units, only one of them with projects.
    units = {world.housing.pk, 0, *range(100_000, 101_100)}
    before = every_cell()
    assert cells.rebuild(2026, units) > 0
    assert every_cell() == before


def test_an_owners_refresh_costs_the_same_statements_whatever_its_projects(world, owned, mixed):
    def statements_of_an_owners_refresh():
        FigureStale.objects.create(year=2026, unit_id=world.housing.pk, owner_id=owned["first"].pk)
        with CaptureQueriesContext(connection) as queries:
            cells.refresh([2026])
        return len(queries)

    few = statements_of_an_owners_refresh()
    plan = Plan.objects.get(year=2026, level="local")
    for i in range(20):
        project = Project.objects.create(
            name=f"城投加{i}",
            category=mixed[i % len(mixed)].category,
            total_investment=Decimal(2000 + i),
            responsible_unit=world.housing,
            owner_unit=owned["first"],
            town=world.town if i % 2 else None,
            status="construction",
        )
        PlanEntry.objects.create(plan=plan, project=project, plan_type="continuing", annual_investment=100)
    cells.refresh()
    assert statements_of_an_owners_refresh() == few
