"""Forms of the registry: one task per screen, plain labels, a required reason on every change."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from silakso.forms import OnceMixin, QuickSelect

from .choices import (
    ChangeSource,
    Disability,
    Education,
    IdCardStatus,
    IndividualStatus,
    MaritalStatus,
    Occupation,
    RelationToHead,
    Sex,
)
from .models import HOUSEHOLD_FIELDS, Household, Individual, Program, ProgramPeriod

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9 .\\-]*"}


class ChangeFormMixin(forms.Form):
    """Why and on what basis a change is made; kept in the household history."""

    source = forms.ChoiceField(
        label=_("Based on"), choices=ChangeSource.choices, initial=ChangeSource.FIELD_VISIT
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: “field visit on 3 March, checked with the KK”."),
    )


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MemberEventForm(VersionMixin, ChangeFormMixin):
    """The base of a member event's form (a step page of ``dtks.workflow.HOUSEHOLD_STEPS``): it
    knows its household, starts from the household's version, and hands the service the
    change's source, reason and version."""

    @classmethod
    def for_step(cls, *, obj, user, data=None, files=None):
        return cls(data, files, household=obj, initial={"version": obj.version})

    def change_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "reason": data.get("reason", ""),
            "source": data["source"],
            "version": data["version"],
        }


class PersonForm(forms.Form):
    """The data of one person as on their KTP / KK."""

    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        widget=forms.TextInput(attrs=NUMBER),
        help_text=_("16 digits, as on the KTP or KK."),
    )
    name = forms.CharField(label=_("Full name"), max_length=150)
    birth_place = forms.CharField(label=_("Place of birth"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    marital_status = forms.ChoiceField(
        label=_("Marital status"), choices=MaritalStatus.choices, initial=MaritalStatus.SINGLE
    )
    education = forms.ChoiceField(
        label=_("Education"), choices=[("", "—"), *Education.choices], required=False
    )
    occupation = forms.ChoiceField(
        label=_("Occupation"), choices=[("", "—"), *Occupation.choices], required=False
    )
    disability = forms.ChoiceField(
        label=_("Disability"), choices=Disability.choices, initial=Disability.NONE
    )
    id_card_status = forms.ChoiceField(
        label=_("ID card"), choices=IdCardStatus.choices, initial=IdCardStatus.HAS_EKTP
    )

    def person_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PersonForm.base_fields}


class HouseholdCreateForm(OnceMixin, PersonForm, ChangeFormMixin):
    """A new household: where it lives, its KK and its head (the other data comes after)."""

    village = forms.ModelChoiceField(
        label=_("Village"), queryset=None, empty_label=None, widget=QuickSelect
    )
    address = forms.CharField(label=_("Address"), max_length=255)
    rt = forms.CharField(label=_("RT"), max_length=3, required=False)
    rw = forms.CharField(label=_("RW"), max_length=3, required=False)
    kk_number = forms.CharField(
        label=_("KK number"), max_length=24, widget=forms.TextInput(attrs=NUMBER)
    )

    field_order = ["village", "address", "rt", "rw", "kk_number", *PersonForm.base_fields]

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = lambda v: "{} – {}".format(
            v.name, v.parent.name if v.parent else ""
        )
        self.fields["name"].label = _("Name of the head of household")
        self.fields["reason"].required = False


class HouseholdForm(forms.ModelForm, VersionMixin, ChangeFormMixin):
    """The socio-economic variables of a household."""

    class Meta:
        model = Household
        fields = list(HOUSEHOLD_FIELDS)


class BirthForm(PersonForm, MemberEventForm):
    relation_to_head = forms.ChoiceField(
        label=_("Relation to the head"),
        choices=[c for c in RelationToHead.choices if c[0] != RelationToHead.HEAD],
        initial=RelationToHead.CHILD,
    )
    family = forms.ModelChoiceField(label=_("On which KK"), queryset=None, empty_label=None)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family"].queryset = household.families.all()
        self.fields["reason"].required = False
        self.fields["id_card_status"].initial = IdCardStatus.NONE

    def service_arguments(self) -> dict:
        return {
            "person": self.person_data(),
            "family": self.cleaned_data["family"],
            "relation": self.cleaned_data["relation_to_head"],
            **self.change_arguments(),
        }


class MoveInForm(BirthForm):
    """A person joining the household; a NIK already in the registry moves that person."""

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, household=household, **kwargs)
        self.fields["reason"].required = True
        self.fields["id_card_status"].initial = IdCardStatus.HAS_EKTP
        self.fields["relation_to_head"].initial = RelationToHead.OTHER_RELATIVE
        self.fields["nik"].help_text = _(
            "If the person is already registered elsewhere in your area, they are moved here."
        )
        for name in ("name", "birth_date", "sex"):
            self.fields[name].required = False


