"""问题超期 (problem_overdue) as a rule of the warnings' registry."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from problems.tests.factories import make_problem

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not apps.is_installed("alerts"), reason="the alerts app is not installed"),
]


def test_the_rule_is_registered_with_its_default_thresholds():
    from alerts.rules import registry

    rule = registry()["problem_overdue"]
    assert (rule.default_yellow, rule.default_red) == (0, 15)


def test_an_overdue_problem_lights_yellow_then_red_and_closes_when_solved(world):
    from alerts.models import Alert
    from alerts.scan import run_scan

    today = timezone.localdate()
    problem = make_problem(world.project_a, world.housing, deadline=today - timedelta(days=3))
    run_scan(today, codes=["problem_overdue"], notify=False)
    alert = Alert.objects.get(rule="problem_overdue")
    assert (alert.colour, alert.object_key, alert.project) == (
        "yellow",
        f"problem:{problem.pk}",
        world.project_a,
    )
    assert "问题超期3天" in alert.message

    run_scan(today + timedelta(days=13), codes=["problem_overdue"], notify=False)
    alert.refresh_from_db()
    assert alert.colour == "red"

    problem.move("start", world.coordinator)
    problem.move("resolve", world.coordinator, "已解决")
    run_scan(today + timedelta(days=14), codes=["problem_overdue"], notify=False)
    alert.refresh_from_db()
    assert alert.state == "closed"


def test_the_pages_use_the_thresholds_set_for_the_warning(world, client_for):
    from alerts.models import AlertRuleConfig

    AlertRuleConfig.objects.create(code="problem_overdue", yellow_threshold=5, red_threshold=10)
    today = timezone.localdate()
    make_problem(world.project_a, world.housing, deadline=today - timedelta(days=3), description="逾期三天")
    make_problem(
        world.project_a, world.housing, deadline=today - timedelta(days=12), description="逾期十二天"
    )
    page = client_for(world.coordinator).get("/problems/").context["page"]
    assert {p.description: p.level for p in page} == {"逾期三天": "", "逾期十二天": "red"}
    shown = client_for(world.coordinator).get("/problems/?overdue=true").context["page"]
    assert [p.description for p in shown] == ["逾期十二天"]
