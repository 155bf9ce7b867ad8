"""Field checks: a visit to the household with a photo (GPS), for a verifier or a ground check."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.services import (
    audit_log,
)
from core.uploads import process_upload

from ..models import (
    Application,
    FieldCheck,
    UpdateProposal,
)
from ..workflow import APPLICATION_FLOW
from ._common import (
    _lock,
    _lock_proposal,
)


@transaction.atomic
def field_check_record(
    *,
    actor,
    notes: str,
    application: Application | None = None,
    proposal: UpdateProposal | None = None,
    photo=None,
    latitude=None,
    longitude=None,
) -> FieldCheck:
    """A visit to the household: what was found, a photo (GPS from the photo or the phone)."""
    if application is not None:
        application = _lock(application, actor)
        APPLICATION_FLOW.authorize("field_check", application, actor)
    elif proposal is not None:  # the ground check step, authorised by proposal_ground_check
        proposal = _lock_proposal(proposal, actor)
    subject = application if application is not None else proposal
    if subject is None:
        raise ValueError("a field check needs an application or a proposal")
    notes = (notes or "").strip()
    if len(notes) < 5:
        raise ValidationError({"notes": _("Write what you found at the house.")})
    check = FieldCheck(
        village_id=subject.village_id,
        application=application,
        proposal=proposal,
        notes=notes,
        latitude=latitude,
        longitude=longitude,
        checked_by=actor,
    )
    if photo is not None:
        upload = process_upload(photo, field="photo", allow_pdf=False)
        check.latitude = check.latitude if check.latitude is not None else upload.latitude
        check.longitude = check.longitude if check.longitude is not None else upload.longitude
        check.photo.save(upload.name, upload.content, save=False)
    check.full_clean()
    check.save()
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=check,
        region_code=subject.village_id,
        object_repr=str(subject),
    )
    return check
