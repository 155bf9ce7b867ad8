"""Writes of the core app: audit events, accounts, two-factor devices, jobs, notifications."""

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from silakso.celery import enqueue_on_commit
from silakso.exceptions import DomainError, Forbidden, NotFound, OutOfScope
from silakso.links import public_url

from . import outbox
from .choices import AuditAction, NotificationChannel, NotificationStatus, Role
from .jobs import JobReporter as JobReporter
from .jobs import job_create as job_create
from .jobs import job_execute as job_execute
from .jobs import job_progress as job_progress
from .jobs import jobs_sweep as jobs_sweep
from .middleware import current_client_ip, current_request_id
from .models import AuditEvent, Job, Notification, User
from .permissions import assert_separation_of_duties, configures_installation

logger = logging.getLogger(__name__)


# ============================================================================ audit
def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def model_values(obj: Model) -> dict[str, Any]:
    """The stored fields of ``obj`` by name (foreign keys as their ids): what a configuration
    change compares before and after, for the audit trail's history."""
    return {
        f.name: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
    }


def audited_save(obj: Model, *, actor, region_code: str | None = None, hidden: tuple = ()) -> Model:
    """Validate and save a configuration object, and put the change in the audit trail with
    each field before → after (the history its page shows). ``hidden`` fields (a secret) are
    never written to the trail. The caller has checked who may save it."""
    manager = type(obj)._default_manager
    stored = manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    before = model_values(stored) if stored is not None else {}
    obj.full_clean()
    obj.save()
    after = model_values(obj)
    for name in hidden:
        before.pop(name, None)
        after.pop(name, None)
    audit_log(
        actor=actor,
        action=AuditAction.CREATE if stored is None else AuditAction.UPDATE,
        obj=obj,
        region_code=region_code,
        changes=changes_between(before, after),
    )
    return obj


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list]:
    """``{field: [old, new]}`` for every field whose value differs."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def audit_log(
    *,
    actor: User | None,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    region_code: str | None = None,
    changes: Mapping | None = None,
    reason: str = "",
    durable: bool = True,
) -> AuditEvent | None:
    """Append one event to the audit trail (the request id and IP are picked up by itself).

    ``durable=False`` is for high-volume public lookups outside any transaction: the row is
    written in one round trip with an asynchronous commit (PostgreSQL), so the lookup does not
    wait for the disk; it could be lost only if the database server crashed within a fraction
    of a second. Returns None then.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    real_actor = actor if actor is not None and actor.is_authenticated else None
    if region_code is None and real_actor is not None:
        region_code = real_actor.region_id  # whose area the event belongs to
    values = {
        "actor": real_actor,
        "actor_label": (real_actor.get_full_name() if real_actor else _("anonymous"))[:150],
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": object_repr[:200],
        "region_code": region_code,
        "changes": dict(changes or {}),
        "reason": reason,
        "request_id": current_request_id(),
        "ip": current_client_ip(),
    }
    if not durable and connection.vendor == "postgresql" and not connection.in_atomic_block:
        _audit_log_async_commit(values)
        return None
    return AuditEvent.objects.create(**values)


def _audit_log_async_commit(values: dict) -> None:
    import json

    with connection.cursor() as cursor:
        cursor.execute(
            "BEGIN; SET LOCAL synchronous_commit TO OFF; "
            "INSERT INTO core_auditevent (created_at, actor_id, actor_label, action, object_type, "
            "object_id, object_repr, region_code, changes, reason, request_id, ip) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s); COMMIT;",
            [
                timezone.now(),
                values["actor"].pk if values["actor"] is not None else None,
                values["actor_label"],
                values["action"],
                values["object_type"],
                values["object_id"],
                values["object_repr"],
                values["region_code"],
                json.dumps(values["changes"]),
                values["reason"],
                values["request_id"],
                values["ip"],
            ],
        )


# ============================================================================ audited reads
def open_audited(
    queryset,
    pk,
    *,
    user,
    region: str,
    sensitive: bool = False,
    action: str | None = None,
    describe: Callable[[Any], str] | None = None,
    reason: str = "",
):
    """The one way a page or an API detail reads personal data: fetch ``pk`` from the caller's
    scoped ``queryset`` (a miss is NotFound, 404) and write the audit row (``VIEW``, or
    ``VIEW_SENSITIVE`` for documents, photos, reporters and full numbers). ``region`` names the
    attribute holding the object's region code (dotted for a related object)."""
    try:
        obj = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Not found.")) from exc
    audit_log(
        actor=user,
        action=action or (AuditAction.VIEW_SENSITIVE if sensitive else AuditAction.VIEW),
        obj=obj,
        region_code=attribute(obj, region),
        object_repr=describe(obj) if describe else "",
        reason=reason,
    )
    return obj


def attribute(obj, path: str):
    """``obj.a.b`` for the dotted ``path`` "a.b" (None along the way gives None)."""
    for name in path.split(".") if path else ():
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


