"""Demo BIA: a realistic one for the GHT, a smaller one for the clinic.

GHT Rives de Loire: three establishments, the classic hospital chain (urgences, bloc, réanimation,
PUI, laboratoire, imagerie, admissions, facturation, paie, achats…) on a shared IT (DPI, LIS, PACS,
pharmacy software, GAM, payroll in SaaS, messagerie) resting on Active Directory, virtualisation,
the network and telephony. The gaps a hospital would recognise: Active Directory promises 24 h while
the emergency department needs 4 h; the LIS promises 8 h for a 4 h laboratory; the pharmacy software
took 30 h in its last restore test; the PACS (24 h) under emergency imaging. Active Directory, the
virtualisation platform and the network are single points of failure; AD and DNS form a cycle.
Workarounds: the emergency department runs 48 h on fax and telephone without the messagerie (« … tient 48 h
en mode dégradé + DMIA 4 h → Messagerie … doit revenir sous 52 h »), the bloc 24 h on paper without its
software; the bloc's PACS workaround has no duration yet (the gap list warns that its need stops there).
Some BIAs are validated, some submitted, one sent back, others in progress or not started.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django_scopes import scope

from apps.bia.models import Activity, ImpactCriterion, Resource, TimeHorizon
from apps.bia.services.activities import activity_create, org_unit_resolve
from apps.bia.services.questionnaire import (
    activity_save_step,
    activity_send_back,
    activity_submit,
    activity_validate,
    impacts_save,
)
from apps.bia.services.resources import (
    activity_dependency_set,
    activity_link_set,
    resource_create,
    resource_dependency_set,
)
from apps.bia.services.scales import bia_settings_update, scales_ensure_defaults

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.demo import DemoContext
    from apps.tenants.models import Organization

# Resources: key → (kind, name, promised RTO h, promised RPO h, extra fields)
GHT_RESOURCES: dict[str, tuple[str, str, int | None, int | None, dict[str, Any]]] = {
    "dpi": ("application", "DPI — dossier patient informatisé", 4, 1, {"vendor": "Éditeur DPI (on-premise)"}),
    "urg_app": ("application", "Logiciel des urgences", 4, 1, {}),
    "lis": ("application", "SGL — système de gestion du laboratoire (LIS)", 8, 1, {}),
    "middleware": ("application", "Middleware des automates de biologie", 8, 1, {}),
    "pacs": ("application", "PACS / RIS", 24, 4, {}),
    "pharma": ("application", "Logiciel de pharmacie (circuit du médicament)", 8, 4, {}),
    "bloc_app": ("application", "Logiciel de gestion du bloc", 8, 4, {}),
    "gam": ("application", "GAM — gestion administrative du malade", 24, 4, {}),
    "factu": ("application", "Facturation et recouvrement", 72, 24, {}),
    "paie": ("application", "Logiciel RH et paie (SaaS)", 72, 24, {"is_saas": True}),
    "gef": ("application", "GEF — gestion économique et financière", 48, 24, {}),
    "mail": ("application", "Messagerie (dont messagerie sécurisée de santé)", 24, 24, {"is_saas": True}),
    "identito": ("application", "Serveur d'identité patient (INS)", 8, 1, {}),
    "ad": ("infrastructure", "Active Directory", 24, None, {"description": "Annuaire unique du GHT, deux contrôleurs dans la même salle serveur."}),
    "dns": ("infrastructure", "DNS / DHCP", 4, None, {}),
    "virt": ("infrastructure", "Plateforme de virtualisation", 12, None, {}),
    "san": ("infrastructure", "Baies de stockage (SAN)", 12, 1, {"description": "Instantanés toutes les heures."}),
    "sgbd": ("infrastructure", "Serveurs de bases de données", 8, 1, {}),
    "reseau": ("infrastructure", "Réseau local et Wi-Fi", 4, None, {}),
    "internet": ("infrastructure", "Accès Internet et interconnexions", 8, None, {}),
    "tel": ("infrastructure", "Téléphonie (IPBX, DECT)", 4, None, {}),
    "postes": ("infrastructure", "Postes de travail et imprimantes d'étiquettes", 24, None, {}),
    "editeur_dpi": ("supplier", "Éditeur du DPI", 48, None, {
        "contract_reference": "MARCHE-2023-041", "contract_end": date(2027, 12, 31),
        "sla": "GTR 4 h ouvrées en heures ouvrables, 48 h sinon", "contact_24_7": "Astreinte éditeur 01 84 00 00 41"}),
    "hds": ("supplier", "Hébergeur HDS de la paie", 24, 24, {
        "contract_reference": "HDS-2024-007", "contract_end": date(2026, 6, 30),
        "sla": "Disponibilité 99,5 %, RTO contractuel 24 h", "contact_24_7": ""}),
    "operateur": ("supplier", "Opérateur télécom", 8, None, {
        "contract_reference": "RESAH-TEL-2022", "sla": "GTR 4 h 24/7", "contact_24_7": "Hotline 0 800 00 00 00"}),
    "grossiste": ("supplier", "Grossiste répartiteur pharmaceutique", 24, None, {
        "sla": "Deux livraisons par jour", "contact_24_7": "Permanence 02 00 00 00 00"}),
    "automates": ("biomedical", "Automates de biologie (chaîne pré-analytique)", 4, None, {}),
    "scanner": ("biomedical", "Scanner et IRM", 4, None, {}),
    "dispensation": ("biomedical", "Automate de dispensation nominative", 12, None, {}),
    "ioa": ("skill", "Infirmier(ère) organisateur(trice) de l'accueil (IOA)", 2, None, {"description": "Rappel d'un(e) IOA d'astreinte en moins de 2 h."}),
    "repli_urg": ("premises", "Salle de repli des urgences (consultations externes)", 2, None, {}),
}

# resource → resources it depends on (key, workaround)
GHT_RESOURCE_LINKS: list[tuple[str, str, bool]] = [
    ("dpi", "ad", False), ("dpi", "virt", False), ("dpi", "sgbd", False), ("dpi", "reseau", False),
    ("dpi", "editeur_dpi", False), ("urg_app", "dpi", False), ("urg_app", "ad", False),
    ("lis", "ad", False), ("lis", "virt", False), ("lis", "middleware", False), ("middleware", "reseau", False),
    ("automates", "middleware", True), ("pacs", "ad", False), ("pacs", "san", False), ("scanner", "pacs", True),
    ("pharma", "dpi", False), ("pharma", "ad", False), ("dispensation", "pharma", True), ("bloc_app", "dpi", False),
    ("gam", "ad", False), ("gam", "sgbd", False), ("identito", "reseau", False), ("factu", "gam", False),
    ("paie", "hds", False), ("paie", "internet", False), ("gef", "ad", False), ("gef", "sgbd", False),
    ("mail", "internet", False), ("mail", "ad", False), ("virt", "san", False), ("virt", "reseau", False),
    ("sgbd", "virt", False), ("ad", "virt", False), ("ad", "dns", False), ("dns", "ad", False),
    ("internet", "operateur", False), ("tel", "reseau", False), ("tel", "operateur", False), ("postes", "ad", False),
]

# Impact profiles: criterion code → levels for the five default horizons (≤4 h, 4–24 h, 24–72 h, 72 h–1 sem, >1 sem)
VITAL = {"securite_patient": [4, 4, 4, 4, 4], "qualite_soins": [3, 4, 4, 4, 4], "juridique": [2, 3, 3, 4, 4],
         "image": [2, 3, 4, 4, 4], "organisationnel": [3, 3, 4, 4, 4]}
DAY = {"securite_patient": [2, 3, 4, 4, 4], "qualite_soins": [2, 3, 4, 4, 4], "organisationnel": [2, 2, 3, 4, 4],
       "financier": [1, 2, 3, 3, 4]}
THREE_DAYS = {"securite_patient": [1, 1, 2, 3, 4], "qualite_soins": [1, 2, 3, 3, 4], "financier": [1, 2, 2, 3, 4]}
FINANCE = {"financier": [1, 1, 3, 4, 4], "juridique": [1, 1, 2, 3, 3], "organisationnel": [1, 2, 2, 3, 3]}
PAYROLL = {"juridique": [1, 1, 1, 3, 4], "financier": [1, 1, 1, 2, 3], "organisationnel": [1, 1, 2, 3, 4],
           "image": [1, 1, 2, 3, 4]}
WEEK = {"organisationnel": [1, 1, 2, 2, 3], "financier": [1, 1, 1, 2, 3]}

# key, establishment, site, pôle, service, name, perimeter, owner, profile, pdma, status, resources (key, workaround)
GHT_ACTIVITIES: list[tuple[Any, ...]] = [
    ("urgences", "chu", "chu_nord", "Pôle urgences — SAMU — SMUR", "Urgences adultes",
     "Accueil et prise en charge des urgences", "care_service", "urgences", VITAL, 1, "validated",
     # Fax and telephone replace the messagerie for 48 h: it must be back within 48 h + DMIA 4 h = 52 h.
     [("urg_app", False), ("dpi", False), ("identito", True), ("tel", False), ("mail", True, 48), ("ioa", False),
      ("repli_urg", False)]),
    ("samu", "chu", "chu_nord", "Pôle urgences — SAMU — SMUR", "SAMU — centre 15", "Régulation médicale (centre 15)",
     "care_service", "urgences", VITAL, 1, "in_progress", [("tel", False), ("reseau", False)]),
    ("rea", "chu", "chu_nord", "Pôle anesthésie — réanimation — bloc", "Réanimation polyvalente",
     "Réanimation et soins critiques", "care_service", None, VITAL, 1, "submitted",
     [("dpi", False), ("pharma", False)]),
    ("bloc", "chu", "chu_nord", "Pôle anesthésie — réanimation — bloc", "Bloc opératoire central",
     "Bloc opératoire (programmé et urgences)", "care_service", None, DAY, 4, "validated",
     # The bloc's paper procedure holds 24 h without its software (its need reaches it: 24 h + DMIA); the
     # PACS workaround has no duration yet, so the gap list warns that the bloc's need stops there.
     [("bloc_app", True, 24), ("dpi", False), ("pacs", True)]),
    ("naissance", "chu", "chu_femme", "Pôle femme — enfant", "Maternité", "Salle de naissance", "care_service", None,
     None, None, "not_started", [("dpi", False)]),
    ("dialyse", "chu", "chu_sud", "Pôle médecine", "Néphrologie — dialyse", "Hémodialyse", "care_service", None,
     DAY, 4, "sent_back", [("dpi", True)]),
    ("pui", "chu", "chu_nord", "Pôle médico-technique", "Pharmacie à usage intérieur (PUI)",
     "Dispensation des médicaments", "technical_platform", "pharmacie", DAY, 4, "validated",
     [("pharma", False), ("dispensation", True), ("grossiste", False)]),
    ("chimio", "chu", "chu_nord", "Pôle médico-technique", "Pharmacie à usage intérieur (PUI)",
     "Préparations de chimiothérapies", "technical_platform", "pharmacie", THREE_DAYS, 4, "submitted",
     [("pharma", False)]),
    ("labo", "chu", "chu_nord", "Pôle médico-technique", "Laboratoire de biologie médicale",
     "Biologie médicale d'urgence", "technical_platform", "biologie", VITAL, 1, "validated",
     [("lis", False), ("automates", False)]),
    ("imagerie", "chu", "chu_nord", "Pôle médico-technique", "Imagerie médicale", "Imagerie en coupe (scanner, IRM)",
     "technical_platform", None, DAY, 4, "in_progress", [("pacs", False), ("scanner", False)]),
    ("admissions", "chu", "chu_nord", "Direction des finances", "Bureau des admissions",
     "Admissions et gestion des identités", "none", None, DAY, 4, "in_progress",
     [("gam", True), ("identito", False), ("postes", False)]),
    ("factu", "chu", "chu_nord", "Direction des finances", "Facturation", "Facturation des séjours et des actes",
     "admin_process", None, FINANCE, 24, "validated", [("factu", False), ("gam", False)]),
    ("paie", "chu", "chu_nord", "Direction des ressources humaines", "Paie", "Paie du personnel", "admin_process",
     None, PAYROLL, 24, "validated", [("paie", True)]),
    ("achats", "chu", "chu_nord", "Direction des achats et de la logistique", "Achats et approvisionnements",
     "Achats et approvisionnements", "admin_process", None, WEEK, 24, "not_started", [("gef", False)]),
    ("ch_urgences", "ch", "ch_main", "Pôle médecine — urgences", "Urgences", "Accueil et prise en charge des urgences",
     "care_service", "saint_aubin", VITAL, 1, "submitted", [("urg_app", False), ("dpi", False), ("tel", False)]),
    ("ch_labo", "ch", "ch_main", "Pôle médico-technique", "Laboratoire", "Biologie médicale d'urgence",
     "technical_platform", "biologie", VITAL, 1, "in_progress", [("lis", False), ("automates", False)]),
    ("ch_paie", "ch", "ch_main", "Direction commune des ressources humaines", "Paie", "Paie du personnel",
     "admin_process", None, None, None, "not_started", [("paie", True)]),
    ("ch_pui", "ch", "ch_main", "Pôle médico-technique", "Pharmacie", "Dispensation des médicaments",
     "technical_platform", None, None, None, "not_started", [("pharma", False)]),
    ("hl_ssr", "local", "local_main", "Pôle gériatrie", "SSR", "Soins de suite et de réadaptation", "care_service",
     None, THREE_DAYS, 24, "in_progress", [("dpi", True)]),
    ("hl_ehpad", "local", "local_main", "Pôle gériatrie", "EHPAD", "Hébergement des résidents (EHPAD)", "none", None,
     None, None, "not_started", []),
]

# downstream activity → upstream activity it needs
GHT_ACTIVITY_LINKS = [("urgences", "labo"), ("urgences", "imagerie"), ("rea", "labo"), ("rea", "pui"),
                      ("bloc", "pui"), ("factu", "admissions")]

DETAILS = {
    "urgences": {"description": "Accueil 24 h/24 des urgences adultes : environ 180 passages par jour.",
                 "critical_periods": "Nuits, week-ends, épidémies hivernales, plan blanc.", "minimum_staff": 12,
                 "key_skills": "IOA, médecins urgentistes, brancardiers",
                 "degraded_mode_exists": True, "degraded_mode_description": "Dossiers papier de passage, bons d'examens papier, registre manuel des entrées.",
                 "degraded_mode_reference": "PCA-URG-01", "degraded_mode_updated_on": date(2026, 3, 12),
                 "fallback_premises": "Consultations externes, rez-de-chaussée", "data_to_reenter": "Passages, prescriptions, résultats transmis par téléphone"},
    "labo": {"description": "Biologie d'urgence 24 h/24 pour les urgences, la réanimation et le bloc.",
             "critical_periods": "Permanence des soins, nuits.", "minimum_staff": 4,
             "key_skills": "Biologiste de garde, techniciens habilités", "degraded_mode_exists": True,
             "degraded_mode_description": "Résultats critiques téléphonés, comptes rendus papier signés.",
             "degraded_mode_reference": "PCA-LAB-02", "degraded_mode_updated_on": date(2025, 11, 4)},
    "pui": {"description": "Dispensation nominative et globale pour 1 200 lits.", "critical_periods": "Week-ends prolongés",
            "minimum_staff": 5, "key_skills": "Pharmacien, préparateurs", "degraded_mode_exists": True,
            "degraded_mode_description": "Dotations de service renforcées, ordonnances papier, liste des médicaments à risque.",
            "degraded_mode_reference": "PCA-PUI-01", "degraded_mode_updated_on": date(2026, 1, 20)},
    "paie": {"description": "Paie mensuelle de 4 800 agents.", "critical_periods": "Du 15 au 25 du mois",
             "degraded_mode_exists": True, "degraded_mode_description": "Reconduction de la paie du mois précédent (virement à l'identique).",
             "degraded_mode_reference": "PCA-RH-03"},
}

COMMENTS = {"dialyse": "Merci de préciser les dépendances au générateur d'eau et au logiciel de dialyse."}


def _levels(organization: Organization, profile: dict[str, list[int]] | None) -> dict[tuple[int, int], int]:
    if not profile:
        return {}
    criteria = {c.code: c.pk for c in ImpactCriterion.objects.filter(organization=organization)}
    horizons = list(TimeHorizon.objects.filter(organization=organization).order_by("hours").values_list("pk", flat=True))
    return {(criteria[code], horizons[i]): level for code, levels in profile.items() if code in criteria
            for i, level in enumerate(levels[: len(horizons)])}


def _resources(organization: Organization, specs: dict[str, tuple], links: list[tuple[str, str, bool]]) -> dict[str, Resource]:
    resources = {}
    for key, (kind, name, rto, rpo, extra) in specs.items():
        resources[key] = resource_create(organization=organization, actor=None, data={
            "kind": kind, "name": name, "rto_capability_hours": rto, "rpo_capability_hours": rpo, **extra})
    for source, target, workaround in links:
        resource_dependency_set(resource=resources[source], actor=None, depends_on=resources[target],
                                         workaround_exists=workaround,
                                         workaround_note="Fonctionnement autonome en mode dégradé" if workaround else "")
    return resources


def _activities(ctx: DemoContext, organization: Organization, specs: list[tuple], resources: dict[str, Resource],
                rpcra: User) -> dict[str, Activity]:
    activities = {}
    for (key, est, site, pole, service, name, perimeter, owner_key, profile, pdma, status, deps) in specs:
        establishment = ctx.establishments[est]
        unit = org_unit_resolve(organization=organization, establishment=establishment, pole=pole,
                                         service=service, site=ctx.sites.get(site))
        owner = ctx.users[owner_key] if owner_key else None
        activity = activity_create(organization=organization, actor=rpcra, owner=owner, data={
            "establishment": establishment, "site": ctx.sites.get(site), "unit": unit, "name": name,
            "process": service, "care_perimeter": perimeter})
        for resource_key, workaround, *duration in deps:
            activity_dependency_set(activity=activity, actor=owner, resource=resources[resource_key],
                                             workaround_exists=workaround,
                                             workaround_note="Procédure papier" if workaround else "",
                                             workaround_hours=duration[0] if duration else None)
        actor = owner or rpcra
        if status != "not_started":
            activity = impacts_save(activity=activity, actor=actor, levels=_levels(organization, profile),
                                             step=2)
            data = {"pdma_hours": pdma, **DETAILS.get(key, {})}
            if status != "in_progress":
                data.setdefault("description", f"Activité « {name} » du service {service}.")
            activity = activity_save_step(activity=activity, actor=actor, step=6 if status != "in_progress"
                                                   else 3, data=data)
        if status in ("submitted", "validated", "sent_back"):
            activity = activity_submit(activity=activity, actor=actor)
        if status == "validated":
            activity = activity_validate(activity=activity, actor=rpcra, comment="")
        if status == "sent_back":
            activity = activity_send_back(activity=activity, actor=rpcra, comment=COMMENTS.get(key, "À compléter."))
        activities[key] = activity
    return activities


def seed(ctx: DemoContext) -> None:
    _seed_ght(ctx)
    _seed_clinic(ctx)


def _seed_ght(ctx: DemoContext) -> None:
    org = ctx.organizations["ght"]
    rpcra = ctx.users["rpcra"]
    with scope(organization=org):
        scales_ensure_defaults(organization=org)
        bia_settings_update(organization=org, actor=rpcra, data={"method_note": (
            "Campagne BIA menée de janvier à mai 2026 par le RPCRA avec chaque chef de service : entretien guidé, "
            "grille d'impact à six critères sur cinq horizons, validation par le RPCRA puis présentation en COPIL.")})
        resources = _resources(org, GHT_RESOURCES, GHT_RESOURCE_LINKS)
        activities = _activities(ctx, org, GHT_ACTIVITIES, resources, rpcra)
        for downstream, upstream in GHT_ACTIVITY_LINKS:
            activity_link_set(activity=activities[downstream], actor=rpcra, depends_on=activities[upstream])
        _campaigns(org, rpcra)


def _campaigns(org: Organization, rpcra: Any) -> None:
    """Each establishment's campaign due in six weeks (the homes and « Mes activités » show it)."""
    import datetime

    from django.utils import timezone

    from apps.bia.services import campaign_set
    from apps.tenants.models import Establishment

    due = timezone.localdate() + datetime.timedelta(days=42)
    for establishment in Establishment.objects.filter(organization=org):
        campaign_set(organization=org, actor=rpcra, establishment=establishment, due_date=due)


