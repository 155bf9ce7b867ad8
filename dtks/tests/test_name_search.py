"""Name search by whole words (migration 0018): the dictionary follows every insert and rename,
a name typed whole lists its bearers before other spellings, and a full list says it is cut."""

import pytest
from django.urls import reverse

from core.choices import Role
from dtks import search
from dtks.models import Individual
from dtks.search import people_by_name
from dtks.tests.factories import make_household

pytestmark = pytest.mark.django_db


def _names(queryset):
    return [person.name for person in queryset]


def test_a_new_name_and_a_renamed_person_are_found_at_once_with_a_typo(village_a):
    household = make_household(village_a, head_name="Zulkarnaen Batubara")
    people = Individual.objects.all()
    assert _names(people_by_name(people, "zulkarnain batubara")) == ["Zulkarnaen Batubara"]
    head = household.members.get()
    head.name = "Zulkarnaen Situmorang"
    head.save(update_fields=["name"])
    assert _names(people_by_name(people, "zulkarnaen situmorng")) == ["Zulkarnaen Situmorang"]
    assert list(people_by_name(people, "batubara")) == []


def test_a_first_name_typed_whole_lists_its_bearers_before_other_spellings(village_a, monkeypatch):
    for name in ("Yantoo Prasetyo", "Haryanto Wibowo", "Yanto Saputra", "Yanto Gunawan"):
        make_household(village_a, head_name=name)
    people = Individual.objects.all()
    # every spelling is found when the list has room
    assert set(_names(people_by_name(people, "yanto"))) == {
        "Yantoo Prasetyo",
        "Haryanto Wibowo",
        "Yanto Saputra",
        "Yanto Gunawan",
    }
    # when it has room for two only, the two who carry the name itself
    monkeypatch.setattr(search, "CANDIDATES", 2)
    assert set(_names(people_by_name(people, "yanto"))) == {"Yanto Saputra", "Yanto Gunawan"}


def test_a_word_like_no_registered_name_finds_no_one(village_a):
    make_household(village_a, head_name="Siti Rahayu")
    assert list(people_by_name(Individual.objects.all(), "siti qqqxqq")) == []


def test_a_full_list_says_only_the_closest_names_are_shown(
    client, login, make_user, village_a, monkeypatch
):
    for name in ("Dewi Lestari", "Dewi Sartika", "Dewi Anggraini"):
        make_household(village_a, head_name=name)
    login(client, make_user(Role.VILLAGE_OPERATOR, village_a.code))
    url = reverse("dtks:household_list")
    assert "closest names" not in client.get(url, {"q": "dewi"}).content.decode()
    monkeypatch.setattr("dtks.views.MAX_NAME_MATCHES", 3)
    page = client.get(url, {"q": "dewi"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Only the 3 closest names are listed" in page
