"""API tokens for tests, made through the service (the plain value is returned once, as on the page)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from apps.api.services import API_CAPABILITIES, token_create


def make_token(organization: Any, capabilities: Iterable[str] = API_CAPABILITIES, *, establishments: Any = None,
               name: str = "Test", days: int = 30) -> tuple[Any, str]:
    return token_create(organization=organization, actor=None, name=name, capabilities=list(capabilities),
                        expires_at=timezone.now() + datetime.timedelta(days=days), establishments=establishments)


def bearer(plain: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
