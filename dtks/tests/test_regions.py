"""The official Kemendagri list: exact counts, idempotent reloads, lookups by code and name."""

import pytest

from core.choices import RegionLevel, Role
from dtks.models import Region
from dtks.services import region_load_all

pytestmark = pytest.mark.django_db


def test_full_load_has_the_official_counts_and_is_idempotent():
    # when the whole list is loaded (twice)
    first = region_load_all()
    Region.objects.filter(code="32.01").update(name="Changed by hand")
    second = region_load_all()
    # then the counts are those of Kepmendagri 300.2.2-2138/2025
    assert first["counts"] == {
        "provinces": 38,
        "regencies": 514,
        "districts": 7285,
        "villages": 83762,
    }
    assert second["counts"] == first["counts"]
    assert Region.objects.count() == 91599
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 83762
    assert Region.objects.get(code="32.01").name == "Kabupaten Bogor"
    assert second["retired"] == 0


def test_region_codes_are_canonical_and_hierarchical(regions):
    koba = regions.get(code="19.04.01.1001")
    assert koba.kind == "kelurahan"
    assert koba.postal_code == "33681"
    assert koba.parent.code == "19.04.01"
    assert koba.parent.parent.code == "19.04"
    assert koba.parent.parent.parent.code == "19"
    assert koba.regency_code == "19.04"


def test_api_looks_regions_up_by_code_in_any_form_and_by_name(client, login, make_user, regions):
    login(client, make_user(Role.VERIFIER, "19.04"))
    assert client.get("/api/v1/regions/19.04/").json()["name"] == "Kabupaten Bangka Tengah"
    by_plain_code = client.get("/api/v1/regions/", {"q": "1904011001"}).json()
    assert [r["code"] for r in by_plain_code["results"]] == ["19.04.01.1001"]
    by_name = client.get("/api/v1/regions/", {"q": "koba", "level": 3}).json()
    assert [r["code"] for r in by_name["results"]] == ["19.04.01"]
    children = client.get("/api/v1/regions/", {"parent": "19.04"}).json()
    assert children["count"] == 6
