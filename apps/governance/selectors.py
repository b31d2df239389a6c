"""Reads for governance pages, checks, the journey and the exports (constant query counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, QuerySet
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.compliance.catalogue import current_catalogue
from apps.compliance.models import Evidence
from apps.core.phones import phone_is_valid
from apps.governance.models import (
    CopilMeeting,
    CrisisAssignment,
    CrisisRole,
    Decision,
    GovernanceMember,
    GovernanceProfile,
    ReportingDuty,
)

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def governance_profile(*, organization: Organization) -> GovernanceProfile:
    """The organization's governance scheme; an unsaved empty one until the first step is saved."""
    profile = (
        GovernanceProfile.objects.filter(organization=organization)
        .select_related("rpcra__user", "approved_by", "pssi_evidence", "plan_blanc_evidence",
                        "crisis_procedures_evidence", "rpcra_mission_letter")
        .first()
    )
    return profile or GovernanceProfile(organization=organization)


def member_list(*, organization: Organization, body: str | None = None) -> QuerySet[GovernanceMember]:
    qs = GovernanceMember.objects.filter(organization=organization).select_related("member__user", "mission_letter")
    if body:
        qs = qs.filter(body=body)
    return qs.order_by("body", "id")


def crisis_roles(*, organization: Organization) -> list[CrisisRole]:
    """Roles with ``holder`` and ``deputies`` attached (two queries whatever the size)."""
    assignments = CrisisAssignment.objects.filter(organization=organization).select_related("member__user")
    roles = list(
        CrisisRole.objects.filter(organization=organization)
        .prefetch_related(Prefetch("assignments", queryset=assignments.order_by("id")))
        .order_by("order", "id")
    )
    for role in roles:
        items = list(role.assignments.all())
        role.holder = next((a for a in items if a.position == CrisisAssignment.Position.HOLDER), None)
        role.deputies = [a for a in items if a.position == CrisisAssignment.Position.DEPUTY]
    return roles


def meeting_list(*, organization: Organization) -> QuerySet[CopilMeeting]:
    return (
        CopilMeeting.objects.filter(organization=organization)
        .annotate(decision_count=Count("decisions", distinct=True), attendee_count=Count("attendees", distinct=True))
        .order_by("-held_on", "-id")
    )


def meeting_detail(*, organization: Organization, pk: int) -> CopilMeeting | None:
    return (
        CopilMeeting.objects.filter(organization=organization, pk=pk)
        .select_related("minutes_evidence")
        .prefetch_related(
            Prefetch("attendees", queryset=GovernanceMember.objects.select_related("member__user")),
            Prefetch("decisions", queryset=Decision.objects.order_by("id")),
        )
        .first()
    )


def decision_list(*, organization: Organization) -> QuerySet[Decision]:
    return Decision.objects.filter(organization=organization).select_related("meeting").order_by(
        "-meeting__held_on", "id"
    )


def duty_list(*, organization: Organization) -> QuerySet[ReportingDuty]:
    return ReportingDuty.objects.filter(organization=organization).order_by("id")


def evidence_choices(*, organization: Organization) -> QuerySet[Evidence]:
    return Evidence.objects.filter(organization=organization).alive().order_by("-created_at")


# --- Completeness -----------------------------------------------------------------------------------

@dataclass
class Criterion:
    key: str
    requirement_id: str
    ok: bool
    missing: str | Promise  # what to do when not ok
    url_name: str
    recommended: bool = False  # shown, but does not block the requirement (e.g. naming an RPCRA)


@dataclass
class GovernanceSnapshot:
    profile: GovernanceProfile
    team: list[GovernanceMember]
    copil: list[GovernanceMember]
    roles: list[CrisisRole]
    meeting_count: int
    decision_count: int
    duty_count: int
    p1_file_count: int  # alive files of kind PSSI tagged D2.P1
    candidacy_submitted_on: date | None = None
    # Alive files tagged D2.P1 of another kind: those uploaded before files had a kind became « Other document »
    # (migration compliance 0002) and must be re-tagged PSSI by hand — a file tagged D2.P1 is not a PSSI by itself.
    p1_other_titles: list[str] = field(default_factory=list)
    criteria: list[Criterion] = field(default_factory=list)

    def for_requirement(self, requirement_id: str) -> list[Criterion]:
        return [c for c in self.criteria if c.requirement_id == requirement_id]

    @property
    def blocking(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.recommended]

    @property
    def percent(self) -> int:
        blocking = self.blocking
        return round(100 * sum(c.ok for c in blocking) / len(blocking)) if blocking else 0


