"""The registry at a glance: right counts per area and desil band, inside the user's scope,
each figure a link to the households behind it."""

import pytest
from django.urls import reverse

from core.choices import Role
from dtks.models import Household
from dtks.tests.factories import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(village_a, village_b):
    """Koba: three households of desil 2 and one without; village B (another district): two
    of desil 7."""
    made = [make_household(village_a, head_name="Warga {}".format(n)) for n in range(4)]
    Household.objects.filter(pk__in=[h.pk for h in made[:3]]).update(desil=2)
    other = [make_household(village_b, head_name="Warga B {}".format(n)) for n in range(2)]
    Household.objects.filter(pk__in=[h.pk for h in other]).update(desil=7)
    return village_a, village_b


def _row(page, name):
    return page.split(">{}<".format(name))[1].split("</tr>")[0]


def test_the_regency_sees_its_districts_with_links_to_the_lists(client, login, make_user, registry):
    village_a, village_b = registry
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    page = client.get(reverse("dtks:registry_summary")).content.decode()
    koba = _row(page, village_a.parent.name)
    list_url = reverse("dtks:household_list")
    assert (
        '{}?region={}&amp;desil_min=2&amp;desil_max=2">3<'.format(list_url, village_a.parent_id)
        in koba
    )
    assert 'no_desil=true">1<' in koba
    other = _row(page, village_b.parent.name)
    assert 'desil_min=6&amp;desil_max=10">2<' in other
    totals = page.split('data-testid="summary-totals"')[1].split("</tr>")[0]
    assert ">6<" in totals  # six households in the regency
    # the figure's link opens exactly those households
    listed = client.get(list_url, {"region": village_a.parent_id, "desil_min": 2, "desil_max": 2})
    assert listed.context["page"].paginator.count == 3
    # a district opens its villages
    district = client.get(reverse("dtks:registry_summary"), {"wilayah": village_a.parent_id})
    assert village_a.name in district.content.decode()


def test_a_village_operator_sees_only_its_village(client, login, make_user, registry):
    village_a, village_b = registry
    login(client, make_user(Role.VILLAGE_OPERATOR, village_a.code))
    # asking for the other village's district answers with the operator's own village
    page = client.get(reverse("dtks:registry_summary"), {"wilayah": village_b.parent_id})
    html = page.content.decode()
    assert page.context["region"].code == village_a.code
    assert village_b.name not in html and ">4<" in html
