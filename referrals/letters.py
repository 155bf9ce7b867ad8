"""SLRT service letters as PDF: the text per kind, the number, and a QR code leading to the
public page that tells whether the letter is genuine."""

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from core.services import agency_profile
from dtks.nik import mask_nik
from silakso.links import public_url

from .models import Letter


def verification_url(letter: Letter) -> str:
    return public_url("referrals:letter_verify", letter.token)


def render_letter(letter: Letter) -> bytes:
    """The letter as PDF bytes (WeasyPrint), in Bahasa Indonesia."""
    from weasyprint import HTML

    url = verification_url(letter)
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "referrals/letter_pdf.html",
            {
                "letter": letter,
                "agency": agency_profile().name,
                "profile": agency_profile(),
                "nik": letter.recipient_nik,
                "nik_masked": mask_nik(letter.recipient_nik) if letter.recipient_nik else "",
                "verification_url": url,
                "qr": segno.make(url, error="m").svg_data_uri(scale=3),
            },
        )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
