"""The action plan in the CaRE dossier: the PDF section « Plan d'actions » (by requirement, then by priority,
late ones marked) and the XLSX sheet « Plan d'actions » (every column, one row per action).

Autodiscovered by the exports app; runs in a worker inside the organization's scope (a limited member's export
holds the actions their limit shows) and language. A fixed number of queries: rows are read with
``values_list``, establishments and proof files in one query each. Text cells are made inert by the
workbook's writer (``apps.exports.xlsx.make_cell``: formula-like text is stored as a string with Excel's
quote prefix), which the tests check on this sheet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.actions import selectors
from apps.actions.models import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    Action,
    ActionEstablishment,
    Priority,
    SourceKind,
    Status,
)
from apps.compliance.catalogue import current_catalogue
from apps.compliance.models import Evidence
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet
from apps.exports.snapshot import memo

if TYPE_CHECKING:
    import datetime

    from apps.tenants.models import Organization



def _establishments(organization: Organization) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for action_id, short, name in (ActionEstablishment.objects.filter(organization=organization)
                                   .order_by("establishment__name")
                                   .values_list("action_id", "establishment__short_name", "establishment__name")):
        names[action_id].append(short or name)
    return names


def _proofs(organization: Organization, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    # Through the evidence library's own limit: a file may document another establishment's object.
    return dict(Evidence.objects.filter(organization=organization, pk__in=ids).values_list("pk", "title"))


def _owner(first: str | None, last: str | None, email: str | None, external: str) -> str:
    if email:
        return f"{first or ''} {last or ''}".strip() or email
    return external


@dataclass
class Row:
    reference: str
    title: str
    source: str
    owner: str
    establishments: str
    due_date: datetime.date | None
    priority: str
    priority_rank: int
    status: str
    status_label: str
    late: bool
    proof: str

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass
class Group:
    requirement_id: str
    label: str
    rows: list[Row] = field(default_factory=list)


ROW_FIELDS = ("pk", "number", "title", "source_kind", "source_label", "requirement_ids",
              "owner_member__user__first_name", "owner_member__user__last_name", "owner_member__user__email",
              "owner_name", "due_date", "priority", "status", "proof_evidence_id", "proof_note")


def actions_context(organization: Organization) -> dict[str, Any]:
    """The section « Plan d'actions »: every action (no cut list: the PDF paginates), grouped by requirement.

    Read once per export job (``apps.exports.snapshot``): the requirements section lists the same open actions."""
    return memo(("actions.groups", organization.pk), lambda: _actions_context(organization))


def action_groups(organization: Organization) -> dict[str, Any]:
    return actions_context(organization)


def _actions_context(organization: Organization) -> dict[str, Any]:
    today = timezone.localdate()
    statuses, priorities, kinds = dict(Status.choices), dict(Priority.choices), dict(SourceKind.choices)
    values = list(Action.objects.filter(organization=organization).exclude(status=Status.ABANDONED)
                  .order_by("number").values_list(*ROW_FIELDS))
    establishments = _establishments(organization)
    proofs = _proofs(organization, {v[13] for v in values if v[13]})
    catalogue = current_catalogue()
    groups = {r.id: Group(r.id, r.label) for r in catalogue.requirements}
    without = Group("", _("Without a CaRE requirement"))
    for (pk, number, title, kind, source_label, requirements, first, last, email, external, due, priority, status,
         proof_id, proof_note) in values:
        row = Row(reference=f"PA-{number:03d}", title=title,
                  source=(source_label or str(kinds.get(kind, kind))) if kind != SourceKind.NONE else "",
                  owner=_owner(first, last, email, external), establishments=", ".join(establishments.get(pk, [])),
                  due_date=due, priority=str(priorities.get(priority, priority)),
                  priority_rank=PRIORITY_RANK.get(priority, 0), status=status,
                  status_label=str(statuses.get(status, status)),
                  late=status in OPEN_STATUSES and due is not None and due < today,
                  proof=proofs.get(proof_id, "") if proof_id else (proof_note or ""))
        targets = [groups[r] for r in requirements if r in groups] or [without]
        for group in targets:
            group.rows.append(row)
    result = []
    for group in [*groups.values(), without]:
        if not group.rows:
            continue
        group.rows.sort(key=lambda r: (-r.priority_rank, r.due_date is None, r.due_date or today, r.reference))
        result.append(group)
    return {
        "groups": result,
        "counts": selectors.counts(qs=Action.objects.filter(organization=organization)),
        "abandoned": Action.objects.filter(organization=organization, status=Status.ABANDONED).count(),
        "today": today,
    }


SHEET_FIELDS = ("pk", "number", "title", "description", "source_kind", "source_label", "requirement_ids",
                "owner_member__user__first_name", "owner_member__user__last_name", "owner_member__user__email",
                "owner_name", "owner_email", "due_date", "retro_entered", "priority", "status", "abandon_reason",
                "closed_at", "proof_evidence_id", "proof_note", "cost_estimate", "created_at", "updated_at")


def action_rows(organization: Organization) -> Iterator[list[Any]]:
    today = timezone.localdate()
    statuses, priorities, kinds = dict(Status.choices), dict(Priority.choices), dict(SourceKind.choices)
    values = list(Action.objects.filter(organization=organization).order_by("number").values_list(*SHEET_FIELDS))
    establishments = _establishments(organization)
    proofs = _proofs(organization, {v[18] for v in values if v[18]})
    yes, no = _("yes"), _("no")
    for (pk, number, title, description, kind, source_label, requirements, first, last, email, external,
         external_email, due, retro, priority, status, reason, closed_at, proof_id, proof_note, cost, created,
         updated) in values:
        late = status in OPEN_STATUSES and due is not None and due < today
        yield [
            f"PA-{number:03d}", title, description, str(kinds.get(kind, kind)), source_label,
            ", ".join(requirements), ", ".join(establishments.get(pk, [])) or _("Whole organization"),
            _owner(first, last, email, external), email or external_email, due, yes if late else no,
            str(priorities.get(priority, priority)), str(statuses.get(status, status)), reason, closed_at,
            proofs.get(proof_id, "") if proof_id else "", proof_note, cost, yes if retro else no, created, updated,
        ]


register_pdf_section(PdfSection(
    key="actions", order=700, title=gettext_lazy("Action plan"),
    template="actions/exports/section.html", context=actions_context,
))
register_xlsx_sheet(XlsxSheet(
    key="actions", order=700, title=gettext_lazy("Action plan"),
    columns=[
        Column(gettext_lazy("Reference"), width=10), Column(gettext_lazy("Action"), width=40),
        Column(gettext_lazy("Description"), width=50), Column(gettext_lazy("Source"), width=22),
        Column(gettext_lazy("Source (as recorded)"), width=40), Column(gettext_lazy("CaRE requirements"), width=18),
        Column(gettext_lazy("Establishments"), width=28), Column(gettext_lazy("Owner"), width=26),
        Column(gettext_lazy("Owner's e-mail"), width=28), Column(gettext_lazy("Due date"), kind="date", width=12),
        Column(gettext_lazy("Late"), width=8), Column(gettext_lazy("Priority"), width=10),
        Column(gettext_lazy("Status"), width=12), Column(gettext_lazy("Why it was abandoned"), width=30),
        Column(gettext_lazy("Closed on"), kind="datetime", width=16),
        Column(gettext_lazy("Proof of closure (file)"), width=30),
        Column(gettext_lazy("Proof of closure (note)"), width=40),
        Column(gettext_lazy("Cost estimate (€)"), kind="number", width=14),
        Column(gettext_lazy("Entered after the fact"), width=10),
        Column(gettext_lazy("Created on"), kind="datetime", width=16),
        Column(gettext_lazy("Last change"), kind="datetime", width=16),
    ],
    rows=action_rows,
))
