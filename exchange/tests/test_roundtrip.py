"""Export → import of the official tables leaves the data as it was: 0 changed rows, the same figures."""

from datetime import date
from decimal import Decimal

import pytest

from catalog.models import ProcedureType
from exchange.export import export_table
from exchange.importer import import_table
from org.models import Person
from plans.models import Plan, PlanEntry
from progress.choices import ReportState
from progress.models import Report, ReportRevision
from progress.periods import Period
from projects.models import Procedure, Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Kept import files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


YEAR = 2026
MARCH = Period(YEAR, 3)


@pytest.fixture
def data(world, person_for):
    """Two projects with everything the tables carry: codes, contacts, dates, procedures, reports."""
    a, b = world.project_a, world.project_b
    a.code = "2020-440104-70-01-012345"
    a.content = "道路改造3.2公里，含雨污分流"
    a.address = "滨河路"
    a.owner_contact = Person.objects.create(name="王五", phone="13800001111", unit=world.owner_a_unit)
    a.responsible_person = Person.objects.create(name="刘工", unit=world.housing)
    a.chief_officer = person_for(world.coordinator)
    a.planned_start_date, a.actual_start_date = date(2025, 3, 1), date(2025, 3, 20)
    a.planned_completion_date = date(2027, 6, 30)
    a.in_statistics = True
    a.signing_status = "已签约"
    a.save()
    b.status = "construction"
    b.report_frequency = "half_monthly"
    b.owner_contact = Person.objects.create(name="赵六", phone="0375-1234567", unit=world.owner_b_unit)
    b.save()
    plan = Plan.objects.create(year=YEAR, level="local", title="计划")
    PlanEntry.objects.create(
        plan=plan, project=a, plan_type="continuing", annual_investment=Decimal("3000.50")
    )
    PlanEntry.objects.create(
        plan=plan, project=b, plan_type="new_start", annual_investment=Decimal(800), note="新开工"
    )
    types = {t.code: t for t in ProcedureType.objects.all()}
    Procedure.objects.create(
        project=a, type=types["land"], status="done", submitted_on="2025-01-01", approved_on="2025-02-01"
    )
    Procedure.objects.create(project=a, type=types["eia"], status="not_needed")
    Procedure.objects.create(
        project=b, type=types["approval"], status="in_progress", submitted_on="2026-01-05"
    )
    for month, amount, ytd, cumulative, opening in (
        (1, 100, 100, 2100, True),
        (2, 150, 250, 2250, False),
        (3, 80, 330, 2330, False),
    ):
        Report.objects.create(
            project=a, year=YEAR, month=month, amount=Decimal(amount), year_to_date=Decimal(ytd),
            cumulative=Decimal(cumulative), is_opening=opening, state=ReportState.ACCEPTED,
            deadline=Period(YEAR, month).deadline, progress_text=f"{month}月形象进度",
            procedure_states={"land": "done"},
        )  # fmt: skip
    for part, part_amount, total in ((1, "10.25", "10.25"), (2, "15", "25.25")):
        Report.objects.create(
            project=b, year=YEAR, month=3, part=part, frequency="half_monthly", amount=Decimal(part_amount),
            year_to_date=Decimal(total), cumulative=Decimal(total), is_opening=part == 1,
            state=ReportState.SUBMITTED, deadline=Period(YEAR, 3, part, "half_monthly").deadline,
        )  # fmt: skip
    return plan


def state() -> dict[str, list[tuple]]:
    """Everything an import could change, as plain values."""
    return {
        "projects": list(Project.objects.order_by("id").values_list()),
        "entries": list(PlanEntry.objects.order_by("id").values_list()),
        "procedures": list(Procedure.objects.order_by("id").values_list()),
        "reports": list(Report.objects.order_by("id").values_list()),
        "revisions": list(ReportRevision.objects.values_list("id")),
    }


