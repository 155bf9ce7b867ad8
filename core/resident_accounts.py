"""Residents' own accounts: sign-up, sign-in and a new password by a one-time code sent by SMS.

A resident signs up with the NIK and KK number of their registry record and their phone; the
code goes to that phone. Nothing on the page tells whether a NIK is in the registry or a number
has an account: every request gets the same answer and a code page, and the SMS itself says
what happened (a code, "not in the registry: ask for registration at …", "this number already
has an account: sign in at …"), so only the owner of the phone learns it. Requests are rate
limited per number and per address (the database counts when Redis is down), codes are kept
as keyed hashes, expire after ten minutes and open after at most five tries. Every step is in
the audit trail.
"""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from silakso import ratelimit
from silakso.exceptions import Throttled
from silakso.links import public_url
from silakso.validation import phone_number

from .choices import AuditAction, CodePurpose, NotificationChannel, Role
from .models import OneTimeCode, User

CODE_MINUTES = 10
MAX_TRIES = 5
#: one-time codes one phone number may be sent per hour, and one address may ask for
PER_PHONE_PER_HOUR = 3
PER_ADDRESS_PER_HOUR = 10


def _hash(code_id: int, code: str) -> str:
    return salted_hmac("silakso.one-time-code", "{}:{}".format(code_id, code)).hexdigest()


def _phone(value: str) -> str:
    number = phone_number(value)
    if not number:
        raise ValidationError({"phone": _("Write your phone number, such as 0812 3456 7890.")})
    return number


def _allowed(phone: str, ip: str) -> None:
    since = timezone.now() - dt.timedelta(hours=1)
    allowed = ratelimit.allow_all(
        [
            ("otp-phone", phone, PER_PHONE_PER_HOUR, 3600),
            ("otp-address", ip or "-", PER_ADDRESS_PER_HOUR, 3600),
        ],
        # without Redis the codes already sent to the number count (fail closed)
        fallback=lambda: (
            OneTimeCode.objects.filter(phone=phone, created_at__gte=since).count()
            < PER_PHONE_PER_HOUR
        ),
    )
    if not allowed:
        raise Throttled(
            _("Many codes were asked for this number or from this connection. Wait an hour.")
        )


def resident_for_phone(phone: str) -> User | None:
    """The active resident account with this phone number (one per number)."""
    return (
        User.objects.filter(role=Role.RESIDENT, phone=phone, is_active=True).order_by("pk").first()
    )


def _issue(
    *, purpose: str, phone: str, event: str, context: dict, user=None, individual=None
) -> OneTimeCode:
    """Store a code row and queue its SMS: the code itself when ``event`` is the code message,
    otherwise the explanation (the row is then never usable)."""
    from .services import audit_log, message_queue

    usable = event == "account.code"
    row = OneTimeCode.objects.create(
        purpose=purpose,
        phone=phone,
        usable=usable,
        user=user,
        individual=individual,
        code_hash="",
        expires_at=timezone.now() + dt.timedelta(minutes=CODE_MINUTES),
    )
    code = "{:06d}".format(secrets.randbelow(1_000_000))
    row.code_hash = _hash(row.pk, code) if usable else ""
    row.save(update_fields=["code_hash"])
    if usable:
        context = {"code": code, "minutes": CODE_MINUTES}
    message_queue(
        event=event, channel=NotificationChannel.SMS, recipient=phone, context=context, obj=None
    )
    audit_log(
        actor=user,
        action=AuditAction.CREATE,
        object_type="core.onetimecode",
        object_id=str(row.pk),
        object_repr="{} {}…".format(purpose, phone[:4]),
        reason=event,
    )
    return row


