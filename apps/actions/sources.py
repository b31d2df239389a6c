"""Where an action comes from: each source kind resolved through the organization, and whether it still stands.

An action's source is ``(source_kind, source_id, source_key)`` (``SourceRef``):

=================  ==================================  =========================================================
kind               id / key                            still stands while…
=================  ==================================  =========================================================
``bia_gap``        resource id, ``rto`` / ``rpo``;     the BIA engine still finds that gap (promised or measured
                   activity id, ``activity_rto``       capability, dependencies: ``apps.bia.selectors.bia_analysis``)
``spof``           resource id                         the resource is still a single point of failure
``decision``       COPIL decision id                   (not applicable: a decision is a record)
``restore_test``   restoration test id                 no later test of that system succeeded on target
``milestone``      trajectory milestone id             the milestone is not done
``requirement``    —, the requirement id (``D2.O3.B``)  the requirement's checks do not say « met »
``exercise_finding`` reserved for the exercises app     (it registers its resolver with ``register_source``)
``backup_alert``   backup alert id (``apps.backups``)  the alert is not resolved by a successful job
=================  ==================================  =========================================================

A resolver looks its object up through the organization's default manager, so a member limited to some
establishments (``apps.core.tenancy``) cannot reach another establishment's source: ``resolve`` returns
``None`` for a missing, foreign or hidden source, and the services refuse it. The status of an action never
closes its source: a gap disappears only when the data changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.actions.models import Priority, SourceKind

if TYPE_CHECKING:
    import datetime

    from apps.tenants.models import Membership, Organization


@dataclass(frozen=True)
class SourceRef:
    kind: str
    id: int | None = None
    key: str = ""


@dataclass
class SourceInfo:
    """What a source proposes for a new action, and where it stands now."""

    ref: SourceRef
    label: str  # short, kept on the action (``source_label``)
    title: str  # the proposed title of the action
    description: str = ""
    url: str | None = None
    priority: str = Priority.MEDIUM
    establishment_ids: tuple[int, ...] = ()
    requirement_ids: tuple[str, ...] = ()
    # True: the source still stands; False: resolved; None: the question does not apply (a decision).
    stands: bool | None = None
    state: str = ""  # the sentence saying it (« l'écart persiste »)
    due_date: datetime.date | None = None
    owner_member: Membership | None = None
    extra: dict[str, str] = field(default_factory=dict)


Resolver = Callable[["Organization", SourceRef], "SourceInfo | None"]
_RESOLVERS: dict[str, Resolver] = {}

# The CaRE journey stage each source kind belongs to; an action entered directly or from a requirement
# belongs to the stages of its requirements (``REQUIREMENT_STAGES``).
KIND_STAGES: dict[str, str] = {
    SourceKind.BIA_GAP: "bia", SourceKind.SPOF: "bia", SourceKind.DECISION: "governance",
    SourceKind.RESTORE_TEST: "backups", SourceKind.MILESTONE: "backups", SourceKind.EXERCISE_FINDING: "exercises",
    SourceKind.BACKUP_ALERT: "backups",
}
REQUIREMENT_STAGES: dict[str, str] = {
    "D2.P1": "governance", "D2.P2": "governance", "D2.O1.A": "governance", "D2.O1.B": "governance",
    "D2.O1.C": "plans", "D2.O1.D": "exercises", "D2.O2.A": "backups", "D2.O2.B": "backups", "D2.O3.A": "backups",
    "D2.O3.B": "backups", "D2.O3.C": "backups", "D2.O3.D": "backups", "D2.O4": "backups",
}
# Restoration test outcomes (``apps.backups.computations.test_outcome``) an action can be created from.
FAILED_OUTCOMES = ("failure", "partial", "success_off_target")


def register_source(kind: str, resolver: Resolver) -> None:
    """Plug a source kind in (the exercises app registers ``exercise_finding`` from its ``ready``)."""
    _RESOLVERS[kind] = resolver


def resolve(organization: Organization, ref: SourceRef) -> SourceInfo | None:
    """The source as the current scope sees it, or ``None`` (unknown kind, missing, foreign or hidden)."""
    resolver = _RESOLVERS.get(ref.kind)
    if resolver is None:
        return None
    return resolver(organization, ref)


def stages_of(kind: str, requirement_ids: list[str] | tuple[str, ...]) -> set[str]:
    """The journey stages an action belongs to (one rule, for the journey and the list's stage filter)."""
    if kind in KIND_STAGES:
        return {KIND_STAGES[kind]}
    return {REQUIREMENT_STAGES[r] for r in requirement_ids if r in REQUIREMENT_STAGES}


CRITICALITY_PRIORITY = {"critical": Priority.CRITICAL, "high": Priority.HIGH, "medium": Priority.MEDIUM,
                        "low": Priority.LOW}


def priority_for(criticality: str | None) -> str:
    """The default priority of an action: the criticality of what its source puts at risk."""
    return CRITICALITY_PRIORITY.get(criticality or "", Priority.MEDIUM)


def _url(organization: Organization, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"org_slug": organization.slug, **kwargs})


