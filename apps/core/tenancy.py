"""The establishment limit inside an organization: one mechanism, under every query and every write.

A member of a GHT may be limited to some of its establishments (separate legal entities). The
limit is part of the tenant scope, like the organization itself:

- ``tenant_scope(organization, establishments=ids)`` enters django-scopes' scope with the
  organization *and* the allowed establishment ids (``None`` = every establishment). The tenant
  middleware opens it for every ``/o/<slug>/`` request from ``Membership.allowed_establishment_ids``
  (resolved once per request); ``apps.core.tasks.TenantTask`` opens it for tasks (an export asked by a
  limited member renders only their establishments).
- Establishment-bound models declare ``objects = limited_manager(visible=…, writable=…)``: inside a
  limited scope their default manager only returns the rows the limit allows, so list pages, JSON,
  history look-ups (404 outside), form choices and exports all obey it without the view doing anything.
  Outside a scope the organization dimension still fails loudly (django-scopes).
- Writes are guarded by signals (``install_write_guard``, called once from ``CoreConfig.ready``): in a
  limited scope, saving or deleting a row that is not *writable* raises ``EstablishmentLimitError``
  (403 with a French message) and the service's transaction rolls back. ``writable`` is stricter than
  ``visible`` where a row spans several establishments (a plan over two establishments is read-only for
  a member allowed on one).

Aggregates computed for the whole organization by the system (portfolio summaries) run in
``tenant_scope(organization)`` without a limit; caches keyed by the organization must never be filled
from a limited scope (``apps.bia.selectors.bia_analysis`` adds the allowed ids to its key).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save, pre_delete, pre_save
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager, scope
from django_scopes.manager import DisabledQuerySet
from django_scopes.state import get_scope

if TYPE_CHECKING:
    from apps.tenants.models import Organization

ESTABLISHMENTS = "establishments"  # the key of the limit in django-scopes' state

Limit = Callable[[frozenset[int]], Q]


class EstablishmentLimitError(PermissionDenied):
    """A write that touches an establishment the member may not change."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or str(_(
            "This belongs to an establishment you do not have access to: nothing was changed.")))


@contextmanager
def tenant_scope(organization: Organization, *, establishments: Collection[int] | None = None) -> Iterator[None]:
    """The organization's scope, limited to ``establishments`` when given (``None``: all of them)."""
    limit = None if establishments is None else frozenset(establishments)
    with scope(organization=organization, **{ESTABLISHMENTS: limit}):
        yield


def allowed_establishments(state: dict[str, Any] | None = None) -> frozenset[int] | None:
    """The ids the current scope allows, or ``None`` when nothing limits it (no limit, scopes disabled)."""
    state = get_scope() if state is None else state
    if not state.get("_enabled", True):
        return None
    return state.get(ESTABLISHMENTS)


def is_limited() -> bool:
    return allowed_establishments() is not None


def establishment_allowed(establishment_id: int | None) -> bool:
    """Whether the current scope may see (and change) rows of this establishment."""
    ids = allowed_establishments()
    return ids is None or establishment_id in ids


# --- The manager ---------------------------------------------------------------------------------

_M = TypeVar("_M", bound=models.Model)
_Self = TypeVar("_Self")

if TYPE_CHECKING:
    class _ScopedBase(models.Manager[_M]):
        """What ``django_scopes.ScopedManager(organization=…)`` builds at run time (a class local to it)."""

        def with_scope(self: _Self, **scope: Any) -> _Self: ...
        def with_scopes_disabled(self: _Self) -> _Self: ...
else:
    _ScopedBase = type(ScopedManager(organization="organization"))


class OrganizationManager(_ScopedBase[_M]):
    """django-scopes' manager on the organization dimension (``TenantModel.objects``), as a named class
    so that mypy's Django plugin can resolve the managers of the models (the class ``ScopedManager`` builds
    is local to that function)."""


class EstablishmentLimit:
    """How a model's rows relate to establishments: which rows a limit lets one read, and change."""

    def __init__(self, visible: Limit, writable: Limit | None = None) -> None:
        self.visible = visible
        self.writable = writable or visible


