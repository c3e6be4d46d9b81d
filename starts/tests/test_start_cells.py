"""集中开工's summary (starts.cells): what it adds up equals what the tables give, for every persona,
after every kind of write the triggers watch, and the pages read it."""

from datetime import date
from decimal import Decimal
from operator import attrgetter

import pytest
from django.db import connection

from plans.counting import recount
from plans.models import Plan, PlanEntry
from progress.models import Report
from progress.periods import Period
from projects.models import Project
from starts import cells
from starts.figures import collective_start_figures
from starts.models import StartCell, StartEvent, StartEventProject, StartStale

pytestmark = pytest.mark.django_db
PERSONAS = ("coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider")


def report(project, year, month, amount, state="accepted"):
    return Report.objects.create(
        project=project,
        year=year,
        month=month,
        amount=Decimal(amount),
        deadline=Period(year, month).deadline,
        state=state,
    )


@pytest.fixture
def starts(world):
    """Spring (18 March, checked by 18 May): project_a, project_b and a third of 住建局's without an
    owner unit; autumn (1 September, checked by 1 November): project_a again and a cancelled one."""
    third = Project.objects.create(
        name="城北污水处理厂",
        category=world.project_a.category,
        total_investment=Decimal("30000"),
        responsible_unit=world.housing,
        status="preliminary",
    )
    cancelled = Project.objects.create(
        name="城南体育公园",
        category=world.project_a.category,
        total_investment=Decimal("8000"),
        responsible_unit=world.town,
        owner_unit=world.owner_b_unit,
        status="cancelled",
    )
    local = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    city = Plan.objects.create(year=2026, level="city", title="2026年市重点")
    PlanEntry.objects.create(
        plan=local, project=world.project_a, plan_type="continuing", annual_investment=4000
    )
    PlanEntry.objects.create(
        plan=city, project=world.project_a, plan_type="continuing", annual_investment=9999
    )
    PlanEntry.objects.create(plan=city, project=third, plan_type="new_start", annual_investment=6000)
    spring = StartEvent.objects.create(held_on=date(2026, 3, 18), batch="2026年第一批集中开工")
    autumn = StartEvent.objects.create(held_on=date(2026, 9, 1), batch="2026年第二批集中开工")
    for project in (world.project_a, world.project_b, third):
        StartEventProject.objects.create(event=spring, project=project)
    for project in (world.project_a, cancelled):
        StartEventProject.objects.create(event=autumn, project=project)
    return {"spring": spring, "autumn": autumn, "third": third, "cancelled": cancelled, "local": local}


def from_tables(user, year, today):
    """What the pages showed before the summary: the figures read from the memberships."""
    members = StartEventProject.objects.visible_to(user).filter(event__year=year)
    totals = members.project_totals(year)
    totals["stalled"] = members.stalled(today).order_by().values("project_id").distinct().count()
    figures = attrgetter("project_count", "total_investment", "annual_investment")
    events = {
        event.pk: figures(event)
        for event in StartEvent.objects.visible_to(user).filter(year=year).listed_with_totals(user)
    }
    return totals, events


def from_cells(user, year, today):
    assert cells.refreshed([year])
    totals = cells.year_totals(year, user, today)
    events = {
        pk: (row["project_count"], row["total_investment"], row["annual_investment"])
        for pk, row in cells.event_totals(year, user).items()
    }
    return {key: totals[key] for key in ("count", "total_investment", "annual_investment", "stalled")}, events


def assert_same(world, today=date(2026, 12, 1), year=2026):
    for persona in PERSONAS:
        user = getattr(world, persona)
        assert from_cells(user, year, today) == from_tables(user, year, today), persona


def test_the_cells_give_the_tables_figures_for_every_persona(world, starts):
    for today in (date(2026, 3, 1), date(2026, 5, 19), date(2026, 12, 1)):
        assert_same(world, today)
    totals, events = from_cells(world.coordinator, 2026, date(2026, 12, 1))
    # project_a counts once for the year, under its local entry (4000, not the city's 9999).
    assert totals == {
        "count": 4,
        "total_investment": Decimal("106000.00"),
        "annual_investment": Decimal("10000.00"),
        # The third and project_b show nothing; project_a neither; the cancelled one is not stalled.
        "stalled": 3,
    }
    assert events[starts["autumn"].pk] == (2, Decimal("20000.00"), Decimal("4000.00"))


def test_a_project_at_two_events_is_stalled_from_the_first_check_date(world, starts):
    # Shown for the autumn event (a report in its window), not for spring's.
    report(world.project_a, 2026, 9, "500")
    totals, _events = from_cells(world.coordinator, 2026, date(2026, 6, 1))
    assert totals["stalled"] == 3
    assert_same(world, date(2026, 6, 1))
    assert_same(world, date(2026, 12, 1))


