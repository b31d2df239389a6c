"""factory_boy factories for the action plan."""

from __future__ import annotations

import datetime

import factory
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.actions.models import Action, ActionEstablishment
from tests.establishments import target_establishment


class ActionFactory(DjangoModelFactory):
    """An action naming ``establishments`` (default: the target establishment of ``objects_in``, else none)."""

    class Meta:
        model = Action
        skip_postgeneration_save = True

    organization = factory.SubFactory("tests.factories.OrganizationFactory")
    number = factory.LazyAttribute(lambda o: (Action._base_manager.filter(organization=o.organization)
                                              .aggregate(n=Max("number"))["n"] or 0) + 1)
    title = factory.Sequence(lambda n: f"Action {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))

    @factory.post_generation
    def establishments(obj, create, extracted, **kwargs):
        if not create:
            return
        chosen = extracted if extracted is not None else [e for e in [target_establishment()] if e is not None]
        for establishment in chosen:
            ActionEstablishment.objects.create(organization=obj.organization, action=obj, establishment=establishment)
