"""Uploaded documents and photos: checked by content (not by name), images shrunk for cheap phones.

A photo taken with a phone camera is often 4–8 MB; stored as is it fills the disk and is slow to
open over a village connection. Images are re-encoded as JPEG of at most 1600 px (which also drops
any script or payload hidden in the file) and the GPS position and time are read from the
camera's EXIF data first, so a geotagged house photo keeps its location.
"""

import datetime as dt
import io
import uuid
import warnings
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IMAGE_MAX_SIDE = 1600
# Phone cameras give at most ~50 million pixels. A bigger picture is refused from its header,
# before any pixel is decoded: a 445 KB PNG of 12,000 × 12,000 px would need ~600 MB to decode.
MAX_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
JPEG_QUALITY = 80

_GPS_TAG = 34853
_DATETIME_ORIGINAL = 36867
_EXIF_IFD = 34665


@dataclass
class ProcessedUpload:
    """A checked upload ready to be saved through Django storage."""

    content: ContentFile
    name: str
    content_type: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    taken_at: dt.datetime | None = None

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def _rational(value) -> float:
    try:
        return float(value)
    except (TypeError, ZeroDivisionError, ValueError):
        numerator, denominator = value
        return numerator / denominator if denominator else 0.0


def _gps(exif) -> tuple[Decimal | None, Decimal | None]:
    try:
        gps = exif.get_ifd(_GPS_TAG)
    except Exception:
        return None, None
    if not gps or 2 not in gps or 4 not in gps:
        return None, None

    def degrees(values, ref, negative_ref) -> Decimal:
        d, m, s = (_rational(v) for v in values)
        value = d + m / 60 + s / 3600
        if ref in (negative_ref, negative_ref.encode()):
            value = -value
        return Decimal(str(round(value, 6)))

    try:
        return degrees(gps[2], gps.get(1, "N"), "S"), degrees(gps[4], gps.get(3, "E"), "W")
    except (TypeError, ValueError, ZeroDivisionError):
        return None, None


def _taken_at(exif) -> dt.datetime | None:
    try:
        raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL)
    except Exception:
        return None
    if not raw:
        return None
    try:
        from django.utils import timezone

        # EXIF has no time zone: the camera's clock is local time.
        naive = dt.datetime.strptime(str(raw).strip("\x00"), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
        return timezone.make_aware(naive)
    except ValueError:
        return None


def _header_size(uploaded) -> tuple[str, str]:
    """Width and height a PNG or JPEG claims, read from its first bytes (for the message)."""
    import struct

    uploaded.seek(0)
    head = uploaded.read(64 * 1024)
    uploaded.seek(0)
    if head.startswith(b"\x89PNG") and len(head) >= 24:
        width, height = struct.unpack(">II", head[16:24])
        return str(width), str(height)
    index = 2
    while index + 9 < len(head) and head[:2] == b"\xff\xd8":
        marker, length = head[index + 1], struct.unpack(">H", head[index + 2 : index + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", head[index + 5 : index + 9])
            return str(width), str(height)
        index += 2 + length
    return "?", "?"


def _megabytes(size: int) -> str:
    return "{:.1f}".format(size / (1024 * 1024)).replace(".", ",")


def process_upload(uploaded, *, field: str = "file", allow_pdf: bool = True) -> ProcessedUpload:
    """Validate one uploaded file and return what to store; raise a field-named ValidationError."""
    if uploaded is None or uploaded.size == 0:
        raise ValidationError({field: _("The file is empty.")})
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                field: _("The file is too big ({size} MB); the limit is {limit} MB.").format(
                    size=_megabytes(uploaded.size), limit=MAX_UPLOAD_BYTES // (1024 * 1024)
                )
            }
        )
    uploaded.seek(0)
    head = uploaded.read(5)
    uploaded.seek(0)
    if head == b"%PDF-":
        if not allow_pdf:
            raise ValidationError({field: _("Only photos (JPG or PNG) can be uploaded here.")})
        return ProcessedUpload(
            content=ContentFile(uploaded.read()),
            name="{}.pdf".format(uuid.uuid4().hex),
            content_type="application/pdf",
        )
    message = (
        _("Only photos (JPG, PNG) and PDF files can be uploaded.")
        if allow_pdf
        else _("Only photos (JPG or PNG) can be uploaded here.")
    )
    too_large = _(
        "This picture is too large ({width} × {height} pixels). Take the photo again with "
        "the phone's camera, or send a smaller copy."
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(uploaded)  # reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        width, height = _header_size(uploaded)
        raise ValidationError({field: too_large.format(width=width, height=height)}) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationError({field: message}) from exc
    if image.format not in ("JPEG", "PNG", "WEBP"):
        raise ValidationError({field: message})
    if image.width * image.height > MAX_PIXELS:
        raise ValidationError({field: too_large.format(width=image.width, height=image.height)})
    try:
        # a JPEG is decoded straight at the stored size: less memory and time than full size
        image.draft("RGB", (IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
        image.load()
    except (OSError, Image.DecompressionBombError, ValueError) as exc:
        raise ValidationError({field: message}) from exc
    exif = image.getexif()
    latitude, longitude = _gps(exif)
    taken_at = _taken_at(exif)
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ProcessedUpload(
        content=ContentFile(buffer.getvalue()),
        name="{}.jpg".format(uuid.uuid4().hex),
        content_type="image/jpeg",
        latitude=latitude,
        longitude=longitude,
        taken_at=taken_at,
    )