@pytest.mark.parametrize(("table", "period"), [(1, None), (2, None), (2, MARCH), (3, MARCH)])
def test_export_then_import_changes_nothing(world, data, table, period):
    PlanEntry.objects.filter(project=world.project_b).update(
        plan_type="preliminary" if table == 1 else "new_start"
    )
    before = state()
    content = export_table(table, YEAR, "local", period=period)
    result = import_table(
        content,
        f"附件{table}.xlsx",
        year=YEAR,
        level="local",
        period=period,
        user=world.coordinator,
        commit=True,
    )
    assert result.errors == [], result.errors
    assert result.counts["changed"] == 0 and result.counts["new"] == 0, [r for r in result.rows if r.changes]
    assert result.counts["unchanged"] == len(result.rows) >= 1
    assert state() == before


@pytest.mark.parametrize("second_half", [None, ReportState.DRAFT, ReportState.RETURNED])
def test_a_month_exported_before_its_last_part_is_in_imports_unchanged(world, data, second_half):
    """Mid-month, a half-monthly project has its first half in and its second missing or still
    with the owner: the table shows the first half as the month, and importing it back neither
    reports the second half as nothing nor overwrites the owner's figures."""
    b = world.project_b
    Report.objects.filter(project=b, part=2).delete()
    Report.objects.filter(project=b, part=1).update(state=ReportState.ACCEPTED)
    if second_half:
        Report.objects.create(
            project=b, year=YEAR, month=3, part=2, frequency="half_monthly", amount=Decimal("33"),
            year_to_date=Decimal("43.25"), cumulative=Decimal("43.25"), state=second_half,
            deadline=Period(YEAR, 3, 2, "half_monthly").deadline,
        )  # fmt: skip
    before = state()
    content = export_table(3, YEAR, "local", period=MARCH)
    result = import_table(
        content, "附件3.xlsx", year=YEAR, level="local", period=MARCH, user=world.coordinator, commit=True
    )
    assert result.errors == [], result.errors
    assert result.counts["changed"] == 0 and result.counts["new"] == 0, [r.changes for r in result.rows]
    assert state() == before


def test_a_units_own_export_imports_unchanged_under_its_scope(world, data):
    content = export_table(3, YEAR, "local", period=MARCH, user=world.department)
    result = import_table(
        content, "附件3.xlsx", year=YEAR, level="local", period=MARCH, user=world.department
    )
    assert result.errors == [] and result.counts["unchanged"] == 1


def test_an_export_edited_for_next_month_imports_as_new_reports(world, data):
    import io

    import openpyxl
    from openpyxl.worksheet.worksheet import Worksheet

    content = export_table(3, YEAR, "local", period=MARCH)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet["H6"], sheet["I6"], sheet["J6"], sheet["K6"] = 70, 2400, 400, "4月形象进度"
    sheet["H7"], sheet["I7"], sheet["J7"] = None, None, None
    buffer = io.BytesIO()
    book.save(buffer)
    april = Period(YEAR, 4)
    result = import_table(
        buffer.getvalue(), "附件3.xlsx", year=YEAR, level="local", period=april, commit=True
    )
    assert result.errors == [] and result.counts["new"] == 1 and result.counts["unchanged"] == 1
    report = Report.objects.get(project=world.project_a, month=4)
    assert (report.amount, report.year_to_date, report.cumulative) == (
        Decimal(70),
        Decimal(400),
        Decimal(2400),
    )
    assert not report.is_opening


def test_a_table_without_a_submitted_last_part_sets_it_to_nothing(world, data):
    """The export counts a submitted second half in the month; a table whose month is the first half
    alone says the second half was nothing, and the import writes that (and accepts it)."""
    import io

    import openpyxl
    from openpyxl.worksheet.worksheet import Worksheet

    Report.objects.filter(project=world.project_b, part=1).update(state=ReportState.ACCEPTED)
    book = openpyxl.load_workbook(io.BytesIO(export_table(3, YEAR, "local", period=MARCH)))
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    assert sheet["B7"].value == world.project_b.name and sheet["H7"].value == 25.25
    sheet["H7"], sheet["I7"], sheet["J7"] = 10.25, 10.25, 10.25
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_table(
        buffer.getvalue(),
        "附件3.xlsx",
        year=YEAR,
        level="local",
        period=MARCH,
        user=world.coordinator,
        commit=True,
    )
    assert result.errors == [] and result.counts["changed"] == 1
    second = Report.objects.get(project=world.project_b, part=2)
    assert (second.amount, second.state) == (Decimal("0.00"), ReportState.ACCEPTED)
