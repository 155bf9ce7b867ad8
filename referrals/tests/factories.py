"""Test helpers of case management: providers, services, provider accounts, cases and referrals,
all made through the services."""

from applications.tests.factories import household
from core.choices import Role
from core.tests.factories import make_user
from referrals import services
from referrals.models import Provider, Service


def admin():
    return make_user(Role.SYSTEM_ADMIN)


def provider(name="Dinas Kesehatan", *, kind="opd", region_code="19.04", webhook_url="", **extra):
    from dtks.models import Region

    return services.provider_save(
        provider=Provider(
            name=name,
            kind=kind,
            region=Region.objects.get(code=region_code) if region_code else None,
            webhook_url=webhook_url,
            **extra,
        ),
        actor=admin(),
    )


def service(owner=None, name="Aktivasi PBI-JK", *, domain="health", capacity=None, **extra):
    owner = owner or provider()
    return services.service_save(
        service=Service(provider=owner, name=name, domain=domain, capacity=capacity, **extra),
        actor=admin(),
    )


def provider_admin(owner, username=None):
    """A provider admin account linked to ``owner``."""
    fields = {"username": username} if username else {}
    user = make_user(Role.PROVIDER_ADMIN, **fields)
    services.provider_member_add(user=user, provider=owner, actor=admin())
    return user


def provider_api_client(owner):
    """An API client account (no region) of the provider's own system."""
    user = make_user(Role.API_CLIENT)
    services.provider_member_add(user=user, provider=owner, actor=admin())
    return user


def case_worker(village):
    return make_user(Role.VILLAGE_OPERATOR, village.code)


def case(village, *, worker=None, home=None, head_name="Rudi Santoso"):
    """An open walk-in case of a registry household of ``village``."""
    worker = worker or case_worker(village)
    home = home or household(village, head_name=head_name)
    return services.case_create(household=home, origin="walk_in", actor=worker)


def referral(open_case, to_service, *, worker=None, send=True, need="Perlu layanan ini segera."):
    """A referral of ``open_case`` to ``to_service``, sent unless ``send`` is False."""
    worker = worker or make_user(Role.FRONT_OFFICE, "19.04")
    created = services.referral_create(case=open_case, service=to_service, need=need, actor=worker)
    if send:
        created = services.referral_send(referral=created, actor=worker)
    created.refresh_from_db()
    return created
