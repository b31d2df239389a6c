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
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Min, Prefetch, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
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
    """The plan's page: filtered, sorted, with what each row shows (owner, establishments) in two more queries.

    The sort and the page are computed on the actions alone (no join, long texts left out, a rank only when the
    sort needs it); owners and establishments come for the 50 rows of the page only."""
    qs = filter_actions(action_queryset(organization=organization, membership=membership), filters)
    order = SORTS.get(filters.sort, SORTS["due"])
    if "-priority_rank" in order:
        qs = qs.annotate(priority_rank=_priority_rank())
    if "status_rank" in order:
        qs = qs.annotate(status_rank=_status_rank())
    return (qs.defer("description", "proof_note", "abandon_reason")
            .prefetch_related(Prefetch("owner_member", queryset=Membership.objects.filter(
                organization=organization).select_related("user")),
                Prefetch("establishments", queryset=Establishment.objects.filter(organization=organization)))
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
            .annotate(status_rank=_status_rank()).defer("description", "proof_note", "abandon_reason")
            .prefetch_related(Prefetch("establishments",
                                       queryset=Establishment.objects.filter(organization=organization)))
            .order_by("status_rank", _nulls_last("due_date"), "number"))


def action_detail(*, organization: Organization, action: Action, visible: QuerySet[Action]) -> dict[str, Any]:
    """What the action page shows: notes, establishments, the source and whether it still stands, the other
    actions of the same source among ``visible`` (``action_queryset``: a business owner's own actions only)."""
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
            action.source_kind, action.source_id, action.source_key)).exclude(pk=action.pk)
            .filter(pk__in=visible.values("pk"))[:10])
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


def _open_rows_sql(organization: Organization) -> tuple[str, tuple[Any, ...]]:
    """The open actions the scope shows (the limited manager's SQL), as a subquery for the grouped reads below."""
    qs = (Action.objects.filter(organization=organization, status__in=OPEN_STATUSES)
          .values("id", "number", "title", "due_date", "source_kind", "requirement_ids"))
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def _top_per_group(organization: Organization, groups_sql: str, groups_params: tuple[Any, ...],
                   keep: int) -> dict[str, OpenActions]:
    """One query: per group (``groups_sql`` gives ``(id, grp)`` rows over ``open_rows``), the count, the overdue
    count and the ``keep`` nearest due dates."""
    open_sql, open_params = _open_rows_sql(organization)
    today = timezone.localdate()
    # The SQL pieces are constants of this module; values travel as parameters.
    sql = f"""
        WITH open_rows AS ({open_sql}), grouped AS ({groups_sql})
        SELECT grp, id, number, title, due_date, n, late FROM (
            SELECT g.grp, o.id, o.number, o.title, o.due_date,
                   count(*) OVER w AS n,
                   sum(CASE WHEN o.due_date < %s THEN 1 ELSE 0 END) OVER w AS late,
                   row_number() OVER (PARTITION BY g.grp ORDER BY o.due_date ASC NULLS LAST, o.number) AS rn
            FROM grouped g JOIN open_rows o ON o.id = g.id
            WINDOW w AS (PARTITION BY g.grp)
        ) ranked WHERE rn <= %s ORDER BY grp, rn
    """  # noqa: S608
    result: dict[str, OpenActions] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*open_params, *groups_params, today, keep])
        for grp, pk, number, title, due_date, n, late in cursor.fetchall():
            bucket = result.setdefault(grp, OpenActions(count=n, overdue=late or 0))
            bucket.first.append(Action(pk=pk, organization_id=organization.pk, number=number, title=title,
                                       due_date=due_date, status=Status.TODO))
    return result


def _values(pairs: list[tuple[str, str]]) -> tuple[str, tuple[str, ...]]:
    return ", ".join(["(%s, %s)"] * len(pairs)), tuple(v for pair in pairs for v in pair)


