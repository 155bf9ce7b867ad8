"""What a resident reads at each step of their complaint, in plain words."""

from django.utils.translation import gettext as _

from .choices import ComplaintStatus as C

STEP_TEXTS = {
    C.RECEIVED: lambda: _(
        "We have received your complaint. The village (Puskesos) looks at it first."
    ),
    C.FORWARDED: lambda: _("The village forwarded your complaint to the district supervisor."),
    C.IN_REVIEW: lambda: _("The social agency (Dinsos) is reviewing your complaint."),
    C.IN_FOLLOW_UP: lambda: _(
        "The social agency is following it up with the program or service that can help."
    ),
    C.RESOLVED: lambda: _("Your complaint has been handled."),
    C.CLOSED: lambda: _(
        "Your complaint is closed. Please tell us how it went: rate the service from 1 to 4."
    ),
}


# A misuse report skips the village: it goes straight to the restricted queue at Dinsos.
RESTRICTED_TEXTS = {
    C.RECEIVED: lambda: _(
        "We have received your report. It goes straight to the social agency (Dinsos); the "
        "village does not see it, and your name stays with the officer in charge."
    ),
}

# Step names as a resident reads them (the officers' names speak of front and back offices).
STEP_LABELS = {
    C.RECEIVED: lambda: _("Received"),
    C.FORWARDED: lambda: _("At the district supervisor"),
    C.IN_REVIEW: lambda: _("Being reviewed at Dinsos"),
    C.IN_FOLLOW_UP: lambda: _("Being followed up at Dinsos"),
    C.RESOLVED: lambda: _("Handled"),
    C.CLOSED: lambda: _("Closed"),
}


def step_text(status: str, *, restricted: bool = False) -> str:
    """What the resident is told at ``status`` (a misuse report has its own first step)."""
    texts = RESTRICTED_TEXTS if restricted and status in RESTRICTED_TEXTS else STEP_TEXTS
    return str(texts[status]())


def step_label(status: str) -> str:
    """The step's name on the resident's page."""
    return str(STEP_LABELS[status]())
