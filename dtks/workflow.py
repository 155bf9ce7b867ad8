"""The one-form steps on a household — the member events a village operator records — declared
once like the steps of every flow (``silakso.workflow``): the household page's buttons and the
step pages under ``rumah-tangga/<pk>/anggota/<slug>/`` derive from these declarations.

A household has no flow of its own (its status follows its members), so these steps start from
any state and keep it; every one checks the household's version and writes its history."""

from django.utils.translation import gettext_lazy as _

from silakso.workflow import Step, Workflow, not_involved

from .permissions import (
    FIELD_OUTCOME_REVIEWERS,
    REGISTRY_EDITORS,
    ROUND_APPROVERS,
    ROUND_PROPOSERS,
)


def _member_event(
    code, label, title, slug, form, service, *, intro="", subject=True, style="primary"
) -> Step:
    return Step(
        code,
        label,
        title=title,
        style=style,
        sources=None,
        roles=REGISTRY_EDITORS,
        slug=slug,
        form="dtks.forms." + form,
        service="dtks.services." + service,
        intro=intro,
        submit=_("Save"),
        success=_("Saved. The change is in the household history."),
        pass_subject=subject,
    )


HOUSEHOLD_STEPS = Workflow(
    model="dtks.Household",
    subject="household",
    region="village_id",
    url_name="dtks:member_event",
    steps=[
        _member_event(
            "birth",
            _("Birth"),
            _("Record a birth"),
            "kelahiran",
            "BirthForm",
            "member_birth",
            intro=_("A baby was born into this household."),
        ),
        _member_event(
            "move_in",
            _("Moved in"),
            _("Someone moved in"),
            "pindah-masuk",
            "MoveInForm",
            "member_move_in",
            intro=_(
                "A person joins this household. If the NIK is already registered elsewhere in "
                "your area, the person is moved here."
            ),
        ),
        _member_event(
            "death",
            _("Death"),
            _("Record a death"),
            "kematian",
            "LeaveForm",
            "member_death",
            intro=_("A member of this household died."),
            subject=False,
        ),
        _member_event(
            "move_out",
            _("Moved out"),
            _("Someone moved out"),
            "pindah-keluar",
            "LeaveForm",
            "member_move_out",
            intro=_("A member left this household."),
            subject=False,
        ),
        _member_event(
            "head_change",
            _("New head"),
            _("Change the head of household"),
            "ganti-kepala",
            "HeadChangeForm",
            "head_change",
            style="secondary",
        ),
        _member_event(
            "split",
            _("Split KK"),
            _("Split to a new KK"),
            "pecah-kk",
            "SplitForm",
            "family_split",
            style="secondary",
            intro=_(
                "Some members got a new family card. If they now live in another house, give "
                "the new address: a new household is registered for them."
            ),
        ),
        Step(
            "photo",
            _("Add a photo"),
            sources=None,
            roles=REGISTRY_EDITORS,
            slug="foto",
            form="dtks.forms.PhotoForm",
            service="dtks.services.photo_add",
            title=_("Add a photo of the house"),
            submit=_("Upload"),
            success=_("The photo is saved."),
            style="secondary",
            multipart=True,
            geolocate=True,
        ),
    ],
)


# A household of a field campaign (form A4): the visit is recorded; an outcome that ends or
# changes aid (now able, moved, deceased, not found) waits for a Dinsos officer who did not make
# the visit, and only their approval changes the registry and the programs.
_REVIEW = not_involved("visited_by_id", action=_("review your own field visit"))

