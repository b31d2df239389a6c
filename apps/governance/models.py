"""Governance of the continuity work (CaRE D2.P1, D2.P2, D2.O1.A, D2.O1.B).

- ``GovernanceProfile``: one per organization — RPCRA, COPIL cadence, crisis cell logistics
  (24/7 phone independent of the hospital's IT, crisis and fallback rooms, activation), governing
  documents (PSSI, plan blanc / PGTHSSE, cyber crisis procedures), direction priorities and approval.
- ``GovernanceMember``: a person of the project team (with a lettre de mission) or of the COPIL.
- ``CopilMeeting`` and ``Decision``: meetings with attendees and minutes, decisions with owner and due date.
- ``CrisisRole`` and ``CrisisAssignment``: the cellule de crise, each role with a holder and deputies.
- ``ReportingDuty``: who must be told of a cyber incident (signalement), within what delay.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.history import track_history
from apps.core.models import TenantModel
from apps.core.phones import phone_is_valid, validate_phone

# Every duration a user types is bounded (a year): a signalement « within 10⁹ h » is a typing error.
MAX_DELAY_HOURS = 8760


class PersonFields(models.Model):
    """A member of the organization, or an external person (name, phone) — never both empty.

    ``phone`` is stored normalised (``apps.core.phones``: E.164, or the digits of a short number); a value
    typed before numbers were checked that cannot be parsed is kept as typed and flagged (``has_valid_phone``).
    """

    member = models.ForeignKey("tenants.Membership", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("member"))
    external_name = models.CharField(_("name (if not a member)"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])

    class Meta:
        abstract = True

    @property
    def person_name(self) -> str:
        if self.member_id and self.member:
            user = self.member.user
            return user.get_full_name() or user.email
        return self.external_name

    @property
    def is_external(self) -> bool:
        return not self.member_id

    @property
    def has_valid_phone(self) -> bool:
        """Reachable: a number that parses (an empty or unparseable one does not count)."""
        return phone_is_valid(self.phone)

    def clean(self) -> None:
        super().clean()
        if not self.member_id and not self.external_name.strip():
            raise ValidationError({"external_name": _("Choose a member or give the name of the person.")})


@track_history()
class GovernanceProfile(TenantModel):
    """The organization's governance scheme, filled step by step by the RPCRA."""

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        BIMONTHLY = "bimonthly", _("Every two months")
        QUARTERLY = "quarterly", _("Quarterly")
        BIANNUAL = "biannual", _("Twice a year")
        OTHER = "other", _("Other")

    # D2.P2 — project organisation
    rpcra = models.ForeignKey("tenants.Membership", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("RPCRA"),
                              help_text=_("Naming an RPCRA is recommended by CaRE, not mandatory."))
    rpcra_mission_letter = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True, blank=True,
                                             related_name="+", verbose_name=_("RPCRA lettre de mission"))
    project_scope = models.TextField(_("organisation of the project"), blank=True,
                                     help_text=_("How the PCRA is built and kept up to date: team, time, support."))
    copil_cadence = models.CharField(_("COPIL meeting cadence"), max_length=20, choices=Cadence.choices, blank=True)
    copil_mandate = models.TextField(_("COPIL mandate"), blank=True)
    # D2.O1.B — crisis cell logistics
    phone_24_7 = models.CharField(_("24/7 crisis phone"), max_length=40, blank=True, validators=[validate_phone])
    phone_independent_of_it = models.BooleanField(
        _("this phone does not depend on the hospital's IT"), default=False,
        help_text=_("A mobile or analogue line that still works when the network and IP telephony are down."),
    )
    contacts_24_7 = models.TextField(_("other 24/7 contacts"), blank=True,
                                     help_text=_("Astreinte de direction, astreinte informatique, suppliers…"))
    crisis_room = models.CharField(_("crisis room"), max_length=200, blank=True)
    fallback_room = models.CharField(_("fallback crisis room"), max_length=200, blank=True)
    activation_criteria = models.TextField(_("activation criteria"), blank=True)
    activation_decider = models.CharField(_("who decides to activate the cellule de crise"), max_length=200, blank=True)
    signalement_procedure = models.TextField(
        _("reporting procedure"), blank=True,
        help_text=_("Who reports a cyber incident, how (portal, phone), and what is kept as proof."),
    )
    # D2.P1 and D2.O1.B — governing documents
    pssi_version = models.CharField(_("PSSI version"), max_length=50, blank=True)
    pssi_validated_on = models.DateField(_("PSSI validation date"), null=True, blank=True)
    pssi_signatory = models.CharField(_("PSSI signatory"), max_length=200, blank=True,
                                      help_text=_("The legal representative who validated the PSSI."))
    pssi_signatory_function = models.CharField(
        _("signatory's function"), max_length=200, blank=True,
        help_text=_("E.g. « Directrice générale », « Directeur du GHT », « Président du conseil d'administration »."))
    pssi_signatory_is_legal_representative = models.BooleanField(
        _("the signatory is the candidate's legal representative"), default=False,
        help_text=_("CaRE asks for a PSSI validated by the legal representative (D2.P1)."))
    pssi_evidence = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("signed PSSI"))
    plan_blanc_reference = models.CharField(_("plan blanc / PGTHSSE reference"), max_length=200, blank=True)
    plan_blanc_digital_risks = models.TextField(
        _("how digital risks are integrated in the plan blanc"), blank=True,
    )
    plan_blanc_evidence = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True, blank=True,
                                            related_name="+", verbose_name=_("plan blanc / PGTHSSE document"))
    crisis_procedures_summary = models.TextField(_("cyber crisis procedures"), blank=True)
    crisis_procedures_evidence = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True,
                                                   blank=True, related_name="+",
                                                   verbose_name=_("cyber crisis procedures document"))
    # Direction
    patient_safety_first = models.BooleanField(_("patient safety comes first"), default=False)
    return_to_nominal_days = models.PositiveSmallIntegerField(
        _("return to nominal within (days)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    direction_priorities = models.TextField(_("other direction priorities"), blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("governance scheme")
        verbose_name_plural = _("governance schemes")
        constraints = [models.UniqueConstraint(fields=["organization"], name="governance_profile_one_per_org")]

    def __str__(self) -> str:
        return str(_("Governance scheme"))


@track_history()
class GovernanceMember(PersonFields, TenantModel):
    """A person of the project team or of the COPIL (steering committee)."""

    class Body(models.TextChoices):
        PROJECT_TEAM = "team", _("Project team")
        COPIL = "copil", _("COPIL")

    body = models.CharField(_("body"), max_length=10, choices=Body.choices)
    function = models.CharField(_("function"), max_length=200, blank=True,
                                help_text=_("E.g. directeur des soins, RSSI, cadre de santé."))
    role = models.CharField(_("role in this body"), max_length=200, blank=True,
                            help_text=_("E.g. président, secrétaire, référent BIA."))
    mission_letter = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("lettre de mission"))

    class Meta:
        ordering = ["body", "id"]
        verbose_name = _("governance member")
        verbose_name_plural = _("governance members")

    def __str__(self) -> str:
        return self.person_name


@track_history()
class CopilMeeting(TenantModel):
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    attendees = models.ManyToManyField(GovernanceMember, blank=True, related_name="meetings",
                                       verbose_name=_("attendees"))
    other_attendees = models.TextField(_("other attendees"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_evidence = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+", verbose_name=_("signed minutes"))

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("COPIL meeting")
        verbose_name_plural = _("COPIL meetings")

    def __str__(self) -> str:
        return self.title or str(self.held_on)


@track_history()
class Decision(TenantModel):
    """A COPIL decision; ``action_reference`` is set when it becomes an item of the action plan."""

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    meeting = models.ForeignKey(CopilMeeting, on_delete=models.CASCADE, related_name="decisions",
                                verbose_name=_("meeting"))
    text = models.TextField(_("decision"))
    owner = models.CharField(_("owner"), max_length=150, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    action_reference = models.CharField(_("action plan item"), max_length=100, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:80]


@track_history()
class CrisisRole(TenantModel):
    class Kind(models.TextChoices):
        DIRECTOR = "director", _("Directeur de crise")
        COORDINATION = "coordination", _("Coordination")
        MEDICAL = "medical", _("Medical")
        CARE = "care", _("Care (soins)")
        IT = "it", _("DSI / RSSI")
        COMMUNICATION = "communication", _("Communication")
        LOGISTICS = "logistics", _("Logistics")
        SECRETARIAT = "secretariat", _("Secretariat / main courante")
        OTHER = "other", _("Other")

    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=150, blank=True,
                             help_text=_("Leave empty to use the role's usual name."))
    missions = models.TextField(_("missions"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    # Not columns: ``selectors.crisis_roles`` attaches the role's assignments, split by position.
    holder: CrisisAssignment | None
    deputies: list[CrisisAssignment]

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("crisis cell role")
        verbose_name_plural = _("crisis cell roles")

    def __str__(self) -> str:
        return self.label or self.get_kind_display()

    @property
    def name(self) -> str:
        return str(self)

    @property
    def is_complete(self) -> bool:
        """D2.O1.B: a holder and at least one deputy, each reachable at a valid phone number (a cyberattack
        lasts for weeks: the holder must be relieved, and nobody is relieved through « abc »)."""
        return (self.holder is not None and self.holder.has_valid_phone
                and any(d.has_valid_phone for d in self.deputies))

    @property
    def missing(self) -> str:
        """What keeps the role incomplete: « holder », « deputy », « holder_phone », « deputy_phone » or ""."""
        if self.holder is None:
            return "holder"
        if not self.deputies:
            return "deputy"
        if not self.holder.has_valid_phone:
            return "holder_phone"
        if not any(d.has_valid_phone for d in self.deputies):
            return "deputy_phone"
        return ""


@track_history()
class CrisisAssignment(PersonFields, TenantModel):
    class Position(models.TextChoices):
        HOLDER = "holder", _("Holder")
        DEPUTY = "deputy", _("Deputy")

    role = models.ForeignKey(CrisisRole, on_delete=models.CASCADE, related_name="assignments",
                             verbose_name=_("role"))
    position = models.CharField(_("position"), max_length=10, choices=Position.choices)

    class Meta:
        ordering = ["role", "position", "id"]  # "deputy" < "holder": templates split by position
        verbose_name = _("crisis cell assignment")
        verbose_name_plural = _("crisis cell assignments")
        constraints = [
            models.UniqueConstraint(fields=["role"], condition=models.Q(position="holder"),
                                    name="crisis_role_single_holder"),
        ]

    def __str__(self) -> str:
        return f"{self.role} — {self.person_name}"


@track_history()
class ReportingDuty(TenantModel):
    """Signalement of a cyber incident: to whom, within what delay, by whom."""

    class Recipient(models.TextChoices):
        CERT_SANTE = "cert_sante", _("CERT Santé (portail de signalement des incidents)")
        ARS = "ars", _("ARS")
        ANSSI = "anssi", _("ANSSI")
        CNIL = "cnil", _("CNIL (personal data breach)")
        POLICE = "police", _("Police / gendarmerie (complaint)")
        INSURER = "insurer", _("Insurer")
        OTHER = "other", _("Other")

    recipient = models.CharField(_("to whom"), max_length=20, choices=Recipient.choices)
    recipient_detail = models.CharField(_("details"), max_length=200, blank=True)
    delay_hours = models.PositiveIntegerField(_("within (hours)"), null=True, blank=True,
                                              validators=[MaxValueValidator(MAX_DELAY_HOURS)],
                                              help_text=_("E.g. 72 for the CNIL. Leave empty for « without delay »."))
    responsible = models.CharField(_("who reports"), max_length=150, blank=True)
    channel = models.CharField(_("how"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("reporting duty")
        verbose_name_plural = _("reporting duties")

    def __str__(self) -> str:
        return self.get_recipient_display()
