"""The plan perimeter lists every activity of the organization from ``values_list`` (issue 13, item 6): no
model object per box, the same labels as before, and a choice outside the organization refused."""

from __future__ import annotations

import pytest
from django.db.models.signals import pre_init
from lxml import html

from apps.bia.models import Activity, CarePerimeter
from apps.continuity.forms import PerimeterForm
from tests.bia.factories import activity_in
from tests.continuity.factories import scenario

pytestmark = pytest.mark.django_db


def test_the_perimeter_offers_every_activity_labelled_without_building_them(org, other_org) -> None:
    urgences = activity_in(org, name="Urgences", care_perimeter=CarePerimeter.CARE_SERVICE, dmia_derived_hours=4)
    paie = activity_in(org, name="Paie", dmia_override_hours=72, dmia_override_justification="COPIL")
    foreign = activity_in(other_org, name="Urgences voisines")
    built = []

    def count(sender, **kwargs) -> None:  # noqa: ANN001
        if sender is Activity:
            built.append(1)

    pre_init.connect(count)
    try:
        markup = str(PerimeterForm(organization=org)["activities"])
    finally:
        pre_init.disconnect(count)
    assert not built
    labels = [label.text_content().strip() for label in html.fragment_fromstring(markup, create_parent="div")
              .iter("label")]
    establishment = str(urgences.establishment)
    assert labels == [f"Urgences — {establishment} — Service de soins à impact patient majeur — DMIA 4 h",
                      f"Paie — {establishment} — DMIA 72 h"]  # CaRE perimeters first, as before
    assert "Urgences voisines" not in markup
    mandatory = scenario(org)
    data = {"title": "PCA", "care_perimeter": CarePerimeter.CARE_SERVICE, "scenarios": [mandatory.pk]}
    chosen = PerimeterForm({**data, "activities": [urgences.pk, paie.pk]}, organization=org)
    assert chosen.is_valid(), chosen.errors
    assert set(chosen.cleaned_data["activities"]) == {urgences, paie}
    for value in ([urgences.pk, foreign.pk], ["abc"]):
        refused = PerimeterForm({**data, "activities": value}, organization=org)
        assert not refused.is_valid() and "activities" in refused.errors
