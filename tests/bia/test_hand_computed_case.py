"""A small hospital computed by hand, loaded as an RPCRA would load it, checked figure by figure.

The activities' needs arrive through the BIA workbook (download → fill → upload → apply: the same functions
the upload view uses), everything else through the services. Every expected figure below is a literal worked out
by hand from the rules of the method (``apps/bia/engine.py`` docstring, the dossier's method section), never read
back from the code: if the engine disagrees, the engine is wrong.

The case — GHT « Cas d'école », two legal entities, CH de Montval (M) and CH de Rivebelle (R):

Activities (created in this order, so their ids ascend; DMIA from the impact grid, the intolerable level is 3 and
the horizons are ≤ 4 h, 4–24 h, 24–72 h, 72 h–1 semaine; criticality: ≤ 4 h critical, ≤ 24 h high, ≤ 72 h medium,
beyond low):

    A1 Accueil des urgences (M)     grid 4 at ≤ 4 h            → DMIA 4,   PDMA 1,  critical
    A2 Accueil des urgences (R)     grid 2 at ≤ 4 h, 3 at 24 h → DMIA 24,  PDMA 2,  high   (same name, other EJ)
    A3 Bloc opératoire (M)          grid 3 at ≤ 4 h            → DMIA 4,   PDMA 4,  critical
    A4 Laboratoire de biologie (M)  grid 3 at 4–24 h           → DMIA 24,  PDMA 1,  high
    A5 Pharmacie (PUI) (R)          grid 3 at 24–72 h          → DMIA 72,  PDMA 24, medium
    A6 Imagerie (M)                 DMIA set by hand 72 h      → DMIA 72,  PDMA 4,  medium
    A7 Facturation (R)              grid 3 at 72 h–1 semaine   → DMIA 168, PDMA 24, low
    A8 Paie (M)                     grid 3 at 72 h–1 semaine   → DMIA 168, PDMA 24, low

Resources (created in this order; promised RTO / RPO in hours, « — » none declared):

    DC Datacenter principal (infra) 48 / —     RES Réseau du GHT (infra) 8 / —
    AD Annuaire Active Directory (infra) 24 / —   DNS DNS / DHCP (infra) 2 / —
    DPI (application) 4 / 1, measured 6 / 12 (see below)
    PACS 72 / 24     SGL (laboratoire) 8 / 1     PHA Logiciel de pharmacie 24 / 4
    GAM — facturation 48 / 24     PAIE Paie (SaaS) — / —

Links (« ~W » a workaround whose degraded mode holds W hours, « ~? » one of unknown duration; W typed in the
workbook's « Dépendances » sheet):

    A1→DPI  A2→DPI  A3→DPI  A3→PACS ~48  A4→SGL  A5→PHA ~?  A6→PACS  A7→GAM  A8→PAIE   A1→A4 (upstream activity)
    DPI→AD  AD→RES  RES→DC  AD→DNS  DNS→AD (a cycle)  PACS→RES  SGL→AD  PHA→DPI  GAM→AD

Restoration tests of the DPI: back into production 45 days ago, 6 h, 12 h of data lost, recorded « Réussi »; a
file restore 5 days ago, 0.5 h, « Réussi ». Only the production test measures: DPI RTO 6 h, RPO 12 h.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope
from openpyxl import load_workbook

from apps.backups import services as backups
from apps.backups.models import RestoreTest
from apps.bia import engine, selectors, services
from apps.bia.models import Activity, Resource
from apps.continuity import services as continuity
from apps.continuity.models import RecoveryStep, Scenario
from apps.continuity.recovery import recovery_order
from apps.tenants.models import Organization
from apps.tenants.roles import Role
from tests.factories import EstablishmentFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

M, R = "CH de Montval", "CH de Rivebelle"
SECU = "Sécurité des patients"
# Activities: key, establishment, name, grid {(criterion, horizon label): level}, workbook fields.
ACTIVITIES = [
    ("A1", M, "Accueil des urgences", {(SECU, "≤ 4 h"): 4}, {"PDMA (heures)": 1,
                                                             "Périmètre CaRE": "Service de soins à impact patient majeur"}),
    ("A2", R, "Accueil des urgences", {(SECU, "≤ 4 h"): 2, (SECU, "4 h – 24 h"): 3},
     {"PDMA (heures)": 2, "Périmètre CaRE": "Service de soins à impact patient majeur"}),
    ("A3", M, "Bloc opératoire", {(SECU, "≤ 4 h"): 3}, {"PDMA (heures)": 4}),
    ("A4", M, "Laboratoire de biologie", {(SECU, "4 h – 24 h"): 3}, {"PDMA (heures)": 1,
                                                                    "Périmètre CaRE": "Plateau technique"}),
    ("A5", R, "Pharmacie (PUI)", {(SECU, "24 h – 72 h"): 3}, {"PDMA (heures)": 24}),
    ("A6", M, "Imagerie", {}, {"PDMA (heures)": 4, "DMIA fixée manuellement (heures)": 72,
                                "Justification de la DMIA fixée manuellement":
                                    "Examens non urgents reportés, urgences vitales adressées au CH voisin (COPIL)"}),
    ("A7", R, "Facturation", {("Financier", "72 h – 1 semaine"): 3},
     {"PDMA (heures)": 24, "Périmètre CaRE": "Processus administratif le plus critique"}),
    ("A8", M, "Paie", {("Juridique et réglementaire", "72 h – 1 semaine"): 3}, {"PDMA (heures)": 24}),
]
# Resources: key, kind, name, promised RTO, promised RPO.
RESOURCES = [
    ("DC", "infrastructure", "Datacenter principal", 48, None),
    ("RES", "infrastructure", "Réseau du GHT", 8, None),
    ("AD", "infrastructure", "Annuaire Active Directory", 24, None),
    ("DNS", "infrastructure", "DNS / DHCP", 2, None),
    ("DPI", "application", "DPI", 4, 1),
    ("PACS", "application", "PACS", 72, 24),
    ("SGL", "application", "SGL (laboratoire)", 8, 1),
    ("PHA", "application", "Logiciel de pharmacie", 24, 4),
    ("GAM", "application", "GAM — facturation", 48, 24),
    ("PAIE", "application", "Paie (SaaS)", None, None),
]
ACTIVITY_RESOURCE = [("A1", "DPI"), ("A2", "DPI"), ("A3", "DPI"), ("A3", "PACS"), ("A4", "SGL"), ("A5", "PHA"),
                     ("A6", "PACS"), ("A7", "GAM"), ("A8", "PAIE")]
RESOURCE_RESOURCE = [("DPI", "AD"), ("AD", "RES"), ("RES", "DC"), ("AD", "DNS"), ("DNS", "AD"), ("PACS", "RES"),
                     ("SGL", "AD"), ("PHA", "DPI"), ("GAM", "AD")]


def _workbook_edit(data: bytes, bia: dict[tuple[int, str], object], deps: dict[tuple[str, str], object]) -> bytes:
    """Type into the downloaded workbook like the RPCRA: BIA rows by activity id (names repeat), dependency rows by
    « dependent → dependency »."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb["BIA"]
    headers = {c.value: c.column for c in ws[1]}
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    for (pk, header), value in bia.items():
        ws.cell(row=rows[pk], column=headers[header], value=value)
    ws = wb["Dépendances"]
    headers = {c.value: c.column for c in ws[1]}
    rows = {f"{ws.cell(row=r, column=3).value} → {ws.cell(row=r, column=4).value}": r for r in range(2, ws.max_row + 1)}
    for (link, header), value in deps.items():
        ws.cell(row=rows[link], column=headers[header], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def hospital(client_for):
    org = OrganizationFactory(name="GHT Cas d'école", slug="ght-cas-ecole", kind=Organization.Kind.GHT)
    est = {M: EstablishmentFactory(organization=org, name="Centre hospitalier de Montval", short_name=M),
           R: EstablishmentFactory(organization=org, name="Centre hospitalier de Rivebelle", short_name=R)}
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA).user
    services.scales_ensure_defaults(organization=org)
    a = {key: services.activity_create(organization=org, actor=rpcra, data={"establishment": est[e], "name": name})
         for key, e, name, _grid, _fields in ACTIVITIES}
    r = {key: services.resource_create(organization=org, actor=rpcra, data={
        "kind": kind, "name": name, "rto_capability_hours": rto, "rpo_capability_hours": rpo})
        for key, kind, name, rto, rpo in RESOURCES}
    for source, target in ACTIVITY_RESOURCE:
        services.activity_dependency_set(activity=a[source], actor=rpcra, resource=r[target])
    for source, target in RESOURCE_RESOURCE:
        services.resource_dependency_set(resource=r[source], actor=rpcra, depends_on=r[target])
    services.activity_link_set(activity=a["A1"], actor=rpcra, depends_on=a["A4"])

    # The needs and the two workarounds, through the workbook round trip.
    client = client_for(rpcra)
    data = client.get(reverse("bia:workbook-download", kwargs={"org_slug": org.slug})).content
    bia: dict[tuple[int, str], object] = {}
    for key, _e, _name, grid, fields in ACTIVITIES:
        bia.update({(a[key].pk, f"{criterion} — {horizon}"): level for (criterion, horizon), level in grid.items()})
        bia.update({(a[key].pk, header): value for header, value in fields.items()})
    exists, hours = "Un contournement existe (oui/non)", "Durée tenue en mode dégradé (heures)"
    deps = {(f"Bloc opératoire ({M}) → PACS", exists): "oui", (f"Bloc opératoire ({M}) → PACS", hours): 48,
            (f"Bloc opératoire ({M}) → PACS", "Contournement"): "Films imprimés, lecture sur la console du scanner",
            (f"Pharmacie (PUI) ({R}) → Logiciel de pharmacie", exists): "oui",
            (f"Pharmacie (PUI) ({R}) → Logiciel de pharmacie", "Contournement"): "Ordonnances papier"}
    response = client.post(reverse("bia:workbook", kwargs={"org_slug": org.slug}), {"file": SimpleUploadedFile(
        "bia.xlsx", _workbook_edit(data, bia, deps), content_type="application/octet-stream")})
    assert response.status_code == 200, response.context.get("errors") or response.context.get("file_error")
    response = client.post(reverse("bia:workbook-apply", kwargs={"org_slug": org.slug}),
                           {"payload": response.context["payload"]}, follow=True)
    assert "8 activité(s) et 2 dépendance(s) mise(s) à jour" in response.content.decode()

    # The DPI's restoration tests, recorded once the BIA gives its needs (RTO 4 h, PDMA 1 h, stored on the test).
    today = timezone.localdate()
    with scope(organization=org):
        production = backups.restore_test_record(organization=org, actor=rpcra, data={
            "resource": r["DPI"], "tested_on": today - datetime.timedelta(days=45),
            "scope": RestoreTest.Scope.PRODUCTION, "measured_hours": Decimal("6"), "data_loss_hours": Decimal("12"),
            "result": RestoreTest.Result.SUCCESS, "referent_name": "Dr Claire Fabre, urgentiste"})
        files = backups.restore_test_record(organization=org, actor=rpcra, data={
            "resource": r["DPI"], "tested_on": today - datetime.timedelta(days=5), "scope": RestoreTest.Scope.FILE,
            "measured_hours": Decimal("0.5"), "result": RestoreTest.Result.SUCCESS,
            "referent_name": "Dr Claire Fabre, urgentiste"})
    activities = {k: Activity.objects.get(pk=v.pk) for k, v in a.items()}
    return {"org": org, "rpcra": rpcra, "a": activities, "r": r, "production": production, "files": files,
            "client": client}


