"""API tokens are for partner systems: an officer uses the API through a signed-in session,
with the second factor like everywhere else."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core.choices import Role


class ClientTokenAuthentication(TokenAuthentication):
    """``Authorization: Token …`` accepted only for accounts with the API-client role."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if user.role != Role.API_CLIENT or user.is_staff or user.is_superuser:
            raise exceptions.AuthenticationFailed(
                _(
                    "Tokens are only for partner systems (API client accounts). Sign in with "
                    "your account and authenticator code instead."
                )
            )
        return user, token
