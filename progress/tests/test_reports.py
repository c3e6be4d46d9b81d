"""Progress reports: periods, entry, the workflow, the rules, the board."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from plans.models import Plan, PlanEntry
from plans.scope import Scope
from progress.models import Report, ReportPhoto
from progress.periods import Period, add_working_days
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporting(world):
    """project_a is on the 2026 local plan and under construction since January."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("6000")
    )
    world.project_a.actual_start_date = date(2025, 6, 1)
    world.project_a.save()
    return world


def make_report(project, month, amount, state="accepted", text="主体施工", year=2026):
    period = Period(year, month)
    report = Report(
        project=project,
        year=year,
        month=month,
        amount=Decimal(amount),
        deadline=period.deadline,
        progress_text=text,
        state=state,
    )
    report.recompute_totals()
    report.save()
    return report


def test_monthly_deadline_is_the_25th_and_configurable():
    assert Period(2026, 3).deadline == date(2026, 3, 25)
    assert Period(2026, 2, frequency="half_monthly", part=1).deadline == date(2026, 2, 16)
    assert Period(2026, 2, frequency="ten_daily", part=3).deadline == date(2026, 3, 1)
    with override_settings(REPORT_DEADLINE_RULE="workdays", REPORT_DEADLINE_WORKDAYS=5):
        # March 2026 ends on a Tuesday: five working days later is Tuesday 7 April.
        assert Period(2026, 3).deadline == date(2026, 4, 7)
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    with pytest.raises(ValueError):
        Period.parse("2026/13")


def test_year_to_date_and_cumulative_follow_from_the_months(reporting):
    project = reporting.project_a
    make_report(project, 11, "1000", year=2025)
    march = make_report(project, 3, "300")
    april = make_report(project, 4, "200")
    assert (march.year_to_date, march.cumulative) == (Decimal("300"), Decimal("1300"))
    assert (april.year_to_date, april.cumulative) == (Decimal("500"), Decimal("1500"))


def test_owner_fills_submits_unit_returns_then_accepts(reporting, client_for):
    project = reporting.project_a
    owner = client_for(reporting.owner_a)
    url = reverse("progress:edit", args=[project.pk, "2026-03"])
    with time_machine.travel(datetime(2026, 3, 20, 10, 0)):
        response = owner.post(url, {"amount": "800", "progress_text": "完成桩基40%", "save": "1"})
        assert response.status_code == 302
        report = Report.objects.get(project=project, year=2026, month=3)
        assert report.state == "draft" and report.cumulative == Decimal("800")
        response = owner.post(
            url, {"amount": "850", "progress_text": "完成桩基45%", "version": report.version, "submit": "1"}
        )
        report.refresh_from_db()
        assert report.state == "submitted" and report.amount == Decimal("850") and not report.is_late
        # Submitted reports are locked for the owner.
        assert owner.get(url).status_code == 302

    unit = client_for(reporting.department)
    response = unit.post(reverse("progress:review", args=[report.pk, "return"]), {"reason": ""}, follow=True)
    assert "退回须填写原因" in response.content.decode()
    unit.post(reverse("progress:review", args=[report.pk, "return"]), {"reason": "投资额与监理月报不符"})
    report.refresh_from_db()
    assert report.state == "returned"
    # The owner is told, with the reason and a link back to the report.
    from notifications.models import Notification

    told = Notification.objects.get(user=reporting.owner_a)
    assert "被退回" in told.title and "投资额与监理月报不符" in told.body
    assert told.link == url
    assert not Notification.objects.filter(user=reporting.department).exists()

    with time_machine.travel(datetime(2026, 3, 27, 9, 0)):
        # A week later the idle session has expired: the owner logs in again.
        owner = client_for(reporting.owner_a)
        owner.post(
            url, {"amount": "820", "progress_text": "完成桩基45%", "version": report.version, "submit": "1"}
        )
    report.refresh_from_db()
    assert report.state == "submitted"
    # The first submission was on time, so the resubmission after the deadline is not late.
    assert not report.is_late
    assert (
        client_for(reporting.owner_a).post(reverse("progress:review", args=[report.pk, "accept"])).status_code
        == 403
    )
    unit.post(reverse("progress:review", args=[report.pk, "accept"]))
    report.refresh_from_db()
    assert report.state == "accepted"
    kinds = list(report.revisions.order_by("id").values_list("kind", flat=True))
    assert kinds == ["submit", "return", "submit", "accept"]


