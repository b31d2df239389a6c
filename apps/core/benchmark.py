"""Shared by the benchmark commands (``bia_benchmark``, ``portfolio_benchmark``, ``exports_benchmark``…):
honest timings and one way to print them.

- ``measure(fn, runs=…, before=…)``: ``runs`` timed calls (at least ``MIN_RUNS``, so that the p95 is a
  real percentile and not the maximum); ``before`` runs untimed before each call (a data change, a
  cleared memo: that is how a *cold* figure is taken). Each call records its wall time and the
  process's CPU time: on a shared machine the wall time includes waiting for a core, the CPU time
  does not (both are printed).
- ``Stats``: median, p95 (nearest rank), min, max, interquartile range of the samples.
- ``time_page(client, url, …)``: the same for a page through Django's test client, with the query
  count and the response size.
- ``growth(points)``: for sizes 1×, 2×, 4×…, the ratio between consecutive sizes and the growth
  exponent ``log(t2 / t1) / log(s2 / s1)`` (1 = linear, 2 = quadratic).
- ``Report``: collects rows, prints a table with the load average before and after (``/proc/loadavg``),
  and the same as JSON with ``--json`` (``add_arguments`` declares ``--runs``, ``--sizes``, ``--json``).
- ``seeded_tables_analyzed``: benchmarks call ``apps.core.db.analyze`` after seeding, like the bulk writes.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext

if TYPE_CHECKING:
    from django.test import Client

MIN_RUNS = 40


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1) of ``values``: the smallest value with at least
    ``q`` of the samples at or below it (p95 of 40 samples is the 38th, not the 40th)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Stats:
    """Samples in milliseconds: wall time and CPU time of this process."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return len(self.wall)

    @property
    def median(self) -> float:
        return statistics.median(self.wall) if self.wall else math.nan

    @property
    def p95(self) -> float:
        return percentile(self.wall, 0.95)

    @property
    def minimum(self) -> float:
        return min(self.wall) if self.wall else math.nan

    @property
    def maximum(self) -> float:
        return max(self.wall) if self.wall else math.nan

    @property
    def iqr(self) -> float:
        """Interquartile range (p75 − p25): the spread of the middle half."""
        return percentile(self.wall, 0.75) - percentile(self.wall, 0.25)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else math.nan

    @property
    def cpu_p95(self) -> float:
        return percentile(self.cpu, 0.95)

    def as_dict(self) -> dict[str, Any]:
        return {"runs": self.runs, "median_ms": _round(self.median), "p95_ms": _round(self.p95),
                "min_ms": _round(self.minimum), "max_ms": _round(self.maximum), "iqr_ms": _round(self.iqr),
                "cpu_median_ms": _round(self.cpu_median), "cpu_p95_ms": _round(self.cpu_p95)}


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 2)


def check_runs(runs: int) -> int:
    if runs < MIN_RUNS:
        raise CommandError(f"--runs must be at least {MIN_RUNS} for a p95 that is not the maximum.")
    return runs


def measure(fn: Callable[[], Any], *, runs: int, before: Callable[[], Any] | None = None,
            warmup: int = 1) -> Stats:
    """Time ``fn`` ``runs`` times (after ``warmup`` untimed calls); ``before`` runs untimed before each call."""
    for _ in range(warmup):
        if before is not None:
            before()
        fn()
    stats = Stats()
    for _ in range(runs):
        if before is not None:
            before()
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        stats.cpu.append((time.process_time() - cpu) * 1000)
        stats.wall.append((time.perf_counter() - wall) * 1000)
    return stats


@dataclass
class PageTiming:
    stats: Stats
    queries: int  # the most queries one request made
    size: int  # bytes of the last response body (compressed when it was)
    status: int


def time_page(client: Client, url: str, *, runs: int, before: Callable[[], Any] | None = None,
              headers: dict[str, str] | None = None, warmup: int = 1) -> PageTiming:
    """Time ``runs`` GET requests of ``url`` (server side: middleware, view, templates, database)."""
    for _ in range(warmup):
        if before is not None:
            before()
        client.get(url, headers=headers)
    stats, queries, size, status = Stats(), 0, 0, 200
    for _ in range(runs):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as ctx:
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            stats.cpu.append((time.process_time() - cpu) * 1000)
            stats.wall.append((time.perf_counter() - wall) * 1000)
        queries = max(queries, len(ctx.captured_queries))
        size = len(response.content)
        if response.status_code != 200:
            status = response.status_code
    return PageTiming(stats, queries, size, status)


def growth(points: Iterable[tuple[float, float]]) -> list[dict[str, float | None]]:
    """Between consecutive (size, value) points: the ratio of the values and the growth exponent."""
    ordered = sorted(points)
    out = []
    for (s1, v1), (s2, v2) in zip(ordered, ordered[1:], strict=False):
        ratio = v2 / v1 if v1 and v2 and not (math.isnan(v1) or math.isnan(v2)) else None
        exponent = math.log(ratio) / math.log(s2 / s1) if ratio and s2 != s1 else None
        out.append({"from": s1, "to": s2, "ratio": None if ratio is None else round(ratio, 2),
                    "exponent": None if exponent is None else round(exponent, 2)})
    return out


