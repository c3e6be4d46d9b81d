"""审批效能's summary gives what the procedures give, after every kind of write that changes them."""

import calendar
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext

from approvals import cells, figures
from approvals.figures import PROCESSING_DAYS, approval_efficiency, counted_in, same_day_last_year
from approvals.models import DAY_KEY, ApprovalCell, ApprovalDayCell
from catalog.models import ProcedureType
from plans.scope import Scope
from projects.models import Procedure, Project

pytestmark = pytest.mark.django_db


# The kinds of month cell: over every unit, per responsible unit, per responsible unit and owner.
KINDS = ("all", "unit", "owner")


def from_cells(kind: str = "all") -> dict[tuple, tuple[int, int]]:
    """The month cells of a kind (KINDS), by their key."""
    rows = ApprovalCell.objects.filter(count__gt=0, per_owner=kind == "owner")
    rows = rows.filter(unit_id=0) if kind == "all" else rows.exclude(unit_id=0) if kind == "unit" else rows
    found = {}
    for c in rows:
        key: tuple = (c.year, c.month, c.type_id, c.department_id, c.nature, c.green_channel)
        if kind == "owner":
            key += (c.unit_id, c.owner_unit_id)
        elif kind == "unit":
            assert c.owner_unit_id == 0
            key += (c.unit_id,)
        else:
            assert c.owner_unit_id == 0
        found[key] = (c.count, c.days)
    return found


def from_tables(kind: str = "all") -> dict[tuple, tuple[int, int]]:
    """What the month cells of a kind should hold, from the procedures."""
    done = Procedure.objects.filter(status="done", submitted_on__isnull=False, approved_on__isnull=False)
    keys = [
        "approved_on__year",
        "approved_on__month",
        "type",
        "department",
        "project__investment_nature",
        "green_channel",
    ]
    units = {"all": [], "unit": ["project__responsible_unit"]}.get(
        kind, ["project__responsible_unit", "project__owner_unit"]
    )
    if kind == "unit":
        done = done.filter(project__responsible_unit__isnull=False)
    rows = (
        done.values(*keys, *units)
        .annotate(n=Count("id"), d=Sum(PROCESSING_DAYS))
        .values_list(*keys, *units, "n", "d")
        .order_by()
    )
    found: dict[tuple, tuple[int, int]] = {}
    for year, month, kind_id, department, nature, green, *rest in rows:
        *unit_keys, n, d = rest
        key = (year, month, kind_id, department or 0, nature, green, *(unit or 0 for unit in unit_keys))
        count, days = found.get(key, (0, 0))
        found[key] = (count + n, days + d)
    return found


def from_day_cells() -> dict[tuple, tuple[int, int]]:
    """The day cells, by their key."""
    return {
        tuple(getattr(c, field) for field in DAY_KEY): (c.count, c.days)
        for c in ApprovalDayCell.objects.filter(count__gt=0)
    }


def from_day_tables() -> dict[tuple, tuple[int, int]]:
    """What the day cells should hold, from the procedures: each done on its day of approval, each
    in progress on its day of submission (0 for none) by its type alone; over every unit, of its
    responsible unit (when it has one), and of its responsible unit and owner unit."""
    found: dict[tuple, tuple[int, int]] = {}

    def add(key: tuple, days: int) -> None:
        count, total = found.get(key, (0, 0))
        found[key] = (count + 1, total + days)

    for p in Procedure.objects.select_related("project"):
        unit, owner = p.project.responsible_unit_id or 0, p.project.owner_unit_id or 0
        if p.status == "done" and p.submitted_on and p.approved_on:
            on = int(p.approved_on.strftime("%Y%m%d"))
            group = (p.type_id, p.department_id or 0, p.project.investment_nature, p.green_channel)
            days = (p.approved_on - p.submitted_on).days
        elif p.status == "in_progress":
            on = int(p.submitted_on.strftime("%Y%m%d")) if p.submitted_on else 0
            group, days = (p.type_id, 0, "", False), 0
        else:
            continue
        whose = [(False, 0, 0), (True, unit, owner)] + ([(False, unit, 0)] if unit else [])
        for kind in whose:
            add((*kind, p.status, on, *group), days)
    return found


def assert_cells_match():
    for kind in KINDS:
        assert from_cells(kind) == from_tables(kind), kind
    assert from_day_cells() == from_day_tables()


