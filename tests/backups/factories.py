"""factory_boy factories for the backups models."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.backups.models import BackupControl, BackupPolicy, Milestone, RestoreTest, Trajectory
from tests.bia.factories import ResourceFactory


class BackupControlFactory(DjangoModelFactory):
    class Meta:
        model = BackupControl

    resource = factory.SubFactory(ResourceFactory)
    organization = factory.SelfAttribute("resource.organization")
    product = "Veeam Backup & Replication"
    frequency_hours = 24
    copies = 2
    media_count = 1


class BackupPolicyFactory(DjangoModelFactory):
    class Meta:
        model = BackupPolicy

    organization = factory.SubFactory("tests.factories.OrganizationFactory")
    version = "v2"
    validated_on = datetime.date(2024, 3, 1)


class TrajectoryFactory(DjangoModelFactory):
    class Meta:
        model = Trajectory

    organization = factory.SubFactory("tests.factories.OrganizationFactory")
    kind = Trajectory.Kind.ISOLATION
    title = "Isolement du réseau de sauvegarde"


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    trajectory = factory.SubFactory(TrajectoryFactory)
    organization = factory.SelfAttribute("trajectory.organization")
    title = "VLAN dédié"
    due_on = datetime.date(2026, 6, 30)


class RestoreTestFactory(DjangoModelFactory):
    class Meta:
        model = RestoreTest

    resource = factory.SubFactory(ResourceFactory)
    organization = factory.SelfAttribute("resource.organization")
    tested_on = datetime.date(2026, 3, 10)
    scope = RestoreTest.Scope.PRODUCTION
    measured_hours = Decimal("6.5")
    result = RestoreTest.Result.SUCCESS
    referent_name = "Dr Martin, chef des urgences"
