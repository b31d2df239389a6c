"""RETEX findings as a source of the action plan (``apps.actions``, issue 14), through its hook.

The action plan resolves each source kind through a registered resolver (``apps.actions.sources``): this one
answers for ``exercise_finding`` — the finding looked up through the organization's default manager (so a member
limited to some establishments never reaches another establishment's finding), its title and what was observed as
the proposed action, its severity as the default priority and due date (30 days for a critical finding to 180 for
a minor one), the exercise's lead as its owner, the exercise's establishments, requirement D2.O1.D. A
finding is a record: whether it « still stands » does not apply (``stands=None``).

Imported only when the action plan app is installed (``ExercisesConfig.ready``).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.exercises.models import ExerciseEstablishment, Finding

if TYPE_CHECKING:
    from apps.tenants.models import Organization

KIND = "exercise_finding"  # ``apps.actions.models.SourceKind.EXERCISE_FINDING``, reserved for us
# The proposed due date, from the finding's severity (the RPCRA changes it on the action's form).
SEVERITY_DAYS: dict[str, int] = {Finding.Severity.CRITICAL: 30, Finding.Severity.MAJOR: 60,
                                 Finding.Severity.MODERATE: 90, Finding.Severity.MINOR: 180}
SEVERITY_PRIORITY: dict[str, str] = {Finding.Severity.CRITICAL: "critical", Finding.Severity.MAJOR: "high",
                     Finding.Severity.MODERATE: "medium", Finding.Severity.MINOR: "low"}


def resolve_finding(organization: Organization, ref: Any) -> Any:
    from apps.actions.sources import SourceInfo

    finding = (Finding.objects.filter(organization=organization, pk=ref.id).select_related("exercise__owner").first()
               if ref.id else None)
    if finding is None:
        return None
    exercise = finding.exercise
    establishment_ids = tuple(ExerciseEstablishment.objects.filter(organization=organization, exercise=exercise)
                              .values_list("establishment_id", flat=True))
    description = "\n\n".join(p for p in (finding.description, finding.recommendation) if p)
    return SourceInfo(
        ref=ref, label=_("Finding « %(title)s » — %(exercise)s") % {"title": finding.title, "exercise": exercise.title},
        title=finding.recommendation.splitlines()[0][:200] if finding.recommendation.strip() else finding.title,
        description=description, priority=SEVERITY_PRIORITY.get(finding.severity, "medium"),
        url=reverse("exercises:retex", kwargs={"org_slug": organization.slug, "pk": exercise.pk}),
        establishment_ids=establishment_ids, requirement_ids=("D2.O1.D",), stands=None,
        due_date=timezone.localdate() + datetime.timedelta(days=SEVERITY_DAYS.get(finding.severity, 90)),
        owner_member=exercise.owner,
        state=_("Finding of the RETEX of « %(exercise)s »") % {"exercise": exercise.title})


def register() -> None:
    from apps.actions.sources import register_source

    register_source(KIND, resolve_finding)
