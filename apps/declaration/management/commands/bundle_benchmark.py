"""Benchmark the « Dossier complet (ZIP) » build: time and peak RSS of the process that builds it.

    python manage.py bundle_benchmark --large                      # 200 generated evidence files of 2.5 MiB
    python manage.py bundle_benchmark --large --files 200 --file-mib 2.5 --with-documents

The large establishment is the exports benchmark's (``exports_benchmark.large_organization``). The evidence files
are generated once (random bytes behind a PDF header, stored through the storage API, tagged with the
requirements in turn) and kept. The build runs in a forked child, like a worker process, so its peak RSS is its
own (budget: 256 MiB for 200 files, ARCHITECTURE.md). Without ``--with-documents`` only the streaming part is
measured (the dossier PDF's WeasyPrint layout has its own budget in ``exports_benchmark``).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from django.utils import translation
from django_scopes import scope, scopes_disabled

from apps.compliance.catalogue import current_catalogue
from apps.compliance.models import Evidence
from apps.tenants.models import Organization

BUDGET_MIB = 256
TAG = "bundle-benchmark"


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _build(organization_id: int, with_documents: bool, out: str, queue: Any) -> None:
    from apps.declaration.bundle import write_bundle
    from apps.declaration.freeze import render_parts
    from apps.exports.models import ExportJob

    connections.close_all()  # never share the parent's database socket
    organization = Organization.objects.get(pk=organization_id)
    with scope(organization=organization), translation.override("fr"):
        started = time.perf_counter()
        folder = Path(out) / "parts"
        folder.mkdir(exist_ok=True)
        documents = []
        if with_documents:
            job = ExportJob(organization=organization, kind=ExportJob.Kind.BUNDLE_ZIP, dossier_version=0)
            documents = [(name, path) for _key, name, path in
                         render_parts(organization=organization, job=job, folder=folder, progress=lambda p, s: None)]
        index = write_bundle(organization=organization, path=Path(out) / "bundle.zip", documents=documents)
        elapsed = time.perf_counter() - started
    queue.put({"seconds": elapsed, "rss": _peak_rss_mib(), "entries": len(index),
               "size": (Path(out) / "bundle.zip").stat().st_size})


class Command(BaseCommand):
    help = "Benchmark the complete dossier ZIP (streamed): time and peak RSS of the building process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--large", action="store_true", help="the exports benchmark's large establishment")
        parser.add_argument("--organization", default="", help="slug of another organization")
        parser.add_argument("--files", type=int, default=200, help="generated evidence files (default 200)")
        parser.add_argument("--file-mib", type=float, default=2.5, help="size of each generated file (MiB)")
        parser.add_argument("--with-documents", action="store_true", help="also render the PDF and workbooks")

    def handle(self, *args: Any, **options: Any) -> None:
        from apps.exports.management.commands.exports_benchmark import large_organization

        with scopes_disabled():
            organization = (large_organization(self) if options["large"] or not options["organization"]
                            else Organization.objects.get(slug=options["organization"]))
        self._generate(organization, options["files"], int(options["file_mib"] * 1024 * 1024))
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        with tempfile.TemporaryDirectory(prefix="resilis-bundle-bench-") as out:
            connections.close_all()
            child = context.Process(target=_build, args=(organization.pk, options["with_documents"], out, queue))
            child.start()
            result = queue.get(timeout=3600)
            child.join()
        verdict = "OK" if result["rss"] < BUDGET_MIB else "OVER BUDGET"
        self.stdout.write(
            f"Bundle of {organization.name}: {result['entries']} entries, {result['size'] / 1024 / 1024:.0f} MiB, "
            f"{result['seconds']:.1f} s, peak RSS of the building process {result['rss']:.0f} MiB "
            f"(budget {BUDGET_MIB} MiB: {verdict}){' with the PDF and workbooks' if options['with_documents'] else ''}")

    def _generate(self, organization: Organization, count: int, size: int) -> None:
        requirements = [r.id for r in current_catalogue().requirements]
        with scope(organization=organization):
            existing = Evidence.objects.filter(organization=organization, description=TAG).count()
            for number in range(existing, count):
                payload = b"%PDF-1.7\n" + os.urandom(max(size - 9, 0))
                evidence = Evidence(
                    organization=organization, title=f"Pièce générée {number + 1}", description=TAG,
                    original_name=f"piece-{number + 1}.pdf", mime_type="application/pdf", size=len(payload),
                    sha256=hashlib.sha256(payload).hexdigest(), requirement_ids=[requirements[number % len(requirements)]])
                evidence.file.save(f"piece-{number + 1}.pdf", ContentFile(payload), save=False)
                evidence.save()
            if count > existing:
                self.stdout.write(f"Generated {count - existing} evidence files of {size / 1024 / 1024:.1f} MiB.")