def _analysis(org):
    with scope(organization=org):
        return selectors.bia_analysis(organization=org)


def test_the_workbook_gave_each_activity_its_needs(hospital) -> None:
    a = hospital["a"]
    # DMIA = the horizon where the grid first reaches level 3 (A6: set by hand); criticality from that DMIA.
    assert {k: (x.dmia_hours, x.pdma_hours, x.criticality) for k, x in a.items()} == {
        "A1": (4, 1, "critical"), "A2": (24, 2, "high"), "A3": (4, 4, "critical"), "A4": (24, 1, "high"),
        "A5": (72, 24, "medium"), "A6": (72, 4, "medium"), "A7": (168, 24, "low"), "A8": (168, 24, "low")}
    assert (a["A6"].dmia_derived_hours, a["A6"].dmia_override_hours) == (None, 72)
    assert (a["A1"].care_perimeter, a["A7"].care_perimeter) == ("care_service", "admin_process")


def test_only_the_production_restore_measures_the_dpi_and_it_is_off_target(hospital) -> None:
    production, files = (RestoreTest.objects.get(pk=hospital[k].pk) for k in ("production", "files"))
    # Stored with the test: what the BIA required of the DPI when it was recorded (A1 needs 4 h, PDMA 1 h).
    assert (production.required_rto_hours, production.required_pdma_hours) == (4, 1)
    # 6 h > 4 h and 12 h > 1 h: « Réussi hors objectif »; the file restore (0.5 h ≤ 4 h) is a plain success.
    assert (production.outcome, files.outcome) == ("success_off_target", "success")
    with translation.override("fr"):
        assert (str(production.outcome_label), str(files.outcome_label)) == ("Réussi hors objectif", "Réussi")
    dpi = Resource.objects.get(pk=hospital["r"]["DPI"].pk)
    # The newer file restore measures nothing: the production test's 6 h and 12 h replace the promised 4 h and 1 h.
    assert (dpi.measured_rto_hours, dpi.measured_rpo_hours) == (6, 12)
    assert (dpi.effective_rto_hours, dpi.effective_rpo_hours) == (6, 12)


