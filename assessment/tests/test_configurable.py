"""The configurable assessment: indicators added and removed with their data sources, 无数据 counted
as the administrator chose (left out, or zero — never full marks), and the new sources: 督查结果,
三类表格按时报送 and 竣工率."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from assessment.models import Indicator, TableSubmission
from assessment.providers import PROVIDERS, Basis, Window, monthly_deadline
from assessment.scores import scores
from exchange.models import ImportBatch
from figures.tests.test_figures import accepted
from org.choices import UnitKind
from org.models import Unit
from plans.models import Plan, PlanEntry
from plans.scope import Scope, scope_entries
from progress.rollup import refresh_projects
from projects.models import Project
from supervision.models import Inspection, Notice, NoticeReply

pytestmark = pytest.mark.django_db
Q1 = Window(2026, "quarter", 1)


@pytest.fixture
def streets(world):
    """Two streets with one project each on the 2026 plan: 东街 completes 50% of its plan by March and
    has a problem raised (solved); 西街 completes 100% and has none."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    result = {}
    for name, done in (("东街", "500"), ("西街", "1000")):
        town = Unit.objects.create(name=name, kind=UnitKind.TOWN, parent=world.government)
        project = Project.objects.create(
            name=f"{name}项目",
            category=world.project_a.category,
            total_investment=50000,
            responsible_unit=town,
            town=town,
            status="construction",
            actual_start_date=date(2025, 6, 1),
        )
        PlanEntry.objects.create(
            plan=plan, project=project, plan_type="continuing", annual_investment=Decimal(1000)
        )
        accepted(project, 2026, 3, done)
        result[name] = town
    refresh_projects(Project.objects.values_list("pk", flat=True))
    from problems.models import Problem

    moment = timezone.make_aware(datetime(2026, 2, 10, 9))
    Problem.objects.create(
        project=Project.objects.get(town=result["东街"]),
        category="funding",
        description="资金缺口",
        raised_at=moment,
        status="resolved",
        resolved_at=moment,
    )
    # Two indicators only: completion (60) and problem closure (40).
    Indicator.objects.exclude(code__in=["completion_rate", "problem_closure"]).delete()
    Indicator.objects.filter(code="completion_rate").update(weight=60)
    Indicator.objects.filter(code="problem_closure").update(weight=40)
    return result


def row_of(result, town):
    row = next(r for r in result["rows"] if r["unit"] == town)
    return row, {c["indicator"].code: c for c in row["cells"]}


def test_an_indicator_without_data_left_out_scales_the_others_to_full_marks(world, streets):
    Indicator.objects.filter(code="problem_closure").update(missing="exclude")
    result = scores("town", Q1)
    west, cells = row_of(result, streets["西街"])
    assert cells["problem_closure"]["rate"] is None and cells["problem_closure"]["score"] is None
    # 60 of 60 possible → 100 of 100.
    assert west["total"] == Decimal("100.00")
    east, cells = row_of(result, streets["东街"])
    # 50% of 60 = 30, problems all solved = 40: 70 of 100.
    assert cells["problem_closure"]["score"] == Decimal("40.00") and east["total"] == Decimal("70.00")
    assert [r["unit"].name for r in result["rows"][:2]] == ["西街", "东街"]


def test_an_indicator_without_data_counted_as_zero(world, streets):
    Indicator.objects.filter(code="problem_closure").update(missing="zero")
    result = scores("town", Q1)
    west, cells = row_of(result, streets["西街"])
    assert cells["problem_closure"]["rate"] is None and cells["problem_closure"]["score"] == Decimal("0.00")
    assert west["total"] == Decimal("60.00")
    assert [r["unit"].name for r in result["rows"][:2]] == ["东街", "西街"]


def test_no_data_is_never_full_marks_and_a_unit_without_any_has_no_total(world, streets):
    empty = Unit.objects.create(name="北街", kind=UnitKind.TOWN, parent=world.government)
    for missing in ("exclude", "zero"):
        Indicator.objects.update(missing=missing)
        result = scores("town", Q1)
        row, cells = row_of(result, empty)
        assert all(cell["rate"] is None for cell in cells.values())
        assert row["total"] == (None if missing == "exclude" else Decimal("0.00"))
        # 城关街道 of the personas' world has no data either: both come after the streets scored.
        assert {r["unit"].name for r in result["rows"][-2:]} == {"北街", "城关街道办事处"}


