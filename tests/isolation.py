"""Support for the isolation matrix (tests/test_isolation.py).

Every URL under ``/o/<org_slug>/`` is found by walking the URLconf. A URL with more arguments than
``org_slug`` needs a *kwargs factory*: a function that creates an object in a given organization
and returns the URL's remaining kwargs. Each app declares its factories in
``tests/<app>/isolation.py`` as ``URL_KWARGS = {"app:url-name": factory}``; the matrix refuses a
tenant URL that has none, so a new view cannot escape the matrix. Inside ``tests.establishments.objects_in``
the factories create their objects in the given establishment; a URL whose object belongs to no
establishment is listed in the app's ``ORG_WIDE``, every other one is checked on the establishment axis.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

import tests


@dataclass(frozen=True)
class TenantURL:
    name: str  # namespaced, e.g. "tenants:member-update"
    route: str
    callback: Any
    kwargs: tuple[str, ...]  # URL arguments besides org_slug

    @property
    def capability(self) -> str | None:
        view_class = getattr(self.callback, "view_class", None)
        if view_class is not None:
            return getattr(view_class, "capability", None)
        return getattr(self.callback, "capability", None)

    @property
    def methods(self) -> list[str]:
        view_class = getattr(self.callback, "view_class", None)
        allowed = getattr(view_class, "http_method_names", ["get", "post"]) if view_class else ["get", "post"]
        return [m for m in ("get", "post") if m in allowed and (view_class is None or hasattr(view_class, m))]

    def __str__(self) -> str:
        return self.name


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str, Any]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            found.append((name, prefix + str(entry.pattern), entry.callback))
    return found


def tenant_urls() -> list[TenantURL]:
    import re

    result = []
    for name, route, callback in _walk(get_resolver().url_patterns):
        if "<slug:org_slug>" not in route:
            continue
        params = tuple(p for p in re.findall(r"<(?:\w+:)?(\w+)>", route) if p != "org_slug")
        result.append(TenantURL(name=name, route=route, callback=callback, kwargs=params))
    return sorted(result, key=lambda u: u.name)


def _isolation_modules() -> Iterator[Any]:
    for module_info in pkgutil.iter_modules(tests.__path__):
        if not module_info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{module_info.name}.isolation")
        except ModuleNotFoundError as error:
            if error.name == f"tests.{module_info.name}.isolation":
                continue
            raise
        yield module


def kwargs_factories() -> dict[str, Callable[[Any], dict[str, Any]]]:
    registry: dict[str, Callable[[Any], dict[str, Any]]] = {}
    for module in _isolation_modules():
        registry.update(getattr(module, "URL_KWARGS", {}))
    return registry


def org_wide_urls() -> set[str]:
    """URLs whose object belongs to no establishment (each app's ``ORG_WIDE``); every other URL with
    objects is checked on the establishment axis (tests/test_isolation_establishments.py)."""
    names: set[str] = set()
    for module in _isolation_modules():
        names |= set(getattr(module, "ORG_WIDE", set()))
    return names


def whole_organization_urls() -> set[str]:
    """URLs that hold the whole organization's data (each app's ``WHOLE_ORGANIZATION``, e.g. the signed
    declaration's files): a member limited to some establishments gets 403 there, never the content."""
    names: set[str] = set()
    for module in _isolation_modules():
        names |= set(getattr(module, "WHOLE_ORGANIZATION", set()))
    return names
