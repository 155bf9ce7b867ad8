"""Registry rounds: a national extract compared before it changes anything, proposed by the
data manager, approved by the head of division, applied all at once; absent households retired
with the round as the reason, newer local edits kept."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.choices import Role
from dtks import bulk, services
from dtks.models import Enrollment, Household, HouseholdEvent, Individual, RegistryRound
from dtks.synthetic import write_import_file
from dtks.tests.factories import make_period, make_program
from silakso.exceptions import Conflict, DomainError, Forbidden, InvalidTransition

pytestmark = pytest.mark.django_db

REGION = "19.04.01"


@pytest.fixture
def manager(make_user):
    return make_user(Role.DATA_MANAGER, "19.04")


@pytest.fixture
def kabid(make_user):
    return make_user(Role.HEAD_OF_DIVISION, "19.04")


def _rows(individuals=40, seed=3, region=REGION) -> list[dict]:
    buffer = io.StringIO()
    write_import_file(handle=buffer, region_code=region, individuals=individuals, seed=seed)
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


def _csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _households(rows) -> list[str]:
    seen: list[str] = []
    for row in rows:
        if row["dtks_id"] not in seen:
            seen.append(row["dtks_id"])
    return seen


def _start(rows, manager, *, day=None, name="DTSEN Q4 2026"):
    data = _csv(rows)
    return services.round_start(
        upload=SimpleUploadedFile("dtsen.csv", data, content_type="text/csv"),
        name=name,
        extract_date=day or dt.date.today() - dt.timedelta(days=3),
        actor=manager,
    )


def _compare(registry_round) -> RegistryRound:
    services.round_compare_run(round_id=registry_round.pk, reporter=None)
    registry_round.refresh_from_db()
    return registry_round


def _totals(registry_round, kind: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for parts in registry_round.by_village.values():
        for change, number in parts[kind].items():
            totals[change] = totals.get(change, 0) + number
    return totals


@pytest.fixture
def registry(regions, manager):
    """A registry imported from an earlier national extract (40 people)."""
    rows = _rows()
    bulk.registry_import(handle=io.BytesIO(_csv(rows)), filename="lama.csv", actor=manager)
    return rows


def _next_extract(rows, manager):
    """The next extract: two households gone (one of them edited here since), one changed,
    one new household, one person gone from a household that stays."""
    ids = _households(rows)
    gone, edited, changed, shrunk = ids[0], ids[1], ids[2], ids[3]
    # an officer corrected the edited household after the ministry took the new extract
    household = Household.objects.get(dtks_id=edited)
    services.household_update(
        household=household,
        data={"address": "Jl. Koreksi 1"},
        version=household.version,
        reason="Kunjungan",
        actor=manager,
    )
    members_of_shrunk = [row for row in rows if row["dtks_id"] == shrunk]
    leaver = next(row for row in members_of_shrunk if row["relation_to_head"] != "head")
    extract = []
    for row in rows:
        if row["dtks_id"] in (gone, edited) or row["nik"] == leaver["nik"]:
            continue
        if row["dtks_id"] == changed:
            row = {
                **row,
                "floor_material": "earth" if row["floor_material"] != "earth" else "cement",
            }
        extract.append(row)
    newcomers = _rows(individuals=6, seed=91, region="19.04.02")  # another district
    new_id = newcomers[0]["dtks_id"]
    extract += [row for row in newcomers if row["dtks_id"] == new_id]
    return extract, {
        "gone": gone,
        "edited": edited,
        "changed": changed,
        "shrunk": shrunk,
        "leaver": leaver["nik"],
        "new": new_id,
        "new_people": sum(1 for row in newcomers if row["dtks_id"] == new_id),
        "gone_people": sum(1 for row in rows if row["dtks_id"] == gone),
    }


def test_a_round_is_compared_proposed_approved_and_applied_retiring_the_absent(
    registry, manager, kabid
):
    extract, case = _next_extract(registry, manager)
    program = make_program("pkh")
    period = make_period(program, starts=dt.date.today().replace(day=1), ends=dt.date(2099, 12, 31))
    gone = Household.objects.get(dtks_id=case["gone"])
    enrollment = Enrollment.objects.create(
        program=program,
        period=period,
        household=gone,
        status="active",
        source="import",
        started_on=period.starts_on,
    )
    before = {
        "households": Household.objects.count(),
        "people": Individual.objects.count(),
        "versions": dict(Household.objects.values_list("dtks_id", "version")),
    }

    # when the data manager uploads the next extract, it is only compared
    registry_round = _compare(_start(extract, manager))
    assert registry_round.status == "compared"
    households = _totals(registry_round, "households")
    assert households["new"] == 1
    assert households["absent"] == 1  # the household gone from the extract
    assert households["kept"] == 1  # gone too, but changed here since the extract's date
    assert households["changed"] == 2  # a house variable, and a member less
    assert households["unchanged"] == len(_households(registry)) - 4
    people = _totals(registry_round, "people")
    assert people["new"] == case["new_people"]
    assert people["absent"] == case["gone_people"] + 1  # the gone household's and the leaver
    # nothing of the registry changed
    assert Household.objects.count() == before["households"]
    assert Individual.objects.count() == before["people"]
    assert dict(Household.objects.values_list("dtks_id", "version")) == before["versions"]
    # the lists name who would leave
    absent = registry_round.entries.filter(change="absent", is_person=False).get()
    assert absent.dtks_id == case["gone"] and absent.name

    # the head of division cannot approve what was not proposed; the data manager proposes
    with pytest.raises(InvalidTransition):
        services.round_approve(registry_round=registry_round, actor=kabid)
    services.round_propose(registry_round=registry_round, actor=manager, note="Cek selesai")
    registry_round.refresh_from_db()
    # the proposer cannot approve their own round
    with pytest.raises(Forbidden):
        services.round_approve(registry_round=registry_round, actor=manager)
    services.round_approve(registry_round=registry_round, actor=kabid)
    registry_round.refresh_from_db()
    assert registry_round.status == "applying" and registry_round.apply_job is not None

    services.round_apply_run(round_id=registry_round.pk, reporter=None)
    registry_round.refresh_from_db()
    assert registry_round.status == "applied"
    # the absent household is retired, with its history and the round as the reason
    gone.refresh_from_db()
    assert gone.status == "retired"
    event = HouseholdEvent.objects.filter(household=gone).latest("version")
    assert "DTSEN Q4 2026" in event.reason
    assert gone.members.filter(status="alive").count() == case["gone_people"]
    # its program ends at the end of the period, not today
    enrollment.refresh_from_db()
    assert enrollment.status == "ended" and enrollment.ended_on == period.ends_on
    # the household changed here since the extract is kept as it is
    edited = Household.objects.get(dtks_id=case["edited"])
    assert edited.status == "active" and edited.address == "Jl. Koreksi 1"
    # the extract's changes and additions are in
    changed = Household.objects.get(dtks_id=case["changed"])
    assert changed.floor_material == next(
        row["floor_material"] for row in extract if row["dtks_id"] == case["changed"]
    )
    assert Household.objects.filter(dtks_id=case["new"], status="active").exists()
    leaver = Individual.objects.get(nik=case["leaver"])
    assert leaver.status == "moved"
    shrunk = Household.objects.get(dtks_id=case["shrunk"])
    assert shrunk.member_count == shrunk.members.filter(status="alive").count()
    assert registry_round.counts["households_retired"] == 1
    assert registry_round.counts["people_left"] == 1
    assert registry_round.counts["enrollments_ended"] == 1
    # the round report: households and people per district, before and after
    district = REGION
    assert registry_round.totals["before"][district][0] == before["households"]
    assert registry_round.totals["after"][district][0] == before["households"] - 1
    assert registry_round.totals["after"]["19.04.02"][0] == 1

    # applied once only: again is refused, a re-run of the job changes nothing
    with pytest.raises(InvalidTransition):
        services.round_approve(registry_round=registry_round, actor=kabid)
    versions = dict(Household.objects.values_list("dtks_id", "version"))
    services.round_apply_run(round_id=registry_round.pk, reporter=None)
    assert dict(Household.objects.values_list("dtks_id", "version")) == versions


def test_a_retired_household_comes_back_through_an_update_proposal_or_a_later_extract(
    registry, manager, kabid
):
    extract, case = _next_extract(registry, manager)
    registry_round = _compare(_start(extract, manager))
    services.round_propose(registry_round=registry_round, actor=manager)
    services.round_approve(registry_round=registry_round, actor=kabid)
    services.round_apply_run(round_id=registry_round.pk, reporter=None)
    gone = Household.objects.get(dtks_id=case["gone"])
    assert gone.status == "retired"
    # an ordinary correction does not bring it back
    services.household_update(
        household=gone, data={"rt": "009"}, version=gone.version, reason="Koreksi", actor=manager
    )
    gone.refresh_from_db()
    assert gone.status == "retired"
    # a verified update proposal does
    services.household_update(
        household=gone,
        data={},
        version=gone.version,
        reason="Usulan pembaruan UP-1",
        actor=manager,
        source="update_proposal",
    )
    gone.refresh_from_db()
    assert gone.status == "active"
    assert gone.events.latest("version").changes["status"] == ["retired", "active"]


def test_a_file_of_another_layout_is_refused_and_nothing_changes(registry, manager):
    rows = [{"nik": row["nik"], "nama": row["name"]} for row in registry]
    registry_round = _start(rows, manager)
    with pytest.raises(DomainError):
        services.round_compare_run(round_id=registry_round.pk, reporter=None)
    registry_round.refresh_from_db()
    assert registry_round.status == "failed"
    assert "dtks_id" in registry_round.error
    assert not registry_round.entries.exists()


def test_one_round_at_a_time_and_only_the_data_manager_uploads(registry, manager, kabid):
    first = _start(registry, manager)
    with pytest.raises(Conflict):
        _start(registry, manager, name="Lagi")
    with pytest.raises(Forbidden):
        _start(registry, kabid, name="Kabid")
    # once the first is discarded (with a reason) another can come
    _compare(first)
    services.round_refuse(registry_round=first, actor=manager, reason="File salah")
    first.refresh_from_db()
    assert first.status == "refused"
    assert _start(registry, manager, name="Lagi").status == "comparing"


def test_a_round_of_another_regency_is_not_seen(registry, manager, make_user, client, login):
    registry_round = _compare(_start(registry, manager))
    other = make_user(Role.HEAD_OF_DIVISION, "19.01")
    login(client, other)
    assert client.get("/registri/putaran/{}/".format(registry_round.pk)).status_code == 404
    assert registry_round.pk not in [r.pk for r in services_rounds(other)]


def services_rounds(user):
    from dtks import selectors

    return list(selectors.rounds(user=user))


def test_the_round_pages_show_the_districts_and_lists_masked_for_the_head_of_division(
    registry, manager, kabid, client, login
):
    extract, case = _next_extract(registry, manager)
    registry_round = _compare(_start(extract, manager))
    login(client, kabid)
    page = client.get("/registri/putaran/{}/".format(registry_round.pk)).content.decode()
    assert "DTSEN Q4 2026" in page
    assert "?kecamatan=19.04.01" in page
    villages = client.get(
        "/registri/putaran/{}/".format(registry_round.pk), {"kecamatan": "19.04.01"}
    ).content.decode()
    assert "Desa" in villages or "Kelurahan" in villages or "19.04.01." in villages
    response = client.get("/registri/putaran/{}/daftar/jiwa-keluar/".format(registry_round.pk))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert case["leaver"] not in body  # masked for the head of division
    assert case["leaver"][:6] in body
    # the data manager compares full NIKs with the ministry's file
    login(client, manager)
    response = client.get("/registri/putaran/{}/daftar/jiwa-keluar/".format(registry_round.pk))
    assert case["leaver"] in b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_registrys_own_export_with_rows_deleted_is_a_round_that_retires_just_those(
    registry, manager, client, login
):
    # the README's walkthrough: download the registry, delete a household, change a floor
    login(client, manager)
    export = b"".join(client.get("/registri/ekspor/").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(export)))
    ids = _households(rows)
    kept_rows = [row for row in rows if row["dtks_id"] != ids[0]]
    for row in kept_rows:
        if row["dtks_id"] == ids[1]:
            row["floor_material"] = "earth" if row["floor_material"] != "earth" else "cement"
    registry_round = _compare(_start(kept_rows, manager))
    households = _totals(registry_round, "households")
    assert households == {"absent": 1, "changed": 1, "unchanged": len(ids) - 2}
    assert registry_round.counts["rejected"] == 0


def test_a_round_whose_job_gave_up_is_not_left_waiting(registry, manager, kabid, client, login):
    from core.models import Job

    registry_round = _start(registry, manager)
    # the comparison's worker died too often: the job is failed, the round still "comparing"
    Job.objects.filter(pk=registry_round.compare_job_id).update(
        status="failed", message="stopped 3 times"
    )
    login(client, manager)
    page = client.get("/registri/putaran/{}/".format(registry_round.pk)).content.decode()
    registry_round.refresh_from_db()
    assert registry_round.status == "failed" and "stopped 3 times" in page
    services.round_refuse(registry_round=registry_round, actor=manager, reason="ulang")
    # an apply that gave up puts the round back to the head of division (nothing was written)
    second = _compare(_start(registry, manager, name="Kedua"))
    services.round_propose(registry_round=second, actor=manager)
    services.round_approve(registry_round=second, actor=kabid)
    second.refresh_from_db()
    Job.objects.filter(pk=second.apply_job_id).update(status="failed", message="worker lost")
    login(client, kabid)
    client.get("/registri/putaran/{}/".format(second.pk))
    second.refresh_from_db()
    assert second.status == "proposed" and second.error == "worker lost"
