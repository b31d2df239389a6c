"""What stops a user from deleting a row that other apps rely on.

The BIA sits below the plans and the backups: it does not know them. Those apps register here, for
a model, a guard returning the reasons why an object must stay (an activity in an approved plan, a
system with recorded restoration tests). The delete service calls ``ensure_deletable`` first; the
confirmation page shows the same reasons and offers no delete button.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

# A guard takes an object of the model it is registered for (hence Any: each guard names its own model).
_GUARDS: dict[str, list[Callable[[Any], list[str]]]] = defaultdict(list)


def register_guard(model_label: str, guard: Callable[[Any], list[str]]) -> None:
    """``model_label`` as ``"bia.activity"``; ``guard(obj)`` returns reasons (translated), or []."""
    if guard not in _GUARDS[model_label]:
        _GUARDS[model_label].append(guard)


def blockers(obj: models.Model) -> list[str]:
    return [reason for guard in _GUARDS.get(obj._meta.label_lower, []) for reason in guard(obj)]


def ensure_deletable(obj: models.Model) -> None:
    reasons = blockers(obj)
    if reasons:
        raise ValidationError(reasons)
