"""Pages of personal-data lists in the HTML views: audited like the API's (one row per page)."""

from django.core.paginator import Page, Paginator

from core import services


def audited_page(request, queryset, per_page: int, *, object_type: str) -> Page:
    """The requested page of ``queryset``; a NIK filter counts against the account's hourly
    limit (``Throttled``, answered 429) and the read is in the audit trail."""
    services.list_read_allowed(actor=request.user, filters=request.GET)
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read before the audit row is written
    services.list_read(
        actor=request.user,
        object_type=object_type,
        filters=request.GET,
        count=page.paginator.count,
        page=page.number,
    )
    return page
