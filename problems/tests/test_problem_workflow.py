"""The problem's state machine, its thread and attachments, raising one from a report, and its history."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import OperationLog
from problems.choices import ProblemStatus
from problems.models import Problem, ProblemAttachment, ProblemComment
from problems.querysets import overdue_problems
from problems.tests.factories import make_problem
from progress.models import Report
from progress.periods import Period

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def problem(world):
    return make_problem(world.project_a, world.housing, description="滨河路段管线迁改未完成")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_problem_goes_from_open_through_handling_to_solved(world, problem):
    problem.move("start", world.department)
    problem.move("resolve", world.department, "管线单位已完成迁改")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RESOLVED
    assert problem.resolution == "管线单位已完成迁改" and problem.resolved_at is not None
    assert [e.action for e in problem.events.all()] == ["start", "resolve"]


def test_an_open_problem_cannot_be_solved_before_it_is_handled(world, problem):
    with pytest.raises(ValidationError) as error:
        problem.move("resolve", world.coordinator, "已解决")
    assert error.value.messages == [
        "问题当前状态为“待办”，不能“销号”。请先开始办理，明确责任单位和办理时限。"
    ]
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.OPEN


def test_a_solved_problem_cannot_be_escalated_or_started(world, problem):
    problem.move("start", world.coordinator)
    problem.move("resolve", world.coordinator, "已解决")
    for action in ("escalate", "start", "return"):
        with pytest.raises(ValidationError, match="问题当前状态为“已解决”"):
            problem.move(action, world.coordinator, "说明")


def test_solving_needs_a_resolution_note(world, problem):
    problem.move("start", world.department)
    with pytest.raises(ValidationError) as error:
        problem.move("resolve", world.department, "  ")
    assert error.value.message_dict == {"note": ["销号须填写解决情况说明。"]}


def test_escalating_needs_what_the_meeting_should_settle(world, problem):
    with pytest.raises(ValidationError) as error:
        problem.move("escalate", world.department)
    assert error.value.message_dict == {"note": ["上报须说明需要调度会协调解决的事项。"]}
    problem.move("escalate", world.department, "需区政府协调管线单位")
    assert problem.status == ProblemStatus.ESCALATED and problem.escalation_note == "需区政府协调管线单位"


def test_handling_starts_only_with_units_and_a_deadline(world):
    problem = make_problem(world.project_a, description="无责任单位的问题")
    with pytest.raises(ValidationError, match="开始办理前须明确责任单位和办理时限"):
        problem.move("start", world.coordinator)


def test_an_unknown_move_is_refused(world, problem):
    with pytest.raises(ValidationError, match="未知的操作"):
        problem.move("archive", world.coordinator)


@pytest.mark.parametrize("persona", ["owner_a", "leader", "inspector"])
def test_owners_leaders_and_inspectors_do_not_handle_problems(world, problem, persona):
    user = getattr(world, persona)
    assert problem.allowed_actions(user) == []
    with pytest.raises(PermissionDenied):
        problem.move("start", user)


def test_only_the_coordinators_office_reopens_a_solved_problem(world, problem):
    problem.move("start", world.department)
    problem.move("resolve", world.department, "已解决")
    assert "reopen" not in problem.allowed_actions(world.department)
    with pytest.raises(PermissionDenied):
        problem.move("reopen", world.department, "复发")
    problem.move("reopen", world.coordinator, "问题复发")
    assert problem.status == ProblemStatus.IN_PROGRESS and problem.resolved_at is None


def test_moves_on_the_page_are_recorded_in_the_history(world, client_for, problem):
    client = client_for(world.department)
    client.post(f"/problems/{problem.pk}/move/start/")
    response = client.post(f"/problems/{problem.pk}/move/resolve/", {"note": "已迁改完毕"}, follow=True)
    assert "已销号。" in messages_of(response)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RESOLVED
    logs = OperationLog.objects.filter(object_type="问题", object_id=str(problem.pk), action="status")
    assert [log.changes["状态"] for log in logs.order_by("at", "id")] == [
        ["待办", "办理中"],
        ["办理中", "已解决"],
    ]
    first = logs.first()
    assert first is not None and first.project == world.project_a
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    assert "已迁改完毕" in page and 'data-testid="history-table"' in page


def test_an_illegal_move_on_the_page_shows_the_reason(world, client_for, problem):
    response = client_for(world.department).post(
        f"/problems/{problem.pk}/move/resolve/", {"note": "x"}, follow=True
    )
    assert any("不能“销号”" in m for m in messages_of(response))
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.OPEN


def test_an_owner_posting_a_move_gets_a_403(world, client_for, problem):
    assert client_for(world.owner_a).post(f"/problems/{problem.pk}/move/start/").status_code == 403


def test_the_api_moves_a_problem_and_refuses_an_illegal_move_with_the_reason(world, client_for, problem):
    client = client_for(world.department)
    response = client.post(
        f"/api/problems/{problem.pk}/move/", {"action": "resolve", "note": "x"}, content_type=JSON
    )
    assert response.status_code == 400
    assert "不能“销号”" in response.json()["non_field_errors"][0]
    response = client.post(f"/api/problems/{problem.pk}/move/", {"action": "start"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    response = client.post(f"/api/problems/{problem.pk}/move/", {"action": "resolve"}, content_type=JSON)
    assert response.status_code == 400 and response.json()["note"] == ["销号须填写解决情况说明。"]
    assert (
        client_for(world.owner_a)
        .post(f"/api/problems/{problem.pk}/move/", {"action": "escalate", "note": "x"}, content_type=JSON)
        .status_code
        == 403
    )


def test_a_solved_problem_is_not_edited(world, client_for, problem):
    problem.move("start", world.coordinator)
    problem.move("resolve", world.coordinator, "已解决")
    client = client_for(world.coordinator)
    response = client.patch(f"/api/problems/{problem.pk}/", {"measures": "再议"}, content_type=JSON)
    assert response.status_code == 400
    assert client.get(f"/problems/{problem.pk}/edit/").status_code == 302


def test_editing_records_the_changes_including_the_units(world, client_for, problem):
    response = client_for(world.department).post(
        f"/problems/{problem.pk}/edit/",
        {
            "category": "land",
            "description": problem.description,
            "responsible_units": [world.housing.pk, world.town.pk],
            "measures": "倒排迁改计划",
            "deadline": "2026-09-30",
        },
    )
    assert response.status_code == 302
    log = OperationLog.objects.get(action="update", object_type="问题")
    # The units in 拼音 order: 城关 chéng before 区 qū.
    assert log.changes["责任单位"] == ["区住房和城乡建设局", "城关街道办事处、区住房和城乡建设局"]
    assert log.changes["解决措施"] == ["", "倒排迁改计划"]


@pytest.mark.parametrize("persona", ["leader", "inspector", "owner_a", "department"])
def test_everyone_who_sees_a_problem_comments_on_it(world, client_for, problem, persona):
    client = client_for(getattr(world, persona))
    response = client.post(f"/problems/{problem.pk}/comments/", {"text": "请抓紧协调"})
    assert response.status_code == 302
    assert ProblemComment.objects.get().author == getattr(world, persona)
    assert "请抓紧协调" in client.get(f"/problems/{problem.pk}/").content.decode()


def test_one_who_cannot_see_the_problem_cannot_comment(world, client_for, problem):
    assert (
        client_for(world.owner_b).post(f"/problems/{problem.pk}/comments/", {"text": "x"}).status_code == 404
    )
    response = client_for(world.owner_b).post(
        "/api/problem-comments/", {"problem": problem.pk, "text": "x"}, content_type=JSON
    )
    assert response.status_code == 400
    assert not ProblemComment.objects.exists()


def test_the_comment_api_lists_the_thread_and_logs_comments(world, client_for, problem):
    client = client_for(world.leader)
    response = client.post(
        "/api/problem-comments/", {"problem": problem.pk, "text": "限月底前解决"}, content_type=JSON
    )
    assert response.status_code == 201
    assert (
        client.get(f"/api/problem-comments/?problem={problem.pk}").json()["results"][0]["author_name"]
        == "李领导"
    )
    assert client_for(world.owner_b).get("/api/problem-comments/").json()["results"] == []
    assert OperationLog.objects.get(action="create").project == world.project_a


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_attachment_is_kept_and_served_only_to_those_who_see_the_problem(
    world, client_for, problem, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.department)
    upload = SimpleUploadedFile("协调函.pdf", PDF, content_type="application/pdf")
    assert client.post(f"/problems/{problem.pk}/attachments/", {"file": upload}).status_code == 302
    attachment = ProblemAttachment.objects.get()
    assert attachment.name == "协调函.pdf" and attachment.size == len(PDF)
    response = client_for(world.leader).get(f"/problems/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client_for(world.owner_b).get(f"/problems/attachments/{attachment.pk}/").status_code == 404
    log = OperationLog.objects.get(object_type="问题", action="update")
    assert log.changes["附件"] == ["", "协调函.pdf"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("tool.exe", b"MZ\x90\x00", "类型不受支持"),
        ("fake.pdf", b"MZ\x90\x00", "内容与文件类型不符"),
        ("big.pdf", b"%PDF" + b"0" * 2048, "超过1.0\xa0KB上限"),
    ],
)
def test_attachments_outside_the_size_limit_or_allowed_types_are_refused(
    world, client_for, problem, tmp_path, settings, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = client_for(world.department).post(
        f"/problems/{problem.pk}/attachments/", {"file": SimpleUploadedFile(name, content)}, follow=True
    )
    assert any(message in m for m in messages_of(response)), messages_of(response)
    assert not ProblemAttachment.objects.exists()


def test_leaders_cannot_attach_files(world, client_for, problem):
    upload = SimpleUploadedFile("a.pdf", PDF)
    assert (
        client_for(world.leader).post(f"/problems/{problem.pk}/attachments/", {"file": upload}).status_code
        == 403
    )


@pytest.fixture
def report(world):
    period = Period(2026, 4)
    return Report.objects.create(
        project=world.project_a,
        year=2026,
        month=4,
        deadline=period.deadline,
        state="submitted",
        progress_text="路基施工",
        problems_text="沿线3户拆迁未完成，影响路基施工",
    )


def test_a_report_offers_to_turn_its_problems_into_the_ledger(world, client_for, report):
    page = client_for(world.department).get(f"/reports/{report.pk}/").content.decode()
    assert "转为问题台账" in page
    assert "转为问题台账" not in client_for(world.leader).get(f"/reports/{report.pk}/").content.decode()


def test_raising_from_a_report_prefills_the_form_and_links_the_report(world, client_for, report):
    client = client_for(world.owner_a)
    form = client.get(f"/problems/new/?report={report.pk}")
    assert form.status_code == 200
    assert "沿线3户拆迁未完成" in form.content.decode()
    response = client.post(
        f"/problems/new/?report={report.pk}",
        {
            "category": "demolition",
            "description": report.problems_text,
            "responsible_units": [world.housing.pk],
            "deadline": "2026-06-30",
        },
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/problems/{problem.pk}/"
    assert (
        problem.report == report and problem.raised_by == world.owner_a and problem.project == world.project_a
    )


def test_a_report_out_of_reach_cannot_be_raised_from(world, client_for, report):
    assert client_for(world.owner_b).get(f"/problems/new/?report={report.pk}").status_code == 404
    assert client_for(world.leader).get(f"/problems/new/?report={report.pk}").status_code == 403


def test_the_list_filters_by_status_category_unit_and_overdue(world, client_for):
    today = timezone.localdate()
    late = make_problem(
        world.project_a, world.housing, description="逾期的用地问题", deadline=today - timedelta(days=3)
    )
    make_problem(world.project_b, world.town, description="未到期的资金问题", category="funding")
    client = client_for(world.coordinator)

    def shown(query: str) -> list[str]:
        return [p.description for p in client.get(f"/problems/?{query}").context["page"]]

    assert shown("overdue=true") == [late.description]
    assert shown("category=funding") == ["未到期的资金问题"]
    assert shown(f"unit={world.town.pk}") == ["未到期的资金问题"]
    assert shown("status=resolved") == []
    assert shown("sort=deadline")[0] == late.description


def test_the_export_is_the_filtered_list(world, client_for):
    make_problem(world.project_a, world.housing, description="导出的问题")
    response = client_for(world.coordinator).get("/problems/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert OperationLog.objects.filter(action="export", object_type="问题台账").exists()


def test_the_board_counts_by_unit_and_category_with_closure_rate_and_overdue(world, client_for):
    today = timezone.localdate()
    solved = make_problem(world.project_a, world.housing, world.town)
    solved.move("start", world.coordinator)
    solved.move("resolve", world.coordinator, "已解决")
    make_problem(world.project_a, world.housing, deadline=today - timedelta(days=1))
    make_problem(world.project_b, category="funding")
    response = client_for(world.coordinator).get("/problems/board/")
    units = {row["unit__name"]: row for row in response.context["by_unit"]}
    assert units["区住房和城乡建设局"]["total"] == 2
    assert units["区住房和城乡建设局"]["closure_rate"] == 50
    assert units["区住房和城乡建设局"]["overdue"] == 1
    assert units["城关街道办事处"]["resolved"] == 1
    assert units["未明确责任单位"]["total"] == 1
    categories = {row["category"]: row for row in response.context["by_category"]}
    assert categories["land"]["total"] == 2 and categories["funding"]["total"] == 1
    assert response.context["totals"]["closure_rate"] == Decimal("33.3")
    town = client_for(world.town_user).get("/problems/board/").context["totals"]
    assert town["total"] == 2  # the solved one assigned to it, and the one on its own project


def test_overdue_findings_turn_red_fifteen_days_after_the_deadline(world):
    today = date(2026, 6, 30)
    yellow = make_problem(world.project_a, world.housing, deadline=date(2026, 6, 20))
    red = make_problem(world.project_a, world.housing, deadline=date(2026, 6, 14))
    make_problem(world.project_a, world.housing, deadline=date(2026, 6, 30))
    solved = make_problem(world.project_a, world.housing, deadline=date(2026, 6, 1))
    solved.move("start", world.coordinator)
    solved.move("resolve", world.coordinator, "已解决")
    found = {p.pk: p.level for p in overdue_problems(today, 0, 15)}
    assert found == {yellow.pk: "yellow", red.pk: "red"}
    assert {p.pk: p.level for p in overdue_problems(today, 10, 20)} == {red.pk: "yellow"}


def test_overdue_findings_are_one_query(world, django_assert_num_queries):
    for index in range(5):
        make_problem(world.project_a, world.housing, deadline=date(2026, 1, index + 1))
    with django_assert_num_queries(1):
        rows = list(overdue_problems(date(2026, 3, 1), 0, 15).values_list("project_id", "level"))
    assert len(rows) == 5


@pytest.mark.parametrize(
    "persona, shown", [("inspector", True), ("coordinator", True), ("department", False), ("owner_a", False)]
)
def test_supervisors_can_issue_a_notice_from_a_problem(world, client_for, problem, persona, shown):
    page = client_for(getattr(world, persona)).get(f"/problems/{problem.pk}/").content.decode()
    assert ('data-testid="supervise-problem"' in page) == shown
