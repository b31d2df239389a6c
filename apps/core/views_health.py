"""``/health/``: the container healthcheck. Checks the database and Redis, reveals nothing else."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    status = {"database": False, "redis": False}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = True
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        logger.exception("Health check: database unreachable")
    try:
        cache.set("health", "ok", 5)
        status["redis"] = cache.get("health") == "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        logger.exception("Health check: Redis unreachable")
    ok = all(status.values())
    return JsonResponse({"status": "ok" if ok else "error", **status}, status=200 if ok else 503)
