"""数据质量 checks: each kind of flag is raised by data built for it, and clean data raises none."""

import io
import json
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from catalog.models import Category
from projects.models import Project
from quality.choices import FlagKind, FlagState
from quality.models import Flag, PhotoFingerprint
from quality.scan import months_to_scan, scan_month

from .conftest import A_SITE, add_photo, make_history, make_report, picture, set_report

pytestmark = pytest.mark.django_db


def flags(**filters) -> set[tuple[str, str]]:
    """(project name, kind) of the March flags that are open."""
    rows = Flag.objects.filter(year=2026, month=3, state=FlagState.OPEN, **filters)
    return {(f.project.name, f.kind) for f in rows.select_related("project")}


def test_clean_reports_raise_no_flag(march):
    result = scan_month(2026, 3)
    assert result.found == 0
    assert Flag.objects.count() == 0
    assert result.hashed == 3 and PhotoFingerprint.objects.filter(readable=True).count() == 3


def test_photo_exif_is_read_from_the_file_when_fingerprinted(march):
    scan_month(2026, 3)
    fingerprint = PhotoFingerprint.objects.get(photo=march.a_photos[1])
    assert fingerprint.taken_at is not None and fingerprint.taken_at.date().isoformat() == "2026-03-18"
    assert fingerprint.latitude is not None and abs(float(fingerprint.latitude) - 35.765) < 0.001
    assert len(fingerprint.phash) == 16


def test_a_month_far_above_the_projects_usual_months_is_flagged(march):
    set_report(march.a[2], amount=Decimal("2000"))
    scan_month(2026, 3)
    assert flags() == {(march.world.project_a.name, FlagKind.SPIKE)}
    flag = Flag.objects.get()
    assert flag.evidence["months"] == 12
    assert float(flag.evidence["z"]) > 3.5
    assert flag.report == march.a[2]
    assert "2000.00万元" in flag.detail and "中位数" in flag.detail


def test_a_month_within_the_usual_spread_is_not_flagged(march):
    set_report(march.a[2], amount=Decimal("111"))
    scan_month(2026, 3)
    assert flags() == set()


def test_a_project_with_too_few_months_behind_it_is_not_judged(march):
    project = Project.objects.create(
        name="新开工项目",
        category=Category.objects.get(code="infrastructure"),
        total_investment=Decimal("90000"),
    )
    make_history(project, [10, 12, 11], year=2025, first_month=10)
    make_report(project, 2026, 3, "5000", "开工")
    scan_month(2026, 3)
    assert ("新开工项目", FlagKind.SPIKE) not in flags()


def test_a_history_of_mostly_equal_months_is_measured_by_its_mean_deviation(march):
    project = march.world.project_b
    project.yearly.all().delete()
    project.monthly.all().delete()
    # More than half the months are 300: the MAD is 0, the mean absolute deviation is not.
    make_history(project, [300] * 8 + [310, 290, 305, 295])
    set_report(march.b[2], amount=Decimal("900"))
    scan_month(2026, 3)
    assert flags() == {(project.name, FlagKind.SPIKE)}
    assert Flag.objects.get().evidence["mad"] == "0.00"


def test_a_history_of_identical_months_gives_nothing_to_measure_against(march):
    project = march.world.project_b
    project.yearly.all().delete()
    project.monthly.all().delete()
    make_history(project, [300] * 12)
    set_report(march.b[2], amount=Decimal("900"))
    scan_month(2026, 3)
    assert flags() == set()


def test_the_history_window_reaches_into_the_year_before(march):
    # March 2026's 24 months run from March 2024 to February 2026: a 2024 row counts too.
    project = march.world.project_a
    project.yearly.all().delete()
    project.monthly.all().delete()
    make_history(project, [100, 101, 99], year=2024, first_month=10)
    make_history(project, [98, 102, 100], year=2025, first_month=10)
    set_report(march.a[2], amount=Decimal("2000"))
    scan_month(2026, 3)
    assert flags() == {(project.name, FlagKind.SPIKE)}
    assert Flag.objects.get().evidence["months"] == 6


def test_figures_identical_to_another_projects_are_flagged_on_both(march):
    twin = Project.objects.create(
        name="复制项目",
        category=Category.objects.get(code="infrastructure"),
        total_investment=Decimal("30000"),
    )
    for month, amount in ((1, "99"), (2, "103"), (3, "105")):
        make_report(twin, 2026, month, amount, f"第{month}月进度")
    scan_month(2026, 3)
    assert flags(kind=FlagKind.DUPLICATE) == {
        (march.world.project_a.name, FlagKind.DUPLICATE),
        ("复制项目", FlagKind.DUPLICATE),
    }
    flag = Flag.objects.get(project=march.world.project_a, kind=FlagKind.DUPLICATE)
    assert flag.evidence["others"] == [{"id": twin.pk, "name": "复制项目"}]
    assert "复制项目" in flag.detail


