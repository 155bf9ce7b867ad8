"""What SILAKSO says to residents, and when it may say it.

Every event a resident is sent a message for is declared here once (``EVENTS``): the
placeholders its text may use, its default text (plain words, translated like every string)
and whether it is *urgent* — a one-time code is sent at night and to a number that asked for no
messages; a step of a request waits for the morning and respects the opt-out.

An administrator may replace the text of any event per channel (``MessageTemplate``, edited at
/administrasi/pesan/); its placeholders are checked when it is saved, and the page shows how
long the SMS is. ``core.services.notification_queue`` renders through :func:`render` and applies
:func:`quiet_until` and the opt-out list.
"""

import datetime as dt
import math
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import NotificationChannel

PHONE_CHANNELS = (NotificationChannel.SMS, NotificationChannel.WHATSAPP)


@dataclass(frozen=True)
class MessageEvent:
    """One kind of message: its placeholders (name → what it holds, shown to the editor) and
    default subject and body."""

    key: str
    label: Any
    placeholders: Mapping[str, Any]
    subject: Any
    body: Any
    urgent: bool = False
    samples: Mapping[str, str] = field(default_factory=dict)


_CODE = gettext_lazy("the tracking code")
_URL = gettext_lazy("the address to follow it online")

EVENTS: dict[str, MessageEvent] = {
    event.key: event
    for event in (
        MessageEvent(
            "application.step",
            gettext_lazy("An aid request moved to another step"),
            {
                "code": _CODE,
                "program": gettext_lazy("the program asked for"),
                "lead": gettext_lazy("an opening line (a request sent back, a late step)"),
                "step": gettext_lazy("what happened, in plain words"),
                "note": gettext_lazy("the officer's note to the resident"),
                "next": gettext_lazy("what happens next"),
                "url": _URL,
                "contact": gettext_lazy("where to ask"),
            },
            gettext_lazy("SILAKSO: request {code}"),
            gettext_lazy(
                "Your request {code} ({program}):\n{lead}\n{step}\n{note}\n{next}\n"
                "Follow it at {url} with the code and your NIK.\n{contact}"
            ),
        ),
        MessageEvent(
            "objection.answered",
            gettext_lazy("A public objection (sanggah) was answered"),
            {
                "code": gettext_lazy("the objection's number"),
                "outcome": gettext_lazy("what was decided"),
                "answer": gettext_lazy("the verifier's answer"),
            },
            gettext_lazy("SILAKSO: objection {code}"),
            gettext_lazy("Your objection {code} was answered: {outcome}.\n{answer}"),
        ),
        MessageEvent(
            "complaint.step",
            gettext_lazy("A complaint moved to another step"),
            {
                "code": _CODE,
                "step": gettext_lazy("what happened, in plain words"),
                "note": gettext_lazy("the officer's note to the complainant"),
                "url": _URL,
            },
            gettext_lazy("SILAKSO: complaint {code}"),
            gettext_lazy("Your complaint {code}:\n{step}\n{note}\nFollow it at {url}."),
        ),
        MessageEvent(
            "complaint.by_message",
            gettext_lazy("A complaint sent by SMS or WhatsApp was received"),
            {"code": _CODE, "url": _URL},
            gettext_lazy("SILAKSO: complaint {code}"),
            gettext_lazy("Your complaint was received with the code {code}. Follow it at {url}."),
            urgent=True,
        ),
        MessageEvent(
            "inbound.help",
            gettext_lazy("A message SILAKSO did not understand"),
            {"url": gettext_lazy("the address of the complaint form")},
            gettext_lazy("SILAKSO"),
            gettext_lazy(
                "To complain, send ADUAN, your NIK and what happened, for example: ADUAN "
                "1904015508800001 bantuan belum diterima sejak Mei. To stop messages, send STOP. "
                "Or use {url}."
            ),
            urgent=True,
        ),
        MessageEvent(
            "inbound.stopped",
            gettext_lazy("Confirmation that no more messages will be sent"),
            {},
            gettext_lazy("SILAKSO"),
            gettext_lazy(
                "You will get no more SILAKSO messages on this number, except sign-in codes "
                "you ask for. Send MULAI to receive them again."
            ),
            urgent=True,
        ),
        MessageEvent(
            "inbound.started",
            gettext_lazy("Confirmation that messages are sent again"),
            {},
            gettext_lazy("SILAKSO"),
            gettext_lazy("SILAKSO messages are sent to this number again. Send STOP to stop."),
            urgent=True,
        ),
        MessageEvent(
            "account.code",
            gettext_lazy("A one-time code to sign up, sign in or choose a new password"),
            {
                "code": gettext_lazy("the 6-digit one-time code"),
                "minutes": gettext_lazy("how many minutes it works"),
            },
            gettext_lazy("SILAKSO code"),
            gettext_lazy(
                "Your SILAKSO code is {code}. It works for {minutes} minutes. Never give it to "
                "anyone, not even an officer."
            ),
            urgent=True,
            samples={"code": "123456", "minutes": "10"},
        ),
        MessageEvent(
            "account.not_found",
            gettext_lazy("Sign-up: the NIK and KK number are not together in the registry"),
            {
                "apply_url": gettext_lazy("the address to ask for registration"),
                "contact": gettext_lazy("where to ask"),
            },
            gettext_lazy("SILAKSO sign-up"),
            gettext_lazy(
                "We could not find this NIK with this KK number in the social welfare "
                "registry, so no account was made. To be registered, ask at {apply_url} or "
                "at your village office. {contact}"
            ),
            urgent=True,
        ),
        MessageEvent(
            "account.exists",
            gettext_lazy("Sign-up: the person or the number already has an account"),
            {"url": gettext_lazy("the address to sign in or choose a new password")},
            gettext_lazy("SILAKSO sign-up"),
            gettext_lazy(
                "This person or this number already has a SILAKSO account. Sign in or choose "
                "a new password at {url}. If this was not you, tell the social agency."
            ),
            urgent=True,
        ),
        MessageEvent(
            "account.unknown_number",
            gettext_lazy("Sign-in asked for a number that has no account"),
            {"url": gettext_lazy("the address to sign up")},
            gettext_lazy("SILAKSO sign-in"),
            gettext_lazy(
                "This number has no SILAKSO account yet. Sign up with your NIK and KK number at "
                "{url}."
            ),
            urgent=True,
        ),
        MessageEvent(
            "survey.invite",
            gettext_lazy("An invitation to rate a finished service"),
            {"service": gettext_lazy("the service given"), "url": gettext_lazy("the survey")},
            gettext_lazy("SILAKSO: how was our service?"),
            gettext_lazy(
                "Your {service} is finished. Please tell us how we served you (9 short "
                "questions): {url}"
            ),
        ),
    )
}

