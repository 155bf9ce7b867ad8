"""Addresses that leave the site (messages, QR codes, letters, e-mailed links).

One setting, ``SILAKSO_PUBLIC_URL``, says where residents and partners reach the site; the demo
derives it from the address ``make run`` serves on (``ADDR``).
"""

from django.conf import settings
from django.urls import reverse


def public_url(name_or_path: str, *args) -> str:
    """The full public address of a URL name (with its ``args``) or of a path."""
    path = name_or_path if name_or_path.startswith("/") else reverse(name_or_path, args=args)
    return settings.SILAKSO_PUBLIC_URL.rstrip("/") + path