# ============================================================================ flows
def object_lock(model, pk, *, actor, related: tuple = (), system: bool = False):
    """Fetch and lock (``SELECT … FOR UPDATE``) the row a write is about, through the actor's
    read scope: ``model.objects.visible_to(actor)``. What the actor cannot read, they cannot
    change; a miss is OutOfScope (404 in the API and the pages, a Forbidden for callers).

    ``system`` (or no actor) is for the system's own writes and for callers that proved their
    right another way (a resident's tracking code + NIK, a partner's signed event).
    """
    manager = model._default_manager
    anonymous = actor is None or not getattr(actor, "is_authenticated", False)
    queryset = manager.all() if system or anonymous else manager.visible_to(actor)
    obj = queryset.select_for_update(of=("self",)).select_related(*related).filter(pk=pk).first()
    if obj is None:
        raise OutOfScope(_("This is outside the area you work in."))
    return obj


def status_transition(
    obj: Any,
    target: str,
    *,
    flow,
    actor: User | None,
    history: Callable[..., Model] | None = None,
    note: str = "",
    fields: tuple | list = (),
    region_code: str | None = None,
) -> str:
    """Move ``obj`` (locked by the caller, or new) to ``target`` along ``flow`` — the one way
    every flow changes a status: assert the transition table, save the status with
    ``update_fields`` (a new object is inserted: the first step, "" → submitted), append the
    status-change row (``history(**row)``, or the flow's declared history model), audit.

    Returns the previous status. ``status_changed_at`` is kept when the model has it.
    """
    flow.assert_transition(obj.status, target, user=actor, obj=obj)
    source = obj.status
    obj.status = target
    update_fields = ["status", "updated_at", *fields]
    if hasattr(obj, "status_changed_at"):
        obj.status_changed_at = timezone.now()
        update_fields.append("status_changed_at")
    if obj._state.adding:
        obj.save()
    else:
        obj.save(update_fields=update_fields)
    real_actor = actor if actor is not None and actor.is_authenticated else None
    if history is None:
        model, link = flow.history
        history = partial(apps.get_model(model).objects.create, **{link: obj})
    history(from_status=source, to_status=target, actor=real_actor, note=note)
    if region_code is None and flow.region:
        region_code = attribute(obj, flow.region)
    audit_log(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=obj,
        region_code=region_code,
        changes={"status": [source, target]},
        reason=note,
    )
    from .satisfaction import after_transition
    from .webhooks import publish_transition

    publish_transition(obj, source, target, region_code)
    after_transition(obj, target)
    return source


def flow_step(*, flow, code: str, obj: Model, actor: User | None, note: str = "", **_ignored):
    """The service of a declared step that needs no service of its own: lock through the
    actor's scope, authorise by the declaration, move, then the flow's ``after_step`` hook
    (deadlines, messages). Adding such a step to a flow is
    one declaration (docs/architecture.md)."""
    with transaction.atomic():
        obj = object_lock(flow.model_class(), obj.pk, actor=actor)
        step = flow.authorize(code, obj, actor)
        if step.target is not None:
            note = (note or "").strip()[:2000]
            source = status_transition(obj, step.target, flow=flow, actor=actor, note=note)
            if flow.after_step:
                import_string(flow.after_step)(obj, source, step.target, note)
    return obj


# ============================================================================ sign-in
def sign_in_record(*, user: User) -> None:
    """A successful password sign-in, in the audit trail (with the IP and request id)."""
    audit_log(actor=user, action=AuditAction.LOGIN, obj=user, region_code=user.region_id)


#: The reason recorded for a wrong second-factor code (counted by the lockout's fallback).
WRONG_TOTP = "wrong TOTP code"


def sign_in_failed(*, username: str, user: User | None = None, reason: str = "") -> None:
    """A failed sign-in (wrong password, unknown name, wrong second-factor code), under the
    normalised username it was counted as. A name that matches no account carries no region;
    only installation-wide auditors read those rows."""
    from silakso.ratelimit import normalize_identity

    audit_log(
        actor=user,
        action=AuditAction.LOGIN_FAILED,
        obj=user,
        object_type="core.user",
        object_repr=normalize_identity(username)[:150],
        region_code=user.region_id if user is not None else None,
        reason=reason,
    )


def failed_sign_ins(*, username: str = "", user: User | None = None, seconds: int) -> int:
    """Failed sign-ins in the last ``seconds`` from the audit trail: of the normalised
    ``username`` (password step) or of ``user``'s second-factor codes. What the lockouts
    count when Redis cannot."""
    from silakso.ratelimit import normalize_identity

    since = timezone.now() - dt.timedelta(seconds=seconds)
    rows = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, created_at__gte=since)
    if user is not None:
        return rows.filter(actor=user, reason=WRONG_TOTP).count()
    return (
        rows.filter(object_repr=normalize_identity(username)[:150])
        .exclude(reason=WRONG_TOTP)
        .count()
    )


