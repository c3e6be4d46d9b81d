"""Rankings with 激励/鞭策 and the weighted quarterly assessment."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from alerts.models import Alert
from assessment.models import Indicator
from assessment.scores import Window, scores
from assessment.views import praise_and_pressure
from figures.tests.test_figures import accepted
from org.choices import UnitKind
from org.models import Unit
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns(world):
    """Twelve streets, each with one project: street k completes k×10% of its plan by March."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    result = []
    for k in range(1, 13):
        town = Unit.objects.create(name=f"第{k:02d}街道", kind=UnitKind.TOWN, parent=world.government)
        project = Project.objects.create(
            name=f"街道项目{k}",
            category=world.project_a.category,
            total_investment=50000,
            responsible_unit=town,
            town=town,
            status="construction",
            actual_start_date=date(2026, 2, 1) if k % 2 else None,
        )
        PlanEntry.objects.create(
            plan=plan,
            project=project,
            plan_type="new_start",
            annual_investment=Decimal(1000),
            planned_start_month=2,
        )
        accepted(project, 2026, 3, str(k * 100))
        result.append(town)
    refresh_projects(Project.objects.values_list("pk", flat=True))
    return result


def test_first_five_praised_last_five_pressed():
    rows = [{"unit_id": i} for i in range(12)]
    first, last = praise_and_pressure(rows)
    assert first == {0, 1, 2, 3, 4} and last == {7, 8, 9, 10, 11}
    first, last = praise_and_pressure([{"unit_id": i} for i in range(6)])
    assert first == {0, 1, 2} and last == {3, 4, 5}
    assert praise_and_pressure([]) == (set(), set())


