"""The main courante: one time-stamped log mechanism, for exercise runs now and for a real crisis later.

A main courante is the record of what happened and what was decided, from the first minute (DOMAIN.md §11).
It must never lose an entry, even when the hospital's network drops during a crisis. The pieces:

- ``LogEntryBase``: the abstract row. A concrete log adds its parent (``exercise``, ``crisis``…) and links.
  Each entry carries an **idempotency key** chosen by the browser when the entry is typed: sending it twice
  (a retry after a dropped answer, a queue flushed from two tabs) records it once.
- ``log_entry_record``: the one service that writes an entry (validated, idempotent, race-safe).
- ``LogEntryCreateMixin``: the POST endpoint of a log (a view mixin). It answers the entry's HTML fragment
  (``core/logbook/_entry.html``) to the script, and redirects a plain form post (no JavaScript).
- ``templates/core/logbook/``: ``_quick_entry.html`` (one field + Enter, options folded), ``_entries.html``
  (the list, newest first), ``_entry.html`` (one entry).
- ``static/js/logbook.js``: every entry typed is put in a queue kept in ``localStorage`` (per log), sent at
  once, kept when the network is down, and sent again when the browser fires ``online`` (and every few seconds
  while anything waits). A refusal (4xx) is shown and dropped; only network failures and 5xx are retried.
  No inline script: the form carries its configuration in ``data-`` attributes (CSP ``script-src 'self'``).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.models import TenantModel

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Organization

TEXT_MAX = 2000
# An entry typed offline may reach the server late; older than this it is refused (a clock gone wrong).
MAX_DELAY = datetime.timedelta(days=7)
# The browser's clock may be a little ahead of the server's.
MAX_AHEAD = datetime.timedelta(minutes=10)


class LogEntryBase(TenantModel):
    """One line of a main courante. Concrete logs add their parent and links (see the module docstring)."""

    class Kind(models.TextChoices):
        EVENT = "event", gettext_lazy("Event")
        DECISION = "decision", gettext_lazy("Decision")
        OBSERVATION = "observation", gettext_lazy("Observation")
        STIMULUS = "stimulus", gettext_lazy("Stimulus sent")
        MEASURE = "measure", gettext_lazy("Measure")
        MILESTONE = "milestone", gettext_lazy("Milestone")

    key = models.UUIDField(gettext_lazy("idempotency key"), default=uuid.uuid4, editable=False)
    occurred_at = models.DateTimeField(gettext_lazy("time"), db_index=True)
    kind = models.CharField(gettext_lazy("kind"), max_length=12, choices=Kind.choices, default=Kind.EVENT)
    who = models.CharField(gettext_lazy("who"), max_length=150, blank=True,
                           help_text=gettext_lazy("Who acted or decided (a function, a name)."))
    text = models.TextField(gettext_lazy("what"), max_length=TEXT_MAX)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=gettext_lazy("typed by"))

    class Meta:
        abstract = True
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="%(app_label)s_%(class)s_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%H:%M} {self.text[:60]}"

    @property
    def author_name(self) -> str:
        return (self.author.get_full_name() or self.author.email) if self.author_id and self.author else ""


E = TypeVar("E", bound=LogEntryBase)


def offset_label(moment: datetime.datetime, origin: datetime.datetime | None) -> str:
    """« T+01:05 » (hours:minutes since ``origin``, e.g. DEBEX); « T-00:03 » before it; empty without an origin."""
    if origin is None:
        return ""
    seconds = int((moment - origin).total_seconds())
    minutes = abs(seconds) // 60
    return f"T{'+' if seconds >= 0 else '-'}{minutes // 60:02d}:{minutes % 60:02d}"


def prepare_entries(entries: list[E], *, origin: datetime.datetime | None = None) -> list[E]:
    """Format each entry's times once in Python (``clock``, ``iso``, ``offset``) for the templates: a main
    courante of hundreds of lines renders without a date filter per line."""
    zone = timezone.get_current_timezone()
    for entry in entries:
        local = entry.occurred_at.astimezone(zone)
        entry.clock, entry.iso = local.strftime("%H:%M"), local.isoformat()  # type: ignore[attr-defined]
        entry.offset = offset_label(entry.occurred_at, origin)  # type: ignore[attr-defined]
    return entries


def parse_key(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def parse_occurred_at(value: Any) -> datetime.datetime | None:
    """An ISO 8601 time from the browser (``2026-10-14T08:03:12.000Z``); naive times are the server's zone."""
    if not value:
        return None
    try:
        parsed = parse_datetime(str(value))
    except ValueError:
        return None
    if parsed is None:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def log_entry_record(*, model: type[E], organization: Organization, actor: User | None, parent: dict[str, Any],
                     text: str, key: uuid.UUID | None = None, kind: str = LogEntryBase.Kind.EVENT, who: str = "",
                     occurred_at: datetime.datetime | None = None, links: dict[str, Any] | None = None,
                     now: datetime.datetime | None = None) -> tuple[E, bool]:
    """Write one entry of a main courante; returns it and whether it was created.

    Idempotent on ``key``: an entry already recorded under this key (a resend) is returned as it is, never
    written twice — even when two sends race (the unique constraint decides, the loser reads the winner). A key
    already used by another log of the organization is refused. ``occurred_at`` is when it happened (the
    browser's clock for an entry typed offline), at most ``MAX_DELAY`` ago and ``MAX_AHEAD`` ahead.
    """
    key = key or uuid.uuid4()
    existing = model.objects.filter(organization=organization, key=key).first()
    if existing is not None:
        if any(getattr(existing, f"{name}_id", getattr(existing, name, None)) != getattr(value, "pk", value)
               for name, value in parent.items()):
            raise ValidationError(_("This entry was already recorded in another log."))
        return existing, False
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Type what happened.")})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": _("An entry holds at most %(max)s characters.") % {"max": TEXT_MAX}})
    now = now or timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + MAX_AHEAD:
        raise ValidationError({"occurred_at": _("This time is in the future: check the device's clock.")})
    if occurred_at < now - MAX_DELAY:
        raise ValidationError({"occurred_at": _("This entry is more than 7 days old: it cannot be added to the "
                                                "log any more.")})
    entry = model(organization=organization, key=key, text=text, kind=kind, who=(who or "").strip()[:150],
                  occurred_at=occurred_at, author=actor if getattr(actor, "is_authenticated", False) else None,
                  **parent, **(links or {}))
    entry.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # The same key sent twice at once: the other request recorded it.
        winner = model.objects.filter(organization=organization, key=key).first()
        if winner is None:
            raise
        return winner, False
    return entry, True


