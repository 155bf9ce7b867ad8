"""HTML views of the registry."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.choices import Role
from core.permissions import has_role
from core.services import job_create

from . import selectors
from .filtersets import RegionFilterSet
from .models import REGION_SOURCE
from .tasks import load_regions_task


@login_required
def region_list(request):
    """Browse and search the official region list (reference data, not personal data)."""
    params = request.GET.copy()
    if not any(params.get(key) for key in ("q", "parent", "level", "within", "postal_code")):
        params["parent"] = request.user.region_id or ""
        if not params["parent"]:
            params.pop("parent")
            params["level"] = "1"
    filterset = RegionFilterSet(params, queryset=selectors.region_list())
    page = Paginator(filterset.qs, 100).get_page(request.GET.get("page"))
    parent_code = params.get("parent")
    parent = selectors.region_list().filter(code=parent_code).first() if parent_code else None
    return render(
        request,
        "dtks/region_list.html",
        {
            "filterset": filterset,
            "page": page,
            "parent": parent,
            "source": REGION_SOURCE,
            "can_reload": has_role(request.user, Role.SYSTEM_ADMIN),
        },
    )


@login_required
@require_POST
def region_reload(request):
    """System admin: reload the Kemendagri list as a background job with visible progress."""
    if not has_role(request.user, Role.SYSTEM_ADMIN):
        raise PermissionDenied(_("Only a system administrator can reload the region list."))
    job = job_create(
        kind="regions.load",
        label=_("Reload the Kemendagri region list"),
        task=load_regions_task,
        actor=request.user,
    )
    return redirect("core:job_detail", pk=job.pk)
