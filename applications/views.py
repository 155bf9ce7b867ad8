"""Pages of the application flow: the resident's side (apply, follow, withdraw, object) and the
officers' worklists. Views parse, call one service or selector, and render."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.choices import AuditAction, Role
from core.services import audit_log
from dtks.models import Household, Program, Region
from dtks.services import HOUSEHOLD_FIELDS
from silakso import ratelimit
from silakso.exceptions import DomainError
from silakso.forms import add_service_errors, run_form_service, run_service_action

from . import permissions as perms
from . import selectors, services
from .choices import BatchStatus, ObjectionStatus, ProposalKind, ProposalStatus
from .filtersets import ApplicationFilterSet
from .forms import (
    ApplicationForm,
    BatchForm,
    DeliberationForm,
    FieldCheckForm,
    HeadForm,
    ObjectionAnswerForm,
    ObjectionForm,
    ProposalFillForm,
    RatifyForm,
    RejectForm,
    ResultsForm,
    TrackForm,
    VerifyForm,
    WithdrawForm,
)
from .models import Application, ApplicationDocument, FieldCheck
from .resident_texts import contact_text, step_text
from .workflow import WITHDRAWABLE

TRACK_GRANT_MINUTES = 30


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role cannot open this page."))


def _action_page(request, form, *, title, submit, field_visit=False, **context):
    """The one-form page of a step (reject, withdraw, field check, ratify, ...)."""
    return render(
        request,
        "applications/action_form.html",
        {
            "form": form,
            "title": title,
            "submit": submit,
            "multipart": field_visit,
            "geolocate": field_visit,
            **context,
        },
    )


# ============================================================================ resident: apply
def apply_start(request):
    """Choose a program: what it gives, who can get it, which documents to bring."""
    programs = selectors.programs_open_for_applications(
        village_code=settings.SILAKSO_HOME_REGENCY + ".0"
    )
    return render(request, "applications/apply_start.html", {"programs": programs})


def apply(request, program_code):
    """The request form of one program (online, no account needed)."""
    program = get_object_or_404(selectors.programs_open_for_applications(), code=program_code)
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        program=program,
        villages=selectors.villages_for_residents(),
        initial=selectors.resident_initial(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                program=program,
                applicant=form.applicant(),
                village=Region.objects.get(code=form.cleaned_data["village"]),
                channel="online",
                actor=request.user,
                documents=form.document_uploads(),
                submission_key=form.cleaned_data.get("submission_key") or None,
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            _grant(request, application.code)
            request.session["submitted_application"] = application.code
            return redirect("applications:apply_done")
    return render(request, "applications/apply_form.html", {"form": form, "program": program})


def apply_done(request):
    """The tracking code, shown once to the person who just sent the request."""
    code = request.session.get("submitted_application")
    application = (
        Application.objects.select_related("program").filter(code=code).first() if code else None
    )
    if application is None:
        return redirect("applications:track")
    return render(request, "applications/apply_done.html", {"application": application})


# ============================================================================ resident: follow
def _grant(request, code: str) -> None:
    grants = request.session.get("tracked_applications", {})
    expires = timezone.now() + dt.timedelta(minutes=TRACK_GRANT_MINUTES)
    grants[code] = expires.isoformat()
    request.session["tracked_applications"] = grants


def _granted(request, code: str) -> bool:
    expires = request.session.get("tracked_applications", {}).get(code)
    return bool(expires) and dt.datetime.fromisoformat(expires) > timezone.now()


def track(request):
    """Follow a request with its tracking code and NIK (rate limited; same answer for wrong
    code and wrong NIK)."""
    form = TrackForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        allowed = ratelimit.allow_all(
            [
                ("track-ip", request.client_ip or "-", settings.SILAKSO_TRACK_LIMIT_PER_IP, 3600),
                ("track-code", code, settings.SILAKSO_TRACK_LIMIT_PER_CODE, 3600),
            ]
        )
        if not allowed:
            form.add_error(None, _("Too many tries. Please try again in an hour."))
            status = 429
        else:
            application = selectors.application_track(code=code, nik=form.cleaned_data["nik"])
            audit_log(
                actor=request.user,
                action=AuditAction.LOOKUP,
                object_type="applications.application",
                object_id=str(application.pk) if application else "",
                object_repr=code[:40],
                region_code=application.village_id if application else None,
                reason="track: {}".format("found" if application else "no match"),
            )
            if application is None:
                form.add_error(
                    None,
                    _(
                        "No request found for this code and NIK. Check both, or ask at the "
                        "village office."
                    ),
                )
            else:
                _grant(request, application.code)
                return redirect("applications:status", code=application.code)
    return render(request, "applications/track.html", {"form": form}, status=status)


def _public_application(request, code: str):
    """The application behind a status page: tracked in this session, owned, or in scope."""
    application = Application.objects.select_related("program", "village").filter(code=code).first()
    if application is None:
        raise Http404
    if _granted(request, code):
        return application
    user = request.user
    if user.is_authenticated and (
        selectors.application_list(user=user).filter(pk=application.pk).exists()
    ):
        return application
    raise Http404


def status(request, code):
    """Each step in plain words, what happens next and whom to ask."""
    application = _public_application(request, code)
    happened, following = step_text(application.status)
    return render(
        request,
        "applications/status.html",
        {
            "application": application,
            "steps": selectors.application_steps(application=application),
            "happened": happened,
            "following": following,
            "contact": contact_text(),
            "can_withdraw": application.status in WITHDRAWABLE,
        },
    )


def withdraw(request, code):
    """The resident withdraws their own request (before it is finalised)."""
    application = _public_application(request, code)
    form = WithdrawForm(request.POST or None)
    if run_form_service(
        request,
        form,
        lambda data: services.application_withdraw(
            application=application,
            actor=request.user if request.user.is_authenticated else None,
            reason=data["reason"],
        ),
        success=_("Your request has been withdrawn."),
    ):
        return redirect("applications:status", code=code)
    return render(request, "applications/withdraw.html", {"form": form, "application": application})


@login_required
def my_applications(request):
    """A resident's requests (account linked by NIK)."""
    _require(request.user.role == Role.RESIDENT)
    applications = selectors.application_list(user=request.user).order_by("-created_at")
    return render(request, "applications/my_applications.html", {"applications": applications})


