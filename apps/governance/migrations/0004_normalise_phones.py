"""Store the phone numbers typed before they were checked in their normalised form (E.164, or the digits of a
short number: ``apps.core.phones``). A value that cannot be parsed (« abc », « standard ») is kept exactly as
typed: the pages flag it and the crisis role holding it is incomplete until someone corrects it."""

from django.core.exceptions import ValidationError
from django.db import migrations

from apps.core.phones import normalise_phone

FIELDS = {"CrisisAssignment": "phone", "GovernanceMember": "phone", "GovernanceProfile": "phone_24_7"}


def normalise(apps, schema_editor):  # type: ignore[no-untyped-def]
    for model_name, field in FIELDS.items():
        model = apps.get_model("governance", model_name)
        for pk, value in model._base_manager.exclude(**{field: ""}).values_list("pk", field):
            try:
                stored = normalise_phone(value)
            except ValidationError:  # unparseable: kept as typed, flagged on read
                continue
            if stored != value:
                model._base_manager.filter(pk=pk).update(**{field: stored})


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0003_phones_validated_and_delay_bounded"),
    ]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
