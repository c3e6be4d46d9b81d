"""The warnings board, the detail page with manual closing, rule settings, and the project pages' hooks."""

import io
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from alerts.choices import AlertState, Colour, EventKind
from alerts.models import Alert, AlertRuleConfig
from alerts.scan import run_scan
from catalog.models import Category
from projects.models import Project

pytestmark = pytest.mark.django_db


def make_alert(project, rule="start_overdue", colour=Colour.YELLOW, key="", state=AlertState.OPEN):
    return Alert.objects.create(
        rule=rule,
        project=project,
        object_key=key,
        colour=colour,
        state=state,
        message=f"{project.name}的预警",
        opened_on=date(2026, 4, 1),
    )


@pytest.fixture
def lit(world):
    world.alert_a = make_alert(world.project_a, colour=Colour.RED, key="2026-03")
    world.alert_b = make_alert(world.project_b, rule="approval_overdue", key="procedure:1")
    make_alert(world.project_b, rule="not_in_statistics", state=AlertState.CLOSED)
    return world


def names_on_board(client, query=""):
    response = client.get(reverse("alerts:board") + query)
    assert response.status_code == 200
    return sorted({a.project.name for a in response.context["page"]})


def test_coordinator_sees_every_warning_and_owners_only_their_own(lit, client_for):
    assert names_on_board(client_for(lit.coordinator)) == sorted([lit.project_a.name, lit.project_b.name])
    assert names_on_board(client_for(lit.leader)) == sorted([lit.project_a.name, lit.project_b.name])
    assert names_on_board(client_for(lit.owner_a)) == [lit.project_a.name]
    assert names_on_board(client_for(lit.department)) == [lit.project_a.name]
    assert names_on_board(client_for(lit.town_user)) == [lit.project_b.name]
    assert names_on_board(client_for(lit.outsider)) == []


def test_another_units_warning_is_not_found(lit, client_for):
    url = reverse("alerts:detail", args=[lit.alert_b.pk])
    assert client_for(lit.owner_a).get(url).status_code == 404
    assert client_for(lit.outsider).get(url).status_code == 404
    assert client_for(lit.owner_b).get(url).status_code == 200
    close = reverse("alerts:close", args=[lit.alert_b.pk])
    assert client_for(lit.owner_a).post(close, {"reason": "x"}).status_code == 404


def test_board_filters_counts_and_closure_rate(lit, client_for):
    client = client_for(lit.coordinator)
    assert names_on_board(client, "?colour=red") == [lit.project_a.name]
    assert names_on_board(client, "?rule=approval_overdue") == [lit.project_b.name]
    assert names_on_board(client, "?state=closed") == [lit.project_b.name]
    assert names_on_board(client, f"?unit={lit.housing.pk}") == [lit.project_a.name]
    response = client.get(reverse("alerts:board"))
    summary = response.context["summary"]
    assert (summary["raised"], summary["open"], summary["closed"]) == (3, 2, 1)
    assert str(summary["closure_rate"]) == "33.3"
    rows = {row["code"]: row for row in response.context["rule_rows"]}
    assert rows["start_overdue"]["open_red"] == 1 and rows["approval_overdue"]["open_yellow"] == 1
    assert "33.3%" in response.content.decode()


def test_board_pages_and_exports(lit, client_for, settings):
    settings.LIST_PAGE_SIZE = 2
    for month in range(1, 5):
        make_alert(lit.project_a, rule="report_late", key=f"2026-0{month}")
    client = client_for(lit.coordinator)
    first = client.get(reverse("alerts:board"))
    assert first.context["page"].paginator.num_pages == 3
    assert len(client.get(reverse("alerts:board") + "?page=3").context["page"]) == 2
    response = client.get(reverse("alerts:board") + "?export=xlsx&colour=yellow")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 5 and {r[2] for r in rows} == {"黄灯"}


@pytest.mark.parametrize(
    ("query", "persona", "listed"),
    [
        ("", "coordinator", 2),
        ("?state=closed", "coordinator", 1),
        ("?state=", "coordinator", 3),
        ("?state=open&colour=red", "coordinator", 1),
        ("?state=closed&rule=not_in_statistics", "coordinator", 1),
        ("", "owner_a", 1),
        ("?state=closed", "owner_b", 1),
    ],
)
def test_the_boards_pages_count_what_its_list_holds(lit, client_for, query, persona, listed):
    response = client_for(getattr(lit, persona)).get(reverse("alerts:board") + query)
    page = response.context["page"]
    assert page.paginator.count == len(page.object_list) == listed


