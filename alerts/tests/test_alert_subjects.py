"""Warnings name what they are about: the object by its name and with a link, periods and years in
words, rules by their names, and the operation log by the project's name."""

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from openpyxl import load_workbook

from alerts.choices import AlertState, Colour
from alerts.models import Alert, describe_objects
from audit.models import OperationLog
from catalog.models import ProcedureType
from problems.tests.factories import make_problem
from projects.models import Procedure

pytestmark = pytest.mark.django_db


def make_alert(project, rule, key, colour=Colour.RED, message="预警"):
    return Alert.objects.create(
        rule=rule,
        project=project,
        object_key=key,
        colour=colour,
        state=AlertState.OPEN,
        message=message,
        opened_on=date(2026, 4, 1),
    )


@pytest.fixture
def late_problem(world):
    return make_problem(
        world.project_a,
        world.housing,
        description="滨河路段管线迁改未完成，影响路基施工",
        deadline=timezone.localdate() - timedelta(days=21),
    )


def object_shown(client, alert) -> str:
    page = client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    start = page.index('data-testid="alert-object"')
    return page[start : page.index("</dd>", start)]


def test_a_problem_warning_links_to_the_problem_by_its_description(world, client_for, late_problem):
    alert = make_alert(world.project_a, "problem_overdue", f"problem:{late_problem.pk}")
    shown = object_shown(client_for(world.department), alert)
    assert f'href="/problems/{late_problem.pk}/"' in shown
    assert "问题：滨河路段管线迁改未完成，影响路基施工" in shown
    assert "problem:" not in shown


def test_periods_years_and_the_whole_project_read_as_words(world, client_for):
    client = client_for(world.coordinator)
    assert "2026年3月" in object_shown(client, make_alert(world.project_a, "start_overdue", "2026-03"))
    assert "2026年度" in object_shown(client, make_alert(world.project_a, "investment_lag", "2026"))
    assert "项目整体" in object_shown(client, make_alert(world.project_b, "not_in_statistics", ""))
    world.project_b.report_frequency = "half_monthly"
    world.project_b.save()
    assert "2026年3月下半月" in object_shown(client, make_alert(world.project_b, "report_late", "2026-03-2"))


def test_an_object_of_a_rule_without_a_page_is_named_without_a_link(world, client_for):
    procedure = Procedure.objects.create(
        project=world.project_b, type=ProcedureType.objects.get(code="approval"), status="in_progress"
    )
    alert = make_alert(world.project_b, "approval_overdue", f"procedure:{procedure.pk}")
    shown = object_shown(client_for(world.coordinator), alert)
    assert f"项目手续：{procedure}" in shown and "<a " not in shown


def test_a_deleted_object_and_an_unknown_key_are_said_so(world, client_for, late_problem):
    alert = make_alert(world.project_a, "problem_overdue", f"problem:{late_problem.pk}")
    late_problem.delete()
    client = client_for(world.coordinator)
    assert "问题（已删除）" in object_shown(client, alert)
    assert "kept:7" in object_shown(client, make_alert(world.project_a, "start_overdue", "kept:7"))


def test_the_export_names_the_objects_with_one_query_per_table(world, client_for):
    problems = [
        make_problem(world.project_a, world.housing, description=f"第{n}个超期问题") for n in range(1, 6)
    ]
    for problem in problems:
        make_alert(world.project_a, "problem_overdue", f"problem:{problem.pk}")
    alerts = list(Alert.objects.select_related("project"))
    with CaptureQueriesContext(connection) as queries:
        subjects = describe_objects(alerts)
    assert len(queries) == 1
    assert sorted(s.label for s in subjects.values()) == [f"问题：第{n}个超期问题" for n in range(1, 6)]
    response = client_for(world.coordinator).get(reverse("alerts:board") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    shown = {row[7] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert shown == {f"问题：第{n}个超期问题" for n in range(1, 6)}


def test_the_rules_page_names_rules_without_their_codes(world, client_for):
    page = client_for(world.admin).get(reverse("alerts:rules"))
    text = strip_tags(page.content.decode())
    assert "应开未开" in text and "问题超期" in text
    for code in ("start_overdue", "problem_overdue", "investment_lag", "report_late"):
        assert code not in text


def test_closing_a_warning_by_hand_logs_it_by_the_projects_name(world, client_for, late_problem):
    alert = make_alert(world.project_a, "problem_overdue", f"problem:{late_problem.pk}")
    client = client_for(world.coordinator)
    client.post(reverse("alerts:close", args=[alert.pk]), {"reason": "经现场核实已解决"})
    log = OperationLog.objects.get(object_type="预警", action="status")
    assert log.object_repr == "问题超期 · 滨河路改造工程 · 红灯"
    page = client_for(world.admin).get(reverse("audit:operation_log")).content.decode()
    assert "问题超期 · 滨河路改造工程 · 红灯" in page
    assert f"问题超期 · {world.project_a.pk} ·" not in page
