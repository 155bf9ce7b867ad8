"""The steps of the application, update-proposal and period-list flows, each declared once.

The transition tables, the services' authorisation, the buttons on the pages, the API's
allowed steps and the step pages (``<pk>/<slug>/``) all derive from these declarations
(``silakso.workflow``). Steps without roles are the system's own (screening on submit, the
outcome of an update proposal, the period list moving its applications).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.permissions import CASE_WORKER_ROLES
from silakso.workflow import Rule, Step, Workflow, duty_rule, not_for_own_household, not_involved

from .choices import ApplicationStatus as A
from .choices import BatchStatus as B
from .choices import ObjectionStatus as O
from .choices import ProposalStatus as P
from .permissions import (
    BATCH_MANAGERS,
    DELIBERATORS,
    FIELD,
    INTAKE,
    RATIFIERS,
    VERIFIERS,
)


def _no_open_case(subject, user) -> bool:
    """The household has no open case yet (lists annotate ``has_open_case`` to spare a query
    per row)."""
    if not subject.household_id:
        return False
    known = getattr(subject, "has_open_case", None)
    if known is not None:
        return not known
    from django.apps import apps

    return not (
        apps.get_model("referrals", "Case")
        .objects.filter(household_id=subject.household_id, status="open")
        .exists()
    )


def _not_mine(subject, user) -> bool:
    return subject.assigned_to_id != getattr(user, "pk", None)


def _open_case_link(argument: str):
    return lambda subject: "{}?{}={}".format(
        reverse("referrals:case_create", args=[subject.household_id]), argument, subject.pk
    )


def open_case_step(*, sources, roles=CASE_WORKER_ROLES, argument: str) -> Step:
    """ "Open a case and refer" on a request's or a complaint's page (a page of referrals)."""
    return Step(
        "open_case",
        _("Open a case and refer"),
        sources=sources,
        roles=frozenset(roles),
        rules=(Rule(_no_open_case, _("This household already has an open case.")),),
        link=_open_case_link(argument),
        api=False,
    )


def take_step(*, sources, roles, success, label, service: str) -> Step:
    """Put the object on my own worklist (keeps the status)."""
    from silakso.exceptions import Conflict

    return Step(
        "take",
        label,
        sources=frozenset(sources),
        roles=frozenset(roles),
        rules=(Rule(_not_mine, _("This is already on your worklist."), Conflict),),
        slug="ambil",
        service=service,
        success=success,
    )


WITHDRAWABLE = frozenset(
    {A.SUBMITTED, A.NEEDS_UPDATE, A.AWAITING_DELIBERATION, A.DELIBERATED, A.VERIFIED}
)
ENTERED = ("entered_by_id", "resident_id")

APPLICATION_FLOW = Workflow(
    model="applications.Application",
    subject="application",
    history=("applications.ApplicationStatusChange", "application"),
    region="village_id",
    url_name="applications:application_action",
    steps=[
        # received online by the resident, or entered by an officer / a partner system
        Step(
            "submit",
            _("Submitted"),
            sources=frozenset({""}),
            target=A.SUBMITTED,
            roles=INTAKE | {Role.RESIDENT},
            api=False,
        ),
        # screening runs at once on submit and moves the application on
        Step(
            "screen_pass",
            _("Screening passed."),
            sources=frozenset({A.SUBMITTED}),
            target=A.AWAITING_DELIBERATION,
        ),
        Step(
            "screen_fail",
            _("Needs a registry update"),
            sources=frozenset({A.SUBMITTED}),
            target=A.NEEDS_UPDATE,
        ),
        # the update proposal decides: applied and judged poor -> deliberated (the same
        # deliberation), applied with the data now fitting -> deliberation, rejected -> rejected
        Step(
            "update_applied",
            _("Registry updated"),
            sources=frozenset({A.NEEDS_UPDATE}),
            target=A.AWAITING_DELIBERATION,
        ),
        Step(
            "update_judged_poor",
            _("Judged poor by the deliberation"),
            sources=frozenset({A.NEEDS_UPDATE}),
            target=A.DELIBERATED,
        ),
        Step(
            "update_rejected",
            _("Update rejected"),
            sources=frozenset({A.NEEDS_UPDATE}),
            target=A.REJECTED,
        ),
        # the village deliberation (musdes) or the village head's SPTJM decides, per applicant
        Step(
            "deliberate",
            _("Deliberated"),
            sources=frozenset({A.AWAITING_DELIBERATION}),
            target=A.DELIBERATED,
            roles=DELIBERATORS,
            api=False,
        ),
        Step(
            "deliberate_reject",
            _("Rejected by the deliberation"),
            sources=frozenset({A.AWAITING_DELIBERATION}),
            target=A.REJECTED,
            roles=DELIBERATORS,
            api=False,
        ),
        Step(
            "verify",
            _("Verify"),
            sources=frozenset({A.DELIBERATED}),
            target=A.VERIFIED,
            roles=VERIFIERS,
            rules=(
                not_involved(*ENTERED, action=_("verify a request you entered")),
                not_for_own_household(action=_("verify this request")),
            ),
            slug="verifikasi",
            form="applications.forms.VerifyForm",
            service="applications.services.application_verify",
            inline=True,
            style="primary",
            success=_("Verified. It goes into the next period list."),
        ),
        Step(
            "field_check",
            _("Record a field check"),
            sources=frozenset({A.DELIBERATED}),
            roles=VERIFIERS,
            slug="cek-lapangan",
            form="applications.forms.FieldCheckForm",
            service="applications.services.field_check_record",
            title=lambda application: _("Field check for {code}").format(code=application.code),
            submit=_("Save"),
            success=_("Field check saved."),
            multipart=True,
            geolocate=True,
        ),
        # an upheld objection can still stop a verified application before finalisation
        Step(
            "reject",
            _("Reject"),
            sources=frozenset({A.DELIBERATED, A.VERIFIED}),
            target=A.REJECTED,
            roles=VERIFIERS,
            rules=(
                not_involved(*ENTERED, action=_("decide on a request you entered")),
                not_for_own_household(action=_("decide on this request")),
            ),
            slug="tolak",
            form="applications.forms.RejectForm",
            service="applications.services.application_reject",
            style="danger",
            title=lambda application: _("Reject request {code}").format(code=application.code),
            success=_("Rejected. The resident is told the reason."),
        ),
        take_step(
            sources=WITHDRAWABLE,
            roles=VERIFIERS,
            label=_("Take onto my worklist"),
            success=_("The request is on your worklist."),
            service="applications.services.application_take",
        ),
        Step(
            "withdraw",
            _("Withdraw for the resident"),
            sources=WITHDRAWABLE,
            target=A.WITHDRAWN,
            roles=INTAKE | {Role.RESIDENT},
            slug="tarik",
            form="applications.forms.WithdrawForm",
            service="applications.services.application_withdraw",
            title=lambda application: _("Withdraw request {code} for the resident").format(
                code=application.code
            ),
            submit=_("Withdraw"),
            success=_("The request has been withdrawn."),
        ),
        # the period list moves its applications (set-based, see services._move_many)
        Step(
            "finalise",
            _("Finalised"),
            sources=frozenset({A.VERIFIED}),
            target=A.FINALISED,
            roles=BATCH_MANAGERS,
            api=False,
        ),
        Step(
            "ratify",
            _("Ratified"),
            sources=frozenset({A.FINALISED}),
            target=A.RATIFIED,
            roles=RATIFIERS,
            api=False,
        ),
        Step(
            "export",
            _("Sent to the ministry"),
            sources=frozenset({A.RATIFIED}),
            target=A.EXPORTED,
            roles=BATCH_MANAGERS,
            api=False,
        ),
        Step(
            "ministry_accept",
            _("Accepted by the ministry"),
            sources=frozenset({A.EXPORTED}),
            target=A.ACCEPTED,
            roles=BATCH_MANAGERS,
            api=False,
        ),
        Step(
            "ministry_refuse",
            _("Not accepted by the ministry"),
            sources=frozenset({A.EXPORTED}),
            target=A.NOT_ACCEPTED,
            roles=BATCH_MANAGERS,
            api=False,
        ),
        open_case_step(sources=None, argument="application"),
    ],
)

PROPOSAL_FLOW = Workflow(
    model="applications.UpdateProposal",
    subject="proposal",
    history=("applications.ProposalStatusChange", "proposal"),
    region="village_id",
    url_name="applications:proposal_action",
    steps=[
        Step(
            "open",
            _("Submitted"),
            sources=frozenset({""}),
            target=P.SUBMITTED,
            roles=FIELD,
            api=False,
        ),
        Step(
            "fill",
            _("Fill in the data"),
            sources=frozenset({P.SUBMITTED, P.VARIABLES_FILLED}),
            target=P.VARIABLES_FILLED,
            roles=FIELD,
            page="applications:proposal_fill",
            style="primary",
        ),
        Step(
            "ground_check",
            _("Ground check with a photo"),
            sources=frozenset({P.VARIABLES_FILLED}),
            target=P.GROUND_CHECKED,
            roles=FIELD,
            slug="cek-lapangan",
            form="applications.forms.GroundCheckForm",
            service="applications.services.proposal_ground_check",
            style="primary",
            title=lambda proposal: _("Ground check of {name}").format(name=proposal.name),
            submit=_("Save"),
            success=_("Ground check saved. The village deliberation decides next."),
            multipart=True,
            geolocate=True,
        ),
        Step(
            "deliberate",
            _("Deliberated"),
            sources=frozenset({P.GROUND_CHECKED}),
            target=P.DELIBERATED,
            roles=DELIBERATORS,
            api=False,
        ),
        Step(
            "verify",
            _("Verify and apply to the registry"),
            sources=frozenset({P.DELIBERATED}),
            target=P.APPLIED,
            roles=VERIFIERS,
            rules=(
                not_involved("filled_by_id", action=_("verify data you filled in")),
                not_for_own_household(action=_("verify this data")),
            ),
            slug="verifikasi",
            service="applications.services.proposal_verify",
            style="primary",
            success=_("Verified and applied to the registry."),
        ),
        # Dinsos may stop a proposal at any step; the village only before the ground check
        Step(
            "reject",
            _("Stop"),
            sources=frozenset({P.SUBMITTED, P.VARIABLES_FILLED, P.GROUND_CHECKED, P.DELIBERATED}),
            target=P.REJECTED,
            roles=VERIFIERS,
            slug="tolak",
            form="applications.forms.RejectForm",
            service="applications.services.proposal_reject",
            style="danger",
            title=lambda proposal: _("Stop update proposal {code}").format(code=proposal.code),
            success=_("The proposal is stopped."),
        ),
        Step(
            "reject",
            _("Stop"),
            sources=frozenset({P.SUBMITTED, P.VARIABLES_FILLED}),
            target=P.REJECTED,
            roles=FIELD,
            slug="tolak",
            form="applications.forms.RejectForm",
            service="applications.services.proposal_reject",
            style="danger",
            title=lambda proposal: _("Stop update proposal {code}").format(code=proposal.code),
            success=_("The proposal is stopped."),
        ),
    ],
)


def _ratifying_people(batch) -> list:
    """Who finalised the list and who verified its applications: none of them ratifies it."""
    return [batch.finalised_by_id, *batch.applications.values_list("verified_by_id", flat=True)]


def _job_page(job) -> str:
    return reverse("core:job_detail", args=[job.pk])


BATCH_FLOW = Workflow(
    model="applications.Batch",
    subject="batch",
    history=("applications.BatchStatusChange", "batch"),
    region="regency_id",
    url_name="applications:batch_action",
    steps=[
        Step(
            "create",
            _("Open"),
            sources=frozenset({""}),
            target=B.OPEN,
            roles=BATCH_MANAGERS,
            api=False,
        ),
        Step(
            "finalise",
            _("Finalise the list"),
            sources=frozenset({B.OPEN}),
            target=B.FINALISED,
            roles=BATCH_MANAGERS,
            slug="finalisasi",
            service="applications.services.batch_finalise",
            style="primary",
            success=_("The list is finalised and waits for the regent's ratification."),
        ),
        Step(
            "ratify",
            _("Ratify"),
            sources=frozenset({B.FINALISED}),
            target=B.RATIFIED,
            roles=RATIFIERS,
            rules=(
                duty_rule(
                    _ratifying_people,
                    action=_("ratify a list containing applications you verified"),
                ),
            ),
            slug="sahkan",
            form="applications.forms.RatifyForm",
            service="applications.services.batch_ratify",
            style="primary",
            title=lambda batch: _("Ratify {name}").format(name=batch.name),
            success=_("Ratified. The annex (PDF) is being prepared."),
        ),
        Step(
            "export",
            _("Make the ministry file"),
            sources=frozenset({B.RATIFIED}),
            target=B.EXPORTED,
            roles=BATCH_MANAGERS,
            slug="kirim",
            service="applications.services.batch_export_start",
            style="primary",
            follow=_job_page,
        ),
        Step(
            "results",
            _("Import the ministry's results"),
            sources=frozenset({B.EXPORTED}),
            roles=BATCH_MANAGERS,
            page="applications:batch_results",
            style="primary",
        ),
    ],
)

OBJECTION_FLOW = Workflow(
    model="applications.Objection",
    subject="objection",
    history=("applications.ObjectionStatusChange", "objection"),
    region="village_id",
    url_name="applications:objection_detail",
    steps=[
        # anyone may object (no account): the system files it
        Step("file", _("Waiting for an answer"), sources=frozenset({""}), target=O.OPEN, api=False),
        Step(
            "answer",
            _("Answer"),
            sources=frozenset({O.OPEN}),
            target=O.ANSWERED,
            roles=VERIFIERS,
            page="applications:objection_detail",
            style="primary",
        ),
    ],
)