def governance_snapshot(*, organization: Organization) -> GovernanceSnapshot:
    """Everything the completeness checks need, in a fixed number of queries."""
    profile = governance_profile(organization=organization)
    members = list(member_list(organization=organization))
    roles = crisis_roles(organization=organization)
    meetings = CopilMeeting.objects.filter(organization=organization).aggregate(n=Count("id"))["n"]
    decisions = Decision.objects.filter(organization=organization).aggregate(n=Count("id"))["n"]
    duties = ReportingDuty.objects.filter(organization=organization).aggregate(n=Count("id"))["n"]
    p1_files = list(Evidence.objects.filter(organization=organization).alive().for_requirement("D2.P1")
                    .order_by("title").values_list("title", "kind"))
    snap = GovernanceSnapshot(
        profile=profile, team=[m for m in members if m.body == GovernanceMember.Body.PROJECT_TEAM],
        copil=[m for m in members if m.body == GovernanceMember.Body.COPIL], roles=roles,
        meeting_count=meetings, decision_count=decisions, duty_count=duties,
        p1_file_count=sum(kind == Evidence.Kind.PSSI for _title, kind in p1_files),
        candidacy_submitted_on=organization.candidacy_submitted_on,
        p1_other_titles=[title for title, kind in p1_files if kind != Evidence.Kind.PSSI],
    )
    snap.criteria = _criteria(snap)
    return snap


def _pssi_date(p: GovernanceProfile, candidacy: date | None, docs: str) -> tuple[bool, str | Promise, str]:
    """D2.P1: the PSSI review date lies between 16/07/2022 (catalogue) and the candidacy deposit date, both included."""
    start = current_catalogue().pssi_review_window_start
    reviewed = p.pssi_validated_on
    fmt = "SHORT_DATE_FORMAT"
    if reviewed is None:
        return False, _("Record the PSSI review date: it must lie between %(start)s and the candidacy deposit "
                        "date.") % {"start": date_format(start, fmt)}, docs
    if reviewed < start:
        return False, _("The PSSI was reviewed before %(start)s: have it reviewed and validated again.") % {
            "start": date_format(start, fmt)}, docs
    if candidacy is None:
        return False, _("Record the candidacy deposit date (eCaRE) in the organization settings: the PSSI review "
                        "date is checked against it."), "tenants:settings"
    if reviewed > candidacy:
        return False, _("The PSSI was reviewed on %(reviewed)s, after the candidacy deposit date (%(candidacy)s): "
                        "CaRE needs a version reviewed between %(start)s and that date.") % {
            "reviewed": date_format(reviewed, fmt), "candidacy": date_format(candidacy, fmt),
            "start": date_format(start, fmt)}, docs
    return True, "", docs


def _pssi_signatory_ok(p: GovernanceProfile) -> bool:
    """Named, with a function, and confirmed as the legal representative."""
    return bool(p.pssi_signatory.strip() and p.pssi_signatory_function.strip()
                and p.pssi_signatory_is_legal_representative)


def _pssi_signatory_missing(p: GovernanceProfile) -> str | Promise:
    if not p.pssi_signatory.strip():
        return _("Record who signed the PSSI (the legal representative), with their function.")
    if not p.pssi_signatory_function.strip():
        return _("Record the function of the PSSI signatory (e.g. « Directrice générale »).")
    return _("Confirm that %(name)s (%(function)s) is the candidate's legal representative: CaRE asks for a PSSI "
             "validated by the legal representative.") % {"name": p.pssi_signatory,
                                                          "function": p.pssi_signatory_function}


def _pssi_file_alive(p: GovernanceProfile) -> bool:
    return p.pssi_evidence is not None and p.pssi_evidence.deleted_at is None


def _pssi_file_ok(p: GovernanceProfile, p1_file_count: int) -> bool:
    """The signed PSSI: the attached file or a file tagged D2.P1, of kind PSSI (any other kind does not count)."""
    attached = _pssi_file_alive(p) and p.pssi_evidence is not None and p.pssi_evidence.kind == Evidence.Kind.PSSI
    return attached or p1_file_count > 0


def _pssi_file_missing(p: GovernanceProfile, p1_file_count: int, other_titles: list[str] | None = None) -> str | Promise:
    if _pssi_file_alive(p) and p.pssi_evidence is not None:
        return _("The attached file « %(title)s » is not of kind PSSI: attach the signed PSSI, or set the file's kind "
                 "in the evidence library.") % {"title": p.pssi_evidence.title}
    if other_titles:
        return _("Files tagged D2.P1 are not of kind PSSI (those added before files had a kind are « Other document »): "
                 "%(titles)s. If one of them is the signed PSSI, set its kind to PSSI in the evidence library.") % {
            "titles": ", ".join(f"« {t} »" for t in other_titles)}
    return _("Attach the signed PSSI (a file of kind PSSI).")


def _phone_24_7_missing(p: GovernanceProfile) -> str | Promise:
    if p.phone_24_7.strip() and not phone_is_valid(p.phone_24_7):
        return _("The 24/7 crisis phone « %(value)s » is not a valid number: correct it.") % {"value": p.phone_24_7}
    return _("Record a 24/7 phone number that does not depend on the hospital's IT.")


