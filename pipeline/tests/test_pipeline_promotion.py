"""Promotion of pipeline projects into next year's plan: all or nothing, and never twice."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pipeline.models import PipelineEntry, ReviewRound
from plans.models import Plan, PlanEntry
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals(world):
    result = []
    for name, amount, month in (("新城综合管廊", 80000, 3), ("城关学校扩建", 15000, 6)):
        project = Project.objects.create(
            name=name,
            category=world.project_a.category,
            total_investment=Decimal(amount),
            responsible_unit=world.housing,
            status="reserve",
        )
        result.append(
            PipelineEntry.objects.create(
                project=project,
                proposed_year=2027,
                estimated_investment=Decimal(amount),
                proposed_annual_investment=Decimal(amount) / 4,
                planned_start_month=month,
                proposing_unit=world.housing,
            )
        )
    return result


def test_promotion_creates_the_plan_and_its_entries(world, proposals):
    result = PipelineEntry.objects.filter(pk__in=[p.pk for p in proposals]).promote(
        "local", "new_start", by=world.coordinator
    )
    plan = Plan.objects.get(year=2027, level="local")
    assert result.plans_created == [plan]
    assert plan.version == 1 and plan.title == "2027年区重点建设项目计划"
    entries = {e.project.name: e for e in plan.entries.select_related("project")}
    assert set(entries) == {"新城综合管廊", "城关学校扩建"}
    assert entries["新城综合管廊"].annual_investment == Decimal("20000.00")
    assert entries["新城综合管廊"].planned_start_month == 3
    assert entries["新城综合管廊"].plan_type == "new_start"


def test_promoting_twice_creates_nothing_new(world, proposals):
    chosen = PipelineEntry.objects.filter(pk__in=[p.pk for p in proposals])
    chosen.promote("local", "new_start", by=world.coordinator)
    again = chosen.promote("local", "new_start", by=world.coordinator)
    assert again.created == [] and again.plans_created == []
    assert {e.pk for e in again.already_listed} == {p.pk for p in proposals}
    assert Plan.objects.count() == 1
    assert PlanEntry.objects.count() == 2


def test_a_partial_failure_writes_nothing(world, proposals):
    proposals[1].planned_start_month = None
    proposals[1].save()
    chosen = PipelineEntry.objects.filter(pk__in=[p.pk for p in proposals])
    with pytest.raises(ValidationError) as error:
        chosen.promote("local", "new_start", by=world.coordinator)
    assert "城关学校扩建" in error.value.messages[0]
    assert Plan.objects.count() == 0
    assert PlanEntry.objects.count() == 0
    # As 预备 (preliminary) no start month is needed.
    result = chosen.promote("local", "preliminary", by=world.coordinator)
    assert len(result.created) == 2


def test_a_dropped_project_cannot_be_promoted(world, proposals):
    review = ReviewRound.objects.create(year=2027, number=1, held_on="2026-10-01")
    review.decide(proposals[0], "drop", by=world.coordinator)
    with pytest.raises(ValidationError):
        PipelineEntry.objects.filter(pk__in=[p.pk for p in proposals]).promote("city", "new_start", by=None)
    assert not PlanEntry.objects.exists()


def test_promotion_goes_to_the_latest_version_of_the_plan(world, proposals):
    plan = Plan.objects.create(year=2027, level="local", title="2027年区重点")
    adjusted = plan.adjust(by=world.coordinator)
    PlanEntry.objects.create(
        plan=adjusted, project=proposals[0].project, plan_type="preliminary", annual_investment=0
    )
    result = PipelineEntry.objects.filter(pk__in=[p.pk for p in proposals]).promote(
        "local", "new_start", by=world.coordinator
    )
    assert result.plans_created == []
    assert [e.plan_id for e in result.created] == [adjusted.pk]
    assert [e.pk for e in result.already_listed] == [proposals[0].pk]
    assert not plan.entries.exists()
