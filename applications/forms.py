"""Forms of the application flow: one task per screen, plain words, big fields."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dtks.forms import DATE, NUMBER, PersonForm
from dtks.models import HOUSEHOLD_FIELDS, Household
from silakso.forms import OnceMixin, QuickSelect, add_rule_errors
from silakso.kept_uploads import KeptFileField, KeptFileInput

from .choices import (
    ApplicationChannel,
    DeliberationKind,
    DocumentKind,
    ObjectionKind,
    ObjectionOutcome,
    PovertyDecision,
)
from .services import STAFF_CHANNELS

# a chosen file is kept when the form comes back for another field's mistake
UPLOAD = KeptFileInput(attrs={"accept": "image/*,application/pdf"})
PHOTO = KeptFileInput(attrs={"accept": "image/*", "capture": "environment"})


def document_kind(label: str) -> str:
    """The document kind a line of a program's "documents to bring" names."""
    text = label.lower()
    for words, kind in (
        (("ktp",), DocumentKind.KTP),
        (("kartu keluarga", "(kk)", " kk"), DocumentKind.KK),
        (("sktm", "tidak mampu"), DocumentKind.SKTM),
        (("akta", "kelahiran"), DocumentKind.BIRTH_CERTIFICATE),
        (("sekolah",), DocumentKind.SCHOOL_LETTER),
        (("foto rumah", "photo of the house"), DocumentKind.HOUSE_PHOTO),
        (("tanah", "land"), DocumentKind.LAND_PROOF),
    ):
        if any(word in text for word in words):
            return kind
    return DocumentKind.OTHER


def village_choices(villages) -> list:
    """The choices of a village select: ``villages`` as a queryset, or choices made already."""
    from .selectors import village_choices as grouped

    return villages if isinstance(villages, list) else grouped(villages)