def _crisis_roles_missing(roles: list[CrisisRole]) -> str | Promise:
    unreachable = [str(r) for r in roles if r.missing in ("holder_phone", "deputy_phone")]
    if unreachable and all(r.holder and r.deputies for r in roles):
        return _("Give a valid phone number to the holder and to at least one deputy of: %(roles)s.") % {
            "roles": ", ".join(unreachable)}
    return _("Give every role of the cellule de crise a holder and at least one deputy, each with a valid phone "
             "number.")


def _criteria(s: GovernanceSnapshot) -> list[Criterion]:
    p = s.profile
    complete_roles = [r for r in s.roles if r.is_complete]
    kinds = {r.kind for r in s.roles}
    org, cell, sig, docs = ("governance:step-organisation", "governance:crisis-cell", "governance:step-signalement",
                            "governance:step-documents")
    pssi_date_ok, pssi_date_missing, pssi_date_url = _pssi_date(p, s.candidacy_submitted_on, docs)
    return [
        # D2.P1 — PSSI: reviewed inside the window, validated by the legal representative, the file a PSSI.
        Criterion("pssi_date", "D2.P1", pssi_date_ok, pssi_date_missing, pssi_date_url),
        Criterion("pssi_signatory", "D2.P1", _pssi_signatory_ok(p), _pssi_signatory_missing(p), docs),
        Criterion("pssi_file", "D2.P1", _pssi_file_ok(p, s.p1_file_count),
                  _pssi_file_missing(p, s.p1_file_count, s.p1_other_titles), docs),
        # D2.P2 — project organisation
        Criterion("rpcra", "D2.P2", bool(p.rpcra_id), _("Name an RPCRA (recommended)."), org, recommended=True),
        Criterion("team", "D2.P2", bool(s.team), _("Describe the project team."), "governance:step-members"),
        Criterion("mission_letters", "D2.P2", bool(s.team) and all(m.mission_letter_id for m in s.team),
                  _("Attach a lettre de mission for every member of the project team."), "governance:step-members"),
        Criterion("copil", "D2.P2", bool(s.copil), _("List the members of the COPIL."), "governance:step-members"),
        Criterion("cadence", "D2.P2", bool(p.copil_cadence), _("Set how often the COPIL meets."), org),
        # D2.O1.A — governance scheme
        Criterion("meeting", "D2.O1.A", s.meeting_count > 0, _("Record at least one COPIL meeting."),
                  "governance:meeting-create"),
        Criterion("decisions", "D2.O1.A", s.decision_count > 0, _("Record the decisions taken by the COPIL."),
                  "governance:meetings"),
        Criterion("priorities", "D2.O1.A", bool(p.patient_safety_first and p.return_to_nominal_days),
                  _("The direction sets its priorities (patient safety, return to nominal within X days)."),
                  "governance:step-priorities"),
        Criterion("approval", "D2.O1.A", bool(p.approved_at), _("The direction approves the governance scheme."),
                  "governance:overview"),
        # D2.O1.B — cyber crisis procedures
        Criterion("crisis_director", "D2.O1.B", CrisisRole.Kind.DIRECTOR in kinds,
                  _("Define the roles of the cellule de crise, starting with the directeur de crise."), cell),
        # A role counts only when its holder and a deputy can be called: a valid number each (« abc » cannot).
        Criterion("crisis_deputies", "D2.O1.B", bool(s.roles) and len(complete_roles) == len(s.roles),
                  _crisis_roles_missing(s.roles), cell),
        Criterion("phone", "D2.O1.B", phone_is_valid(p.phone_24_7) and p.phone_independent_of_it,
                  _phone_24_7_missing(p), "governance:step-logistics"),
        Criterion("rooms", "D2.O1.B", bool(p.crisis_room and p.fallback_room),
                  _("Name the crisis room and a fallback room."), "governance:step-logistics"),
        Criterion("activation", "D2.O1.B", bool(p.activation_criteria and p.activation_decider),
                  _("Describe the activation criteria and who decides."), "governance:step-logistics"),
        Criterion("signalement", "D2.O1.B", bool(p.signalement_procedure and s.duty_count),
                  _("Describe the reporting procedure and to whom incidents are reported."), sig),
        Criterion("plan_blanc", "D2.O1.B", bool(p.plan_blanc_reference and p.plan_blanc_digital_risks),
                  _("Explain how digital risks are integrated in the plan blanc / PGTHSSE."), docs),
        Criterion("procedures", "D2.O1.B", bool(p.crisis_procedures_summary or p.crisis_procedures_evidence_id),
                  _("Describe or attach the cyber crisis procedures."), docs),
    ]