def test_projects_with_nothing_done_are_not_duplicates(march):
    for project in (march.world.project_a, march.world.project_b):
        project.reports.filter(month=3).update(amount=0, year_to_date=0, cumulative=0)
    scan_month(2026, 3)
    assert flags(kind=FlagKind.DUPLICATE) == set()


def test_progress_percent_going_down_is_flagged(march):
    set_report(march.a[2], progress_percent=Decimal("15.0"))
    scan_month(2026, 3)
    assert flags() == {(march.world.project_a.name, FlagKind.PERCENT_DOWN)}
    flag = Flag.objects.get()
    assert flag.evidence == {"percent": "15.0", "previous_percent": "20.0"}
    assert "低于此前报送的20.0%" in flag.detail


def test_progress_text_unchanged_for_three_periods_while_money_grows_is_flagged(march):
    for report in march.a:
        set_report(report, progress_text="主体结构施工")
    scan_month(2026, 3)
    assert flags() == {(march.world.project_a.name, FlagKind.TEXT_FROZEN)}
    assert [p["month"] for p in Flag.objects.get().evidence["periods"]] == [1, 2, 3]


def test_unchanged_text_in_a_month_without_money_is_not_flagged(march):
    for report in march.a:
        set_report(report, progress_text="主体结构施工")
    set_report(march.a[1], amount=Decimal("0"))
    set_report(march.a[2])
    scan_month(2026, 3)
    assert flags(kind=FlagKind.TEXT_FROZEN) == set()


def test_cumulative_above_total_investment_is_flagged(march):
    project = march.world.project_a
    project.total_investment = Decimal("250")
    project.save()
    scan_month(2026, 3)
    assert flags() == {(project.name, FlagKind.OVER_TOTAL)}
    assert Flag.objects.get().evidence == {"cumulative": "307.00", "total": "250.00"}


def test_a_photo_reused_from_an_earlier_period_is_flagged(march):
    earlier = march.a_photos[0]
    with earlier.image.open("rb") as stored:
        content = stored.read()
    again = add_photo(march.a[2], content, "again.jpg")
    scan_month(2026, 3)
    assert flags(kind=FlagKind.PHOTO_REUSED) == {(march.world.project_a.name, FlagKind.PHOTO_REUSED)}
    flag = Flag.objects.get(kind=FlagKind.PHOTO_REUSED)
    assert flag.photo == again
    assert flag.evidence["matches"][0]["photo"] == earlier.pk
    assert flag.evidence["matches"][0]["month"] == 2


def test_a_resized_copy_of_another_projects_photo_is_flagged(march):
    with march.a_photos[1].image.open("rb") as stored:
        image = Image.open(stored)
        image.load()
    smaller = io.BytesIO()
    image.resize((320, 240)).save(smaller, "JPEG", quality=70)
    add_photo(march.b[2], smaller.getvalue(), "copied.jpg")
    scan_month(2026, 3)
    reused = Flag.objects.filter(kind=FlagKind.PHOTO_REUSED)
    # The copy is flagged on project_b; the same month's original on project_a names the copy too.
    assert {f.project_id for f in reused} == {march.world.project_a.pk, march.world.project_b.pk}
    flag = reused.get(project=march.world.project_b)
    assert flag.evidence["matches"][0]["photo"] == march.a_photos[1].pk
    assert flag.evidence["matches"][0]["distance"] <= 3


def test_a_photo_taken_outside_the_month_is_flagged(march):
    add_photo(march.a[2], picture(9, datetime(2025, 11, 3, 8), A_SITE), "old.jpg")
    scan_month(2026, 3)
    assert flags() == {(march.world.project_a.name, FlagKind.PHOTO_DATE)}
    flag = Flag.objects.get()
    assert flag.evidence["start"] == "2026-03-01" and flag.evidence["end"] == "2026-03-31"
    assert "2025-11-03" in flag.detail


