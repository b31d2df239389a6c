"""Imports with column mapping, seen from the RPCRA's side: upload, mapping, preview, apply, report."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from apps.bia.models import Activity, ActivityDependency, ActivityLink, Resource, ResourceDependency
from apps.core.models import AuditEvent
from apps.imports.models import ColumnMapping, ImportRun
from tests.bia.factories import ActivityFactory, ResourceFactory, activity_in
from tests.imports.conftest import csv_bytes, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["Nom de l'application", "Code appli", "Éditeur", "RTO (h)", "Hébergé en SaaS", "Commentaire interne"]


def applications(count: int) -> list[list[object]]:
    return [HEADERS] + [[f"Application n°{i}", f"APP-{i:04d}", f"Éditeur {i % 7}", 4 + i % 20,
                         "oui" if i % 3 == 0 else "non", f"note {i}"] for i in range(count)]


def test_done_when_an_rpcra_imports_300_applications_then_the_same_file_is_300_unchanged(org, importer) -> None:
    data = xlsx(applications(300))
    response = importer.upload(data, resource_kind="application")
    assert response.status_code == 302
    run = importer.run()
    assert run.row_count == 300
    # The mapping is guessed from the file's own headers, accents and case ignored.
    assert run.mapping == {"name": "Nom de l'application", "catalogue_code": "Code appli", "vendor": "Éditeur",
                           "rto_capability_hours": "RTO (h)", "is_saas": "Hébergé en SaaS",
                           "description": "Commentaire interne"}
    page = importer.client.get(importer.url("imports:mapping", pk=run.pk)).content.decode()
    assert "Nom de l&#x27;application" in page and "Commentaire interne" in page
    assert importer.map(run).status_code == 302
    run.refresh_from_db()
    assert run.counts == {"new": 300, "updated": 0, "unchanged": 0, "refused": 0}
    preview = importer.client.get(importer.url("imports:detail", pk=run.pk)).content.decode()
    assert "Aperçu de l'import" in preview and "Nouveau" in preview and "Appliquer l'import" in preview
    assert not Resource.objects.filter(organization=org).exists()  # a preview writes nothing

    response = importer.apply(run)
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED
    with scopes_disabled():
        resources = Resource.objects.filter(organization=org)
        assert resources.count() == 300
        app = resources.get(catalogue_code="APP-0003")
    assert (app.name, app.kind, app.vendor, app.rto_capability_hours, app.is_saas) == (
        "Application n°3", "application", "Éditeur 3", 7, True)
    report = importer.client.get(importer.url("imports:detail", pk=run.pk)).content.decode()
    assert "Rapport d'import" in report and "Application n°299" in report
    assert AuditEvent.objects.filter(organization=org, details__kind="import_resources",
                                     details__result="applied").exists()

    # Second import of the same file: the mapping is remembered, every row is unchanged.
    assert ColumnMapping.objects.get(organization=org, kind="resources").mapping == run.mapping
    importer.upload(data, resource_kind="application")
    second = importer.run()
    assert second.pk != run.pk and second.mapping == run.mapping
    importer.map(second)
    second.refresh_from_db()
    assert second.counts == {"new": 0, "updated": 0, "unchanged": 300, "refused": 0}
    assert "300" in importer.client.get(importer.url("imports:detail", pk=second.pk)).content.decode()


def test_names_are_matched_with_accents_and_case_ignored_and_changes_are_listed(org, importer) -> None:
    dpi = ResourceFactory(organization=org, name="Dossier Patient Informatisé", vendor="Éditeur A",
                          rto_capability_hours=24, establishment=None)
    data = csv_bytes([["Nom", "Éditeur", "RTO"], ["DOSSIER PATIENT INFORMATISE", "Éditeur A", "8"],
                      ["  dossier   patient informatisé ", "Éditeur A", "24"]], encoding="cp1252")
    importer.upload(data, name="export-glpi.csv", resource_kind="application")
    run = importer.run()
    importer.map(run)
    run.refresh_from_db()
    rows = {r["row"]: r for r in run.report}
    assert rows[2]["status"] == "updated" and "24 → 8" in rows[2]["message"]
    assert rows[3]["status"] == "refused" and "deux fois" in rows[3]["message"]
    importer.apply(run)  # refused rows block the whole import
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED
    dpi.refresh_from_db()
    assert dpi.rto_capability_hours == 24


def test_refused_rows_say_why_in_french(org, importer) -> None:
    data = xlsx([["Nom", "Type", "RTO (h)", "Fin de contrat"],
                 ["Serveur A", "serveur", "=1+1", None], ["Inconnu", "vaisseau spatial", 4, None],
                 ["", "application", 4, None], ["Appli B", "application", "dix", "31/12/2027"],
                 ["Appli C", "Logiciel", "12 h", "2027-12-31"]])
    importer.upload(data)
    run = importer.run()
    assert run.mapping == {"name": "Nom", "kind": "Type", "rto_capability_hours": "RTO (h)",
                           "contract_end": "Fin de contrat"}
    importer.map(run)
    run.refresh_from_db()
    rows = {r["row"]: r for r in run.report}
    assert "formules" in rows[2]["message"]
    assert "Type de ressource inconnu" in rows[3]["message"]
    assert "obligatoire" in rows[4]["message"]
    assert "nombre entier d'heures" in rows[5]["message"]
    assert rows[6]["status"] == "new"
    assert run.counts["refused"] == 4


def test_a_failed_import_changes_nothing(org, importer) -> None:
    """A row that passes the preview and fails on write (its code renames a resource onto another one's
    name) rolls every row of the import back."""
    a = ResourceFactory(organization=org, name="Laboratoire", catalogue_code="LAB", establishment=None)
    ResourceFactory(organization=org, name="Pharmacie", catalogue_code="PHA", establishment=None)
    data = xlsx([["Nom", "Code", "Éditeur"], ["Nouvelle appli", "NEW", "X"], ["Pharmacie", "LAB", "Z"]])
    importer.upload(data, resource_kind="application")
    run = importer.run()
    importer.map(run)
    run.refresh_from_db()
    assert run.counts == {"new": 1, "updated": 1, "unchanged": 0, "refused": 0}
    response = importer.apply(run)
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("Ligne 3 :") and "Rien n'a été modifié" in run.error
    with scopes_disabled():
        assert not Resource.objects.filter(name="Nouvelle appli").exists()
        a.refresh_from_db()
        assert (a.name, a.vendor) == ("Laboratoire", "")


def test_activities_then_dependencies_by_name_and_code(org, importer) -> None:
    ResourceFactory(organization=org, name="DPI", catalogue_code="APP-1", establishment=None)
    ResourceFactory(organization=org, name="Réseau", kind="infrastructure", establishment=None)
    activities = xlsx([["Activité", "Code", "Pôle", "Service", "Périmètre CaRE"],
                       ["Urgences adultes", "ACT-1", "Pôle urgences", "SAU", "Service de soins à impact patient majeur"],
                       ["Pharmacie à usage intérieur", "ACT-2", "", "PUI", ""]])
    importer.upload(activities, kind="activities")
    run = importer.run()
    assert set(run.mapping) == {"name", "catalogue_code", "pole", "service", "care_perimeter"}
    importer.map(run)
    importer.apply(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED, run.report
    with scopes_disabled():
        urgences = Activity.objects.get(organization=org, name="Urgences adultes")
        assert urgences.care_perimeter == "care_service" and urgences.unit.name == "SAU"
        assert urgences.unit.parent.name == "Pôle urgences"

    deps = csv_bytes([["Source", "Cible", "Contournement", "Autonomie (h)"],
                      ["urgences adultes", "app-1", "oui", "4"], ["DPI", "réseau", "non", ""],
                      ["ACT-1", "Pharmacie à usage intérieur", "", ""], ["DPI", "Urgences adultes", "", ""],
                      ["Inexistant", "DPI", "", ""]])
    importer.upload(deps, kind="dependencies", name="deps.csv")
    run = importer.run()
    importer.map(run, {"source": "Source", "target": "Cible", "workaround_exists": "Contournement",
                       "workaround_hours": "Autonomie (h)"})
    run.refresh_from_db()
    rows = {r["row"]: r for r in run.report}
    assert [rows[n]["status"] for n in (2, 3, 4, 5, 6)] == ["new", "new", "new", "refused", "refused"]
    assert "ne peut pas dépendre d'une activité" in rows[5]["message"]
    assert "Inexistant" in rows[6]["message"]
    importer.upload(deps.rsplit(b"\n", 2)[0], kind="dependencies", name="deps.csv")
    run = importer.run()
    assert run.mapping["workaround_hours"] == "Autonomie (h)"  # remembered
    importer.map(run)
    importer.apply(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED, run.report
    with scopes_disabled():
        link = ActivityDependency.objects.get(activity=urgences)
        assert (link.resource.name, link.workaround_exists, link.workaround_hours) == ("DPI", True, 4)
        assert ResourceDependency.objects.filter(resource__name="DPI", depends_on__name="Réseau").exists()
        assert ActivityLink.objects.filter(activity=urgences, depends_on__name="Pharmacie à usage intérieur").exists()


def test_hostile_files_are_refused_before_parsing(org, importer) -> None:
    from apps.core import spreadsheets

    too_many = csv_bytes([["Nom"]] + [[f"A{i}"] for i in range(spreadsheets.Limits().max_rows + 1)])
    response = importer.upload(too_many, name="gros.csv")
    assert response.status_code == 400
    assert "plus de 5" in response.context["form"].errors["file"][0]
    response = importer.upload(b"\x00\x01binary junk", name="x.csv")
    assert response.status_code == 400 and "CSV" in response.context["form"].errors["file"][0]
    response = importer.upload(b"PK\x03\x04 not a zip", name="x.xlsx")
    assert response.status_code == 400 and "XLSX" in response.context["form"].errors["file"][0]
    assert not ImportRun.objects.filter(organization=org).exists()


def test_a_limited_member_imports_only_into_their_establishments(client_for) -> None:
    from apps.tenants.roles import Role
    from tests.establishments import limited_member
    from tests.factories import EstablishmentFactory, OrganizationFactory
    from tests.imports.conftest import Importer

    ght = OrganizationFactory(name="GHT", slug="ght")
    home = EstablishmentFactory(organization=ght, name="CH de Saint-Aubin")
    other = EstablishmentFactory(organization=ght, name="CHU de Valmont")
    ActivityFactory(organization=ght, name="Bloc opératoire", establishment=other)
    importer = Importer(client_for(limited_member(ght, Role.RPCRA, home)), ght)
    importer.upload(xlsx([["Activité", "Établissement"], ["Bloc opératoire", "CHU de Valmont"],
                          ["Bloc opératoire", "CH de Saint-Aubin"], ["Accueil", ""]]), kind="activities")
    run = importer.run()
    assert run.establishment_ids == [home.pk]
    importer.map(run)
    run.refresh_from_db()
    rows = {r["row"]: r for r in run.report}
    assert rows[2]["status"] == "refused" and "vos établissements" in rows[2]["message"]
    assert rows[3]["status"] == "new" and rows[4]["status"] == "new"  # one establishment: it is the default



def test_activities_second_import_is_unchanged_and_an_edit_is_an_update(org, importer) -> None:
    rows = [["Activité", "Code", "Service", "Priorité de reprise"], ["Urgences", "A1", "SAU", 1],
            ["Laboratoire", "A2", "Biologie", 2]]
    importer.upload(xlsx(rows), kind="activities")
    run = importer.run()
    importer.map(run)
    importer.apply(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED and run.counts["new"] == 2
    rows[2][0], rows[1][3] = "LABORATOIRE", 3  # same name (case ignored), new priority
    importer.upload(xlsx(rows), kind="activities")
    second = importer.run()
    importer.map(second)
    second.refresh_from_db()
    assert second.counts == {"new": 0, "updated": 1, "unchanged": 1, "refused": 0}, second.report
    importer.apply(second)
    with scopes_disabled():
        assert Activity.objects.get(organization=org, catalogue_code="A1").recovery_priority == 3
        assert Activity.objects.filter(organization=org).count() == 2


def test_a_limited_member_cannot_import_resources_of_another_establishment(client_for) -> None:
    from apps.tenants.roles import Role
    from tests.establishments import limited_member
    from tests.factories import EstablishmentFactory, OrganizationFactory
    from tests.imports.conftest import Importer

    ght = OrganizationFactory(name="GHT", slug="ght")
    home = EstablishmentFactory(organization=ght, name="CH de Saint-Aubin")
    EstablishmentFactory(organization=ght, name="CHU de Valmont")
    ResourceFactory(organization=ght, name="PACS de Valmont", establishment=ght_other(ght))
    importer = Importer(client_for(limited_member(ght, Role.RPCRA, home)), ght)
    importer.upload(xlsx([["Nom", "Établissement"], ["Serveur", "CHU de Valmont"], ["PACS de Valmont", ""],
                          ["Messagerie", ""]]), resource_kind="application")
    run = importer.run()
    importer.map(run)
    run.refresh_from_db()
    statuses = [r["status"] for r in run.report]
    assert statuses == ["refused", "refused", "new"], run.report
    assert "vos établissements" in run.report[0]["message"] and "ne voyez pas" in run.report[1]["message"]
    importer.upload(xlsx([["Nom"], ["Messagerie"]]), resource_kind="application")
    run = importer.run()
    importer.map(run)
    importer.apply(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED
    with scopes_disabled():
        assert Resource.objects.get(organization=ght, name="Messagerie").establishment == home  # their only one


def ght_other(ght):
    from apps.tenants.models import Establishment

    return Establishment.objects.get(organization=ght, name="CHU de Valmont")


def _dependency_import(importer, org, rows: list[list[object]]):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    importer.upload(csv_bytes([["Élément", "Dépend de", "Contournement", "Autonomie (h)"], *rows]),
                    kind="dependencies", name="deps.csv")
    run = importer.run()
    importer.map(run)
    with CaptureQueriesContext(connection) as queries:
        importer.apply(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED, (run.error, run.report[:3])
    return run, len(queries.captured_queries)


@pytest.mark.parametrize("size", [5, 20])
def test_dependencies_are_written_in_batches_and_a_second_file_updates_their_workarounds(org, importer,
                                                                                          size: int) -> None:
    """Applying a file of dependencies costs the same queries for 10 rows as for 40 (no query per row), creates
    the new pairs, updates the workaround of the pairs already there, and the history records each row."""
    activities = [ActivityFactory(organization=org, name=f"Activité {i}", catalogue_code=f"ACT-{i}")
                  for i in range(size)]
    apps = [ResourceFactory(organization=org, name=f"Appli {i}", catalogue_code=f"APP-{i}", establishment=None)
            for i in range(size + 1)]
    rows = [[f"Activité {i}" if i % 2 else f"ACT-{i}", f"APP-{i}", "oui" if i % 2 else "non", 4 if i % 2 else ""]
            for i in range(size)]
    rows += [[f"Appli {i}", f"Appli {i + 1}", "", ""] for i in range(size)]
    run, queries = _dependency_import(importer, org, rows)
    assert run.counts == {"new": 2 * size, "updated": 0, "unchanged": 0, "refused": 0}
    assert queries <= 45, queries  # the same bound at both sizes
    with scopes_disabled():
        assert ActivityDependency.objects.filter(organization=org).count() == size
        assert ResourceDependency.objects.filter(organization=org).count() == size
        first = ActivityDependency.objects.get(activity=activities[1])
        assert (first.resource, first.workaround_exists, first.workaround_hours) == (apps[1], True, 4)

    # The same pairs with every workaround turned the other way: all updated, none created.
    changed = [[a, b, "non" if exists == "oui" else "oui", "" if exists == "oui" else 12]
               for a, b, exists, _hours in rows[:size]]
    changed += [[a, b, "oui", 2] for a, b, _e, _h in rows[size:]]
    run, queries = _dependency_import(importer, org, changed)
    assert run.counts == {"new": 0, "updated": 2 * size, "unchanged": 0, "refused": 0}
    assert queries <= 45, queries
    with scopes_disabled():
        assert ActivityDependency.objects.filter(organization=org).count() == size
        first.refresh_from_db()
        assert (first.workaround_exists, first.workaround_hours) == (False, None)
        second = ActivityDependency.objects.get(activity=activities[2])
        assert (second.workaround_exists, second.workaround_hours) == (True, 12)
        chain = ResourceDependency.objects.get(resource=apps[0])
        assert (chain.depends_on, chain.workaround_exists, chain.workaround_hours) == (apps[1], True, 2)
        events = ActivityDependency.pgh_event_model.objects.filter(pgh_obj_id=second.pk)
        assert sorted(events.values_list("pgh_label", flat=True)) == ["insert", "update"]


@pytest.mark.parametrize("size", [5, 20])
def test_updates_of_resources_and_activities_are_written_in_batches(org, importer, size: int) -> None:
    """A second file that changes every row costs the same queries for 5 rows as for 20 (no query per row), and
    each updated row is in the history."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    resources = [ResourceFactory(organization=org, name=f"Appli {i}", catalogue_code=f"APP-{i}", establishment=None,
                                 rto_capability_hours=4) for i in range(size)]
    activities = [activity_in(org, name=f"Activité {i}", catalogue_code=f"ACT-{i}", recovery_priority=1)
                  for i in range(size)]
    for kind, rows, extra in (
            ("resources", [["Nom", "Code", "RTO (h)"], *[[f"appli {i}", f"APP-{i}", 8 + i] for i in range(size)]],
             {"resource_kind": "application"}),
            ("activities", [["Activité", "Code", "Priorité de reprise", "Service"],
                            *[[f"Activité {i}", f"ACT-{i}", 2 + i, "SAU"] for i in range(size)]], {})):
        importer.upload(csv_bytes(rows), kind=kind, name=f"{kind}.csv", **extra)
        run = importer.run()
        importer.map(run)
        run.refresh_from_db()
        assert run.counts == {"new": 0, "updated": size, "unchanged": 0, "refused": 0}, run.report[:2]
        with CaptureQueriesContext(connection) as queries:
            importer.apply(run)
        run.refresh_from_db()
        assert run.status == ImportRun.Status.APPLIED, run.error
        assert len(queries.captured_queries) <= 45, (kind, len(queries.captured_queries))
    with scopes_disabled():
        last = Resource.objects.get(pk=resources[-1].pk)
        assert (last.name, last.rto_capability_hours) == (f"Appli {size - 1}", 8 + size - 1)  # spelling kept
        activity = Activity.objects.select_related("unit").get(pk=activities[-1].pk)
        assert (activity.recovery_priority, activity.unit.name) == (2 + size - 1, "SAU")
        events = Resource.pgh_event_model.objects.filter(pgh_obj_id=last.pk)
        assert sorted(events.values_list("pgh_label", flat=True)) == ["insert", "update"]