#: NIK lookups (a list filtered by a whole NIK) one account may make per hour.
NIK_LOOKUPS_PER_HOUR = 120
NIK_LOOKUP = "NIK lookup"


def _masked_filters(filters: Mapping) -> dict:
    """The filters of a list read as recorded: a NIK typed into a filter is kept masked."""
    from dtks.nik import mask_nik, normalize_number

    recorded = {}
    for key, value in filters.items():
        text = str(value).replace("\x00", "")[:200]
        digits = normalize_number(text)
        recorded[str(key)[:50]] = (
            mask_nik(digits) if digits.isdigit() and len(digits) >= 8 else text
        )
    return recorded


def _nik_in(filters: Mapping) -> bool:
    from dtks.nik import normalize_number

    return any(
        (digits := normalize_number(str(value))).isdigit() and len(digits) == 16
        for value in filters.values()
    )


def list_read_allowed(*, actor: User, filters: Mapping) -> None:
    """Refuse a list filtered by a whole NIK past the hourly limit of the account (a NIK
    confirmed by search is personal data, as a revealed one is)."""
    from silakso import ratelimit
    from silakso.exceptions import Throttled

    if not _nik_in(filters):
        return
    since = timezone.now() - dt.timedelta(hours=1)
    per_hour = getattr(settings, "SILAKSO_NIK_LOOKUPS_PER_HOUR", None) or NIK_LOOKUPS_PER_HOUR
    allowed = ratelimit.allow(
        "nik-lookup",
        str(actor.pk),
        limit=per_hour,
        window=3600,
        fallback=lambda: (
            AuditEvent.objects.filter(actor=actor, reason=NIK_LOOKUP, created_at__gte=since).count()
            < per_hour
        ),
    )
    if not allowed:
        raise Throttled(
            _("You looked up many NIKs in the last hour. Wait a while, then try again.")
        )


def list_read(
    *, actor: User, object_type: str, filters: Mapping, count: int, page: int | None = None
) -> None:
    """One audit row per page of a list of personal data: who, which list, the filters (a NIK
    masked) and how many records matched."""
    recorded = _masked_filters({k: v for k, v in filters.items() if k not in ("page", "format")})
    audit_log(
        actor=actor,
        action=AuditAction.VIEW,
        object_type=object_type,
        object_repr=_("List, {count} found").format(count=count)[:200],
        region_code=actor.scope_code,
        changes={"filters": recorded, "count": count, "page": page},
        reason=NIK_LOOKUP if _nik_in(filters) else "",
    )


#: Public submissions (online requests, complaints) per connection per hour and per NIK per day.
PUBLIC_PER_IP_PER_HOUR = 30
PUBLIC_PER_NIK_PER_DAY = 5


def public_submission_allowed(*, kind: str, ip: str | None, nik: str = "") -> None:
    """Refuse the public form past its limits: per connection per hour, per NIK per day (one
    answer for both). Without Redis the limit is off: a resident is never refused for that."""
    from silakso import ratelimit
    from silakso.exceptions import Throttled

    checks = [(kind + "-ip", ip or "-", PUBLIC_PER_IP_PER_HOUR, 3600)]
    if nik:
        checks.append((kind + "-nik", nik, PUBLIC_PER_NIK_PER_DAY, 86400))
    if not ratelimit.allow_all(checks):
        raise Throttled(
            _(
                "Many requests were sent from here or for this NIK. Try again tomorrow, or "
                "come to the village office or Dinsos."
            ),
            retry_after=86400 if nik else 3600,
        )


def sign_out_record(*, user: User) -> None:
    audit_log(actor=user, action=AuditAction.LOGOUT, obj=user, region_code=user.region_id)


# ============================================================================ accounts
@transaction.atomic
def user_create(
    *,
    username: str,
    full_name: str,
    role: str,
    actor: User | None,
    region=None,
    email: str = "",
    phone: str = "",
    password: str | None = None,
    nik: str | None = None,
) -> User:
    """Create an account. Village operators start inactive until their village head activates."""
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        region=region,
        email=email,
        phone=phone,
        nik=nik,
        is_active=role != Role.VILLAGE_OPERATOR,
        is_staff=role == Role.SYSTEM_ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        region_code=user.region_id,
        changes={"role": [None, role], "is_active": [None, user.is_active]},
    )
    return user


# ============================================================================ administration
#: Roles a system administrator gives in the app (residents sign up themselves; partner systems
#: are registered under "Partner systems").
ASSIGNABLE_ROLES = [role for role in Role if role not in (Role.RESIDENT, Role.API_CLIENT)]


def _assert_account_in_area(*, actor: User, user: User) -> None:
    """An administrator manages only the accounts of their own area (an account without an
    area only when the administrator is installation-wide)."""
    from .scope import region_in_scope

    if actor.is_installation_wide:
        return
    if user.region_id is None or not region_in_scope(actor, user.region_id):
        raise OutOfScope(_("This account is outside your area."))


def _assert_may_administer(actor: User) -> None:
    if actor.role != Role.SYSTEM_ADMIN and not actor.is_superuser:
        raise Forbidden(_("Only system administrators manage accounts."))