# --- The BIA: gaps and single points of failure --------------------------------------------------

def gap_key(node_kind: str, gap_kind: str) -> str:
    """``rto`` / ``rpo`` for a resource's gap, ``activity_rto`` for an upstream activity's."""
    return gap_kind if node_kind == "resource" else f"{node_kind}_{gap_kind}"


def _resource_criticality(organization: Organization, resource_id: int) -> str:
    from apps.bia import engine
    from apps.bia.selectors import bia_analysis

    graph, analysis = bia_analysis(organization=organization)
    need = analysis.rto_requirements.get((engine.RESOURCE, resource_id))
    if need is None:
        return ""
    return graph.activities[need.path[0][1]].criticality


def _bia_gap(organization: Organization, ref: SourceRef) -> SourceInfo | None:
    from apps.bia import engine
    from apps.bia.models import Activity, Resource
    from apps.bia.selectors import bia_analysis, gap_rows, gap_sentence

    node_kind, _sep, gap_kind = ref.key.rpartition("_")
    node_kind = node_kind or engine.RESOURCE
    if gap_kind not in ("rto", "rpo") or node_kind not in (engine.RESOURCE, engine.ACTIVITY) or ref.id is None \
            or (node_kind == engine.ACTIVITY and gap_kind != "rto"):
        return None
    model = Resource if node_kind == engine.RESOURCE else Activity
    obj = model.objects.filter(organization=organization, pk=ref.id).first()
    if obj is None:
        return None
    graph, analysis = bia_analysis(organization=organization)
    gap = next((g for g in [*analysis.gaps, *analysis.missing_capabilities]
                if g.node == (node_kind, ref.id) and g.kind == gap_kind), None)
    values = {"name": obj.name}
    if gap_kind == "rto":
        label = _("Recovery-time gap: %(name)s") % values
        title = _("Bring the recovery time of %(name)s within the need") % values
    else:
        label = _("Data-loss gap: %(name)s") % values
        title = _("Bring the data loss of %(name)s within the PDMA") % values
    description, criticality = "", ""
    if gap is not None:
        description = gap_sentence(gap_rows(graph, [gap])[0])
        criticality = graph.activities[gap.source[1]].criticality
    url = _url(organization, "bia:resource-detail" if node_kind == engine.RESOURCE else "bia:activity-detail",
               pk=obj.pk)
    return SourceInfo(
        ref=ref, label=label[:300], title=title[:200], description=description, url=url,
        priority=priority_for(criticality), establishment_ids=(obj.establishment_id,) if obj.establishment_id else (),
        requirement_ids=("D2.O1.C",) if gap_kind == "rto" else ("D2.O2.B",),
        stands=gap is not None,
        state=description if gap is not None
        else _("The BIA no longer finds it: the capability, the need or the dependencies changed."),
    )


def _spof(organization: Organization, ref: SourceRef) -> SourceInfo | None:
    from apps.bia.models import CRITICALITY_RANK, Resource
    from apps.bia.selectors import bia_analysis, spof_rows

    if ref.id is None:
        return None
    resource = Resource.objects.filter(organization=organization, pk=ref.id).first()
    if resource is None:
        return None
    graph, analysis = bia_analysis(organization=organization)
    row = next(iter(spof_rows(graph, analysis, resource_id=resource.pk, paths_limit=10)), None)
    values = {"name": resource.name}
    criticality = ""
    description = ""
    if row is not None:
        criticality = max((a.criticality for a in row["activities"]), key=lambda c: CRITICALITY_RANK.get(c, 0))
        description = "\n".join(p["chain"] for p in row["paths"][:10])
    return SourceInfo(
        ref=ref, label=(_("Single point of failure: %(name)s") % values)[:300],
        title=(_("Give %(name)s a workaround or a redundancy") % values)[:200], description=description,
        url=_url(organization, "bia:resource-detail", pk=resource.pk), priority=priority_for(criticality),
        establishment_ids=(resource.establishment_id,) if resource.establishment_id else (),
        requirement_ids=("D2.O1.C",), stands=row is not None,
        state=_("It is still a single point of failure.") if row is not None
        else _("It is no longer a single point of failure."),
    )


# --- Governance, backups, compliance -------------------------------------------------------------

