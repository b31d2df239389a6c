"""Reads for the BIA pages, the engine and the exports; tenant first, constant query counts."""

from __future__ import annotations

import logging
import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from apps.backups.measured import annotate_measures, attach_measures, measures
from apps.bia import engine
from apps.bia.models import (
    CRITICALITY_RANK,
    Activity,
    ActivityDependency,
    ActivityLink,
    BiaSettings,
    ImpactAnswer,
    ImpactCriterion,
    ImpactLevel,
    Resource,
    ResourceDependency,
    TimeHorizon,
)
from apps.core import tenancy
from apps.tenants.models import Establishment, Membership, Organization

ANSWER_PERMISSION = "bia.answer_activity"

logger = logging.getLogger(__name__)


def can_manage_bia(membership: Membership) -> bool:
    """BIA managers (bia.change) see every activity; a business owner only the ones assigned to them."""
    return membership.has_capability("bia.change") or membership.has_capability("bia.view")


def activity_queryset(*, organization: Organization, membership: Membership) -> QuerySet[Activity]:
    """The activities this member may open: all of them for BIA readers (narrowed for members limited
    to some establishments), only those granted by guardian for a business owner."""
    qs = Activity.objects.filter(organization=organization)  # the limited manager keeps the allowed establishments
    if not can_manage_bia(membership):
        # Guardian narrows inside the organization; never trust a global permission here.
        qs = get_objects_for_user(membership.user, ANSWER_PERMISSION, klass=qs, accept_global_perms=False)
    return qs


def link_establishments(*, organization: Organization, membership: Membership) -> set[int] | None:
    """A business owner links their activity to activities and resources of their own activities'
    establishments only (``None``: a BIA manager, who chooses among everything the scope shows)."""
    if can_manage_bia(membership):
        return None
    mine = activity_queryset(organization=organization, membership=membership)
    return set(mine.values_list("establishment_id", flat=True))


def my_activities(*, organization: Organization, membership: Membership) -> QuerySet[Activity]:
    """The activities assigned to this member as business owner (guardian object permission)."""
    qs = Activity.objects.filter(organization=organization)
    qs = get_objects_for_user(membership.user, ANSWER_PERMISSION, klass=qs, accept_global_perms=False)
    return qs.select_related("establishment", "unit", "unit__parent").order_by("establishment__name", "name")


def activity_list(*, organization: Organization, membership: Membership, query: str = "",
                  establishment_id: int | None = None, status: str = "", criticality: str = "",
                  perimeter: str = "", owner_id: int | None = None) -> QuerySet[Activity]:
    qs = activity_queryset(organization=organization, membership=membership)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(process__icontains=query) | Q(unit__name__icontains=query)
                       | Q(unit__parent__name__icontains=query))
    if establishment_id:
        qs = qs.filter(establishment_id=establishment_id)
    if status:
        qs = qs.filter(status=status)
    if criticality:
        qs = qs.filter(criticality=criticality)
    if perimeter:
        qs = qs.filter(care_perimeter=perimeter)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    return qs.select_related("establishment", "site", "unit", "unit__parent", "owner").order_by(
        "establishment__name", "unit__parent__name", "unit__name", "name"
    )


