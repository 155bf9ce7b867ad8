"""The step declarations and what derives from them.

The expected tables and roles are written out here as literals (a test that read them from
the declarations under test could not fail); a step added to a declaration at runtime appears
in the page's buttons and the API's allowed steps for its role only and is refused to others;
every API detail read writes the same audit row as opening the page.
"""

import itertools

import pytest
from django.urls import reverse

from applications.tests.factories import deliberate, household, program, submit
from applications.workflow import APPLICATION_FLOW, BATCH_FLOW, OBJECTION_FLOW, PROPOSAL_FLOW
from complaints.tests.factories import complaint
from complaints.workflow import COMPLAINT_FLOW
from core.choices import AuditAction, Role
from core.models import AuditEvent
from referrals.workflow import CASE_FLOW, REFERRAL_FLOW
from silakso.exceptions import InvalidTransition
from silakso.workflow import Step

pytestmark = pytest.mark.django_db

EXPECTED_TABLES = {
    "application": (
        APPLICATION_FLOW,
        {
            "": {"submitted"},
            "submitted": {"awaiting_deliberation", "needs_update", "withdrawn"},
            "needs_update": {"awaiting_deliberation", "deliberated", "rejected", "withdrawn"},
            "awaiting_deliberation": {"deliberated", "rejected", "withdrawn"},
            "deliberated": {"verified", "rejected", "withdrawn"},
            "verified": {"finalised", "rejected", "withdrawn"},
            "finalised": {"ratified"},
            "ratified": {"exported"},
            "exported": {"accepted", "not_accepted"},
        },
    ),
    "proposal": (
        PROPOSAL_FLOW,
        {
            "": {"submitted"},
            "submitted": {"variables_filled", "rejected"},
            "variables_filled": {"variables_filled", "ground_checked", "rejected"},
            "ground_checked": {"deliberated", "rejected"},
            "deliberated": {"applied", "rejected"},
        },
    ),
    "batch": (
        BATCH_FLOW,
        {"": {"open"}, "open": {"finalised"}, "finalised": {"ratified"}, "ratified": {"exported"}},
    ),
    "objection": (OBJECTION_FLOW, {"": {"open"}, "open": {"answered"}}),
    "complaint": (
        COMPLAINT_FLOW,
        {
            "": {"received"},
            "received": {"resolved", "forwarded", "in_review"},
            "forwarded": {"in_review", "received"},
            "in_review": {"in_follow_up", "resolved"},
            "in_follow_up": {"resolved", "in_review"},
            "resolved": {"closed"},
        },
    ),
    "referral": (
        REFERRAL_FLOW,
        {
            "": {"draft"},
            "draft": {"sent", "cancelled"},
            "sent": {"accepted", "declined", "cancelled"},
            "accepted": {"in_service", "failed"},
            "in_service": {"completed", "failed"},
        },
    ),
    "case": (CASE_FLOW, {"": {"open"}, "open": {"closed"}}),
}

# Who takes the steps a person takes (superusers aside), as the field studies describe them.
EXPECTED_ROLES = {
    (APPLICATION_FLOW, "verify"): {Role.VERIFIER},
    (APPLICATION_FLOW, "reject"): {Role.VERIFIER},
    (APPLICATION_FLOW, "deliberate"): {Role.VILLAGE_HEAD},
    (APPLICATION_FLOW, "withdraw"): {
        Role.RESIDENT,
        Role.VILLAGE_OPERATOR,
        Role.FRONT_OFFICE,
        Role.SYSTEM_ADMIN,
        Role.API_CLIENT,
    },
    (BATCH_FLOW, "finalise"): {Role.DATA_MANAGER, Role.HEAD_OF_DIVISION},
    (BATCH_FLOW, "ratify"): {Role.REGENT_OFFICE},
    (PROPOSAL_FLOW, "verify"): {Role.VERIFIER},
    (COMPLAINT_FLOW, "forward"): {Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD},
    (COMPLAINT_FLOW, "approve"): {Role.SUPERVISOR},
    (COMPLAINT_FLOW, "review"): {Role.FRONT_OFFICE, Role.HEAD_OF_DIVISION},
    (REFERRAL_FLOW, "send"): {
        Role.VILLAGE_OPERATOR,
        Role.FRONT_OFFICE,
        Role.BACK_OFFICE,
        Role.HEAD_OF_DIVISION,
    },
    (REFERRAL_FLOW, "accept"): {Role.PROVIDER_ADMIN, Role.API_CLIENT, Role.SYSTEM_ADMIN},
    (OBJECTION_FLOW, "answer"): {Role.VERIFIER},
}


def _pairs():
    for name, (flow, table) in EXPECTED_TABLES.items():
        states = sorted(set(table) | {t for targets in table.values() for t in targets})
        for source, target in itertools.product(states, states):
            yield pytest.param(
                flow, table, source, target, id="{}:{}->{}".format(name, source, target)
            )


@pytest.mark.parametrize(("flow", "table", "source", "target"), list(_pairs()))
def test_each_flow_allows_exactly_the_expected_transitions(flow, table, source, target):
    if target in table.get(source, set()):
        flow.assert_transition(source, target)
    else:
        with pytest.raises(InvalidTransition) as refused:
            flow.assert_transition(source, target)
        assert set(refused.value.allowed) == table.get(source, set())


