"""Report photos that try to be something else: stored and served by what they are, never by name."""

import io
from pathlib import Path, PurePosixPath

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from progress.models import Report, ReportPhoto
from progress.photos import inspect_photo

pytestmark = pytest.mark.django_db
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def huge_png() -> bytes:
    """12000×12000 = 144 megapixels in about 17 KB: one bit a pixel, all of them the same."""
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, "PNG")
    return buffer.getvalue()


def upload_photo(client, project, upload):
    url = reverse("progress:edit", args=[project.pk, "2026-03"])
    return client.post(url, {"amount": "10", "progress_text": "主体施工", "photos": [upload], "save": "1"})


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def photo_url(photo: ReportPhoto, kind: str = "image") -> str:
    return reverse("progress:photo", args=[photo.pk, kind])


def peak_memory_growth_mb(work) -> int:
    """How far the process's resident memory peaks above where it was while `work` runs.

    tracemalloc cannot see this: Pillow allocates pixels with C malloc, so it reported 0 MB even
    for the old code's 824 MB decode. The kernel's high-water mark (VmHWM) can, once reset.
    """

    def status(key: str) -> int:
        with open("/proc/self/status") as lines:
            return next(int(line.split()[1]) for line in lines if line.startswith(key)) // 1024

    with open("/proc/self/clear_refs", "w") as reset:
        reset.write("5")
    before = status("VmRSS:")
    work()
    return status("VmHWM:") - before


@pytest.mark.parametrize("name", ["x.html", "x.svg", "x.xhtml"])
def test_a_jpeg_named_as_a_page_is_stored_and_served_as_a_jpeg(world, client_for, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.owner_a)
    upload = SimpleUploadedFile(name, jpeg_bytes(), content_type="text/html")
    assert upload_photo(client, world.project_a, upload).status_code == 302
    photo = ReportPhoto.objects.get()
    assert PurePosixPath(photo.image.name).name.endswith("-x.jpg")
    assert [path.suffix for path in stored_files(tmp_path)] == [".jpg", ".jpg"]

    response = client.get(photo_url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        response["Content-Disposition"].startswith("inline") and 'x.jpg"' in response["Content-Disposition"]
    )
    thumbnail = client.get(photo_url(photo, "thumb"))
    assert thumbnail["Content-Type"] == "image/jpeg" and thumbnail["X-Content-Type-Options"] == "nosniff"


def test_a_page_renamed_jpg_is_refused_and_nothing_is_stored(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("现场.jpg", HTML, content_type="image/jpeg")
    response = upload_photo(client_for(world.owner_a), world.project_a, upload)
    assert response.status_code == 200
    assert "“现场.jpg”不是可识别的照片" in response.content.decode()
    assert not Report.objects.exists() and stored_files(tmp_path) == []


def test_a_144_megapixel_png_is_refused_and_nothing_is_stored(
    world, client_for, settings, tmp_path, huge_png
):
    settings.MEDIA_ROOT = tmp_path
    assert len(huge_png) < 20_000
    upload = SimpleUploadedFile("bomb.png", huge_png, content_type="image/png")
    response = upload_photo(client_for(world.owner_a), world.project_a, upload)
    assert response.status_code == 200
    assert "照片“bomb.png”的像素超过5000万上限" in response.content.decode()
    assert not ReportPhoto.objects.exists() and stored_files(tmp_path) == []


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's VmHWM reset")
def test_refusing_the_144_megapixel_png_costs_almost_no_memory(huge_png):
    def refuse() -> None:
        with pytest.raises(ValidationError, match="像素超过"):
            inspect_photo(SimpleUploadedFile("bomb.png", huge_png))

    # The old code decoded it and peaked 824 MB above its start.
    assert peak_memory_growth_mb(refuse) < 100


def test_the_pixel_limit_is_a_setting_checked_before_decoding(settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    buffer = io.BytesIO()
    Image.new("RGB", (1001, 1000)).save(buffer, "JPEG")
    with pytest.raises(ValidationError, match="照片“big.jpg”的像素超过100万上限"):
        inspect_photo(SimpleUploadedFile("big.jpg", buffer.getvalue()))


def test_a_photo_stored_under_its_old_name_is_served_by_what_it_is(world, client_for, settings, tmp_path):
    """Uploads from before kept the client's name: a JPEG stored as .html shows as a JPEG, and a
    file that is no photo at all is only offered for download."""
    settings.MEDIA_ROOT = tmp_path
    report = Report.objects.create(project=world.project_a, year=2026, month=3, deadline="2026-03-25")
    jpeg = ReportPhoto.objects.create(
        report=report, image=default_storage.save("photos/old/x.html", ContentFile(jpeg_bytes()))
    )
    page = ReportPhoto.objects.create(
        report=report, image=default_storage.save("photos/old/y.html", ContentFile(HTML))
    )
    client = client_for(world.owner_a)

    shown = client.get(photo_url(jpeg))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["Content-Disposition"] == 'inline; filename="x.jpg"'
    assert shown["X-Content-Type-Options"] == "nosniff"
    downloaded = client.get(photo_url(page))
    assert downloaded.status_code == 200 and downloaded["Content-Type"] == "application/octet-stream"
    assert downloaded["Content-Disposition"] == 'attachment; filename="y.html"'
    assert downloaded["X-Content-Type-Options"] == "nosniff"


def test_a_photo_whose_file_is_missing_is_not_found(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.owner_a)
    upload_photo(client, world.project_a, SimpleUploadedFile("site.jpg", jpeg_bytes()))
    photo = ReportPhoto.objects.get()
    (tmp_path / photo.image.name).unlink()
    response = client.get(photo_url(photo))
    assert response.status_code == 404


def test_a_rolled_back_delete_keeps_the_photo_files(
    world, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    upload_photo(client_for(world.owner_a), world.project_a, SimpleUploadedFile("site.jpg", jpeg_bytes()))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        ReportPhoto.objects.get().delete()
        raise RuntimeError("the rest of the change failed")
    assert ReportPhoto.objects.exists()
    assert len(stored_files(tmp_path)) == 2


def test_a_committed_delete_of_the_report_removes_its_photo_files(
    world, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    upload_photo(client_for(world.owner_a), world.project_a, SimpleUploadedFile("site.jpg", jpeg_bytes()))
    with django_capture_on_commit_callbacks() as callbacks:
        Report.objects.get().delete()
        assert len(stored_files(tmp_path)) == 2, "nothing is removed before the commit"
    for callback in callbacks:
        callback()
    assert not ReportPhoto.objects.exists() and stored_files(tmp_path) == []
