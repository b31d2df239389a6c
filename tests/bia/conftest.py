from __future__ import annotations

import pytest

from apps.bia import services
from apps.tenants.roles import Role
from tests.bia.factories import activity_in


@pytest.fixture
def scales(org):
    services.scales_ensure_defaults(organization=org)
    from apps.bia.selectors import scales as read

    return read(organization=org)


@pytest.fixture
def owner(org, member_factory):
    return member_factory(org, Role.BUSINESS_OWNER)


@pytest.fixture
def rpcra(org, member_factory):
    return member_factory(org, Role.RPCRA)


@pytest.fixture
def owned_activity(org, owner, scales):
    activity = activity_in(org, name="Urgences adultes")
    services.activity_assign_owner(activity=activity, actor=None, owner=owner)
    return activity