def _assert_area_given(*, actor: User, region) -> None:
    from .scope import region_in_scope

    code = getattr(region, "pk", region)
    if code is None:
        if not actor.is_installation_wide:
            raise ValidationError(
                {
                    "region": _(
                        "Choose an area: accounts for the whole installation are given by "
                        "an installation-wide administrator."
                    )
                }
            )
        return
    if not region_in_scope(actor, code):
        raise ValidationError({"region": _("Choose an area inside your own.")})


def user_admin_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    role: str,
    region,
    email: str = "",
    phone: str = "",
    nik: str | None = None,
) -> User:
    """A staff account made by a system administrator, inside the administrator's area. It has
    no password yet: the person sets one with a one-time link and binds an authenticator with
    a set-up code, both handed over by the administrator. Village operators start inactive
    until their village head activates them."""
    _assert_may_administer(actor)
    if role not in ASSIGNABLE_ROLES:
        raise ValidationError({"role": _("Choose a staff role.")})
    _assert_area_given(actor=actor, region=region)
    return user_create(
        username=username,
        full_name=full_name,
        role=role,
        region=region,
        email=email,
        phone=phone,
        nik=nik or None,
        actor=actor,
    )


@transaction.atomic
def user_change(*, actor: User, user: User, role: str, region, reason: str = "") -> User:
    """Another account's role and area, inside the administrator's area. Nobody changes their
    own: an administrator cannot raise their role or widen their area (separation of duties)."""
    _assert_may_administer(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    assert_separation_of_duties(
        actor=actor, involved=[user], action=_("change your own role or area")
    )
    _assert_account_in_area(actor=actor, user=user)
    if role not in ASSIGNABLE_ROLES or user.role not in ASSIGNABLE_ROLES:
        raise ValidationError({"role": _("Choose a staff role.")})
    _assert_area_given(actor=actor, region=region)
    code = getattr(region, "pk", region)
    before = {"role": user.role, "region": user.region_id}
    user.role = role
    user.region_id = code
    user.is_staff = role == Role.SYSTEM_ADMIN
    user.full_clean()
    user.save(update_fields=["role", "region", "is_staff"])
    changes = {
        key: [old, new]
        for key, old, new in (
            ("role", before["role"], role),
            ("region", before["region"], code),
        )
        if old != new
    }
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        region_code=code or before["region"],
        changes=changes,
        reason=reason,
    )
    return user


#: Columns of an operators' onboarding file (docs/roles-and-scope.md).
ONBOARDING_COLUMNS = ("username", "full_name", "village_code", "phone", "email")
ONBOARDING_MAX_ROWS = 500  # a page makes them at once (a regency has a few hundred villages)


def operators_onboard(*, actor: User, rows: list[dict]) -> dict:
    """Village operators from a spreadsheet: every row checked (username free and well formed,
    a village inside the administrator's area, a name), the good ones created (inactive until
    their village head activates them), each bad one reported with its line and reason and
    not created. Returns {"created": [(user, password link path)], "rejected": [{line, ...}]}."""
    import re as _re

    from dtks.models import Region

    _assert_may_administer(actor)
    if not rows:
        raise ValidationError({"file": _("The file has no rows.")})
    if len(rows) > ONBOARDING_MAX_ROWS:
        raise ValidationError(
            {"file": _("At most {most} rows at a time.").format(most=ONBOARDING_MAX_ROWS)}
        )
    missing = [c for c in ("username", "full_name", "village_code") if c not in rows[0]]
    if missing:
        raise ValidationError(
            {"file": _("Columns missing: {names}.").format(names=", ".join(missing))}
        )
    villages = {
        r.code: r
        for r in Region.objects.filter(
            level=4, code__in={row.get("village_code", "") for row in rows}
        )
    }
    taken = {
        name.lower()
        for name in User.objects.filter(
            username__in=[row.get("username", "").lower() for row in rows]
        ).values_list("username", flat=True)
    }
    seen: set[str] = set()
    created, rejected = [], []
    for line, row in enumerate(rows, start=2):
        username = row.get("username", "").strip().lower()
        village = villages.get(row.get("village_code", "").strip())
        problem = ""
        if not _re.fullmatch(r"[a-z0-9._-]+", username):
            problem = _("username: use only letters, digits, dots or dashes")
        elif username in taken or username in seen:
            problem = _("username: already taken")
        elif not row.get("full_name", "").strip():
            problem = _("full_name: missing")
        elif village is None:
            problem = _("village_code: not a village code of the Kemendagri list")
        elif not _region_given_ok(actor, village.code):
            problem = _("village_code: outside your area")
        if problem:
            rejected.append({"line": line, "username": username, "reason": problem})
            continue
        seen.add(username)
        try:
            with transaction.atomic():
                user = user_create(
                    username=username,
                    full_name=row["full_name"].strip()[:150],
                    role=Role.VILLAGE_OPERATOR,
                    region=village,
                    email=row.get("email", "").strip(),
                    phone=row.get("phone", "").strip(),
                    actor=actor,
                )
        except ValidationError as exc:
            reasons = "; ".join(
                "{}: {}".format(field, " ".join(messages))
                for field, messages in exc.message_dict.items()
            )
            rejected.append({"line": line, "username": username, "reason": reasons})
            continue
        created.append((user, password_link_issue(actor=actor, user=user)))
    return {"created": created, "rejected": rejected}