def test_required_rto_and_rpo_of_every_resource(hospital) -> None:
    r = hospital["r"]
    _graph, analysis = _analysis(hospital["org"])
    rto = {k: analysis.rto_requirements[(engine.RESOURCE, x.pk)].hours
           for k, x in r.items() if (engine.RESOURCE, x.pk) in analysis.rto_requirements}
    # RTO: the smallest need over all chains, + W through a known workaround, nothing through an unknown one.
    #   DPI  = min(A1 4, A2 24, A3 4) = 4;  AD = DPI 4 (also SGL 4) = 4;  DNS = AD 4;  RES = min(AD 4, PACS 52) = 4;
    #   DC = RES 4;  SGL = min(A4 24, A1 4 through A1→A4) = 4;  PACS = min(A3 4 + W 48 = 52, A6 72) = 52;
    #   GAM = A7 168;  PAIE = A8 168;  PHA: only A5 through a workaround of unknown duration → no need carried.
    assert rto == {"DC": 4, "RES": 4, "AD": 4, "DNS": 4, "DPI": 4, "PACS": 52, "SGL": 4, "GAM": 168, "PAIE": 168}
    rpo = {k: analysis.rpo_requirements[(engine.RESOURCE, x.pk)].hours
           for k, x in r.items() if (engine.RESOURCE, x.pk) in analysis.rpo_requirements}
    # RPO: the smallest PDMA over the chains; a known workaround carries the PDMA unchanged (PACS = min(A3 4, A6 4)),
    # an unknown one nothing (PHA). DPI = min(A1 1, A2 2, A3 4) = 1 and everything under it 1; SGL = min(A4 1, A1 1).
    assert rpo == {"DC": 1, "RES": 1, "AD": 1, "DNS": 1, "DPI": 1, "PACS": 4, "SGL": 1, "GAM": 24, "PAIE": 24}
    a = hospital["a"]
    # The laboratory must be back as fast as the emergency department that depends on it (A1→A4): 4 h, not its 24 h.
    assert analysis.rto_requirements[(engine.ACTIVITY, a["A4"].pk)].hours == 4
    assert analysis.rto_requirements[(engine.ACTIVITY, a["A4"].pk)].path == (
        (engine.ACTIVITY, a["A1"].pk), (engine.ACTIVITY, a["A4"].pk))
    # PACS's need comes from the bloc through its 48 h workaround.
    pacs = analysis.rto_requirements[(engine.RESOURCE, r["PACS"].pk)]
    assert (pacs.path, pacs.workarounds) == (((engine.ACTIVITY, a["A3"].pk), (engine.RESOURCE, r["PACS"].pk)), (48,))


