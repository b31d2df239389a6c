"""Demo continuity plans for the GHT, built on the BIA demo (runs after ``apps.bia.demo``).

- « PCA Urgences — SI indisponible »: the emergency department, information system unavailable,
  version 1 approved by the director (degraded mode, two fiches réflexes, recovery sequence).
- « PCA Pharmacie — SI indisponible »: the PUI, a draft in progress.
- « PCA Laboratoire — fournisseur critique indisponible »: emergency biology when the LIS vendor or
  the analyser chain supplier fails, a draft.
The BIA activities are looked up by name; when the BIA demo is absent nothing is created.

Once every app has seeded (``finish``, after the backups demo):
- « PCA Urgences » is « à revoir »: the DPI's restore back into production measured it after the approval. The
  RPCRA reviews it: version 2 adds the régulation médicale (centre 15), « sans objet » under the information system
  scenario with its reason, and brings the DPI back before Active Directory (it restarts on the vendor's recovery
  site with its own directory) — a confirmed move, so the plan, the print kit and the dossier warn about it. The
  direction approves version 2: a current approved version that counts for D2.O1.C.
- « PCA Laboratoire » is approved although incomplete (no fiche réflexe, recovery sequence, return to nominal or
  communication plan yet): the direction ticks the acknowledgement, recorded with the version.
"""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from apps.bia.models import Activity, CarePerimeter
from apps.continuity import services
from apps.continuity.models import Plan, Scenario

URGENCES = "Accueil et prise en charge des urgences"
REGULATION = "Régulation médicale (centre 15)"
PHARMACIE = "Dispensation des médicaments"
LABORATOIRE = "Biologie médicale d'urgence"


def _activity(org: Any, name: str, establishment: Any) -> Activity | None:
    return Activity.objects.filter(organization=org, name=name, establishment=establishment).first()


def seed(ctx: Any) -> None:
    org = ctx.organizations.get("ght")
    chu = ctx.establishments.get("chu")
    if org is None or chu is None:
        return
    rpcra, direction = ctx.users["rpcra"], ctx.users["direction"]
    with scope(organization=org):
        urgences, pui, labo = (_activity(org, n, chu) for n in (URGENCES, PHARMACIE, LABORATOIRE))
        if urgences is None or pui is None or labo is None:
            return
        scenarios = {s.kind: s for s in services.scenarios_ensure_defaults(organization=org)}
        si = scenarios[Scenario.Kind.IS_UNAVAILABLE]
        supplier = scenarios[Scenario.Kind.SUPPLIER_UNAVAILABLE]
        _urgences_plan(org, chu, urgences, si, rpcra, direction)
        _pharmacy_plan(org, chu, pui, si, rpcra)
        _laboratory_plan(org, chu, labo, supplier, rpcra)


