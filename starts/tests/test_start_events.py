"""Collective start events: totals, the substantive-construction check, the pages and the API."""

from datetime import date
from decimal import Decimal
from operator import attrgetter

import pytest
from django.urls import reverse

from plans.models import Plan, PlanEntry
from progress.models import Report
from progress.periods import Period
from projects.models import Project
from starts.figures import collective_start_figures
from starts.models import StartEvent, StartEventProject

pytestmark = pytest.mark.django_db
JSON = "application/json"


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
def event(world):
    """The spring batch of 2026: project_a (住建局) and project_b (城关街道) and a third, 住建局's."""
    third = Project.objects.create(
        name="城北污水处理厂",
        category=world.project_a.category,
        total_investment=Decimal("30000"),
        responsible_unit=world.housing,
        status="preliminary",
    )
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    city = Plan.objects.create(year=2026, level="city", title="2026年市重点")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=4000
    )
    PlanEntry.objects.create(
        plan=city, project=world.project_a, plan_type="continuing", annual_investment=9999
    )
    PlanEntry.objects.create(
        plan=plan, project=third, plan_type="new_start", annual_investment=6000, planned_start_month=3
    )
    spring = StartEvent.objects.create(
        held_on=date(2026, 3, 18), batch="2026年第一批集中开工", place="城北新区"
    )
    for project in (world.project_a, world.project_b, third):
        StartEventProject.objects.create(event=spring, project=project)
    return spring


def test_event_derives_its_year_and_check_window(event):
    assert event.year == 2026
    assert event.check_by == date(2026, 5, 18)


def test_event_totals_count_each_project_once_with_its_local_plan(world, event):
    row = StartEvent.objects.with_totals(world.coordinator).get(pk=event.pk)
    assert row.project_count == 3  # type: ignore[attr-defined]  # annotated by with_totals()
    assert row.total_investment == Decimal("98000.00")  # type: ignore[attr-defined]  # annotated by with_totals()
    # project_a's local entry (4000) counts, not its city one; project_b has no plan entry.
    assert row.annual_investment == Decimal("10000.00")  # type: ignore[attr-defined]  # annotated by with_totals()
    autumn = StartEvent.objects.create(held_on=date(2026, 9, 1), batch="第二批")
    StartEventProject.objects.create(event=autumn, project=world.project_a)
    figures = collective_start_figures(2026)
    assert (figures["events"], figures["count"]) == (2, 3)
    assert figures["total_investment"] == Decimal("98000.00")
    assert figures["annual_investment"] == Decimal("10000.00")


def test_totals_follow_the_users_scope(world, event):
    row = StartEvent.objects.with_totals(world.town_user).get(pk=event.pk)
    assert (row.project_count, row.total_investment) == (1, Decimal("56000.00"))  # type: ignore[attr-defined]  # annotated by with_totals()


def test_the_list_reads_the_same_totals_for_every_event_at_once(world, event):
    figures = attrgetter("pk", "project_count", "total_investment", "annual_investment")
    autumn = StartEvent.objects.create(held_on=date(2026, 9, 1), batch="第二批")
    StartEventProject.objects.create(event=autumn, project=world.project_a)
    StartEvent.objects.create(held_on=date(2026, 10, 1), batch="第三批")
    events = StartEvent.objects.order_by("held_on", "id")
    for user in (world.coordinator, world.town_user, world.owner_a, world.department):
        listed = [figures(e) for e in events.listed_with_totals(user)]
        assert listed == [figures(e) for e in events.with_totals(user)], user
    spring, _autumn, third = events.listed_with_totals(world.coordinator)
    assert figures(spring)[1:] == (3, Decimal("98000.00"), Decimal("10000.00"))
    assert figures(third)[1:] == (0, 0, 0)


def test_substantive_construction_is_a_report_with_an_amount_or_a_start_date_in_the_window(world, event):
    members = {m.project.name: m for m in StartEventProject.objects.select_related("project")}
    report(world.project_a, 2026, 4, "800", state="submitted")
    Project.objects.filter(pk=world.project_b.pk).update(actual_start_date=date(2026, 5, 10))
    # The third reports nothing but a draft and a report after the window: stalled once the window closes.
    third = members["城北污水处理厂"].project
    report(third, 2026, 4, "500", state="draft")
    report(third, 2026, 7, "900")
    states = dict(
        StartEventProject.objects.with_construction_state(date(2026, 5, 1)).values_list(  # type: ignore[misc]  # an annotation the plugin cannot see through the custom method
            "project__name", "construction_state"
        )
    )
    assert states == {
        "滨河路改造工程": "started",
        "城关智能制造产业园": "started",
        "城北污水处理厂": "pending",
    }
    assert not StartEventProject.objects.stalled(date(2026, 5, 18)).exists()
    stalled = StartEventProject.objects.stalled(date(2026, 5, 19))
    assert [m.project.name for m in stalled] == ["城北污水处理厂"]
    assert collective_start_figures(2026, today=date(2026, 6, 1))["stalled"] == 1