@pytest.mark.parametrize(("key", "roles"), EXPECTED_ROLES.items(), ids=lambda v: str(v))
def test_each_step_is_taken_by_the_expected_roles(key, roles):
    flow, code = key
    declared = set().union(*(step.roles for step in flow.declarations(code)))
    assert declared == roles


# ---------------------------------------------------------------------------- a new step
@pytest.fixture
def reopen_step():
    """A step a district might add: the head of division reopens a closed complaint."""
    step = Step(
        "reopen",
        "Buka lagi",
        sources=frozenset({"closed"}),
        target="in_review",
        roles=frozenset({Role.HEAD_OF_DIVISION}),
        slug="buka-lagi",
        form="complaints.forms.NoteForm",
        success="Dibuka lagi.",
    )
    COMPLAINT_FLOW.add(step)
    yield step
    COMPLAINT_FLOW.remove("reopen")


def _closed_complaint(village, people):
    from complaints import services

    created = complaint(village)
    services.complaint_resolve(
        complaint=created,
        actor=people["operator"],
        resolution="Sudah dibantu desa.",
        resolved_by_kind="village",
    )
    services.complaint_close(complaint=created, actor=people["operator"], told_via="sms")
    return created


@pytest.fixture
def people(make_user, village_a):
    return {
        "operator": make_user(Role.VILLAGE_OPERATOR, village_a.code),
        "kabid": make_user(Role.HEAD_OF_DIVISION, "19.04"),
        "back": make_user(Role.BACK_OFFICE, "19.04"),
    }


def test_a_step_added_to_a_declaration_appears_for_its_role_only(
    client, login, village_a, people, reopen_step
):
    closed = _closed_complaint(village_a, people)
    page = reverse("complaints:complaint_detail", args=[closed.pk])
    api = "/api/v1/complaints/{}/".format(closed.pk)
    step_page = reverse(
        "complaints:complaint_action", kwargs={"pk": closed.pk, "action": "buka-lagi"}
    )

    # the head of division sees the new button and the new allowed step
    login(client, people["kabid"])
    assert 'data-step="reopen"' in client.get(page).content.decode()
    body = client.get(api).json()
    assert "reopen" in body["allowed_steps"] and "in_review" in body["allowed_transitions"]

    # the back office does not, and is refused the step page and the API step
    client.logout()
    login(client, people["back"])
    assert 'data-step="reopen"' not in client.get(page).content.decode()
    assert "reopen" not in client.get(api).json()["allowed_steps"]
    assert client.get(step_page).status_code == 403
    refused = client.post(api + "steps/reopen/", {"note": "x"}, content_type="application/json")
    assert refused.status_code == 403
    closed.refresh_from_db()
    assert closed.status == "closed"

    # the head of division takes it: through the step page, with a history row
    client.logout()
    login(client, people["kabid"])
    assert client.post(step_page, {"note": "Warga mengadu lagi."}).status_code == 302
    closed.refresh_from_db()
    assert closed.status == "in_review"
    last = closed.status_changes.order_by("-pk").first()
    assert (last.from_status, last.to_status, last.actor_id) == (
        "closed",
        "in_review",
        people["kabid"].pk,
    )
    assert closed.due_at is not None  # the new step's deadline (after_step)


def test_a_declared_step_is_an_api_action_with_field_errors(
    client, login, village_a, people, reopen_step
):
    created = complaint(village_a)
    login(client, people["operator"])
    url = "/api/v1/complaints/{}/steps/".format(created.pk)
    too_long = client.post(url + "forward/", {"note": "x" * 3000}, content_type="application/json")
    assert too_long.status_code == 400 and "note" in too_long.json()["fields"]
    wrong_state = client.post(url + "close/", {"told_via": "sms"}, content_type="application/json")
    assert wrong_state.status_code == 409
    assert set(wrong_state.json()["allowed_steps"]) >= {"forward", "resolve"}
    assert client.post(url + "nonsense/", {}, content_type="application/json").status_code == 404
    done = client.post(url + "forward/", {"note": "ke kecamatan"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "forwarded"


# ---------------------------------------------------------------------------- audited reads
def _audited(client, url, obj, action=AuditAction.VIEW) -> bool:
    before = AuditEvent.objects.filter(object_id=str(obj.pk), action=action).count()
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return AuditEvent.objects.filter(object_id=str(obj.pk), action=action).count() == before + 1


def test_api_detail_reads_write_the_same_audit_rows_as_the_pages(
    client, login, make_user, village_a
):
    from referrals.tests.factories import case, referral, service

    bpnt = program("bpnt")
    application = submit(bpnt, household(village_a))
    deliberate(application, make_user(Role.VILLAGE_HEAD, village_a.code))
    filed = complaint(village_a)
    opened = case(village_a)
    sent = referral(opened, service())
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    reads = [
        (reverse("applications:application_detail", args=[application.pk]), application),
        ("/api/v1/applications/{}/".format(application.pk), application),
        (reverse("complaints:complaint_detail", args=[filed.pk]), filed),
        ("/api/v1/complaints/{}/".format(filed.pk), filed),
        (reverse("referrals:case_detail", args=[opened.pk]), opened),
        ("/api/v1/cases/{}/".format(opened.pk), opened),
        (reverse("referrals:referral_detail", args=[sent.pk]), sent),
        ("/api/v1/referrals/{}/".format(sent.pk), sent),
        (reverse("dtks:household_detail", args=[opened.household_id]), opened.household),
        ("/api/v1/households/{}/".format(opened.household_id), opened.household),
    ]
    for url, obj in reads:
        assert _audited(client, url, obj), url
