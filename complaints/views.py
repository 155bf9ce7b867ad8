"""Pages of the complaint flow: residents complain, follow and rate; officers work their
queues. Views parse, call one service or selector, and render."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.selectors import resident_village_choices
from dtks.selectors import villages_by_district
from silakso import ratelimit
from silakso.codes import normalize_code
from silakso.exceptions import NotFound
from silakso.forms import run_once, run_service_action
from silakso.paging import audited_page
from silakso.steps import step_view
from silakso.tables import attachment_response, date_param, table_response

from . import permissions as perms
from . import selectors, services
from .filtersets import ComplaintFilterSet
from .forms import (
    ComplaintForm,
    RatingForm,
    TrackForm,
)
from .models import Complaint
from .resident_texts import step_label
from .workflow import COMPLAINT_FLOW

GRANT_MINUTES = 30


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role cannot open this page."))


def _grant(request, code: str) -> None:
    grants = request.session.get("tracked_complaints", {})
    grants[code] = (timezone.now() + dt.timedelta(minutes=GRANT_MINUTES)).isoformat()
    request.session["tracked_complaints"] = grants


def _granted(request, code: str) -> bool:
    expires = request.session.get("tracked_complaints", {}).get(code)
    return bool(expires) and dt.datetime.fromisoformat(expires) > timezone.now()


# ============================================================================ residents
def _submit(request, form, *, channel, redirect_to, success=""):
    """Submit the form's complaint once (run_once); the response, or None to show the form."""
    result = {}

    def call(data):
        result["complaint"], result["secret"] = form.submit(actor=request.user, channel=channel)
        return result["complaint"]

    return run_once(
        request,
        form,
        call,
        redirect_to=lambda complaint: redirect_to(complaint, result.get("secret")),
        success=success,
    )


def _done_url(request, complaint, secret) -> str:
    """The page with the code (and, the first time only, the secret word); a retry of the same
    form is sent there by its receipt, the code signed into the address."""
    from django.core import signing

    _grant(request, complaint.code)
    request.session["complaint_done"] = {"code": complaint.code, "secret": secret or ""}
    token = signing.dumps(complaint.code, salt="silakso-complaint-done")
    return "{}?t={}".format(reverse("complaints:complaint_done"), token)


def complaint_create(request):
    """Anyone complains online, no account needed (misuse may be reported anonymously)."""
    form = ComplaintForm(
        request.POST or None, request.FILES or None, villages=resident_village_choices()
    )
    response = _submit(
        request,
        form,
        channel="online",
        redirect_to=lambda complaint, secret: _done_url(request, complaint, secret),
    )
    if response is not None:
        return response
    return render(request, "complaints/complaint_form.html", {"form": form})


def complaint_done(request):
    from django.core import signing

    done = request.session.pop("complaint_done", None)
    if not done and request.GET.get("t"):
        try:
            code = signing.loads(request.GET["t"], salt="silakso-complaint-done", max_age=2 * 86400)
        except signing.BadSignature:
            code = None
        done = {"code": code, "secret": ""} if code else None
    if not done:
        return redirect("complaints:track")
    return render(request, "complaints/complaint_done.html", done)


def track(request):
    """Code + NIK (or code + secret): one answer for every mistake, rate limited, audited."""
    form = TrackForm(request.POST or None)
    status_code = 200
    if request.method == "POST" and form.is_valid():
        # one canonical form (lower case, spaces, no dashes all alike), for the lookup and
        # for the limit: a spelling variant is neither "not found" nor a fresh counter
        code = normalize_code(form.cleaned_data["code"], "P")
        if not ratelimit.allow_all(
            [
                ("ctrack-ip", request.client_ip or "-", settings.SILAKSO_TRACK_LIMIT_PER_IP, 3600),
                ("ctrack-code", code, settings.SILAKSO_TRACK_LIMIT_PER_CODE, 3600),
            ]
        ):
            form.add_error(None, _("Too many tries. Please try again in an hour."))
            status_code = 429
        else:
            complaint = services.complaint_lookup(
                code=code,
                nik=form.cleaned_data["nik"],
                secret=form.cleaned_data["secret"],
                actor=request.user,
            )
            if complaint is None:
                form.add_error(None, _("No complaint found for this code. Check what you typed."))
            else:
                _grant(request, complaint.code)
                return redirect("complaints:status", code=complaint.code)
    return render(request, "complaints/track.html", {"form": form}, status=status_code)


