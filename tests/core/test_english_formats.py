"""English mode (issue 17): day-first dates and 24-hour times (resilis/formats/en), never « 7:49 p.m.. »."""

import datetime

from django.template import Context, Template
from django.utils import translation


def test_english_dates_are_day_first_and_times_on_24_hours() -> None:
    moment = datetime.datetime(2026, 12, 2, 19, 49)
    template = Template('{{ d|date }} · {{ d|date:"SHORT_DATE_FORMAT" }} · {{ d|time }} · {{ d|date:"SHORT_DATETIME_FORMAT" }}')
    with translation.override("en"):
        assert template.render(Context({"d": moment})) == "2 December 2026 · 02/12/2026 · 19:49 · 02/12/2026 19:49"
    with translation.override("fr"):
        assert template.render(Context({"d": moment})) == "2 décembre 2026 · 02/12/2026 · 19:49 · 02/12/2026 19:49"


def test_the_journey_badge_is_translated_both_ways() -> None:
    with translation.override("en"):
        assert translation.gettext("upcoming") == "upcoming"
    with translation.override("fr"):
        assert translation.gettext("upcoming") == "à venir"
