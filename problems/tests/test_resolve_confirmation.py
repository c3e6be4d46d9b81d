"""A unit's 销号 waits for the coordinator's office to confirm it (待确认销号), as
PROBLEM_RESOLVE_NEEDS_CONFIRMATION says: by default for problems once escalated to a meeting."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import OperationLog
from notifications.models import Notification
from problems.choices import MatterStatus, ProblemStatus
from problems.figures import board, problem_figures
from problems.models import Problem
from problems.tests.factories import escalated, make_matter, make_meeting, make_problem

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def handled(world):
    """A problem the housing bureau is handling, never escalated."""
    problem = make_problem(world.project_a, world.housing, description="滨河路段管线迁改未完成")
    problem.move("start", world.department)
    return problem


@pytest.fixture
def up(world):
    """A problem the housing bureau escalated to the weekly meeting."""
    return escalated(
        make_problem(world.project_a, world.housing, description="沿线3户拆迁需区级协调"), world.department
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_units_resolve_of_an_escalated_problem_waits_for_the_office(world, up):
    event = up.move("resolve", world.department, "3户已签订拆迁协议并完成腾退。")
    up.refresh_from_db()
    assert up.status == ProblemStatus.PENDING_CONFIRMATION
    assert up.resolution == "3户已签订拆迁协议并完成腾退。" and up.resolved_at is None
    assert (event.action, event.from_status, event.to_status) == (
        "resolve",
        "escalated",
        "pending_confirmation",
    )
    assert not up.is_solved and Problem.objects.unsolved().filter(pk=up.pk).exists()


def test_the_office_is_told_once_with_a_link_to_the_problem(world, up):
    up.move("resolve", world.department, "3户已签订拆迁协议并完成腾退。")
    note = Notification.objects.get(user=world.coordinator)
    assert note.title == "问题待确认销号：滨河路改造工程"
    assert note.body == (
        "区住房和城乡建设局申请对滨河路改造工程的问题“沿线3户拆迁需区级协调”销号，"
        "说明：3户已签订拆迁协议并完成腾退。请核实后确认销号或退回。"
    )
    assert note.link == f"/problems/{up.pk}/"
    assert not Notification.objects.exclude(user=world.coordinator).exists()


def test_a_units_resolve_of_a_problem_never_escalated_is_final_by_default(world, handled):
    handled.move("resolve", world.department, "管线单位已完成迁改")
    assert handled.status == ProblemStatus.RESOLVED and handled.resolved_at is not None
    assert not Notification.objects.exists()


def test_sending_an_escalated_problem_back_to_handling_does_not_spare_the_confirmation(world, up):
    up.move("return", world.department, "由住建局按既定措施办理")
    up.move("resolve", world.department, "已完成腾退")
    assert up.status == ProblemStatus.PENDING_CONFIRMATION


def test_the_offices_own_resolve_is_final(world, up):
    up.move("resolve", world.coordinator, "经调度会协调已解决")
    assert up.status == ProblemStatus.RESOLVED and up.resolved_at is not None


def test_the_office_confirms_and_the_problem_is_solved_with_the_units_note(world, up):
    up.move("resolve", world.department, "3户已完成腾退")
    assert up.allowed_actions(world.coordinator) == ["confirm", "reject"]
    up.move("confirm", world.coordinator)
    up.refresh_from_db()
    assert up.status == ProblemStatus.RESOLVED and up.resolved_at is not None
    assert up.resolution == "3户已完成腾退"
    assert [(e.action, e.to_status) for e in up.events.all()][-2:] == [
        ("resolve", "pending_confirmation"),
        ("confirm", "resolved"),
    ]


def test_sent_back_the_problem_returns_where_it_was_and_the_unit_is_told(world, up, handled, settings):
    up.move("resolve", world.department, "3户已完成腾退")
    with pytest.raises(ValidationError) as error:
        up.move("reject", world.coordinator, " ")
    assert error.value.message_dict == {"note": ["退回销号须说明原因。"]}
    up.move("reject", world.coordinator, "经现场核实，仍有1户未腾退。")
    assert up.status == ProblemStatus.ESCALATED and up.resolved_at is None and up.settled_by is None
    told = Notification.objects.get(user=world.department)
    assert told.title == "销号被退回：滨河路改造工程"
    assert told.body.endswith("原因：经现场核实，仍有1户未腾退。请继续办理。")
    settings.PROBLEM_RESOLVE_NEEDS_CONFIRMATION = "all"
    handled.move("resolve", world.department, "已迁改")
    handled.move("reject", world.coordinator, "迁改尚未验收")
    assert handled.status == ProblemStatus.IN_PROGRESS


@pytest.mark.parametrize("persona", ["department", "owner_a", "leader"])
def test_only_the_office_confirms_or_sends_back(world, up, persona):
    up.move("resolve", world.department, "3户已完成腾退")
    user = getattr(world, persona)
    assert up.allowed_actions(user) == []
    for action in ("confirm", "reject"):
        with pytest.raises(PermissionDenied):
            up.move(action, user, "自行确认")
    assert Problem.objects.get(pk=up.pk).status == ProblemStatus.PENDING_CONFIRMATION


def test_a_problem_awaiting_confirmation_is_not_counted_as_solved(world, up):
    up.move("resolve", world.department, "3户已完成腾退")
    today = timezone.localdate()
    figures = problem_figures(today.replace(month=1, day=1), today)
    assert (figures["raised"], figures["solved"], figures["closure_rate"]) == (1, 0, 0)
    _by_category, by_unit, totals = board(Problem.objects.all(), today, 0)
    assert (totals["pending_confirmation"], totals["resolved"], totals["closure_rate"]) == (1, 0, 0)
    up.move("confirm", world.coordinator)
    assert problem_figures(today.replace(month=1, day=1), today)["solved"] == 1


def test_setting_all_asks_for_confirmation_of_every_units_resolve(world, handled, settings):
    settings.PROBLEM_RESOLVE_NEEDS_CONFIRMATION = "all"
    handled.move("resolve", world.department, "管线单位已完成迁改")
    assert handled.status == ProblemStatus.PENDING_CONFIRMATION


def test_setting_none_makes_every_resolve_final(world, up, settings):
    settings.PROBLEM_RESOLVE_NEEDS_CONFIRMATION = "none"
    up.move("resolve", world.department, "3户已完成腾退")
    assert up.status == ProblemStatus.RESOLVED


def test_the_pages_ask_the_unit_and_then_the_office(world, client_for, up):
    unit = client_for(world.department)
    page = unit.get(f"/problems/{up.pk}/").content.decode()
    assert 'data-testid="confirmation-hint"' in page
    response = unit.post(f"/problems/{up.pk}/move/resolve/", {"note": "3户已完成腾退"}, follow=True)
    assert "已申请销号，待重点办确认。" in messages_of(response)
    page = response.content.decode()
    assert "待确认销号" in page and "3户已完成腾退" in page and 'data-testid="move-confirm"' not in page
    office = client_for(world.coordinator)
    page = office.get(f"/problems/{up.pk}/").content.decode()
    assert 'data-testid="move-confirm"' in page and 'data-testid="move-reject"' in page
    assert unit.post(f"/problems/{up.pk}/move/confirm/").status_code == 403
    assert Problem.objects.get(pk=up.pk).status == ProblemStatus.PENDING_CONFIRMATION
    response = office.post(f"/problems/{up.pk}/move/confirm/", {"note": "经核实属实"}, follow=True)
    assert "已确认销号。" in messages_of(response)
    logs = OperationLog.objects.filter(object_type="问题", object_id=str(up.pk), action="status")
    assert [log.changes["状态"] for log in logs.order_by("at", "id")][-2:] == [
        ["已上报", "待确认销号"],
        ["待确认销号", "已解决"],
    ]


def test_the_api_waits_for_the_office_too(world, client_for, up):
    response = client_for(world.department).post(
        f"/api/problems/{up.pk}/move/", {"action": "resolve", "note": "3户已完成腾退"}, content_type=JSON
    )
    assert response.status_code == 200 and response.json()["status"] == "pending_confirmation"
    refused = client_for(world.department).post(
        f"/api/problems/{up.pk}/move/", {"action": "confirm"}, content_type=JSON
    )
    assert refused.status_code == 403
    response = client_for(world.coordinator).post(
        f"/api/problems/{up.pk}/move/", {"action": "confirm"}, content_type=JSON
    )
    assert response.status_code == 200 and response.json()["status"] == "resolved"


def test_a_matter_finished_by_its_unit_asks_for_the_problems_confirmation(world, client_for, up):
    meeting = make_meeting(world.coordinator)
    meeting.agenda.add(up)
    matter = make_matter(meeting, world.housing, up, deadline=meeting.date + timedelta(days=14))
    response = client_for(world.department).post(
        f"/meetings/matters/{matter.pk}/move/complete/", {"note": "已完成腾退"}, follow=True
    )
    assert "关联问题已随议定事项办结申请销号，待重点办确认。" in messages_of(response)
    matter.refresh_from_db()
    up.refresh_from_db()
    assert matter.status == MatterStatus.DONE
    assert up.status == ProblemStatus.PENDING_CONFIRMATION and up.settled_by == matter
    up.move("confirm", world.coordinator)
    assert up.status == ProblemStatus.RESOLVED and up.settled_by == matter


def test_a_setting_out_of_its_values_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k != "PROBLEM_RESOLVE_NEEDS_CONFIRMATION"}
    completed = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={**env, "KEYPROJECTS_DEVELOPMENT": "1", "PROBLEM_RESOLVE_NEEDS_CONFIRMATION": "sometimes"},
        capture_output=True,
        text=True,
    )
    assert completed.returncode != 0 and "PROBLEM_RESOLVE_NEEDS_CONFIRMATION" in completed.stderr