def _urgences_plan(org: Any, chu: Any, urgences: Activity, si: Scenario, rpcra: Any, direction: Any) -> None:
    plan = services.plan_create(organization=org, actor=rpcra, title="PCA Urgences — SI indisponible",
                                care_perimeter=CarePerimeter.CARE_SERVICE, establishment=chu,
                                activities=[urgences], scenarios=[si])
    services.plan_confirm_prefill(plan=plan, actor=rpcra)
    services.degraded_mode_save(plan=plan, actor=rpcra, activity=urgences, scenario=si, data={
        "trigger": "DPI ou logiciel des urgences inaccessibles plus de 30 minutes, ou alerte cyber de la DSI "
                   "demandant l'arrêt des postes.",
        "decided_by": "Médecin senior des urgences, en lien avec l'administrateur de garde",
        "activation_delay_hours": 0.5,
        "procedure": "1. Annoncer le passage en mode dégradé (haut-parleur, téléphone aux cadres).\n"
                     "2. Ouvrir le kit dégradé : dossiers papier de passage numérotés, étiquettes pré-imprimées.\n"
                     "3. L'IOA tient le registre manuel des entrées (heure, identité, tri).\n"
                     "4. Prescriptions et bons d'examens sur formulaires papier ; résultats critiques téléphonés.\n"
                     "5. Point de situation toutes les 2 heures avec la cellule de crise.",
        "paper_forms": "Kit dégradé urgences (armoire IOA) : 200 dossiers de passage, bons de biologie et "
                       "d'imagerie, registre des entrées, fiches de liaison.",
        "minimum_staff": 12, "fallback_premises": "Consultations externes, rez-de-chaussée",
        "data_capture": "Tout sur papier, un dossier par patient, numérotation continue.",
        "data_reentry": "Ressaisie dans le DPI par binômes secrétaire/IDE dans les 72 h suivant le retour, "
                        "en commençant par les patients encore hospitalisés.",
    })
    services.reflex_sheet_save(plan=plan, actor=rpcra, data={
        "role": "Médecin senior des urgences", "order": 1,
        "first_actions": "Confirmer la panne auprès de la DSI (poste 4444)\nDécider le passage en mode dégradé\n"
                         "Prévenir l'administrateur de garde\nDésigner un médecin régulateur des entrées\n"
                         "Faire ouvrir le kit dégradé",
        "who_to_call": "DSI astreinte : 4444 — Administrateur de garde : 5000 — Laboratoire : 3210",
        "do_not": "Ne pas redémarrer ni rebrancher les postes sans accord de la DSI.\nNe pas attendre le retour du "
                  "DPI pour trier les patients.",
    })
    services.reflex_sheet_save(plan=plan, actor=rpcra, data={
        "role": "Infirmier(ère) organisateur(trice) de l'accueil (IOA)", "order": 2,
        "first_actions": "Ouvrir le registre manuel des entrées\nAttribuer un numéro de dossier papier à chaque "
                         "patient\nTrier selon la grille FRENCH papier",
        "who_to_call": "Cadre de santé : 5120",
        "do_not": "Ne pas ressaisir dans le DPI avant le feu vert de la DSI.",
    })
    services.recovery_propose(plan=plan, actor=rpcra)
    services.return_and_communication_save(plan=plan, actor=rpcra, data={
        "return_checks": "Contrôle d'intégrité du DPI par la DSI et test de connexion par un médecin référent.",
        "return_data_reentry": "Ressaisie des passages papier, contrôle croisé par le cadre.",
        "return_communication": "Annonce du retour au nominal par la cellule de crise.",
        "communication_internal": "Messages de la cellule de crise par téléphone et affichage.",
        "communication_patients": "Affichage en salle d'attente : délais allongés, sécurité des soins assurée.",
        "communication_ars": "Signalement à l'ARS et au CERT Santé par la direction dans l'heure.",
        "communication_press": "Communiqué unique par la direction de la communication.",
    })
    services.plan_submit(plan=plan, actor=rpcra)
    services.plan_approve(plan=plan, actor=direction)


def _pharmacy_plan(org: Any, chu: Any, pui: Activity, si: Scenario, rpcra: Any) -> None:
    plan = services.plan_create(organization=org, actor=rpcra, title="PCA Pharmacie — SI indisponible",
                                care_perimeter=CarePerimeter.TECHNICAL_PLATFORM, establishment=chu,
                                activities=[pui], scenarios=[si])
    services.plan_confirm_prefill(plan=plan, actor=rpcra)
    services.degraded_mode_save(plan=plan, actor=rpcra, activity=pui, scenario=si, data={
        "trigger": "Logiciel de pharmacie ou DPI inaccessibles plus de 2 heures.",
        "decided_by": "Pharmacien gérant ou pharmacien de garde", "activation_delay_hours": 2,
        "procedure": "1. Passer en dotations de service renforcées.\n2. Ordonnances papier pour les médicaments à "
                     "risque.\n3. Liste imprimée chaque nuit des traitements en cours par service.",
        "paper_forms": "Ordonnances papier pré-imprimées, liste des médicaments à risque.", "minimum_staff": 5,
    })


