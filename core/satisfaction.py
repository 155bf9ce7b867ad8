"""The public satisfaction index (Indeks Kepuasan Masyarakat, IKM) of every service, as
Permenpan-RB 14/2017 defines it.

When a service is finished — an aid request decided, a complaint closed, a referral completed,
a letter issued — the resident is invited (by SMS or email, and on "Layanan saya") to answer the
nine-element survey once, through a signed link that names the service, never the person.

The index per service and quarter: the mean score of each element (NRR, 1–4) over the
answers, weighted equally (1/9 each) and summed; ×25 gives the converted index (25–100), graded
A (88.31–100, very good), B (76.61–88.30, good), C (65.00–76.60, fair) or D (25.00–64.99, poor).
Published figures with fewer than k answers (``SILAKSO_DISCLOSURE_K``) are withheld.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Model
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .choices import NotificationChannel, Role
from .models import SurveyResponse, User

SALT = "silakso.survey"
#: how long an invitation's link works
LINK_DAYS = 90

#: The nine elements (unsur) and the four answers of each, worst first (score 1 … 4).
ELEMENTS: list[tuple[str, Any, tuple[Any, Any, Any, Any]]] = [
    (
        "u1",
        gettext_lazy("Did the requirements fit the service?"),
        (
            gettext_lazy("Did not fit"),
            gettext_lazy("Fitted poorly"),
            gettext_lazy("Fitted"),
            gettext_lazy("Fitted very well"),
        ),
    ),
    (
        "u2",
        gettext_lazy("How easy was the procedure?"),
        (
            gettext_lazy("Not easy"),
            gettext_lazy("Not very easy"),
            gettext_lazy("Easy"),
            gettext_lazy("Very easy"),
        ),
    ),
    (
        "u3",
        gettext_lazy("How quickly was it done?"),
        (
            gettext_lazy("Not quickly"),
            gettext_lazy("Not very quickly"),
            gettext_lazy("Quickly"),
            gettext_lazy("Very quickly"),
        ),
    ),
    (
        "u4",
        gettext_lazy("What did it cost you?"),
        (
            gettext_lazy("Very expensive"),
            gettext_lazy("Fairly expensive"),
            gettext_lazy("Cheap"),
            gettext_lazy("Free"),
        ),
    ),
    (
        "u5",
        gettext_lazy("Did you get what the service standard promises?"),
        (
            gettext_lazy("No"),
            gettext_lazy("Partly"),
            gettext_lazy("Yes"),
            gettext_lazy("Yes, fully"),
        ),
    ),
    (
        "u6",
        gettext_lazy("How capable were the officers?"),
        (
            gettext_lazy("Not capable"),
            gettext_lazy("Not very capable"),
            gettext_lazy("Capable"),
            gettext_lazy("Very capable"),
        ),
    ),
    (
        "u7",
        gettext_lazy("Were the officers polite and friendly?"),
        (
            gettext_lazy("Not polite or friendly"),
            gettext_lazy("Not very polite or friendly"),
            gettext_lazy("Polite and friendly"),
            gettext_lazy("Very polite and friendly"),
        ),
    ),
    (
        "u8",
        gettext_lazy("How were complaints and suggestions handled?"),
        (
            gettext_lazy("There is no way to complain"),
            gettext_lazy("There is one, but it does not work"),
            gettext_lazy("It works, but not well"),
            gettext_lazy("Handled well"),
        ),
    ),
    (
        "u9",
        gettext_lazy("How good were the facilities (office, this website)?"),
        (
            pgettext_lazy("facilities", "Poor"),
            gettext_lazy("Adequate"),
            gettext_lazy("Good"),
            gettext_lazy("Very good"),
        ),
    ),
]
FIELDS = [key for key, _q, _a in ELEMENTS]

#: What finishes each surveyed service: (model label, statuses) → the service standard's slug.
FINISHED: dict[str, tuple[str, frozenset[str]]] = {
    "applications.application": ("usulan-bantuan", frozenset({"rejected", "ratified"})),
    "complaints.complaint": ("pengaduan", frozenset({"closed"})),
    "referrals.referral": ("rujukan", frozenset({"completed"})),
    "referrals.letter": ("surat-layanan", frozenset()),
}
SERVICE_NAMES = {
    "usulan-bantuan": gettext_lazy("request for social aid"),
    "pengaduan": gettext_lazy("complaint"),
    "rujukan": gettext_lazy("referral"),
    "surat-layanan": gettext_lazy("service letter"),
}


# ---------------------------------------------------------------------------- the index
@dataclass(frozen=True)
class Index:
    answers: int
    element_means: tuple[Decimal, ...]
    value: Decimal  # the weighted sum, 1–4
    converted: Decimal  # ×25, 25–100
    grade: str
    grade_label: str


GRADES = [
    (Decimal("88.31"), "A", pgettext_lazy("IKM grade", "Very good")),
    (Decimal("76.61"), "B", pgettext_lazy("IKM grade", "Good")),
    (Decimal("65.00"), "C", pgettext_lazy("IKM grade", "Fair")),
    (Decimal("25.00"), "D", pgettext_lazy("IKM grade", "Poor")),
]


def index_of(answers: int, means: Iterable[Any]) -> Index | None:
    """The index from the mean score of each element over ``answers`` answers."""
    if not answers:
        return None
    element_means = tuple(Decimal(str(m)).quantize(Decimal("0.0001"), ROUND_HALF_UP) for m in means)
    value = (sum(Decimal(str(m)) for m in means) / Decimal(9)).quantize(
        Decimal("0.0001"), ROUND_HALF_UP
    )
    converted = (sum(Decimal(str(m)) for m in means) * Decimal(25) / Decimal(9)).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    grade, label = next((g, str(lab)) for floor, g, lab in GRADES if converted >= floor)
    return Index(answers, element_means, value, converted, grade, label)


def quarter_of(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarterly(*, since: dt.date | None = None, region_prefix: str | None = None) -> list[dict]:
    """The index per service and quarter (newest first), computed in one grouped query."""
    rows = SurveyResponse.objects.all()
    if since is not None:
        rows = rows.filter(created_at__date__gte=since)
    if region_prefix:
        rows = rows.filter(region_code__startswith=region_prefix)
    grouped = (
        rows.annotate(quarter=TruncQuarter("created_at"))
        .values("service", "quarter")
        .annotate(n=Count("pk"), **{f: Avg(f) for f in FIELDS})
        .order_by("-quarter", "service")
    )
    result = []
    for row in grouped:
        quarter = (
            timezone.localtime(row["quarter"]).date()
            if isinstance(row["quarter"], dt.datetime)
            else row["quarter"]
        )
        result.append(
            {
                "service": row["service"],
                "service_name": SERVICE_NAMES.get(row["service"], row["service"]),
                "quarter": quarter,
                "quarter_label": "{} {}".format(
                    _("Quarter {number}").format(number=(quarter.month - 1) // 3 + 1), quarter.year
                ),
                "index": index_of(row["n"], [row[f] for f in FIELDS]),
            }
        )
    return result


def published(service: str) -> dict | None:
    """The latest quarter's index of one service, for the public page; None when that quarter
    has fewer than k answers (a small count could point at one resident's answers)."""
    found = [row for row in quarterly() if row["service"] == service]
    if not found:
        return None
    latest = found[0]
    if latest["index"].answers < settings.SILAKSO_DISCLOSURE_K:
        return {**latest, "withheld": True}
    return {**latest, "withheld": False}


# ---------------------------------------------------------------------------- invitations
def token_for(obj: Model, service: str) -> str:
    return signing.dumps(
        {"o": obj._meta.label_lower, "i": str(obj.pk), "s": service}, salt=SALT, compress=True
    )


def target_of(token: str) -> dict:
    """What a survey link is about, or a ValidationError for a broken or old link."""
    try:
        data = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=LINK_DAYS))
    except signing.BadSignature as exc:
        raise ValidationError(
            {"token": _("This survey link is broken or older than 90 days.")}
        ) from exc
    return {"object_type": data["o"], "object_id": data["i"], "service": data["s"]}


