"""Pages of case management (case workers), the provider portal (provider admins), service
letters and their public verification. Views parse, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dtks.models import Household
from dtks.nik import mask_nik
from dtks.selectors import household_get, mask_name, region_get, villages_by_district
from silakso.exceptions import NotFound
from silakso.forms import run_form_service, run_once, run_service_action
from silakso.paging import audited_page
from silakso.steps import step_view
from silakso.tables import attachment_response, date_param, table_response

from . import permissions as perms
from . import selectors, services
from .choices import CaseOrigin, LetterKind, NeedLevel, ReferralStatus
from .forms import (
    AssessmentForm,
    CaseForm,
    ConnectionForm,
    FollowUpForm,
    LetterForm,
    PlanForm,
    ReasonForm,
    ReferralForm,
    ServiceForm,
)
from .models import Case, Referral, Service, provider_of
from .workflow import CASE_FLOW, REFERRAL_FLOW


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role cannot open this page."))


def _case_or_404(request, pk) -> Case:
    try:
        return selectors.case_get(user=request.user, pk=pk)
    except (Case.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def _referral_or_404(request, pk) -> Referral:
    try:
        return selectors.referral_get(user=request.user, pk=pk)
    except (Referral.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


# ============================================================================ cases
@login_required
def case_list(request):
    _require(perms.can_work_cases(request.user))
    status = request.GET.get("status") or "open"
    cases = selectors.case_list(
        user=request.user, filters={"status": status, "q": request.GET.get("q", "")}
    )
    page = audited_page(request, cases.order_by("-created_at"), 30, object_type="referrals.case")
    return render(request, "referrals/case_list.html", {"page": page, "status": status})


@login_required
def case_create(request, household_pk):
    """Open the household's case: walk-in, or from a complaint or an aid application."""
    _require(perms.can_work_cases(request.user))
    try:
        household = household_get(user=request.user, pk=household_pk)
    except (Household.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    complaint = application = None
    origin = CaseOrigin.WALK_IN
    if request.GET.get("complaint") or request.POST.get("complaint"):
        from complaints.selectors import complaint_list

        complaint = get_object_or_404(
            complaint_list(user=request.user),
            pk=request.GET.get("complaint") or request.POST.get("complaint"),
        )
        origin = CaseOrigin.COMPLAINT
    elif request.GET.get("application") or request.POST.get("application"):
        from applications.selectors import application_list

        application = get_object_or_404(
            application_list(user=request.user),
            pk=request.GET.get("application") or request.POST.get("application"),
        )
        origin = CaseOrigin.APPLICATION
    form = CaseForm(
        request.POST if request.method == "POST" else None,
        initial={"contact_phone": getattr(complaint or application, "phone", "")},
    )
    response = run_once(
        request,
        form,
        lambda data: services.case_create(
            household=household,
            origin=origin,
            complaint=complaint,
            application=application,
            plan=data["plan"],
            contact_phone=data["contact_phone"],
            actor=request.user,
        ),
        redirect_to=lambda case: reverse("referrals:case_detail", args=[case.pk]),
        success=_("The case is open. Assess the needs next."),
    )
    if response is not None:
        return response
    return render(
        request,
        "referrals/case_form.html",
        {"form": form, "household": household, "complaint": complaint, "application": application},
    )


@login_required
def case_detail(request, pk):
    """The case: needs per domain, the plan, every referral and its progress, the follow-up."""
    _require(perms.can_work_cases(request.user))
    case = _open(services.case_open, request, pk)
    assessments = list(case.assessments.all())
    needs = [a for a in assessments if a.need != NeedLevel.NONE]
    return render(
        request,
        "referrals/case_detail.html",
        {
            "case": case,
            "assessment_form": AssessmentForm(assessments=assessments),
            "assessed": bool(needs),
            "needs": needs,
            "plan_form": PlanForm(initial={"plan": case.plan, "follow_up_on": case.follow_up_on}),
            "follow_up_form": FollowUpForm(),
            "referrals": case.referrals.select_related(
                "service", "provider", "individual"
            ).order_by("pk"),
            "progress": selectors.case_progress(case=case),
            "letters": case.letters.all(),
            "buttons": CASE_FLOW.buttons(case, request.user),
        },
    )


@login_required
@require_POST
def case_assess(request, pk):
    case = _case_or_404(request, pk)
    form = AssessmentForm(request.POST, assessments=case.assessments.all())
    if form.is_valid():
        for domain, need, notes in form.values():
            run_service_action(
                request,
                lambda d=domain, n=need, t=notes: services.case_assess(
                    case=case, domain=d, need=n, notes=t, actor=request.user
                ),
            )
        messages.success(request, _("The assessment is saved."))
    return redirect("referrals:case_detail", pk=pk)


@login_required
@require_POST
def case_plan(request, pk):
    case = _case_or_404(request, pk)
    form = PlanForm(request.POST)
    if not run_form_service(
        request,
        form,
        lambda data: services.case_plan(
            case=case, plan=data["plan"], follow_up_on=data["follow_up_on"], actor=request.user
        ),
        success=_("The plan is saved."),
    ):
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return redirect("referrals:case_detail", pk=pk)


@login_required
@require_POST
def case_follow_up(request, pk):
    case = _case_or_404(request, pk)
    form = FollowUpForm(request.POST)
    if not run_form_service(
        request,
        form,
        lambda data: services.case_follow_up_done(
            case=case, notes=data["notes"], actor=request.user
        ),
        success=_("The follow-up is recorded."),
    ):
        messages.error(request, _("Write what the follow-up found."))
    return redirect("referrals:case_detail", pk=pk)


# The steps of a case and of a referral, each served from its declaration in workflow.py.
case_action = step_view(
    CASE_FLOW,
    fetch=selectors.case_get,
    back=lambda case: (reverse("referrals:case_detail", args=[case.pk]), case.code),
)
referral_action = step_view(
    REFERRAL_FLOW,
    fetch=selectors.referral_get,
    back=lambda referral: (
        reverse("referrals:referral_detail", args=[referral.pk]),
        referral.service.name,
    ),
    context=lambda referral, step, user: (
        _duplicates_warning(referral) if step.code == "send" else {}
    ),
)


def _duplicates_warning(referral) -> dict:
    duplicates = selectors.referral_duplicates(referral)
    return {
        "warning_title": _("A similar service is already active or delivered:"),
        "warning_items": [
            "{} · {} · {}".format(d.service.name, d.provider.name, d.get_status_display())
            for d in duplicates
        ],
    }


def _open(service, request, pk):
    try:
        return service(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def referral_create(request, pk):
    """One need to one provider's service (a draft; sending checks duplicates and capacity)."""
    case = _case_or_404(request, pk)
    _require(perms.can_work_cases(request.user))
    form = ReferralForm(
        request.POST or None,
        services=selectors.service_list(user=request.user)
        .filter(is_active=True, provider__is_active=True)
        .order_by("domain", "provider__name", "name"),
        members=case.household.members.filter(status="alive").order_by("pk"),
    )
    response = run_once(
        request,
        form,
        lambda data: services.referral_create(
            case=case,
            service=data["service"],
            need=data["need"],
            individual=data["individual"],
            follow_up_on=data["follow_up_on"],
            actor=request.user,
        ),
        redirect_to=lambda referral: reverse("referrals:referral_detail", args=[referral.pk]),
    )
    if response is not None:
        return response
    return render(request, "referrals/referral_form.html", {"form": form, "case": case})


# ============================================================================ referrals
@login_required
def referral_detail(request, pk):
    """One referral, for the case worker or for the provider it was sent to."""
    _require(perms.can_read(request.user))
    referral = _open(services.referral_open, request, pk)
    buttons = REFERRAL_FLOW.buttons(referral, request.user)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "summary": referral.summary,
            "today": timezone.localdate(),
            "buttons": buttons,
            "actions": [button["code"] for button in buttons],
            "duplicates": selectors.referral_duplicates(referral)
            if referral.status == ReferralStatus.DRAFT
            else [],
            "steps": referral.status_changes.select_related("actor"),
            "notes": referral.notes.select_related("author"),
            "is_provider": referral.is_provider,
        },
    )


