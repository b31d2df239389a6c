"""Demo backups: controls with realistic gaps, trajectories, restoration tests.

The tests show the measured capability at work: the DPI restored in 6.5 h but with 20 h of data lost against
a 1 h PDMA (« Réussi hors objectif », and an RPO gap from the measured RPO), the pharmacy software back in
production after 30 h (« Réussi hors objectif », measured RTO 30 h), a partial test of the urgences software
and a file restore that are evidence only.

Runs after the BIA demo (INSTALLED_APPS order) and finds the BIA demo systems by name; when they are not
there, it creates nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope

from apps.backups import services
from apps.backups.models import SYSTEM_KINDS, BackupControl, RestoreTest, Trajectory
from apps.bia.models import Resource
from apps.compliance.pdf import minimal_pdf
from apps.tenants.models import Membership, Organization

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.demo import DemoContext

PLAN_UPDATE = "Revu par le RSSI à chaque changement de version de l'application et au moins une fois par an."
SUPERVISION = {"supervision_who": "Équipe d'exploitation de la DSI du GHT",
               "supervision_frequency": "Chaque matin, rapport de la console",
               "supervision_on_failure": "Relance du travail, ticket, escalade au RSSI sous 24 h si l'échec persiste"}
STRONG = {"copies": 3, "media_count": 2, "offsite_copy": True, "offline_copy": True, "restore_errors_checked": True,
          "authentication": BackupControl.Authentication.DEDICATED_DIRECTORY, "least_privilege_role": True,
          "mfa_on_consoles": True, "network_isolated": True, "encrypted": True, "central_alerts": True,
          "rssi_control": True, "ads_score": 3, "ads_audited_on": date(2026, 2, 10), **SUPERVISION}

# name in the BIA demo → (product, frequency h, retention days, extra fields, with a backup plan)
GHT_CONTROLS: dict[str, tuple[str, int, int, dict[str, Any], bool]] = {
    # Backed up once a day while the urgences can lose at most 1 h of data: looser than the PDMA.
    "DPI — dossier patient informatisé": ("Veeam Backup & Replication", 24, 30, {
        **STRONG, "red_button_tested_on": date(2026, 3, 5)}, True),
    "Logiciel des urgences": ("Veeam Backup & Replication", 1, 30, {**STRONG}, True),
    # No offline or immutable copy, no MFA on the console.
    "SGL — système de gestion du laboratoire (LIS)": ("Commvault", 1, 15, {
        **STRONG, "offline_copy": False, "restore_errors_checked": False, "mfa_on_consoles": False}, True),
    "Logiciel de pharmacie (circuit du médicament)": ("Veeam Backup & Replication", 4, 30, {**STRONG}, False),
    "Messagerie (dont messagerie sécurisée de santé)": ("Sauvegarde de l'hébergeur", 24, 90, {
        **SUPERVISION, "copies": 2, "media_count": 1, "offsite_copy": True, "encrypted": True,
        "authentication": BackupControl.Authentication.LOCAL_ACCOUNTS, "contract_clauses": True,
        "mfa_unsupported": True,  # the host's console offers no MFA: recorded, not a failure (D2.O3.A)
        "contract_clauses_note": "Annexe 4 du contrat : sauvegarde quotidienne, restauration sous 48 h."}, False),
    "Active Directory": ("Sauvegarde système Windows", 24, 30, {
        "copies": 2, "media_count": 1, "authentication": BackupControl.Authentication.SHARED_AD}, False),
}
CLINIC_CONTROLS: dict[str, tuple[str, int, int, dict[str, Any], bool]] = {
    # SaaS without contract clauses on restore; the clinic relies on the vendor.
    "Dossier patient (SaaS)": ("Sauvegarde de l'éditeur", 24, 30, {"copies": 2, "media_count": 1,
                                                                  "offsite_copy": True, "encrypted": True}, False),
    # No offline copy: a NAS in the server room, replicated to a second NAS next door.
    "Logiciel de pharmacie": ("Synology Hyper Backup", 24, 14, {
        "copies": 2, "media_count": 1, "authentication": BackupControl.Authentication.SHARED_AD,
        "supervision_who": "Prestataire informatique", "supervision_frequency": "Chaque semaine"}, False),
}


def _pdf(name: str, title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(title.encode("ascii", "replace").decode()),
                              content_type="application/pdf")


def _systems(org: Organization) -> dict[str, Resource]:
    return {r.name: r for r in Resource.objects.filter(organization=org, kind__in=SYSTEM_KINDS)}


def _controls(org: Organization, actor: User | None, systems: dict[str, Resource], specs: dict[str, tuple]) -> None:
    for name, (product, frequency, retention, extra, with_plan) in specs.items():
        resource = systems.get(name)
        if resource is None:
            continue
        update = {"plan_update_procedure": PLAN_UPDATE} if with_plan else {}
        services.control_save(
            organization=org, actor=actor, resource=resource,
            data={"product": product, "frequency_hours": frequency, "retention_days": retention, **update, **extra},
            plan_upload=_pdf("plan-de-sauvegarde.pdf", f"Plan de sauvegarde - {name}") if with_plan else None)


def _job_feed(org: Organization, systems: dict[str, Resource]) -> None:
    """A week of jobs posted by the backup tool (D2.O3.D): nightly successes, and three failures in a row on one
    system two days ago, whose alert was left unresolved and became an action of the plan."""
    from apps.backups import feed

    now = timezone.now() - timedelta(hours=1)  # the last failure opened its alert more than 24 h ago
    failing = next((r for name, r in systems.items() if "urgences" in name.lower()), None)
    fed = list(systems.values())[:6]
    if failing is not None and failing not in fed:
        fed.append(failing)
    for resource in fed:
        for day in range(7, 0, -1):
            at = now - timedelta(days=day)
            broken = resource is failing and day <= 3
            feed.job_record(organization=org, resource=resource, finished_at=at, success=not broken,
                            size_bytes=None if broken else 180_000_000_000, target="Bandothèque site B",
                            message="Échec d'écriture sur la bande" if broken else "", reported_by="Veeam (démo)",
                            now=at + timedelta(minutes=5))
    feed.alerts_escalate(organization=org)


def seed(ctx: DemoContext) -> None:
    ght, clinic = ctx.organizations.get("ght"), ctx.organizations.get("clinic")
    today = timezone.localdate()
    if ght is not None:
        rssi = ctx.users["dsi"]
        with scope(organization=ght):
            systems = _systems(ght)
            if not systems:
                return
            _controls(ght, rssi, systems, GHT_CONTROLS)
            services.policy_save(organization=ght, actor=rssi, upload=_pdf(
                "politique-sauvegarde-v2.pdf", "Politique de sauvegarde et de restauration du GHT v2"), data={
                "version": "v2", "validated_on": date(2025, 11, 4), "validated_by": "Isabelle Lefèvre, directrice générale",
                "covers_outsourced": True,
                "unresolved_alerts_procedure": (
                    "Toute alerte de sauvegarde non résolue par un établissement sous 48 h est reprise par la DSI du "
                    "GHT, signalée au RSSI du GHT et inscrite au comité de sécurité mensuel.")})
            isolation = services.trajectory_create(organization=ght, actor=rssi, data={
                "kind": Trajectory.Kind.ISOLATION, "title": "Isolement de l'infrastructure de sauvegarde",
                "description": "Réseau de sauvegarde séparé, annuaire dédié, bouton rouge testé chaque semestre."})
            for title, due, owner, done in [
                ("VLAN dédié aux sauvegardes et filtrage", date(2025, 12, 15), "Karim Benali", date(2025, 12, 10)),
                ("Annuaire dédié à la sauvegarde, audit ADS", date(2026, 2, 28), "Karim Benali", date(2026, 2, 10)),
                ("Bouton rouge : coupure testée en conditions réelles", date(2026, 3, 31), "Équipe réseau",
                 date(2026, 3, 5)),
                ("Extension aux établissements parties", date(2026, 10, 31), "DSI du GHT", None)]:
                services.milestone_create(trajectory=isolation, actor=rssi, data={
                    "title": title, "due_on": due, "owner": owner, "done_on": done})
            three = services.trajectory_create(organization=ght, actor=rssi, data={
                "kind": Trajectory.Kind.THREE_TWO_ONE, "title": "Trajectoire 3-2-1 du GHT",
                "description": "Troisième copie sur bandes externalisées, copie immuable pour les applications vitales."})
            for title, due, owner, done in [
                ("Bibliothèque de bandes et externalisation hebdomadaire", date(2026, 1, 31), "DSI du GHT",
                 date(2026, 1, 20)),
                ("Dépôt immuable pour le SGL", date(2026, 9, 30), "Karim Benali", None)]:
                services.milestone_create(trajectory=three, actor=rssi, data={
                    "title": title, "due_on": due, "owner": owner, "done_on": done})
            urg = ctx.users.get("urgences")
            dpi = systems.get("DPI — dossier patient informatisé")
            if dpi is not None:
                services.restore_test_record(organization=ght, actor=rssi, data={
                    "resource": dpi, "tested_on": today - timedelta(days=45), "scope": RestoreTest.Scope.PRODUCTION,
                    "measured_hours": Decimal("6.5"), "data_loss_hours": Decimal("20"),
                    "result": RestoreTest.Result.SUCCESS, "referent_name": "Dr Sophie Garnier, cheffe des urgences",
                    "notes": "Restauration complète sur l'infrastructure de secours, contrôle fonctionnel par les urgences."},
                    report_upload=_pdf("pv-test-restauration-dpi.pdf", "PV de test de restauration du DPI"))
            pharma = systems.get("Logiciel de pharmacie (circuit du médicament)")
            if pharma is not None:
                # Back into production, but after 30 h where the pharmacy needs it within 4 h: « Réussi hors
                # objectif », and the measured 30 h opens the RTO gap the promise hid.
                services.restore_test_record(organization=ght, actor=rssi, data={
                    "resource": pharma, "tested_on": today - timedelta(days=21), "scope": RestoreTest.Scope.PRODUCTION,
                    "measured_hours": Decimal("30"), "data_loss_hours": Decimal("4"),
                    "result": RestoreTest.Result.SUCCESS, "referent_name": "Dr Paul Mercier, pharmacien gérant",
                    "notes": "Application rendue aux utilisateurs après reconstruction complète des serveurs."})
                # A file restore: evidence only, it measures nothing.
                services.restore_test_record(organization=ght, actor=rssi, data={
                    "resource": pharma, "tested_on": today - timedelta(days=5), "scope": RestoreTest.Scope.FILE,
                    "measured_hours": Decimal("0.5"), "result": RestoreTest.Result.SUCCESS,
                    "referent_name": "Dr Paul Mercier, pharmacien gérant",
                    "notes": "Restauration d'un répertoire d'exports : ne mesure pas la reprise de l'application."})
            urg_app = systems.get("Logiciel des urgences")
            if urg_app is not None:
                # Partial: 9 h where the urgences need it back within 4 h. Evidence only, it measures nothing:
                # the promised RTO stays the system's capability.
                member = Membership.objects.filter(organization=ght, user=urg).first() if urg else None
                services.restore_test_record(organization=ght, actor=rssi, data={
                    "resource": urg_app, "tested_on": today - timedelta(days=10), "scope": RestoreTest.Scope.PRODUCTION,
                    "measured_hours": Decimal("9"), "data_loss_hours": Decimal("0.5"),
                    "result": RestoreTest.Result.PARTIAL, "referent_member": member,
                    "referent_name": "" if member else "Dr Sophie Garnier",
                    "notes": "Base restaurée en 3 h, mais 6 h pour reconstruire les serveurs d'application : "
                             "l'objectif de 4 h n'est pas tenu."})
            _job_feed(ght, systems)
    if clinic is not None:
        actor = ctx.users.get("clinique_rpcra")
        with scope(organization=clinic):
            systems = _systems(clinic)
            if systems:
                _controls(clinic, actor, systems, CLINIC_CONTROLS)