def test_ranking_page_and_export(world, client_for, towns):
    client = client_for(world.coordinator)
    response = client.get(reverse("assessment:rankings"), {"period": "2026-03", "by": "town"})
    rows = response.context["rows"]
    assert [r["name"] for r in rows[:2]] == ["第12街道", "第11街道"]
    assert [r["mark"] for r in rows].count("praise") == 5 and [r["mark"] for r in rows].count("pressure") == 5
    export = client.get(reverse("assessment:rankings"), {"period": "2026-03", "by": "town", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    first = next(sheet.iter_rows(min_row=3, max_row=3, values_only=True))
    assert first[:2] == (1, "第12街道") and first[-1] == "激励"


def test_quarterly_scores_weight_rates_against_targets(world, towns):
    result = scores("town", Window(2026, "quarter", 1))
    by_name = {row["unit"].name: row for row in result["rows"]}
    best = by_name["第11街道"]  # 110% completion, started on time
    cells = {c["indicator"].code: c for c in best["cells"]}
    assert cells["completion_rate"]["rate"] == Decimal("110.0") and cells["completion_rate"][
        "score"
    ] == Decimal("40.00")
    assert cells["start_rate"]["score"] == Decimal("20.00")
    weak = {c["indicator"].code: c for c in by_name["第02街道"]["cells"]}
    assert weak["completion_rate"]["score"] == Decimal("8.00")
    assert weak["start_rate"]["rate"] == Decimal("0.0") and weak["start_rate"]["score"] == Decimal("0.00")
    assert result["rows"][0]["rank"] == 1 and result["full_marks"] == Decimal("100.0")


def test_indicator_weights_must_add_up_to_100(world, client_for):
    client = client_for(world.admin)
    indicators = list(Indicator.objects.order_by("sort_order"))
    data: dict[str, object] = {"form-TOTAL_FORMS": len(indicators), "form-INITIAL_FORMS": len(indicators)}
    for i, indicator in enumerate(indicators):
        data.update(
            {
                f"form-{i}-id": indicator.pk,
                f"form-{i}-name": indicator.name,
                f"form-{i}-weight": "30",
                f"form-{i}-target": "100",
                f"form-{i}-missing": "exclude",
                f"form-{i}-is_active": "on",
                f"form-{i}-sort_order": i,
            }
        )
    response = client.post(reverse("assessment:indicators"), data, follow=True)
    assert "合计应为100分" in response.content.decode()
    assert Indicator.objects.get(code="completion_rate").weight == Decimal("40.0")
    assert client_for(world.owner_a).get(reverse("assessment:indicators")).status_code == 403


def test_assessment_page_export_and_bad_params(world, client_for, towns):
    client = client_for(world.coordinator)
    assert (
        client.get(reverse("assessment:scores"), {"year": "x", "kind": "decade", "number": "9"}).status_code
        == 200
    )
    response = client.get(
        reverse("assessment:scores"), {"year": 2026, "kind": "quarter", "number": 1, "export": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.cell(row=2, column=1).value == "名次"


def light(project: Project, closed_at: datetime | None = None) -> Alert:
    """A red 应开未开 warning of `project` lit on 1 February 2026, closed at `closed_at` if given."""
    return Alert.objects.create(
        rule="start_overdue",
        project=project,
        colour="red",
        message="应开未开",
        opened_on=date(2026, 2, 1),
        state="closed" if closed_at else "open",
        closed_at=closed_at,
    )


def test_problem_and_warning_closure_count_in_the_score(world, towns):
    from problems.models import Problem

    town = towns[0]
    project = Project.objects.get(town=town)
    moment = timezone.make_aware(datetime(2026, 2, 10, 9))
    Problem.objects.create(
        project=project,
        category="funding",
        description="资金缺口",
        raised_at=moment,
        status="resolved",
        resolved_at=moment,
    )
    Problem.objects.create(project=project, category="land", description="用地未报批", raised_at=moment)
    Alert.objects.create(
        rule="start_overdue", project=project, colour="yellow", message="应开未开", opened_on=date(2026, 2, 1)
    )
    # A warning of a project on the plan without a street counts for none; one of a project off
    # the plans counts for its street no more than for any other.
    stray = Project.objects.get(town=towns[1])
    Project.objects.filter(pk=stray.pk).update(town=None)
    off_plan = Project.objects.create(
        name="计划外项目",
        category=world.project_a.category,
        total_investment=1,
        town=town,
        status="construction",
    )
    for elsewhere in (stray, off_plan):
        light(elsewhere, closed_at=moment)
    result = scores("town", Window(2026, "quarter", 1))
    row = next(r for r in result["rows"] if r["unit"] == town)
    cells = {c["indicator"].code: c for c in row["cells"]}
    assert cells["problem_closure"]["rate"] == Decimal("50.0") and cells["problem_closure"][
        "score"
    ] == Decimal("7.50")
    assert cells["warning_closure"]["rate"] == Decimal("0.0") and cells["warning_closure"][
        "score"
    ] == Decimal("0.00")
    # A street with nothing raised has no data on either: left out of its total, never full marks.
    other = {c["indicator"].code: c for c in result["rows"][0]["cells"]}
    assert other["problem_closure"] == {**other["problem_closure"], "rate": None, "score": None}
    assert other["warning_closure"]["score"] is None


def test_the_warnings_set_of_projects_without_the_registry_gives_the_same_rates(world, towns):
    from assessment.providers import Basis, warning_closure
    from plans.scope import Scope, scope_entries

    no_town = Project.objects.get(town=towns[1])
    Project.objects.filter(pk=no_town.pk).update(town=None)
    for k, project in enumerate(Project.objects.filter(plan_entries__isnull=False)):
        light(project, closed_at=timezone.make_aware(datetime(2026, 3, 1, 9)) if k % 3 == 0 else None)
    window = Window(2026, "quarter", 1)
    for key in ("project__town", "project__responsible_unit"):
        listed = scope_entries(2026, Scope())
        entries = listed.exclude(**{f"{key}__isnull": True})
        units = [town.pk for town in towns]
        joined = warning_closure.compute(Basis(entries, key, window, units))
        apart = warning_closure.compute(Basis(entries, key, window, units, listed=listed))
        assert {unit: joined.get(unit) for unit in units} == {unit: apart.get(unit) for unit in units}
        assert len([unit for unit in units if apart.get(unit) is not None]) == (
            11 if key == "project__town" else 12
        )


def test_on_time_reporting_counts_every_period_due_in_the_window(world, towns):
    """第01街道's project reports by half-month since February (four periods due in the quarter, three
    sent in time); 第03街道's monthly (two due, one in time); 第02街道's never started (none due)."""
    from datetime import datetime

    from django.utils import timezone

    from progress.models import Report
    from progress.periods import Period

    half = Project.objects.get(name="街道项目1")
    half.report_frequency = "half_monthly"
    half.save()
    Report.objects.filter(project=half).delete()

    def sent(project, month, part, frequency, late=False):
        period = Period(2026, month, part, frequency)
        moment = date.fromordinal(period.deadline.toordinal() + (1 if late else 0))
        Report.objects.create(
            project=project, year=2026, month=month, part=part, frequency=frequency,
            amount=Decimal("1"), year_to_date=Decimal("1"), cumulative=Decimal("1"),
            deadline=period.deadline, state="submitted",
            first_submitted_at=timezone.make_aware(datetime(moment.year, moment.month, moment.day, 20)),
        )  # fmt: skip

    sent(half, 2, 1, "half_monthly")
    sent(half, 2, 2, "half_monthly")
    sent(half, 3, 1, "half_monthly")
    sent(half, 3, 2, "half_monthly", late=True)
    monthly = Project.objects.get(name="街道项目3")
    Report.objects.filter(project=monthly, month=3).update(
        first_submitted_at=timezone.make_aware(datetime(2026, 3, 25, 18))
    )
    result = scores("town", Window(2026, "quarter", 1))
    rates = {
        row["unit"].name: {c["indicator"].code: c["rate"] for c in row["cells"]}["on_time_reporting"]
        for row in result["rows"]
    }
    assert rates["第01街道"] == Decimal("75.0")
    assert rates["第03街道"] == Decimal("50.0")
    assert rates["第02街道"] is None