class LogEntryCreateMixin:
    """POST endpoint of a main courante (in front of an ``OrgViewMixin`` view).

    Subclasses give ``entry_model``, ``entry_template`` (defaults to the shared fragment) and implement
    ``log_parent()`` (the parent's fields, after the access checks), ``log_links(post)`` (validated links:
    stimulus, objective…) and ``log_redirect_url()``. A script (``X-Requested-With: fetch``) gets the entry's
    HTML (201 created, 200 already there) or the error as text (400); a plain form post is redirected.
    """

    http_method_names: Sequence[str] = ["post"]
    entry_model: type[LogEntryBase]
    entry_template = "core/logbook/_entry.html"
    organization: Organization  # set by OrgViewMixin
    user: User
    request: HttpRequest

    def log_parent(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def log_links(self, post: Any) -> dict[str, Any]:
        return {}

    def log_redirect_url(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def log_entry_context(self, entry: LogEntryBase) -> dict[str, Any]:
        return {"entry": prepare_entries([entry])[0]}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.contrib import messages

        scripted = request.headers.get("X-Requested-With") == "fetch"
        try:
            parent = self.log_parent()
            post = request.POST
            kind = post.get("kind") or LogEntryBase.Kind.EVENT
            if kind not in LogEntryBase.Kind.values:
                raise ValidationError({"kind": _("Unknown kind of entry.")})
            entry, created = log_entry_record(
                model=self.entry_model, organization=self.organization, actor=self.user, parent=parent,
                text=post.get("text", ""), key=parse_key(post.get("key")), kind=kind, who=post.get("who", ""),
                occurred_at=parse_occurred_at(post.get("occurred_at")), links=self.log_links(post))
        except ValidationError as error:
            message = " ".join(error.messages)
            if scripted:
                return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
            messages.error(request, message)
            return HttpResponseRedirect(self.log_redirect_url())
        if scripted:
            html = render_to_string(self.entry_template, self.log_entry_context(entry), request=request)
            return HttpResponse(html, status=201 if created else 200)
        return HttpResponseRedirect(self.log_redirect_url())
