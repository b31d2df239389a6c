from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.urls import reverse

from apps.core.navigation import link_allowed, stages

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
    """The journey's stages and links the current member may open."""
    request = context["request"]
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    slug = request.organization.slug
    current = context.get("nav_stage")
    result = []
    for stage in stages():
        if not membership.has_capability(stage.capability):
            continue
        links = [
            {"label": link.label, "url": reverse(link.url_name, kwargs={"org_slug": slug})}
            for link in stage.links
            if link_allowed(membership, link.url_name, link.capability)
        ]
        if not links:
            continue  # a heading with nothing under it helps nobody
        result.append({"key": stage.key, "label": stage.label, "links": links, "current": stage.key == current})
    return result


@register.filter
def has_cap(membership: Membership | None, capability: str) -> bool:
    return membership is not None and membership.has_capability(capability)
