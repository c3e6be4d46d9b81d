"""Demo site photos (现场照片) for the public projects, some of them marked public (信息公开).

The photos are drawn, not taken: a sky, the ground, a building rising floor by floor with the
project's progress and a tower crane, in colours of the project's own. Each goes through the same
checks and thumbnailing as an upload.
"""

import io
import random
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from progress.choices import ReportState
from progress.models import Report, ReportPhoto
from progress.photos import inspect_photo, save_photo
from projects.models import Project

# At most this many projects get photos; each gets those of its last two accepted months.
PROJECTS_WITH_PHOTOS = 24
# The share of photos the project's owner marks public.
PUBLIC_SHARE = 0.6


def site_picture(rng: random.Random, percent: float) -> bytes:
    """A 960×720 JPEG of a building site: the building stands `percent` of its full height."""
    width, height = 960, 720
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    sky = (rng.randint(120, 170), rng.randint(170, 210), rng.randint(220, 250))
    for y in range(height * 3 // 5):
        shade = y / (height * 3 / 5)
        draw.line([(0, y), (width, y)], fill=tuple(int(c * (1 - 0.25 * shade)) for c in sky))
    ground = (rng.randint(140, 170), rng.randint(120, 140), rng.randint(90, 110))
    draw.rectangle([0, height * 3 // 5, width, height], fill=ground)
    base = height * 3 // 5
    left = rng.randint(180, 420)
    floors = max(1, round(12 * percent / 100))
    floor_height = 26
    concrete = (rng.randint(170, 200),) * 3
    for floor in range(floors):
        top = base - (floor + 1) * floor_height
        draw.rectangle(
            [left, top, left + 300, top + floor_height - 4], fill=concrete, outline=(120, 120, 120)
        )
        for window in range(6):
            x = left + 14 + window * 48
            draw.rectangle([x, top + 6, x + 26, top + floor_height - 10], fill=(90, 110, 130))
    mast = left + 360
    draw.rectangle([mast, base - 420, mast + 14, base], fill=(230, 180, 30))
    draw.rectangle([mast - 220, base - 430, mast + 120, base - 418], fill=(230, 180, 30))
    draw.line([(mast - 180, base - 418), (mast - 180, base - 300)], fill=(60, 60, 60), width=2)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def build(rng: random.Random, today: date) -> dict[str, int]:
    """Photos on the last two accepted reports of some public projects at work this year; returns counts."""
    tz = ZoneInfo(settings.TIME_ZONE)
    projects = list(
        Project.objects.filter(is_public=True, reports__state=ReportState.ACCEPTED, reports__year=today.year)
        .distinct()
        .order_by("pk")
    )
    rng.shuffle(projects)
    counts = {"photos": 0, "photos_public": 0}
    for project in sorted(projects[:PROJECTS_WITH_PHOTOS], key=lambda p: p.pk):
        reports = Report.objects.filter(project=project, state=ReportState.ACCEPTED).order_by("-seq")[:2]
        for report in reports:
            for number in range(rng.randint(1, 2)):
                percent = float(report.progress_percent or 50)
                upload = SimpleUploadedFile(
                    f"site-{report.year}{report.month:02d}-{number + 1}.jpg",
                    site_picture(rng, percent),
                    content_type="image/jpeg",
                )
                photo = save_photo(
                    ReportPhoto(report=report, uploaded_by=report.submitted_by, caption="施工现场"),
                    upload,
                    inspect_photo(upload),
                )
                photo.taken_at = datetime.combine(
                    date(report.year, report.month, rng.randint(5, 20)), time(rng.randint(8, 16), 0), tz
                )
                photo.is_public = rng.random() < PUBLIC_SHARE
                photo.save(update_fields=["taken_at", "is_public"])
                counts["photos"] += 1
                counts["photos_public"] += photo.is_public
    return counts
