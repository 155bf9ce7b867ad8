"""Sync for partner systems: "what changed since", page by page, nothing skipped.

A list that declares ``sync_field`` (its "last changed" column) takes ``?updated_since=`` (an
ISO date-time) and then pages by a **cursor** instead of page numbers: rows in id order, each
page's ``next`` carrying the last id and one ``sync_from`` shared by every page of the pass.
The client stores ``sync_from`` and asks ``?updated_since=<sync_from>`` next time.

Why nothing is skipped or given twice: within a pass ids only grow, so a row changed or created
while the client pages either lies ahead (it comes with its latest data) or behind (its new
``updated_at`` is after ``sync_from``, so the next pass brings it). ``sync_from`` is not simply
"now": it is the start of the oldest transaction still open in the database, because a row
written by a transaction that commits later carries a time from before its commit.
"""

import base64
import datetime as dt
import json

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

PARAM = "updated_since"
CURSOR = "cursor"


def parse_since(raw: str):
    """The moment ``raw`` names (a date means its midnight), aware; ValidationError if none."""
    moment = parse_datetime(raw)
    if moment is None:
        day = parse_date(raw)
        if day is not None:
            moment = timezone.datetime.combine(day, timezone.datetime.min.time())
    if moment is None:
        raise ValidationError(
            {PARAM: [_("Give a date and time such as 2026-12-01T08:00:00+07:00.")]}
        )
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # in UTC: PostgreSQL takes offsets up to ±15:59 only, Python up to a day
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise ValidationError(
            {PARAM: [_("Give a date and time such as 2026-12-01T08:00:00+07:00.")]}
        ) from exc


def sync_point():
    """The time a pass that starts now can promise: every change after it will be seen by the
    next pass (see the module docstring)."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        return now - timezone.timedelta(minutes=5)
    with connection.cursor() as cursor:
        cursor.execute(
            # other sessions only: what this one wrote, it sees already
            "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
            "AND xact_start IS NOT NULL AND pid <> pg_backend_pid()"
        )
        oldest = cursor.fetchone()[0]
    return min(now, oldest) if oldest else now


def encode_cursor(after: int, sync_from) -> str:
    raw = json.dumps({"after": after, "sync_from": sync_from.isoformat()})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str):
    try:
        padded = text + "=" * (-len(text) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        return int(data["after"]), parse_since(data["sync_from"])
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        raise ValidationError(
            {CURSOR: [_("This cursor is not one SILAKSO gave; start again without it.")]}
        ) from exc


def is_sync_request(request, view) -> bool:
    return bool(getattr(view, "sync_field", None)) and (
        PARAM in request.query_params or CURSOR in request.query_params
    )


class UpdatedSinceFilter(BaseFilterBackend):
    """``?updated_since=`` on the lists that declare ``sync_field``."""

    def filter_queryset(self, request, queryset, view):
        field = getattr(view, "sync_field", None)
        raw = request.query_params.get(PARAM, "")
        if not field or not raw:
            return queryset
        return queryset.filter(**{field + "__gte": parse_since(raw)})

    def get_schema_operation_parameters(self, view):
        if not getattr(view, "sync_field", None):
            return []
        return [
            {
                "name": PARAM,
                "in": "query",
                "required": False,
                "description": "Only what changed at or after this moment; the list then pages "
                "by `cursor` and answers `sync_from` for the next sync.",
                "schema": {"type": "string", "format": "date-time"},
            },
            {
                "name": CURSOR,
                "in": "query",
                "required": False,
                "description": "The position given in `next` by the previous page of a sync.",
                "schema": {"type": "string"},
            },
        ]
