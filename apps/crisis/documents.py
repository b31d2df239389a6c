"""The crisis day's documents, rendered by the worker (``apps.crisis.tasks``), never in a web request.

- A **kit copy**: the offline crisis kit (``selectors.kit_context``) as a PDF to print (WeasyPrint, restricted
  URL fetcher, as ``apps.exports.pdf``) or as a **single self-contained HTML file**: inline CSS, no script, no
  external file, so it opens from a USB key with ``file://`` on any browser. Each carries its copy line
  (« Copie n° 3 / 12 », holder, place, versions, date) and « Diffusion restreinte ».
- The **crisis report** of a closed crisis: timings, signalements, recovery, the whole main courante.
Files are stored through ``apps.core.files`` under names derived from ids.
"""

from __future__ import annotations

import io
import logging
import secrets

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core import files
from apps.core.logbook import prepare_entries
from apps.crisis import selectors
from apps.crisis.models import Crisis, KitCopy
from apps.tenants.models import Organization

logger = logging.getLogger(__name__)


def copy_label(copy: KitCopy) -> str:
    return _("Copy n° %(number)s / %(total)s") % {"number": copy.number, "total": max(copy.planned_total, copy.number)}


def kit_html(*, organization: Organization, copy: KitCopy, for_pdf: bool) -> str:
    from apps.continuity.models import PlanVersion

    version_ids = [v["version"] for v in copy.versions]
    versions = list(PlanVersion.objects.filter(organization=organization, pk__in=version_ids)
                    .select_related("plan").order_by("plan__title"))
    context = selectors.kit_context(organization=organization, establishment=copy.establishment, versions=versions)
    context.update(copy=copy, copy_label=copy_label(copy), for_pdf=for_pdf, generated_at=timezone.localtime(copy.created_at),
                   LANGUAGE_CODE=translation.get_language())
    return render_to_string("crisis/kit/kit.html", context)


def write_pdf(html: str) -> tuple[bytes, int]:
    from apps.exports.pdf import write_pdf as weasy

    buffer = io.BytesIO()
    pages = weasy(html, buffer, variant=None)
    return buffer.getvalue(), pages


def build_copy(*, organization: Organization, copy_id: int) -> bool:
    """Render the copy's file once (a redelivered task finds it built and does nothing)."""
    copy = KitCopy.objects.filter(organization=organization, pk=copy_id).select_related(
        "establishment", "holder_member__user").first()
    if copy is None or copy.build == KitCopy.Build.DONE:
        return False
    try:
        if copy.format == KitCopy.Format.PDF:
            data, pages = write_pdf(kit_html(organization=organization, copy=copy, for_pdf=True))
            extension = "pdf"
        else:
            data, pages = kit_html(organization=organization, copy=copy, for_pdf=False).encode(), None
            extension = "html"
        name = f"crisis/{organization.pk}/kit-{copy.pk}-{secrets.token_hex(6)}.{extension}"
        files.save_exactly(name, ContentFile(data, name=name))
    except Exception as error:
        logger.exception("kit copy %s failed", copy.pk)
        KitCopy.objects.filter(organization=organization, pk=copy.pk).update(
            build=KitCopy.Build.FAILED, error=str(error)[:2000])
        return False
    KitCopy.objects.filter(organization=organization, pk=copy.pk).update(
        build=KitCopy.Build.DONE, file=name, size_bytes=len(data), pages=pages, error="", updated_at=timezone.now())
    return True


def report_html(*, organization: Organization, crisis: Crisis) -> str:
    state = selectors.live_state(crisis=crisis)
    entries = prepare_entries(list(selectors.log_entries(crisis=crisis).order_by("occurred_at", "id")),
                              origin=crisis.activated_at)
    return render_to_string("crisis/report.html", {
        "organization": organization, "crisis": crisis, "state": state, "entries": entries,
        "elapsed": selectors.duration_label(state.elapsed_seconds), "generated_at": timezone.localtime(),
        "LANGUAGE_CODE": translation.get_language()})


def render_report(*, organization: Organization, crisis_id: int) -> bool:
    crisis = (Crisis.objects.filter(organization=organization, pk=crisis_id, status=Crisis.Status.CLOSED)
              .select_related("scenario", "establishment", "activated_by", "closed_by").first())
    if crisis is None:
        return False
    try:
        data, pages = write_pdf(report_html(organization=organization, crisis=crisis))
        name = f"crisis/{organization.pk}/report-{crisis.pk}-{secrets.token_hex(6)}.pdf"
        files.save_exactly(name, ContentFile(data, name=name))
    except Exception as error:
        logger.exception("crisis report %s failed", crisis.pk)
        Crisis.objects.filter(organization=organization, pk=crisis.pk).update(report_error=str(error)[:2000])
        return False
    old = crisis.report_file
    Crisis.objects.filter(organization=organization, pk=crisis.pk).update(report_file=name, report_pages=pages,
                                                                         report_error="")
    if old:
        files.delete_quietly(old)
    return True
