"""A local S3-compatible server for the storage tests: moto's server mode, in this process, on 127.0.0.1.

The server (``ThreadedMotoServer``) and its bucket live for the test session (one per xdist process, on a
free port); each test gets its own folder in the bucket (``S3_PREFIX``) and runs with ``STORAGES`` overridden
to the S3 backend, exactly as ``resilis/settings.py`` builds it from the environment (``RESILIS_STORAGE=s3``,
read in a subprocess). ``ObjectStore.env`` is that environment, for a worker process started by the test.
Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from tests.exports.conftest import private_queue  # noqa: F401 - a queue no other test's worker reads
from tests.test_compose import ROOT

REGION = "eu-west-3"


@dataclass
class ObjectStore:
    endpoint: str
    bucket: str
    prefix: str
    client: Any  # boto3 S3 client, to look at the bucket behind the application's back
    env: dict[str, str]

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def names(self) -> list[str]:
        """Every stored name of this test (relative to its folder)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=f"{self.prefix}/")
        return sorted(item["Key"][len(self.prefix) + 1:] for page in pages for item in page.get("Contents", []))

    def read(self, name: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self.key(name))["Body"].read()

    def head(self, name: str) -> dict[str, Any]:
        return self.client.head_object(Bucket=self.bucket, Key=self.key(name))


def storage_settings_from_env(env: dict[str, str]) -> dict[str, Any]:
    """``STORAGES["default"]`` and ``RESILIS_SIGNED_DOWNLOADS`` as resilis/settings.py builds them from ``env``."""
    code = ("import json, resilis.settings as s; "
            "print(json.dumps({'default': s.STORAGES['default'], 'signed': s.RESILIS_SIGNED_DOWNLOADS}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env},
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[dict[str, Any]]:
    import boto3
    from botocore.config import Config
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        bucket = f"resilis-test-{uuid.uuid4().hex[:12]}"
        env = {"RESILIS_STORAGE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, "S3_REGION": REGION,
               "S3_ACCESS_KEY_ID": "resilis-test", "S3_SECRET_ACCESS_KEY": "resilis-test-secret",
               "S3_ADDRESSING_STYLE": "path"}
        client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="resilis-test",
                              aws_secret_access_key="resilis-test-secret",
                              config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield {"endpoint": endpoint, "bucket": bucket, "env": env, "client": client,
               "settings": storage_settings_from_env(env)}
    finally:
        server.stop()


@pytest.fixture
def s3(s3_server: dict[str, Any]) -> Iterator[ObjectStore]:
    """The S3 backend for this test, in a folder of its own (``S3_PREFIX``) of the session's bucket."""
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    default = json.loads(json.dumps(s3_server["settings"]["default"]))
    default["OPTIONS"]["location"] = prefix
    store = ObjectStore(endpoint=s3_server["endpoint"], bucket=s3_server["bucket"], prefix=prefix,
                        client=s3_server["client"], env={**s3_server["env"], "S3_PREFIX": prefix})
    with override_settings(STORAGES={**settings.STORAGES, "default": default}):
        yield store
