"""Deletion guard (``apps.core.deletion``): a system with recorded restoration tests stays; the tests
are CaRE evidence and would go with it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import ngettext

from apps.backups.models import RestoreTest


def resource_guard(resource: Any) -> list[str]:
    count = RestoreTest.objects.filter(resource=resource).count()
    if not count:
        return []
    return [ngettext("%(count)s restoration test is recorded for « %(name)s »: it is CaRE evidence.",
                     "%(count)s restoration tests are recorded for « %(name)s »: they are CaRE evidence.",
                     count) % {"count": count, "name": resource.name}]
