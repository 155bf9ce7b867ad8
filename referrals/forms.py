"""Forms of case management, the provider portal and the service letters."""

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from dtks.forms import DATE, NUMBER
from silakso.forms import OnceMixin, QuickSelect, https_urls

from .choices import Domain, LetterKind, NeedLevel
from .models import Service


class CaseForm(OnceMixin, forms.Form):
    contact_phone = forms.CharField(
        label=_("Household's phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    plan = forms.CharField(
        label=_("First plan (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssessmentForm(forms.Form):
    """The need in every domain on one screen."""

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        current = {a.domain: a for a in assessments}
        self.rows = []
        for domain, label in Domain.choices:
            existing = current.get(domain)
            self.fields["need_" + domain] = forms.ChoiceField(
                label=label,
                choices=NeedLevel.choices,
                initial=existing.need if existing else NeedLevel.NONE,
            )
            self.fields["notes_" + domain] = forms.CharField(
                label=_("Notes"),
                required=False,
                max_length=2000,
                initial=existing.notes if existing else "",
            )
            self.rows.append(domain)

    @property
    def domain_fields(self):
        return [(self["need_" + d], self["notes_" + d]) for d in self.rows]

    def values(self) -> list[tuple[str, str, str]]:
        return [
            (d, self.cleaned_data["need_" + d], self.cleaned_data["notes_" + d]) for d in self.rows
        ]


class PlanForm(forms.Form):
    plan = forms.CharField(
        label=_("Plan"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_up_on = forms.DateField(label=_("Follow-up visit on"), required=False, widget=DATE)


class FollowUpForm(forms.Form):
    notes = forms.CharField(
        label=_("What did the follow-up visit find?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReferralForm(OnceMixin, forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    individual = forms.ModelChoiceField(
        label=_("For which member"),
        queryset=None,
        required=False,
        empty_label=_("The whole household"),
    )
    need = forms.CharField(
        label=_("What is needed"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up_on = forms.DateField(label=_("Check again on"), required=False, widget=DATE)

    def __init__(self, *args, services, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: "{} · {} · {}".format(
            s.get_domain_display(), s.provider.name, s.name
        )
        self.fields["individual"].queryset = members


class SendForm(forms.Form):
    duplicate_reason = forms.CharField(
        label=_("Why send it anyway?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when a similar service is already active or delivered."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was delivered"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome_date = forms.DateField(label=_("Delivered on"), required=False, widget=DATE)
    value = forms.DecimalField(
        label=_("Value in rupiah (optional)"), required=False, min_value=0, decimal_places=0
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Monitoring note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = [
            "name",
            "domain",
            "eligibility",
            "capacity",
            "capacity_period",
            "contact",
            "is_active",
        ]
        widgets = {"eligibility": forms.Textarea(attrs={"rows": 3})}


class ConnectionForm(forms.Form):
    webhook_url = forms.URLField(
        label=_("Address of your system (webhook URL)"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "SILAKSO posts each new referral here, signed. Leave empty to use the portal only."
        ),
    )
    new_secret = forms.BooleanField(
        label=_("Make a new signing secret (the old one stops working)"), required=False
    )


LETTER_FIELD_FORMS = {
    "institution": forms.CharField(label=_("Institution"), max_length=150),
    "institution_address": forms.CharField(label=_("Institution's address"), max_length=255),
    "chairperson": forms.CharField(label=_("Chairperson"), max_length=150),
    "health_facility": forms.CharField(label=_("Health facility"), max_length=150),
    "purpose": forms.CharField(label=_("For"), max_length=255),
    "registered_on": forms.DateField(label=_("Registered on"), required=False, widget=DATE),
    "origin": forms.CharField(label=_("Found in"), max_length=150),
    "destination": forms.CharField(label=_("Home town"), max_length=150),
    "transport": forms.CharField(label=_("Transport"), max_length=150),
}


class LetterForm(OnceMixin, forms.Form):
    recipient_name = forms.CharField(label=_("Issued to (name)"), max_length=150)
    recipient_nik = forms.CharField(
        label=_("NIK"), max_length=24, required=False, widget=forms.TextInput(attrs=NUMBER)
    )
    region = forms.ChoiceField(label=_("Village"), widget=QuickSelect)
    valid_until = forms.DateField(label=_("Valid until (optional)"), required=False, widget=DATE)

    def __init__(self, *args, kind, villages, **kwargs):
        from .services import LETTER_FIELDS

        super().__init__(*args, **kwargs)
        self.kind = kind
        # no village chosen for the officer: a letter for the wrong village is worse than a
        # "choose the village" message
        self.fields["region"].choices = [("", "—")] + [
            (v.code, "{} ({})".format(v.name, v.parent.name if v.parent else "")) for v in villages
        ]
        for name in LETTER_FIELDS[kind]:
            self.fields[name] = copy.deepcopy(LETTER_FIELD_FORMS[name])
        if kind == LetterKind.LKS:
            self.fields["recipient_name"].label = _("Issued to (the institution's representative)")

    def details(self) -> dict:
        from .services import LETTER_FIELDS

        return {name: self.cleaned_data.get(name) or "" for name in LETTER_FIELDS[self.kind]}


class ProviderForm(forms.ModelForm):
    class Meta:
        from .models import Provider

        model = Provider
        formfield_callback = https_urls
        fields = [
            "name",
            "kind",
            "region",
            "description",
            "contact_person",
            "phone",
            "email",
            "address",
            "webhook_url",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].empty_label = _("National (serves every regency)")


class ProviderAccountForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Account"),
        queryset=None,
        help_text=_("A partner provider admin or a provider's API client, without an area."),
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = accounts


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        from .models import LetterTemplate

        model = LetterTemplate
        fields = [
            "opening",
            "closing",
            "signatory_name",
            "signatory_position",
            "signatory_nip",
            "valid_days",
            "is_active",
            "max_desil",
            "refused_programs",
        ]
        widgets = {
            "opening": forms.Textarea(attrs={"rows": 4}),
            "closing": forms.Textarea(attrs={"rows": 3}),
            "signatory_nip": forms.TextInput(attrs={"inputmode": "numeric"}),
            "refused_programs": forms.CheckboxSelectMultiple,
        }
