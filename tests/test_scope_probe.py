"""Scope, probed from the OpenAPI schema rather than a hand-written list: every operation on one
object (`/…/{id}/…`, each method the schema gives) is tried, as a regency's API client and as a
village's, on every object of another regency — a whole demo regency seeded for it, with its
registry, requests, deliberations, lists, complaints, cases, referrals, letters and audit rows.
Each try must be refused as "not found" and change nothing; the same operations do reach the
caller's own objects (so a refusal is the scope, not a broken address). A new endpoint is probed
without anyone adding it here."""

import io

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from applications.tests.factories import household, submit
from core.choices import Role
from core.tests.factories import issue_key
from dtks.models import Program

pytestmark = pytest.mark.django_db

OTHER_REGENCY = "19.01"
#: Reference data every caller reads alike (the Kemendagri list, the program catalogue, the
#: providers and their services); their writes are tested in their own apps.
REFERENCE = {"Region", "Program", "ProgramPeriod", "Provider", "Service"}


def _operations():
    document = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in document["paths"].items():
        if "{id}" not in path:
            continue
        for method in operations:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method


def _model(path: str):
    view = resolve(path.replace("{id}", "1").replace("{code}", "x")).func
    cls = view.cls
    queryset = getattr(cls, "queryset", None)
    if queryset is not None:
        return queryset.model
    return cls.serializer_class.Meta.model


def _snapshot(models) -> dict:
    return {model: set(model.objects.values_list("pk", flat=True)) for model in models}


def test_no_operation_reaches_an_object_of_another_regency(client, village_a, make_user):
    operations = list(_operations())
    models = {_model(path) for path, _method in operations}
    before = _snapshot(models)
    call_command("seed_demo", regency=OTHER_REGENCY, individuals=1000, seed=7, stdout=io.StringIO())
    outside = {
        model: sorted(pks - before[model])
        for model, pks in _snapshot(models).items()
        if model.__name__ not in REFERENCE
    }
    seeded = {model.__name__ for model, pks in outside.items() if pks}
    # the seeded regency has something behind each kind of endpoint that holds personal data
    assert {
        "Household",
        "Individual",
        "Family",
        "Enrollment",
        "Application",
        "Complaint",
        "Case",
        "Referral",
        "AuditEvent",
    } <= seeded, seeded

    # the callers' own objects
    before_mine = _snapshot(models)
    mine = submit(Program.objects.get(code="bpnt"), household(village_a, head_name="Warga Koba"))
    inside = {
        model: sorted(pks - before_mine[model])
        for model, pks in _snapshot(models).items()
        if model.__name__ not in REFERENCE
    }
    callers = [
        issue_key(make_user(Role.API_CLIENT, code)).key for code in ("19.04", village_a.code)
    ]

    reached: set[tuple[str, str]] = set()
    tried = 0
    for key in callers:
        auth = {"HTTP_AUTHORIZATION": "Token " + key}
        for path, method in operations:
            model = _model(path)
            for pk in outside.get(model, [])[:3]:
                url = path.replace("{id}", str(pk)).replace("{code}", "verify")
                row = model_to_dict(model.objects.get(pk=pk))
                answer = getattr(client, method)(url, {}, content_type="application/json", **auth)
                tried += 1
                assert answer.status_code in (403, 404, 405), (method, url, answer.status_code)
                assert model_to_dict(model.objects.get(pk=pk)) == row, (method, url)
            if method == "get" and inside.get(model):
                # the same address reaches the caller's own object (or refuses the role)
                own = path.replace("{id}", str(inside[model][0]))
                status = client.get(own, **auth).status_code
                assert status in (200, 403), (own, status)
                if status == 200:
                    reached.add((key, path))
    assert tried > 100
    for key in callers:
        assert {
            "/api/v1/households/{id}/",
            "/api/v1/individuals/{id}/",
            "/api/v1/families/{id}/",
            "/api/v1/households/{id}/history/",
            "/api/v1/applications/{id}/",
        } <= {path for who, path in reached if who == key}
    assert mine.pk in inside[type(mine)]
