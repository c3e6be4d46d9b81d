"""The figures' summary gives what the tables give, after every kind of write that changes them."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from figures import cells
from figures.compute import Scope, compute
from figures.models import FigureCell, FigureStale
from figures.tests.locks import rebuilding_elsewhere
from figures.tests.test_figures import accepted
from org.choices import Role
from org.models import User
from plans.counting import recount
from plans.models import Plan, PlanEntry
from progress.models import Report, YearProgress
from progress.periods import Period
from progress.rollup import refresh_projects
from projects.models import Project, ProjectStatusChange

pytestmark = pytest.mark.django_db

# The figures that come from the plan entries (the others read their own registers).
PLAN_FIGURES = (
    "plan",
    "by_category",
    "by_level",
    "by_plan_type",
    "by_status",
    "starts",
    "sizes",
    "reporting",
    "monthly",
    "ranking_units",
    "ranking_towns",
    "year_on_year",
)


def from_tables(monkeypatch, year, month, scope):
    """compute() as it reads the tables directly, for a scope the summary could serve."""
    with monkeypatch.context() as patched:
        patched.setattr(cells, "serves", lambda scope: False)
        return compute(year, month, scope, work=False)


def assert_summary_matches_tables(monkeypatch, world, year=2026, months=(1, 2, 5, 6, 12)):
    for level in (None, "local", "city"):
        for month in months:
            scope = Scope(level=level, user=world.coordinator)
            summary = compute(year, month, scope, work=False)
            tables = from_tables(monkeypatch, year, month, scope)
            for figure in PLAN_FIGURES:
                assert summary[figure] == tables[figure], (level, month, figure)
    assert not FigureStale.objects.filter(year=year).exists()


def test_the_summary_gives_the_figures_the_tables_give(world, mixed, monkeypatch):
    assert_summary_matches_tables(monkeypatch, world)
    assert FigureCell.objects.filter(year=2026).exists()


def test_a_narrower_scope_reads_the_summary_too(world, mixed, monkeypatch):
    for scope in (
        Scope(unit=world.government, user=world.coordinator),
        Scope(unit=world.housing),
        Scope(town=world.town, category=mixed[0].category),
        Scope(plan_type="continuing", level="local"),
    ):
        summary = compute(2026, 6, scope, work=False)
        tables = from_tables(monkeypatch, 2026, 6, scope)
        for figure in PLAN_FIGURES:
            assert summary[figure] == tables[figure], (scope, figure)


def test_an_accepted_report_reaches_the_figures(world, mixed, monkeypatch):
    before = compute(2026, 6, Scope(), work=False)["plan"]["completed"]
    accepted(mixed[3], 2026, 6, "333.33")
    refresh_projects([mixed[3].pk])
    after = compute(2026, 6, Scope(), work=False)["plan"]["completed"]
    assert after == before + Decimal("333.33")
    assert_summary_matches_tables(monkeypatch, world)


def continuing_project(world, mixed, name):
    """A 续建 project on the local plan of `mixed`, with no report yet."""
    plan = PlanEntry.objects.filter(project=mixed[0]).order_by("pk")[0].plan
    project = Project.objects.create(
        name=name,
        category=mixed[0].category,
        total_investment=Decimal(8000),
        responsible_unit=world.housing,
        status="construction",
    )
    PlanEntry.objects.create(
        plan=plan, project=project, plan_type="continuing", annual_investment=Decimal(500)
    )
    return project


def resumed(month):
    return compute(2026, month, Scope(), work=False)["starts"]["resumed"]


def test_a_return_from_suspension_reaches_the_resumption_rate(world, mixed, monkeypatch):
    project = continuing_project(world, mixed, "停工后复工项目")
    before = compute(2026, 6, Scope(), work=False)["starts"]
    change = ProjectStatusChange.objects.create(
        project=project, from_status="suspended", to_status="construction", effective_date=date(2026, 4, 10)
    )
    after = compute(2026, 6, Scope(), work=False)["starts"]
    assert after["to_resume"] == before["to_resume"]
    assert after["resumed"] == before["resumed"] + 1
    # Counted from the month of its date, and gone with the change.
    assert resumed(4) == resumed(3) + 1
    assert_summary_matches_tables(monkeypatch, world)
    ProjectStatusChange.objects.filter(pk=change.pk).update(effective_date=date(2025, 12, 20))
    assert resumed(6) == before["resumed"]
    assert_summary_matches_tables(monkeypatch, world)


def test_a_reports_state_alone_moves_the_resumption_rate(world, mixed, monkeypatch):
    project = continuing_project(world, mixed, "月报审核复工项目")
    report = accepted(project, 2026, 3, "120.00")
    Report.objects.filter(pk=report.pk).update(state="submitted")
    before = resumed(6)
    Report.objects.filter(pk=report.pk).update(state="accepted")
    assert resumed(6) == before + 1
    assert resumed(3) == resumed(2) + 1
    Report.objects.filter(pk=report.pk).update(amount=Decimal(0))
    assert resumed(6) == before
    assert_summary_matches_tables(monkeypatch, world)


def test_moving_a_project_to_another_unit_updates_both_units(world, mixed, monkeypatch):
    compute(2026, 6, Scope(), work=False)
    project = mixed[0]
    old_unit = project.responsible_unit
    project.responsible_unit = world.education if old_unit != world.education else world.housing
    project.save()
    assert set(FigureStale.objects.values_list("unit_id", flat=True)) >= {
        old_unit.pk,
        project.responsible_unit_id,
    }
    assert_summary_matches_tables(monkeypatch, world)


def test_saving_a_project_without_a_figured_change_leaves_the_summary_alone(world, mixed):
    compute(2026, 6, Scope(), work=False)
    project = mixed[1]
    project.name = "改名后的项目"
    project.save()
    assert not FigureStale.objects.exists()


def test_bulk_and_hand_written_writes_mark_the_summary_stale(world, mixed, monkeypatch):
    compute(2026, 6, Scope(), work=False)
    Project.objects.filter(pk=mixed[2].pk).update(status="suspended", total_investment=Decimal("123456.78"))
    PlanEntry.objects.filter(project=mixed[4]).update(annual_investment=Decimal("4321.00"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {YearProgress._meta.db_table} SET ytd_06 = ytd_06 + 1000 WHERE project_id = %s",
            [mixed[5].pk],
        )
    assert FigureStale.objects.exists()
    assert_summary_matches_tables(monkeypatch, world)


def test_entries_added_and_removed_in_bulk_reach_the_figures(world, mixed, monkeypatch):
    compute(2026, 6, Scope(), work=False)
    plan = Plan.objects.get(year=2026, level="local")
    extra = Project.objects.create(
        name="批量加入的项目",
        category=mixed[0].category,
        total_investment=Decimal("150000"),
        responsible_unit=world.town,
        status="construction",
        actual_start_date=date(2026, 2, 1),
    )
    PlanEntry.objects.bulk_create(
        [PlanEntry(plan=plan, project=extra, plan_type="new_start", annual_investment=Decimal("9000"))]
    )
    recount(2026, [extra.pk])
    assert_summary_matches_tables(monkeypatch, world)
    PlanEntry.objects.filter(project__in=[mixed[6], mixed[7]]).delete()
    recount(2026)
    assert_summary_matches_tables(monkeypatch, world)


def test_a_submitted_report_counts_in_the_months_reporting(world, mixed, monkeypatch):
    project = mixed[8]
    Project.objects.filter(pk=project.pk).update(actual_start_date=date(2026, 1, 10))
    compute(2026, 6, Scope(), work=False)
    report = Report.objects.create(
        project=project, year=2026, month=6, amount=Decimal("10"), deadline=Period(2026, 6).deadline
    )
    assert_summary_matches_tables(monkeypatch, world, months=(6,))
    Report.objects.filter(pk=report.pk).update(
        state="submitted", first_submitted_at=timezone.make_aware(datetime(2026, 6, 20, 9))
    )
    reporting = compute(2026, 6, Scope(), work=False)["reporting"]
    assert reporting["submitted"] >= 1
    assert_summary_matches_tables(monkeypatch, world, months=(6,))


def test_an_adjusted_plan_is_read_from_its_own_cells(world, mixed, monkeypatch):
    compute(2026, 6, Scope(), work=False)
    local = Plan.objects.get(year=2026, level="local")
    adjusted = local.adjust(by=world.coordinator, title="2026年区重点调整方案")
    adjusted.entries.filter(project=mixed[0]).update(annual_investment=Decimal("1.00"))
    adjusted.issued_on = date(2026, 7, 1)
    adjusted.save()
    assert Plan.objects.in_force().filter(year=2026, level="local").get() == adjusted
    assert_summary_matches_tables(monkeypatch, world)


def test_last_years_figures_follow_their_own_changes(world, mixed, monkeypatch):
    last = Plan.objects.create(year=2025, level="local", title="2025年区重点")
    PlanEntry.objects.create(plan=last, project=mixed[0], plan_type="continuing", annual_investment=500)
    accepted(mixed[0], 2025, 3, "120")
    refresh_projects([mixed[0].pk])
    first = compute(2026, 6, Scope(), work=False)["year_on_year"]["last_year"]
    accepted(mixed[0], 2025, 4, "80")
    refresh_projects([mixed[0].pk])
    second = compute(2026, 6, Scope(), work=False)["year_on_year"]["last_year"]
    assert second["completed"] == first["completed"] + 80
    assert_summary_matches_tables(monkeypatch, world, year=2026, months=(6,))


def test_a_refresh_costs_the_same_statements_whatever_the_projects(world, mixed):
    def statements_of_a_refresh():
        FigureStale.objects.create(year=2026, unit_id=world.housing.pk)
        with CaptureQueriesContext(connection) as queries:
            cells.refresh([2026])
        return len(queries)

    cells.refresh()  # the marks the projects' own writes left: a refresh of one unit's mark is measured
    few = statements_of_a_refresh()
    for i in range(20):
        project = Project.objects.create(
            name=f"住建加{i}",
            category=mixed[0].category,
            total_investment=Decimal(1000 + i),
            responsible_unit=world.housing,
            status="construction",
        )
        PlanEntry.objects.create(
            plan=Plan.objects.get(year=2026, level="local"),
            project=project,
            plan_type="continuing",
            annual_investment=Decimal(100),
        )
    cells.refresh()
    assert statements_of_a_refresh() == few


def test_nothing_stale_costs_one_lookup(world, mixed):
    cells.refresh()
    with CaptureQueriesContext(connection) as queries:
        cells.refresh([2026, 2025])
    assert len(queries) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's statistics are PostgreSQL's")
def test_a_large_rebuild_refreshes_the_planners_statistics_of_the_cells(world, mixed, monkeypatch):
    def estimated() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [FigureCell._meta.db_table])
            return cursor.fetchone()[0]

    cells.refresh()
    cells.rebuild(2026)
    # A rebuild of a few cells leaves the statistics to autovacuum.
    assert estimated() != FigureCell.objects.count()
    monkeypatch.setattr(cells, "ANALYZE_AFTER", 0)
    cells.rebuild(2026)
    # ANALYZE reads every row of a table this small: its estimate is the count.
    assert estimated() == FigureCell.objects.count() > 0


def test_rebuilding_everything_gives_the_same_cells(world, mixed):
    cells.refresh()
    fields = [f.name for f in FigureCell._meta.fields if f.name != "id"]
    before = sorted(FigureCell.objects.values_list(*fields))
    FigureCell.objects.all().delete()
    cells.rebuild_all()
    assert sorted(FigureCell.objects.values_list(*fields)) == before
    assert not FigureStale.objects.exists()


def owned_apart(world, mixed):
    """Owner units that are not the responsible units' own: the city investment company (under the
    housing bureau) owns six projects answered for by four units, the town's company three."""
    Project.objects.filter(pk__in=[p.pk for p in mixed[:6]]).update(owner_unit=world.owner_a_unit)
    Project.objects.filter(pk__in=[p.pk for p in mixed[6:9]]).update(owner_unit=world.owner_b_unit)


