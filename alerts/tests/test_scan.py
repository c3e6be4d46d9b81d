"""The scan itself: idempotent, constant reads, manual 销号 respected, other apps' rules, failing rules."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from alerts.choices import AlertState, Colour, EventKind
from alerts.models import Alert, AlertEvent
from alerts.rules import Finding, Rule, register, unregister
from alerts.scan import rule_configs
from alerts.tests.conftest import scan_on
from catalog.models import Category
from projects.models import Project

pytestmark = pytest.mark.django_db


def late_starters(world, count, first=0):
    category = Category.objects.first()
    Project.objects.bulk_create(
        Project(
            name=f"迟开工项目{first + i}",
            category=category,
            total_investment=Decimal(1000),
            responsible_unit=world.housing,
            owner_unit=world.owner_a_unit,
            status="preliminary",
            planned_start_date=date(2026, 1, 10),
        )
        for i in range(count)
    )


def test_scanning_twice_on_the_same_day_changes_nothing(world):
    late_starters(world, 5)
    first = scan_on(date(2026, 3, 1))
    assert first.opened == 5
    alerts, events = Alert.objects.count(), AlertEvent.objects.count()
    again = scan_on(date(2026, 3, 1))
    assert (again.opened, again.escalated, again.closed) == (0, 0, 0)
    assert (Alert.objects.count(), AlertEvent.objects.count()) == (alerts, events)
    assert (
        Alert.objects.open().filter(rule="start_overdue").values("project", "object_key").distinct().count()
        == 5
    )


def test_the_number_of_queries_does_not_grow_with_the_projects(world):
    rule_configs()  # created on the very first scan only
    late_starters(world, 3)
    with CaptureQueriesContext(connection) as opening_few:
        scan_on(date(2026, 3, 1))
    with CaptureQueriesContext(connection) as steady_few:
        scan_on(date(2026, 3, 2))
    late_starters(world, 40, first=3)
    Alert.objects.all().delete()
    with CaptureQueriesContext(connection) as opening_many:
        assert scan_on(date(2026, 3, 5)).opened >= 43
    with CaptureQueriesContext(connection) as steady_many:
        scan_on(date(2026, 3, 6))
    assert len(steady_many) == len(steady_few)
    # A first scan of many projects writes in as many statements as one of few.
    assert len(opening_many) == len(opening_few)


def test_a_warning_closed_by_hand_stays_closed_until_it_turns_red_or_clears(world):
    project = world.project_b
    project.planned_start_date = date(2026, 3, 10)
    project.save()
    scan_on(date(2026, 4, 1))
    alert = Alert.objects.get(rule="start_overdue")
    alert.close(by=world.coordinator, reason="已报告区政府，待定")
    scan_on(date(2026, 4, 2))
    assert not Alert.objects.open().filter(rule="start_overdue").exists()
    # Three months on, the condition is worse: a new, red warning.
    scan_on(date(2026, 7, 1))
    red = Alert.objects.open().get(rule="start_overdue")
    assert red.colour == Colour.RED and red.pk != alert.pk
    alert.refresh_from_db()
    assert not alert.held_closed
    red.close(by=world.coordinator, reason="改为明年开工")
    project.planned_start_date = date(2027, 3, 1)
    project.save()
    scan_on(date(2026, 7, 2))  # the condition cleared: the hold is released
    red.refresh_from_db()
    assert not red.held_closed
    project.planned_start_date = date(2026, 3, 10)
    project.save()
    scan_on(date(2026, 7, 3))
    assert Alert.objects.open().get(rule="start_overdue").colour == Colour.RED
    kinds = list(AlertEvent.objects.filter(alert=red).values_list("kind", flat=True))
    assert kinds == [EventKind.OPENED, EventKind.CLOSED_MANUAL]


class FlagOnEveryProject(Rule):
    code = "test_everything"
    name = "测试规则"
    default_yellow, default_red = 0, 0

    def findings(self, today, config):
        for pk in Project.objects.values_list("pk", flat=True):
            yield Finding(pk, "", Colour.YELLOW, "测试")
            yield Finding(pk, "", Colour.RED, "更糟")


class Broken(Rule):
    code = "test_broken"
    name = "坏规则"
    default_yellow, default_red = 0, 0

    def findings(self, today, config):
        raise RuntimeError("the problems table is missing")


@pytest.fixture
def extra_rules():
    register(FlagOnEveryProject)
    register(Broken)
    yield
    unregister("test_everything")
    unregister("test_broken")


def test_rules_registered_by_other_apps_run_and_a_failing_one_stops_nothing(world, extra_rules):
    result = scan_on(date(2026, 4, 1))
    assert result.errors == {"test_broken": "RuntimeError: the problems table is missing"}
    flagged = Alert.objects.open().filter(rule="test_everything")
    assert flagged.count() == Project.objects.count()
    assert set(flagged.values_list("colour", flat=True)) == {Colour.RED}  # the worst finding wins
    assert "start_overdue" in result.by_rule


def test_registering_two_rules_under_one_code_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    class Impostor(Rule):
        code = "start_overdue"
        name = "冒名"
        default_yellow, default_red = 0, 0

    with pytest.raises(ImproperlyConfigured):
        register(Impostor)


def test_only_open_warnings_count_as_open(world):
    late_starters(world, 2)
    scan_on(date(2026, 3, 1))
    Project.objects.filter(name="迟开工项目0").update(status="cancelled")
    result = scan_on(date(2026, 3, 2))
    assert result.closed == 1
    assert Alert.objects.filter(state=AlertState.CLOSED).get().project.name == "迟开工项目0"


class ByDay(Rule):
    """Yellow on every project on the 1st, red with a message of its own on the 2nd, cleared on the 3rd."""

    code = "test_by_day"
    name = "按日规则"
    default_yellow, default_red = 0, 0

    def findings(self, today, config):
        if today.day == 3:
            return
        for pk, name in Project.objects.values_list("pk", "name"):
            if today.day == 1:
                yield Finding(pk, "", Colour.YELLOW, f"{name}：黄")
            else:
                yield Finding(pk, "", Colour.RED, f"{name}：红")


@pytest.fixture
def by_day():
    register(ByDay)
    yield
    unregister("test_by_day")


def test_more_warnings_than_one_statement_holds_open_escalate_and_close_each_once(world, by_day):
    # A district's first scan: hundreds of warnings opened, escalated with their own messages and
    # closed in one scan each, every one once.
    late_starters(world, 700)
    projects = Project.objects.count()
    flagged = Alert.objects.filter(rule="test_by_day")

    assert scan_on(date(2026, 4, 1)).by_rule["test_by_day"].opened == projects
    assert flagged.open().filter(colour=Colour.YELLOW).count() == projects
    assert AlertEvent.objects.filter(alert__rule="test_by_day", kind=EventKind.OPENED).count() == projects

    assert scan_on(date(2026, 4, 2)).by_rule["test_by_day"].escalated == projects
    # Each warning carries its own project's message after the escalation.
    assert all(alert.message == f"{alert.project.name}：红" for alert in flagged.select_related("project"))
    assert flagged.open().filter(colour=Colour.RED).count() == projects

    assert scan_on(date(2026, 4, 3)).by_rule["test_by_day"].closed == projects
    assert flagged.filter(state=AlertState.CLOSED, closed_at__isnull=False).count() == projects
    assert set(
        AlertEvent.objects.filter(alert__rule="test_by_day").values_list("kind").annotate(n=Count("id"))
    ) == {(EventKind.OPENED, projects), (EventKind.ESCALATED, projects), (EventKind.CLOSED_AUTO, projects)}