def _laboratory_plan(org: Any, chu: Any, labo: Activity, supplier: Scenario, rpcra: Any) -> None:
    plan = services.plan_create(organization=org, actor=rpcra,
                                title="PCA Laboratoire — fournisseur critique indisponible",
                                care_perimeter=CarePerimeter.TECHNICAL_PLATFORM, establishment=chu,
                                activities=[labo], scenarios=[supplier])
    services.plan_confirm_prefill(plan=plan, actor=rpcra)
    services.degraded_mode_save(plan=plan, actor=rpcra, activity=labo, scenario=supplier, data={
        "trigger": "Le fournisseur des réactifs et de la chaîne pré-analytique ne peut plus livrer ni intervenir "
                   "sous 24 h.",
        "decided_by": "Biologiste responsable", "activation_delay_hours": 24,
        "procedure": "1. Restreindre le catalogue aux examens urgents.\n2. Activer la convention de sous-traitance "
                     "avec le laboratoire du CH de Saint-Aubin.\n3. Navette de prélèvements deux fois par jour.",
        "minimum_staff": 4, "fallback_premises": "Laboratoire du CH de Saint-Aubin",
    })


def finish(ctx: Any) -> None:
    org = ctx.organizations.get("ght")
    chu = ctx.establishments.get("chu")
    if org is None or chu is None:
        return
    rpcra, direction = ctx.users["rpcra"], ctx.users["direction"]
    with scope(organization=org):
        plans = {p.title: p for p in Plan.objects.filter(organization=org)}
        urgences_plan = plans.get("PCA Urgences — SI indisponible")
        laboratory_plan = plans.get("PCA Laboratoire — fournisseur critique indisponible")
        if urgences_plan is not None:
            _urgences_review(org, chu, urgences_plan, rpcra, direction)
        if laboratory_plan is not None:
            services.plan_submit(plan=laboratory_plan, actor=rpcra)
            services.plan_approve(plan=laboratory_plan, actor=direction, acknowledge_incomplete=True)


def _urgences_review(org: Any, chu: Any, plan: Plan, rpcra: Any, direction: Any) -> None:
    urgences, regulation = _activity(org, URGENCES, chu), _activity(org, REGULATION, chu)
    if urgences is None or regulation is None:
        return
    si = Scenario.objects.get(organization=org, kind=Scenario.Kind.IS_UNAVAILABLE)
    services.plan_update_perimeter(plan=plan, actor=rpcra, title=plan.title, care_perimeter=plan.care_perimeter,
                                   establishment=chu, activities=[urgences, regulation], scenarios=[si])
    services.not_applicable_save(plan=plan, actor=rpcra, activity=regulation, scenario=si, reason=(
        "Le centre 15 régule sur le logiciel SAMU national, hébergé hors du SI hospitalier, avec sa téléphonie "
        "propre : une indisponibilité du SI du GHT ne l'arrête pas (procédure SAMU « bascule sur un centre 15 "
        "voisin » pour ses propres pannes)."))
    steps = services.recovery_propose(plan=plan, actor=rpcra)
    by_name = {s.resource.name: s for s in steps}
    dpi, directory = by_name.get("DPI — dossier patient informatisé"), by_name.get("Active Directory")
    if dpi is not None and directory is not None and dpi.position > directory.position:
        services.recovery_step_move(
            plan=plan, actor=rpcra, step=dpi, position=directory.position, confirm_dependency=True,
            reason="Le DPI redémarre d'abord sur le site de secours de l'éditeur, qui porte son propre annuaire ; "
                   "l'Active Directory du GHT est reconstruit ensuite (PRA éditeur testé en mars 2026).")
    services.plan_submit(plan=plan, actor=rpcra)
    services.plan_approve(plan=plan, actor=direction)
