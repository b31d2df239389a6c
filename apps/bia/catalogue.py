"""Reference catalogues of typical hospital activities and resources (data files in ``apps/bia/data``).

An organization imports the entries it recognises into one establishment, then adapts them:
names, pôles, owners, capabilities. The catalogue is data, versioned with the files.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def activities() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads((DATA_DIR / "activities.json").read_text(encoding="utf-8"))["activities"])


@lru_cache(maxsize=1)
def resources() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads((DATA_DIR / "resources.json").read_text(encoding="utf-8"))["resources"])


def resource_by_code() -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in resources()}


def activity_by_code() -> dict[str, dict[str, Any]]:
    return {a["code"]: a for a in activities()}