def _region_given_ok(actor: User, code: str) -> bool:
    try:
        _assert_area_given(actor=actor, region=code)
    except ValidationError:
        return False
    return True


def password_link_issue(*, actor: User, user: User) -> str:
    """A one-time link with which ``user`` sets a new password (valid 3 days, dead once used
    or once the password changes), for the administrator to hand over in person or by phone.
    Returns the link's path."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    _assert_may_administer(actor)
    assert_separation_of_duties(
        actor=actor, involved=[user], action=_("make a password link for yourself")
    )
    _assert_account_in_area(actor=actor, user=user)
    if user.role == Role.API_CLIENT:
        raise Forbidden(_("Partner systems sign in with keys, not passwords."))
    path = reverse(
        "core:password_set",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        region_code=user.region_id,
        changes={"password_link": [None, "issued"]},
    )
    return path


def password_link_email(*, actor: User, user: User) -> Notification | None:
    """The one-time password link sent to the account's own email address (through the outbox,
    so a mail server that is down delays it, never loses it)."""
    if not user.email:
        raise DomainError(
            _("This account has no email address: hand the link over in person instead."),
            fields={"email": ""},
        )
    path = password_link_issue(actor=actor, user=user)
    link = public_url(path)
    return notification_queue(
        channel=NotificationChannel.EMAIL,
        recipient=user.email,
        subject=_("Choose your SILAKSO password"),
        body=_(
            "Hello {name},\n\nyour administrator made a SILAKSO account for you, or asked for a "
            "new password. Open this link within three days and choose your password; it works "
            "once:\n\n{link}\n\nIf you did not expect this message, tell your administrator."
        ).format(name=user.get_full_name(), link=link),
        obj=user,
    )


def _assert_may_manage_operator(*, actor: User, user: User) -> None:
    if actor.role == Role.SYSTEM_ADMIN or actor.is_superuser:
        _assert_account_in_area(actor=actor, user=user)
        return
    if actor.role != Role.VILLAGE_HEAD:
        raise Forbidden(_("Only the village head can activate or deactivate operators."))
    if user.role not in (Role.VILLAGE_OPERATOR,) or user.region_id != actor.region_id:
        raise Forbidden(_("You can only manage the operator accounts of your own village."))


@transaction.atomic
def user_activate(*, user: User, actor: User) -> User:
    """The village head (or a system admin) turns an operator account on."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _assert_may_manage_operator(actor=actor, user=user)
    assert_separation_of_duties(actor=actor, involved=[user], action=_("activate your own account"))
    if user.is_active:
        return user
    user.is_active = True
    user.activated_by = actor
    user.activated_at = timezone.now()
    user.save(update_fields=["is_active", "activated_by", "activated_at"])
    audit_log(actor=actor, action=AuditAction.ACTIVATE, obj=user, region_code=user.region_id)
    return user


@transaction.atomic
def user_deactivate(*, user: User, actor: User, reason: str = "") -> User:
    """One click: the account can no longer sign in, its sessions and API tokens stop working."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _assert_may_manage_operator(actor=actor, user=user)
    assert_separation_of_duties(
        actor=actor, involved=[user], action=_("deactivate your own account")
    )
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    from .apikeys import api_keys_revoke_all

    api_keys_revoke_all(client=user, actor=actor, reason=_("Account deactivated"))
    audit_log(
        actor=actor,
        action=AuditAction.DEACTIVATE,
        obj=user,
        region_code=user.region_id,
        reason=reason,
    )
    return user


# ============================================================================ two-factor
#: The name of the static device that holds a set-up code (django-otp's static plugin).
ENROLMENT_DEVICE = "enrolment"
#: How long a set-up code is valid after it was issued.
ENROLMENT_VALID = dt.timedelta(hours=72)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread


def enrolment_code_issue(*, user: User, actor: User | None, reason: str = "") -> str:
    """A one-time code ``user`` types before setting up an authenticator (first sign-in, or a
    lost phone: their current authenticator stops working). Shown once to the administrator,
    who hands it over in person or by phone; whoever knows only the password cannot bind their
    own authenticator to the account. ``actor`` None is the server's shell (the first
    administrator)."""
    import secrets

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from core.scope import region_in_scope

    if actor is not None:
        if actor.role != Role.SYSTEM_ADMIN and not actor.is_superuser:
            raise Forbidden(_("Only a system administrator issues set-up codes."))
        if not actor.is_installation_wide and (
            user.region_id is None or not region_in_scope(actor, user.region_id)
        ):
            raise OutOfScope(_("This account is outside your area."))
        if actor.pk == user.pk:
            raise Forbidden(_("Another administrator issues your set-up code."))
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    with transaction.atomic():
        StaticDevice.objects.filter(user=user, name=ENROLMENT_DEVICE).delete()
        TOTPDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=ENROLMENT_DEVICE, confirmed=True)
        StaticToken.objects.create(device=device, token=code)
        audit_log(
            actor=actor,
            action=AuditAction.TWO_FACTOR,
            obj=user,
            region_code=user.region_id,
            reason="set-up code issued" + (": " + reason if reason else ""),
        )
    return "{}-{}".format(code[:5], code[5:])


def enrolment_code_redeem(*, user: User, code: str) -> bool:
    """Use up ``user``'s set-up code; True if it was right and still valid (72 hours)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    typed = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    device = StaticDevice.objects.filter(user=user, name=ENROLMENT_DEVICE).first()
    if device is None or not typed:
        return False
    if device.created_at and timezone.now() - device.created_at > ENROLMENT_VALID:
        device.delete()
        return False
    return bool(device.verify_token(typed))