def test_every_gap_with_its_path_size_and_ratio(hospital) -> None:
    a, r = hospital["a"], hospital["r"]
    graph, analysis = _analysis(hospital["org"])
    act, res = (lambda k: (engine.ACTIVITY, a[k].pk)), (lambda k: (engine.RESOURCE, r[k].pk))
    chain_dc = (act("A1"), res("DPI"), res("AD"), res("RES"), res("DC"))
    # (kind, node, required, capable, path, measured). Capable is the measured figure when a production restore
    # measured it (DPI 6 h / 12 h), else the promise. Sorted: RTO first, by required hours, then the biggest excess.
    assert [(g.kind, g.node, g.required_hours, g.capable_hours, g.path, g.measured) for g in analysis.gaps] == [
        ("rto", res("DC"), 4, 48, chain_dc, False),                                 # 48 > 4, excess 44, ×12
        ("rto", act("A4"), 4, 24, (act("A1"), act("A4")), False),                   # DMIA 24 > 4, excess 20, ×6
        ("rto", res("AD"), 4, 24, chain_dc[:3], False),                             # 24 > 4, excess 20, ×6
        ("rto", res("RES"), 4, 8, chain_dc[:4], False),                             # 8 > 4, excess 4, ×2
        ("rto", res("SGL"), 4, 8, (act("A1"), act("A4"), res("SGL")), False),       # 8 > 4, excess 4, ×2 (RES id first)
        ("rto", res("DPI"), 4, 6, chain_dc[:2], True),                              # measured 6 > 4, ×1.5
        ("rto", res("PACS"), 52, 72, (act("A3"), res("PACS")), False),              # 72 > 4 + 48, ×1.38
        ("rpo", res("DPI"), 1, 12, chain_dc[:2], True),                             # 12 h lost > PDMA 1 h, ×12
        ("rpo", res("PACS"), 4, 24, (act("A3"), res("PACS")), False),               # 24 > 4, ×6 (A3 id < A6 id)
    ]
    # DNS (2 ≤ 4), GAM (48 ≤ 168; RPO 24 ≤ 24), SGL's RPO (1 ≤ 1): no gap. PAIE declares nothing:
    assert [(g.kind, g.node, g.required_hours) for g in analysis.missing_capabilities] == [
        ("rto", res("PAIE"), 168), ("rpo", res("PAIE"), 24)]
    assert [round(g.ratio, 4) for g in analysis.gaps] == [12, 6, 6, 2, 2, 1.5, 1.3846, 12, 6]  # 72 / 52 = 1.3846
    with translation.override("fr"):
        rows = selectors.gap_rows(graph, analysis.gaps)
        sentences = [selectors.gap_sentence(row) for row in rows]
    urg = f"Accueil des urgences ({M})"
    assert sentences == [
        f"{urg} a besoin de 4 h → DPI a besoin de 4 h → Annuaire Active Directory a besoin de 4 h → Réseau du GHT "
        "a besoin de 4 h → Datacenter principal promet 48 h (48 h promis pour 4 h requis, ×12)",
        f"{urg} a besoin de 4 h → Laboratoire de biologie ({M}) a une DMIA de 24 h (DMIA 24 h pour 4 h requis, ×6)",
        f"{urg} a besoin de 4 h → DPI a besoin de 4 h → Annuaire Active Directory promet 24 h "
        "(24 h promis pour 4 h requis, ×6)",
        f"{urg} a besoin de 4 h → DPI a besoin de 4 h → Annuaire Active Directory a besoin de 4 h → Réseau du GHT "
        "promet 8 h (8 h promis pour 4 h requis, ×2)",
        f"{urg} a besoin de 4 h → Laboratoire de biologie ({M}) a besoin de 4 h → SGL (laboratoire) promet 8 h "
        "(8 h promis pour 4 h requis, ×2)",
        f"{urg} a besoin de 4 h → DPI a été restauré en 6 h (mesuré) (6 h mesuré pour 4 h requis, ×1,5)",
        f"Bloc opératoire ({M}) tient 48 h en mode dégradé + DMIA 4 h → PACS doit revenir sous 52 h → PACS promet "
        "72 h (72 h promis pour 52 h requis, ×1,4)",
        f"{urg} peut perdre au plus 1 h de données (PDMA) → DPI a perdu 12 h de données à la restauration (mesuré) "
        "(12 h de données perdues à la restauration (mesuré) pour une PDMA de 1 h, ×12)",
        f"Bloc opératoire ({M}) peut perdre au plus 4 h de données (PDMA) → PACS peut perdre 24 h de données "
        "(jusqu'à 24 h de données perdues pour une PDMA de 4 h, ×6)",
    ]