def test_every_persona_reads_its_own_scope_from_the_summary(world, mixed, monkeypatch):
    compute(2026, 6, Scope(), work=False)
    owned_apart(world, mixed)
    # A change of owner unit marks the cells stale, as any other figured field does.
    assert FigureStale.objects.exists()
    nobody = User.objects.create_user(username="nounit", password="x-Pass#2026", role=Role.UNIT)
    personas = (world.department, world.town_user, world.owner_a, world.owner_b, world.outsider, nobody)
    for user in personas:
        assert cells.serves(Scope(user=user))
        for level in (None, "city"):
            for month in (2, 6, 12):
                scope = Scope(level=level, user=user)
                summary = compute(2026, month, scope, work=False)
                tables = from_tables(monkeypatch, 2026, month, scope)
                for figure in PLAN_FIGURES:
                    assert summary[figure] == tables[figure], (user.username, level, month, figure)
    assert not FigureStale.objects.filter(year=2026).exists()


def test_an_owners_scope_from_the_summary_is_its_own_projects(world, mixed):
    owned_apart(world, mixed)
    # Owner A sees the six projects its company owns, whoever answers for them; each counts once
    # across the two lists.
    figures = compute(2026, 6, Scope(user=world.owner_a), work=False)
    owned = mixed[:6]
    assert figures["plan"]["count"] == 6
    assert figures["plan"]["total_investment"] == sum(p.total_investment for p in owned)
    # The town sees what it answers for and what the companies under it own.
    town_projects = {p.pk for p in mixed if p.responsible_unit == world.town} | {p.pk for p in mixed[6:9]}
    assert compute(2026, 6, Scope(user=world.town_user), work=False)["plan"]["count"] == len(town_projects)
    assert (
        compute(2026, 6, Scope(user=User.objects.create_user(username="nounit", role=Role.UNIT)), work=False)[
            "plan"
        ]["count"]
        == 0
    )