@transaction.atomic
def two_factor_device_start(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for ``user`` (the old unconfirmed one is replaced)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def two_factor_device_confirm(*, user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm the new authenticator with a first valid code; older devices are retired."""
    if device.user_id != user.pk or device.confirmed:
        raise DomainError(_("This authenticator setup has expired. Start again."))
    if not device.verify_token(token.strip()):
        raise DomainError(
            _("That code is not right. Type the 6 digits your app shows now."), fields={"token": ""}
        )
    from django_otp.plugins.otp_static.models import StaticDevice

    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user, name=ENROLMENT_DEVICE).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_log(actor=user, action=AuditAction.TWO_FACTOR, obj=user, region_code=user.region_id)
    return device


#: The static device holding a person's recovery codes (not the set-up code's device).
RECOVERY_DEVICE = "recovery"
RECOVERY_CODES = 8


def _canonical_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def recovery_codes_issue(*, user: User) -> list[str]:
    """Eight one-time recovery codes for a lost phone, shown once when the authenticator is set
    up (earlier codes stop working). Each signs in once instead of the app's code."""
    import secrets

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    codes = [
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)
    ]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE, confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        audit_log(
            actor=user,
            action=AuditAction.TWO_FACTOR,
            obj=user,
            region_code=user.region_id,
            reason="recovery codes issued",
        )
    return ["{}-{}".format(c[:5], c[5:]) for c in codes]


def recovery_code_use(*, user: User, code: str):
    """The recovery device if ``code`` is one of ``user``'s unused recovery codes (it is used up
    now), else None. A set-up code is never accepted here."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE, confirmed=True).first()
    if device is None or not device.verify_token(_canonical_code(code)):
        return None
    left = device.token_set.count()
    audit_log(
        actor=user,
        action=AuditAction.TWO_FACTOR,
        obj=user,
        region_code=user.region_id,
        reason="recovery code used, {} left".format(left),
    )
    return device


# ============================================================================ jobs
# The lease-based job machinery lives in core.jobs; its entry points are re-exported here
# (job_create, job_execute, job_progress, jobs_sweep, JobReporter).


def job_report_open(*, user, job_id):
    """(job, open file, file name) of the report a job of the user's produced (the rejected
    rows of an import): an audited export. A miss is NotFound."""
    from django.core.files.storage import default_storage

    from .selectors import job_get

    try:
        job = job_get(user=user, job_id=job_id)
    except (ValueError, Job.DoesNotExist, ValidationError) as exc:
        raise NotFound(_("Not found.")) from exc
    path = (job.result or {}).get("report_file")
    if not path or not default_storage.exists(path):
        raise NotFound(_("Not found."))
    audit_log(actor=user, action=AuditAction.EXPORT, obj=job, reason=path)
    name = (job.result or {}).get("download_name") or path.rsplit("/", 1)[-1]
    return job, default_storage.open(path, "rb"), name


# ============================================================================ notifications
MAX_NOTIFICATION_ATTEMPTS = 8


def _held_back(channel: str, recipients: Iterable[str], *, urgent: bool) -> set[str]:
    """Which of ``recipients`` asked for no messages on ``channel`` (a phone's opt-out holds
    for SMS and WhatsApp alike). Urgent messages are never held back."""
    from .messaging import PHONE_CHANNELS, normalize_recipient
    from .models import MessageOptOut

    if urgent:
        return set()
    wanted = {normalize_recipient(channel, r): r for r in recipients if r}
    if not wanted:
        return set()
    channels = PHONE_CHANNELS if channel in PHONE_CHANNELS else (channel,)
    found = MessageOptOut.objects.filter(channel__in=channels, recipient__in=list(wanted))
    return {wanted[r] for r in found.values_list("recipient", flat=True)}


def _outbox_row(
    *, channel, recipient, subject, body, obj, event: str, urgent: bool, held: bool, now
) -> Notification:
    from .messaging import quiet_until

    row = Notification(
        channel=channel,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        event=event,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )
    if held:
        row.status = NotificationStatus.SKIPPED
    else:
        row.next_attempt_at = quiet_until(channel, urgent=urgent, now=now) or now
    return row


def notification_queue(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    obj: Model | None = None,
    event: str = "",
    urgent: bool | None = None,
) -> Notification | None:
    """Store a message in the outbox inside the caller's transaction; send after commit.

    An address that opted out gets the row marked skipped (unless the message is urgent); in
    the agency's quiet hours an SMS or WhatsApp message waits for the morning (the periodic
    sweep sends it). Returns None when there is nobody to send to (no email or phone on record).
    """
    if not recipient:
        return None
    from .messaging import EVENTS
    from .tasks import send_notification_task

    if urgent is None:
        urgent = event in EVENTS and EVENTS[event].urgent
    now = timezone.now()
    notification = _outbox_row(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        obj=obj,
        event=event,
        urgent=urgent,
        held=bool(_held_back(channel, [recipient], urgent=urgent)),
        now=now,
    )
    notification.save()
    if notification.status == NotificationStatus.PENDING and notification.next_attempt_at <= now:
        enqueue_on_commit(send_notification_task, notification.pk)
    return notification


def message_queue(
    *, event: str, channel: str, recipient: str, context: Mapping, obj: Model | None = None
) -> Notification | None:
    """Render ``event``'s text for ``channel`` (the administrator's or the default) and queue it."""
    from .messaging import render

    subject, body = render(event, channel, context)
    return notification_queue(
        channel=channel, recipient=recipient, subject=subject, body=body, obj=obj, event=event
    )


def notification_queue_many(*, messages: list[dict]) -> int:
    """Store many outbox messages at once (a whole period list) and send them in one sweep.

    Each message is a dict of channel, recipient, subject, body and optionally obj and event.
    Messages without a recipient are skipped; opt-outs and quiet hours apply as in
    :func:`notification_queue`. One task is queued after commit, not one per message.
    """
    from .messaging import EVENTS
    from .tasks import retry_pending_notifications_task

    now = timezone.now()
    held: dict[str, set[str]] = {}
    for channel in {m["channel"] for m in messages}:
        held[channel] = _held_back(
            channel, [m["recipient"] for m in messages if m["channel"] == channel], urgent=False
        )
    rows = []
    for message in messages:
        if not message.get("recipient"):
            continue
        event = message.get("event", "")
        urgent = event in EVENTS and EVENTS[event].urgent
        rows.append(
            _outbox_row(
                channel=message["channel"],
                recipient=message["recipient"],
                subject=message["subject"],
                body=message["body"],
                obj=message.get("obj"),
                event=event,
                urgent=urgent,
                held=not urgent and message["recipient"] in held[message["channel"]],
                now=now,
            )
        )
    Notification.objects.bulk_create(rows, batch_size=1000)
    if rows:
        enqueue_on_commit(retry_pending_notifications_task)
    return len(rows)


def notification_send(*, notification_id: int) -> Notification | None:
    """Try to deliver one pending notification (claim → send outside any lock → record); on
    failure it is due again after the outbox's back-off (core.outbox)."""
    from .notifications import get_sender

    return outbox.deliver(
        Notification,
        notification_id,
        lambda notification: get_sender(notification.channel).send(notification),
        pending=NotificationStatus.PENDING,
        sent=NotificationStatus.SENT,
        failed=NotificationStatus.FAILED,
        sent_at_field="sent_at",
        max_attempts=MAX_NOTIFICATION_ATTEMPTS,
    )


