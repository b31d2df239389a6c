"""The CaRE D2 dossier as one PDF, assembled from the registered ``PdfSection``s and laid out by WeasyPrint.

Cover (candidate, establishments with FINESS, date, dossier and catalogue versions, content checksum),
a table of contents with page numbers (CSS ``target-counter``), one chapter per section (PDF bookmarks),
running header and footer ("Page X / Y", "Diffusion restreinte"). Fonts are the Debian DejaVu /
Liberation packages found by fontconfig; WeasyPrint may only fetch local static files.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from apps.exports.registry import PdfSection, pdf_sections

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

    from apps.exports.models import ExportJob
    from apps.tenants.models import Organization

logger = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO; keep the worker's log for problems.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# PDF/A-3 level A: an archival PDF that is also *tagged* (structure tree, reading order, ``MarkInfo``), which
# screen readers and WeasyPrint's PDF/UA checks need. ``pdf_tags`` is passed too, so the plain-PDF fallback (if
# the PDF/A conversion fails) is still tagged.
PDF_VARIANT = "pdf/a-3a"
PDF_TAGS = True


class FetchRefused(ValueError):
    pass


def static_roots() -> list[Path]:
    """Directories WeasyPrint may read from: the collected static root and the static finders' folders."""
    roots: list[Path] = []
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location).resolve())
    return roots


def resolve_static(url: str) -> Path:
    """The local file a URL may be served from, or ``FetchRefused``.

    ``/static/<path>`` (what ``{% static %}`` produces, resolved against the ``file:///`` base URL)
    goes through the static finders; a ``file://`` URL must lie under a static directory; http(s),
    data:, ftp: and every other scheme are refused (no network access, no server file leak).
    """
    parsed = urlparse(url)
    if parsed.scheme != "file":
        raise FetchRefused(f"refused URL scheme: {parsed.scheme or url[:20]!r}")
    raw_path = unquote(parsed.path)
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    candidate: Path | None = None
    if raw_path.startswith(static_prefix):
        relative = raw_path[len(static_prefix):]
        found = finders.find(relative) if ".." not in Path(relative).parts else None
        if found:
            candidate = Path(found if isinstance(found, str) else found[0]).resolve()
        elif settings.STATIC_ROOT:
            candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
    else:
        candidate = Path(raw_path).resolve()
    if candidate is None or not any(candidate.is_relative_to(root) for root in static_roots()) \
            or not candidate.is_file():
        raise FetchRefused(f"refused file outside the static directories: {raw_path!r}")
    return candidate


