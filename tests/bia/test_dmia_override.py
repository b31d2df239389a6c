"""A DMIA set by hand beyond the impact grid (issue 12, « sane inputs »): the form refuses it without a
justification, saying why; the activity page, the questionnaire, the list and the dossier show a warning
kept with its justification, and the history keeps both. Boundary: equal to the grid, no warning; grid + 1 h,
a warning (with the default thresholds, also a lower criticality)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from apps.bia import services
from apps.bia.dmia_override import activity_override_warning
from apps.bia.exports import bia_context
from apps.bia.forms import ImpactGridForm
from apps.bia.models import Activity
from apps.core.history import history_for

pytestmark = pytest.mark.django_db

WARNING = "DMIA fixée à la main au-delà de la grille"


def q_url(org, activity, step: int) -> str:  # noqa: ANN001
    return reverse("bia:questionnaire", kwargs={"org_slug": org.slug, "pk": activity.pk, "step": step})


def grid_post(scales, hand: str = "", justification: str = "") -> dict[str, str]:  # noqa: ANN001
    """The impact grid with one intolerable answer within the first horizon (≤ 4 h): the grid's DMIA is 4 h."""
    data = {f"c{c.pk}_h{h.pk}": "" for c in scales["criteria"] for h in scales["horizons"]}
    data[f"c{scales['criteria'][0].pk}_h{scales['horizons'][0].pk}"] = "4"
    data.update(dmia_override_hours=hand, dmia_override_justification=justification)
    return data


def grid_form(scales, **post: str) -> ImpactGridForm:  # noqa: ANN001
    return ImpactGridForm(grid_post(scales, **post), criteria=scales["criteria"], horizons=scales["horizons"],
                          cells={}, settings_row=scales["settings"])


def set_by_hand(activity: Activity, scales, owner, hours: int, justification: str) -> Activity:  # noqa: ANN001
    c = (scales["criteria"][0].pk, scales["horizons"][0].pk)
    activity = services.impacts_save(activity=activity, actor=owner, levels={c: 4})
    return services.activity_save_step(activity=activity, actor=owner, step=2, data={
        "dmia_override_hours": hours, "dmia_override_justification": justification})


@pytest.mark.parametrize(("hand", "message"), [
    ("4", "Expliquez pourquoi la DMIA est fixée manuellement."),  # equal to the grid: the usual rule
    ("5", "plus longue que celle de la grille (4 h) et abaisse la criticité de Critique à Élevée"),  # grid + 1 h
])
def test_the_form_refuses_a_dmia_by_hand_without_justification_saying_why(scales, hand, message) -> None:  # noqa: ANN001
    with translation.override("fr"):
        form = grid_form(scales, hand=hand)
        assert not form.is_valid()
        assert message in " ".join(form.errors["dmia_override_justification"])
    assert grid_form(scales, hand=hand, justification="Décision du COPIL").is_valid()


def test_beyond_the_grid_without_a_lower_criticality_still_says_beyond(org, scales) -> None:
    services.bia_settings_update(organization=org, actor=None, data={"critical_max_dmia_hours": 10})
    from apps.bia.selectors import scales as read

    with translation.override("fr"):
        form = grid_form(read(organization=org), hand="5")
        assert not form.is_valid()
        error = " ".join(form.errors["dmia_override_justification"])
    assert "plus longue que celle de la grille (4 h)" in error and "criticité" not in error


@pytest.mark.parametrize(("hours", "warned"), [(3, False), (4, False), (5, True), (48, True)])
def test_the_warning_starts_one_hour_beyond_the_grid(org, scales, owned_activity, owner, hours, warned) -> None:  # noqa: ANN001
    activity = set_by_hand(owned_activity, scales, owner, hours, "Décision du COPIL du 12/03")
    assert activity.dmia_derived_hours == 4 and activity.dmia_override_hours == hours
    assert activity.is_dmia_override_beyond_grid is warned
    assert (activity_override_warning(activity, scales["settings"]) is not None) is warned


def test_the_activity_page_shows_the_warning_with_its_justification(org, scales, owned_activity, owner, rpcra,
                                                                     client_for) -> None:
    activity = set_by_hand(owned_activity, scales, owner, 48, "Activité reportable selon le COPIL")
    assert activity.criticality == "medium"  # the grid says critical
    client = client_for(rpcra)
    page = client.get(reverse("bia:activity-detail", kwargs={"org_slug": org.slug, "pk": activity.pk})).content.decode()
    assert f"{WARNING} : Activité reportable selon le COPIL" in page
    assert "criticité abaissée de Critique à Moyenne" in page
    questionnaire = client.get(q_url(org, activity, 2)).content.decode()
    assert f"{WARNING} : Activité reportable selon le COPIL" in questionnaire
    listing = client.get(reverse("bia:activities", kwargs={"org_slug": org.slug})).content.decode()
    assert "Fixée à la main au-delà de la grille" in listing


def test_no_warning_when_the_dmia_by_hand_equals_the_grid(org, scales, owned_activity, owner, rpcra,
                                                           client_for) -> None:
    activity = set_by_hand(owned_activity, scales, owner, 4, "Confirmé en COPIL")
    page = client_for(rpcra).get(reverse("bia:activity-detail", kwargs={"org_slug": org.slug, "pk": activity.pk}))
    assert WARNING not in page.content.decode()


def test_the_questionnaire_refuses_next_to_the_field_and_keeps_the_grid(org, scales, owned_activity, owner,
                                                                          client_for) -> None:
    response = client_for(owner).post(q_url(org, owned_activity, 2), grid_post(scales, hand="48"))
    assert response.status_code == 400
    assert "abaisse la criticité de Critique à Moyenne" in response.content.decode()
    assert Activity.objects.get(pk=owned_activity.pk).dmia_override_hours is None


def test_the_justification_is_kept_with_the_value_in_the_history_and_the_dossier(org, scales, owned_activity,
                                                                                   owner) -> None:
    activity = set_by_hand(owned_activity, scales, owner, 48, "Activité reportable selon le COPIL")
    events = [e for e in history_for(activity) if e.pgh_diff and "dmia_override_hours" in e.pgh_diff]
    assert any(e.pgh_diff["dmia_override_hours"][1] == 48
               and e.pgh_diff["dmia_override_justification"][1] == "Activité reportable selon le COPIL" for e in events)
    with translation.override("fr"):
        html = render_to_string("bia/exports/section.html", bia_context(org))
    assert "fixée à la main au-delà de la grille (4 h) : Activité reportable selon le COPIL" in html
