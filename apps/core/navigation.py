"""The CaRE journey's stages, registered by each app in its ``AppConfig.ready``.

The base layout draws the navigation from this registry and the journey page (governance issue)
adds each stage's progress, so a new app plugs in without editing a central list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.utils.functional import Promise

if TYPE_CHECKING:
    from apps.tenants.models import Membership, Organization


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url_name: str
    capability: str


@dataclass(frozen=True)
class Stage:
    key: str
    order: int
    label: str | Promise
    capability: str
    links: tuple[NavLink, ...] = ()
    # progress(organization) -> dict(percent=int, missing=[…], next_action=(label, url) | None)
    progress: Callable[[Organization], dict[str, Any]] | None = field(default=None, compare=False)
    description: str | Promise = ""


_STAGES: dict[str, Stage] = {}


def register_stage(stage: Stage) -> None:
    _STAGES[stage.key] = stage


def stages() -> list[Stage]:
    return sorted(_STAGES.values(), key=lambda s: s.order)


# --- Which links a member may follow: one rule for the navigation, the journey and the homes ------------------

@lru_cache(maxsize=1)
def _view_capabilities() -> dict[str, str | None]:
    """Namespaced URL name → the capability its view declares (``OrgViewMixin.capability``)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, str | None] = {}

    def walk(patterns: list[Any], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (
                    entry.namespace or namespace)
                walk(entry.url_patterns, ns or "")
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                view_class = getattr(entry.callback, "view_class", None)
                found.setdefault(name, getattr(view_class or entry.callback, "capability", None))

    walk(get_resolver().url_patterns, "")
    return found


def view_capability(url_name: str) -> str | None:
    """The capability the target view of ``url_name`` declares (None: unknown name or no declaration)."""
    return _view_capabilities().get(url_name)


def link_allowed(membership: Membership | None, url_name: str, capability: str | None = None) -> bool:
    """May this member follow a link to ``url_name``? Both the capability declared next to the link (if any)
    and the one the target view declares must be held, so a link never leads to a 403."""
    if membership is None:
        return False
    return capabilities_allow(membership.capabilities, url_name, capability)


def url_allowed(membership: Membership | None, url: str) -> bool:
    """``link_allowed`` for a URL already built (an action's source page): the view it resolves to decides."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    return link_allowed(membership, match.view_name)


def capabilities_allow(capabilities: frozenset[str], url_name: str, capability: str | None = None) -> bool:
    """``link_allowed`` for a set of capabilities (a role's: ``apps.tenants.roles.capabilities_for``)."""
    needed = [c for c in (capability, view_capability(url_name)) if c]
    if not needed:
        return False  # a link whose target declares nothing is not shown (unknown or not a tenant page)
    return all(c in capabilities for c in needed)
