"""投资滞后 and 新开工 projects: nothing lags before the project's planned start comes."""

from datetime import date
from decimal import Decimal

import pytest

from alerts.choices import Colour
from alerts.tests.conftest import open_alerts, scan_on
from plans.models import PlanEntry

pytestmark = pytest.mark.django_db


def lag_of(project) -> list[tuple[str, str]]:
    return [(a.object_key, a.colour) for a in open_alerts("investment_lag") if a.project_id == project.pk]


def new_start(planned, month: int | None, amount: str = "4000") -> PlanEntry:
    return PlanEntry.objects.create(
        plan=planned.plan,
        project=planned.project_b,
        plan_type="new_start",
        annual_investment=Decimal(amount),
        planned_start_month=month,
    )


def test_a_new_start_planned_for_next_year_gets_no_lag_warning_all_year(planned):
    """The issue's case: planned to start in March 2027, put on the 2026 plan as 新开工 in month 3."""
    project = planned.project_b
    project.planned_start_date = date(2027, 3, 1)
    project.save()
    new_start(planned, 3)
    for day in (date(2026, 4, 26), date(2026, 9, 26), date(2026, 12, 26)):
        scan_on(day)
        assert lag_of(project) == []


def test_a_new_start_is_judged_once_the_month_of_its_plan_entry_has_come(planned):
    project = planned.project_b
    new_start(planned, 9)
    scan_on(date(2026, 6, 26))  # June judged: the start is planned for September
    assert lag_of(project) == []
    scan_on(date(2026, 9, 26))  # September judged: 0 of 4000 against 75.0%
    assert lag_of(project) == [("2026", Colour.RED)]


def test_the_projects_own_planned_start_comes_before_the_month_of_the_entry(planned):
    project = planned.project_b
    project.planned_start_date = date(2026, 10, 15)
    project.save()
    new_start(planned, 3)
    scan_on(date(2026, 9, 26))
    assert lag_of(project) == []
    scan_on(date(2026, 10, 26))
    assert lag_of(project) == [("2026", Colour.RED)]


def test_a_new_start_that_started_early_is_judged_at_once(planned):
    project = planned.project_b
    project.planned_start_date = date(2026, 9, 1)
    project.actual_start_date = date(2026, 4, 10)
    project.save()
    new_start(planned, 9)
    scan_on(date(2026, 6, 26))
    assert lag_of(project) == [("2026", Colour.RED)]


def test_a_new_start_with_no_planned_month_anywhere_is_judged_as_before(planned):
    new_start(planned, None)
    scan_on(date(2026, 6, 26))
    assert lag_of(planned.project_b) == [("2026", Colour.RED)]


def test_continuing_projects_are_judged_whatever_their_dates(planned):
    """滨河路 (续建) with a planned start in the future on its record is still judged: only 新开工
    entries wait for their start."""
    project = planned.project_a
    project.actual_start_date = None
    project.planned_start_date = date(2027, 1, 1)
    project.save()
    scan_on(date(2026, 6, 26))
    assert lag_of(project) == [("2026", Colour.RED)]
