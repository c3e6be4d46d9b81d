"""照片指纹: the perceptual hash of each site photo and its EXIF time and place, computed once."""

import logging

import imagehash
from django.db.models.fields.files import FieldFile
from PIL import Image, UnidentifiedImageError

from progress.models import ReportPhoto
from progress.photos import exif_time_and_place
from quality.models import PhotoFingerprint

logger = logging.getLogger("quality")
BAND_BITS = 16
BAND_MASK = (1 << BAND_BITS) - 1
# Two photos whose hashes differ in at most this many of 64 bits are the same picture (a copy,
# resized or saved again); unrelated photos differ in about 32. It must stay below the number of
# bands (4) for the band lookup to find every such pair.
MAX_DISTANCE = 3
# Fingerprints written per INSERT while hashing a backlog.
BATCH = 200


def bands(phash: str) -> tuple[int, int, int, int]:
    """The four 16-bit bands of a 64-bit hash written in hexadecimal, highest first."""
    value = int(phash, 16)
    return (
        (value >> 48) & BAND_MASK,
        (value >> 32) & BAND_MASK,
        (value >> 16) & BAND_MASK,
        value & BAND_MASK,
    )


def distance(a: str, b: str) -> int:
    """How many of the 64 bits two hashes differ in (Hamming distance)."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def fingerprint(photo_id: int, image_file: FieldFile) -> PhotoFingerprint:
    """The fingerprint of one stored photo; an unreadable file gives one marked so."""
    try:
        with image_file.open("rb") as stored, Image.open(stored) as image:
            exif = image.getexif()
            taken_at, latitude, longitude = exif_time_and_place(exif)
            # A JPEG is decoded at a reduced scale: the hash reads a 32×32 grey image anyway.
            image.draft("L", (256, 256))
            phash = str(imagehash.phash(image))
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        logger.warning("Photo %s could not be read for its fingerprint", photo_id)
        return PhotoFingerprint(photo_id=photo_id, readable=False)
    b0, b1, b2, b3 = bands(phash)
    return PhotoFingerprint(
        photo_id=photo_id,
        phash=phash,
        band0=b0,
        band1=b1,
        band2=b2,
        band3=b3,
        taken_at=taken_at,
        latitude=latitude,
        longitude=longitude,
    )


def fingerprint_new_photos() -> int:
    """Fingerprint every photo that has none yet; the number computed."""
    pending = ReportPhoto.objects.filter(fingerprint__isnull=True).order_by("pk").only("pk", "image")
    batch: list[PhotoFingerprint] = []
    done = 0
    for photo in pending.iterator(chunk_size=BATCH):
        batch.append(fingerprint(photo.pk, photo.image))
        if len(batch) == BATCH:
            PhotoFingerprint.objects.bulk_create(batch, ignore_conflicts=True)
            done += len(batch)
            batch = []
    if batch:
        PhotoFingerprint.objects.bulk_create(batch, ignore_conflicts=True)
        done += len(batch)
    return done
