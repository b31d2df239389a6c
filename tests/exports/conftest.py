"""Fixtures of the exports tests: a private MEDIA_ROOT, a real Celery worker process, file checkers."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_compose import ROOT, app_env

BIN = Path(sys.executable).parent


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


class Worker:
    """A real ``celery -A resilis worker`` on a private queue, in its own process group.

    The queue is also its ``EXPORTS_QUEUE``: what it re-queues as it starts comes back to it.
    """

    def __init__(self, queue: str, media_root: Path, log: Path, concurrency: int = 1,
                 extra_env: dict[str, str] | None = None) -> None:
        self.queue = queue
        self.log = log
        command = [str(BIN / "celery"), "-A", "resilis", "worker", "-Q", queue, "--hostname", f"{queue}-{uuid.uuid4().hex[:6]}@%h",
                   "--concurrency", str(concurrency), "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
        env = app_env(RESILIS_ENV="test", MEDIA_ROOT=str(media_root), EXPORTS_QUEUE=queue, **(extra_env or {}))
        self._log_handle = log.open("ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log_handle,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 90) -> None:
        from resilis.celery import app

        result = app.send_task("core.ping", queue=self.queue)
        assert result.get(timeout=timeout) == {"pong": True, "database": True}, self.output()

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children): nothing gets acknowledged."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log_handle.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture
def worker_factory(media_root: Path, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []
    start_outputs = lambda: "\n---\n".join(w.output() for w in started)  # noqa: E731

    def start(queue: str, concurrency: int = 1) -> Worker:
        worker = Worker(queue, media_root, tmp_path / f"worker-{len(started)}.log", concurrency)
        started.append(worker)
        worker.wait_ready()
        return worker

    start.outputs = start_outputs  # type: ignore[attr-defined]
    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def private_queue() -> Iterator[str]:
    """A queue no other test's worker reads; deleted (with any message left in it) afterwards."""
    from resilis.celery import app

    name = f"exports-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield name
    with app.connection_for_write() as connection:
        connection.default_channel.queue_delete(name)


def wait_for(predicate: Callable[[], Any], timeout: float = 120, interval: float = 0.3,
             message: str | Callable[[], str] = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting: {message() if callable(message) else message}")


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_reading_text(path: Path) -> str:
    """The text in reading order, with the words the dossier hyphenated in narrow columns (« Réfé‐ rence », the
    hyphenation character U+2010) joined again."""
    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub("\u2010\\s*\n\\s*", "", raw)


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def soffice_convert(path: Path, fmt: str, outdir: Path) -> subprocess.CompletedProcess:
    """LibreOffice headless, with a private profile so parallel runs do not fight over the lock."""
    profile = outdir / f"lo-profile-{uuid.uuid4().hex[:8]}"
    return subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", fmt,
         "--outdir", str(outdir), str(path)],
        capture_output=True, text=True, timeout=180, check=False,
    )
