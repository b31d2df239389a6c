"""Reads of the action plan: tenant first, a fixed number of queries whatever the number of actions.

Every queryset starts from ``Action.objects`` (the limited manager): a member limited to some establishments
reads the organization-wide actions and those naming one of theirs, never another establishment's.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps as django_apps
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.actions import sources
from apps.actions.models import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    Action,
    ActionNote,
    SourceKind,
    Status,
)
from apps.compliance.models import Evidence
from apps.tenants.models import Establishment, Membership

if TYPE_CHECKING:
    from apps.tenants.models import Organization

PER_PAGE = 50
DUE_SOON_DAYS = 30  # « à échéance sous 30 jours » on the counters
DIGEST_SOON_DAYS = 14  # the weekly digest lists what falls due in the next two weeks

SORTS: dict[str, list[Any]] = {
    "due": ["due_date", "number"],
    "-due": ["-due_date", "-number"],
    "priority": ["-priority_rank", "due_date", "number"],
    "status": ["status_rank", "due_date", "number"],
    "number": ["number"],
    "-number": ["-number"],
    "updated": ["-updated_at", "-number"],
}


def _priority_rank() -> Case:
    return Case(*[When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()], default=Value(0),
                output_field=IntegerField())


def _status_rank() -> Case:
    order = [Status.IN_PROGRESS, Status.TODO, Status.DONE, Status.ABANDONED]
    return Case(*[When(status=s, then=Value(i)) for i, s in enumerate(order)], output_field=IntegerField())


def action_queryset(*, organization: Organization, membership: Membership) -> QuerySet[Action]:
    """The actions this member may open: all those the limit shows to readers of the plan, their own otherwise."""
    qs = Action.objects.filter(organization=organization)
    if not membership.has_capability("actions.view"):
        qs = qs.filter(owner_member=membership)
    return qs


def can_follow(*, membership: Membership, action: Action) -> bool:
    """Change the status, add notes and a proof: the plan's editors, and the action's owner."""
    return membership.has_capability("actions.change") or action.owner_member_id == membership.pk


@dataclass
class Filters:
    status: str = "open"  # open, all, or a Status value
    owner: str = ""  # a membership id, "external" or "none"
    source: str = ""  # a SourceKind value
    requirement: str = ""
    establishment: int | None = None
    stage: str = ""  # a journey stage key (``sources.stages_of``)
    overdue: bool = False
    q: str = ""
    sort: str = "due"


def stage_q(stage: str) -> Q:
    """The actions of one journey stage, as a query (the rule of ``sources.stages_of``)."""
    kinds = [k for k, s in sources.KIND_STAGES.items() if s == stage]
    requirements = [r for r, s in sources.REQUIREMENT_STAGES.items() if s == stage]
    by_requirement = ~Q(source_kind__in=list(sources.KIND_STAGES)) & Q(requirement_ids__overlap=requirements)
    return Q(source_kind__in=kinds) | by_requirement if requirements else Q(source_kind__in=kinds)


def filter_actions(qs: QuerySet[Action], filters: Filters, *, today: datetime.date | None = None) -> QuerySet[Action]:
    today = today or timezone.localdate()
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status in Status.values:
        qs = qs.filter(status=filters.status)
    if filters.owner == "none":
        qs = qs.filter(owner_member__isnull=True, owner_name="")
    elif filters.owner == "external":
        qs = qs.filter(owner_member__isnull=True).exclude(owner_name="")
    elif filters.owner.isdigit():
        qs = qs.filter(owner_member_id=int(filters.owner))
    if filters.source in SourceKind.values:
        qs = qs.filter(source_kind=filters.source)
    if filters.requirement:
        qs = qs.filter(requirement_ids__contains=[filters.requirement])
    if filters.establishment:
        qs = qs.filter(establishment_links__establishment_id=filters.establishment)
    if filters.stage:
        qs = qs.filter(stage_q(filters.stage))
    if filters.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    if filters.q:
        term = filters.q
        number = term.upper().removeprefix("PA-").lstrip("0")
        match = (Q(title__icontains=term) | Q(description__icontains=term) | Q(source_label__icontains=term)
                 | Q(owner_name__icontains=term) | Q(owner_member__user__first_name__icontains=term)
                 | Q(owner_member__user__last_name__icontains=term))
        if number.isdigit():
            match |= Q(number=int(number))
        qs = qs.filter(match)
    return qs


def action_list(*, organization: Organization, membership: Membership, filters: Filters) -> QuerySet[Action]:
    """The plan's page: filtered, sorted, with what each row shows (owner, establishments) in two queries."""
    qs = filter_actions(action_queryset(organization=organization, membership=membership), filters)
    order = SORTS.get(filters.sort, SORTS["due"])
    return (qs.annotate(priority_rank=_priority_rank(), status_rank=_status_rank())
            .select_related("owner_member__user")
            .prefetch_related(Prefetch("establishments",
                                       queryset=Establishment.objects.filter(organization=organization)))
            .order_by(*[_nulls_last(o) for o in order]))