def static_url_fetcher() -> URLFetcher:
    """A WeasyPrint URL fetcher that only serves local static files (see ``resolve_static``)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            path = resolve_static(url)
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes())

    return StaticOnlyFetcher(allowed_protocols=["file"], allow_redirects=False)


@dataclass
class RenderedSection:
    key: str
    title: str
    anchor: str
    html: str


def render_sections(*, organization: Organization, sections: list[PdfSection] | None = None,
                    progress: Callable[[int, str], None] | None = None, start: int = 5, end: int = 50,
                    ) -> list[RenderedSection]:
    """Each section's context (through its app's selectors) rendered to an HTML fragment."""
    from apps.exports.snapshot import export_snapshot

    sections = pdf_sections() if sections is None else sections
    rendered = []
    with export_snapshot():  # every section reads the same requirement statuses and BIA analysis
        for index, section in enumerate(sections):
            rendered.append(_render_section(organization, section, index, len(sections), progress, start, end))
    return rendered


def _render_section(organization: Organization, section: PdfSection, index: int, count: int,
                    progress: Callable[[int, str], None] | None, start: int, end: int) -> RenderedSection:
    from apps.exports.services import SectionError

    title = str(section.title)
    if progress:
        progress(start + (end - start) * index // max(count, 1), _("Preparing “%(title)s”") % {"title": title})
    try:
        context = {"organization": organization, **(section.context(organization) or {})}
        html = render_to_string(section.template, context)
    except Exception as error:
        raise SectionError(title) from error
    return RenderedSection(key=section.key, title=title, anchor=f"section-{section.key}", html=html)


def content_checksum(sections: list[RenderedSection]) -> str:
    """SHA-256 of the dossier's content (the sections), independent of the date and the PDF encoding."""
    digest = hashlib.sha256()
    for section in sections:
        digest.update(section.key.encode())
        digest.update(b"\0")
        digest.update(section.html.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def cover_context(*, organization: Organization) -> dict[str, Any]:
    from apps.exports.selectors import establishments_with_sites, export_perimeter

    return {"establishments": establishments_with_sites(organization=organization),
            "perimeter": export_perimeter(organization=organization)}


def catalogue_version() -> str:
    try:
        from apps.compliance.catalogue import current_catalogue

        return str(current_catalogue().version)
    except Exception:  # noqa: BLE001 - the cover says "not available" rather than failing the dossier
        logger.warning("catalogue version unavailable", exc_info=True)
        return "—"


def build_dossier_html(*, organization: Organization, dossier_version: int, sections: list[RenderedSection],
                       generated_at: datetime | None = None) -> str:
    generated_at = generated_at or timezone.localtime()
    context = {
        "organization": organization,
        "LANGUAGE_CODE": translation.get_language() or settings.LANGUAGE_CODE,
        "sections": [{"key": s.key, "title": s.title, "anchor": s.anchor, "html": mark_safe(s.html)}  # noqa: S308
                     for s in sections],
        "dossier_version": dossier_version,
        "catalogue_version": catalogue_version(),
        "generated_at": generated_at,
        "checksum": content_checksum(sections),
        **cover_context(organization=organization),
    }
    return render_to_string("exports/pdf/dossier.html", context)


# A run of this many characters with no break opportunity gets one (U+200B, zero-width space) every
# ``_BREAK_EVERY`` characters: see ``breakable``.
_LONG_RUN = re.compile(r"(?:&#?\w+;|[^\s<>&\u200b])(?:&#?\w+;|[^\s<>&\u200b]){24,}")
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_HEX = re.compile(r"[0-9a-fA-F:]+")
_BREAK_EVERY = 16


def _break_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if _HEX.fullmatch(run):  # a checksum: its ``.hash`` style breaks it anywhere, and it must copy intact
        return run
    chars = re.findall(r"&#?\w+;|.", run, flags=re.S)  # an entity counts as one character, never split
    return "\u200b".join("".join(chars[i:i + _BREAK_EVERY]) for i in range(0, len(chars), _BREAK_EVERY))


def breakable(html: str) -> str:
    """The document with a break opportunity inside every long word of the body's text (a URL, a file name, a
    150-character token), so that CSS ``overflow-wrap: break-word`` can break it inside its column.

    ``overflow-wrap: anywhere`` does the same in CSS alone, but WeasyPrint then measures every table cell's
    minimum width character by character: the dossier of the large benchmark establishment took 3.4× longer to
    lay out (17.7 s instead of 5.2 s for its dependency table alone). Tags, attributes and the head are untouched.
    """
    head, marker, body = html.partition("<body")
    if not marker:
        return html
    parts = _TAG_OR_TEXT.split(body)
    in_raw = False
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            name = part[1:].split(None, 1)[0].lower().rstrip(">") if len(part) > 2 else ""
            in_raw = name in ("style", "script") or (in_raw and name not in ("/style", "/script"))
        elif part and not in_raw:
            parts[i] = _LONG_RUN.sub(_break_run, part)
    return head + marker + "".join(parts)


def write_pdf(html: str, target: BinaryIO, *, variant: str | None = PDF_VARIANT) -> int:
    """Lay the HTML out and write the PDF; returns the number of pages. Falls back to plain PDF if PDF/A fails."""
    from weasyprint import HTML

    html = breakable(html)
    document = HTML(string=html, base_url="file:///", url_fetcher=static_url_fetcher()).render(pdf_tags=PDF_TAGS)
    options: dict[str, Any] = {"pdf_tags": PDF_TAGS}
    if variant:
        options["pdf_variant"] = variant
    try:
        document.write_pdf(target, **options)
    except Exception:  # noqa: BLE001 - PDF/A is a bonus; a valid plain PDF is the requirement
        if not variant:
            raise
        logger.warning("PDF/A rendering failed, writing a plain PDF", exc_info=True)
        if hasattr(target, "seek"):
            target.seek(0)
            target.truncate()
        document.write_pdf(target, pdf_tags=PDF_TAGS)
    return len(document.pages)


def render_dossier(*, organization: Organization, job: ExportJob, path: Path, progress: Callable[[int, str], None]) -> int:
    sections = render_sections(organization=organization, progress=progress)
    progress(55, _("Laying out the pages"))
    html = build_dossier_html(organization=organization, dossier_version=job.dossier_version, sections=sections)
    with path.open("wb") as handle:
        pages = write_pdf(html, handle)
    progress(95, _("Computing the checksum"))
    return pages
