"""Writes of the registry app.

Every change goes through one of these functions: it checks the actor's role and scope, keeps the
registry consistent (one living head, derived member counts), bumps the household version so two
officers cannot silently overwrite each other, and writes a history entry plus an audit event.

One module per sub-domain (as ``models/``), everything re-exported here:
``from dtks import services`` and ``services.household_update(...)``.
"""

from ..models import HOUSEHOLD_FIELDS, PERSON_FIELDS
from ._common import (
    REGION_BATCH,
    flag_raise,
    household_data_validate,
    person_data_validate,
)
from .flags import (
    campaign_create,
    campaign_item_record,
    campaign_item_review,
    flag_accept_civil,
    flag_assign,
    flag_keep_ours,
    flag_reopen,
    flag_resolve,
    verification_run,
)
from .households import (
    cek_bansos_allow,
    cek_bansos_audit,
    desil_record,
    export_audit,
    household_create,
    household_open,
    household_photo_open,
    household_update,
    nik_reveal,
    people_lookup_bulk,
    photo_add,
)
from .jobs import (
    civil_registry_import_start,
    pmt_rank_start,
    recipients_import_start,
    region_reload_start,
    registry_export_start,
    registry_import_start,
    verification_start,
)
from .members import (
    family_split,
    head_change,
    individual_correct,
    member_birth,
    member_death,
    member_move_in,
    member_move_out,
)
from .merge import (
    household_merge,
    household_merge_reverse,
    person_merge,
    person_merge_reverse,
)
from .programs import (
    DoubleDippingError,
    enrollment_create,
    enrollment_create_by_nik,
    enrollment_end,
    enrollments_import,
    program_period_save,
    program_save,
    recipient_find,
)
from .ranking import (
    pmt_rank,
    pmt_weight_set_approve,
    pmt_weight_set_save,
)
from .regions import (
    region_load_all,
)
from .rounds import (
    round_apply_run,
    round_approve,
    round_compare_run,
    round_entries_csv,
    round_propose,
    round_recover,
    round_refuse,
    round_start,
)

__all__ = [
    "HOUSEHOLD_FIELDS",
    "PERSON_FIELDS",
    "REGION_BATCH",
    "DoubleDippingError",
    "campaign_create",
    "campaign_item_record",
    "campaign_item_review",
    "cek_bansos_allow",
    "cek_bansos_audit",
    "civil_registry_import_start",
    "desil_record",
    "enrollment_create",
    "enrollment_create_by_nik",
    "enrollment_end",
    "enrollments_import",
    "export_audit",
    "family_split",
    "flag_accept_civil",
    "flag_assign",
    "flag_keep_ours",
    "flag_raise",
    "flag_reopen",
    "flag_resolve",
    "head_change",
    "household_create",
    "household_data_validate",
    "household_merge",
    "household_merge_reverse",
    "household_open",
    "household_photo_open",
    "household_update",
    "individual_correct",
    "member_birth",
    "member_death",
    "member_move_in",
    "member_move_out",
    "nik_reveal",
    "people_lookup_bulk",
    "person_data_validate",
    "person_merge",
    "person_merge_reverse",
    "photo_add",
    "pmt_rank",
    "pmt_rank_start",
    "pmt_weight_set_approve",
    "pmt_weight_set_save",
    "program_period_save",
    "program_save",
    "recipient_find",
    "recipients_import_start",
    "region_load_all",
    "region_reload_start",
    "registry_export_start",
    "registry_import_start",
    "round_apply_run",
    "round_approve",
    "round_compare_run",
    "round_entries_csv",
    "round_propose",
    "round_recover",
    "round_refuse",
    "round_start",
    "verification_run",
    "verification_start",
]
