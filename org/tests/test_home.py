"""首页: project counts and investment by status and this year's plans, within the user's data scope."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Category
from plans.choices import PlanLevel, PlanType
from plans.models import Plan, PlanEntry
from projects.models import Project


def plan_this_year(world, level: str = PlanLevel.LOCAL, version: int = 1) -> Plan:  # type: ignore[no-untyped-def]
    year = timezone.localdate().year
    return Plan.objects.create(year=year, level=level, version=version, title=f"{year}年{level}重点项目计划")


def test_coordinator_sees_every_project_and_plan(world, client_for) -> None:  # type: ignore[no-untyped-def]
    plan = plan_this_year(world)
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type=PlanType.CONTINUING, annual_investment=Decimal("3000")
    )
    PlanEntry.objects.create(
        plan=plan, project=world.project_b, plan_type=PlanType.PRELIMINARY, annual_investment=Decimal("500")
    )
    ctx = client_for(world.coordinator).get(reverse("home")).context
    assert ctx["project_count"] == 2
    assert ctx["total_investment_yi"] == Decimal("6.80")
    by_status = {row["value"]: row for row in ctx["statuses"]}
    assert by_status["construction"]["count"] == 1
    assert by_status["construction"]["share"] == Decimal("50.0")
    assert sum(row["share"] for row in ctx["statuses"]) == 100
    assert ctx["planned_count"] == 2
    assert ctx["planned_annual_yi"] == Decimal("0.35")


def test_owner_sees_only_its_own_projects(world, client_for) -> None:  # type: ignore[no-untyped-def]
    plan = plan_this_year(world)
    PlanEntry.objects.create(
        plan=plan, project=world.project_b, plan_type=PlanType.PRELIMINARY, annual_investment=Decimal("500")
    )
    ctx = client_for(world.owner_a).get(reverse("home")).context
    assert ctx["project_count"] == 1
    assert ctx["total_investment_yi"] == Decimal("1.20")
    assert ctx["planned_count"] == 0


def test_only_the_plan_version_in_force_counts(world, client_for) -> None:  # type: ignore[no-untyped-def]
    first = plan_this_year(world)
    PlanEntry.objects.create(
        plan=first, project=world.project_a, plan_type=PlanType.CONTINUING, annual_investment=Decimal("3000")
    )
    adjusted = plan_this_year(world, version=2)
    PlanEntry.objects.create(
        plan=adjusted,
        project=world.project_a,
        plan_type=PlanType.CONTINUING,
        annual_investment=Decimal("4000"),
    )
    ctx = client_for(world.coordinator).get(reverse("home")).context
    assert ctx["planned_count"] == 1
    assert ctx["planned_annual_yi"] == Decimal("0.40")


def test_outsider_sees_an_empty_dashboard(world, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.outsider).get(reverse("home"))
    assert response.context["project_count"] == 0
    assert "暂无数据" in response.content.decode()


def test_home_links_to_projects_and_plans(world, client_for) -> None:  # type: ignore[no-untyped-def]
    page = client_for(world.leader).get(reverse("home")).content.decode()
    assert reverse("projects:list") in page
    assert reverse("plans:list") in page


def test_home_costs_the_same_queries_however_many_projects(world, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.coordinator)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    plan = plan_this_year(world, level=PlanLevel.CITY)
    category = Category.objects.get(code="industry")
    for i in range(12):
        project = Project.objects.create(
            name=f"项目{i}",
            category=category,
            total_investment=Decimal(i * 1000),
            responsible_unit=world.town,
        )
        PlanEntry.objects.create(
            plan=plan,
            project=project,
            plan_type=PlanType.NEW_START,
            annual_investment=Decimal(100),
            planned_start_month=3,
        )
    with CaptureQueriesContext(connection) as after:
        response = client.get(reverse("home"))
    assert response.context["project_count"] == 14
    assert len(after) == len(before)


def test_anonymous_visitor_is_sent_to_login_from_home(db, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
