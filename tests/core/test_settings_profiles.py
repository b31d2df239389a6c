"""Settings of each profile, loaded in a fresh process as ``manage.py`` would load them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SECRET = "k8#Fq2!vR9xL0pZ7mW3nB6cT1yH5sJ4dG8aE2uQ9iO0rV7tY3wX6zC1bN5mK2lP"


def database_settings(**env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in {"DB_CONN_MAX_AGE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    base.setdefault("DATABASE_URL", "postgres://unused@localhost/unused")
    script = ("import json; from django.conf import settings; d = settings.DATABASES['default']; "
              "print(json.dumps({'age': d['CONN_MAX_AGE'], 'health': d['CONN_HEALTH_CHECKS']}))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False,
                            env={**base, "DJANGO_SETTINGS_MODULE": "resilis.settings", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_development_closes_database_connections_after_each_request() -> None:
    # The dev server runs one thread per request: persistent connections exhausted PostgreSQL.
    assert database_settings(RESILIS_ENV="development") == {"age": 0, "health": False}
    assert database_settings(RESILIS_ENV="test") == {"age": 0, "health": False}


def test_production_keeps_connections_with_health_checks_and_is_configurable() -> None:
    production = {"RESILIS_ENV": "production", "SECRET_KEY": PRODUCTION_SECRET, "ALLOWED_HOSTS": "resilis.example.org"}
    assert database_settings(**production) == {"age": 60, "health": True}
    assert database_settings(**production, DB_CONN_MAX_AGE="300") == {"age": 300, "health": True}
    assert database_settings(**production, DB_CONN_MAX_AGE="0") == {"age": 0, "health": False}
    # Development may opt in too, with health checks then.
    assert database_settings(RESILIS_ENV="development", DB_CONN_MAX_AGE="30") == {"age": 30, "health": True}