def test_owner_export_holds_only_their_warnings(lit, client_for):
    response = client_for(lit.owner_b).get(reverse("alerts:board") + "?export=xlsx&state=")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert {r[4] for r in rows} == {lit.project_b.name} and len(rows) == 2


def test_manual_close_needs_a_coordinator_and_a_reason(lit, client_for):
    url = reverse("alerts:close", args=[lit.alert_a.pk])
    assert client_for(lit.owner_a).post(url, {"reason": "已开工"}).status_code == 403
    assert client_for(lit.department).post(url, {"reason": "已开工"}).status_code == 403
    coordinator = client_for(lit.coordinator)
    response = coordinator.post(url, {"reason": "   "})
    assert response.status_code == 400
    lit.alert_a.refresh_from_db()
    assert lit.alert_a.state == AlertState.OPEN
    response = coordinator.post(url, {"reason": "经现场核实已开工"})
    assert response.status_code == 302
    lit.alert_a.refresh_from_db()
    assert lit.alert_a.state == AlertState.CLOSED
    assert lit.alert_a.closed_by == lit.coordinator and lit.alert_a.close_reason == "经现场核实已开工"
    event = lit.alert_a.events.get()
    assert (event.kind, event.by, event.note) == (
        EventKind.CLOSED_MANUAL,
        lit.coordinator,
        "经现场核实已开工",
    )
    page = coordinator.get(reverse("alerts:detail", args=[lit.alert_a.pk])).content.decode()
    assert "人工销号" in page and "经现场核实已开工" in page


def test_close_without_reason_is_refused_by_the_model(lit):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        lit.alert_a.close(by=lit.coordinator, reason="")
    lit.alert_a.close(by=lit.coordinator, reason="已处理")
    with pytest.raises(ValidationError):
        lit.alert_a.close(by=lit.coordinator, reason="再次销号")


def test_an_open_warning_is_never_duplicated(lit):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_alert(lit.project_a, colour=Colour.YELLOW, key="2026-03")
    make_alert(lit.project_b, rule="not_in_statistics")  # the earlier one is closed


def test_rule_settings_are_for_administrators(world, client_for):
    url = reverse("alerts:rules")
    assert client_for(world.coordinator).get(url).status_code == 403
    assert client_for(world.owner_a).get(url).status_code == 403
    admin = client_for(world.admin)
    page = admin.get(url)
    assert (
        page.status_code == 200
        and "应开未开" in page.content.decode()
        and "个百分点" in page.content.decode()
    )
    data = {}
    for config in AlertRuleConfig.objects.all():
        prefix = config.code
        data.update(
            {
                f"{prefix}-enabled": "on",
                f"{prefix}-yellow_threshold": config.yellow_threshold,
                f"{prefix}-red_threshold": config.red_threshold,
                f"{prefix}-min_total_investment": config.min_total_investment or "",
            }
        )
    data["investment_lag-red_threshold"] = "5"
    response = admin.post(url, data)
    assert response.status_code == 200 and "红灯阈值不能小于黄灯阈值" in response.content.decode()
    data["investment_lag-yellow_threshold"] = "10"
    data["investment_lag-red_threshold"] = "50"
    data.pop("report_late-enabled")
    assert admin.post(url, data).status_code == 302
    lag = AlertRuleConfig.objects.get(code="investment_lag")
    assert (lag.red_threshold, lag.updated_by) == (50, world.admin)
    assert not AlertRuleConfig.objects.get(code="report_late").enabled


def test_project_page_has_a_warnings_tab(lit, client_for):
    client = client_for(lit.owner_a)
    url = reverse("projects:detail", args=[lit.project_a.pk])
    page = client.get(url + "?tab=alerts")
    assert page.status_code == 200
    assert list(page.context["alerts"]) == [lit.alert_a]
    assert 'data-testid="tab-alerts"' in client.get(url).content.decode()
    other = reverse("projects:detail", args=[lit.project_b.pk]) + "?tab=alerts"
    assert client.get(other).status_code == 404


