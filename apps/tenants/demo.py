"""Demo organizations, establishments, sites and users (``manage.py seed_demo``).

Fictional but realistic: a GHT of three establishments (a CHU-like hospital with several sites,
a general hospital, a small local hospital), weighted by legal entity (FINESS EJ) for the 66 % rule,
and a private clinic outside any GHT with two sites, weighted by site (FINESS EG). Each app adds
its own demo data in ``apps/<app>/demo.py`` through ``seed(ctx)``, called in INSTALLED_APPS order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django_scopes import scope
from guardian.shortcuts import assign_perm

from apps.accounts.models import User
from apps.tenants.models import Establishment, Membership, Organization, Site
from apps.tenants.roles import Role
from apps.tenants.services import organization_create, organization_update
from apps.tenants.validators import luhn_complete

# Where the GHT's weights come from (D2.O1.C / D2.O1.D 66 % rule): one basis and one date for all its EJ.
WEIGHT_BASIS: dict[str, Any] = {"activity_share_basis": "Séjours MCO 2024 (PMSI)",
                                "activity_share_date": date(2025, 3, 31)}

# The clinic's two sites (FINESS EG) carry its weights: a legal entity outside a GHT with several sites.
CLINIC_SITE_WEIGHT_BASIS: dict[str, Any] = {"activity_share_basis": "Séjours 2025 (PMSI)",
                                            "activity_share_date": date(2026, 1, 31)}

GHT_SLUG = "ght-rives-de-loire"
CLINIC_SLUG = "clinique-du-parc"


@dataclass
class DemoContext:
    """What later apps' demo seeders need: organizations, establishments, sites and users by key."""

    organizations: dict[str, Organization] = field(default_factory=dict)
    establishments: dict[str, Establishment] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


USERS: list[tuple[str, str, str, str, str]] = [
    # key, e-mail, first name, last name, job title
    ("admin", "admin@ght-rives-de-loire.example", "Claire", "Martin", "Responsable du système d'information du GHT"),
    ("rpcra", "rpcra@ght-rives-de-loire.example", "Julien", "Moreau", "Responsable PCRA"),
    ("direction", "direction@ght-rives-de-loire.example", "Isabelle", "Lefèvre", "Directrice générale"),
    ("dsi", "rssi@ght-rives-de-loire.example", "Karim", "Benali", "RSSI du GHT"),
    ("urgences", "chef.urgences@ght-rives-de-loire.example", "Dr Sophie", "Garnier", "Cheffe de service des urgences"),
    ("pharmacie", "pharmacien@ght-rives-de-loire.example", "Dr Marc", "Rousseau", "Pharmacien gérant"),
    ("biologie", "biologiste@ght-rives-de-loire.example", "Dr Anne", "Petit", "Biologiste responsable"),
    ("lecteur", "lecteur@ght-rives-de-loire.example", "Paul", "Durand", "Contrôleur de gestion"),
    ("saint_aubin", "cadre@ch-saint-aubin.example", "Nadia", "Fontaine", "Cadre supérieure de santé, CH de Saint-Aubin"),
    ("consultant", "consultant@cabinet-continuite.example", "Thomas", "Girard", "Consultant continuité d'activité"),
    ("clinique_admin", "direction@clinique-du-parc.example", "Hélène", "Marchand", "Directrice de la clinique"),
    ("clinique_rpcra", "qualite@clinique-du-parc.example", "Luc", "Bernard", "Responsable qualité et PCRA"),
]

MEMBERSHIPS: list[tuple[str, str, str]] = [
    (GHT_SLUG, "admin", Role.ADMINISTRATOR),
    (GHT_SLUG, "rpcra", Role.RPCRA),
    (GHT_SLUG, "direction", Role.DIRECTION),
    (GHT_SLUG, "dsi", Role.CONTRIBUTOR),
    (GHT_SLUG, "urgences", Role.BUSINESS_OWNER),
    (GHT_SLUG, "pharmacie", Role.BUSINESS_OWNER),
    (GHT_SLUG, "biologie", Role.BUSINESS_OWNER),
    (GHT_SLUG, "lecteur", Role.READER),
    (GHT_SLUG, "saint_aubin", Role.CONTRIBUTOR),
    (GHT_SLUG, "consultant", Role.CONSULTANT),
    (CLINIC_SLUG, "clinique_admin", Role.ADMINISTRATOR),
    (CLINIC_SLUG, "clinique_rpcra", Role.RPCRA),
    (CLINIC_SLUG, "consultant", Role.CONSULTANT),
]


def demo_password() -> str:
    return settings.RESILIS_DEMO_PASSWORD


def _finess(prefix: str) -> str:
    return luhn_complete(prefix)


