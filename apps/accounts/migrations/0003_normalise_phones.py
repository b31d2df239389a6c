"""Store the profile phone numbers typed before they were checked in their normalised form (``apps.core.phones``);
an unparseable value is kept exactly as typed, for its owner to correct."""

from django.core.exceptions import ValidationError
from django.db import migrations

from apps.core.phones import normalise_phone


def normalise(apps, schema_editor):  # type: ignore[no-untyped-def]
    user_model = apps.get_model("accounts", "User")
    for pk, value in user_model._base_manager.exclude(phone="").values_list("pk", "phone"):
        try:
            stored = normalise_phone(value)
        except ValidationError:  # unparseable: kept as typed
            continue
        if stored != value:
            user_model._base_manager.filter(pk=pk).update(phone=stored)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_phone_validated"),
    ]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
