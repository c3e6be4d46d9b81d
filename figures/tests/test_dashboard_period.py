"""The month the dashboard opens on, and the time progress of the month under way (DOMAIN §9 by days)."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from figures.compute import behind_time_progress, compute
from figures.tests.test_figures import accepted
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects

pytestmark = pytest.mark.django_db

# 5 December 2026, mid-morning: the December reports are coming in, the deadline (25th) is ahead.
FIFTH_OF_DECEMBER = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def december(world):
    """The 2026 local plan: 滨河路 (6000 万元 planned) and the 产业园 (4000), with progress accepted
    through November for both and a December report accepted for 滨河路 only."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("6000")
    )
    PlanEntry.objects.create(
        plan=plan,
        project=world.project_b,
        plan_type="new_start",
        annual_investment=Decimal("4000"),
        planned_start_month=3,
    )
    accepted(world.project_a, 2026, 11, "5000")
    accepted(world.project_b, 2026, 11, "3000")
    accepted(world.project_a, 2026, 12, "700")
    refresh_projects([world.project_a.pk, world.project_b.pk])
    return plan


def dashboard(client, **params):
    with time_machine.travel(FIFTH_OF_DECEMBER, tick=False):
        return client.get(reverse("home"), params)


def test_the_dashboard_opens_on_this_month_once_a_report_of_it_is_accepted(world, client_for, december):
    response = dashboard(client_for(world.coordinator))
    assert (response.context["year"], response.context["month"]) == (2026, 12)
    page = response.content.decode()
    assert "数据截至2026年12月（已审核月报）" in page
    assert response.context["data"]["plan"]["completed"] == Decimal("8700.00")


def test_each_user_opens_on_the_latest_month_accepted_among_their_own_projects(world, client_for, december):
    """The 产业园's owner has no December report accepted: its dashboard stays on November."""
    response = dashboard(client_for(world.owner_b))
    assert (response.context["year"], response.context["month"]) == (2026, 11)
    assert "数据截至2026年11月（已审核月报）" in response.content.decode()


def test_with_no_accepted_report_the_dashboard_opens_on_the_month_last_due(world, client_for):
    response = dashboard(client_for(world.coordinator))
    assert (response.context["year"], response.context["month"]) == (2026, 11)


def test_an_older_accepted_month_is_found_beyond_the_recent_ones(world, client_for):
    """The latest accepted reports are from June, further back than the months asked one by one."""
    accepted(world.project_a, 2026, 5, "100")
    accepted(world.project_b, 2026, 6, "200")
    response = dashboard(client_for(world.coordinator))
    assert (response.context["year"], response.context["month"]) == (2026, 6)
    response = dashboard(client_for(world.owner_b))
    assert (response.context["year"], response.context["month"]) == (2026, 6)
    accepted(world.project_a, 2026, 10, "300")
    response = dashboard(client_for(world.coordinator))
    assert (response.context["year"], response.context["month"]) == (2026, 10)
    # The 产业园's owner does not see 滨河路's October.
    response = dashboard(client_for(world.owner_b))
    assert (response.context["year"], response.context["month"]) == (2026, 6)


def test_a_report_of_a_month_to_come_does_not_move_the_default(world, client_for, december):
    accepted(world.project_a, 2027, 1, "100")
    response = dashboard(client_for(world.coordinator))
    assert (response.context["year"], response.context["month"]) == (2026, 12)


def test_on_5_december_the_december_time_progress_is_counted_by_days(world, client_for, december):
    """339 of 365 days: 92.9%, not the 100% of the month's end; 8700 of 10000 is 87.0%, 5.9 behind."""
    response = dashboard(client_for(world.coordinator), period="2026-12")
    plan = response.context["data"]["plan"]
    assert plan["time_progress"] == Decimal("92.9")
    assert plan["ahead_points"] == Decimal("-5.9")
    page = response.content.decode()
    assert "时间进度 92.9%，慢 5.9 个百分点" in page and "（按日）" in page
    assert "时间进度按日计算（12月5日，已过339/365天）" in page
    assert "时间进度 100.0%" not in page
    last = response.context["data"]["monthly"][-1]
    assert last["time_progress"] == Decimal("92.9")
    assert last["planned_to_date"] == Decimal("9287.67")  # 10000 × 339 / 365
    assert response.context["data"]["monthly"][10]["time_progress"] == Decimal("91.7")


def test_a_past_month_keeps_its_month_end_time_progress(world, client_for, december):
    response = dashboard(client_for(world.coordinator), period="2026-11")
    plan = response.context["data"]["plan"]
    assert plan["time_progress"] == Decimal("91.7") and plan["completion_rate"] == Decimal("80.0")
    page = response.content.decode()
    assert "数据截至2026年11月（已审核月报）" in page
    assert "按日" not in page


def test_the_chart_download_counts_the_month_under_way_by_days(world, client_for, december):
    with time_machine.travel(FIFTH_OF_DECEMBER, tick=False):
        response = client_for(world.coordinator).get(
            reverse("figures:chart_data", args=["monthly"]), {"period": "2026-12"}
        )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    december_row = list(sheet.iter_rows(min_row=3, values_only=True))[11]
    assert december_row[0] == "12月" and december_row[4] == 92.9


def test_the_big_screen_lists_behind_time_progress_by_days_in_the_month_under_way(
    world, client_for, december
):
    """滨河路 at 5700 of 6000 (95.0%) is ahead of 5 December (92.9%), behind only the end of December."""
    on_the_fifth = behind_time_progress(2026, 12, today=date(2026, 12, 5))
    assert [row["name"] for row in on_the_fifth] == [world.project_b.name]
    assert on_the_fifth[0]["time_progress"] == Decimal("92.9")
    at_the_end = behind_time_progress(2026, 12, today=date(2027, 1, 10))
    assert [row["name"] for row in at_the_end] == [world.project_b.name, world.project_a.name]
    with time_machine.travel(FIFTH_OF_DECEMBER, tick=False):
        client = client_for(world.coordinator)
        data = client.get(reverse("figures:bigscreen_data"), {"period": "2026-12"}).json()
        screen = client.get(reverse("figures:bigscreen"), {"period": "2026-12"}).content.decode()
    assert data["plan"]["time_progress"] == "92.9"
    assert [row["name"] for row in data["behind"]] == [world.project_b.name]
    assert "时间进度按日计算" in screen


def test_figures_computed_without_a_day_keep_the_month_end(world, december):
    """Bulletins and the command line compute a month as it stood at its end."""
    assert compute(2026, 12, work=False)["plan"]["time_progress"] == Decimal("100.0")
    assert compute(2026, 12, work=False, today=date(2026, 12, 5))["plan"]["time_progress"] == Decimal("92.9")
    assert compute(2026, 11, work=False, today=date(2026, 12, 5))["plan"]["time_progress"] == Decimal("91.7")
