"""What each step means for the resident, in plain words: the status page and the SMS/email.

Kept apart from the status labels (which officers read) because residents need to know what
happens next and whom to ask, not the name of a procedure.
"""

from django.utils.translation import gettext_lazy as _

from core.services import agency_profile

from .choices import ApplicationStatus as A

STEP_TEXTS = {
    A.SUBMITTED: (
        _("We have received your request."),
        _("Your data is checked against the social welfare register (DTSEN)."),
    ),
    A.NEEDS_UPDATE: (
        _("Your household's data in the register must be updated first."),
        _(
            "A village officer will visit your home to fill in the data and take a photo of "
            "the house. Then the village deliberation decides."
        ),
    ),
    A.AWAITING_DELIBERATION: (
        _("Your data matches the register."),
        _("The village deliberation (musyawarah desa/kelurahan) will discuss your request."),
    ),
    A.DELIBERATED: (
        _("The village has approved your request."),
        _("The social agency (Dinsos) checks it. An officer may visit you."),
    ),
    A.VERIFIED: (
        _("The social agency has verified your request."),
        _("It goes into the next list that the regent ratifies."),
    ),
    A.REJECTED: (
        _("Your request was not approved."),
        _(
            "Read the reason below. If you disagree, ask at the village office or the Dinsos counter."
        ),
    ),
    A.FINALISED: (
        _("Your request is in the list for this period."),
        _("The regent's office ratifies the list."),
    ),
    A.RATIFIED: (
        _("The regent has ratified the list with your request."),
        _("The list is sent to the Ministry of Social Affairs."),
    ),
    A.EXPORTED: (
        _("Your request has been sent to the Ministry of Social Affairs."),
        _("The ministry decides. This usually takes one to three months."),
    ),
    A.ACCEPTED: (
        _("The ministry has accepted your request."),
        _("You will be told when and where the aid is given. Check with Cek Bansos."),
    ),
    A.NOT_ACCEPTED: (
        _("The ministry did not accept your request this time."),
        _("Read the note below. You may apply again in a later period."),
    ),
    A.WITHDRAWN: (
        _("You withdrew this request."),
        _("You may apply again whenever you need."),
    ),
}


def step_text(status: str) -> tuple[str, str]:
    """(what happened, what happens next) for a status."""
    happened, following = STEP_TEXTS[status]
    return str(happened), str(following)


def contact_text() -> str:
    return str(
        _("Questions? Ask at your village office (Puskesos) or at {agency}.").format(
            agency=agency_profile().name
        )
    )
