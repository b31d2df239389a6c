"""The governance's parts of the CaRE dossier (PDF section) and workbook (XLSX sheet).

Autodiscovered by the exports app; runs in a worker inside the organization's scope and language,
reading only through the governance selectors (constant number of queries).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.core.phones import format_phone
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet
from apps.governance import checks, selectors
from apps.governance.models import PersonFields

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def _reachable(person: PersonFields) -> str:
    """« Name (02 41 35 36 37) »; an unparseable number as typed, flagged."""
    if not person.phone:
        return person.person_name
    flag = "" if person.has_valid_phone else ", " + _("invalid number")
    return f"{person.person_name} ({format_phone(person.phone)}{flag})"


def governance_context(organization: Organization) -> dict[str, Any]:
    """The profile, team, COPIL and crisis roles come from the checks' snapshot (``checks.snapshot_for``): the
    requirements part of the same export has already read them."""
    snap = checks.snapshot_for(organization)
    return {
        "profile": snap.profile,
        "team": snap.team,
        "copil": snap.copil,
        "meetings": list(selectors.meeting_list(organization=organization)),
        "decisions": list(selectors.decision_list(organization=organization)),
        "roles": snap.roles,
        "duties": list(selectors.duty_list(organization=organization)),
    }


def governance_rows(organization: Organization) -> Iterator[list[Any]]:
    """One row per fact: section, item, person or value, details, date."""
    ctx = governance_context(organization)
    p = ctx["profile"]
    rpcra = (p.rpcra.user.get_full_name() or p.rpcra.user.email) if p.rpcra_id else ""
    yield [_("Project organisation"), _("RPCRA"), rpcra, "", None]
    yield [_("Project organisation"), _("COPIL meeting cadence"), str(p.get_copil_cadence_display() or ""), "", None]
    for m in ctx["team"]:
        yield [_("Project team"), m.function, m.person_name, m.mission_letter.title if m.mission_letter else "", None]
    for m in ctx["copil"]:
        yield [_("COPIL"), m.role or m.function, m.person_name, m.function, None]
    for meeting in ctx["meetings"]:
        yield [_("COPIL meeting"), meeting.title, "", ngettext("%(count)d decision", "%(count)d decisions", meeting.decision_count) % {"count": meeting.decision_count},
               meeting.held_on]
    for d in ctx["decisions"]:
        yield [_("Decision"), d.text, d.owner, str(d.get_status_display()), d.due_date]
    for role in ctx["roles"]:
        holder = _reachable(role.holder) if role.holder else ""
        deputies = ", ".join(_reachable(a) for a in role.deputies)
        yield [_("Cellule de crise"), str(role), holder, _("Deputies: %(names)s") % {"names": deputies or "—"}, None]
    yield [_("Cellule de crise"), _("24/7 crisis phone"), format_phone(p.phone_24_7),
           _("independent of the hospital's IT") if p.phone_independent_of_it else "", None]
    yield [_("Cellule de crise"), _("Crisis room"), p.crisis_room, p.fallback_room, None]
    yield [_("Cellule de crise"), _("Who decides to activate"), p.activation_decider, p.activation_criteria, None]
    for duty in ctx["duties"]:
        delay = _("%(hours)d h") % {"hours": duty.delay_hours} if duty.delay_hours is not None else _("without delay")
        yield [_("Reporting of incidents"), str(duty.get_recipient_display()), duty.responsible, delay, None]
    signatory = ", ".join(x for x in (p.pssi_signatory, p.pssi_signatory_function) if x.strip())
    yield [_("Governing documents"), _("PSSI"), signatory, p.pssi_version, p.pssi_validated_on]
    yield [_("Governing documents"), _("Plan blanc / PGTHSSE"), p.plan_blanc_reference, p.plan_blanc_digital_risks,
           None]
    approver = (p.approved_by.get_full_name() or p.approved_by.email) if p.approved_by_id else ""
    yield [_("Direction"), _("Approval of the governance scheme"), approver, "",
           p.approved_at.date() if p.approved_at else None]


register_pdf_section(PdfSection(
    key="governance", order=200, title=gettext_lazy("Governance"),
    template="governance/exports/section.html", context=governance_context,
))
register_xlsx_sheet(XlsxSheet(
    key="governance", order=200, title=gettext_lazy("Governance"),
    columns=[Column(gettext_lazy("Section"), width=24), Column(gettext_lazy("Item"), width=40),
             Column(gettext_lazy("Person or value"), width=32), Column(gettext_lazy("Details"), width=50),
             Column(gettext_lazy("Date"), kind="date", width=14)],
    rows=governance_rows,
))
