"""Test helpers of the application flow: programs, registry households with a desil, uploads,
and applications made through the services."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from applications import services
from core.choices import Role
from core.tests.factories import make_user
from dtks import services as registry
from dtks.tests.factories import make_household, make_program


def photo(name="ktp.jpg", size=(40, 30), color="green") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf(name="minutes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%minutes\n", content_type="application/pdf")


def program(code="bpnt", *, max_desil=4, documents="KTP\nKartu Keluarga (KK)", **extra):
    created = make_program(code, max_desil=max_desil, **extra)
    created.required_documents = documents
    created.accepts_applications = True
    created.save()
    return created


def household(village, *, desil=3, head_name="Siti Aminah", manager=None):
    """A registry household with an official desil, made through the registry services."""
    manager = manager or make_user(Role.DATA_MANAGER, village.code[:5])
    created = make_household(village, manager, head_name=head_name)
    if desil is not None:
        registry.desil_record(
            household=created, desil=desil, as_of=dt.date(2026, 7, 1), source="t", actor=manager
        )
    created.refresh_from_db()
    return created


def applicant_of(household, **overrides) -> dict:
    head = household.members.get(relation_to_head="head")
    return {
        "nik": head.nik,
        "name": head.name,
        "phone": "081234567890",
        "email": "warga@example.id",
        "address": household.address,
        **overrides,
    }


def submit(program, household=None, *, village=None, actor=None, channel="online", **applicant):
    """Submit an application for the head of ``household`` (or the given applicant data)."""
    data = applicant_of(household, **applicant) if household is not None else applicant
    return services.application_submit(
        program=program,
        applicant=data,
        village=village or household.village,
        channel=channel,
        actor=actor,
        documents=[("ktp", "KTP", photo())],
    )


def deliberate(application, head=None, *, approve=True, reason="", kind="sptjm"):
    """The village head decides on ``application`` (an SPTJM unless ``kind`` says otherwise)."""
    import datetime as dt

    head = head or make_user(Role.VILLAGE_HEAD, application.village_id)
    services.deliberation_record(
        village=application.village,
        kind=kind,
        held_on=dt.date.today(),
        attendees=12 if kind == "meeting" else None,
        document=pdf(),
        decisions={application.pk: (approve, reason)},
        actor=head,
    )
    application.refresh_from_db()
    return application


def verified(program, village, *, name="Siti Aminah", head=None, verifier=None):
    """A request of a poor household of ``village``, deliberated and verified."""
    application = deliberate(submit(program, household(village, head_name=name)), head)
    verifier = verifier or make_user(Role.VERIFIER, village.code[:5])
    return services.application_verify(application=application, actor=verifier)