class _MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "{} ({})".format(obj.name, obj.get_relation_to_head_display())


class LeaveForm(MemberEventForm):
    """A member died or moved out."""

    member = _MemberChoiceField(label=_("Who"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=DATE)
    new_head = _MemberChoiceField(
        label=_("New head of household (when the head died or left)"),
        queryset=None,
        required=False,
    )

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        living = household.members.filter(status=IndividualStatus.ALIVE).order_by("birth_date")
        self.fields["member"].queryset = living
        self.fields["new_head"].queryset = living

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "individual": data["member"],
            "date": data["date"],
            "new_head": data["new_head"],
            **self.change_arguments(),
        }


class HeadChangeForm(MemberEventForm):
    new_head = _MemberChoiceField(label=_("New head of household"), queryset=None)
    old_head_relation = forms.ChoiceField(
        label=_("The former head is now the new head's"),
        choices=[c for c in RelationToHead.choices if c[0] != RelationToHead.HEAD],
        initial=RelationToHead.SPOUSE,
    )

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_head"].queryset = household.members.filter(
            status=IndividualStatus.ALIVE
        ).exclude(relation_to_head=RelationToHead.HEAD)

    def service_arguments(self) -> dict:
        return {
            "new_head": self.cleaned_data["new_head"],
            "old_head_relation": self.cleaned_data["old_head_relation"],
            **self.change_arguments(),
        }


