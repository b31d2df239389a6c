"""The CaRE Domaine 2 requirement catalogue, kept as versioned data (never as code branches).

``apps/compliance/data/care_d2_*.json`` holds one catalogue version each; ``current_catalogue()``
returns the one in force. Apps contribute *checks* per requirement through
``apps.compliance.registry``; the compliance app computes statuses and lists evidence from them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CURRENT_FILE = "care_d2_v1_2025-06-26.json"


@dataclass(frozen=True)
class Requirement:
    id: str
    kind: str  # "prerequisite" or "objective"
    label: str
    target: str
    evidence: str


@dataclass(frozen=True)
class Milestone:
    date: date
    label: str  # French seed data, like the requirement labels


@dataclass(frozen=True)
class Catalogue:
    version: str
    title: str
    source: str
    operational_phase_start: date
    pssi_review_window_start: date
    requirements: tuple[Requirement, ...]
    # The CaRE calendar (candidacy, declaration window, end of phase), shown on the journey page.
    calendar: tuple[Milestone, ...] = ()
    # D2.O1.C: the three minimum perimeters (``bia.CarePerimeter`` values) the BIA and the plans must cover, and
    # the share of the combined activity the covered establishments must weigh. Used by the BIA and plan checks.
    minimum_perimeters: tuple[str, ...] = ()
    coverage_threshold: Decimal = Decimal("66")

    def get(self, requirement_id: str) -> Requirement:
        return next(r for r in self.requirements if r.id == requirement_id)


@cache
def load_catalogue(filename: str = CURRENT_FILE) -> Catalogue:
    raw = json.loads((DATA_DIR / filename).read_text(encoding="utf-8"))
    return Catalogue(
        version=raw["version"],
        title=raw["title"],
        source=raw["source"],
        operational_phase_start=date.fromisoformat(raw["operational_phase_start"]),
        pssi_review_window_start=date.fromisoformat(raw["pssi_review_window_start"]),
        requirements=tuple(Requirement(**r) for r in raw["requirements"]),
        calendar=tuple(Milestone(date=date.fromisoformat(m["date"]), label=m["label"]) for m in raw.get("calendar", [])),
        minimum_perimeters=tuple(raw["minimum_perimeters"]),
        coverage_threshold=Decimal(raw["coverage_threshold_percent"]),
    )


def current_catalogue() -> Catalogue:
    return load_catalogue(CURRENT_FILE)


def minimum_perimeters() -> tuple[str, ...]:
    """The CaRE minimum perimeters of D2.O1.C, from the catalogue in force."""
    return current_catalogue().minimum_perimeters


def coverage_threshold() -> Decimal:
    """The share (%) of the combined activity the covered establishments must weigh (D2.O1.C)."""
    return current_catalogue().coverage_threshold
