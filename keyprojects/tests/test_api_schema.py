"""The API answers as its published schema says: schemathesis sends generated requests to every operation."""

import json
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from problems.tests.factories import make_matter, make_meeting, make_problem
from starts.models import StartEvent, StartEventProject

# A handful of generated requests per operation: enough to try each parameter's edges, few
# enough for make test.
EXAMPLES = 2


def published_schema() -> dict:
    """The schema /api/schema/ serves, as plain JSON."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


PUBLISHED = published_schema()
schema = schemathesis.openapi.from_dict(PUBLISHED)
# The paths of the operations without a parameter, which the routes match before a detail route:
# /api/start-events/stalled/ is the stalled list, whatever {id} it was generated for.
LITERAL_PATHS = {path for path in PUBLISHED["paths"] if "{" not in path}
schema.app = get_wsgi_application()
# Generated requests only: the coverage phase's enumeration of every boundary of every parameter
# is thousands of requests, for a suite that runs on each change.
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture
def connection_kept():
    """The WSGI handler closes the database connection when a request ends, which on PostgreSQL would
    close the test's own transaction; Django's test client keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def records(world, connection_kept):
    """Rows whose optional fields are empty, where responses once broke the schema: an overdue
    problem, a start event whose project has no actual start date, a meeting with a matter."""
    make_problem(world.project_a, world.housing, deadline=timezone.localdate() - timedelta(days=40))
    event = StartEvent.objects.create(
        held_on=timezone.localdate() - timedelta(days=90), batch="第一批集中开工"
    )
    StartEventProject.objects.create(event=event, project=world.project_b)
    meeting = make_meeting(world.coordinator)
    make_matter(meeting, world.housing, content="两周内完成管线迁改")
    return world


# The caller, whose token every request carries: the coordinator, who may call every operation.
# As a parameter it also gives each operation's test an id of its own ("…[GET /api/plans/]
# [coordinator]"): pytest builds a test's id from its parameters, and schemathesis names the
# operation only in the test's name, so that without one all 165 share an id and pytest-xdist
# would run one of them.
@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["coordinator"])
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_without_server_errors_and_as_the_schema_says(case, caller, records):
    if case.formatted_path != case.path and case.formatted_path in LITERAL_PATHS:
        # A generated id that spells another operation's own path (GET /api/start-events/{id}/
        # with the id "stalled") asks that operation, which answers by its own schema.
        return
    token, _created = Token.objects.get_or_create(user=getattr(records, caller))
    case.call_and_validate(
        headers={"Authorization": f"Token {token.key}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
