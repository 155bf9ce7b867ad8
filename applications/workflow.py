"""The transition tables of the application, update-proposal and period-list flows.

Each table is the single source of truth for what may follow what; services assert against
it, templates and the API show only the allowed next steps.
"""

from silakso.workflow import Workflow

from .choices import ApplicationStatus as A
from .choices import BatchStatus as B
from .choices import ProposalStatus as P

APPLICATION_FLOW = Workflow(
    {
        # screening runs at once on submit and moves the application on
        A.SUBMITTED: {A.AWAITING_DELIBERATION, A.NEEDS_UPDATE, A.WITHDRAWN},
        # the update proposal decides: applied and judged poor -> deliberated (the same
        # deliberation), applied with the data now fitting -> deliberation, rejected -> rejected
        A.NEEDS_UPDATE: {A.AWAITING_DELIBERATION, A.DELIBERATED, A.REJECTED, A.WITHDRAWN},
        A.AWAITING_DELIBERATION: {A.DELIBERATED, A.REJECTED, A.WITHDRAWN},
        A.DELIBERATED: {A.VERIFIED, A.REJECTED, A.WITHDRAWN},
        # an upheld objection can still stop a verified application before finalisation
        A.VERIFIED: {A.FINALISED, A.REJECTED, A.WITHDRAWN},
        A.FINALISED: {A.RATIFIED},
        A.RATIFIED: {A.EXPORTED},
        A.EXPORTED: {A.ACCEPTED, A.NOT_ACCEPTED},
    }
)

# Statuses from which a resident (or an officer for them) may withdraw: before finalisation.
WITHDRAWABLE = frozenset(
    source for source, targets in APPLICATION_FLOW.transitions.items() if A.WITHDRAWN in targets
)

PROPOSAL_FLOW = Workflow(
    {
        P.SUBMITTED: {P.VARIABLES_FILLED, P.REJECTED},
        P.VARIABLES_FILLED: {P.VARIABLES_FILLED, P.GROUND_CHECKED, P.REJECTED},
        P.GROUND_CHECKED: {P.DELIBERATED, P.REJECTED},
        P.DELIBERATED: {P.APPLIED, P.REJECTED},
    }
)

BATCH_FLOW = Workflow(
    {
        B.OPEN: {B.FINALISED},
        B.FINALISED: {B.RATIFIED},
        B.RATIFIED: {B.EXPORTED},
    }
)
