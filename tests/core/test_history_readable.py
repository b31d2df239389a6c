"""« Historique » reads like the pages: French field labels, names instead of ids, localised dates, Oui/Non,
choice labels, business events as their own rows (with the reason), no empty rows, no « Modifier » column."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.continuity import services as plans
from apps.core.services import business_event
from apps.tenants.roles import Role
from tests.bia.factories import activity_in
from tests.continuity.factories import plan_in
from tests.factories import MembershipFactory

ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@pytest.mark.django_db
def test_activity_history_shows_labels_names_and_dates(org, client_for) -> None:
    owner = MembershipFactory(organization=org, role=Role.BUSINESS_OWNER, user__first_name="Sophie",
                              user__last_name="Garnier").user
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA).user
    activity = activity_in(org, name="Accueil des urgences")
    activity.owner = owner
    activity.degraded_mode_exists = True
    activity.save()
    activity.updated_at = timezone.now()
    activity.save(update_fields=["updated_at"])  # bookkeeping only: no row
    activity.status = "submitted"
    activity.submitted_at = timezone.now()
    activity.submitted_by = owner
    activity.save()
    business_event(action="bia_validated", actor=rpcra, obj=activity)
    page = client_for(rpcra).get(reverse("tenants:history", kwargs={
        "org_slug": org.slug, "model": "bia.activity", "pk": activity.pk})).content.decode()
    table = page.split("<table", 1)[1].split("</table>", 1)[0]
    assert "Responsable métier" in table and "Sophie Garnier" in table
    assert "Soumis par" in table and "Soumis le" in table
    assert "Oui" in table and "True" not in table and "False" not in table
    assert "BIA validé" in table
    assert "_id" not in table and not ISO.search(table)
    assert "Modifier" not in table
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]
    assert all("<strong>" in r or "Création" in r for r in rows)  # every change row says what changed
    assert len(rows) == 4  # created, owner set, submitted, validated — not the bookkeeping save


@pytest.mark.django_db
def test_plan_history_lists_submission_and_return_with_the_reason(org, client_for) -> None:
    rpcra = MembershipFactory(organization=org, role=Role.RPCRA).user
    director = MembershipFactory(organization=org, role=Role.DIRECTION).user
    plan = plan_in(org, with_mode=True)
    plans.plan_submit(plan=plan, actor=rpcra)
    plans.plan_send_back(plan=plan, actor=director, reason="Il manque la fiche réflexe du cadre de santé.")
    page = client_for(director).get(reverse("tenants:history", kwargs={
        "org_slug": org.slug, "model": "continuity.plan", "pk": plan.pk})).content.decode()
    assert "Soumis à approbation" in page and "Renvoyé" in page
    assert "Il manque la fiche réflexe du cadre de santé." in page
    log = client_for(director).get(reverse("tenants:audit", kwargs={"org_slug": org.slug})).content.decode()
    assert "Renvoyé" in log and "Il manque la fiche réflexe" in log
