"""docker-compose.yml's optional MinIO profile and the documented S3 variables stay in step with the settings."""

from __future__ import annotations

import re
from typing import Any

from tests.test_compose import ROOT, compose  # noqa: F401 - the validated `docker-compose config` output


def test_minio_is_an_optional_private_profile(compose: dict[str, Any]) -> None:  # noqa: F811
    services = compose["services"]
    for name in ("minio", "minio-bucket"):
        assert services[name]["profiles"] == ["s3"], f"{name} must only start with --profile s3"
        assert "ports" not in services[name], f"{name}: the bucket is reached through the app, not published"
    assert "healthcheck" in services["minio"]
    assert "mc anonymous set none" in " ".join(services["minio-bucket"]["command"])  # a private bucket
    assert "miniodata" in compose["volumes"]
    for name in ("web", "worker", "beat", "migrate"):
        assert "profiles" not in services[name]


def test_every_s3_variable_of_the_settings_is_documented_in_env_example() -> None:
    settings_source = (ROOT / "resilis" / "settings.py").read_text()
    variables = set(re.findall(r'env(?:_int|_bool)?\("((?:S3_|RESILIS_STORAGE)[A-Z_]*)"', settings_source))
    assert {"RESILIS_STORAGE", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_SIGNED_DOWNLOADS"} <= variables
    example = (ROOT / ".env.example").read_text()
    assert not [v for v in sorted(variables) if not re.search(rf"^# {v}=", example, re.MULTILINE)]
