"""The API against its own OpenAPI schema (issue 19, item 5), through schemathesis' WSGI integration.

Every operation of ``/api/schema/`` gets a bounded number of generated requests (``MAX_EXAMPLES`` each), sent
with a valid token of the test organization (every capability); each answer must not be a 5xx, must use a
status code and a content type the schema documents, and its body must match the documented schema. Runs
with ``python3 run.py test`` like every other test (no network: the WSGI application is called in-process).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.factories import make_token
from tests.bia.factories import ActivityDependencyFactory, ActivityFactory, ResourceFactory

MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
STATS: Counter[str] = Counter()

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    # Figures for the closing note of the issue (printed with -s; never asserted as timings).
    print(f"\nschemathesis: {STATS['operations']} operations, {STATS['examples']} examples, "
          f"{STATS['failures']} failures")


@pytest.fixture
def _keep_connection() -> Iterator[None]:
    """Like Django's test client: the WSGI handler must not close the test's database connection (its
    transaction holds the test data) at the end of each request."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_org(db, _keep_connection):
    from tests.factories import EstablishmentFactory, OrganizationFactory

    org = OrganizationFactory(name="CH de Schemathesis", slug="api-schemathesis")
    establishment = EstablishmentFactory(organization=org, name="CH de Valmont")
    activity = ActivityFactory(organization=org, establishment=establishment, name="Urgences", pdma_hours=4,
                               dmia_override_hours=4, dmia_override_justification="Urgences vitales")
    resource = ResourceFactory(organization=org, name="DPI", rto_capability_hours=48)
    ActivityDependencyFactory(organization=org, activity=activity, resource=resource)
    _token, plain = make_token(org)
    return org, plain


@schema.parametrize()
@hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_matches_its_schema(case, api_org, settings) -> None:
    org, plain = api_org
    settings.API_THROTTLE_RATE = "100000/minute"
    if case.path_parameters is not None and "organization_slug" in case.path_parameters:
        case.path_parameters["organization_slug"] = org.slug
    key = case.operation.label
    if key not in STATS:
        STATS[key] = 1
        STATS["operations"] += 1
    STATS["examples"] += 1
    try:
        case.call_and_validate(headers={"Authorization": f"Bearer {plain}"}, checks=CHECKS)
    except BaseException:  # schemathesis raises a group of failures
        STATS["failures"] += 1
        raise