def test_the_workaround_of_unknown_duration_is_a_warning(hospital) -> None:
    a, r = hospital["a"], hospital["r"]
    graph, analysis = _analysis(hospital["org"])
    # A5 (DMIA 72 h, PDMA 24 h) → Logiciel de pharmacie through a workaround of unknown duration: nothing carried.
    assert [(u.source, u.target, u.rto_hours, u.rpo_hours) for u in analysis.uncarried] == [
        ((engine.ACTIVITY, a["A5"].pk), (engine.RESOURCE, r["PHA"].pk), 72, 24)]
    with translation.override("fr"):
        assert [u["sentence"] for u in selectors.uncarried_rows(graph, analysis)] == [
            f"contournement sans durée : le besoin de Pharmacie (PUI) ({R}) (72 h) n'est pas reporté sur "
            "Logiciel de pharmacie"]


def test_single_points_of_failure_with_their_paths_and_the_cycle(hospital) -> None:
    a, r = hospital["a"], hospital["r"]
    graph, analysis = _analysis(hospital["org"])
    # Critical or high: A1, A2, A3, A4. Reached without workaround (A3→PACS and A5→PHA have one):
    #   DC, RES, AD, DNS by all four (A4 through SGL→AD); DPI by A1, A2, A3; SGL by A1 (through A4) and A4.
    #   PACS only by A6 (medium) and by A3 through its workaround: not a single point of failure.
    assert [(s.resource_id, s.activity_ids) for s in analysis.spofs] == [
        (r["DC"].pk, (a["A1"].pk, a["A2"].pk, a["A3"].pk, a["A4"].pk)),
        (r["RES"].pk, (a["A1"].pk, a["A2"].pk, a["A3"].pk, a["A4"].pk)),
        (r["AD"].pk, (a["A1"].pk, a["A2"].pk, a["A3"].pk, a["A4"].pk)),
        (r["DNS"].pk, (a["A1"].pk, a["A2"].pk, a["A3"].pk, a["A4"].pk)),
        (r["DPI"].pk, (a["A1"].pk, a["A2"].pk, a["A3"].pk)),
        (r["SGL"].pk, (a["A1"].pk, a["A4"].pk)),
    ]
    with translation.override("fr"):
        rows = {row["resource"].name: [p["chain"] for p in row["paths"]] for row in selectors.spof_rows(graph, analysis)}
    u_m, u_r, bloc, labo = (f"Accueil des urgences ({M})", f"Accueil des urgences ({R})", f"Bloc opératoire ({M})",
                            f"Laboratoire de biologie ({M})")
    # The shortest chain of each activity; listed critical first, then by name, then by establishment.
    assert rows == {
        "Datacenter principal": [f"{u_m} → DPI → Annuaire Active Directory → Réseau du GHT → Datacenter principal",
                                 f"{bloc} → DPI → Annuaire Active Directory → Réseau du GHT → Datacenter principal",
                                 f"{u_r} → DPI → Annuaire Active Directory → Réseau du GHT → Datacenter principal",
                                 f"{labo} → SGL (laboratoire) → Annuaire Active Directory → Réseau du GHT → "
                                 "Datacenter principal"],
        "Réseau du GHT": [f"{u_m} → DPI → Annuaire Active Directory → Réseau du GHT",
                          f"{bloc} → DPI → Annuaire Active Directory → Réseau du GHT",
                          f"{u_r} → DPI → Annuaire Active Directory → Réseau du GHT",
                          f"{labo} → SGL (laboratoire) → Annuaire Active Directory → Réseau du GHT"],
        "Annuaire Active Directory": [f"{u_m} → DPI → Annuaire Active Directory",
                                      f"{bloc} → DPI → Annuaire Active Directory",
                                      f"{u_r} → DPI → Annuaire Active Directory",
                                      f"{labo} → SGL (laboratoire) → Annuaire Active Directory"],
        "DNS / DHCP": [f"{u_m} → DPI → Annuaire Active Directory → DNS / DHCP",
                       f"{bloc} → DPI → Annuaire Active Directory → DNS / DHCP",
                       f"{u_r} → DPI → Annuaire Active Directory → DNS / DHCP",
                       f"{labo} → SGL (laboratoire) → Annuaire Active Directory → DNS / DHCP"],
        "DPI": [f"{u_m} → DPI", f"{bloc} → DPI", f"{u_r} → DPI"],
        "SGL (laboratoire)": [f"{u_m} → {labo} → SGL (laboratoire)", f"{labo} → SGL (laboratoire)"],
    }
    # One cycle: AD ↔ DNS.
    assert analysis.cycles == [[(engine.RESOURCE, r["AD"].pk), (engine.RESOURCE, r["DNS"].pk)]]


