"""Choices of the registry. Codes follow the DTKS/DTSEN household survey (Regsosek) answers.

Codes are short English words so the database, exports and API read without a code book; the
labels are what residents and officers see (Indonesian through the translation catalogue).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionKind(models.TextChoices):
    PROVINCE = "provinsi", _("Province")
    REGENCY = "kabupaten", _("Regency")
    CITY = "kota", _("City")
    DISTRICT = "kecamatan", _("District")
    PAPUA_DISTRICT = "distrik", _("District (distrik)")
    VILLAGE = "desa", _("Village")
    URBAN_VILLAGE = "kelurahan", _("Urban village")
    CUSTOMARY_VILLAGE = "desa_adat", _("Customary village")


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("No longer in the registry")
    #: not in a national extract any more (a registry round): an update proposal or a later
    #: extract that has it again brings it back
    RETIRED = "retired", _("Left the registry in a national round")


class FloorMaterial(models.TextChoices):
    MARBLE = "marble", _("Marble / granite")
    CERAMIC = "ceramic", _("Ceramic tiles")
    VINYL = "vinyl", _("Parquet / vinyl / carpet")
    TILE = "tile", _("Floor tiles / terrazzo")
    WOOD = "wood", _("Wooden boards")
    CEMENT = "cement", _("Cement / red brick")
    BAMBOO = "bamboo", _("Bamboo")
    EARTH = "earth", _("Earth")
    OTHER = "other", _("Other")


class WallMaterial(models.TextChoices):
    MASONRY = "masonry", _("Brick / concrete wall")
    PLASTERED_BAMBOO = "plastered_bamboo", _("Plastered woven bamboo or wire")
    WOOD = "wood", _("Wooden boards")
    WOVEN_BAMBOO = "woven_bamboo", _("Woven bamboo")
    LOG = "log", _("Logs")
    BAMBOO = "bamboo", _("Bamboo")
    OTHER = "other", _("Other")


class RoofMaterial(models.TextChoices):
    CONCRETE = "concrete", _("Concrete")
    CLAY_TILE = "clay_tile", _("Clay tiles")
    ASBESTOS = "asbestos", _("Asbestos sheets")
    ZINC = "zinc", _("Zinc sheets")
    WOOD_SHINGLE = "wood_shingle", _("Wooden shingles")
    BAMBOO = "bamboo", _("Bamboo")
    THATCH = "thatch", _("Straw / palm thatch")
    OTHER = "other", _("Other")


class WaterSource(models.TextChoices):
    BOTTLED = "bottled", _("Bottled or refill water")
    PIPED_METERED = "piped_metered", _("Piped water with meter")
    PIPED_RETAIL = "piped_retail", _("Piped water bought by the can")
    DRILLED_WELL = "drilled_well", _("Drilled well / pump")
    PROTECTED_WELL = "protected_well", _("Protected well")
    UNPROTECTED_WELL = "unprotected_well", _("Unprotected well")
    PROTECTED_SPRING = "protected_spring", _("Protected spring")
    UNPROTECTED_SPRING = "unprotected_spring", _("Unprotected spring")
    SURFACE = "surface", _("River / lake / pond")
    RAIN = "rain", _("Rainwater")
    OTHER = "other", _("Other")


class ToiletFacility(models.TextChoices):
    PRIVATE = "private", _("Own toilet")
    SHARED = "shared", _("Shared with other households")
    PUBLIC = "public", _("Public toilet")
    NONE = "none", _("No toilet")


class Lighting(models.TextChoices):
    PLN_450 = "pln_450", _("PLN electricity, 450 VA")
    PLN_900 = "pln_900", _("PLN electricity, 900 VA")
    PLN_1300 = "pln_1300", _("PLN electricity, 1,300 VA")
    PLN_2200 = "pln_2200", _("PLN electricity, 2,200 VA or more")
    PLN_NO_METER = "pln_no_meter", _("PLN electricity without a meter")
    NON_PLN = "non_pln", _("Electricity not from PLN")
    NONE = "none", _("No electricity")


class CookingFuel(models.TextChoices):
    ELECTRICITY = "electricity", _("Electricity")
    LPG_LARGE = "lpg_large", _("LPG 5.5 kg or more")
    LPG_3KG = "lpg_3kg", _("LPG 3 kg")
    BIOGAS = "biogas", _("Biogas")
    KEROSENE = "kerosene", _("Kerosene")
    BRIQUETTE = "briquette", _("Briquettes")
    CHARCOAL = "charcoal", _("Charcoal")
    FIREWOOD = "firewood", _("Firewood")
    NONE = "none", _("Does not cook at home")
    OTHER = "other", _("Other")


class HouseOwnership(models.TextChoices):
    OWN = "own", _("Own house")
    CONTRACT = "contract", _("Contract / yearly rent")
    RENT = "rent", _("Monthly rent")
    RENT_FREE = "rent_free", _("Lives rent-free")
    OFFICIAL = "official", _("Official housing")
    OTHER = "other", _("Other")


class LandOwnership(models.TextChoices):
    OWN = "own", _("Own land")
    OTHERS = "others", _("Someone else's land")
    STATE = "state", _("State land")
    OTHER = "other", _("Other")


class Education(models.TextChoices):
    NONE = "none", _("Never went to school")
    PRIMARY = "primary", _("Primary school (SD) or equivalent")
    JUNIOR = "junior", _("Junior high school (SMP) or equivalent")
    SENIOR = "senior", _("Senior high school (SMA/SMK) or equivalent")
    DIPLOMA = "diploma", _("Diploma (D1–D3)")
    BACHELOR = "bachelor", _("Bachelor's degree or higher")


class Occupation(models.TextChoices):
    NONE = "none", _("Not working")
    SCHOOL = "school", _("In school")
    HOUSEKEEPING = "housekeeping", _("Looks after the household")
    FARMER = "farmer", _("Farmer / planter")
    FISHER = "fisher", _("Fisher")
    LABOURER = "labourer", _("Daily labourer")
    TRADER = "trader", _("Trader / small business")
    DRIVER = "driver", _("Driver / transport")
    PRIVATE_EMPLOYEE = "private_employee", _("Private employee")
    CIVIL_SERVANT = "civil_servant", _("Civil servant / army / police")
    ENTREPRENEUR = "entrepreneur", _("Business owner")
    OTHER = "other", _("Other")


class IncomeBand(models.TextChoices):
    BELOW_1M = "below_1m", _("Below Rp 1 million a month")
    FROM_1M = "1m_2m", _("Rp 1–2 million a month")
    FROM_2M = "2m_3m", _("Rp 2–3 million a month")
    FROM_3M = "3m_5m", _("Rp 3–5 million a month")
    ABOVE_5M = "above_5m", _("Above Rp 5 million a month")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class RelationToHead(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Wife / husband")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Son / daughter-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT = "parent", _("Parent")
    PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    OTHER = "other", _("Not related")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Not married")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


class Disability(models.TextChoices):
    NONE = "none", _("None")
    PHYSICAL = "physical", _("Physical")
    VISUAL = "visual", _("Visual")
    HEARING = "hearing", _("Hearing / speech")
    INTELLECTUAL = "intellectual", _("Intellectual")
    MENTAL = "mental", _("Mental / psychosocial")
    MULTIPLE = "multiple", _("Multiple")


class IndividualStatus(models.TextChoices):
    ALIVE = "alive", _("Living in the household")
    DECEASED = "deceased", _("Deceased")
    MOVED = "moved", _("Moved out")
    #: one person recorded twice: this record was merged into the other (PersonMerge)
    MERGED = "merged", _("Merged into another record of the same person")
    #: an extract gave this NIK for a second household: imported beside the first record with
    #: a duplicate-NIK flag, counted nowhere until an officer merges or keeps it
    REVIEW = "review", _("Waiting for review: the NIK is also in another household")


class IdCardStatus(models.TextChoices):
    HAS_EKTP = "has_ektp", _("Has an e-KTP")
    NOT_RECORDED = "not_recorded", _("e-KTP not yet recorded")
    NONE = "none", _("No ID card (under 17 or not yet made)")


class ChangeSource(models.TextChoices):
    """Where a registry change comes from (shown on every history entry)."""

    FIELD_VISIT = "field_visit", _("Field visit")
    OFFICE = "office", _("Office / counter")
    IMPORT = "import", _("Import of ministry data")
    CIVIL_REGISTRY = "civil_registry", _("Civil registry (Dukcapil)")
    DELIBERATION = "deliberation", _("Village deliberation")
    VERIFICATION = "verification", _("Dinsos verification")
    UPDATE_PROPOSAL = "update_proposal", _("Update proposal (usulan pembaruan)")


class HouseholdEventKind(models.TextChoices):
    """What happened to a household; member events are explicit actions, never field edits."""

    CREATED = "created", _("Registered")
    UPDATED = "updated", _("Data changed")
    BIRTH = "birth", _("Birth")
    DEATH = "death", _("Death")
    MOVED_IN = "moved_in", _("Moved in")
    MOVED_OUT = "moved_out", _("Moved out")
    KK_SPLIT = "kk_split", _("Split to a new KK")
    HEAD_CHANGED = "head_changed", _("New head of household")
    MEMBER_CORRECTED = "member_corrected", _("Member data corrected")
    DESIL_IMPORTED = "desil_imported", _("Official desil imported")
    PHOTO_ADDED = "photo_added", _("House photo added")
    ENROLLED = "enrolled", _("Enrolled in a program")
    ENROLLMENT_ENDED = "enrollment_ended", _("Program enrollment ended")


class FlagKind(models.TextChoices):
    """Problems found in registry data; each becomes an item of a worklist."""

    NIK_UNKNOWN_REGION = "nik_unknown_region", _("NIK with a district code not in the current list")
    DUPLICATE_NIK = "duplicate_nik", _("Same NIK in more than one record")
    FUZZY_DUPLICATE = "fuzzy_duplicate", _("Possible duplicate person")
    CIVIL_REGISTRY_MISMATCH = "civil_registry_mismatch", _("NIK not in the civil registry")
    # each difference from the civil registry (Dukcapil) is its own problem, with both values
    CIVIL_NAME = "civil_name", _("Name differs from the civil registry")
    CIVIL_BIRTH = "civil_birth", _("Birth date or place differs from the civil registry")
    CIVIL_SEX = "civil_sex", _("Sex differs from the civil registry")
    CIVIL_KK = "civil_kk", _("KK number differs from the civil registry")
    CIVIL_ADDRESS = "civil_address", _("Address differs from the civil registry")
    CIVIL_DECEASED = "civil_deceased", _("Deceased in the civil registry")
    CIVIL_MOVED = "civil_moved", _("Moved out in the civil registry")
    DECEASED_ENROLLED = "deceased_enrolled", _("Deceased person still enrolled")
    MOVED_ENROLLED = "moved_enrolled", _("Moved person still enrolled")
    NO_HEAD = "no_head", _("Household without a head")
    TURNING_17_WITHOUT_ID = "turning_17_without_id", _("Turned 17 without an ID card")
    INCLUSION_ERROR = "inclusion_error", _("Enrolled above the program's desil limit")
    EXCLUSION_ERROR = "exclusion_error", _("Poor household in no program")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class FundingSource(models.TextChoices):
    APBN = "apbn", _("National budget (APBN)")
    APBD_PROVINCE = "apbd_province", _("Provincial budget (APBD)")
    APBD_REGENCY = "apbd_regency", _("Regency/city budget (APBD)")
    CSR = "csr", _("Company CSR")
    OTHER = "other", _("Other (BAZNAS, NGO, donors)")


class AidType(models.TextChoices):
    """What kind of help a program gives; the double-dipping guard compares these."""

    CASH = "cash", _("Cash assistance")
    FOOD = "food", _("Food assistance")
    EDUCATION = "education", _("Education assistance")
    HEALTH = "health", _("Health insurance contribution")
    HOUSING = "housing", _("House repair")
    BUSINESS = "business", _("Business / livelihood support")
    REHABILITATION = "rehabilitation", _("Social rehabilitation")
    OTHER = "other", _("Other")


class ProgramTarget(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    INDIVIDUAL = "individual", _("Individual")


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Receiving")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class EnrollmentSource(models.TextChoices):
    IMPORT = "import", _("Official recipient list")
    APPLICATION = "application", _("Approved application")
    MANUAL = "manual", _("Entered by an officer")


class CampaignOutcome(models.TextChoices):
    """Field check outcomes of form A4."""

    FOUND = "found", _("Found, data correct")
    NOT_FOUND = "not_found", _("Not found")
    MOVED = "moved", _("Moved away")
    DECEASED = "deceased", _("Deceased")
    NOW_ABLE = "now_able", _("Now able (no longer poor)")
    STILL_ELIGIBLE = "still_eligible", _("Still eligible")


#: Outcomes that end or change aid: they wait for a Dinsos officer's review (never applied by
#: the visit alone).
REVIEWED_OUTCOMES = frozenset(
    {
        CampaignOutcome.NOT_FOUND,
        CampaignOutcome.MOVED,
        CampaignOutcome.DECEASED,
        CampaignOutcome.NOW_ABLE,
    }
)


class OutcomeReview(models.TextChoices):
    """Where a field outcome that changes aid stands in Dinsos's review."""

    PENDING = "pending", _("Waiting for Dinsos review")
    APPROVED = "approved", _("Approved by Dinsos")
    REJECTED = "rejected", _("Not accepted by Dinsos")


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("In the field")
    CLOSED = "closed", _("Closed")
