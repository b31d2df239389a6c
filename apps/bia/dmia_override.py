"""A DMIA set by hand beyond the impact grid (issue 12, « sane inputs »).

The grid gives a DMIA (the first horizon where an impact becomes intolerable) and, through the
organization's thresholds, a criticality. A business owner or the RPCRA may set the DMIA by hand, always
with a justification. When that DMIA is *longer* than the grid's it relaxes the need the engine pushes
down to the resources and may lower the criticality (Critique → Faible with a 10⁹ h DMIA, before the
bounds): such an override is shown as a warning — « DMIA fixée à la main au-delà de la grille » — with its
justification, on the activity page, the questionnaire, the list and the dossier.

Criticality only falls as the DMIA grows (``engine.criticality_for`` is monotonic), so an override that
lowers the criticality is always beyond the grid: « beyond the grid » is the one test. Without a grid DMIA
(grid empty, or intolerable beyond its last horizon) there is nothing to go beyond: no warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from apps.bia import engine
from apps.bia.models import Criticality

if TYPE_CHECKING:
    from apps.bia.models import Activity, BiaSettings


def thresholds_of(settings_row: BiaSettings) -> engine.Thresholds:
    """The organization's criticality thresholds, as the engine reads them."""
    return engine.Thresholds(critical=settings_row.critical_max_dmia_hours, high=settings_row.high_max_dmia_hours,
                             medium=settings_row.medium_max_dmia_hours)


def is_beyond_grid(override_hours: int | None, grid_hours: int | None) -> bool:
    return override_hours is not None and grid_hours is not None and override_hours > grid_hours


@dataclass(frozen=True)
class OverrideWarning:
    """What the warning says: the DMIA by hand, the grid's, both criticalities, and the justification."""

    hand_hours: int
    grid_hours: int
    criticality: str
    grid_criticality: str
    justification: str

    @property
    def lowers_criticality(self) -> bool:
        return self.criticality != self.grid_criticality

    @property
    def criticality_label(self) -> str:
        return str(Criticality(self.criticality).label)

    @property
    def grid_criticality_label(self) -> str:
        return str(Criticality(self.grid_criticality).label)


def override_warning(*, override_hours: int | None, grid_hours: int | None, justification: str,
                     settings_row: BiaSettings) -> OverrideWarning | None:
    """The warning for a DMIA set by hand beyond the grid's; None when there is nothing to warn about."""
    if override_hours is None or grid_hours is None or not is_beyond_grid(override_hours, grid_hours):
        return None
    thresholds = thresholds_of(settings_row)
    return OverrideWarning(hand_hours=override_hours, grid_hours=grid_hours,
                           criticality=engine.criticality_for(override_hours, thresholds),
                           grid_criticality=engine.criticality_for(grid_hours, thresholds),
                           justification=justification)


def activity_override_warning(activity: Activity, settings_row: BiaSettings) -> OverrideWarning | None:
    return override_warning(override_hours=activity.dmia_override_hours, grid_hours=activity.dmia_derived_hours,
                            justification=activity.dmia_override_justification, settings_row=settings_row)
