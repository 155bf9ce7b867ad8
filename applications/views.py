"""Pages of the application flow: the resident's side (apply, follow, withdraw, object) and the
officers' worklists. Views parse, call one service or selector, and render."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from dtks.selectors import region_get, villages_by_district
from silakso import ratelimit
from silakso.codes import normalize_code
from silakso.exceptions import DomainError, NotFound
from silakso.forms import add_service_errors, run_form_service, run_once
from silakso.paging import audited_page
from silakso.steps import step_view
from silakso.tables import attachment_response

from . import permissions as perms
from . import selectors, services
from .choices import ObjectionStatus, ProposalKind, ProposalStatus
from .filtersets import ApplicationFilterSet
from .forms import (
    ApplicationForm,
    BatchForm,
    DeliberationForm,
    HeadForm,
    ObjectionAnswerForm,
    ObjectionForm,
    ProposalFillForm,
    ResultsForm,
    TrackForm,
    WithdrawForm,
)
from .models import Application, Batch, UpdateProposal
from .resident_texts import contact_text, step_text
from .workflow import APPLICATION_FLOW, BATCH_FLOW, PROPOSAL_FLOW, WITHDRAWABLE

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
        villages=selectors.resident_village_choices(),
        initial=selectors.resident_initial(user=request.user),
    )
    response = run_once(
        request,
        form,
        lambda data: services.application_submit(
            program=program,
            applicant=form.applicant(),
            village=region_get(data["village"]),
            channel="online",
            actor=request.user,
            documents=form.document_uploads(),
        ),
        redirect_to=lambda application: _done_url(request, application),
    )
    if response is not None:
        return response
    return render(request, "applications/apply_form.html", {"form": form, "program": program})


def _done_url(request, application) -> str:
    """Where the resident reads the tracking code; a retry of the same form (its answer lost
    on the way) is sent to the same page by its receipt, the code signed into the address."""
    from django.core import signing

    _grant(request, application.code)
    request.session["submitted_application"] = application.code
    token = signing.dumps(application.code, salt="silakso-apply-done", compress=True)
    return "{}?t={}".format(reverse("applications:apply_done"), token)


def apply_done(request):
    """The tracking code, shown once to the person who just sent the request."""
    from django.core import signing

    code = request.session.get("submitted_application")
    if not code and request.GET.get("t"):
        try:
            code = signing.loads(request.GET["t"], salt="silakso-apply-done", max_age=2 * 86400)
        except signing.BadSignature:
            code = None
    application = selectors.application_by_code(code) if code else None
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
        # one canonical form (lower case, spaces, no dashes all alike), for the lookup and
        # for the limit: a spelling variant is neither "not found" nor a fresh counter
        code = normalize_code(form.cleaned_data["code"], "U")
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
            application = services.application_lookup(
                code=code, nik=form.cleaned_data["nik"], actor=request.user
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
    application = selectors.application_by_code(code)
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
        request.POST or None,
        request.FILES or None,
        villages=selectors.resident_village_choices(),
    )
    status_code = 200
    if request.method == "POST" and form.is_valid():
        if not services.objection_allow(ip=request.client_ip):
            form.add_error(
                None, _("Too many objections from this connection. Try again in an hour.")
            )
            status_code = 429
        else:
            response = run_once(
                request,
                form,
                lambda data: services.objection_submit(
                    kind=data["kind"],
                    village=region_get(data["village"]),
                    subject_name=data["subject_name"],
                    subject_address=data["subject_address"],
                    reason=data["reason"],
                    objector_name=data["objector_name"],
                    objector_phone=data["objector_phone"],
                    evidence=data.get("evidence"),
                    objector=request.user,
                ),
                redirect_to=lambda objection: _objection_done_url(request, objection),
            )
            if response is not None:
                return response
    return render(request, "applications/objection_form.html", {"form": form}, status=status_code)


def _objection_done_url(request, objection) -> str:
    from django.core import signing

    request.session["objection_code"] = objection.code
    token = signing.dumps(objection.code, salt="silakso-objection-done")
    return "{}?t={}".format(reverse("applications:objection_done"), token)


def objection_done(request):
    from django.core import signing

    code = request.session.get("objection_code")
    if not code and request.GET.get("t"):
        try:
            code = signing.loads(request.GET["t"], salt="silakso-objection-done", max_age=2 * 86400)
        except signing.BadSignature:
            code = None
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
    page = audited_page(request, queryset, 30, object_type="applications.application")
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
    program = get_object_or_404(selectors.programs_for_intake(), code=program_code)
    villages = villages_by_district(user=request.user)
    form = ApplicationForm(
        request.POST or None, request.FILES or None, program=program, villages=villages, staff=True
    )
    response = run_once(
        request,
        form,
        lambda data: services.application_submit(
            program=program,
            applicant=form.applicant(),
            village=region_get(data["village"]),
            channel=data["channel"],
            actor=request.user,
            documents=form.document_uploads(),
        ),
        redirect_to=lambda application: reverse(
            "applications:application_detail", args=[application.pk]
        ),
        success=lambda application: _(
            "Request {code} received. Give the resident this code."
        ).format(code=application.code),
    )
    if response is not None:
        return response
    return render(
        request, "applications/apply_form.html", {"form": form, "program": program, "staff": True}
    )


def _application_or_404(request, pk):
    try:
        return selectors.application_get(user=request.user, pk=pk)
    except (Application.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@login_required
def application_detail(request, pk):
    """One application: applicant (NIK masked), screening, documents, steps, allowed actions."""
    _require(perms.can_read(request.user))
    application = _open(services.application_open, request, pk)
    buttons = APPLICATION_FLOW.buttons(application, request.user)
    return render(
        request,
        "applications/application_detail.html",
        {
            "application": application,
            "steps": application.status_changes.all(),
            "documents": selectors.application_documents(
                user=request.user, application=application
            ),
            "checks": selectors.field_checks(user=request.user, application=application),
            "buttons": buttons,
            "actions": [button["code"] for button in buttons],
            "proposal": getattr(application, "update_proposal", None),
            "objections": application.objections.all()
            if perms.can_read_objections(request.user)
            else [],
        },
    )


def _open(service, request, pk, **kwargs):
    """An audited read; a miss (outside the caller's area) is 404."""
    try:
        return service(user=request.user, pk=pk, **kwargs)
    except NotFound as exc:
        raise Http404 from exc


# Every one-form step of the three flows (verify, reject, withdraw, field check, ground check,
# ratify...) is served by the shared step view from its declaration in workflow.py.
application_action = step_view(
    APPLICATION_FLOW,
    fetch=selectors.application_get,
    back=lambda application: (
        reverse("applications:application_detail", args=[application.pk]),
        application.code,
    ),
)
proposal_action = step_view(
    PROPOSAL_FLOW,
    fetch=selectors.proposal_get,
    back=lambda proposal: (
        reverse("applications:proposal_detail", args=[proposal.pk]),
        proposal.code,
    ),
)
batch_action = step_view(
    BATCH_FLOW,
    fetch=selectors.batch_get,
    back=lambda batch: (reverse("applications:batch_detail", args=[batch.pk]), batch.name),
)


@login_required
def document_file(request, pk, document_pk):
    """An application's document, to staff in scope only; every opening is audited."""
    application = _application_or_404(request, pk)
    document = _open(
        services.application_document_open, request, document_pk, application=application
    )
    return attachment_response(document.file, content_type=document.content_type)


@login_required
def field_check_photo(request, pk):
    check = _open(services.field_check_photo_open, request, pk)
    return attachment_response(check.photo, content_type="image/jpeg")


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
    response = run_once(
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
        redirect_to=lambda deliberation: reverse("applications:deliberation_create"),
        success=_("The deliberation is recorded. Residents are told."),
    )
    if response is not None:
        return response
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
    deliberation = _open(services.deliberation_open, request, pk)
    return attachment_response(deliberation.document, content_type=deliberation.document_type)


# ============================================================================ update proposals
@login_required
def proposal_list(request):
    _require(perms.can_read(request.user))
    proposals = selectors.proposal_list(user=request.user, filters=request.GET or None)
    if not request.GET.get("status"):
        proposals = proposals.exclude(status__in=[ProposalStatus.APPLIED, ProposalStatus.REJECTED])
    page = audited_page(
        request,
        proposals.order_by("status_changed_at", "pk"),
        30,
        object_type="applications.updateproposal",
    )
    return render(request, "applications/proposal_list.html", {"page": page})


def _proposal_or_404(request, pk):
    try:
        return selectors.proposal_get(user=request.user, pk=pk)
    except (UpdateProposal.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@login_required
def proposal_detail(request, pk):
    _require(perms.can_read(request.user))
    proposal = _open(services.proposal_open, request, pk)
    return render(
        request,
        "applications/proposal_detail.html",
        {
            "proposal": proposal,
            "variables": selectors.proposal_variables(proposal=proposal),
            "steps": proposal.status_changes.select_related("actor"),
            "checks": selectors.field_checks(user=request.user, proposal=proposal),
            "buttons": PROPOSAL_FLOW.buttons(proposal, request.user),
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
            response = run_once(
                request,
                form,
                lambda data: services.batch_create(
                    regency=region_get(regency_code),
                    name=data["name"],
                    cutoff=data["cutoff"],
                    actor=request.user,
                ),
                redirect_to=lambda batch: reverse("applications:batch_detail", args=[batch.pk]),
            )
            if response is not None:
                return response
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
    except (Batch.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@login_required
def batch_detail(request, pk):
    _require(perms.can_read(request.user))
    batch = _batch_or_404(request, pk)
    return render(
        request,
        "applications/batch_detail.html",
        {
            **selectors.batch_overview(batch=batch),
            "batch": batch,
            "buttons": BATCH_FLOW.buttons(batch, request.user),
            "can_manage": perms.can_manage_batches(request.user),
        },
    )


@login_required
def batch_annex(request, pk):
    batch = _open(services.batch_file_open, request, pk, which="annex")
    return attachment_response(
        batch.annex, content_type="application/pdf", filename="lampiran-{}.pdf".format(batch.pk)
    )


@login_required
def batch_export_file(request, pk):
    _require(perms.can_manage_batches(request.user))
    batch = _open(services.batch_file_open, request, pk, which="export_file")
    return attachment_response(
        batch.export_file, content_type="text/csv", filename="usulan-{}.csv".format(batch.pk)
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
    page = audited_page(
        request, objections.order_by("created_at"), 30, object_type="applications.objection"
    )
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
    objection = _open(services.objection_open, request, pk)
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
    objection = _open(services.objection_open, request, pk, evidence=True)
    return attachment_response(objection.evidence, content_type=objection.evidence_type)