def load_average() -> tuple[float, float, float]:
    try:
        with open("/proc/loadavg") as f:
            one, five, fifteen = (float(x) for x in f.read().split()[:3])
        return one, five, fifteen
    except OSError:
        return os.getloadavg()


def add_arguments(parser: CommandParser, *, runs: int = MIN_RUNS, sizes: str | None = "1,2,4") -> None:
    parser.add_argument("--runs", type=int, default=runs, help=f"timed runs per figure (at least {MIN_RUNS})")
    if sizes is not None:
        parser.add_argument("--sizes", default=sizes, help="size multipliers, comma-separated (default %(default)s)")
    parser.add_argument("--json", nargs="?", const="-", default=None, metavar="FILE",
                        help="also write the results as JSON to FILE (to standard output with no FILE)")


def parse_sizes(value: str) -> list[int]:
    try:
        sizes = sorted({int(x) for x in value.split(",") if x.strip()})
    except ValueError as error:
        raise CommandError("--sizes takes integers, e.g. 1,2,4") from error
    if not sizes or sizes[0] < 1:
        raise CommandError("--sizes takes integers ≥ 1, e.g. 1,2,4")
    return sizes


class Report:
    """Rows of results, printed as a table (``columns``: key, heading, width, format) and as JSON."""

    def __init__(self, command: BaseCommand, name: str, *, json_path: str | None = None) -> None:
        self.command, self.name, self.json_path = command, name, json_path
        self.rows: list[dict[str, Any]] = []
        self.extra: dict[str, Any] = {}
        self.load_start = load_average()
        self.started = time.time()
        self.say(f"{name} — load average at start {self._load(self.load_start)} "
                 f"({os.cpu_count()} cores; the machine may be shared: CPU ms exclude waiting for a core)")

    @staticmethod
    def _load(load: tuple[float, float, float]) -> str:
        return " ".join(f"{x:.2f}" for x in load)

    def say(self, text: str) -> None:
        # With ``--json`` to standard output, the human-readable lines go to standard error.
        stream = self.command.stderr if self.json_path == "-" else self.command.stdout
        stream.write(text)

    def add(self, **row: Any) -> dict[str, Any]:
        self.rows.append(row)
        return row

    def table(self, rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str, int, str]]) -> None:
        self.say("  ".join(f"{heading:>{width}}" if i else f"{heading:<{width}}"
                           for i, (_key, heading, width, _fmt) in enumerate(columns)))
        for row in rows:
            cells = []
            for i, (key, _heading, width, fmt) in enumerate(columns):
                value = row.get(key)
                text = "—" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, fmt)
                cells.append(f"{text:>{width}}" if i else f"{text:<{width}}")
            self.say("  ".join(cells))

    def finish(self) -> dict[str, Any]:
        load_end = load_average()
        self.say(f"load average at end {self._load(load_end)}; {time.time() - self.started:.0f} s")
        result = {"benchmark": self.name, "load_average_start": self.load_start, "load_average_end": load_end,
                  "cpu_count": os.cpu_count(), "rows": self.rows, **self.extra}
        if self.json_path == "-":
            sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
        elif self.json_path:
            with open(self.json_path, "w") as f:
                json.dump(result, f, indent=2, default=str)
            self.say(f"JSON written to {self.json_path}")
        return result


def stats_columns(prefix: str = "") -> list[tuple[str, str, int, str]]:
    """Table columns for a row holding ``Stats.as_dict()`` under ``prefix``."""
    return [(f"{prefix}median_ms", "median", 8, ".1f"), (f"{prefix}p95_ms", "p95", 8, ".1f"),
            (f"{prefix}iqr_ms", "IQR", 6, ".1f"), (f"{prefix}max_ms", "max", 8, ".1f"),
            (f"{prefix}cpu_median_ms", "CPU med", 8, ".1f")]


def flatten(prefix: str, stats: Stats) -> dict[str, Any]:
    return {f"{prefix}{k}": v for k, v in stats.as_dict().items()}


def time_pages(command: BaseCommand, *, user: Any, pages: Iterable[tuple[str, str]], runs: int) -> None:
    """Warm figures only, one table (kept for callers of the first version; prefer ``time_page``)."""
    from django.test import Client, override_settings

    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        command.stdout.write(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KiB':>7}")
        for label, url in pages:
            timing = time_page(client, url, runs=runs)
            if timing.status != 200:
                command.stderr.write(f"{label}: HTTP {timing.status}")
            command.stdout.write(f"{label:32} {timing.stats.median:10.1f} {timing.stats.p95:8.1f} {timing.queries:8d} "
                                 f"{timing.size / 1024:7.1f}")