def _nulls_last(name: str) -> Any:
    from django.db.models import F

    if name.lstrip("-") != "due_date":
        return name
    return F("due_date").desc(nulls_last=True) if name.startswith("-") else F("due_date").asc(nulls_last=True)


def counts(*, qs: QuerySet[Action], today: datetime.date | None = None) -> dict[str, int]:
    """Open, overdue, due within 30 days, done this month: one query."""
    today = today or timezone.localdate()
    month_start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1), datetime.time.min))
    is_open = Q(status__in=OPEN_STATUSES)
    return qs.order_by().aggregate(
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
        due_soon=Count("pk", filter=is_open & Q(due_date__gte=today,
                                               due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))),
        done_this_month=Count("pk", filter=Q(status=Status.DONE, closed_at__gte=month_start)),
    )


def owner_choices(*, organization: Organization) -> list[tuple[str, str]]:
    members = Membership.objects.filter(organization=organization).select_related("user").order_by(
        "user__last_name", "user__first_name", "user__email")
    return [(str(m.pk), m.user.get_full_name() or m.user.email) for m in members]


def my_actions(*, organization: Organization, membership: Membership) -> QuerySet[Action]:
    """The member's own actions, open ones first, the nearest due date first."""
    return (Action.objects.filter(organization=organization, owner_member=membership)
            .annotate(status_rank=_status_rank())
            .prefetch_related(Prefetch("establishments",
                                       queryset=Establishment.objects.filter(organization=organization)))
            .order_by("status_rank", _nulls_last("due_date"), "number"))


def action_detail(*, organization: Organization, action: Action) -> dict[str, Any]:
    """What the action page shows: notes, establishments, the source and whether it still stands, the other
    actions of the same source."""
    info = None
    if action.source_kind != SourceKind.NONE:
        info = sources.resolve(organization, sources.SourceRef(action.source_kind, action.source_id,
                                                               action.source_key))
    return {
        "notes": list(ActionNote.objects.filter(organization=organization, action=action).select_related("author")),
        "establishments": list(Establishment.objects.filter(organization=organization,
                                                            pk__in=action.establishment_links.values("establishment"))),
        "source": info,
        "proof": proof_of(organization=organization, action=action),
        "siblings": list(same_source(organization=organization, ref=sources.SourceRef(
            action.source_kind, action.source_id, action.source_key)).exclude(pk=action.pk)[:10])
        if action.source_kind != SourceKind.NONE else [],
    }


def proof_of(*, organization: Organization, action: Action) -> Evidence | None:
    """The proof file of an action, through the evidence library's own limit (a file chosen from the library
    may document another establishment's object)."""
    if not action.proof_evidence_id:
        return None
    return Evidence.objects.filter(organization=organization, pk=action.proof_evidence_id).alive().first()


def same_source(*, organization: Organization, ref: sources.SourceRef) -> QuerySet[Action]:
    """The actions already created from this source (abandoned ones left out): the « already exists » warning."""
    return (Action.objects.filter(organization=organization, source_kind=ref.kind, source_id=ref.id,
                                  source_key=ref.key).exclude(status=Status.ABANDONED)
            .select_related("owner_member__user").order_by("number"))


def actions_by_source(*, organization: Organization, kind: str) -> dict[tuple[int | None, str], list[Action]]:
    """Every action of one source kind (abandoned ones left out), by (source id, key): one query for a page that
    shows many sources (the gap list, the restoration tests, the decisions)."""
    result: dict[tuple[int | None, str], list[Action]] = defaultdict(list)
    qs = (Action.objects.filter(organization=organization, source_kind=kind).exclude(status=Status.ABANDONED)
          .annotate(status_rank=_status_rank()).select_related("owner_member__user")
          .order_by("status_rank", _nulls_last("due_date"), "number"))
    for action in qs:
        result[(action.source_id, action.source_key)].append(action)
    return dict(result)


@dataclass
class OpenActions:
    """The open actions of one journey stage or one requirement."""

    count: int = 0
    overdue: int = 0
    first: list[Action] = field(default_factory=list)  # the nearest due dates, for the page to name


OPEN_ONLY_FIELDS = ("pk", "organization_id", "number", "title", "status", "due_date", "source_kind",
                    "requirement_ids", "priority")


def _open_actions(organization: Organization) -> QuerySet[Action]:
    return (Action.objects.filter(organization=organization, status__in=OPEN_STATUSES)
            .only(*OPEN_ONLY_FIELDS).order_by(_nulls_last("due_date"), "number"))


def open_actions_by_stage(*, organization: Organization, keep: int = 3) -> dict[str, OpenActions]:
    """Open actions per journey stage (``sources.stages_of``), one query."""
    today = timezone.localdate()
    result: dict[str, OpenActions] = defaultdict(OpenActions)
    for action in _open_actions(organization):
        for stage in sources.stages_of(action.source_kind, action.requirement_ids):
            _add(result[stage], action, today, keep)
    return dict(result)


