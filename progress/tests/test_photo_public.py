"""Marking a site photo public (公开): the coordinator's office and whoever fills the project's reports;
everyone else is refused, and what others cannot see stays out of reach."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from audit.models import OperationLog
from progress.models import Report, ReportPhoto
from progress.periods import Period
from progress.photos import inspect_photo, save_photo

pytestmark = pytest.mark.django_db

REFUSED = "您无权设置该项目照片是否公开。"


@pytest.fixture
def photo(world, settings, tmp_path) -> ReportPhoto:
    settings.MEDIA_ROOT = tmp_path
    report = Report.objects.create(
        project=world.project_a, year=2026, month=3, amount=Decimal("10"), deadline=Period(2026, 3).deadline
    )
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (20, 140, 90)).save(buffer, "JPEG")
    upload = SimpleUploadedFile("site.jpg", buffer.getvalue(), content_type="image/jpeg")
    return save_photo(ReportPhoto(report=report, uploaded_by=world.owner_a), upload, inspect_photo(upload))


@pytest.mark.parametrize(
    ("persona", "answer"),
    [
        ("coordinator", 302),
        ("department", 302),
        ("owner_a", 302),
        ("leader", REFUSED),
        ("inspector", REFUSED),
        ("owner_b", 404),
        ("town_user", 404),
        ("outsider", 404),
        ("anonymous", "login"),
    ],
)
def test_who_may_mark_a_photo_public(photo, answer_to, persona, answer):
    url = reverse("progress:photo_public", args=[photo.pk])
    assert answer_to(persona, "POST", url, {"public": "1"}) == answer
    photo.refresh_from_db()
    assert photo.is_public is (answer == 302)


def test_marking_and_unmarking_is_logged_and_shown_in_the_gallery(photo, world, client_for):
    client = client_for(world.owner_a)
    url = reverse("progress:photo_public", args=[photo.pk])
    response = client.post(url, {"public": "1"}, follow=True)
    photo.refresh_from_db()
    assert photo.is_public
    html = response.content.decode()
    assert "项目本身公开后" in html and "取消公开" in html
    client.post(url, {"public": "0"})
    photo.refresh_from_db()
    assert not photo.is_public
    logs = OperationLog.objects.filter(project=world.project_a, object_id=str(photo.pk))
    assert [log.changes for log in logs.order_by("id")] == [{"公开": ["否", "是"]}, {"公开": ["是", "否"]}]


def test_reading_personas_see_whether_a_photo_is_public_without_a_button(photo, world, client_for):
    photo.is_public = True
    photo.save()
    html = (
        client_for(world.leader).get(reverse("progress:project", args=[world.project_a.pk])).content.decode()
    )
    assert "bg-cyan-lt" in html and reverse("progress:photo_public", args=[photo.pk]) not in html


def test_only_a_post_changes_it(photo, world, client_for):
    assert (
        client_for(world.coordinator).get(reverse("progress:photo_public", args=[photo.pk])).status_code
        == 405
    )