def test_project_list_shows_warning_badges_with_a_constant_number_of_queries(lit, client_for):
    client = client_for(lit.coordinator)
    response = client.get(reverse("projects:list"))
    rows = {p.name: (p.alerts_red, p.alerts_yellow) for p, _entries in response.context["rows"]}
    assert rows[lit.project_a.name] == (1, 0) and rows[lit.project_b.name] == (0, 1)
    assert 'data-testid="alerts-red"' in response.content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("projects:list"))
    category = Category.objects.first()
    assert category is not None
    for index in range(12):
        project = Project.objects.create(
            name=f"项目{index}",
            category=category,
            total_investment=1000,
            responsible_unit=lit.housing,
        )
        make_alert(project, colour=Colour.RED)
        make_alert(project, rule="report_late")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("projects:list"))
    assert len(many) == len(few)


def test_the_menu_links_the_board(world, client_for):
    page = client_for(world.owner_a).get(reverse("projects:list")).content.decode()
    assert reverse("alerts:board") in page
    admin_page = client_for(world.admin).get(reverse("projects:list")).content.decode()
    assert reverse("alerts:rules") in admin_page


def test_figures_count_the_scopes_warnings_at_the_months_end(lit):
    from figures.compute import compute
    from plans.models import Plan, PlanEntry

    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    PlanEntry.objects.create(plan=plan, project=lit.project_a, plan_type="continuing", annual_investment=100)
    alerts = compute(2026, 12)["alerts"]
    assert (alerts["raised"], alerts["open"], alerts["closed"]) == (1, 1, 0)
    assert alerts["by_rule"]["start_overdue"]["open"] == 1
    assert alerts["by_colour"]["red"]["raised"] == 1
    assert compute(2025, 12)["alerts"]["raised"] == 0


def test_scan_alerts_command_prints_the_counts(world):
    from django.core.management import call_command

    world.project_b.planned_start_date = date(2026, 3, 10)
    world.project_b.save()
    out = io.StringIO()
    call_command("scan_alerts", today="2026-07-01", stdout=out)
    text = out.getvalue()
    assert "新亮灯 1" in text and "start_overdue 应开未开：红灯 1，黄灯 0" in text
    out = io.StringIO()
    call_command("scan_alerts", today="2026-07-01", stdout=out)
    assert "新亮灯 0，升级 0，销号 0" in out.getvalue()
    assert run_scan(date(2026, 7, 1)).opened == 0


def test_the_map_shows_each_projects_worst_open_colour(lit, client_for):
    for project in (lit.project_a, lit.project_b):
        project.latitude, project.longitude = 35.7, 115.0
        project.save()
    make_alert(lit.project_b, rule="report_late", colour=Colour.RED, state=AlertState.CLOSED)
    features = client_for(lit.coordinator).get(reverse("figures:map_data")).json()["features"]
    colours = {f["properties"]["name"]: f["properties"]["alert"] for f in features}
    assert colours == {lit.project_a.name: "red", lit.project_b.name: "yellow"}
    lit.alert_b.close(by=lit.coordinator, reason="已处理")
    features = client_for(lit.coordinator).get(reverse("figures:map_data")).json()["features"]
    assert {f["properties"]["name"]: f["properties"]["alert"] for f in features}[lit.project_b.name] is None


def test_the_board_lists_open_before_closed_red_before_yellow_then_newest(world):
    made = []
    for i, (state, colour) in enumerate(
        [
            (AlertState.CLOSED, Colour.RED),
            (AlertState.OPEN, Colour.YELLOW),
            (AlertState.CLOSED, Colour.YELLOW),
            (AlertState.OPEN, Colour.RED),
            (AlertState.OPEN, Colour.RED),
        ]
    ):
        alert = make_alert(world.project_a, colour=colour, key=f"order:{i}", state=state)
        Alert.objects.filter(pk=alert.pk).update(opened_at=alert.opened_at.replace(day=1 + i % 3))
        made.append(Alert.objects.get(pk=alert.pk))
    expected = sorted(
        made,
        key=lambda a: (a.state != AlertState.OPEN, a.colour != Colour.RED, -a.opened_at.timestamp(), -a.pk),
    )
    assert list(Alert.objects.filter(pk__in=[a.pk for a in made]).in_board_order()) == expected
