"""The complaint flow's transition table: village → supervisor → Dinsos front office → back
office → resolved → closed (SLRT). Misuse reports skip the village and the supervisor."""

from silakso.workflow import Workflow

from .choices import ComplaintStatus as C

COMPLAINT_FLOW = Workflow(
    {
        # resolved at the village, forwarded, or (misuse reports) straight to Dinsos review
        C.RECEIVED: {C.RESOLVED, C.FORWARDED, C.IN_REVIEW},
        # the supervisor approves it on to Dinsos, or sends it back to the village
        C.FORWARDED: {C.IN_REVIEW, C.RECEIVED},
        C.IN_REVIEW: {C.IN_FOLLOW_UP, C.RESOLVED},
        C.IN_FOLLOW_UP: {C.RESOLVED, C.IN_REVIEW},
        C.RESOLVED: {C.CLOSED},
    }
)

# Who is next in line when a step is late (the head of division is always told too).
ESCALATE_TO = {
    C.RECEIVED: "supervisor",
    C.FORWARDED: "front_office",
    C.IN_REVIEW: "head_of_division",
    C.IN_FOLLOW_UP: "head_of_division",
    C.RESOLVED: "head_of_division",
}