@dataclass
class ProgressRow:
    label: str
    total: int
    by_status: dict[str, int]

    @property
    def done(self) -> int:
        return self.by_status.get(Activity.Status.VALIDATED, 0)

    @property
    def submitted(self) -> int:
        return self.by_status.get(Activity.Status.SUBMITTED, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def campaign_progress(*, qs: QuerySet[Activity]) -> dict[str, list[ProgressRow]]:
    """Campaign status counts per establishment and per business owner (two grouped queries)."""
    by_est: dict[str, dict[str, int]] = defaultdict(dict)
    for row in qs.order_by().values("establishment__short_name", "establishment__name", "status").annotate(n=Count("id")):
        label = row["establishment__short_name"] or row["establishment__name"]
        by_est[label][row["status"]] = row["n"]
    by_owner: dict[str, dict[str, int]] = defaultdict(dict)
    for owner_row in qs.order_by().values("owner__first_name", "owner__last_name", "owner__email", "status").annotate(
        n=Count("id")
    ):
        label = (f"{owner_row['owner__first_name']} {owner_row['owner__last_name']}".strip()
                 or owner_row["owner__email"]) if owner_row["owner__email"] else ""
        by_owner[label][owner_row["status"]] = owner_row["n"]
    return {
        "establishments": [ProgressRow(k, sum(v.values()), v) for k, v in sorted(by_est.items())],
        "owners": [ProgressRow(k, sum(v.values()), v) for k, v in sorted(by_owner.items(), key=lambda i: (not i[0], i[0]))],
    }


def scales(*, organization: Organization) -> dict[str, Any]:
    """Settings, criteria with their levels, horizons (four queries; created with the organization).

    Reads only: an organization without its settings row gets the default method, unsaved.
    """
    settings_row = BiaSettings.objects.filter(organization=organization).first() or BiaSettings(
        organization=organization)
    criteria = list(ImpactCriterion.objects.filter(organization=organization).order_by("order", "id"))
    levels: dict[int, list[ImpactLevel]] = defaultdict(list)
    for level in ImpactLevel.objects.filter(organization=organization).order_by("level"):
        levels[level.criterion_id].append(level)
    for criterion in criteria:
        criterion.level_rows = levels.get(criterion.pk, [])
    horizons = list(TimeHorizon.objects.filter(organization=organization).order_by("hours", "id"))
    return {"settings": settings_row, "criteria": criteria, "horizons": horizons}


# What ``bia/_dependencies.html`` shows of an activity's dependencies and links (the activity page, the
# questionnaire): only these columns are read (a link's two activities and establishments have about 60).
_WORKAROUND = ("workaround_exists", "workaround_note", "workaround_hours")
DEPENDENCY_COLUMNS = ("id", "organization_id", "activity_id", "resource_id", *_WORKAROUND, "resource__id",
                      "resource__organization_id", "resource__name", "resource__kind",
                      "resource__rto_capability_hours", "resource__rpo_capability_hours")
LINK_COLUMNS = ("id", "organization_id", "activity_id", "depends_on_id", *_WORKAROUND, *(
    f"{side}__{column}" for side in ("activity", "depends_on") for column in (
        "id", "organization_id", "name", "establishment_id", "establishment__id", "establishment__name",
        "establishment__short_name")))


def activity_detail(*, organization: Organization, activity: Activity, cells: bool = True) -> dict[str, Any]:
    """Everything the activity page shows, in a constant number of queries (``cells``: the impact grid's
    answers too; the questionnaire's dependencies step does not show them)."""
    dependencies = list(
        ActivityDependency.objects.filter(organization=organization, activity=activity)
        .select_related("resource").only(*DEPENDENCY_COLUMNS).order_by("resource__kind", "resource__name")
    )
    # Both directions in one query (an activity never depends on itself: a link is on one side only).
    links = list(ActivityLink.objects.filter(Q(activity=activity) | Q(depends_on=activity), organization=organization)
                 .select_related("activity__establishment", "depends_on__establishment").only(*LINK_COLUMNS))
    upstream = sorted((link for link in links if link.activity_id == activity.pk),
                      key=lambda link: (link.depends_on.name, link.pk))
    downstream = sorted((link for link in links if link.activity_id != activity.pk),
                        key=lambda link: (link.activity.name, link.pk))
    attach_measures(d.resource for d in dependencies)
    answers = {(a.criterion_id, a.horizon_id): a.level for a in ImpactAnswer.objects.filter(activity=activity)
               .only("criterion_id", "horizon_id", "level")} if cells else {}
    return {"dependencies": dependencies, "upstream": upstream, "downstream": downstream, "cells": answers}


def impact_grid(*, scale: dict[str, Any], cells: dict[tuple[int, int], int]) -> list[dict[str, Any]]:
    return [
        {"criterion": c, "cells": [{"horizon": h, "level": cells.get((c.pk, h.pk))} for h in scale["horizons"]]}
        for c in scale["criteria"] if c.is_active or any((c.pk, h.pk) in cells for h in scale["horizons"])
    ]


def resource_list(*, organization: Organization, kind: str = "", query: str = "") -> QuerySet[Resource]:
    qs = Resource.objects.filter(organization=organization).select_related("establishment")
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(vendor__icontains=query))
    return annotate_measures(qs.annotate(
        activity_count=Count("activity_dependencies", distinct=True), dependent_count=Count("dependents", distinct=True)
    )).order_by("kind", "name")


