"""Time the dossier (PDF) and the workbook (XLSX) of one organization, against raw WeasyPrint.

    python manage.py exports_benchmark                         # the demo GHT
    python manage.py exports_benchmark --organization <slug>
    python manage.py exports_benchmark --large                 # the BIA benchmark's large establishment
                                                               # (300 activities, 400 resources, 3,000 dependencies)

Each measurement runs in a forked child process so that its peak RSS is its own. "Raw WeasyPrint"
lays out the very same HTML with WeasyPrint's defaults (no URL fetcher, no PDF/A): the difference is
our overhead; "gathering" is the time spent reading data and rendering the HTML templates.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.queues
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, transaction
from django.utils import translation
from django_scopes import scope, scopes_disabled

from apps.tenants.models import Establishment, Organization
from apps.tenants.services import organization_create

LARGE_SLUG = "benchmark-exports-large"


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase(name: str, organization_id: int, html_path: str, out_dir: str,
           queue: multiprocessing.queues.Queue[dict[str, Any]]) -> None:
    """Runs in a child process: one measurement, reported through the queue."""
    from weasyprint import HTML

    from apps.exports.pdf import build_dossier_html, render_sections, write_pdf
    from apps.exports.xlsx import render_workbook

    connections.close_all()  # never share the parent's database socket
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # one line per layout step otherwise
    organization = Organization.objects.get(pk=organization_id)
    with scope(organization=organization), translation.override("fr"):
        started = time.perf_counter()
        pages = 0
        if name == "gather":
            html = build_dossier_html(organization=organization, dossier_version=1,
                                      sections=render_sections(organization=organization))
            Path(html_path).write_text(html, encoding="utf-8")
        elif name == "pdf":
            html = build_dossier_html(organization=organization, dossier_version=1,
                                      sections=render_sections(organization=organization))
            with open(Path(out_dir) / "dossier.pdf", "wb") as handle:
                pages = write_pdf(html, handle)
        elif name == "raw":
            html = Path(html_path).read_text(encoding="utf-8")
            started = time.perf_counter()
            document = HTML(string=html).render()
            document.write_pdf(Path(out_dir) / "raw.pdf")
            pages = len(document.pages)
        elif name == "xlsx":
            counts = render_workbook(organization=organization, path=Path(out_dir) / "classeur.xlsx")
            pages = sum(counts.values())
        elapsed = time.perf_counter() - started
    queue.put({"name": name, "seconds": elapsed, "units": pages, "rss": _peak_rss_mib()})


class Command(BaseCommand):
    help = "Benchmark the PDF dossier and the XLSX workbook (time, peak RSS, pages/s) against raw WeasyPrint."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", help="slug of the organization (default: the demo GHT)")
        parser.add_argument("--large", action="store_true",
                            help="use (and create if needed) the large establishment of the BIA benchmark")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = self._organization(options)
        self.stdout.write(f"Organization: {organization.name} ({organization.slug})")
        connections.close_all()
        context = multiprocessing.get_context("fork")
        results: dict[str, dict[str, Any]] = {}
        with tempfile.TemporaryDirectory() as tmp:
            html_path = str(Path(tmp) / "dossier.html")
            for name in ("gather", "pdf", "raw", "xlsx"):
                queue = context.Queue()
                process = context.Process(target=_phase, args=(name, organization.pk, html_path, tmp, queue))
                process.start()
                results[name] = queue.get(timeout=1800)
                process.join()
                if process.exitcode:
                    raise CommandError(f"{name} failed (exit {process.exitcode})")
            html_size = Path(html_path).stat().st_size
        self._table(results, html_size)

    def _organization(self, options: dict[str, Any]) -> Organization:
        with scopes_disabled():
            if options["large"]:
                return self._large()
            slug = options["organization"] or "ght-rives-de-loire"
            organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization {slug!r}: run seed_demo, or pass --organization or --large.")
        return organization

    def _large(self) -> Organization:
        existing = Organization.objects.filter(slug=LARGE_SLUG).first()
        if existing:
            return existing
        try:
            from apps.bia.benchmark import seed_large
        except ImportError as error:
            raise CommandError("The BIA benchmark data (apps.bia.benchmark) is not available.") from error
        self.stdout.write("Creating the large establishment (BIA benchmark data)…")
        with transaction.atomic():
            organization = organization_create(actor=None, name="Benchmark — grand établissement", slug=LARGE_SLUG,
                                               kind=Organization.Kind.LEGAL_ENTITY, region="IDF")
            with scope(organization=organization):
                establishment = Establishment.objects.create(organization=organization, name="CHU de référence",
                                                             finess_ej="750000010")
                seed_large(organization=organization, establishment=establishment)
        return organization

    def _table(self, r: dict[str, dict[str, Any]], html_size: int) -> None:
        pdf, raw, gather, xlsx = r["pdf"], r["raw"], r["gather"], r["xlsx"]
        rows = [
            ("Data gathering + HTML", f"{gather['seconds']:.2f}", "—", f"{gather['rss']:.0f}", f"HTML {html_size / 1024:.0f} KiB"),
            ("PDF dossier (ours)", f"{pdf['seconds']:.2f}", str(pdf["units"]), f"{pdf['rss']:.0f}",
             f"{pdf['units'] / pdf['seconds']:.1f} pages/s"),
            ("Raw WeasyPrint, same HTML", f"{raw['seconds']:.2f}", str(raw["units"]), f"{raw['rss']:.0f}",
             f"{raw['units'] / raw['seconds']:.1f} pages/s"),
            ("XLSX workbook", f"{xlsx['seconds']:.2f}", f"{xlsx['units']} rows", f"{xlsx['rss']:.0f}", ""),
        ]
        headers = ("Measure", "Time (s)", "Pages", "Peak RSS (MiB)", "Rate")
        widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
        line = "+".join("-" * (w + 2) for w in widths)
        self.stdout.write(line)
        self.stdout.write("|".join(f" {h:<{w}} " for h, w in zip(headers, widths, strict=True)))
        self.stdout.write(line)
        for row in rows:
            self.stdout.write("|".join(f" {c:<{w}} " for c, w in zip(row, widths, strict=True)))
        self.stdout.write(line)
        overhead = pdf["seconds"] - raw["seconds"]
        share = gather["seconds"] / pdf["seconds"] * 100 if pdf["seconds"] else 0
        self.stdout.write(f"Our overhead over raw WeasyPrint: {overhead:+.2f} s "
                          f"(gathering = {share:.1f} % of the PDF time; budget ≤ 10 %).")
