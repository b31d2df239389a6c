"""Give every organization created before defaults were made with the organization its default BIA
method (settings, criteria with their levels, horizons): the BIA selectors only read from now on."""

from typing import Any

from django.db import migrations
from django_scopes import scopes_disabled

from apps.bia.defaults import DEFAULT_CRITERIA, DEFAULT_HORIZONS, DEFAULT_LEVEL_LABELS


def create_missing_defaults(apps: Any, schema_editor: Any) -> None:
    Organization = apps.get_model("tenants", "Organization")
    BiaSettings = apps.get_model("bia", "BiaSettings")
    ImpactCriterion = apps.get_model("bia", "ImpactCriterion")
    ImpactLevel = apps.get_model("bia", "ImpactLevel")
    TimeHorizon = apps.get_model("bia", "TimeHorizon")
    # The historical managers are plain ones; the real ones (when a test calls this) are scoped.
    with scopes_disabled():
        for organization in Organization.objects.all():
            if not BiaSettings.objects.filter(organization=organization).exists():
                BiaSettings.objects.create(organization=organization)
            if not ImpactCriterion.objects.filter(organization=organization).exists():
                for order, (code, name, descriptions) in enumerate(DEFAULT_CRITERIA):
                    criterion = ImpactCriterion.objects.create(organization=organization, code=code, name=name,
                                                               order=order)
                    ImpactLevel.objects.bulk_create([
                        ImpactLevel(organization=organization, criterion=criterion, level=level,
                                    label=DEFAULT_LEVEL_LABELS[level], description=text)
                        for level, text in descriptions.items()
                    ])
            if not TimeHorizon.objects.filter(organization=organization).exists():
                TimeHorizon.objects.bulk_create([
                    TimeHorizon(organization=organization, label=label, hours=hours, order=order)
                    for order, (label, hours) in enumerate(DEFAULT_HORIZONS)
                ])


class Migration(migrations.Migration):

    dependencies = [
        ("bia", "0002_answers_restrict"),
        ("tenants", "0002_help_texts"),
    ]

    operations = [
        migrations.RunPython(create_missing_defaults, migrations.RunPython.noop),
    ]