def test_the_page_shows_no_data(world, client_for, streets):
    response = client_for(world.coordinator).get(
        "/assessment/", {"year": 2026, "kind": "quarter", "number": 1}
    )
    assert "无数据（不计入）" in response.content.decode()
    Indicator.objects.update(missing="zero")
    response = client_for(world.coordinator).get(
        "/assessment/", {"year": 2026, "kind": "quarter", "number": 1}
    )
    assert "无数据（计0分）" in response.content.decode()


def formset_data(rows, extra=None):
    """The indicator page's formset: `rows` are (indicator, changes), `extra` the new one's fields."""
    data = {"form-TOTAL_FORMS": len(rows) + (1 if extra else 0), "form-INITIAL_FORMS": len(rows)}
    for i, (indicator, changes) in enumerate(rows):
        fields = {
            "id": indicator.pk,
            "name": indicator.name,
            "weight": indicator.weight,
            "target": indicator.target,
            "missing": indicator.missing,
            "sort_order": indicator.sort_order,
            "is_active": "on",
            **changes,
        }
        data.update({f"form-{i}-{k}": v for k, v in fields.items() if v is not None})
    if extra:
        data.update({f"form-{len(rows)}-{k}": v for k, v in extra.items()})
    return data


def test_admin_adds_and_removes_indicators(world, client_for, streets):
    client = client_for(world.admin)
    completion = Indicator.objects.get(code="completion_rate")
    closure = Indicator.objects.get(code="problem_closure")
    page = client.get("/assessment/indicators/")
    choices = dict(page.context["formset"].forms[-1].fields["code"].widget.choices)
    assert "supervision" in choices and "tables_on_time" in choices and "completion_rate" not in choices
    # Remove 问题销号率, add 督查结果 (20, 计0分), completion to 80.
    data = formset_data(
        [(completion, {"weight": "80"}), (closure, {"DELETE": "on"})],
        extra={
            "code": "supervision",
            "name": "",
            "weight": "20",
            "target": "90",
            "missing": "zero",
            "is_active": "on",
            "sort_order": "5",
        },
    )
    response = client.post("/assessment/indicators/", data)
    assert response.status_code == 302
    assert sorted(Indicator.objects.values_list("code", "name", "weight", "missing")) == [
        ("completion_rate", "年度计划完成率", Decimal("80.0"), "exclude"),
        ("supervision", "督查结果", Decimal("20.0"), "zero"),
    ]
    # Weights not adding up to 100 save nothing, neither the removal nor the addition.
    supervision = Indicator.objects.get(code="supervision")
    data = formset_data(
        [(Indicator.objects.get(code="completion_rate"), {"DELETE": "on"}), (supervision, {})],
        extra={
            "code": "tables_on_time",
            "name": "三类表格",
            "weight": "30",
            "target": "100",
            "missing": "exclude",
            "is_active": "on",
            "sort_order": "6",
        },
    )
    response = client.post("/assessment/indicators/", data, follow=True)
    assert "合计应为100分" in response.content.decode()
    assert sorted(Indicator.objects.values_list("code", flat=True)) == ["completion_rate", "supervision"]
    # An unknown source is refused.
    data = formset_data(
        [(Indicator.objects.get(code="completion_rate"), {"weight": "50"}), (supervision, {})],
        extra={
            "code": "made_up",
            "name": "x",
            "weight": "30",
            "target": "100",
            "missing": "exclude",
            "is_active": "on",
            "sort_order": "6",
        },
    )
    assert client.post("/assessment/indicators/", data).status_code == 200
    assert Indicator.objects.count() == 2