@pytest.fixture
def procedures(world):
    """Procedures of both natures, green and ordinary, with and without a department, approved in
    every month of two years; some in progress."""
    enterprise = Project.objects.create(
        name="企业厂房",
        category=world.project_a.category,
        total_investment=9000,
        responsible_unit=world.housing,
        investment_nature="enterprise",
    )
    types = list(ProcedureType.objects.order_by("sort_order")[:6])
    projects = [world.project_a, world.project_b, enterprise]
    made = []
    for i, (project, kind) in enumerate((p, t) for p in projects for t in types):
        submitted = date(2025, 1, 3) + timedelta(days=37 * i)
        made.append(
            Procedure.objects.create(
                project=project,
                type=kind,
                status="done" if i % 5 else "in_progress",
                submitted_on=submitted,
                approved_on=submitted + timedelta(days=5 + i % 17) if i % 5 else None,
                green_channel=i % 3 == 0,
                department=world.drc if i % 2 else None,
            )
        )
    # And some in the first days of both years, which the page's earliest dates take in.
    early = Project.objects.create(
        name="年初项目", category=world.project_a.category, total_investment=800, responsible_unit=world.drc
    )
    for kind, (submitted, approved) in zip(
        types[:4],
        [
            (date(2025, 1, 2), date(2025, 1, 7)),
            (date(2025, 2, 2), date(2025, 2, 9)),
            (date(2026, 1, 2), date(2026, 1, 5)),
            (date(2026, 2, 3), date(2026, 2, 12)),
        ],
        strict=True,
    ):
        made.append(
            Procedure.objects.create(
                project=early, type=kind, status="done", submitted_on=submitted, approved_on=approved
            )
        )
    assert_cells_match()
    return made


def test_the_cells_follow_every_kind_of_write(world, procedures):
    assert from_cells()
    moved = procedures[1]
    moved.approved_on = moved.approved_on + timedelta(days=45)
    moved.green_channel = not moved.green_channel
    moved.save()
    assert_cells_match()

    reopened = procedures[2]
    reopened.status = "in_progress"
    reopened.approved_on = None
    reopened.save()
    assert_cells_match()

    # In progress without a day of submission: counted, never past its time limit.
    undated = procedures[10]
    assert undated.status == "in_progress"
    undated.submitted_on = None
    undated.save()
    assert_cells_match()

    finished = procedures[5]
    finished.status, finished.approved_on = "done", finished.submitted_on + timedelta(days=3)
    finished.save()
    assert_cells_match()

    procedures[3].delete()
    assert_cells_match()

    Procedure.objects.filter(project=world.project_b).update(department=world.housing, green_channel=True)
    assert_cells_match()

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Procedure._meta.db_table} SET approved_on = submitted_on WHERE project_id = %s",
            [world.project_a.pk],
        )
    assert_cells_match()

    Procedure.objects.filter(project=world.project_a, type__sort_order__gt=2).delete()
    assert_cells_match()


def test_a_project_changing_its_nature_moves_its_procedures(world, procedures):
    project = Project.objects.get(pk=world.project_b.pk)
    project.investment_nature = "enterprise"
    project.save()
    assert_cells_match()
    Project.objects.filter(pk__in=[world.project_a.pk, world.project_b.pk]).update(
        investment_nature="government"
    )
    assert_cells_match()
    # A change of anything else moves nothing.
    Project.objects.filter(pk=world.project_a.pk).update(name="改名后的项目")
    assert_cells_match()


def test_a_project_changing_its_units_moves_its_procedures(world, procedures):
    project = Project.objects.get(pk=world.project_b.pk)
    project.responsible_unit = world.education
    project.owner_unit = world.owner_a_unit
    project.save()
    assert_cells_match()
    # To 待明确 and back, several projects in one statement.
    Project.objects.filter(pk__in=[world.project_a.pk, world.project_b.pk]).update(
        responsible_unit=None, owner_unit=None
    )
    assert_cells_match()
    Project.objects.filter(pk__in=[world.project_a.pk, world.project_b.pk]).update(
        responsible_unit=world.housing, owner_unit=world.owner_b_unit
    )
    assert_cells_match()


def test_procedures_written_in_bulk_are_counted(world, procedures):
    kind = ProcedureType.objects.order_by("-sort_order").first()
    Procedure.objects.bulk_create(
        Procedure(
            project=project,
            type=kind,
            status="done",
            submitted_on=date(2026, 4, 1),
            approved_on=date(2026, 4, 20),
        )
        for project in Project.objects.all()
    )
    assert_cells_match()


def test_a_rebuild_gives_the_cells_the_triggers_kept(world, procedures):
    kept = {kind: from_cells(kind) for kind in KINDS}
    days = from_day_cells()
    assert days and all(kept.values())
    assert cells.rebuild() == ApprovalCell.objects.count()
    assert {kind: from_cells(kind) for kind in KINDS} == kept
    assert from_day_cells() == days


def from_procedures(this_end, last_end, scope=None):
    """counted_from_cells() as the procedures themselves give it."""
    year = this_end.year
    this = Q(approved_on__gte=date(year, 1, 1), approved_on__lte=this_end)
    last = Q(approved_on__gte=date(year - 1, 1, 1), approved_on__lte=last_end)
    return list(counted_in(Procedure.objects.all(), this, last, date(year, 1, 1)))