def test_a_start_date_after_the_window_does_not_count(world, event):
    Project.objects.filter(pk=world.project_b.pk).update(actual_start_date=date(2026, 6, 1))
    names = set(StartEventProject.objects.stalled(date(2026, 7, 1)).values_list("project__name", flat=True))
    assert "城关智能制造产业园" in names


def test_stalled_findings_take_one_query(world, event, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(StartEventProject.objects.stalled(date(2026, 7, 1)).values_list("project_id", "event_id"))


def test_the_warning_rule_lights_stalled_projects(world, event):
    from alerts.models import AlertRuleConfig
    from alerts.rules import registry

    rule = registry()["collective_start_stalled"]
    config = AlertRuleConfig(code=rule.code, yellow_threshold=0, red_threshold=30)
    findings = list(rule.findings(date(2026, 7, 1), config))
    assert {f.colour for f in findings} == {"red"}
    assert {f.object_key for f in findings} == {f"start_event:{event.pk}"}
    assert len(list(rule.findings(date(2026, 5, 25), config))) == 3
    assert {f.colour for f in rule.findings(date(2026, 5, 25), config)} == {"yellow"}


@pytest.mark.parametrize(
    ("persona", "sees", "count"),
    [
        ("coordinator", True, 3),
        ("leader", True, 3),
        ("department", True, 2),
        ("town_user", True, 1),
        ("owner_b", True, 1),
        ("outsider", False, 0),
    ],
)
def test_event_pages_and_api_follow_the_data_scope(world, client_for, event, persona, sees, count):
    client = client_for(getattr(world, persona))
    listing = client.get(reverse("starts:list"), {"year": 2026})
    assert listing.status_code == 200
    assert listing.context["totals"]["count"] == count
    detail = client.get(reverse("starts:detail", args=[event.pk]))
    assert detail.status_code == (200 if sees else 404)
    api = client.get(f"/api/start-events/{event.pk}/")
    assert api.status_code == (200 if sees else 404)
    if sees:
        assert detail.context["totals"].project_count == count
        assert api.json()["project_count"] == count
        assert client.get(f"/api/start-events/{event.pk}/projects/").json()["count"] == count
    assert client.get(reverse("starts:list"), {"year": 2026, "export": "xlsx"}).status_code == 200


@pytest.mark.parametrize("persona", ["leader", "department", "owner_a", "outsider"])
def test_only_the_coordinator_records_events(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("starts:create")).status_code == 403
    body = {"held_on": "2026-04-01", "batch": "第二批", "project_ids": [world.project_a.pk]}
    assert client.post("/api/start-events/", body, content_type=JSON).status_code == 403
    assert not StartEvent.objects.exists()


def test_coordinator_records_an_event_with_its_projects(world, client_for):
    client = client_for(world.coordinator)
    response = client.post(
        reverse("starts:create"),
        {
            "held_on": "2026-04-01",
            "batch": "第二批",
            "place": "开发区",
            "project_choices": [world.project_a.pk, world.project_b.pk],
        },
    )
    assert response.status_code == 302
    event = StartEvent.objects.get()
    assert set(event.projects.values_list("name", flat=True)) == {"滨河路改造工程", "城关智能制造产业园"}
    client.post(
        reverse("starts:edit", args=[event.pk]),
        {"held_on": "2026-04-02", "batch": "第二批", "project_choices": [world.project_b.pk]},
    )
    event.refresh_from_db()
    assert event.check_by == date(2026, 6, 2)
    assert list(event.projects.values_list("name", flat=True)) == ["城关智能制造产业园"]
    api = client.post(
        "/api/start-events/",
        {"held_on": "2026-10-08", "batch": "第三批", "project_ids": [world.project_a.pk]},
        content_type=JSON,
    )
    assert api.status_code == 201, api.content
    assert api.json()["project_count"] == 1


def test_event_page_cost_does_not_grow_with_its_projects(
    world, client_for, event, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("starts:detail", args=[event.pk]))
    for i in range(5):
        project = Project.objects.create(
            name=f"新增{i}",
            category=world.project_a.category,
            total_investment=100,
            responsible_unit=world.town,
        )
        StartEventProject.objects.create(event=event, project=project)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("starts:detail", args=[event.pk]))
    assert response.context["totals"].project_count == 8
    export = client.get(reverse("starts:detail", args=[event.pk]), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
