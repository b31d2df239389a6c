#!/usr/bin/env python3
"""Resilis in one command, on a machine that only has Python 3.11+.

    python3 run.py           # demo at http://127.0.0.1:8000 (embedded PostgreSQL + Redis + Celery)
    python3 run.py test      # install what is needed and run the whole test suite
    python3 run.py manage …  # any manage.py command in the same environment

It creates ``.venv`` from ``requirements.lock`` (again only when the lock changes), then hands
over to ``resilis/devserver.py``. Only the standard library is used here.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".resilis-lock-sha256"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Resilis needs Python 3.11 or newer (found {sys.version.split()[0]}).")
    if not venv_python().exists():
        print("» Creating the virtual environment in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        print("» Installing the pinned Python dependencies (requirements.lock) …", flush=True)
        subprocess.run([str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(LOCK)], check=True)
        STAMP.write_text(digest)


def main() -> None:
    os.chdir(ROOT)
    ensure_venv()
    args = sys.argv[1:] or ["serve"]
    os.execv(str(venv_python()), [str(venv_python()), "-m", "resilis.devserver", *args])


if __name__ == "__main__":
    main()