# ============================================================================ provider portal
def _my_provider(request):
    provider = provider_of(request.user)
    if provider is None:
        raise PermissionDenied(_("Your account does not work for a provider."))
    return provider


@login_required
def portal(request):
    """The provider's inbox: referrals sent to it, by status, with capacity used."""
    provider = _my_provider(request)
    counts = dict(
        selectors.referral_list(user=request.user).values_list("status").annotate(total=Count("pk"))
    )
    # opened without a tab: the new referrals, or those in service when nothing new waits (an
    # empty first tab looked as if nothing had been sent)
    in_service = counts.get(ReferralStatus.ACCEPTED, 0) + counts.get(ReferralStatus.IN_SERVICE, 0)
    default = "in_service" if not counts.get(ReferralStatus.SENT) and in_service else "sent"
    status = request.GET.get("status") or default
    referrals = selectors.referral_list(user=request.user)
    if status == "in_service":
        referrals = referrals.filter(
            status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE]
        )
    elif status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    page = audited_page(
        request,
        referrals.order_by("response_due_at", "pk"),
        30,
        object_type="referrals.referral",
    )
    return render(
        request,
        "referrals/portal.html",
        {
            "provider": provider,
            "page": page,
            "status": status,
            "counts": counts,
            "capacity": selectors.services_with_capacity(provider=provider),
        },
    )


