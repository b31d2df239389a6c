"""Demo action plan: 25 actions for the GHT, from every source, six for the clinic.

Runs after the governance, BIA and backups demos (INSTALLED_APPS order) and finds their rows by name; a source
that is not there is skipped. Every action goes through the services (``create_from_source``, statuses, notes,
proofs). The demo plays a plan started months ago: once created, each action's dates (creation, start, closing,
due date) and the timestamps of its history are moved back, so that the burn-down of the direction's view and
the late counters have a past. The COPIL decisions come in as imported actions (« saisie a posteriori »), with
their own dates, as the data migration does for an existing organization.

GHT (today = T): open, late, due soon, done with a file or a note as proof (one done today: « terminée ce
mois-ci »), one abandoned with its reason; the active directory gap has its action done but the gap still shows,
since the promised capability did not change; two actions of the CH de Saint-Aubin carried by its cadre (a
member limited to that establishment).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope

from apps.actions import services
from apps.actions.models import CLOSED_STATUSES, Action, SourceKind, Status
from apps.compliance.pdf import minimal_pdf
from apps.tenants.models import Establishment, Membership, Organization

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.demo import DemoContext


@dataclass
class Spec:
    source: tuple[str, Any, str] | None  # (kind, how to find the source, key)
    owner: str | tuple[str, str] | None  # a demo user's key, or (external name, e-mail)
    due: int  # days from today (negative: late)
    opened: int  # days ago
    status: str = Status.TODO
    started: int | None = None  # days ago it went « en cours »
    closed: int | None = None  # days ago it was done or abandoned
    proof: str = ""  # "file:<title>" or a note
    reason: str = ""
    title: str = ""
    description: str = ""
    requirements: list[str] | None = None
    establishments: list[str] = field(default_factory=list)
    cost: str | None = None
    notes: list[tuple[int, str]] = field(default_factory=list)  # (days ago, text)
    priority: str = ""


GHT: list[Spec] = [
    # BIA gaps
    Spec(("bia_gap", ("resource", "Éditeur du DPI"), "rto"), "rpcra", due=45, opened=70, status=Status.IN_PROGRESS,
         started=55, title="Obtenir de l'éditeur du DPI un engagement de reprise sous 4 h",
         notes=[(55, "Demande adressée à l'éditeur avec le besoin des urgences (4 h)."),
                (20, "Proposition reçue : 8 h en standard, 4 h avec l'option « reprise prioritaire ».")]),
    Spec(("bia_gap", ("resource", "Logiciel de pharmacie (circuit du médicament)"), "rto"), "dsi", due=-10,
         opened=21, status=Status.IN_PROGRESS, started=18, cost="18500",
         title="Ramener la restauration du logiciel de pharmacie sous 4 h (30 h mesurées)",
         notes=[(18, "Cause identifiée : reconstruction complète des serveurs. Piste : modèles de VM prêts à l'emploi.")]),
    Spec(("bia_gap", ("activity", "Dispensation des médicaments", "CHU de Valmont"), "activity_rto"), "pharmacie",
         due=20, opened=40, establishments=["chu"],
         title="Réviser la DMIA de la dispensation : la réanimation en a besoin sous 4 h"),
    Spec(("bia_gap", ("resource", "PACS / RIS"), "rto"), "dsi", due=60, opened=35, cost="42000",
         title="Mettre le PACS en haute disponibilité entre l'Hôpital Nord et l'Hôpital Sud"),
    Spec(("bia_gap", ("resource", "Active Directory"), "rto"), "dsi", due=15, opened=80, status=Status.DONE,
         started=60, closed=0, proof="file:Procédure de restauration de l'Active Directory testée",
         title="Écrire et tester la procédure de restauration de l'Active Directory",
         notes=[(30, "Restauration testée sur la plateforme de secours : 11 h. L'engagement de 24 h reste inchangé "
                     "tant que le RTO promis n'est pas mis à jour.")]),
    Spec(("bia_gap", ("resource", "Grossiste répartiteur pharmaceutique"), "rto"), "pharmacie", due=-5, opened=50,
         title="Convenir d'une livraison d'urgence sous 4 h avec le grossiste répartiteur"),
    Spec(("bia_gap", ("resource", "DPI — dossier patient informatisé"), "rpo"), "dsi", due=30, opened=45,
         status=Status.IN_PROGRESS, started=40, cost="65000",
         title="Réduire la perte de données du DPI à moins d'une heure (20 h mesurées)"),
    # Single points of failure
    Spec(("spof", ("resource", "Réseau local et Wi-Fi"), ""), "admin", due=90, opened=30, cost="85000",
         title="Doubler le cœur de réseau de l'Hôpital Nord"),
    Spec(("spof", ("resource", "DNS / DHCP"), ""), "dsi", due=40, opened=100, status=Status.ABANDONED, closed=60,
         title="Redonder les services DNS / DHCP",
         reason="Repris dans le doublement du cœur de réseau : les services DNS/DHCP y sont redondés."),
    Spec(("spof", ("resource", "Baies de stockage (SAN)"), ""), "dsi", due=-30, opened=150, status=Status.DONE,
         title="Répliquer les baies de stockage vers la salle de secours",
         started=140, closed=40, proof="Réplication synchrone du SAN vers la salle de secours mise en service et "
                                      "testée (bascule en 12 minutes)."),
    # Restoration tests
    Spec(("restore_test", ("test", "DPI — dossier patient informatisé", "success_off_target"), ""), "dsi", due=14,
         opened=44, status=Status.IN_PROGRESS, started=30,
         title="Rejouer la restauration du DPI avec un point de reprise de moins d'une heure"),
    Spec(("restore_test", ("test", "Logiciel des urgences", "partial"), ""), "dsi", due=-20, opened=9,
         title="Reconstruire les serveurs d'application des urgences en moins de 4 h"),
    # Trajectory milestones
    Spec(("milestone", ("milestone", "Dépôt immuable pour le SGL"), ""), "dsi", due=30, opened=120,
         status=Status.IN_PROGRESS, started=90, cost="24000"),
    Spec(("milestone", ("milestone", "Extension aux établissements parties"), ""), "dsi", due=120, opened=60),
    # CaRE requirements not met
    Spec(("requirement", None, "D2.O1.D"), "rpcra", due=60, opened=90, status=Status.IN_PROGRESS, started=75,
         title="Conduire l'exercice terrain du PCA des urgences et établir le planning des autres exercices",
         notes=[(40, "Scénario validé avec la direction des soins : cyberattaque un mardi matin.")]),
    Spec(("requirement", None, "D2.O2.B"), "dsi", due=-3, opened=65,
         title="Rédiger les plans de sauvegarde du logiciel de pharmacie, de la messagerie et de l'AD"),
    Spec(("requirement", None, "D2.O3.A"), "dsi", due=5, opened=55, status=Status.DONE, started=50, closed=10,
         proof="file:MFA activée sur la console de sauvegarde du SGL", title="Activer la MFA sur la console de "
         "sauvegarde du SGL"),
    # Entered directly
    Spec(None, "saint_aubin", due=25, opened=28, establishments=["ch"], requirements=["D2.O1.C"],
         title="Former les équipes des urgences du CH de Saint-Aubin au mode dégradé papier"),
    Spec(None, "saint_aubin", due=7, opened=35, status=Status.DONE, started=30, closed=0, establishments=["ch"],
         requirements=["D2.O1.C"], title="Constituer les kits de continuité papier du CH de Saint-Aubin",
         proof="Douze kits (formulaires, étiquettes, fiches réflexes) répartis dans les services, inventaire signé."),
]

CLINIC: list[Spec] = [
    Spec(("bia_gap", ("resource", "Active Directory"), "rto"), "clinique_rpcra", due=30, opened=20,
         title="Ramener la reprise de l'annuaire sous 24 h"),
    Spec(("spof", ("resource", "Dossier patient (SaaS)"), ""), "clinique_rpcra", due=-7, opened=45,
         status=Status.IN_PROGRESS, started=30, title="Prévoir un accès de secours au dossier patient en SaaS"),
    Spec(("spof", ("resource", "Éditeur et hébergeur du dossier patient"), ""),
         ("Service client de l'éditeur", "support@editeur-dossier.example"), due=45, opened=15,
         title="Obtenir de l'éditeur un plan de continuité de son hébergement"),
    Spec(("requirement", None, "D2.P1"), "clinique_admin", due=15, opened=40, status=Status.IN_PROGRESS, started=20,
         title="Faire revoir la PSSI et la faire signer par la directrice"),
    Spec(("requirement", None, "D2.O4"), "clinique_rpcra", due=40, opened=10,
         title="Conduire un premier test de restauration du dossier patient"),
    Spec(None, "clinique_admin", due=-20, opened=60, status=Status.DONE, started=50, closed=15,
         requirements=["D2.O2.A"], title="Signer un avenant de réversibilité avec l'éditeur du dossier patient",
         proof="Avenant n°3 signé le 14 novembre : restitution des données sous 72 h en cas de rupture."),
]


def _pdf(title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("preuve.pdf", minimal_pdf(title.encode("ascii", "replace").decode()),
                              content_type="application/pdf")


def _source_id(org: Organization, finder: Any) -> int | None:
    from apps.backups.models import Milestone, RestoreTest
    from apps.bia.models import Activity, Resource
    from apps.governance.models import Decision

    if finder is None:
        return None
    what, *args = finder
    if what == "resource":
        return Resource.objects.filter(organization=org, name=args[0]).values_list("pk", flat=True).first()
    if what == "activity":
        return Activity.objects.filter(organization=org, name=args[0], establishment__short_name=args[1]) \
            .values_list("pk", flat=True).first()
    if what == "test":
        tests = RestoreTest.objects.filter(organization=org, resource__name=args[0]).order_by("-tested_on")
        return next((t.pk for t in tests if t.outcome == args[1]), None)
    if what == "milestone":
        return Milestone.objects.filter(organization=org, title=args[0]).values_list("pk", flat=True).first()
    if what == "decision":
        return Decision.objects.filter(organization=org, pk=args[0]).values_list("pk", flat=True).first()
    return None


def _at(days_ago: int, hour: int = 9) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _backdate(action: Action, *, opened: datetime.datetime, started: datetime.datetime | None,
              closed: datetime.datetime | None, due: datetime.date | None) -> None:
    """Move an action and its history back in time (the demo only: see the module docstring)."""
    import pgtrigger

    event_model = django_apps.get_model("actions", "ActionEvent")
    with pgtrigger.ignore("actions.Action:update_update"):
        Action.objects.filter(pk=action.pk).update(created_at=opened, closed_at=closed, due_date=due)
    events = list(event_model.objects.filter(pgh_obj_id=action.pk).order_by("pgh_id"))
    previous: str | None = None
    stamp = opened
    for event in events:
        if previous is not None and event.status != previous:
            stamp = (closed or stamp) if event.status in CLOSED_STATUSES else (started or stamp)
        event.pgh_created_at = stamp
        event.created_at, event.due_date = opened, due
        event.closed_at = closed if event.status in CLOSED_STATUSES else None
        previous = event.status
    event_model.objects.bulk_update(events, ["pgh_created_at", "created_at", "due_date", "closed_at"])


def _seed(org: Organization, ctx: DemoContext, specs: list[Spec], actor: User) -> None:
    today = timezone.localdate()
    members = {key: Membership.objects.filter(organization=org, user=user).first() for key, user in ctx.users.items()}
    establishments = {key: e for key, e in ctx.establishments.items() if e.organization_id == org.pk}
    for spec in specs:
        data: dict[str, Any] = {"due_date": today + datetime.timedelta(days=max(spec.due, 1))}
        if spec.title:
            data["title"] = spec.title
        if spec.description:
            data["description"] = spec.description
        if spec.requirements is not None:
            data["requirement_ids"] = spec.requirements
        if spec.cost:
            data["cost_estimate"] = spec.cost
        if isinstance(spec.owner, tuple):
            data.update(owner_member=None, owner_name=spec.owner[0], owner_email=spec.owner[1])
        elif spec.owner:
            data["owner_member"] = members.get(spec.owner)
        chosen = [establishments[k] for k in spec.establishments if k in establishments]
        if spec.source is None:
            action = services.action_create(organization=org, actor=actor, data={"priority": "medium", **data},
                                            establishments=chosen, notify=False)
        else:
            kind, finder, key = spec.source
            source_id = _source_id(org, finder)
            if finder is not None and source_id is None:
                continue  # that demo source is not there
            action = services.create_from_source(organization=org, actor=actor, kind=kind, source_id=source_id,
                                                 key=key, data=data, establishments=chosen or None, notify=False)
        _follow(action, spec, ctx, actor)
        started = _at(spec.started, 10) if spec.started is not None else None
        closed = _at(spec.closed, 17) if spec.closed is not None else None
        _backdate(action, opened=_at(spec.opened), started=started, closed=closed,
                  due=today + datetime.timedelta(days=spec.due))


def _follow(action: Action, spec: Spec, ctx: DemoContext, actor: User) -> None:
    owner = ctx.users.get(spec.owner) if isinstance(spec.owner, str) else None
    for days_ago, text in spec.notes:
        services.action_note_add(action=action, actor=owner or actor, text=text,
                                 noted_on=timezone.localdate() - datetime.timedelta(days=days_ago))
    if spec.status in (Status.IN_PROGRESS, Status.DONE):
        services.action_set_status(action=action, actor=owner or actor, status=Status.IN_PROGRESS)
    if spec.status == Status.DONE:
        upload = _pdf(spec.proof[5:]) if spec.proof.startswith("file:") else None
        services.action_set_status(action=action, actor=owner or actor, status=Status.DONE, proof_upload=upload,
                                   proof_note=None if upload else spec.proof)
    if spec.status == Status.ABANDONED:
        services.action_set_status(action=action, actor=actor, status=Status.ABANDONED, abandon_reason=spec.reason)


def _decisions(org: Organization, ctx: DemoContext, actor: User) -> None:
    """The COPIL decisions become imported actions, with their meeting's date and their own due date."""
    from apps.governance.models import Decision

    proofs = {"done": "Soldée en COPIL : voir le compte rendu de la séance suivante."}
    externals = {"Sylvie Roux": "sylvie.roux@ght-rives-de-loire.example"}
    for decision in Decision.objects.filter(organization=org).select_related("meeting").order_by("meeting__held_on",
                                                                                                   "id"):
        data: dict[str, Any] = {"retro_entered": True, "due_date": decision.due_date}
        owner = decision.owner.strip()
        if owner in externals:
            data.update(owner_member=None, owner_name=owner, owner_email=externals[owner])
        action = services.create_from_source(organization=org, actor=actor, kind=SourceKind.DECISION,
                                             source_id=decision.pk, data=data, notify=False)
        opened = timezone.make_aware(datetime.datetime.combine(decision.meeting.held_on, datetime.time(18)))
        started = closed = None
        if decision.status in (Decision.Status.IN_PROGRESS, Decision.Status.DONE):
            services.action_set_status(action=action, actor=actor, status=Status.IN_PROGRESS)
            started = opened + datetime.timedelta(days=7)
        if decision.status == Decision.Status.DONE:
            services.action_set_status(action=action, actor=actor, status=Status.DONE, proof_note=proofs["done"])
            closed_on = min(decision.due_date or timezone.localdate(), timezone.localdate())
            closed = timezone.make_aware(datetime.datetime.combine(closed_on, datetime.time(17)))
        _backdate(action, opened=opened, started=started, closed=closed, due=decision.due_date)
        if not decision.action_reference:
            Decision.objects.filter(pk=decision.pk).update(action_reference=action.reference)


def seed(ctx: DemoContext) -> None:
    ght, clinic = ctx.organizations.get("ght"), ctx.organizations.get("clinic")
    if ght is not None and "rpcra" in ctx.users:
        with scope(organization=ght):
            if not Establishment.objects.filter(organization=ght).exists():
                return
            _decisions(ght, ctx, ctx.users["rpcra"])
            _seed(ght, ctx, GHT, ctx.users["rpcra"])
    if clinic is not None and "clinique_rpcra" in ctx.users:
        with scope(organization=clinic):
            _seed(clinic, ctx, CLINIC, ctx.users["clinique_rpcra"])
