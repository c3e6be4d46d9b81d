"""A plan of 2026 with both projects on it, each led by a leader of the people directory."""

from decimal import Decimal

import pytest

from figures.tests.test_figures import accepted
from org.models import Person
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects

YEAR, MONTH = 2026, 6


@pytest.fixture
def led(world, person_for):
    """project_a led by the leader's own entry (李领导, linked to the leader account), project_b by
    王副区长, who has no account; project_a has 3000 of its 6000 done by June."""
    plan = Plan.objects.create(year=YEAR, level="local", title=f"{YEAR}年区重点")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("6000")
    )
    PlanEntry.objects.create(
        plan=plan, project=world.project_b, plan_type="new_start", annual_investment=Decimal("4000")
    )
    world.leader_person = person_for(world.leader)
    world.other_leader = Person.objects.create(name="王副区长", phone="13911112222", post="副区长")
    world.project_a.leader_in_charge = world.leader_person
    world.project_a.save()
    world.project_b.leader_in_charge = world.other_leader
    world.project_b.save()
    report = accepted(world.project_a, YEAR, MONTH, "3000")
    report.progress_text = "主体结构施工"
    report.progress_percent = Decimal("45.5")
    report.save()
    refresh_projects([world.project_a.pk])
    return world