#: What a placeholder shows in the editor's preview when the event has no sample of its own.
_SAMPLE = {
    "code": "AP-2026-000123",
    "program": "PKH",
    "lead": "",
    "step": "Permohonan Anda sedang diperiksa petugas.",
    "note": "",
    "next": "Petugas akan menghubungi Anda.",
    "url": "https://silakso.example.go.id/usulan/lacak/",
    "apply_url": "https://silakso.example.go.id/usulan/baru/",
    "contact": "Tanya di kantor desa (Puskesos).",
    "service": "permohonan bantuan",
}


# ---------------------------------------------------------------------------- placeholders
def placeholders_in(text: str) -> list[str]:
    """The placeholder names in ``text``; ValueError on an unpaired brace."""
    return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None]


def template_problems(event_key: str, subject: str, body: str) -> dict[str, str]:
    """What is wrong with a template, per field: an unknown placeholder (or one with
    attributes, indexes or formats), an unpaired brace, an empty body."""
    event = EVENTS[event_key]
    allowed = ", ".join("{" + name + "}" for name in event.placeholders) or _("none")
    problems: dict[str, str] = {}
    for name, text in (("subject", subject), ("body", body)):
        if name == "body" and not text.strip():
            problems[name] = _("Write the message.")
            continue
        try:
            found = [
                (fname, spec, conv) for _l, fname, spec, conv in string.Formatter().parse(text)
            ]
        except ValueError:
            problems[name] = _(
                "A brace has no pair. Placeholders are written in braces, like {code}; to write "
                "a brace itself, write it twice."
            )
            continue
        unknown = sorted(
            {
                "{" + fname + "}"
                for fname, spec, conv in found
                if fname is not None and (fname not in event.placeholders or spec or conv)
            }
        )
        if unknown:
            problems[name] = _(
                "Unknown placeholder {names}. This message may use: {allowed}."
            ).format(names=", ".join(unknown), allowed=allowed)
    return problems