CLINIC_RESOURCES: dict[str, tuple[str, str, int | None, int | None, dict[str, Any]]] = {
    "dpi": ("application", "Dossier patient (SaaS)", 24, 4, {"is_saas": True}),
    "pharma": ("application", "Logiciel de pharmacie", 24, 24, {}),
    "factu": ("application", "Logiciel de facturation", 72, 24, {}),
    "ad": ("infrastructure", "Active Directory", 48, 24, {}),
    "reseau": ("infrastructure", "Réseau et accès Internet", 8, None, {}),
    "editeur": ("supplier", "Éditeur et hébergeur du dossier patient", 24, 4, {
        "contract_reference": "CLI-2023-12", "sla": "Disponibilité 99,7 %", "contact_24_7": "Support 24/7 01 00 00 00 00"}),
}
CLINIC_LINKS = [("dpi", "editeur", False), ("dpi", "reseau", False), ("pharma", "ad", False), ("factu", "ad", False),
                ("pharma", "dpi", False)]
CLINIC_ACTIVITIES: list[tuple[Any, ...]] = [
    ("bloc", "clinic", "clinic_main", "Chirurgie", "Bloc opératoire", "Bloc opératoire et chirurgie ambulatoire",
     "care_service", None, DAY, 4, "in_progress", [("dpi", False)]),
    ("pharmacie", "clinic", "clinic_main", "Médico-technique", "Pharmacie", "Dispensation des médicaments",
     "technical_platform", None, DAY, 24, "submitted", [("pharma", False)]),
    ("factu", "clinic", "clinic_main", "Administration", "Facturation", "Facturation des séjours", "admin_process",
     None, None, None, "not_started", [("factu", False)]),
]


def _seed_clinic(ctx: DemoContext) -> None:
    org = ctx.organizations["clinic"]
    rpcra = ctx.users["clinique_rpcra"]
    with scope(organization=org):
        scales_ensure_defaults(organization=org)
        resources = _resources(org, CLINIC_RESOURCES, CLINIC_LINKS)
        _activities(ctx, org, CLINIC_ACTIVITIES, resources, rpcra)
        _campaigns(org, rpcra)
