"""The action plan where the needs are seen: « Créer une action » and the open actions of a source, in the
pages of the other apps (gap list, resource page, COPIL decisions, restoration tests, trajectories,
requirements, journey).

Each tag reads through ``apps.actions.selectors`` once per request and source kind (the result is kept on the
request), so a page listing fifty gaps costs one query, not fifty. Nothing is shown to a member who may not
read the plan; the button only to those who may change it.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import template
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from apps.actions import selectors, sources
from apps.actions.models import SourceKind

register = template.Library()

_CACHE = "_actions_tags_cache"


def _request(context: template.Context) -> HttpRequest | None:
    request = context.get("request")
    return request if getattr(request, "membership", None) is not None else None


def _cached(request: HttpRequest, key: str, compute: Any) -> Any:
    cache: dict[str, Any] = request.__dict__.setdefault(_CACHE, {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _stylesheet(request: HttpRequest) -> bool:
    """Whether this fragment brings the stylesheet (the first one of the page does, the others not)."""
    cache: dict[str, Any] = request.__dict__.setdefault(_CACHE, {})
    first = not cache.get("stylesheet")
    cache["stylesheet"] = True
    return first


def _create_url(request: HttpRequest, kind: str, source_id: Any, key: str) -> str:
    params = {"source": kind, "id": source_id if source_id is not None else "", "key": key}
    organization = request.organization  # type: ignore[attr-defined]
    base = _cached(request, "create_url", lambda: reverse("actions:create", kwargs={"org_slug": organization.slug}))
    return base + "?" + urlencode(params)


def _source_context(context: template.Context, kind: str, source_id: Any, key: str = "",
                    label: str = "") -> dict[str, Any]:
    request = _request(context)
    if request is None or not request.membership.has_capability("actions.view"):  # type: ignore[attr-defined]
        return {"show": False}
    organization = request.organization  # type: ignore[attr-defined]
    by_source = _cached(request, f"source:{kind}",
                        lambda: selectors.actions_by_source(organization=organization, kind=kind))
    pk = int(source_id) if source_id not in (None, "") else None
    actions = by_source.get((pk, key or ""), [])
    can_change = request.membership.has_capability("actions.change")  # type: ignore[attr-defined]
    return {
        "show": True, "stylesheet": bool(actions or can_change) and _stylesheet(request), "actions": actions,
        "open": [a for a in actions if a.is_open],
        "closed": [a for a in actions if not a.is_open], "label": label, "organization": organization,
        "can_change": can_change, "create_url": _create_url(request, kind, pk, key or ""),
    }


SOURCE_TEMPLATE = "actions/_source_actions.html"


def render_source(context: template.Context, data: dict[str, Any]) -> SafeString:
    """``actions/_source_actions.html`` for one source. A source with no action yet (most rows of a gap list of
    fifty gaps, fifty single points of failure and fifty missing capabilities) is written here, the same bytes
    as the template gives (``tests/actions/test_tags.py``): through the template, the 150 fragments of the
    gap list were a third of its time."""
    if not data["show"] or not (data["actions"] or data["can_change"]):
        return mark_safe("\n")  # noqa: S308 - a constant: what the template gives when it shows nothing
    if not data["actions"]:
        css = format_html('<link rel="stylesheet" href="{}">', static("actions/actions.css")) if data["stylesheet"] else ""
        return format_html('{}<div class="source-actions" data-testid="source-actions">\n<a class="create-action" '
                           'href="{}">{}</a>\n</div>\n', css, data["create_url"], gettext("Create an action"))
    assert context.template is not None, "a tag renders inside a template"  # noqa: S101 - for the type checker
    return cast(SafeString, context.template.engine.get_template(SOURCE_TEMPLATE).render(context.new(data)))


@register.simple_tag(takes_context=True)
def source_actions(context: template.Context, kind: str, source_id: Any = None, key: str = "",
                   label: str = "") -> SafeString:
    """``{% source_actions "decision" d.pk %}``: the source's actions and « Créer une action »."""
    return render_source(context, _source_context(context, kind, source_id, key, label))


