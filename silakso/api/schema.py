"""The error answers every operation can give, written into the OpenAPI schema.

One shape for all of them (``silakso.api.exception_handler``): ``{code, detail, fields}``; a 409
adds what the caller needs to recover (``allowed_transitions`` or ``current_version``). The hook
below adds them to every operation, so that a generated client (and schemathesis in the suite)
knows each status it may receive.
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers

ERROR = {
    "type": "object",
    "description": "An error: a stable `code`, a sentence in the caller's language, and the "
    "fields it concerns.",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": True},
    },
    "required": ["code", "detail"],
    "additionalProperties": True,
}

CONFLICT = {
    "allOf": [{"$ref": "#/components/schemas/Error"}],
    "description": "A conflict: an illegal step (`allowed_transitions`, `allowed_steps`), a "
    "stale version (`current_version`, `changes`), or the same thing saved twice.",
    "properties": {
        "current": {"type": "string"},
        "allowed_transitions": {"type": "array", "items": {"type": "string"}},
        "allowed_steps": {"type": "array", "items": {"type": "string"}},
        "current_version": {"type": "integer"},
        "changes": {"type": "object", "additionalProperties": True},
    },
}

_WHEN = {
    "400": "The request is not valid: `fields` names each field and its problem.",
    "401": "No credentials, or a token that is unknown, expired or revoked.",
    "403": "Signed in, but this client or role may not do this.",
    "404": "Not found, or outside the caller's area (the two are not told apart).",
    "409": "A conflict with the object's current state.",
    "413": "The request body is larger than allowed.",
    "429": "Too many requests: wait the seconds in `Retry-After`.",
}


def _response(status: str, schema_name: str) -> dict:
    response = {
        "description": _WHEN[status],
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/" + schema_name}}
        },
    }
    if status == "429":
        response["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
        }
    if status == "401":
        response["headers"] = {
            "WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Token`"}
        }
    return response


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document every error answer of every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("Conflict", CONFLICT)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                # an empty filter (`?until=`) means "no filter", as in the HTML lists
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter.setdefault("allowEmptyValue", True)
            responses = operation.setdefault("responses", {})
            statuses = ["400", "401", "403", "404", "429"]
            if method != "get":
                statuses += ["409", "413"]
            for status in statuses:
                if status not in responses:
                    responses[status] = _response(
                        status, "Conflict" if status == "409" else "Error"
                    )
    return result


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, knowing that a read-only choice of a model field with ``blank=True``
    can be "" (DRF drops ``allow_blank`` from read-only fields, so the schema would say the
    value is always one of the choices)."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.ChoiceField) and not field.allow_blank:
            model = getattr(getattr(field.parent, "Meta", None), "model", None)
            source = getattr(field, "source", "") or ""
            if model is not None and source and "." not in source:
                try:
                    model_field = model._meta.get_field(source)
                except FieldDoesNotExist:
                    model_field = None
                if model_field is not None and model_field.blank and model_field.choices:
                    field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Partner systems' API keys in the schema: HTTP bearer (``Authorization: Bearer slk_…``)."""

    target_class = "silakso.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "slk_<prefix>_<secret>",
            "description": "An API key of a partner system, with the scopes its endpoint needs "
            "(docs/api.md, Keys and scopes).",
        }