def test_a_photo_taken_far_from_the_site_is_flagged_and_one_nearby_is_not(march, settings):
    settings.QUALITY_PHOTO_MAX_DISTANCE_KM = 3
    # 0.1° of latitude is about 11 km; 0.01° about 1.1 km.
    far = add_photo(march.a[2], picture(10, datetime(2026, 3, 5, 8), (35.86, 115.03)), "far.jpg")
    add_photo(march.a[2], picture(11, datetime(2026, 3, 6, 8), (35.77, 115.03)), "near.jpg")
    scan_month(2026, 3)
    assert flags() == {(march.world.project_a.name, FlagKind.PHOTO_PLACE)}
    flag = Flag.objects.get()
    assert flag.photo == far
    assert 10 < float(flag.evidence["distance_km"]) < 12
    assert flag.evidence["limit_km"] == "3"


def test_an_unreadable_photo_is_fingerprinted_once_as_such(march):
    add_photo(march.a[2], b"not an image at all", "broken.jpg")
    first = scan_month(2026, 3)
    second = scan_month(2026, 3)
    assert first.hashed == 4 and second.hashed == 0
    assert PhotoFingerprint.objects.filter(readable=False).count() == 1
    assert Flag.objects.count() == 0


def test_a_dismissed_flag_stays_dismissed_on_the_next_scans(march):
    set_report(march.a[2], amount=Decimal("2000"))
    scan_month(2026, 3)
    flag = Flag.objects.get()
    assert flag.dismiss(march.world.coordinator, "本月集中支付设备款，经核实属实。")
    again = scan_month(2026, 3)
    flag.refresh_from_db()
    assert flag.state == FlagState.DISMISSED and again.dismissed == 1 and again.opened == 0
    assert flag.dismiss_reason == "本月集中支付设备款，经核实属实。"


def test_a_corrected_report_marks_its_flag_fixed_and_a_relapse_opens_it_again(march):
    set_report(march.a[2], amount=Decimal("2000"))
    scan_month(2026, 3)
    set_report(march.a[2], amount=Decimal("105"))
    result = scan_month(2026, 3)
    flag = Flag.objects.get()
    assert result.fixed == 1 and flag.state == FlagState.FIXED and flag.fixed_at is not None
    set_report(march.a[2], amount=Decimal("3000"))
    result = scan_month(2026, 3)
    flag.refresh_from_db()
    assert result.reopened == 1 and flag.state == FlagState.OPEN and flag.fixed_at is None
    assert flag.evidence["amount"] == "3000.00"


def test_a_second_scan_changes_nothing(march):
    set_report(march.a[2], amount=Decimal("2000"), progress_percent=Decimal("1.0"))
    scan_month(2026, 3)
    before = list(Flag.objects.values())
    result = scan_month(2026, 3)
    assert list(Flag.objects.values()) == before
    assert (result.opened, result.updated, result.reopened, result.fixed) == (0, 0, 0, 0)


def test_drafts_and_returned_reports_are_not_checked(march):
    set_report(march.a[2], amount=Decimal("2000"), state="returned")
    scan_month(2026, 3)
    assert flags() == set()


def test_the_scan_reads_the_same_number_of_queries_whatever_the_number_of_projects(march):
    scan_month(2026, 3)
    with CaptureQueriesContext(connection) as few:
        scan_month(2026, 3)
    category = Category.objects.get(code="infrastructure")
    for n in range(12):
        project = Project.objects.create(
            name=f"扩充项目{n}", category=category, total_investment=Decimal("9000")
        )
        make_history(project, [50 + n, 60, 55, 52, 58, 61, 57])
        for month in (1, 2, 3):
            make_report(project, 2026, month, str(40 + month + n), f"进度{month}", str(month * 10))
        add_photo(project.reports.get(month=3), picture(100 + n, datetime(2026, 3, 2)), f"p{n}.jpg")
    scan_month(2026, 3)
    with CaptureQueriesContext(connection) as many:
        scan_month(2026, 3)
    assert len(many) == len(few)


def test_the_scheduled_scan_covers_last_month_and_this_month():
    from datetime import date

    assert months_to_scan(date(2026, 1, 10)) == [(2025, 12), (2026, 1)]


def test_the_command_prints_the_months_open_flags_as_json(march, capsys):
    set_report(march.a[2], amount=Decimal("2000"))
    call_command("data_quality", "--year", "2026", "--month", "3", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1
    assert {"project", "period", "kind", "detail"} <= rows[0].keys()
    assert rows[0]["project"] == march.world.project_a.name
    assert (rows[0]["period"], rows[0]["kind"]) == ("2026-03", "spike")
    Flag.objects.get().dismiss(march.world.coordinator, "属实")
    call_command("data_quality", "--year", "2026", "--month", "3", "--json")
    assert json.loads(capsys.readouterr().out) == []


def test_the_command_refuses_a_month_out_of_range(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("data_quality", "--year", "2026", "--month", "13")