def resource_detail(*, organization: Organization, resource: Resource) -> dict[str, Any]:
    return {
        "depends_on": list(ResourceDependency.objects.filter(organization=organization, resource=resource)
                           .select_related("depends_on").order_by("depends_on__name")),
        "dependents": list(ResourceDependency.objects.filter(organization=organization, depends_on=resource)
                           .select_related("resource").order_by("resource__name")),
        "activities": list(ActivityDependency.objects.filter(organization=organization, resource=resource)
                           .select_related("activity", "activity__establishment").order_by("activity__name")),
    }


# --- The graph and the engine --------------------------------------------------------------------

def bia_graph(*, organization: Organization, activity_qs: QuerySet[Activity] | None = None) -> engine.Graph:
    """The organization's dependency graph as plain data: six queries whatever its size."""
    activities_qs = activity_qs if activity_qs is not None else Activity.objects.filter(organization=organization)
    activities = [
        engine.ActivityNode(
            id=pk, name=name, dmia_hours=override if override is not None else derived, pdma_hours=pdma,
            criticality=criticality, establishment_id=est, establishment=est_short or est_name or "",
        )
        for pk, name, override, derived, pdma, criticality, est, est_short, est_name in activities_qs.values_list(
            "id", "name", "dmia_override_hours", "dmia_derived_hours", "pdma_hours", "criticality", "establishment_id",
            "establishment__short_name", "establishment__name",
        )
    ]
    # Measured capability: derived from the restoration tests on every build (``apps.backups.measured``).
    measured = measures(organization=organization)
    resources = []
    for pk, name, kind, rto, rpo in Resource.objects.filter(organization=organization).values_list(
            "id", "name", "kind", "rto_capability_hours", "rpo_capability_hours"):
        measure = measured.get(pk)
        resources.append(engine.ResourceNode(
            id=pk, name=name, kind=kind, rto_hours=rto, rpo_hours=rpo,
            measured_rto_hours=measure.rto_hours if measure else None,
            measured_rpo_hours=measure.rpo_hours if measure else None))
    return engine.build_graph(
        activities, resources,
        ActivityDependency.objects.filter(organization=organization).values_list(
            "activity_id", "resource_id", "workaround_exists", "workaround_hours"),
        ResourceDependency.objects.filter(organization=organization).values_list(
            "resource_id", "depends_on_id", "workaround_exists", "workaround_hours"),
        ActivityLink.objects.filter(organization=organization).values_list(
            "activity_id", "depends_on_id", "workaround_exists", "workaround_hours"),
    )


# The restoration tests are part of the graph: they give the resources' measured capability; the
# establishments give the names shown next to the activities'.
GRAPH_TABLES = ("bia_activity", "bia_resource", "bia_activitydependency", "bia_resourcedependency",
                "bia_activitylink", "backups_restoretest", "tenants_establishment")
# How long an analysis nobody reads stays in Redis (each organization and scope has one key, replaced at
# each change of its data: this only clears the keys of organizations nobody looks at any more).
ANALYSIS_TTL = 24 * 3600
# What the gap list shows of the single points of failure: their chains are searched with the analysis.
SPOF_LISTED = 50
SPOF_PATHS_LISTED = 10
# How many workarounds without a duration a page lists (a large establishment has hundreds; the workbook has all).
UNCARRIED_LISTED = 20


def graph_version(*, organization: Organization) -> str:
    """A fingerprint of the organization's BIA graph (row counts and last change per table), one query.

    Any insert, update or delete changes it, whoever made it (services, other apps), as long as an update
    sets ``updated_at`` (``auto_now`` does; a queryset ``update()`` must name it, as the bulk updates do).
    """
    import hashlib

    from django.db import connection

    # Table names are the constants above, never user input.
    parts = " || '|' || ".join(
        f"(SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM {table} WHERE organization_id = %s)"  # noqa: S608
        for table in GRAPH_TABLES
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}", [organization.pk] * len(GRAPH_TABLES))
        fingerprint = cursor.fetchone()[0]
    return hashlib.sha256(f"{engine.VERSION}|{fingerprint}".encode()).hexdigest()[:32]


def analysis_key(organization_id: int, allowed: frozenset[int] | None) -> str:
    """The one cache key of an organization's analysis in a scope (the whole organization, or a limit)."""
    key = f"bia:analysis:v{engine.VERSION}:{organization_id}"
    return key if allowed is None else key + ":" + ",".join(str(pk) for pk in sorted(allowed))


def _scopes_key(organization_id: int) -> str:
    return f"bia:analysis-scopes:v{engine.VERSION}:{organization_id}"


