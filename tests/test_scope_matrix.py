"""A user of village A can neither read nor change anything of village B, through any URL.

Every named URL of the site and the API must be classified below; a new URL that nobody
classified fails `test_every_url_is_in_the_scope_matrix`, so scope is decided when a URL is
added, not after a leak.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.choices import AuditAction, Role
from core.models import Job, User
from core.services import audit_log, user_create
from dtks.synthetic import generate_district

pytestmark = pytest.mark.django_db

# How each URL is protected. "public": no personal data; "reference": the same official data for
# every signed-in user; "own": the caller's own objects only; "scoped": tested below with data of
# another village / region.
URL_MATRIX = {
    "core:home": "scoped",
    "core:login": "public",
    "transparency": "public",
    "privacy_notice": "public",
    "service_standards": "public",
    "service_standard": "public",
    # the regency's report, the same for its offices (core.monthly_report.READERS)
    "core:monthly_report_list": "reference",
    "core:monthly_report_file": "reference",
    "core:logout": "own",
    "core:two_factor": "own",
    "core:operator_list": "scoped",
    "core:operator_activate": "scoped",
    "core:operator_deactivate": "scoped",
    "core:api_client_list": "scoped",
    "core:settings_home": "own",
    "core:webhook_subscriptions": "scoped",
    "core:webhook_subscription_stop": "scoped",
    "core:agency_profile_edit": "reference",
    "core:message_template_list": "reference",
    "core:message_template_edit": "reference",
    # residents' own sign-up and sign-in: the same answer for every NIK and number
    "core:sign_up": "public",
    # the survey link names the service given, never the person; the index is counts only
    "core:survey": "public",
    "core:satisfaction_index": "reference",
    # figures of the reader's own area only (core/tests/test_dashboard.py: per role, drill-down
    # outside the area refused)
    "core:dashboard": "scoped",
    # the field app: its shell, worker and manifest hold no personal data; what the phone
    # keeps and sends is the operator's own area (core/tests/test_fieldwork.py)
    "core:field_app": "own",
    "core:field_worker": "public",
    "core:field_manifest": "public",
    "core:field_data": "scoped",
    "core:field_submit": "scoped",
    # homes and complaints of the reader's area only (dtks/tests/test_map.py)
    "dtks:registry_map": "scoped",
    "dtks:registry_map_points": "scoped",
    "core:sign_in_code": "public",
    "core:password_reset": "public",
    "core:code_enter": "own",
    "core:resident_password": "own",
    "core:resident_messages": "own",
    "complaints:sla_table": "reference",
    "referrals:provider_create": "scoped",
    "referrals:provider_edit": "scoped",
    "referrals:provider_service_create": "scoped",
    "referrals:provider_service_edit": "scoped",
    "referrals:letter_template_list": "reference",
    "referrals:letter_template_edit": "reference",
    "core:user_admin_list": "scoped",
    "core:user_admin_create": "scoped",
    "core:user_admin_onboard": "scoped",
    "core:user_admin_detail": "scoped",
    "core:user_admin_activate": "scoped",
    "core:user_admin_deactivate": "scoped",
    "core:user_admin_password_link": "scoped",
    "core:user_admin_setup_code": "scoped",
    "core:password_set": "own",
    "core:api_client_create": "scoped",
    "core:api_key_create": "scoped",
    "core:api_key_rotate": "scoped",
    "core:api_key_revoke": "scoped",
    "core:audit_event_list": "scoped",
    "core:job_list": "own",
    "core:workload": "scoped",
    "core:job_detail": "own",
    "core:job_report": "own",
    "dtks:region_list": "reference",
    "dtks:region_reload": "own",
    "dtks:household_list": "scoped",
    "dtks:registry_summary": "scoped",
    "dtks:household_create": "scoped",
    "dtks:registry_import": "scoped",
    "dtks:registry_import_example": "public",
    "dtks:registry_export": "scoped",
    "dtks:household_detail": "scoped",
    "dtks:household_update": "scoped",
    "dtks:member_event": "scoped",
    "dtks:photo_add": "scoped",
    "dtks:photo_file": "scoped",
    "dtks:enrollment_create": "scoped",
    "dtks:individual_update": "scoped",
    "dtks:nik_reveal": "scoped",
    "dtks:enrollment_end": "scoped",
    "dtks:program_list": "reference",
    "dtks:program_detail": "scoped",
    "dtks:period_detail": "scoped",
    "dtks:recipient_add": "scoped",
    "dtks:program_create": "scoped",
    "dtks:program_edit": "scoped",
    "dtks:period_create": "scoped",
    "dtks:period_edit": "scoped",
    "dtks:flag_list": "scoped",
    "dtks:pmt_overview": "reference",
    "dtks:pmt_weight_create": "own",
    "dtks:pmt_weight_detail": "reference",
    "dtks:flag_take": "scoped",
    "dtks:flag_reopen": "scoped",
    "dtks:campaign_list": "scoped",
    "dtks:campaign_detail": "scoped",
    "dtks:campaign_item": "scoped",
    "dtks:campaign_item_step": "scoped",
    "dtks:civil_registry_upload": "own",
    "dtks:round_list": "scoped",
    "dtks:person_merge": "scoped",
    "dtks:merge_detail": "scoped",
    "dtks:household_merge": "scoped",
    "dtks:household_merge_detail": "scoped",
    "dtks:round_create": "own",
    "dtks:round_detail": "scoped",
    "dtks:round_download": "scoped",
    "dtks:round_step": "scoped",
    "dtks:flag_resolve": "scoped",
    "applications:apply_start": "public",
    "applications:apply": "public",
    "applications:apply_done": "own",
    "applications:track": "public",
    "applications:status": "own",
    "applications:withdraw": "own",
    "applications:my_applications": "own",
    "applications:objection_create": "public",
    "applications:objection_done": "own",
    "applications:batch_verify": "public",
    "applications:application_list": "scoped",
    "applications:intake_start": "reference",
    "applications:intake": "scoped",
    "applications:application_detail": "scoped",
    "applications:application_action": "scoped",
    "applications-api:application-step": "scoped",
    "applications-api:update-proposal-step": "scoped",
    "applications-api:batch-step": "scoped",
    "complaints-api:complaint-step": "scoped",
    "referrals-api:referral-step": "scoped",
    "applications:proposal_action": "scoped",
    "applications:batch_action": "scoped",
    "referrals:case_action": "scoped",
    "applications:application_verify": "scoped",
    "applications:application_take": "scoped",
    "applications:application_reject": "scoped",
    "applications:application_withdraw": "scoped",
    "applications:application_field_check": "scoped",
    "applications:document_file": "scoped",
    "applications:field_check_photo": "scoped",
    "applications:deliberation_create": "scoped",
    "applications:deliberation_document": "scoped",
    "applications:proposal_list": "scoped",
    "applications:proposal_detail": "scoped",
    "applications:proposal_fill": "scoped",
    "applications:proposal_ground_check": "scoped",
    "applications:proposal_verify": "scoped",
    "applications:proposal_reject": "scoped",
    "applications:batch_list": "scoped",
    "applications:batch_detail": "scoped",
    "applications:batch_finalise": "scoped",
    "applications:batch_ratify": "scoped",
    "applications:batch_annex": "scoped",
    "applications:batch_export": "scoped",
    "applications:batch_export_file": "scoped",
    "applications:batch_results": "scoped",
    "applications:objection_list": "scoped",
    "applications:objection_detail": "scoped",
    "applications:objection_evidence": "scoped",
    "applications-api:application-list": "scoped",
    "applications-api:application-detail": "scoped",
    "applications-api:application-verify": "scoped",
    "applications-api:application-reject": "scoped",
    "applications-api:application-withdraw": "scoped",
    "applications-api:application-take": "scoped",
    "applications-api:application-field-check": "scoped",
    "applications-api:update-proposal-list": "scoped",
    "applications-api:update-proposal-detail": "scoped",
    "applications-api:update-proposal-fill": "scoped",
    "applications-api:update-proposal-ground-check": "scoped",
    "applications-api:update-proposal-verify": "scoped",
    "applications-api:update-proposal-reject": "scoped",
    "applications-api:deliberation-list": "scoped",
    "applications-api:deliberation-detail": "scoped",
    "applications-api:batch-list": "scoped",
    "applications-api:batch-detail": "scoped",
    "applications-api:batch-finalise": "scoped",
    "applications-api:batch-ratify": "scoped",
    "applications-api:batch-export": "scoped",
    "applications-api:batch-results": "scoped",
    "applications-api:objection-list": "scoped",
    "applications-api:objection-detail": "scoped",
    "applications-api:objection-answer": "scoped",
    "complaints:complaint_create": "public",
    "complaints:complaint_done": "own",
    "complaints:track": "public",
    "complaints:status": "own",
    "complaints:rate": "own",
    "complaints:complaint_list": "scoped",
    "complaints:intake": "scoped",
    "complaints:report": "scoped",
    "complaints:export": "scoped",
    "complaints:complaint_detail": "scoped",
    "complaints:complaint_action": "scoped",
    "complaints:attachment_file": "scoped",
    "complaints-api:complaint-list": "scoped",
    "complaints-api:complaint-detail": "scoped",
    "complaints-api:complaint-forward": "scoped",
    "complaints-api:complaint-approve": "scoped",
    "complaints-api:complaint-send-back": "scoped",
    "complaints-api:complaint-review": "scoped",
    "complaints-api:complaint-resolve": "scoped",
    "complaints-api:complaint-close": "scoped",
    "complaints-api:complaint-take": "scoped",
    "complaints-api:complaint-update-proposal": "scoped",
    "complaints-api:complaint-link-program": "scoped",
    "referrals:case_list": "scoped",
    "referrals:case_create": "scoped",
    "referrals:case_detail": "scoped",
    "referrals:case_assess": "scoped",
    "referrals:case_plan": "scoped",
    "referrals:case_follow_up": "scoped",
    "referrals:case_close": "scoped",
    "referrals:referral_create": "scoped",
    "referrals:referral_detail": "scoped",
    "referrals:referral_action": "scoped",
    "referrals:portal": "own",
    "referrals:portal_services": "own",
    "referrals:service_create": "own",
    "referrals:service_edit": "own",
    "referrals:provider_list": "reference",
    "referrals:letter_list": "scoped",
    "referrals:letter_create": "scoped",
    "referrals:letter_pdf": "scoped",
    "referrals:letter_revoke": "scoped",
    "referrals:letter_verify": "public",
    "referrals:report": "scoped",
    "referrals:export": "scoped",
    "referrals-api:provider-list": "reference",
    "referrals-api:provider-detail": "reference",
    "referrals-api:service-list": "reference",
    "referrals-api:service-detail": "reference",
    "referrals-api:case-list": "scoped",
    "referrals-api:case-detail": "scoped",
    "referrals-api:case-assess": "scoped",
    "referrals-api:case-close": "scoped",
    "referrals-api:referral-list": "scoped",
    "referrals-api:referral-detail": "scoped",
    "referrals-api:referral-send": "scoped",
    "referrals-api:referral-accept": "scoped",
    "referrals-api:referral-decline": "scoped",
    "referrals-api:referral-start": "scoped",
    "referrals-api:referral-complete": "scoped",
    "referrals-api:referral-fail": "scoped",
    "referrals-api:referral-cancel": "scoped",
    "referrals-api:referral-notes": "scoped",
    "referrals-api:letter-list": "scoped",
    "referrals-api:letter-detail": "scoped",
    "referrals-api:provider-events": "own",
    "cek_bansos": "public",
    "set_language": "public",
    "healthz": "public",
    "api-schema": "public",
    "api-docs": "public",
    "api-redoc": "public",
    "core-api:me": "own",
    # signed by the SMS gateway's secret, not by a key (core.gateway)
    "core-api:message-inbound": "own",
    "core-api:message-receipt": "own",
    "core-api:job-list": "own",
    "core-api:job-detail": "own",
    "core-api:audit-event-list": "scoped",
    "core-api:audit-event-detail": "scoped",
    "dtks-api:region-list": "reference",
    "dtks-api:region-detail": "reference",
    "dtks-api:cek-bansos": "public",
    "dtks-api:household-list": "scoped",
    "dtks-api:household-detail": "scoped",
    "dtks-api:household-birth": "scoped",
    "dtks-api:household-move-in": "scoped",
    "dtks-api:household-death": "scoped",
    "dtks-api:household-move-out": "scoped",
    "dtks-api:household-change-head": "scoped",
    "dtks-api:household-split-kk": "scoped",
    "dtks-api:household-history": "scoped",
    "dtks-api:individual-list": "scoped",
    "dtks-api:individual-lookup": "scoped",
    "dtks-api:individual-detail": "scoped",
    "dtks-api:individual-nik": "scoped",
    "dtks-api:family-list": "scoped",
    "dtks-api:family-detail": "scoped",
    "dtks-api:program-list": "reference",
    "dtks-api:program-detail": "reference",
    "dtks-api:program-period-list": "reference",
    "dtks-api:program-period-detail": "reference",
    "dtks-api:enrollment-list": "scoped",
    "dtks-api:enrollment-detail": "scoped",
    "dtks-api:enrollment-end": "scoped",
}


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            if namespace == "admin":
                continue  # Django admin: system administrators only, with 2FA like any page
            yield from _names(
                pattern.url_patterns, prefix + namespace + ":" if namespace else prefix
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


def test_every_url_is_in_the_scope_matrix():
    names = set(_names(get_resolver().url_patterns))
    names = {n for n in names if not n.endswith("-format") and n != "api-root"}
    assert names - set(URL_MATRIX) == set(), "classify these URLs in URL_MATRIX"


@pytest.fixture
def two_villages(regions, make_user, village_a, village_b):
    generate_district(region_code=village_a.code, individuals=40, seed=1)
    generate_district(region_code=village_b.code, individuals=60, seed=2)
    return {
        "operator_a": make_user(Role.VILLAGE_OPERATOR, village_a.code),
        "head_a": make_user(Role.VILLAGE_HEAD, village_a.code),
        "operator_b": make_user(Role.VILLAGE_OPERATOR, village_b.code),
        "head_b": make_user(Role.VILLAGE_HEAD, village_b.code),
    }


def test_dashboard_counts_only_own_village(client, login, two_villages, village_a):
    from dtks.models import Household

    login(client, two_villages["operator_a"])
    cards = client.get(reverse("core:home")).context["cards"]
    households = next(
        card for card in cards if "Household" in card["title"] or "Rumah" in card["title"]
    )
    assert households["value"] == Household.objects.filter(village=village_a).count()
    assert households["value"] < Household.objects.count()


def test_village_head_cannot_see_or_change_operators_of_another_village(
    client, login, two_villages, village_b
):
    pending = user_create(
        username="pending_b",
        full_name="Pending B",
        role=Role.VILLAGE_OPERATOR,
        region=village_b,
        actor=None,
    )
    login(client, two_villages["head_a"])
    listing = client.get(reverse("core:operator_list"))
    assert "pending_b" not in listing.content.decode()
    for name in ("core:operator_activate", "core:operator_deactivate"):
        for target in (pending, two_villages["operator_b"]):
            response = client.post(reverse(name, args=[target.pk]))
            assert response.status_code == 404
    assert User.objects.get(pk=pending.pk).is_active is False
    assert User.objects.get(pk=two_villages["operator_b"].pk).is_active is True


def test_audit_of_another_regency_is_invisible_in_list_and_detail(client, login, make_user):
    other = audit_log(
        actor=None,
        action=AuditAction.VIEW_SENSITIVE,
        object_repr="secret-b",
        region_code="19.01.01.2001",
    )
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    assert "secret-b" not in client.get(reverse("core:audit_event_list")).content.decode()
    assert client.get(reverse("core-api:audit-event-detail", args=[other.pk])).status_code == 404
    names = [
        e["object_repr"] for e in client.get(reverse("core-api:audit-event-list")).json()["results"]
    ]
    assert "secret-b" not in names


def test_jobs_are_visible_to_their_starter_only(client, login, make_user):
    owner = make_user(Role.SYSTEM_ADMIN, "19.04")
    job = Job.objects.create(kind="x", label="x", started_by=owner, task_name="x")
    login(client, make_user(Role.SYSTEM_ADMIN, "19.01"))
    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("core-api:job-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("core-api:job-list")).json()["count"] == 0


def test_anonymous_callers_get_nothing_from_the_api(client, two_villages):
    for name in (
        "core-api:me",
        "core-api:job-list",
        "core-api:audit-event-list",
        "dtks-api:region-list",
    ):
        assert client.get(reverse(name)).status_code in (401, 403)


# ---------------------------------------------------------------------------- registry
@pytest.fixture
def registry_b(village_b, make_user, settings, tmp_path):
    """A household of village B with a photo, a flag and an enrollment."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from dtks import services
    from dtks.tests.factories import make_household, make_period, make_program

    settings.MEDIA_ROOT = str(tmp_path)
    manager_b = make_user(Role.DATA_MANAGER, "19.04")
    household = make_household(village_b, manager_b, head_name="Warga Desa B")
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, format="PNG")
    photo = services.photo_add(
        household=household, actor=manager_b, upload=SimpleUploadedFile("b.png", buffer.getvalue())
    )
    flag = services.flag_raise(household=household, kind="no_head", reason="uji")
    program = make_program("pkh")
    period = make_period(program)
    enrollment = services.enrollment_create(
        program=program, period=period, household=household, actor=manager_b
    )
    campaign = services.campaign_create(name="B", region=village_b, actor=manager_b)
    return {
        "household": household,
        "member": household.members.get(),
        "photo": photo,
        "campaign": campaign,
        "flag": flag,
        "enrollment": enrollment,
        "period": period,
    }