class ApplicationForm(OnceMixin, forms.Form):
    """The request: who, where, and the program's documents (one file field per document)."""

    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        widget=forms.TextInput(attrs=NUMBER),
        help_text=_("16 digits, on your KTP or KK."),
    )
    name = forms.CharField(
        label=_("Full name as on your KTP"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    kk_number = forms.CharField(
        label=_("KK number"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs=NUMBER),
        help_text=_("16 digits, on your family card (KK)."),
    )
    village = forms.ChoiceField(label=_("Village where you live"), widget=QuickSelect)
    address = forms.CharField(
        label=_("Address"),
        max_length=255,
        help_text=_("Street, house number, RT/RW."),
    )
    phone = forms.CharField(
        label=_("Phone or WhatsApp number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("We send you a message at every step."),
    )
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    reason = forms.CharField(
        label=_("Why do you need this help?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, program, villages, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["village"].choices = village_choices(villages)
        if staff:
            self.fields["channel"] = forms.ChoiceField(
                label=_("How did the request reach you?"),
                choices=[(c, ApplicationChannel(c).label) for c in STAFF_CHANNELS if c != "api"],
            )
            self.fields["phone"].help_text = _("The resident gets a message at every step.")
        self.documents = []
        for number, label in enumerate(program.document_list):
            name = "document_{}".format(number)
            self.fields[name] = KeptFileField(
                label=label,
                required=not staff,
                widget=UPLOAD,
                help_text=_("A clear photo from your phone is enough, or a PDF (max. 10 MB)."),
            )
            self.documents.append((name, document_kind(label), label))

    def clean(self):
        """The applicant's details are checked by the rule the service applies (NIK, name, KK
        number, phone or email, address), beside the other fields' errors, so nothing waits
        for a second submit."""
        from .services import applicant_clean

        cleaned = super().clean()
        values = add_rule_errors(
            self, applicant_clean, "nik", "name", "kk_number", "phone", "email", "address"
        )
        if values is not None:
            cleaned["phone"], cleaned["email"] = values["phone"], values["email"]
        return cleaned

    def applicant(self) -> dict:
        return {
            key: self.cleaned_data.get(key)
            for key in ("nik", "name", "kk_number", "phone", "email", "address", "reason")
        }

    def document_uploads(self) -> list[tuple[str, str, object]]:
        return [(kind, label, self.cleaned_data.get(name)) for name, kind, label in self.documents]


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=16,
        help_text=_("For example U-7K3M-9P2Q, from the message you received."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    nik = forms.CharField(label=_("NIK"), max_length=24, widget=forms.TextInput(attrs=NUMBER))

    def clean_nik(self) -> str:
        from dtks.forms import clean_nik_field

        return clean_nik_field(self.cleaned_data["nik"])


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, I want to withdraw this request."))
    reason = forms.CharField(
        label=_("Why? (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def service_arguments(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, in words the resident understands"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FieldCheckForm(forms.Form):
    photo = KeptFileField(label=_("Photo of the house"), widget=PHOTO, required=False)
    notes = forms.CharField(
        label=_("What did you find?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    latitude = forms.DecimalField(
        required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6
    )

    def __init__(self, *args, photo_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].required = photo_required


class GroundCheckForm(FieldCheckForm):
    """The ground check of an update proposal: the photo of the house is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, photo_required=True, **kwargs)


class DeliberationForm(OnceMixin, forms.Form):
    """The meeting (or SPTJM) and a decision for each request waiting in the village."""

    kind = forms.ChoiceField(
        label=_("Decided by"), choices=DeliberationKind.choices, widget=forms.RadioSelect
    )
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    attendees = forms.IntegerField(label=_("Number of attendees"), required=False, min_value=0)
    document = KeptFileField(
        label=_("Minutes (berita acara) or signed SPTJM"),
        widget=UPLOAD,
        help_text=_("A photo of the signed pages, or a PDF."),
    )
    notes = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, applications=(), proposals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        self.application_rows = []
        for application in applications:
            decision = "decision_{}".format(application.pk)
            reason = "reason_{}".format(application.pk)
            self.fields[decision] = forms.ChoiceField(
                label=application.applicant_name,
                choices=[
                    ("", _("Not discussed")),
                    ("approve", _("Approve")),
                    ("reject", _("Do not approve")),
                ],
                required=False,
            )
            self.fields[reason] = forms.CharField(
                label=_("Why not approved"), required=False, max_length=1000
            )
            self.application_rows.append((application, decision, reason))
        self.proposal_rows = []
        for proposal in proposals:
            name = "proposal_{}".format(proposal.pk)
            self.fields[name] = forms.ChoiceField(
                label=proposal.name,
                choices=[("", _("Not discussed")), *PovertyDecision.choices],
                required=False,
            )
            self.proposal_rows.append((proposal, name))

    @property
    def application_fields(self):
        """(application, decision field, reason field) for the template."""
        return [(a, self[decision], self[reason]) for a, decision, reason in self.application_rows]

    @property
    def proposal_fields(self):
        return [(proposal, self[name]) for proposal, name in self.proposal_rows]

    def decisions(self) -> dict:
        result = {}
        for application, decision, reason in self.application_rows:
            value = self.cleaned_data.get(decision)
            if value:
                result[application.pk] = (value == "approve", self.cleaned_data.get(reason) or "")
        return result

    def proposal_decisions(self) -> dict:
        return {
            proposal.pk: self.cleaned_data[name]
            for proposal, name in self.proposal_rows
            if self.cleaned_data.get(name)
        }


class ProposalFillForm(forms.ModelForm):
    """The household's variables as found by the village operator."""

    class Meta:
        model = Household
        fields = list(HOUSEHOLD_FIELDS)

    def variables(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in HOUSEHOLD_FIELDS}


class HeadForm(PersonForm):
    """For a household not in the registry yet: its head and family card (used with prefix)."""

    kk_number = forms.CharField(
        label=_("KK number"), max_length=24, widget=forms.TextInput(attrs=NUMBER)
    )


class BatchForm(OnceMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the list"),
        max_length=100,
        help_text=_("For example “Usulan Desember 2026”."),
    )
    cutoff = forms.DateField(label=_("Cut-off date"), widget=DATE)


class RatifyForm(forms.Form):
    number = forms.CharField(label=_("Number of the regent's decree"), max_length=100)
    date = forms.DateField(label=_("Date of the decree"), widget=DATE)


class ResultsForm(forms.Form):
    file = forms.FileField(
        label=_("Ministry results (CSV)"),
        help_text=_("Columns kode_usulan (or nik), hasil (diterima / tidak diterima), keterangan."),
    )


class ObjectionForm(OnceMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What is wrong?"), choices=ObjectionKind.choices, widget=forms.RadioSelect
    )
    village = forms.ChoiceField(label=_("Village"), widget=QuickSelect)
    subject_name = forms.CharField(label=_("Name of the person"), max_length=150)
    subject_address = forms.CharField(
        label=_("Address or RT/RW (optional)"), max_length=255, required=False
    )
    reason = forms.CharField(
        label=_("Why?"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = KeptFileField(
        label=_("Photo or document as evidence (optional)"), widget=UPLOAD, required=False
    )
    objector_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=150,
        required=False,
        help_text=_("Only the social agency sees who you are."),
    )
    objector_phone = forms.CharField(
        label=_("Your phone (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = village_choices(villages)


class ObjectionAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ObjectionOutcome.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    application = forms.ModelChoiceField(
        label=_("Application concerned"), queryset=None, required=False
    )
    reject_application = forms.BooleanField(
        label=_("Stop this application (upheld objections only)"), required=False
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications
        self.fields["application"].label_from_instance = lambda a: "{} · {} · {}".format(
            a.code, a.applicant_name, a.get_status_display()
        )
