"""红头 and 发文字号 (GB/T 9704) on the monthly notice and the annual report, and publishing that
distributes the bulletin to the recipients chosen, once: in-app with the PDF link, and to the robots."""

import io
from datetime import date

import pytest
from django.urls import reverse
from docx import Document

from bulletins.distribution import next_doc_number
from bulletins.document import render_docx
from bulletins.models import Bulletin
from notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db
SECTIONS = [{"heading": "一、总体情况", "level": 1, "paragraphs": ["截至3月底，完成投资12.3亿元。"]}]


def make_bulletin(kind="monthly", **fields) -> Bulletin:
    return Bulletin.objects.create(
        kind=kind, year=2026, month=3, title=fields.pop("title", "2026年1—3月重点项目推进情况通报"),
        issuer="示范区重点项目推进领导小组办公室", issue_date=date(2026, 4, 8), sections=SECTIONS, **fields,
    )  # fmt: skip


def red_head(content: bytes) -> list[tuple[str, bool, bool]]:
    """The document's opening paragraphs: text, printed in red, with a red line under it."""
    document = Document(io.BytesIO(content))
    rows = []
    for para in document.paragraphs[:3]:
        red = any(run.font.color.rgb is not None and str(run.font.color.rgb) == "E60012" for run in para.runs)
        ruled = 'w:color="E60012"' in para._p.xml
        rows.append((para.text, red, ruled))
    return rows


@pytest.mark.parametrize("kind", ["monthly", "annual"])
def test_the_notice_and_the_report_open_with_the_red_head_and_number(kind, settings):
    settings.BULLETIN_HEADER = "示范区重点项目推进领导小组办公室文件"
    bulletin = make_bulletin(kind, doc_number="示重点办〔2026〕3号")
    assert red_head(render_docx(bulletin)) == [
        ("示范区重点项目推进领导小组办公室文件", True, False),
        ("示重点办〔2026〕3号", False, True),
        ("2026年1—3月重点项目推进情况通报", False, False),
    ]
    settings.BULLETIN_RED_HEAD = False
    assert red_head(render_docx(bulletin))[0][0] == "2026年1—3月重点项目推进情况通报"


def test_doc_numbers_run_per_year_and_prefix(settings):
    settings.BULLETIN_DOC_PREFIX = "示重点办"
    assert next_doc_number(2026) == "示重点办〔2026〕1号"
    make_bulletin(doc_number="示重点办〔2026〕7号")
    make_bulletin(doc_number="其他办〔2026〕9号", title="另一份")
    assert next_doc_number(2026) == "示重点办〔2026〕8号"
    assert next_doc_number(2027) == "示重点办〔2027〕1号"
    settings.BULLETIN_DOC_PREFIX = ""
    assert next_doc_number(2026) == ""


def test_publishing_numbers_and_distributes_once(
    world, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.BULLETIN_DOC_PREFIX = "示重点办"
    settings.NOTIFY_WECOM_WEBHOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test"
    settings.NOTIFY_DINGTALK_WEBHOOK = ""
    bulletin = make_bulletin()
    client = client_for(world.coordinator)
    page = client.get(reverse("bulletins:edit", args=[bulletin.pk])).content.decode()
    assert "示重点办〔2026〕1号" in page and 'data-testid="recipients"' in page
    assert 'name="issue_date" value="2026-04-08"' in page  # a value the browser's date input reads
    publish = reverse("bulletins:publish", args=[bulletin.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(publish, {"recipients": ["leaders", "units", "robots", "nobody"]})
        again = client.post(publish, {"recipients": ["leaders"]})
    assert response.status_code == 302 and again.status_code == 404
    bulletin.refresh_from_db()
    assert bulletin.doc_number == "示重点办〔2026〕1号" and bulletin.recipients == [
        "leaders",
        "units",
        "robots",
    ]
    assert bulletin.distributed_at is not None
    told = sorted(Notification.objects.values_list("user__username", "kind"))
    # Every unit account (the education bureau's too), the leader; not the office, not the owners.
    assert told == [
        ("department", "bulletin"),
        ("leader", "bulletin"),
        ("outsider", "bulletin"),
        ("town", "bulletin"),
    ]
    note = Notification.objects.get(user=world.leader)
    assert note.title == "印发：2026年1—3月重点项目推进情况通报"
    assert "（示重点办〔2026〕1号）" in note.body
    pdf = reverse("bulletins:file", args=[bulletin.pk, "pdf"])
    assert note.link == (pdf if bulletin.pdf else reverse("bulletins:detail", args=[bulletin.pk]))
    robot = Delivery.objects.get(user__isnull=True)
    assert robot.channel == "wecom" and robot.subject == note.title
    # The leader's link opens for the leader.
    assert client_for(world.leader).get(note.link).status_code == 200
    detail = client.get(reverse("bulletins:detail", args=[bulletin.pk])).content.decode()
    assert "示重点办〔2026〕1号" in detail and "区领导、各责任单位、工作群（群机器人）" in detail


def test_a_doc_number_already_used_is_refused(world, client_for):
    make_bulletin(doc_number="示重点办〔2026〕2号", title="已印发")
    bulletin = make_bulletin()
    response = client_for(world.coordinator).post(
        reverse("bulletins:edit", args=[bulletin.pk]),
        {"title": bulletin.title, "issue_date": "2026-04-08", "doc_number": " 示重点办〔2026〕2号 "},
    )
    assert response.status_code == 200 and "该发文字号已被其他文件使用。" in response.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.doc_number == ""


@pytest.mark.parametrize("persona", ["leader", "department", "town_user", "owner_a", "inspector"])
def test_only_the_office_publishes(world, client_for, persona):
    bulletin = make_bulletin()
    response = client_for(getattr(world, persona)).post(
        reverse("bulletins:publish", args=[bulletin.pk]), {"recipients": ["leaders"]}
    )
    assert response.status_code in (403, 404)
    bulletin.refresh_from_db()
    assert bulletin.state == "draft" and not Notification.objects.exists()
