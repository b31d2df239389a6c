"""docker-compose.yml stays honest: it validates, and its services' commands are the ones run here.

The web, worker, beat and migrate commands are read from ``docker-compose config`` and started as
they are (with this virtualenv's executables) against the test PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not shutil.which("docker-compose"):
        pytest.fail("docker-compose (Debian package) is required: apt-get install docker-compose")
    work = tmp_path_factory.mktemp("compose")
    shutil.copy(ROOT / "docker-compose.yml", work / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", work / ".env")
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"], cwd=work,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def service_command(compose: dict[str, Any], service: str) -> list[str]:
    command = compose["services"][service]["command"]
    assert isinstance(command, list), f"{service}: use the exec form for command"
    executable = BIN / command[0]
    if command[0] == "python":
        executable = Path(sys.executable)
    assert executable.exists(), f"{service} runs {command[0]}, which the project does not install"
    return [str(executable), *command[1:]]


def app_env(**extra: str) -> dict[str, str]:
    db = connection.settings_dict
    host = db["HOST"] or "localhost"
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    if host.startswith("/"):
        url = f"postgres://{db['USER']}@/{db['NAME']}?host={host}"
    return {**os.environ, "DATABASE_URL": url, "REDIS_URL": settings.REDIS_URL, **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_compose_declares_the_production_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "worker-exports", "beat", "migrate"} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "worker-exports"):
        assert "healthcheck" in services[name], f"{name} needs a healthcheck"
    # The exports worker weighs little against the web container (nice only orders one container's processes).
    assert services["worker-exports"]["cpu_shares"] < 1024
    assert services["web"]["environment"]["RESILIS_ENV"] == "production"
    assert {"pgdata", "media", "redisdata"} <= set(compose["volumes"])


def test_third_party_images_are_pinned_releases() -> None:
    """Every image pulled from a registry names a release (a major version at least), never « latest »;
    the optional profiles (MinIO) included, which ``docker-compose config`` leaves out."""
    declared = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    images = {name: service["image"] for name, service in declared["services"].items() if "image" in service}
    assert {"minio", "minio-bucket"} <= set(images)
    for name, image in images.items():
        if image.startswith("resilis:"):
            continue  # built here from the Dockerfile
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest" and any(c.isdigit() for c in tag), f"{name}: {image}"


@pytest.mark.django_db(transaction=True)
def test_migrate_command_runs(compose: dict[str, Any]) -> None:
    result = subprocess.run(service_command(compose, "migrate"), cwd=ROOT, env=app_env(RESILIS_ENV="test"),
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db(transaction=True)
def test_web_command_serves_health_in_production_mode(compose: dict[str, Any]) -> None:
    port = free_port()
    env = app_env(RESILIS_ENV="production", SECRET_KEY="x" * 64, ALLOWED_HOSTS="127.0.0.1",
                  GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1")
    process = subprocess.Popen(service_command(compose, "web"), cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        body = None
        deadline = time.time() + 60
        while time.time() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
                    body = response.read().decode()
                    assert response.status == 200
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.3)
        assert body is not None and '"status": "ok"' in body
        # The production profile sends secure headers.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    finally:
        process.terminate()
        process.wait(timeout=20)
    # resilis/gunicorn.py's post_worker_init: the loaded worker's objects are out of the collector's reach.
    log = process.stderr.read() if process.stderr else ""
    frozen = re.search(r"worker ready: (\d+) objects frozen", log)
    assert frozen is not None and int(frozen.group(1)) > 10_000, log[-2000:]


def test_the_workers_are_the_dev_runners(compose: dict[str, Any]) -> None:
    """docker-compose and ``python3 run.py`` start the same two workers (the load benchmark starts the dev
    runner's exports worker: what it measures is what production runs)."""
    from resilis.devserver import WORKERS

    for name, arguments in WORKERS.items():
        command = compose["services"][name]["command"]
        assert command[:4] == ["celery", "-A", "resilis", "worker"]
        assert command[4:] == arguments, name
    exports = WORKERS["worker-exports"]
    assert exports[exports.index("-Q") + 1] == settings.EXPORTS_QUEUE == "exports"
    assert exports[exports.index("--niceness") + 1] == "19" and exports[exports.index("--concurrency") + 1] == "1"
    assert "exports" not in WORKERS["worker"][WORKERS["worker"].index("-Q") + 1].split(",")


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").iterdir():
            pending += [int(child) for child in (task / "children").read_text().split()]
    return found


def _niceness_of_tree(pid: int) -> list[int]:
    """The nice value of a process and of all its descendants."""
    return [os.getpriority(os.PRIO_PROCESS, p) for p in _tree(pid)]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("service", ["worker", "worker-exports"])
def test_worker_command_runs_tasks(compose: dict[str, Any], service: str) -> None:
    from resilis.celery import app

    queue = f"ci-{os.getpid()}-{free_port()}"
    command = service_command(compose, service)
    command[command.index("-Q") + 1] = queue  # a private queue: no other test's worker steals the task
    command[command.index("--hostname") + 1] = f"{queue}@%h"
    process = subprocess.Popen(command, cwd=ROOT, env=app_env(RESILIS_ENV="test"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        result = app.send_task("core.ping", queue=queue)
        assert result.get(timeout=60) == {"pong": True, "database": True}
        niceness = _niceness_of_tree(process.pid)
        assert len(niceness) >= 2  # the main process and its pool
        if service == "worker-exports":  # every process of the exports worker runs at the lowest priority
            assert set(niceness) == {19}
            # ... only on a CPU nothing else wants (SCHED_IDLE), and on one CPU (resilis.celery.lower_priority).
            assert {os.sched_getscheduler(p) for p in _tree(process.pid)} == {os.SCHED_IDLE}
            cpus = os.sched_getaffinity(0)
            expected = [{max(cpus)}] if len(cpus) > 1 else [cpus]
            assert [os.sched_getaffinity(p) for p in _tree(process.pid)] == expected * len(niceness)
        else:
            assert set(niceness) == {os.getpriority(os.PRIO_PROCESS, 0)}
            assert {os.sched_getscheduler(p) for p in _tree(process.pid)} == {os.sched_getscheduler(0)}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_beat_command_starts(compose: dict[str, Any], tmp_path: Path) -> None:
    command = service_command(compose, "beat")
    command[command.index("--schedule") + 1] = str(tmp_path / "schedule")
    process = subprocess.Popen(command, cwd=ROOT, env=app_env(RESILIS_ENV="test"),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = ""
    try:
        # Read until beat says it started (a loaded machine may take more than a few seconds), then check
        # that it keeps running.
        assert process.stdout is not None
        deadline = time.monotonic() + 90
        while "beat: Starting" not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 1)
            if ready:
                line = process.stdout.readline()
                if not line:  # it exited
                    break
                output += line
        time.sleep(1)
        assert process.poll() is None, output
    finally:
        process.terminate()
        output += process.communicate(timeout=20)[0]
    assert "beat: Starting" in output