def _decision(organization: Organization, ref: SourceRef) -> SourceInfo | None:
    from django.utils import timezone

    from apps.governance.models import Decision
    from apps.tenants.models import Membership

    if ref.id is None:
        return None
    decision = Decision.objects.filter(organization=organization, pk=ref.id).select_related("meeting").first()
    if decision is None:
        return None
    date = date_format(decision.meeting.held_on, "SHORT_DATE_FORMAT")
    first_line = decision.text.strip().splitlines()[0] if decision.text.strip() else str(decision)
    owner = None
    if decision.owner.strip():
        wanted = decision.owner.strip().casefold()
        owner = next((m for m in Membership.objects.filter(organization=organization).select_related("user")
                      if wanted in {(m.user.get_full_name() or "").casefold(), m.user.email.casefold()}), None)
    description = decision.text
    if decision.owner.strip() and owner is None:
        description += "\n\n" + _("Owner named by the COPIL: %(owner)s") % {"owner": decision.owner.strip()}
    due = decision.due_date if decision.due_date and decision.due_date >= timezone.localdate() else None
    return SourceInfo(
        ref=ref, label=(_("COPIL decision of %(date)s") % {"date": date})[:300], title=first_line[:200],
        description=description, url=_url(organization, "governance:meeting-detail", pk=decision.meeting_id),
        due_date=due, owner_member=owner,
    )


def _restore_test(organization: Organization, ref: SourceRef) -> SourceInfo | None:
    from apps.backups.computations import SUCCESS, outcome_label
    from apps.backups.models import RestoreTest

    if ref.id is None:
        return None
    test = RestoreTest.objects.filter(organization=organization, pk=ref.id).select_related("resource").first()
    if test is None:
        return None
    later = [t for t in RestoreTest.objects.filter(organization=organization, resource_id=test.resource_id,
                                                     tested_on__gte=test.tested_on).exclude(pk=test.pk)
             if t.tested_on > test.tested_on or t.pk > test.pk]
    succeeded = next((t for t in sorted(later, key=lambda t: (t.tested_on, t.pk)) if t.outcome == SUCCESS), None)
    values = {"name": test.resource.name, "date": date_format(test.tested_on, "SHORT_DATE_FORMAT"),
              "outcome": outcome_label(test.outcome)}
    return SourceInfo(
        ref=ref, label=(_("Restoration test of %(name)s on %(date)s: %(outcome)s") % values)[:300],
        title=(_("Make the restoration of %(name)s succeed on target") % values)[:200],
        description=test.notes, url=_url(organization, "backups:tests"),
        priority=priority_for(_resource_criticality(organization, test.resource_id)),
        establishment_ids=(test.resource.establishment_id,) if test.resource.establishment_id else (),
        requirement_ids=("D2.O4",), stands=succeeded is None,
        state=_("No later test of this system succeeded on target.") if succeeded is None
        else _("A later test succeeded on target on %(date)s.") % {
            "date": date_format(succeeded.tested_on, "SHORT_DATE_FORMAT")},
    )


def _milestone(organization: Organization, ref: SourceRef) -> SourceInfo | None:
    from apps.backups.models import Milestone, Trajectory

    if ref.id is None:
        return None
    milestone = Milestone.objects.filter(organization=organization, pk=ref.id).select_related("trajectory").first()
    if milestone is None:
        return None
    values = {"title": milestone.title, "trajectory": milestone.trajectory.title}
    requirement = "D2.O3.B" if milestone.trajectory.kind == Trajectory.Kind.ISOLATION else "D2.O3.C"
    return SourceInfo(
        ref=ref, label=(_("Milestone « %(title)s » (%(trajectory)s)") % values)[:300], title=milestone.title[:200],
        url=_url(organization, "backups:trajectories"), priority=Priority.HIGH, requirement_ids=(requirement,),
        stands=milestone.done_on is None, due_date=milestone.due_on,
        state=_("The milestone is not reached yet.") if milestone.done_on is None
        else _("The milestone was reached on %(date)s.") % {"date": date_format(milestone.done_on, "SHORT_DATE_FORMAT")},
    )


def _requirement(organization: Organization, ref: SourceRef) -> SourceInfo | None:
    from apps.compliance.catalogue import current_catalogue
    from apps.compliance.registry import CheckResult, checks_for, combine

    requirement = next((r for r in current_catalogue().requirements if r.id == ref.key), None)
    if requirement is None:
        return None
    results = [check.func(organization) for check in checks_for(requirement.id)]
    met = bool(results) and combine(results) == CheckResult.MET
    missing = [str(item) for r in results for item in r.missing]
    values = {"id": requirement.id, "label": requirement.label}
    return SourceInfo(
        ref=SourceRef(kind=ref.kind, key=requirement.id), label=(_("Requirement %(id)s not met") % values)[:300],
        title=(_("Meet %(id)s: %(label)s") % values)[:200], description="\n".join(missing),
        url=_url(organization, "compliance:requirements") + f"#req-{slugify(requirement.id)}",
        priority=Priority.CRITICAL if requirement.kind == "prerequisite" else Priority.HIGH,
        requirement_ids=(requirement.id,), stands=not met,
        state=_("The requirement is met.") if met else _("The requirement is not met yet."),
    )


register_source(SourceKind.BIA_GAP, _bia_gap)
register_source(SourceKind.SPOF, _spof)
register_source(SourceKind.DECISION, _decision)
register_source(SourceKind.RESTORE_TEST, _restore_test)
register_source(SourceKind.MILESTONE, _milestone)
register_source(SourceKind.REQUIREMENT, _requirement)
