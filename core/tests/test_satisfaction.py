"""The public satisfaction index (IKM, Permenpan-RB 14/2017) for every service: invited when a
service is finished, answered once through a signed link, computed per element and quarter as
the regulation does, and published only from k answers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications.tests.factories import household
from complaints.tests.factories import complaint as make_complaint
from core.choices import Role
from core.models import Notification, SurveyResponse
from core.satisfaction import (
    FIELDS,
    SALT,
    index_of,
    invite,
    published,
    quarterly,
    survey_submit,
    target_of,
    token_for,
)

pytestmark = pytest.mark.django_db


def _answers(*scores):
    return dict(zip(FIELDS, scores, strict=True))


def test_the_index_is_computed_as_the_regulation_defines_it():
    # the regulation's worked example style: NRR per element, weighted 1/9 each, times 25
    means = [3.45, 3.10, 2.95, 4.00, 3.20, 3.35, 3.60, 2.80, 3.05]
    index = index_of(120, means)
    assert index.value == Decimal("3.2778")  # 29.50 / 9
    assert index.converted == Decimal("81.94")  # 29.50 * 25 / 9
    assert (index.grade, index.grade_label) == ("B", "Baik")
    assert index_of(5, [1] * 9).grade_label == "Tidak baik"
    assert index_of(5, [4] * 9).converted == Decimal("100.00")
    assert index_of(5, [4] * 9).grade == "A"
    assert index_of(5, [1] * 9).grade == "D"
    # the boundaries of the grades (converted value)
    assert index_of(1, [3.0644 * 9 / 9] * 9).grade == "B"
    assert index_of(1, [2.6] * 9).grade == "C"
    assert index_of(1, [2.5996] * 9).grade == "D"
    assert index_of(0, []) is None


def test_a_closed_complaint_invites_its_rating_and_the_link_answers_once(client, village_a):
    home = household(village_a)
    ticket = make_complaint(village_a, home=home)
    ticket.phone = "081234567890"
    ticket.save(update_fields=["phone"])
    assert invite(ticket, "pengaduan") == 1
    assert invite(ticket, "pengaduan") == 0  # once
    invitation = Notification.objects.get(event="survey.invite")
    link = next(word for word in invitation.body.split() if "/survei/" in word)
    path = "/" + link.split("/", 3)[-1]
    page = client.get(path)
    assert page.status_code == 200
    # every question must be answered
    missing = client.post(path, {"u1": "4"})
    assert missing.status_code == 200 and not SurveyResponse.objects.exists()
    done = client.post(path, {**_answers(4, 3, 3, 4, 3, 4, 4, 2, 3), "suggestion": "Cepat"})
    assert done.status_code == 200
    response = SurveyResponse.objects.get()
    assert response.service == "pengaduan" and response.region_code == ticket.village_id
    assert 'name="u1"' not in client.get(path).content.decode()  # answered: no form again
    again = client.post(path, _answers(1, 1, 1, 1, 1, 1, 1, 1, 1))
    assert again.status_code == 200 and SurveyResponse.objects.count() == 1


def test_a_forged_or_old_link_is_refused(client, village_a):
    ticket = make_complaint(village_a, home=household(village_a))
    forged = signing.dumps(
        {"o": "complaints.complaint", "i": str(ticket.pk), "s": "x"}, salt="other"
    )
    assert client.get(reverse("core:survey", args=[forged])).status_code == 404
    with pytest.raises(ValidationError):
        target_of(forged)
    good = token_for(ticket, "pengaduan")
    assert target_of(good)["object_id"] == str(ticket.pk)
    assert signing.loads(good, salt=SALT)["s"] == "pengaduan"


def test_scores_outside_one_to_four_are_refused(village_a):
    ticket = make_complaint(village_a, home=household(village_a))
    with pytest.raises(ValidationError) as refused:
        survey_submit(
            token=token_for(ticket, "pengaduan"), answers=_answers(5, 3, 3, 3, 3, 3, 3, 3, 0)
        )
    assert "u1" in refused.value.message_dict and "u9" in refused.value.message_dict


def test_quarterly_index_per_service_and_withheld_below_k(
    village_a, settings, client, login, make_user
):
    settings.SILAKSO_DISCLOSURE_K = 3
    home = household(village_a)
    tickets = [make_complaint(village_a, home=home) for _ in range(3)]
    scores = [(4,) * 9, (3,) * 9, (2,) * 9]
    for ticket, answer in zip(tickets[:2], scores[:2], strict=True):
        survey_submit(token=token_for(ticket, "pengaduan"), answers=_answers(*answer))
    assert published("pengaduan")["withheld"] is True
    page = client.get(reverse("service_standard", args=["pengaduan"])).content.decode()
    assert "87,50" not in page
    survey_submit(token=token_for(tickets[2], "pengaduan"), answers=_answers(*scores[2]))
    [row] = quarterly()
    assert row["index"].answers == 3
    assert row["index"].converted == Decimal("75.00")  # mean 3 → 75
    assert row["index"].grade == "C"
    assert row["quarter"] == dt.date.today().replace(
        month=3 * ((dt.date.today().month - 1) // 3) + 1, day=1
    )
    page = client.get(reverse("service_standard", args=["pengaduan"])).content.decode()
    assert "75,00" in page  # Indonesian decimal comma
    # the head of division reads it per element; a village operator does not
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    assert "75,00" in client.get(reverse("core:satisfaction_index")).content.decode()
    login(client, make_user(Role.VILLAGE_OPERATOR, village_a.code))
    assert client.get(reverse("core:satisfaction_index")).status_code == 403


def test_closing_a_complaint_through_its_flow_sends_the_survey_link(village_a, make_user):
    from complaints import services

    ticket = make_complaint(village_a, home=household(village_a))
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    head = make_user(Role.VILLAGE_HEAD, village_a.code)
    services.complaint_resolve(
        complaint=ticket,
        actor=operator,
        resolution="Dibantu beras desa",
        resolved_by_kind="village",
    )
    assert not Notification.objects.filter(event="survey.invite").exists()
    services.complaint_close(complaint=ticket, actor=head, told_via="in_person")
    invitation = Notification.objects.get(event="survey.invite", object_id=str(ticket.pk))
    assert invitation.recipient == "081234500000" and "/survei/" in invitation.body
