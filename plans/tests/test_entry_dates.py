"""A plan entry checked against its project's dates: warnings on the entry form, on the plan page
and in the API, never a refusal."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.choices import PlanType
from plans.models import Plan, PlanEntry, entry_date_warnings
from projects.models import Project

pytestmark = pytest.mark.django_db

JSON = "application/json"
# The case: a project planned to start in March 2027, on the 2026 plan as 新开工 in month 3.
NEXT_YEAR_START = "项目计划开工时间为2027年3月，不在2026年内，与“新开工”不符。"


def dates(**fields):
    return {
        "planned_start_date": None,
        "planned_completion_date": None,
        "actual_start_date": None,
        "actual_completion_date": None,
        "build_years": "",
        **fields,
    }


@pytest.mark.parametrize(
    ("plan_type", "project", "months", "expected"),
    [
        (
            PlanType.NEW_START,
            dates(planned_start_date=date(2027, 3, 1)),
            {"start_month": 3},
            [NEXT_YEAR_START],
        ),
        (
            PlanType.NEW_START,
            dates(actual_start_date=date(2025, 11, 8)),
            {"start_month": 3},
            ["项目已于2025年11月开工，早于2026年，与“新开工”不符。"],
        ),
        (
            PlanType.COMPLETING,
            dates(planned_start_date=date(2025, 4, 1), planned_completion_date=date(2027, 6, 30)),
            {"completion_month": 12},
            ["项目计划竣工时间为2027年6月，不在2026年内，与“竣工”不符。"],
        ),
        (
            PlanType.CONTINUING,
            dates(actual_start_date=date(2024, 5, 1), actual_completion_date=date(2025, 10, 20)),
            {},
            ["项目已于2025年10月竣工，早于2026年，不应列入该年度计划。"],
        ),
        (
            PlanType.CONTINUING,
            dates(planned_start_date=date(2027, 2, 1)),
            {},
            ["项目计划开工时间为2027年2月，晚于2026年，与“续建”不符。"],
        ),
        (
            PlanType.NEW_START,
            dates(planned_start_date=date(2026, 5, 10)),
            {"start_month": 3},
            ["计划开工月份为3月，与项目的计划开工时间2026年5月不一致。"],
        ),
        (
            PlanType.COMPLETING,
            dates(planned_completion_date=date(2026, 11, 30)),
            {"completion_month": 9},
            ["计划竣工月份为9月，与项目的计划竣工时间2026年11月不一致。"],
        ),
        (PlanType.CONTINUING, dates(build_years="2027-2029"), {}, ["项目建设年限为2027-2029，不含2026年。"]),
        (PlanType.CONTINUING, dates(build_years="2023-2025"), {}, ["项目建设年限为2023-2025，不含2026年。"]),
    ],
)
def test_contradictions_between_the_entry_and_the_project_are_warned(plan_type, project, months, expected):
    assert entry_date_warnings(2026, plan_type, project, **months) == expected


@pytest.mark.parametrize(
    ("plan_type", "project", "months"),
    [
        (
            PlanType.NEW_START,
            dates(planned_start_date=date(2026, 3, 18), build_years="2026-2028"),
            {"start_month": 3},
        ),
        (PlanType.NEW_START, dates(actual_start_date=date(2026, 2, 20)), {"start_month": 3}),
        (PlanType.COMPLETING, dates(planned_completion_date=date(2026, 9, 30)), {"completion_month": 9}),
        (PlanType.CONTINUING, dates(actual_start_date=date(2024, 5, 1), build_years="2024-2026"), {}),
        # 预备: the preliminary year comes before the construction years.
        (PlanType.PRELIMINARY, dates(planned_start_date=date(2027, 3, 1), build_years="2027-2029"), {}),
        (PlanType.NEW_START, dates(), {"start_month": 3}),
        # Started or completed after the year: the project slipped, which 应开未开 / 应竣未竣 say.
        (
            PlanType.NEW_START,
            dates(planned_start_date=date(2026, 9, 1), actual_start_date=date(2027, 2, 1)),
            {},
        ),
        (PlanType.COMPLETING, dates(actual_completion_date=date(2027, 3, 31)), {}),
    ],
)
def test_entries_that_agree_with_their_project_have_no_warning(plan_type, project, months):
    assert entry_date_warnings(2026, plan_type, project, **months) == []


@pytest.fixture
def plan(world):
    """The 2026 local plan with 滨河路 (续建); the 产业园 is planned to start in March 2027."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点建设项目计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("5000")
    )
    world.project_b.planned_start_date = date(2027, 3, 1)
    world.project_b.save()
    return plan


def entry_post(project, **fields):
    return {
        "project": project.pk,
        "plan_type": "new_start",
        "annual_investment": "4000",
        "planned_start_month": "3",
        "target": "完成厂房主体结构",
        **fields,
    }


