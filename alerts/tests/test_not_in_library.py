"""应入库未入库: a project on a plan of the year without a valid 项目代码 after the grace period."""

from datetime import date, datetime
from decimal import Decimal

from alerts.choices import Colour
from alerts.models import AlertRuleConfig
from alerts.tests.conftest import SHANGHAI, open_alerts, scan_on
from plans.models import Plan, PlanEntry
from projects.models import Project

VALID_CODE = "2020-440104-70-01-012345"


def colours() -> list[tuple[int, str, str]]:
    return [(a.project_id, a.object_key, a.colour) for a in open_alerts("not_in_library")]


def listed(world, issued_on=None, **plan):
    entry_plan = Plan.objects.create(
        year=2026, level="local", title="2026年区重点", issued_on=issued_on, **plan
    )
    # Registered long before: the plan's date starts the clock.
    Project.objects.update(created_at=datetime(2025, 1, 1, 9, 0, tzinfo=SHANGHAI))
    for project in (world.project_a, world.project_b):
        PlanEntry.objects.create(
            plan=entry_plan, project=project, plan_type="continuing", annual_investment=Decimal(100)
        )
    return entry_plan


def test_yellow_after_the_grace_period_from_the_plans_issue_red_later_closed_by_a_valid_code(world):
    listed(world, issued_on=date(2026, 2, 1))
    world.project_b.code = VALID_CODE
    world.project_b.save()
    scan_on(date(2026, 3, 3))  # 30 days after: still within the grace period
    assert colours() == []
    scan_on(date(2026, 3, 4))
    assert colours() == [(world.project_a.pk, "2026", Colour.YELLOW)]
    assert "仍无项目代码" in open_alerts("not_in_library")[0].message
    scan_on(date(2026, 4, 3))
    assert colours() == [(world.project_a.pk, "2026", Colour.RED)]
    world.project_a.code = VALID_CODE.replace("012345", "012346")
    world.project_a.save()
    scan_on(date(2026, 4, 4))
    assert colours() == []


def test_an_invalid_code_counts_as_none(world):
    listed(world, issued_on=date(2026, 1, 5))
    # A province part that does not exist (GB/T 2260 has no 99): stored by an import, never registered.
    Project.objects.filter(pk=world.project_a.pk).update(code="2020-990104-70-01-012345")
    Project.objects.filter(pk=world.project_b.pk).update(code=VALID_CODE)
    scan_on(date(2026, 3, 1))
    [alert] = open_alerts("not_in_library")
    assert alert.project == world.project_a
    assert "2020-990104-70-01-012345" in alert.message


def test_the_clock_starts_at_the_plans_making_or_the_projects_registration_whichever_is_later(world):
    made = datetime(2026, 1, 10, 9, 0, tzinfo=SHANGHAI)
    listed(world, created_at=made)
    Project.objects.filter(pk=world.project_b.pk).update(
        created_at=datetime(2026, 2, 20, 9, 0, tzinfo=SHANGHAI)
    )
    Project.objects.filter(pk=world.project_a.pk).update(
        created_at=datetime(2025, 6, 1, 9, 0, tzinfo=SHANGHAI)
    )
    scan_on(date(2026, 2, 10))  # 31 days after the plan was made
    assert colours() == [(world.project_a.pk, "2026", Colour.YELLOW)]
    scan_on(date(2026, 3, 22))  # 30 days after project_b was registered: within its grace period
    assert colours() == [(world.project_a.pk, "2026", Colour.RED)]
    scan_on(date(2026, 3, 23))
    assert sorted(colours()) == sorted(
        [(world.project_a.pk, "2026", Colour.RED), (world.project_b.pk, "2026", Colour.YELLOW)]
    )


def test_projects_not_on_this_years_plans_and_cancelled_ones_are_not_lit(world):
    Plan.objects.create(year=2025, level="local", title="2025年区重点", issued_on=date(2025, 2, 1))
    PlanEntry.objects.create(
        plan=Plan.objects.get(year=2025),
        project=world.project_a,
        plan_type="continuing",
        annual_investment=Decimal(100),
    )
    this_year = Plan.objects.create(
        year=2026, level="local", title="2026年区重点", issued_on=date(2026, 1, 2)
    )
    PlanEntry.objects.create(
        plan=this_year, project=world.project_b, plan_type="preliminary", annual_investment=Decimal(0)
    )
    Project.objects.filter(pk=world.project_b.pk).update(status="cancelled")
    scan_on(date(2026, 6, 1))
    assert colours() == []


def test_the_grace_period_is_configuration(world):
    listed(world, issued_on=date(2026, 2, 1))
    scan_on(date(2026, 2, 2))
    AlertRuleConfig.objects.filter(code="not_in_library").update(yellow_threshold=3, red_threshold=10)
    scan_on(date(2026, 2, 4))
    assert colours() == []
    scan_on(date(2026, 2, 5))
    assert {colour for _project, _key, colour in colours()} == {Colour.YELLOW}
    scan_on(date(2026, 2, 12))
    assert {colour for _project, _key, colour in colours()} == {Colour.RED}