def _public_complaint(request, code):
    complaint = selectors.complaint_by_code(code)
    if complaint is None:
        raise Http404
    if _granted(request, code):
        return complaint
    if request.user.is_authenticated and (
        selectors.complaint_list(user=request.user).filter(pk=complaint.pk).exists()
    ):
        return complaint
    raise Http404


def status(request, code):
    complaint = _public_complaint(request, code)
    return render(
        request,
        "complaints/status.html",
        {
            "complaint": complaint,
            "steps": selectors.complaint_steps(complaint=complaint),
            "now": services.step_text(complaint.status, restricted=complaint.is_restricted),
            "now_label": step_label(complaint.status),
            "rating_form": RatingForm()
            if complaint.status == "closed" and complaint.rated_at is None
            else None,
        },
    )


@require_POST
def rate(request, code):
    """Only the person who followed the complaint with its code (the grant in their session)
    rates it: an officer who can read it in their area cannot rate their own work."""
    complaint = _public_complaint(request, code)
    if not _granted(request, code):
        raise Http404
    form = RatingForm(request.POST)
    if form.is_valid():
        run_service_action(
            request,
            lambda: services.complaint_rate(
                complaint=complaint,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                actor=request.user,
            ),
            success=_("Thank you for your rating."),
        )
    else:
        messages.error(request, _("Choose from 1 (very poor) to 4 (very good)."))
    return redirect("complaints:status", code=code)


# ============================================================================ officers
@login_required
def complaint_list(request):
    _require(perms.can_read(request.user))
    filterset = ComplaintFilterSet(
        request.GET or None,
        queryset=selectors.complaint_list(user=request.user),
        request=request,
    )
    page = audited_page(
        request, filterset.qs.order_by("due_at", "pk"), 30, object_type="complaints.complaint"
    )
    return render(
        request,
        "complaints/complaint_list.html",
        {
            "page": page,
            "filter": filterset,
            "counters": selectors.counters(user=request.user),
            "can_intake": perms.can_intake(request.user),
            "can_report": perms.can_report(request.user),
            "query": request.GET.urlencode(),
            "now": timezone.now(),
        },
    )


@login_required
def intake(request):
    """An officer takes a complaint in (home visit, Puskesos, SLRT secretariat, MPP counter)."""
    _require(perms.can_intake(request.user))
    villages = villages_by_district(user=request.user)
    form = ComplaintForm(request.POST or None, request.FILES or None, villages=villages, staff=True)
    response = _submit(
        request,
        form,
        channel=None,
        redirect_to=lambda complaint, secret: reverse(
            "complaints:complaint_detail", args=[complaint.pk]
        ),
        success=lambda complaint: _(
            "Complaint {code} received. Give the resident this code."
        ).format(code=complaint.code),
    )
    if response is not None:
        return response
    return render(request, "complaints/complaint_form.html", {"form": form, "staff": True})


