"""公开 (信息公开) is the coordinator's office's decision: in the form and through the API alike."""

import pytest
from django.urls import reverse

from projects.tests.test_project_pages import form_data

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_the_coordinator_marks_a_project_public_from_its_form(world, client_for):
    project = world.project_a
    response = client_for(world.coordinator).post(
        reverse("projects:edit", args=[project.pk]), form_data(project, is_public="on")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.is_public


@pytest.mark.parametrize("persona", ["department", "owner_a"])
def test_a_unit_or_an_owner_saving_the_form_leaves_it_as_the_office_set_it(world, client_for, persona):
    project = world.project_a
    client = client_for(getattr(world, persona))
    page = client.get(reverse("projects:edit", args=[project.pk])).content.decode()
    assert 'name="is_public"' in page and "disabled" in page.split('name="is_public"')[1].split(">")[0]
    client.post(
        reverse("projects:edit", args=[project.pk]), form_data(project, is_public="on", address="新地址")
    )
    project.refresh_from_db()
    assert project.address == "新地址" and not project.is_public


def test_through_the_api_only_the_coordinator_changes_it(world, client_for):
    url = f"/api/projects/{world.project_a.pk}/"
    refused = client_for(world.department).patch(url, {"is_public": True}, content_type=JSON)
    assert refused.status_code == 400 and "is_public" in refused.json()
    unchanged = client_for(world.department).patch(
        url, {"is_public": False, "address": "x"}, content_type=JSON
    )
    assert unchanged.status_code == 200
    assert client_for(world.coordinator).patch(url, {"is_public": True}, content_type=JSON).status_code == 200
    world.project_a.refresh_from_db()
    assert world.project_a.is_public