def test_operator_of_village_a_gets_nothing_of_village_b_in_the_ui(
    client, login, two_villages, registry_b
):
    login(client, two_villages["operator_a"])
    household, member = registry_b["household"], registry_b["member"]
    gets = [
        reverse("dtks:household_detail", args=[household.pk]),
        reverse("dtks:household_update", args=[household.pk]),
        reverse("dtks:photo_add", args=[household.pk]),
        reverse("dtks:photo_file", args=[household.pk, registry_b["photo"].pk]),
        reverse("dtks:individual_update", args=[member.pk]),
        reverse("dtks:flag_resolve", args=[registry_b["flag"].pk]),
        reverse("dtks:campaign_detail", args=[registry_b["campaign"].pk]),
        reverse("dtks:campaign_item", args=[registry_b["campaign"].items.get().pk]),
        *[
            reverse("dtks:campaign_item_step", args=[registry_b["campaign"].items.get().pk, slug])
            for slug in ("catat", "setujui", "tolak")
        ],
        *[
            reverse("dtks:member_event", args=[household.pk, kind])
            for kind in (
                "kelahiran",
                "pindah-masuk",
                "kematian",
                "pindah-keluar",
                "ganti-kepala",
                "pecah-kk",
            )
        ],
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x", "version": 1}).status_code == 404, url
    for name, pk in (
        ("dtks:nik_reveal", member.pk),
        ("dtks:flag_take", registry_b["flag"].pk),
        ("dtks:flag_reopen", registry_b["flag"].pk),
    ):
        assert client.post(reverse(name, args=[pk])).status_code == 404, name
    listing = client.get(reverse("dtks:household_list")).content.decode()
    assert "Warga Desa B" not in listing
    assert (
        "Warga Desa B"
        not in client.get(reverse("dtks:household_list"), {"q": "warga desa"}).content.decode()
    )
    assert list(client.get(reverse("dtks:flag_list")).context["page"]) == []
    assert list(client.get(reverse("dtks:campaign_list")).context["campaigns"]) == []
    export = b"".join(client.get(reverse("dtks:registry_export")).streaming_content).decode()
    assert member.nik not in export
    assert "Warga Desa B" not in export
    period_page = client.get(reverse("dtks:period_detail", args=[registry_b["period"].pk]))
    assert list(period_page.context["page"]) == []
    household.refresh_from_db()
    assert household.version == registry_b["household"].version


def test_manager_of_another_regency_gets_nothing_of_village_b(client, login, make_user, registry_b):
    login(client, make_user(Role.DATA_MANAGER, "19.01"))
    household = registry_b["household"]
    assert client.get(reverse("dtks:enrollment_create", args=[household.pk])).status_code == 404
    assert (
        client.get(reverse("dtks:enrollment_end", args=[registry_b["enrollment"].pk])).status_code
        == 404
    )


def test_a_registry_round_is_seen_and_decided_only_in_its_own_regency(client, login, make_user):
    import datetime as dt

    from dtks.models import RegistryRound

    registry_round = RegistryRound.objects.create(
        name="DTSEN Bangka Tengah",
        extract_date=dt.date(2026, 11, 1),
        filename="dtsen.csv",
        path="rounds/x.csv",
        status="proposed",
        region_code="19.04",
        by_village={"19.04.01.1001": {"households": {"absent": 3}, "people": {"absent": 9}}},
    )
    registry_round.entries.create(change="absent", is_person=True, nik="1904011508800003")
    urls = [
        reverse("dtks:round_detail", args=[registry_round.pk]),
        reverse("dtks:round_download", args=[registry_round.pk, "jiwa-keluar"]),
        *[
            reverse("dtks:round_step", args=[registry_round.pk, slug])
            for slug in ("usulkan", "batalkan", "setujui", "tolak")
        ],
    ]
    for role in (Role.DATA_MANAGER, Role.HEAD_OF_DIVISION):
        login(client, make_user(role, "19.01"))
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)
            assert client.post(url, {"note": "x", "reason": "x"}).status_code == 404, (role, url)
        assert list(client.get(reverse("dtks:round_list")).context["page"]) == []
    # a village operator of the regency itself has no business with rounds
    login(client, make_user(Role.VILLAGE_OPERATOR, "19.04.01.1001"))
    assert client.get(reverse("dtks:round_list")).status_code == 403
    assert client.get(urls[0]).status_code == 403
    registry_round.refresh_from_db()
    assert registry_round.status == "proposed"


