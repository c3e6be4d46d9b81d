"""Problem attachments: only downloaded, never shown; a file goes only once its row's delete commits."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from problems.models import ProblemAttachment
from problems.tests.factories import make_problem

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def problem(world):
    return make_problem(world.project_a, world.housing, description="滨河路段管线迁改未完成")


@pytest.fixture
def attached(world, client_for, problem, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("协调函.pdf", PDF)
    client_for(world.department).post(f"/problems/{problem.pk}/attachments/", {"file": upload})
    return ProblemAttachment.objects.get()


def test_an_attachment_is_only_downloaded_even_when_it_is_a_picture(
    world, client_for, problem, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48)).save(buffer, "JPEG")
    client = client_for(world.department)
    client.post(
        f"/problems/{problem.pk}/attachments/", {"file": SimpleUploadedFile("现场.jpg", buffer.getvalue())}
    )
    response = client.get(f"/problems/attachments/{ProblemAttachment.objects.get().pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_page_renamed_jpg_is_refused_as_an_attachment(world, client_for, problem, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client_for(world.department).post(
        f"/problems/{problem.pk}/attachments/", {"file": SimpleUploadedFile("现场.jpg", HTML)}
    )
    assert not ProblemAttachment.objects.exists() and stored_files(tmp_path) == []


def test_an_attachment_whose_file_is_missing_is_not_found(world, client_for, attached, tmp_path):
    (tmp_path / attached.file.name).unlink()
    assert client_for(world.department).get(f"/problems/attachments/{attached.pk}/").status_code == 404


def test_an_attachment_deleted_on_the_page_loses_its_file_only_when_the_delete_commits(
    world, client_for, attached, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(world.department).post(f"/problems/attachments/{attached.pk}/delete/")
        assert response.status_code == 302 and not ProblemAttachment.objects.exists()
        assert len(stored_files(tmp_path)) == 1, "nothing is removed before the commit"
    for callback in callbacks:
        callback()
    assert stored_files(tmp_path) == []


def test_a_rolled_back_delete_keeps_the_file(attached, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        attached.delete()
        raise RuntimeError("the rest of the change failed")
    assert ProblemAttachment.objects.exists() and len(stored_files(tmp_path)) == 1
