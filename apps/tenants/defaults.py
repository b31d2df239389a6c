"""What every organization starts with, created once with the organization — never by a page that reads.

The apps built on the tenant register, from their ``AppConfig.ready``, an idempotent function that
creates their defaults (the BIA its method: criteria, levels, horizons, settings; the plans their four
scenarios). ``organization_defaults_ensure`` runs them all: ``organization_create`` calls it, and so do
the demo, the platform admin and the test factories; each app's data migration gives the organizations
created before the same defaults. The selectors then only read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from apps.tenants.models import Organization

DefaultsSetup = Callable[..., object]  # called as setup(organization=…)

_SETUPS: list[DefaultsSetup] = []


def register_defaults(setup: DefaultsSetup) -> None:
    """``setup(organization=…)`` creates the app's defaults when missing and changes nothing otherwise."""
    if setup not in _SETUPS:
        _SETUPS.append(setup)


@transaction.atomic
def organization_defaults_ensure(*, organization: Organization) -> None:
    """Create every registered default the organization lacks (safe to run again)."""
    from apps.core.tenancy import tenant_scope

    with tenant_scope(organization):
        for setup in _SETUPS:
            setup(organization=organization)
