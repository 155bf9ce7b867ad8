"""The API keeps the promise of its published schema: schemathesis generates requests from
``/api/schema/`` for every operation, with a regency API client's token and with a village
operator's, and checks that no answer is a server error and every answer (status, headers,
body) matches what the schema says; the objects of both regencies exist while it runs."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from applications.tests.factories import household, program, submit
from core.choices import Role
from core.tests.factories import issue_key

pytestmark = pytest.mark.django_db


schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = WSGIHandler()  # the project's stack without the start-up database check
# The coverage phase walks every boundary the schema defines: the valid ones here (each
# documented status, header and body checked); invalid input is what the fuzzing phase and
# each app's own tests send. All of it took 12 of the suite's 20 minutes on a 2-core machine.
schema.config.phases.coverage.generation.modes = [GenerationMode.POSITIVE]


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """As Django's test client does: a request's end must not close the test's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(village_a, regions, make_user):
    """A regency's API client and a village's (tokens are for systems only), with requests of
    both regencies on record so that ids exist in and out of scope."""
    other_village = regions.filter(code__startswith="19.01.", level=4).order_by("code").first()
    bpnt = program("bpnt")
    submit(bpnt, household(village_a, head_name="Warga Koba"))
    submit(bpnt, household(other_village, head_name="Warga Bangka"))
    return [
        issue_key(make_user(Role.API_CLIENT, region)).key for region in ("19.04", "19.04.01.1001")
    ]


@override_settings(ALLOWED_HOSTS=["*"])
@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_as_its_schema_says(case, tokens):
    for key in tokens:
        case.call_and_validate(
            headers={"Authorization": "Token {}".format(key)},
            # A well-formed request naming a program or village that does not exist is refused
            # (400 naming the field): the schema cannot list which ids exist. And DRF, like an
            # HTML form, reads "1" as true and 5 as "5", which a strict JSON schema calls a
            # wrong type. Server errors, undocumented statuses, content types and headers, and
            # answers that do not match their schema are all checked.
            excluded_checks=[positive_data_acceptance, negative_data_rejection],
        )
