"""Celery application.

Two workers (``docker-compose.yml``, ``resilis/devserver.py``):

- ``celery -A resilis worker -Q default``: every task but the export rendering;
- ``celery -A resilis worker -Q exports --concurrency 1 --niceness 19``: the PDF dossier and XLSX workbook
  (``CELERY_TASK_ROUTES``), one at a time, at the lowest CPU priority so that rendering never slows the pages.

``--niceness N`` is Resilis's own worker option (below): the worker's main process lowers its priority to the
Unix nice value N before it forks its pool, so every process of that worker runs at N; at 19, on Linux, it
also enters the ``SCHED_IDLE`` policy and keeps to one CPU (``lower_priority``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import click
from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilis.settings")

logger = logging.getLogger(__name__)

app = Celery("resilis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.user_options["worker"].add(click.Option(
    ("--niceness",), type=click.IntRange(0, 19), default=0, show_default=True,
    help="Run this worker at a lower CPU priority (Unix nice value 0-19); the exports worker uses 19.",
))


def lower_priority(niceness: int) -> int:
    """Raise this process's nice value to ``niceness`` (never lowers it: that needs privileges). Returns it.

    With Linux autogroups (``/proc/sys/kernel/sched_autogroup_enabled``), the nice value only orders the processes
    of one session; sessions share the CPU as equals. A worker that leads its own session (started with ``setsid``,
    from a terminal of its own, by some service managers) therefore lowers its session's group as well. It is
    never done for a worker sharing a session (the dev runner's), whose group holds the web server too. In a
    container, the cgroup's CPU weight decides between containers instead (``cpu_shares`` in docker-compose.yml).
    """
    current = os.nice(0)
    if niceness > current:
        current = os.nice(niceness - current)
    if niceness >= 19 and hasattr(os, "SCHED_IDLE"):
        # The lowest nice value still gets a share of a busy CPU and delays a waking web thread; SCHED_IDLE (Linux;
        # no privilege needed to enter it) runs the process only on a CPU that nothing else wants.
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError:
            logger.info("could not switch to SCHED_IDLE", exc_info=True)
        # And on one CPU only (the last one this process may use): its caches stay on that core, the others'
        # stay the web's.
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        if len(cpus) > 1:
            os.sched_setaffinity(0, {cpus[-1]})
    autogroup = Path("/proc/self/autogroup")
    if os.getsid(0) == os.getpid() and autogroup.exists():
        try:
            autogroup.write_text(str(niceness))
        except OSError:
            logger.info("could not lower the autogroup's priority", exc_info=True)
    return current


class Niceness(bootsteps.Step):
    """``--niceness N``: applied while the worker is built, before the pool forks (children inherit it)."""

    def __init__(self, parent: Any, niceness: int = 0, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        if niceness:
            logger.info("worker CPU priority: nice %s", lower_priority(niceness))


app.steps["worker"].add(Niceness)
