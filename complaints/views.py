"""Pages of the complaint flow: residents complain, follow and rate; officers work their
queues. Views parse, call one service or selector, and render."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from applications.selectors import villages_for_residents
from core.choices import AuditAction
from core.services import audit_log
from dtks.models import Program, Region
from silakso import ratelimit
from silakso.forms import run_form_service, run_service_action
from silakso.tables import date_param, table_response

from . import permissions as perms
from . import selectors, services
from .filtersets import ComplaintFilterSet
from .forms import (
    CloseForm,
    ComplaintForm,
    NoteForm,
    ProgramForm,
    RatingForm,
    ResolveForm,
    ReturnForm,
    ReviewForm,
    TrackForm,
)
from .models import Complaint

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
def _submit(request, form, *, channel):
    """Submit the form's complaint; returns the complaint (and secret) or None with errors."""
    result = {}

    def call(data):
        result["complaint"], result["secret"] = services.complaint_submit(
            category=data["category"],
            description=data["description"],
            village=Region.objects.get(code=data["village"]),
            channel=channel or data["channel"],
            actor=request.user,
            complainant=form.complainant(),
            anonymous=data["anonymous"],
            membership_related=data["membership_related"],
            attachments=form.attachments(),
            submission_key=data.get("submission_key") or None,
        )

    if run_form_service(request, form, call):
        return result["complaint"], result["secret"]
    return None, None


def complaint_create(request):
    """Anyone complains online, no account needed (misuse may be reported anonymously)."""
    form = ComplaintForm(
        request.POST or None, request.FILES or None, villages=villages_for_residents()
    )
    complaint, secret = _submit(request, form, channel="online")
    if complaint is not None:
        _grant(request, complaint.code)
        request.session["complaint_done"] = {"code": complaint.code, "secret": secret or ""}
        return redirect("complaints:complaint_done")
    return render(request, "complaints/complaint_form.html", {"form": form})


def complaint_done(request):
    done = request.session.pop("complaint_done", None)
    if not done:
        return redirect("complaints:track")
    return render(request, "complaints/complaint_done.html", done)


def track(request):
    """Code + NIK (or code + secret): one answer for every mistake, rate limited, audited."""
    form = TrackForm(request.POST or None)
    status_code = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        if not ratelimit.allow_all(
            [
                ("ctrack-ip", request.client_ip or "-", settings.SILAKSO_TRACK_LIMIT_PER_IP, 3600),
                ("ctrack-code", code, settings.SILAKSO_TRACK_LIMIT_PER_CODE, 3600),
            ]
        ):
            form.add_error(None, _("Too many tries. Please try again in an hour."))
            status_code = 429
        else:
            complaint = selectors.complaint_track(
                code=code, nik=form.cleaned_data["nik"], secret=form.cleaned_data["secret"]
            )
            audit_log(
                actor=request.user,
                action=AuditAction.LOOKUP,
                object_type="complaints.complaint",
                object_id=str(complaint.pk) if complaint else "",
                object_repr=code[:40],
                region_code=complaint.village_id if complaint else None,
                reason="track: {}".format("found" if complaint else "no match"),
            )
            if complaint is None:
                form.add_error(None, _("No complaint found for this code. Check what you typed."))
            else:
                _grant(request, complaint.code)
                return redirect("complaints:status", code=complaint.code)
    return render(request, "complaints/track.html", {"form": form}, status=status_code)


def _public_complaint(request, code):
    complaint = Complaint.objects.select_related("village").filter(code=code).first()
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
            "now": services.step_text(complaint.status),
            "rating_form": RatingForm()
            if complaint.status == "closed" and complaint.rated_at is None
            else None,
        },
    )


@require_POST
def rate(request, code):
    complaint = _public_complaint(request, code)
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
    page = Paginator(filterset.qs.order_by("due_at", "pk"), 30).get_page(request.GET.get("page"))
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
    villages = (
        Region.objects.visible_to(request.user)
        .filter(level=4)
        .select_related("parent")
        .order_by("parent__name", "name")
    )
    form = ComplaintForm(request.POST or None, request.FILES or None, villages=villages, staff=True)
    complaint, _secret = _submit(request, form, channel=None)
    if complaint is not None:
        messages.success(
            request,
            _("Complaint {code} received. Give the resident this code.").format(
                code=complaint.code
            ),
        )
        return redirect("complaints:complaint_detail", pk=complaint.pk)
    return render(request, "complaints/complaint_form.html", {"form": form, "staff": True})