@login_required
def portal_services(request):
    """The provider's catalogue and the connection of its own system (webhook and events)."""
    provider = _my_provider(request)
    form = ConnectionForm(
        request.POST if request.method == "POST" else None,
        initial={"webhook_url": provider.webhook_url},
    )
    if run_form_service(
        request,
        form,
        lambda data: services.provider_connection_save(
            provider=provider,
            webhook_url=data["webhook_url"],
            new_secret=data["new_secret"],
            actor=request.user,
        ),
        success=_("The connection is saved."),
    ):
        return redirect("referrals:portal_services")
    provider.refresh_from_db()
    return render(
        request,
        "referrals/portal_services.html",
        {
            "provider": provider,
            "capacity": selectors.services_with_capacity(provider=provider),
            "form": form,
            "events_url": request.build_absolute_uri(
                reverse("referrals-api:provider-events", args=[provider.pk])
            ),
        },
    )


def _service_form(request, provider, pk):
    """A service of ``provider`` (``pk``, or a new one) in its form, saved through the service
    on a valid POST: (form, service, saved)."""
    service = (
        get_object_or_404(Service, pk=pk, provider=provider) if pk else Service(provider=provider)
    )
    form = ServiceForm(request.POST or None, instance=service)
    saved = run_form_service(
        request,
        form,
        lambda data: services.service_save(service=form.instance, actor=request.user),
        success=_("The service is saved."),
    )
    return form, service, saved


@login_required
def service_edit(request, pk=None):
    """The provider admin keeps its own service catalogue current."""
    form, service, saved = _service_form(request, _my_provider(request), pk)
    if saved:
        return redirect("referrals:portal_services")
    return render(request, "referrals/service_form.html", {"form": form, "service": service})


# ============================================================================ letters
@login_required
def letter_list(request):
    _require(perms.can_issue_letters(request.user))
    page = audited_page(
        request, selectors.letter_list(user=request.user), 30, object_type="referrals.letter"
    )
    return render(
        request, "referrals/letter_list.html", {"page": page, "kinds": LetterKind.choices}
    )


