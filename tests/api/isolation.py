"""Kwargs factories for the API token pages (tests/isolation.py) and for the API routes (tests/api/test_isolation_api.py).

``API_KWARGS`` maps an API route name to a factory ``(organization, establishment) -> kwargs``: the object is
created in that establishment, so the matrix checks the establishment axis too.
"""

from __future__ import annotations

from typing import Any

from tests.api.factories import make_token


def _token(org: Any) -> dict[str, Any]:
    token, _plain = make_token(org)
    return {"pk": token.pk}


URL_KWARGS = {"apitokens:token-revoke": _token}
ORG_WIDE = {"apitokens:token-revoke"}


def _activity(org: Any, establishment: Any) -> dict[str, Any]:
    from tests.bia.factories import ActivityFactory

    return {"pk": ActivityFactory(organization=org, establishment=establishment).pk}


def _resource(org: Any, establishment: Any) -> dict[str, Any]:
    from tests.bia.factories import ResourceFactory

    return {"pk": ResourceFactory(organization=org, establishment=establishment).pk}


def _action(org: Any, establishment: Any) -> dict[str, Any]:
    from tests.actions.factories import ActionFactory

    return {"pk": ActionFactory(organization=org, establishments=[establishment]).pk}


API_KWARGS = {"api:activity": _activity, "api:resource": _resource, "api:action": _action}