def open_actions_by_requirement(*, organization: Organization, keep: int = 5) -> dict[str, OpenActions]:
    """Open actions per CaRE requirement they serve, one query."""
    today = timezone.localdate()
    result: dict[str, OpenActions] = defaultdict(OpenActions)
    for action in _open_actions(organization).exclude(requirement_ids=[]):
        for requirement_id in action.requirement_ids:
            _add(result[requirement_id], action, today, keep)
    return dict(result)


def _add(bucket: OpenActions, action: Action, today: datetime.date, keep: int) -> None:
    bucket.count += 1
    if action.is_late_on(today):
        bucket.overdue += 1
    if len(bucket.first) < keep:
        bucket.first.append(action)


# --- The direction's view ------------------------------------------------------------------------

@dataclass
class OwnerLate:
    owner: str
    external: bool
    count: int
    oldest: datetime.date
    actions: list[Action]


def late_by_owner(*, organization: Organization, keep: int = 5) -> list[OwnerLate]:
    """What is late and who carries it: overdue actions grouped by owner, most late first (one query)."""
    today = timezone.localdate()
    groups: dict[tuple[Any, str], list[Action]] = defaultdict(list)
    qs = (Action.objects.filter(organization=organization, status__in=OPEN_STATUSES, due_date__lt=today)
          .select_related("owner_member__user").order_by("due_date", "number"))
    for action in qs:
        groups[(action.owner_member_id, action.owner_name if not action.owner_member_id else "")].append(action)
    rows = []
    for (member_id, _name), actions in groups.items():
        first = actions[0]
        rows.append(OwnerLate(owner=first.owner_display or _("Nobody (not assigned)"),
                              external=not member_id and bool(first.owner_name), count=len(actions),
                              oldest=first.due_date or today, actions=actions[:keep]))
    rows.sort(key=lambda r: (-r.count, r.oldest, r.owner))
    return rows


def burndown(*, organization: Organization, weeks: int = 26, today: datetime.date | None = None) -> dict[str, Any]:
    """Open actions at the end of each of the last ``weeks`` weeks, replayed from the history (pghistory events
    of the actions the scope shows): an action counts as open from its creation to its closing, and again if
    it was reopened. One query."""
    today = today or timezone.localdate()
    event_model = django_apps.get_model("actions", "ActionEvent")
    visible = Action.objects.filter(organization=organization).values("pk")
    events = (event_model.objects.filter(pgh_obj_id__in=visible).order_by("pgh_created_at", "pgh_id")
              .values_list("pgh_obj_id", "pgh_created_at", "status"))
    points = [today - datetime.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    ends = [timezone.make_aware(datetime.datetime.combine(p + datetime.timedelta(days=1), datetime.time.min))
            for p in points]
    state: dict[int, bool] = {}
    open_now = 0
    values: list[int] = []
    index = 0
    for obj_id, created_at, status in events:
        while index < len(ends) and created_at >= ends[index]:
            values.append(open_now)
            index += 1
        is_open = status in OPEN_STATUSES
        was_open = state.get(obj_id, False)
        open_now += int(is_open) - int(was_open)
        state[obj_id] = is_open
    while index < len(ends):
        values.append(open_now)
        index += 1
    return {"labels": [p.isoformat() for p in points], "values": values}


def by_source(*, organization: Organization, today: datetime.date | None = None) -> dict[str, Any]:
    """Actions per source kind: open on time, overdue, done (abandoned ones left out). One query."""
    today = today or timezone.localdate()
    is_open = Q(status__in=OPEN_STATUSES)
    rows = {r["source_kind"]: r for r in Action.objects.filter(organization=organization).order_by()
            .values("source_kind").annotate(
                late=Count("pk", filter=is_open & Q(due_date__lt=today)),
                open=Count("pk", filter=is_open & (Q(due_date__gte=today) | Q(due_date__isnull=True))),
                done=Count("pk", filter=Q(status=Status.DONE)))}
    kinds = [k for k in SourceKind.values if k in rows]
    return {
        "labels": [str(SourceKind(k).label) for k in kinds],
        "kinds": kinds,
        "late": [rows[k]["late"] for k in kinds],
        "open": [rows[k]["open"] for k in kinds],
        "done": [rows[k]["done"] for k in kinds],
    }


# --- The weekly digest ---------------------------------------------------------------------------

def digest_recipients(*, organization: Organization,
                      today: datetime.date | None = None) -> dict[str, tuple[str, list[Action]]]:
    """E-mail address → (name, their overdue and soon-due actions, overdue first): one e-mail per person."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=DIGEST_SOON_DAYS)
    qs = (Action.objects.filter(organization=organization, status__in=OPEN_STATUSES, due_date__lte=horizon)
          .filter(Q(owner_member__isnull=False) | ~Q(owner_email=""))
          .select_related("owner_member__user").order_by("due_date", "number"))
    result: dict[str, tuple[str, list[Action]]] = {}
    for action in qs:
        address = action.owner_address.strip().lower()
        if not address:
            continue
        name, actions = result.setdefault(address, (action.owner_display, []))
        actions.append(action)
    return result