def test_achievable_recovery_and_what_limits_it(hospital) -> None:
    a, r = hospital["a"], hospital["r"]
    graph, analysis = _analysis(hospital["org"])
    # Worst RTO on the chains without workaround: everything under the AD rests on the datacenter (48 h), which
    # beats DPI's measured 6 h, AD's 24 h and the network's 8 h. A6 reaches PACS (72 h) — exactly its DMIA, no risk;
    # A7's GAM 48 h ≤ 168 h; A5 reaches nothing without workaround; A8's payroll declares nothing.
    assert [(x.activity_id, x.required_hours, x.achievable_hours) for x in analysis.activity_risks] == [
        (a["A1"].pk, 4, 48), (a["A2"].pk, 24, 48), (a["A3"].pk, 4, 48), (a["A4"].pk, 4, 48)]
    with translation.override("fr"):
        limit = selectors.limiting_chain(graph, analysis, (engine.ACTIVITY, a["A1"].pk))
    assert limit is not None and (limit["hours"], limit["resource_id"], limit["measured"]) == (48, r["DC"].pk, False)
    assert limit["chain"] == (f"Accueil des urgences ({M}) → DPI → Annuaire Active Directory → Réseau du GHT → "
                              "Datacenter principal")


def test_the_recovery_order_of_a_plan_over_the_whole_hospital(hospital) -> None:
    org, a, r = hospital["org"], hospital["a"], hospital["r"]
    graph, _analysis_ = _analysis(org)
    # Required RTO per system = the need carried from the plan's activities (as above: PACS 52 h through the bloc's
    # 48 h workaround; PHA none). Dependencies first; the most urgent next (required, then the rank of the most
    # urgent activity reaching it without workaround, then the name):
    #   DC (needs nothing) → RES → {AD, DNS} together (the cycle, « Annuaire… » before « DNS… ») → DPI (4 h, « DPI » <
    #   « SGL ») → SGL (4 h) → PACS (52 h) → GAM (168 h, rank of A7) → PAIE (168 h, rank of A8) → PHA (no need, last).
    expected = [("DC", 4), ("RES", 4), ("AD", 4), ("DNS", 4), ("DPI", 4), ("SGL", 4), ("PACS", 52), ("GAM", 168),
                ("PAIE", 168), ("PHA", None)]
    names = {x.pk: k for k, x in r.items()}
    order = recovery_order(graph, [x.pk for x in a.values()])
    assert [(names[i.resource_id], i.required_rto_hours) for i in order.items] == expected
    assert order.cycles == ((r["AD"].pk, r["DNS"].pk),)
    assert [names[i.resource_id] for i in order.items if i.in_cycle] == ["AD", "DNS"]
    # The same through the plan services (the PRA step of the plan page).
    with scope(organization=org):
        scenario = next(s for s in continuity.scenarios_ensure_defaults(organization=org)
                        if s.kind == Scenario.Kind.IS_UNAVAILABLE)
        plan = continuity.plan_create(organization=org, actor=hospital["rpcra"], title="PRA du GHT",
                                      care_perimeter="care_service", activities=list(a.values()), scenarios=[scenario])
        continuity.recovery_propose(plan=plan, actor=hospital["rpcra"])
        steps = list(RecoveryStep.objects.filter(organization=org, version=plan.current_version).order_by("position"))
    assert [(names[s.resource_id], s.position, s.required_rto_hours) for s in steps] == [
        (k, i, Decimal(h) if h is not None else None) for i, (k, h) in enumerate(expected, start=1)]


