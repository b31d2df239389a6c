"""Demo of the crisis day (GHT Rives de Loire), run in ``finish`` after the continuity demo has re-approved its
plans (a copy registered earlier would be flagged by that approval):

- a closed exercise-crisis « Exercice — rançongiciel, DPI indisponible » three days ago, on the approved plans:
  degraded mode activated at the urgences, fiche réflexe actions ticked, the first systems of the recovery
  sequence restored, the CERT Santé and ARS signalements done, a short main courante, a closing note;
- the kit's copy register: four numbered copies (salle de crise, domicile du directeur de garde, coffre, the
  RSSI's USB key), the first printed before the Urgences plan's latest approval and so « périmée »;
- a saved « what if »: Active Directory down for 72 h.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django_scopes import scope

from apps.bia.models import Resource
from apps.continuity.models import PlanVersion, ReflexSheet, Scenario
from apps.crisis import services
from apps.crisis.models import KitCopy, KitPlace, RecoveryProgress, SignalementDone
from apps.tenants.models import Membership

URGENCES_PLAN = "PCA Urgences — SI indisponible"


def seed(ctx: Any) -> None:
    """Nothing before the other demos' ``finish`` (see the module docstring)."""


def finish(ctx: Any) -> None:
    org = ctx.organizations.get("ght")
    if org is None:
        return
    with scope(organization=org):
        versions = list(PlanVersion.objects.filter(organization=org, status=PlanVersion.Status.APPROVED)
                        .select_related("plan"))
        if not versions:
            return
        _crisis(org, ctx, versions)
        _copies(org, ctx)
        directory = Resource.objects.filter(organization=org, name="Active Directory").first()
        if directory is not None:
            services.simulation_save(organization=org, actor=ctx.users.get("rpcra"),
                                     title="Et si l'Active Directory tombait 72 h ?", resource_ids=[directory.pk],
                                     duration_hours=72)


def _crisis(org: Any, ctx: Any, versions: list[PlanVersion]) -> None:
    direction, rpcra = ctx.users.get("direction"), ctx.users.get("rpcra")
    start = timezone.now() - datetime.timedelta(days=3, hours=2)
    scenario = Scenario.objects.get(organization=org, kind=Scenario.Kind.IS_UNAVAILABLE)
    crisis = services.crisis_activate(
        organization=org, actor=direction, title="Exercice — rançongiciel, DPI indisponible", scenario=scenario,
        versions=versions, is_exercise=True, at=start,
        description="Exercice annuel de crise cyber : écran de rançon sur les postes des urgences à 8 h 30.")
    from apps.core.logbook import log_entry_record
    from apps.crisis.models import CrisisLogEntry

    for minutes, who, kind, text in [
        (4, "Directrice générale", "decision", "Cellule de crise réunie en salle du conseil ; exercice annoncé."),
        (12, "RSSI", "event", "Isolement du réseau des urgences ; sauvegardes hors ligne intactes."),
        (25, "Cadre des urgences", "event", "Passage au dossier papier aux urgences du CHU."),
        (50, "Directrice générale", "decision", "Signalement CERT Santé et ARS : fait (exercice, destinataires "
                                                "simulés)."),
        (140, "DSI", "event", "Active Directory restauré, vérifié par le référent."),
    ]:
        log_entry_record(model=CrisisLogEntry, organization=org, actor=rpcra, parent={"crisis": crisis}, text=text,
                         kind=kind, who=who, occurred_at=start + datetime.timedelta(minutes=minutes))
    activity_ids = list(services_activity_ids(crisis))
    from apps.bia.models import Activity

    for activity in Activity.objects.filter(organization=org, pk__in=activity_ids, name__icontains="urgences")[:1]:
        services.degraded_activate(crisis=crisis, actor=rpcra, activity=activity,
                                   at=start + datetime.timedelta(minutes=25))
    for sheet in ReflexSheet.objects.filter(organization=org, version__in=versions)[:2]:
        for line in range(min(2, len([x for x in sheet.first_actions.splitlines() if x.strip()]))):
            services.reflex_tick(crisis=crisis, actor=rpcra, sheet=sheet, line=line)
    for row in RecoveryProgress.objects.filter(organization=org, crisis=crisis).order_by("position")[:2]:
        for step in range(3):
            row = services.recovery_advance(crisis=crisis, actor=ctx.users.get("dsi"), progress=row,
                                            at=start + datetime.timedelta(minutes=60 + 40 * step))
    for duty in SignalementDone.objects.filter(organization=org, crisis=crisis, recipient__in=["cert_sante", "ars"]):
        services.signalement_set(crisis=crisis, actor=direction, signalement=duty)
    services.crisis_close(crisis=crisis, actor=direction, at=start + datetime.timedelta(hours=6), closing_note=(
        "FINEX à 14 h 30 : urgences tenues en mode dégradé papier, Active Directory et DPI restaurés dans l'ordre "
        "prévu. RETEX à froid dans 15 jours."))


def services_activity_ids(crisis: Any) -> set[int]:
    from apps.crisis.selectors import crisis_activity_ids

    return crisis_activity_ids(crisis=crisis)


def _copies(org: Any, ctx: Any) -> None:
    member = {key: Membership.objects.filter(organization=org, user=ctx.users.get(key)).first()
              for key in ("direction", "rpcra", "dsi")}
    rows = [
        (member["rpcra"], "", KitPlace.CRISIS_ROOM, "Salle du conseil, armoire rouge", KitCopy.Format.PDF),
        (member["direction"], "", KitPlace.ON_CALL_HOME, "Directeur de garde de la semaine", KitCopy.Format.PDF),
        (None, "Secrétariat de direction", KitPlace.SAFE, "Coffre de la direction", KitCopy.Format.PDF),
        (member["dsi"], "", KitPlace.OTHER, "Clé USB chiffrée du RSSI", KitCopy.Format.HTML),
    ]
    copies = [services.kit_copy_issue(organization=org, actor=ctx.users.get("rpcra"), establishment=None, fmt=fmt,
                                      holder_member=holder, holder_name=name, place=place, place_detail=detail,
                                      planned_total=len(rows))
              for holder, name, place, detail, fmt in rows]
    # The first copy was printed before the Urgences plan's latest approval: it holds the superseded version.
    current = PlanVersion.objects.filter(organization=org, plan__title=URGENCES_PLAN,
                                         status=PlanVersion.Status.APPROVED).first()
    older = PlanVersion.objects.filter(organization=org, plan__title=URGENCES_PLAN,
                                       status=PlanVersion.Status.SUPERSEDED).order_by("-number").first()
    if current is None or older is None:
        return
    first = copies[0]
    first.versions = [{**v, "version": older.pk, "number": older.number} if v["plan"] == current.plan_id else v
                      for v in first.versions]
    first.save(update_fields=["versions", "updated_at"])
    services.kit_copies_mark_stale(organization=org, version=current)