class LimitedManager(OrganizationManager[_M]):
    """django-scopes' organization manager, narrowed to the allowed establishments when the scope has a limit."""

    # Set on the subclass each model gets (related managers subclass it and call __init__() bare).
    limit: EstablishmentLimit

    def deconstruct(self) -> tuple[bool, str | None, str | None, tuple[Any, ...], dict[str, Any]]:
        # Managers are not used in migrations; keep makemigrations from trying to serialise the callables.
        return False, "django.db.models.Manager", None, (), {}

    def _current_limit(self) -> frozenset[int] | None:
        override = getattr(self, "_override_scope", None)
        return allowed_establishments(override if override is not None else None)

    def get_queryset(self) -> models.QuerySet[Any]:
        qs = super().get_queryset()
        ids = self._current_limit()
        if ids is None or isinstance(qs, DisabledQuerySet):
            return qs
        return qs.filter(self.limit.visible(ids))

    def writable(self) -> models.QuerySet[Any]:
        """The rows the current scope may change (a subset of what it sees)."""
        qs = self.get_queryset()
        ids = self._current_limit()
        if ids is None or isinstance(qs, DisabledQuerySet):
            return qs
        return qs.filter(self.limit.writable(ids))


def limited_manager(visible: Limit, writable: Limit | None = None) -> LimitedManager[Any]:
    """The default manager of an establishment-bound model (see the module docstring)."""
    return _manager_for(EstablishmentLimit(visible, writable))


def _manager_for(limit: EstablishmentLimit) -> LimitedManager[Any]:
    # Keeps the name: mypy's Django plugin resolves a model's manager by its class's module and name.
    manager_class: type[LimitedManager[Any]] = type("LimitedManager", (LimitedManager,), {"limit": limit})
    return manager_class()


def model_limit(model: type[models.Model]) -> EstablishmentLimit | None:
    manager = model._default_manager
    return manager.limit if isinstance(manager, LimitedManager) else None


# Common limits, by the path from the model to its establishment.

def by_establishment(path: str = "establishment") -> Limit:
    """Rows of one establishment (``path`` leads to its id)."""
    return lambda ids: Q(**{f"{path}__in": ids})


def shared_or_establishment(path: str = "establishment") -> Limit:
    """Rows of one establishment, or shared by the whole organization when ``path`` is empty."""
    return lambda ids: Q(**{f"{path}__isnull": True}) | Q(**{f"{path}__in": ids})


def all_of(*limits: Limit) -> Limit:
    def combined(ids: frozenset[int]) -> Q:
        q = Q()
        for limit in limits:
            q &= limit(ids)
        return q

    return combined


def visible_ids(model_label: str, *, writable: bool = False) -> Callable[[frozenset[int]], Any]:
    """A subquery of the pks of another limited model that the same limit allows (e.g. a plan's children)."""

    def ids_of(ids: frozenset[int]) -> Any:
        from django.apps import apps

        model = apps.get_model(model_label)
        limit = model_limit(model)
        assert limit is not None, f"{model_label} has no establishment limit"
        condition = limit.writable(ids) if writable else limit.visible(ids)
        return model._base_manager.filter(condition).values("pk")

    return ids_of


def through(path: str, model_label: str) -> EstablishmentLimit:
    """Children of a limited parent (``path`` is the foreign key): visible and writable like the parent."""
    return EstablishmentLimit(
        visible=lambda ids: Q(**{f"{path}__in": visible_ids(model_label)(ids)}),
        writable=lambda ids: Q(**{f"{path}__in": visible_ids(model_label, writable=True)(ids)}),
    )


def child_manager(path: str, model_label: str, *extra: Limit) -> LimitedManager[Any]:
    """The manager of a child row: the parent's limit, plus ``extra`` conditions (its own establishment links)."""
    parent = through(path, model_label)
    return _manager_for(EstablishmentLimit(
        visible=all_of(parent.visible, *extra), writable=all_of(parent.writable, *extra)))


# --- The write guard -----------------------------------------------------------------------------

def _check_writable(model: type[models.Model], pk: Any) -> None:
    ids = allowed_establishments()
    limit = model_limit(model)
    if ids is None or limit is None or pk is None:
        return
    if not model._base_manager.filter(limit.writable(ids)).filter(pk=pk).exists():
        raise EstablishmentLimitError


def _before_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if not raw and not instance._state.adding:
        _check_writable(sender, instance.pk)


def _after_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    # Covers creations and moves to another establishment; the service's transaction rolls back.
    if not raw:
        _check_writable(sender, instance.pk)


def _before_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    _check_writable(sender, instance.pk)


def install_write_guard() -> None:
    """Connect the guard to every establishment-bound model (``CoreConfig.ready``)."""
    from django.apps import apps

    for model in apps.get_models():
        if model_limit(model) is None:
            continue
        uid = f"establishment-limit:{model._meta.label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}:pre_save")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}:post_save")
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=f"{uid}:pre_delete")
