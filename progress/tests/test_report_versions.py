"""Optimistic locking of reports: the form, and every step of the workflow, write at the version
they read, in one conditional statement."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lib.versioning import VersionConflict
from progress.forms import ReportForm
from progress.models import Report
from progress.periods import Period

pytestmark = pytest.mark.django_db


def draft(project, month: int = 5, amount: str = "100", state: str = "draft") -> Report:
    report = Report(
        project=project,
        year=2026,
        month=month,
        amount=Decimal(amount),
        progress_text="主体施工",
        deadline=Period(2026, month).deadline,
        state=state,
    )
    report.recompute_totals()
    report.save()
    return report


def filled_form(report: Report, amount: str, version: object) -> ReportForm:
    form = ReportForm(
        {"amount": amount, "progress_text": "桩基完成", "version": version},
        instance=report,
        project=report.project,
    )
    assert form.is_valid(), form.errors
    form.apply()
    return form


def test_a_draft_saved_at_its_version_is_written(world):
    report = draft(world.project_a)
    filled_form(report, "120", 1).save()
    report.refresh_from_db()
    assert (report.amount, report.cumulative, report.version) == (Decimal("120"), Decimal("120"), 2)


def test_a_draft_saved_by_someone_else_after_the_form_checked_it_is_not_overwritten(world):
    """The moment the old form lost updates in: between clean_version and the save."""
    report = draft(world.project_a)
    form = filled_form(Report.objects.get(pk=report.pk), "999", 1)
    filled_form(Report.objects.get(pk=report.pk), "110", 1).save()
    with pytest.raises(VersionConflict) as refused:
        form.save()
    assert "您填写的内容仍在下方" in refused.value.messages[0]
    report.refresh_from_db()
    assert (report.amount, report.version) == (Decimal("110"), 2)


def test_a_report_created_by_someone_else_meanwhile_is_refused_not_a_500(world):
    project = world.project_a
    period = Period(2026, 7)
    unsaved = Report(project=project, year=2026, month=7, deadline=period.deadline)
    form = filled_form(unsaved, "999", "")
    draft(project, month=7, amount="300")
    with pytest.raises(VersionConflict) as refused:
        form.save()
    assert "已被他人修改" in refused.value.messages[0]
    assert Report.objects.get(project=project, month=7).amount == Decimal("300")


def test_the_report_page_tells_the_second_creator_and_keeps_the_input(world, client_for):
    project = world.project_a
    url = reverse("progress:edit", args=[project.pk, "2026-08"])
    first, second = client_for(world.owner_a), client_for(world.department)
    first.post(url, {"amount": "100", "progress_text": "A", "version": "", "save": "1"})
    response = second.post(url, {"amount": "999", "progress_text": "B", "version": "", "save": "1"})
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    assert 'value="999"' in response.content.decode()
    assert Report.objects.get(project=project, month=8).amount == Decimal("100")


@pytest.mark.parametrize("step", ["submit", "accept", "return"])
def test_a_workflow_step_from_a_stale_read_is_refused(world, step):
    state = "draft" if step == "submit" else "submitted"
    report = draft(world.project_a, state=state)
    stale = Report.objects.get(pk=report.pk)
    someone = Report.objects.get(pk=report.pk)
    someone.amount = Decimal("50")
    someone.save_at_version(someone.version, ["amount"])
    with pytest.raises(ValidationError) as refused:
        if step == "submit":
            stale.submit(by=world.owner_a)
        elif step == "accept":
            stale.accept(by=world.department)
        else:
            stale.return_to_owner(by=world.department, reason="请核实")
    assert "已被他人修改" in refused.value.messages[0]
    report.refresh_from_db()
    assert (report.state, report.amount, report.version) == (state, Decimal("50"), 2)
    assert not report.revisions.exists()


def test_of_two_reviewers_accepting_at_once_only_one_is_recorded(world):
    report = draft(world.project_a, state="submitted")
    first, second = Report.objects.get(pk=report.pk), Report.objects.get(pk=report.pk)
    first.accept(by=world.department)
    with pytest.raises(VersionConflict):
        second.accept(by=world.coordinator)
    report.refresh_from_db()
    assert (report.state, report.reviewed_by) == ("accepted", world.department)
    assert list(report.revisions.values_list("kind", flat=True)) == ["accept"]


def test_a_correction_from_a_stale_page_is_refused(world):
    report = draft(world.project_a, state="accepted")
    report.correct(by=world.coordinator, reason="第一次更正", amount=Decimal("150"))
    with pytest.raises(VersionConflict):
        Report.objects.get(pk=report.pk).correct(
            by=world.coordinator, reason="旧页面上的更正", read_at=1, amount=Decimal("999")
        )
    report.refresh_from_db()
    assert (report.amount, report.version) == (Decimal("150"), 2)
    assert report.revisions.filter(kind="correct").count() == 1
