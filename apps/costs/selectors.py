"""Reads of the expense lines: the filtered list and the totals (per objective, category, establishment).

Every read starts from ``CostLine.objects`` (the limited manager): a member limited to some establishments reads
and totals only theirs. A line serving several objectives counts in the total of each of them (the grand
total counts it once). The actions' cost estimates (``Action.cost_estimate``, apps.actions) are summed per
requirement beside the real costs; abandoned actions are left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from apps.compliance.catalogue import current_catalogue
from apps.costs.models import Category, CostLine

if TYPE_CHECKING:
    from apps.tenants.models import Organization

PER_PAGE = 50
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Filters:
    q: str = ""
    category: str = ""
    establishment: int | None = None
    requirement: str = ""


def cost_queryset(*, organization: Organization) -> QuerySet[CostLine]:
    return CostLine.objects.filter(organization=organization)


def cost_list(*, organization: Organization, filters: Filters | None = None) -> QuerySet[CostLine]:
    filters = filters or Filters()
    qs = cost_queryset(organization=organization).select_related("establishment", "proof", "mission_letter")
    if filters.q:
        qs = qs.filter(Q(label__icontains=filters.q) | Q(supplier__icontains=filters.q)
                       | Q(invoice_reference__icontains=filters.q) | Q(note__icontains=filters.q))
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.establishment:
        qs = qs.filter(establishment_id=filters.establishment)
    if filters.requirement:
        qs = qs.filter(requirement_ids__contains=[filters.requirement])
    return qs.order_by("-engaged_on", "-id")


@dataclass
class Total:
    key: str
    label: str
    ht: Decimal = ZERO
    ttc: Decimal = ZERO
    count: int = 0
    estimate: Decimal | None = None  # the actions' estimates (per objective only)

    def add(self, ht: Decimal, ttc: Decimal) -> None:
        self.ht += ht
        self.ttc += ttc
        self.count += 1

    @property
    def difference(self) -> Decimal | None:
        """Real (HT) minus estimated: positive when more was spent than estimated."""
        return None if self.estimate is None else self.ht - self.estimate


@dataclass
class Totals:
    by_requirement: list[Total] = field(default_factory=list)
    by_category: list[Total] = field(default_factory=list)
    by_establishment: list[Total] = field(default_factory=list)
    grand: Total = field(default_factory=lambda: Total("", ""))


def estimates_by_requirement(*, organization: Organization) -> dict[str, Decimal]:
    from apps.actions.models import Action, Status

    result: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows = (Action.objects.filter(organization=organization, cost_estimate__isnull=False)
            .exclude(status=Status.ABANDONED).values_list("requirement_ids", "cost_estimate"))
    for requirement_ids, estimate in rows:
        for requirement_id in requirement_ids:
            result[requirement_id] += estimate or ZERO
    return dict(result)


def cost_totals(*, organization: Organization) -> Totals:
    """The totals of the lines the member may see: a fixed number of queries."""
    from apps.tenants.models import Establishment

    catalogue = current_catalogue()
    by_req = {r.id: Total(r.id, r.label) for r in catalogue.requirements}
    by_cat = {value: Total(value, str(label)) for value, label in Category.choices}
    establishments = {pk: Total(str(pk), short or name) for pk, short, name in
                      Establishment.objects.filter(organization=organization).order_by("name")
                      .values_list("pk", "short_name", "name")}
    totals = Totals()
    for requirement_ids, category, establishment_id, ht, ttc in cost_queryset(organization=organization).values_list(
            "requirement_ids", "category", "establishment_id", "amount_ht", "amount_ttc"):
        totals.grand.add(ht, ttc)
        for requirement_id in requirement_ids:
            if requirement_id in by_req:
                by_req[requirement_id].add(ht, ttc)
        if category in by_cat:
            by_cat[category].add(ht, ttc)
        if establishment_id in establishments:
            establishments[establishment_id].add(ht, ttc)
    estimates = estimates_by_requirement(organization=organization)
    for requirement_id, total in by_req.items():
        total.estimate = estimates.get(requirement_id)
    totals.by_requirement = list(by_req.values())
    totals.by_category = list(by_cat.values())
    totals.by_establishment = list(establishments.values())
    return totals


def mission_letters(*, organization: Organization) -> QuerySet:
    from apps.compliance.models import Evidence

    return (Evidence.objects.filter(organization=organization, kind=Evidence.Kind.MISSION_LETTER).alive()
            .order_by("-created_at"))
