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


def step_text(status: str) -> str:
    return str(STEP_TEXTS[status]())
