"""Lists of personal data through the API leave one audit row per page (filters, count)."""

from core import services


class AuditedListMixin:
    """For a viewset's ``list``: a NIK filter counts against the account's hourly limit, and
    each page read is in the audit trail. ``audit_object_type`` names what is listed."""

    audit_object_type = ""

    def list(self, request, *args, **kwargs):
        services.list_read_allowed(actor=request.user, filters=request.query_params)
        response = super().list(request, *args, **kwargs)  # type: ignore[misc]
        data = response.data
        count = (
            data.get("count", len(data.get("results", []))) if isinstance(data, dict) else len(data)
        )
        page = request.query_params.get("page")
        services.list_read(
            actor=request.user,
            object_type=self.audit_object_type or self.queryset.model._meta.label_lower,  # type: ignore[attr-defined]
            filters=request.query_params,
            count=count,
            page=int(page) if page and page.isdigit() else 1,
        )
        return response
