"""Registry models, re-exported so `from dtks.models import Household` keeps working."""

from .history import (
    DesilRecord,
    Flag,
    HouseholdEvent,
    HouseholdMerge,
    HouseholdPhoto,
    PersonMerge,
)
from .programs import Enrollment, Program, ProgramPeriod
from .regions import REGION_SOURCE, Region
from .registry import HOUSEHOLD_FIELDS, PERSON_FIELDS, Family, Household, Individual
from .rounds import RegistryRound, RoundEntry
from .scoring import PmtRun, PmtWeightSet
from .verification import Campaign, CampaignItem, CivilRegistryRecord

__all__ = [
    "HOUSEHOLD_FIELDS",
    "PERSON_FIELDS",
    "REGION_SOURCE",
    "Campaign",
    "CampaignItem",
    "CivilRegistryRecord",
    "DesilRecord",
    "Enrollment",
    "Family",
    "Flag",
    "Household",
    "HouseholdEvent",
    "HouseholdMerge",
    "HouseholdPhoto",
    "Individual",
    "PersonMerge",
    "PmtRun",
    "PmtWeightSet",
    "Program",
    "ProgramPeriod",
    "Region",
    "RegistryRound",
    "RoundEntry",
]
