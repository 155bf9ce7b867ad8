"""HTML views of the core app: sign-in with two factors, landing pages, accounts, audit, jobs."""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from silakso import ratelimit
from silakso.exceptions import DomainError, NotFound, OutOfScope
from silakso.forms import QuickSelect, add_service_errors
from silakso.paging import audited_page
from silakso.replicas import replica_view

from . import selectors, services
from .choices import NotificationChannel, Role
from .extensions import collect
from .filtersets import AuditEventFilterSet
from .forms import (
    ApiClientForm,
    ApiKeyForm,
    EnrolmentCodeForm,
    LoginForm,
    MonthForm,
    OnboardingForm,
    ReasonForm,
    TokenForm,
    UserAdminForm,
    UserChangeForm,
)
from .models import Job
from .permissions import AUDIT_READER_ROLES, configures_installation, has_role
from .scope import region_in_scope

LOGIN_LIMIT = 10  # failed attempts per username + IP per window
ACCOUNT_LIMIT = 20  # failed attempts per account from anywhere per window
LOGIN_WINDOW = 15 * 60


# ============================================================================ landing
def home(request):
    """Public front page for visitors and residents; a role dashboard for staff."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "core/public_home.html")
    if user.role == Role.RESIDENT:
        from .messaging import normalize_recipient
        from .models import MessageOptOut

        phone = normalize_recipient(NotificationChannel.SMS, user.phone) if user.phone else ""
        return render(
            request,
            "core/home_resident.html",
            {
                "sections": collect("resident_services", user),
                "phone": phone,
                "messages_stopped": bool(phone)
                and MessageOptOut.objects.filter(recipient=phone).exists(),
            },
        )
    return render(request, "core/home_staff.html", {"cards": collect("dashboard_cards", user)})


# ============================================================================ sign-in
class LoginView(auth_views.LoginView):
    """Password step. Failed attempts are rate limited and audited; staff continue to 2FA."""

    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = ratelimit.normalize_identity(request.POST.get("username", ""))
        checks = [
            ("login", "{}|{}".format(username, request.client_ip), LOGIN_LIMIT, LOGIN_WINDOW),
            ("login-account", username, ACCOUNT_LIMIT, LOGIN_WINDOW),
        ]
        allowed = ratelimit.allow_all(
            checks,
            # without Redis the audit trail's failures count (fail closed, per account)
            fallback=lambda: (
                services.failed_sign_ins(username=username, seconds=LOGIN_WINDOW) < LOGIN_LIMIT
            ),
        )
        if not allowed:
            services.sign_in_failed(username=username, reason="locked out")
            form = self.get_form()
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes, then try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        username = ratelimit.normalize_identity(user.username)
        ratelimit.reset("login", "{}|{}".format(username, self.request.client_ip))
        ratelimit.reset("login-account", username)
        services.sign_in_record(user=user)
        if settings.SILAKSO_REQUIRE_2FA and user.needs_two_factor:
            return redirect("{}?next={}".format(_url("core:two_factor"), self.get_success_url()))
        return response

    def form_invalid(self, form):
        services.sign_in_failed(username=self.request.POST.get("username", ""))
        return super().form_invalid(form)


def admin_login(request, extra_context=None):
    """The admin's own sign-in page is this one: one place with the limits, the audit and
    the second factor (``admin.site.login`` points here)."""
    from django.contrib.auth.views import redirect_to_login

    if request.user.is_authenticated:
        if not request.user.is_staff:
            raise PermissionDenied(_("This account may not open the administration."))
        return redirect(_safe_next(request) if request.GET.get("next") else "/admin/")
    return redirect_to_login(request.GET.get("next") or "/admin/", login_url=_url("core:login"))


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


def logout_view(request):
    """Sign out (POST only, so a link in an email cannot sign anyone out)."""
    if request.method != "POST":
        return render(request, "core/logout_confirm.html")
    if request.user.is_authenticated:
        services.sign_out_record(user=request.user)
    response = auth_views.LogoutView.as_view()(request)
    # the field app's offline copy of the village (IndexedDB), its cached pages and its service
    # worker go with the session: nothing of it stays on a shared or lost phone
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


def _safe_next(request) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return _url("core:home")


def _otp_attempt_allowed(user, identity: str) -> bool:
    """One counter for every kind of second-step code (app code, set-up code, recovery code):
    LOGIN_LIMIT tries per LOGIN_WINDOW, falling back to the audit trail without Redis."""
    return ratelimit.allow(
        "otp",
        identity,
        limit=LOGIN_LIMIT,
        window=LOGIN_WINDOW,
        fallback=lambda: services.failed_sign_ins(user=user, seconds=LOGIN_WINDOW) < LOGIN_LIMIT,
    )


@login_required
def two_factor(request):
    """Second step for staff: enter the code, or set up an authenticator the first time."""
    user = request.user
    if not user.needs_two_factor:
        return redirect("core:home")
    if user.is_verified():
        return redirect(_safe_next(request))
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if not confirmed:
        return two_factor_setup(request)
    if request.method == "POST" and "recovery" in request.POST:
        return _two_factor_recovery(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identity = f"{user.pk}|otp"
        allowed = _otp_attempt_allowed(user, identity)
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait 15 minutes, then try again."))
        else:
            # the authenticator only: a set-up code is not a second factor
            token = form.cleaned_data["token"]
            device = next(
                (
                    d
                    for d in TOTPDevice.objects.filter(user=user, confirmed=True)
                    if d.verify_token(token)
                ),
                None,
            )
            if device is None:
                services.sign_in_failed(
                    username=user.username, user=user, reason=services.WRONG_TOTP
                )
                form.add_error(
                    "token", _("That code is not right. Type the 6 digits your app shows now.")
                )
            else:
                otp_login(request, device)
                ratelimit.reset("otp", identity)
                return redirect(_safe_next(request))
    return render(
        request, "core/two_factor_verify.html", {"form": form, "next": _safe_next(request)}
    )


def _two_factor_recovery(request):
    """A recovery code instead of the app's code (the phone is lost): works once, counted
    against the same limit as wrong app codes."""
    user = request.user
    identity = f"{user.pk}|otp"
    form = TokenForm()
    recovery_error = ""
    allowed = _otp_attempt_allowed(user, identity)
    if not allowed:
        recovery_error = _("Too many wrong codes. Wait 15 minutes, then try again.")
    else:
        device = services.recovery_code_use(user=user, code=request.POST.get("recovery", ""))
        if device is not None:
            otp_login(request, device)
            ratelimit.reset("otp", identity)
            messages.warning(
                request,
                _(
                    "You signed in with a recovery code; it cannot be used again. Ask your "
                    "administrator to reset your authenticator if your phone is lost."
                ),
            )
            return redirect(_safe_next(request))
        services.sign_in_failed(username=user.username, user=user, reason=services.WRONG_TOTP)
        recovery_error = _("That recovery code is not right, or it was used already.")
    return render(
        request,
        "core/two_factor_verify.html",
        {"form": form, "next": _safe_next(request), "recovery_error": recovery_error},
    )


ENROLMENT_SESSION_KEY = "silakso_enrolment_ok"


def two_factor_enrol(request):
    """Before a new authenticator: the one-time set-up code an administrator gave the person
    (the password alone never reveals the authenticator's secret)."""
    user = request.user
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identity = f"{user.pk}|otp"
        allowed = _otp_attempt_allowed(user, identity)
        if not allowed:
            form.add_error("code", _("Too many wrong codes. Wait 15 minutes, then try again."))
        elif services.enrolment_code_redeem(user=user, code=form.cleaned_data["code"]):
            request.session[ENROLMENT_SESSION_KEY] = user.pk
            ratelimit.reset("otp", identity)
            return redirect("{}?next={}".format(_url("core:two_factor"), _safe_next(request)))
        else:
            services.sign_in_failed(username=user.username, user=user, reason=services.WRONG_TOTP)
            form.add_error(
                "code",
                _(
                    "That set-up code is not right, or it was used or expired. Ask your "
                    "administrator for a new one."
                ),
            )
    return render(
        request, "core/two_factor_enrol.html", {"form": form, "next": _safe_next(request)}
    )


def two_factor_setup(request):
    """Show a QR code for a new authenticator and confirm it with a first code."""
    user = request.user
    if request.session.get(ENROLMENT_SESSION_KEY) != user.pk:
        return two_factor_enrol(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or (request.method == "GET" and request.GET.get("restart")):
        device = services.two_factor_device_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_device_confirm(
                user=user, device=device, token=form.cleaned_data["token"]
            )
        except DomainError as exc:
            form.add_error("token", str(exc.message))
        else:
            otp_login(request, device)
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            messages.success(request, _("Your authenticator app is set up."))
            return render(
                request,
                "core/two_factor_recovery.html",
                {"codes": services.recovery_codes_issue(user=user), "next": _safe_next(request)},
            )
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_data_uri(scale=5, border=2)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "core/two_factor_setup.html",
        {"form": form, "qr_svg": svg, "secret": secret, "next": _safe_next(request)},
    )


# ============================================================================ accounts
@login_required
def operator_list(request):
    """The village head's list of operator accounts, with activate / deactivate buttons."""
    if not has_role(request.user, Role.VILLAGE_HEAD, Role.SYSTEM_ADMIN):
        raise PermissionDenied(_("Only village heads and administrators manage operators."))
    operators = selectors.operator_list(user=request.user).order_by("is_active", "full_name")
    return render(request, "core/operator_list.html", {"operators": operators})


@login_required
@require_POST
def operator_set_active(request, pk: int, active: bool):
    operator = get_object_or_404(selectors.operator_list(user=request.user), pk=pk)
    try:
        if active:
            services.user_activate(user=operator, actor=request.user)
            messages.success(request, _("{name} can now sign in.").format(name=operator))
        else:
            reason = ReasonForm(request.POST).data.get("reason", "")
            services.user_deactivate(user=operator, actor=request.user, reason=reason)
            messages.success(request, _("{name} can no longer sign in.").format(name=operator))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("core:operator_list")


# ============================================================================ audit
@login_required
def audit_event_list(request):
    """The audit trail of the user's region: filterable, read-only."""
    if not has_role(request.user, *AUDIT_READER_ROLES):
        raise PermissionDenied(_("You may not read the audit trail."))
    queryset = selectors.audit_event_list(user=request.user)
    filterset = AuditEventFilterSet(request.GET or None, queryset=queryset)
    page = audited_page(request, filterset.qs, 50, object_type="core.auditevent")
    template = "core/partials/_audit_table.html" if request.htmx else "core/audit_event_list.html"
    from dtks.selectors import village_options

    region_select = QuickSelect(
        attrs={"id": "f-region"},
        choices=[("", _("All of my area")), *village_options(user=request.user)],
    ).render("region", filterset.form["region"].value())
    return render(
        request, template, {"filterset": filterset, "page": page, "region_select": region_select}
    )


# ============================================================================ jobs
@login_required
def job_detail(request, pk):
    """A job's progress; the partial is polled by htmx every second until it finishes."""
    try:
        job = selectors.job_get(user=request.user, job_id=pk)
    except (ValueError, Job.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    progress = services.job_progress(job)
    template = "core/partials/_job_progress.html" if request.htmx else "core/job_detail.html"
    return render(
        request,
        template,
        {"job": job, "progress": progress, "result_lines": selectors.job_result_lines(job)},
    )


@login_required
def job_report(request, pk):
    """Download the report file a job produced (for example the rejected rows of an import)."""
    try:
        _job, handle, filename = services.job_report_open(user=request.user, job_id=pk)
    except NotFound as exc:
        raise Http404 from exc
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if filename.endswith(".xlsx")
        else "text/csv"
    )
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def job_list(request):
    jobs = selectors.job_list(user=request.user)[:50]
    return render(request, "core/job_list.html", {"jobs": jobs})


# ============================================================================ health
@require_GET
def healthz(request):
    """Database, Redis and worker status; 503 when any of them is down."""
    health = selectors.system_health()
    return JsonResponse(health, status=200 if health["ok"] else 503)


def _api_error(request, status: int, code: str, detail: str):
    """Under /api/ an error outside DRF (an address no route matches, a crash) answers in the
    API's own JSON shape, never with an HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "detail": str(detail)}, status=status)
    return None


def error_404(request, exception):
    return _api_error(request, 404, "not_found", _("Not found.")) or render(
        request, "404.html", status=404
    )


def error_500(request):
    return _api_error(
        request, 500, "server_error", _("Something went wrong on our side. Try again later.")
    ) or render(request, "500.html", status=500)


def error_403(request, exception):
    return _api_error(request, 403, "forbidden", _("You may not do this.")) or render(
        request, "403.html", status=403
    )


# ============================================================================ partner systems
def _require_system_admin(user) -> None:
    if not has_role(user, Role.SYSTEM_ADMIN):
        raise PermissionDenied(_("Only system administrators manage partner systems."))


def _client_regions(user):
    from dtks.models import Region

    if user.is_installation_wide:
        return Region.objects.filter(level=2).order_by("code")
    return Region.objects.filter(level__in=[2, 3]).within(user.region_id).order_by("code")


@login_required
def api_client_list(request):
    """Partner systems of the administrator's area, each with its keys."""
    _require_system_admin(request.user)
    clients = selectors.api_client_list(user=request.user).order_by("full_name")
    keys = selectors.api_key_list(user=request.user).order_by("-created_at")
    by_client: dict[int, list] = {}
    for key in keys:
        by_client.setdefault(key.client_id, []).append(key)
    rows = [(client, by_client.get(client.pk, [])) for client in clients]
    return render(request, "core/api_client_list.html", {"rows": rows})


@login_required
def api_client_create(request):
    _require_system_admin(request.user)
    form = ApiClientForm(
        request.POST or None,
        regions=_client_regions(request.user),
        allow_no_region=request.user.is_installation_wide,
    )
    if request.method == "POST" and form.is_valid():
        try:
            client = services.user_create(
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                role=Role.API_CLIENT,
                region=form.cleaned_data["region"],
                actor=request.user,
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request, _("{name} is registered. Issue it a key.").format(name=client.full_name)
            )
            return redirect("core:api_key_create", pk=client.pk)
    return render(request, "core/api_client_form.html", {"form": form})


def _show_key(request, key, raw: str):
    """The key itself, once: it is not stored, this page is not cached."""
    return render(request, "core/api_key_shown.html", {"key": key, "raw": raw})


@login_required
def api_key_create(request, pk: int):
    import datetime as dt

    from django.utils import timezone

    from .apikeys import api_key_issue

    _require_system_admin(request.user)
    client = get_object_or_404(selectors.api_client_list(user=request.user), pk=pk)
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ends = form.cleaned_data["expires_on"]
        try:
            key, raw = api_key_issue(
                client=client,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                actor=request.user,
                expires_at=timezone.make_aware(dt.datetime.combine(ends, dt.time.max))
                if ends
                else None,
                allowed_ips=form.cleaned_data["allowed_ips"].split(),
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                field = "expires_on" if field == "expires_at" else field
                form.add_error(field if field in form.fields else None, problems)
        else:
            return _show_key(request, key, raw)
    return render(request, "core/api_key_form.html", {"form": form, "client": client})


@login_required
@require_POST
def api_key_rotate(request, pk: int):
    from .apikeys import api_key_rotate as rotate

    _require_system_admin(request.user)
    key = get_object_or_404(selectors.api_key_list(user=request.user), pk=pk)
    try:
        new, raw = rotate(key=key, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("core:api_client_list")
    return _show_key(request, new, raw)


@login_required
@require_POST
def api_key_revoke(request, pk: int):
    from .apikeys import api_key_revoke as revoke

    _require_system_admin(request.user)
    key = get_object_or_404(selectors.api_key_list(user=request.user), pk=pk)
    revoke(key=key, actor=request.user, reason=ReasonForm(request.POST).data.get("reason", ""))
    messages.success(request, _("The key {prefix}… no longer works.").format(prefix=key.prefix))
    return redirect("core:api_client_list")


# ============================================================================ accounts
def _account_regions(user):
    """Areas an administrator gives: their own and everything inside it."""
    from dtks.models import Region

    if user.is_installation_wide:
        return Region.objects.filter(level__in=[1, 2]).order_by("code")
    return Region.objects.within(user.region_id).order_by("code")


def _account_roles():
    return [(role.value, role.label) for role in services.ASSIGNABLE_ROLES]


@login_required
def user_admin_list(request):
    """Staff accounts of the administrator's area: search by name, filter by role."""
    if not has_role(request.user, Role.SYSTEM_ADMIN):
        raise PermissionDenied(_("Only system administrators manage accounts."))
    query = (request.GET.get("q") or "").strip()
    role = request.GET.get("role") or ""
    accounts = selectors.staff_account_list(user=request.user, query=query, role=role)
    from django.core.paginator import Paginator

    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/user_admin_list.html",
        {"page": page, "roles": _account_roles(), "query": query, "role": role},
    )


@login_required
def user_admin_create(request):
    if not has_role(request.user, Role.SYSTEM_ADMIN):
        raise PermissionDenied(_("Only system administrators manage accounts."))
    form = UserAdminForm(
        request.POST or None, regions=_account_regions(request.user), roles=_account_roles()
    )
    if request.method == "POST" and form.is_valid():
        try:
            account = services.user_admin_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("{name} has an account. Now give them a password link and a set-up code.").format(
                    name=account.full_name
                ),
            )
            return redirect("core:user_admin_detail", pk=account.pk)
    return render(request, "core/user_admin_form.html", {"form": form})


def _managed_account(request, pk: int):
    if not has_role(request.user, Role.SYSTEM_ADMIN):
        raise PermissionDenied(_("Only system administrators manage accounts."))
    return get_object_or_404(
        selectors.user_list(user=request.user).filter(role__in=services.ASSIGNABLE_ROLES), pk=pk
    )


@login_required
def user_admin_detail(request, pk: int):
    """One account: change its role and area; deactivate or reactivate; a password link; a new
    authenticator set-up code. Never one's own."""
    account = _managed_account(request, pk)
    form = UserChangeForm(
        request.POST or None,
        regions=_account_regions(request.user),
        roles=_account_roles(),
        initial={"role": account.role, "region": account.region_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change(actor=request.user, user=account, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The account is changed."))
            return redirect("core:user_admin_detail", pk=account.pk)
    return render(
        request,
        "core/user_admin_detail.html",
        {"account": account, "form": form, "is_self": account.pk == request.user.pk},
    )


@login_required
@require_POST
def user_admin_set_active(request, pk: int, active: bool):
    account = _managed_account(request, pk)
    try:
        if active:
            services.user_activate(user=account, actor=request.user)
            messages.success(request, _("{name} can now sign in.").format(name=account))
        else:
            reason = ReasonForm(request.POST).data.get("reason", "")
            services.user_deactivate(user=account, actor=request.user, reason=reason)
            messages.success(request, _("{name} can no longer sign in.").format(name=account))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("core:user_admin_detail", pk=account.pk)


@login_required
@require_POST
def user_admin_password_link(request, pk: int):
    account = _managed_account(request, pk)
    if request.POST.get("send") == "email":
        try:
            services.password_link_email(actor=request.user, user=account)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The password link is on its way to {email}.").format(email=account.email),
            )
        return redirect("core:user_admin_detail", pk=account.pk)
    try:
        path = services.password_link_issue(actor=request.user, user=account)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("core:user_admin_detail", pk=account.pk)
    return render(
        request,
        "core/user_admin_secret.html",
        {
            "account": account,
            "secret": request.build_absolute_uri(path),
            "title": _("Password link"),
            "explain": _(
                "Give this link to the person in person or by phone. It works once, for three "
                "days; with it they choose their own password."
            ),
        },
    )


@login_required
@require_POST
def user_admin_setup_code(request, pk: int):
    account = _managed_account(request, pk)
    reason = (request.POST.get("reason") or "").strip()
    if not reason:
        messages.error(request, _("Say why the authenticator is reset (a lost phone, say)."))
        return redirect("core:user_admin_detail", pk=account.pk)
    try:
        code = services.enrolment_code_issue(user=account, actor=request.user, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("core:user_admin_detail", pk=account.pk)
    return render(
        request,
        "core/user_admin_secret.html",
        {
            "account": account,
            "secret": code,
            "title": _("Authenticator set-up code"),
            "explain": _(
                "Their old authenticator no longer works. Give this code to the person in "
                "person or by phone: at their next sign-in they type it, then scan the QR code "
                "with their phone. It works once, for 72 hours."
            ),
        },
    )


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The page behind a password link: choose a new password (the link then stops working)."""

    template_name = "core/password_set.html"

    def get_success_url(self):
        from django.urls import reverse

        messages.success(self.request, _("Your password is set. Sign in with it now."))
        return reverse("core:login")


@login_required
def user_admin_onboard(request):
    """Village operators from a spreadsheet; each still waits for its village head."""
    from silakso.sheets import read_rows

    if not has_role(request.user, Role.SYSTEM_ADMIN):
        raise PermissionDenied(_("Only system administrators manage accounts."))
    form = OnboardingForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = read_rows(form.cleaned_data["file"], field="file")
            result = services.operators_onboard(actor=request.user, rows=rows)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            result["created"] = [
                (user, request.build_absolute_uri(path)) for user, path in result["created"]
            ]
    return render(request, "core/user_admin_onboard.html", {"form": form, "result": result})


# ============================================================================ settings
@login_required
def settings_home(request):
    """Everything an administrator configures in the app, gathered from every app."""
    links = collect("settings_links", request.user)
    if not links:
        raise PermissionDenied(_("Your role configures nothing."))
    return render(request, "core/settings_home.html", {"links": links})


@login_required
def agency_profile_edit(request):
    """The agency's public contact details and opening hours."""
    from core.selectors import audit_history

    from .forms import AgencyProfileForm

    if not configures_installation(request.user, Role.SYSTEM_ADMIN):
        raise PermissionDenied(
            _("Only the regency's system administrators change the agency details.")
        )
    profile = services.agency_profile()
    form = AgencyProfileForm(request.POST or None, instance=profile)
    from silakso.forms import run_form_service

    if run_form_service(
        request,
        form,
        lambda data: services.agency_profile_save(actor=request.user, profile=form.instance),
        success=_("The agency's details are saved."),
    ):
        return redirect("core:settings_home")
    return render(
        request,
        "includes/config_page.html",
        {
            "form": form,
            "title": _("Office contact details and opening hours"),
            "intro": _(
                "Shown to residents on the front page, in messages and on letters. Keep them "
                "current when the office moves or its hours change."
            ),
            "back_url": _url("core:settings_home"),
            "back_label": _("Settings"),
            "history": audit_history(objects=[profile])
            if profile.pk and profile.updated_at
            else [],
        },
    )


# ============================================================================ message texts
def _message_admin(request):
    if not configures_installation(request.user, Role.SYSTEM_ADMIN):
        raise PermissionDenied(_("Only the regency's system administrators change message texts."))


@login_required
def message_template_list(request):
    """Every kind of message SILAKSO sends residents, with the texts the office changed."""
    from .messaging import EVENTS
    from .models import MessageTemplate

    _message_admin(request)
    saved: dict[str, list[str]] = {}
    for event, channel in MessageTemplate.objects.values_list("event", "channel"):
        saved.setdefault(event, []).append(channel)
    channels = [("", _("All channels")), *NotificationChannel.choices]
    rows = [
        {
            "event": event,
            "channels": [
                {"value": value, "label": label, "changed": value in saved.get(event.key, [])}
                for value, label in channels
            ],
        }
        for event in EVENTS.values()
    ]
    return render(request, "core/message_template_list.html", {"rows": rows})


@login_required
def message_template_edit(request, event: str, channel: str = ""):
    """Change the text of one kind of message for one channel ("semua": all channels)."""
    from silakso.forms import run_form_service

    from .forms import MessageTemplateForm
    from .messaging import EVENTS, preview, sms_length
    from .models import MessageTemplate

    _message_admin(request)
    if event not in EVENTS:
        raise Http404(_("There is no such kind of message."))
    channel = "" if channel == "semua" else channel
    if channel and channel not in NotificationChannel.values:
        raise Http404(_("There is no such channel."))
    kind = EVENTS[event]
    row = MessageTemplate.objects.filter(event=event, channel=channel).first()
    if request.method == "POST" and request.POST.get("reset"):
        services.message_template_reset(actor=request.user, event=event, channel=channel)
        messages.success(request, _("The default text is used again."))
        return redirect("core:message_template_list")
    initial = {
        "subject": row.subject if row else str(kind.subject),
        "body": row.body if row else str(kind.body),
    }
    form = MessageTemplateForm(request.POST or None, initial=initial)
    if run_form_service(
        request,
        form,
        lambda data: services.message_template_save(
            actor=request.user,
            event=event,
            channel=channel,
            subject=data["subject"],
            body=data["body"],
        ),
        success=_("The message text is saved; the next messages use it."),
    ):
        return redirect("core:message_template_list")
    text = form.data.get("body", initial["body"]) if form.is_bound else initial["body"]
    example = preview(event, "", text)
    return render(
        request,
        "core/message_template_edit.html",
        {
            "form": form,
            "kind": kind,
            "channel_label": dict(NotificationChannel.choices).get(channel, _("All channels")),
            "placeholders": list(kind.placeholders.items()),
            "example": example,
            "length": sms_length(example),
            "changed": row is not None,
        },
    )


# ============================================================================ webhooks
@login_required
def webhook_subscriptions(request, pk: int):
    """What a partner system is told, where, and the log of what was sent."""
    from .forms import SubscriptionForm
    from .webhooks import subscription_create

    _require_system_admin(request.user)
    client = get_object_or_404(selectors.api_client_list(user=request.user), pk=pk)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = subscription_create(
                actor=request.user, client=client, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(
                request,
                "core/webhook_secret.html",
                {"client": client, "subscription": subscription, "secret": secret},
            )
    subscriptions, deliveries = selectors.webhook_log(user=request.user, client=client)
    return render(
        request,
        "core/webhook_subscriptions.html",
        {
            "client": client,
            "form": form,
            "subscriptions": subscriptions,
            "deliveries": deliveries,
        },
    )


@login_required
@require_POST
def webhook_subscription_stop(request, pk: int):
    from .webhooks import subscription_stop

    _require_system_admin(request.user)
    subscription = get_object_or_404(selectors.webhook_subscription_list(user=request.user), pk=pk)
    subscription_stop(actor=request.user, subscription=subscription)
    messages.success(request, _("Nothing more is sent to {url}.").format(url=subscription.url))
    return redirect("core:webhook_subscriptions", pk=subscription.client_id)


# ============================================================================ privacy notice
def privacy_notice(request):
    """Public: what SILAKSO keeps about residents, why, who sees it, how long, and the
    resident's rights under UU 27/2022 (the office's contact from its own settings)."""
    from .retention import retention_days

    return render(
        request,
        "core/privacy_notice.html",
        {
            "keep": {
                name: retention_days(name)
                for name in (
                    "notifications",
                    "closed_request_documents",
                    "closed_complaint_attachments",
                )
            },
        },
    )


# ============================================================================ service standards
def service_standards(request):
    """Public: every service a resident can ask for, with what to bring, its steps, the time
    each may take, its cost (free) and where to complain (each app declares its own)."""
    return render(
        request, "core/service_standards.html", {"services": collect("service_standards")}
    )


def service_standard(request, slug: str):
    """Public: one service's standard."""
    from . import satisfaction

    found = [service for service in collect("service_standards") if service["slug"] == slug]
    if not found:
        raise Http404
    return render(
        request,
        "core/service_standard.html",
        {
            "service": found[0],
            "surveyed": slug in satisfaction.SERVICE_NAMES,
            "ikm": satisfaction.published(slug),
            "k": settings.SILAKSO_DISCLOSURE_K,
        },
    )


# ============================================================================ monthly report
@login_required
def monthly_report_list(request):
    """The monthly reports (PDF for the regent, XLSX with the same tables), and a form to make
    one now for a month that has ended."""
    from . import monthly_report

    if not monthly_report.can_read(request.user):
        raise PermissionDenied
    form = MonthForm(request.POST or None, initial={"month": monthly_report.previous_month()})
    if request.method == "POST" and form.is_valid():
        try:
            job = monthly_report.monthly_report_request(
                actor=request.user, month=form.cleaned_data["month"]
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("core:job_detail", pk=job.pk)
    return render(
        request,
        "core/monthly_report_list.html",
        {"reports": monthly_report.monthly_report_list(user=request.user), "form": form},
    )


@login_required
def monthly_report_file(request, pk: int, kind: str):
    from silakso.tables import attachment_response

    from . import monthly_report

    if not monthly_report.can_read(request.user):
        raise PermissionDenied
    try:
        field_file, content_type = monthly_report.monthly_report_open(
            user=request.user, pk=pk, kind=kind
        )
    except NotFound as exc:
        raise Http404 from exc
    return attachment_response(field_file, content_type=content_type)


# ============================================================================ workload
@login_required
def workload(request):
    """Open items, steps done this month and the median time a step took, per officer of the
    reader's area (supervisors, the head of division, administrators; never peers)."""
    import datetime as dt

    from django.utils import timezone

    from .workload import can_read_workload, officers

    if not can_read_workload(request.user):
        raise PermissionDenied(_("Only supervisors and the head of division see the workload."))
    today = timezone.localdate()
    since = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time()))
    people = list(officers(user=request.user)[:500])
    ids = [person.pk for person in people]
    kinds = collect("workload", ids, since)
    rows = [
        {
            "officer": person,
            "cells": [
                {
                    "label": kind["label"],
                    "open": kind["open"].get(person.pk, 0),
                    "done": kind["done"].get(person.pk, 0),
                    "hours": kind["hours"].get(person.pk),
                }
                for kind in kinds
            ],
        }
        for person in people
    ]
    return render(request, "core/workload.html", {"rows": rows, "kinds": kinds, "since": since})


# ============================================================================ dashboards
@login_required
@replica_view
def dashboard(request):
    """Figures of the user's area (or a district or village inside it), each linking to the
    list behind it; read from the summary table, never by counting the registry per view."""
    from . import dashboard as figures_of
    from .workload import can_read_workload

    user = request.user
    if not figures_of.can_read(user):
        raise PermissionDenied(
            _("Dashboards are for the regency's offices, supervisors and heads.")
        )
    if request.method == "POST":
        try:
            job = figures_of.refresh_request(actor=user)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("core:dashboard")
        return redirect("core:job_detail", pk=job.pk)
    place = request.GET.get("wilayah", "").strip() or None
    try:
        figures = figures_of.Figures(user, place=place)
    except OutOfScope as exc:
        return render(request, "core/dashboard.html", {"refused": str(exc)}, status=404)
    up = None
    parent = figures.region.parent if figures.region and place else None
    if parent is not None and (user.is_installation_wide or region_in_scope(user, parent.code)):
        query = "" if parent.code == user.scope_code else "?wilayah=" + parent.code
        up = {"name": parent.name, "url": _url("core:dashboard") + query}
    return render(
        request,
        "core/dashboard.html",
        {
            "figures": figures,
            "panels": collect("dashboard_panels", figures),
            "up": up,
            "can_refresh": figures_of.can_refresh(user),
            "workload": can_read_workload(user),
        },
    )


# ============================================================================ field app
@login_required
def field_app(request):
    """The field app's shell: drawn from what the phone keeps, works without a network. It
    holds no personal data itself (the service worker keeps it for offline use)."""
    from . import fieldwork

    if not fieldwork.can_use(request.user):
        raise PermissionDenied(_("The field app is for village operators and facilitators."))
    return render(
        request,
        "core/field_app.html",
        {"field_texts": fieldwork.texts(), "csrf_cookie_name": settings.CSRF_COOKIE_NAME},
    )


def field_worker(request):
    """The service worker, served under /lapangan/ so that it controls only the field app;
    its cache is named after the deployed code, so a new release replaces the kept shell."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    from .fieldwork import shell_version

    response = HttpResponse(
        render_to_string("core/field_sw.js", {"version": shell_version()}),
        content_type="application/javascript",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = _url("core:field_app")
    return response


def field_manifest(request):
    """The web app manifest: installable from the browser's menu as "SILAKSO Lapangan"."""
    from django.templatetags.static import static

    response = JsonResponse(
        {
            "name": "SILAKSO Lapangan",
            "short_name": "Lapangan",
            "description": str(_("Field work for village operators, also without a network.")),
            "start_url": _url("core:field_app"),
            "scope": _url("core:field_app"),
            "display": "standalone",
            "background_color": "#f5f7f8",
            "theme_color": "#0b6e4f",
            "lang": settings.LANGUAGE_CODE,
            "icons": [
                {"src": static("img/field-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        }
    )
    response["Content-Type"] = "application/manifest+json"
    return response


@login_required
def field_data(request):
    """What the phone keeps (JSON). A deactivated account never gets here: its session no
    longer signs in, and the app wipes its copy on that answer."""
    from . import fieldwork

    if not fieldwork.can_use(request.user):
        return JsonResponse({"detail": str(_("Not allowed."))}, status=403)
    return JsonResponse(fieldwork.field_data(user=request.user))


@require_POST
def field_submit(request):
    """One outbox item, as JSON in, JSON out (multipart when it carries a photo)."""
    import json

    from . import fieldwork

    if not request.user.is_authenticated:
        return JsonResponse({"status": "signed_out"}, status=401)
    if not fieldwork.can_use(request.user):
        return JsonResponse({"status": "forbidden"}, status=403)
    try:
        fields = json.loads(request.POST.get("fields") or "{}")
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        return JsonResponse(
            {"status": "refused", "message": str(_("The item is damaged.")), "errors": {}},
            status=400,
        )
    answer = fieldwork.field_submit(
        user=request.user,
        key=request.POST.get("key", ""),
        flow_name=request.POST.get("flow", ""),
        pk=request.POST.get("object"),
        step_code=request.POST.get("step", ""),
        data={**fields, "version": request.POST.get("version", "")},
        files=request.FILES,
    )
    return JsonResponse(answer)