def test_supervision_results_count_inspection_findings_and_overdue_notices(world, streets):
    east, west = streets["东街"], streets["西街"]
    project = Project.objects.get(town=east)
    Inspection.objects.create(project=project, date=date(2026, 2, 3), findings="现场有序", requirements="")
    Inspection.objects.create(
        project=project, date=date(2026, 3, 3), findings="进度滞后", requirements="限期整改"
    )
    on_time = Notice.objects.create(
        title="督办一",
        target_unit=east,
        content="加快",
        deadline=date(2026, 3, 10),
        issuing_office="督查局",
        issued_on=date(2026, 3, 1),
    )
    NoticeReply.objects.create(
        notice=on_time, text="已办", replied_at=timezone.make_aware(datetime(2026, 3, 9, 10))
    )
    late = Notice.objects.create(
        title="督办二",
        target_unit=west,
        content="加快",
        deadline=date(2026, 3, 20),
        issuing_office="督查局",
        issued_on=date(2026, 3, 1),
    )
    NoticeReply.objects.create(
        notice=late, text="已办", replied_at=timezone.make_aware(datetime(2026, 3, 25, 10))
    )
    entries = scope_entries(2026, Scope()).exclude(project__town__isnull=True)
    rates = PROVIDERS["supervision"].compute(
        Basis(entries, "project__town", Q1, [east.pk, west.pk], today=date(2026, 4, 1))
    )
    # 东街: two inspections (one with 整改要求) and a notice answered in time → 2 of 3 clean.
    assert rates[east.pk] == Decimal("66.7")
    # 西街: one notice answered late → 0 of 1.
    assert rates[west.pk] == Decimal("0.0")
    # 第二季度: nothing inspected or due → no data.
    assert (
        PROVIDERS["supervision"].compute(
            Basis(entries, "project__town", Window(2026, "quarter", 2), [east.pk])
        )
        == {}
    )


def test_finish_rate_counts_projects_due_to_complete(world, streets):
    project = Project.objects.get(town=streets["东街"])
    PlanEntry.objects.filter(project=project).update(plan_type="completing", planned_completion_month=3)
    entries = scope_entries(2026, Scope()).exclude(project__town__isnull=True)
    basis = Basis(entries, "project__town", Q1, [])
    assert PROVIDERS["finish_rate"].compute(basis) == {streets["东街"].pk: Decimal("0.0")}
    Project.objects.filter(pk=project.pk).update(actual_completion_date=date(2026, 3, 30))
    assert PROVIDERS["finish_rate"].compute(basis) == {streets["东街"].pk: Decimal("100.0")}


def commit_import(user, table, period, moment):
    batch = ImportBatch(
        original_name="附件.xlsx", table=table, year=2026, level="local", period=period, uploaded_by=user
    )
    batch.file.save("t.xlsx", ContentFile(b"x"), save=False)
    batch.status = ImportBatch.Status.COMMITTED
    batch.committed_at = moment
    batch.save()
    return batch


def test_a_units_import_is_its_table_submission(world):
    town_user = world.town_user
    commit_import(town_user, 1, "2026-02", timezone.make_aware(datetime(2026, 2, 20, 9)))
    commit_import(town_user, 1, "2026-02", timezone.make_aware(datetime(2026, 2, 27, 9)))  # the first counts
    commit_import(
        world.coordinator, 2, "2026-02", timezone.make_aware(datetime(2026, 2, 21, 9))
    )  # not a unit's
    rows = list(TableSubmission.objects.values_list("unit__name", "table", "year", "month"))
    assert rows == [("城关街道办事处", 1, 2026, 2)]
    assert timezone.localtime(TableSubmission.objects.get().submitted_at).day == 20


def test_three_tables_on_time(world, streets):
    """东街 sends 附件1 on time and 附件2 late in January; its monthly report of January was not sent.
    西街 sends nothing. Only January's deadline has passed at the check."""
    east, west = streets["东街"], streets["西街"]
    deadline = monthly_deadline(2026, 1)
    on_time = timezone.make_aware(datetime.combine(deadline, datetime.min.time()))
    TableSubmission.objects.create(unit=east, table=1, year=2026, month=1, submitted_at=on_time)
    TableSubmission.objects.create(
        unit=east, table=2, year=2026, month=1, submitted_at=on_time + timedelta(days=2)
    )
    entries = scope_entries(2026, Scope()).exclude(project__town__isnull=True)
    basis = Basis(entries, "project__town", Q1, [east.pk, west.pk], today=date(2026, 2, 1))
    rates = PROVIDERS["tables_on_time"].compute(basis)
    # January: 附件1 and 附件2 due from both; 附件3 due from each (their projects report monthly).
    assert rates[east.pk] == Decimal("33.3")
    assert rates[west.pk] == Decimal("0.0")
    # 东街's January report sent by the deadline makes its 附件3 on time.
    from progress.models import Report

    accepted(Project.objects.get(town=east), 2026, 1, "100")
    Report.objects.filter(month=1).update(first_submitted_at=on_time)
    assert PROVIDERS["tables_on_time"].compute(basis)[east.pk] == Decimal("66.7")
    # Before January's deadline nothing is due yet: no data.
    early = Basis(entries, "project__town", Q1, [east.pk, west.pk], today=date(2026, 1, 20))
    assert PROVIDERS["tables_on_time"].compute(early) == {}
