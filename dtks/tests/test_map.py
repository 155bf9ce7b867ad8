"""The registry map: homes of the user's area only, counted on a grid from far away and single
homes close in, open complaints per village, bad views refused naming the field, point reads
audited, coordinates written as numbers a map reads in any language."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from complaints.tests.factories import complaint
from core.choices import Role
from core.models import AuditEvent
from dtks import maps
from dtks.tests.factories import make_household

pytestmark = pytest.mark.django_db

EVERYWHERE = "100,-10,120,5"


def _home(village, lat, lon, **data):
    return make_household(village, latitude=Decimal(str(lat)), longitude=Decimal(str(lon)), **data)


@pytest.fixture
def homes(village_a, village_b):
    """Four located homes in village A (two close together), two in village B, one in A
    without a location."""
    found = {
        "a": [
            _home(village_a, -2.350, 106.200),
            _home(village_a, -2.351, 106.201),
            _home(village_a, -2.400, 106.300),
            _home(village_a, -2.500, 106.100),
        ],
        "b": [_home(village_b, -2.600, 106.400), _home(village_b, -2.610, 106.410)],
    }
    make_household(village_a)
    return found


def _points(client, bbox=EVERYWHERE, zoom="17"):
    return client.get(reverse("dtks:registry_map_points"), {"bbox": bbox, "zoom": zoom})


def test_an_operator_sees_only_the_homes_of_their_village(
    client, login, make_user, village_a, homes
):
    login(client, make_user(Role.VILLAGE_OPERATOR, village_a.code))
    answer = _points(client).json()
    assert answer["total"] == 4
    assert sorted(point[2] for point in answer["points"]) == sorted(h.pk for h in homes["a"])
    assert {tuple(point[:2]) for point in answer["points"]} >= {(-2.35, 106.2)}
    # each answer with homes in it is a read of the registry, in the audit trail
    event = AuditEvent.objects.filter(object_type="dtks.household", action="view").latest("pk")
    assert event.changes["zoom"] == 17


def test_far_away_the_homes_are_counted_per_square(client, login, make_user, homes, monkeypatch):
    monkeypatch.setattr(maps, "MAX_POINTS", 2)
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    answer = _points(client, zoom="9").json()
    assert answer["points"] == []
    assert answer["total"] == 6
    assert sum(cell[2] for cell in answer["cells"]) == 6
    # the two homes a hundred metres apart share a square at this zoom
    assert max(cell[2] for cell in answer["cells"]) >= 2
    # close in, whatever their number, homes are points (at most MAX_POINTS, said so)
    close = _points(client, zoom="16").json()
    assert len(close["points"]) == 2 and close["capped"] is True


def test_open_complaints_are_counted_per_village(client, login, make_user, village_a, homes):
    complaint(village_a, home=homes["a"][0])
    complaint(village_a, home=homes["a"][1])
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    rows = _points(client).json()["complaints"]
    assert [(row[2], row[3]) for row in rows] == [(2, village_a.name)]
    lat, lon = rows[0][0], rows[0][1]
    assert -2.5 <= lat <= -2.35 and 106.1 <= lon <= 106.3  # the middle of A's located homes
    # a view box away from the village leaves them out
    assert _points(client, bbox="110,-1,111,0").json()["complaints"] == []


def test_bad_views_are_refused_naming_the_field(client, login, make_user, village_a):
    login(client, make_user(Role.VILLAGE_OPERATOR, village_a.code))
    bad = _points(client, bbox="kiri,bawah")
    assert bad.status_code == 400 and "bbox" in bad.json()["errors"]
    assert "empat angka" in bad.json()["errors"]["bbox"]
    upside_down = _points(client, bbox="120,5,100,-10")
    assert upside_down.status_code == 400 and "bbox" in upside_down.json()["errors"]
    too_close = _points(client, zoom="30")
    assert too_close.status_code == 400 and "zoom" in too_close.json()["errors"]


def test_roles_without_the_registry_get_nothing(client, login, make_user, homes):
    from referrals.tests.factories import provider, provider_admin

    login(client, provider_admin(provider()))
    assert _points(client).status_code == 403
    assert client.get(reverse("dtks:registry_map")).status_code == 403


def test_the_page_writes_coordinates_with_a_dot_and_allows_the_tile_server(
    client, login, make_user, homes, settings
):
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    page = client.get(reverse("dtks:registry_map"))
    html = page.content.decode()
    south = re.search(r'data-south="([^"]+)"', html).group(1)
    assert south == "-2.61"  # Indonesian pages write -2,61 elsewhere
    assert "img-src 'self' data: blob:" in page["Content-Security-Policy"]
    settings.SILAKSO_MAP_TILES = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    page = client.get(reverse("dtks:registry_map"))
    assert "img-src 'self' https://*.tile.example.org" in page["Content-Security-Policy"]
    assert 'data-tiles="https://{s}.tile.example.org/{z}/{x}/{y}.png"' in page.content.decode()


def test_an_area_without_located_homes_says_so(client, login, make_user, village_a):
    make_household(village_a)
    login(client, make_user(Role.VILLAGE_OPERATOR, village_a.code))
    page = client.get(reverse("dtks:registry_map")).content.decode()
    assert 'id="peta"' not in page and "Belum ada rumah" in page