class SplitForm(MemberEventForm):
    members = forms.ModelMultipleChoiceField(
        label=_("Members who get the new KK"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    kk_number = forms.CharField(
        label=_("New KK number"), max_length=24, widget=forms.TextInput(attrs=NUMBER)
    )
    new_household_address = forms.CharField(
        label=_("New address (only if they now live in another house)"),
        max_length=255,
        required=False,
    )
    new_head = _MemberChoiceField(
        label=_("Head of the new household"), queryset=None, required=False
    )

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        living = household.members.filter(status=IndividualStatus.ALIVE).exclude(
            relation_to_head=RelationToHead.HEAD
        )
        self.fields["members"].queryset = living
        self.fields["members"].label_from_instance = lambda m: "{} ({})".format(
            m.name, m.get_relation_to_head_display()
        )
        self.fields["new_head"].queryset = living
        self.fields["source"].initial = ChangeSource.CIVIL_REGISTRY

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_household_address") and not cleaned.get("new_head"):
            self.add_error("new_head", _("Choose who heads the new household."))
        return cleaned

    def member_relations(self) -> list[tuple[Individual, str]]:
        """The new head heads the new household; relations of the others are kept."""
        new_head = self.cleaned_data.get("new_head")
        moving = bool(self.cleaned_data.get("new_household_address"))
        pairs = []
        for member in self.cleaned_data["members"]:
            if moving and new_head is not None and member.pk == new_head.pk:
                pairs.append((member, RelationToHead.HEAD))
            else:
                pairs.append((member, member.relation_to_head))
        return pairs

    def service_arguments(self) -> dict:
        return {
            "members": self.member_relations(),
            "kk_number": self.cleaned_data["kk_number"],
            "new_household_address": self.cleaned_data.get("new_household_address") or None,
            **self.change_arguments(),
        }


class MemberCorrectForm(PersonForm, VersionMixin, ChangeFormMixin):
    relation_to_head = forms.ChoiceField(
        label=_("Relation to the head"), choices=RelationToHead.choices
    )


class PhotoForm(OnceMixin, forms.Form):
    image = forms.ImageField(
        label=_("Photo of the house"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("Take the photo from the front, with the whole house visible."),
    )
    caption = forms.CharField(label=_("Note"), max_length=200, required=False)
    latitude = forms.DecimalField(
        required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6
    )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "upload": data["image"],
            "caption": data["caption"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
        }


class EnrollmentForm(OnceMixin, forms.Form):
    period = forms.ModelChoiceField(label=_("Program and period"), queryset=None)
    individual = _MemberChoiceField(
        label=_("Member (for programs given to one person)"), queryset=None, required=False
    )
    double_dip_reason = forms.CharField(
        label=_("Reason for a second aid of the same type"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only needed when the household already gets the same aid from another funder."
        ),
    )

    def __init__(self, *args, household, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods
        self.fields["individual"].queryset = household.members.filter(status=IndividualStatus.ALIVE)


class EnrollmentEndForm(forms.Form):
    reason = forms.CharField(label=_("Why does it end?"), max_length=500)


class TableFileField(forms.FileField):
    """An uploaded table (CSV or XLSX): a photo, a PDF or an empty file is refused on the form,
    in the words the importer would use, before any job starts (silakso.sheets.sniff)."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            from silakso.exceptions import DomainError
            from silakso.sheets import SAMPLE, sniff

            head = upload.read(SAMPLE)
            upload.seek(0)
            try:
                sniff(head)
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from exc
        return upload


class EnrollmentImportForm(OnceMixin, forms.Form):
    file = TableFileField(
        label=_("Recipient list (CSV)"),
        help_text=_("Columns: nik or dtks_id; optional: reason. Comma or semicolon separated."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class PartnerImportForm(EnrollmentImportForm):
    """A partner OPD names each recipient by NIK and name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Columns: nik and name (as on the KTP); optional: reason. Comma or semicolon "
            "separated. A row whose name does not belong to its NIK is refused."
        )


class RecipientForm(forms.Form):
    """Enroll one person by NIK and name (a partner OPD, or Dinsos without opening the
    household)."""

    def clean_nik(self) -> str:
        return clean_nik_field(self.cleaned_data["nik"])

    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("16 digits, as on the KTP."),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        help_text=_("As on the KTP; it is checked against the NIK."),
    )
    double_dip_reason = forms.CharField(
        label=_("Reason for a second aid of the same type"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only needed when the person already gets the same aid from another funder."),
    )


class RegistryImportForm(OnceMixin, forms.Form):
    file = TableFileField(
        label=_("DTKS / DTSEN extract (CSV or XLSX)"),
        help_text=_("One row per person. Columns as in the example file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class ExtractImportForm(RegistryImportForm):
    """A ministry extract: the day its data was taken decides what it may overwrite."""

    extract_date = forms.DateField(
        label=_("Date of the extract's data"),
        widget=DATE,
        help_text=_(
            "The day the ministry took this data. Households changed in SILAKSO on or after "
            "that day are kept and listed in the report."
        ),
    )
    extract_wins = forms.BooleanField(
        label=_("The extract wins: overwrite changes made in SILAKSO after that date"),
        required=False,
    )

    def clean_extract_date(self):
        value = self.cleaned_data["extract_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class RoundForm(ExtractImportForm):
    """A national extract for a round: compared with the registry before anything changes."""

    name = forms.CharField(
        label=_("Name of the round"),
        max_length=120,
        help_text=_("For example: DTSEN quarter III 2026."),
    )
    extract_wins = None  # a round never overwrites newer local edits

    field_order = ["name", "extract_date", "file"]


class RoundNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=500, widget=forms.Textarea
    )


class RoundReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why?"), max_length=500, widget=forms.Textarea)


class CampaignForm(OnceMixin, forms.Form):
    name = forms.CharField(label=_("Name of the campaign"), max_length=150)
    region = forms.ModelChoiceField(
        label=_("Area"), queryset=None, empty_label=None, widget=QuickSelect
    )
    kind = forms.ChoiceField(label=_("Problems to check"), required=False)
    due_on = forms.DateField(label=_("To finish by"), required=False, widget=DATE)

    def __init__(self, *args, regions, **kwargs):
        from .choices import FlagKind

        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["kind"].choices = [("", _("All open problems")), *FlagKind.choices]


class CampaignOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=500)
    visited_on = forms.DateField(label=_("Visited on"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        from .choices import CampaignOutcome

        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = CampaignOutcome.choices


class OutcomeApproveForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class OutcomeRejectForm(forms.Form):
    note = forms.CharField(label=_("Why is it not accepted?"), max_length=500)


class FlagResolveForm(forms.Form):
    outcome = forms.CharField(label=_("What was done"), max_length=500)


class MergeForm(forms.Form):
    """Two records of one person: which record stays, and for each value that differs, which
    one is right (a radio per field, both values shown)."""

    keep = forms.ChoiceField(label=_("Which record stays?"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Why are these the same person?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the same KTP was shown; the second record has a typo."),
    )

    def __init__(self, *args, first, second, **kwargs):
        from .services.merge import MERGE_FIELDS

        super().__init__(*args, **kwargs)
        self.first, self.second = first, second
        self.fields["keep"].choices = [
            ("a", _("{name}, {address}").format(name=first.name, address=first.household.address)),
            (
                "b",
                _("{name}, {address}").format(name=second.name, address=second.household.address),
            ),
        ]
        self.differing = []
        for field in MERGE_FIELDS:
            one, other = getattr(first, field), getattr(second, field)
            if one == other:
                continue
            label = Individual._meta.get_field(field).verbose_name
            self.fields["value_" + field] = forms.ChoiceField(
                label=capfirst(label),
                choices=[("a", _show(first, field)), ("b", _show(second, field))],
                widget=forms.RadioSelect,
                initial="a",
            )
            self.differing.append(field)

    def service_arguments(self) -> dict:
        """``person_merge``'s survivor, merged record and choices."""
        keep = self.cleaned_data["keep"]
        survivor, merged = (self.first, self.second) if keep == "a" else (self.second, self.first)
        choices = {
            field: "survivor" if self.cleaned_data["value_" + field] == keep else "merged"
            for field in self.differing
        }
        return {"survivor": survivor, "merged": merged, "choices": choices}


def _show(person, field: str) -> str:
    """A person's value in words (the NIK masked: the officer compares its digits' shape)."""
    if field == "nik":
        return person.nik_masked
    display = getattr(person, "get_{}_display".format(field), None)
    value = display() if display is not None else getattr(person, field)
    if hasattr(value, "strftime"):
        return value.strftime("%d-%m-%Y")
    return str(value) if value not in (None, "") else "—"


class HouseholdMergeForm(forms.Form):
    other = forms.CharField(
        label=_("KK number or DTKS id of the other record of this household"),
        max_length=32,
        help_text=_("Its members, family cards, programs and history come to this household."),
    )
    reason = forms.CharField(
        label=_("Why are these the same household?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the merge undone?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CivilDecisionForm(forms.Form):
    """A difference from the civil registry: take Dukcapil's value, or keep ours and say why."""

    decision = forms.ChoiceField(
        label=_("Which value is right?"),
        choices=[
            ("accept", _("The civil registry's: update the registry")),
            ("keep", _("Ours: keep the registry as it is")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why ours is right (when you keep it)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "keep" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the registry's value is right."))
        return data


class CekBansosForm(forms.Form):
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

    def clean_nik(self) -> str:
        return clean_nik_field(self.cleaned_data["nik"])


def clean_nik_field(value: str) -> str:
    """A NIK typed into a form: its digits, or every problem in words (a wrong length, digits
    that cannot be a NIK: no such province, a 00 district, an impossible birth date)."""
    from .nik import check_nik

    check = check_nik(value)
    if not check.valid:
        raise forms.ValidationError(list(check.errors.values()))
    return check.number


def period_choices(user):
    from .selectors import program_period_list

    return (
        program_period_list(user=user)
        .filter(program__is_active=True)
        .order_by("program__name", "-starts_on")
    )


__all__ = [
    "BirthForm",
    "CampaignForm",
    "CampaignOutcomeForm",
    "CekBansosForm",
    "EnrollmentEndForm",
    "EnrollmentForm",
    "EnrollmentImportForm",
    "FlagResolveForm",
    "HeadChangeForm",
    "HouseholdCreateForm",
    "HouseholdForm",
    "LeaveForm",
    "MemberCorrectForm",
    "MoveInForm",
    "PhotoForm",
    "RegistryImportForm",
    "SplitForm",
    "period_choices",
]


class ProgramForm(forms.ModelForm):
    """A program of the catalogue, as a data manager or administrator keeps it."""

    class Meta:
        model = Program
        fields = [
            "code",
            "name",
            "description",
            "eligibility",
            "required_documents",
            "provider",
            "funding_source",
            "aid_type",
            "target",
            "max_desil",
            "region",
            "managers",
            "is_active",
            "accepts_applications",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
            "required_documents": forms.Textarea(attrs={"rows": 3}),
            "managers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, regions, managers, national_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].required = not national_allowed
        self.fields["region"].empty_label = (
            _("National (all regions)") if national_allowed else None
        )
        self.fields["managers"].queryset = managers
        self.fields["managers"].help_text = _(
            "Program managers of the partner OPD that owns this program (accounts with that "
            "role). They enroll and end its recipients and see nothing else of the registry."
        )
        self.fields["provider"].help_text = _("The OPD, fund or company that runs it.")


class PeriodForm(forms.ModelForm):
    class Meta:
        model = ProgramPeriod
        fields = ["name", "starts_on", "ends_on", "quota"]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        help_texts = {
            "name": _("For example: 2027 quarter I."),
            "quota": _("How many households (or people) it may enrol; empty: no quota."),
        }


class PmtWeightForm(forms.Form):
    """A new draft of the PMT weights (JSON, as the ministry's documentation gives them)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    notes = forms.CharField(
        label=_("What changed and why"), widget=forms.Textarea(attrs={"rows": 3})
    )
    intercept = forms.FloatField(label=_("Base score"))
    weights = forms.CharField(
        label=_("Weights (JSON)"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text=_(
            'Groups "categorical", "boolean", "numeric" and "composition", each variable with '
            "its weight. Start from the weights in use, shown here."
        ),
    )

    def clean_weights(self):
        import json

        text = self.cleaned_data["weights"]
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON (line {line}, column {column}): {problem}.").format(
                    line=exc.lineno, column=exc.colno, problem=exc.msg
                )
            ) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The weights must be an object: {…}."))
        return value