Cached = tuple[str, engine.Graph, engine.Analysis]  # (graph version, graph, analysis)


def compute_analysis(*, organization: Organization, prepare: bool = False) -> tuple[engine.Graph, engine.Analysis]:
    """The graph (six queries) and the engine's analysis, in the current scope; no cache.

    ``prepare`` (the worker): also the whole map's compressed JSON, stored with the analysis.
    """
    graph = bia_graph(organization=organization)
    analysis = engine.analyse(graph, spof_listed=(SPOF_LISTED, SPOF_PATHS_LISTED))
    if prepare:
        analysis.stored[_map_key(None, "")] = _gzip_json(map_elements(graph=graph, analysis=analysis))
    return graph, analysis


def bia_analysis(*, organization: Organization) -> tuple[engine.Graph, engine.Analysis]:
    """The graph and the engine's analysis of the current scope, cached under one key per organization
    and scope that holds the graph's fingerprint with the result.

    Every page that shows needs, gaps or the map shares one computation until the data changes; the
    worker computes it again after each change (``apps.bia.refresh``), so the first viewer after a write
    normally finds it in Redis. The fingerprint is read on every call (one query): a stored result of
    another version is never served, whoever or whatever changed the data. In a scope limited to some
    establishments (``apps.core.tenancy``) the graph only holds their activities and the resources they may
    see, so needs, gaps and single points of failure never reveal the others; the allowed ids are part of
    the key, so a limited computation is never served to anyone else, nor the other way round.

    In front of Redis, a small per-process memo (unpickling the analysis is most of the cost of a cold
    page): it holds the same (version, graph, analysis) and is checked against the same fingerprint,
    so it is only a cache; another web process or host misses nothing.
    """
    from django.core.cache import cache

    allowed = tenancy.allowed_establishments()
    version = graph_version(organization=organization)
    key = analysis_key(organization.pk, allowed)
    with _ANALYSIS_MEMO_LOCK:
        cached = _ANALYSIS_MEMO.get(key)
    if cached is None or cached[0] != version:
        cached = _cache_get(cache, key)
        if cached is None or cached[0] != version:
            graph, analysis = compute_analysis(organization=organization)
            cached = (version, graph, analysis)
            _store(cache, organization.pk, allowed, cached)
        _memo_put(key, cached)
    return cached[1], cached[2]


def refresh_analysis(*, organization: Organization) -> int:
    """Compute the analysis again for the whole organization and for every limited scope read since the
    last change, and store them in place of the old ones (the worker runs this after writes commit).

    Returns how many analyses were computed (0 when every stored one is already current).
    """
    from django.core.cache import cache

    version = graph_version(organization=organization)
    scopes: list[frozenset[int] | None] = [None]
    scopes += [frozenset(ids) for ids in (_cache_get(cache, _scopes_key(organization.pk)) or {}).values()]
    computed = 0
    for allowed in scopes:
        key = analysis_key(organization.pk, allowed)
        stored = _cache_get(cache, key)
        if stored is not None and stored[0] == version:
            continue
        with tenancy.tenant_scope(organization, establishments=allowed):
            graph, analysis = compute_analysis(organization=organization, prepare=True)
        _store(cache, organization.pk, allowed, (version, graph, analysis))
        computed += 1
    return computed


