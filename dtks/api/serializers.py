"""Serializers of the registry API: output shapes, and input shapes for each write.

NIK and KK numbers are masked in every output; the full NIK is one audited action away
(`POST /individuals/{id}/nik/`).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dtks.choices import ChangeSource, RelationToHead
from dtks.models import (
    HOUSEHOLD_FIELDS,
    Enrollment,
    Family,
    Flag,
    Household,
    HouseholdEvent,
    Individual,
    Program,
    ProgramPeriod,
    Region,
)


class RegionSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_label", "kind", "parent", "postal_code"]
        read_only_fields = fields


class MaskedNikField(serializers.CharField):
    """Output the NIK masked (************0012)."""

    def to_representation(self, value):
        from dtks.nik import mask_nik

        return mask_nik(value)


class IndividualSerializer(serializers.ModelSerializer):
    nik = MaskedNikField(
        read_only=True,
        help_text=_(
            "Masked to its last four digits, with the age rather than the birth date; "
            "POST …/nik/ shows both (audited)."
        ),
    )
    kk_number = MaskedNikField(source="family.kk_number", read_only=True, default=None)
    age = serializers.IntegerField(read_only=True)

    class Meta:
        model = Individual
        fields = [
            "id",
            "household",
            "family",
            "kk_number",
            "nik",
            "nik_warning",
            "name",
            "birth_place",
            "age",
            "sex",
            "relation_to_head",
            "marital_status",
            "education",
            "occupation",
            "disability",
            "status",
            "status_date",
            "id_card_status",
        ]
        read_only_fields = fields


class HeadSerializer(serializers.ModelSerializer):
    nik = MaskedNikField(read_only=True)

    class Meta:
        model = Individual
        fields = ["id", "name", "nik"]
        read_only_fields = fields


class FamilySerializer(serializers.ModelSerializer):
    kk_number = MaskedNikField(read_only=True)

    class Meta:
        model = Family
        fields = ["id", "household", "kk_number", "kk_warning"]
        read_only_fields = fields


class EnrollmentSerializer(serializers.ModelSerializer):
    program_code = serializers.CharField(source="program.code", read_only=True)
    period_name = serializers.CharField(source="period.name", read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "program",
            "program_code",
            "period",
            "period_name",
            "household",
            "individual",
            "status",
            "source",
            "started_on",
            "ended_on",
            "end_reason",
            "double_dip_reason",
        ]
        read_only_fields = fields


class FlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Flag
        fields = [
            "id",
            "household",
            "individual",
            "kind",
            "status",
            "reason",
            "evidence",
            "created_at",
            "resolved_at",
            "outcome",
        ]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    head = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = [
            "id",
            "dtks_id",
            "village",
            "village_name",
            *HOUSEHOLD_FIELDS,
            "status",
            "member_count",
            "has_disabled_member",
            "desil",
            "desil_as_of",
            "pmt_score",
            "pmt_desil",
            "version",
            "head",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, household):
        data = super().to_representation(household)
        if hasattr(household, "desil_then"):  # ?as_of=: the official desil valid that day
            data["desil"] = household.desil_then
            as_of = household.desil_then_as_of
            data["desil_as_of"] = as_of.isoformat() if as_of else None
        return data

    def get_head(self, household) -> dict | None:
        heads = getattr(household, "heads", None)
        if heads is None:
            heads = [
                m
                for m in household.members.all()
                if m.relation_to_head == "head" and m.status == "alive"
            ]
        return HeadSerializer(heads[0]).data if heads else None


class HouseholdDetailSerializer(HouseholdSerializer):
    members = IndividualSerializer(many=True, read_only=True, source="all_members")
    families = FamilySerializer(many=True, read_only=True)
    enrollments = EnrollmentSerializer(many=True, read_only=True)
    open_flags = FlagSerializer(many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = [
            *HouseholdSerializer.Meta.fields,
            "members",
            "families",
            "enrollments",
            "open_flags",
        ]
        read_only_fields = fields


class HouseholdEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_full_name", default=None, read_only=True)

    class Meta:
        model = HouseholdEvent
        fields = [
            "id",
            "kind",
            "source",
            "reason",
            "changes",
            "version",
            "individual",
            "actor",
            "created_at",
        ]
        read_only_fields = fields


# ---------------------------------------------------------------------------- inputs
class ChangeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=ChangeSource.choices, default=ChangeSource.OFFICE)
    version = serializers.IntegerField(
        required=False, help_text=_("The household version you read; a stale one answers 409.")
    )


class PersonInputSerializer(serializers.Serializer):
    nik = serializers.CharField(max_length=24)
    name = serializers.CharField(max_length=150)
    birth_place = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    birth_date = serializers.DateField()
    sex = serializers.ChoiceField(choices=Individual._meta.get_field("sex").choices)
    marital_status = serializers.ChoiceField(
        choices=Individual._meta.get_field("marital_status").choices,
        required=False,
        default="single",
    )
    education = serializers.ChoiceField(
        choices=Individual._meta.get_field("education").choices,
        required=False,
        allow_blank=True,
        default="",
    )
    occupation = serializers.ChoiceField(
        choices=Individual._meta.get_field("occupation").choices,
        required=False,
        allow_blank=True,
        default="",
    )
    disability = serializers.ChoiceField(
        choices=Individual._meta.get_field("disability").choices, required=False, default="none"
    )
    id_card_status = serializers.ChoiceField(
        choices=Individual._meta.get_field("id_card_status").choices,
        required=False,
        default="has_ektp",
    )


class HouseholdVariablesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = list(HOUSEHOLD_FIELDS)
        extra_kwargs = {"address": {"required": False}}


class HouseholdCreateInputSerializer(HouseholdVariablesSerializer):
    village = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.villages())
    dtks_id = serializers.CharField(required=False, allow_blank=True, max_length=32)
    kk_number = serializers.CharField(max_length=24)
    head = PersonInputSerializer()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=ChangeSource.choices, default=ChangeSource.OFFICE)

    class Meta(HouseholdVariablesSerializer.Meta):
        fields = ["village", "dtks_id", "kk_number", "head", "reason", "source", *HOUSEHOLD_FIELDS]
        extra_kwargs = {"address": {"required": True}}


class HouseholdUpdateInputSerializer(HouseholdVariablesSerializer):
    version = serializers.IntegerField()
    reason = serializers.CharField()
    source = serializers.ChoiceField(choices=ChangeSource.choices, default=ChangeSource.OFFICE)

    class Meta(HouseholdVariablesSerializer.Meta):
        fields = ["version", "reason", "source", *HOUSEHOLD_FIELDS]


class BirthInputSerializer(PersonInputSerializer, ChangeInputSerializer):
    relation_to_head = serializers.ChoiceField(
        choices=RelationToHead.choices, default=RelationToHead.CHILD
    )
    family = serializers.IntegerField(
        required=False, help_text=_("Family (KK) id in the household")
    )
    kk_number = serializers.CharField(required=False, help_text=_("Or a new KK number"))


class MoveInInputSerializer(BirthInputSerializer):
    name = serializers.CharField(max_length=150, required=False)
    birth_date = serializers.DateField(required=False)
    sex = serializers.ChoiceField(choices=Individual._meta.get_field("sex").choices, required=False)
    relation_to_head = serializers.ChoiceField(choices=RelationToHead.choices)


class LeaveInputSerializer(ChangeInputSerializer):
    individual = serializers.IntegerField()
    date = serializers.DateField()
    new_head = serializers.IntegerField(required=False, allow_null=True)


class HeadChangeInputSerializer(ChangeInputSerializer):
    new_head = serializers.IntegerField()
    old_head_relation = serializers.ChoiceField(choices=RelationToHead.choices)


class SplitMemberSerializer(serializers.Serializer):
    individual = serializers.IntegerField()
    relation_to_head = serializers.ChoiceField(choices=RelationToHead.choices)


class SplitInputSerializer(ChangeInputSerializer):
    members = SplitMemberSerializer(many=True)
    kk_number = serializers.CharField(max_length=24)
    new_household_address = serializers.CharField(required=False, allow_blank=True, default="")


class IndividualCorrectInputSerializer(ChangeInputSerializer):
    nik = serializers.CharField(max_length=24, required=False)
    name = serializers.CharField(max_length=150, required=False)
    birth_place = serializers.CharField(max_length=100, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False)
    sex = serializers.ChoiceField(choices=Individual._meta.get_field("sex").choices, required=False)
    relation_to_head = serializers.ChoiceField(choices=RelationToHead.choices, required=False)
    marital_status = serializers.ChoiceField(
        choices=Individual._meta.get_field("marital_status").choices, required=False
    )
    education = serializers.ChoiceField(
        choices=Individual._meta.get_field("education").choices, required=False, allow_blank=True
    )
    occupation = serializers.ChoiceField(
        choices=Individual._meta.get_field("occupation").choices, required=False, allow_blank=True
    )
    disability = serializers.ChoiceField(
        choices=Individual._meta.get_field("disability").choices, required=False
    )
    id_card_status = serializers.ChoiceField(
        choices=Individual._meta.get_field("id_card_status").choices, required=False
    )
    reason = serializers.CharField()


class ProgramSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Program
        fields = [
            "id",
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
            "is_active",
            "accepts_applications",
        ]


class ProgramPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgramPeriod
        fields = ["id", "program", "name", "starts_on", "ends_on", "quota"]


class EnrollmentCreateInputSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    household = serializers.IntegerField()
    individual = serializers.IntegerField(required=False, allow_null=True)
    double_dip_reason = serializers.CharField(required=False, allow_blank=True, default="")


class EnrollmentEndInputSerializer(serializers.Serializer):
    reason = serializers.CharField()
    ended_on = serializers.DateField(required=False)


class NikRevealSerializer(serializers.Serializer):
    nik = serializers.CharField(read_only=True)
    birth_date = serializers.DateField(read_only=True)


class CekBansosInputSerializer(serializers.Serializer):
    nik = serializers.CharField(max_length=24)
    name = serializers.CharField(max_length=150)


class CekBansosProgramSerializer(serializers.Serializer):
    program = serializers.CharField()
    period = serializers.CharField()
    status = serializers.CharField()
    active = serializers.BooleanField()


class CekBansosResultSerializer(serializers.Serializer):
    found = serializers.BooleanField()
    detail = serializers.CharField(required=False)
    name = serializers.CharField(required=False, help_text=_("Masked"))
    village = serializers.CharField(required=False)
    district = serializers.CharField(required=False)
    regency = serializers.CharField(required=False)
    programs = CekBansosProgramSerializer(many=True, required=False)


class BulkLookupInputSerializer(serializers.Serializer):
    niks = serializers.ListField(
        child=serializers.CharField(max_length=24), max_length=1000, allow_empty=False
    )


class BulkLookupAnswerSerializer(serializers.Serializer):
    nik = serializers.CharField()
    found = serializers.BooleanField()
    name = serializers.CharField(required=False, help_text=_("Masked: SI** RA****."))
    household = serializers.IntegerField(required=False)
    desil = serializers.IntegerField(required=False, allow_null=True)
    programs = serializers.ListField(child=serializers.CharField(), required=False)


class BulkLookupSerializer(serializers.Serializer):
    results = BulkLookupAnswerSerializer(many=True)
