"""Give every organization created before the exercises app its starter stimulus library (the organization
defaults do it for the new ones): the library pages only read from then on."""

from typing import Any

from django.db import migrations
from django_scopes import scopes_disabled

from apps.exercises.services import starter_library


def load_starter_library(apps: Any, schema_editor: Any) -> None:
    Organization = apps.get_model("tenants", "Organization")
    StimulusTemplate = apps.get_model("exercises", "StimulusTemplate")
    items = starter_library()
    with scopes_disabled():
        for organization in Organization.objects.all():
            if StimulusTemplate.objects.filter(organization=organization).exists():
                continue
            StimulusTemplate.objects.bulk_create([
                StimulusTemplate(organization=organization, library_key=item["key"], scenario_kind=item["scenario"],
                                 title=item["title"], offset_minutes=item["offset"], sender=item["sender"],
                                 recipient=item["recipient"], channel=item["channel"], content=item["content"],
                                 expected_reaction=item.get("expected", ""), order=index)
                for index, item in enumerate(items)])


class Migration(migrations.Migration):

    dependencies = [
        ("exercises", "0001_exercises_tests_and_retex"),
    ]

    operations = [
        migrations.RunPython(load_starter_library, migrations.RunPython.noop),
    ]