def _cache_get(cache: Any, key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - a corrupt or unreadable entry (an older class layout): compute again
        logger.warning("BIA analysis cache entry %s unreadable", key, exc_info=True)
        return None


def _store(cache: Any, organization_id: int, allowed: frozenset[int] | None, cached: Cached) -> None:
    """Replace the scope's key (the old version goes with it) and remember a limited scope for the worker."""
    key = analysis_key(organization_id, allowed)
    cache.set(key, cached, timeout=ANALYSIS_TTL)
    # The key of the engine's previous version, if a deployment just changed it, goes too.
    cache.delete(key.replace(f"bia:analysis:v{engine.VERSION}:", f"bia:analysis:v{engine.VERSION - 1}:", 1))
    if allowed is not None:
        scopes_key = _scopes_key(organization_id)
        scopes = _cache_get(cache, scopes_key) or {}
        label = ",".join(str(pk) for pk in sorted(allowed))
        if label not in scopes:
            scopes[label] = sorted(allowed)
            cache.set(scopes_key, scopes, timeout=ANALYSIS_TTL)


def _memo_put(key: str, cached: Cached) -> None:
    with _ANALYSIS_MEMO_LOCK:
        _ANALYSIS_MEMO[key] = cached
        _ANALYSIS_MEMO.move_to_end(key)
        while len(_ANALYSIS_MEMO) > _ANALYSIS_MEMO_SIZE:
            _ANALYSIS_MEMO.popitem(last=False)


def clear_memo() -> None:
    """Empty this process's memo (benchmarks measure the cold path with it)."""
    with _ANALYSIS_MEMO_LOCK:
        _ANALYSIS_MEMO.clear()


_ANALYSIS_MEMO: OrderedDict[str, Cached] = OrderedDict()
_ANALYSIS_MEMO_SIZE = 16
_ANALYSIS_MEMO_LOCK = threading.Lock()  # gunicorn threads share the memo


@dataclass
class GapRow:
    gap: engine.Gap
    steps: list[dict[str, Any]]
    node_name: str
    node_kind: str
    source_name: str
    source_criticality: str
    sentence: str = ""  # ``gap_sentence(row)``, filled where it is shown (the dossier's BIA section)
    parts: tuple[str, ...] = ()  # the chain, one phrase per node (``need_parts`` then the capability)
    size: str = ""  # « 8 h promis pour 4 h requis, ×2 »
    source_establishment: str = ""


def _step(graph: engine.Graph, key: engine.NodeKey) -> dict[str, Any]:
    kind, pk = key
    if kind == engine.ACTIVITY:
        node = graph.activities[pk]
        return {"kind": kind, "id": pk, "name": node.label, "dmia": node.dmia_hours, "pdma": node.pdma_hours,
                "establishment": node.establishment}
    res = graph.resources[pk]
    return {"kind": kind, "id": pk, "name": res.name, "resource_kind": res.kind, "rto": res.effective_rto_hours,
            "rpo": res.effective_rpo_hours, "measured": res.measured_rto_hours is not None,
            "rpo_measured": res.measured_rpo_hours is not None}


def _hours(value: float | None) -> str:
    """« 4 h » in the active language; a page formats the same few values thousands of times."""
    from django.utils.translation import get_language

    key = (value, get_language())
    text = _HOURS_TEXT.get(key)
    if text is None:
        from apps.bia.templatetags.bia_tags import hours

        if len(_HOURS_TEXT) > 4096:
            _HOURS_TEXT.clear()
        text = _HOURS_TEXT[key] = hours(value)
    return text


_HOURS_TEXT: dict[tuple[float | None, str | None], str] = {}


def _ratio(value: float) -> str:
    from django.utils.formats import number_format

    rounded = round(value, 1)
    return number_format(int(rounded)) if float(rounded).is_integer() else number_format(rounded)


def need_parts(graph: engine.Graph, kind: str, path: tuple[engine.NodeKey, ...],
               workarounds: tuple[float | None, ...], source_hours: float) -> list[str]:
    """One phrase per node of a need's chain, the need at that node included (the engine's rule, in words).

    RTO: « Urgences a besoin de 4 h », and through a workaround of W hours « Bloc opératoire tient 48 h
    en mode dégradé + DMIA 4 h » then « PACS doit revenir sous 52 h ». RPO: « Urgences peut perdre au plus
    1 h de données (PDMA) » then « DPI a besoin de ne pas perdre plus de 1 h de données ».
    """
    from django.utils.translation import gettext as _

    parts = []
    need = source_hours
    for i, key in enumerate(path):
        name = graph.label(key)
        w_in = workarounds[i - 1] if 0 < i <= len(workarounds) else None
        w_out = workarounds[i] if i < len(workarounds) else None
        if w_in:
            need += w_in
        values = {"name": name, "hours": _hours(need), "workaround": _hours(w_out)}
        if kind == "rpo":
            parts.append(_("%(name)s can lose at most %(hours)s of data (PDMA)") % values if i == 0 else
                         _("%(name)s needs to lose no more than %(hours)s of data") % values)
        elif w_out and i == 0:
            parts.append(_("%(name)s holds %(workaround)s in degraded mode + DMIA %(hours)s") % values)
        elif w_out:
            parts.append(_("%(name)s holds %(workaround)s in degraded mode + need %(hours)s") % values)
        elif w_in:
            parts.append(_("%(name)s must be back within %(hours)s") % values)
        else:
            parts.append(_("%(name)s needs %(hours)s") % values)
    return parts


def _capability_part(graph: engine.Graph, gap: engine.Gap) -> str:
    from django.utils.translation import gettext as _

    name = graph.label(gap.node)
    values = {"name": name, "hours": _hours(gap.capable_hours)}
    if gap.node[0] == engine.ACTIVITY:
        return _("%(name)s has a DMIA of %(hours)s") % values
    if gap.capable_hours is None:
        return _("%(name)s declares no capability") % {"name": name}
    if gap.kind == "rpo" and gap.measured:
        return _("%(name)s lost %(hours)s of data when restored (measured)") % values
    if gap.kind == "rpo":
        return _("%(name)s may lose %(hours)s of data") % values
    if gap.measured:
        return _("%(name)s was restored in %(hours)s (measured)") % values
    return _("%(name)s promises %(hours)s") % values


def gap_size(gap: engine.Gap) -> str:
    """« 8 h promis pour 4 h requis, ×2 »: what is declared against what is needed, and the ratio."""
    from django.utils.translation import gettext as _

    values = {"capable": _hours(gap.capable_hours), "required": _hours(gap.required_hours),
              "ratio": _ratio(gap.ratio) if gap.ratio is not None else ""}
    if gap.capable_hours is None:
        return _("nothing declared for %(required)s required") % values
    if gap.node[0] == engine.ACTIVITY:
        return _("DMIA %(capable)s for %(required)s required, ×%(ratio)s") % values
    if gap.kind == "rpo" and gap.measured:
        return _("%(capable)s of data lost when restored (measured) for a PDMA of %(required)s, ×%(ratio)s") % values
    if gap.kind == "rpo":
        return _("up to %(capable)s of data lost for a PDMA of %(required)s, ×%(ratio)s") % values
    if gap.measured:
        return _("%(capable)s measured for %(required)s required, ×%(ratio)s") % values
    return _("%(capable)s promised for %(required)s required, ×%(ratio)s") % values


def gap_sentence(row: GapRow) -> str:
    """« Urgences (CH) needs 4 h → DPI needs 4 h → Active Directory promises 24 h (24 h promised for 4 h
    required, ×6) », translated; the parts come from ``gap_rows``."""
    return " → ".join(row.parts) + (f" ({row.size})" if row.size else "")


def gap_rows(graph: engine.Graph, gaps: list[engine.Gap]) -> list[GapRow]:
    """The gaps as the pages show them: the chain that sets the need (with the degraded modes it crosses),
    what the last node declares, and the size of the gap."""
    rows = []
    for gap in gaps:
        source = graph.activities[gap.source[1]]
        source_hours = source.dmia_hours if gap.kind == "rto" else source.pdma_hours
        node_kind = gap.node[0] if gap.node[0] == engine.ACTIVITY else graph.resources[gap.node[1]].kind
        parts = need_parts(graph, gap.kind, gap.path, gap.workarounds,
                           float(source_hours) if source_hours is not None else gap.required_hours)
        if len(gap.path) > 1 and not (gap.workarounds and gap.workarounds[-1]):
            parts = parts[:-1]  # the node's need is the previous one's: say what it declares instead
        parts.append(_capability_part(graph, gap))
        rows.append(GapRow(gap=gap, steps=[_step(graph, k) for k in gap.path], node_name=graph.name(gap.node),
                           node_kind=node_kind, source_name=source.name, source_criticality=source.criticality,
                           parts=tuple(parts), size=gap_size(gap), source_establishment=source.establishment))
    return rows


def requirement_parts(graph: engine.Graph, requirement: engine.Requirement | None, kind: str) -> list[str]:
    """The chain that sets a node's need, in words (resource page)."""
    if requirement is None:
        return []
    source = graph.activities[requirement.path[0][1]]
    source_hours = source.dmia_hours if kind == "rto" else source.pdma_hours
    return need_parts(graph, kind, requirement.path, requirement.workarounds,
                      float(source_hours) if source_hours is not None else requirement.hours)


def limiting_chain(graph: engine.Graph, analysis: engine.Analysis, key: engine.NodeKey) -> dict[str, Any] | None:
    """What limits an activity's achievable recovery: the resource with the worst RTO on its chains
    without workaround, its RTO (promised or measured) and the chain that leads to it."""
    capability = analysis.capabilities.get(key)
    if capability is None or capability.bottleneck is None or capability.hours is None:
        return None
    resource = graph.resources[capability.bottleneck[1]]
    chain = analysis.limiting_chain(key)
    return {"hours": capability.hours, "resource": resource, "resource_id": resource.id,
            "measured": resource.measured_rto_hours is not None,
            "chain": " → ".join(graph.label(k) for k in chain)}


def _uncarried_sentences(graph: engine.Graph, items: list[engine.UncarriedNeed]) -> list[dict[str, Any]]:
    from django.utils.translation import gettext as _

    rows = []
    for u in items:
        values = {"source": graph.label(u.source), "target": graph.label(u.target),
                  "hours": _hours(u.rto_hours if u.rto_hours is not None else u.rpo_hours)}
        rows.append({"source": u.source, "target": u.target, "target_kind": u.target[0], "target_id": u.target[1],
                     "sentence": _("workaround without a duration: the need of %(source)s (%(hours)s) is not "
                                   "carried to %(target)s") % values})
    return rows


def uncarried_rows(graph: engine.Graph, analysis: engine.Analysis) -> list[dict[str, Any]]:
    """Every workaround of unknown duration whose source has a need (the dossier): « contournement sans durée :
    le besoin de Bloc opératoire (4 h) n'est pas reporté sur PACS ». Built once per analysis and language."""
    from django.utils.translation import get_language

    return list(analysis.memo(("uncarried_rows", get_language()),
                              lambda: _uncarried_sentences(graph, analysis.uncarried)))


def uncarried_listed(graph: engine.Graph, analysis: engine.Analysis,
                     node: engine.NodeKey | None = None) -> dict[str, Any]:
    """What a page shows of them (``node``: only the links to or from it): the first ``UNCARRIED_LISTED``, and
    how many more the workbook lists (sheet « Contournements sans durée »)."""
    items = analysis.uncarried if node is None else [u for u in analysis.uncarried if node in (u.source, u.target)]
    return {"uncarried": _uncarried_sentences(graph, items[:UNCARRIED_LISTED]),
            "uncarried_more": max(0, len(items) - UNCARRIED_LISTED)}


def spof_rows(graph: engine.Graph, analysis: engine.Analysis, limit: int | None = None,
              resource_id: int | None = None, paths_limit: int | None = None) -> list[dict[str, Any]]:
    """Single points of failure, each critical activity with its establishment and its chain to the resource.

    Listed most critical first, then by name and establishment; ``paths_limit``: only the first activities
    (``more`` says how many are left out), whose chains only are searched. ``count``: all of them.
    """
    if resource_id is not None:
        spof = analysis.spof_for(resource_id)
        spofs = [spof] if spof is not None else []
    else:
        spofs = analysis.spofs[:limit]
    listed = {s.resource_id: s.listed(paths_limit) for s in spofs}
    analysis.spof_paths_many(listed)
    rows = []
    for s in spofs:
        activities = [graph.activities[a] for a in listed[s.resource_id]]
        paths = analysis.spof_paths(s.resource_id, listed[s.resource_id])
        rows.append({
            "resource": graph.resources[s.resource_id],
            "count": s.count,
            "more": s.count - len(activities),
            "activities": activities,
            "paths": [{"activity": a, "chain": " → ".join(graph.label(k) for k in paths[a.id])} for a in activities],
        })
    return rows


SPOF_CHAINS_PER_PAGE = 25


def spof_chain_page(graph: engine.Graph, analysis: engine.Analysis, *, resource_id: int,
                    page_number: str | int | None) -> dict[str, Any] | None:
    """A resource's single point of failure with one page of its chains (the resource page).

    Every critical activity that depends on the resource with no workaround is listed, a page at a time:
    only the chains of the page shown are searched, so the page does not grow with the count.
    """
    from django.core.paginator import Paginator

    spof = analysis.spof_for(resource_id)
    if spof is None:
        return None
    page = Paginator(spof.listed(), SPOF_CHAINS_PER_PAGE).get_page(page_number)
    paths = analysis.spof_paths(resource_id, page.object_list)
    return {
        "count": spof.count,
        "page": page,
        "paths": [{"activity": graph.activities[a], "chain": " → ".join(graph.label(k) for k in paths[a])}
                  for a in page.object_list],
    }


def map_elements(*, graph: engine.Graph, analysis: engine.Analysis, establishment_id: int | None = None,
                 criticality: str = "") -> dict[str, Any]:
    """Cytoscape elements: the selected activities and every resource they reach (any edge)."""
    ix = graph.index()
    minimum = CRITICALITY_RANK.get(criticality, 0)
    keep = bytearray(ix.n)
    stack = [
        i for i, pk in enumerate(ix.act_ids)
        if (not establishment_id or graph.activities[pk].establishment_id == establishment_id)
        and (not criticality or CRITICALITY_RANK.get(graph.activities[pk].criticality, 0) >= minimum)
    ]
    full = ix.full
    while stack:
        node = stack.pop()
        if keep[node]:
            continue
        keep[node] = 1
        stack.extend(n for n in full[node] if not keep[n])
    gap_nodes = analysis.gap_nodes()
    spof_ids = {s.resource_id for s in analysis.spofs}
    rto_needs, rpo_needs = analysis.rto_requirements, analysis.rpo_requirements
    tags = [f"{kind[0]}{pk}" for kind, pk in ix.keys]
    nodes = []
    for i in range(ix.n):
        if not keep[i]:
            continue
        key = ix.keys[i]
        kind, pk = key
        if kind == engine.ACTIVITY:
            a = graph.activities[pk]
            nodes.append({"data": {"id": tags[i], "label": a.name, "type": "activity", "criticality": a.criticality,
                                   "dmia": a.dmia_hours, "establishment": a.establishment_id,
                                   "gap": key in gap_nodes}})
        else:
            r = graph.resources[pk]
            # ``measured``/``rpo_measured`` pick the label: « RTO mesuré » from a restoration test, else « promis ».
            nodes.append({"data": {"id": tags[i], "label": r.name, "type": r.kind, "rto": r.effective_rto_hours,
                                   "measured": r.measured_rto_hours is not None,
                                   "required": rto_needs.hours(key), "rpo": r.effective_rpo_hours,
                                   "rpo_measured": r.measured_rpo_hours is not None,
                                   "required_rpo": rpo_needs.hours(key),
                                   "gap": key in gap_nodes, "spof": pk in spof_ids}})
    edges = [
        {"data": {"id": f"e{i}", "source": tags[s], "target": tags[t], "workaround": bool(w)}}
        for i, (s, t, w) in enumerate(zip(ix.src, ix.tgt, ix.wa, strict=True)) if keep[s] and keep[t]
    ]
    return {"nodes": nodes, "edges": edges}


def _map_key(establishment_id: int | None, criticality: str) -> str:
    return f"map:{establishment_id or ''}:{criticality}"


def _gzip_json(data: Any) -> bytes:
    import gzip
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return gzip.compress(json.dumps(data, separators=(",", ":"), cls=DjangoJSONEncoder).encode(), mtime=0)


def map_json_gzip(*, graph: engine.Graph, analysis: engine.Analysis, establishment_id: int | None = None,
                  criticality: str = "") -> bytes:
    """``map_elements`` as compact JSON, gzipped: the whole map is prepared by the worker with the analysis,
    a filtered one is built once per process and analysis (no text in it depends on the language)."""
    key = _map_key(establishment_id, criticality)
    body = analysis.stored.get(key)
    if body is None:
        body = analysis.memo(("map", key), lambda: _gzip_json(map_elements(
            graph=graph, analysis=analysis, establishment_id=establishment_id, criticality=criticality)))
    return body


def matrix(*, organization: Organization, membership: Membership, establishment_id: int | None = None,
           page: Any = None, per_page: int = 40) -> dict[str, Any]:
    """Activities × applications (one page of activities, the applications they use)."""
    from django.core.paginator import Paginator

    page_obj = Paginator(activity_list(organization=organization, membership=membership,
                                       establishment_id=establishment_id), per_page).get_page(page)
    activities = list(page_obj.object_list)
    ids = [a.pk for a in activities]
    deps = ActivityDependency.objects.filter(
        organization=organization, activity_id__in=ids, resource__kind=Resource.Kind.APPLICATION
    ).values_list("activity_id", "resource_id", "workaround_exists")
    cells: dict[tuple[int, int], bool] = {(a, r): w for a, r, w in deps}
    used = Counter(r for (_a, r) in cells)
    applications = list(Resource.objects.filter(organization=organization, pk__in=list(used)).order_by("name"))
    rows = [{"activity": a, "cells": [cells.get((a.pk, r.pk)) for r in applications]} for a in activities]
    return {"applications": applications, "rows": rows, "page": page_obj}


def establishments(*, organization: Organization) -> list[Establishment]:
    """The establishments of the current scope (a limited member's own only)."""
    return list(Establishment.objects.filter(organization=organization).order_by("name"))
