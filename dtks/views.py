"""HTML views of the registry: thin — parse the form, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.choices import Role
from core.extensions import collect
from core.permissions import has_role
from core.scope import within
from core.selectors import audit_history
from silakso.exceptions import DomainError, Forbidden, NotFound
from silakso.forms import QuickSelect, add_service_errors, run_form_service, run_once
from silakso.paging import audited_page
from silakso.replicas import replica_reads, replica_view
from silakso.steps import step_view
from silakso.tables import attachment_response

from . import selectors, services
from .filtersets import HouseholdFilterSet, RegionFilterSet
from .forms import (
    CampaignForm,
    CekBansosForm,
    EnrollmentEndForm,
    EnrollmentForm,
    EnrollmentImportForm,
    ExtractImportForm,
    FlagResolveForm,
    HouseholdCreateForm,
    HouseholdForm,
    MemberCorrectForm,
    PartnerImportForm,
    PeriodForm,
    PmtWeightForm,
    ProgramForm,
    RecipientForm,
    RegistryImportForm,
    period_choices,
)
from .models import REGION_SOURCE, Individual, Region
from .permissions import (
    can_edit_registry,
    can_import_registry,
    can_manage_programs,
    can_manage_recipients,
    can_read_registry,
)
from .pmt import explain as explain_pmt
from .search import MAX_NAME_MATCHES, number_query
from .services.merge import can_merge as can_merge_records
from .workflow import CAMPAIGN_ITEM_STEPS, HOUSEHOLD_STEPS, ROUND_STEPS


def _require_reader(user) -> None:
    if not can_read_registry(user):
        raise PermissionDenied(_("Your role does not use the registry."))


def _require_editor(user) -> None:
    if not can_edit_registry(user):
        raise PermissionDenied(_("Your role cannot change registry data."))


def _household_or_404(request, pk):
    try:
        return selectors.household_get(user=request.user, pk=pk)
    except selectors.Household.DoesNotExist as exc:
        raise Http404 from exc


def _individual_or_404(request, pk) -> Individual:
    return get_object_or_404(selectors.individual_list(user=request.user), pk=pk)


# ============================================================================ regions
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
    return _job_page(lambda: services.region_reload_start(actor=request.user))


def _job_page(start):
    """Start a background job (a service) and show its progress page; a refusal is 403."""
    try:
        job = start()
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from exc
    return redirect("core:job_detail", pk=job.pk)


# ============================================================================ households
@login_required
@replica_view
def household_list(request):
    """Find a household by NIK, KK number, (misspelt) name or address, and filter the list."""
    _require_reader(request.user)
    queryset = selectors.household_list(user=request.user)
    filterset = HouseholdFilterSet(request.GET or None, queryset=queryset, request=request)
    page = audited_page(
        request,
        filterset.qs if filterset.is_bound else queryset,
        25,
        object_type="dtks.household",
    )
    typed = (request.GET.get("q") or "").strip()
    context = {
        "filterset": filterset,
        "page": page,
        # a name search lists its closest matches only: say so when the list is full
        "closest_only": bool(typed)
        and not number_query(typed)
        and page.paginator.count >= MAX_NAME_MATCHES,
        "closest_limit": MAX_NAME_MATCHES,
        "can_edit": can_edit_registry(request.user),
        "can_import": can_import_registry(request.user),
        "village_select": QuickSelect(
            attrs={"id": "f-region"},
            choices=[
                ("", _("All villages in my area")),
                *selectors.village_options(user=request.user),
            ],
        ).render("region", filterset.form["region"].value()),
    }
    template = (
        "dtks/partials/_household_results.html" if request.htmx else "dtks/household_list.html"
    )
    return render(request, template, context)


@login_required
def household_create(request):
    """Register a new household: address, KK and head; the survey variables come next."""
    _require_editor(request.user)
    villages = selectors.villages_in_scope(user=request.user)
    form = HouseholdCreateForm(request.POST or None, villages=villages)
    if villages.count() == 1:
        form.fields["village"].initial = villages.first()
    response = run_once(
        request,
        form,
        lambda data: services.household_create(
            village=data["village"],
            data={"address": data["address"], "rt": data["rt"], "rw": data["rw"]},
            head=form.person_data(),
            kk_number=data["kk_number"],
            source=data["source"],
            reason=data["reason"],
            actor=request.user,
        ),
        redirect_to=lambda household: reverse("dtks:household_update", args=[household.pk]),
        success=_("The household is registered. Now fill in the house data."),
        prefix_map={"head_" + f: f for f in services.PERSON_FIELDS},
    )
    if response is not None:
        return response
    return render(
        request,
        "dtks/household_action.html",
        {"form": form, "title": _("Register a new household"), "submit": _("Register")},
    )


@login_required
def household_detail(request, pk):
    """The household page: members, programs, desil and score, photos, problems, history."""
    try:
        household = services.household_open(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    history = selectors.household_history(household=household)[:100]
    return render(
        request,
        "dtks/household_detail.html",
        {
            "household": household,
            "history": history,
            "variables": selectors.household_variables(household=household),
            "pmt_explanation": explain_pmt(household),
            "can_edit": can_edit_registry(request.user),
            "can_merge": can_merge_records(request.user),
            "buttons": HOUSEHOLD_STEPS.buttons(household, request.user),
            "can_manage_programs": can_manage_programs(request.user),
            "links": collect("household_links", household, request.user),
        },
    )


@login_required
def household_update(request, pk):
    """Edit the house and socio-economic data, with a reason; stale edits are refused."""
    _require_editor(request.user)
    household = _household_or_404(request, pk)
    initial = {"version": household.version}
    form = HouseholdForm(request.POST or None, instance=household, initial=initial)
    if run_form_service(
        request,
        form,
        lambda data: services.household_update(
            household=household,
            data={name: data[name] for name in services.HOUSEHOLD_FIELDS},
            version=data["version"],
            reason=data["reason"],
            source=data["source"],
            actor=request.user,
        ),
        success=_("Saved. The change is in the household history."),
    ):
        return redirect("dtks:household_detail", pk=household.pk)
    return render(
        request,
        "dtks/household_form.html",
        {"form": form, "household": household, "stale": form.stale},
    )


# ============================================================================ member events
# One screen per member event (birth, moved in, death, moved out, new head, split KK), each
# declared in workflow.py and served by the shared step view.
member_event = step_view(
    HOUSEHOLD_STEPS,
    fetch=selectors.household_get,
    back=lambda household: (
        reverse("dtks:household_detail", args=[household.pk]),
        _("Back to the household at {address}").format(address=household.address),
    ),
)


@login_required
def individual_update(request, pk):
    """Correct a member's data (typo in a name, wrong birth date or NIK) with a reason."""
    _require_editor(request.user)
    person = _individual_or_404(request, pk)
    household = person.household
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    initial.update(version=household.version, relation_to_head=person.relation_to_head)
    form = MemberCorrectForm(request.POST or None, initial=initial)
    if run_form_service(
        request,
        form,
        lambda data: services.individual_correct(
            individual=person,
            data={**form.person_data(), "relation_to_head": data["relation_to_head"]},
            reason=data["reason"],
            source=data["source"],
            version=data["version"],
            actor=request.user,
        ),
        success=_("Saved. The change is in the household history."),
    ):
        return redirect("dtks:household_detail", pk=household.pk)
    return render(
        request,
        "dtks/household_action.html",
        {
            "form": form,
            "household": household,
            "title": _("Correct the data of {name}").format(name=person.name),
            "submit": _("Save"),
            "stale": form.stale,
        },
    )


