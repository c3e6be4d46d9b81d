"""Query helpers of lib.sql, on the database the suite runs against."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from lib.sql import analyze, distinct_values
from org.models import Person, Unit, among
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_distinct_values_are_every_value_of_the_column_once_without_nulls(world):
    people = [
        Person.objects.create(name=name, unit=world.housing) for name in ("李明", "王芳", "张伟", "赵磊")
    ]
    led = [people[2], people[0], None, people[2], people[3], None, people[0]]
    Project.objects.bulk_create(
        Project(
            name=f"重点项目{number}",
            category=world.project_a.category,
            total_investment=Decimal(1000),
            responsible_unit=world.housing,
            leader_in_charge=leader,
        )
        for number, leader in enumerate(led)
    )
    Project.objects.filter(name__in=[world.project_a.name, world.project_b.name]).update(
        leader_in_charge=None
    )
    found = Person.objects.filter(pk__in=distinct_values(Project, "leader_in_charge"))
    assert sorted(found.values_list("name", flat=True)) == sorted(["张伟", "李明", "赵磊"])
    Project.objects.update(leader_in_charge=None)
    assert not Person.objects.filter(pk__in=distinct_values(Project, "leader_in_charge")).exists()


def subtree_ids(unit):
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def test_among_finds_what_in_finds_on_columns_and_foreign_keys(world):
    units = subtree_ids(world.housing)
    assert len(units) > 1
    for field in ("responsible_unit", "owner_unit", "responsible_unit_id"):
        listed = Project.objects.filter(**{f"{field}__in": units})
        assert set(Project.objects.filter(**{f"{field}__among": frozenset(units)})) == set(listed), field
        assert set(Project.objects.exclude(**{f"{field}__among": frozenset(units)})) == set(
            Project.objects.exclude(**{f"{field}__in": units})
        ), field
    assert set(Unit.objects.filter(pk__among=frozenset(units))) == set(Unit.objects.filter(pk__in=units))


def test_among_an_empty_set_finds_nothing_and_its_negation_everything(world):
    assert not Project.objects.filter(responsible_unit__among=frozenset()).exists()
    assert Project.objects.exclude(responsible_unit__among=frozenset()).count() == Project.objects.count()


def test_among_reaches_postgresql_as_one_array(world):
    units = subtree_ids(world.government)
    with CaptureQueriesContext(connection) as captured:
        list(Project.objects.filter(among("responsible_unit", units)))
    sql = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql


def test_among_takes_whole_numbers_only(world):
    with pytest.raises(TypeError):
        list(Project.objects.filter(responsible_unit__among=frozenset(["1"])))


def test_a_subtree_condition_names_the_same_projects_either_way(world):
    """org.models.among() with subtree()'s ids and with its subquery."""
    for unit in (world.government, world.housing, world.town):
        ids = subtree_ids(unit)
        subquery = Unit.objects.filter(path__startswith=unit.path).values("pk")
        assert set(Project.objects.filter(among("owner_unit", ids) | among("responsible_unit", ids))) == set(
            Project.objects.filter(among("owner_unit", subquery) | among("responsible_unit", subquery))
        )


def table_pages(table):
    """pg_class's pages of `table`, and how many of them are marked all-visible."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's visibility map")
@pytest.mark.django_db(transaction=True)
def test_analyze_outside_a_transaction_marks_the_tables_pages_all_visible(world):
    table = Project._meta.db_table
    pages, visible = table_pages(table)
    assert visible < max(pages, 1)
    analyze()
    pages, visible = table_pages(table)
    assert pages >= 1
    assert visible == pages


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_analyze_inside_a_transaction_refreshes_the_statistics_alone(world):
    with transaction.atomic():
        analyze()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Project._meta.db_table])
        assert cursor.fetchone()[0] == Project.objects.count()
