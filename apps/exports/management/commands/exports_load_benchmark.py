"""Do exports slow the pages? The gap list under gunicorn, idle and while the exports worker renders two large PDFs.

    python manage.py exports_load_benchmark                       # the exports worker as production runs it
    python manage.py exports_load_benchmark --rounds 3 --seconds 20 --json
    python manage.py exports_load_benchmark --niceness 0 --concurrency 2   # an ordinary worker (how it was)

What it does, each round:

1. gunicorn serves the app on 127.0.0.1 with docker-compose's ``web`` command (``WEB_COMMAND``, resilis/gunicorn.py:
   3 workers × 2 threads), ``RESILIS_ENV=production`` (DEBUG off, persistent database connections, the static
   files collected as the image does; the TLS redirect off since no proxy stands in front); every worker is
   warmed up first.
2. The exports worker is started with production's command (``resilis.devserver.WORKERS["worker-exports"]``, the
   one docker-compose runs: ``-Q exports --concurrency 1 --niceness 19``), on a private queue so that no other
   worker takes the jobs; ``--niceness`` / ``--concurrency`` override its values to measure something else.
3. Idle: ``--clients`` closed-loop HTTP clients (logged in; each sends its next request once the previous answer is
   read, on a new connection so that every gunicorn worker serves) request the gap list for ``--seconds``.
4. Two PDF dossiers of the large establishment are requested through the service the page calls; once one
   renders, the same clients run for the same time again.
5. The worker is stopped, the jobs and their files removed.

It prints p50/p95 of each phase, the ratios (budget: ≤ 1.2× at p95 during the exports) and the load average: the
machine may be shared with other work, so run several rounds and read the median. The large establishment is the
one of ``exports_benchmark --large`` (created once); a throwaway member is created and deleted.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.test import Client, override_settings
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.accounts.models import User
from apps.core.tenancy import tenant_scope
from apps.exports import services
from apps.exports.management.commands.exports_benchmark import large_organization, load_average
from apps.exports.models import ExportJob
from apps.tenants.models import Membership, Organization
from apps.tenants.roles import Role

ROOT = Path(settings.BASE_DIR)
# docker-compose.yml's web service (tests/test_compose.py checks they are the same).
WEB_COMMAND = ["gunicorn", "resilis.wsgi:application", "--config", "resilis/gunicorn.py"]
P95_BUDGET = 1.2


def database_url() -> str:
    """The database this process uses, as a URL for the processes it starts (the test database under pytest)."""
    db = connection.settings_dict
    host = db["HOST"] or (db.get("OPTIONS") or {}).get("host") or "localhost"
    user, name = quote(db["USER"] or ""), db["NAME"]
    if host.startswith("/"):  # a Unix socket (the embedded PostgreSQL)
        return f"postgres://{user}@/{name}?host={host}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{name}"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between the closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Phase:
    name: str
    timings_ms: list[float] = field(default_factory=list)
    errors: int = 0
    load_average: str = ""
    exports_rendering: bool | None = None  # loaded phase: a job was still rendering when it ended

    def summary(self) -> dict[str, Any]:
        return {"phase": self.name, "requests": len(self.timings_ms), "errors": self.errors,
                "p50_ms": percentile(self.timings_ms, 50), "p95_ms": percentile(self.timings_ms, 95),
                "load_average": self.load_average, "exports_rendering": self.exports_rendering}


def drive(*, port: int, path: str, cookie: str, clients: int, seconds: float) -> Phase:
    """``clients`` closed-loop clients requesting ``path`` for ``seconds``; client-side latency of each answer."""
    phase = Phase("")
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"Cookie": cookie, "Host": "127.0.0.1", "Accept": "text/html", "Accept-Language": "fr"}

    def client() -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
                ok = response.status == 200
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    phase.timings_ms.append(elapsed)
                else:
                    phase.errors += 1

    threads = [threading.Thread(target=client, name=f"load-client-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.load_average = load_average()
    return phase


def _stop(process: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Stop a process this command started, and its children (it was started in its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


class Command(BaseCommand):
    help = ("Gap list latency under gunicorn, idle and while the exports worker renders two large PDF dossiers "
            "(p50/p95 and their ratio; budget ≤ 1.2× at p95).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=20, help="length of each phase (default 20 s)")
        parser.add_argument("--clients", type=int, default=2, help="closed-loop HTTP clients (default 2)")
        parser.add_argument("--rounds", type=int, default=1, help="idle + loaded rounds (default 1)")
        parser.add_argument("--warmup", type=float, default=5, help="seconds of unmeasured requests first (default 5)")
        parser.add_argument("--niceness", help="override the exports worker's --niceness (production: 19)")
        parser.add_argument("--concurrency", help="override the exports worker's --concurrency (production: 1)")
        parser.add_argument("--organization", help="slug of another organization (default: the large establishment)")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from resilis.devserver import worker_command

        if not hasattr(os, "killpg"):
            raise CommandError("This benchmark needs a Unix system (process groups, nice values).")
        organization = self._organization(options["organization"])
        self.quiet = options["json"]
        worker = worker_command("worker-exports", python=sys.executable)
        for option in ("niceness", "concurrency"):
            if options[option] is not None:
                worker[worker.index(f"--{option}") + 1] = str(int(options[option]))
        queue = f"exports-load-benchmark-{uuid.uuid4().hex[:8]}"
        worker[worker.index("-Q") + 1] = queue  # production's command, on a private queue
        worker[worker.index("--hostname") + 1] = f"{queue}@%h"
        secret_key = secrets.token_urlsafe(48)
        user, cookie = self._member(organization, secret_key)
        path = reverse("bia:gaps", kwargs={"org_slug": organization.slug})
        rounds: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory() as media:
            env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL,
                   "RESILIS_ENV": "production", "SECRET_KEY": secret_key, "ALLOWED_HOSTS": "127.0.0.1",
                   "SECURE_SSL_REDIRECT": "false", "MEDIA_ROOT": media, "EXPORTS_QUEUE": queue,
                   "GUNICORN_WORKERS": "3", "GUNICORN_THREADS": "2"}
            port = self._free_port()
            env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
            env["STATIC_ROOT"] = str(Path(media) / "static")
            # As the image is built (Dockerfile): production serves the hashed, compressed static files.
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                           check=True)
            self._say(f"Organization: {organization.name}; gap list {path}; gunicorn 3 workers × 2 threads on "
                      f"127.0.0.1:{port}; {options['clients']} clients, {options['seconds']:g} s per phase; exports "
                      f"worker: {' '.join(worker[worker.index('worker') + 1:])}; load average {load_average()}")
            web_log = Path(media) / "gunicorn.log"
            with web_log.open("wb") as log:  # access lines and errors; its tail is shown if the page fails
                web = subprocess.Popen([str(Path(sys.executable).parent / WEB_COMMAND[0]), *WEB_COMMAND[1:]],
                                       cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, process_group=0)
            try:
                try:
                    self._wait_for_web(web, port, path, cookie)
                except CommandError:
                    self.stderr.write(web_log.read_text(errors="replace")[-4000:])
                    raise
                drive(port=port, path=path, cookie=cookie, clients=max(options["clients"], 6),
                      seconds=options["warmup"])  # every gunicorn worker's first requests (cache, memo)
                for number in range(1, options["rounds"] + 1):
                    rounds.append(self._round(number, organization, worker, env, queue, port, path, cookie, options))
            finally:
                _stop(web)
                self._cleanup(organization, user, queue)
        self._report(rounds, options)

    # --- One round -------------------------------------------------------------------------------------------

    def _round(self, number: int, organization: Organization, worker: list[str], env: dict[str, str], queue: str,
               port: int, path: str, cookie: str, options: dict[str, Any]) -> dict[str, Any]:
        # Its own process group (to stop it with its pool) but this session, as the dev runner starts it: with
        # Linux autogroups, nice orders the processes of one session (resilis/celery.py, lower_priority).
        process = subprocess.Popen(worker, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   process_group=0)
        jobs: list[ExportJob] = []
        try:
            self._wait_for_worker(process, queue)
            idle = drive(port=port, path=path, cookie=cookie, clients=options["clients"], seconds=options["seconds"])
            idle.name = "idle"
            self._line(number, idle)
            with tenant_scope(organization):
                jobs = [services.export_job_create(organization=organization, actor=None,
                                                   kind=ExportJob.Kind.DOSSIER_PDF, queue=queue) for _ in range(2)]
            self._wait_until_rendering(process, jobs)
            loaded = drive(port=port, path=path, cookie=cookie, clients=options["clients"], seconds=options["seconds"])
            loaded.name = "2 PDF exports"
            loaded.exports_rendering = self._rendering(jobs)
            self._line(number, loaded)
        finally:
            _stop(process, sig=signal.SIGKILL)  # mid-render: nothing to wait for
            self._remove_jobs(jobs)
        return {"round": number, "idle": idle.summary(), "loaded": loaded.summary(),
                "p50_ratio": loaded.summary()["p50_ms"] / idle.summary()["p50_ms"],
                "p95_ratio": loaded.summary()["p95_ms"] / idle.summary()["p95_ms"]}

    @staticmethod
    def _rendering(jobs: list[ExportJob]) -> bool:
        with scopes_disabled():
            return ExportJob.objects.filter(pk__in=[j.pk for j in jobs], status=ExportJob.Status.RUNNING).exists()

    def _wait_until_rendering(self, process: subprocess.Popen[bytes], jobs: list[ExportJob]) -> None:
        deadline = time.monotonic() + 120
        while not self._rendering(jobs):
            if process.poll() is not None or time.monotonic() > deadline:
                raise CommandError("The exports worker did not start rendering the PDF dossiers.")
            time.sleep(0.2)

    @staticmethod
    def _wait_for_worker(process: subprocess.Popen[bytes], queue: str) -> None:
        from resilis.celery import app

        result = app.send_task("core.ping", queue=queue)
        try:
            result.get(timeout=120)
        except Exception as error:  # noqa: BLE001 - any failure means the worker is not usable
            raise CommandError(f"The exports worker did not start (exit code {process.poll()}).") from error

    @staticmethod
    def _wait_for_web(web: subprocess.Popen[bytes], port: int, path: str, cookie: str) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if web.poll() is not None:
                raise CommandError(f"gunicorn stopped (exit code {web.returncode}).")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                connection.close()
            except OSError:
                time.sleep(0.3)
                continue
            if response.status != 200:
                raise CommandError(f"The gap list answered HTTP {response.status} instead of 200.")
            return
        raise CommandError("gunicorn did not answer within 90 s.")

    # --- Setup and cleanup -----------------------------------------------------------------------------------

    def _organization(self, slug: str | None) -> Organization:
        if not slug:
            return large_organization(self)
        with scopes_disabled():
            organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization {slug!r}.")
        return organization

    @staticmethod
    def _free_port() -> int:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    @staticmethod
    def _member(organization: Organization, secret_key: str) -> tuple[User, str]:
        """A throwaway RPCRA of the organization and the session cookie gunicorn (signing with ``secret_key``)
        accepts."""
        with scopes_disabled():
            user = User.objects.create_user(email=f"exports-load-{secrets.token_hex(4)}@resilis.invalid",
                                            password=secrets.token_urlsafe(16))
            Membership.objects.create(organization=organization, user=user, role=Role.RPCRA)
        with override_settings(SECRET_KEY=secret_key, ALLOWED_HOSTS=["*"]):
            client = Client()
            client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
        return user, f"{settings.SESSION_COOKIE_NAME}={session}"

    @staticmethod
    def _remove_jobs(jobs: list[ExportJob]) -> None:
        """The benchmark's jobs (their files, if one finished, are in the temporary MEDIA_ROOT of the worker)."""
        with scopes_disabled():
            ExportJob.objects.filter(pk__in=[j.pk for j in jobs]).delete()

    @staticmethod
    def _cleanup(organization: Organization, user: User, queue: str) -> None:
        from resilis.celery import app

        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)  # with any message left in it
        with scopes_disabled():
            user.delete()
        connections.close_all()

    # --- Output ----------------------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        if not self.quiet:
            self.stdout.write(text)

    def _line(self, number: int, phase: Phase) -> None:
        s = phase.summary()
        rendering = "" if phase.exports_rendering is None else \
            ("; an export was rendering throughout" if phase.exports_rendering else "; WARNING: the exports ended")
        self._say(f"round {number} {phase.name:14} {s['requests']:5d} requests, p50 {s['p50_ms']:6.1f} ms, "
                  f"p95 {s['p95_ms']:6.1f} ms, {s['errors']} errors; load average {s['load_average']}{rendering}")

    def _report(self, rounds: list[dict[str, Any]], options: dict[str, Any]) -> None:
        if not rounds:
            raise CommandError("No round completed.")
        p95 = statistics.median(r["p95_ratio"] for r in rounds)
        p50 = statistics.median(r["p50_ratio"] for r in rounds)
        result = {"rounds": rounds, "p95_ratio_median": p95, "p50_ratio_median": p50, "p95_budget": P95_BUDGET,
                  "load_average": load_average()}
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        verdict = "within" if p95 <= P95_BUDGET else "OVER"
        self.stdout.write(f"During 2 PDF exports / idle (median of {len(rounds)} round(s)): p50 {p50:.2f}×, "
                          f"p95 {p95:.2f}× ({verdict} the budget ≤ {P95_BUDGET:g}× at p95); "
                          f"load average {result['load_average']}.")
