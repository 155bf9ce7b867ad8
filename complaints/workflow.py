"""The steps of the complaint flow, each declared once: village → supervisor → Dinsos front
office → back office → resolved → closed (SLRT). Misuse reports skip the village and the
supervisor. The table, the services' authorisation, the buttons, the API's allowed steps and
the step pages (``<pk>/<slug>/``) derive from these declarations (``silakso.workflow``)."""

from django.utils.translation import gettext_lazy as _

from applications.workflow import open_case_step, take_step
from core.choices import Role
from silakso.workflow import Rule, Step, Workflow

from .choices import ComplaintStatus as C
from .permissions import BACK_OFFICE, DINSOS, FRONT_OFFICE, INTAKE, SUPERVISORS, VILLAGE


def _can_propose_update(complaint, user) -> bool:
    return complaint.update_proposal_id is None and bool(complaint.complainant_nik)


def _resolve(source, roles) -> Step:
    return Step(
        "resolve",
        _("Record what was done"),
        sources=frozenset({source}),
        target=C.RESOLVED,
        roles=frozenset(roles),
        slug="selesaikan",
        form="complaints.forms.ResolveForm",
        service="complaints.services.complaint_resolve",
        style="primary",
        submit=_("Save"),
        success=_("Resolved. Tell the resident, then close the complaint."),
    )


OPEN = frozenset({C.RECEIVED, C.FORWARDED, C.IN_REVIEW, C.IN_FOLLOW_UP, C.RESOLVED})

COMPLAINT_FLOW = Workflow(
    model="complaints.Complaint",
    subject="complaint",
    history=("complaints.ComplaintStatusChange", "complaint"),
    region="village_id",
    url_name="complaints:complaint_action",
    after_step="complaints.services.after_step",
    steps=[
        Step(
            "receive",
            _("Received"),
            sources=frozenset({""}),
            target=C.RECEIVED,
            roles=INTAKE | {Role.RESIDENT},
            api=False,
        ),
        # misuse reports never wait at the village they are about
        Step(
            "restrict",
            _("Restricted queue (misuse report)."),
            sources=frozenset({C.RECEIVED}),
            target=C.IN_REVIEW,
        ),
        Step(
            "forward",
            _("Forward to the supervisor"),
            sources=frozenset({C.RECEIVED}),
            target=C.FORWARDED,
            roles=VILLAGE,
            slug="teruskan",
            form="complaints.forms.NoteForm",
            service="complaints.services.complaint_forward",
            style="primary",
            title=_("Forward to the district supervisor"),
            submit=_("Save"),
            success=_("The complaint is forwarded."),
        ),
        # the supervisor approves it on to Dinsos, or sends it back to the village
        Step(
            "approve",
            _("Approve"),
            sources=frozenset({C.FORWARDED}),
            target=C.IN_REVIEW,
            roles=SUPERVISORS,
            slug="setujui",
            form="complaints.forms.NoteForm",
            service="complaints.services.complaint_supervise",
            service_kwargs={"approve": True},
            style="primary",
            title=_("Approve: send on to Dinsos"),
            submit=_("Save"),
            success=_("Sent on to Dinsos."),
        ),
        Step(
            "return",
            _("Return to the village"),
            sources=frozenset({C.FORWARDED}),
            target=C.RECEIVED,
            roles=SUPERVISORS,
            slug="kembalikan",
            form="complaints.forms.ReturnForm",
            service="complaints.services.complaint_supervise",
            service_kwargs={"approve": False},
            submit=_("Save"),
            success=_("Returned to the village."),
        ),
        Step(
            "review",
            _("Review and hand over"),
            sources=frozenset({C.IN_REVIEW}),
            target=C.IN_FOLLOW_UP,
            roles=FRONT_OFFICE,
            slug="telaah",
            form="complaints.forms.ReviewForm",
            service="complaints.services.complaint_review",
            style="primary",
            title=_("Review and hand over to the back office"),
            submit=_("Save"),
            success=_("Handed over to the back office."),
        ),
        Step(
            "update_proposal",
            _("Open a data update proposal"),
            sources=frozenset({C.IN_REVIEW, C.IN_FOLLOW_UP}),
            roles=FRONT_OFFICE,
            rules=(
                Rule(_can_propose_update, _("A data update is already open for this complaint.")),
            ),
            slug="usulan-pembaruan",
            service="complaints.services.complaint_open_update_proposal",
            success=lambda proposal: _(
                "Update proposal {code} is open; the village fills it in."
            ).format(code=proposal.code),
        ),
        open_case_step(
            sources=frozenset({C.IN_FOLLOW_UP}), roles=BACK_OFFICE, argument="complaint"
        ),
        Step(
            "link_program",
            _("Link to a program"),
            sources=frozenset({C.IN_FOLLOW_UP}),
            roles=BACK_OFFICE,
            slug="program",
            form="complaints.forms.ProgramForm",
            service="complaints.services.complaint_link_program",
            submit=_("Save"),
            success=_("Linked to the program."),
        ),
        # the back office sends it back for another review (no service of its own: the generic
        # step service moves it, and after_step sets the new deadline and tells the resident)
        Step(
            "back_to_review",
            _("Back to the front office"),
            sources=frozenset({C.IN_FOLLOW_UP}),
            target=C.IN_REVIEW,
            roles=BACK_OFFICE,
            slug="kembali-telaah",
            form="complaints.forms.NoteForm",
            title=_("Send back to the front office for another review"),
            submit=_("Save"),
            success=_("Sent back to the front office."),
        ),
        # resolved at the village, by the front office, or by the back office
        _resolve(C.RECEIVED, VILLAGE),
        _resolve(C.IN_REVIEW, FRONT_OFFICE),
        _resolve(C.IN_FOLLOW_UP, BACK_OFFICE),
        Step(
            "close",
            _("Close: the resident was told"),
            sources=frozenset({C.RESOLVED}),
            target=C.CLOSED,
            roles=VILLAGE | DINSOS,
            slug="tutup",
            form="complaints.forms.CloseForm",
            service="complaints.services.complaint_close",
            style="primary",
            title=_("Close: the resident has been told"),
            submit=_("Save"),
            success=_("Closed. The resident is asked for a rating."),
        ),
        take_step(
            sources=OPEN,
            roles=DINSOS,
            label=_("Take charge"),
            success=_("You are in charge of this complaint."),
            service="complaints.services.complaint_take",
        ),
    ],
)

# Who is next in line when a step is late (the head of division is always told too).
ESCALATE_TO: dict[str, str] = {
    C.RECEIVED: "supervisor",
    C.FORWARDED: "front_office",
    C.IN_REVIEW: "head_of_division",
    C.IN_FOLLOW_UP: "head_of_division",
    C.RESOLVED: "head_of_division",
}
