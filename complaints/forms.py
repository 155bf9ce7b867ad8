"""Forms of the complaint flow: plain words, one task per screen."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.forms import UPLOAD, village_choices
from dtks.forms import NUMBER
from silakso.forms import OnceMixin, QuickSelect, add_rule_errors
from silakso.kept_uploads import KeptFileField

from .choices import ComplaintCategory, ComplaintChannel, Rating, ResolvedBy, ToldVia
from .services import MAX_DESCRIPTION, STAFF_CHANNELS


class ComplaintForm(OnceMixin, forms.Form):
    category = forms.ChoiceField(
        label=_("What is it about?"), choices=ComplaintCategory.choices, widget=forms.RadioSelect
    )
    membership_related = forms.BooleanField(
        label=_("It is about receiving (or not receiving) aid"), required=False
    )
    village = forms.ChoiceField(label=_("Village where it happens"), widget=QuickSelect)
    description = forms.CharField(
        label=_("What happened?"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who, what, when. Plain words are fine."),
    )
    anonymous = forms.BooleanField(
        label=_("Report without my name (misuse reports only)"),
        required=False,
        help_text=_("You get a ticket code and a secret word to follow it."),
    )
    # needed except for a misuse report (NIK) or an anonymous one (name): marked as needed
    nik = forms.CharField(
        label=_("Your NIK"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs=NUMBER),
        help_text=_("16 digits, on your KTP or KK. Not needed for a misuse report."),
    )
    name = forms.CharField(
        label=_("Your full name"),
        max_length=150,
        required=False,
        help_text=_("Not needed for a misuse report without your name."),
    )
    phone = forms.CharField(
        label=_("Phone or WhatsApp number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("We send you a message at every step."),
    )
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    attachment_0 = KeptFileField(
        label=_("Photo or document (optional)"), required=False, widget=UPLOAD
    )
    attachment_1 = KeptFileField(
        label=_("Another photo or document (optional)"), required=False, widget=UPLOAD
    )

    def __init__(self, *args, villages, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = village_choices(villages)
        if staff:
            self.fields["channel"] = forms.ChoiceField(
                label=_("How did the complaint reach you?"),
                choices=[(c, ComplaintChannel(c).label) for c in STAFF_CHANNELS if c != "api"],
            )

        for name in ("nik", "name"):
            self.fields[name].needed = True  # the form marks it like a required field
            self.fields[name].widget.attrs["aria-required"] = "true"

    def clean_description(self) -> str:
        from .services import description_problem

        problem = description_problem(self.cleaned_data["description"])
        if problem:
            raise forms.ValidationError(problem)
        return self.cleaned_data["description"]

    def clean(self):
        """Who complains is checked by the service's own rule, beside the other fields'
        errors: a bad phone number and a missing NIK show on the same submit."""
        from .services import complainant_clean

        cleaned = super().clean()
        values = add_rule_errors(
            self, complainant_clean, "category", "anonymous", "nik", "name", "phone", "email"
        )
        if values is not None:
            cleaned.update(values)
        return cleaned

    def complainant(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in ("nik", "name", "phone", "email")}

    def attachments(self) -> list:
        return [self.cleaned_data.get("attachment_0"), self.cleaned_data.get("attachment_1")]

    def submit(self, *, actor, channel: str | None = None):
        """The complaint of this valid form, received (complaint, secret word or None): the
        same call for the public form, an officer's intake and the field app."""
        from dtks.selectors import region_get

        from .services import complaint_submit

        data = self.cleaned_data
        return complaint_submit(
            category=data["category"],
            description=data["description"],
            village=region_get(data["village"]),
            channel=channel or data["channel"],
            actor=actor,
            complainant=self.complainant(),
            anonymous=data["anonymous"],
            membership_related=data["membership_related"],
            attachments=self.attachments(),
        )


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
        help_text=_("For example P-7K3M-9P2Q."),
    )
    nik = forms.CharField(
        label=_("Your NIK"), max_length=24, required=False, widget=forms.TextInput(attrs=NUMBER)
    )
    secret = forms.CharField(
        label=_("Or the secret word (anonymous reports)"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("nik") and not cleaned.get("secret") and "nik" not in self.errors:
            raise forms.ValidationError(
                _("Type your NIK, or the secret word of an anonymous report.")
            )
        return cleaned

    def clean_nik(self) -> str:
        from dtks.forms import clean_nik_field

        value = self.cleaned_data["nik"]
        return clean_nik_field(value) if value.strip() else ""


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the service?"),
        choices=sorted(Rating.choices, reverse=True),
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("Why does it go back to the village?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(forms.Form):
    analysis = forms.CharField(
        label=_("Review and analysis"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What is the problem, what does the household need, which program or service fits."
        ),
    )


class ResolveForm(forms.Form):
    resolved_by_kind = forms.ChoiceField(label=_("Solved by"), choices=ResolvedBy.choices)
    resolution = forms.CharField(
        label=_("What was done"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The resident reads this."),
    )


class CloseForm(forms.Form):
    told_via = forms.ChoiceField(label=_("How was the resident told?"), choices=ToldVia.choices)


class ProgramForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=None)

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs

    @classmethod
    def for_step(cls, *, obj, user, data=None, files=None):
        """The programs offered where the complaint is about."""
        from dtks.models import Program

        return cls(data, programs=Program.objects.active().available_in(obj.village_id))
