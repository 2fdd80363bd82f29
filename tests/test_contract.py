"""Contract fuzzing with Schemathesis: every operation of the OpenAPI schema, called with data
Hypothesis generates from the schema itself (and data that breaks it), in-process through the
WSGI application:

- as an admin, an account manager and a client executive (each with an API token): no answer
  is a server error, and every documented answer matches its schema;
- without credentials: 401 or 403, whatever is sent;
- as a member of another organization: 404, whatever is sent.

`make contract` runs it (CI does, once, on PostgreSQL); `CONTRACT_EXAMPLES` sets how many
cases each operation gets per role (default 4). The counts of the last run are in
docs/security.md. `make test` skips it (it runs with `CONTRACT=1`): a run takes minutes.
"""

from __future__ import annotations

import os

import pytest

if not os.environ.get("CONTRACT"):
    pytest.skip("contract fuzzing runs with `make contract` (CONTRACT=1)", allow_module_level=True)

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tenancy.models import Role
from tests.factories import ApiTokenFactory

pytestmark = [pytest.mark.contract, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "4"))
APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP)
# The schema's own examples and generated cases (valid and not); the exhaustive boundary-value
# phase would take ten times as long.
schema.config.phases.update(phases=["examples", "fuzzing"])

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
ONCE = settings(FUZZ, max_examples=1)


@pytest.fixture(autouse=True)
def _one_connection():
    """The WSGI application closes the database connection after each request, which would
    close the test's transaction: Django's test client unhooks that, and so does this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(partnership, admin, account_manager, client_executive, outsider):
    tokens = {
        member.role: ApiTokenFactory(organization=member.organization, user=member.user).raw_key
        for member in (admin, account_manager, client_executive)
    }
    tokens["outsider"] = ApiTokenFactory(
        organization=outsider.organization, user=outsider.user
    ).raw_key
    return {"partnership": partnership, "tokens": tokens}


def aim(case, world) -> None:
    """Point the case at Northstar and its partnership, so that most calls reach the view
    rather than stopping at 404; the other ids stay generated."""
    params = case.path_parameters or {}
    if "org_slug" in params:
        params["org_slug"] = "northstar"
    if "partnership_pk" in params:
        params["partnership_pk"] = world["partnership"].pk
    if "id" in params and case.path.endswith("/partnerships/{id}/"):
        params["id"] = world["partnership"].pk


def token(world, who: str) -> dict[str, str]:
    return {"Authorization": f"Token {world['tokens'][who]}"}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ACCOUNT_MANAGER, Role.CLIENT_EXECUTIVE])
@schema.parametrize()
@FUZZ
def test_no_server_error_and_answers_match_the_schema(case, world, role):
    aim(case, world)
    response = case.call(headers=token(world, role))
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


@schema.parametrize()
@ONCE
def test_without_credentials_nothing_opens(case, world):
    aim(case, world)
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    response = case.call()
    assert response.status_code in (401, 403), (case.method, case.path, response.status_code)


@schema.parametrize()
@ONCE
def test_another_organizations_member_gets_404(case, world):
    if "org_slug" not in (case.path_parameters or {}):
        pytest.skip("not an organization's operation")
    aim(case, world)
    response = case.call(headers=token(world, "outsider"))
    assert response.status_code == 404, (case.method, case.path, response.status_code)
