from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alerts.models import Alert
from alerts.scan import run_scan
from plans.models import Plan, PlanEntry
from progress.models import Report
from progress.periods import Period
from progress.rollup import refresh_projects

SHANGHAI = ZoneInfo("Asia/Shanghai")


def scan_on(day: date, **options):
    """Run the scan with the clock set to 10:00 on `day`, as the daily task would."""
    with time_machine.travel(datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI), tick=False):
        return run_scan(**options)


def open_alerts(rule: str) -> list[Alert]:
    return list(Alert.objects.open().filter(rule=rule).order_by("project_id", "object_key"))


def accepted_report(project, year, month, amount, submitted=None):
    """An accepted report of `amount` 万元 for the month, first submitted at `submitted` (or on time)."""
    period = Period(year, month)
    report = Report(
        project=project,
        year=year,
        month=month,
        amount=Decimal(amount),
        deadline=period.deadline,
        state="accepted",
        first_submitted_at=submitted
        or datetime(year, month, min(period.deadline.day, 20), 9, 0, tzinfo=SHANGHAI),
    )
    report.recompute_totals()
    report.save()
    refresh_projects([project.pk])
    return report


@pytest.fixture
def planned(world):
    """project_a on the 2026 local plan (年度计划投资 1,200 万元), in construction since June 2025."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("1200")
    )
    world.project_a.actual_start_date = date(2025, 6, 1)
    world.project_a.in_statistics = True
    world.project_a.save()
    world.plan = plan
    return world