@login_required
@require_POST
def nik_reveal(request, pk):
    """Show one full NIK (an audited read). Answers the fragment that replaces the masked one."""
    person = _individual_or_404(request, pk)
    try:
        nik = services.nik_reveal(individual=person, actor=request.user)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    html = format_html('<span class="nik" data-testid="nik-full">{}</span>', nik)
    if request.htmx:
        return HttpResponse(html)
    messages.info(request, _("NIK of {name}: {nik}").format(name=person.name, nik=nik))
    return redirect("dtks:household_detail", pk=person.household_id)


# ============================================================================ local PMT
@login_required
def pmt_overview(request):
    """The active PMT weights, the runs so far, and the button to rank now."""
    _require_reader(request.user)
    if request.method == "POST":
        return _job_page(lambda: services.pmt_rank_start(actor=request.user))
    weight_set, rows, runs, drafts = selectors.pmt_overview()
    return render(
        request,
        "dtks/pmt_overview.html",
        {
            "weight_set": weight_set,
            "rows": rows,
            "runs": runs,
            "drafts": drafts,
            "can_run": can_manage_programs(request.user),
        },
    )


@login_required
def pmt_weight_create(request):
    """Draft new PMT weights, starting from the ones in use; a second person approves them."""
    import json

    from .models import PmtWeightSet

    if not can_manage_programs(request.user):
        raise PermissionDenied(_("Only data managers and administrators change the PMT weights."))
    current = PmtWeightSet.objects.filter(is_active=True).order_by("-version").first()
    initial = {}
    if current is not None:
        initial = {
            "name": current.name,
            "intercept": current.intercept,
            "weights": json.dumps(current.weights, indent=2, ensure_ascii=False),
        }
    form = PmtWeightForm(request.POST or None, initial=initial)
    saved = {}
    if run_form_service(
        request,
        form,
        lambda data: saved.setdefault(
            "set",
            services.pmt_weight_set_save(
                weight_set=PmtWeightSet(
                    name=data["name"],
                    notes=data["notes"],
                    intercept=data["intercept"],
                    weights=data["weights"],
                ),
                actor=request.user,
            ),
        ),
        success=_("The draft is saved. Another data manager or administrator approves it."),
    ):
        return redirect("dtks:pmt_weight_detail", pk=saved["set"].pk)
    return render(
        request,
        "includes/config_page.html",
        {
            "form": form,
            "title": _("New PMT weights (draft)"),
            "intro": _(
                "The weights you save here are a draft: ranking keeps using the weights in use "
                "until another data manager or administrator approves yours."
            ),
            "back_url": reverse("dtks:pmt_overview"),
            "back_label": _("Local PMT"),
            "submit": _("Save the draft"),
            "history": None,
        },
    )


