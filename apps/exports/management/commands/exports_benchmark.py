"""Time the dossier (PDF) and the workbook (XLSX) of one organization, against raw WeasyPrint and raw openpyxl.

    python manage.py exports_benchmark                         # the demo GHT
    python manage.py exports_benchmark --organization <slug>
    python manage.py exports_benchmark --large                 # the BIA benchmark's large establishment
                                                               # (300 activities, 400 resources, 3,000 dependencies)
    python manage.py exports_benchmark --large --skip-pdf --xlsx-runs 9 --json

Each measurement runs in a forked child process so that its peak RSS is its own. "Raw WeasyPrint"
lays out the very same HTML with WeasyPrint's defaults (no URL fetcher, no PDF/A): the difference is
our overhead; "gathering" is the time spent reading data and rendering the HTML templates.

"Raw openpyxl" (``raw_openpyxl``) is the floor of the workbook: openpyxl's write-only mode appending the very
cells of our workbook (read back from it before the clock starts) as plain values, one ``append`` per row, no
style, no check. Ours reads the data (queries, the BIA analysis from the cache), neutralises and types the
cells, and styles the headers; both run ``--xlsx-runs`` times, interleaved, each in a fresh process, and the
ratio of the medians is printed (budget ≤ 2×), with ours rendered a second time in the same process (a worker's
next export: warm process, the BIA analysis read from Redis again). The machine may be shared: the load average
is printed too.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import multiprocessing.queues
import os
import resource
import statistics
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
XLSX_BUDGET = 2.0  # ours ≤ 2× raw openpyxl writing the same cells (issue 13)


def load_average() -> str:
    """The 1/5/15-minute load averages (``/proc/loadavg``), printed with every figure: the machine is shared."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())


