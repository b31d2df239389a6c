from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django import template
from django.urls import reverse
from django.utils.translation import get_language

from apps.core.navigation import capabilities_allow, link_allowed, stages, url_allowed
from apps.tenants.roles import capabilities_for

if TYPE_CHECKING:
    from apps.tenants.models import Membership

register = template.Library()


@register.simple_tag(takes_context=True)
def org_url(context: dict[str, Any], url_name: str, *args: Any, **kwargs: Any) -> str:
    """``{% org_url 'tenants:members' %}`` → /o/<current org>/…"""
    organization = context["request"].organization
    return reverse(url_name, kwargs={"org_slug": organization.slug, **kwargs}, args=args or None) if not args else reverse(
        url_name, args=[organization.slug, *args]
    )


@register.simple_tag(takes_context=True)
def nav_stages(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The journey's stages and links the current member may open (computed once per organization, role and
    language: capabilities follow from the role, ``apps.tenants.roles``)."""
    request = context["request"]
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    current = context.get("nav_stage")
    return [{"key": key, "label": label, "links": [{"label": text, "url": url} for text, url in links],
             "current": key == current}
            for key, label, links in _stages_for(request.organization.slug, membership.role, get_language())]


@lru_cache(maxsize=4096)
def _stages_for(slug: str, role: str, language: str | None) -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]:
    capabilities = capabilities_for(role)
    result = []
    for stage in stages():
        if stage.capability not in capabilities:
            continue
        links = tuple((str(link.label), reverse(link.url_name, kwargs={"org_slug": slug})) for link in stage.links
                      if capabilities_allow(capabilities, link.url_name, link.capability))
        if links:  # a heading with nothing under it helps nobody
            result.append((stage.key, str(stage.label), links))
    return tuple(result)


@register.filter
def may_open(membership: Membership | None, url_name: str) -> bool:
    """``{% if membership|may_open:"bia:activity-detail" %}``: a link is drawn only when its page would open
    (``apps.core.navigation.link_allowed``), never to end on a 403."""
    return link_allowed(membership, url_name)


@register.filter
def may_follow(membership: Membership | None, url: str) -> bool:
    """``may_open`` for a URL already built."""
    return url_allowed(membership, url)


@register.filter
def has_cap(membership: Membership | None, capability: str) -> bool:
    return membership is not None and membership.has_capability(capability)
