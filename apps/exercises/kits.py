"""The three exercise kits, printed as PDFs by the export worker (``apps.exports``: a job, WeasyPrint, a checksum,
an audited download), never in a web request.

- **animateur**: the whole chronogramme (offsets, senders, recipients, channels, content, expected reactions,
  objectives), the scenario for the animation team, the objectives and the participants;
- **joueur**: the context only (what the players are told at DEBEX, the rules of the game, their roles) — never
  the chronogramme;
- **observateur**: the observation grid of each objective, with room to note the time and what was seen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.models import AuditEvent
from apps.core.services import audit_log
from apps.exercises import selectors
from apps.exercises.models import Exercise
from apps.exports.models import ExportJob
from apps.exports.registry import Document, register_document

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest

    from apps.accounts.models import User
    from apps.tenants.models import Organization

KITS = {
    "animateur": gettext_lazy("Animator kit"),
    "joueur": gettext_lazy("Player kit"),
    "observateur": gettext_lazy("Observer kit"),
}


def kit_request(*, organization: Organization, actor: User | None, exercise: Exercise, kit: str,
                request: HttpRequest | None = None) -> ExportJob:
    """Ask the worker for one kit of the exercise; the request is audited like the dossier's."""
    from apps.exports.services import export_job_create

    if kit not in KITS:
        raise ValidationError(_("Unknown kit."))
    if exercise.organization_id != organization.pk:
        raise ValidationError(_("Choose an exercise of this organization."))
    job = export_job_create(organization=organization, actor=actor, kind=ExportJob.Kind.EXERCISE_KIT,
                            parameters={"exercise": exercise.pk, "kit": kit})
    audit_log(action=AuditEvent.Action.EXPORT_REQUESTED, actor=actor, organization=organization, target=str(job),
              details={"job": str(job.pk), "kind": job.kind, "exercise": exercise.pk, "kit": kit}, request=request)
    return job


def kit_jobs(*, organization: Organization, exercise: Exercise, limit: int = 6) -> list[ExportJob]:
    return list(ExportJob.objects.filter(organization=organization, kind=ExportJob.Kind.EXERCISE_KIT,
                                         parameters__exercise=exercise.pk).order_by("-created_at")[:limit])


def kit_html(*, organization: Organization, exercise: Exercise, kit: str) -> str:
    parts = selectors.exercise_parts(exercise=exercise)
    context: dict[str, Any] = {
        "organization": organization, "exercise": exercise, "parts": parts, "kit": kit, "kit_title": KITS[kit],
        "generated_at": timezone.localtime(), "LANGUAGE_CODE": translation.get_language(),
    }
    return render_to_string(f"exercises/kits/{kit}.html", context)


def render_kit(organization: Organization, job: ExportJob, path: Path, progress: Callable[[int, str], None]) -> int:
    """The worker's renderer (``apps.exports.registry.Document``): the kit named by the job's parameters."""
    from apps.exports.pdf import write_pdf

    kit = str(job.parameters.get("kit", ""))
    exercise = Exercise.objects.filter(organization=organization, pk=job.parameters.get("exercise")).first()
    if exercise is None or kit not in KITS:
        raise ValueError("exercise kit: exercise gone or unknown kit")
    progress(20, _("Preparing “%(title)s”") % {"title": str(KITS[kit])})
    html = kit_html(organization=organization, exercise=exercise, kit=kit)
    progress(50, _("Laying out the pages"))
    with path.open("wb") as handle:
        return write_pdf(html, handle)


def kit_filename(job: ExportJob) -> str:
    kit = slugify(str(job.parameters.get("kit", "kit")))[:20] or "kit"
    date = timezone.localtime(job.finished_at or job.created_at).strftime("%Y-%m-%d")
    return f"kit-{kit}-exercice-{job.parameters.get('exercise', '')}-{date}.pdf"


register_document(Document(kind=ExportJob.Kind.EXERCISE_KIT, render=render_kit, filename=kit_filename))