def answered(object_type: str, object_id: str) -> bool:
    return SurveyResponse.objects.filter(object_type=object_type, object_id=object_id).exists()


def _contacts(obj: Model) -> list[tuple[str, str]]:
    """Where to send the invitation: the contact the resident gave with the request, else the
    phone and email of their resident account (by NIK)."""
    phone, email = getattr(obj, "phone", "") or "", getattr(obj, "email", "") or ""
    if not phone and not email:
        individual = getattr(obj, "individual", None)
        nik = getattr(obj, "recipient_nik", "") or getattr(individual, "nik", "") or ""
        account = (
            User.objects.filter(nik=nik, role=Role.RESIDENT, is_active=True).first()
            if nik
            else None
        )
        if account is not None:
            phone, email = account.phone, account.email
    found = []
    if phone:
        found.append((NotificationChannel.SMS, phone))
    if email:
        found.append((NotificationChannel.EMAIL, email))
    return found


def invite(obj: Model, service: str) -> int:
    """Invite the resident to rate ``obj``'s finished service (once). Returns how many messages
    were queued."""
    from silakso.links import public_url

    from .models import Notification
    from .services import message_queue

    label = obj._meta.label_lower
    if (
        getattr(obj, "anonymous", False)
        or Notification.objects.filter(
            event="survey.invite", object_type=label, object_id=str(obj.pk)
        ).exists()
    ):
        return 0
    url = public_url("core:survey", token_for(obj, service))
    queued = 0
    for channel, recipient in _contacts(obj):
        message_queue(
            event="survey.invite",
            channel=channel,
            recipient=recipient,
            context={"service": SERVICE_NAMES[service], "url": url},
            obj=obj,
        )
        queued += 1
    return queued


