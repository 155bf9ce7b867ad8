"""Partner systems sign in to the API with an API key (core.apikeys); an officer uses the API
through a signed-in session, with the second factor like everywhere else.

``Authorization: Bearer slk_…`` (or ``Token slk_…``). A missing, unknown, expired or revoked
key is a 401 with ``WWW-Authenticate: Bearer``; a known key used from an address outside its
list is a 403."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from core.apikeys import address_allowed, api_key_authenticate, api_key_record_use
from core.choices import Role


class ApiKeyAuthentication(BaseAuthentication):
    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as: Authorization: Bearer <key>.")
            )
        try:
            raw = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("This key is not valid.")) from exc
        key = api_key_authenticate(raw)
        if key is None:
            raise exceptions.AuthenticationFailed(_("This key is not valid."))
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This key was revoked."))
        if not key.is_live:
            raise exceptions.AuthenticationFailed(_("This key has expired."))
        client = key.client
        if not client.is_active:
            raise exceptions.AuthenticationFailed(_("This key's account is deactivated."))
        if client.role != Role.API_CLIENT or client.is_staff or client.is_superuser:
            raise exceptions.AuthenticationFailed(
                _(
                    "Keys are only for partner systems (API client accounts). Sign in with "
                    "your account and authenticator code instead."
                )
            )
        address = getattr(request._request, "client_ip", None) or request.META.get("REMOTE_ADDR")
        if not address_allowed(key, address):
            raise exceptions.PermissionDenied(_("This key does not work from this address."))
        from .scopes import enforce_scopes

        if request.path.startswith("/api/v1/"):  # the schema and its docs are open to anyone
            enforce_scopes((request.parser_context or {}).get("view"), request, key)
        api_key_record_use(key, address)
        return client, key

    def authenticate_header(self, request):
        return "Bearer"
