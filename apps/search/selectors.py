"""One search box across what a member may see: activities, resources, plans, actions, evidence, people.

PostgreSQL full-text search with the ``resilis_fr`` configuration (French stemming, accents ignored through
``unaccent``: migration 0001). Each kind reads through the same querysets as its own pages, inside the
request's tenant scope, so the establishment limit applies (``apps.core.tenancy``) and a business owner finds
only the activities and actions assigned to them. A page of results costs two queries per kind (count and
rows), whatever the size of the organization.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import CharField, Count, F, QuerySet, Value, Window
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from apps.tenants.models import Membership, Organization

CONFIG = "resilis_fr"
MAX_TERMS = 8
PER_GROUP = 5
PER_PAGE = 20


def search_query(text: str) -> SearchQuery | None:
    """Every word of ``text`` as a prefix (``équip`` finds « équipes »), all of them required; ``None`` when
    nothing searchable was typed. Only word characters reach ``to_tsquery``: its operators cannot be injected."""
    terms = re.findall(r"\w+", text)[:MAX_TERMS]
    if not terms:
        return None
    return SearchQuery(" & ".join(f"{term}:*" for term in terms), config=CONFIG, search_type="raw")


@dataclass(frozen=True)
class Hit:
    kind: str
    pk: int
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class Kind:
    key: str
    label: StrOrPromise
    visible: Callable[[Membership], bool]
    # The rows of the kind this member may open, annotated with ``s_title`` and ``s_detail`` and the vector.
    rows: Callable[[Organization, Membership], QuerySet[Any]]
    vector: tuple[str, ...]
    url: Callable[[Organization, Membership, dict[str, Any]], str]


def _text(expression: Any) -> Any:
    return Coalesce(Cast(expression, CharField()), Value(""))


def _activities(organization: Organization, membership: Membership) -> QuerySet[Any]:
    from apps.bia.selectors import activity_queryset

    return activity_queryset(organization=organization, membership=membership).annotate(
        s_title=F("name"), s_detail=_text(F("establishment__name")))


def _activity_url(organization: Organization, membership: Membership, row: dict[str, Any]) -> str:
    if membership.has_capability("bia.view"):
        return reverse("bia:activity-detail", kwargs={"org_slug": organization.slug, "pk": row["pk"]})
    return reverse("bia:questionnaire", kwargs={"org_slug": organization.slug, "pk": row["pk"], "step": 1})


def _resources(organization: Organization, membership: Membership) -> QuerySet[Any]:
    from apps.bia.models import Resource

    return Resource.objects.filter(organization=organization).annotate(
        s_title=F("name"), s_detail=_text(F("vendor")))


def _plans(organization: Organization, membership: Membership) -> QuerySet[Any]:
    from apps.continuity.models import Plan

    return Plan.objects.filter(organization=organization, is_archived=False).annotate(
        s_title=F("title"), s_detail=_text(F("establishment__name")))


def _actions(organization: Organization, membership: Membership) -> QuerySet[Any]:
    from apps.actions.selectors import action_queryset

    return action_queryset(organization=organization, membership=membership).annotate(
        s_title=Concat(Value("n° "), Cast("number", CharField()), Value(" — "), F("title"),
                       output_field=CharField()),
        s_detail=_text(F("owner_name")))


def _evidence(organization: Organization, membership: Membership) -> QuerySet[Any]:
    from apps.compliance.models import Evidence

    return Evidence.objects.alive().filter(organization=organization).annotate(
        s_title=F("title"), s_detail=_text(F("original_name")))


def _person_name() -> Any:
    full = Concat("member__user__first_name", Value(" "), "member__user__last_name", output_field=CharField())
    return Coalesce(NullIf(full, Value(" ")), NullIf(F("external_name"), Value("")), F("member__user__email"),
                    output_field=CharField())


def _people(organization: Organization, membership: Membership) -> QuerySet[Any]:
    from apps.governance.models import GovernanceMember

    return GovernanceMember.objects.filter(organization=organization).annotate(
        s_title=_person_name(), s_detail=_text(F("function")))


def _crisis_people(organization: Organization, membership: Membership) -> QuerySet[Any]:
    from apps.governance.models import CrisisAssignment

    return CrisisAssignment.objects.filter(organization=organization).annotate(
        s_title=_person_name(), s_detail=_text(F("role__label")))


def _org_url(name: str) -> Callable[[Organization, Membership, dict[str, Any]], str]:
    return lambda organization, membership, row: reverse(name, kwargs={"org_slug": organization.slug,
                                                                       "pk": row["pk"]})


def _list_url(name: str) -> Callable[[Organization, Membership, dict[str, Any]], str]:
    return lambda organization, membership, row: reverse(name, kwargs={"org_slug": organization.slug})


PERSON = ("external_name", "member__user__first_name", "member__user__last_name", "member__user__email")

KINDS: tuple[Kind, ...] = (
    Kind("activity", _("Activities"),
         lambda m: m.has_capability("bia.view") or m.has_capability("bia.answer"),
         _activities, ("name", "process", "description", "catalogue_code", "unit__name"), _activity_url),
    Kind("resource", _("Resources"), lambda m: m.has_capability("bia.view"),
         _resources, ("name", "description", "vendor", "catalogue_code"), _org_url("bia:resource-detail")),
    Kind("plan", _("Plans"), lambda m: m.has_capability("plans.view"),
         _plans, ("title",), _org_url("continuity:plan-detail")),
    Kind("action", _("Actions"), lambda m: m.has_capability("actions.mine"),
         _actions, ("title", "description", "owner_name"), _org_url("actions:detail")),
    Kind("evidence", _("Evidence"), lambda m: m.has_capability("evidence.view"),
         _evidence, ("title", "description", "original_name"), _org_url("compliance:evidence-download")),
    Kind("people", _("People (project team and COPIL)"), lambda m: m.has_capability("governance.view"),
         _people, (*PERSON, "function", "role"), _list_url("governance:step-members")),
    Kind("crisis", _("People (crisis cell)"), lambda m: m.has_capability("governance.view"),
         _crisis_people, (*PERSON, "role__label", "role__missions"), _list_url("governance:crisis-cell")),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


@dataclass
class Group:
    kind: Kind
    hits: list[Hit]
    count: int
    number: int  # the page shown (1 in the grouped view)
    per_page: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def visible_kinds(membership: Membership) -> list[Kind]:
    return [kind for kind in KINDS if kind.visible(membership)]


def _page_number(page: int | str) -> int:
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def search(*, organization: Organization, membership: Membership, text: str, kind: str = "",
           page: int | str = 1) -> list[Group]:
    """The member's results for ``text``, grouped by kind (the first ``PER_GROUP`` of each), or one kind
    paginated by ``PER_PAGE`` when ``kind`` is given. Kinds the member may not see are never queried.

    One query per kind: the rows of the page with the kind's total as a window count (each row's text search
    vector is computed once, for the filter: no separate COUNT, no rank)."""
    query = search_query(text)
    if query is None:
        return []
    kinds = visible_kinds(membership)
    if kind:
        kinds = [k for k in kinds if k.key == kind]
    per_page = PER_PAGE if kind else PER_GROUP
    number = _page_number(page) if kind else 1
    groups = []
    for k in kinds:
        vector = SearchVector(*k.vector, config=CONFIG)
        # Ordered by title, not by ts_rank: ranking computes every matching row's vector a second time (measured:
        # ~25 µs a row here, half of the page's database time) for names that are a few words long anyway.
        rows = (k.rows(organization, membership).annotate(s_vector=vector).filter(s_vector=query)
                .annotate(s_total=Window(Count("pk")))
                .order_by("s_title", "pk").values("pk", "s_title", "s_detail", "s_total"))
        found = list(rows[(number - 1) * per_page:number * per_page])
        if not found and number > 1:  # past the last page (an edited URL): show the last one instead
            total = rows.count()
            number = max(1, -(-total // per_page))
            found = list(rows[(number - 1) * per_page:number * per_page])
        hits = [Hit(k.key, row["pk"], row["s_title"], row["s_detail"], k.url(organization, membership, row))
                for row in found]
        groups.append(Group(k, hits, found[0]["s_total"] if found else 0, number, per_page))
    return groups
