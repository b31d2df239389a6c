"""The production profile passes Django's deployment checks (``check --deploy --fail-level WARNING``)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings() -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set for browser tests only
        "RESILIS_ENV": "production",
        "SECRET_KEY": "k8#Fq2!vR9xL0pZ7mW3nB6cT1yH5sJ4dG8aE2uQ9iO0rV7tY3wX6zC1bN5mK2lP",
        "ALLOWED_HOSTS": "resilis.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://unused@localhost/unused"),
    }
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["RESILIS_ENV"] = "production"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