def notifications_send_due(*, limit: int = 500) -> int:
    """Send every pending notification whose next attempt is due (the periodic sweep)."""
    sent = 0
    for pk in outbox.due(Notification, pending=NotificationStatus.PENDING, limit=limit):
        result = notification_send(notification_id=pk)
        if result is not None and result.status == NotificationStatus.SENT:
            sent += 1
    return sent


def officers_over(*, village_code: str, role: str) -> list[User]:
    """Whom a late step of a village's case goes up to: the active officers of ``role`` for
    that village (the district's supervisor, or the regency's Dinsos role) and the regency's
    head of division, each once."""
    parts = village_code.split(".")
    district, regency = ".".join(parts[:3]), ".".join(parts[:2])
    region = district if role == Role.SUPERVISOR else regency
    users = User.objects.filter(is_active=True, role=role, region_id=region)
    heads = User.objects.filter(is_active=True, role=Role.HEAD_OF_DIVISION, region_id=regency)
    return list({user.pk: user for user in [*users, *heads]}.values())


def notify_user(*, user: User, subject: str, body: str, obj: Model | None = None) -> None:
    """Queue a message to a user on every channel they have (email, SMS)."""
    if user.email:
        notification_queue(
            channel=NotificationChannel.EMAIL,
            recipient=user.email,
            subject=subject,
            body=body,
            obj=obj,
        )
    if user.phone:
        notification_queue(
            channel=NotificationChannel.SMS,
            recipient=user.phone,
            subject=subject,
            body=body,
            obj=obj,
        )