def test_a_scope_cut_by_nature_or_size_reads_the_tables(world, mixed):
    assert cells.serves(Scope(user=world.coordinator))
    assert cells.serves(Scope(user=world.owner_a))
    assert not cells.serves(Scope(user=world.department, nature="government"))
    assert not cells.serves(Scope(min_total=Decimal(10000)))


def test_the_refresh_command_and_task_bring_the_summary_up_to_date(world, mixed):
    from django.core.management import call_command

    from figures.tasks import refresh_figures

    assert FigureStale.objects.exists()
    refresh_figures.enqueue()
    assert not FigureStale.objects.exists()
    cells_before = FigureCell.objects.count()
    FigureCell.objects.all().delete()
    call_command("refresh_figures", "--all", stdout=io.StringIO())
    assert FigureCell.objects.count() == cells_before


def test_a_plan_moved_to_another_year_leaves_both_years_right(world, mixed, monkeypatch):
    compute(2026, 6, Scope(), work=False)
    city = Plan.objects.get(year=2026, level="city")
    Plan.objects.filter(pk=city.pk).update(year=2025)
    assert set(FigureStale.objects.values_list("year", flat=True)) == {2025, 2026}
    assert_summary_matches_tables(monkeypatch, world, months=(6,))
    assert_summary_matches_tables(monkeypatch, world, year=2025, months=(6,))


