"""Read the e-mails a real Celery worker sent: outside production it writes them to its output
(console backend), line by line through Celery's stdout redirection, which we parse back."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from tests.exports.conftest import Worker

_PREFIX = re.compile(r"^\[[^\]]*\] ")  # "[2026-12-01 20:00:00,000: WARNING/ForkPoolWorker-1] "
_SEPARATOR = "-" * 79  # the console backend's line after each message


def worker_mails(worker: Worker) -> list[EmailMessage]:
    """Every e-mail in the worker's whole log, decoded (subject, recipients, text body)."""
    text = worker.log.read_text(errors="replace") if worker.log.exists() else ""
    lines = [_PREFIX.sub("", line) for line in text.splitlines()]
    mails, current, inside = [], [], False
    for line in lines:
        if line.startswith("Content-Type: ") and not inside:
            inside, current = True, [line]
        elif inside and line == _SEPARATOR:
            mails.append(message_from_bytes("\n".join(current).encode(), policy=policy.default))
            inside = False
        elif inside:
            current.append(line)
    return mails  # type: ignore[return-value]


def body(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


@contextmanager
def mail_worker(setting: str, settings: Any, tmp_path: Path) -> Iterator[Worker]:
    """A real worker on a private queue put in ``settings.<setting>`` (``MAIL_QUEUE``, ``CAMPAIGN_QUEUE``),
    ready to take tasks; stopped, and its queue deleted, afterwards."""
    from resilis.celery import app

    queue = f"{setting.lower()}-test-{uuid.uuid4().hex[:8]}"
    setattr(settings, setting, queue)
    worker = Worker(queue, Path(settings.MEDIA_ROOT), tmp_path / f"{queue}.log")
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