@login_required
def letter_create(request, kind):
    _require(perms.can_issue_letters(request.user))
    if kind not in LetterKind.values:
        raise Http404
    villages = villages_by_district(user=request.user)
    form = LetterForm(request.POST or None, kind=kind, villages=villages)
    response = run_once(
        request,
        form,
        lambda data: services.letter_issue(
            kind=kind,
            region=region_get(data["region"]),
            recipient_name=data["recipient_name"],
            recipient_nik=data["recipient_nik"],
            details=form.details(),
            valid_until=data["valid_until"],
            actor=request.user,
        ),
        redirect_to=lambda letter: reverse("referrals:letter_list"),
        success=lambda letter: _("Letter {number} issued.").format(number=letter.number),
    )
    if response is not None:
        return response
    return render(request, "referrals/letter_form.html", {"form": form, "kind": LetterKind(kind)})


@login_required
def letter_pdf(request, pk):
    letter = _open(services.letter_pdf_open, request, pk)
    return attachment_response(
        letter.pdf,
        content_type="application/pdf",
        filename="{}.pdf".format(letter.number.replace("/", "-")),
    )


@login_required
def letter_revoke(request, pk):
    letter = get_object_or_404(selectors.letter_list(user=request.user), pk=pk)
    form = ReasonForm(request.POST or None)
    if run_form_service(
        request,
        form,
        lambda data: services.letter_revoke(
            letter=letter, actor=request.user, reason=data["reason"]
        ),
        success=_("The letter is revoked; its QR page now says so."),
    ):
        return redirect("referrals:letter_list")
    return render(
        request,
        "referrals/action_form.html",
        {"form": form, "title": _("Revoke {number}").format(number=letter.number)},
    )


def letter_verify(request, token):
    """The public page the letter's QR code leads to: genuine, valid, revoked or expired."""
    letter = selectors.letter_public(token=token)
    if letter is None:
        return render(request, "referrals/letter_verify.html", {"letter": None}, status=404)
    return render(
        request,
        "referrals/letter_verify.html",
        {
            "letter": letter,
            "today": timezone.localdate(),
            "name_masked": mask_name(letter.recipient_name),
            "nik_masked": mask_nik(letter.recipient_nik),
        },
    )