def test_saving_a_contradicting_entry_shows_the_warning_first_and_saves_nothing(world, client_for, plan):
    client = client_for(world.coordinator)
    url = reverse("plans:entry_create", args=[plan.pk])
    response = client.post(url, entry_post(world.project_b))
    assert response.status_code == 200
    page = response.content.decode()
    assert NEXT_YEAR_START in page and 'data-testid="confirm-save"' in page
    assert not PlanEntry.objects.filter(project=world.project_b).exists()

    digest = response.context["form"].warnings_digest
    saved = client.post(url, {**entry_post(world.project_b), "confirm_warnings": digest}, follow=True)
    entry = PlanEntry.objects.get(plan=plan, project=world.project_b)
    assert entry.plan_type == "new_start" and entry.planned_start_month == 3
    messages = [str(m) for m in saved.context["messages"]]
    assert any(NEXT_YEAR_START in m for m in messages)


def test_a_confirmation_of_other_warnings_does_not_save(world, client_for, plan):
    """Confirmed for month 3, then changed to 竣工: the new warning is shown before anything is saved."""
    client = client_for(world.coordinator)
    url = reverse("plans:entry_create", args=[plan.pk])
    first = client.post(url, entry_post(world.project_b))
    digest = first.context["form"].warnings_digest
    changed = entry_post(world.project_b, plan_type="completing", planned_completion_month="12")
    response = client.post(url, {**changed, "confirm_warnings": digest})
    assert response.status_code == 200 and response.context["confirm"] is True
    assert response.context["warnings"] == ["项目计划开工时间为2027年3月，晚于2026年，与“竣工”不符。"]
    assert not PlanEntry.objects.filter(project=world.project_b).exists()


def test_an_entry_that_agrees_with_its_project_saves_at_once(world, client_for, plan):
    world.project_b.planned_start_date = date(2026, 3, 10)
    world.project_b.save()
    response = client_for(world.coordinator).post(
        reverse("plans:entry_create", args=[plan.pk]), entry_post(world.project_b)
    )
    assert response.status_code == 302
    assert PlanEntry.objects.filter(plan=plan, project=world.project_b).exists()


def test_the_form_warns_as_the_user_picks_without_saving(world, client_for, plan):
    client = client_for(world.coordinator)
    url = reverse("plans:entry_create", args=[plan.pk])
    response = client.post(url, {**entry_post(world.project_b), "check": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert NEXT_YEAR_START in response.content.decode()
    assert "<html" not in response.content.decode()
    quiet = client.post(
        url, {**entry_post(world.project_b, plan_type="preliminary"), "check": "1"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-testid="entry-warnings"' not in quiet.content.decode()
    assert not PlanEntry.objects.filter(project=world.project_b).exists()


def test_an_existing_entry_shows_its_warnings_when_opened(world, client_for, plan):
    entry = PlanEntry.objects.create(
        plan=plan,
        project=world.project_b,
        plan_type="new_start",
        annual_investment=Decimal("4000"),
        planned_start_month=3,
    )
    page = client_for(world.coordinator).get(reverse("plans:entry_edit", args=[plan.pk, entry.pk]))
    assert NEXT_YEAR_START in page.content.decode()


def test_the_plan_page_marks_the_entries_that_contradict_their_project(world, client_for, plan):
    PlanEntry.objects.create(
        plan=plan,
        project=world.project_b,
        plan_type="new_start",
        annual_investment=Decimal("4000"),
        planned_start_month=3,
    )
    client = client_for(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("plans:detail", args=[plan.pk]))
    marked = {e.project_id: e.warnings for e in response.context["page"].object_list}
    assert marked == {world.project_a.pk: [], world.project_b.pk: [NEXT_YEAR_START]}
    page = response.content.decode()
    assert page.count('data-testid="entry-date-warning"') == 1 and NEXT_YEAR_START in page
    for i in range(5):
        project = Project.objects.create(
            name=f"城关街道配套道路{i + 1}号",
            category=world.project_a.category,
            total_investment=3000,
            responsible_unit=world.town,
            planned_start_date=date(2027, 5, 1),
        )
        PlanEntry.objects.create(
            plan=plan, project=project, plan_type="new_start", annual_investment=100, planned_start_month=5
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("plans:detail", args=[plan.pk]))
    assert response.content.decode().count('data-testid="entry-date-warning"') == 6
    assert len(many) == len(few)


def test_the_api_gives_an_entrys_warnings_and_saves_it(world, client_for, plan):
    client = client_for(world.coordinator)
    created = client.post(
        "/api/plan-entries/",
        {
            "plan": plan.pk,
            "project": world.project_b.pk,
            "plan_type": "new_start",
            "annual_investment": "4000.00",
            "planned_start_month": 3,
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    assert created.json()["date_warnings"] == [NEXT_YEAR_START]
    entry_a = plan.entries.get(project=world.project_a)
    assert client.get(f"/api/plan-entries/{entry_a.pk}/").json()["date_warnings"] == []
