"""A published bulletin's files are read through the storage; one the storage has lost is a 404."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from bulletins.models import Bulletin

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world, settings, tmp_path) -> Bulletin:
    settings.MEDIA_ROOT = tmp_path
    bulletin = Bulletin.objects.create(
        kind="monthly", year=2026, month=3, title="二月通报", state=Bulletin.State.PUBLISHED, sections=[]
    )
    bulletin.docx.save("二月通报.docx", ContentFile(b"PK stored document"))
    return bulletin


def test_a_published_bulletin_is_served_from_the_storage(published, client_for, world):
    response = client_for(world.leader).get(reverse("bulletins:file", args=[published.pk, "docx"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK stored document"


def test_a_published_bulletin_whose_file_is_gone_is_not_found(published, client_for, world):
    default_storage.delete(published.docx.name)
    response = client_for(world.leader).get(reverse("bulletins:file", args=[published.pk, "docx"]))
    assert response.status_code == 404
