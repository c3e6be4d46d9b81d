"""Optimistic locking of projects: a save names the version it was read at, and the check and the
write are one statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import OperationLog
from lib.versioning import VersionConflict
from projects.forms import ProjectForm
from projects.models import Project
from projects.tests.test_project_pages import form_data

pytestmark = pytest.mark.django_db


def someone_else_saves(project: Project, **values: object) -> None:
    """Another person's save, made with the project as it is now."""
    other = Project.objects.get(pk=project.pk)
    for name, value in values.items():
        setattr(other, name, value)
    other.save_at_version(other.version, values)


def test_a_save_at_the_current_version_writes_and_moves_the_version_on(world):
    project = world.project_a
    project.address = "滨河路1号"
    project.save_at_version(1, ["address"])
    assert project.version == 2
    project.refresh_from_db()
    assert (project.address, project.version) == ("滨河路1号", 2)


def test_a_save_at_a_stale_version_is_refused_and_writes_nothing(world):
    project = Project.objects.get(pk=world.project_a.pk)
    someone_else_saves(project, address="先保存的地址")
    project.address = "后保存的地址"
    with pytest.raises(VersionConflict) as refused:
        project.save_at_version(1, ["address"])
    assert "已被他人修改" in refused.value.messages[0]
    project.refresh_from_db()
    assert (project.address, project.version) == ("先保存的地址", 2)


def test_the_check_and_the_write_are_one_update_statement(world):
    project = world.project_a
    project.address = "滨河路1号"
    with CaptureQueriesContext(connection) as queries:
        project.save_at_version(1, ["address"])
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert '"version" = ' in updates[0].split("WHERE")[1]


def test_a_save_without_a_version_still_moves_the_version_on(world):
    project = Project.objects.get(pk=world.project_a.pk)
    someone_else_saves(project, address="先保存的地址")
    project.signing_status = "已签约"
    project.save_at_version(None, ["signing_status"])
    assert project.version == 3
    project.refresh_from_db()
    # Only the field named is written: the other person's address stays.
    assert (project.address, project.signing_status, project.version) == ("先保存的地址", "已签约", 3)


def test_build_years_carries_its_start_and_end_years(world):
    project = world.project_a
    project.build_years = "2026—2029"
    project.save_at_version(1, ["build_years"])
    project.refresh_from_db()
    assert (project.build_years, project.start_year, project.end_year) == ("2026-2029", 2026, 2029)


def test_updated_at_moves_with_every_save(world):
    project = world.project_a
    before = project.updated_at
    project.save_at_version(1, ["address"])
    project.refresh_from_db()
    assert project.updated_at > before


def test_a_project_that_is_gone_cannot_be_saved(world):
    project = world.project_b
    Project.objects.filter(pk=project.pk).delete()
    with pytest.raises(VersionConflict):
        project.save_at_version(None, ["address"])


def test_an_edit_that_passed_its_checks_is_refused_if_someone_saves_before_it_is_written(world):
    """The moment the old form lost updates in: between clean_version and the save."""
    project = Project.objects.get(pk=world.project_a.pk)
    form = ProjectForm(form_data(project, address="第二人的地址"), instance=project, user=world.coordinator)
    assert form.is_valid(), form.errors
    someone_else_saves(project, address="第一人的地址")
    with pytest.raises(VersionConflict):
        form.save()
    project.refresh_from_db()
    assert (project.address, project.version) == ("第一人的地址", 2)


def test_an_edit_writes_only_the_fields_its_form_shows(world):
    project = Project.objects.get(pk=world.project_a.pk)
    Project.objects.filter(pk=project.pk).update(report_frequency="half_monthly")
    form = ProjectForm(form_data(project, address="新地址"), instance=project, user=world.coordinator)
    assert form.is_valid(), form.errors
    form.save()
    project.refresh_from_db()
    assert (project.address, project.report_frequency, project.version) == ("新地址", "half_monthly", 2)


def test_an_edit_page_posted_without_its_version_is_refused(world, client_for):
    url = reverse("projects:edit", args=[world.project_a.pk])
    response = client_for(world.coordinator).post(url, form_data(world.project_a, address="x", version=""))
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    world.project_a.refresh_from_db()
    assert world.project_a.address == ""


def test_the_edit_page_tells_of_a_save_made_in_between_and_logs_nothing(world, client_for):
    client = client_for(world.department)
    url = reverse("projects:edit", args=[world.project_a.pk])
    page = form_data(world.project_a, address="住建局的地址")
    someone_else_saves(world.project_a, address="重点办的地址")
    response = client.post(url, page)
    assert response.status_code == 200
    assert "该项目在您打开后已被他人修改" in response.content.decode()
    assert "住建局的地址" in response.content.decode()  # what was typed is still on the page
    world.project_a.refresh_from_db()
    assert world.project_a.address == "重点办的地址"
    assert not OperationLog.objects.filter(action="update").exists()


def test_a_status_change_from_a_stale_version_is_refused(world):
    first = Project.objects.get(pk=world.project_a.pk)
    second = Project.objects.get(pk=world.project_a.pk)
    first.change_status("suspended", by=world.coordinator, reason="资金问题")
    with pytest.raises(VersionConflict):
        second.change_status("completed", by=world.department)
    project = Project.objects.get(pk=world.project_a.pk)
    assert (project.status, project.version) == ("suspended", 2)
    assert project.status_changes.count() == 1
