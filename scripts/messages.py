#!/usr/bin/env python
"""Update and compile the French catalogues, or check that they are complete.

    python scripts/messages.py          # makemessages -l fr for every catalogue, then compile (.mo committed)
    python scripts/messages.py --check  # in a scratch copy: every msgid present, none untranslated or fuzzy,
                                        # and the committed .mo files match their .po

Catalogues: ``locale/`` for the project (resilis/, templates/, apps without their own locale), and
``apps/<app>/locale/`` for each app that has one (its own templates live in apps/<app>/templates/).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["apps", "templates", "resilis", "locale", "manage.py"]


def app_catalogue_dirs(root: Path) -> list[Path]:
    return sorted(p.parent for p in (root / "apps").glob("*/locale") if p.is_dir())


def run(command: list[str], cwd: Path, root: Path) -> None:
    # PYTHONPATH is the project root: an app folder on the path would shadow stdlib modules (selectors…).
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "resilis.settings", "PYTHONPATH": str(root)}
    env.setdefault("DATABASE_URL", "postgres://unused@localhost/unused")
    subprocess.run(command, cwd=cwd, check=True, env=env, stdout=subprocess.DEVNULL)


def update(root: Path) -> list[Path]:
    """One makemessages run from the root: Django files each string under the nearest ``locale`` folder."""
    ignores = ["-i", ".venv/*", "-i", "var/*", "-i", "tests/*", "-i", "static/*", "-i", "scripts/*"]
    run([sys.executable, str(root / "manage.py"), "makemessages", "-l", "fr", "--no-obsolete", "--no-location",
         "--no-wrap", *ignores], cwd=root, root=root)
    catalogues = [root / "locale/fr/LC_MESSAGES/django.po"]
    catalogues += [app / "locale/fr/LC_MESSAGES/django.po" for app in app_catalogue_dirs(root)]
    return [po for po in catalogues if po.exists()]


def compile_all(catalogues: list[Path]) -> None:
    for po in catalogues:
        subprocess.run(["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True)


def check() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for name in SOURCES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, scratch / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, scratch / name)
        for po in update(scratch):
            relative = po.relative_to(scratch)
            stats = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
                                   capture_output=True, text=True).stderr.strip()
            if "untranslated" in stats or "fuzzy" in stats:
                problems.append(f"{relative}: {stats} — run `python scripts/messages.py` and translate")
            if not (ROOT / relative).exists():
                problems.append(f"{relative} is missing — run `python scripts/messages.py` and translate")
                continue
            mo_committed = ROOT / relative.with_suffix(".mo")
            fresh = scratch / "fresh.mo"
            subprocess.run(["msgfmt", "-o", str(fresh), str(ROOT / relative)], check=True)
            if not mo_committed.exists() or mo_committed.read_bytes() != fresh.read_bytes():
                problems.append(f"{relative.with_suffix('.mo')} is out of date — run `python scripts/messages.py`")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(check())
    compile_all(update(ROOT))
    print("Catalogues updated and compiled.")