def test_the_triggers_are_in_place_after_the_migrations():
    from figures import triggers

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'figures_stale_%%'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'figures_stale_%'"
            )
        installed = {name for (name,) in cursor.fetchall()}
    expected = {
        f"figures_stale_{table}_{triggers.SHORT[event]}"
        for table, events in triggers.EVENTS.items()
        for event in events
    }
    assert installed == expected


def test_entries_written_before_their_project_are_marked_when_it_arrives(world, mixed):
    from django.db import transaction

    cells.refresh()
    plan = Plan.objects.get(year=2026, level="local")
    with transaction.atomic():
        # The foreign key is checked at commit: an import may write the entry first.
        PlanEntry.objects.bulk_create(
            [PlanEntry(plan=plan, project_id=987654, plan_type="continuing", annual_investment=Decimal("5"))]
        )
        assert not FigureStale.objects.exists()
        Project.objects.create(
            pk=987654,
            name="后到的项目",
            category=mixed[0].category,
            total_investment=Decimal("800"),
            responsible_unit=world.education,
            status="construction",
        )
    assert FigureStale.objects.filter(year=2026, unit_id=world.education.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("unit_first", [False, True])
def test_an_entry_added_while_its_project_moves_unit_lands_in_the_new_units_cells(
    world, monkeypatch, unit_first
):
    """Two transactions at once: one puts a project on the plan, the other moves it to another unit.
    Each trigger reads the unit the other may be changing; whichever goes first, the cells end up
    as the tables are."""
    import threading
    import time

    from django.db import connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    project = world.project_a
    PlanEntry.objects.create(plan=plan, project=world.project_b, plan_type="continuing", annual_investment=1)
    compute(2026, 6, Scope(), work=False)
    new_unit = world.education if project.responsible_unit_id != world.education.pk else world.housing
    first_holds = threading.Event()
    failures: list[BaseException] = []

    def add_entry() -> None:
        PlanEntry.objects.create(plan=plan, project=project, plan_type="continuing", annual_investment=50)

    def move() -> None:
        Project.objects.filter(pk=project.pk).update(responsible_unit=new_unit)

    def in_a_transaction(write, hold: bool) -> None:
        try:
            with transaction.atomic():
                write()
                if hold:
                    first_holds.set()
                    time.sleep(0.5)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            connections.close_all()

    first, second = (move, add_entry) if unit_first else (add_entry, move)
    one = threading.Thread(target=in_a_transaction, args=(first, True))
    one.start()
    first_holds.wait(10)
    other = threading.Thread(target=in_a_transaction, args=(second, False))
    other.start()
    one.join(20)
    other.join(20)
    assert failures == []
    summary = compute(2026, 6, Scope(), work=False)
    tables = from_tables(monkeypatch, 2026, 6, Scope())
    assert summary["plan"] == tables["plan"]
    assert summary["ranking_units"] == tables["ranking_units"]
    assert summary["plan"]["count"] == 2


@pytest.mark.django_db(transaction=True)
def test_a_page_reads_the_tables_rather_than_wait_for_another_rebuild(world):
    """At month end every save marks cells stale; a page arriving while another process holds the
    rebuild lock answers from the tables at once, with the same figures, and leaves the marks for
    the rebuild under way."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    PlanEntry.objects.create(plan=plan, project=world.project_a, plan_type="continuing", annual_investment=80)
    fresh = compute(2026, 6, Scope(), work=False)
    PlanEntry.objects.filter(project=world.project_a).update(annual_investment=120)
    assert FigureStale.objects.filter(year=2026).exists()

    with rebuilding_elsewhere():
        assert cells.refreshed([2026]) is False
        busy = compute(2026, 6, Scope(), work=False)
        assert FigureStale.objects.filter(year=2026).exists()
    assert busy["plan"]["annual_plan"] == fresh["plan"]["annual_plan"] + 40
    assert cells.refreshed([2026]) is True
    assert not FigureStale.objects.filter(year=2026).exists()
    assert compute(2026, 6, Scope(), work=False)["plan"] == busy["plan"]


def test_only_the_rankings_read_the_cells_by_unit_and_town(world, mixed, monkeypatch):
    """The scope's figures are added up from rows by category and plan type; the rows by unit and
    town, as many as the units and towns, carry only what the rankings rank by."""
    cells.refresh()
    with CaptureQueriesContext(connection) as queries:
        summary = compute(2026, 6, Scope(), work=False)
    grouped = [q["sql"] for q in queries if "figures_figurecell" in q["sql"] and "GROUP BY" in q["sql"]]
    by_unit = [sql for sql in grouped if '"figures_figurecell"."unit_id" AS' in sql]
    assert len(by_unit) == 1, by_unit
    assert by_unit[0].count("SUM(") == 4, by_unit[0]
    tables = from_tables(monkeypatch, 2026, 6, Scope())
    for figure in (
        "plan",
        "by_category",
        "by_plan_type",
        "reporting",
        "monthly",
        "ranking_units",
        "ranking_towns",
    ):
        assert summary[figure] == tables[figure], figure
