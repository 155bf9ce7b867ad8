"""The referral flow: draft → sent → accepted / declined → in service → completed / failed;
the case: open → closed (once every referral is settled and the follow-up is done)."""

from silakso.workflow import Workflow

from .choices import CaseStatus
from .choices import ReferralStatus as R

CASE_FLOW = Workflow({CaseStatus.OPEN: {CaseStatus.CLOSED}})

REFERRAL_FLOW = Workflow(
    {
        R.DRAFT: {R.SENT, R.CANCELLED},
        R.SENT: {R.ACCEPTED, R.DECLINED, R.CANCELLED},
        R.ACCEPTED: {R.IN_SERVICE, R.FAILED},
        R.IN_SERVICE: {R.COMPLETED, R.FAILED},
    }
)

# A referral is settled when nothing more will happen to it; a case closes when all are.
SETTLED = frozenset({R.DECLINED, R.COMPLETED, R.FAILED, R.CANCELLED})
# Active or delivered: what the duplicate-service guard looks at.
ACTIVE_OR_DELIVERED = frozenset({R.SENT, R.ACCEPTED, R.IN_SERVICE, R.COMPLETED})
