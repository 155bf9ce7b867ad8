"""The steps of the referral flow — draft → sent → accepted / declined → in service → completed /
failed — and of the case (open → closed), each declared once (``silakso.workflow``).

Case workers send and cancel; the provider (its admins, its own system, or an administrator
acting for it) answers, starts, completes or fails; both write monitoring notes."""

from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.permissions import CASE_WORKER_ROLES
from silakso.workflow import Rule, Step, Workflow

from .choices import CaseStatus
from .choices import ReferralStatus as R

# A referral is settled when nothing more will happen to it; a case closes when all are.
SETTLED = frozenset({R.DECLINED, R.COMPLETED, R.FAILED, R.CANCELLED})
# Active or delivered: what the duplicate-service guard looks at.
ACTIVE_OR_DELIVERED = frozenset({R.SENT, R.ACCEPTED, R.IN_SERVICE, R.COMPLETED})

# The provider's accounts (admins and its own system) and administrators acting for it.
PROVIDER_SIDE = frozenset({Role.PROVIDER_ADMIN, Role.API_CLIENT, Role.SYSTEM_ADMIN})


def _is_provider(referral, user) -> bool:
    from .models import provider_of

    member = provider_of(user)
    if member is not None:
        return member.pk == referral.provider_id
    return getattr(user, "role", None) == Role.SYSTEM_ADMIN or bool(
        getattr(user, "is_superuser", False)
    )


def _is_case_worker(referral, user) -> bool:
    from .models import provider_of

    return provider_of(user) is None


PROVIDER = (Rule(_is_provider, _("Only the provider answers its referrals.")),)
CASE_WORKER = (Rule(_is_case_worker, _("Your role does not refer.")),)


def _no_duplicates(referral) -> bool:
    from .selectors import referral_duplicates

    return not referral_duplicates(referral)


def _provider_step(code, label, sources, target, **extra) -> Step:
    return Step(
        code,
        label,
        sources=frozenset(sources),
        target=target,
        roles=PROVIDER_SIDE,
        rules=PROVIDER,
        **extra,
    )


REFERRAL_FLOW = Workflow(
    model="referrals.Referral",
    subject="referral",
    history=("referrals.ReferralStatusChange", "referral"),
    region="case.village_id",
    url_name="referrals:referral_action",
    steps=[
        Step(
            "create",
            _("Draft"),
            sources=frozenset({""}),
            target=R.DRAFT,
            roles=CASE_WORKER_ROLES,
            rules=CASE_WORKER,
            api=False,
        ),
        Step(
            "send",
            _("Send to the provider"),
            sources=frozenset({R.DRAFT}),
            target=R.SENT,
            roles=CASE_WORKER_ROLES,
            rules=CASE_WORKER,
            slug="kirim",
            form="referrals.forms.SendForm",
            service="referrals.services.referral_send",
            style="primary",
            button_when=_no_duplicates,
            title=_("Send to the provider"),
            submit=_("Save"),
            success=_("Sent. The provider is told."),
        ),
        _provider_step(
            "accept",
            _("Accept"),
            {R.SENT},
            R.ACCEPTED,
            slug="terima",
            service="referrals.services.referral_respond",
            service_kwargs={"accept": True},
            style="primary",
            success=_("Accepted. Start the service when it begins."),
        ),
        _provider_step(
            "decline",
            _("Decline"),
            {R.SENT},
            R.DECLINED,
            slug="tolak",
            form="referrals.forms.ReasonForm",
            service="referrals.services.referral_respond",
            service_kwargs={"accept": False},
            style="danger",
            title=_("Decline the referral"),
            submit=_("Save"),
            success=_("Declined. The case worker is told why."),
        ),
        _provider_step(
            "start",
            _("Service started"),
            {R.ACCEPTED},
            R.IN_SERVICE,
            slug="mulai",
            service="referrals.services.referral_start",
            style="primary",
            success=_("The service has started."),
        ),
        _provider_step(
            "complete",
            _("Record the service delivered"),
            {R.IN_SERVICE},
            R.COMPLETED,
            slug="selesai",
            form="referrals.forms.CompleteForm",
            service="referrals.services.referral_complete",
            style="primary",
            submit=_("Save"),
            success=_("Completed."),
        ),
        _provider_step(
            "fail",
            _("Could not deliver"),
            {R.ACCEPTED, R.IN_SERVICE},
            R.FAILED,
            slug="gagal",
            form="referrals.forms.ReasonForm",
            service="referrals.services.referral_fail",
            title=_("The service could not be delivered"),
            submit=_("Save"),
            success=_("Recorded as not delivered."),
        ),
        Step(
            "cancel",
            _("Cancel"),
            sources=frozenset({R.DRAFT, R.SENT}),
            target=R.CANCELLED,
            roles=CASE_WORKER_ROLES,
            rules=CASE_WORKER,
            slug="batalkan",
            form="referrals.forms.ReasonForm",
            service="referrals.services.referral_cancel",
            title=_("Cancel the referral"),
            submit=_("Save"),
            success=_("The referral is cancelled."),
        ),
        # monitoring notes, by either side, whatever the status
        Step(
            "note",
            _("Add a monitoring note"),
            sources=None,
            roles=CASE_WORKER_ROLES | PROVIDER_SIDE,
            rules=(
                Rule(
                    lambda referral, user: (
                        _is_provider(referral, user) or _is_case_worker(referral, user)
                    ),
                    _("Your role does not write on referrals."),
                ),
            ),
            slug="catatan",
            form="referrals.forms.NoteForm",
            service="referrals.services.referral_note",
            inline=True,
            submit=_("Add the note"),
            success=_("Note saved."),
        ),
    ],
)

CASE_FLOW = Workflow(
    model="referrals.Case",
    subject="case",
    history=("referrals.CaseStatusChange", "case"),
    region="village_id",
    url_name="referrals:case_action",
    steps=[
        Step(
            "open",
            _("Open"),
            sources=frozenset({""}),
            target=CaseStatus.OPEN,
            roles=CASE_WORKER_ROLES,
            api=False,
        ),
        # the work on an open case keeps its status
        Step(
            "assess",
            _("Assess the needs"),
            sources=frozenset({CaseStatus.OPEN}),
            roles=CASE_WORKER_ROLES,
            api=False,
        ),
        Step(
            "plan",
            _("Plan"),
            sources=frozenset({CaseStatus.OPEN}),
            roles=CASE_WORKER_ROLES,
            api=False,
        ),
        Step(
            "refer",
            _("Refer a need"),
            sources=frozenset({CaseStatus.OPEN}),
            roles=CASE_WORKER_ROLES,
            api=False,
        ),
        Step(
            "follow_up", _("Follow-up visit done"), sources=None, roles=CASE_WORKER_ROLES, api=False
        ),
        Step(
            "close",
            _("Close the case"),
            sources=frozenset({CaseStatus.OPEN}),
            target=CaseStatus.CLOSED,
            roles=CASE_WORKER_ROLES,
            slug="tutup",
            service="referrals.services.case_close",
            success=_("The case is closed."),
        ),
    ],
)
