"""The tenant (Organization = a CaRE candidate), its establishments and sites, and memberships."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from apps.core import tenancy
from apps.core.history import track_history
from apps.core.models import TenantModel, TimeStampedModel
from apps.tenants.roles import Role, capabilities_for
from apps.tenants.validators import validate_finess


class Region(models.TextChoices):
    """The 18 regions, each with its Agence régionale de santé (ARS)."""

    ARA = "ARA", "Auvergne-Rhône-Alpes"
    BFC = "BFC", "Bourgogne-Franche-Comté"
    BRE = "BRE", "Bretagne"
    CVL = "CVL", "Centre-Val de Loire"
    COR = "COR", "Corse"
    GES = "GES", "Grand Est"
    HDF = "HDF", "Hauts-de-France"
    IDF = "IDF", "Île-de-France"
    NOR = "NOR", "Normandie"
    NAQ = "NAQ", "Nouvelle-Aquitaine"
    OCC = "OCC", "Occitanie"
    PDL = "PDL", "Pays de la Loire"
    PAC = "PAC", "Provence-Alpes-Côte d'Azur"
    GUA = "GUA", "Guadeloupe"
    GUY = "GUY", "Guyane"
    MAR = "MAR", "Martinique"
    MAY = "MAY", "Mayotte"
    REU = "REU", "La Réunion"


@track_history()
class Organization(TimeStampedModel):
    """A CaRE Domaine 2 candidate: a GHT, or a legal entity outside any GHT. The tenant."""

    class Kind(models.TextChoices):
        GHT = "ght", _("GHT (groupement hospitalier de territoire)")
        LEGAL_ENTITY = "legal_entity", _("Legal entity outside a GHT")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name in addresses"),
        max_length=60,
        unique=True,
        help_text=_("Lowercase letters, digits and hyphens; used in the page addresses."),
    )
    kind = models.CharField(_("kind of candidate"), max_length=20, choices=Kind.choices, default=Kind.LEGAL_ENTITY)
    region = models.CharField(_("region (ARS)"), max_length=3, choices=Region.choices, blank=True)
    ecare_number = models.CharField(
        _("eCaRE file number"), max_length=50, blank=True, help_text=_("The candidacy number on the eCaRE platform.")
    )
    candidacy_submitted_on = models.DateField(
        _("candidacy deposit date (eCaRE)"), null=True, blank=True,
        help_text=_("The day the candidacy was filed on eCaRE: the PSSI must have been reviewed between 16/07/2022 "
                    "and this date (D2.P1)."))
    declaration_submitted_on = models.DateField(
        _("declaration deposit date"), null=True, blank=True,
        help_text=_("The day the declaration of objectives reached was filed on the guichet; empty until then "
                    "(D2.O2.A and the operational phase end on this date)."))
    mfa_required = models.BooleanField(
        _("two-factor authentication required"),
        default=False,
        help_text=_("Members must enrol an authenticator app before they can open the organization."),
    )
    # The language of what the worker sends on its own (the weekly digest of the action plan, assignments).
    language = models.CharField(_("Language"), max_length=8, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


def _perimeter_choices() -> list[tuple[str, str]]:
    from apps.bia.models import CarePerimeter

    return [(str(v), str(label)) for v, label in CarePerimeter.choices]


class WeightedEntity(models.Model):
    """The weight of an entity in the candidate's combined activity (CaRE 66 % rule), where it comes from, and
    the minimum perimeters it does not have. Which level carries the weights is ``apps.compliance.coverage``'s."""

    activity_share = models.DecimalField(
        _("share of combined activity (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Used for the CaRE 66 percent rule: BIA, plans and tests must cover entities weighing at least "
                    "66 percent of the combined activity. The shares must total 100 percent."),
    )
    activity_share_basis = models.CharField(
        _("basis of the share"), max_length=120, blank=True,
        help_text=_("What the share is computed from, e.g. « séjours 2025 », « ETP SAE 2024 », « produits T2A »."))
    activity_share_date = models.DateField(_("date of the share"), null=True, blank=True,
                                           help_text=_("When the figures the share comes from were taken."))
    absent_perimeters = ArrayField(
        models.CharField(max_length=30), default=list, blank=True, verbose_name=_("minimum perimeters it does not have"),
        help_text=_("CaRE asks for the minimum perimeters « s'ils existent »: tick one only if this entity really has "
                    "none (e.g. no plateau technique), and say why."))
    absent_perimeters_reason = models.CharField(_("why"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        from django.core.exceptions import ValidationError

        valid = {v for v, _label in _perimeter_choices()}
        if set(self.absent_perimeters) - valid:
            raise ValidationError({"absent_perimeters": _("Unknown perimeter.")})
        if self.absent_perimeters and not self.absent_perimeters_reason.strip():
            raise ValidationError({"absent_perimeters_reason": _("Say why this entity has no such perimeter.")})


@track_history()
class Establishment(WeightedEntity, TenantModel):
    """A legal entity (FINESS EJ) of the candidate; a GHT has several."""

    class LegalStatus(models.TextChoices):
        PUBLIC = "public", _("Public")
        NON_PROFIT = "non_profit", _("Private non-profit (ESPIC/EBNL)")
        FOR_PROFIT = "for_profit", _("Private for-profit")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    finess_ej = models.CharField(
        _("FINESS EJ"), max_length=9, validators=[validate_finess], help_text=_("9 characters, e.g. 750712184.")
    )
    legal_status = models.CharField(
        _("legal status"), max_length=20, choices=LegalStatus.choices, default=LegalStatus.PUBLIC
    )
    objects: ClassVar[tenancy.LimitedManager[Establishment]] = tenancy.limited_manager(
        lambda ids: Q(pk__in=ids))

    class Meta:
        ordering = ["name"]
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        constraints = [
            models.UniqueConstraint(fields=["organization", "finess_ej"], name="establishment_unique_finess_per_org"),
            models.CheckConstraint(
                condition=models.Q(activity_share__gte=0) & models.Q(activity_share__lte=100),
                name="establishment_activity_share_range",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


@track_history()
class Site(WeightedEntity, TenantModel):
    """A geographical establishment (FINESS EG/ET) of a legal entity."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="sites", verbose_name=_("establishment")
    )
    name = models.CharField(_("name"), max_length=200)
    finess_eg = models.CharField(_("FINESS EG"), max_length=9, validators=[validate_finess])
    city = models.CharField(_("city"), max_length=100, blank=True)

    objects: ClassVar[tenancy.LimitedManager[Site]] = tenancy.limited_manager(tenancy.by_establishment())

    class Meta:
        ordering = ["establishment__name", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["organization", "finess_eg"], name="site_unique_finess_per_org"),
            models.CheckConstraint(
                condition=models.Q(activity_share__gte=0) & models.Q(activity_share__lte=100),
                name="site_activity_share_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@track_history()
class Membership(TenantModel):
    """A user's role in an organization. A consultant has several memberships."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.READER)
    restricted_to_establishments = models.BooleanField(
        _("limited to some establishments"),
        default=False,
        help_text=_("When checked, the member only sees the establishments granted below."),
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user_per_org")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"

    @property
    def capabilities(self) -> frozenset[str]:
        return capabilities_for(self.role)

    def has_capability(self, capability: str) -> bool:
        return capability in self.capabilities

    @cached_property
    def allowed_establishment_ids(self) -> frozenset[int] | None:
        """The establishments this member may see and change, ``None`` for all of them (resolved once).

        A limited member with no grant left sees none: the limit fails closed.
        """
        if not self.restricted_to_establishments:
            return None
        from django_scopes import scopes_disabled

        from apps.tenants.selectors import granted_establishment_ids

        with scopes_disabled():  # resolved before the scope it defines is opened (tenant middleware)
            return frozenset(granted_establishment_ids(membership=self))


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=14)


@track_history(exclude=["token"])
class Invitation(TenantModel):
    """An e-mail invitation to join an organization with a role."""

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.READER)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    establishments = models.ManyToManyField(
        Establishment,
        blank=True,
        related_name="+",
        verbose_name=_("limit to these establishments"),
        help_text=_("Leave empty to give access to every establishment."),
    )
    expires_at = models.DateTimeField(_("expires on"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status_label(self) -> str:
        if self.accepted_at:
            return str(_("Accepted"))
        if self.revoked_at:
            return str(_("Revoked"))
        if self.expires_at <= timezone.now():
            return str(_("Expired"))
        return str(_("Pending"))