@pytest.mark.parametrize(
    "through",
    [date(2026, 12, 31), date(2026, 9, 14), date(2026, 1, 9), date(2026, 2, 28), date(2026, 6, 30)],
)
def test_the_page_reads_the_same_figures_from_the_cells(world, procedures, monkeypatch, through):
    from_summary = approval_efficiency(2026, through=through)
    monkeypatch.setattr(figures, "counted_from_cells", from_procedures)
    assert approval_efficiency(2026, through=through) == from_summary
    assert from_summary["overall"]["count"] and from_summary["overall"]["last_count"]


@pytest.mark.parametrize("through", [date(2026, 12, 31), date(2026, 9, 14), date(2026, 2, 28)])
@pytest.mark.parametrize(
    "persona", ["department", "town_user", "owner_a", "owner_b", "leader", "coordinator", "outsider"]
)
def test_a_units_and_an_owners_scope_read_the_same_figures_from_the_cells(
    world, procedures, monkeypatch, persona, through
):
    # The department's projects split between two owners, one without: each reads its own.
    Project.objects.filter(pk=world.project_a.pk).update(owner_unit=world.owner_a_unit)
    Project.objects.filter(pk=world.project_b.pk).update(owner_unit=world.owner_b_unit)
    scope = Scope(user=getattr(world, persona))
    with CaptureQueriesContext(connection) as queries:
        from_summary = approval_efficiency(2026, scope, through=through)
    if through.day == calendar.monthrange(through.year, through.month)[1]:
        # Whole months only: no procedure is counted from the table.
        assert not [q for q in queries if "projects_procedure" in q["sql"] and "GROUP BY" in q["sql"]]
    monkeypatch.setattr(figures, "served", lambda scope: False)
    assert approval_efficiency(2026, scope, through=through) == from_summary


def test_a_coordinators_unit_filter_reads_the_units_cells(world, procedures, monkeypatch):
    scope = Scope(user=world.coordinator, unit=world.drc)
    with CaptureQueriesContext(connection) as queries:
        from_summary = approval_efficiency(2026, scope, through=date(2026, 12, 31))
    assert not [q for q in queries if "projects_procedure" in q["sql"] and "GROUP BY" in q["sql"]]
    assert from_summary["overall"]["count"]
    monkeypatch.setattr(figures, "served", lambda scope: False)
    assert approval_efficiency(2026, scope, through=date(2026, 12, 31)) == from_summary


def test_the_same_day_last_year_of_a_leap_day():
    assert same_day_last_year(date(2028, 2, 29)) == date(2027, 2, 28)


def test_a_year_asked_for_before_it_begins_has_nothing_yet(world, procedures):
    """December 2026, a leader picks January 2027: the figures' context ends on today, in 2026."""
    figures = approval_efficiency(2027, through=date(2026, 12, 5))
    assert figures["overall"]["count"] == 0 and figures["overall"]["last_count"] == 0


def test_moving_a_done_procedure_to_another_project_of_another_nature(world, procedures):
    enterprise = Project.objects.create(
        name="新建企业仓储",
        category=world.project_a.category,
        total_investment=3000,
        responsible_unit=world.drc,
        investment_nature="enterprise",
    )
    moved = next(p for p in procedures if p.status == "done" and p.project_id == world.project_a.pk)
    Procedure.objects.filter(pk=moved.pk).update(project=enterprise, note="换到企业项目")
    assert_cells_match()
    # A note written on a done procedure changes no cell.
    before = from_cells()
    Procedure.objects.filter(status="done").update(note="已核对", document_number="文号")
    assert from_cells() == before
    assert_cells_match()


def test_the_command_builds_the_cells_again_after_a_truncate(world, procedures):
    kept = from_cells()
    days = from_day_cells()
    ApprovalCell.objects.all().delete()
    ApprovalDayCell.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_approval_cells", stdout=out)
    assert "审批效能汇总已重建" in out.getvalue()
    assert from_cells() == kept
    assert from_day_cells() == days


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan SQLite chooses without statistics")
def test_every_projects_months_are_read_from_the_totals_alone(world):
    """The whole registry's months of both years are the cells added up over the units, found
    through their own index rather than among every unit's and owner's cells of those months."""
    with CaptureQueriesContext(connection) as queries:
        figures.counted_from_cells(date(2026, 11, 30), date(2025, 11, 30))
    (statement,) = [q["sql"] for q in queries if "approvals_approvalcell" in q["sql"]]
    with connection.cursor() as cursor:
        plan = " ".join(row[-1] for row in cursor.execute(f"EXPLAIN QUERY PLAN {statement}").fetchall())
    assert "INDEX approval_cell_totals" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the scope indexes are PostgreSQL's")
def test_postgresql_has_the_indexes_of_a_scopes_cells():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'approvals_approvalcell'"
        )
        found = dict(cursor.fetchall())
    assert "WHERE ((unit_id > 0) AND (NOT per_owner) AND (count > 0))" in found["approval_cell_own_of_unit"]
    assert "WHERE (per_owner AND (count > 0))" in found["approval_cell_of_owner"]
