"""Forms of the core app: sign-in, the second factor, account filters."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from silakso.forms import https_urls


class LoginForm(AuthenticationForm):
    """Username and password, with labels a first-time user understands."""

    username = forms.CharField(
        label=_("Username, or your phone number if you are a resident"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_username(self):
        from .resident_accounts import login_name

        # a resident signs in with the phone number of their account
        return login_name(self.cleaned_data["username"])

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


class ApiClientForm(forms.Form):
    """A new partner system (an API client account; it signs in only with keys)."""

    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[A-Za-z0-9._-]+$",
        error_messages={"invalid": _("Use only letters, digits, dots or dashes.")},
        help_text=_("Letters, digits, dots or dashes, e.g. sistem.dinkes."),
    )
    full_name = forms.CharField(label=_("Name of the system"), max_length=150)
    region = forms.ModelChoiceField(
        label=_("Area"),
        queryset=None,
        required=False,
        empty_label=_("No area (a provider's own system)"),
        help_text=_("The system reads and writes only inside this area."),
    )

    def __init__(self, *args, regions, allow_no_region: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].required = not allow_no_region

    def clean_username(self):
        from .models import User

        username = self.cleaned_data["username"].strip().lower()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class ApiKeyForm(forms.Form):
    """What a new key may do, until when, from where."""

    name = forms.CharField(
        label=_("Label"),
        max_length=100,
        help_text=_("Which system or server uses it, e.g. “server MPP 2027”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the key may do"),
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    expires_on = forms.DateField(
        label=_("Works until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for no end date (not recommended)."),
    )
    allowed_ips = forms.CharField(
        label=_("Only from these addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address or network per line (203.0.113.7 or 203.0.113.0/24); empty: any."),
    )

    def __init__(self, *args, **kwargs):
        from .apikeys import SCOPES

        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [
            (code, "{} ({})".format(label, code)) for code, label in SCOPES.items()
        ]


class UserAdminForm(forms.Form):
    """A staff account: who, which role, which area."""

    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[A-Za-z0-9._-]+$",
        error_messages={"invalid": _("Use only letters, digits, dots or dashes.")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"))
    region = forms.ModelChoiceField(label=_("Area"), queryset=None, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.RegexField(
        label=_("Phone number"),
        required=False,
        max_length=20,
        regex=r"^\+?[0-9 ]{8,20}$",
        error_messages={"invalid": _("Write the number with digits only, e.g. 081234567890.")},
    )
    nik = forms.RegexField(
        label=_("NIK"),
        required=False,
        regex=r"^[0-9]{16}$",
        error_messages={"invalid": _("A NIK has exactly 16 digits.")},
        help_text=_("So that nobody decides on their own household's request."),
    )

    def __init__(self, *args, regions, roles, **kwargs):
        from silakso.forms import QuickSelect

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        self.fields["region"].queryset = regions
        self.fields["region"].widget = QuickSelect(choices=self.fields["region"].choices)

    def clean_username(self):
        from .models import User

        username = self.cleaned_data["username"].strip().lower()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class UserChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    region = forms.ModelChoiceField(label=_("Area"), queryset=None, required=False)
    reason = forms.CharField(label=_("Why"), max_length=300)

    def __init__(self, *args, regions, roles, **kwargs):
        from silakso.forms import QuickSelect

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        self.fields["region"].queryset = regions
        self.fields["region"].widget = QuickSelect(choices=self.fields["region"].choices)


class OnboardingForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet of operators (CSV or XLSX)"),
        help_text=_("Columns: username, full_name, village_code, phone, email."),
    )


class AgencyProfileForm(forms.ModelForm):
    class Meta:
        from .models import AgencyProfile

        model = AgencyProfile
        formfield_callback = https_urls
        fields = [
            "name",
            "address",
            "phone",
            "whatsapp",
            "email",
            "website",
            "opening_hours",
            "complaint_note",
            "quiet_from",
            "quiet_until",
            "message_village",
        ]
        widgets = {
            "opening_hours": forms.Textarea(attrs={"rows": 4}),
            "complaint_note": forms.Textarea(attrs={"rows": 3}),
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        from dtks.models import Region
        from silakso.forms import QuickSelect

        # the installation's own villages (60-400), not the country's 83,762: a page of 4 MB
        # that a cheap phone, and axe-core, could hardly open
        field = self.fields["message_village"]
        field.queryset = (
            Region.objects.filter(level=4).within(settings.SILAKSO_HOME_REGENCY).order_by("name")
        )
        field.widget = QuickSelect(choices=field.choices)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("quiet_from")) != bool(cleaned.get("quiet_until")):
            self.add_error(
                "quiet_until",
                _("Give both times of the quiet hours, or leave both empty to send at any hour."),
            )
        return cleaned

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])

    def clean_whatsapp(self):
        return _phone(self.cleaned_data["whatsapp"])


def _phone(value: str) -> str:
    """The shared Indonesian phone rule, as a form field's error."""
    from django.core.exceptions import ValidationError

    from silakso.validation import phone_number

    try:
        return phone_number(value)
    except ValidationError as exc:
        raise forms.ValidationError(exc.message_dict["phone"]) from exc


class SubscriptionForm(forms.Form):
    url = forms.URLField(
        label=_("Address of the partner's system"),
        assume_scheme="https",
        help_text=_("HTTPS, at a public address. Each event is signed (Standard Webhooks)."),
    )
    events = forms.MultipleChoiceField(
        label=_("Tell it when"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args, **kwargs):
        from django.utils.html import format_html

        from .webhooks import EVENT_TYPES

        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [
            (name, format_html("{} <code>{}</code>", label, name))
            for name, (label, _scopes) in EVENT_TYPES.items()
        ]


class MonthForm(forms.Form):
    """A month (the browser's month picker; typed as YYYY-MM elsewhere)."""

    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%m/%Y"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("Choose a month, for example 2026-11.")},
    )


class MessageTemplateForm(forms.Form):
    """An administrator's own text for one kind of message and channel."""

    subject = forms.CharField(label=_("Subject (email only)"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Placeholders in braces are filled in for each resident. A line whose placeholders "
            "are all empty is left out."
        ),
    )


def _phone_field(**extra):
    return forms.CharField(
        label=_("Phone number (receives SMS)"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "0812 3456 7890"}
        ),
        **extra,
    )


class SignUpForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK (16 digits on your KTP)"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kk_number = forms.CharField(
        label=_("Family card (KK) number, 16 digits"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = _phone_field()


class PhoneForm(forms.Form):
    phone = _phone_field()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from the SMS"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class SurveyForm(forms.Form):
    """The nine questions of the public satisfaction survey (IKM), each with four answers."""

    def __init__(self, *args, **kwargs):
        from .satisfaction import ELEMENTS

        super().__init__(*args, **kwargs)
        for key, question, answers in ELEMENTS:
            self.fields[key] = forms.TypedChoiceField(
                label=question,
                choices=[(score, label) for score, label in enumerate(answers, start=1)],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "answer-choices"}),
                error_messages={"required": _("Choose one answer.")},
            )
        self.fields["suggestion"] = forms.CharField(
            label=_("Your suggestion (optional)"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