CAMPAIGN_ITEM_STEPS = Workflow(
    model="dtks.CampaignItem",
    subject="item",
    region="household.village_id",
    url_name="dtks:campaign_item_step",
    steps=[
        Step(
            "record",
            _("Record the visit"),
            sources=frozenset({"to_visit", "rejected"}),
            roles=REGISTRY_EDITORS,
            slug="catat",
            form="dtks.forms.CampaignOutcomeForm",
            service="dtks.services.campaign_item_record",
            title=_("Record the field visit"),
            intro=_(
                "Not found, moved, deceased and now able change aid: Dinsos reviews them before "
                "the registry or any program changes."
            ),
            submit=_("Save"),
            success=lambda item: (
                _("Saved. Dinsos reviews this outcome before the registry or aid changes.")
                if item.review
                else _("Saved. The registry is updated.")
            ),
            style="primary",
        ),
        Step(
            "approve",
            _("Approve"),
            sources=frozenset({"pending"}),
            roles=FIELD_OUTCOME_REVIEWERS,
            rules=(_REVIEW,),
            slug="setujui",
            form="dtks.forms.OutcomeApproveForm",
            service="dtks.services.campaign_item_review",
            service_kwargs={"approve": True},
            title=_("Approve the field outcome"),
            intro=_(
                "Approved, the outcome is applied: the registry records it with the visit's "
                "date and the household's programs end where it says so."
            ),
            submit=_("Approve and apply"),
            success=_("Approved. The registry is updated."),
            style="primary",
        ),
        Step(
            "reject",
            _("Do not accept"),
            sources=frozenset({"pending"}),
            roles=FIELD_OUTCOME_REVIEWERS,
            rules=(_REVIEW,),
            slug="tolak",
            form="dtks.forms.OutcomeRejectForm",
            service="dtks.services.campaign_item_review",
            service_kwargs={"approve": False},
            title=_("Do not accept the field outcome"),
            intro=_("The registry stays as it is and the household can be visited again."),
            submit=_("Do not accept"),
            success=_("Not accepted. The household can be visited again."),
            style="secondary",
        ),
    ],
)


# A national extract's round: the data manager who compared it proposes it (or discards it),
# the head of division approves it, never the person who proposed it; only then is it applied.
_ROUND_DUTY = not_involved("proposed_by_id", action=_("approve a round you proposed"))

ROUND_STEPS = Workflow(
    model="dtks.RegistryRound",
    subject="registry_round",
    region="region_code",
    url_name="dtks:round_step",
    steps=[
        Step(
            "propose",
            _("Propose"),
            sources=frozenset({"compared"}),
            target="proposed",
            roles=ROUND_PROPOSERS,
            slug="usulkan",
            form="dtks.forms.RoundNoteForm",
            service="dtks.services.round_propose",
            title=_("Propose this round to the head of division"),
            intro=_(
                "The head of division reviews the lists and approves; only then are new and "
                "changed households written and absent ones retired."
            ),
            submit=_("Propose"),
            success=_("Proposed. The head of division is asked to approve it."),
            style="primary",
        ),
        Step(
            "discard",
            _("Discard"),
            sources=frozenset({"compared", "failed"}),
            target="refused",
            roles=ROUND_PROPOSERS,
            slug="batalkan",
            form="dtks.forms.RoundReasonForm",
            service="dtks.services.round_refuse",
            title=_("Discard this round"),
            intro=_("Nothing of the registry changes. Another extract can then be uploaded."),
            submit=_("Discard"),
            success=_("Discarded. The registry is unchanged."),
        ),
        Step(
            "approve",
            _("Approve and apply"),
            sources=frozenset({"proposed"}),
            target="applying",
            roles=ROUND_APPROVERS,
            rules=(_ROUND_DUTY,),
            slug="setujui",
            form="dtks.forms.RoundNoteForm",
            service="dtks.services.round_approve",
            title=_("Approve and apply this round"),
            intro=_(
                "New and changed households are written, households changed here since the "
                "extract are kept as they are, and absent ones are retired: their programs "
                "end at the end of the current period. This runs in the background."
            ),
            submit=_("Approve and apply"),
            success=_("Approved. The round is being applied; this page shows when it is done."),
            style="primary",
        ),
        Step(
            "refuse",
            _("Do not approve"),
            sources=frozenset({"proposed"}),
            target="refused",
            roles=ROUND_APPROVERS,
            rules=(_ROUND_DUTY,),
            slug="tolak",
            form="dtks.forms.RoundReasonForm",
            service="dtks.services.round_refuse",
            title=_("Do not approve this round"),
            intro=_("Nothing of the registry changes."),
            submit=_("Do not approve"),
            success=_("Not approved. The registry is unchanged."),
        ),
    ],
)
