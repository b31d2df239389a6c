"""Time the BIA engine and pages on large synthetic establishments, cold and warm, at 1×, 2× and 4×.

    python manage.py bia_benchmark [--sizes 1,2,4] [--runs 40] [--json [FILE]] [--pages gaps,map] [--keep]

Size 1× is the large establishment: 300 activities, 400 resources, 3,000 dependencies (2× and 4×
multiply all three). For each size a throwaway organization is seeded (then ``ANALYZE``d, as every
bulk write does) and measured:

- the engine: reading the graph (``bia_graph``, six queries), ``analyse`` (pure), the size of the
  cached payload and its unpickling; with the growth ratio and exponent between sizes;
- each page through Django's test client (middleware, view, templates, database), ``--runs`` times in
  three states:

  - **warm**: the analysis is in this process's memo (what most requests see);
  - **cold**: a dependency's capability changed just before, the worker has computed the analysis
    again (as ``bia.analysis_refresh`` does after every committed write) and this process's memo was
    cleared: the request reads the new analysis from Redis;
  - **cold, no worker**: the same change, no worker: the request computes the analysis itself (pages
    that show the analysis only).

Figures: median, p95 (nearest rank), IQR and max of the wall time, median CPU time of this process
(on a shared machine the wall time includes waiting for a core), the most queries of one request, the
response size (the map data is requested with ``Accept-Encoding: gzip``). The load average is printed
at the start and the end. The organizations are deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import pickle
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandParser
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.accounts.models import User
from apps.bia import engine, selectors
from apps.bia.benchmark import seed_large
from apps.bia.models import Activity, Resource
from apps.core import benchmark as bench
from apps.core.tenancy import tenant_scope
from apps.tenants.models import Establishment, Membership, Organization
from apps.tenants.roles import Role
from apps.tenants.services import organization_create
from apps.tenants.validators import luhn_complete
from resilis.runtime import freeze_startup_objects

BASE = {"activities": 300, "resources": 400, "dependencies": 3000}
# Pages that show the analysis: also measured cold without a worker.
ANALYSIS_PAGES = {"activity", "map", "map-critical", "gaps", "resource"}
BUDGETS = {  # issue 13
    "analyse_ms_at_4": 80, "analyse_exponent_2_to_4": 1.15, "payload_bytes_at_4": 1_000_000,
    "cold_p95_ms_at_2": 150, "dependencies_p95_ms_at_2": 50,
}
COLD_BUDGET_PAGES = ("gaps", "map", "activity")
# The questionnaire's dependencies step and its search field (item 6): p95 ≤ 50 ms at 2×, warm and cold.
DROPDOWN_BUDGET_PAGES = ("dependencies", "dependencies-search")


@dataclass
class _EngineFigure:
    size: int
    queries: int
    payload: int
    calls: dict[str, Callable[[], Any]]
    stats: dict[str, bench.Stats]
    spent: float = 0.0


class Command(BaseCommand):
    help = "Time the BIA engine and pages at 1×, 2×, 4× the large establishment, cold and warm."

    def add_arguments(self, parser: CommandParser) -> None:
        bench.add_arguments(parser)
        parser.add_argument("--pages", default="", help="only these pages (keys: list, list-page-4, activity, "
                            "impact-grid, dependencies, dependencies-search, map, map-critical, gaps, resources, resource, matrix)")
        parser.add_argument("--no-engine", action="store_true", help="skip the engine figures")
        parser.add_argument("--budget-seconds", type=float, default=0,
                            help="stop a figure after this many seconds (fewer runs, marked; 0: never)")
        parser.add_argument("--keep", action="store_true", help="keep the benchmark organizations")

    def handle(self, *args: Any, **options: Any) -> None:
        freeze_startup_objects()  # as resilis/wsgi.py does in the web processes
        self.runs = bench.check_runs(options["runs"])
        self.budget = options["budget_seconds"]
        self.wanted = {p for p in options["pages"].split(",") if p}
        self.report = bench.Report(self, "bia_benchmark", json_path=options["json"])
        sizes = bench.parse_sizes(options["sizes"])
        self.report.say(f"sizes {sizes}: {', '.join(f'{k} {v:,}' for k, v in BASE.items())} at 1×; "
                        f"{self.runs} runs per figure")
        created: list[tuple[int, Organization, User]] = []
        try:
            for size in sizes:
                created.append((size, *self._seed(size)))
            if not options["no_engine"]:
                self._engines([(size, organization) for size, organization, _user in created])
            for size, organization, user in created:
                self._pages(size, organization, user)
        finally:
            for _size, organization, user in created if not options["keep"] else []:
                self._delete(organization, user)
        self._summary(sizes)
        self.report.finish()

    # --- seeding ----------------------------------------------------------------------------------

    def _seed(self, size: int) -> tuple[Organization, User]:
        suffix = secrets.token_hex(3)
        counts = {k: v * size for k, v in BASE.items()}
        with scopes_disabled():
            started = time.perf_counter()
            organization = organization_create(actor=None, name=f"Benchmark BIA {size}x {suffix}",
                                               slug=f"bia-benchmark-{size}x-{suffix}", kind=Organization.Kind.LEGAL_ENTITY)
            establishment = Establishment.objects.create(organization=organization, name="CHU de démonstration",
                                                         finess_ej=luhn_complete("99000001"))
            user = User.objects.create_user(email=f"bia-benchmark-{suffix}@resilis.invalid",
                                            password=secrets.token_urlsafe(16))
            Membership.objects.create(organization=organization, user=user, role=Role.RPCRA)
            seed_large(organization=organization, establishment=establishment, activities=counts["activities"],
                       resources=counts["resources"], dependencies=counts["dependencies"])
        self.report.say(f"\n{size}× — seeded {counts['activities']:,} activities, {counts['resources']:,} resources, "
                        f"{counts['dependencies']:,} dependencies in {time.perf_counter() - started:.1f} s "
                        f"(tables analysed); load {bench.load_average()[0]:.2f}")
        return organization, user

    def _delete(self, organization: Organization, user: User) -> None:
        with scopes_disabled():
            if hasattr(selectors, "analysis_key"):  # not left to expire
                cache.delete(selectors.analysis_key(organization.pk, None))
            organization.delete()
            user.delete()

    # --- the engine -------------------------------------------------------------------------------

    def _measure(self, fn: Callable[[], Any], before: Callable[[], Any] | None = None) -> bench.Stats:
        if not self.budget:
            return bench.measure(fn, runs=self.runs, before=before)
        stats = bench.Stats()
        deadline = time.perf_counter() + self.budget
        while stats.runs < self.runs and (stats.runs < 3 or time.perf_counter() < deadline):
            one = bench.measure(fn, runs=1, before=before, warmup=0)
            stats.wall += one.wall
            stats.cpu += one.cpu
        return stats

    def _engines(self, seeded: list[tuple[int, Organization]]) -> None:
        """The engine at every size, interleaved (one run of each size per round), so that a change of the
        machine's load weighs on all sizes alike and the growth exponents stay comparable."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        # As the pages' cache computes it (with the chains of the single points of failure listed first).
        listed: dict[str, Any] = ({"spof_listed": (selectors.SPOF_LISTED, selectors.SPOF_PATHS_LISTED)}
                                  if hasattr(selectors, "SPOF_LISTED") else {})
        figures = []
        for size, organization in seeded:
            with tenant_scope(organization), CaptureQueriesContext(connection) as ctx:
                graph = selectors.bia_graph(organization=organization)
            analysis = engine.analyse(graph, **listed)
            blob = pickle.dumps(("version", graph, analysis), protocol=pickle.HIGHEST_PROTOCOL)

            def read(organization: Organization = organization) -> None:
                with tenant_scope(organization):
                    selectors.bia_graph(organization=organization)

            def run(graph: engine.Graph = graph) -> None:
                engine.analyse(graph, **listed)

            def load(blob: bytes = blob) -> None:
                pickle.loads(blob)  # noqa: S301 - the bytes it just pickled

            calls: dict[str, Callable[[], Any]] = {"graph_": read, "analyse_": run, "unpickle_": load}
            figures.append(_EngineFigure(size, len(ctx.captured_queries), len(blob), calls,
                                         {k: bench.Stats() for k in calls}))
        for round_ in range(self.runs):
            for figure in figures:
                if self.budget and figure.spent > self.budget and figure.stats["analyse_"].runs >= 3:
                    continue
                started = time.perf_counter()
                for key, call in figure.calls.items():
                    one = bench.measure(call, runs=1, warmup=1 if round_ == 0 else 0)
                    figure.stats[key].wall += one.wall
                    figure.stats[key].cpu += one.cpu
                figure.spent += time.perf_counter() - started
        for figure in figures:
            row: dict[str, Any] = {"kind": "engine", "size": figure.size, "queries": figure.queries,
                                   "payload_bytes": figure.payload}
            for key, stats in figure.stats.items():
                row.update(bench.flatten(key, stats))
            self.report.add(**row)

    # --- the pages --------------------------------------------------------------------------------

    def _urls(self, organization: Organization) -> list[tuple[str, str, str]]:
        with scopes_disabled():
            activity = Activity.objects.filter(organization=organization).order_by("pk").first()
            resource = Resource.objects.filter(organization=organization).order_by("pk").first()
            assert activity is not None and resource is not None, "the seed creates activities and resources"
            # « page 4, filtered »: a search every seeded name matches (300 × size ≥ 4 pages of 50).
            matching = Activity.objects.filter(organization=organization, name__icontains="Activit").count()
        assert matching > 150, "page 4 of the filtered list must exist"
        slug = organization.slug

        def url(name: str, **kwargs: Any) -> str:
            return reverse(name, kwargs={"org_slug": slug, **kwargs})

        pages = [
            ("list", "BIA list", url("bia:activities")),
            ("list-page-4", "BIA list, page 4, filtered", url("bia:activities") + "?q=Activit&page=4"),
            ("activity", "Activity page", url("bia:activity-detail", pk=activity.pk)),
            ("impact-grid", "Questionnaire (impact grid)", url("bia:questionnaire", pk=activity.pk, step=2)),
            ("dependencies", "Questionnaire (dependencies)", url("bia:questionnaire", pk=activity.pk, step=4)),
            # What the step's search field asks while one types (a common prefix: the 20-row limit is hit).
            ("dependencies-search", "Dependencies: resource search", url("bia:resource-search") + "?resource_q=ressource+01"),
            ("map", "Map data (all)", url("bia:map-data")),
            ("map-critical", "Map data (critical)", url("bia:map-data") + "?criticality=critical"),
            ("gaps", "Gap list", url("bia:gaps")),
            ("resources", "Resource list", url("bia:resources")),
            ("resource", "Resource page", url("bia:resource-detail", pk=resource.pk)),
            ("matrix", "Matrix", url("bia:matrix")),
        ]
        return [p for p in pages if not self.wanted or p[0] in self.wanted]

    def _pages(self, size: int, organization: Organization, user: User) -> None:
        with scopes_disabled():
            changed = Resource.objects.filter(organization=organization).order_by("pk")[1]
        state = {"rto": 24}

        def change() -> None:
            """A dependency's promised RTO changes (an update without signals: no worker is asked)."""
            state["rto"] = 48 if state["rto"] == 24 else 24
            with scopes_disabled():
                Resource.objects.filter(pk=changed.pk).update(rto_capability_hours=state["rto"],
                                                             updated_at=timezone.now())

        def worker() -> None:
            """What ``bia.analysis_refresh`` does after a committed write."""
            with tenant_scope(organization):
                refresh = getattr(selectors, "refresh_analysis", None)
                if refresh is not None:
                    refresh(organization=organization)
                else:  # before issue 13: the first reader filled Redis
                    selectors.bia_analysis(organization=organization)

        def clear_memo() -> None:
            with selectors._ANALYSIS_MEMO_LOCK:
                selectors._ANALYSIS_MEMO.clear()

        def cold() -> None:
            change()
            worker()
            clear_memo()

        def cold_no_worker() -> None:
            change()
            clear_memo()

        modes: list[tuple[str, Callable[[], None] | None]] = [
            ("warm", None), ("cold", cold), ("cold, no worker", cold_no_worker)]
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
            client = Client()
            client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
            for key, label, url in self._urls(organization):
                headers = {"Accept-Encoding": "gzip"} if key.startswith("map") else None
                for mode, before in modes:
                    if mode == "cold, no worker" and key not in ANALYSIS_PAGES:
                        continue
                    timing = self._time_page(client, url, before=before, headers=headers)
                    if timing.status != 200:
                        self.stderr.write(f"{label} ({mode}): HTTP {timing.status}")
                    self.report.add(kind="page", page=key, label=label, size=size, mode=mode, queries=timing.queries,
                                    kib=round(timing.size / 1024, 1), **bench.flatten("", timing.stats))

    def _time_page(self, client: Client, url: str, *, before: Callable[[], Any] | None,
                   headers: dict[str, str] | None) -> bench.PageTiming:
        if not self.budget:
            return bench.time_page(client, url, runs=self.runs, before=before, headers=headers)
        deadline = time.perf_counter() + self.budget
        timing = bench.time_page(client, url, runs=3, before=before, headers=headers)
        while timing.stats.runs < self.runs and time.perf_counter() < deadline:
            more = bench.time_page(client, url, runs=1, before=before, headers=headers, warmup=0)
            timing.stats.wall += more.stats.wall
            timing.stats.cpu += more.stats.cpu
            timing.queries = max(timing.queries, more.queries)
        return timing

    # --- the summary ------------------------------------------------------------------------------

    def _summary(self, sizes: list[int]) -> None:
        rows = self.report.rows
        say = self.report.say
        engine_rows = [r for r in rows if r["kind"] == "engine"]
        if engine_rows:
            say("\nEngine (ms; CPU = this process's CPU time)")
            self.report.table(engine_rows, [
                ("size", "size", 4, "d"), ("queries", "queries", 7, "d"),
                ("graph_median_ms", "read median", 11, ".1f"), ("graph_p95_ms", "read p95", 9, ".1f"),
                ("analyse_median_ms", "analyse med", 11, ".1f"), ("analyse_p95_ms", "analyse p95", 11, ".1f"),
                ("analyse_cpu_median_ms", "CPU med", 8, ".1f"), ("analyse_runs", "runs", 5, "d"),
                ("payload_bytes", "payload B", 10, ",d"), ("unpickle_median_ms", "unpickle", 9, ".1f"),
            ])
            for name, key in (("analyse (wall median)", "analyse_median_ms"),
                              ("analyse (CPU median)", "analyse_cpu_median_ms"),
                              ("payload", "payload_bytes"), ("read graph (wall median)", "graph_median_ms")):
                steps = bench.growth((r["size"], r[key]) for r in engine_rows)
                self.report.extra.setdefault("growth", {})[key] = steps
                say(f"growth of {name}: " + "; ".join(
                    f"{s['from']:g}→{s['to']:g}× ratio {s['ratio']} exponent {s['exponent']}" for s in steps))
        page_rows = [r for r in rows if r["kind"] == "page"]
        if page_rows:
            say("\nPages (ms; IQR = p75 − p25; CPU = this process's CPU time; KiB as sent)")
            self.report.table(page_rows, [
                ("label", "page", 30, "s"), ("size", "size", 4, "d"), ("mode", "state", 15, "s"),
                ("runs", "runs", 4, "d"), *bench.stats_columns(), ("queries", "queries", 7, "d"), ("kib", "KiB", 7, ".1f"),
            ])
        self._budgets(engine_rows, page_rows)

    def _budgets(self, engine_rows: list[dict[str, Any]], page_rows: list[dict[str, Any]]) -> None:
        checks = []
        at = {r["size"]: r for r in engine_rows}
        if 4 in at:
            checks.append(("analyse median at 4× ≤ 80 ms (wall)", at[4]["analyse_median_ms"],
                           at[4]["analyse_median_ms"] <= BUDGETS["analyse_ms_at_4"]))
            checks.append(("analyse median at 4× ≤ 80 ms (CPU)", at[4]["analyse_cpu_median_ms"],
                           at[4]["analyse_cpu_median_ms"] <= BUDGETS["analyse_ms_at_4"]))
            checks.append(("payload at 4× ≤ 1 MB", at[4]["payload_bytes"],
                           at[4]["payload_bytes"] <= BUDGETS["payload_bytes_at_4"]))
        if 2 in at and 4 in at:
            for key, what in (("analyse_median_ms", "wall"), ("analyse_cpu_median_ms", "CPU")):
                exponent = bench.growth([(2, at[2][key]), (4, at[4][key])])[0]["exponent"]
                checks.append((f"analyse growth exponent 2×→4× ≤ 1.15 ({what})", exponent,
                               exponent is not None and exponent <= BUDGETS["analyse_exponent_2_to_4"]))
        for row in page_rows:
            if row["size"] == 2 and row["mode"] == "cold" and row["page"] in COLD_BUDGET_PAGES:
                checks.append((f"{row['label']} cold p95 at 2× ≤ 150 ms", row["p95_ms"],
                               row["p95_ms"] <= BUDGETS["cold_p95_ms_at_2"]))
            if row["size"] == 2 and row["mode"] in ("warm", "cold") and row["page"] in DROPDOWN_BUDGET_PAGES:
                checks.append((f"{row['label']} {row['mode']} p95 at 2× ≤ 50 ms", row["p95_ms"],
                               row["p95_ms"] <= BUDGETS["dependencies_p95_ms_at_2"]))
        if checks:
            self.report.say("\nBudgets (issue 13)")
            for label, value, ok in checks:
                self.report.say(f"  {'ok  ' if ok else 'OVER'} {label}: {value}")
        self.report.extra["budgets"] = [{"check": c, "value": v, "ok": ok} for c, v, ok in checks]
