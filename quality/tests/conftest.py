"""A clean March 2026 for two projects, which the data-quality tests then spoil one way at a time.

project_a (总投资 12000万元, at 35.76N 115.03E) and project_b (56000万元, at 35.70N 115.10E)
each have a year of steady accepted months before 2026 and accepted reports for January to
March 2026 whose 形象进度 text and % move on every month; project_a's February and March reports
and project_b's March report carry a site photo taken in the month, on the site.
"""

import io
import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from progress.models import MonthlyProgress, Report, ReportPhoto, YearProgress
from progress.periods import Period

A_SITE = (35.76, 115.03)
B_SITE = (35.70, 115.10)
A_HISTORY = [100, 95, 110, 105, 98, 102, 97, 108, 101, 99, 103, 96]


def to_dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes_full = (value - degrees) * 60
    minutes = int(minutes_full)
    return (float(degrees), float(minutes), round((minutes_full - minutes) * 60, 2))


def picture(
    seed: int,
    taken: datetime | None = None,
    place: tuple[float, float] | None = None,
    size: tuple[int, int] = (640, 480),
) -> bytes:
    """A JPEG of random blocks (each seed a different picture), with EXIF time and GPS when given."""
    noise = random.Random(seed).randbytes(16 * 12 * 3)
    image = Image.frombytes("RGB", (16, 12), noise).resize(size, Image.Resampling.NEAREST)
    exif = Image.Exif()
    if taken is not None:
        exif[0x0132] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if place is not None:
        lat, lon = place
        exif[0x8825] = {1: "N", 2: to_dms(lat), 3: "E", 4: to_dms(lon)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def add_photo(report: Report, content: bytes, name: str = "site.jpg") -> ReportPhoto:
    photo = ReportPhoto(report=report, caption=name)
    photo.image.save(name, ContentFile(content), save=False)
    photo.save()
    return photo


def make_report(project, year, month, amount, text, percent=None, state="accepted") -> Report:
    report = Report(
        project=project,
        year=year,
        month=month,
        amount=Decimal(amount),
        deadline=Period(year, month).deadline,
        progress_text=text,
        progress_percent=Decimal(percent) if percent is not None else None,
        state=state,
    )
    report.recompute_totals()
    report.save()
    return report


def make_history(project, amounts, year=2025, first_month=1) -> None:
    """Accepted months of `year` from `first_month` on, one amount each, as the rollup keeps them:
    the month rows and the year's row of 年度完成投资 at each month's end."""
    MonthlyProgress.objects.bulk_create(
        MonthlyProgress(project=project, year=year, month=first_month + i, amount=Decimal(a))
        for i, a in enumerate(amounts)
    )
    ytd, running = {}, Decimal(0)
    for month in range(1, 13):
        if first_month <= month < first_month + len(amounts):
            running += Decimal(amounts[month - first_month])
        ytd[YearProgress.column(month)] = running
    YearProgress.objects.create(project=project, year=year, **ytd)


@dataclass
class March:
    world: object
    a: list[Report]
    b: list[Report]
    a_photos: list[ReportPhoto]
    b_photo: ReportPhoto


@pytest.fixture
def march(world, settings, tmp_path) -> March:
    settings.MEDIA_ROOT = tmp_path
    a, b = world.project_a, world.project_b
    a.latitude, a.longitude = Decimal(str(A_SITE[0])), Decimal(str(A_SITE[1]))
    b.latitude, b.longitude = Decimal(str(B_SITE[0])), Decimal(str(B_SITE[1]))
    b.status = "construction"
    a.save()
    b.save()
    make_history(a, A_HISTORY)
    make_history(b, [a * 3 for a in A_HISTORY])
    a_reports = [
        make_report(a, 2026, 1, "99", "基础施工", "10"),
        make_report(a, 2026, 2, "103", "主体结构施工", "20"),
        make_report(a, 2026, 3, "105", "主体结构封顶", "30"),
    ]
    b_reports = [
        make_report(b, 2026, 1, "300", "场地平整", "5"),
        make_report(b, 2026, 2, "310", "桩基施工", "12"),
        make_report(b, 2026, 3, "305", "厂房钢结构安装", "25"),
    ]
    a_photos = [
        add_photo(a_reports[1], picture(1, datetime(2026, 2, 20, 10), A_SITE), "a-feb.jpg"),
        add_photo(a_reports[2], picture(2, datetime(2026, 3, 18, 9, 30), (35.765, 115.032)), "a-mar.jpg"),
    ]
    b_photo = add_photo(b_reports[2], picture(3, datetime(2026, 3, 10, 15), B_SITE), "b-mar.jpg")
    return March(world, a_reports, b_reports, a_photos, b_photo)


def set_report(report: Report, **values) -> Report:
    """Change a report's figures as a correction would, carrying its totals."""
    for name, value in values.items():
        setattr(report, name, value)
    report.recompute_totals()
    report.save()
    return report
