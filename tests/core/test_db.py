"""``apps.core.db.analyze``: fresh planner statistics after a bulk write, once it commits."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.bia.models import Activity, ActivityDependency, Resource
from apps.core.db import analyze


def _analyzed(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("ANALYZE")]


@pytest.mark.django_db
def test_inside_a_transaction_it_waits_for_the_commit_once_per_table(django_capture_on_commit_callbacks) -> None:
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            analyze(Activity, Resource)
            analyze(Resource, ActivityDependency)  # Resource already waiting: only the new table
            assert _analyzed(ctx) == []
    assert len(callbacks) == 2
    assert sorted(_analyzed(ctx)) == ['ANALYZE "bia_activity"', 'ANALYZE "bia_activitydependency"',
                                      'ANALYZE "bia_resource"']


@pytest.mark.django_db
def test_nothing_is_analysed_when_the_transaction_rolls_back(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            analyze(Activity)
            raise RuntimeError("rolled back")
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_runs_at_once() -> None:
    with CaptureQueriesContext(connection) as ctx:
        analyze(Activity)
    assert _analyzed(ctx) == ['ANALYZE "bia_activity"']
