"""Existing approved (and superseded) versions freeze the perimeter their plan has now: the best record we
have of what they were approved for (later versions freeze their own at approval)."""

from django.db import migrations


def freeze(apps, schema_editor):  # type: ignore[no-untyped-def]
    PlanVersion = apps.get_model("continuity", "PlanVersion")
    PlanActivity = apps.get_model("continuity", "PlanActivity")
    PlanScenario = apps.get_model("continuity", "PlanScenario")
    VersionActivity = apps.get_model("continuity", "VersionActivity")
    VersionScenario = apps.get_model("continuity", "VersionScenario")
    versions = PlanVersion._base_manager.filter(status__in=["approved", "superseded"], perimeter_frozen=False)
    for version in versions.select_related("plan"):
        plan = version.plan
        VersionActivity._base_manager.bulk_create([
            VersionActivity(organization_id=version.organization_id, version_id=version.pk, activity_id=a)
            for a in PlanActivity._base_manager.filter(plan_id=plan.pk).values_list("activity_id", flat=True)])
        VersionScenario._base_manager.bulk_create([
            VersionScenario(organization_id=version.organization_id, version_id=version.pk, scenario_id=s)
            for s in PlanScenario._base_manager.filter(plan_id=plan.pk).values_list("scenario_id", flat=True)])
        version.perimeter_establishment_id = plan.establishment_id
        version.perimeter_frozen = True
        version.save(update_fields=["perimeter_establishment", "perimeter_frozen"])


class Migration(migrations.Migration):
    dependencies = [("continuity", "0003_version_perimeter")]
    operations = [migrations.RunPython(freeze, migrations.RunPython.noop)]