def test_correction_after_acceptance_needs_a_reason_and_keeps_old_values(reporting, client_for):
    project = reporting.project_a
    march = make_report(project, 3, "300")
    april = make_report(project, 4, "200")
    client = client_for(reporting.coordinator)
    url = reverse("progress:review", args=[march.pk, "correct"])
    data = {"amount": "350", "progress_text": "主体施工", "version": march.version}
    response = client.post(url, data, follow=True)
    assert "该字段是必填项" in response.content.decode()
    client.post(url, {**data, "reason": "监理复核后调整"})
    march.refresh_from_db()
    april.refresh_from_db()
    assert march.amount == Decimal("350")
    assert april.cumulative == Decimal("550")
    revision = march.revisions.get(kind="correct")
    assert revision.before["amount"] == "300.00" and revision.after["amount"] == "350.00"
    assert revision.reason == "监理复核后调整"


def test_second_save_with_a_stale_version_is_refused(reporting, client_for):
    project = reporting.project_a
    url = reverse("progress:edit", args=[project.pk, "2026-05"])
    first, second = client_for(reporting.owner_a), client_for(reporting.department)
    first.post(url, {"amount": "100", "progress_text": "A", "save": "1"})
    report = Report.objects.get(project=project, month=5)
    stale = report.version
    first.post(url, {"amount": "110", "progress_text": "A2", "version": stale, "save": "1"})
    response = second.post(url, {"amount": "999", "progress_text": "B", "version": stale, "save": "1"})
    assert "已被他人修改" in response.content.decode()
    # The refused input is still on the page, nothing is lost.
    assert 'value="999"' in response.content.decode()
    report.refresh_from_db()
    assert report.amount == Decimal("110")


@pytest.mark.parametrize(("amount", "message"), [("-5", "不能为负数"), ("约3000", "请输入数字")])
def test_bad_amounts_are_refused(reporting, client_for, amount, message):
    url = reverse("progress:edit", args=[reporting.project_a.pk, "2026-06"])
    response = client_for(reporting.owner_a).post(url, {"amount": amount, "progress_text": "x", "save": "1"})
    assert message in response.content.decode()
    assert not Report.objects.filter(month=6).exists()


def test_cumulative_lower_than_last_period_is_an_error(reporting):
    project = reporting.project_a
    make_report(project, 3, "300")
    report = Report(
        project=project,
        year=2026,
        month=4,
        amount=Decimal(0),
        deadline=date(2026, 4, 25),
        is_opening=True,
        year_to_date=Decimal(100),
        cumulative=Decimal(100),
    )
    with pytest.raises(ValidationError, match="低于上期"):
        report.validate_and_store_warnings()