# ============================================================================ public objection
def objection_create(request):
    """Anyone objects to a listed recipient or points out a missing neighbour (rate limited)."""
    form = ObjectionForm(
        request.POST or None, request.FILES or None, villages=selectors.villages_for_residents()
    )
    status_code = 200
    if request.method == "POST" and form.is_valid():
        if not services.objection_allow(ip=request.client_ip):
            form.add_error(
                None, _("Too many objections from this connection. Try again in an hour.")
            )
            status_code = 429
        else:
            try:
                objection = services.objection_submit(
                    kind=form.cleaned_data["kind"],
                    village=Region.objects.get(code=form.cleaned_data["village"]),
                    subject_name=form.cleaned_data["subject_name"],
                    subject_address=form.cleaned_data["subject_address"],
                    reason=form.cleaned_data["reason"],
                    objector_name=form.cleaned_data["objector_name"],
                    objector_phone=form.cleaned_data["objector_phone"],
                    evidence=form.cleaned_data.get("evidence"),
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                request.session["objection_code"] = objection.code
                return redirect("applications:objection_done")
    return render(request, "applications/objection_form.html", {"form": form}, status=status_code)


def objection_done(request):
    code = request.session.get("objection_code")
    if not code:
        return redirect("applications:objection_create")
    return render(request, "applications/objection_done.html", {"code": code})


def batch_verify(request, token):
    """What the QR code on a ratified annex leads to: is this list genuine?"""
    context = selectors.batch_public(token=token)
    if context is None:
        raise Http404
    return render(request, "applications/batch_verify.html", context)


# ============================================================================ staff: worklists
@login_required
def application_list(request):
    """Worklist with counters per step (how many, how long the oldest has waited) and filters."""
    _require(perms.can_read(request.user))
    filterset = ApplicationFilterSet(
        request.GET or None,
        queryset=selectors.application_list(user=request.user),
        request=request,
    )
    queryset = filterset.qs.order_by("status_changed_at", "pk")
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "applications/application_list.html",
        {
            "page": page,
            "filter": filterset,
            "counters": selectors.application_counters(user=request.user),
            "can_intake": perms.can_intake(request.user),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def intake_start(request):
    _require(perms.can_intake(request.user))
    programs = selectors.programs_open_for_applications(village_code=request.user.region_id)
    return render(request, "applications/apply_start.html", {"programs": programs, "staff": True})


@login_required
def intake(request, program_code):
    """An officer enters a request for a resident, recording how it reached them."""
    _require(perms.can_intake(request.user))
    program = get_object_or_404(Program.objects.active(), code=program_code)
    villages = (
        Region.objects.visible_to(request.user)
        .filter(level=4)
        .select_related("parent")
        .order_by("parent__name", "name")
    )
    form = ApplicationForm(
        request.POST or None, request.FILES or None, program=program, villages=villages, staff=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                program=program,
                applicant=form.applicant(),
                village=Region.objects.get(code=form.cleaned_data["village"]),
                channel=form.cleaned_data["channel"],
                actor=request.user,
                documents=form.document_uploads(),
                submission_key=form.cleaned_data.get("submission_key") or None,
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Request {code} received. Give the resident this code.").format(
                    code=application.code
                ),
            )
            return redirect("applications:application_detail", pk=application.pk)
    return render(
        request, "applications/apply_form.html", {"form": form, "program": program, "staff": True}
    )


def _application_or_404(request, pk):
    try:
        return selectors.application_get(user=request.user, pk=pk)
    except Exception as exc:
        raise Http404 from exc


@login_required
def application_detail(request, pk):
    """One application: applicant (NIK masked), screening, documents, steps, allowed actions."""
    _require(perms.can_read(request.user))
    application = _application_or_404(request, pk)
    audit_log(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=application,
        region_code=application.village_id,
    )
    return render(
        request,
        "applications/application_detail.html",
        {
            "application": application,
            "steps": application.status_changes.select_related("actor"),
            "documents": selectors.application_documents(
                user=request.user, application=application
            ),
            "checks": selectors.field_checks(user=request.user, application=application),
            "actions": selectors.application_actions(application=application, user=request.user),
            "verify_form": VerifyForm(),
            "proposal": getattr(application, "update_proposal", None),
            "objections": application.objections.all()
            if perms.can_read_objections(request.user)
            else [],
        },
    )


@login_required
@require_POST
def application_verify(request, pk):
    application = _application_or_404(request, pk)
    form = VerifyForm(request.POST)
    form.is_valid()
    run_service_action(
        request,
        lambda: services.application_verify(
            application=application, actor=request.user, note=form.cleaned_data.get("note", "")
        ),
        success=_("Verified. It goes into the next period list."),
    )
    return redirect("applications:application_detail", pk=pk)


@login_required
@require_POST
def application_take(request, pk):
    application = _application_or_404(request, pk)
    run_service_action(
        request,
        lambda: services.application_take(application=application, actor=request.user),
        success=_("The request is on your worklist."),
    )
    return redirect("applications:application_detail", pk=pk)


@login_required
def application_reject(request, pk):
    application = _application_or_404(request, pk)
    _require(perms.can_verify(request.user))
    form = RejectForm(request.POST or None)
    if run_form_service(
        request,
        form,
        lambda data: services.application_reject(
            application=application, actor=request.user, reason=data["reason"]
        ),
        success=_("Rejected. The resident is told the reason."),
    ):
        return redirect("applications:application_detail", pk=pk)
    return _action_page(
        request,
        form,
        application=application,
        title=_("Reject request {code}").format(code=application.code),
        submit=_("Reject"),
    )


@login_required
def application_withdraw_staff(request, pk):
    application = _application_or_404(request, pk)
    _require(perms.can_intake(request.user))
    form = WithdrawForm(request.POST or None)
    if run_form_service(
        request,
        form,
        lambda data: services.application_withdraw(
            application=application, actor=request.user, reason=data["reason"]
        ),
        success=_("The request has been withdrawn."),
    ):
        return redirect("applications:application_detail", pk=pk)
    return _action_page(
        request,
        form,
        application=application,
        title=_("Withdraw request {code} for the resident").format(code=application.code),
        submit=_("Withdraw"),
    )


@login_required
def application_field_check(request, pk):
    """The verifier's optional visit: photo (GPS), what was found."""
    application = _application_or_404(request, pk)
    _require(perms.can_verify(request.user))
    form = FieldCheckForm(request.POST or None, request.FILES or None)
    if run_form_service(
        request,
        form,
        lambda data: services.field_check_record(
            application=application,
            actor=request.user,
            notes=data["notes"],
            photo=data.get("photo"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        ),
        success=_("Field check saved."),
    ):
        return redirect("applications:application_detail", pk=pk)
    return _action_page(
        request,
        form,
        application=application,
        title=_("Field check for {code}").format(code=application.code),
        submit=_("Save"),
        field_visit=True,
    )


@login_required
def document_file(request, pk, document_pk):
    """An application's document, to staff in scope only; every opening is audited."""
    application = _application_or_404(request, pk)
    document = get_object_or_404(
        ApplicationDocument.objects.visible_to(request.user).filter(application=application),
        pk=document_pk,
    )
    audit_log(
        actor=request.user,
        action=AuditAction.VIEW_SENSITIVE,
        obj=document,
        region_code=application.village_id,
        object_repr=application.code,
    )
    return FileResponse(document.file.open("rb"), content_type=document.content_type)


@login_required
def field_check_photo(request, pk):
    check = get_object_or_404(FieldCheck.objects.visible_to(request.user).exclude(photo=""), pk=pk)
    audit_log(
        actor=request.user,
        action=AuditAction.VIEW_SENSITIVE,
        obj=check,
        region_code=check.village_id,
    )
    return FileResponse(check.photo.open("rb"), content_type="image/jpeg")


# ============================================================================ deliberation
@login_required
def deliberation_create(request):
    """The village head records the meeting (or SPTJM) and decides on each waiting request."""
    _require(perms.can_deliberate(request.user))
    village = request.user.region
    if village is None or village.level != 4:
        raise PermissionDenied(_("Your account is not linked to a village."))
    waiting = selectors.waiting_for_deliberation(user=request.user, village=village)
    form = DeliberationForm(
        request.POST or None,
        request.FILES or None,
        applications=waiting["applications"],
        proposals=waiting["proposals"],
    )
    if run_form_service(
        request,
        form,
        lambda data: services.deliberation_record(
            village=village,
            kind=data["kind"],
            held_on=data["held_on"],
            attendees=data.get("attendees"),
            document=data["document"],
            notes=data["notes"],
            decisions=form.decisions(),
            proposal_decisions=form.proposal_decisions(),
            actor=request.user,
        ),
        success=_("The deliberation is recorded. Residents are told."),
    ):
        return redirect("applications:deliberation_create")
    return render(
        request,
        "applications/deliberation_form.html",
        {
            "form": form,
            "village": village,
            "past": selectors.deliberation_list(user=request.user)[:10],
        },
    )


@login_required
def deliberation_document(request, pk):
    deliberation = get_object_or_404(selectors.deliberation_list(user=request.user), pk=pk)
    audit_log(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=deliberation,
        region_code=deliberation.village_id,
    )
    return FileResponse(deliberation.document.open("rb"), content_type=deliberation.document_type)


# ============================================================================ update proposals
@login_required
def proposal_list(request):
    _require(perms.can_read(request.user))
    proposals = selectors.proposal_list(user=request.user, filters=request.GET or None)
    if not request.GET.get("status"):
        proposals = proposals.exclude(status__in=[ProposalStatus.APPLIED, ProposalStatus.REJECTED])
    page = Paginator(proposals.order_by("status_changed_at", "pk"), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "applications/proposal_list.html", {"page": page})


def _proposal_or_404(request, pk):
    try:
        return selectors.proposal_get(user=request.user, pk=pk)
    except Exception as exc:
        raise Http404 from exc


@login_required
def proposal_detail(request, pk):
    _require(perms.can_read(request.user))
    proposal = _proposal_or_404(request, pk)
    audit_log(
        actor=request.user, action=AuditAction.VIEW, obj=proposal, region_code=proposal.village_id
    )
    labels = {name: Household._meta.get_field(name).verbose_name for name in HOUSEHOLD_FIELDS}
    return render(
        request,
        "applications/proposal_detail.html",
        {
            "proposal": proposal,
            "variables": [(labels.get(k, k), v) for k, v in proposal.variables.items()],
            "steps": proposal.status_changes.select_related("actor"),
            "checks": selectors.field_checks(user=request.user, proposal=proposal),
            "can_field": perms.can_field(request.user),
            "can_verify": perms.can_verify(request.user),
        },
    )


@login_required
def proposal_fill(request, pk):
    """The village operator fills in what they found (and, for a new household, its head)."""
    _require(perms.can_field(request.user))
    proposal = _proposal_or_404(request, pk)
    new = proposal.kind == ProposalKind.NEW_HOUSEHOLD and proposal.household_id is None
    initial = dict(proposal.variables)
    form = ProposalFillForm(
        request.POST or None, instance=proposal.household, initial=initial or None
    )
    head_form = (
        HeadForm(
            request.POST or None,
            prefix="head",
            initial={"nik": proposal.nik, "name": proposal.name, "kk_number": proposal.kk_number},
        )
        if new
        else None
    )
    if request.method == "POST" and form.is_valid() and (head_form is None or head_form.is_valid()):
        try:
            services.proposal_fill(
                proposal=proposal,
                variables=form.variables(),
                head=head_form.person_data() if head_form else None,
                kk_number=head_form.cleaned_data["kk_number"] if head_form else "",
                actor=request.user,
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
            if (
                head_form is not None
                and isinstance(exc, ValidationError)
                and hasattr(exc, "error_dict")
            ):
                for key, errors in exc.message_dict.items():
                    if key.startswith("head_") and key[5:] in head_form.fields:
                        for error in errors:
                            head_form.add_error(key[5:], error)
                    elif key == "kk_number":
                        for error in errors:
                            head_form.add_error("kk_number", error)
        else:
            messages.success(request, _("Saved. Next: the ground check with a photo of the house."))
            return redirect("applications:proposal_detail", pk=pk)
    return render(
        request,
        "applications/proposal_fill.html",
        {"form": form, "head_form": head_form, "proposal": proposal},
    )


@login_required
def proposal_ground_check(request, pk):
    _require(perms.can_field(request.user))
    proposal = _proposal_or_404(request, pk)
    form = FieldCheckForm(request.POST or None, request.FILES or None, photo_required=True)
    if run_form_service(
        request,
        form,
        lambda data: services.proposal_ground_check(
            proposal=proposal,
            actor=request.user,
            notes=data["notes"],
            photo=data["photo"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        ),
        success=_("Ground check saved. The village deliberation decides next."),
    ):
        return redirect("applications:proposal_detail", pk=pk)
    return _action_page(
        request,
        form,
        proposal=proposal,
        title=_("Ground check of {name}").format(name=proposal.name),
        submit=_("Save"),
        field_visit=True,
    )


@login_required
@require_POST
def proposal_verify(request, pk):
    proposal = _proposal_or_404(request, pk)
    run_service_action(
        request,
        lambda: services.proposal_verify(
            proposal=proposal, actor=request.user, note=request.POST.get("note", "")
        ),
        success=_("Verified and applied to the registry."),
    )
    return redirect("applications:proposal_detail", pk=pk)


@login_required
def proposal_reject(request, pk):
    proposal = _proposal_or_404(request, pk)
    form = RejectForm(request.POST or None)
    if run_form_service(
        request,
        form,
        lambda data: services.proposal_reject(
            proposal=proposal, actor=request.user, reason=data["reason"]
        ),
        success=_("The proposal is stopped."),
    ):
        return redirect("applications:proposal_detail", pk=pk)
    return _action_page(
        request,
        form,
        proposal=proposal,
        title=_("Stop update proposal {code}").format(code=proposal.code),
        submit=_("Stop"),
    )


# ============================================================================ period lists
@login_required
def batch_list(request):
    _require(perms.can_read(request.user))
    form = BatchForm(request.POST or None, initial={"cutoff": timezone.localdate()})
    can_manage = perms.can_manage_batches(request.user)
    if request.method == "POST":
        _require(can_manage)
        if form.is_valid():
            regency_code = ".".join(
                (request.user.region_id or settings.SILAKSO_HOME_REGENCY).split(".")[:2]
            )
            try:
                batch = services.batch_create(
                    regency=Region.objects.filter(code=regency_code).first(),
                    name=form.cleaned_data["name"],
                    cutoff=form.cleaned_data["cutoff"],
                    actor=request.user,
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                return redirect("applications:batch_detail", pk=batch.pk)
    return render(
        request,
        "applications/batch_list.html",
        {
            "batches": selectors.batch_list(user=request.user),
            "form": form,
            "can_manage": can_manage,
        },
    )


def _batch_or_404(request, pk):
    try:
        return selectors.batch_get(user=request.user, pk=pk)
    except Exception as exc:
        raise Http404 from exc


@login_required
def batch_detail(request, pk):
    _require(perms.can_read(request.user))
    batch = _batch_or_404(request, pk)
    candidates = (
        services.batch_candidates(batch).count() if batch.status == BatchStatus.OPEN else None
    )
    from core.models import Job

    jobs = Job.objects.filter(task_kwargs__batch_id=batch.pk).order_by("-created_at")[:5]
    return render(
        request,
        "applications/batch_detail.html",
        {
            "batch": batch,
            "candidates": candidates,
            "per_village": batch.applications.values("village__name", "status")
            .order_by("village__name")
            .annotate(total=Count("pk")),
            "can_manage": perms.can_manage_batches(request.user),
            "can_ratify": perms.can_ratify(request.user),
            "ratify_form": RatifyForm(initial={"date": timezone.localdate()}),
            "results_form": ResultsForm(),
            "jobs": jobs,
        },
    )


@login_required
@require_POST
def batch_finalise(request, pk):
    batch = _batch_or_404(request, pk)
    run_service_action(
        request,
        lambda: services.batch_finalise(batch=batch, actor=request.user),
        success=_("The list is finalised and waits for the regent's ratification."),
    )
    return redirect("applications:batch_detail", pk=pk)


@login_required
def batch_ratify(request, pk):
    batch = _batch_or_404(request, pk)
    _require(perms.can_ratify(request.user))
    form = RatifyForm(request.POST or None)
    if run_form_service(
        request,
        form,
        lambda data: services.batch_ratify(
            batch=batch, actor=request.user, number=data["number"], date=data["date"]
        ),
        success=_("Ratified. The annex (PDF) is being prepared."),
    ):
        return redirect("applications:batch_detail", pk=pk)
    return _action_page(
        request,
        form,
        batch=batch,
        title=_("Ratify {name}").format(name=batch.name),
        submit=_("Ratify"),
    )


@login_required
def batch_annex(request, pk):
    batch = _batch_or_404(request, pk)
    if not batch.annex:
        raise Http404
    audit_log(
        actor=request.user, action=AuditAction.EXPORT, obj=batch, region_code=batch.regency_id
    )
    return FileResponse(
        batch.annex.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename="lampiran-{}.pdf".format(batch.pk),
    )


@login_required
@require_POST
def batch_export(request, pk):
    batch = _batch_or_404(request, pk)
    job = run_service_action(
        request, lambda: services.batch_export_start(batch=batch, actor=request.user)
    )
    if job is None:
        return redirect("applications:batch_detail", pk=pk)
    return redirect("core:job_detail", pk=job.pk)


@login_required
def batch_export_file(request, pk):
    batch = _batch_or_404(request, pk)
    _require(perms.can_manage_batches(request.user))
    if not batch.export_file:
        raise Http404
    audit_log(
        actor=request.user, action=AuditAction.EXPORT, obj=batch, region_code=batch.regency_id
    )
    return FileResponse(
        batch.export_file.open("rb"),
        content_type="text/csv",
        as_attachment=True,
        filename="usulan-{}.csv".format(batch.pk),
    )


@login_required
def batch_results(request, pk):
    batch = _batch_or_404(request, pk)
    _require(perms.can_manage_batches(request.user))
    form = ResultsForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.batch_results_import(
                batch=batch, handle=form.cleaned_data["file"], actor=request.user
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("{accepted} accepted, {not_accepted} not accepted. Residents are told.").format(
                    **result
                ),
            )
    return render(
        request, "applications/batch_results.html", {"form": form, "batch": batch, "result": result}
    )


# ============================================================================ objections
@login_required
def objection_list(request):
    _require(perms.can_read_objections(request.user))
    status_value = request.GET.get("status") or ObjectionStatus.OPEN
    objections = selectors.objection_list(user=request.user, filters={"status": status_value})
    page = Paginator(objections.order_by("created_at"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "applications/objection_list.html",
        {
            "page": page,
            "status": status_value,
            "counts": selectors.objection_counts(user=request.user),
        },
    )


@login_required
def objection_detail(request, pk):
    _require(perms.can_read_objections(request.user))
    objection = get_object_or_404(selectors.objection_list(user=request.user), pk=pk)
    audit_log(
        actor=request.user,
        action=AuditAction.VIEW_SENSITIVE,
        obj=objection,
        region_code=objection.village_id,
    )
    candidates = selectors.application_list(user=request.user).filter(village=objection.village)
    form = ObjectionAnswerForm(
        request.POST or None,
        applications=candidates,
        initial={"application": objection.application_id},
    )
    if run_form_service(
        request,
        form,
        lambda data: services.objection_answer(
            objection=objection,
            actor=request.user,
            outcome=data["outcome"],
            answer=data["answer"],
            application=data.get("application"),
            reject_application=data["reject_application"],
        ),
        success=_("The objection is answered."),
    ):
        return redirect("applications:objection_list")
    return render(
        request,
        "applications/objection_detail.html",
        {"objection": objection, "form": form, "can_answer": perms.can_verify(request.user)},
    )


@login_required
def objection_evidence(request, pk):
    objection = get_object_or_404(
        selectors.objection_list(user=request.user).exclude(evidence=""), pk=pk
    )
    return FileResponse(objection.evidence.open("rb"), content_type=objection.evidence_type)