def invitations_many(rows: list, target: str, contacts) -> list[dict]:
    """Outbox messages inviting the rating of every row a set-based transition finished (a
    ratified period list): ``contacts(row)`` gives its (channel, recipient) pairs. One query
    leaves out rows already invited; for ``core.services.notification_queue_many``."""
    from silakso.links import public_url

    from .messaging import render
    from .models import Notification

    if not rows:
        return []
    label = rows[0]._meta.label_lower
    found = FINISHED.get(label)
    if found is None or target not in found[1]:
        return []
    service = found[0]
    invited = set(
        Notification.objects.filter(
            event="survey.invite", object_type=label, object_id__in=[str(r.pk) for r in rows]
        ).values_list("object_id", flat=True)
    )
    messages = []
    for row in rows:
        if str(row.pk) in invited:
            continue
        context = {
            "service": SERVICE_NAMES[service],
            "url": public_url("core:survey", token_for(row, service)),
        }
        for channel, recipient in contacts(row):
            subject, body = render("survey.invite", channel, context)
            messages.append(
                {
                    "channel": channel,
                    "recipient": recipient,
                    "subject": subject,
                    "body": body,
                    "obj": row,
                    "event": "survey.invite",
                }
            )
    return messages


def after_transition(obj: Model, target: str) -> None:
    """``core.services.status_transition`` calls this: a finished service invites its rating."""
    found = FINISHED.get(obj._meta.label_lower)
    if found is not None and target in found[1]:
        invite(obj, found[0])


# ---------------------------------------------------------------------------- answering
def _region_of(object_type: str, object_id: str) -> str:
    from django.apps import apps

    model = apps.get_model(object_type)
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None:
        return ""
    for path in ("village_id", "region_id", "case__village_id"):
        value: Any = obj
        for part in path.split("__"):
            value = getattr(value, part, None)
        if value:
            return str(value)
    return ""


def survey_submit(
    *, token: str, answers: Mapping[str, Any], suggestion: str = ""
) -> SurveyResponse:
    """Store one survey answer; each element must be scored 1–4; once per service given."""
    target = target_of(token)
    errors: dict[str, list[str]] = {}
    scores = {}
    for key, question, _choices in ELEMENTS:
        try:
            value = int(answers.get(key) or 0)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 4:
            errors[key] = [_("Choose one answer for: {question}").format(question=question)]
        scores[key] = value
    suggestion = (suggestion or "").strip()
    if len(suggestion) > 2000:
        errors["suggestion"] = [_("Keep it under 2,000 characters.")]
    if errors:
        raise ValidationError(errors)
    if answered(target["object_type"], target["object_id"]):
        raise ValidationError({"token": _("This service was rated already. Thank you!")})
    try:
        with transaction.atomic():
            return SurveyResponse.objects.create(
                service=target["service"],
                object_type=target["object_type"],
                object_id=target["object_id"],
                region_code=_region_of(target["object_type"], target["object_id"]),
                suggestion=suggestion,
                **scores,
            )
    except IntegrityError as exc:
        raise ValidationError({"token": _("This service was rated already. Thank you!")}) from exc


def survey_links(objects: Iterable[Model]) -> dict[Any, str]:
    """For "Layanan saya": the survey link of each finished, not yet rated object, by pk
    (one query for all of them)."""
    from django.urls import reverse

    finished = []
    for obj in objects:
        found = FINISHED.get(obj._meta.label_lower)
        if found is None:
            continue
        service, statuses = found
        if statuses and getattr(obj, "status", None) not in statuses:
            continue
        finished.append((obj, service))
    if not finished:
        return {}
    label = finished[0][0]._meta.label_lower
    rated = set(
        SurveyResponse.objects.filter(
            object_type=label, object_id__in=[str(obj.pk) for obj, _s in finished]
        ).values_list("object_id", flat=True)
    )
    return {
        obj.pk: reverse("core:survey", args=[token_for(obj, service)])
        for obj, service in finished
        if str(obj.pk) not in rated
    }