def test_warnings_are_stored_with_the_report(reporting):
    project = reporting.project_a  # total 12000
    make_report(project, 1, "100", text="桩基施工")
    make_report(project, 2, "100", text="桩基施工")
    report = Report(
        project=project,
        year=2026,
        month=3,
        amount=Decimal("7000"),
        deadline=date(2026, 3, 25),
        progress_text="桩基施工",
    )
    report.validate_and_store_warnings()
    assert any("50%" in w for w in report.warnings)
    assert any("形象进度连续3期未变化" in w for w in report.warnings)
    report = Report(
        project=project,
        year=2026,
        month=3,
        amount=Decimal("12000"),
        deadline=date(2026, 3, 25),
        progress_text="新",
    )
    report.validate_and_store_warnings()
    assert any("超过项目总投资" in w for w in report.warnings)


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (800, 600), "orange")
    exif = Image.Exif()
    exif[0x0132] = "2026:03:18 09:30:00"
    gps = {1: "N", 2: (35.0, 45.0, 36.0), 3: "E", 4: (115.0, 1.0, 48.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_photos_keep_exif_time_and_gps_and_get_thumbnails(reporting, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("progress:edit", args=[reporting.project_a.pk, "2026-03"])
    photo = SimpleUploadedFile("site.jpg", jpeg_with_exif(), content_type="image/jpeg")
    response = client_for(reporting.owner_a).post(
        url, {"amount": "10", "progress_text": "x", "photos": [photo], "save": "1"}
    )
    assert response.status_code == 302
    saved = ReportPhoto.objects.get()
    assert timezone.localtime(saved.taken_at).strftime("%Y-%m-%d %H:%M") == "2026-03-18 09:30"
    assert saved.latitude == Decimal("35.76") and saved.longitude == Decimal("115.03")
    assert saved.thumbnail
    assert (
        client_for(reporting.owner_b).get(reverse("progress:photo", args=[saved.pk, "thumb"])).status_code
        == 404
    )
    assert (
        client_for(reporting.owner_a).get(reverse("progress:photo", args=[saved.pk, "thumb"])).status_code
        == 200
    )


def test_a_file_that_is_not_a_photo_is_refused(reporting, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("progress:edit", args=[reporting.project_a.pk, "2026-03"])
    fake = SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")
    response = client_for(reporting.owner_a).post(
        url, {"amount": "10", "progress_text": "x", "photos": [fake], "save": "1"}
    )
    assert "不是可识别的照片" in response.content.decode()
    assert not Report.objects.exists()


def test_board_shows_states_and_on_time_rate(reporting, client_for):
    project = reporting.project_a
    with time_machine.travel(datetime(2026, 3, 28, 12, 0)):
        client = client_for(reporting.coordinator)
        response = client.get(reverse("progress:board"), {"period": "2026-03"})
        assert response.context["total"].states["missing"] == 1
        report = make_report(project, 3, "100", state="submitted")
        report.first_submitted_at = datetime(2026, 3, 26, 9, 0).astimezone()
        report.save()
        response = client.get(reverse("progress:board"), {"period": "2026-03"})
        assert response.context["total"].states["late"] == 1
        assert response.context["total"].on_time_rate == Decimal("0.0")
        export = client.get(reverse("progress:board"), {"period": "2026-03", "export": "xlsx"})
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")
        # Owners of other units and outsiders see nothing of it.
        assert (
            client_for(reporting.outsider)
            .get(reverse("progress:board"), {"period": "2026-03"})
            .context["total"]
            .due
            == 0
        )


@pytest.mark.parametrize("persona", ["owner_b", "outsider", "town_user"])
def test_other_units_cannot_open_or_fill_reports(reporting, client_for, persona):
    report = make_report(reporting.project_a, 3, "100", state="submitted")
    client = client_for(getattr(reporting, persona))
    assert client.get(reverse("progress:detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("progress:edit", args=[reporting.project_a.pk, "2026-04"])).status_code == 404
    assert client.post(reverse("progress:review", args=[report.pk, "accept"])).status_code == 404


def test_leaders_read_reports_but_cannot_fill_them(reporting, client_for):
    report = make_report(reporting.project_a, 3, "100", state="submitted")
    client = client_for(reporting.leader)
    assert client.get(reverse("progress:detail", args=[report.pk])).status_code == 200
    assert client.get(reverse("progress:edit", args=[reporting.project_a.pk, "2026-04"])).status_code == 403
    assert client.post(reverse("progress:review", args=[report.pk, "accept"])).status_code == 403


def test_the_board_and_the_figures_count_the_same_periods_on_time(reporting, client_for):
    """A monthly project, a half-monthly one finished on the 10th (due for its first half only) and
    a ten-day one started on the 15th (due for its second and third parts): four periods due, the
    board and 按时报送率 agree period by period."""
    from figures.compute import compute

    world = reporting
    plan = Plan.objects.get(year=2026)
    half, ten = (
        world.project_b,
        Project.objects.create(
            name="旬报项目",
            category=world.project_a.category,
            total_investment=Decimal("9000"),
            responsible_unit=world.housing,
            owner_unit=world.owner_a_unit,
            status="construction",
            report_frequency="ten_daily",
            actual_start_date=date(2026, 3, 15),
        ),
    )
    half.status, half.report_frequency = "completed", "half_monthly"
    half.actual_start_date, half.actual_completion_date = date(2025, 1, 1), date(2026, 3, 10)
    half.save()
    for project in (half, ten):
        PlanEntry.objects.create(plan=plan, project=project, plan_type="continuing", annual_investment=100)

    def submitted(project, part, frequency, day: tuple[int, int]):
        period = Period(2026, 3, part, frequency)
        return Report.objects.create(
            project=project, year=2026, month=3, part=part, frequency=frequency, amount=Decimal("1"),
            year_to_date=Decimal("1"), cumulative=Decimal("1"), deadline=period.deadline,
            state="submitted", first_submitted_at=timezone.make_aware(datetime(2026, *day, 9, 0)),
        )  # fmt: skip

    submitted(world.project_a, 1, "monthly", (3, 24))  # on time (deadline the 25th)
    submitted(half, 1, "half_monthly", (3, 16))  # on time (the 16th)
    submitted(half, 2, "half_monthly", (3, 31))  # not due: the project was finished on the 10th
    submitted(ten, 2, "ten_daily", (3, 22))  # late (the 21st)
    with time_machine.travel(datetime(2026, 4, 10, 12, 0)):
        client = client_for(world.coordinator)
        board = client.get(reverse("progress:board"), {"period": "2026-03"})
        details = client.get(
            reverse("progress:board"),
            {"period": "2026-03", "details": world.housing.pk},
            headers={"HX-Request": "true"},
        )
        figures = compute(2026, 3, Scope(user=world.coordinator), work=False)["reporting"]
    assert board.context["total"].due == 4
    assert [(row.row["name"], row.period.part) for row in details.context["rows"]] == [
        ("滨河路改造工程", 1),
        ("旬报项目", 2),
        ("旬报项目", 3),
    ]
    assert figures == {"due": 4, "submitted": 3, "on_time": 2, "on_time_rate": Decimal("50.0")}
    assert board.context["total"].on_time_rate == figures["on_time_rate"]


def test_a_report_is_accepted_by_someone_other_than_who_submitted_it(reporting, client_for):
    """A responsible unit may fill a report in for its owner; then someone else accepts it."""
    project = reporting.project_a
    url = reverse("progress:edit", args=[project.pk, "2026-03"])
    unit = client_for(reporting.department)
    with time_machine.travel(datetime(2026, 3, 20, 10, 0)):
        unit.post(url, {"amount": "500", "progress_text": "代填：主体施工", "submit": "1"})
    report = Report.objects.get(project=project, year=2026, month=3)
    assert report.state == "submitted" and report.submitted_by == reporting.department
    unit = client_for(reporting.department)  # a new session: the one above went idle in March
    page = unit.get(reverse("progress:detail", args=[report.pk])).content.decode()
    assert 'data-testid="own-submission"' in page and 'data-testid="accept"' not in page
    response = unit.post(reverse("progress:review", args=[report.pk, "accept"]), follow=True)
    assert "须由报送人以外的审核人员审核通过" in response.content.decode()
    report.refresh_from_db()
    assert report.state == "submitted"
    client_for(reporting.coordinator).post(reverse("progress:review", args=[report.pk, "accept"]))
    report.refresh_from_db()
    assert report.state == "accepted" and report.reviewed_by == reporting.coordinator


def test_the_model_refuses_an_acceptance_by_the_submitter(reporting):
    report = make_report(reporting.project_a, 3, "100", state="draft")
    report.submit(by=reporting.department)
    with pytest.raises(ValidationError, match="须由报送人以外的审核人员审核通过"):
        report.accept(by=reporting.department)
    report.accept(by=reporting.coordinator)
    assert report.state == "accepted"
