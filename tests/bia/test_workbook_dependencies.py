"""The BIA workbook carries the dependencies' workarounds: whether one exists and how long its degraded mode
holds (``workaround_hours``), checked like every other cell (bounds, French row-by-row errors, all-or-nothing)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.bia import selectors, services
from apps.bia.models import MAX_HOURS, Activity, ActivityDependency, ActivityLink, ResourceDependency
from apps.core.history import history_for
from apps.tenants.roles import Role
from tests.bia.factories import ResourceFactory, activity_in
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db

SHEET = "Dépendances"
EXISTS, NOTE, HOURS = "Un contournement existe (oui/non)", "Contournement", "Durée tenue en mode dégradé (heures)"


@pytest.fixture
def links(org, scales):
    bloc = activity_in(org, name="Bloc opératoire", dmia_override_hours=4, dmia_override_justification="Vital",
                       pdma_hours=1, criticality="critical")
    sterilisation = activity_in(org, name="Stérilisation", dmia_override_hours=72, dmia_override_justification="x")
    pacs = ResourceFactory(organization=org, name="PACS", rto_capability_hours=72, rpo_capability_hours=24)
    san = ResourceFactory(organization=org, name="Baies de stockage", kind="infrastructure", rto_capability_hours=12)
    return {
        "bloc": bloc, "pacs": pacs, "san": san,
        "ar": services.activity_dependency_set(activity=bloc, actor=None, resource=pacs),
        "rr": services.resource_dependency_set(resource=pacs, actor=None, depends_on=san),
        "aa": services.activity_link_set(activity=bloc, actor=None, depends_on=sterilisation),
    }


def download(client, org) -> bytes:
    response = client.get(reverse("bia:workbook-download", kwargs={"org_slug": org.slug}))
    assert response.status_code == 200
    return response.content


def rows_of(data: bytes) -> dict[str, dict[str, object]]:
    ws = load_workbook(io.BytesIO(data))[SHEET]
    headers = [c.value for c in ws[1]]
    return {str(r[0]): dict(zip(headers, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)}


def edit(data: bytes, edits: dict[tuple[str, str], object], bia: dict[tuple[str, str], object] | None = None) -> bytes:
    """Set cells of the dependencies sheet by (identifier, header), and of the BIA sheet by (activity, header)."""
    wb = load_workbook(io.BytesIO(data))
    for sheet, key_column, changes in ((wb[SHEET], 1, edits), (wb["BIA"], 3, bia or {})):
        headers = {c.value: c.column for c in sheet[1]}
        rows = {sheet.cell(row=r, column=key_column).value: r for r in range(2, sheet.max_row + 1)}
        for (key, header), value in changes.items():
            sheet.cell(row=rows[key], column=headers[header], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, org, data: bytes):
    return client.post(reverse("bia:workbook", kwargs={"org_slug": org.slug}),
                       {"file": SimpleUploadedFile("bia.xlsx", data, content_type="application/octet-stream")})


def ids(links) -> tuple[str, str, str]:
    return f"AR-{links['ar'].pk}", f"RR-{links['rr'].pk}", f"AA-{links['aa'].pk}"


def test_the_sheet_lists_every_link_with_its_workaround_editable_and_its_ends_locked(org, links, admin_user,
                                                                                    client_for) -> None:
    services.activity_dependency_set(activity=links["bloc"], actor=None, resource=links["pacs"],
                                     workaround_exists=True, workaround_note="Films papier", workaround_hours=48)
    data = download(client_for(admin_user), org)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Instructions", "BIA", SHEET, "meta"]
    ws = wb[SHEET]
    assert ws.protection.sheet is True
    assert ws["A2"].protection.locked and ws["D2"].protection.locked and not ws["G2"].protection.locked
    assert any(dv.formula1 == "1" and dv.formula2 == str(MAX_HOURS) for dv in ws.data_validations.dataValidation)
    ar, rr, aa = ids(links)
    rows = rows_of(data)
    est = links["bloc"].establishment
    assert rows[ar]["Type de lien"] == "Activité → ressource"
    assert (rows[ar]["Élément dépendant"], rows[ar]["Dépend de"]) == (f"Bloc opératoire ({est})", "PACS")
    assert (rows[ar][EXISTS], rows[ar][NOTE], rows[ar][HOURS]) == ("oui", "Films papier", 48)
    assert (rows[rr]["Élément dépendant"], rows[rr]["Dépend de"], rows[rr][EXISTS]) == ("PACS", "Baies de stockage", "non")
    assert rows[aa]["Dépend de"] == f"Stérilisation ({est})"
    assert "Onglet « Dépendances »" in " ".join(str(c.value) for c in wb["Instructions"]["A"])


def test_a_duration_typed_offline_is_previewed_then_carried_by_the_engine(org, links, admin_user, client_for) -> None:
    client = client_for(admin_user)
    ar, rr, aa = ids(links)
    data = edit(download(client, org), {(ar, EXISTS): "oui", (ar, NOTE): "Films papier, lecture sur console", (ar, HOURS): 48,
                                        (rr, EXISTS): "oui", (rr, HOURS): 8760, (aa, EXISTS): "oui", (aa, HOURS): 1})
    response = upload(client, org, data)
    assert response.status_code == 200, response.context.get("errors")
    page = response.content.decode()
    assert "Modifications à appliquer" in page and "Bloc opératoire" in page and "PACS" in page
    assert ActivityDependency.objects.get(pk=links["ar"].pk).workaround_hours is None  # nothing written yet
    response = client.post(reverse("bia:workbook-apply", kwargs={"org_slug": org.slug}),
                           {"payload": response.context["payload"]}, follow=True)
    assert "0 activité(s) et 3 dépendance(s) mise(s) à jour" in response.content.decode()
    dep = ActivityDependency.objects.get(pk=links["ar"].pk)
    assert (dep.workaround_exists, dep.workaround_note, dep.workaround_hours) == (
        True, "Films papier, lecture sur console", 48)
    assert ResourceDependency.objects.get(pk=links["rr"].pk).workaround_hours == 8760
    assert ActivityLink.objects.get(pk=links["aa"].pk).workaround_hours == 1
    _graph, analysis = selectors.bia_analysis(organization=org)
    assert analysis.rto_requirements[("resource", links["pacs"].pk)].hours == 52  # DMIA 4 h + 48 h
    # The written duration comes back in the next download, and the change is in the history.
    assert rows_of(download(client, org))[ar][HOURS] == 48
    assert any(e.pgh_data.get("workaround_hours") == 48 for e in history_for(dep))


def test_a_workaround_without_duration_is_kept_and_warned(org, links, admin_user, client_for) -> None:
    client = client_for(admin_user)
    ar, _rr, _aa = ids(links)
    response = upload(client, org, edit(download(client, org), {(ar, EXISTS): "oui"}))
    client.post(reverse("bia:workbook-apply", kwargs={"org_slug": org.slug}), {"payload": response.context["payload"]})
    dep = ActivityDependency.objects.get(pk=links["ar"].pk)
    assert dep.workaround_exists and dep.workaround_hours is None
    page = client.get(reverse("bia:gaps", kwargs={"org_slug": org.slug})).content.decode()
    assert "contournement sans durée : le besoin de Bloc opératoire" in page


@pytest.mark.parametrize("bad", [0, MAX_HOURS + 1, -5, 2.5, "deux jours"])
def test_an_out_of_bounds_duration_is_refused_row_by_row_and_nothing_changes(org, links, admin_user, client_for,
                                                                             bad) -> None:
    client = client_for(admin_user)
    ar, rr, _aa = ids(links)
    data = edit(download(client, org), {(ar, EXISTS): "oui", (ar, HOURS): bad, (rr, EXISTS): "oui", (rr, HOURS): 24},
                bia={("Bloc opératoire", "PDMA (heures)"): 2})
    response = upload(client, org, data)
    assert response.status_code == 400
    errors = response.context["errors"]
    assert [(e.sheet, e.row, e.column) for e in errors] == [(SHEET, 2, HOURS)]
    assert errors[0].message == "Attendu : un nombre entier d'heures de 1 à 8 760 (un an), ou une cellule vide."
    page = response.content.decode()
    assert "Le classeur a été refusé : 1 erreur. Rien n'a été modifié." in page and SHEET in page
    # All or nothing: the valid rows of both sheets are not written either.
    assert ResourceDependency.objects.get(pk=links["rr"].pk).workaround_exists is False
    assert Activity.objects.get(pk=links["bloc"].pk).pdma_hours == 1


def test_a_duration_without_workaround_and_a_bad_answer_are_refused(org, links, admin_user, client_for) -> None:
    client = client_for(admin_user)
    ar, rr, aa = ids(links)
    data = edit(download(client, org), {(ar, HOURS): 48, (rr, EXISTS): "peut-être", (aa, HOURS): "=1+1"})
    response = upload(client, org, data)
    assert response.status_code == 400
    messages = {(e.row, e.column): e.message for e in response.context["errors"]}
    assert messages[(2, HOURS)] == ("Une durée suppose un contournement : répondez « oui » dans "
                                    "« Un contournement existe (oui/non) », ou videz cette cellule.")
    assert messages[(3, EXISTS)] == "Attendu : « oui » ou « non »."
    assert "formule" in messages[(4, HOURS)].lower()
    assert ActivityDependency.objects.get(pk=links["ar"].pk).workaround_hours is None


def test_rows_cannot_be_added_duplicated_or_point_elsewhere(org, other_org, links, admin_user, client_for) -> None:
    client = client_for(admin_user)
    foreign = services.activity_dependency_set(activity=activity_in(other_org), actor=None,
                                               resource=ResourceFactory(organization=other_org))
    ar, rr, _aa = ids(links)
    wb = load_workbook(io.BytesIO(download(client, org)))
    ws = wb[SHEET]
    ws.cell(row=2, column=1, value=f"AR-{foreign.pk}")
    ws.cell(row=3, column=1, value="AR-x")
    ws.cell(row=6, column=1, value=ar)
    ws.cell(row=7, column=1, value=ar)
    out = io.BytesIO()
    wb.save(out)
    response = upload(client, org, out.getvalue())
    assert response.status_code == 400
    messages = [(e.row, e.message) for e in response.context["errors"]]
    assert messages[0][0] == 2 and messages[0][1].startswith("Dépendance inconnue")
    assert messages[1] == (3, "L'identifiant de la dépendance a été modifié.")
    assert messages[2] == (7, "Cette dépendance apparaît deux fois.")


def test_the_bia_sheet_bounds_are_the_models_bounds(org, links, admin_user, client_for) -> None:
    """A PDMA of 8,761 h or a staff of 10⁹ is refused next to its cell, not later by the model."""
    client = client_for(admin_user)
    data = edit(download(client, org), {}, bia={("Bloc opératoire", "PDMA (heures)"): MAX_HOURS + 1,
                                                 ("Stérilisation", "Effectif minimal"): 10**9})
    errors = {(e.sheet, e.column): e.message for e in upload(client, org, data).context["errors"]}
    assert errors[("BIA", "PDMA (heures)")].startswith("Attendu : un nombre entier d'heures de 1 à 8 760")
    assert errors[("BIA", "Effectif minimal")] == "Attendu : un nombre entier de 0 à 100 000, ou une cellule vide."
    data = edit(download(client, org), {}, bia={("Bloc opératoire", "PDMA (heures)"): MAX_HOURS})
    assert upload(client, org, data).status_code == 200


def test_a_deleted_dependencies_sheet_refuses_the_workbook(org, links, admin_user, client_for) -> None:
    client = client_for(admin_user)
    wb = load_workbook(io.BytesIO(download(client, org)))
    del wb[SHEET]
    out = io.BytesIO()
    wb.save(out)
    response = upload(client, org, out.getvalue())
    assert response.status_code == 400 and "Dépendances" in response.context["file_error"]


def test_a_limited_member_sees_and_edits_only_the_links_of_their_establishments(org, links, member_factory,
                                                                               client_for) -> None:
    from guardian.shortcuts import assign_perm

    from apps.tenants.models import Membership

    other = EstablishmentFactory(organization=org, name="CH de Bellerive")
    far = Activity.objects.create(organization=org, establishment=other, name="Urgences de Bellerive")
    local_app = ResourceFactory(organization=org, name="Logiciel local de Bellerive", establishment=other)
    hidden = services.activity_dependency_set(activity=far, actor=None, resource=local_app)
    user = member_factory(org, Role.RPCRA)
    membership = Membership.objects.get(organization=org, user=user)
    membership.restricted_to_establishments = True
    membership.save(update_fields=["restricted_to_establishments"])
    assign_perm("tenants.view_establishment", user, links["bloc"].establishment)
    client = client_for(user)
    data = download(client, org)
    rows = rows_of(data)
    assert f"AR-{hidden.pk}" not in rows and set(ids(links)) <= set(rows)
    assert "Bellerive" not in " ".join(str(v) for row in rows.values() for v in row.values())
    # A row pointing at the other establishment's link is unknown to this member.
    wb = load_workbook(io.BytesIO(data))
    wb[SHEET].cell(row=2, column=1, value=f"AR-{hidden.pk}")
    out = io.BytesIO()
    wb.save(out)
    response = upload(client, org, out.getvalue())
    assert response.status_code == 400 and response.context["errors"][0].message.startswith("Dépendance inconnue")