@register.simple_tag(takes_context=True)
def gap_actions(context: template.Context, gap: Any) -> SafeString:
    """``{% gap_actions row.gap %}`` on the gap list: an engine ``Gap`` of a resource or an activity."""
    node_kind, pk = gap.node
    return render_source(context, _source_context(context, SourceKind.BIA_GAP, pk, sources.gap_key(node_kind, gap.kind)))


@register.simple_tag(takes_context=True)
def restore_test_actions(context: template.Context, test: Any) -> SafeString:
    """``{% restore_test_actions t %}``: only a test « échoué », « partiel » or « réussi hors objectif »."""
    if test.outcome not in sources.FAILED_OUTCOMES:
        return render_source(context, {"show": False})
    return render_source(context, _source_context(context, SourceKind.RESTORE_TEST, test.pk))


@register.inclusion_tag("actions/_resource_actions.html", takes_context=True)
def resource_actions(context: template.Context, resource: Any) -> dict[str, Any]:
    """``{% resource_actions resource %}`` on the resource page: its gaps and single point of failure, each with
    its actions (the BIA analysis is the one the page already read, cached)."""
    from apps.bia import engine
    from apps.bia.selectors import bia_analysis

    request = _request(context)
    if request is None or not request.membership.has_capability("actions.view"):  # type: ignore[attr-defined]
        return {"show": False}
    organization = request.organization  # type: ignore[attr-defined]
    _graph, analysis = bia_analysis(organization=organization)
    node = (engine.RESOURCE, resource.pk)
    items = []
    for gap in [*analysis.gaps, *analysis.missing_capabilities]:
        if gap.node == node:
            items.append(("gap_" + gap.kind, _source_context(context, SourceKind.BIA_GAP, resource.pk, gap.kind)))
    if any(s.resource_id == resource.pk for s in analysis.spofs):
        items.append(("spof", _source_context(context, SourceKind.SPOF, resource.pk)))
    return {"show": bool(items), "items": items}


@register.inclusion_tag("actions/_open_actions.html", takes_context=True)
def stage_actions(context: template.Context, stage_key: str) -> dict[str, Any]:
    """``{% stage_actions stage.key %}`` on the journey: the stage's open actions (one query for all stages)."""
    request = _request(context)
    if request is None or not request.membership.has_capability("actions.view"):  # type: ignore[attr-defined]
        return {"show": False}
    organization = request.organization  # type: ignore[attr-defined]
    by_stage = _cached(request, "stages", lambda: selectors.open_actions_by_stage(organization=organization))
    bucket = by_stage.get(stage_key)
    list_url = reverse("actions:list", kwargs={"org_slug": organization.slug}) + "?" + urlencode({"stage": stage_key})
    return {"show": bucket is not None, "stylesheet": bucket is not None and _stylesheet(request), "bucket": bucket, "list_url": list_url, "organization": organization}


@register.inclusion_tag("actions/_requirement_actions.html", takes_context=True)
def requirement_actions(context: template.Context, requirement_id: str, status: str = "") -> dict[str, Any]:
    """``{% requirement_actions row.requirement.id row.status %}`` on the requirements page: its open actions,
    and « Créer une action » while it is not met."""
    request = _request(context)
    if request is None or not request.membership.has_capability("actions.view"):  # type: ignore[attr-defined]
        return {"show": False}
    organization = request.organization  # type: ignore[attr-defined]
    by_requirement = _cached(request, "requirements",
                             lambda: selectors.open_actions_by_requirement(organization=organization))
    list_url = reverse("actions:list", kwargs={"org_slug": organization.slug}) + "?" + urlencode(
        {"requirement": requirement_id})
    return {
        "show": True, "stylesheet": _stylesheet(request), "bucket": by_requirement.get(requirement_id), "list_url": list_url,
        "organization": organization, "met": status == "met",
        "can_change": request.membership.has_capability("actions.change"),  # type: ignore[attr-defined]
        "create_url": _create_url(request, SourceKind.REQUIREMENT, None, requirement_id),
    }
