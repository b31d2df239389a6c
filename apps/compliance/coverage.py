"""The CaRE « 66 % » rule, written once: D2.O1.C (BIA and plans) and D2.O1.D (tests) all call ``coverage_share``.

The rule, as the annex words it and as we read it:

* **Which entities carry the weights** (``weighting_level``): a GHT is weighted by legal entity (FINESS EJ,
  ``Establishment``); a candidate outside a GHT with several geographical establishments (FINESS EG, ``Site``) is
  weighted by EG; a candidate outside a GHT recording several EJ but at most one EG is weighted by EJ; a candidate
  with a single entity is trivial (it weighs 100 %, no weights to record).
* **Weights**: every weighted entity records its share of the combined activity, the basis it comes from
  (« séjours 2025 », « ETP SAE ») and its date. The shares must total exactly 100 % and each carry a basis and a
  date; until then the rule reads « pondérations à compléter » and is not met.
* **An entity counts** only when **every minimum perimeter it has** is covered: the three perimeters of the
  catalogue, less those recorded as absent from that entity (« s'ils existent », with the reason). Tagging one
  perimeter does not excuse the two others. At EG level, an activity counts for its site; an activity without a
  site counts for its legal entity's only site, and for no site when the legal entity has several.
* **Met** when the weights are complete and the counted entities weigh at least the catalogue threshold (66 %);
  not met when nothing is covered; partial otherwise.

Entities outside a limited member's establishments are left out (their rows are not visible either); the weights'
total is checked over the whole organization (an org-wide aggregate).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.compliance.catalogue import coverage_threshold, minimum_perimeters
from apps.compliance.registry import CheckResult

if TYPE_CHECKING:
    from apps.tenants.models import Establishment, Organization, Site

SINGLE = "single"
ESTABLISHMENT = "establishment"  # FINESS EJ
SITE = "site"  # FINESS EG

HUNDRED = Decimal("100")

# (establishment id, site id or None, minimum perimeter) of one covered activity.
CoveredRow = tuple[int, int | None, str]


@dataclass(frozen=True)
class EntityCoverage:
    pk: int
    name: str
    weight: Decimal
    basis: str
    weighed_on: date | None
    needed: frozenset[str]
    covered: frozenset[str]

    @property
    def counts(self) -> bool:
        return bool(self.needed) and self.needed <= self.covered

    @property
    def lacking(self) -> list[str]:
        return [p for p in minimum_perimeters() if p in self.needed - self.covered]


@dataclass(frozen=True)
class CoverageResult:
    level: str
    entities: tuple[EntityCoverage, ...]
    threshold: Decimal
    total_weight: Decimal  # over the whole organization
    weight_problems: tuple[str, ...]
    anything_covered: bool
    unplaced: int = 0  # covered activities without a site in a legal entity with several sites (EG level)

    @property
    def weights_complete(self) -> bool:
        return not self.weight_problems

    @property
    def share(self) -> Decimal:
        if self.level == SINGLE:
            return HUNDRED if self.entities and self.entities[0].counts else Decimal("0")
        return sum((e.weight for e in self.entities if e.counts), Decimal("0"))

    @property
    def met(self) -> bool:
        return self.weights_complete and self.share >= self.threshold

    @property
    def status(self) -> str:
        if self.met:
            return CheckResult.MET
        return CheckResult.PARTIAL if self.anything_covered else CheckResult.NOT_MET

    @property
    def missing_entities(self) -> list[EntityCoverage]:
        return [e for e in self.entities if not e.counts]


def weighting_level(*, organization: Organization, establishment_count: int, site_count: int) -> str:
    """GHT → EJ; outside a GHT: several EG → EG, else several EJ → EJ; a single entity → trivial."""
    from apps.tenants.models import Organization

    if organization.kind == Organization.Kind.GHT:
        return ESTABLISHMENT if establishment_count > 1 else SINGLE
    if site_count > 1:
        return SITE
    return ESTABLISHMENT if establishment_count > 1 else SINGLE


def _needed_perimeters(entity: Establishment | Site) -> frozenset[str]:
    return frozenset(p for p in minimum_perimeters() if p not in set(entity.absent_perimeters))


def _tested(entity: Establishment | Site) -> frozenset[str]:
    return frozenset({TESTED})


def _weight_problems(entities: list[EntityCoverage], total: Decimal) -> list[str]:
    problems = []
    if total != HUNDRED:
        problems.append(_("The shares of activity total %(total)s %%: they must total 100 %%.") % {"total": pct(total)})
    undocumented = [e.name for e in entities if not e.basis.strip() or e.weighed_on is None]
    if undocumented:
        problems.append(_("Record the basis and the date of the share of: %(names)s.")
                        % {"names": ", ".join(undocumented)})
    return problems


# D2.O1.D: a tested entity counts once tested (« a minima un service/périmètre testé »), whatever its perimeters.
TESTED = "tested"


def coverage_share(organization: Organization, covered: Iterable[CoveredRow], *,
                   per_perimeter: bool = True) -> CoverageResult:
    """The 66 % rule for ``covered`` (the activities that count as covered, one row per activity). Three queries.

    ``per_perimeter=False`` (D2.O1.D, the entities an exercise tested): an entity counts as soon as a row names
    it; the weights, levels and totals are the same rule.
    """
    from apps.tenants.models import Establishment, Site

    rows = list(covered) if per_perimeter else [(e, s, TESTED) for e, s, _p in covered]
    _needed = _needed_perimeters if per_perimeter else _tested
    establishments = list(Establishment.objects.filter(organization=organization).order_by("name"))
    sites = list(Site.objects.filter(organization=organization).select_related("establishment")
                 .order_by("establishment__name", "name"))
    level = weighting_level(organization=organization, establishment_count=len(establishments),
                            site_count=len(sites))
    threshold = coverage_threshold()
    anything = bool(rows)
    if level == SINGLE:
        entity = establishments[0] if establishments else None
        single = () if entity is None else (EntityCoverage(
            pk=entity.pk, name=str(entity), weight=HUNDRED, basis="", weighed_on=None, needed=_needed(entity),
            covered=frozenset(p for _e, _s, p in rows)),)
        return CoverageResult(level=SINGLE, entities=single, threshold=threshold, total_weight=HUNDRED,
                              weight_problems=(), anything_covered=anything)

    per_entity: dict[int, set[str]] = {}
    unplaced = 0
    if level == ESTABLISHMENT:
        for est_id, _site_id, perimeter in rows:
            per_entity.setdefault(est_id, set()).add(perimeter)
        weighted: list[Establishment | Site] = list(establishments)
        model: type[Establishment] | type[Site] = Establishment
    else:
        only_site: dict[int, int] = {}
        site_counts: dict[int, int] = {}
        for s in sites:
            site_counts[s.establishment_id] = site_counts.get(s.establishment_id, 0) + 1
            only_site[s.establishment_id] = s.pk
        for est_id, site_id, perimeter in rows:
            if site_id is None and site_counts.get(est_id) == 1:
                site_id = only_site[est_id]
            if site_id is None:
                unplaced += 1
                continue
            per_entity.setdefault(site_id, set()).add(perimeter)
        weighted = list(sites)
        model = Site
    entities = [EntityCoverage(
        pk=e.pk, name=_site_name(e) if isinstance(e, Site) else str(e), weight=e.activity_share,
        basis=e.activity_share_basis, weighed_on=e.activity_share_date, needed=_needed(e),
        covered=frozenset(per_entity.get(e.pk, set()))) for e in weighted]
    # The weights' total is an org-wide aggregate (a limited member sees only their own entities' rows).
    total = model._base_manager.filter(organization=organization).aggregate(t=Sum("activity_share"))["t"] or Decimal(0)
    return CoverageResult(level=level, entities=tuple(entities), threshold=threshold, total_weight=total,
                          weight_problems=tuple(_weight_problems(entities, total)), anything_covered=anything,
                          unplaced=unplaced)


def pct(value: Decimal) -> str:
    """A share as French users read it: « 62 », « 65,9 »."""
    normal = value.normalize()
    places = max(0, -int(normal.as_tuple().exponent))
    return number_format(normal, decimal_pos=places)


def _site_name(site: Site) -> str:
    return f"{site.name} ({site.establishment})"


def _perimeter_labels(perimeters: Iterable[str]) -> str:
    from apps.bia.models import CarePerimeter

    return ", ".join(f"« {CarePerimeter(p).label} »" for p in perimeters)


def _weight_label(e: EntityCoverage) -> str:
    parts = [_("%(share)s %% of activity") % {"share": pct(e.weight)}]
    if e.basis:
        parts.append(e.basis)
    if e.weighed_on:
        parts.append(date_format(e.weighed_on, "SHORT_DATE_FORMAT"))
    return ", ".join(parts)


def coverage_check_result(result: CoverageResult, *, covered_by: str | Promise,
                          action: tuple[str | Promise, str]) -> CheckResult:
    """The check a requirement shows for ``result``; ``covered_by`` says what covers (« by validated BIAs »)."""
    evidence: list[str | Promise] = []
    missing: list[str | Promise] = []
    if result.level == SINGLE:
        e = result.entities[0] if result.entities else None
        done = len(e.needed & e.covered) if e else 0
        total = len(e.needed) if e else len(minimum_perimeters())
        summary = _("A single entity: the %(threshold)s %% rule is met once all its minimum perimeters are covered "
                    "%(by)s (%(done)s of %(total)s).") % {"threshold": pct(result.threshold), "by": covered_by,
                                                           "done": done, "total": total}
        if e and e.lacking:
            missing.append(_("Not covered yet: %(list)s.") % {"list": _perimeter_labels(e.lacking)})
        return CheckResult(status=result.status, summary=summary, evidence=evidence, missing=missing, action=action,
                           coverage=result)
    level_label = _("legal entity (FINESS EJ)") if result.level == ESTABLISHMENT else _("site (FINESS EG)")
    for e in result.entities:
        if e.counts:
            evidence.append(_("%(name)s (%(weight)s): all its minimum perimeters are covered.")
                            % {"name": e.name, "weight": _weight_label(e)})
        elif not e.needed:
            missing.append(_("%(name)s (%(weight)s): no minimum perimeter is recorded for it.")
                           % {"name": e.name, "weight": _weight_label(e)})
        else:
            done = len(e.needed & e.covered)
            missing.append(ngettext("%(name)s (%(weight)s): %(done)s of %(total)s minimum perimeters covered; "
                                    "missing %(list)s.",
                                    "%(name)s (%(weight)s): %(done)s of %(total)s minimum perimeters covered; "
                                    "missing %(list)s.", done) % {"name": e.name, "weight": _weight_label(e),
                                             "done": len(e.needed & e.covered), "total": len(e.needed),
                                             "list": _perimeter_labels(e.lacking)})
    if result.unplaced:
        missing.append(ngettext("%(count)s covered activity has no site while its legal entity has several: "
                                "record its site so it counts.",
                                "%(count)s covered activities have no site while their legal entity has several: "
                                "record their site so they count.", result.unplaced) % {"count": result.unplaced})
    if not result.weights_complete:
        summary = _("Weights to complete: the %(threshold)s %% rule is weighted by %(level)s and cannot be met until "
                    "the shares total 100 %% with their basis and date.") % {"level": level_label,
                                                                              "threshold": pct(result.threshold)}
        missing = [*result.weight_problems, *missing]
        action = (_("Complete the weights"), "tenants:establishments")
    else:
        values = {"by": covered_by, "share": pct(result.share), "threshold": pct(result.threshold)}
        if result.level == ESTABLISHMENT:
            summary = _("The legal entities (FINESS EJ) covered %(by)s weigh %(share)s %% of the combined activity "
                        "(%(threshold)s %% required).") % values
        else:
            summary = _("The sites (FINESS EG) covered %(by)s weigh %(share)s %% of the combined activity "
                        "(%(threshold)s %% required).") % values
    return CheckResult(status=result.status, summary=summary, evidence=evidence,
                       missing=missing if result.status != CheckResult.MET else [], action=action, coverage=result)
