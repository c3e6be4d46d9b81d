"""Site photos: checking an upload, reading its EXIF time and GPS, making a thumbnail."""

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "HEIF": "heic"}
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 36867


@dataclass
class PhotoFacts:
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    thumbnail: ContentFile


def _degrees(values: Any, ref: str) -> Decimal | None:
    try:
        degrees, minutes, seconds = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if ref in ("S", "W"):
        value = -value
    return Decimal(str(round(value, 6)))


def inspect_photo(upload: UploadedFile) -> PhotoFacts:
    """Check that an upload is a JPEG, PNG or HEIC photo within the size limit; read its facts."""
    if upload.size and upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("照片“%(n)s”超过%(m)dMB上限。")
            % {"n": upload.name, "m": settings.PHOTO_MAX_BYTES // (1024 * 1024)}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("“%(n)s”不是可识别的照片（支持 JPEG、PNG、HEIC）。") % {"n": upload.name}
        ) from error
    if kind not in ALLOWED_FORMATS:
        raise ValidationError(
            _("“%(n)s”的格式为 %(f)s，只支持 JPEG、PNG、HEIC。") % {"n": upload.name, "f": kind}
        )

    exif = image.getexif()
    taken_at = None
    raw_time = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(ExifTags.Base.DateTime)
    if raw_time:
        try:
            taken_at = timezone.make_aware(
                datetime.strptime(str(raw_time).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
            )
        except ValueError:
            taken_at = None
    gps = exif.get_ifd(GPS_IFD)
    latitude = _degrees(gps.get(2), gps.get(1, "N")) if gps.get(2) else None
    longitude = _degrees(gps.get(4), gps.get(3, "E")) if gps.get(4) else None
    if (
        latitude is not None
        and not -90 <= latitude <= 90
        or longitude is not None
        and not -180 <= longitude <= 180
    ):
        latitude = longitude = None

    thumb = ImageOps.exif_transpose(image).convert("RGB")
    thumb.thumbnail(settings.THUMBNAIL_SIZE)
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=82)
    upload.seek(0)
    return PhotoFacts(taken_at, latitude, longitude, ContentFile(buffer.getvalue(), name="thumb.jpg"))
