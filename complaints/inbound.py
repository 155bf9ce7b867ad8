"""A complaint sent as an SMS or WhatsApp message: ``ADUAN <NIK> <what happened>`` (the NIK may
be left out from the phone of a resident account). ``core.gateway`` hands the message over
once it has checked the gateway's signature; the complaint is received like any other and the
sender gets its tracking code on the channel they wrote on."""

from django.utils.translation import gettext as _

from core.services import agency_profile, message_queue
from dtks.choices import IndividualStatus
from dtks.models import Individual
from dtks.nik import check_nik, normalize_number
from silakso import ratelimit
from silakso.links import public_url

from .choices import ComplaintCategory, ComplaintChannel
from .models import Complaint
from .services import complaint_submit, description_problem, tracking_url

#: complaints one phone number may send by message per day
PER_SENDER_PER_DAY = 5


def _help(sender: str, channel: str) -> tuple[str, str]:
    message_queue(
        event="inbound.help",
        channel=channel,
        recipient=sender,
        context={"url": public_url("complaints:complaint_create")},
    )
    return "help", ""


def complaint_by_message(*, sender: str, text: str, channel: str) -> tuple[str, str]:
    """Receive the complaint in ``text`` from ``sender``; returns (outcome, tracking code)."""
    import datetime as dt

    from django.utils import timezone

    from core.resident_accounts import resident_for_phone

    first, _sep, rest = text.partition(" ")
    nik = normalize_number(first)
    if nik.isdigit() and len(nik) >= 15:
        text = rest.strip()
    else:
        nik = ""
    account = resident_for_phone(sender)
    if not nik and account is not None and account.nik:
        nik = account.nik
    if not nik or not check_nik(nik).valid or description_problem(text):
        return _help(sender, channel)
    since = timezone.now() - dt.timedelta(days=1)
    if not ratelimit.allow(
        "complaint-by-message",
        sender,
        limit=PER_SENDER_PER_DAY,
        window=86400,
        fallback=lambda: (
            Complaint.objects.filter(
                channel=ComplaintChannel.MESSAGE, phone=sender, created_at__gte=since
            ).count()
            < PER_SENDER_PER_DAY
        ),
    ):
        return "limited", ""
    person = (
        Individual.objects.filter(nik=nik)
        .exclude(status__in=[IndividualStatus.DECEASED, IndividualStatus.MERGED])
        .select_related("household__village")
        .order_by("pk")
        .first()
    )
    village = person.household.village if person is not None else agency_profile().message_village
    if village is None:
        return _help(sender, channel)
    name = person.name if person is not None else _("Sender of an SMS")
    complaint, _secret = complaint_submit(
        category=ComplaintCategory.OTHER,
        description=text,
        village=village,
        channel=ComplaintChannel.MESSAGE,
        actor=None,
        complainant={"nik": nik, "name": name, "phone": sender},
    )
    message_queue(
        event="complaint.by_message",
        channel=channel,
        recipient=sender,
        context={"code": complaint.code, "url": tracking_url()},
        obj=complaint,
    )
    return "complaint", complaint.code
