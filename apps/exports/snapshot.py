"""One reading of the organization's state per export job, shared by every section and sheet.

The dossier and the workbook print the same computed facts in several places: the requirement statuses (every
check of the catalogue) in « Exigences CaRE » and « Synthèse des exigences », the BIA engine's analysis in the
BIA synthesis, the needs-vs-capabilities table, the backups and the action sources. Computing them once per
job keeps the export close to the cost of writing it (``exports_benchmark``: the workbook ≤ 2× a raw openpyxl
script) and makes every part of one document print the same snapshot, even if the data changes meanwhile.

    with export_snapshot():          # render_dossier / render_workbook (nested calls share the outer one)
        rows = memo("requirements", lambda: selectors.requirement_rows(organization=organization))

Outside an export (a page, a test) ``memo`` simply calls the factory: nothing is kept.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.utils import translation

T = TypeVar("T")

_SNAPSHOT: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar("export_snapshot", default=None)


@contextmanager
def export_snapshot() -> Iterator[dict[Any, Any]]:
    """Open the job's snapshot (or join the one already open)."""
    current = _SNAPSHOT.get()
    if current is not None:
        yield current
        return
    store: dict[Any, Any] = {}
    token = _SNAPSHOT.set(store)
    try:
        yield store
    finally:
        _SNAPSHOT.reset(token)


def memo(key: Any, factory: Callable[[], T]) -> T:
    """``factory()`` once per open snapshot, per key and language (texts of checks are translated)."""
    store = _SNAPSHOT.get()
    if store is None:
        return factory()
    full_key = (key, translation.get_language())
    if full_key not in store:
        store[full_key] = factory()
    return store[full_key]  # type: ignore[no-any-return]


def active() -> bool:
    return _SNAPSHOT.get() is not None
