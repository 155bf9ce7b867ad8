"""Writes of the aid-application flow, one module per sub-domain (as ``models/``): one service
per step, each locking the row through the actor's scope, authorising by the step declarations
in ``workflow.py``, writing a status-change row and an audit event, and queueing the resident's
notification after commit (from the database outbox, so nothing is lost when Redis is down).

Everything is re-exported here: callers write ``from applications import services`` and
``services.application_verify(...)``.
"""

from ._common import STAFF_CHANNELS
from .applications import (
    applicant_clean,
    application_reject,
    application_screen,
    application_submit,
    application_take,
    application_verify,
    application_withdraw,
)
from .deliberations import deliberation_record
from .fieldwork import field_check_record
from .objections import objection_allow, objection_answer, objection_submit
from .periods import (
    batch_annex_render,
    batch_candidates,
    batch_create,
    batch_export_run,
    batch_export_start,
    batch_finalise,
    batch_ratify,
    batch_results_import,
)
from .proposals import (
    proposal_create,
    proposal_fill,
    proposal_ground_check,
    proposal_reject,
    proposal_verify,
)
from .reads import (
    application_document_open,
    application_lookup,
    application_open,
    batch_file_open,
    deliberation_open,
    field_check_photo_open,
    objection_open,
    proposal_open,
)

__all__ = [
    "STAFF_CHANNELS",
    "applicant_clean",
    "application_document_open",
    "application_lookup",
    "application_open",
    "application_reject",
    "application_screen",
    "application_submit",
    "application_take",
    "application_verify",
    "application_withdraw",
    "batch_annex_render",
    "batch_candidates",
    "batch_create",
    "batch_export_run",
    "batch_export_start",
    "batch_file_open",
    "batch_finalise",
    "batch_ratify",
    "batch_results_import",
    "deliberation_open",
    "deliberation_record",
    "field_check_photo_open",
    "field_check_record",
    "objection_allow",
    "objection_answer",
    "objection_open",
    "objection_submit",
    "proposal_create",
    "proposal_fill",
    "proposal_ground_check",
    "proposal_open",
    "proposal_reject",
    "proposal_verify",
]
