"""One pagination shape for every list endpoint."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from . import sync


class StandardPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (1 to 200), with `count`, `next`, `previous`, `results`.

    A page size that is not a whole number from 1 to 200 is refused with 400 naming the
    parameter (it used to be ignored silently, so a client asking for 500 got 50 and never
    knew)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number from 1 to {most}.").format(most=self.max_page_size)
                    ]
                }
            )
        return size

    # ------------------------------------------------------------------ sync (cursor) pages
    def paginate_queryset(self, queryset, request, view=None):
        self.cursor_mode = sync.is_sync_request(request, view)
        if not self.cursor_mode:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        size = self.get_page_size(request)
        raw = request.query_params.get(sync.CURSOR)
        after, sync_from = sync.decode_cursor(raw) if raw else (0, sync.sync_point())
        rows = list(queryset.filter(pk__gt=after).order_by("pk")[: size + 1])
        self.sync_from = sync_from
        self.next_cursor = (
            sync.encode_cursor(rows[size - 1].pk, sync_from) if len(rows) > size else None
        )
        return rows[:size]

    def get_paginated_response(self, data):
        if not getattr(self, "cursor_mode", False):
            return super().get_paginated_response(data)
        url = self.request.build_absolute_uri()
        next_url = (
            replace_query_param(remove_query_param(url, "page"), sync.CURSOR, self.next_cursor)
            if self.next_cursor
            else None
        )
        return Response(
            {"next": next_url, "sync_from": self.sync_from.isoformat(), "results": data}
        )

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["sync_from"] = {
            "type": "string",
            "format": "date-time",
            "description": "In a sync (`updated_since`): ask `updated_since=<this>` next time.",
        }
        described["required"] = ["results"]  # a sync page has no `count` (it would cost a scan)
        return described

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1})
        return parameters