@pytest.mark.parametrize(
    "write",
    [
        "report_in_window",
        "draft_report",
        "report_after_window",
        "start_date",
        "unit_moved",
        "owner_moved",
        "total_changed",
        "cancelled",
        "entry_changed",
        "entry_removed",
        "counted_moved",
        "event_moved",
        "event_to_next_year",
        "member_removed",
        "member_added",
        "event_deleted",
        "project_deleted",
    ],
)
def test_every_write_the_figures_depend_on_is_followed(world, starts, write):
    assert_same(world)
    third = starts["third"]
    if write == "report_in_window":
        report(third, 2026, 4, "300", state="submitted")
    elif write == "draft_report":
        report(third, 2026, 4, "300", state="draft")
    elif write == "report_after_window":
        report(third, 2026, 6, "300")
    elif write == "start_date":
        Project.objects.filter(pk=third.pk).update(actual_start_date=date(2026, 5, 1))
    elif write == "unit_moved":
        Project.objects.filter(pk=third.pk).update(responsible_unit=world.town)
    elif write == "owner_moved":
        Project.objects.filter(pk=world.project_a.pk).update(owner_unit=world.owner_b_unit)
    elif write == "total_changed":
        Project.objects.filter(pk=world.project_b.pk).update(total_investment=Decimal("61000"))
    elif write == "cancelled":
        Project.objects.filter(pk=third.pk).update(status="cancelled")
    elif write == "entry_changed":
        PlanEntry.objects.filter(project=third).update(annual_investment=7500)
    elif write == "entry_removed":
        # Its city entry counts in its place (plans.counting's signals).
        PlanEntry.objects.get(plan=starts["local"], project=world.project_a).delete()
    elif write == "counted_moved":
        PlanEntry.objects.create(
            plan=starts["local"], project=third, plan_type="new_start", annual_investment=100
        )
        recount(2026, [third.pk])
    elif write == "event_moved":
        spring = starts["spring"]
        spring.held_on = date(2026, 2, 1)
        spring.save()
    elif write == "event_to_next_year":
        autumn = starts["autumn"]
        autumn.held_on = date(2027, 1, 10)
        autumn.save()
    elif write == "member_removed":
        StartEventProject.objects.filter(event=starts["spring"], project=world.project_b).delete()
    elif write == "member_added":
        StartEventProject.objects.create(event=starts["autumn"], project=world.project_b)
    elif write == "event_deleted":
        starts["spring"].delete()
    elif write == "project_deleted":
        StartEventProject.objects.filter(project=starts["cancelled"]).delete()
        starts["cancelled"].delete()
    # A report for a period after every check window changes nothing, and marks nothing.
    assert StartStale.objects.exists() == (write != "report_after_window")
    for today in (date(2026, 5, 19), date(2026, 12, 1)):
        assert_same(world, today)
    assert_same(world, year=2027)


def test_a_write_marks_only_its_own_owner(world, starts):
    assert cells.refreshed([2026])
    report(starts["third"], 2026, 4, "300")
    marks = set(StartStale.objects.values_list("year", "unit_id", "owner_id"))
    assert marks == {(2026, world.housing.pk, 0)}
    # A report of a project no event started marks nothing.
    StartStale.objects.all().delete()
    other = Project.objects.create(
        name="区图书馆", category=world.project_a.category, total_investment=1, responsible_unit=world.town
    )
    report(other, 2026, 4, "300")
    assert not StartStale.objects.exists()


def test_a_rebuild_of_one_owner_leaves_the_others_cells(world, starts):
    assert cells.refreshed([2026])
    others = set(StartCell.objects.exclude(unit_id=world.housing.pk).values_list("pk", flat=True))
    report(starts["third"], 2026, 4, "300")
    assert cells.refreshed([2026])
    assert others <= set(StartCell.objects.values_list("pk", flat=True))
    assert_same(world)


def test_the_whole_rebuild_equals_the_marked_ones(world, starts):
    report(starts["third"], 2026, 4, "300")
    assert cells.refreshed([2026])
    fields = ("year", "event_id", "unit_id", "per_owner", "owner_unit_id", "stalled_after", "count")
    kept = sorted(StartCell.objects.values_list(*fields), key=repr)
    cells.rebuild_all()
    assert sorted(StartCell.objects.values_list(*fields), key=repr) == kept
    assert not StartStale.objects.exists()


def test_figures_and_the_page_read_the_cells(world, starts, client_for, django_assert_max_num_queries):
    assert cells.refreshed([2026])
    figures = collective_start_figures(2026, today=date(2026, 12, 1))
    assert (figures["events"], figures["count"], figures["stalled"]) == (2, 4, 3)
    # Read from the cells: the memberships' table is not read at all.
    client = client_for(world.town_user)
    with connection.execute_wrapper(refuse_members):
        response = client.get("/starts/?year=2026")
    assert response.status_code == 200
    page = response.content.decode()
    assert "集中开工项目共计2个" in page
    assert "2026年第二批集中开工" in page and "2026年第一批集中开工" in page


def refuse_members(execute, sql, params, many, context):
    assert StartEventProject._meta.db_table not in sql, sql
    return execute(sql, params, many, context)


def test_an_outsider_sees_no_event_and_no_figure(world, starts, client_for):
    response = client_for(world.outsider).get("/starts/?year=2026")
    assert response.status_code == 200
    assert "2026年第一批集中开工" not in response.content.decode()
    assert from_cells(world.outsider, 2026, date(2026, 12, 1)) == (
        {"count": 0, "total_investment": Decimal("0.00"), "annual_investment": Decimal("0.00"), "stalled": 0},
        {},
    )
