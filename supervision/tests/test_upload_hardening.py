"""Inspection photos and reply attachments that try to be something else: stored by what they are,
photos shown as photos, documents only downloaded, files removed only once their row is gone."""

import io
from datetime import timedelta
from pathlib import Path, PurePosixPath

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from supervision.models import Inspection, InspectionPhoto, Notice, NoticeReply

pytestmark = pytest.mark.django_db
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n%%EOF\n"


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def inspection(world):
    visit = Inspection.objects.create(
        project=world.project_a, findings="路基施工滞后", created_by=world.inspector
    )
    visit.inspectors.add(world.inspector)
    return visit


@pytest.fixture
def notice(world):
    today = timezone.localdate()
    return Notice.objects.create(
        title="关于加快管线迁改的督办通知",
        target_unit=world.housing,
        content="请抓紧协调推进。",
        deadline=today + timedelta(days=10),
        issuing_office="督查局",
        issued_on=today,
        issued_by=world.inspector,
    )


def record_visit(client, world, upload):
    return client.post(
        "/supervision/inspections/new/",
        {
            "project": world.project_a.pk,
            "date": timezone.localdate().isoformat(),
            "inspectors": [world.inspector.pk],
            "findings": "现场人员不足",
            "photos": [upload],
        },
    )


@pytest.mark.parametrize("name", ["x.html", "x.svg", "x.xhtml"])
def test_a_jpeg_named_as_a_page_is_stored_and_served_as_a_jpeg(world, client_for, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.inspector)
    assert record_visit(client, world, SimpleUploadedFile(name, jpeg_bytes())).status_code == 302
    photo = InspectionPhoto.objects.get()
    assert PurePosixPath(photo.image.name).name.endswith("-x.jpg")
    assert [path.suffix for path in stored_files(tmp_path)] == [".jpg", ".jpg"]

    response = client_for(world.owner_a).get(f"/supervision/inspection-photos/{photo.pk}/image/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        response["Content-Disposition"].startswith("inline") and 'x.jpg"' in response["Content-Disposition"]
    )


def test_the_api_refuses_a_page_name_and_stores_a_photo_under_its_real_format(
    world, client_for, settings, tmp_path, inspection
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.inspector)
    url = f"/api/inspections/{inspection.pk}/photos/"
    assert client.post(url, {"image": SimpleUploadedFile("x.svg", jpeg_bytes())}).status_code == 400
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48)).save(buffer, "PNG")
    response = client.post(url, {"image": SimpleUploadedFile("x.jpg", buffer.getvalue())})
    assert response.status_code == 201, response.content
    photo = InspectionPhoto.objects.get()
    assert photo.image.name.endswith("-x.png")
    assert sorted(path.suffix for path in stored_files(tmp_path)) == [".jpg", ".png"]
    served = client.get(f"/supervision/inspection-photos/{photo.pk}/image/")
    assert served["Content-Type"] == "image/png" and served["X-Content-Type-Options"] == "nosniff"


def test_a_page_renamed_jpg_is_refused_on_the_page_and_by_the_api(
    world, client_for, settings, tmp_path, inspection
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.inspector)
    response = record_visit(client, world, SimpleUploadedFile("现场.jpg", HTML))
    assert response.context["form"].errors["photos"] == [
        "“现场.jpg”不是可识别的照片（支持 JPEG、PNG、WebP、HEIC）。"
    ]
    api = client.post(
        f"/api/inspections/{inspection.pk}/photos/", {"image": SimpleUploadedFile("现场.jpg", HTML)}
    )
    assert api.status_code == 400
    assert not InspectionPhoto.objects.exists() and stored_files(tmp_path) == []


def test_a_144_megapixel_png_is_refused_on_the_page_and_by_the_api(
    world, client_for, settings, tmp_path, inspection
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, "PNG")
    client = client_for(world.inspector)
    response = record_visit(client, world, SimpleUploadedFile("bomb.png", buffer.getvalue()))
    assert response.context["form"].errors["photos"] == [
        "照片“bomb.png”的像素超过5000万上限，请缩小后再上传。"
    ]
    api = client.post(
        f"/api/inspections/{inspection.pk}/photos/",
        {"image": SimpleUploadedFile("bomb.png", buffer.getvalue())},
    )
    assert api.status_code == 400
    assert not InspectionPhoto.objects.exists() and stored_files(tmp_path) == []


def test_a_reply_attachment_is_only_downloaded_even_when_it_is_a_picture(
    world, client_for, settings, tmp_path, notice
):
    settings.MEDIA_ROOT = tmp_path
    reply = notice.reply(world.department, "已办理", SimpleUploadedFile("现场.jpg", jpeg_bytes()))
    response = client_for(world.inspector).get(f"/supervision/replies/{reply.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_files_that_are_missing_are_not_found(world, client_for, settings, tmp_path, notice):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.inspector)
    record_visit(client, world, SimpleUploadedFile("site.jpg", jpeg_bytes()))
    reply = notice.reply(world.department, "已办理", SimpleUploadedFile("说明.pdf", PDF))
    for path in stored_files(tmp_path):
        path.unlink()
    photo = InspectionPhoto.objects.get()
    assert client.get(f"/supervision/inspection-photos/{photo.pk}/image/").status_code == 404
    assert client.get(f"/supervision/inspection-photos/{photo.pk}/thumb/").status_code == 404
    assert client.get(f"/supervision/replies/{reply.pk}/file/").status_code == 404


def test_a_rolled_back_delete_keeps_the_files(
    world, client_for, settings, tmp_path, notice, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    record_visit(client_for(world.inspector), world, SimpleUploadedFile("site.jpg", jpeg_bytes()))
    notice.reply(world.department, "已办理", SimpleUploadedFile("说明.pdf", PDF))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        Inspection.objects.get().delete()
        NoticeReply.objects.get().delete()
        raise RuntimeError("the rest of the change failed")
    assert InspectionPhoto.objects.exists() and NoticeReply.objects.exists()
    assert len(stored_files(tmp_path)) == 3


def test_a_committed_delete_removes_the_files(
    world, client_for, settings, tmp_path, notice, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    record_visit(client_for(world.inspector), world, SimpleUploadedFile("site.jpg", jpeg_bytes()))
    notice.reply(world.department, "已办理", SimpleUploadedFile("说明.pdf", PDF))
    with django_capture_on_commit_callbacks() as callbacks:
        Inspection.objects.get().delete()
        NoticeReply.objects.get().delete()
        assert len(stored_files(tmp_path)) == 3, "nothing is removed before the commit"
    for callback in callbacks:
        callback()
    assert stored_files(tmp_path) == []
