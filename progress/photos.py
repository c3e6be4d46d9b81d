"""Site photos and stored files: checking an upload, reading its EXIF time and GPS, making a
thumbnail, serving what was stored, and removing files once their row is gone."""

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

# Pillow's name for each accepted format → the extension a photo is stored under and the type it
# is served with. The client's file name decides neither: a JPEG called x.html is stored as .jpg.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "HEIF": ("heic", "image/heic"),
}
PHOTO_EXTENSIONS = {extension for extension, _type in FORMATS.values()}
# Pillow warns above this many pixels and refuses twice as many as it opens a file, wherever it
# is used; inspect_photo refuses anything above the limit itself before decoding a pixel.
Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 36867
NOSNIFF = "nosniff"


@dataclass
class PhotoFacts:
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    thumbnail: ContentFile


def save_photo(photo: Any, upload: UploadedFile, facts: PhotoFacts) -> Any:
    """Store an inspected upload as `photo` (a report's or an inspection's photo, with its owner and
    uploader set): the caption defaults to the file name, and the place and time come from the
    photo's EXIF."""
    photo.caption = photo.caption or (upload.name or "")[:200]
    photo.taken_at, photo.latitude, photo.longitude = facts.taken_at, facts.latitude, facts.longitude
    photo.image.save((upload.name or "photo")[-80:], upload, save=False)
    photo.thumbnail.save("thumb.jpg", facts.thumbnail, save=False)
    photo.save()
    return photo


def _degrees(values: Any, ref: str) -> Decimal | None:
    try:
        degrees, minutes, seconds = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if ref in ("S", "W"):
        value = -value
    return Decimal(str(round(value, 6)))


def _not_a_photo(upload: UploadedFile) -> ValidationError:
    return ValidationError(_("“%(n)s”不是可识别的照片（支持 JPEG、PNG、WebP、HEIC）。") % {"n": upload.name})


def _too_many_pixels(upload: UploadedFile) -> ValidationError:
    return ValidationError(
        _("照片“%(n)s”的像素超过%(m)d万上限，请缩小后再上传。")
        % {"n": upload.name, "m": settings.PHOTO_MAX_PIXELS // 10_000}
    )


def inspect_photo(upload: UploadedFile) -> PhotoFacts:
    """Check that an upload is a JPEG, PNG, WebP or HEIC photo within the size and pixel limits;
    read its facts and rename it after its format, so that it is stored under that extension."""
    if upload.size and upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("照片“%(n)s”超过%(m)dMB上限。")
            % {"n": upload.name, "m": settings.PHOTO_MAX_BYTES // (1024 * 1024)}
        )
    try:
        upload.seek(0)
        # Reads the header only: format and size are known before a single pixel is decoded.
        image = Image.open(upload)
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(upload) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise _not_a_photo(upload) from error
    if image.format not in FORMATS:
        raise ValidationError(
            _("照片“%(n)s”的格式为 %(f)s，只支持 JPEG、PNG、WebP、HEIC。")
            % {"n": upload.name, "f": image.format}
        )
    # A 17 KB PNG can claim 12000×12000 pixels and cost 800 MB once decoded.
    if image.width * image.height > settings.PHOTO_MAX_PIXELS:
        raise _too_many_pixels(upload)
    try:
        # A PNG may keep its EXIF after its pixels: reading it can decode them, and fail.
        exif = image.getexif()
        thumbnail = _thumbnail(image)
    except (OSError, SyntaxError, ValueError) as error:
        raise _not_a_photo(upload) from error

    taken_at, latitude, longitude = exif_time_and_place(exif)
    upload.name = f"{PurePosixPath(upload.name or '').stem or 'photo'}.{FORMATS[image.format][0]}"
    upload.seek(0)
    return PhotoFacts(taken_at, latitude, longitude, thumbnail)


def exif_time_and_place(exif: Image.Exif) -> tuple[datetime | None, Decimal | None, Decimal | None]:
    """拍摄时间 and GPS position (latitude, longitude) an image's EXIF gives, each None when absent
    or not readable."""
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
    return taken_at, latitude, longitude


def _thumbnail(image: Image.Image) -> ContentFile:
    """Decoding the photo at full size is what a thumbnail must not cost: thumbnail() with a
    reducing gap asks the JPEG decoder for a 1/2, 1/4 or 1/8 scale draft, and shrinks other formats
    by whole factors before resampling; only the small result is turned upright and into RGB."""
    if image.mode.startswith("I;16"):
        # 16-bit grey PNGs are what the reducing resize cannot read; one byte a pixel will do.
        image = image.convert("L")
    image.thumbnail(settings.THUMBNAIL_SIZE, reducing_gap=2.0)
    small = ImageOps.exif_transpose(image).convert("RGB")
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=82)
    return ContentFile(buffer.getvalue(), name="thumb.jpg")


def photo_file_name(filename: str) -> str:
    """The last part of a stored photo's name: the client's name without its dots (a server that
    reads x.html.jpg as HTML finds none), ending in one of our photo extensions."""
    path = PurePosixPath(filename)
    extension = path.suffix.lstrip(".").lower()
    if extension not in PHOTO_EXTENSIONS:
        # Only a caller that skipped inspect_photo gets here; the file is served by its content.
        extension = "bin"
    return f"{path.stem.replace('.', '_')[-50:]}.{extension}"


def open_stored(file: FieldFile) -> File:
    """The stored file of a row, or 404 when the row has outlived it."""
    try:
        return file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("文件已不存在，可能已被删除。")) from error


def photo_response(file: FieldFile) -> FileResponse:
    """A stored photo shown inline with the type of what it is, whatever name it was stored under
    (older uploads kept the client's name); anything else is only offered for download."""
    stored = open_stored(file)
    try:
        with Image.open(stored, formats=list(FORMATS)) as probe:
            kind = probe.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    stored.seek(0)
    assert file.name is not None  # open_stored found the file
    path = PurePosixPath(file.name)
    if kind in FORMATS:
        extension, content_type = FORMATS[kind]
        response = FileResponse(stored, filename=f"{path.stem}.{extension}", content_type=content_type)
    else:
        response = FileResponse(
            stored, as_attachment=True, filename=path.name, content_type="application/octet-stream"
        )
    response["X-Content-Type-Options"] = NOSNIFF
    return response


def download_response(file: FieldFile, filename: str) -> FileResponse:
    """A stored document (reply or problem attachment) offered for download, never shown inline."""
    response = FileResponse(open_stored(file), as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = NOSNIFF
    return response


def delete_files_on_commit(*files: FieldFile) -> None:
    """Remove stored files once the deletion of their row commits: a delete that is rolled back
    must find its file still there. Called from post_delete, so cascades are covered too."""
    for file in files:
        if file.name:
            # robust: the row is gone already; a file that cannot be removed is only left over.
            transaction.on_commit(partial(file.storage.delete, file.name), robust=True)
