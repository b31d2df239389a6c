"""Demo governance: a realistic one for the GHT, a partial one for the clinic (so their journeys differ).

GHT: complete project organisation and COPIL with 3 meetings and their decisions, PSSI validated in
2024, full cellule de crise except the communication role, which has no deputy yet. Clinic: an RPCRA
and an old PSSI (2021, outside the CaRE window), a crisis cell barely started, no COPIL meeting.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django_scopes import scope

from apps.compliance.models import Evidence
from apps.governance import services
from apps.governance.models import CrisisAssignment, CrisisRole, GovernanceMember, GovernanceProfile, ReportingDuty
from apps.tenants.models import Membership

if TYPE_CHECKING:
    from apps.tenants.demo import DemoContext
    from apps.tenants.models import Organization


def _evidence(organization: Organization, title_start: str) -> Evidence | None:
    return Evidence.objects.filter(organization=organization, title__startswith=title_start).first()


def _member(organization: Organization, user: Any) -> Membership:
    return Membership.objects.get(organization=organization, user=user)


def seed(ctx: DemoContext) -> None:
    _seed_ght(ctx)
    _seed_clinic(ctx)


def _seed_ght(ctx: DemoContext) -> None:
    org = ctx.organizations["ght"]
    u = ctx.users
    rpcra = u["rpcra"]
    with scope(organization=org):
        m = {key: _member(org, u[key]) for key in ("rpcra", "direction", "dsi", "urgences", "pharmacie", "biologie")}
        step = services.governance_profile_update
        step(organization=org, actor=rpcra, step="organisation", data={
            "rpcra": m["rpcra"], "rpcra_mission_letter": _evidence(org, "Lettre de mission du RPCRA"),
            "project_scope": "Équipe projet PCRA du GHT : RPCRA à 50 %, RSSI du GHT, médecin DIM, un référent par "
                             "établissement. Accompagnement par un cabinet pour la méthode BIA.",
            "copil_cadence": GovernanceProfile.Cadence.QUARTERLY,
            "copil_mandate": "Valider la méthode, arbitrer les priorités de reprise, suivre le plan d'actions et "
                             "préparer la déclaration CaRE.",
        })
        step(organization=org, actor=rpcra, step="logistics", data={
            "phone_24_7": "06 70 12 34 56", "phone_independent_of_it": True,
            "contacts_24_7": "Astreinte de direction : 06 70 00 11 22\nAstreinte informatique : 06 70 00 33 44\n"
                             "Éditeur DPI (support crise) : 01 80 00 00 00",
            "crisis_room": "CHU de Valmont, Hôpital Nord — salle du conseil (bâtiment A, 1er étage)",
            "fallback_room": "CH de Saint-Aubin — salle de réunion de la direction",
            "activation_criteria": "Indisponibilité du DPI ou du réseau de plus de 2 heures ; chiffrement détecté "
                                   "sur un serveur ; demande de l'ARS ou du CERT Santé.",
            "activation_decider": "Directrice générale, ou l'administrateur de garde",
        })
        step(organization=org, actor=rpcra, step="signalement", data={
            "signalement_procedure": "Le RSSI qualifie l'incident et le déclare sur le portail de signalement des "
                                     "incidents de sécurité des SI (CERT Santé / ARS) ; le DPO notifie la CNIL si des "
                                     "données personnelles sont touchées ; dépôt de plainte par la direction. "
                                     "Chaque déclaration est consignée dans la main courante.",
        })
        step(organization=org, actor=rpcra, step="documents", data={
            "pssi_version": "v3", "pssi_validated_on": date(2024, 3, 12),
            "pssi_signatory": "Isabelle Lefèvre", "pssi_signatory_function": "Directrice générale du CHU de Valmont, "
            "établissement support du GHT", "pssi_signatory_is_legal_representative": True,
            "pssi_evidence": _evidence(org, "PSSI du GHT"),
            "plan_blanc_reference": "Plan blanc du GHT Rives de Loire, version 2025, fiche « cyberattaque »",
            "plan_blanc_digital_risks": "Le plan blanc comporte une fiche réflexe cyberattaque, le déclenchement de la "
                                        "cellule de crise sur critère SI et le renvoi vers le PCRA de chaque "
                                        "établissement.",
            "plan_blanc_evidence": _evidence(org, "Plan blanc du GHT"),
            "crisis_procedures_summary": "Isolement du réseau, bascule en mode dégradé papier, kits de continuité "
                                         "dans chaque service, point de situation toutes les 4 heures.",
            "crisis_procedures_evidence": _evidence(org, "Procédures de gestion de crise cyber"),
        })
        step(organization=org, actor=u["direction"], step="priorities", data={
            "patient_safety_first": True, "return_to_nominal_days": 21,
            "direction_priorities": "Urgences, bloc opératoire et maternité d'abord ; paie des agents avant J+10.",
        })

        team = [
            (m["rpcra"], "Responsable PCRA", "Pilote du projet", "Lettre de mission du RPCRA"),
            (m["dsi"], "RSSI du GHT", "Volet sauvegardes et PRA", "Lettre de mission — Karim Benali"),
            ("Dr Élise Caron", "Médecin DIM", "Référente BIA des activités de soins", "Lettre de mission — Dr Élise"),
        ]
        for who, function, role, letter in team:
            data: dict[str, Any] = {"body": GovernanceMember.Body.PROJECT_TEAM, "function": function, "role": role,
                                   "mission_letter": _evidence(org, letter)}
            data.update({"member": who} if isinstance(who, Membership) else {"external_name": who})
            services.governance_member_create(organization=org, actor=rpcra, data=data)
        copil = [
            (m["direction"], "Directrice générale", "Présidente"),
            (m["rpcra"], "Responsable PCRA", "Secrétaire"),
            (m["dsi"], "RSSI du GHT", "Membre"),
            (m["urgences"], "Cheffe de service des urgences", "Membre"),
            ("Michel Aubert", "Directeur des soins", "Membre"),
            ("Sylvie Roux", "Directrice des affaires financières", "Membre"),
        ]
        copil_members = []
        for who, function, role in copil:
            data = {"body": GovernanceMember.Body.COPIL, "function": function, "role": role}
            data.update({"member": who} if isinstance(who, Membership) else {"external_name": who})
            copil_members.append(services.governance_member_create(organization=org, actor=rpcra, data=data))

        meetings = [
            (date(2025, 10, 14), "COPIL de lancement", "Présentation du programme CaRE D2 et de la méthode.",
             _evidence(org, "Compte rendu du COPIL"),
             [("Lancer la campagne BIA sur les urgences, la paie et la biologie", "Julien Moreau", date(2025, 12, 15),
               "done"),
              ("Désigner un référent PCRA dans chaque établissement", "Isabelle Lefèvre", date(2025, 11, 30), "done")]),
            (date(2026, 1, 20), "COPIL n°2 — résultats des BIA",
             "Revue des DMIA/PDMA ; écarts entre besoins et capacités de restauration du DPI.", None,
             [("Financer une copie immuable hors site des sauvegardes", "Karim Benali", date(2026, 6, 30),
               "in_progress"),
              ("Rédiger les fiches réflexes des urgences", "Dr Sophie Garnier", date(2026, 3, 31), "done")]),
            (date(2026, 4, 22), "COPIL n°3 — préparation de l'exercice",
             "Choix du scénario rançongiciel pour l'exercice terrain de septembre.", None,
             [("Organiser un exercice terrain au CHU en septembre", "Julien Moreau", date(2026, 9, 30), "open"),
              ("Acheter des kits de continuité papier pour chaque service", "Sylvie Roux", date(2026, 6, 1), "open")]),
        ]
        for held_on, title, minutes, minutes_file, decisions in meetings:
            meeting = services.copil_meeting_create(organization=org, actor=rpcra, data={
                "held_on": held_on, "title": title, "minutes": minutes, "minutes_evidence": minutes_file,
                "attendees": copil_members[:5], "other_attendees": "Consultant du cabinet Continuité",
            })
            for text, owner, due, status in decisions:
                services.decision_create(meeting=meeting, actor=rpcra, data={
                    "text": text, "owner": owner, "due_date": due, "status": status})

        services.crisis_roles_create_standard(organization=org, actor=rpcra)
        people: dict[str, tuple[Any, list[Any]]] = {
            CrisisRole.Kind.DIRECTOR: (m["direction"], [("Pierre Vasseur", "06 71 22 33 44")]),
            CrisisRole.Kind.COORDINATION: (m["rpcra"], [("Aline Perrin", "06 71 55 66 77")]),
            CrisisRole.Kind.MEDICAL: (("Dr Hervé Lemoine", "06 72 10 20 30"), [m["urgences"]]),
            CrisisRole.Kind.CARE: (("Michel Aubert", "06 72 40 50 60"), [("Nathalie Colin", "06 72 70 80 90")]),
            CrisisRole.Kind.IT: (m["dsi"], [("Bruno Faure", "06 73 11 22 33")]),
            # The demo leaves one gap on purpose: the communication role has no deputy yet.
            CrisisRole.Kind.COMMUNICATION: (("Camille Noël", "06 73 44 55 66"), []),
            CrisisRole.Kind.LOGISTICS: (("Jean-Marc Dupuis", "06 73 77 88 99"), [("Farid Haddad", "06 74 11 22 33")]),
            CrisisRole.Kind.SECRETARIAT: (("Sandrine Morel", "06 74 44 55 66"), [("Lucie Girard", "06 74 77 88 99")]),
        }
        roles = {r.kind: r for r in CrisisRole.objects.filter(organization=org)}
        member_phones = {m["direction"].pk: "06 70 98 76 54", m["rpcra"].pk: "06 70 11 22 33",
                         m["urgences"].pk: "06 70 44 55 66", m["dsi"].pk: "06 70 77 88 99"}
        for kind, (holder, deputies) in people.items():
            for position, who in [(CrisisAssignment.Position.HOLDER, holder),
                                  *[(CrisisAssignment.Position.DEPUTY, d) for d in deputies]]:
                assignment: dict[str, Any] = {"position": position}
                if isinstance(who, Membership):
                    # A crisis role is complete only with a number that works when the hospital's IT is down.
                    assignment["member"], assignment["phone"] = who, member_phones[who.pk]
                else:
                    assignment["external_name"], assignment["phone"] = who
                services.crisis_assignment_create(role=roles[kind], actor=rpcra, data=assignment)

        for recipient, delay, responsible, channel in [
            (ReportingDuty.Recipient.CERT_SANTE, None, "RSSI du GHT", "Portail de signalement des incidents"),
            (ReportingDuty.Recipient.ARS, 24, "Directrice générale", "Point focal régional de l'ARS"),
            (ReportingDuty.Recipient.ANSSI, 24, "RSSI du GHT", "CERT-FR, via le CERT Santé"),
            (ReportingDuty.Recipient.CNIL, 72, "Délégué à la protection des données", "Téléservice de la CNIL"),
        ]:
            services.reporting_duty_create(organization=org, actor=rpcra, data={
                "recipient": recipient, "delay_hours": delay, "responsible": responsible, "channel": channel})

        services.governance_approve(organization=org, actor=u["direction"])
        GovernanceProfile.objects.filter(organization=org).update(
            approved_at=timezone.make_aware(datetime(2026, 4, 22, 17, 30)))


def _seed_clinic(ctx: DemoContext) -> None:
    org = ctx.organizations["clinic"]
    actor = ctx.users["clinique_rpcra"]
    with scope(organization=org):
        rpcra = _member(org, actor)
        services.governance_profile_update(organization=org, actor=actor, step="organisation", data={
            "rpcra": rpcra, "project_scope": "Le responsable qualité porte le PCRA avec l'appui de l'infogérant.",
        })
        services.governance_profile_update(organization=org, actor=actor, step="documents", data={
            "pssi_version": "2021", "pssi_validated_on": date(2021, 5, 10), "pssi_signatory": "Hélène Marchand",
            "pssi_evidence": _evidence(org, "PSSI de la Clinique"),
        })
        services.governance_member_create(organization=org, actor=actor, data={
            "body": GovernanceMember.Body.PROJECT_TEAM, "member": rpcra, "function": "Responsable qualité",
            "role": "RPCRA"})
        director = services.crisis_role_create(organization=org, actor=actor,
                                               data={"kind": CrisisRole.Kind.DIRECTOR, "order": 10})
        services.crisis_assignment_create(role=director, actor=actor, data={
            "position": CrisisAssignment.Position.HOLDER, "member": _member(org, ctx.users["clinique_admin"])})
        services.crisis_role_create(organization=org, actor=actor, data={"kind": CrisisRole.Kind.IT, "order": 20})
