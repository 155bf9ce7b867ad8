"""Providers, their members, their services and the connection of their own system."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.models import User
from core.services import (
    audit_log,
    audited_save,
)
from silakso.exceptions import (
    require,
)

from .. import permissions as perms
from ..models import (
    PROVIDER_ROLES,
    Provider,
    ProviderMember,
    Service,
)


# ============================================================================ providers
@transaction.atomic
def provider_save(*, provider: Provider, actor) -> Provider:
    """An administrator adds or changes a provider."""
    require(
        perms.has_role(actor, *perms.CATALOGUE_ADMINS), _("Only administrators manage providers.")
    )
    _check_webhook_url(provider.webhook_url)
    # an administrator saving the provider approves the URL it saves
    provider.webhook_approved_url = provider.webhook_url
    audited_save(provider, actor=actor, hidden=("webhook_secret",))
    return provider


@transaction.atomic
def provider_member_add(*, user: User, provider: Provider, actor) -> ProviderMember:
    """Link a provider admin or a provider's API client account to its provider."""
    require(
        perms.has_role(actor, *perms.CATALOGUE_ADMINS), _("Only administrators manage providers.")
    )
    if user.role not in PROVIDER_ROLES:
        raise ValidationError(
            {"user": _("Only provider admins and API clients work for a provider.")}
        )
    if user.region_id is not None:
        # A regional API client reads the registry of its region; a provider's reads only the
        # referrals sent to it and their summaries.
        raise ValidationError(
            {"user": _("A provider's account has no region; remove the region first.")}
        )
    member, _created = ProviderMember.objects.update_or_create(
        user=user, defaults={"provider": provider}
    )
    user.__dict__.pop("_silakso_provider", None)  # forget what provider_of() remembered
    audit_log(
        actor=actor, action=AuditAction.UPDATE, obj=user, changes={"provider": [None, provider.pk]}
    )
    return member


@transaction.atomic
def service_save(*, service: Service, actor) -> Service:
    """The provider's own admin keeps its catalogue current (administrators too)."""
    require(
        perms.is_provider_of(actor, service.provider)
        or perms.has_role(actor, *perms.CATALOGUE_ADMINS),
        _("You keep the catalogue of your own organisation only."),
    )
    audited_save(service, actor=actor)
    return service


def _check_webhook_url(url: str) -> None:
    from silakso.validation import partner_url_problem

    if url and (problem := partner_url_problem(url)):
        raise ValidationError({"webhook_url": problem})


@transaction.atomic
def provider_webhook_approve(*, provider: Provider, actor) -> Provider:
    """An administrator approves the URL the provider's admin set: only then does SILAKSO send
    referrals (with the person's NIK) there."""
    require(
        perms.has_role(actor, *perms.CATALOGUE_ADMINS),
        _("Only administrators approve where referrals are sent."),
    )
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    _check_webhook_url(provider.webhook_url)
    provider.webhook_approved_url = provider.webhook_url
    provider.save(update_fields=["webhook_approved_url", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=provider,
        changes={"webhook_approved_url": [None, provider.webhook_approved_url]},
    )
    return provider


@transaction.atomic
def provider_connection_save(
    *, provider: Provider, webhook_url: str, actor, new_secret: bool = False
) -> Provider:
    """The provider's admin connects its own system: where referrals are announced, and a
    fresh signing secret when the old one may have leaked."""
    require(
        perms.is_provider_of(actor, provider) or perms.has_role(actor, *perms.CATALOGUE_ADMINS),
        _("You connect the system of your own organisation only."),
    )
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    provider.webhook_url = (webhook_url or "").strip()
    _check_webhook_url(provider.webhook_url)
    if perms.has_role(actor, *perms.CATALOGUE_ADMINS):
        provider.webhook_approved_url = provider.webhook_url
    if new_secret:
        provider.webhook_secret = secrets.token_urlsafe(32)
    provider.full_clean()
    provider.save(
        update_fields=["webhook_url", "webhook_approved_url", "webhook_secret", "updated_at"]
    )
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=provider,
        changes={"webhook_url": [None, provider.webhook_url], "new_secret": [None, new_secret]},
    )
    return provider