class _Blank(dict):
    def __missing__(self, key):
        return ""


def _fill(text: str, context: Mapping[str, Any]) -> str:
    filled = str(text).format_map(
        _Blank({k: "" if v is None else str(v) for k, v in context.items()})
    )
    # a line whose placeholders were all empty is dropped, so optional parts leave no gap
    return "\n".join(line.rstrip() for line in filled.splitlines() if line.strip())


def _saved(event_key: str, channel: str):
    from .models import MessageTemplate

    key = "silakso:msg-template:{}:{}".format(event_key, channel)
    found = cache.get(key)
    if found is None:
        row = (
            MessageTemplate.objects.filter(event=event_key, channel__in=[channel, ""])
            .order_by("-channel")  # the channel's own text before the one for all channels
            .values("subject", "body")
            .first()
        )
        found = row or {}
        cache.set(key, found, 300)
    return found


def forget_saved() -> None:
    """After an administrator saves or removes a template."""
    for event_key in EVENTS:
        cache.delete_many(
            ["silakso:msg-template:{}:{}".format(event_key, c) for c in NotificationChannel.values]
        )


def render(event_key: str, channel: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body) of ``event_key`` for ``channel``: the administrator's text when saved,
    else the default, in the site's language (residents read Indonesian)."""
    event = EVENTS[event_key]
    saved = _saved(event_key, channel)
    with translation.override(settings.LANGUAGE_CODE):
        subject = saved.get("subject") or str(event.subject)
        body = saved.get("body") or str(event.body)
        return _fill(subject, context)[:200], _fill(body, context)


def preview(event_key: str, subject: str, body: str) -> str:
    """The body filled with sample values (the editor's preview)."""
    event = EVENTS[event_key]
    context = {
        name: event.samples.get(name, _SAMPLE.get(name, name)) for name in event.placeholders
    }
    try:
        return _fill(body, context)
    except (ValueError, KeyError, IndexError, AttributeError):
        return ""


# ---------------------------------------------------------------------------- SMS length
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€")


@dataclass(frozen=True)
class SmsLength:
    characters: int
    parts: int
    unicode: bool


def sms_length(text: str) -> SmsLength:
    """How many characters and SMS parts ``text`` takes: 160 per SMS in the GSM alphabet (153
    per part when split; ^{}[]~|€ count twice), 70 (67) once any other character appears."""
    if all(ch in _GSM7 or ch in _GSM7_EXTENDED for ch in text):
        units = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in text)
        single, part, unicode = 160, 153, False
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, unicode = 70, 67, True
    parts = 1 if units <= single else math.ceil(units / part)
    return SmsLength(characters=units, parts=parts, unicode=unicode)


# ---------------------------------------------------------------------------- quiet hours
def quiet_until(
    channel: str, *, urgent: bool, now: dt.datetime | None = None
) -> dt.datetime | None:
    """When a message that may not be sent in the agency's quiet hours may go out, or None
    to send it now. Quiet hours apply to SMS and WhatsApp, never to urgent messages."""
    if urgent or channel not in PHONE_CHANNELS or not settings.SILAKSO_QUIET_HOURS:
        return None
    from .services import agency_profile

    profile = agency_profile()
    start, end = profile.quiet_from, profile.quiet_until
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now or timezone.now())
    clock = local.time()
    inside = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not inside:
        return None
    resume = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if resume <= local:
        resume += dt.timedelta(days=1)
    return resume


def normalize_recipient(channel: str, recipient: str) -> str:
    """The form an address is compared in (opt-outs): a phone as 08…, an email lower case."""
    if channel in PHONE_CHANNELS:
        from silakso.validation import phone_number

        try:
            return phone_number(recipient)
        except ValidationError:
            return recipient.strip()
    return recipient.strip().lower()
