"""The dossier states its rules where they apply, one short paragraph each: measured capability, workaround
durations, which plans count, the 66 % rule with its weights (issue 12)."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import translation
from django_scopes import scope

from apps.bia import services
from apps.exports.pdf import render_sections

pytestmark = pytest.mark.django_db


def test_the_dossier_states_each_rule_once(org) -> None:
    services.scales_ensure_defaults(organization=org)
    with scope(organization=org), translation.override("fr"):
        sections = {s.key: html.unescape(re.sub(r"\s+", " ", s.html)) for s in render_sections(organization=org)}
    everything = " ".join(sections.values())
    rules = {
        # Measured capability: production scope only, the latest test, its data point, « Réussi hors objectif ».
        "bia": ["Seul un test de restauration réussi de périmètre « remise en production / application complète » "
                "le mesure : le dernier de ces tests (par date) donne le RTO mesuré (sa durée) et le RPO mesuré "
                "(l'âge du point de restauration)",
                # Workaround durations: W + DMIA; unknown W carries nothing and is warned.
                "Un lien avec un contournement dont le mode dégradé tient W heures reporte le besoin + W",
                "Un lien avec un contournement de durée inconnue ne reporte rien et figure ci-dessous en alerte."],
        "backups": ["est « Réussi hors objectif »"],
        # Plans: approved current versions, frozen perimeter, covered only with a degraded mode or « sans objet ».
        "plans": ["Seule la version approuvée d'un plan compte pour D2.O1.C, avec le périmètre (activités, "
                       "établissement, scénarios) figé à son approbation", "ou un « sans objet » motivé",
                       "un contournement dont le mode dégradé tient W heures ajoute W à la DMIA"],
        # The 66 % rule with its weights, basis, date, total and « pondérations à compléter ».
        "candidate": ["Méthode de la règle des 66 % (D2.O1.C, D2.O1.D)", "Les parts doivent totaliser 100 % avec leur "
                      "base et leur date ; d'ici là, la règle indique « pondérations à compléter »"],
    }
    for key, phrases in rules.items():
        for phrase in phrases:
            assert phrase in sections[key], (key, phrase)
            assert everything.count(phrase) == 1, phrase  # stated once, not repeated in other sections
