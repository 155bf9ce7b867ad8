"""Forms of the core app: sign-in, the second factor, account filters."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Username and password, with labels a first-time user understands."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("Wrong username or password. Check both and try again."),
        "inactive": _(
            "This account is not active yet. Ask your village head or administrator to activate it."
        ),
    }


class TokenForm(forms.Form):
    """The 6-digit code from an authenticator app."""

    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("The code has digits only."))
        return token


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, widget=forms.TextInput()
    )


class EnrolmentCodeForm(forms.Form):
    """The one-time set-up code an administrator gave the person (before the authenticator)."""

    code = forms.CharField(
        label=_("Set-up code from your administrator"),
        help_text=_("10 letters and digits, for example K7QX2-MPR4N."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}
        ),
    )
