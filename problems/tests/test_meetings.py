"""Meetings: agenda from escalated problems, decided matters tracked to the end, minutes as .docx."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from audit.models import OperationLog
from lib.pickers import LISTED_UP_TO
from problems.choices import MatterStatus, ProblemStatus
from problems.models import Matter, Meeting
from problems.tests.factories import escalated, make_matter, make_meeting, make_problem
from projects.models import Project

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def scene(world):
    """An escalated problem on project_a, a weekly meeting that decided one matter on it (住建局 leads)
    and one general matter led by 教育局."""
    problem = escalated(
        make_problem(world.project_a, world.housing, description="管线迁改需区级协调"), world.department
    )
    meeting = make_meeting(world.coordinator, place="区政府三楼会议室", chair=world.leader, kind="weekly")
    meeting.attendees.add(world.department)
    meeting.agenda.add(problem)
    on_problem = make_matter(meeting, world.housing, problem, content="区住建局牵头，两周内完成管线迁改")
    general = make_matter(meeting, world.education, content="区教育局梳理配套学校用地需求")
    return {"problem": problem, "meeting": meeting, "on_problem": on_problem, "general": general}


SEES_MEETING = {
    "coordinator": 200,
    "leader": 200,
    "inspector": 200,
    "admin": 200,
    "department": 200,
    "town_user": 404,
    "owner_a": 200,
    "owner_b": 404,
    "outsider": 200,
}


@pytest.mark.parametrize("persona, expected", list(SEES_MEETING.items()))
def test_a_meeting_is_seen_by_those_it_concerns(world, client_for, scene, persona, expected):
    client = client_for(getattr(world, persona))
    assert client.get(f"/meetings/{scene['meeting'].pk}/").status_code == expected
    assert client.get(f"/api/meetings/{scene['meeting'].pk}/").status_code == expected
    listed = client.get("/meetings/").context["page"].object_list
    assert (scene["meeting"] in listed) == (expected == 200)


def test_the_meeting_page_shows_only_the_matters_in_ones_scope(world, client_for, scene):
    body = client_for(world.outsider).get(f"/meetings/{scene['meeting'].pk}/").content.decode()
    assert "区教育局梳理配套学校用地需求" in body and "两周内完成管线迁改" not in body
    body = client_for(world.owner_a).get(f"/meetings/{scene['meeting'].pk}/").content.decode()
    assert "两周内完成管线迁改" in body and "配套学校" not in body


@pytest.mark.parametrize("persona", ["leader", "inspector", "department", "owner_a", "outsider"])
def test_only_the_coordinators_office_calls_and_minutes_meetings(world, client_for, scene, persona):
    client = client_for(getattr(world, persona))
    assert client.get("/meetings/new/").status_code == 403
    assert client.post(f"/meetings/{scene['meeting'].pk}/matters/new/", {}).status_code in (403, 404)
    assert (
        client.post("/api/meetings/", {"title": "x", "date": "2026-05-01"}, content_type=JSON).status_code
        == 403
    )


def test_a_new_meeting_puts_the_escalated_problems_on_its_agenda(world, client_for):
    problem = escalated(make_problem(world.project_b, world.town, description="拆迁需协调"), world.town_user)
    make_problem(world.project_a, world.housing, description="未上报的问题")
    client = client_for(world.coordinator)
    form = client.get("/meetings/new/").context["form"]
    assert list(form["agenda"].value()) == [problem.pk]
    assert [p.pk for p in form.fields["agenda"].queryset] == [problem.pk]
    response = client.post(
        "/meetings/new/",
        {
            "title": "第3次周调度会",
            "kind": "weekly",
            "date": "2026-05-06",
            "agenda": [problem.pk],
            "attendees": [world.town_user.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and list(meeting.agenda.all()) == [problem]
    log = OperationLog.objects.get(object_type="调度会议", action="create")
    assert log.changes["会议议题"] == ["", "拆迁需协调"] and log.changes["参会人员"] == ["", "陈街道"]


def test_a_matter_is_decided_only_on_an_escalated_problem(world):
    meeting = make_meeting(world.coordinator)
    problem = make_problem(world.project_a, world.housing)
    with pytest.raises(ValidationError) as error:
        make_matter(meeting, world.housing, problem)
    assert error.value.message_dict == {"problem": ["只能就已上报调度会的问题议定事项。"]}


def test_a_matter_takes_its_problems_project(world, scene):
    assert scene["on_problem"].project == world.project_a


def test_finishing_the_matter_closes_the_escalated_problem(world, scene, settings):
    settings.PROBLEM_RESOLVE_NEEDS_CONFIRMATION = "none"
    matter, problem = scene["on_problem"], scene["problem"]
    matter.move("start", world.department)
    matter.move("complete", world.department, "管线迁改已完成，道路恢复施工")
    problem.refresh_from_db()
    assert matter.status == MatterStatus.DONE
    assert problem.status == ProblemStatus.RESOLVED and problem.settled_by == matter
    assert "经第1次重点项目周调度会议定" in problem.resolution and "道路恢复施工" in problem.resolution
    assert problem.events.last().matter == matter


def test_a_matter_that_does_not_close_its_problem_leaves_it_escalated(world, scene):
    matter = scene["on_problem"]
    matter.closes_problem = False
    matter.save()
    matter.move("complete", world.coordinator, "已部署")
    scene["problem"].refresh_from_db()
    assert scene["problem"].status == ProblemStatus.ESCALATED


def test_matter_moves_refuse_illegal_ones_and_people_outside_the_owner_unit(world, scene):
    matter = scene["on_problem"]
    with pytest.raises(ValidationError) as error:
        matter.move("reopen", world.coordinator, "再议")
    assert error.value.messages == ["议定事项当前状态为“待办”，不能“重新打开”。"]
    with pytest.raises(ValidationError) as error:
        matter.move("complete", world.coordinator, "")
    assert error.value.message_dict == {"note": ["办结须填写完成情况。"]}
    for persona in ("owner_a", "leader", "town_user"):
        with pytest.raises(PermissionDenied):
            matter.move("start", getattr(world, persona))


def test_the_owner_unit_finishes_a_matter_on_its_page_and_the_problem_is_logged_as_solved(
    world, client_for, scene, settings
):
    settings.PROBLEM_RESOLVE_NEEDS_CONFIRMATION = "none"
    matter = scene["on_problem"]
    client = client_for(world.department)
    response = client.post(
        f"/meetings/matters/{matter.pk}/move/complete/", {"note": "已完成迁改"}, follow=True
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert "关联问题已随议定事项办结而销号。" in messages
    problem_logs = OperationLog.objects.filter(object_type="问题", action="status")
    assert problem_logs.get().changes["状态"] == ["已上报", "已解决"]
    assert OperationLog.objects.get(object_type="议定事项", action="status").changes["状态"] == [
        "待办",
        "已完成",
    ]


@pytest.mark.parametrize("persona, expected", [("owner_a", 403), ("outsider", 404), ("leader", 403)])
def test_others_cannot_move_a_matter(world, client_for, scene, persona, expected):
    client = client_for(getattr(world, persona))
    matter = scene["on_problem"]
    assert client.post(f"/meetings/matters/{matter.pk}/move/start/").status_code == expected
    assert (
        client.post(f"/api/matters/{matter.pk}/move/", {"action": "start"}, content_type=JSON).status_code
        == expected
    )
    assert Matter.objects.get(pk=matter.pk).status == MatterStatus.OPEN


def test_the_coordinator_records_a_matter_and_the_problem_joins_the_agenda(world, client_for):
    problem = escalated(make_problem(world.project_b, world.town), world.town_user)
    meeting = make_meeting(world.coordinator)
    response = client_for(world.coordinator).post(
        f"/meetings/{meeting.pk}/matters/new/",
        {
            "content": "城关街道一周内完成拆迁签约",
            "problem": problem.pk,
            "owner_unit": world.town.pk,
            "deadline": "2026-06-01",
            "closes_problem": "on",
            "sort_order": 1,
        },
    )
    assert response.status_code == 302
    matter = Matter.objects.get()
    assert matter.project == world.project_b and problem in meeting.agenda.all()
    assert OperationLog.objects.get(object_type="议定事项").project == world.project_b


def test_the_meeting_page_finds_projects_rather_than_listing_them_all(world, client_for, scene):
    """With more projects than a select lists, the matter form's project field offers a search and
    sends none of them; a project found there is recorded all the same."""
    many = Project.objects.bulk_create(
        Project(
            name=f"城东片区安置房{n:03d}期工程",
            category=world.project_a.category,
            total_investment=Decimal("8000"),
            responsible_unit=world.housing,
            build_years="2026-2027",
        )
        for n in range(1, LISTED_UP_TO + 21)
    )
    client = client_for(world.coordinator)
    meeting = scene["meeting"]
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "城东片区安置房" not in html
    assert "/projects/options/" in html
    response = client.post(
        f"/meetings/{meeting.pk}/matters/new/",
        {
            "content": "区住建局一周内完成安置房选址",
            "project": many[-1].pk,
            "owner_unit": world.housing.pk,
            "deadline": "2026-06-01",
            "sort_order": 3,
        },
    )
    assert response.status_code == 302
    assert Matter.objects.filter(project=many[-1]).exists()


def test_the_problem_pickers_search_the_escalated_problems_only(world, client_for, scene):
    open_one = make_problem(world.project_a, world.housing, description="管线迁改资金缺口")
    client = client_for(world.coordinator)

    def found(query):
        answer = client.get("/problems/options/", {"q": "管线迁改", **query}).json()
        return {row["value"] for row in answer["results"]}

    assert found({"escalated": "1"}) == {scene["problem"].pk}
    assert found({}) == {scene["problem"].pk, open_one.pk}


def test_the_matter_list_tracks_overdue_matters_and_exports(world, client_for, scene):
    scene["general"].deadline = timezone.localdate() - timedelta(days=2)
    scene["general"].save()
    client = client_for(world.coordinator)
    page = client.get("/meetings/matters/?overdue=true").context["page"]
    assert list(page) == [scene["general"]]
    assert client.get("/meetings/matters/?export=xlsx").status_code == 200
    assert list(client_for(world.town_user).get("/meetings/matters/").context["page"]) == []


def run_text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_the_minutes_open_in_word_with_the_decided_matters(world, client_for, scene):
    response = client_for(world.leader).get(f"/meetings/{scene['meeting'].pk}/minutes.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    document = Document(io.BytesIO(response.content))
    text = run_text(document)
    assert "第1次重点项目周调度会纪要" in text
    assert f"{timezone.localdate().year}年第1次周调度会" in text
    assert "李领导在区政府三楼会议室主持召开" in text
    assert "（一）滨河路改造工程：区住建局牵头，两周内完成管线迁改（牵头单位：区住房和城乡建设局" in text
    assert "会议议题" in text and "管线迁改需区级协调" in text
    title_format = document.paragraphs[0].runs[0]._element.rPr
    assert title_format is not None and title_format.rFonts is not None
    assert title_format.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert document.paragraphs[-1].alignment == 2  # the date, bottom right


@pytest.mark.parametrize("persona, expected", [("department", 200), ("owner_a", 403), ("inspector", 200)])
def test_the_minutes_go_to_attendees_and_those_who_see_everything(
    world, client_for, scene, persona, expected
):
    assert (
        client_for(getattr(world, persona)).get(f"/meetings/{scene['meeting'].pk}/minutes.docx").status_code
        == expected
    )


def test_the_api_creates_a_meeting_with_an_agenda_of_escalated_problems_only(world, client_for, scene):
    client = client_for(world.coordinator)
    open_problem = make_problem(world.project_b, world.town)
    refused = client.post(
        "/api/meetings/",
        {"title": "联席会议", "kind": "joint", "date": "2026-05-08", "agenda": [open_problem.pk]},
        content_type=JSON,
    )
    assert refused.status_code == 400
    assert refused.json()["agenda"] == ["只能将已上报调度会的问题列入会议议题。"]
    created = client.post(
        "/api/meetings/",
        {
            "title": "联席会议",
            "kind": "joint",
            "date": "2026-05-08",
            "agenda": [scene["problem"].pk],
            "attendees": [world.department.pk],
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    assert created.json()["agenda"] == [scene["problem"].pk]


def test_the_api_finishes_a_matter_and_the_problem_follows(world, client_for, scene, settings):
    settings.PROBLEM_RESOLVE_NEEDS_CONFIRMATION = "none"
    client = client_for(world.department)
    response = client.post(
        f"/api/matters/{scene['on_problem'].pk}/move/",
        {"action": "complete", "note": "完成"},
        content_type=JSON,
    )
    assert response.status_code == 200 and response.json()["status"] == "done"
    problem = client.get(f"/api/problems/{scene['problem'].pk}/").json()
    assert problem["status"] == "resolved" and problem["settled_by"] == scene["on_problem"].pk
    illegal = client.post(
        f"/api/matters/{scene['on_problem'].pk}/move/", {"action": "start"}, content_type=JSON
    )
    assert illegal.status_code == 400


@pytest.mark.parametrize(
    "persona, expected", [("coordinator", 2), ("department", 1), ("outsider", 1), ("town_user", 0)]
)
def test_the_matter_api_follows_the_scope(world, client_for, scene, persona, expected):
    assert client_for(getattr(world, persona)).get("/api/matters/").json()["count"] == expected


def test_the_meeting_list_sorts_and_filters(world, client_for):
    make_meeting(world.coordinator, on=timezone.localdate() - timedelta(days=7), title="乙会议", kind="joint")
    make_meeting(world.coordinator, on=timezone.localdate(), title="甲会议")
    client = client_for(world.coordinator)
    assert [m.title for m in client.get("/meetings/").context["page"]] == ["甲会议", "乙会议"]
    assert [m.title for m in client.get("/meetings/?sort=date").context["page"]] == ["乙会议", "甲会议"]
    assert [m.title for m in client.get("/meetings/?kind=joint").context["page"]] == ["乙会议"]