@transaction.atomic
def sign_up_start(*, nik: str, kk_number: str, phone: str, ip: str = "") -> OneTimeCode:
    """Ask for an account: always answered with a code page; the SMS to ``phone`` carries the
    code only when the NIK and KK number are one living person's record without an account and
    the number has no account yet."""
    from dtks.choices import IndividualStatus
    from dtks.models import Individual
    from dtks.nik import check_nik, normalize_number

    errors: dict[str, list[str]] = {}
    nik = normalize_number(nik)
    check = check_nik(nik)
    if not check.valid:
        errors["nik"] = list(check.errors.values())
    kk_number = normalize_number(kk_number)
    if not (kk_number.isdigit() and len(kk_number) == 16):
        errors["kk_number"] = [_("A KK number has exactly 16 digits, as on the family card.")]
    try:
        phone = _phone(phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    _allowed(phone, ip)
    person = (
        Individual.objects.filter(
            nik=nik, status=IndividualStatus.ALIVE, family__kk_number=kk_number
        )
        .order_by("pk")
        .first()
    )
    if person is None:
        return _issue(
            purpose=CodePurpose.SIGN_UP,
            phone=phone,
            event="account.not_found",
            context={"apply_url": public_url("applications:apply_start"), "contact": ""},
        )
    if User.objects.filter(nik=nik).exists() or resident_for_phone(phone) is not None:
        return _issue(
            purpose=CodePurpose.SIGN_UP,
            phone=phone,
            event="account.exists",
            context={"url": public_url("core:login")},
        )
    return _issue(
        purpose=CodePurpose.SIGN_UP,
        phone=phone,
        event="account.code",
        context={},
        individual=person,
    )


@transaction.atomic
def code_start(*, purpose: str, phone: str, ip: str = "") -> OneTimeCode:
    """Sign in or choose a new password by code: the same answer for every number; the SMS
    carries the code only when the number belongs to a resident account."""
    if purpose not in (CodePurpose.SIGN_IN, CodePurpose.RESET):
        raise ValueError(purpose)
    phone = _phone(phone)
    _allowed(phone, ip)
    user = resident_for_phone(phone)
    if user is None:
        return _issue(
            purpose=purpose,
            phone=phone,
            event="account.unknown_number",
            context={"url": public_url("core:sign_up")},
        )
    return _issue(purpose=purpose, phone=phone, event="account.code", context={}, user=user)


def _wrong() -> ValidationError:
    return ValidationError(
        {"code": _("This code is wrong or no longer works. Check the SMS, or ask for a new code.")}
    )


def code_verify(*, code_id: int, code: str) -> OneTimeCode:
    """The code a resident typed, for the request ``code_id`` (kept in their session). Wrong,
    expired, used-up and never-usable codes get one answer. Returns the used code row.

    Not one transaction: a wrong try is counted (and audited) even though it is refused; the
    right one is taken by one conditional UPDATE, so two tabs cannot both use it."""
    from django.db.models import F

    from .services import audit_log

    code = "".join(ch for ch in str(code or "") if ch.isdigit())
    row = OneTimeCode.objects.filter(pk=code_id).first()
    now = timezone.now()
    if row is None or row.used_at is not None or row.expires_at <= now or row.attempts >= MAX_TRIES:
        raise _wrong()
    right = (
        row.usable and len(code) == 6 and constant_time_compare(row.code_hash, _hash(row.pk, code))
    )
    live = OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True, attempts__lt=MAX_TRIES)
    if not right:
        live.update(attempts=F("attempts") + 1)
        audit_log(
            actor=row.user,
            action=AuditAction.LOGIN_FAILED,
            object_type="core.onetimecode",
            object_id=str(row.pk),
            object_repr="{} {}…".format(row.purpose, row.phone[:4]),
            reason="wrong one-time code",
        )
        raise _wrong()
    if live.update(used_at=now) != 1:
        raise _wrong()
    row.used_at = now
    return row


def _username_for(phone: str) -> str:
    base = "warga-{}".format(phone)
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = "{}-{}".format(base, n)
    return name


@transaction.atomic
def sign_up_finish(*, code: OneTimeCode) -> User:
    """The verified sign-up: the resident account of the registry person, with the verified
    phone and no password yet (they may choose one, or sign in by code)."""
    from .services import audit_log

    person = code.individual
    if code.purpose != CodePurpose.SIGN_UP or person is None or code.used_at is None:
        raise _wrong()
    # the person or the number took an account since the code was sent
    if User.objects.filter(nik=person.nik).exists() or resident_for_phone(code.phone):
        raise ValidationError(
            {"code": _("This person or this number has an account already. Sign in instead.")}
        )
    user = User(
        username=_username_for(code.phone),
        full_name=person.name,
        role=Role.RESIDENT,
        phone=code.phone,
        nik=person.nik,
    )
    user.set_unusable_password()
    user.save()
    audit_log(
        actor=user,
        action=AuditAction.CREATE,
        obj=user,
        reason="resident sign-up by one-time code",
        changes={"role": [None, Role.RESIDENT]},
    )
    return user


def signed_in(*, user: User, how: str) -> None:
    from .services import audit_log

    audit_log(actor=user, action=AuditAction.LOGIN, obj=user, reason=how)


def password_choose(*, user: User, password: str) -> User:
    """A resident's own new password (after a code, or right after signing up)."""
    from django.contrib.auth.password_validation import validate_password

    from .services import audit_log

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_log(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        changes={"password": ["…", "changed"]},
        reason="resident password",
    )
    return user


def login_name(text: str) -> str:
    """What the sign-in form authenticates: a resident types their phone number, which is
    turned into their account's username; anything else is a username as typed."""
    raw = (text or "").strip()
    if raw and all(ch.isdigit() or ch in "+ -." for ch in raw):
        try:
            user = resident_for_phone(phone_number(raw))
        except ValidationError:
            return raw
        if user is not None:
            return user.username
    return raw
