"""The third axis of the isolation matrix: a member limited to some establishments of a GHT.

``objects_in(establishment)`` makes the kwargs factories of ``tests/<app>/isolation.py`` create their
objects in that establishment (activities, resources, plans, sites, export jobs…), so the same factories
serve both organizations and establishments. ``limited_member`` builds a member limited to one
establishment, ``populate`` fills an establishment with rows whose names carry a marker.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from guardian.shortcuts import assign_perm

from apps.tenants.roles import CAPABILITIES, Role

_TARGET: ContextVar[Any] = ContextVar("factory_target_establishment", default=None)

# From the most to the least privileged: the limited member gets the widest role that opens the view, so
# the limit is all that stands between them and the other establishment.
ROLE_PREFERENCE = [Role.ADMINISTRATOR, Role.RPCRA, Role.CONSULTANT, Role.DIRECTION, Role.CONTRIBUTOR, Role.READER]


@contextmanager
def objects_in(establishment: Any) -> Iterator[None]:
    token = _TARGET.set(establishment)
    try:
        yield
    finally:
        _TARGET.reset(token)


def target_establishment() -> Any:
    """The establishment factories should use, or ``None`` (their own default)."""
    return _TARGET.get()


def role_with(capability: str) -> str:
    return next(r for r in ROLE_PREFERENCE if capability in CAPABILITIES[r])


def limited_member(organization: Any, role: str, *establishments: Any) -> Any:
    """A user whose membership is limited to ``establishments`` (guardian grants, as the service sets them)."""
    from tests.factories import MembershipFactory

    membership = MembershipFactory(organization=organization, role=role, restricted_to_establishments=True)
    for establishment in establishments:
        assign_perm("tenants.view_establishment", membership.user, establishment)
    return membership.user


def populate(organization: Any, establishment: Any, tag: str, *, shared: Any = None) -> dict[str, Any]:
    """Rows of every establishment-bound kind in ``establishment``, each named with ``tag``."""
    from django.contrib.contenttypes.models import ContentType

    from apps.bia.models import OrgUnit
    from tests.actions.factories import ActionFactory
    from tests.backups.factories import BackupControlFactory, RestoreTestFactory
    from tests.bia.factories import (
        ActivityDependencyFactory,
        ActivityFactory,
        ResourceDependencyFactory,
        ResourceFactory,
    )
    from tests.compliance.factories import EvidenceFactory
    from tests.continuity.factories import plan_in
    from tests.factories import SiteFactory

    site = SiteFactory(organization=organization, establishment=establishment, name=f"{tag} site")
    unit = OrgUnit.objects.create(organization=organization, establishment=establishment, site=site,
                                  kind=OrgUnit.Kind.POLE, name=f"{tag} pôle")
    activity = ActivityFactory(organization=organization, establishment=establishment, site=site, unit=unit,
                               name=f"{tag} activité", dmia_override_hours=4,
                               dmia_override_justification="Urgences vitales", pdma_hours=1)
    resource = ResourceFactory(organization=organization, establishment=establishment, name=f"{tag} ressource",
                               rto_capability_hours=72)
    ActivityDependencyFactory(organization=organization, activity=activity, resource=resource)
    if shared is not None:
        ActivityDependencyFactory(organization=organization, activity=activity, resource=shared)
        ResourceDependencyFactory(organization=organization, resource=resource, depends_on=shared)
    plan = plan_in(organization, title=f"{tag} plan", activities=[activity], with_mode=True)
    BackupControlFactory(organization=organization, resource=resource, product=f"{tag} sauvegarde")
    RestoreTestFactory(organization=organization, resource=resource)
    evidence = EvidenceFactory(organization=organization, title=f"{tag} preuve du plan",
                               content_type=ContentType.objects.get_for_model(plan), object_id=plan.pk,
                               requirement_ids=["D2.O1.C"])
    action = ActionFactory(organization=organization, title=f"{tag} action", establishments=[establishment],
                           owner_name=f"{tag} responsable", owner_email="responsable@hopital.example")
    return {"action": action, "evidence": evidence, "site": site, "unit": unit, "activity": activity, "resource": resource, "plan": plan}