def open_actions_by_stage(*, organization: Organization, keep: int = 3) -> dict[str, OpenActions]:
    """Open actions per journey stage (the rule of ``sources.stages_of``, in SQL), one query."""
    kinds_sql, kinds_params = _values(list(sources.KIND_STAGES.items()))
    reqs_sql, reqs_params = _values(list(sources.REQUIREMENT_STAGES.items()))
    fixed = ", ".join(["%s"] * len(sources.KIND_STAGES))
    groups_sql = f"""
        SELECT o.id, k.stage AS grp FROM open_rows o JOIN (VALUES {kinds_sql}) AS k(kind, stage) ON k.kind = o.source_kind
        UNION
        SELECT o.id, r.stage FROM open_rows o CROSS JOIN LATERAL unnest(o.requirement_ids) AS u(req)
        JOIN (VALUES {reqs_sql}) AS r(req, stage) ON r.req = u.req WHERE o.source_kind NOT IN ({fixed})
    """  # noqa: S608
    return _top_per_group(organization, groups_sql, (*kinds_params, *reqs_params, *sources.KIND_STAGES), keep)


def open_actions_by_requirement(*, organization: Organization, keep: int = 5) -> dict[str, OpenActions]:
    """Open actions per CaRE requirement they serve, one query."""
    groups_sql = "SELECT DISTINCT o.id, u.req AS grp FROM open_rows o CROSS JOIN LATERAL unnest(o.requirement_ids) AS u(req)"
    return _top_per_group(organization, groups_sql, (), keep)


# --- The direction's view ------------------------------------------------------------------------

@dataclass
class OwnerLate:
    owner: str
    external: bool
    count: int
    oldest: datetime.date
    actions: list[Action]


def late_by_owner(*, organization: Organization, keep: int = 5) -> list[OwnerLate]:
    """What is late and who carries it: overdue actions grouped by owner, most late first (two queries)."""
    today = timezone.localdate()
    overdue = Action.objects.filter(organization=organization, status__in=OPEN_STATUSES, due_date__lt=today)
    groups = {(row["owner_member_id"], row["owner_name"]): row for row in overdue.order_by().values(
        "owner_member_id", "owner_name").annotate(n=Count("pk"), oldest=Min("due_date"))}
    first: dict[tuple[Any, str], list[Action]] = defaultdict(list)
    ranked = overdue.annotate(rank=Window(RowNumber(), partition_by=[F("owner_member_id"), F("owner_name")],
                                          order_by=[F("due_date").asc(), F("number").asc()]))
    for action in ranked.filter(rank__lte=keep).select_related("owner_member__user").order_by("due_date", "number"):
        first[(action.owner_member_id, action.owner_name)].append(action)
    rows = []
    for key, group in groups.items():
        actions = first.get(key, [])
        sample = actions[0] if actions else None
        rows.append(OwnerLate(owner=(sample.owner_display if sample else "") or _("Nobody (not assigned)"),
                              external=not key[0] and bool(key[1]), count=group["n"], oldest=group["oldest"],
                              actions=actions))
    rows.sort(key=lambda r: (-r.count, r.oldest, r.owner))
    return rows


def burndown(*, organization: Organization, weeks: int = 26, today: datetime.date | None = None) -> dict[str, Any]:
    """Open actions at the end of each of the last ``weeks`` weeks, replayed from the history (pghistory events
    of the actions the scope shows): an action counts as open from its creation to its closing, and again if it
    was reopened. One query: PostgreSQL turns the events into +1/−1 per day, Python adds them up."""
    from django.conf import settings

    today = today or timezone.localdate()
    event_table = django_apps.get_model("actions", "ActionEvent")._meta.db_table
    visible_sql, visible_params = Action.objects.filter(organization=organization).values("pk").query.sql_with_params()
    is_open = "CASE WHEN e.status IN ('todo', 'in_progress') THEN 1 ELSE 0 END"
    sql = f"""
        SELECT day, sum(delta) FROM (
            SELECT (e.pgh_created_at AT TIME ZONE %s)::date AS day,
                   {is_open} - coalesce(lag({is_open}) OVER (PARTITION BY e.pgh_obj_id
                                                             ORDER BY e.pgh_created_at, e.pgh_id), 0) AS delta
            FROM {event_table} e WHERE e.pgh_obj_id IN ({visible_sql})
        ) moves WHERE delta <> 0 GROUP BY day ORDER BY day
    """  # noqa: S608 - the table name is the model's, the rest constants; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [settings.TIME_ZONE, *visible_params])
        moves = cursor.fetchall()
    points = [today - datetime.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    values, open_now, index = [], 0, 0
    for point in points:
        while index < len(moves) and moves[index][0] <= point:
            open_now += moves[index][1]
            index += 1
        values.append(open_now)
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
