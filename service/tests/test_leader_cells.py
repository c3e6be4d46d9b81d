"""分包领导's summary (service.cells) gives what the tables give, for every scope it serves and after
every kind of write that changes it, and the page reads it."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alerts.choices import AlertState, Colour
from alerts.models import Alert
from catalog.models import Category
from figures.tests.locks import rebuilding_elsewhere
from figures.tests.test_figures import accepted
from org.models import Person
from plans.counting import recount
from plans.models import Plan, PlanEntry
from plans.scope import Scope, scope_entries
from problems.models import Problem
from progress.rollup import refresh_projects
from projects.models import Project
from service import cells
from service.figures import leader_rows, leader_table
from service.models import LeaderCell, LeaderStale
from service.tests.conftest import MONTH, YEAR

pytestmark = pytest.mark.django_db
TODAY = date(YEAR, MONTH, 30)


def warn(project, colour, key, state=AlertState.OPEN):
    return Alert.objects.create(
        rule="report_overdue",
        project=project,
        object_key=key,
        colour=colour,
        state=state,
        message="预警",
        opened_on=date(YEAR, 4, 1),
    )


@pytest.fixture
def busy(led):
    """led's plan, and: project_a on the city's list too, a third project of the education bureau
    without a leader, and warnings open and closed, on projects on the plans and off them."""
    city = Plan.objects.create(year=YEAR, level="city", title=f"{YEAR}年市重点")
    PlanEntry.objects.create(
        plan=city, project=led.project_a, plan_type="new_start", annual_investment=Decimal("9000")
    )
    led.project_c = Project.objects.create(
        name="区第三实验小学",
        category=Category.objects.get(code="social"),
        total_investment=Decimal("8000.00"),
        responsible_unit=led.education,
        build_years="2026",
        status="construction",
    )
    local = Plan.objects.get(year=YEAR, level="local")
    PlanEntry.objects.create(
        plan=local, project=led.project_c, plan_type="new_start", annual_investment=Decimal("2500")
    )
    recount(YEAR)
    off_plan = Project.objects.create(
        name="未列入计划的项目",
        category=Category.objects.get(code="industry"),
        total_investment=Decimal("100.00"),
        responsible_unit=led.housing,
        build_years="2026",
        leader_in_charge=led.leader_person,
    )
    warn(led.project_a, Colour.RED, "a1")
    warn(led.project_a, Colour.YELLOW, "a2")
    warn(led.project_a, Colour.RED, "a3", state=AlertState.CLOSED)
    warn(led.project_b, Colour.RED, "b1")
    warn(led.project_c, Colour.YELLOW, "c1")
    warn(off_plan, Colour.RED, "x1")
    # Unsolved problems of led projects in and out of each persona's scope, one solved, one off
    # the plans, one of a project without a leader.
    for project, status in [
        (led.project_a, "open"),
        (led.project_a, "escalated"),
        (led.project_a, "resolved"),
        (led.project_b, "in_progress"),
        (led.project_c, "open"),
        (off_plan, "open"),
    ]:
        Problem.objects.create(project=project, category="land", description="用地未报批", status=status)
    return led


def both(scope):
    """leader_table() of the scope read from the leader cells, and read from the tables."""
    entries = scope_entries(YEAR, scope)
    summary = leader_table(entries, YEAR, MONTH, TODAY, scope)
    assert not LeaderStale.objects.filter(year=YEAR).exists()
    return summary, leader_table(entries, YEAR, MONTH, TODAY)


@pytest.mark.parametrize(
    "persona, expected",
    [
        (None, {"李领导": 3, "王副区长": 1}),
        ("department", {"李领导": 2}),
        ("town_user", {"李领导": 1, "王副区长": 1}),
        ("owner_a", {"李领导": 2}),
    ],
)
def test_the_cells_count_the_unsolved_problems_of_the_led_projects_in_scope(busy, persona, expected):
    """李领导 leads a project of the town's too: the department and the owner do not count its problem."""
    theirs = Project.objects.create(
        name="城关污水管网工程",
        category=busy.project_b.category,
        total_investment=Decimal("3000.00"),
        responsible_unit=busy.town,
        build_years="2026",
        leader_in_charge=busy.leader_person,
    )
    local = Plan.objects.get(year=YEAR, level="local")
    PlanEntry.objects.create(
        plan=local, project=theirs, plan_type="new_start", annual_investment=Decimal("800")
    )
    recount(YEAR)
    Problem.objects.create(project=theirs, category="funding", description="资金未到位", status="open")
    scope = Scope(user=getattr(busy, persona)) if persona else Scope()
    (summary, _count), (tables, _count) = both(scope)
    assert summary == tables
    assert {row["name"]: row["problems_open"] for row in summary} == expected