def seed(ctx: DemoContext) -> None:
    for key, email, first, last, title in USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=demo_password(), first_name=first,
                                            last_name=last, job_title=title)
        ctx.users[key] = user

    ght = organization_create(
        actor=None, name="GHT Rives de Loire", slug=GHT_SLUG, kind=Organization.Kind.GHT, region="CVL",
        ecare_number="ECARE-D2-2025-0417", mfa_required=False,
    )
    clinic = organization_create(
        actor=None, name="Clinique du Parc", slug=CLINIC_SLUG, kind=Organization.Kind.LEGAL_ENTITY, region="PDL",
        ecare_number="ECARE-D2-2025-0982",
    )
    ctx.organizations.update(ght=ght, clinic=clinic)
    # The candidacies were filed on eCaRE before the 31/10/2025 deadline (D2.P1 measures the PSSI review against it).
    organization_update(organization=ght, actor=None, data={"candidacy_submitted_on": date(2025, 10, 24)})
    organization_update(organization=clinic, actor=None, data={"candidacy_submitted_on": date(2025, 10, 30)})

    with scope(organization=ght):
        chu = Establishment.objects.create(
            organization=ght, name="Centre hospitalier universitaire de Valmont", short_name="CHU de Valmont",
            finess_ej=_finess("45000012"), legal_status=Establishment.LegalStatus.PUBLIC, activity_share=Decimal("62"), **WEIGHT_BASIS,
        )
        ch = Establishment.objects.create(
            organization=ght, name="Centre hospitalier de Saint-Aubin", short_name="CH de Saint-Aubin",
            finess_ej=_finess("45000034"), legal_status=Establishment.LegalStatus.PUBLIC, activity_share=Decimal("28"), **WEIGHT_BASIS,
        )
        local = Establishment.objects.create(
            organization=ght, name="Hôpital local de Bellerive", short_name="HL de Bellerive",
            finess_ej=_finess("41000056"), legal_status=Establishment.LegalStatus.PUBLIC, activity_share=Decimal("10"), **WEIGHT_BASIS,
        )
        ctx.establishments.update(chu=chu, ch=ch, local=local)
        for key, est, name, prefix, city in [
            ("chu_nord", chu, "Hôpital Nord — site principal", "45000078", "Valmont"),
            ("chu_sud", chu, "Hôpital Sud — gériatrie et SSR", "45000090", "Valmont"),
            ("chu_femme", chu, "Institut mère-enfant", "45000112", "Valmont"),
            ("ch_main", ch, "CH de Saint-Aubin", "45000134", "Saint-Aubin-sur-Loire"),
            ("local_main", local, "Hôpital local de Bellerive", "41000156", "Bellerive"),
        ]:
            ctx.sites[key] = Site.objects.create(organization=ght, establishment=est, name=name,
                                                 finess_eg=_finess(prefix), city=city)

    with scope(organization=clinic):
        clinic_ej = Establishment.objects.create(
            organization=clinic, name="Clinique du Parc SAS", short_name="Clinique du Parc",
            finess_ej=_finess("44000178"), legal_status=Establishment.LegalStatus.FOR_PROFIT, activity_share=Decimal("100"),
            activity_share_basis="Séjours 2024 (PMSI)", activity_share_date=date(2025, 3, 31),
        )
        ctx.establishments["clinic"] = clinic_ej
        # A legal entity outside a GHT with two sites (FINESS EG): the 66 % rule is weighted by site.
        ctx.sites["clinic_main"] = Site.objects.create(
            organization=clinic, establishment=clinic_ej, name="Clinique du Parc — site de Nantes", finess_eg=_finess("44000190"),
            city="Nantes", activity_share=Decimal("72"), **CLINIC_SITE_WEIGHT_BASIS,
        )
        ctx.sites["clinic_ssr"] = Site.objects.create(
            organization=clinic, establishment=clinic_ej, name="Clinique du Parc — site de Rezé (SSR)",
            finess_eg=_finess("44000212"), city="Rezé", activity_share=Decimal("28"), **CLINIC_SITE_WEIGHT_BASIS,
        )

    orgs = {GHT_SLUG: ght, CLINIC_SLUG: clinic}
    for slug, user_key, role in MEMBERSHIPS:
        org = orgs[slug]
        with scope(organization=org):
            membership = Membership.objects.create(organization=org, user=ctx.users[user_key], role=role)
            if user_key == "saint_aubin":
                # A GHT member limited to her own hospital (guardian object permission).
                membership.restricted_to_establishments = True
                membership.save(update_fields=["restricted_to_establishments"])
                assign_perm("tenants.view_establishment", ctx.users[user_key], ch)


def demo_accounts() -> list[dict[str, Any]]:
    roles = {(slug, key): role for slug, key, role in MEMBERSHIPS}
    rows = []
    for key, email, first, last, _title in USERS:
        labels = [f"{Role(role).label} ({slug})" for (slug, k), role in roles.items() if k == key]
        rows.append({"email": email, "name": f"{first} {last}", "roles": ", ".join(str(x) for x in labels)})
    return rows
