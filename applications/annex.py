"""The PDF annex of a ratified period list: per village, with totals, the decree number and
date, and a QR code leading to the public page that confirms the list is genuine."""

import segno
from django.conf import settings
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import translation

from core.services import agency_profile
from dtks.selectors import desil_on
from silakso.links import public_url

from .exports import desil_date
from .models import Batch


def verification_url(batch: Batch) -> str:
    return public_url("applications:batch_verify", batch.verification_token)


def annex_context(batch: Batch) -> dict:
    """Villages (with their district) in code order, each with its rows and totals per program."""
    applications = (
        batch.applications.select_related("program", "village", "village__parent")
        .annotate(**desil_on(desil_date(batch), household="household"))
        .order_by("village_id", "applicant_name", "pk")
        .only(
            "code",
            "applicant_name",
            "applicant_nik",
            "address",
            "program__name",
            "village__name",
            "village__code",
            "village__parent__name",
        )
    )
    villages: list[dict] = []
    for application in applications.iterator(chunk_size=2000):
        if not villages or villages[-1]["code"] != application.village_id:
            villages.append(
                {
                    "code": application.village_id,
                    "name": application.village.name,
                    "district": application.village.parent.name
                    if application.village.parent
                    else "",
                    "rows": [],
                }
            )
        villages[-1]["rows"].append(application)
    per_program = list(
        batch.applications.values("program__name")
        .annotate(total=Count("pk"))
        .order_by("program__name")
    )
    return {
        "batch": batch,
        "desil_date": desil_date(batch),
        "villages": villages,
        "per_program": per_program,
        "total": sum(len(village["rows"]) for village in villages),
        "verification_url": verification_url(batch),
        "qr": segno.make(verification_url(batch), error="m").svg_data_uri(scale=3),
        "agency": agency_profile().name,
    }


def render_annex(*, batch: Batch, reporter=None) -> bytes:
    """The annex as PDF bytes (WeasyPrint), always in Bahasa Indonesia."""
    from weasyprint import HTML

    if reporter:
        reporter.progress(1, 3, "")
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("applications/batch_annex.html", annex_context(batch))
    if reporter:
        reporter.progress(2, 3, "")
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    if reporter:
        reporter.progress(3, 3, "")
    return pdf
