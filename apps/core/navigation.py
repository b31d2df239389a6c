"""The CaRE journey's stages, registered by each app in its ``AppConfig.ready``.

The base layout draws the navigation from this registry and the journey page (governance issue)
adds each stage's progress, so a new app plugs in without editing a central list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from apps.tenants.models import Organization


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
