"""TenantTask and enqueue_on_commit: what a task body gets, and when and what the message carries."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from celery import shared_task
from django.db import transaction
from django.utils import translation

from apps.bia.models import Activity
from apps.core.history import history_for
from apps.core.tasks import TenantTask, enqueue_on_commit
from apps.tenants.models import Organization
from tests.bia.factories import ActivityFactory, activity_in
from tests.factories import EstablishmentFactory


@shared_task(base=TenantTask, bind=True, name="tests.core.observe", queue_setting="CAMPAIGN_QUEUE")
def observe(self: TenantTask, organization: Organization, activity_id: int) -> dict[str, Any]:
    """Reports what the body sees and renames one activity (for the history context)."""
    Activity.objects.filter(pk=activity_id).update(name="Renommée par le worker")
    return {"organization": organization.slug, "language": translation.get_language(),
            "activities": sorted(Activity.objects.values_list("name", flat=True))}


ATTEMPTS: list[dict[str, Any]] = []


@shared_task(base=TenantTask, bind=True, name="tests.core.flaky", autoretry_for=(ConnectionError,), max_retries=2,
             default_retry_delay=0)
def flaky(self: TenantTask, organization: Organization) -> int:
    """Fails with a transient error the first time, like the exports task on a lost connection."""
    ATTEMPTS.append({"retries": self.request.retries, "args": list(self.request.args),
                     "language": translation.get_language()})
    if len(ATTEMPTS) == 1:
        raise ConnectionError("transient")
    return len(ATTEMPTS)


@pytest.fixture
def private_queue(settings) -> Iterator[str]:
    from resilis.celery import app

    settings.CAMPAIGN_QUEUE = name = f"tasks-test-{uuid.uuid4().hex[:8]}"
    yield name
    with app.connection_for_write() as connection:  # the list itself: no worker ever declared this queue
        connection.default_channel.client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")


def _messages(queue: str) -> list[tuple[str, list[Any], dict[str, Any]]]:
    """(task name, args, kwargs) of the messages waiting in ``queue``, oldest first."""
    from resilis.celery import app

    with app.connection_for_read() as connection:
        raw = connection.default_channel.client.lrange(queue, 0, -1)
    result = []
    for item in reversed(raw):  # kombu pushes on the left
        message = json.loads(item)
        args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        result.append((message["headers"]["task"], args, kwargs))
    return result


@pytest.mark.django_db
def test_the_body_gets_the_organization_its_scope_language_limit_and_history_context(org, other_org,
                                                                                     admin_user) -> None:
    kept = activity_in(org, name="Urgences")
    elsewhere = ActivityFactory(organization=org, name="SSR",
                                establishment=EstablishmentFactory(organization=org, name="Saint-Aubin"))
    activity_in(other_org, name="Urgences de la clinique voisine")
    result = observe.apply(args=[org.pk, kept.pk], kwargs={
        "language": "en", "user_id": admin_user.pk, "establishment_ids": [kept.establishment_id]}).get()
    # Only this organization, only the allowed establishment, in the message's language.
    assert result == {"organization": org.slug, "language": "en", "activities": ["Renommée par le worker"]}
    assert translation.get_language() != "en"  # the override ends with the task
    unlimited = observe.apply(args=[org.pk, kept.pk], kwargs={"language": "fr"}).get()
    assert unlimited["activities"] == ["Renommée par le worker", elsewhere.name]
    context = history_for(kept).filter(pgh_label="update").first().pgh_context
    assert context["user"] == admin_user.pk and context["source"] == "celery"


@pytest.mark.django_db
def test_a_task_for_a_deleted_organization_does_nothing(org) -> None:
    activity = activity_in(org)
    organization_id = org.pk
    Organization.objects.filter(pk=organization_id).delete()
    assert observe.apply(args=[organization_id, activity.pk]).get() is None


@pytest.mark.django_db
def test_enqueue_on_commit_sends_ids_after_commit_and_nothing_on_rollback(org, admin_user, private_queue,
                                                                         django_capture_on_commit_callbacks) -> None:
    activity = activity_in(org)
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        with transaction.atomic():
            enqueue_on_commit(observe, org, activity.pk, user=admin_user, establishments={activity.establishment_id})
            assert _messages(private_queue) == []  # not before the commit
    assert _messages(private_queue) == [("tests.core.observe", [org.pk, activity.pk], {
        "language": "en", "user_id": admin_user.pk, "establishment_ids": [activity.establishment_id]})]

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            enqueue_on_commit(observe, org, activity.pk)
            raise RuntimeError("the request fails")
    assert len(_messages(private_queue)) == 1  # the rolled-back request sent nothing


@pytest.mark.django_db
def test_enqueue_on_commit_refuses_wrong_arguments_in_the_caller(org) -> None:
    with pytest.raises(TypeError):
        enqueue_on_commit(observe, org)  # activity_id missing: an error now, not in the worker


@pytest.mark.django_db
def test_a_retried_task_keeps_its_request_and_sends_ids_again(org) -> None:
    ATTEMPTS.clear()
    assert flaky.apply(args=[org.pk], kwargs={"language": "en"}).get() == 2
    # The body sees the real request (retries counted, as autoretry's cap needs), and the retry
    # re-sends the message's ids and keywords, not the Organization object.
    assert ATTEMPTS == [{"retries": 0, "args": [org.pk], "language": "en"},
                        {"retries": 1, "args": [org.pk], "language": "en"}]
