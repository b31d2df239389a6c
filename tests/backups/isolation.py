"""Kwargs factories for the backups app's URLs (see tests/isolation.py)."""

from tests.backups.factories import MilestoneFactory, RestoreTestFactory, TrajectoryFactory
from tests.bia.factories import ResourceFactory


def _pk(factory):
    return lambda org: {"pk": factory(organization=org).pk}


URL_KWARGS = {
    "backups:control": _pk(ResourceFactory),
    "backups:trajectory-update": _pk(TrajectoryFactory),
    "backups:trajectory-delete": _pk(TrajectoryFactory),
    "backups:milestone-create": _pk(TrajectoryFactory),
    "backups:milestone-update": lambda org: {"pk": MilestoneFactory(trajectory=TrajectoryFactory(organization=org)).pk},
    "backups:milestone-delete": lambda org: {"pk": MilestoneFactory(trajectory=TrajectoryFactory(organization=org)).pk},
    "backups:test-update": lambda org: {"pk": RestoreTestFactory(resource=ResourceFactory(organization=org)).pk},
    "backups:test-delete": lambda org: {"pk": RestoreTestFactory(resource=ResourceFactory(organization=org)).pk},
}

# Objects that belong to no establishment (the organization's scales, scenarios, trajectories, evidence).
ORG_WIDE = {
    "backups:trajectory-update",
    "backups:trajectory-delete",
    "backups:milestone-create",
    "backups:milestone-update",
    "backups:milestone-delete",
}