def assert_same(world, scopes=None):
    for scope in scopes or [Scope(), Scope(user=world.coordinator), Scope(user=world.department)]:
        summary, tables = both(scope)
        assert summary == tables, scope


def scopes(world):
    return {
        "everything": Scope(),
        "coordinator": Scope(user=world.coordinator),
        "leader": Scope(user=world.leader),
        "local list": Scope(level="local"),
        "city list": Scope(level="city"),
        "department": Scope(user=world.department),
        "town": Scope(user=world.town_user),
        "owner": Scope(user=world.owner_a),
        "outsider": Scope(user=world.outsider),
        "unit": Scope(unit=world.housing),
        "town filter": Scope(town=world.town),
        "category": Scope(category=world.project_b.category),
        "plan type": Scope(plan_type="new_start"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "everything",
        "coordinator",
        "leader",
        "local list",
        "city list",
        "department",
        "town",
        "owner",
        "outsider",
        "unit",
        "town filter",
        "category",
        "plan type",
    ],
)
def test_the_cells_give_what_the_tables_give(busy, name):
    summary, tables = both(scopes(busy)[name])
    assert summary == tables
    assert LeaderCell.objects.filter(year=YEAR).exists()


def test_the_figures_count_the_open_warnings_of_the_plans_projects_once(busy):
    rows, entry_count = leader_table(scope_entries(YEAR, Scope()), YEAR, MONTH, TODAY, Scope())
    by_name = {row["name"]: row for row in rows}
    # project_a (on two lists, counted once): two open warnings, one closed; the project off the
    # plans has a red one that does not count.
    assert (by_name["李领导"]["alerts_red"], by_name["李领导"]["alerts_yellow"]) == (1, 1)
    assert (by_name["王副区长"]["alerts_red"], by_name["王副区长"]["alerts_yellow"]) == (1, 0)
    assert (by_name["李领导"]["count"], entry_count) == (1, 3)
    assert by_name["李领导"]["completed"] == Decimal("3000.00")


def test_a_warning_closed_recoloured_or_opened_is_counted_at_once(busy):
    both(Scope())
    red = Alert.objects.get(object_key="a1")
    red.state, red.closed_at = AlertState.CLOSED, None
    red.save()
    Alert.objects.filter(object_key="a2").update(colour=Colour.RED)
    warn(busy.project_b, Colour.YELLOW, "b2")
    assert_same(busy)
    rows, _count = both(Scope())[0]
    assert [(row["name"], row["alerts_red"], row["alerts_yellow"]) for row in rows] == [
        ("李领导", 1, 0),
        ("王副区长", 1, 1),
    ]


def test_a_warning_deleted_or_closed_by_a_hand_written_statement_is_counted_at_once(busy):
    both(Scope())
    Alert.objects.filter(object_key="b1").delete()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE alerts_alert SET state = %s WHERE object_key = %s", [AlertState.CLOSED, "a2"])
    assert LeaderStale.objects.filter(year=YEAR).exists()
    assert_same(busy)
    rows = both(Scope())[0][0]
    assert sum(row["alerts_red"] + row["alerts_yellow"] for row in rows) == 1


def test_a_leader_changed_or_taken_away_moves_the_projects(busy):
    both(Scope())
    third = Person.objects.create(name="张副区长", post="副区长")
    busy.project_c.leader_in_charge = third
    busy.project_c.save()
    Project.objects.filter(pk=busy.project_b.pk).update(leader_in_charge=None)
    assert_same(busy)
    rows, entry_count = both(Scope())[0]
    assert [row["name"] for row in rows] == ["李领导", "张副区长"]
    assert entry_count == 3


