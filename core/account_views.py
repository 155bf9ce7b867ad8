"""Residents' own sign-up, sign-in by one-time code and new password (core.resident_accounts).

The code page only knows the request's id, kept in the session: a resident who opens it in
another browser starts again. Every answer is the same whether or not a NIK or a number is
known; what differs is the SMS the phone receives.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from silakso.exceptions import DomainError
from silakso.forms import add_service_errors

from . import resident_accounts as accounts
from .choices import CodePurpose, Role
from .forms import CodeForm, PhoneForm, SignUpForm

SESSION_KEY = "silakso_resident_code"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _masked(phone: str) -> str:
    return phone[:4] + "•" * max(len(phone) - 7, 0) + phone[-3:]


def _start(request, form, call, template: str, title: str, intro: str):
    """Run one code request; on success remember it and go to the code page."""
    if request.method == "POST" and form.is_valid():
        try:
            row = call(form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
            status = 429 if getattr(exc, "default_code", "") == "throttled" else 200
            return render(
                request, template, {"form": form, "title": title, "intro": intro}, status=status
            )
        request.session[SESSION_KEY] = {
            "id": row.pk,
            "purpose": row.purpose,
            "phone": _masked(row.phone),
        }
        return redirect("core:code_enter")
    return render(request, template, {"form": form, "title": title, "intro": intro})


def sign_up(request):
    """Step 1 of a resident's own account: NIK, KK number and the phone the code goes to."""
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignUpForm(request.POST or None)
    return _start(
        request,
        form,
        lambda data: accounts.sign_up_start(
            nik=data["nik"],
            kk_number=data["kk_number"],
            phone=data["phone"],
            ip=request.client_ip,
        ),
        "core/sign_up.html",
        _("Make your resident account"),
        _(
            "With an account you see everything you asked for on one page. You need the NIK "
            "on your KTP, the number of your family card (KK) and a phone that receives SMS."
        ),
    )


def sign_in_code(request):
    """Sign in without a password: a code by SMS to the account's phone."""
    if request.user.is_authenticated:
        return redirect("core:home")
    form = PhoneForm(request.POST or None)
    return _start(
        request,
        form,
        lambda data: accounts.code_start(
            purpose=CodePurpose.SIGN_IN, phone=data["phone"], ip=request.client_ip
        ),
        "core/sign_up.html",
        _("Sign in with a code by SMS"),
        _("Write the phone number of your resident account. We send a 6-digit code to it."),
    )


def password_reset(request):
    """A resident who forgot the password gets a code, then chooses a new one."""
    form = PhoneForm(request.POST or None)
    return _start(
        request,
        form,
        lambda data: accounts.code_start(
            purpose=CodePurpose.RESET, phone=data["phone"], ip=request.client_ip
        ),
        "core/sign_up.html",
        _("Forgot your password?"),
        _(
            "Write the phone number of your resident account. We send a 6-digit code to it; "
            "then you choose a new password. Officers ask their administrator instead."
        ),
    )


def code_enter(request):
    """Step 2: the 6-digit code from the SMS."""
    pending = request.session.get(SESSION_KEY)
    if not pending:
        messages.info(request, _("Start again: ask for a code first."))
        return redirect("core:sign_up")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = accounts.code_verify(code_id=pending["id"], code=form.cleaned_data["code"])
            if row.purpose == CodePurpose.SIGN_UP:
                user = accounts.sign_up_finish(code=row)
                how = "resident sign-up"
            else:
                user = row.user
                how = "one-time code" if row.purpose == CodePurpose.SIGN_IN else "password reset"
            if user is None or not user.is_active or user.role != Role.RESIDENT:
                raise ValidationError({"code": _("This account cannot sign in here.")})
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            del request.session[SESSION_KEY]
            login(request, user, backend=BACKEND)
            accounts.signed_in(user=user, how=how)
            if row.purpose == CodePurpose.SIGN_IN:
                return redirect("core:home")
            messages.success(
                request,
                _("Welcome! Your account is ready.")
                if row.purpose == CodePurpose.SIGN_UP
                else _("Signed in. Now choose your new password."),
            )
            return redirect("core:resident_password")
    return render(
        request,
        "core/code_enter.html",
        {"form": form, "phone": pending["phone"], "purpose": pending["purpose"]},
    )


@login_required
def resident_password(request):
    """A resident chooses a password (optional after signing up: they may sign in by code)."""
    if request.user.role != Role.RESIDENT:
        raise PermissionDenied(_("Officers change their password through their administrator."))
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.password_choose(user=request.user, password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(
                request, _("Your password is saved. Sign in with your phone number and it.")
            )
            return redirect("core:home")
    return render(request, "core/resident_password.html", {"form": form})


@require_POST
@login_required
def resident_messages(request):
    """A resident stops (or restarts) the messages SILAKSO sends to their account's phone."""
    from .choices import NotificationChannel
    from .services import message_opt_out

    user = request.user
    if user.role != Role.RESIDENT or not user.phone:
        raise PermissionDenied(_("Only a resident account with a phone number has this choice."))
    stop = bool(request.POST.get("stop"))
    message_opt_out(
        channel=NotificationChannel.SMS, recipient=user.phone, source="resident's page", stop=stop
    )
    messages.success(
        request,
        _("No more messages are sent to your phone, except codes you ask for.")
        if stop
        else _("Messages are sent to your phone again."),
    )
    return redirect("core:home")
