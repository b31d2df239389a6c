"""Phone numbers of the cellule de crise: validated and normalised on the way in, shown nationally with a
``tel:`` link in E.164, and a role complete only when its holder and a deputy have a valid number (D2.O1.B)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from apps.accounts.views import ProfileForm
from apps.governance import services
from apps.governance.checks import forget_snapshot, snapshot_for
from apps.governance.exports import governance_context, governance_rows
from apps.governance.forms import CrisisAssignmentForm, LogisticsStepForm
from apps.governance.models import CrisisAssignment, CrisisRole, GovernanceProfile
from apps.tenants.roles import Role
from tests.governance.factories import CrisisAssignmentFactory, CrisisRoleFactory

pytestmark = pytest.mark.django_db


def url(org, name: str, **kwargs) -> str:  # noqa: ANN001
    return reverse(f"governance:{name}", kwargs={"org_slug": org.slug, **kwargs})


def criteria(org) -> dict:  # noqa: ANN001
    forget_snapshot(org)
    return {c.key: c for c in snapshot_for(org).criteria}


def typed_before_validation(assignment: CrisisAssignment, value: str) -> None:
    """What an old row holds: a value saved before numbers were checked (no validation on the way)."""
    CrisisAssignment.objects.filter(pk=assignment.pk).update(phone=value)


@pytest.mark.parametrize(("typed", "stored"), [("02 41 35 36 37", "+33241353637"), ("+33 6 70 12 34 56", "+33670123456"),
                                               ("+44 20 7946 0958", "+442079460958"), ("15", "15"), ("", "")])
def test_the_service_stores_the_normalised_number(org, admin_user, typed, stored) -> None:  # noqa: ANN001
    role = CrisisRoleFactory(organization=org)
    assignment = services.crisis_assignment_create(role=role, actor=admin_user, data={
        "position": "holder", "external_name": "Mme Lefèvre", "phone": typed})
    assert CrisisAssignment.objects.get(pk=assignment.pk).phone == stored


@pytest.mark.parametrize("typed", ["abc", "06", "123"])
def test_the_service_refuses_what_is_not_a_number_next_to_the_field(org, admin_user, typed) -> None:  # noqa: ANN001
    role = CrisisRoleFactory(organization=org)
    with pytest.raises(ValidationError) as error:
        services.crisis_assignment_create(role=role, actor=admin_user, data={
            "position": "holder", "external_name": "Mme Lefèvre", "phone": typed})
    assert "phone" in error.value.error_dict
    assert not CrisisAssignment.objects.filter(role=role).exists()


def test_the_form_refuses_abc_with_a_french_error_next_to_the_field(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.RPCRA))
    role = CrisisRoleFactory(organization=org)
    response = client.post(url(org, "assignment-create", pk=role.pk),
                           {"position": "deputy", "external_name": "M. Vasseur", "phone": "abc"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "chiffres" in body and "abc" in body  # the error, and what was typed, kept in the field
    assert not CrisisAssignment.objects.filter(role=role).exists()
    form = CrisisAssignmentForm({"position": "deputy", "external_name": "X", "phone": "abc"}, organization=org)
    assert not form.is_valid() and list(form.errors) == ["phone"]


def test_a_role_is_complete_only_when_holder_and_a_deputy_have_a_valid_number(org) -> None:
    role = CrisisRoleFactory(organization=org, kind=CrisisRole.Kind.DIRECTOR)
    holder = CrisisAssignmentFactory(role=role, position="holder", phone="+33241353637")
    deputy = CrisisAssignmentFactory(role=role, position="deputy", phone="")
    assert not criteria(org)["crisis_deputies"].ok  # a deputy without a number
    typed_before_validation(deputy, "abc")
    assert not criteria(org)["crisis_deputies"].ok  # « abc » was counted complete before
    typed_before_validation(deputy, "15")
    assert criteria(org)["crisis_deputies"].ok
    typed_before_validation(holder, "standard")
    missing = criteria(org)["crisis_deputies"]
    assert not missing.ok and "Directeur de crise" in str(missing.missing)
    assert snapshot_for(org).roles[0].missing == "holder_phone"


def test_the_crisis_cell_page_formats_links_and_flags(org, member_factory, client_for) -> None:
    role = CrisisRoleFactory(organization=org, kind=CrisisRole.Kind.DIRECTOR)
    CrisisAssignmentFactory(role=role, position="holder", external_name="Mme Lefèvre", phone="+33241353637")
    deputy = CrisisAssignmentFactory(role=role, position="deputy", external_name="M. Vasseur", phone="")
    typed_before_validation(deputy, "abc")
    body = client_for(member_factory(org, Role.READER)).get(url(org, "crisis-cell")).content.decode()
    assert '<a href="tel:+33241353637">02 41 35 36 37</a>' in body
    assert "tel:abc" not in body and "numéro invalide" in body
    assert "aucun suppléant avec un numéro valide" in body


def test_the_24_7_phone_must_be_a_valid_number(org, admin_user) -> None:
    services.governance_profile_update(organization=org, actor=admin_user, step="logistics", data={
        "phone_24_7": "06 70 12 34 56", "phone_independent_of_it": True})
    assert GovernanceProfile.objects.get(organization=org).phone_24_7 == "+33670123456"
    assert criteria(org)["phone"].ok
    GovernanceProfile.objects.filter(organization=org).update(phone_24_7="standard")
    phone = criteria(org)["phone"]
    assert not phone.ok and "standard" in str(phone.missing)
    form = LogisticsStepForm({"phone_24_7": "abc"}, organization=org)
    assert not form.is_valid() and "phone_24_7" in form.errors


def test_an_old_unparseable_number_does_not_block_another_step(org, admin_user) -> None:
    services.governance_profile_update(organization=org, actor=admin_user, step="logistics",
                                       data={"crisis_room": "Salle A"})
    GovernanceProfile.objects.filter(organization=org).update(phone_24_7="standard")
    services.governance_profile_update(organization=org, actor=admin_user, step="signalement",
                                       data={"signalement_procedure": "Portail CERT Santé"})
    profile = GovernanceProfile.objects.get(organization=org)
    assert profile.signalement_procedure == "Portail CERT Santé" and profile.phone_24_7 == "standard"
    with pytest.raises(ValidationError) as error:  # its own step asks for it to be corrected
        services.governance_profile_update(organization=org, actor=admin_user, step="logistics",
                                           data={"crisis_room": "Salle B"})
    assert "phone_24_7" in error.value.error_dict


def test_the_data_migration_normalises_and_keeps_what_cannot_be_parsed(org) -> None:
    role = CrisisRoleFactory(organization=org)
    good = CrisisAssignmentFactory(role=role, position="holder")
    bad = CrisisAssignmentFactory(role=role, position="deputy")
    typed_before_validation(good, "02.41.35.36.37")
    typed_before_validation(bad, "demander au standard")
    GovernanceProfile.objects.create(organization=org, phone_24_7="06 70 12 34 56")
    migration = importlib.import_module("apps.governance.migrations.0004_normalise_phones")
    migration.normalise(django_apps, None)
    assert CrisisAssignment.objects.get(pk=good.pk).phone == "+33241353637"
    assert CrisisAssignment.objects.get(pk=bad.pk).phone == "demander au standard"  # never lost
    assert GovernanceProfile.objects.get(organization=org).phone_24_7 == "+33670123456"


def test_the_dossier_prints_national_numbers_and_flags_the_rest(org) -> None:
    from django.utils import translation

    role = CrisisRoleFactory(organization=org, kind=CrisisRole.Kind.DIRECTOR)
    CrisisAssignmentFactory(role=role, position="holder", external_name="Mme Lefèvre", phone="+33241353637")
    deputy = CrisisAssignmentFactory(role=role, position="deputy", external_name="M. Vasseur")
    typed_before_validation(deputy, "abc")
    with translation.override("fr"):
        html = render_to_string("governance/exports/section.html", governance_context(org))
        rows = [" ".join(str(c) for c in row if c) for row in governance_rows(org)]
    assert "Mme Lefèvre (02 41 35 36 37)" in html and "M. Vasseur (abc, numéro invalide)" in html
    assert any("Mme Lefèvre (02 41 35 36 37)" in row and "M. Vasseur (abc, numéro invalide)" in row for row in rows)


@pytest.mark.parametrize(("typed", "ok", "stored"), [("06 12 34 56 78", True, "+33612345678"), ("abc", False, None),
                                                     ("", True, "")])
def test_the_profile_phone_is_checked_too(admin_user, typed, ok, stored) -> None:  # noqa: ANN001
    form = ProfileForm({"first_name": "A", "last_name": "B", "job_title": "", "phone": typed}, instance=admin_user)
    assert form.is_valid() is ok
    if ok:
        assert form.cleaned_data["phone"] == stored
    else:
        assert "phone" in form.errors


def test_a_suppliers_24_7_contact_shows_its_number_nationally_with_a_link(org, admin_user, client_for) -> None:
    from apps.bia.models import Resource
    from tests.bia.factories import ResourceFactory

    editor = ResourceFactory(organization=org, kind=Resource.Kind.SUPPLIER, name="Éditeur du DPI", establishment=None,
                             contact_24_7="Hotline 24/7 : 02.41.35.36.37 (contrat n° 2024-118)")
    page = client_for(admin_user).get(reverse("bia:resource-detail", kwargs={"org_slug": org.slug, "pk": editor.pk}))
    body = page.content.decode()
    assert 'Hotline 24/7 : <a href="tel:+33241353637">02 41 35 36 37</a> (contrat n° 2024-118)' in body