# ============================================================================ agency profile
AGENCY_CACHE_KEY = "silakso:agency-profile"


def agency_profile():
    """The agency's contact details (the site's defaults until an administrator saves them).

    Read on every public page and letter: kept in the cache, which forgets it on each save."""
    from django.core.cache import cache
    from django.db import DatabaseError

    from .models import AgencyProfile

    default = AgencyProfile(pk=1, name=settings.SILAKSO_AGENCY_NAME)
    profile = cache.get(AGENCY_CACHE_KEY)
    if profile is None:
        try:
            profile = AgencyProfile.objects.filter(pk=1).first() or default
        except DatabaseError:
            # the front page still opens while the database restarts (not remembered)
            return default
        cache.set(AGENCY_CACHE_KEY, profile, 600)
    return profile


@transaction.atomic
def agency_profile_save(*, actor: User, profile) -> Any:
    """An administrator of the installation's regency keeps the contact details current."""
    from django.core.cache import cache

    from .models import AgencyProfile

    if not configures_installation(actor, Role.SYSTEM_ADMIN):
        raise Forbidden(_("Only the regency's system administrators change the agency details."))
    AgencyProfile.objects.select_for_update().filter(pk=1).first()
    profile.pk = 1
    audited_save(profile, actor=actor)
    # forgotten now and again once committed (a page read in between cached the old details)
    cache.delete(AGENCY_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(AGENCY_CACHE_KEY))
    return profile


# ============================================================================ message texts
def message_template_save(*, actor: User, event: str, channel: str, subject: str, body: str):
    """An administrator's own text for ``event`` on ``channel`` ("" = every channel): checked
    (only the event's placeholders), stored, audited; sent from the next message on."""
    from .messaging import EVENTS, forget_saved, template_problems
    from .models import MessageTemplate

    if not configures_installation(actor, Role.SYSTEM_ADMIN):
        raise Forbidden(_("Only the regency's system administrators change message texts."))
    if event not in EVENTS:
        raise NotFound(_("There is no such kind of message."))
    if channel and channel not in NotificationChannel.values:
        raise ValidationError({"channel": _("Choose a channel from the list.")})
    subject, body = (subject or "").strip(), (body or "").strip().replace("\r\n", "\n")
    if problems := template_problems(event, subject, body):
        raise ValidationError(problems)
    template = MessageTemplate.objects.select_for_update().filter(event=event, channel=channel)
    row = template.first()
    before: dict[str, str | None] = (
        {"subject": row.subject, "body": row.body} if row else {"subject": None, "body": None}
    )
    row = row or MessageTemplate(event=event, channel=channel)
    row.subject, row.body, row.updated_by = subject, body, actor
    row.save()
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=row,
        region_code=actor.region_id,
        changes={
            k: [before[k], getattr(row, k)]
            for k in ("subject", "body")
            if before[k] != getattr(row, k)
        },
    )
    transaction.on_commit(forget_saved)
    return row


def message_template_reset(*, actor: User, event: str, channel: str) -> None:
    """Back to the default text of ``event`` on ``channel``."""
    from .messaging import forget_saved
    from .models import MessageTemplate

    if not configures_installation(actor, Role.SYSTEM_ADMIN):
        raise Forbidden(_("Only the regency's system administrators change message texts."))
    for row in MessageTemplate.objects.filter(event=event, channel=channel):
        audit_log(
            actor=actor,
            action=AuditAction.DELETE,
            obj=row,
            region_code=actor.region_id,
            changes={"body": [row.body, None]},
        )
        row.delete()
    transaction.on_commit(forget_saved)


def message_opt_out(*, channel: str, recipient: str, source: str, stop: bool = True) -> bool:
    """Record (or, with ``stop=False``, lift) that ``recipient`` wants no messages on
    ``channel``. Returns whether anything changed."""
    from .messaging import normalize_recipient
    from .models import MessageOptOut

    recipient = normalize_recipient(channel, recipient)
    if not recipient:
        return False
    if stop:
        _row, created = MessageOptOut.objects.get_or_create(
            channel=channel, recipient=recipient, defaults={"source": source[:40]}
        )
        changed = created
    else:
        from .messaging import PHONE_CHANNELS

        channels = PHONE_CHANNELS if channel in PHONE_CHANNELS else (channel,)
        changed = bool(
            MessageOptOut.objects.filter(channel__in=channels, recipient=recipient).delete()[0]
        )
    if changed:
        audit_log(
            actor=None,
            action=AuditAction.UPDATE,
            object_type="core.messageoptout",
            object_repr="{} {}".format(channel, recipient[:4] + "…"),
            reason=source[:100],
            changes={"messages": ["on", "off"] if stop else ["off", "on"]},
        )
    return changed
