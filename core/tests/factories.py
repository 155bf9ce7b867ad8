"""Test helpers for accounts: factories arrange, services act."""

import itertools

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.choices import Role
from core.models import User

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(role: str = Role.VILLAGE_OPERATOR, region_code: str | None = None, **fields) -> User:
    """An active account with a usable password and, for staff, a confirmed authenticator."""
    from core.services import user_create
    from dtks.models import Region

    number = next(_counter)
    user = user_create(
        username=fields.pop("username", "{}{}".format(role.replace("_", ""), number)),
        full_name=fields.pop("full_name", f"{role.title()} {number}"),
        role=role,
        region=Region.objects.get(code=region_code) if region_code else None,
        email=fields.pop("email", f"user{number}@example.test"),
        password=PASSWORD,
        actor=None,
        **fields,
    )
    if not user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.refresh_from_db()
    if user.needs_two_factor:
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def current_code(user: User) -> str:
    """The TOTP code the user's authenticator app shows right now."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"


def login_with_second_factor(client: Client, user: User) -> Client:
    """Sign ``client`` in as ``user`` and mark the session as having passed 2FA."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def issue_key(user, scopes=None, **fields):
    """An API key for ``user`` (every scope unless told): ``.key`` is what the partner sends,
    ``.row`` the stored ApiKey."""
    from types import SimpleNamespace

    from core.apikeys import SCOPES, api_key_issue

    row, raw = api_key_issue(
        client=user,
        name=fields.pop("name", "test"),
        scopes=scopes if scopes is not None else list(SCOPES),
        actor=None,
        **fields,
    )
    return SimpleNamespace(key=raw, row=row)