def _complaint_or_404(request, pk):
    try:
        return selectors.complaint_get(user=request.user, pk=pk)
    except (Complaint.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@login_required
def complaint_detail(request, pk):
    _require(perms.can_read(request.user))
    try:
        complaint = services.complaint_open(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    buttons = COMPLAINT_FLOW.buttons(complaint, request.user)
    return render(
        request,
        "complaints/complaint_detail.html",
        {
            "complaint": complaint,
            "show_reporter": complaint.show_reporter,
            "steps": complaint.status_changes.all(),
            "escalations": complaint.escalations.all(),
            "attachments": selectors.attachments(user=request.user, complaint=complaint),
            "buttons": buttons,
            "actions": [button["code"] for button in buttons],
            "now": timezone.now(),
        },
    )


# Every step an officer takes on a complaint (forward, approve, return, review, resolve,
# close, link a program, take, open a data update) is served from its declaration.
complaint_action = step_view(
    COMPLAINT_FLOW,
    fetch=selectors.complaint_get,
    back=lambda complaint: (
        reverse("complaints:complaint_detail", args=[complaint.pk]),
        complaint.code,
    ),
    context=lambda complaint, step, user: {
        "summary": "{} · {}".format(
            complaint.get_category_display(), Truncator(complaint.description).chars(200)
        )
    },
)


@login_required
def attachment_file(request, pk, attachment_pk):
    complaint = _complaint_or_404(request, pk)
    try:
        attachment = services.complaint_attachment_open(
            user=request.user, complaint=complaint, pk=attachment_pk
        )
    except NotFound as exc:
        raise Http404 from exc
    return attachment_response(attachment.file, content_type=attachment.content_type)


@login_required
def report(request):
    """Counts, time to resolve (median, 90th percentile), late list, satisfaction per month."""
    _require(perms.can_report(request.user))
    since = date_param(request.GET.get("since"))
    until = date_param(request.GET.get("until"))
    return render(
        request,
        "complaints/report.html",
        {
            "report": selectors.report(user=request.user, since=since, until=until),
            "overdue": selectors.overdue(user=request.user)[:50],
            "since": since,
            "until": until,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def export(request):
    """The complaint statistics as CSV (streamed) or XLSX, with the list's filters."""
    _require(perms.can_report(request.user))
    filters = request.GET.copy()
    file_format = filters.pop("format", ["csv"])[-1]
    rows = selectors.export_rows(user=request.user, filters=filters or None)
    services.complaint_export_audit(actor=request.user, filters=filters)
    return table_response(
        rows, file_format=file_format, filename="pengaduan", sheet=_("Complaints")
    )


# ============================================================================ settings
@login_required
def sla_table(request):
    """How many hours each step of each complaint category may take before it escalates."""
    from django import forms

    from core.permissions import configures_installation
    from core.selectors import audit_history

    from .choices import ComplaintCategory, ComplaintStatus
    from .models import OPEN_STATUSES, SlaRule

    if not configures_installation(request.user, *services.SLA_SETTERS):
        raise PermissionDenied(_("Only administrators set service levels."))
    cells = [
        (category, status) for category in ComplaintCategory.values for status in OPEN_STATUSES
    ]
    form = forms.Form(request.POST or None)
    for category, status in cells:
        form.fields["{}__{}".format(category, status)] = forms.IntegerField(
            label="{} · {}".format(
                ComplaintCategory(category).label, ComplaintStatus(status).label
            ),
            min_value=1,
            max_value=24 * 90,
            initial=services.sla_hours(category, status),
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
    if request.method == "POST" and form.is_valid():
        changed = services.sla_table_save(
            actor=request.user,
            hours={
                (category, status): form.cleaned_data["{}__{}".format(category, status)]
                for category, status in cells
            },
        )
        messages.success(request, _("Saved: {count} changed.").format(count=changed))
        return redirect("complaints:sla_table")
    rows = [
        {
            "label": ComplaintCategory(category).label,
            "fields": [form["{}__{}".format(category, status)] for status in OPEN_STATUSES],
        }
        for category in ComplaintCategory.values
    ]
    return render(
        request,
        "complaints/sla_table.html",
        {
            "form": form,
            "rows": rows,
            "steps": [ComplaintStatus(status).label for status in OPEN_STATUSES],
            "history": audit_history(objects=SlaRule.objects.all()),
        },
    )
