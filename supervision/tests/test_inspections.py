"""现场督导: recorded by supervisors with photos, seen through the inspected project's scope."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from audit.models import OperationLog
from supervision.models import Inspection, InspectionPhoto

pytestmark = pytest.mark.django_db
JSON = "application/json"


def jpeg(name: str = "现场.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 90)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def inspection(world):
    visit = Inspection.objects.create(
        project=world.project_a, findings="路基施工进度滞后约两周", created_by=world.inspector
    )
    visit.inspectors.add(world.inspector)
    return visit


SEES = {
    "coordinator": 200,
    "leader": 200,
    "inspector": 200,
    "admin": 200,
    "department": 200,
    "town_user": 404,
    "owner_a": 200,
    "owner_b": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("persona, expected", list(SEES.items()))
def test_an_inspection_is_seen_through_its_projects_scope(world, client_for, inspection, persona, expected):
    client = client_for(getattr(world, persona))
    assert client.get(f"/supervision/inspections/{inspection.pk}/").status_code == expected
    assert client.get(f"/api/inspections/{inspection.pk}/").status_code == expected
    listed = list(client.get("/supervision/inspections/").context["page"])
    assert listed == ([inspection] if expected == 200 else [])


@pytest.mark.parametrize(
    "persona, expected",
    [("inspector", 200), ("coordinator", 200), ("leader", 403), ("department", 403), ("owner_a", 403)],
)
def test_inspections_are_recorded_by_supervisors(world, client_for, inspection, persona, expected):
    client = client_for(getattr(world, persona))
    assert client.get("/supervision/inspections/new/").status_code == expected
    assert client.get(f"/supervision/inspections/{inspection.pk}/edit/").status_code in (expected, 404)


def test_an_inspector_records_a_visit_with_photos(world, client_for, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.inspector)
    assert (
        client.get(f"/supervision/inspections/new/?project={world.project_b.pk}")
        .context["form"]["project"]
        .value()
        == world.project_b.pk
    )
    response = client.post(
        "/supervision/inspections/new/",
        {
            "project": world.project_b.pk,
            "date": timezone.localdate().isoformat(),
            "inspectors": [world.inspector.pk, world.coordinator.pk],
            "findings": "厂房基础施工，现场人员不足",
            "requirements": "一周内增加施工人员",
            "photos": [jpeg("东侧.jpg"), jpeg("西侧.jpg")],
        },
    )
    visit = Inspection.objects.get()
    assert response.status_code == 302 and visit.created_by == world.inspector
    assert visit.photos.count() == 2 and all(photo.thumbnail for photo in visit.photos.all())
    log = OperationLog.objects.get(object_type="现场督导")
    assert log.project == world.project_b and log.changes["现场照片"] == ["", "东侧.jpg、西侧.jpg"]
    photo = visit.photos.first()
    assert photo is not None
    assert (
        client_for(world.owner_b).get(f"/supervision/inspection-photos/{photo.pk}/thumb/").status_code == 200
    )
    assert (
        client_for(world.owner_a).get(f"/supervision/inspection-photos/{photo.pk}/image/").status_code == 404
    )


def test_a_visit_in_the_future_or_a_file_that_is_no_photo_is_refused(world, client_for):
    response = client_for(world.inspector).post(
        "/supervision/inspections/new/",
        {
            "project": world.project_a.pk,
            "date": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "inspectors": [world.inspector.pk],
            "findings": "x",
            "photos": [SimpleUploadedFile("a.jpg", b"not an image")],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["date"] == ["督导日期不能晚于今天。"]
    assert not Inspection.objects.exists()


def test_the_api_records_an_inspection_on_a_project_the_inspector_only_reads(
    world, client_for, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.inspector)
    response = client.post(
        "/api/inspections/",
        {
            "project": world.project_a.pk,
            "date": timezone.localdate().isoformat(),
            "inspectors": [world.inspector.pk],
            "findings": "进度正常",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    photo = client.post(f"/api/inspections/{pk}/photos/", {"image": jpeg(), "caption": "全景"})
    assert photo.status_code == 201 and photo.json()["caption"] == "全景"
    assert InspectionPhoto.objects.count() == 1
    refused = client_for(world.department).post(
        "/api/inspections/",
        {
            "project": world.project_a.pk,
            "date": "2026-01-05",
            "inspectors": [world.department.pk],
            "findings": "x",
        },
        content_type=JSON,
    )
    assert refused.status_code == 403


def test_the_list_filters_by_dates_and_exports(world, client_for, inspection):
    client = client_for(world.coordinator)
    today = timezone.localdate()
    assert list(client.get(f"/supervision/inspections/?date_from={today.isoformat()}").context["page"]) == [
        inspection
    ]
    assert (
        list(
            client.get(
                f"/supervision/inspections/?date_to={(today - timedelta(days=1)).isoformat()}"
            ).context["page"]
        )
        == []
    )
    assert client.get("/supervision/inspections/?export=xlsx").status_code == 200


def test_the_list_sorts_by_date_and_project(world, client_for, inspection):
    older = Inspection.objects.create(
        project=world.project_b, date=timezone.localdate() - timedelta(days=5), findings="前期手续推进"
    )
    client = client_for(world.coordinator)
    assert list(client.get("/supervision/inspections/").context["page"]) == [inspection, older]
    assert list(client.get("/supervision/inspections/?sort=date").context["page"]) == [older, inspection]