def test_the_pages_show_the_hand_figures(hospital) -> None:
    org, r, client = hospital["org"], hospital["r"], hospital["client"]
    page = client.get(reverse("bia:gaps", kwargs={"org_slug": org.slug})).content.decode()
    for fragment in (
        f"Bloc opératoire ({M}) tient 48 h en mode dégradé + DMIA 4 h",
        "PACS doit revenir sous 52 h", "72 h promis pour 52 h requis, ×1,4", "48 h promis pour 4 h requis, ×12",
        "DMIA 24 h pour 4 h requis, ×6", "6 h mesuré pour 4 h requis, ×1,5",
        "12 h de données perdues à la restauration (mesuré) pour une PDMA de 1 h, ×12",
        f"contournement sans durée : le besoin de Pharmacie (PUI) ({R}) (72 h) n&#x27;est pas reporté sur "
        "Logiciel de pharmacie",
        f"Laboratoire de biologie ({M}) → SGL (laboratoire) → Annuaire Active Directory → DNS / DHCP",
        f"Accueil des urgences ({R}) → DPI",
    ):
        assert fragment in page, fragment
    pacs_page = client.get(reverse("bia:resource-detail", kwargs={"org_slug": org.slug, "pk": r["PACS"].pk}))
    assert "PACS doit revenir sous 52 h" in pacs_page.content.decode()
    with scope(organization=org):
        graph, analysis = selectors.bia_analysis(organization=org)
        nodes = {n["data"]["label"]: n["data"] for n in selectors.map_elements(graph=graph, analysis=analysis)["nodes"]}
    # The map: DPI's measured 6 h / 12 h labelled measured, PACS's promised 72 h for a need of 52 h.
    assert {k: nodes["DPI"][k] for k in ("rto", "measured", "rpo", "rpo_measured", "required", "required_rpo")} == {
        "rto": 6, "measured": True, "rpo": 12, "rpo_measured": True, "required": 4, "required_rpo": 1}
    assert (nodes["PACS"]["rto"], nodes["PACS"]["measured"], nodes["PACS"]["required"]) == (72, False, 52)
    assert nodes["Datacenter principal"]["spof"] and not nodes["PACS"]["spof"]