@login_required
def pmt_weight_detail(request, pk):
    """One weight set in words, beside the weights in use; a second person approves a draft."""
    from .models import PmtWeightSet

    _require_reader(request.user)
    weight_set = get_object_or_404(PmtWeightSet.objects.select_related("created_by"), pk=pk)
    if request.method == "POST":
        if not can_manage_programs(request.user):
            raise PermissionDenied(
                _("Only data managers and administrators approve the PMT weights.")
            )
        try:
            services.pmt_weight_set_approve(weight_set=weight_set, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Approved: new runs use these weights."))
            return redirect("dtks:pmt_overview")
    current = PmtWeightSet.objects.filter(is_active=True).exclude(pk=weight_set.pk).first()
    mine = dict(selectors.pmt_weight_rows(weight_set.weights))
    theirs = dict(selectors.pmt_weight_rows(current.weights)) if current else {}
    rows = [
        (variable, mine.get(variable, "–"), theirs.get(variable, "–"))
        for variable in sorted(set(mine) | set(theirs))
    ]
    return render(
        request,
        "dtks/pmt_weight_detail.html",
        {
            "weight_set": weight_set,
            "current": current,
            "rows": rows,
            "can_approve": weight_set.is_draft
            and can_manage_programs(request.user)
            and weight_set.created_by_id != request.user.pk,
            "history": audit_history(objects=[weight_set]),
        },
    )


# ============================================================================ import, export
@login_required
def registry_import(request):
    """Upload a ministry extract; it is imported as a background job with a progress bar."""
    if not can_import_registry(request.user):
        raise PermissionDenied(_("Only data managers and administrators import registry data."))
    form = ExtractImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return _job_page(
            lambda: services.registry_import_start(
                upload=form.cleaned_data["file"],
                actor=request.user,
                extract_date=form.cleaned_data["extract_date"],
                extract_wins=form.cleaned_data["extract_wins"],
            )
        )
    return render(request, "dtks/registry_import.html", {"form": form})


def registry_import_example(request):
    """The header of the import format and one example row, to start a spreadsheet from."""
    from .bulk import COLUMNS

    example = {
        "dtks_id": "3201010001000001",
        "village_code": "19.04.01.1001",
        "address": "Jl. Merdeka No. 5",
        "rt": "001",
        "rw": "002",
        "floor_material": "cement",
        "wall_material": "masonry",
        "roof_material": "zinc",
        "floor_area": "36",
        "water_source": "protected_well",
        "toilet": "private",
        "lighting": "pln_450",
        "cooking_fuel": "lpg_3kg",
        "house_ownership": "own",
        "land_ownership": "own",
        "has_motorcycle": "1",
        "livestock_count": "0",
        "income_band": "1m_2m",
        "desil": "3",
        "desil_as_of": "2026-07-01",
        "kk_number": "1904011203150004",
        "nik": "1904011508800003",
        "name": "Ahmad Saputra",
        "birth_place": "Koba",
        "birth_date": "1980-08-15",
        "sex": "male",
        "relation_to_head": "head",
        "marital_status": "married",
        "education": "primary",
        "occupation": "fisher",
        "disability": "none",
        "status": "alive",
        "id_card_status": "has_ektp",
    }
    body = (
        ",".join(c.name for c in COLUMNS)
        + "\n"
        + ",".join(example.get(c.name, "0" if c.kind == "bool" else "") for c in COLUMNS)
        + "\n"
    )
    response = HttpResponse(body.encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="contoh-impor-dtks.csv"'
    return response


@login_required
def registry_export(request):
    """The filtered households' people in the import format. A small export (up to a few
    thousand people) is streamed at once; a larger one runs as a job that writes the file."""
    from django.http import StreamingHttpResponse

    from . import bulk, exports

    _require_reader(request.user)
    filters = request.GET.dict()
    file_format = filters.pop("format", "csv")
    people = exports.export_people(user=request.user, filters=filters)
    count = people.count()
    if count > exports.INLINE_ROWS or (file_format == "xlsx" and count > 2000):
        if file_format == "xlsx" and count > exports.XLSX_LIMIT:
            raise PermissionDenied(
                _("Too many rows for Excel ({count}); download CSV instead.").format(count=count)
            )
        return _job_page(
            lambda: services.registry_export_start(
                actor=request.user, filters=filters, file_format=file_format
            )
        )
    services.export_audit(actor=request.user, filters=request.GET.dict(), rows=count)
    stamp = timezone.localdate().isoformat()
    if file_format == "xlsx":
        import tempfile

        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by response
        bulk.export_xlsx(people, handle.name)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename="dtks-{}.xlsx".format(stamp))
    response = StreamingHttpResponse(bulk.export_csv(people), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="dtks-{}.csv"'.format(stamp)
    response["Cache-Control"] = "no-store, private"
    return response


# ============================================================================ photos
@login_required
def photo_file(request, pk, photo_pk):
    """House photos are personal data: served only to staff who may open the household."""
    try:
        photo = services.household_photo_open(user=request.user, household_pk=pk, pk=photo_pk)
    except NotFound as exc:
        raise Http404 from exc
    return attachment_response(photo.image, content_type="image/jpeg")


# ============================================================================ programs
def _require_program_reader(user) -> None:
    if not (can_read_registry(user) or has_role(user, Role.PROGRAM_MANAGER)):
        raise PermissionDenied(_("Your role does not use the registry."))


@login_required
def program_list(request):
    _require_program_reader(request.user)
    programs = selectors.program_list(user=request.user).order_by("-is_active", "name")
    return render(
        request,
        "dtks/program_list.html",
        {"programs": programs, "can_manage": can_manage_programs(request.user)},
    )


@login_required
def program_detail(request, pk):
    _require_program_reader(request.user)
    program = get_object_or_404(selectors.program_list(user=request.user), pk=pk)
    periods = [
        (period, selectors.program_period_counts(user=request.user, period=period))
        for period in program.periods.order_by("-starts_on")
    ]
    return render(
        request,
        "dtks/program_detail.html",
        {
            "program": program,
            "periods": periods,
            "can_manage": can_manage_programs(request.user),
            "history": audit_history(objects=[program, *program.periods.all()]),
        },
    )


def _program_form_page(request, program, *, title):
    from core.models import User
    from core.scope import region_q

    from .models import Region

    user = request.user
    if not can_manage_programs(user):
        raise PermissionDenied(_("Only data managers and administrators change programs."))
    if user.is_installation_wide:
        regions = Region.objects.filter(level__in=[1, 2]).order_by("code")
    else:
        regions = Region.objects.filter(level__in=[1, 2]).within(user.region_id).order_by("code")
    managers = User.objects.filter(
        region_q(user, "region__code"), role=Role.PROGRAM_MANAGER, is_active=True
    ).order_by("full_name")
    if program.pk:
        managers = managers | program.managers.all()
    form = ProgramForm(
        request.POST or None,
        instance=program,
        regions=regions,
        managers=managers.distinct(),
        national_allowed=user.is_installation_wide,
    )
    if run_form_service(
        request,
        form,
        lambda data: services.program_save(
            program=form.instance, actor=user, managers=data["managers"]
        ),
        success=_("The program is saved."),
    ):
        return redirect("dtks:program_detail", pk=form.instance.pk)
    return render(
        request,
        "includes/config_page.html",
        {
            "form": form,
            "title": title,
            "back_url": reverse("dtks:program_list"),
            "back_label": _("Programs"),
            "history": audit_history(objects=[program]) if program.pk else None,
        },
    )


@login_required
def program_create(request):
    from .models import Program

    return _program_form_page(request, Program(), title=_("New program"))


@login_required
def program_edit(request, pk):
    _require_program_reader(request.user)
    program = get_object_or_404(selectors.program_list(user=request.user), pk=pk)
    return _program_form_page(request, program, title=_("Change {name}").format(name=program))


@login_required
def period_edit(request, pk=None, program_pk=None):
    """A program's period and its quota (new, or changed)."""
    from .models import ProgramPeriod

    user = request.user
    if not can_manage_programs(user):
        raise PermissionDenied(_("Only data managers and administrators change programs."))
    if pk:
        period = get_object_or_404(selectors.program_period_list(user=user), pk=pk)
    else:
        program = get_object_or_404(selectors.program_list(user=user), pk=program_pk)
        period = ProgramPeriod(program=program)
    form = PeriodForm(request.POST or None, instance=period)
    if run_form_service(
        request,
        form,
        lambda data: services.program_period_save(period=form.instance, actor=user),
        success=_("The period is saved."),
    ):
        return redirect("dtks:program_detail", pk=period.program_id)
    return render(
        request,
        "includes/config_page.html",
        {
            "form": form,
            "title": _("Change {name}").format(name=period) if pk else _("New period"),
            "back_url": reverse("dtks:program_detail", args=[period.program_id]),
            "back_label": period.program.name,
            "history": audit_history(objects=[period]) if pk else None,
        },
    )


def _period_page(request, period, *, form=None, import_form=None, status=200):
    user = request.user
    enrollments = selectors.with_head_name(
        selectors.enrollment_list(user=user, filters={"period": period.pk})
    )
    page = audited_page(
        request,
        enrollments.order_by("household__village_id", "household_id"),
        50,
        object_type="dtks.enrollment",
    )
    selectors.label_recipients(page)
    partner = not can_manage_programs(user)
    can_manage = can_manage_recipients(user, period.program)
    if import_form is None:
        import_form = (PartnerImportForm if partner else EnrollmentImportForm)()
    return render(
        request,
        "dtks/period_detail.html",
        {
            "period": period,
            "page": page,
            "import_form": import_form,
            "form": form or RecipientForm(),
            "counts": selectors.program_period_counts(user=user, period=period),
            "can_manage": can_manage,
            "opens_households": can_read_registry(user),
            "overlaps": selectors.program_overlaps(user=user, period=period) if can_manage else [],
        },
        status=status,
    )


@login_required
def period_detail(request, pk):
    """Recipients of one period in the user's reach, enrolling by NIK + name, the recipient
    list import and the overlaps the double-dipping guard found."""
    _require_program_reader(request.user)
    period = get_object_or_404(selectors.program_period_list(user=request.user), pk=pk)
    if request.method == "POST":
        form_class = PartnerImportForm if not can_manage_programs(request.user) else None
        import_form = (form_class or EnrollmentImportForm)(request.POST, request.FILES)
        if import_form.is_valid():
            return _job_page(
                lambda: services.recipients_import_start(
                    period=period, upload=import_form.cleaned_data["file"], actor=request.user
                )
            )
        return _period_page(request, period, import_form=import_form, status=400)
    return _period_page(request, period)


@login_required
@require_POST
def recipient_add(request, pk):
    """Enroll one person of the period's program by NIK + name (the guard may ask why)."""
    _require_program_reader(request.user)
    period = get_object_or_404(selectors.program_period_list(user=request.user), pk=pk)
    if not can_manage_recipients(request.user, period.program):
        raise PermissionDenied(_("Only data managers and administrators enroll households."))
    form = RecipientForm(request.POST)
    if form.is_valid():
        try:
            services.enrollment_create_by_nik(
                program=period.program,
                period=period,
                actor=request.user,
                nik=form.cleaned_data["nik"],
                name=form.cleaned_data["name"],
                double_dip_reason=form.cleaned_data["double_dip_reason"],
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("{name} is enrolled in {period}.").format(
                    name=selectors.mask_name(form.cleaned_data["name"]), period=period
                ),
            )
            return redirect("dtks:period_detail", pk=period.pk)
    return _period_page(request, period, form=form, status=400)


@login_required
def enrollment_create(request, pk):
    """Enroll this household in a program period (the double-dipping guard may ask why)."""
    if not can_manage_programs(request.user):
        raise PermissionDenied(_("Only data managers and administrators enroll households."))
    household = _household_or_404(request, pk)
    form = EnrollmentForm(
        request.POST or None, household=household, periods=period_choices(request.user)
    )
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        try:
            services.enrollment_create(
                program=period.program,
                period=period,
                household=household,
                individual=form.cleaned_data["individual"],
                double_dip_reason=form.cleaned_data["double_dip_reason"],
                actor=request.user,
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Enrolled in {period}.").format(period=period))
            return redirect("dtks:household_detail", pk=household.pk)
    return render(
        request,
        "dtks/household_action.html",
        {
            "form": form,
            "household": household,
            "title": _("Enroll in a program"),
            "submit": _("Enroll"),
        },
    )


@login_required
def enrollment_end(request, pk):
    enrollment = get_object_or_404(selectors.enrollment_list(user=request.user), pk=pk)
    if not can_manage_recipients(request.user, enrollment.program):
        raise PermissionDenied(_("Only data managers and administrators end enrollments."))
    opens_households = can_read_registry(request.user)
    form = EnrollmentEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_end(
                enrollment=enrollment, reason=form.cleaned_data["reason"], actor=request.user
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The enrollment has ended."))
            if not opens_households:
                return redirect("dtks:period_detail", pk=enrollment.period_id)
            return redirect("dtks:household_detail", pk=enrollment.household_id)
    return render(
        request,
        "dtks/household_action.html",
        {
            "form": form,
            "household": enrollment.household if opens_households else None,
            "title": _("End {program}").format(program=enrollment.program),
            "submit": _("End"),
        },
    )


# ============================================================================ data problems
@login_required
def flag_list(request):
    """The worklist of data problems: filter by kind, take one, run the checks, plan a visit."""
    from .choices import FlagKind

    _require_reader(request.user)
    if request.method == "POST":
        return _job_page(lambda: services.verification_start(actor=request.user))
    status = "resolved" if request.GET.get("status") == "resolved" else "open"
    flags = selectors.flag_list(user=request.user).filter(status=status)
    if request.GET.get("kind") in FlagKind.values:
        flags = flags.filter(kind=request.GET["kind"])
    if request.GET.get("mine"):
        flags = flags.filter(assigned_to=request.user)
    if request.GET.get("region"):  # a dashboard figure of one district or village
        flags = flags.filter(within("household__village__code", request.GET["region"]))
    page = audited_page(request, flags.order_by("-created_at"), 50, object_type="dtks.flag")
    evidence = selectors.flag_evidence(user=request.user, flags=page.object_list)
    for flag in page.object_list:
        flag.evidence_lines = evidence.get(flag.pk, [])
    _merge_links(request.user, page.object_list)
    return render(
        request,
        "dtks/flag_list.html",
        {
            "page": page,
            "kinds": FlagKind.choices,
            "status": status,
            "can_edit": can_edit_registry(request.user),
        },
    )


def _merge_links(user, flags) -> None:
    """A duplicate person whose other record the user can reach gets a link to merge them."""
    from .choices import FlagKind
    from .services.merge import can_merge

    if not can_merge(user):
        return
    pairs = {}
    for flag in flags:
        if flag.kind not in (FlagKind.FUZZY_DUPLICATE, FlagKind.DUPLICATE_NIK):
            continue
        evidence = flag.evidence or {}
        other = evidence.get("other") or next(iter(evidence.get("others") or []), None)
        if flag.individual_id and other:
            pairs[flag.pk] = (flag.individual_id, other)
    reachable = set(
        selectors.individual_list(user=user)
        .filter(pk__in=[other for _one, other in pairs.values()], status__in=["alive", "moved"])
        .values_list("pk", flat=True)
    )
    for flag in flags:
        one, other = pairs.get(flag.pk, (None, None))
        if other in reachable:
            flag.merge_url = reverse("dtks:person_merge", args=[one, other])


@login_required
@require_POST
def flag_take(request, pk):
    """Put a problem on my own worklist."""
    _require_editor(request.user)
    flag = get_object_or_404(selectors.flag_list(user=request.user), pk=pk)
    services.flag_assign(flag=flag, assignee=request.user, actor=request.user)
    messages.success(request, _("The problem is on your worklist."))
    return redirect(request.POST.get("next") or "dtks:flag_list")


@login_required
@require_POST
def flag_reopen(request, pk):
    _require_editor(request.user)
    flag = get_object_or_404(selectors.flag_list(user=request.user), pk=pk)
    try:
        services.flag_reopen(
            flag=flag,
            actor=request.user,
            reason=request.POST.get("reason") or _("Reopened from the worklist"),
        )
    except (ValidationError, DomainError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
    else:
        messages.success(request, _("The problem is open again."))
    return redirect("dtks:flag_list")


# ---------------------------------------------------------------------------- campaigns
@login_required
def campaign_list(request):
    _require_reader(request.user)
    campaigns = selectors.campaign_list(user=request.user)
    form = None
    if can_edit_registry(request.user):
        regions = (
            selectors.region_list().visible_to(request.user).filter(level__gte=3).order_by("code")
        )
        form = CampaignForm(request.POST or None, regions=regions)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                campaign = services.campaign_create(
                    name=data["name"],
                    region=data["region"],
                    kind=data["kind"] or None,
                    due_on=data["due_on"],
                    actor=request.user,
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                return redirect("dtks:campaign_detail", pk=campaign.pk)
    return render(request, "dtks/campaign_list.html", {"campaigns": campaigns, "form": form})


@login_required
def campaign_detail(request, pk):
    """The households to visit, one card each, with the A4 outcome buttons."""
    _require_reader(request.user)
    campaign = get_object_or_404(selectors.campaign_list(user=request.user), pk=pk)
    items = selectors.campaign_items(user=request.user, campaign=campaign)
    waiting = request.GET.get("tinjau") == "1"
    if waiting:
        items = items.filter(review="pending")
    page = audited_page(request, items, 25, object_type="dtks.campaignitem")
    for item in page:
        item.buttons = CAMPAIGN_ITEM_STEPS.buttons(item, request.user)
    return render(
        request,
        "dtks/campaign_detail.html",
        {
            "campaign": campaign,
            "page": page,
            "waiting": waiting,
            "pending": selectors.campaign_items(user=request.user, campaign=campaign)
            .filter(review="pending")
            .count(),
        },
    )


# One page per step of a campaign household (record the visit; Dinsos approves or does not
# accept an outcome that changes aid), declared in workflow.py like every flow's steps.
campaign_item_step = step_view(
    CAMPAIGN_ITEM_STEPS,
    fetch=selectors.campaign_item_get,
    back=lambda item: (
        reverse("dtks:campaign_detail", args=[item.campaign_id]),
        _("Back to {campaign}").format(campaign=item.campaign.name),
    ),
    context=lambda item, step, user: {
        "summary": _campaign_item_summary(item),
    },
)


def _campaign_item_summary(item) -> str:
    parts = [item.household.address, item.household.village.name]
    if item.flag:
        parts.append(item.flag.reason)
    if item.outcome:
        parts.append(
            _("Recorded: {outcome} on {day}. {notes}").format(
                outcome=item.get_outcome_display(),
                day=item.visited_on.strftime("%d-%m-%Y") if item.visited_on else "",
                notes=item.notes,
            )
        )
    return " · ".join(str(part) for part in parts if part)


@login_required
def civil_registry_upload(request):
    """Data managers upload a Dukcapil extract; the checks compare the registry with it."""
    if not can_import_registry(request.user):
        raise PermissionDenied(_("Only data managers and administrators import registry data."))
    form = RegistryImportForm(request.POST or None, request.FILES or None)
    form.fields["file"].label = _("Civil registry (Dukcapil) extract (CSV or XLSX)")
    form.fields["file"].help_text = format_html(
        _("Columns: {columns}."),
        columns=mark_safe(  # a constant: the file's column names
            "<code>nik</code>, <code>name</code>, <code>birth_date</code>, <code>sex</code>, "
            "<code>deceased</code> (1/0), <code>death_date</code>"
        ),
    )
    if request.method == "POST" and form.is_valid():
        return _job_page(
            lambda: services.civil_registry_import_start(
                upload=form.cleaned_data["file"], actor=request.user
            )
        )
    return render(
        request,
        "dtks/household_action.html",
        {
            "form": form,
            "title": _("Import a civil registry extract"),
            "submit": _("Import"),
            "multipart": True,
        },
    )


@login_required
def flag_resolve(request, pk):
    from .services.flags import CIVIL_KINDS

    _require_editor(request.user)
    flag = get_object_or_404(selectors.flag_list(user=request.user), pk=pk)
    if flag.kind in CIVIL_KINDS and flag.status == "open":
        return _flag_civil(request, flag)
    form = FlagResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_resolve(
                flag=flag, outcome=form.cleaned_data["outcome"], actor=request.user
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Marked as resolved."))
            return redirect("dtks:flag_list")
    return render(
        request,
        "dtks/household_action.html",
        {
            "form": form,
            "household": flag.household,
            "title": flag.get_kind_display(),
            "intro": flag.reason,
            "submit": _("Mark as resolved"),
        },
    )


def _flag_civil(request, flag):
    """A difference from the civil registry: both values, and the officer's decision."""
    from .forms import CivilDecisionForm

    form = CivilDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "accept":
                services.flag_accept_civil(flag=flag, actor=request.user)
                messages.success(request, _("The registry now has the civil registry's value."))
            else:
                services.flag_keep_ours(
                    flag=flag, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The registry's value is kept."))
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            return redirect("dtks:flag_list")
    lines = selectors.flag_evidence(user=request.user, flags=[flag]).get(flag.pk, [])
    person = flag.individual.name if flag.individual else ""
    return render(
        request,
        "dtks/household_action.html",
        {
            "form": form,
            "household": flag.household,
            "title": flag.get_kind_display(),
            "intro": " ".join([person + ":" if person else "", flag.reason]).strip(),
            "details": [line["text"] for line in lines],
            "submit": _("Save the decision"),
        },
    )


# ============================================================================ summary
@login_required
def registry_summary(request):
    """The registry at a glance: households per desil band and people, per district (or per
    village of a district), each figure a link to the list behind it."""
    _require_reader(request.user)
    from django.conf import settings

    summary = selectors.registry_summary(user=request.user, area=request.GET.get("wilayah", ""))
    region = summary["region"]
    own = request.user.scope_code or settings.SILAKSO_HOME_REGENCY
    up = region.parent if region is not None and region.code != own else None
    return render(request, "dtks/registry_summary.html", {**summary, "up": up})


# ============================================================================ transparency
def transparency(request):
    """Public: how many households of each district (or of each village of one district)
    receive each program now. Cells of fewer than k households, and whatever would reveal
    them from the totals, are hidden (silakso.disclosure)."""
    from django.conf import settings

    from silakso.disclosure import threshold

    regency = settings.SILAKSO_HOME_REGENCY
    districts = list(
        Region.objects.filter(parent_id=regency).order_by("name").values_list("code", "name")
    )
    district = request.GET.get("kecamatan", "")
    if district and district not in dict(districts):
        district = ""
    figures = selectors.recipients_by_area(regency_code=regency, district_code=district)
    return render(
        request,
        "dtks/transparency.html",
        {
            **figures,
            "district": district,
            "district_name": dict(districts).get(district, ""),
            "regency": Region.objects.filter(code=regency).first(),
            "district_select": QuickSelect(
                attrs={"id": "f-district"},
                choices=[("", _("All districts")), *districts],
            ).render("kecamatan", district),
            "k": threshold(),
        },
    )


# ============================================================================ public status check
def cek_bansos(request):
    """Public: a resident checks their aid status with NIK and name. Rate limited, audited.

    "Not found" and "name does not match" give the same answer, so the page cannot be used to
    find out who is in the registry.
    """
    form = CekBansosForm(request.POST or None)
    result = None
    checked = False
    status = 200
    if request.method == "POST" and form.is_valid():
        nik, name = form.cleaned_data["nik"], form.cleaned_data["name"]
        if not services.cek_bansos_allow(ip=request.client_ip, nik=nik):
            form.add_error(None, _("Too many checks. Please try again in an hour."))
            status = 429
        else:
            with replica_reads():  # a lookup, on the replica when there is one
                result = selectors.cek_bansos(nik=nik, name=name)
            services.cek_bansos_audit(nik=nik, result=result)
            checked = True
    return render(
        request,
        "dtks/cek_bansos.html",
        {"form": form, "result": result, "checked": checked},
        status=status,
    )


# ============================================================================ rounds
def _require_round_reader(user) -> None:
    from .permissions import can_read_rounds

    if not can_read_rounds(user):
        raise PermissionDenied(
            _("Registry rounds are for the data manager and the head of division.")
        )


@login_required
def round_list(request):
    """The national extracts received, each with what it did (or would do) to the registry."""
    from .permissions import can_start_round

    _require_round_reader(request.user)
    page = Paginator(selectors.rounds(user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "dtks/round_list.html",
        {"page": page, "can_start": can_start_round(request.user)},
    )


@login_required
def round_create(request):
    """Upload a national extract: it is compared with the registry before anything changes."""
    from .forms import RoundForm
    from .permissions import can_start_round

    if not can_start_round(request.user):
        raise PermissionDenied(_("Only a data manager uploads a national extract."))
    form = RoundForm(request.POST or None, request.FILES or None)
    response = run_once(
        request,
        form,
        lambda data: services.round_start(
            upload=data["file"],
            name=data["name"],
            extract_date=data["extract_date"],
            actor=request.user,
        ),
        redirect_to=lambda registry_round: reverse("dtks:round_detail", args=[registry_round.pk]),
    )
    if response is not None:
        return response
    return render(request, "dtks/round_form.html", {"form": form})


@login_required
def round_detail(request, pk):
    """A round: its progress, what it adds, changes and retires per district (or per village
    of one district), its lists to download, the steps the reader may take, and once applied
    the households and people per district before and after."""
    _require_round_reader(request.user)
    registry_round = services.round_recover(
        get_object_or_404(selectors.rounds(user=request.user), pk=pk)
    )
    district = (request.GET.get("kecamatan") or "").strip()
    if district and (district.count(".") != 2 or not district.replace(".", "").isdigit()):
        district = ""
    rows = selectors.round_districts(registry_round, district)
    return render(
        request,
        "dtks/round_detail.html",
        {
            "round": registry_round,
            "rows": rows,
            "district": district,
            "district_name": selectors.region_get(district) if district else None,
            "lists": selectors.round_lists(rows),
            "buttons": ROUND_STEPS.buttons(registry_round, request.user),
            "job": registry_round.running_job,
        },
    )


@login_required
def round_list_download(request, pk, slug):
    """One list of a round as CSV (audited)."""
    from django.http import StreamingHttpResponse

    from .models.rounds import ROUND_LISTS

    _require_round_reader(request.user)
    registry_round = get_object_or_404(selectors.rounds(user=request.user), pk=pk)
    kinds = {value: key for key, value in ROUND_LISTS.items()}
    if slug not in kinds:
        raise Http404
    change, people = kinds[slug]
    district = (request.GET.get("kecamatan") or "").strip()
    lines = services.round_entries_csv(
        registry_round=registry_round,
        change=change,
        people=people,
        actor=request.user,
        district=district,
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="putaran-{}-{}.csv"'.format(
        registry_round.pk, slug
    )
    return response


# One page per decision on a round (propose, discard, approve, do not approve), declared in
# workflow.py like every flow's steps.
round_step = step_view(
    ROUND_STEPS,
    fetch=selectors.round_get,
    back=lambda registry_round: (
        reverse("dtks:round_detail", args=[registry_round.pk]),
        _("Back to the round {name}").format(name=registry_round.name),
    ),
)


# ============================================================================ merging
@login_required
def person_merge(request, first, second):
    """Two records of one person side by side: which stays, which value is right."""
    from .forms import MergeForm
    from .services.merge import can_merge

    if not can_merge(request.user):
        raise PermissionDenied(_("Only a Dinsos verifier or data manager merges records."))
    people = selectors.individual_list(user=request.user).select_related(
        "household", "household__village"
    )
    one = get_object_or_404(people, pk=first)
    other = get_object_or_404(people, pk=second)
    form = MergeForm(request.POST or None, first=one, second=other)
    merged = []

    def call(data):
        merged.append(
            services.person_merge(
                **form.service_arguments(), reason=data["reason"], actor=request.user
            )
        )

    if run_form_service(request, form, call):
        messages.success(request, _("Merged. The kept record now holds everything of both."))
        return redirect("dtks:merge_detail", pk=merged[0].pk)
    return render(
        request,
        "dtks/person_merge.html",
        {"form": form, "one": one, "other": other},
    )


@login_required
def merge_detail(request, pk):
    """A merge of two records of one person: what it kept and moved; undone from here."""
    _require_reader(request.user)
    merge = get_object_or_404(selectors.merge_list(user=request.user), pk=pk)
    return _merge_page(request, merge, services.person_merge_reverse, "dtks:merge_detail")


@login_required
def household_merge(request, pk):
    """One household registered twice: the other record (by KK number or DTKS id) joins this."""
    from .forms import HouseholdMergeForm
    from .services.merge import can_merge

    if not can_merge(request.user):
        raise PermissionDenied(_("Only a Dinsos verifier or data manager merges records."))
    household = get_object_or_404(selectors.household_list(user=request.user), pk=pk)
    form = HouseholdMergeForm(request.POST or None)
    merged = []

    def call(data):
        other = selectors.household_by_number(user=request.user, number=data["other"])
        if other is None:
            raise ValidationError(
                {"other": _("No household of your area has this KK number or DTKS id.")}
            )
        merged.append(
            services.household_merge(
                survivor=household, merged=other, reason=data["reason"], actor=request.user
            )
        )

    if run_form_service(request, form, call):
        messages.success(request, _("Merged. This household now holds everything of both."))
        return redirect("dtks:household_merge_detail", pk=merged[0].pk)
    return render(
        request,
        "dtks/household_action.html",
        {
            "form": form,
            "household": household,
            "title": _("Merge another record of this household"),
            "intro": _(
                "The household at {address} keeps its head; the other record's members join "
                "it, with its family cards, programs, photos, requests, complaints, cases and "
                "history. The other record stays, empty. The merge can be undone."
            ).format(address=household.address),
            "submit": _("Merge"),
        },
    )


@login_required
def household_merge_detail(request, pk):
    """A merge of two households: what it moved; undone from here."""
    _require_reader(request.user)
    merge = get_object_or_404(selectors.household_merge_list(user=request.user), pk=pk)
    return _merge_page(
        request,
        merge,
        services.household_merge_reverse,
        "dtks:household_merge_detail",
        household_merge=True,
    )


def _merge_page(request, merge, reverse_service, url_name: str, **context):
    """The page of a merge (person or household): what moved, and the form that undoes it."""
    from .forms import MergeReverseForm
    from .services.merge import can_merge

    form = None
    if can_merge(request.user) and merge.reversed_at is None:
        form = MergeReverseForm(request.POST or None)
        if run_form_service(
            request,
            form,
            lambda data: reverse_service(merge=merge, reason=data["reason"], actor=request.user),
        ):
            messages.success(request, _("The merge is undone: both records are as they were."))
            return redirect(url_name, pk=merge.pk)
    return render(
        request,
        "dtks/merge_detail.html",
        {"merge": merge, "moved": _moved_counts(merge), "form": form, **context},
    )


def _moved_counts(merge) -> list[tuple[str, int]]:
    from django.apps import apps

    moved = []
    for key, ids in (merge.moved or {}).items():
        app_label, model_name, _field = key.split(".")
        model = apps.get_model(app_label, model_name)
        moved.append((str(model._meta.verbose_name_plural), len(ids)))
    return moved


# ============================================================================ map
@login_required
def registry_map(request):
    """Homes with coordinates and open complaints per village on a map (Leaflet), with the
    same figures as a table for whoever cannot use the map."""
    from django.conf import settings

    from . import maps

    _require_reader(request.user)
    response = render(
        request,
        "dtks/map.html",
        {
            "extent": maps.extent(request.user),
            "tiles": settings.SILAKSO_MAP_TILES,
            "attribution": settings.SILAKSO_MAP_ATTRIBUTION,
            "max_points": maps.MAX_POINTS,
        },
    )
    origin = maps.tile_origin(settings.SILAKSO_MAP_TILES)
    if origin:  # the tiles are the one thing this page loads from elsewhere
        from core.middleware import CONTENT_SECURITY_POLICY

        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "img-src 'self'", "img-src 'self' " + origin
        )
    return response


@login_required
@replica_view
def registry_map_points(request):
    """The map's data for its view box and zoom, as JSON; bad input answers 400 naming the
    field."""
    from django.http import JsonResponse

    from . import maps

    if not can_read_registry(request.user):
        return JsonResponse({"detail": str(_("You may not read the registry."))}, status=403)
    try:
        bbox, zoom = maps.parse_view(request.GET.get("bbox", ""), request.GET.get("zoom", ""))
    except DomainError as exc:
        return JsonResponse({"errors": {k: str(v) for k, v in exc.fields.items()}}, status=400)
    return JsonResponse(maps.map_points(user=request.user, bbox=bbox, zoom=zoom))