def test_operator_of_village_a_gets_nothing_of_village_b_in_the_api(
    client, login, two_villages, registry_b
):
    login(client, two_villages["operator_a"])
    household, member = registry_b["household"], registry_b["member"]
    for name in ("household-detail", "household-history"):
        assert client.get(reverse("dtks-api:" + name, args=[household.pk])).status_code == 404
    for name in (
        "household-birth",
        "household-move-in",
        "household-death",
        "household-move-out",
        "household-change-head",
        "household-split-kk",
    ):
        response = client.post(
            reverse("dtks-api:" + name, args=[household.pk]), {}, content_type="application/json"
        )
        assert response.status_code == 404, name
    assert (
        client.patch(
            reverse("dtks-api:household-detail", args=[household.pk]),
            {"version": 1, "reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client.get(reverse("dtks-api:individual-detail", args=[member.pk])).status_code == 404
    assert client.post(reverse("dtks-api:individual-nik", args=[member.pk])).status_code == 404
    assert (
        client.get(
            reverse("dtks-api:family-detail", args=[household.families.get().pk])
        ).status_code
        == 404
    )
    for name in ("household-list", "individual-list", "family-list"):
        rows = client.get(reverse("dtks-api:" + name)).json()["results"]
        assert all(row.get("household", row.get("id")) != household.pk for row in rows), name
        assert all(row.get("village") != household.village_id for row in rows), name


def test_manager_of_another_regency_sees_no_enrollment_of_village_b(
    client, login, make_user, registry_b
):
    login(client, make_user(Role.DATA_MANAGER, "19.01"))
    enrollment = registry_b["enrollment"]
    assert (
        client.get(reverse("dtks-api:enrollment-detail", args=[enrollment.pk])).status_code == 404
    )
    assert (
        client.post(
            reverse("dtks-api:enrollment-end", args=[enrollment.pk]),
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client.get(reverse("dtks-api:enrollment-list")).json()["count"] == 0


# ---------------------------------------------------------------------------- applications
@pytest.fixture
def application_b(village_b, make_user):
    """An aid request of village B, deliberated, with a document, a field check, a proposal,
    a deliberation and an objection."""

    from applications import services
    from applications.tests.factories import deliberate, household, photo, program, submit

    bpnt = program("bpnt")
    application = deliberate(submit(bpnt, household(village_b, head_name="Pemohon Desa B")))
    deliberation = application.deliberation
    verifier = make_user(Role.VERIFIER, "19.04")
    check = services.field_check_record(
        application=application, actor=verifier, notes="Rumah sederhana", photo=photo()
    )
    proposal = submit(bpnt, household(village_b, desil=9, head_name="Mampu B")).update_proposal
    objection = services.objection_submit(
        kind="not_eligible",
        village=village_b,
        subject_name="Pemohon Desa B",
        reason="Tidak layak sama sekali",
    )
    return {
        "application": application,
        "document": application.documents.get(),
        "check": check,
        "deliberation": deliberation,
        "proposal": proposal,
        "objection": objection,
    }


def test_operator_of_village_a_gets_nothing_of_village_b_applications(
    client, login, two_villages, application_b
):
    from applications.models import Application

    login(client, two_villages["operator_a"])
    application = application_b["application"]
    proposal = application_b["proposal"]
    for url in (
        reverse("applications:application_detail", args=[application.pk]),
        reverse("applications:application_reject", args=[application.pk]),
        reverse("applications:application_withdraw", args=[application.pk]),
        reverse("applications:application_field_check", args=[application.pk]),
        reverse("applications:document_file", args=[application.pk, application_b["document"].pk]),
        reverse("applications:field_check_photo", args=[application_b["check"].pk]),
        reverse("applications:deliberation_document", args=[application_b["deliberation"].pk]),
        reverse("applications:proposal_detail", args=[proposal.pk]),
        reverse("applications:proposal_fill", args=[proposal.pk]),
        reverse("applications:proposal_ground_check", args=[proposal.pk]),
        reverse("applications:proposal_reject", args=[proposal.pk]),
        reverse("applications:status", args=[application.code]),
        reverse("applications:withdraw", args=[application.code]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("applications:application_verify", args=[application.pk]),
        reverse("applications:application_take", args=[application.pk]),
        reverse("applications:proposal_verify", args=[proposal.pk]),
        reverse("applications:proposal_fill", args=[proposal.pk]),
    ):
        assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == 404, url
    listing = client.get(reverse("applications:application_list")).content.decode()
    assert "Pemohon Desa B" not in listing
    assert "Mampu B" not in client.get(reverse("applications:proposal_list")).content.decode()
    for name, pk in (
        ("applications-api:application-detail", application.pk),
        ("applications-api:update-proposal-detail", proposal.pk),
        ("applications-api:deliberation-detail", application_b["deliberation"].pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    for name in ("application-withdraw", "application-field-check"):
        response = client.post(
            reverse("applications-api:" + name, args=[application.pk]),
            {"note": "x", "notes": "xxxxxx"},
            content_type="application/json",
        )
        assert response.status_code == 404, name
    assert client.get(reverse("applications-api:application-list")).json()["count"] == 0
    assert Application.objects.get(pk=application.pk).status == "deliberated"


def test_objections_and_batches_of_another_regency_are_invisible(
    client, login, make_user, application_b
):
    import datetime as dt

    from applications import services

    batch = services.batch_create(
        regency=application_b["application"].village.parent.parent,
        name="Usulan B",
        cutoff=dt.date.today(),
        actor=make_user(Role.DATA_MANAGER, "19.04"),
    )
    login(client, make_user(Role.VERIFIER, "19.01"))
    objection = application_b["objection"]
    assert (
        client.get(reverse("applications:objection_detail", args=[objection.pk])).status_code == 404
    )
    assert (
        client.get(reverse("applications:objection_evidence", args=[objection.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("applications-api:objection-detail", args=[objection.pk])).status_code
        == 404
    )
    assert client.get(reverse("applications-api:objection-list")).json()["count"] == 0
    login(client, make_user(Role.DATA_MANAGER, "19.01"))
    for name in ("batch_detail", "batch_annex", "batch_export_file", "batch_results"):
        assert client.get(reverse("applications:" + name, args=[batch.pk])).status_code == 404, name
    for name in ("batch_finalise", "batch_export"):
        assert client.post(reverse("applications:" + name, args=[batch.pk])).status_code == 404, (
            name
        )
    assert client.get(reverse("applications-api:batch-list")).json()["count"] == 0
    login(client, make_user(Role.REGENT_OFFICE, "19.01"))
    assert client.get(reverse("applications:batch_ratify", args=[batch.pk])).status_code == 404


# ---------------------------------------------------------------------------- complaints
def test_operator_of_village_a_gets_nothing_of_village_b_complaints(
    client, login, two_villages, village_b
):
    from applications.tests.factories import household, photo
    from complaints import services
    from complaints.models import Complaint

    home = household(village_b, head_name="Pengadu Desa B")
    head = home.members.get()
    complaint, _secret = services.complaint_submit(
        category="health",
        description="Ditolak puskesmas karena kartu tidak aktif.",
        village=village_b,
        channel="online",
        actor=None,
        complainant={"nik": head.nik, "name": head.name},
        attachments=[photo()],
    )
    login(client, two_villages["operator_a"])
    for url in (
        reverse("complaints:complaint_detail", args=[complaint.pk]),
        reverse("complaints:attachment_file", args=[complaint.pk, complaint.attachments.get().pk]),
        reverse("complaints:status", args=[complaint.code]),
        *[
            reverse("complaints:complaint_action", args=[complaint.pk, action])
            for action in ("teruskan", "selesaikan", "tutup", "telaah", "program")
        ],
    ):
        assert client.get(url).status_code == 404, url
    for action in ("teruskan", "selesaikan", "ambil", "usulan-pembaruan"):
        url = reverse("complaints:complaint_action", args=[complaint.pk, action])
        assert (
            client.post(
                url, {"note": "x", "resolution": "xxxxxx", "resolved_by_kind": "village"}
            ).status_code
            == 404
        )
    assert "Pengadu Desa B" not in client.get(reverse("complaints:complaint_list")).content.decode()
    assert (
        client.get(reverse("complaints-api:complaint-detail", args=[complaint.pk])).status_code
        == 404
    )
    for name in ("complaint-forward", "complaint-resolve", "complaint-close", "complaint-take"):
        response = client.post(
            reverse("complaints-api:" + name, args=[complaint.pk]),
            {},
            content_type="application/json",
        )
        assert response.status_code == 404, name
    assert client.get(reverse("complaints-api:complaint-list")).json()["count"] == 0
    assert Complaint.objects.get(pk=complaint.pk).status == "received"


# ---------------------------------------------------------------------------- referrals
def test_case_workers_and_providers_get_nothing_outside_their_reach(
    client, login, two_villages, village_b, make_user
):
    from referrals import services
    from referrals.models import Case, Referral
    from referrals.tests.factories import case, provider, provider_admin, referral, service

    health = service(provider("Dinas Kesehatan"))
    other_case = case(village_b, worker=two_villages["operator_b"], head_name="Warga Desa B")
    sent = referral(other_case, health)
    letter = services.letter_issue(
        kind="repatriation",
        region=village_b,
        recipient_name="Orang Terlantar B",
        details={"origin": "Koba", "destination": "Kupang", "transport": "Kapal"},
        actor=make_user(Role.FRONT_OFFICE, "19.04"),
    )
    login(client, two_villages["operator_a"])
    for url in (
        reverse("referrals:case_detail", args=[other_case.pk]),
        reverse("referrals:referral_create", args=[other_case.pk]),
        reverse("referrals:referral_detail", args=[sent.pk]),
        reverse("referrals:referral_action", args=[sent.pk, "batalkan"]),
        reverse("referrals:case_create", args=[other_case.household_id]),
    ):
        assert client.get(url).status_code == 404, url
    for name in ("case_assess", "case_plan", "case_follow_up", "case_close"):
        url = reverse("referrals:" + name, args=[other_case.pk])
        assert client.post(url, {"plan": "x", "notes": "xxxxx"}).status_code == 404, name
    assert (
        client.post(
            reverse("referrals:referral_action", args=[sent.pk, "batalkan"]), {"reason": "xxxxx"}
        ).status_code
        == 404
    )
    assert "Warga Desa B" not in client.get(reverse("referrals:case_list")).content.decode()
    assert client.get(reverse("referrals-api:case-list")).json()["count"] == 0
    assert client.get(reverse("referrals-api:referral-list")).json()["count"] == 0
    for name in ("referral-detail", "referral-send", "referral-cancel"):
        method = client.get if name.endswith("detail") else client.post
        assert method(reverse("referrals-api:" + name, args=[sent.pk])).status_code == 404, name
    # letters of another regency's officer stay there
    login(client, make_user(Role.FRONT_OFFICE, "19.01"))
    assert client.get(reverse("referrals:letter_pdf", args=[letter.pk])).status_code == 404
    assert client.get(reverse("referrals:letter_revoke", args=[letter.pk])).status_code == 404
    assert client.get(reverse("referrals-api:letter-detail", args=[letter.pk])).status_code == 404
    assert client.get(reverse("referrals-api:letter-list")).json()["count"] == 0
    # a provider that was not sent the referral gets nothing either
    login(client, provider_admin(provider("BAZNAS", kind="baznas")))
    assert client.get(reverse("referrals:referral_detail", args=[sent.pk])).status_code == 404
    assert client.get(reverse("referrals-api:referral-detail", args=[sent.pk])).status_code == 404
    assert client.post(reverse("referrals-api:referral-accept", args=[sent.pk])).status_code == 404
    assert client.get(reverse("referrals-api:referral-list")).json()["count"] == 0
    assert Referral.objects.get(pk=sent.pk).status == "sent"
    assert Case.objects.get(pk=other_case.pk).status == "open"
