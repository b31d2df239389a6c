"""Give every organization created before defaults were made with the organization its four
scenarios: the continuity selectors only read from now on."""

from typing import Any

from django.db import migrations
from django_scopes import scopes_disabled

from apps.continuity.services import DEFAULT_SCENARIOS


def create_missing_defaults(apps: Any, schema_editor: Any) -> None:
    Organization = apps.get_model("tenants", "Organization")
    Scenario = apps.get_model("continuity", "Scenario")
    # The historical managers are plain ones; the real ones (when a test calls this) are scoped.
    with scopes_disabled():
        for organization in Organization.objects.all():
            existing = set(Scenario.objects.filter(organization=organization).values_list("kind", flat=True))
            Scenario.objects.bulk_create([
                Scenario(organization=organization, kind=kind, description=description)
                for kind, description in DEFAULT_SCENARIOS.items() if kind not in existing
            ])


class Migration(migrations.Migration):

    dependencies = [
        ("continuity", "0001_initial"),
        ("tenants", "0002_help_texts"),
    ]

    operations = [
        migrations.RunPython(create_missing_defaults, migrations.RunPython.noop),
    ]
