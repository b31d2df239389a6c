"""Shared by the benchmark commands: time pages through Django's test client, print a table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

if TYPE_CHECKING:
    from apps.accounts.models import User


def time_pages(command: BaseCommand, *, user: User, pages: Iterable[tuple[str, str]], runs: int) -> None:
    """For each (label, url): one warm-up, then ``runs`` requests as ``user`` (DEBUG off); prints the
    median and p95 server time (middleware, view, templates, database), queries and response size."""
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        command.stdout.write(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KiB':>7}")
        for label, url in pages:
            client.get(url)  # warm-up
            timings, queries, size = [], 0, 0
            for _run in range(runs):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                queries, size = len(ctx.captured_queries), len(response.content)
                if response.status_code != 200:
                    command.stderr.write(f"{label}: HTTP {response.status_code}")
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
            command.stdout.write(f"{label:32} {statistics.median(timings):10.1f} {p95:8.1f} {queries:8d} "
                                 f"{size / 1024:7.1f}")