# ============================================================================ reports
@login_required
def report(request):
    _require(perms.can_issue_letters(request.user))
    since, until = date_param(request.GET.get("since")), date_param(request.GET.get("until"))
    return render(
        request,
        "referrals/report.html",
        {
            "report": selectors.report(user=request.user, since=since, until=until),
            "since": since,
            "until": until,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def export(request):
    _require(perms.can_issue_letters(request.user))
    since, until = date_param(request.GET.get("since")), date_param(request.GET.get("until"))
    rows = selectors.export_rows(user=request.user, since=since, until=until)
    services.referral_export_audit(actor=request.user)
    return table_response(
        rows,
        file_format=request.GET.get("format", "csv"),
        filename="rujukan",
        sheet=_("Referrals"),
    )


@login_required
def provider_list(request):
    """The directory of providers and their services with capacity and eligibility (for case
    workers choosing where to refer)."""
    can_edit = perms.has_role(request.user, *perms.CATALOGUE_ADMINS)
    _require(
        can_edit or perms.can_work_cases(request.user) or perms.can_issue_letters(request.user)
    )
    providers = selectors.provider_list(user=request.user).prefetch_related("services")
    return render(
        request, "referrals/provider_list.html", {"providers": providers, "can_edit": can_edit}
    )


# ============================================================================ settings
def _require_catalogue_admin(user) -> None:
    _require(perms.has_role(user, *perms.CATALOGUE_ADMINS))


def _require_letter_kind_admin(user) -> None:
    from core.permissions import configures_installation

    _require(configures_installation(user, *perms.CATALOGUE_ADMINS))


def _provider_regions(user):
    from dtks.models import Region

    regions = Region.objects.filter(level__in=[1, 2]).order_by("code")
    return regions if user.is_installation_wide else regions.within(user.region_id[:5])


@login_required
def provider_edit(request, pk=None):
    """An administrator adds or changes a provider, its accounts and its services."""
    from core.selectors import audit_history

    from .forms import ProviderAccountForm, ProviderForm
    from .models import Provider

    _require_catalogue_admin(request.user)
    provider = (
        get_object_or_404(selectors.provider_list(user=request.user), pk=pk) if pk else Provider()
    )
    form = ProviderForm(
        request.POST if "name" in request.POST else None,
        instance=provider,
        regions=_provider_regions(request.user),
    )
    if run_form_service(
        request,
        form,
        lambda data: services.provider_save(provider=form.instance, actor=request.user),
        success=_("The provider is saved."),
    ):
        return redirect("referrals:provider_edit", pk=form.instance.pk)
    account_form = None
    if provider.pk:
        accounts = selectors.provider_account_choices(provider=provider)
        account_form = ProviderAccountForm(
            request.POST if "user" in request.POST else None, accounts=accounts
        )
        if run_form_service(
            request,
            account_form,
            lambda data: services.provider_member_add(
                user=data["user"], provider=provider, actor=request.user
            ),
            success=_("The account now works for this provider."),
        ):
            return redirect("referrals:provider_edit", pk=provider.pk)
    return render(
        request,
        "referrals/provider_form.html",
        {
            "form": form,
            "provider": provider,
            "account_form": account_form,
            "members": provider.members.select_related("user") if provider.pk else [],
            "history": audit_history(objects=[provider, *provider.services.all()])
            if provider.pk
            else None,
        },
    )


@login_required
def provider_service_edit(request, provider_pk, pk=None):
    """An administrator keeps a provider's services (its own admin does so in its portal)."""
    _require_catalogue_admin(request.user)
    provider = get_object_or_404(selectors.provider_list(user=request.user), pk=provider_pk)
    form, service, saved = _service_form(request, provider, pk)
    if saved:
        return redirect("referrals:provider_edit", pk=provider.pk)
    return render(
        request,
        "includes/config_page.html",
        {
            "form": form,
            "title": service.name or _("New service"),
            "back_url": reverse("referrals:provider_edit", args=[provider.pk]),
            "back_label": provider.name,
            "history": None,
        },
    )


@login_required
def letter_template_list(request):
    from .models import LetterTemplate

    _require_letter_kind_admin(request.user)
    templates = {t.kind: t for t in LetterTemplate.objects.all()}
    kinds = [(value, label, templates.get(value)) for value, label in LetterKind.choices]
    return render(request, "referrals/letter_template_list.html", {"kinds": kinds})


@login_required
def letter_template_edit(request, kind):
    from core.selectors import audit_history

    from .forms import LetterTemplateForm
    from .models import LetterTemplate

    _require_letter_kind_admin(request.user)
    if kind not in LetterKind.values:
        raise Http404
    template = LetterTemplate.objects.filter(kind=kind).first() or LetterTemplate(kind=kind)
    form = LetterTemplateForm(request.POST or None, instance=template)
    if run_form_service(
        request,
        form,
        lambda data: services.letter_template_save(
            template=form.instance,
            actor=request.user,
            refused_programs=data.get("refused_programs"),
        ),
        success=_("The letter kind is saved. Letters issued from now on use it."),
    ):
        return redirect("referrals:letter_template_list")
    return render(
        request,
        "includes/config_page.html",
        {
            "form": form,
            "title": LetterKind(kind).label,
            "intro": _(
                "The opening paragraph and the signatory are printed on each letter of this kind "
                "issued from now on; letters already issued keep what they said."
            ),
            "back_url": reverse("referrals:letter_template_list"),
            "back_label": _("Letter kinds"),
            "history": audit_history(objects=[template]) if template.pk else None,
        },
    )