def test_a_report_accepted_or_a_plan_changed_is_counted_at_once(busy):
    both(Scope())
    accepted(busy.project_b, YEAR, MONTH, "1000")
    refresh_projects([busy.project_b.pk])
    PlanEntry.objects.filter(project=busy.project_c).update(annual_investment=Decimal("5000"))
    assert_same(busy)
    PlanEntry.objects.filter(project=busy.project_b).delete()
    assert_same(busy)
    Plan.objects.filter(level="city").update(year=YEAR + 1)
    recount(YEAR)
    recount(YEAR + 1)
    assert_same(busy)


def test_a_project_moved_to_another_unit_moves_in_every_scope(busy):
    both(Scope(user=busy.department))
    busy.project_a.responsible_unit = busy.education
    busy.project_a.owner_unit = None
    busy.project_a.save()
    assert_same(busy, list(scopes(busy).values()))
    assert both(Scope(user=busy.department))[0] == ([], 0)


def test_rebuild_all_gives_the_same_cells(busy):
    both(Scope())
    fields = (
        "per_owner",
        "plan_id",
        "unit_id",
        "owner_unit_id",
        "leader_id",
        "count",
        "annual_plan",
        "alerts_red",
    )
    before = sorted(LeaderCell.objects.values_list(*fields), key=str)
    assert cells.rebuild_all() == len(before)
    assert sorted(LeaderCell.objects.values_list(*fields), key=str) == before


def test_the_leaders_page_reads_the_cells(busy, client_for):
    both(Scope())
    with CaptureQueriesContext(connection) as queries:
        response = client_for(busy.coordinator).get(
            reverse("service:leaders"), {"period": f"{YEAR}-{MONTH:02d}"}
        )
    assert response.status_code == 200
    assert "李领导" in response.content.decode()
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "service_leadercell" in sql
    assert "alerts_alert" not in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the rebuild lock is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_while_another_process_rebuilds_the_cells_the_tables_answer(busy):
    Alert.objects.filter(object_key="b1").delete()
    with rebuilding_elsewhere(cells.REFRESH_LOCK):
        assert not cells.refreshed([YEAR])
        summary, tables = both_without_waiting(Scope())
    assert summary == tables
    assert LeaderStale.objects.filter(year=YEAR).exists()


def both_without_waiting(scope):
    entries = scope_entries(YEAR, scope)
    return leader_table(entries, YEAR, MONTH, TODAY, scope), leader_table(entries, YEAR, MONTH, TODAY)


@pytest.mark.parametrize("persona", ["coordinator", "department", "leader"])
def test_one_leaders_figures_from_the_cells(busy, persona):
    scope = Scope(user=getattr(busy, persona))
    entries = scope_entries(YEAR, scope).filter(project__leader_in_charge=busy.leader_person)
    summary = leader_rows(entries, YEAR, MONTH, TODAY, scope, busy.leader_person)
    assert summary == leader_rows(entries, YEAR, MONTH, TODAY)
    assert [(row["name"], row["count"], row["alerts_red"]) for row in summary] == [("李领导", 1, 1)]


def test_the_leaders_own_page_reads_the_cells(busy, client_for):
    both(Scope())
    with CaptureQueriesContext(connection) as queries:
        response = client_for(busy.leader).get(reverse("service:mine"), {"period": f"{YEAR}-{MONTH:02d}"})
    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "service_leadercell" in sql


def test_the_command_builds_every_cell_again(busy):
    both(Scope())
    LeaderCell.objects.all().delete()
    out = StringIO()
    call_command("rebuild_leader_cells", stdout=out)
    assert f"{LeaderCell.objects.count()}个单元" in out.getvalue()
    assert LeaderCell.objects.filter(year=YEAR, leader_id=busy.leader_person.pk).exists()
    assert_same(busy)


