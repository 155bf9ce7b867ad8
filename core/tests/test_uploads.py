"""Uploaded photos: checked from their header before any pixel is decoded, and shrunk."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import IMAGE_MAX_SIDE, process_upload


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels in a few bytes (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_a_picture_of_too_many_pixels_is_refused_from_its_header():
    bomb = SimpleUploadedFile("rumah.png", _png_header_only(12000, 12000), "image/png")
    with pytest.raises(ValidationError) as refused:
        process_upload(bomb, field="photo")
    message = refused.value.message_dict["photo"][0]
    assert "12000" in message


def test_a_large_phone_photo_is_stored_at_most_1600_px():
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (120, 80, 40)).save(buffer, "JPEG", quality=95)
    photo = process_upload(SimpleUploadedFile("foto.jpg", buffer.getvalue(), "image/jpeg"))
    stored = Image.open(io.BytesIO(photo.content.read()))
    assert max(stored.size) <= IMAGE_MAX_SIDE and photo.content_type == "image/jpeg"
