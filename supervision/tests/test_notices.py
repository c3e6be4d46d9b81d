"""督办通知单: numbering per year, who sees and answers it, its states, and the printable .docx."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from audit.models import OperationLog
from problems.tests.factories import make_problem
from supervision.choices import NoticeStatus
from supervision.models import Notice, NoticeReply

pytestmark = pytest.mark.django_db
JSON = "application/json"
PDF = b"%PDF-1.4\n%%EOF\n"


def make_notice(world, unit=None, issued_on=None, **fields) -> Notice:
    today = timezone.localdate()
    notice = Notice.objects.create(
        title=fields.pop("title", "关于加快滨河路改造工程管线迁改的督办通知"),
        target_unit=unit or world.housing,
        content=fields.pop("content", "滨河路改造工程管线迁改滞后，请抓紧协调推进。"),
        deadline=fields.pop("deadline", today + timedelta(days=10)),
        issuing_office="示范区人民政府督查局",
        issued_on=issued_on or today,
        issued_by=world.inspector,
        **fields,
    )
    return notice


@pytest.fixture
def notices(world):
    to_housing = make_notice(world)
    to_housing.projects.add(world.project_a)
    to_education = make_notice(world, unit=world.education, title="关于配套学校选址的督办通知")
    return {"housing": to_housing, "education": to_education}


def test_notices_are_numbered_per_year(world):
    first = make_notice(world, issued_on=date(2026, 3, 1))
    second = make_notice(world, issued_on=date(2026, 4, 1))
    other_year = make_notice(world, issued_on=date(2025, 12, 30))
    assert (first.number, second.number, other_year.number) == (
        "督办〔2026〕1号",
        "督办〔2026〕2号",
        "督办〔2025〕1号",
    )
    first.title = "改了事由"
    first.save()
    assert Notice.objects.get(pk=first.pk).number == "督办〔2026〕1号"


def test_the_issue_date_cannot_leave_the_numbers_year(world):
    notice = make_notice(world, issued_on=date(2026, 3, 1))
    notice.issued_on = date(2027, 1, 5)
    with pytest.raises(ValidationError, match="文号已按2026年编排"):
        notice.full_clean()


SEES = {
    "coordinator": {"housing", "education"},
    "leader": {"housing", "education"},
    "inspector": {"housing", "education"},
    "admin": {"housing", "education"},
    "department": {"housing"},
    "town_user": set(),
    "owner_a": {"housing"},
    "owner_b": set(),
    "outsider": {"education"},
}


@pytest.mark.parametrize("persona", list(SEES))
def test_a_notice_is_seen_by_its_unit_those_who_see_its_projects_and_those_who_see_all(
    world, client_for, notices, persona
):
    client = client_for(getattr(world, persona))
    listed = set(client.get("/supervision/notices/").context["page"].object_list)
    assert listed == {notices[key] for key in SEES[persona]}
    for key, notice in notices.items():
        expected = 200 if key in SEES[persona] else 404
        assert client.get(f"/supervision/notices/{notice.pk}/").status_code == expected
        assert client.get(f"/api/notices/{notice.pk}/").status_code == expected
        assert client.get(f"/supervision/notices/{notice.pk}/notice.docx").status_code == expected


@pytest.mark.parametrize(
    "persona, expected",
    [("inspector", 200), ("coordinator", 200), ("leader", 403), ("department", 403), ("owner_a", 403)],
)
def test_notices_are_issued_by_inspectors_and_the_coordinators_office(world, client_for, persona, expected):
    client = client_for(getattr(world, persona))
    assert client.get("/supervision/notices/new/").status_code == expected
    api = client.post(
        "/api/notices/",
        {
            "title": "督办",
            "target_unit": world.housing.pk,
            "content": "请推进",
            "deadline": "2026-12-31",
            "issuing_office": "督查局",
            "issued_on": "2026-11-01",
        },
        content_type=JSON,
    )
    assert api.status_code == (201 if expected == 200 else 403)


def test_issuing_on_the_page_numbers_the_notice_and_logs_it(world, client_for):
    problem = make_problem(world.project_a, world.housing, description="管线迁改滞后")
    client = client_for(world.inspector)
    form = client.get(f"/supervision/notices/new/?problem={problem.pk}").context["form"]
    assert form["target_unit"].value() == world.housing.pk and form["content"].value() == "管线迁改滞后"
    response = client.post(
        "/supervision/notices/new/",
        {
            "title": "关于督促解决滨河路改造工程存在问题的通知",
            "target_unit": world.housing.pk,
            "projects": [world.project_a.pk],
            "problems": [problem.pk],
            "content": "管线迁改滞后",
            "deadline": "2026-12-20",
            "reply_requirement": "请书面反馈",
            "issuing_office": "示范区人民政府督查局",
            "issued_on": "2026-11-20",
        },
    )
    notice = Notice.objects.get()
    assert (
        response.status_code == 302
        and notice.number == "督办〔2026〕1号"
        and notice.issued_by == world.inspector
    )
    log = OperationLog.objects.get(object_type="督办通知单")
    assert log.changes["涉及项目"] == ["", "滨河路改造工程"]


def test_a_deadline_before_the_issue_date_is_refused(world, client_for):
    response = client_for(world.inspector).post(
        "/supervision/notices/new/",
        {
            "title": "督办",
            "target_unit": world.housing.pk,
            "content": "x",
            "deadline": "2026-01-01",
            "reply_requirement": "x",
            "issuing_office": "督查局",
            "issued_on": "2026-02-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == ["办理时限不能早于发文日期。"]


def test_the_addressed_unit_replies_then_the_supervisor_closes(world, notices, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    notice = notices["housing"]
    reply = notice.reply(
        world.department, "已召开协调会，管线迁改已完成80%", SimpleUploadedFile("情况说明.pdf", PDF)
    )
    assert notice.status == NoticeStatus.REPLIED and reply.attachment_name == "情况说明.pdf"
    notice.close(world.inspector, "同意办结")
    assert notice.status == NoticeStatus.CLOSED and notice.closed_by == world.inspector


def test_illegal_notice_moves_are_refused_with_the_reason(world, notices):
    notice = notices["housing"]
    with pytest.raises(ValidationError) as error:
        notice.close(world.inspector)
    assert error.value.messages == ["督办通知单当前状态为“已发”，不能“办结”。"]
    notice.reply(world.department, "已办理")
    with pytest.raises(ValidationError) as error:
        notice.reply(world.department, "再次回复")
    assert error.value.messages == ["督办通知单当前状态为“已回复”，不能“回复”。"]
    with pytest.raises(ValidationError) as error:
        notice.send_back(world.inspector, "")
    assert error.value.message_dict == {"note": ["退回重办须说明原因。"]}


def test_a_reply_sent_back_keeps_the_reason_and_the_unit_answers_again(world, notices):
    notice = notices["housing"]
    notice.reply(world.department, "正在办理")
    notice.send_back(world.inspector, "未说明完成时间")
    assert notice.status == NoticeStatus.SENT
    assert NoticeReply.objects.get().returned_reason == "未说明完成时间"
    notice.reply(world.department, "12月15日前完成")
    assert notice.replies.count() == 2


@pytest.mark.parametrize("persona", ["owner_a", "inspector", "leader", "coordinator"])
def test_only_the_addressed_unit_replies(world, notices, persona):
    with pytest.raises(PermissionDenied):
        notices["housing"].reply(getattr(world, persona), "代为回复")


def test_the_unit_replies_on_the_page_with_an_attachment(world, client_for, notices, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    notice = notices["housing"]
    client = client_for(world.department)
    assert client.get("/supervision/notices/").context["awaiting"] == 1
    response = client.post(
        f"/supervision/notices/{notice.pk}/move/reply/",
        {"text": "已完成管线迁改", "attachment": SimpleUploadedFile("说明.pdf", PDF)},
    )
    assert response.status_code == 302
    reply = NoticeReply.objects.get()
    assert client_for(world.owner_a).get(f"/supervision/replies/{reply.pk}/file/").status_code == 200
    assert client_for(world.town_user).get(f"/supervision/replies/{reply.pk}/file/").status_code == 404
    assert OperationLog.objects.get(object_type="督办通知单", action="status").changes["状态"] == [
        "已发",
        "已回复",
    ]
    assert client_for(world.owner_a).post(f"/supervision/notices/{notice.pk}/move/close/").status_code == 403
    assert (
        client_for(world.inspector)
        .post(f"/supervision/notices/{notice.pk}/move/close/", {"note": "同意"})
        .status_code
        == 302
    )
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.CLOSED


def test_a_notice_with_a_reply_is_no_longer_edited(world, client_for, notices):
    notice = notices["housing"]
    notice.reply(world.department, "已办理")
    assert client_for(world.inspector).get(f"/supervision/notices/{notice.pk}/edit/").status_code == 302
    response = client_for(world.inspector).patch(
        f"/api/notices/{notice.pk}/", {"title": "改"}, content_type=JSON
    )
    assert response.status_code == 400


def test_the_api_reply_and_close(world, client_for, notices):
    notice = notices["housing"]
    url = f"/api/notices/{notice.pk}/"
    assert client_for(world.owner_a).post(f"{url}reply/", {"text": "x"}, content_type=JSON).status_code == 403
    response = client_for(world.department).post(f"{url}reply/", {"text": "已办理"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "replied"
    assert client_for(world.department).post(f"{url}close/", {}, content_type=JSON).status_code == 403
    closed = client_for(world.inspector).post(f"{url}close/", {"note": "办结"}, content_type=JSON)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = client_for(world.inspector).post(f"{url}close/", {}, content_type=JSON)
    assert again.status_code == 400 and "不能“办结”" in again.json()["non_field_errors"][0]


@pytest.mark.parametrize(
    "persona, expected", [("coordinator", 2), ("department", 1), ("outsider", 1), ("town_user", 0)]
)
def test_the_notice_api_follows_the_scope(world, client_for, notices, persona, expected):
    assert client_for(getattr(world, persona)).get("/api/notices/").json()["count"] == expected


def fonts(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_the_printable_notice_is_in_the_official_layout(world, client_for, notices):
    notice = notices["housing"]
    problem = make_problem(world.project_a, world.housing, description="管线迁改滞后")
    notice.problems.add(problem)
    response = client_for(world.department).get(f"/supervision/notices/{notice.pk}/notice.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    paragraphs = [p for p in document.paragraphs if p.text]
    title, number, addressee = paragraphs[0], paragraphs[1], paragraphs[2]
    assert title.text == "督办通知单" and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert fonts(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    assert number.text == notice.number
    assert addressee.text == "区住房和城乡建设局："
    text = "\n".join(p.text for p in paragraphs)
    assert "一、督办事项" in text and "滨河路改造工程管线迁改滞后" in text
    assert "涉及项目：滨河路改造工程" in text and "涉及问题1：滨河路改造工程，管线迁改滞后" in text
    deadline = notice.deadline
    assert f"请于{deadline.year}年{deadline.month}月{deadline.day}日前办结。" in text
    assert "三、反馈要求" in text
    heading = next(p for p in paragraphs if p.text == "一、督办事项")
    assert fonts(heading.runs[0]) == "黑体"
    body = next(p for p in paragraphs if p.text.startswith("滨河路改造工程管线迁改滞后"))
    assert fonts(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    office, day = paragraphs[-2], paragraphs[-1]
    assert office.text == "示范区人民政府督查局" and office.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    issued = notice.issued_on
    assert (
        day.text == f"{issued.year}年{issued.month}月{issued.day}日"
        and day.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    )
    assert OperationLog.objects.filter(action="export", object_type="督办通知单").exists()