def _complaint_or_404(request, pk):
    try:
        return selectors.complaint_get(user=request.user, pk=pk)
    except (Complaint.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@login_required
def complaint_detail(request, pk):
    _require(perms.can_read(request.user))
    complaint = _complaint_or_404(request, pk)
    show_reporter = selectors.reporter_visible(complaint=complaint, user=request.user)
    audit_log(
        actor=request.user,
        action=AuditAction.VIEW_SENSITIVE
        if show_reporter and complaint.is_restricted
        else AuditAction.VIEW,
        obj=complaint,
        region_code=complaint.village_id,
    )
    return render(
        request,
        "complaints/complaint_detail.html",
        {
            "complaint": complaint,
            "show_reporter": show_reporter,
            "steps": complaint.status_changes.select_related("actor"),
            "escalations": complaint.escalations.all(),
            "attachments": selectors.attachments(user=request.user, complaint=complaint),
            "actions": selectors.complaint_actions(complaint=complaint, user=request.user),
            "now": timezone.now(),
        },
    )


# One table for the steps an officer takes on a complaint: the page's form, the service call,
# the title and button, and the confirmation.
ACTIONS = {
    "teruskan": (
        NoteForm,
        lambda complaint, user, data: services.complaint_forward(
            complaint=complaint, actor=user, note=data["note"]
        ),
        gettext_lazy("Forward to the district supervisor"),
        gettext_lazy("The complaint is forwarded."),
    ),
    "setujui": (
        NoteForm,
        lambda complaint, user, data: services.complaint_supervise(
            complaint=complaint, actor=user, approve=True, note=data["note"]
        ),
        gettext_lazy("Approve: send on to Dinsos"),
        gettext_lazy("Sent on to Dinsos."),
    ),
    "kembalikan": (
        ReturnForm,
        lambda complaint, user, data: services.complaint_supervise(
            complaint=complaint, actor=user, approve=False, note=data["note"]
        ),
        gettext_lazy("Return to the village"),
        gettext_lazy("Returned to the village."),
    ),
    "telaah": (
        ReviewForm,
        lambda complaint, user, data: services.complaint_review(
            complaint=complaint, actor=user, analysis=data["analysis"]
        ),
        gettext_lazy("Review and hand over to the back office"),
        gettext_lazy("Handed over to the back office."),
    ),
    "selesaikan": (
        ResolveForm,
        lambda complaint, user, data: services.complaint_resolve(
            complaint=complaint,
            actor=user,
            resolution=data["resolution"],
            resolved_by_kind=data["resolved_by_kind"],
        ),
        gettext_lazy("Record what was done"),
        gettext_lazy("Resolved. Tell the resident, then close the complaint."),
    ),
    "tutup": (
        CloseForm,
        lambda complaint, user, data: services.complaint_close(
            complaint=complaint, actor=user, told_via=data["told_via"]
        ),
        gettext_lazy("Close: the resident has been told"),
        gettext_lazy("Closed. The resident is asked for a rating."),
    ),
    "program": (
        ProgramForm,
        lambda complaint, user, data: services.complaint_link_program(
            complaint=complaint, actor=user, program=data["program"]
        ),
        gettext_lazy("Link to a program"),
        gettext_lazy("Linked to the program."),
    ),
}
BUTTONS = {"ambil", "usulan-pembaruan"}


@login_required
def complaint_action(request, pk, action):
    """A step of the complaint flow: a one-form page (or a button for take / update proposal)."""
    complaint = _complaint_or_404(request, pk)
    if action in BUTTONS:
        if request.method != "POST":
            raise Http404
        if action == "ambil":
            run_service_action(
                request,
                lambda: services.complaint_take(complaint=complaint, actor=request.user),
                success=_("You are in charge of this complaint."),
            )
        else:
            proposal = run_service_action(
                request,
                lambda: services.complaint_open_update_proposal(
                    complaint=complaint, actor=request.user
                ),
            )
            if proposal is not None:
                messages.success(
                    request,
                    _("Update proposal {code} is open; the village fills it in.").format(
                        code=proposal.code
                    ),
                )
        return redirect("complaints:complaint_detail", pk=pk)
    if action not in ACTIONS:
        raise Http404
    form_class, call, title, success = ACTIONS[action]
    extra = {}
    if form_class is ProgramForm:
        extra["programs"] = Program.objects.active().available_in(complaint.village_id)
    form = form_class(request.POST or None, **extra)
    if run_form_service(
        request, form, lambda data: call(complaint, request.user, data), success=str(success)
    ):
        return redirect("complaints:complaint_detail", pk=pk)
    return render(
        request,
        "complaints/action_form.html",
        {"form": form, "complaint": complaint, "title": title},
    )


@login_required
def attachment_file(request, pk, attachment_pk):
    complaint = _complaint_or_404(request, pk)
    attachment = get_object_or_404(
        selectors.attachments(user=request.user, complaint=complaint), pk=attachment_pk
    )
    audit_log(
        actor=request.user,
        action=AuditAction.VIEW_SENSITIVE,
        obj=complaint,
        region_code=complaint.village_id,
        reason=attachment.file.name,
    )
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)


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
    audit_log(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="complaints.complaint",
        object_repr="complaints export",
        region_code=request.user.scope_code,
        changes={"filters": [None, dict(filters)]},
    )
    return table_response(
        rows, file_format=file_format, filename="pengaduan", sheet=_("Complaints")
    )