def read_cells(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every sheet of a workbook as (title, rows of plain values), header row included."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return [(ws.title, [tuple(row) for row in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    finally:
        wb.close()


def raw_openpyxl(sheets: list[tuple[str, list[tuple[Any, ...]]]], path: Path) -> None:
    """The raw script: openpyxl's write-only mode, the same cells appended as plain values."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title=title)
        for row in rows:
            ws.append(row)
    wb.save(str(path))


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase(name: str, organization_id: int, html_path: str, out_dir: str,
           queue: multiprocessing.queues.Queue[dict[str, Any]]) -> None:
    """Runs in a child process: one measurement, reported through the queue."""
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # one line per layout step otherwise
    from weasyprint import HTML

    from apps.exports.pdf import build_dossier_html, render_sections, write_pdf
    from apps.exports.xlsx import render_workbook

    connections.close_all()  # never share the parent's database socket
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
            # The same process again: a worker's next export. The BIA analysis memo is emptied (the data may have
            # changed since): the analysis comes from Redis again, as in the first run.
            from apps.bia import selectors

            memo = getattr(selectors, "_ANALYSIS_MEMO", None)
            if memo is not None:
                memo.clear()
            organization = Organization.objects.get(pk=organization_id)  # no snapshot cached on the object
            started = time.perf_counter()
            render_workbook(organization=organization, path=Path(out_dir) / "classeur-again.xlsx")
            queue.put({"name": name, "seconds": elapsed, "seconds_again": time.perf_counter() - started,
                       "units": pages, "rss": _peak_rss_mib()})
            return
        elif name == "xlsx_raw":
            sheets = read_cells(Path(out_dir) / "classeur.xlsx")  # before the clock: the raw script's input
            pages = sum(1 for _title, rows in sheets for row in rows for value in row if value is not None)
            started = time.perf_counter()
            raw_openpyxl(sheets, Path(out_dir) / "raw.xlsx")
        elapsed = time.perf_counter() - started
    queue.put({"name": name, "seconds": elapsed, "units": pages, "rss": _peak_rss_mib()})


def large_organization(command: BaseCommand) -> Organization:
    """The large establishment of the BIA benchmark (300 activities, 400 resources, 3,000 dependencies) in its own
    organization, created once and kept (also used by ``exports_load_benchmark``)."""
    with scopes_disabled():
        existing = Organization.objects.filter(slug=LARGE_SLUG).first()
        if existing:
            return existing
        try:
            from apps.bia.benchmark import seed_large
        except ImportError as error:
            raise CommandError("The BIA benchmark data (apps.bia.benchmark) is not available.") from error
        command.stdout.write("Creating the large establishment (BIA benchmark data)…")
        with transaction.atomic():
            organization = organization_create(actor=None, name="Benchmark — grand établissement", slug=LARGE_SLUG,
                                               kind=Organization.Kind.LEGAL_ENTITY, region="IDF")
            with scope(organization=organization):
                establishment = Establishment.objects.create(organization=organization, name="CHU de référence",
                                                             finess_ej="750000010")
                seed_large(organization=organization, establishment=establishment)
        return organization


class Command(BaseCommand):
    help = "Benchmark the PDF dossier and the XLSX workbook (time, peak RSS, pages/s) against raw WeasyPrint."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", help="slug of the organization (default: the demo GHT)")
        parser.add_argument("--large", action="store_true",
                            help="use (and create if needed) the large establishment of the BIA benchmark")
        parser.add_argument("--skip-pdf", action="store_true", help="only the workbook (the large PDF takes minutes)")
        parser.add_argument("--xlsx-runs", type=int, default=5,
                            help="runs of our workbook and of the raw openpyxl script, interleaved (default 5)")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = self._organization(options)
        if not options["json"]:
            self.stdout.write(f"Organization: {organization.name} ({organization.slug}); load average {load_average()}")
        self._start_like_a_worker()
        connections.close_all()
        context = multiprocessing.get_context("fork")
        results: dict[str, dict[str, Any]] = {}
        html_size = 0
        with tempfile.TemporaryDirectory() as tmp:
            html_path = str(Path(tmp) / "dossier.html")

            def run(name: str) -> dict[str, Any]:
                queue = context.Queue()
                process = context.Process(target=_phase, args=(name, organization.pk, html_path, tmp, queue))
                process.start()
                result = queue.get(timeout=1800)
                process.join()
                if process.exitcode:
                    raise CommandError(f"{name} failed (exit {process.exitcode})")
                return result

            if not options["skip_pdf"]:
                for name in ("gather", "pdf", "raw"):
                    results[name] = run(name)
                html_size = Path(html_path).stat().st_size
            run("xlsx")  # warm-up: the BIA analysis reaches the cache, the raw script gets its input
            ours, raw = [], []
            for _run in range(max(1, options["xlsx_runs"])):
                ours.append(run("xlsx"))
                raw.append(run("xlsx_raw"))
        results["xlsx"] = self._median(ours)
        results["xlsx"]["seconds_again"] = statistics.median(r["seconds_again"] for r in ours)
        results["xlsx_raw"] = self._median(raw)
        results["xlsx_ratio"] = {"ratio": results["xlsx"]["seconds"] / results["xlsx_raw"]["seconds"],
                                 "ratio_again": results["xlsx"]["seconds_again"] / results["xlsx_raw"]["seconds"],
                                 "ours_runs": [r["seconds"] for r in ours], "raw_runs": [r["seconds"] for r in raw],
                                 "ours_again_runs": [r["seconds_again"] for r in ours], "budget": XLSX_BUDGET}
        results["load_average"] = {"after": load_average()}
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
            return
        if not options["skip_pdf"]:
            self._table(results, html_size)
        self._xlsx_table(results)

    @staticmethod
    def _start_like_a_worker() -> None:
        """What a worker process has done before its second task: the cache client imported, the French catalogue
        and formats loaded. Each run forks from here; nothing of the organization's data is computed or memoised
        (the BIA analysis comes from Redis, the per-process memo stays cold)."""
        from django.core.cache import cache
        from django.utils.formats import number_format

        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        cache.get("exports-benchmark:warm-up")
        with translation.override("fr"):
            number_format(1.5)
            str(Organization._meta.verbose_name)
        cache.close()

    @staticmethod
    def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
        return {"name": runs[0]["name"], "seconds": statistics.median(r["seconds"] for r in runs),
                "units": runs[0]["units"], "rss": max(r["rss"] for r in runs), "runs": len(runs)}

    def _xlsx_table(self, r: dict[str, Any]) -> None:
        ours, raw, ratio = r["xlsx"], r["xlsx_raw"], r["xlsx_ratio"]
        spread = lambda runs: f"{min(runs):.3f}–{max(runs):.3f}"  # noqa: E731
        self.stdout.write(f"XLSX workbook (ours), median of {ours['runs']}: {ours['seconds']:.3f} s "
                          f"(runs {spread(ratio['ours_runs'])}), {ours['units']} rows, peak RSS {ours['rss']:.0f} MiB")
        self.stdout.write(f"Raw openpyxl write-only, same {raw['units']} cells: {raw['seconds']:.3f} s "
                          f"(runs {spread(ratio['raw_runs'])})")
        self.stdout.write(f"Ours again in the same process (a worker's next export; analysis from Redis): "
                          f"{ours['seconds_again']:.3f} s (runs {spread(ratio['ours_again_runs'])})")
        verdict = "within" if ratio["ratio"] <= XLSX_BUDGET else "OVER"
        self.stdout.write(f"Ours / raw openpyxl: {ratio['ratio']:.2f}× in a fresh process ({verdict} the budget ≤ "
                          f"{XLSX_BUDGET:g}×), {ratio['ratio_again']:.2f}× the next time; "
                          f"load average {r['load_average']['after']}.")

    def _organization(self, options: dict[str, Any]) -> Organization:
        with scopes_disabled():
            if options["large"]:
                return large_organization(self)
            slug = options["organization"] or "ght-rives-de-loire"
            organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization {slug!r}: run seed_demo, or pass --organization or --large.")
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
