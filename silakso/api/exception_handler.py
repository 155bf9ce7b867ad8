"""Map domain errors and DRF errors onto one JSON error shape: {code, detail, fields}."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from silakso.exceptions import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    StaleObjectError,
    Throttled,
)


def _django_validation_fields(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "message_dict"):
        return {
            ("non_field_errors" if key == "__all__" else key): value
            for key, value in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    """DomainError → 400, Forbidden → 403, NotFound → 404; Conflict, StaleObjectError and
    InvalidTransition → 409."""
    if isinstance(exc, InvalidTransition):
        return Response(
            {
                "code": exc.code,
                "detail": str(exc.message),
                "current": str(exc.current),
                "allowed_transitions": [str(state) for state in exc.allowed],
                "allowed_steps": [str(step) for step in exc.allowed_steps],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, StaleObjectError):
        return Response(
            {
                "code": exc.code,
                "detail": str(exc.message),
                "current_version": exc.current_version,
                "changes": exc.changes,
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, NotFound):
        return Response(
            {"code": exc.code, "detail": str(exc.message), "fields": exc.fields},
            status=status.HTTP_404_NOT_FOUND,
        )
    if isinstance(exc, Conflict):
        return Response(
            {"code": exc.code, "detail": str(exc.message), "fields": exc.fields},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Throttled):
        return Response(
            {"code": exc.code, "detail": str(exc.message)},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, Forbidden):
        return Response(
            {"code": exc.code, "detail": str(exc.message), "fields": exc.fields},
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(exc, DomainError):
        return Response(
            {"code": exc.code, "detail": str(exc.message), "fields": exc.fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, IntegrityError):
        # a unique rule of the database (two requests at once): never its constraint's name
        return Response(
            {"code": "conflict", "detail": _("This exists already, or was just saved twice.")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        return Response(
            {
                "code": "invalid",
                "detail": _("Some fields are not valid."),
                "fields": _django_validation_fields(exc),
            },
            status=status.HTTP_400_BAD_REQUEST,
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "code": "invalid",
            "detail": _("Some fields are not valid."),
            "fields": data,
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {
            "code": getattr(detail, "code", "error"),
            "detail": str(detail),
        }
    return response
