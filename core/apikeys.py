"""API keys of partner systems: issued with named scopes, an expiry and an address list; shown
once and stored as a SHA-256 hash; rotated with both keys live for an overlap; revoked in one
click; the last use recorded. See docs/api.md, "Keys and scopes".

A key reads ``slk_<prefix>_<secret>``: the prefix (8 characters) is shown in the lists so an
administrator can tell keys apart; the secret (43 characters, 256 bits) never leaves the issue
page. A key this long needs no salt or stretching: it cannot be guessed, only stolen.
"""

import datetime as dt
import hashlib
import ipaddress
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import AuditAction, Role
from .models import ApiKey, User

#: Each scope and what it allows, as an administrator reads it.
SCOPES = {
    "registry:read": gettext_lazy(
        "Read the registry: households, people (NIK masked), KKs, programs' recipients"
    ),
    "registry:write": gettext_lazy(
        "Change the registry: households, people, member events, enrollments"
    ),
    "registry:nik": gettext_lazy(
        "See full NIKs and birth dates (each reading is in the audit trail)"
    ),
    "applications:intake": gettext_lazy("Submit aid requests on behalf of residents"),
    "applications:read": gettext_lazy("Read aid requests, deliberations, lists and objections"),
    "applications:write": gettext_lazy("Take the steps of aid requests and lists"),
    "complaints:intake": gettext_lazy("Submit complaints on behalf of residents"),
    "complaints:read": gettext_lazy("Read complaints"),
    "complaints:write": gettext_lazy("Take the steps of complaints"),
    "referrals:read": gettext_lazy("Read cases, referrals and letters"),
    "referrals:write": gettext_lazy("Open cases, send and follow referrals"),
    "provider": gettext_lazy("A provider's system: the referrals sent to it and its answers"),
    "audit:read": gettext_lazy("Read the audit trail of the client's area"),
    "programs:write": gettext_lazy("Change programs and their periods"),
}

#: What keys made from the tokens of before keep (no registry writes, no full NIKs).
LEGACY_SCOPES = [
    "registry:read",
    "applications:intake",
    "applications:read",
    "complaints:intake",
    "complaints:read",
    "referrals:read",
    "provider",
]

#: Seconds between two writes of a key's last use (not a write per request).
LAST_USE_EVERY = 60
#: Hours the old key keeps working after a rotation, unless told otherwise.
ROTATION_OVERLAP_HOURS = 24


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_raw() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, "slk_{}_{}".format(prefix, secrets.token_urlsafe(32))


def clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scope: {names}.").format(names=", ".join(unknown))}
        )
    if not chosen:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    return chosen


def clean_addresses(addresses: Iterable[str]) -> list[str]:
    cleaned = []
    for text in addresses:
        text = (text or "").strip()
        if not text:
            continue
        try:
            cleaned.append(str(ipaddress.ip_network(text, strict=False)))
        except ValueError as exc:
            raise ValidationError(
                {
                    "allowed_ips": _(
                        "{text} is not an address or a network (write 203.0.113.7 or "
                        "203.0.113.0/24)."
                    ).format(text=text)
                }
            ) from exc
    return cleaned


def address_allowed(key: ApiKey, address: str | None) -> bool:
    if not key.allowed_ips:
        return True
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in key.allowed_ips)


def _audit(actor, key: ApiKey, action: str, changes: dict, reason: str = "") -> None:
    from .services import audit_log

    audit_log(
        actor=actor,
        action=action,
        object_type="core.apikey",
        object_id=str(key.pk),
        object_repr=str(key)[:200],
        region_code=key.client.region_id,
        changes=changes,
        reason=reason,
    )


@transaction.atomic
def api_key_issue(
    *,
    client: User,
    name: str,
    scopes: Iterable[str],
    actor,
    expires_at: dt.datetime | None = None,
    allowed_ips: Iterable[str] = (),
) -> tuple[ApiKey, str]:
    """A new key for ``client``; returns the key row and the key itself (shown once)."""
    if client.role != Role.API_CLIENT or client.is_staff or client.is_superuser:
        raise ValidationError(
            {"client": _("Keys are only for partner systems (API client accounts).")}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the key a label (which system uses it).")})
    prefix, raw = _new_raw()
    key = ApiKey.objects.create(
        client=client,
        name=name[:100],
        prefix=prefix,
        key_hash=hash_key(raw),
        scopes=clean_scopes(scopes),
        allowed_ips=clean_addresses(allowed_ips),
        expires_at=expires_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _audit(
        actor,
        key,
        AuditAction.CREATE,
        {
            "scopes": [None, key.scopes],
            "expires_at": [None, key.expires_at.isoformat() if key.expires_at else None],
            "allowed_ips": [None, key.allowed_ips],
        },
    )
    return key, raw


@transaction.atomic
def api_key_rotate(
    *, key: ApiKey, actor, overlap_hours: int = ROTATION_OVERLAP_HOURS
) -> tuple[ApiKey, str]:
    """A new key with the same scopes, expiry and addresses; the old one keeps working for
    ``overlap_hours`` (so the partner can switch without downtime), then stops."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if not key.is_live:
        raise ValidationError(_("This key no longer works; issue a new one instead."))
    new, raw = api_key_issue(
        client=key.client,
        name=key.name,
        scopes=key.scopes,
        actor=actor,
        expires_at=key.expires_at,
        allowed_ips=key.allowed_ips,
    )
    ends = timezone.now() + dt.timedelta(hours=max(0, overlap_hours))
    if key.expires_at is None or key.expires_at > ends:
        key.expires_at = ends
        key.save(update_fields=["expires_at"])
    _audit(
        actor,
        key,
        AuditAction.UPDATE,
        {"expires_at": [None, key.expires_at.isoformat()], "replaced_by": [None, new.prefix]},
        reason=_("Rotated"),
    )
    return new, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor, reason: str = "") -> ApiKey:
    """The key stops working at once."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.revoked_by = actor if getattr(actor, "pk", None) else None
    key.save(update_fields=["revoked_at", "revoked_by"])
    _audit(
        actor,
        key,
        AuditAction.DEACTIVATE,
        {"revoked_at": [None, key.revoked_at.isoformat()]},
        reason,
    )
    return key


def api_keys_revoke_all(*, client: User, actor, reason: str = "") -> int:
    """Every key of an account (it was deactivated)."""
    count = 0
    for key in ApiKey.objects.filter(client=client, revoked_at__isnull=True):
        api_key_revoke(key=key, actor=actor, reason=reason)
        count += 1
    return count


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The key row for a presented key (any state; the caller tells why it is refused)."""
    if not raw or len(raw) > 200:
        return None
    return (
        ApiKey.objects.select_related("client", "client__region")
        .filter(key_hash=hash_key(raw))
        .first()
    )


def api_key_record_use(key: ApiKey, address: str | None) -> None:
    """Remember when and from where a key was last used (at most once a minute)."""
    now = timezone.now()
    if key.last_used_at and (now - key.last_used_at).total_seconds() < LAST_USE_EVERY:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_ip=address or None)
    key.last_used_at, key.last_used_ip = now, address


def api_key_for_demo(*, client: User, scopes: Iterable[str]) -> str:
    """The demo's key for ``client``: a fresh one each time the demo is seeded (the key itself
    is never stored, so the old one cannot be printed again), the previous demo key revoked."""
    for old in ApiKey.objects.filter(client=client, name="demo", revoked_at__isnull=True):
        api_key_revoke(key=old, actor=None, reason="demo seeded again")
    _key, raw = api_key_issue(client=client, name="demo", scopes=scopes, actor=None)
    return raw
