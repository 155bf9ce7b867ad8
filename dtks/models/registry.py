"""The registry proper: households, families and individuals of DTKS/DTSEN."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import region_q
from silakso.models import TimeStampedModel

from ..choices import (
    CookingFuel,
    Disability,
    Education,
    FloorMaterial,
    HouseholdStatus,
    HouseOwnership,
    IdCardStatus,
    IncomeBand,
    IndividualStatus,
    LandOwnership,
    Lighting,
    MaritalStatus,
    Occupation,
    RelationToHead,
    RoofMaterial,
    Sex,
    ToiletFacility,
    WallMaterial,
    WaterSource,
)
from .regions import Region

sixteen_digits = RegexValidator(r"^[0-9]{16}$", _("Must be exactly 16 digits."))


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "village__code"))


class Household(TimeStampedModel):
    """A registry household (rumah tangga) with the socio-economic variables it is ranked on.

    ``desil`` is the official national decile (imported with its as-of date; every value is kept
    in DesilRecord). ``pmt_*`` is SILAKSO's local estimate for households the ministry has not
    ranked yet; the two are never mixed up on screen.
    """

    dtks_id = models.CharField(
        _("DTKS household id"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The household id in the ministry's extract, used to match imports."),
    )
    village = models.ForeignKey(
        Region,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="households",
        db_column="village_code",
    )
    address = models.CharField(_("address"), max_length=255)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-11), MaxValueValidator(6)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(94), MaxValueValidator(142)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=HouseholdStatus, default=HouseholdStatus.ACTIVE
    )

    # ---------------------------------------------------------------- housing
    floor_material = models.CharField(_("floor"), max_length=24, choices=FloorMaterial, blank=True)
    wall_material = models.CharField(_("walls"), max_length=24, choices=WallMaterial, blank=True)
    roof_material = models.CharField(_("roof"), max_length=24, choices=RoofMaterial, blank=True)
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
    )
    water_source = models.CharField(
        _("drinking water"), max_length=24, choices=WaterSource, blank=True
    )
    toilet = models.CharField(_("toilet"), max_length=24, choices=ToiletFacility, blank=True)
    lighting = models.CharField(_("lighting"), max_length=24, choices=Lighting, blank=True)
    cooking_fuel = models.CharField(
        _("cooking fuel"), max_length=24, choices=CookingFuel, blank=True
    )
    house_ownership = models.CharField(
        _("house ownership"), max_length=24, choices=HouseOwnership, blank=True
    )
    land_ownership = models.CharField(
        _("land ownership"), max_length=24, choices=LandOwnership, blank=True
    )

    # ---------------------------------------------------------------- assets
    has_gas_cylinder = models.BooleanField(_("gas cylinder of 5.5 kg or more"), default=False)
    has_refrigerator = models.BooleanField(_("refrigerator"), default=False)
    has_air_conditioner = models.BooleanField(_("air conditioner"), default=False)
    has_television = models.BooleanField(_("flat-screen television"), default=False)
    has_computer = models.BooleanField(_("computer / laptop"), default=False)
    has_smartphone = models.BooleanField(_("smartphone"), default=False)
    has_gold = models.BooleanField(_("gold / jewellery of 10 g or more"), default=False)
    has_motorcycle = models.BooleanField(_("motorcycle"), default=False)
    has_car = models.BooleanField(_("car"), default=False)
    has_boat = models.BooleanField(_("boat / motorboat"), default=False)
    livestock_count = models.PositiveSmallIntegerField(
        _("large livestock (head)"), default=0, validators=[MaxValueValidator(10000)]
    )

    # ---------------------------------------------------------------- people and income
    head_education = models.CharField(
        _("head's education"), max_length=24, choices=Education, blank=True
    )
    head_occupation = models.CharField(
        _("head's occupation"), max_length=24, choices=Occupation, blank=True
    )
    income_band = models.CharField(
        _("household income"), max_length=24, choices=IncomeBand, blank=True
    )
    member_count = models.PositiveSmallIntegerField(_("members"), default=0)
    has_disabled_member = models.BooleanField(_("member with a disability"), default=False)

    # ---------------------------------------------------------------- welfare rank
    desil = models.PositiveSmallIntegerField(
        _("official desil"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Welfare decile from the national ranking (BPS), 1 = poorest 10%."),
    )
    desil_as_of = models.DateField(_("official desil as of"), null=True, blank=True)
    pmt_score = models.FloatField(_("local PMT score"), null=True, blank=True)
    pmt_desil = models.PositiveSmallIntegerField(
        _("local PMT estimate (desil)"),
        null=True,
        blank=True,
        help_text=_("SILAKSO's own estimate, for households the ministry has not ranked yet."),
    )

    pmt_contributions = models.JSONField(
        _("local PMT contributions"),
        null=True,
        blank=True,
        help_text=_("What each variable added to the local score, in the order of the weights."),
    )
    pmt_run = models.ForeignKey(
        "dtks.PmtRun",
        verbose_name=_("local PMT run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        # Provenance, like the audit trail: no database constraint, so bulk imports do not
        # lock the importing account once per row; Django still nulls it if an account is
        # ever deleted.
        db_constraint=False,
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(desil__isnull=True) | models.Q(desil__range=(1, 10)),
                name="%(app_label)s_%(class)s_desil_range",
            ),
            models.CheckConstraint(
                condition=models.Q(pmt_desil__isnull=True) | models.Q(pmt_desil__range=(1, 10)),
                name="%(app_label)s_%(class)s_pmt_desil_range",
            ),
        ]
        indexes = [
            models.Index(fields=["desil"], name="dtks_household_desil_idx"),
            # partner systems' sync: "what changed since" (silakso.api.sync)
            models.Index(fields=["updated_at"], name="dtks_household_updated_idx"),
        ]

    def __str__(self) -> str:
        return _("Household {id}").format(id=self.dtks_id or self.pk)

    @property
    def floor_area_per_person(self):
        if self.floor_area is None or not self.member_count:
            return None
        return round(float(self.floor_area) / self.member_count, 2)


class FamilyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "household__village__code"))


class Family(TimeStampedModel):
    """A family card (Kartu Keluarga); a household holds one or more."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="families"
    )
    kk_number = models.CharField(
        _("KK number"), max_length=16, unique=True, validators=[sixteen_digits]
    )
    kk_warning = models.CharField(_("KK number warning"), max_length=200, blank=True)

    objects = FamilyQuerySet.as_manager()

    class Meta:
        verbose_name = _("family (KK)")
        verbose_name_plural = _("families (KK)")
        ordering = ["kk_number"]

    def __str__(self) -> str:
        return _("KK {number}").format(number=self.kk_number)


class IndividualQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "household__village__code"))

    def living(self):
        return self.filter(status=IndividualStatus.ALIVE)


class Individual(TimeStampedModel):
    """A person in the registry, identified by NIK.

    NIK is indexed but not unique in the database: ministry extracts do carry duplicate NIKs
    (seed 003) and the verification jobs must be able to see and flag them. Services refuse to
    create a second person with a NIK already in the registry.
    """

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    family = models.ForeignKey(
        Family,
        verbose_name=_("family (KK)"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    nik = models.CharField(_("NIK"), max_length=16, db_index=True, validators=[sixteen_digits])
    nik_warning = models.CharField(_("NIK warning"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=150)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex)
    relation_to_head = models.CharField(
        _("relation to head"), max_length=24, choices=RelationToHead
    )
    marital_status = models.CharField(
        _("marital status"), max_length=16, choices=MaritalStatus, blank=True
    )
    education = models.CharField(_("education"), max_length=24, choices=Education, blank=True)
    occupation = models.CharField(_("occupation"), max_length=24, choices=Occupation, blank=True)
    disability = models.CharField(
        _("disability"), max_length=16, choices=Disability, default=Disability.NONE
    )
    status = models.CharField(
        _("status"), max_length=16, choices=IndividualStatus, default=IndividualStatus.ALIVE
    )
    status_date = models.DateField(_("date of death / move"), null=True, blank=True)
    id_card_status = models.CharField(
        _("ID card"), max_length=16, choices=IdCardStatus, default=IdCardStatus.HAS_EKTP
    )

    objects = IndividualQuerySet.as_manager()

    class Meta:
        verbose_name = _("individual")
        verbose_name_plural = _("individuals")
        ordering = ["household_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="alive") | models.Q(status_date__isnull=False),
                name="%(app_label)s_%(class)s_status_date_required",
            ),
            models.CheckConstraint(
                condition=models.Q(status_date__isnull=True)
                | models.Q(status_date__gte=models.F("birth_date")),
                name="%(app_label)s_%(class)s_status_after_birth",
            ),
        ]
        indexes = [models.Index(fields=["updated_at"], name="dtks_individual_updated_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def age(self) -> int:
        """Age in whole years today (or at death / moving out)."""
        from django.utils import timezone

        until = self.status_date or timezone.localdate()
        years = until.year - self.birth_date.year
        if (until.month, until.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return max(years, 0)

    @property
    def nik_masked(self) -> str:
        from ..nik import mask_nik

        return mask_nik(self.nik)


# Household fields an officer edits directly (member counts, desil and status are derived).
HOUSEHOLD_FIELDS = (
    "address",
    "rt",
    "rw",
    "latitude",
    "longitude",
    "floor_material",
    "wall_material",
    "roof_material",
    "floor_area",
    "water_source",
    "toilet",
    "lighting",
    "cooking_fuel",
    "house_ownership",
    "land_ownership",
    "has_gas_cylinder",
    "has_refrigerator",
    "has_air_conditioner",
    "has_television",
    "has_computer",
    "has_smartphone",
    "has_gold",
    "has_motorcycle",
    "has_car",
    "has_boat",
    "livestock_count",
    "head_education",
    "head_occupation",
    "income_band",
)

PERSON_FIELDS = (
    "nik",
    "name",
    "birth_place",
    "birth_date",
    "sex",
    "marital_status",
    "education",
    "occupation",
    "disability",
    "id_card_status",
)
