"""Demo exercises (runs after the continuity and backups demos, INSTALLED_APPS order).

- GHT Rives de Loire: the field exercise « Rançongiciel — urgences en mode dégradé » run on 14/10/2026 at the
  CHU de Valmont and the CH de Saint-Aubin (62 % + 28 % of the combined activity), on the approved « PCA Urgences
  — SI indisponible »: 30 stimuli, a main courante of about 40 entries, six objectives measured, a hot debrief and
  a cold RETEX approved by the director, six findings; the next test of every approved plan is scheduled and the
  annual cyber crisis exercise is planned. Its D2.O1.D is met and stage 5 complete.
- Clinique du Parc: only a table-top exercise, so its D2.O1.D stays partial (« only a field exercise counts »).

Plans, activities and systems are looked up by name; when the other demos are absent nothing is created.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_scopes import scope

from apps.bia.models import Activity, Resource
from apps.continuity.models import Plan, PlanVersion, Scenario
from apps.core.logbook import LogEntryBase
from apps.exercises import services
from apps.exercises.models import Exercise, Format, Function, Objective, Participant, StimulusTemplate
from apps.governance.models import CrisisRole
from apps.tenants.models import Membership

EXERCISE_DAY = datetime.date(2026, 10, 14)
URGENCES_PLAN = "PCA Urgences — SI indisponible"
URGENCES = "Accueil et prise en charge des urgences"
DPI = "DPI — dossier patient informatisé"
URG_APP = "Logiciel des urgences"

# The scenario's own stimuli, besides the fifteen of the starter library: (offset, sender, recipient, channel,
# content, expected reaction, objective key).
EXTRA_STIMULI: list[tuple[int, str, str, str, str, str, str]] = [
    (8, "IOA des urgences du CH de Saint-Aubin", "Cadre des urgences de Saint-Aubin", "phone",
     "« Même écran de rançon ici, le logiciel des urgences est figé. »", "Passage en mode dégradé papier à "
     "Saint-Aubin, sur la même procédure que le CHU.", "saint_aubin"),
    (12, "Standard du CHU", "Administrateur de garde", "phone", "« Les lignes internes IP ne répondent plus dans "
     "deux bâtiments. »", "Bascule sur les postes analogiques de secours et les portables de crise.", "cell"),
    (18, "Médecin régulateur SAMU", "Urgences du CHU", "phone", "« J'ai deux patients graves en route : où les "
     "orientez-vous ? »", "Accueil maintenu, traçabilité papier de l'orientation.", "degraded"),
    (22, "Animateur (patient simulé)", "IOA du CHU", "in_person", "Un patient se présente, allergique à la "
     "pénicilline, dossier inaccessible.", "Identito-vigilance papier, bracelet, allergie notée sur le dossier "
     "papier.", "degraded"),
    (35, "Biologiste de garde", "Urgences de Saint-Aubin", "phone", "« Je ne peux plus envoyer les résultats "
     "au CH de Saint-Aubin. »", "Résultats critiques téléphonés, fax de secours.", "saint_aubin"),
    (45, "RSSI", "Cellule de crise", "in_person", "« Les sauvegardes hors ligne sont intactes ; la dernière "
     "sauvegarde exploitable du DPI date d'hier 21 h. »", "Décision de restauration, perte de données "
     "assumée et plan de ressaisie.", "rpa"),
    (55, "Animateur (ANSSI)", "RSSI", "phone", "« Avez-vous besoin d'un appui du CERT Santé ? »", "Demande "
     "d'appui tracée, partage des indicateurs de compromission.", "report"),
    (70, "Animateur (famille)", "Standard", "phone", "« Mon père est aux urgences depuis ce matin, personne ne "
     "sait me dire où il est. »", "Cellule d'information des familles, liste papier des patients.", ""),
    (85, "Cadre de santé des urgences du CHU", "Cellule de crise", "phone", "« Le kit dégradé arrive au bout : "
     "il reste 40 dossiers papier. »", "Réassort du kit depuis la réserve, impression hors SI.", "degraded"),
    (100, "Animateur (ARS simulée)", "Directeur de crise", "phone", "« Point de situation écrit attendu à 12 h. »",
     "Point de situation rédigé et validé par le directeur de crise.", "report"),
    (120, "DSI", "Cellule de crise", "in_person", "« L'Active Directory est restauré ; le DPI suit, compter "
     "encore 3 h. »", "Ordre de reprise confirmé : DPI, logiciel des urgences, SGL.", "rta"),
    (160, "Pharmacien de garde", "Urgences du CHU", "phone", "« Je n'ai pas la liste des traitements des "
     "patients hospitalisés depuis ce matin. »", "Transmission papier des prescriptions, double contrôle.", ""),
    (200, "Animateur (journaliste)", "Communication", "media", "« Un article annonce la fermeture des urgences, "
     "confirmez-vous ? »", "Démenti factuel validé par la direction, pas de détail technique.", ""),
    (220, "Référent métier des urgences", "DSI", "in_person", "« Le DPI restauré s'ouvre, les données s'arrêtent "
     "hier à 21 h. »", "Recette fonctionnelle par le référent, feu vert pour le retour au nominal.", "rta"),
    (235, "Directeur de crise", "Cellule de crise", "in_person", "Annonce du retour progressif au nominal et du "
     "plan de ressaisie des dossiers papier.", "Ressaisie organisée en binômes, contrôle par les cadres.", ""),
]

# (key, kind, statement, target minutes, measured minutes, at minute, outcome, comment, activity/resource name)
OBJECTIVES: list[tuple[str, str, str, int, str, int, str, str, str]] = [
    ("cell", Objective.Kind.CRISIS_CELL, "Réunir la cellule de crise en moins de 45 minutes", 45, "38", 38,
     Objective.Outcome.ACHIEVED, "Convocation par l'annuaire papier, deux membres joints sur leur portable.", ""),
    ("degraded", Objective.Kind.DEGRADED_MODE, "Basculer les urgences du CHU en mode dégradé papier en moins de "
     "30 minutes", 30, "22", 37, Objective.Outcome.ACHIEVED, "Kit dégradé ouvert à T+19, registre des entrées "
     "tenu par l'IOA.", "chu"),
    ("saint_aubin", Objective.Kind.DEGRADED_MODE, "Basculer les urgences du CH de Saint-Aubin en mode dégradé en "
     "moins de 30 minutes", 30, "41", 49, Objective.Outcome.PARTLY, "Le kit dégradé de Saint-Aubin était incomplet "
     "(pas de bons de biologie).", "ch"),
    ("report", Objective.Kind.OTHER, "Signaler l'incident au CERT Santé et à l'ARS dans l'heure", 60, "55", 55,
     Objective.Outcome.ACHIEVED, "Signalement sur le portail à T+55.", ""),
    ("rta", Objective.Kind.RTA, "Restaurer le DPI en moins de 4 heures", 240, "310", 241, Objective.Outcome.NOT_ACHIEVED,
     "Restauration de l'AD plus longue que prévu (contrôleurs dans la même salle).", DPI),
    ("rpa", Objective.Kind.RPA, "Perdre au plus une heure de données du DPI", 60, "720", 241,
     Objective.Outcome.NOT_ACHIEVED, "Dernière sauvegarde exploitable de la veille 21 h (sauvegarde quotidienne).",
     DPI),
]

LOG: list[tuple[int, str, str, str]] = [
    (3, LogEntryBase.Kind.EVENT, "Cadre des urgences", "Consigne donnée : ne pas éteindre ni rebrancher les postes."),
    (7, LogEntryBase.Kind.DECISION, "Administrateur de garde", "Activation de la cellule de crise, convocation en "
     "salle de crise (bâtiment administratif)."),
    (16, LogEntryBase.Kind.DECISION, "Médecin senior des urgences", "Passage des urgences du CHU en mode dégradé "
     "papier."),
    (27, LogEntryBase.Kind.OBSERVATION, "Observateur", "À Saint-Aubin, recherche du kit dégradé pendant 12 minutes."),
    (40, LogEntryBase.Kind.DECISION, "Directeur de crise", "Pas de délestage : accueil maintenu, SAMU informé de "
     "délais allongés."),
    (64, LogEntryBase.Kind.EVENT, "Communication", "Message unique validé pour le standard et l'accueil."),
    (95, LogEntryBase.Kind.DECISION, "Directeur de crise", "Ordre de reprise validé : AD, DPI, logiciel des "
     "urgences, SGL."),
    (140, LogEntryBase.Kind.OBSERVATION, "Observateur", "Relève de l'IOA préparée, effectif minimum tenu."),
    (210, LogEntryBase.Kind.EVENT, "Secrétariat de crise", "Point de situation écrit transmis à l'ARS."),
]

FINDINGS: list[tuple[str, str, str, str, str]] = [
    ("Kit dégradé de Saint-Aubin incomplet", "major", "saint_aubin",
     "Pas de bons de biologie ni d'étiquettes pré-imprimées dans l'armoire de l'IOA de Saint-Aubin.",
     "Aligner le contenu du kit sur celui du CHU et le vérifier chaque trimestre."),
    ("RPA du DPI très au-delà de la PDMA", "critical", "rpa",
     "Douze heures de données perdues pour une PDMA d'une heure : sauvegarde quotidienne seulement.",
     "Passer à une sauvegarde horaire (journaux de transactions) et tester la restauration."),
    ("Restauration de l'Active Directory trop longue", "major", "rta",
     "Les deux contrôleurs de domaine sont dans la même salle serveur : reconstruction complète nécessaire.",
     "Un contrôleur de domaine hors site et une procédure de reconstruction testée."),
    ("Annuaire de crise papier en partie périmé", "moderate", "cell",
     "Trois numéros de portable faux sur la liste papier de la cellule de crise.",
     "Mettre à jour l'annuaire hors SI à chaque changement d'astreinte et en garder deux copies."),
    ("Téléphonie IP tombée avec le SI", "moderate", "",
     "Deux bâtiments sans téléphone interne pendant 40 minutes.", "Recenser et tester les postes analogiques de "
     "secours de chaque service."),
    ("Ressaisie des dossiers papier non planifiée", "minor", "",
     "Personne n'était désigné pour organiser la ressaisie au retour du DPI.",
     "Nommer un responsable de la ressaisie dans la fiche réflexe du cadre de santé."),
]


def _at(minutes: int, start: datetime.datetime) -> datetime.datetime:
    return start + datetime.timedelta(minutes=minutes)


def seed(ctx: Any) -> None:
    ght = ctx.organizations.get("ght")
    if ght is not None and ctx.establishments.get("chu") is not None:
        with scope(organization=ght):
            _ght(ght, ctx)
    clinic = ctx.organizations.get("clinic")
    if clinic is not None:
        with scope(organization=clinic):
            _clinic(clinic, ctx)


def _member(org: Any, user: Any) -> Membership | None:
    return Membership.objects.filter(organization=org, user=user).first() if user else None


def _ght(org: Any, ctx: Any) -> None:
    plan = Plan.objects.filter(organization=org, title=URGENCES_PLAN).first()
    version = PlanVersion.objects.filter(organization=org, plan=plan, status=PlanVersion.Status.APPROVED).first() \
        if plan else None
    if plan is None or version is None:
        return
    chu, ch = ctx.establishments["chu"], ctx.establishments["ch"]
    rpcra, direction = ctx.users["rpcra"], ctx.users["direction"]
    tz = timezone.get_current_timezone()
    debex = datetime.datetime.combine(EXERCISE_DAY, datetime.time(8, 30), tzinfo=tz)
    # The plan was approved a month before it was tested (the seed approves it « now »).
    PlanVersion.objects.filter(pk=version.pk).update(approved_at=debex - datetime.timedelta(days=22))
    version.refresh_from_db()
    scenario = Scenario.objects.get(organization=org, kind=Scenario.Kind.IS_UNAVAILABLE)
    sites = [s for key, s in ctx.sites.items() if key in ("chu_nord", "ch_main")]
    exercise = services.exercise_create(organization=org, actor=rpcra, data={
        "title": "Rançongiciel — urgences en mode dégradé", "format": Format.FIELD, "scenario": scenario,
        "cyber_triggered": True, "planned_start": debex, "duration_minutes": 240, "owner": _member(org, rpcra),
        "plan_versions": [version], "establishments": [chu, ch], "sites": sites,
        "activities": list(Activity.objects.filter(organization=org, name=URGENCES, establishment=chu)),
        "context": "Mercredi 14 octobre, 8 h 30. Les urgences du CHU de Valmont et du CH de Saint-Aubin tournent "
                   "normalement (environ 60 patients présents). Le DPI et le logiciel des urgences sont communs aux "
                   "deux établissements. Jouez comme en situation réelle : appliquez le PCA Urgences, vos fiches "
                   "réflexes et tracez vos décisions.",
        "animation_notes": "Rançongiciel introduit par un compte de prestataire ; chiffrement progressif des "
                           "serveurs à partir de 8 h 20. L'AD est touché : la restauration du DPI prend plus de 4 h. "
                           "Les sauvegardes hors ligne sont saines, la dernière date de la veille 21 h.",
    })
    urgences = {e: Activity.objects.filter(organization=org, name=URGENCES, establishment=e).first() for e in (chu, ch)}
    dpi = Resource.objects.filter(organization=org, name=DPI).first()
    objectives: dict[str, Objective] = {}
    for order, (key, kind, statement, target, _measured, _minute, _outcome, _comment, link) in enumerate(OBJECTIVES):
        data: dict[str, Any] = {"kind": kind, "statement": statement, "target_minutes": target, "order": order,
                                "observation_points": _points(key)}
        if kind == Objective.Kind.DEGRADED_MODE:
            data["activity"] = urgences[chu if link == "chu" else ch]
            if data["activity"] is None:
                data["kind"] = Objective.Kind.OTHER
        elif kind in (Objective.Kind.RTA, Objective.Kind.RPA):
            data["resource"] = dpi
            if dpi is None:
                data["kind"] = Objective.Kind.OTHER
        objectives[key] = services.objective_save(exercise=exercise, actor=rpcra, data=data)
    _participants(org, exercise, ctx)
    library = list(StimulusTemplate.objects.filter(organization=org, scenario_kind=Scenario.Kind.IS_UNAVAILABLE)
                   .exclude(library_key="si-15").order_by("offset_minutes", "order"))
    stimuli = services.stimuli_from_templates(exercise=exercise, actor=rpcra, templates=library)
    for offset, sender, recipient, channel, content, expected, objective_key in EXTRA_STIMULI:
        stimuli.append(services.stimulus_save(exercise=exercise, actor=rpcra, data={
            "offset_minutes": offset, "sender": sender, "recipient": recipient, "channel": channel,
            "content": content, "expected_reaction": expected, "objective": objectives.get(objective_key)}))
    stimuli.append(services.stimulus_save(exercise=exercise, actor=rpcra, data={
        "offset_minutes": 240, "sender": "Directeur d'exercice", "recipient": "Tous", "channel": "in_person",
        "content": "FINEX : fin de l'exercice, tout était simulé ; débriefing à chaud en salle de crise.",
        "expected_reaction": "Débriefing à chaud immédiat."}))
    # The run: DEBEX, stimuli sent, decisions, measures, FINEX — the main courante as it was kept that day.
    services.exercise_start(exercise=exercise, actor=rpcra, at=debex)
    exercise.refresh_from_db()
    for stimulus in sorted(stimuli, key=lambda s: s.offset_minutes):
        services.stimulus_mark_sent(exercise=exercise, stimulus=stimulus, actor=rpcra,
                                    at=_at(stimulus.offset_minutes + 1, debex))
    for minute, kind, who, text in LOG:
        at = _at(minute, debex)
        services.log_entry_add(exercise=exercise, actor=rpcra, text=text, kind=kind, who=who, occurred_at=at, now=at)
    for key, _kind, _statement, _target, measured, minute, _outcome, _comment, _link in OBJECTIVES:
        services.objective_measure(exercise=exercise, objective=objectives[key], actor=rpcra,
                                   minutes=Decimal(measured), at=_at(minute, debex))
    services.exercise_finish(exercise=exercise, actor=rpcra, at=_at(242, debex))
    exercise.refresh_from_db()
    services.retex_save(exercise=exercise, actor=rpcra, data={
        "hot_debrief_on": EXERCISE_DAY,
        "hot_debrief": "Cellule de crise réunie vite, bascule papier du CHU réussie ; Saint-Aubin en difficulté "
                       "(kit incomplet). La restauration du DPI et la perte de données ont surpris la direction.",
        "cold_retex_on": datetime.date(2026, 11, 12),
        "what_worked": "Annuaire papier et salle de crise prêts ; mode dégradé des urgences du CHU appliqué en 22 "
                       "minutes ; signalement CERT Santé et ARS dans l'heure ; communication unique.",
        "what_did_not": "Kit dégradé de Saint-Aubin incomplet ; restauration du DPI en 5 h 10 (objectif 4 h) ; 12 h "
                        "de données perdues ; téléphonie IP tombée avec le SI ; ressaisie non organisée.",
    }, outcomes={objectives[key].pk: {"outcome": outcome, "outcome_comment": comment}
                 for key, _k, _s, _t, _m, _min, outcome, comment, _l in OBJECTIVES})
    services.retex_submit(exercise=exercise, actor=rpcra)
    services.retex_approve(exercise=exercise, actor=direction)
    for title, severity, objective_key, description, recommendation in FINDINGS:
        finding = services.finding_save(exercise=exercise, actor=rpcra, data={
            "title": title, "severity": severity, "objective": objectives.get(objective_key),
            "description": description, "recommendation": recommendation})
        if services.actions_installed():
            services.finding_to_action(finding=finding, actor=rpcra)
    _schedule(org, ctx, tested=plan)
    # The annual cyber crisis exercise of 2027, already planned (instruction of 30/01/2023).
    services.exercise_create(organization=org, actor=rpcra, data={
        "title": "Exercice de crise cyber annuel — cellule de crise du GHT", "format": Format.TABLETOP,
        "scenario": scenario, "cyber_triggered": True, "duration_minutes": 180, "owner": _member(org, rpcra),
        "planned_start": datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=110),
                                                   datetime.time(14, 0), tzinfo=tz),
        "plan_versions": [version], "establishments": [chu, ch, ctx.establishments["local"]],
    })


def _points(key: str) -> str:
    return {
        "cell": "Heure de la décision d'activer la cellule\nHeure d'arrivée de chaque membre\nAnnuaire utilisé",
        "degraded": "Heure de la décision du mode dégradé\nOuverture du kit dégradé\nRegistre des entrées tenu\n"
                    "Identito-vigilance respectée",
        "saint_aubin": "Heure de la décision\nKit dégradé complet\nLien avec la cellule de crise du GHT",
        "report": "Heure du signalement CERT Santé\nInformation de l'ARS\nTrace écrite",
        "rta": "Ordre de reprise suivi\nHeure de remise en service du DPI\nRecette par un référent métier",
        "rpa": "Date de la sauvegarde restaurée\nDonnées à ressaisir identifiées",
    }.get(key, "")


def _participants(org: Any, exercise: Exercise, ctx: Any) -> None:
    roles = {r.kind: r for r in CrisisRole.objects.filter(organization=org)}
    users = ctx.users
    people: list[tuple[str, str, Any, str, str, str | None]] = [
        # role, function, member user, external name, job title, crisis-cell role kind
        (Participant.Role.PLAYER, Function.GENERAL_MANAGEMENT, users.get("direction"), "", "Directrice générale",
         CrisisRole.Kind.DIRECTOR),
        (Participant.Role.PLAYER, Function.BUSINESS_DIRECTION, users.get("rpcra"), "", "Responsable PCRA",
         CrisisRole.Kind.COORDINATION),
        (Participant.Role.PLAYER, Function.MEDICAL, users.get("urgences"), "", "Cheffe de service des urgences",
         CrisisRole.Kind.MEDICAL),
        (Participant.Role.PLAYER, Function.CARE, None, "Michel Aubert", "Coordonnateur général des soins",
         CrisisRole.Kind.CARE),
        (Participant.Role.PLAYER, Function.CARE, users.get("saint_aubin"), "", "Cadre supérieure, CH de Saint-Aubin",
         None),
        (Participant.Role.PLAYER, Function.IT, users.get("dsi"), "", "RSSI du GHT", CrisisRole.Kind.IT),
        (Participant.Role.PLAYER, Function.COMMUNICATION, None, "Camille Noël", "Chargée de communication",
         CrisisRole.Kind.COMMUNICATION),
        (Participant.Role.PLAYER, Function.LOGISTICS, None, "Jean-Marc Dupuis", "Directeur des services techniques",
         CrisisRole.Kind.LOGISTICS),
        (Participant.Role.DIRECTOR, Function.OTHER, users.get("consultant"), "", "Consultant, directeur d'exercice",
         None),
        (Participant.Role.ANIMATOR, Function.OTHER, None, "Élodie Marchal", "Animatrice (ARS, presse, familles)", None),
        (Participant.Role.ANIMATOR, Function.IT, None, "Yann Le Gall", "Animateur technique (DSI)", None),
        (Participant.Role.OBSERVER, Function.CARE, None, "Sabine Roux", "Observatrice aux urgences du CHU", None),
        (Participant.Role.OBSERVER, Function.OTHER, None, "Olivier Brun", "Observateur à Saint-Aubin", None),
    ]
    for role, function, user, name, title, crisis in people:
        member = _member(org, user)
        if member is None and not name:
            continue
        services.participant_save(exercise=exercise, actor=None, data={
            "role": role, "function": function, "member": member, "external_name": name, "job_title": title,
            "crisis_role": roles.get(crisis) if crisis else None})


def _schedule(org: Any, ctx: Any, *, tested: Plan) -> None:
    """Every plan has its next test: the one tested again next year, the others (drafts to approve first) within
    the coming months."""
    rpcra = _member(org, ctx.users["rpcra"])
    today = timezone.localdate()
    for index, plan in enumerate(Plan.objects.filter(organization=org, is_archived=False).order_by("title")):
        day = datetime.date(2027, 10, 13) if plan.pk == tested.pk else today + datetime.timedelta(days=45 + 30 * index)
        services.schedule_save(plan=plan, actor=ctx.users["rpcra"], data={
            "next_test_on": day, "format": Format.FIELD if plan.pk == tested.pk else Format.TABLETOP,
            "owner": rpcra, "notes": "Exercice terrain annuel" if plan.pk == tested.pk else ""})


def _clinic(org: Any, ctx: Any) -> None:
    """Only a table-top exercise: D2.O1.D stays partial, and says why."""
    rpcra = ctx.users.get("clinique_rpcra")
    scenario = Scenario.objects.filter(organization=org, kind=Scenario.Kind.IS_UNAVAILABLE).first()
    if rpcra is None or scenario is None:
        return
    day = datetime.date(2026, 6, 18)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(14, 0), tzinfo=tz)
    versions = list(PlanVersion.objects.filter(organization=org, status=PlanVersion.Status.APPROVED,
                                               approved_at__lte=start))
    exercise = services.exercise_create(organization=org, actor=rpcra, data={
        "title": "Exercice sur table — panne du SI de la clinique", "format": Format.TABLETOP, "scenario": scenario,
        "cyber_triggered": True, "planned_start": start, "duration_minutes": 120, "owner": _member(org, rpcra),
        "plan_versions": versions, "establishments": [ctx.establishments["clinic"]],
        "context": "Le logiciel de soins SaaS est indisponible depuis 13 h 30 ; l'éditeur ne donne pas de délai.",
    })
    services.objective_save(exercise=exercise, actor=rpcra, data={
        "kind": Objective.Kind.CRISIS_CELL, "statement": "Réunir la cellule de crise en moins de 30 minutes",
        "target_minutes": 30, "observation_points": "Heure de la décision\nMembres présents"})
    services.exercise_record_run(exercise=exercise, actor=rpcra, debex_at=start,
                                 finex_at=start + datetime.timedelta(minutes=110))
    exercise.refresh_from_db()
    services.retex_save(exercise=exercise, actor=rpcra, data={
        "hot_debrief_on": day, "hot_debrief": "Bonne connaissance des rôles ; le contrat SaaS ne prévoit aucun délai "
                                              "de rétablissement.",
        "what_did_not": "Aucun mode dégradé écrit pour le bloc opératoire."})
    services.finding_save(exercise=exercise, actor=rpcra, data={
        "title": "Aucun délai de rétablissement dans le contrat SaaS", "severity": "major",
        "recommendation": "Négocier une clause de délai de rétablissement et de restitution des données."})