def test_cells_rebuilt_by_unit_or_by_owner_are_those_built_from_everything(busy):
    pending = Project.objects.create(
        name="责任单位待明确的项目",
        category=Category.objects.get(code="industry"),
        total_investment=Decimal("300.00"),
        build_years="2026",
        leader_in_charge=busy.other_leader,
    )
    PlanEntry.objects.create(
        plan=Plan.objects.get(year=YEAR, level="local"),
        project=pending,
        plan_type="new_start",
        annual_investment=Decimal("100"),
    )
    recount(YEAR)
    warn(pending, Colour.RED, "p1")
    fields = (
        "per_owner",
        "plan_id",
        "unit_id",
        "owner_unit_id",
        "leader_id",
        "count",
        "annual_plan",
        "alerts_red",
    )
    cells.rebuild_all()
    everything = sorted(LeaderCell.objects.values_list(*fields), key=str)
    assert any(row[2] == 0 for row in everything)
    cells.rebuild(YEAR, [busy.housing.pk, 0, busy.town.pk])
    assert sorted(LeaderCell.objects.values_list(*fields), key=str) == everything
    cells.rebuild(YEAR, [], [(busy.housing.pk, busy.owner_a_unit.pk), (0, 0), (busy.education.pk, 0)])
    assert sorted(LeaderCell.objects.values_list(*fields), key=str) == everything
    assert_same(busy)


def test_the_task_rebuilds_what_a_warnings_scan_marked(busy):
    from service.tasks import refresh_leader_cells

    both(Scope())
    Alert.objects.filter(state=AlertState.OPEN).update(colour=Colour.YELLOW)
    assert LeaderStale.objects.exists()
    refresh_leader_cells.enqueue()
    assert not LeaderStale.objects.exists()
    assert sum(cell.alerts_red for cell in LeaderCell.objects.all()) == 0
    assert_same(busy)


def test_a_migrate_that_adds_the_cells_to_a_database_with_entries_marks_them(busy):
    from types import SimpleNamespace

    from lib.triggers import marking
    from service.apps import WATCHED_APPS

    cells.rebuild_all()
    LeaderCell.objects.all().delete()
    # The migrate of an upgrade whose only migration is the cells' own.
    restore = marking(WATCHED_APPS, cells.mark_all)
    restore(connection, [(SimpleNamespace(app_label="service", name="0002_leader_cells"), False)])
    assert LeaderStale.objects.filter(year=YEAR).exists()
    assert_same(busy)
    assert LeaderCell.objects.filter(year=YEAR).exists()


def test_entries_written_before_their_project_in_one_transaction_are_counted(busy):
    from django.db import transaction

    both(Scope())
    new_id = Project.objects.order_by("-pk").values_list("pk", flat=True)[0] + 100
    with transaction.atomic():
        PlanEntry.objects.create(
            plan=Plan.objects.get(year=YEAR, level="local"),
            project_id=new_id,
            plan_type="new_start",
            annual_investment=Decimal("700"),
        )
        Project.objects.create(
            pk=new_id,
            name="先登记计划后建档的项目",
            category=Category.objects.get(code="industry"),
            total_investment=Decimal("900.00"),
            responsible_unit=busy.housing,
            build_years="2026",
            leader_in_charge=busy.other_leader,
        )
    assert LeaderStale.objects.filter(year=YEAR, unit_id=busy.housing.pk).exists()
    recount(YEAR)
    assert_same(busy)
    rows = both(Scope())[0][0]
    assert next(row for row in rows if row["name"] == "王副区长")["count"] == 2


def test_a_rebuild_of_more_units_than_sqlite_takes_terms_in_an_or(busy):
    # A province's units marked whole after a migrate: 1,100 units, only one of them with projects.
    cells.rebuild_all()
    fields = [f.name for f in LeaderCell._meta.concrete_fields if f.name != "id"]
    before = sorted(LeaderCell.objects.values_list(*fields), key=str)
    assert cells.rebuild(2026, {busy.housing.pk, 0, *range(100_000, 101_100)}) > 0
    assert sorted(LeaderCell.objects.values_list(*fields), key=str) == before
